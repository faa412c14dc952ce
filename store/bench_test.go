package store

import (
	"context"
	"net/netip"
	"testing"
)

// BenchmarkRecordClick measures durable, group-committed clicks from many
// concurrent visitors (go test -bench RecordClick -cpu 2 ./store).
func BenchmarkRecordClick(b *testing.B) {
	st, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	u, _ := st.CreateUser("A", "a@x.test", "SHA256:a", "k")
	a := Actor{UserID: u.ID, Admin: true}
	st.CreateProgram(a, ProgramInput{Slug: "acme", URL: "https://acme.test", AutoApprove: true}, false)
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
	st, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	u, _ := st.CreateUser("A", "a@x.test", "SHA256:a", "k")
	a := Actor{UserID: u.ID, Admin: true}
	st.CreateProgram(a, ProgramInput{Slug: "acme", URL: "https://acme.test", AutoApprove: true}, false)
	p, _ := st.Join(a, "acme", "")
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
