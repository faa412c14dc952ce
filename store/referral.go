package store

import "time"

// CookieLifetime is how long a referral attributes payments: the program's
// cookie lifetime in days (DefaultCookieDays when unset). A click (by its
// click id) or a referral code (by its clicks) older than this never
// attributes.
func (p *Program) CookieLifetime() time.Duration {
	days := p.CookieDays
	if days <= 0 {
		days = DefaultCookieDays
	}
	return time.Duration(days) * 24 * time.Hour
}

// ReferralExpires is when a referral through a click at clickAt stops
// attributing payments.
func (p *Program) ReferralExpires(clickAt time.Time) time.Time {
	return clickAt.Add(p.CookieLifetime())
}
