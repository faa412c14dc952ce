package store

import (
	"testing"
	"time"

	"github.com/affogato-sh/affogato/store/testclock"
)

func TestUntilNextDay(t *testing.T) {
	for _, c := range []struct {
		now  time.Time
		want time.Duration
	}{
		{time.Date(2026, 3, 10, 23, 59, 59, 0, time.UTC), time.Second},
		{time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC), 24 * time.Hour},
		{time.Date(2026, 12, 31, 12, 0, 0, 0, time.UTC), 12 * time.Hour},
		// Days are UTC days whatever the clock's zone: 23:00 at UTC+2 is 21:00 UTC.
		{time.Date(2026, 3, 10, 23, 0, 0, 0, time.FixedZone("x", 2*3600)), 3 * time.Hour},
	} {
		if got := untilNextDay(c.now); got != c.want {
			t.Errorf("untilNextDay(%v) = %v, want %v", c.now, got, c.want)
		}
	}
	if got := dayWait(time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)); got != dayCheckMax {
		t.Errorf("dayWait at noon = %v, want the bound %v", got, dayCheckMax)
	}
}

// With nothing written, every subscriber (a program's and a partner's) is
// signalled when the store's clock enters a new day, and Version moves so
// a shared screen read from before midnight is not reused; before
// midnight nothing is signalled.
func TestNewDaySignalsEverySubscriber(t *testing.T) {
	clk := testclock.New(time.Date(2026, 3, 10, 23, 59, 59, 0, time.UTC))
	st, err := Open(t.TempDir(), Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	program, cancel := st.Subscribe("shop")
	defer cancel()
	portal, cancel2 := st.SubscribePartner("shop", 7)
	defer cancel2()
	v0 := st.Version()
	select {
	case <-program:
		t.Fatal("signalled before the day changed")
	case <-portal:
		t.Fatal("signalled before the day changed")
	case <-time.After(2 * dayCheckMax):
	}
	clk.Add(2 * time.Second) // 00:00:01 on the 11th
	for name, ch := range map[string]<-chan struct{}{"the program's subscription": program, "the partner's subscription": portal} {
		select {
		case <-ch:
		case <-time.After(10 * time.Second):
			t.Fatalf("%s was not signalled when the day changed", name)
		}
	}
	if st.Version() <= v0 {
		t.Errorf("Version did not move with the new day: %d", st.Version())
	}
	// Once a day: the same day does not signal again, and a screen opened
	// on the new day is not signalled for it.
	late, cancel3 := st.Subscribe("other")
	defer cancel3()
	select {
	case <-program:
		t.Fatal("signalled twice for one new day")
	case <-late:
		t.Fatal("a subscription opened on the new day was signalled for it")
	case <-time.After(2 * dayCheckMax):
	}
}
