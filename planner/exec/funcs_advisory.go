package exec

// Advisory locks (PostgreSQL 15's pg_advisory_* functions): locks on numbers
// the application chooses, held in the lock manager like table locks. The
// session-level forms hold until unlocked or the session ends; the
// transaction-level forms (_xact_) until the transaction ends, so the binder
// makes a statement that calls one run in a transaction (Func.NeedsTxn), whose
// end releases them. A key is an int8 or a pair of int4; the two forms never
// meet, as in PostgreSQL. Locks are per database. Waits honour lock_timeout,
// deadlock_timeout and the statement's cancellation.

import (
	"fmt"
	"time"

	"github.com/augurdb/augur/actors/lockmgr"
	"github.com/augurdb/augur/config"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
)

// Settings is implemented by sessions whose parameters a function may read
// (what SHOW shows): the advisory lock functions read lock_timeout and
// deadlock_timeout.
type Settings interface {
	Var(name string) (string, error)
}

// Warnings is implemented by sessions that can send the client a WARNING
// (SQLSTATE 01000) with the statement's result (planner.WarningEnv).
type Warnings interface {
	Warning(msg string)
}

// advisoryTag is the tag of the lock the arguments name.
func advisoryTag(c *Ctx, a []types.Datum) lockmgr.Tag {
	tag := lockmgr.Tag{Space: lockmgr.SpaceAdvisory, DB: c.Session.Database()}
	if len(a) == 1 {
		tag.Key = lockmgr.AdvisoryKey(a[0].(int64))
	} else {
		tag.Key = lockmgr.AdvisoryKey2(int32(a[0].(int64)), int32(a[1].(int64)))
	}
	return tag
}

// advisoryMode is PostgreSQL's: ExclusiveLock, or ShareLock for the _shared
// forms.
func advisoryMode(shared bool) (lockmgr.Mode, string) {
	if shared {
		return lockmgr.Share, "ShareLock"
	}
	return lockmgr.Exclusive, "ExclusiveLock"
}

// sessionLocks returns the lock manager and the session's lock owner.
func sessionLocks(c *Ctx) (*lockmgr.Manager, *lockmgr.Owner, error) {
	m, o := c.Session.Locks()
	if m == nil || o == nil {
		return nil, nil, pgerr.FeatureNotSupported("advisory locks are not available in this session")
	}
	return m, o, nil
}

// lockWaits reads the session's lock_timeout and deadlock_timeout (zero when
// the session does not expose its settings).
func lockWaits(s Session) (lockTimeout, deadlockTimeout time.Duration) {
	vars, ok := s.(Settings)
	if !ok {
		return 0, 0
	}
	if v, err := vars.Var("lock_timeout"); err == nil {
		lockTimeout, _ = config.ParseDuration(v)
	}
	if v, err := vars.Var("deadlock_timeout"); err == nil {
		deadlockTimeout, _ = config.ParseDuration(v)
	}
	return lockTimeout, deadlockTimeout
}

// advisoryLock is pg_[try_]advisory_[xact_]lock[_shared]: it waits for the
// lock (void), or with try reports whether it got it at once.
func advisoryLock(shared, session, try bool) func(*Ctx, []types.Datum) (types.Datum, error) {
	return func(c *Ctx, a []types.Datum) (types.Datum, error) {
		m, o, err := sessionLocks(c)
		if err != nil {
			return nil, err
		}
		mode, _ := advisoryMode(shared)
		r := lockmgr.Request{Tag: advisoryTag(c, a), Mode: mode, Session: session}
		if try {
			r.Wait = lockmgr.SkipLocked
		} else {
			r.Wait = lockmgr.Block
			r.LockTimeout, r.DeadlockTimeout = lockWaits(c.Session)
		}
		got, err := m.Acquire(c.Context, o, r)
		if err != nil {
			return nil, advisoryWaitError(c, err)
		}
		if try {
			return got, nil
		}
		return "", nil
	}
}

// advisoryWaitError is the client's error for a failed wait: the lock
// manager's (55P03 lock timeout, 40P01 deadlock), else the cancel.
func advisoryWaitError(c *Ctx, err error) error {
	if _, ok := err.(*pgerr.Error); ok {
		return err
	}
	if cerr := c.Context.Err(); cerr != nil {
		return Canceled(cerr)
	}
	return fmt.Errorf("exec: advisory lock: %w", err)
}

// advisoryUnlock is pg_advisory_unlock[_shared]: it gives back one
// session-level hold and reports whether there was one, warning as PostgreSQL
// does when there was not.
func advisoryUnlock(shared bool) func(*Ctx, []types.Datum) (types.Datum, error) {
	return func(c *Ctx, a []types.Datum) (types.Datum, error) {
		m, o, err := sessionLocks(c)
		if err != nil {
			return nil, err
		}
		mode, name := advisoryMode(shared)
		if m.Release(o, advisoryTag(c, a), mode, true) {
			return true, nil
		}
		if w, ok := c.Session.(Warnings); ok {
			w.Warning("you don't own a lock of type " + name)
		}
		return false, nil
	}
}

func init() {
	forms := []struct {
		name                 string
		shared, session, try bool
	}{
		{"pg_advisory_lock", false, true, false},
		{"pg_advisory_lock_shared", true, true, false},
		{"pg_try_advisory_lock", false, true, true},
		{"pg_try_advisory_lock_shared", true, true, true},
		{"pg_advisory_xact_lock", false, false, false},
		{"pg_advisory_xact_lock_shared", true, false, false},
		{"pg_try_advisory_xact_lock", false, false, true},
		{"pg_try_advisory_xact_lock_shared", true, false, true},
	}
	for _, f := range forms {
		result := types.Void
		if f.try {
			result = types.Bool
		}
		fn := advisoryLock(f.shared, f.session, f.try)
		for _, args := range [][]types.T{sig(types.Int8), sig(types.Int4, types.Int4)} {
			register(f.name, Builtin{Args: args, Result: result, Strict: true, Volatile: true, NeedsTxn: !f.session, Fn: fn})
		}
	}
	for _, shared := range []bool{false, true} {
		name := "pg_advisory_unlock"
		if shared {
			name += "_shared"
		}
		fn := advisoryUnlock(shared)
		for _, args := range [][]types.T{sig(types.Int8), sig(types.Int4, types.Int4)} {
			register(name, Builtin{Args: args, Result: types.Bool, Strict: true, Volatile: true, Fn: fn})
		}
	}
	register("pg_advisory_unlock_all", Builtin{Result: types.Void, Volatile: true, Fn: func(c *Ctx, _ []types.Datum) (types.Datum, error) {
		m, o, err := sessionLocks(c)
		if err != nil {
			return nil, err
		}
		m.ReleaseSession(o, lockmgr.SpaceAdvisory)
		return "", nil
	}})
}
