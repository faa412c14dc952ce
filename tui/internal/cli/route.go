package cli

// IsCommand says whether an SSH session's command line (its exec request,
// ssh.Session.RawCommand) asks for a command rather than the screen: it
// has a word, an empty quoted one included, or it does not split (Run then
// says why). Only a missing or blank line opens the screen. The words are
// SplitCommand's, the ones Run runs: the SSH library's own split
// (ssh.Session.Command, go-shlex) drops an empty quoted word, so
//
//	ssh -t host "''"
//
// would open the dashboard instead of being refused as the unknown command
// it is.
func IsCommand(line string) bool {
	words, err := SplitCommand(line)
	return err != nil || len(words) > 0
}

// LineName is CommandName of a command line, for logs: "" when it does
// not split.
func LineName(line string) string {
	words, err := SplitCommand(line)
	if err != nil {
		return ""
	}
	return CommandName(words)
}
