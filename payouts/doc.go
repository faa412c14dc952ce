// Package payouts pays partners what a payout batch owes them: it writes the
// PayPal Payouts and Wise batch-payment CSV files a merchant uploads by hand,
// and sends batches through the PayPal Payouts API and the Wise API,
// recording every outcome through the store.
//
// The package knows nothing of command lines or screens: the SSH commands and
// the dashboard call Export, Service.Send and Service.Refresh and show the
// progress they report.
//
// Idempotency is the rule everything here follows. A batch is sent to PayPal
// under a sender_batch_id derived from the batch alone, and each Wise transfer
// under a customerTransactionId derived from its batch and item, so sending a
// batch again after a crash, a timeout or an error can never pay anyone twice.
// An item is marked paid or failed only when the provider says so.
package payouts
