package common

import "github.com/affogato-sh/affogato/store"

// Webhooks lists a program's webhook endpoints (without their secrets).
func (d *Data) Webhooks(slug string) ([]store.Webhook, error) { return d.st.ListWebhooks(d.a, slug) }
