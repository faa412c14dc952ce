package store

import (
	"context"
	"errors"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// errLeaveWriterState is the error inWriter's change fails with.
var errLeaveWriterState = errors.New("test: leave the writer's state as set, commit nothing")

// inWriter runs set on the group writer's goroutine, which alone may touch
// its state (writerState): set runs as a change that then fails, so the
// transaction is rolled back and nothing is committed, while what set
// changed in the writer's memory stays (a failed change does not reset the
// click counts waiting for a flush). Setting the state from the test's
// goroutine instead races with the writer, which reads it after every
// commit (groupWriter.loop: hooks.due), idle or not.
func inWriter(t *testing.T, st *Store, set func(ws *writerState)) {
	t.Helper()
	err := st.writer.do(context.Background(), func(*bolt.Tx, map[string]*Counters) error {
		set(st.wstate)
		return errLeaveWriterState
	})
	if !errors.Is(err, errLeaveWriterState) {
		t.Fatalf("set the writer's state: %v", err)
	}
}
