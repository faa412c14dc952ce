package cli

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/affogato-sh/affogato/payouts/outbound"
	"github.com/affogato-sh/affogato/store/sanitize"
)

// checkProviderURL refuses a paypal-base-url or wise-base-url whose host is
// (or resolves to) an internal address, when it is set: the outbound guard
// refuses it again at every call, but the merchant learns now. Only the
// program's admins get this far (the check runs after CanAdmin), so the
// answer tells an outsider nothing about the network.
func (e *cmdEnv) checkProviderURL(c *cobra.Command, slug, key, value string) error {
	if key != "paypal-base-url" && key != "wise-base-url" {
		return nil
	}
	value = strings.TrimSpace(value)
	if value == "" {
		return nil
	}
	if err := e.srv.Store.CanAdmin(e.id.Actor(), slug); err != nil {
		return about(err, "program %q", slug)
	}
	guard := outbound.New(outbound.Options{})
	if e.srv.Payouts != nil && e.srv.Payouts.Guard() != nil {
		guard = e.srv.Payouts.Guard()
	}
	ctx, cancel := context.WithTimeout(c.Context(), 10*time.Second)
	defer cancel()
	if _, err := guard.CheckURL(ctx, value, guard.AllowPrivate()); err != nil {
		return userErrf("%s refused: %s", key, sanitize.Line(err.Error()))
	}
	return nil
}
