package cli_test

import (
	"testing"

	"github.com/affogato-sh/affogato/tui"
	"github.com/affogato-sh/affogato/tui/internal/sshtest"
)

// A provider base URL on an internal address is refused when it is set
// (the outbound guard refuses it again at every call). Nothing is dialled:
// the check is on the address.
func TestProviderBaseURLRefusesInternalTargets(t *testing.T) {
	admin := sshtest.NewKey(t, "admin")
	ts := sshtest.Start(t, func(c *tui.Config) { c.AdminKeys = []string{admin.Pub} })
	ts.OK(admin, "program", "create", "shop", "--name", "Shop", "--url", "https://shop.example")
	for _, u := range []string{"https://169.254.169.254/latest", "https://10.0.0.1", "https://[::1]:8443",
		"https://100.64.0.1", "http://127.0.0.1:9", "https://[::ffff:192.168.0.1]/"} {
		for _, key := range []string{"paypal-base-url", "wise-base-url"} {
			ts.Fail(admin, "refused", "program", "set", "shop", key, u)
		}
	}
	ts.OK(admin, "program", "set", "shop", "paypal-base-url", "https://93.184.216.34")
}
