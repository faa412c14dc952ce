package tracker

import (
	"net/http"
	"time"
)

// DefaultRequestTimeout bounds reading a request's body and writing its
// answer (Config.RequestTimeout).
const DefaultRequestTimeout = 30 * time.Second

// The HTTP server itself bounds only the request header and the idle time
// between requests (cmd/affogato). The server-wide ReadTimeout and
// WriteTimeout it had cost two socket deadline changes (timer updates in
// the runtime's poller) on every request, also on the redirector, whose
// GET has no body to read and whose answer is a few hundred bytes: 3-4% of
// its CPU. So the deadlines are set here, per request, where they bound
// something: a request with a body gets a read deadline (a client sending
// it slowly, on any route, the redirect included, where net/http reads
// what the handler left before the next request), and every route but the
// redirect a write deadline, as the server's timeouts did. A client that
// takes the redirect's answer too slowly is the TCP user timeout's
// (cmd/affogato's listener): no data it leaves unread holds the
// connection longer.

// setDeadlines sets the deadlines of one request that began at start.
// redirect says whether it is the redirect's route: it gets deadlines
// only when it has a body.
func (s *Server) setDeadlines(w http.ResponseWriter, r *http.Request, start time.Time, redirect bool) {
	hasBody := r.Body != nil && r.Body != http.NoBody
	if redirect && !hasBody {
		return
	}
	rc := http.NewResponseController(w)
	end := start.Add(s.requestTimeout)
	if hasBody {
		_ = rc.SetReadDeadline(end)
	}
	_ = rc.SetWriteDeadline(end)
}
