package tracker

import "strings"

// crawlerMarks are lower-case substrings of the user agents of known
// crawlers and link previewers. Command-line clients (curl, wget) are people
// testing their links and count as visitors.
var crawlerMarks = [...]string{
	"googlebot", "bingbot", "slurp", "duckduckbot", "baiduspider", "yandexbot",
	"facebookexternalhit", "twitterbot", "linkedinbot", "slackbot", "discordbot",
	"whatsapp", "telegrambot", "ahrefsbot", "semrushbot", "mj12bot", "applebot",
	"petalbot", "gptbot", "claudebot", "ccbot",
	"bot/", "spider", "crawler",
}

// isBot says whether a user agent is a known crawler.
func isBot(userAgent string) bool {
	if userAgent == "" {
		return false
	}
	ua := strings.ToLower(userAgent)
	for _, m := range crawlerMarks {
		if strings.Contains(ua, m) {
			return true
		}
	}
	return false
}
