// Package tracker is affogato's HTTP listener: the referral redirector
// (/r/{code}), the first-party tracking script (/t.js), the server-to-server
// conversion and refund API, Stripe webhooks, and health and metrics
// endpoints. It parses, validates and authenticates each request, then calls
// the store, which keeps the ledger's invariants.
package tracker
