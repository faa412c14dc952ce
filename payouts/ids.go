package payouts

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/affogato-sh/affogato/store"
)

// idNamespace is the UUID namespace of affogato's name-based UUIDs.
const idNamespace = "9c4e3f0a-5b1d-4f7e-8a26-3d5c7b9e1f40"

// SenderBatchID is the PayPal sender_batch_id of a batch: the same every
// time the batch is sent, so PayPal pays it at most once. The creation time
// keeps two instances' batch 12 of a program "acme" apart.
func SenderBatchID(b *store.PayoutBatch) string {
	id := fmt.Sprintf("affogato-%s-%d", b.Program, b.ID)
	if !b.CreatedAt.IsZero() {
		id += "-" + b.CreatedAt.UTC().Format("20060102T150405Z")
	}
	return id
}

// SenderItemID is the PayPal sender_item_id of an item: "BATCH-ITEM".
func SenderItemID(batchID, itemID uint64) string {
	return fmt.Sprintf("%d-%d", batchID, itemID)
}

// WiseTransactionID is the Wise customerTransactionId of an item: a UUID
// (version 5, name-based) of the batch and item, so a retry can never
// create a second transfer.
func WiseTransactionID(b *store.PayoutBatch, itemID uint64) string {
	name := fmt.Sprintf("affogato/wise/%s/%d/%s/%d", b.Program, b.ID,
		b.CreatedAt.UTC().Format(time.RFC3339Nano), itemID)
	return uuidV5(idNamespace, name)
}

// uuidV5 is the RFC 9562 name-based (SHA-1) UUID of name in namespace ns.
func uuidV5(ns, name string) string {
	nsb, err := hex.DecodeString(strings.ReplaceAll(ns, "-", ""))
	if err != nil || len(nsb) != 16 {
		panic("payouts: bad UUID namespace " + ns)
	}
	h := sha1.New()
	h.Write(nsb)
	h.Write([]byte(name))
	u := h.Sum(nil)[:16]
	u[6] = (u[6] & 0x0f) | 0x50 // version 5
	u[8] = (u[8] & 0x3f) | 0x80 // RFC 4122 variant
	x := hex.EncodeToString(u)
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}
