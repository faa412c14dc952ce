package cli

import "testing"

func TestCommandName(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{[]string{"program", "set", "shop", "stripe-secret", "sk_live_x"}, "program set"},
		{[]string{"whoami", "--json"}, "whoami"},
		{[]string{"SELECT", "x"}, ""},
		{nil, ""},
		{[]string{"join", "shop", "TOKEN"}, "join shop"},
	}
	for _, tt := range tests {
		if got := CommandName(tt.in); got != tt.want {
			t.Errorf("CommandName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
