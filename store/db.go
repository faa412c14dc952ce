package store

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Bucket names. Records are JSON; ids are big-endian uint64; composite index
// keys join their parts with a 0 byte.
var (
	bMeta         = []byte("meta")
	bUsers        = []byte("users")
	bKeys         = []byte("keys")          // fingerprint → Key
	bUserKeys     = []byte("user_keys")     // userID|fingerprint → nil
	bPrograms     = []byte("programs")      // slug → Program
	bAPIKeys      = []byte("api_keys")      // sha256(key) → slug
	bPartners     = []byte("partners")      // id → Partner
	bProgPartners = []byte("prog_partners") // slug|0|id → nil
	bUserPartners = []byte("user_partners") // userID|slug → partnerID
	bLinks        = []byte("links")         // code → Link
	bPartnerLinks = []byte("partner_links") // partnerID|code → nil
	bClicks       = []byte("clicks")        // id → Click
	bUniq         = []byte("uniq")          // day|partnerID|iphash → nil
	bCustomers    = []byte("customers")     // slug|0|customerID → Customer
	bConversions  = []byte("conversions")   // id → Conversion
	bOrders       = []byte("orders")        // slug|0|orderID → conversionID
	bProgConv     = []byte("prog_conv")     // slug|0|id → nil
	bCommissions  = []byte("commissions")   // id → Commission
	bProgComm     = []byte("prog_comm")     // slug|0|id → nil
	bPartnerComm  = []byte("partner_comm")  // partnerID|id → nil
	bMaturing     = []byte("maturing")      // slug|0|holdUntil|id → partnerID (pending, unflagged)
	bRefunds      = []byte("refunds")       // slug|0|refundID → Refund
	bClawbacks    = []byte("clawbacks")     // id → Clawback
	bPartnerClaw  = []byte("partner_claw")  // partnerID|id → nil
	bBalances     = []byte("balances")      // partnerID → Balance
	bDaily        = []byte("daily")         // P|slug|0|YYYYMMDD, D|YYYYMMDD|partnerID, K|… (counters.go) → Counters
	bBatches      = []byte("batches")       // id → PayoutBatch
	bProgBatches  = []byte("prog_batches")  // slug|0|id → nil
	bCoupons      = []byte("coupons")       // slug|0|CODE → Coupon
	bInvites      = []byte("invites")       // sha256(token) → Invite
	bEvents       = []byte("events")        // provider event ids seen → time
	bSeq          = []byte("seq")           // named sequences
	bAliases      = []byte("aliases")       // slug|0|alias → conversionID
	bPartnerCust  = []byte("partner_cust")  // partnerID|customerID → nil
	bNames        = []byte("names")         // kind|name → uint32 id (names.go)
	bNameIDs      = []byte("name_ids")      // uint32 id → kind|name
	bAssets       = []byte("assets")        // slug|0|id → Asset (promotional materials)
	bAssetData    = []byte("asset_data")    // id → a file asset's bytes
	bPartnerBatch = []byte("partner_batch") // partnerID|batchID → nil (partnerbatches.go)
	bKeyClaims    = []byte("key_claims")    // sha256(token) → KeyClaim
	bTeamSeats    = []byte("team_seats")    // fingerprint|0|slug → TeamSeat
	bTeamInvites  = []byte("team_invites")  // sha256(token) → TeamInvite
)

var allBuckets = [][]byte{bMeta, bUsers, bKeys, bUserKeys, bPrograms, bAPIKeys, bPartners,
	bProgPartners, bUserPartners, bLinks, bPartnerLinks, bClicks, bUniq, bCustomers,
	bConversions, bOrders, bProgConv, bCommissions, bProgComm, bPartnerComm, bMaturing, bRefunds,
	bClawbacks, bPartnerClaw, bBalances, bDaily, bBatches, bProgBatches, bCoupons, bInvites,
	bEvents, bSeq, bAliases, bPartnerCust,
	bAssets, bAssetData, bPartnerBatch,
	bKeyClaims, bTeamSeats, bTeamInvites,
	bNames, bNameIDs,
	bPartnerRevenue, bFlaggedComm, bOwedPartners, bBatchHeads, bLinkTotals}

// Options tune Open.
type Options struct {
	// Now is the clock; nil means time.Now. Tests pass a fake.
	Now func() time.Time
	// LockTimeout is how long to wait for another process's lock.
	LockTimeout time.Duration
	// ClickRetentionDays is how long raw clicks are kept (0: forever). Open
	// refuses a value below a program's cookie lifetime, and programs
	// cannot take a cookie lifetime above it (retention.go).
	ClickRetentionDays int
	// NoSync skips fsync on commit: for offline bulk loads only (affogato
	// seed), where a crash means loading again. Close syncs the file.
	NoSync bool
	// Mail says email notifications are on (the server has --smtp-url):
	// only then are mails queued in the outbox.
	Mail bool
	// ResidentFileLimit is the process's file-backed resident memory (the
	// database's mapped pages, in bytes) above which the mapping is
	// unmapped again (resident.go); 0 means DefaultResidentFileLimit, below
	// zero never.
	ResidentFileLimit int64
	// ClickReadWait bounds how long a read waits for the clicks acknowledged
	// before it to be stored (seeClicks, journalstore.go); 0 means
	// DefaultClickReadWait. Tests that read what they just clicked set it
	// long: a commit can stall past the default on a loaded machine.
	ClickReadWait time.Duration
}

// Store is the ledger over one bbolt file.
type Store struct {
	db     *bolt.DB
	now    func() time.Time
	salt   []byte
	writer *groupWriter
	// gen counts committed changes of programs, partners and links; the
	// resolve cache drops entries from an older generation.
	gen      atomic.Uint64
	resolve  resolveCache
	ipRecent ipWindow
	changes  changeHub // per-program change signals for the screens
	// wstate is the group writer's own state (interned names, click
	// counts waiting for a flush); only its goroutine uses it.
	wstate *writerState
	// retentionDays is Options.ClickRetentionDays.
	retentionDays int
	// adminKeys are the --admin-key fingerprints (SetAdminKeys): never
	// attached to another user's account.
	adminKeys atomic.Pointer[map[string]bool]
	// batches caches decoded payout batches for the lists (batchcache.go).
	batches batchCache
	// journal holds clicks durable but not yet in bbolt (journal.go).
	journal *clickJournal
	// resident trims the database's mapped pages (resident.go).
	resident *residentTrimmer
	// screens shares the dashboards' reads among sessions (screencache.go).
	screens screenCache
	// top is the merchant Overview's top partners view (topview.go).
	top topView
	// decoded keeps records a conversion reads and writes decoded
	// (decodedcache.go).
	decoded decodedCache
	// linkRoll rolls the links' totals forward (linktotals.go).
	linkRoll *linkTotalsRoller
	// days signals the screens when a new day starts (daychange.go).
	days *dayWatcher
	// clickReadWait is Options.ClickReadWait (or DefaultClickReadWait).
	clickReadWait time.Duration
}

// DBFile is the database file name inside the data dir.
const DBFile = "affogato.db"

// Open opens (creating if needed) the ledger in dir/affogato.db.
func Open(dir string, opt Options) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir %s: %w", dir, err)
	}
	return OpenFile(filepath.Join(dir, DBFile), opt)
}

// OpenFile opens (creating if needed) the ledger in one bbolt file.
func OpenFile(path string, opt Options) (*Store, error) {
	if opt.LockTimeout == 0 {
		opt.LockTimeout = time.Second
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:         opt.LockTimeout,
		FreelistType:    bolt.FreelistMapType,
		NoFreelistSync:  true,
		InitialMmapSize: 256 << 20,
	})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, fmt.Errorf("open %s: the database is in use by another affogato process", path)
		}
		if why, ok := storageReason(err); ok {
			return nil, fmt.Errorf("open %s: %s (%w)", path, why, err)
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.NoSync = opt.NoSync
	s := &Store{db: db, now: opt.Now, wstate: &writerState{names: newNames(), clicks: newClickCounters()}, retentionDays: opt.ClickRetentionDays,
		clickReadWait: cmp.Or(opt.ClickReadWait, DefaultClickReadWait)}
	if s.now == nil {
		s.now = time.Now
	}
	if err := migrateDayFirstOnOpen(db); err != nil { // dayfirst_migrate.go
		db.Close()
		return nil, fmt.Errorf("init %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		if err := checkRetentionTx(tx, opt.ClickRetentionDays); err != nil {
			return err
		}
		if err := migrateReferredTx(tx); err != nil {
			return err
		}
		if err := buildPartnerRevenueTx(tx); err != nil {
			return err
		}
		if err := buildBatchHeadsTx(tx); err != nil {
			return err
		}
		if err := buildFlaggedIndexTx(tx); err != nil {
			return err
		}
		if err := buildOwedIndexTx(tx); err != nil {
			return err
		}
		if err := migrateMaturingTx(tx); err != nil { // maturing.go
			return err
		}
		if err := s.openJournalTx(tx, path+JournalSuffix); err != nil { // journalstore.go
			return err
		}
		if _, err := countClicksOnOpenTx(tx); err != nil {
			return fmt.Errorf("count the clicks stored after the last flush: %w", err)
		}
		s.ipRecent.init()
		if err := s.loadIPWindow(tx); err != nil {
			return err
		}
		if err := indexPartnerBatchesTx(tx); err != nil {
			return err
		}
		meta := tx.Bucket(bMeta)
		if salt := meta.Get([]byte("ip_salt")); salt != nil {
			s.salt = bytes.Clone(salt)
			return nil
		}
		s.salt = make([]byte, 32)
		if _, err := rand.Read(s.salt); err != nil {
			return fmt.Errorf("make ip salt: %w", err)
		}
		return meta.Put([]byte("ip_salt"), s.salt)
	})
	if err != nil {
		s.closeJournalFile()
		db.Close()
		return nil, fmt.Errorf("init %s: %w", path, err)
	}
	if err := setMail(db, opt.Mail); err != nil {
		s.closeJournalFile()
		db.Close()
		return nil, fmt.Errorf("init %s: %w", path, err)
	}
	if _, err := backfillLinkCounters(db, linkBackfillBatch); err != nil {
		db.Close()
		return nil, fmt.Errorf("init %s: %w", path, err)
	}
	rolled, err := rollLinkTotals(db, linkTotalsUpTo(s.now()), linkTotalsBatch) // linktotals.go
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("init %s: %w", path, err)
	}
	filled, err := fillPartnerBatchRows(db, partnerBatchRowsBatch) // partnerbatches.go
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("init %s: %w", path, err)
	}
	if rolled >= linkTotalsBatch || filled > 0 {
		// A backfill's buffers and decoded batches (10-15 MB on the
		// 10,000-partner seed) go back to the system at once, as the
		// day-first migration's do.
		debug.FreeOSMemory()
	}
	if err := db.View(func(tx *bolt.Tx) error { return s.top.build(tx, s.now()) }); err != nil {
		db.Close()
		return nil, fmt.Errorf("init %s: %w", path, err)
	}
	_ = dropResident(db) // the figure only: nothing depends on it
	s.resident = startResidentTrimmer(db, opt.ResidentFileLimit, residentCheckEvery)
	s.resolve.init()
	s.writer = newGroupWriter(db, s.wstate)
	s.writer.stage = s.top.stageTx
	s.writer.notify = func(c changeSet) {
		s.changes.signal(c)
		s.resident.poke() // after a commit, when a counter flush may have mapped much of the file in
	}
	s.startJournal()
	s.writer.start()
	s.linkRoll = s.startLinkTotalsRoller(linkTotalsRollEvery)
	s.days = s.startDayWatcher()
	return s, nil
}

// Close stops the click journal and the group writer (storing and
// counting what they hold) and closes the files.
func (s *Store) Close() error {
	s.stopJournal()
	s.writer.close()
	s.resident.close()
	s.linkRoll.close()
	s.days.close()
	if err := s.closeJournalFile(); err != nil {
		s.db.Close()
		return fmt.Errorf("close: %w", err)
	}
	if s.db.NoSync {
		if err := s.db.Sync(); err != nil {
			s.db.Close()
			return fmt.Errorf("close: sync: %w", err)
		}
	}
	return s.db.Close()
}

// update runs fn in a write transaction and then invalidates what the
// resolve cache holds (every write through update may change a program,
// partner or link).
func (s *Store) update(fn func(*bolt.Tx) error) error {
	err := s.db.Update(fn)
	s.gen.Add(1)
	if err == nil {
		s.changes.changed("") // which program is not known here: every screen reloads
	}
	return storageErr(err)
}

// Now is the store's clock.
func (s *Store) Now() time.Time { return s.now() }

// Backup writes a consistent snapshot of the whole database to w and
// returns the number of bytes written.
func (s *Store) Backup(w io.Writer) (int64, error) {
	s.seeAllClicks() // the snapshot holds every click acknowledged before
	var n int64
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("backup: %w", err)
	}
	return n, nil
}

// ---- encoding helpers ----

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

func btou(b []byte) uint64 {
	if len(b) < 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

// key joins parts into a composite key: strings are followed by a 0 byte,
// []byte parts are appended as they are.
func key(parts ...any) []byte {
	var k []byte
	for _, p := range parts {
		switch v := p.(type) {
		case string:
			k = append(k, v...)
			k = append(k, 0)
		case []byte:
			k = append(k, v...)
		case uint64:
			k = binary.BigEndian.AppendUint64(k, v)
		case int64:
			k = binary.BigEndian.AppendUint64(k, uint64(v))
		default:
			panic(fmt.Sprintf("store.key: unsupported part %T", p))
		}
	}
	return k
}

func put(b *bolt.Bucket, k []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %T: %w", v, err)
	}
	return b.Put(k, data)
}

// get decodes the record at k into v; ErrNotFound when missing.
func get(b *bolt.Bucket, k []byte, v any) error {
	data := b.Get(k)
	if data == nil {
		return ErrNotFound
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode %T: %w", v, err)
	}
	return nil
}

// nextID returns the next id of the bucket's sequence.
func nextID(tx *bolt.Tx, bucket []byte) (uint64, error) {
	return tx.Bucket(bucket).NextSequence()
}

// scanPrefix calls fn for each key with the prefix, in key order (reverse
// when rev), until fn returns false.
func scanPrefix(b *bolt.Bucket, prefix []byte, rev bool, fn func(k, v []byte) bool) {
	c := b.Cursor()
	if !rev {
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if !fn(k, v) {
				return
			}
		}
		return
	}
	end := append(bytes.Clone(prefix), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
	k, v := c.Seek(end)
	if k == nil {
		k, v = c.Last()
	}
	for ; k != nil; k, v = c.Prev() {
		if !bytes.HasPrefix(k, prefix) {
			if bytes.Compare(k, prefix) < 0 {
				return
			}
			continue
		}
		if !fn(k, v) {
			return
		}
	}
}

func dayKey(t time.Time) string { return t.UTC().Format("20060102") }

func getBytes(data []byte, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode %T: %w", v, err)
	}
	return nil
}
