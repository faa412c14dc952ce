package tracker

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"unicode/utf8"

	"github.com/affogato-sh/affogato/store/sanitize"
)

// maxAPIBody is the largest API request body accepted.
const maxAPIBody = 64 << 10

// requestError is an HTTP answer for a request refused before the store.
type requestError struct {
	status int
	code   string
	msg    string
}

func (e *requestError) Error() string { return e.msg }

func badRequest(format string, args ...any) *requestError {
	return &requestError{http.StatusBadRequest, codeBadRequest, fmt.Sprintf(format, args...)}
}

func unprocessable(format string, args ...any) *requestError {
	return &requestError{http.StatusUnprocessableEntity, codeInvalid, fmt.Sprintf(format, args...)}
}

func (e *requestError) write(w http.ResponseWriter) { writeError(w, e.status, e.code, e.msg) }

// readBody reads the whole body up to limit bytes: 413 beyond it.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, *requestError) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, &requestError{http.StatusRequestEntityTooLarge, codeTooLarge,
				fmt.Sprintf("request body is over %d KiB", limit>>10)}
		}
		return nil, badRequest("read request body: %v", err)
	}
	return body, nil
}

// jsonObject parses body as one JSON object into its raw fields. The API
// callers refuse members they do not read (fields.only).
func jsonObject(body []byte) (fields, *requestError) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return nil, badRequest("request body must be a JSON object")
		}
		return nil, badRequest("malformed JSON: %v", err)
	}
	if m == nil {
		return nil, badRequest("request body must be a JSON object")
	}
	return fields(m), nil
}

// fields are the raw members of a JSON object.
type fields map[string]json.RawMessage

// str reads a string member; absent or null is "". With numberOK, a JSON
// number is accepted too and kept as its literal text (never a float).
func (f fields) str(name string, numberOK bool) (string, *requestError) {
	raw, ok := f[name]
	if !ok || string(raw) == "null" {
		return "", nil
	}
	switch c := raw[0]; {
	case c == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", badRequest("%s: %v", name, err)
		}
		return s, nil
	case numberOK && (c == '-' || c >= '0' && c <= '9'):
		return string(raw), nil // json.Unmarshal already checked it is a valid number
	case numberOK:
		return "", badRequest("%s must be a string or a number", name)
	default:
		return "", badRequest("%s must be a string", name)
	}
}

// checkText validates a free-text member: at most max characters, no
// control characters; required ones may not be empty.
func checkText(name, v string, max int, required bool) *requestError {
	if v == "" {
		if required {
			return unprocessable("%s is required", name)
		}
		return nil
	}
	if utf8.RuneCountInString(v) > max {
		return unprocessable("%s is longer than %d characters", name, max)
	}
	if !sanitize.Clean(v) {
		return unprocessable("%s contains a control character or invalid UTF-8", name)
	}
	return nil
}
