package partner

import (
	"context"
	"net/url"
	"strings"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/errs"
	"github.com/affogato-sh/affogato/store/sanitize"
)

// defaultPage is the page size of a read without one (limit <= 0); the
// tabs ask for what their table shows.
const defaultPage = 50

func pageSize(limit int) int {
	if limit <= 0 {
		return defaultPage
	}
	return limit
}

// Data is the portal's access to the ledger, bound to one session's actor
// and one program: its methods take no actor, so a tab cannot read or act
// as anyone else, and every read is the actor's own (the store checks the
// membership again in each call).
type Data struct {
	st        *store.Store
	actor     store.Actor
	slug      string
	publicURL string
	hint      func(user string) string
	// since is the store version the session's reads must hold (the
	// frame's common.Data.Since); nil: 0.
	since func() uint64
}

// NewData binds the store to the actor's membership of program slug.
// publicURL is the HTTP listener's public base; hint makes the ssh command
// line ("ssh -p PORT HOST", with a user "ssh -p PORT USER@HOST").
func NewData(st *store.Store, actor store.Actor, slug, publicURL string, hint func(user string) string) *Data {
	return &Data{st: st, actor: actor, slug: strings.TrimSpace(slug), publicURL: strings.TrimRight(publicURL, "/"), hint: hint}
}

// following makes the figures reads shared with the partner's other
// sessions (store.OwnStatsSince): each holds at least the version since
// returns, the change signals the session took (common.Data.Saw).
func (d *Data) following(since func() uint64) *Data {
	d.since = since
	return d
}

func (d *Data) version() uint64 {
	if d.since == nil {
		return 0
	}
	return d.since()
}

// Slug is the program's slug.
func (d *Data) Slug() string { return d.slug }

// Hint is the ssh command line to this server, with user@ when user is set.
func (d *Data) Hint(user string) string { return d.hint(user) }

// Link is the referral link of a code.
func (d *Data) Link(code string) string { return d.publicURL + "/r/" + code }

// AssetURL is a file asset's public URL.
func (d *Data) AssetURL(a *store.Asset) string { return d.publicURL + a.AssetPath() }

// Header is what every tab shows of the program and the membership.
type Header struct {
	Program store.Program // without secrets
	Partner store.Partner
}

// Header reads the program (public part) and the actor's membership.
func (d *Data) Header(ctx context.Context) (*Header, error) {
	m, err := d.st.Membership(d.actor, d.slug)
	if err != nil {
		return nil, err
	}
	p, err := d.st.Program(d.slug)
	if err != nil {
		return nil, err
	}
	p.Secrets, p.APIKeyHash, p.APIKeyHint, p.Admins = store.ProgramSecrets{}, nil, "", nil
	return &Header{Program: *p, Partner: *m}, ctx.Err()
}

// Stats are the partner's own figures over days (never the program's,
// also for a partner who runs the program too). They are what is stored:
// clicks the applier has not stored yet show once its commit is
// signalled and the tab reloads.
func (d *Data) Stats(_ context.Context, days int) (*store.Stats, error) {
	return d.st.OwnStatsSince(d.actor, d.slug, days, d.version())
}

// Links reads a page of at most limit of the partner's links after code
// after.
func (d *Data) Links(_ context.Context, after string, limit int) (*store.LinkPage, error) {
	return d.st.PartnerLinksSince(d.actor, d.slug, after, pageSize(limit), d.version())
}

// CheckLink validates a new link as typed, with the rules link create
// applies: code, campaign, and the destination against the program.
func (d *Data) CheckLink(prog *store.Program, code, to, sub string) error {
	if err := store.ValidLinkInput(strings.TrimSpace(code), strings.TrimSpace(sub)); err != nil {
		return err
	}
	if to = strings.TrimSpace(to); to != "" {
		if _, err := prog.Destination(to); err != nil {
			return err
		}
	}
	return nil
}

// CreateLink makes an extra link (as link create does).
func (d *Data) CreateLink(_ context.Context, code, to, sub string) (*store.Link, error) {
	return d.st.CreateCampaignLink(d.actor, d.slug, code, to, sub)
}

// Assets reads a page of at most limit of the program's promotional
// materials (approved partners only; the store refuses others).
func (d *Data) Assets(_ context.Context, after uint64, limit int) (*store.AssetList, error) {
	return d.st.ListAssets(d.actor, d.slug, after, pageSize(limit))
}

// Earnings reads a page of at most limit of the partner's commissions
// before id before.
func (d *Data) Earnings(_ context.Context, before uint64, limit int) (*store.EarningsPage, error) {
	return d.st.PartnerEarnings(d.actor, d.slug, before, pageSize(limit))
}

// Payouts reads the partner's payout history in this program.
func (d *Data) Payouts(_ context.Context) ([]store.PartnerPayout, error) {
	return d.st.PartnerPayouts(d.actor, d.slug)
}

// User reads the actor's own profile.
func (d *Data) User(_ context.Context) (*store.User, error) { return d.st.UserByID(d.actor.UserID) }

// SetProfile sets one field of the actor's own profile (as profile set).
func (d *Data) SetProfile(_ context.Context, field, value, currency string) (*store.User, error) {
	return d.st.SetProfile(d.actor, field, value, currency)
}

// hostOf is a URL's host, for short labels.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Host
}

// errText is an error as a plain sentence for the footer: the store's
// words for people, never internals.
func errText(err error) string {
	if errs.CodeOf(err) == errs.EInternal {
		return "something went wrong on the server; try again"
	}
	return sanitize.Line(errs.MessageOf(err))
}
