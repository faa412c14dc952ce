// Package store is affogato's ledger: the domain types (Program, Partner,
// Link, Click, Customer, Conversion, Commission, PayoutBatch), the commission
// plan and its money rules, and every read and write as a method on *Store
// over one bbolt file. Each change runs in one bbolt transaction that keeps
// the ledger's invariants (see Check). It imports no other package of ours.
package store
