package exec

import (
	"github.com/augurdb/augur/actors/lockmgr"
	"github.com/augurdb/augur/storage/catalog"
	"github.com/augurdb/augur/storage/types"
)

// LockTarget is one table a row-locking clause locks: its rows sit at Offset
// in the query level's row.
type LockTarget struct {
	Table  *catalog.Table
	Offset int
}

// LockRows is SELECT … FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE: it
// locks the rows of its targets as rows pass (so LIMIT above it locks only the
// rows it returns). Its input rows are the query's output columns followed by
// the level's row from Level on (junk the projection above drops). A row that
// a concurrent transaction changed before the lock was granted is re-read:
// gone or no longer satisfying Recheck, it is skipped; otherwise the outputs
// are computed again from the new version (READ COMMITTED; the stricter
// levels get 40001 from the locker).
type LockRows struct {
	Input   Node
	Targets []LockTarget
	Mode    lockmgr.Mode
	Wait    lockmgr.Wait
	Level   int
	Recheck []Expr // over the level row
	Outputs []Expr // the columns before Level, over the level row
	Info    NodeInfo
}

// Explain implements Node.
func (l *LockRows) Explain() NodeInfo { return l.Info }

// Open implements Node.
func (l *LockRows) Open(c *Ctx) (Iter, error) {
	in, err := l.Input.Open(c)
	if err != nil {
		return nil, err
	}
	return &lockRowsIter{l: l, in: in, c: c}, nil
}

type lockRowsIter struct {
	l  *LockRows
	in Iter
	c  *Ctx
}

func (it *lockRowsIter) Next() ([]types.Datum, error) {
	l := it.l
next:
	for {
		row, err := it.in.Next()
		if row == nil || err != nil {
			return row, err
		}
		if it.c.Locker == nil {
			return row, nil
		}
		level := row[l.Level:]
		changed := false
		for _, t := range l.Targets {
			w := len(t.Table.Columns)
			rl, err := it.c.Locker.LockRow(it.c, t.Table, t.Table.PrimaryKey(nil, level[t.Offset:t.Offset+w]), l.Mode, l.Wait)
			if err != nil {
				return nil, err
			}
			if rl.Skipped {
				continue next
			}
			if !rl.Changed {
				continue
			}
			if rl.Latest == nil {
				continue next // deleted by the transaction the lock waited for
			}
			if !changed {
				level = append([]types.Datum(nil), level...)
				changed = true
			}
			if err := t.Table.DecodeRow(rl.Latest, level[t.Offset:t.Offset+w]); err != nil {
				return nil, err
			}
		}
		if !changed {
			return row, nil
		}
		ec := it.c.With(level)
		for _, e := range l.Recheck {
			if ok, err := truth(ec, e); err != nil || !ok {
				if err != nil {
					return nil, err
				}
				continue next
			}
		}
		out := make([]types.Datum, 0, len(row))
		for _, e := range l.Outputs {
			v, err := e.Eval(ec)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return append(out, level...), nil
	}
}

func (it *lockRowsIter) Close() { it.in.Close() }
