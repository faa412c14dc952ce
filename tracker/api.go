package tracker

import (
	"errors"
	"net/http"
	"strings"

	"github.com/affogato-sh/affogato/store"
)

// authenticate reads the Bearer API key, finds its program and applies the
// key's rate limit. On failure it has answered and returns nil.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) *store.Program {
	key, ok := bearer(r.Header.Get("Authorization"))
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="affogato"`)
		writeError(w, http.StatusUnauthorized, codeUnauthorized, "missing API key: send Authorization: Bearer <program API key>")
		return nil
	}
	p, err := s.st.ProgramByAPIKey(key)
	if err != nil {
		if isClientError(err) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="affogato", error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, codeUnauthorized, "unknown API key")
			return nil
		}
		s.storeError(w, "authenticate API key", err)
		return nil
	}
	if ok, wait := s.limits.allow(p.Slug, s.now()); !ok {
		s.metrics.rateLimited.Inc()
		rateLimited(w, wait)
		return nil
	}
	return p
}

// bearer extracts the token of an "Authorization: Bearer TOKEN" header.
func bearer(h string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != "" && len(token) <= 512
}

// fail answers a request error, or maps a store error.
func (s *Server) fail(w http.ResponseWriter, op string, err error) {
	var re *requestError
	if errors.As(err, &re) {
		re.write(w)
		return
	}
	s.storeError(w, op, err)
}
