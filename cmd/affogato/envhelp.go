package main

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"
)

// envName is a flag's environment twin: --public-url ← AFFOGATO_PUBLIC_URL.
func envName(flag string) string {
	return "AFFOGATO_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// envHelp lists every flag's AFFOGATO_* twin for affogato --help.
func envHelp(fs *pflag.FlagSet) string {
	var b strings.Builder
	b.WriteString("Every flag has an environment twin; a flag on the command line wins over it:\n")
	width := 0
	fs.VisitAll(func(fl *pflag.Flag) {
		if fl.Name != "help" {
			width = max(width, len(envName(fl.Name)))
		}
	})
	fs.VisitAll(func(fl *pflag.Flag) {
		if fl.Name == "help" {
			return
		}
		fmt.Fprintf(&b, "  %-*s  --%s\n", width, envName(fl.Name), fl.Name)
	})
	b.WriteString("\nFor example: AFFOGATO_ADMIN_KEY=\"$HOME/.ssh/id_ed25519.pub\" make run")
	return b.String()
}
