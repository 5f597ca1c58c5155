package store

import "fmt"

// Tracker observes a transaction's reads and writes of keys (serializable
// snapshot isolation records them). An error from it fails the read or write.
type Tracker interface {
	Read(key []byte) error
	ReadRange(start, end []byte) error
	Write(key []byte) error
}

// SetTracker makes tr observe every later Get, Scan, Put and Delete (nil: none).
func (t *Txn) SetTracker(tr Tracker) { t.tracker = tr }

// SetConflictCheck turns the commit-time write-write check on (the default) or
// off. READ COMMITTED turns it off: its writers take row locks and re-read rows
// changed by others before they write, so a newer version is no conflict.
func (t *Txn) SetConflictCheck(on bool) { t.noCheck = !on }

// Refresh moves the transaction's snapshot to the newest visible commit, keeping
// its writes (READ COMMITTED takes a snapshot per statement). While an iterator
// is open (a portal suspended in the middle of a scan) the snapshot stays: the
// iterator reads through it.
func (t *Txn) Refresh() error {
	if t.done {
		return ErrTxnDone
	}
	if len(t.iters) > 0 {
		return nil
	}
	snap := t.s.acquireSnapshot()
	if t.rtxn != nil {
		t.rtxn.Discard()
		t.rtxn = nil
	}
	t.s.releaseSnapshot(t.snapshot)
	t.snapshot = snap
	return nil
}

// AtLatest runs fn with the transaction reading at the newest visible commit
// instead of its snapshot (its own writes still win): a unique check after a
// lock wait, and READ COMMITTED's re-read of a row changed by a concurrent
// transaction, must see what that transaction committed. Reads inside fn are
// not reported to the tracker.
func (t *Txn) AtLatest(fn func() error) error {
	if t.done {
		return ErrTxnDone
	}
	oldT := t.tracker
	t.tracker = nil
	defer func() { t.tracker = oldT }()
	snap := t.s.acquireSnapshot()
	defer t.s.releaseSnapshot(snap)
	if snap == t.snapshot {
		return fn()
	}
	oldR, oldS := t.rtxn, t.snapshot
	t.rtxn, t.snapshot = nil, snap // reader opens one at snap if fn needs it
	defer func() {
		if t.rtxn != nil {
			t.rtxn.Discard()
		}
		t.rtxn, t.snapshot = oldR, oldS
	}()
	return fn()
}

// Written reports whether the transaction has written key.
func (t *Txn) Written(key []byte) bool {
	if _, ok := t.buf.Get(&Mutation{Key: key}); ok {
		return true
	}
	return t.spill != nil && t.spill.contains(key)
}

// ChangedSinceSnapshot reports whether key has a committed version newer than
// the transaction's snapshot (the index shards answer when they can).
func (t *Txn) ChangedSinceSnapshot(key []byte) (bool, error) {
	if ix := t.index(); ix != nil {
		if changed, known := ix.ChangedSince(key, t.snapshot); known {
			return changed, nil
		}
	}
	v, err := t.LatestVersion(key)
	return v > t.snapshot, err
}

// LatestVersion returns the commit timestamp of the newest visible committed
// version of key, a deletion included (0: none).
func (t *Txn) LatestVersion(key []byte) (uint64, error) {
	if t.done {
		return 0, ErrTxnDone
	}
	snap := t.s.Visible()
	if err := t.s.readable(key, snap); err != nil {
		return 0, err
	}
	rtxn := t.s.db.NewTransactionAt(snap, false)
	defer rtxn.Discard()
	ts, err := latestVersion(rtxn, key)
	if err != nil {
		return 0, fmt.Errorf("store: latest version: %w", err)
	}
	return ts, nil
}

// Savepoint marks the transaction's current writes; RollbackTo undoes every
// write made after it, Release forgets it (its writes stay). Savepoints nest:
// the marks are positions in an undo log that records, while any savepoint is
// set, the write-set entry each write replaced.
func (t *Txn) Savepoint() int {
	t.marks++
	return len(t.undo)
}

type undoEntry struct {
	key  []byte
	prev *Mutation // the write-set entry before, nil when the key was not written
}

// Release forgets a savepoint (the innermost still set).
func (t *Txn) Release() {
	if t.marks > 0 {
		t.marks--
	}
	if t.marks == 0 {
		t.undo = nil
	}
}

// RollbackTo undoes the writes made after the savepoint mark (which stays set).
func (t *Txn) RollbackTo(mark int) error {
	if t.done {
		return ErrTxnDone
	}
	if mark > len(t.undo) {
		return fmt.Errorf("store: rollback to unknown savepoint %d", mark)
	}
	for i := len(t.undo) - 1; i >= mark; i-- {
		u := t.undo[i]
		if err := t.restore(u); err != nil {
			return err
		}
	}
	t.undo = t.undo[:mark]
	return nil
}

// restore puts back one write-set entry.
func (t *Txn) restore(u undoEntry) error {
	cur, had := t.buf.Get(&Mutation{Key: u.key})
	if had {
		t.bufBytes -= int64(bufferedSize(*cur))
	}
	switch {
	case u.prev != nil:
		t.buf.Set(u.prev)
		t.bufBytes += int64(bufferedSize(*u.prev))
	case t.spill == nil:
		t.buf.Delete(&Mutation{Key: u.key})
	default:
		// The key may sit in a spilled run written after the savepoint: shadow
		// it with the committed value at the snapshot, which reads the same as
		// "not written".
		m := Mutation{Key: u.key, Delete: true}
		if err := t.s.readable(u.key, t.snapshot); err != nil {
			return fmt.Errorf("store: rollback to savepoint: %w", err)
		}
		v, found, err := getValue(t.reader(), u.key)
		if err != nil {
			return fmt.Errorf("store: rollback to savepoint: %w", err)
		}
		if found {
			m = Mutation{Key: u.key, Value: v}
		}
		t.buf.Set(&m)
		t.bufBytes += int64(bufferedSize(m))
	}
	return nil
}

// noteUndo records, while a savepoint is set, the entry a write replaces.
func (t *Txn) noteUndo(key []byte, old *Mutation, replaced bool) error {
	if t.marks == 0 {
		return nil
	}
	u := undoEntry{key: key}
	if replaced {
		u.prev = old
	} else if t.spill != nil {
		m, ok, err := t.spill.get(key)
		if err != nil {
			return err
		}
		if ok {
			u.prev = &m
		}
	}
	t.undo = append(t.undo, u)
	return nil
}
