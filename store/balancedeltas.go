package store

import bolt "go.etcd.io/bbolt"

// adjustBalanceDeltasTx is adjustBalanceTx for a change made in a group
// commit: the partner's and the program's balances are rewritten at once,
// their status sums of the day go with the group's counter changes, so a
// group of conversions reads and rewrites each day record once, not once
// per commission (a change to a balance is a sum, so its order with other
// changes of the same record does not matter). The balances are decoded
// through the store's decodedCache.
func (s *Store) adjustBalanceDeltasTx(tx *bolt.Tx, deltas map[string]*Counters, slug string, partnerID uint64, day string, fn func(*Balance)) error {
	if err := adjustBalancesTx(tx, &s.decoded, slug, partnerID, fn); err != nil {
		return err
	}
	var d Counters
	fn(&d.Status)
	if d.Status.IsZero() {
		return nil
	}
	addDelta(deltas, partnerDayKey(partnerID, day), d)
	addDelta(deltas, programDayKey(slug, day), d)
	return nil
}
