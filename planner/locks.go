package planner

import (
	"context"
	"time"

	"github.com/augurdb/augur/actors/lockmgr"
	"github.com/augurdb/augur/config"
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
	return t.e.Locks.Acquire(ctx, t.owner, lockmgr.Request{
		Tag: tag, Mode: mode, Wait: wait,
		LockTimeout: t.locks.lockTimeout, DeadlockTimeout: t.locks.deadlockTimeout,
	})
}

// releaseLocks gives back the transaction's locks (its end).
func (t *Txn) releaseLocks() {
	if t.owner != nil {
		t.e.Locks.ReleaseXact(t.owner)
	}
}
