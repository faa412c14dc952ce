package store

import (
	"bytes"

	bolt "go.etcd.io/bbolt"
)

// Every conversion reports itself and its commission (outbox.go), and
// building those reports (the conversion's view, the commission's event,
// their money formatted) cost about an eighth of a conversion's work in the
// group commit. Most programs have no webhook endpoint, and a server
// without mail queues no mail, so the reports are built only when someone
// will receive them.

// hasWebhooksTx says whether the program has a webhook endpoint.
func hasWebhooksTx(tx *bolt.Tx, slug string) bool {
	prefix := key(slug)
	k, _ := tx.Bucket(bProgWebhooks).Cursor().Seek(prefix)
	return k != nil && bytes.HasPrefix(k, prefix)
}

// mailOnTx says whether the server sends mail (mailTx queues none otherwise).
func mailOnTx(tx *bolt.Tx) bool {
	return bytes.Equal(tx.Bucket(bMeta).Get(metaMail), []byte{1})
}
