package payouts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/charmbracelet/log"

	"github.com/affogato-sh/affogato/payouts/outbound"
	"github.com/affogato-sh/affogato/store"
)

// Progress reports work on a batch: done of total items handled so far,
// the item just handled (as it was before) and what happened to it.
type Progress func(done, total int, item store.PayoutItem, msg string)

// ErrBusy means another session is sending or refreshing the same batch.
var ErrBusy = errors.New("batch is busy")

// Service sends payout batches through PayPal and Wise and records what
// happens through the store. It is safe for concurrent use; one batch is
// worked on by one call at a time.
type Service struct {
	st    *store.Store
	hc    *http.Client
	guard *outbound.Guard
	log   *log.Logger

	mu     sync.Mutex
	busy   map[uint64]bool
	paypal map[string]*PayPalClient // by credentials, to reuse access tokens
}

// NewService makes a Service whose every provider call goes through
// guard's client (no redirects, internal addresses refused at dial time).
// A nil guard refuses every internal address with a one-minute timeout per
// call; a nil logger discards logs.
func NewService(st *store.Store, guard *outbound.Guard, logger *log.Logger) *Service {
	if guard == nil {
		guard = outbound.New(outbound.Options{Timeout: defaultHTTPTimeout})
	}
	client := guard.Client()
	if logger == nil {
		logger = log.New(io.Discard)
	}
	return &Service{st: st, hc: client, guard: guard, log: logger, busy: map[uint64]bool{}, paypal: map[string]*PayPalClient{}}
}

// Guard is the outbound guard the service calls providers through (webhook
// URLs are checked against it too).
func (s *Service) Guard() *outbound.Guard { return s.guard }

// Export writes the batch's CSV files in format (FormatPayPalCSV or
// FormatWiseCSV) and records the batch as exported for manual payment.
// Batches being sent through an API cannot be exported: that could pay twice.
func (s *Service) Export(a store.Actor, batchID uint64, format string) ([]File, *store.PayoutBatch, error) {
	unlock, err := s.lock(batchID)
	if err != nil {
		return nil, nil, err
	}
	defer unlock()
	b, err := s.st.PayoutBatch(a, batchID)
	if err != nil {
		return nil, nil, fmt.Errorf("export batch %d: %w", batchID, err)
	}
	switch b.Status {
	case store.BatchCreated, store.BatchExported:
	case store.BatchSending, store.BatchSent:
		return nil, b, fmt.Errorf("export batch %d: it is being paid through the %s API; send or refresh it instead: %w",
			b.ID, providerNames(b), store.ErrConflict)
	default:
		return nil, b, fmt.Errorf("export batch %d: it is %s already: %w", b.ID, b.Status, store.ErrConflict)
	}
	files, err := Export(b, format)
	if err != nil {
		return nil, b, err
	}
	nb, err := s.st.SetBatchStatus(a, b.ID, store.BatchExported, b.RemoteID, "")
	if err != nil {
		return nil, b, fmt.Errorf("export batch %d: record export: %w", b.ID, err)
	}
	return files, nb, nil
}

// Send pays the batch's items through the provider of each item's payout
// method: PayPal items in one PayPal payout batch, Wise items as one funded
// Wise transfer each. It is resumable: after an error, a crash or a timeout,
// Send again continues where it stopped and never pays anyone twice (PayPal
// and Wise see the same idempotency keys). When something could not be done
// the batch is returned along with the error, which is also recorded on the
// batch. Items are marked paid or failed only as the provider reports.
func (s *Service) Send(ctx context.Context, a store.Actor, batchID uint64, progress Progress) (*store.PayoutBatch, error) {
	unlock, err := s.lock(batchID)
	if err != nil {
		return nil, err
	}
	defer unlock()
	b, prog, err := s.load(a, batchID, "send")
	if err != nil {
		return b, err
	}
	switch b.Status {
	case store.BatchCreated, store.BatchSending, store.BatchSent:
	case store.BatchExported:
		return b, fmt.Errorf("send batch %d: it was exported for payment by hand; mark it paid instead: %w", b.ID, store.ErrConflict)
	default:
		return b, fmt.Errorf("send batch %d: it is %s already: %w", b.ID, b.Status, store.ErrConflict)
	}
	run, err := s.newRun(a, b, prog, progress)
	if err != nil {
		return b, fmt.Errorf("send batch %d: %w", b.ID, err)
	}
	// Sending, with no message left from an earlier call: if the batch ends
	// paid in this call its status can no longer be set.
	if b.Status == store.BatchCreated || b.Error != "" {
		status := b.Status
		if status == store.BatchCreated {
			status = store.BatchSending
		}
		if b, err = s.st.SetBatchStatus(a, b.ID, status, b.RemoteID, ""); err != nil {
			return nil, fmt.Errorf("send batch %d: %w", batchID, err)
		}
		run.b = b
	}
	if pk := providerKey(b); b.Provider != pk {
		if b, err = s.st.SetBatchProvider(a, b.ID, pk); err != nil {
			return nil, fmt.Errorf("send batch %d: %w", batchID, err)
		}
		run.b = b
	}
	s.log.Info("sending payout batch", "batch", b.ID, "program", b.Program, "items", len(b.Items))
	var sendErr error
	if run.pp != nil {
		sendErr = run.sendPayPal(ctx)
	}
	if run.wise != nil && sendErr == nil {
		sendErr = run.sendWise(ctx)
	}
	return s.finish(run, "send", sendErr)
}

// Refresh asks PayPal and Wise how the batch's items in flight are doing and
// records each item paid or failed as the provider reports (a failed item's
// commissions go back to approved). It sends nothing.
func (s *Service) Refresh(ctx context.Context, a store.Actor, batchID uint64, progress Progress) (*store.PayoutBatch, error) {
	unlock, err := s.lock(batchID)
	if err != nil {
		return nil, err
	}
	defer unlock()
	b, prog, err := s.load(a, batchID, "refresh")
	if err != nil {
		return b, err
	}
	if b.Status != store.BatchSending && b.Status != store.BatchSent {
		return b, nil // nothing in flight through an API
	}
	run, err := s.newRun(a, b, prog, progress)
	if err != nil {
		return b, fmt.Errorf("refresh batch %d: %w", b.ID, err)
	}
	if b.Error != "" { // see Send
		if run.b, err = s.st.SetBatchStatus(a, b.ID, b.Status, b.RemoteID, ""); err != nil {
			return b, fmt.Errorf("refresh batch %d: %w", b.ID, err)
		}
	}
	var refreshErr error
	if run.pp != nil {
		refreshErr = run.refreshPayPal(ctx, nil)
	}
	if run.wise != nil && refreshErr == nil {
		refreshErr = run.refreshWise(ctx)
	}
	return s.finish(run, "refresh", refreshErr)
}

// ReconcilePayPal records the PayPal payout batch id of a batch whose send
// answer was lost (PayPal then reports the batch as a duplicate without
// linking to it): the merchant finds the payout in PayPal and gives its id.
// The id is checked against our sender_batch_id before it is recorded, and
// the batch's statuses are then refreshed.
func (s *Service) ReconcilePayPal(ctx context.Context, a store.Actor, batchID uint64, payoutBatchID string, progress Progress) (*store.PayoutBatch, error) {
	unlock, err := s.lock(batchID)
	if err != nil {
		return nil, err
	}
	defer unlock()
	b, prog, err := s.load(a, batchID, "reconcile")
	if err != nil {
		return b, err
	}
	if b.Status != store.BatchSending && b.Status != store.BatchSent {
		return b, fmt.Errorf("reconcile batch %d: it is %s, not sent through PayPal: %w", b.ID, b.Status, store.ErrConflict)
	}
	if b.RemoteID != "" && b.RemoteID != payoutBatchID {
		return b, fmt.Errorf("reconcile batch %d: it is PayPal payout %s already: %w", b.ID, b.RemoteID, store.ErrConflict)
	}
	run, err := s.newRun(a, b, prog, progress)
	if err != nil {
		return b, fmt.Errorf("reconcile batch %d: %w", b.ID, err)
	}
	if run.pp == nil {
		return b, fmt.Errorf("reconcile batch %d: it has no PayPal item: %w", b.ID, store.ErrConflict)
	}
	pb, err := run.pp.ShowPayout(ctx, payoutBatchID)
	if err != nil {
		return b, fmt.Errorf("reconcile batch %d: %w", b.ID, err)
	}
	if got, want := pb.BatchHeader.SenderBatchHeader.SenderBatchID, SenderBatchID(b); got != want {
		return b, fmt.Errorf("reconcile batch %d: PayPal payout %s is batch %q, not %q: %w",
			b.ID, payoutBatchID, got, want, store.ErrInvalid)
	}
	if run.b, err = s.st.SetBatchStatus(a, b.ID, b.Status, payoutBatchID, ""); err != nil {
		return b, fmt.Errorf("reconcile batch %d: %w", b.ID, err)
	}
	return s.finish(run, "reconcile", run.refreshPayPal(ctx, pb))
}

// load reads the batch and its program (the actor must administer it).
func (s *Service) load(a store.Actor, batchID uint64, verb string) (*store.PayoutBatch, *store.Program, error) {
	b, err := s.st.PayoutBatch(a, batchID)
	if err != nil {
		return nil, nil, fmt.Errorf("%s batch %d: %w", verb, batchID, err)
	}
	prog, err := s.st.AdminProgram(a, b.Program)
	if err != nil {
		return b, nil, fmt.Errorf("%s batch %d: %w", verb, batchID, err)
	}
	return b, prog, nil
}

// lock claims a batch for one call; it never waits.
func (s *Service) lock(batchID uint64) (func(), error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.busy[batchID] {
		return nil, fmt.Errorf("batch %d: another session is working on it: %w", batchID, ErrBusy)
	}
	s.busy[batchID] = true
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.busy, batchID)
	}, nil
}

// payPalClient returns the client for a program's credentials, shared
// between calls so its access token is reused.
func (s *Service) payPalClient(sec store.ProgramSecrets) (*PayPalClient, error) {
	sum := sha256.Sum256([]byte(sec.PayPalBaseURL + "\x00" + sec.PayPalClientID + "\x00" + sec.PayPalSecret))
	key := hex.EncodeToString(sum[:])
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.paypal[key]; ok {
		return c, nil
	}
	c, err := NewPayPalClient(sec.PayPalBaseURL, sec.PayPalClientID, sec.PayPalSecret, s.hc)
	if err != nil {
		return nil, err
	}
	s.paypal[key] = c
	return c, nil
}

// finish re-reads the batch, records the outcome of the call on it and
// returns it with opErr (nil when all went well).
func (s *Service) finish(r *run, verb string, opErr error) (*store.PayoutBatch, error) {
	b, err := s.st.PayoutBatch(r.a, r.b.ID)
	if err != nil {
		if opErr != nil {
			return r.b, fmt.Errorf("%s batch %d: %w", verb, r.b.ID, opErr)
		}
		return r.b, fmt.Errorf("%s batch %d: %w", verb, r.b.ID, err)
	}
	if opErr == nil && len(r.problems) > 0 {
		opErr = errors.New(strings.Join(r.problems, "; "))
	}
	var msgs []string
	if opErr != nil {
		msgs = append(msgs, opErr.Error())
	}
	msgs = append(msgs, r.notices...)
	msg := strings.Join(msgs, "; ")
	status := b.Status
	if status == store.BatchSending || status == store.BatchSent {
		status = store.BatchSent
		for _, it := range b.Items {
			if it.Status == store.ItemPending {
				status = store.BatchSending // something still to send
			}
		}
		if status != b.Status || msg != b.Error {
			nb, err := s.st.SetBatchStatus(r.a, b.ID, status, b.RemoteID, msg)
			if err != nil {
				s.log.Error("recording payout batch status failed", "batch", b.ID, "err", err)
			} else {
				b = nb
			}
		}
	}
	if opErr != nil {
		s.log.Warn("payout batch "+verb+" incomplete", "batch", b.ID, "status", b.Status, "err", opErr)
		return b, fmt.Errorf("%s batch %d: %w", verb, b.ID, opErr)
	}
	s.log.Info("payout batch "+verb+" done", "batch", b.ID, "status", b.Status)
	return b, nil
}

// providerKey is the batch's provider as recorded on it: "paypal", "wise",
// or "paypal+wise" for a batch with items of both methods.
func providerKey(b *store.PayoutBatch) string {
	switch providerNames(b) {
	case "PayPal and Wise":
		return MethodPayPal + "+" + MethodWise
	case "Wise":
		return MethodWise
	default:
		return MethodPayPal
	}
}

// providerNames names the APIs a batch's items go through.
func providerNames(b *store.PayoutBatch) string {
	var pp, wise bool
	for _, it := range b.Items {
		pp = pp || it.Method == MethodPayPal
		wise = wise || it.Method == MethodWise
	}
	switch {
	case pp && wise:
		return "PayPal and Wise"
	case wise:
		return "Wise"
	default:
		return "PayPal"
	}
}
