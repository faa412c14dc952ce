package tracker

import (
	"net/http"
	"strings"

	"github.com/affogato-sh/affogato/store"
)

// keepsFirstReferral says whether the redirect must leave the visitor's
// aff_ref cookie as it is: the program attributes to the first click and
// the cookie already holds a referral in the same program (the browser
// drops the cookie when the cookie lifetime ends, so one that is sent is
// still live). A last-click program, a cookie of another program, or a
// malformed one is replaced.
func (s *Server) keepsFirstReferral(r *http.Request, t *store.Target) bool {
	if t.Program.Attribution != store.FirstClick {
		return false
	}
	c, err := r.Cookie("aff_ref")
	if err != nil {
		return false
	}
	code, id, ok := strings.Cut(c.Value, ".")
	if !ok || !validCode(code) || !validClickID(id) {
		return false
	}
	prev, err := s.st.ResolveCode(code)
	return err == nil && prev.Program.Slug == t.Program.Slug
}

// validClickID says whether id can be a click id: 1 to 20 digits.
func validClickID(id string) bool {
	if id == "" || len(id) > 20 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '0' || id[i] > '9' {
			return false
		}
	}
	return true
}
