package store

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

func TestEncodeClickMatchesEncodingJSON(t *testing.T) {
	at := time.Date(2026, 11, 24, 13, 5, 7, 123456789, time.UTC)
	for _, c := range []Click{
		{ID: 1, Program: "acme", PartnerID: 2, Code: "abc", IPHash: "00ff", At: at},
		{ID: 18446744073709551615, Program: "a-b", PartnerID: 9, Code: "x_Y-1", Sub: "spring \"sale\" <b>&\\ \u2028 é 日本 \x01", IPHash: "aa", PaidAds: true, At: at, RecentFromIP: 21},
		{ID: 3, Program: "p", Code: "c", Sub: "bad \xff utf8", At: at.Add(-time.Nanosecond * 123456789)},
	} {
		want, _ := json.Marshal(&c)
		got, err := encodeClick(&c)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("encodeClick:\n got %s\nwant %s", got, want)
		}
		var back Click
		if err := json.Unmarshal(got, &back); err != nil || back.ID != c.ID || !back.At.Equal(c.At) {
			t.Errorf("round trip: %v %+v", err, back)
		}
	}
}
