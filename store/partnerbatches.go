package store

import (
	bolt "go.etcd.io/bbolt"
)

// partnerBatchesIndexed marks in meta that every batch is in the
// partner → batch index (databases written before it existed are indexed
// once, when opened).
var partnerBatchesIndexed = []byte("partner_batches_indexed")

// indexPartnerBatchesTx fills the partner → batch index from the stored
// batches, once per database.
func indexPartnerBatchesTx(tx *bolt.Tx) error {
	meta := tx.Bucket(bMeta)
	if meta.Get(partnerBatchesIndexed) != nil {
		return nil
	}
	idx := tx.Bucket(bPartnerBatch)
	err := tx.Bucket(bBatches).ForEach(func(k, v []byte) error {
		var b PayoutBatch
		if err := getBytes(v, &b); err != nil {
			return err
		}
		for _, it := range b.Items {
			if err := idx.Put(key(it.PartnerID, b.ID), nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return meta.Put(partnerBatchesIndexed, []byte{1})
}
