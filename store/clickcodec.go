package store

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Click records on disk. Records written before version 1 are JSON objects
// (their first byte is '{'); version 1 records are fixed width:
//
//	0      version (1)
//	1      flags (bit 0: paid-ad parameters; bit 1: the first click of its IP
//	       hash to its partner that day, counted as unique)
//	2-9    time, Unix nanoseconds, big-endian
//	10-17  partner id
//	18-21  program slug, interned (names.go)
//	22-25  link code, interned
//	26-29  campaign sub-id, interned (0: none)
//	30-37  salted IP hash, first 8 bytes
//	38     clicks from the same IP to the partner in the hour before (≤ 255)
//
// Both decode; new clicks are always written as version 1.
const (
	clickV1    = 1
	clickV1Len = 39
	// clickHashLen is how much of the salted IP hash a click keeps: enough
	// to tell one visitor's clicks from another's within a partner's hour.
	clickHashLen = 8
)

const (
	flagPaidAds = 1
	flagUnique  = 2
)

// encodeClickV1 writes c in the version 1 layout with the given name ids,
// IP hash and uniqueness.
func encodeClickV1(c *Click, prog, code, sub uint32, h []byte, unique bool) []byte {
	b := make([]byte, clickV1Len)
	b[0] = clickV1
	if c.PaidAds {
		b[1] |= flagPaidAds
	}
	if unique {
		b[1] |= flagUnique
	}
	binary.BigEndian.PutUint64(b[2:], uint64(c.At.UnixNano()))
	binary.BigEndian.PutUint64(b[10:], c.PartnerID)
	binary.BigEndian.PutUint32(b[18:], prog)
	binary.BigEndian.PutUint32(b[22:], code)
	binary.BigEndian.PutUint32(b[26:], sub)
	copy(b[30:38], h)
	b[38] = byte(min(c.RecentFromIP, 255))
	return b
}

// clickCore is what the IP window and the retention purge need from a
// stored click, without resolving its names.
type clickCore struct {
	partnerID uint64
	at        time.Time
	hash      []byte
}

// decodeClickCore reads the time, partner and IP hash of a stored click in
// either encoding.
func decodeClickCore(data []byte) (clickCore, error) {
	if len(data) > 0 && data[0] == '{' {
		var c Click
		if err := json.Unmarshal(data, &c); err != nil {
			return clickCore{}, fmt.Errorf("decode click: %w", err)
		}
		h, _ := hex.DecodeString(c.IPHash)
		return clickCore{partnerID: c.PartnerID, at: c.At, hash: h}, nil
	}
	if len(data) != clickV1Len || data[0] != clickV1 {
		return clickCore{}, fmt.Errorf("decode click: unknown record (version %d, %d bytes)", first(data), len(data))
	}
	return clickCore{
		partnerID: binary.BigEndian.Uint64(data[10:]),
		at:        time.Unix(0, int64(binary.BigEndian.Uint64(data[2:]))).UTC(),
		hash:      data[30:38],
	}, nil
}

// decodeClickTx decodes a stored click of either encoding; names are read
// back from tx.
func decodeClickTx(tx *bolt.Tx, id uint64, data []byte) (*Click, error) {
	if len(data) > 0 && data[0] == '{' {
		var c Click
		if err := json.Unmarshal(data, &c); err != nil {
			return nil, fmt.Errorf("decode click %d: %w", id, err)
		}
		return &c, nil
	}
	core, err := decodeClickCore(data)
	if err != nil {
		return nil, fmt.Errorf("click %d: %w", id, err)
	}
	c := &Click{ID: id, PartnerID: core.partnerID, At: core.at, IPHash: hex.EncodeToString(core.hash),
		PaidAds: data[1]&flagPaidAds != 0, RecentFromIP: int(data[38])}
	if c.Program, err = nameTx(tx, nameProgram, binary.BigEndian.Uint32(data[18:])); err != nil {
		return nil, fmt.Errorf("click %d: program: %w", id, err)
	}
	if c.Code, err = nameTx(tx, nameCode, binary.BigEndian.Uint32(data[22:])); err != nil {
		return nil, fmt.Errorf("click %d: code: %w", id, err)
	}
	if c.Sub, err = nameTx(tx, nameSub, binary.BigEndian.Uint32(data[26:])); err != nil {
		return nil, fmt.Errorf("click %d: sub: %w", id, err)
	}
	return c, nil
}

func first(b []byte) int {
	if len(b) == 0 {
		return -1
	}
	return int(b[0])
}
