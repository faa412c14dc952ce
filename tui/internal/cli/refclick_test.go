package cli_test

import (
	"context"
	"net/netip"
	"testing"

	"github.com/affogato-sh/affogato/store"
)

// clickRef records a visitor's click on a referral code, as the redirector
// does: a conversion that names the code as its ref attributes only after a
// click on it within the cookie lifetime.
func clickRef(t testing.TB, st *store.Store, code string) {
	t.Helper()
	tg, err := st.ResolveCode(code)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordClick(context.Background(), store.ClickInput{Program: tg.Link.Program, PartnerID: tg.Link.PartnerID,
		Code: tg.Link.Code, IP: netip.MustParseAddr("192.0.2.77")}); err != nil {
		t.Fatal(err)
	}
}
