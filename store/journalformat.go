package store

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"os"
	"time"
)

// The click journal's file format: its header, its records (one click
// each, with a CRC-32C), and reading a file back (journal.go writes it).

// encodeJournalClick appends a record (frame and payload) for c to b.
func encodeJournalClick(b []byte, c *Click, h []byte) []byte {
	start := len(b)
	b = append(b, make([]byte, journalFrameLen)...)
	b = binary.BigEndian.AppendUint64(b, c.ID)
	b = binary.BigEndian.AppendUint64(b, uint64(c.At.UnixNano()))
	b = binary.BigEndian.AppendUint64(b, c.PartnerID)
	var flags byte
	if c.PaidAds {
		flags |= flagPaidAds
	}
	b = append(b, flags, byte(min(c.RecentFromIP, 255)), byte(len(h)))
	b = append(b, h...)
	for _, s := range [...]string{c.Program, c.Code, c.Sub} {
		b = binary.BigEndian.AppendUint16(b, uint16(len(s)))
		b = append(b, s...)
	}
	payload := b[start+journalFrameLen:]
	binary.BigEndian.PutUint32(b[start:], uint32(len(payload)))
	binary.BigEndian.PutUint32(b[start+4:], crc32.Checksum(payload, crc32c))
	return b
}

// decodeJournalClick reads one record's payload.
func decodeJournalClick(p []byte) (*Click, []byte, error) {
	bad := errors.New("malformed click record")
	if len(p) < 8*3+3 {
		return nil, nil, bad
	}
	c := &Click{ID: binary.BigEndian.Uint64(p), PartnerID: binary.BigEndian.Uint64(p[16:])}
	c.At = timeFromUnixNano(int64(binary.BigEndian.Uint64(p[8:])))
	c.PaidAds = p[24]&flagPaidAds != 0
	c.RecentFromIP = int(p[25])
	hl := int(p[26])
	p = p[27:]
	if len(p) < hl {
		return nil, nil, bad
	}
	h := append([]byte(nil), p[:hl]...)
	p = p[hl:]
	var strs [3]string
	for i := range strs {
		if len(p) < 2 {
			return nil, nil, bad
		}
		n := int(binary.BigEndian.Uint16(p))
		p = p[2:]
		if len(p) < n {
			return nil, nil, bad
		}
		strs[i] = string(p[:n])
		p = p[n:]
	}
	if len(p) != 0 {
		return nil, nil, bad
	}
	c.Program, c.Code, c.Sub = strs[0], strs[1], strs[2]
	c.IPHash = hexHash(h)
	return c, h, nil
}

// journalFile is what readJournal found in a journal file.
type journalFile struct {
	base  uint64       // position of the first record
	recs  []journalRec // every whole record, in order
	valid int64        // file offset after the last whole record
	size  int64        // the file's size
	torn  bool         // bytes other than zeros follow the last record
}

// end is the position after the last whole record.
func (jf *journalFile) end() uint64 { return jf.base + uint64(jf.valid-journalHeaderLen) }

func journalHeader(base uint64) []byte {
	h := make([]byte, journalHeaderLen)
	copy(h, journalMagic)
	binary.BigEndian.PutUint64(h[8:], base)
	binary.BigEndian.PutUint32(h[16:], crc32.Checksum(h[:16], crc32c))
	return h
}

// readJournal reads a journal file: its header and every whole record up
// to the first torn, partial or empty one.
func readJournal(path string) (*journalFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseJournal(data)
}

func parseJournal(data []byte) (*journalFile, error) {
	if len(data) < journalHeaderLen || string(data[:8]) != journalMagic {
		return nil, errors.New("not a click journal (bad header)")
	}
	if crc32.Checksum(data[:16], crc32c) != binary.BigEndian.Uint32(data[16:]) {
		return nil, errors.New("click journal header is damaged")
	}
	jf := &journalFile{base: binary.BigEndian.Uint64(data[8:]), valid: journalHeaderLen, size: int64(len(data))}
	off := journalHeaderLen
	for off+journalFrameLen <= len(data) {
		n := int(binary.BigEndian.Uint32(data[off:]))
		if n == 0 || n > maxJournalPayload || off+journalFrameLen+n > len(data) {
			break
		}
		p := data[off+journalFrameLen : off+journalFrameLen+n]
		if crc32.Checksum(p, crc32c) != binary.BigEndian.Uint32(data[off+4:]) {
			break
		}
		c, h, err := decodeJournalClick(p)
		if err != nil {
			break
		}
		off += journalFrameLen + n
		jf.recs = append(jf.recs, journalRec{c: c, h: h, end: jf.base + uint64(off-journalHeaderLen)})
	}
	jf.valid = int64(off)
	for _, b := range data[off:] {
		if b != 0 {
			jf.torn = true
			break
		}
	}
	return jf, nil
}

func timeFromUnixNano(n int64) time.Time { return time.Unix(0, n).UTC() }

// hexHash is how a click shows its salted IP hash (its first bytes).
func hexHash(h []byte) string { return hex.EncodeToString(h[:min(len(h), clickHashLen)]) }
