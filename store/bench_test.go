package store

import (
	"context"
	"net/netip"
	"testing"
)

// benchProgram opens a store closed when b ends, with an instance admin
// (a) and an auto-approving program acme.
func benchProgram(b *testing.B) (*Store, Actor) {
	b.Helper()
	st, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	u, err := st.CreateUser("A", "a@x.test", "SHA256:a", "k")
	if err != nil {
		b.Fatal(err)
	}
	a := Actor{UserID: u.ID, Admin: true}
	if _, _, err := st.CreateProgram(a, ProgramInput{Slug: "acme", URL: "https://acme.test", AutoApprove: true}, false); err != nil {
		b.Fatal(err)
	}
	return st, a
}

// benchReferrer joins acme as a's partner and records a click on its code,
// so that conversions by the code attribute (a ref needs a click within
// the cookie lifetime) and carry a commission.
func benchReferrer(b *testing.B, st *Store, a Actor) *Partner {
	b.Helper()
	p, err := st.Join(a, "acme", "")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := st.RecordClick(context.Background(), ClickInput{Program: "acme", PartnerID: p.ID, Code: p.Code, IP: netip.MustParseAddr("203.0.113.1")}); err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkRecordClick measures durable, group-committed clicks from many
// concurrent visitors (go test -bench RecordClick -cpu 2 ./store).
func BenchmarkRecordClick(b *testing.B) {
	st, a := benchProgram(b)
	p, _ := st.Join(a, "acme", "")
	b.SetParallelism(benchParallelism)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		ip := netip.MustParseAddr("203.0.113.1")
		for pb.Next() {
			if _, err := st.RecordClick(context.Background(), ClickInput{Program: "acme", PartnerID: p.ID, Code: p.Code, IP: ip}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkRecordConversion measures conversions with commissions, one
// durable transaction each.
func BenchmarkRecordConversion(b *testing.B) {
	st, a := benchProgram(b)
	p := benchReferrer(b, st, a)
	b.ResetTimer()
	for i := range b.N {
		id := string(rune('a'+i%26)) + itoa(i)
		if _, _, err := st.RecordConversion("acme", ConversionInput{OrderID: id, CustomerID: id, Amount: "10.00", Currency: "USD", Kind: "sale", Ref: p.Code}); err != nil {
			b.Fatal(err)
		}
	}
}

func itoa(i int) string {
	var buf [20]byte
	n := len(buf)
	for {
		n--
		buf[n] = byte('0' + i%10)
		i /= 10
		if i == 0 {
			return string(buf[n:])
		}
	}
}

// benchParallelism × GOMAXPROCS goroutines record clicks at once.
const benchParallelism = 32
