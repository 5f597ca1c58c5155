package exec

import (
	"github.com/jackc/pgerrcode"

	"github.com/augurdb/augur/actors/lockmgr"
	"github.com/augurdb/augur/storage/catalog"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
)

// RowLocker is the transaction's side of row locking (planner.Txn implements
// it). Writers lock each row they change, and each new unique key they
// insert, before they decide anything from it; a row that another
// transaction changed after the statement's snapshot is then re-read (READ
// COMMITTED) or refused with 40001 (REPEATABLE READ, SERIALIZABLE), as
// PostgreSQL does.
type RowLocker interface {
	// LockRow locks the row of tbl with primary key pk in mode.
	LockRow(c *Ctx, tbl *catalog.Table, pk []byte, mode lockmgr.Mode, wait lockmgr.Wait) (RowLock, error)
	// LockKey locks a unique key value (the key prefix of a unique index, or
	// a primary key that is about to be inserted) for an insert.
	LockKey(c *Ctx, tbl *catalog.Table, key []byte) error
	// SnapshotBound reports whether the transaction may act only on rows its
	// snapshot sees (REPEATABLE READ, SERIALIZABLE): a row committed after it
	// is a serialization failure, not something to work on.
	SnapshotBound() bool
}

// checkVisible refuses (40001) to act on the row pk that a transaction bound to
// its snapshot cannot see: INSERT … ON CONFLICT found it among the newest
// commits.
func checkVisible(c *Ctx, pk []byte) error {
	if c.Locker == nil || !c.Locker.SnapshotBound() {
		return nil
	}
	_, found, err := c.Txn.Get(pk)
	if err != nil || found {
		return err
	}
	return pgerr.New(pgerrcode.SerializationFailure, "could not serialize access due to concurrent update")
}

// RowLock is what LockRow found.
type RowLock struct {
	// Skipped: SKIP LOCKED passed over a row another transaction holds.
	Skipped bool
	// Changed: another transaction committed a newer version of the row after
	// the statement's snapshot (only READ COMMITTED sees this; the stricter
	// levels get 40001). Latest is that version's value, nil if it deleted
	// the row.
	Changed bool
	Latest  []byte
}

// lockedRow locks the table row old (the first columns of in, the rest being
// other relations' columns of an UPDATE … FROM) for a change. It returns the
// input row to work from — in itself, or in with the row's newest version
// when a concurrent transaction changed it and the row still satisfies
// recheck — and ok=false when the row is gone or no longer qualifies
// (PostgreSQL's EvalPlanQual).
func lockedRow(c *Ctx, t *catalog.Table, in []types.Datum, mode lockmgr.Mode, recheck []Expr) ([]types.Datum, bool, error) {
	if c.Locker == nil {
		return in, true, nil
	}
	width := len(t.Columns)
	rl, err := c.Locker.LockRow(c, t, t.PrimaryKey(nil, in[:width]), mode, lockmgr.Block)
	if err != nil || rl.Skipped {
		return nil, false, err
	}
	if !rl.Changed {
		return in, true, nil
	}
	if rl.Latest == nil {
		return nil, false, nil // deleted by the transaction we waited for
	}
	cur := make([]types.Datum, width, len(in))
	if err := t.DecodeRow(rl.Latest, cur); err != nil {
		return nil, false, err
	}
	cur = append(cur, in[width:]...)
	ec := c.With(cur)
	for _, e := range recheck {
		if ok, err := truth(ec, e); err != nil || !ok {
			return nil, false, err
		}
	}
	return cur, true, nil
}

// updateMode is the row lock an UPDATE takes: FOR NO KEY UPDATE, or FOR
// UPDATE when it assigns a column of the primary key or of a unique index.
func updateMode(t *catalog.Table, sets map[int]Expr) lockmgr.Mode {
	for i := range t.Indexes {
		ix := &t.Indexes[i]
		if i > 0 && !ix.Unique {
			continue
		}
		for _, n := range ix.Columns {
			if _, ok := sets[n-1]; ok {
				return lockmgr.ForUpdate
			}
		}
	}
	return lockmgr.ForNoKeyUpdate
}
