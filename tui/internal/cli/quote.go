package cli

import "strings"

// sshArg quotes one argument of a command a person pastes into a POSIX
// shell as "ssh … COMMAND ARGS": ssh joins the words into one string and
// the server splits it again like a shell, so a value with spaces or shell
// characters needs two levels of quotes. Plain words stay as they are;
// "Their Name" becomes "'Their Name'", and anything else is single-quoted
// twice.
func sshArg(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool { return !plainRune(r) }) < 0 {
		return s
	}
	if !strings.ContainsAny(s, "'\"$`\\!") {
		return `"'` + s + `'"`
	}
	return singleQuote(singleQuote(s))
}

// singleQuote is s single-quoted for a POSIX shell.
func singleQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func plainRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@%+=:,./_-", r)
}
