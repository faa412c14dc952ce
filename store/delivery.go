package store

import (
	"bytes"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// DeliveryAttempt is one try at delivering an outbox message: a row of the
// delivery log (`webhook deliveries`).
type DeliveryAttempt struct {
	Seq        uint64    `json:"seq"`
	Program    string    `json:"program"`
	MessageID  uint64    `json:"message_id"`
	Kind       string    `json:"kind"` // DeliverWebhook | DeliverEmail
	WebhookID  uint64    `json:"webhook_id,omitempty"`
	EventID    string    `json:"event_id"`
	EventType  string    `json:"event_type"`
	Attempt    int       `json:"attempt"`
	At         time.Time `json:"at"`
	StatusCode int       `json:"status_code,omitempty"`
	Error      string    `json:"error,omitempty"`
	OK         bool      `json:"ok"`
	// GaveUp marks the last attempt of a message that was never delivered
	// (retries ran out, or its endpoint was removed).
	GaveUp bool `json:"gave_up,omitempty"`
}

// DeliveryLogRetention is how long delivery log rows are kept.
const DeliveryLogRetention = 30 * 24 * time.Hour

// DueMessages returns up to limit undelivered outbox messages whose next
// attempt is due by now, the longest waiting first.
func (s *Store) DueMessages(now time.Time, limit int) ([]OutboxMessage, error) {
	var out []OutboxMessage
	end := key(now.UnixNano() + 1)
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		c := tx.Bucket(bOutboxDue).Cursor()
		for k, _ := c.First(); k != nil && string(k) < string(end) && len(out) < limit; k, _ = c.Next() {
			var m OutboxMessage
			if err = get(tx.Bucket(bOutbox), k[8:16], &m); err != nil {
				return fmt.Errorf("outbox message %d: %w", btou(k[8:16]), err)
			}
			out = append(out, m)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("due outbox messages: %w", err)
	}
	return out, nil
}

// NextDue returns when the earliest undelivered message is due (ok false
// when the outbox is empty).
func (s *Store) NextDue() (time.Time, bool, error) {
	var at time.Time
	ok := false
	err := s.db.View(func(tx *bolt.Tx) error {
		if k, _ := tx.Bucket(bOutboxDue).Cursor().First(); len(k) == 16 {
			at, ok = time.Unix(0, int64(btou(k[:8]))).UTC(), true
		}
		return nil
	})
	return at, ok, err
}

// PendingMessages counts undelivered outbox messages.
func (s *Store) PendingMessages() (int, error) {
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bOutboxDue).Stats().KeyN
		return nil
	})
	return n, err
}

// RecordAttempt records one delivery attempt of an outbox message in the
// delivery log. When the attempt delivered it (att.OK) or giveUp is set,
// the message leaves the outbox; otherwise its next attempt is at next.
// Attempts of a message that already left the outbox are ignored.
func (s *Store) RecordAttempt(msgID uint64, att DeliveryAttempt, next time.Time, giveUp bool) error {
	err := s.update(func(tx *bolt.Tx) error {
		var m OutboxMessage
		if err := get(tx.Bucket(bOutbox), u64(msgID), &m); err != nil {
			if err == ErrNotFound {
				return nil
			}
			return err
		}
		if err := tx.Bucket(bOutboxDue).Delete(dueKey(m.NextAt, m.ID)); err != nil {
			return err
		}
		m.Attempts++
		att.MessageID, att.Program, att.Kind, att.WebhookID = m.ID, m.Program, m.Kind, m.WebhookID
		att.EventID, att.EventType, att.Attempt = m.Event.ID, m.Event.Type, m.Attempts
		att.GaveUp = !att.OK && giveUp
		logB := tx.Bucket(bDeliveryLog)
		seq, err := logB.NextSequence()
		if err != nil {
			return err
		}
		att.Seq = seq
		if err := put(logB, key(m.Program, seq), &att); err != nil {
			return err
		}
		if att.OK || giveUp {
			return tx.Bucket(bOutbox).Delete(u64(m.ID))
		}
		m.NextAt = next.UTC()
		if err := put(tx.Bucket(bOutbox), u64(m.ID), &m); err != nil {
			return err
		}
		return tx.Bucket(bOutboxDue).Put(dueKey(m.NextAt, m.ID), nil)
	})
	if err != nil {
		return fmt.Errorf("record delivery of message %d: %w", msgID, err)
	}
	return nil
}

// ListDeliveries lists a program's webhook delivery attempts newest first
// (its admins): only the failed ones with failedOnly; at most limit rows
// (<= 0: 1000) with a sequence below before (0: from the newest).
func (s *Store) ListDeliveries(a Actor, slug string, failedOnly bool, before uint64, limit int) ([]DeliveryAttempt, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var out []DeliveryAttempt
	err := s.db.View(func(tx *bolt.Tx) error {
		if _, err := adminProgramTx(tx, a, slug); err != nil {
			return err
		}
		var err error
		scanPrefix(tx.Bucket(bDeliveryLog), key(slug), true, func(k, v []byte) bool {
			if before != 0 && btou(k[len(k)-8:]) >= before {
				return true
			}
			var d DeliveryAttempt
			if err = getBytes(v, &d); err != nil {
				return false
			}
			if d.Kind == DeliverWebhook && (!failedOnly || !d.OK) {
				out = append(out, d)
			}
			return len(out) < limit
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list deliveries of %s: %w", slug, err)
	}
	return out, nil
}

// PruneDeliveryLog drops delivery log rows older than the retention and
// returns how many it dropped.
func (s *Store) PruneDeliveryLog(now time.Time) (int, error) {
	cutoff := now.Add(-DeliveryLogRetention)
	n := 0
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bDeliveryLog)
		var old [][]byte
		err := b.ForEach(func(k, v []byte) error {
			var d DeliveryAttempt
			if err := getBytes(v, &d); err != nil {
				return err
			}
			if d.At.Before(cutoff) {
				old = append(old, append([]byte(nil), k...))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range old {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		n = len(old)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("prune delivery log: %w", err)
	}
	return n, nil
}

// checkOutboxTx checks that every undelivered outbox message is in the
// due index once, at its next attempt, and that the index holds nothing
// else (a message missing from it would never be delivered).
func checkOutboxTx(tx *bolt.Tx, bad func(string, ...any)) error {
	indexed := map[uint64]int{}
	err := tx.Bucket(bOutboxDue).ForEach(func(k, _ []byte) error {
		if len(k) != 16 {
			bad("outbox due index: malformed key %x", k)
			return nil
		}
		id := btou(k[8:])
		indexed[id]++
		var m OutboxMessage
		if err := get(tx.Bucket(bOutbox), k[8:], &m); err != nil {
			bad("outbox due index: message %d is not in the outbox", id)
			return nil
		}
		if !bytes.Equal(k, dueKey(m.NextAt, m.ID)) {
			bad("outbox message %d: indexed at %x, due at %s", id, k[:8], m.NextAt)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return tx.Bucket(bOutbox).ForEach(func(k, _ []byte) error {
		if n := indexed[btou(k)]; n != 1 {
			bad("outbox message %d is in the due index %d times", btou(k), n)
		}
		return nil
	})
}
