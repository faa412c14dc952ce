package store

import (
	"bytes"
	"encoding/binary"

	bolt "go.etcd.io/bbolt"
)

// checkClicksTx verifies the stored clicks (either encoding): each
// decodes, names a program and a partner of that program, and no program
// has more stored clicks than its day counters count (a purge removes
// raw clicks, never counts). Names and partners are looked up once each.
func checkClicksTx(tx *bolt.Tx, bad func(string, ...any)) error {
	partnerProgram := map[uint64]string{}
	programOf := func(id uint64) (string, bool) {
		if p, ok := partnerProgram[id]; ok {
			return p, p != ""
		}
		var p Partner
		if err := get(tx.Bucket(bPartners), u64(id), &p); err != nil {
			partnerProgram[id] = ""
			return "", false
		}
		partnerProgram[id] = p.Program
		return p.Program, true
	}
	names := map[uint64]string{}
	nameOf := func(kind byte, id uint32) (string, bool) {
		nk := uint64(kind)<<32 | uint64(id)
		if n, ok := names[nk]; ok {
			return n, true
		}
		n, err := nameTx(tx, kind, id)
		if err != nil {
			return "", false
		}
		names[nk] = n
		return n, true
	}
	stored := map[string]int64{}
	seq := tx.Bucket(bClicks).Sequence()
	var prev uint64
	err := tx.Bucket(bClicks).ForEach(func(k, v []byte) error {
		id := btou(k)
		if id <= prev || id > seq {
			bad("click %d: id out of order (previous %d, sequence %d)", id, prev, seq)
		}
		prev = id
		var program string
		var partner uint64
		if len(v) == clickV1Len && v[0] == clickV1 {
			partner = binary.BigEndian.Uint64(v[10:])
			p, ok := nameOf(nameProgram, binary.BigEndian.Uint32(v[18:]))
			_, okc := nameOf(nameCode, binary.BigEndian.Uint32(v[22:]))
			_, oks := nameOf(nameSub, binary.BigEndian.Uint32(v[26:]))
			if !ok || !okc || !oks {
				bad("click %d names an unknown program, code or sub-id", id)
				return nil
			}
			program = p
		} else {
			c, err := decodeClickTx(tx, id, v)
			if err != nil {
				bad("click %d: %v", id, err)
				return nil
			}
			program, partner = c.Program, c.PartnerID
		}
		if pp, ok := programOf(partner); !ok || pp != program {
			bad("click %d: partner %d is not a partner of program %s", id, partner, program)
		}
		stored[program]++
		return nil
	})
	if err != nil {
		return err
	}
	counted := map[string]int64{}
	if err := tx.Bucket(bDaily).ForEach(func(k, v []byte) error {
		if k[0] != 'P' {
			return nil
		}
		slug, _, _ := bytes.Cut(k[1:], []byte{0})
		var c Counters
		if err := getBytes(v, &c); err != nil {
			return err
		}
		counted[string(slug)] += c.Clicks
		return nil
	}); err != nil {
		return err
	}
	for slug, n := range stored {
		if n > counted[slug] {
			bad("program %s: %d stored clicks but the daily counters count %d", slug, n, counted[slug])
		}
	}
	return nil
}
