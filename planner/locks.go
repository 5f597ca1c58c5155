package planner

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgerrcode"

	"github.com/augurdb/augur/actors/lockmgr"
	"github.com/augurdb/augur/config"
	"github.com/augurdb/augur/planner/exec"
	"github.com/augurdb/augur/storage/catalog"
	"github.com/augurdb/augur/storage/pgerr"
)

// lockSettings are the session's lock_timeout and deadlock_timeout, read at
// the start of each statement that runs in the transaction.
type lockSettings struct {
	lockTimeout, deadlockTimeout time.Duration
}

// readLockSettings reads lock_timeout and deadlock_timeout from env.
func readLockSettings(env Env) lockSettings {
	var ls lockSettings
	if v, err := env.Var("lock_timeout"); err == nil {
		ls.lockTimeout, _ = config.ParseDuration(v)
	}
	if v, err := env.Var("deadlock_timeout"); err == nil {
		ls.deadlockTimeout, _ = config.ParseDuration(v)
	}
	return ls
}

// lock takes mode on tag for the transaction (a transaction-level hold, given
// back when the transaction ends). It reports false when wait is SkipLocked and
// the lock is taken by another transaction.
func (t *Txn) lock(ctx context.Context, tag lockmgr.Tag, mode lockmgr.Mode, wait lockmgr.Wait) (bool, error) {
	if t.owner == nil {
		return true, nil // no session: nothing to wait for
	}
	ok, err := t.e.Locks.Acquire(ctx, t.owner, lockmgr.Request{
		Tag: tag, Mode: mode, Wait: wait,
		LockTimeout: t.locks.lockTimeout, DeadlockTimeout: t.locks.deadlockTimeout,
	})
	if ok && err == nil && t.logLocks {
		t.lockLog = append(t.lockLog, heldLock{tag, mode})
	}
	return ok, err
}

// heldLock is one lock the transaction took while a savepoint was set.
type heldLock struct {
	tag  lockmgr.Tag
	mode lockmgr.Mode
}

// releaseLocksSince gives back the locks taken after the first mark entries of
// the lock log (ROLLBACK TO SAVEPOINT), newest first; holds taken before stay.
func (t *Txn) releaseLocksSince(mark int) {
	for i := len(t.lockLog) - 1; i >= mark; i-- {
		l := t.lockLog[i]
		t.e.Locks.Release(t.owner, l.tag, l.mode, false)
		if l.tag.Space == lockmgr.SpaceRelation && l.mode == lockmgr.Exclusive {
			delete(t.wholeTable, l.tag.Rel) // row locks are needed again
		}
	}
	t.lockLog = t.lockLog[:mark]
}

// releaseLocks gives back the transaction's locks (its end).
func (t *Txn) releaseLocks() {
	if t.owner != nil {
		t.e.Locks.ReleaseXact(t.owner)
	}
}

// rowLockLimit is how many row locks a transaction takes in one table before
// it locks the table EXCLUSIVE instead (other writers and row lockers wait for
// it, plain readers do not) and takes no more row locks there: it bounds the
// lock table's memory for bulk writes (COPY, INSERT … SELECT), at the price of
// concurrency for those transactions.
const rowLockLimit = 10000

// needRowLock counts a row lock in tbl and reports whether it must be taken:
// false once the transaction holds the whole table.
func (t *Txn) needRowLock(c *exec.Ctx, tbl *catalog.Table) (bool, error) {
	if t.wholeTable[tbl.ID] {
		return false, nil
	}
	if t.rowLocks == nil {
		t.rowLocks = map[uint32]int{}
	}
	t.rowLocks[tbl.ID]++
	if t.rowLocks[tbl.ID] <= rowLockLimit || c.Session == nil {
		return true, nil
	}
	if _, err := t.lock(c.Context, relationTag(c.Session.Database(), tbl.ID), lockmgr.Exclusive, lockmgr.Block); err != nil {
		return false, err
	}
	if t.wholeTable == nil {
		t.wholeTable = map[uint32]bool{}
	}
	t.wholeTable[tbl.ID] = true
	return false, nil
}

// LockRow implements exec.RowLocker.
func (t *Txn) LockRow(c *exec.Ctx, tbl *catalog.Table, pk []byte, mode lockmgr.Mode, wait lockmgr.Wait) (exec.RowLock, error) {
	if t.KV.Written(pk) {
		// The transaction wrote the row: it holds the row's strongest lock
		// already and reads its own version.
		return exec.RowLock{}, nil
	}
	ok := true
	need, err := t.needRowLock(c, tbl)
	if err == nil && need {
		ok, err = t.lock(c.Context, lockmgr.Tag{Space: lockmgr.SpaceRow, Rel: tbl.ID, Key: string(pk)}, mode, wait)
	}
	if errors.Is(err, lockmgr.ErrWouldBlock) {
		return exec.RowLock{}, pgerr.New(pgerrcode.LockNotAvailable, "could not obtain lock on row in relation \"%s\"", tbl.Name)
	}
	if err != nil || !ok {
		return exec.RowLock{Skipped: !ok}, err
	}
	changed, err := t.KV.ChangedSinceSnapshot(pk)
	if err != nil || !changed {
		return exec.RowLock{}, err
	}
	if t.mode.Isolation != ReadCommitted {
		return exec.RowLock{}, pgerr.New(pgerrcode.SerializationFailure, "could not serialize access due to concurrent update")
	}
	rl := exec.RowLock{Changed: true}
	err = t.KV.AtLatest(func() error {
		v, found, err := t.KV.Get(pk)
		if found {
			rl.Latest = v
		}
		return err
	})
	return rl, err
}

// LockKey implements exec.RowLocker: an exclusive lock on a key value, which
// makes a concurrent insert of the same value wait for this transaction.
func (t *Txn) LockKey(c *exec.Ctx, tbl *catalog.Table, key []byte) error {
	if t.KV.Written(key) {
		return nil
	}
	need, err := t.needRowLock(c, tbl)
	if err != nil || !need {
		return err
	}
	_, err = t.lock(c.Context, lockmgr.Tag{Space: lockmgr.SpaceRow, Rel: tbl.ID, Key: string(key)}, lockmgr.ForUpdate, lockmgr.Block)
	return err
}

// SnapshotBound implements exec.RowLocker.
func (t *Txn) SnapshotBound() bool { return t.mode.Isolation != ReadCommitted }
