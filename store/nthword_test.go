package store

import "testing"

func TestNthWord(t *testing.T) {
	for n, want := range map[int]string{1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 11: "11th", 12: "12th", 13: "13th",
		21: "21st", 22: "22nd", 23: "23rd", 101: "101st", 111: "111th", 112: "112th"} {
		if got := nthWord(n); got != want {
			t.Errorf("nthWord(%d) = %q, want %q", n, got, want)
		}
	}
}
