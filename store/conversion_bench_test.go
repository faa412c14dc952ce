package store

import (
	"fmt"
	"sync/atomic"
	"testing"
)

// BenchmarkRecordConversionParallel measures conversions as bench/run.sh
// sends them: 64 senders at once (benchConversionSenders), each payment a
// new order and customer attributed by a clicked referral code, no hold,
// so the group commit carries many conversions each. Conversions are
// limited by the group writer's one goroutine, so the CPU a conversion
// takes inside it sets the rate (go test -bench RecordConversionParallel
// -cpu 2 ./store).
func BenchmarkRecordConversionParallel(b *testing.B) {
	st, a := benchProgram(b)
	if _, err := st.SetProgram(a, "acme", "hold-days", "0"); err != nil {
		b.Fatal(err)
	}
	p := benchReferrer(b, st, a)
	var n atomic.Int64
	b.SetParallelism(benchConversionSenders)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := fmt.Sprint("o-", n.Add(1))
			if _, _, err := st.RecordConversion("acme", ConversionInput{OrderID: id, CustomerID: id, Amount: "49.90",
				Currency: "USD", Kind: KindSale, Ref: p.Code}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// benchConversionSenders × GOMAXPROCS goroutines send conversions at once.
const benchConversionSenders = 32
