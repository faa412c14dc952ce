package store

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"
)

// encodeClick is json.Marshal(c) without reflection: clicks are written
// at the redirector's rate. It falls back to encoding/json for text that
// is not valid UTF-8. Decoding uses encoding/json.
func encodeClick(c *Click) ([]byte, error) {
	for _, s := range []string{c.Program, c.Code, c.Sub, c.IPHash} {
		if !utf8.ValidString(s) {
			return json.Marshal(c)
		}
	}
	b := make([]byte, 0, 192)
	b = append(b, `{"id":`...)
	b = strconv.AppendUint(b, c.ID, 10)
	b = append(b, `,"program":`...)
	b = appendJSONString(b, c.Program)
	b = append(b, `,"partner_id":`...)
	b = strconv.AppendUint(b, c.PartnerID, 10)
	b = append(b, `,"code":`...)
	b = appendJSONString(b, c.Code)
	if c.Sub != "" {
		b = append(b, `,"sub":`...)
		b = appendJSONString(b, c.Sub)
	}
	b = append(b, `,"ip_hash":`...)
	b = appendJSONString(b, c.IPHash)
	if c.PaidAds {
		b = append(b, `,"paid_ads":true`...)
	}
	b = append(b, `,"at":"`...)
	b = c.At.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","recent_from_ip":`...)
	b = strconv.AppendInt(b, int64(c.RecentFromIP), 10)
	return append(b, '}'), nil
}

// appendJSONString appends s as a JSON string the way encoding/json does
// (HTML-sensitive characters escaped too), for valid UTF-8 input.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
