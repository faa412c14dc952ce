package store

import "testing"

// BenchmarkRecordConversionWithWebhooks is BenchmarkRecordConversion with
// two webhook endpoints: each conversion also writes its events
// (conversion.created, commission.created) to the outbox for both.
func BenchmarkRecordConversionWithWebhooks(b *testing.B) {
	st, a := benchProgram(b)
	for _, url := range []string{"https://hooks.acme.test/a", "https://hooks.acme.test/b"} {
		if _, err := st.AddWebhook(a, "acme", url); err != nil {
			b.Fatal(err)
		}
	}
	p := benchReferrer(b, st, a)
	b.ResetTimer()
	for i := range b.N {
		id := string(rune('a'+i%26)) + itoa(i)
		if _, _, err := st.RecordConversion("acme", ConversionInput{OrderID: id, CustomerID: id, Amount: "10.00", Currency: "USD", Kind: "sale", Ref: p.Code}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if n, _ := st.PendingMessages(); n != 4*b.N+4 {
		b.Fatalf("%d outbox messages, want %d", n, 4*b.N+4)
	}
}
