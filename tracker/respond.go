package tracker

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/errs"
)

// Error codes of the JSON error body {"error":{"code","message"}}.
const (
	codeBadRequest       = "bad_request"
	codeBadSignature     = "bad_signature"
	codeUnauthorized     = "unauthorized"
	codeForbidden        = "forbidden"
	codeNotFound         = "not_found"
	codeNotConfigured    = "not_configured"
	codeMethodNotAllowed = "method_not_allowed"
	codeConflict         = "conflict"
	codeTooLarge         = "too_large"
	codeInvalid          = "invalid"
	codeRateLimited      = "rate_limited"
	codeInternal         = "internal"
	codeUnavailable      = "unavailable"
)

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// writeJSON writes v as the JSON response with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","message":"encode response"}}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// writeError writes the JSON error body.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, errorBody{Error: errorDetail{Code: code, Message: msg}})
}

// rateLimited answers 429 with Retry-After in whole seconds (at least 1).
func rateLimited(w http.ResponseWriter, retryAfterSeconds int) {
	w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
	writeError(w, http.StatusTooManyRequests, codeRateLimited,
		"too many requests for this API key; retry after "+strconv.Itoa(retryAfterSeconds)+"s")
}

// storeError maps a store error to an HTTP answer. Unknown errors are
// logged and answered with a generic 500.
func (s *Server) storeError(w http.ResponseWriter, op string, err error) {
	var inv *store.InvalidError
	switch {
	case errors.As(err, &inv):
		writeError(w, http.StatusUnprocessableEntity, codeInvalid, inv.Error())
	case errors.Is(err, store.ErrInvalid):
		writeError(w, http.StatusUnprocessableEntity, codeInvalid, err.Error())
	case errors.Is(err, store.ErrConflict):
		writeError(w, http.StatusConflict, codeConflict, err.Error())
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, codeNotFound, err.Error())
	case errors.Is(err, store.ErrForbidden):
		writeError(w, http.StatusForbidden, codeForbidden, err.Error())
	case errors.Is(err, store.ErrStorage):
		// The disk refused the write; nothing was saved, a retry later
		// may succeed.
		s.metrics.errors.WithLabelValues("storage").Inc()
		s.log.Error("store error", "op", op, "err", err)
		w.Header().Set("Retry-After", "60")
		writeError(w, http.StatusServiceUnavailable, codeUnavailable, errs.MessageOf(err))
	default:
		s.metrics.errors.WithLabelValues("store").Inc()
		s.log.Error("store error", "op", op, "err", err)
		writeError(w, http.StatusInternalServerError, codeInternal, "internal error")
	}
}

// isClientError says whether a store error is about the request (invalid,
// conflict, unknown, forbidden) rather than a failure of the store itself.
func isClientError(err error) bool {
	return errors.Is(err, store.ErrInvalid) || errors.Is(err, store.ErrConflict) ||
		errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrForbidden)
}
