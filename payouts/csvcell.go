package payouts

import "strings"

// NeutralizeCell makes a CSV cell safe to open in a spreadsheet: a cell
// starting with a character that Excel, LibreOffice or Google Sheets would
// read as the start of a formula (=, +, -, @, or a tab or carriage return
// before one) gets a leading apostrophe, so it is shown as text and never
// run (OWASP "CSV injection"). Anything else is returned as it is. Every
// exported cell goes through it.
func NeutralizeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r', '\n':
		return "'" + s
	}
	// Full-width forms some spreadsheets also accept as formula starters.
	for _, p := range []string{"＝", "＋", "－", "＠"} {
		if strings.HasPrefix(s, p) {
			return "'" + s
		}
	}
	return s
}

// neutralizeRow applies NeutralizeCell to every cell of a record.
func neutralizeRow(fields []string) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = NeutralizeCell(f)
	}
	return out
}
