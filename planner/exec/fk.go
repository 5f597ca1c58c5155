package exec

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/augurdb/augur/actors/lockmgr"
	"github.com/augurdb/augur/storage/catalog"
	"github.com/augurdb/augur/storage/keycodec"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
)

// Foreign keys are enforced as PostgreSQL's referential-integrity triggers are:
// every row a statement writes queues events (a new referencing key to check, a
// referenced key deleted or changed), and the events run after the statement's
// last write, in order, reading through the statement's transaction (so they see
// the whole statement's changes: a multi-row INSERT may reference a row it
// inserts later). A cascaded action (ON DELETE CASCADE, SET NULL, ...) writes the
// referencing table like a nested statement: its own events run when it ends,
// before the outer statement's remaining events, so cascades apply recursively.

// FKRef is one foreign key as the writers of its two tables enforce it.
type FKRef struct {
	FK     *catalog.ForeignKey
	Child  *catalog.Table // the referencing table
	Parent *catalog.Table // the referenced table
	// ParentIndex is the unique index on the referenced columns.
	ParentIndex *catalog.Index
	// ChildWriter writes the referencing table for the cascaded actions.
	ChildWriter *TableWriter
	// Defaults are the defaults of the referencing columns (FK order), for SET
	// DEFAULT.
	Defaults []Expr
}

type fkEventKind uint8

const (
	fkCheck        fkEventKind = iota // a referencing row with a new key
	fkParentDelete                    // a referenced row deleted
	fkParentUpdate                    // a referenced row's key changed
)

type fkEvent struct {
	kind     fkEventKind
	ref      *FKRef
	old, row []types.Datum
}

// fkQueue collects the events of one statement (or one cascaded action).
type fkQueue struct{ events []fkEvent }

func (c *Ctx) queueFK(e fkEvent) {
	if c.run == nil || c.run.fk == nil {
		return
	}
	// Of a deferred constraint, the checks wait for the commit: the key of a
	// referencing row, and a referenced key gone with NO ACTION. The actions
	// (CASCADE, SET NULL, SET DEFAULT) and RESTRICT happen at once.
	check := e.kind == fkCheck || e.kind == fkParentDelete && e.ref.FK.OnDelete == catalog.FKNoAction ||
		e.kind == fkParentUpdate && e.ref.FK.OnUpdate == catalog.FKNoAction
	if e.ref.FK.Deferred && check && c.Deferred != nil {
		c.Deferred.events = append(c.Deferred.events, e)
		return
	}
	c.run.fk.events = append(c.run.fk.events, e)
}

// DeferredFK holds a transaction's foreign-key events that wait for its commit
// (constraints declared DEFERRABLE INITIALLY DEFERRED).
type DeferredFK struct{ events []fkEvent }

// Len is the number of waiting events; Truncate drops those queued after the
// first n (ROLLBACK TO SAVEPOINT).
func (d *DeferredFK) Len() int { return len(d.events) }

// Truncate keeps the first n events.
func (d *DeferredFK) Truncate(n int) {
	if n < len(d.events) {
		d.events = d.events[:n]
	}
}

// Pending reports whether events wait for the commit.
func (d *DeferredFK) Pending() bool { return len(d.events) > 0 }

// Run runs the waiting events through c (the committing transaction); a
// violation is the commit's error.
func (d *DeferredFK) Run(c *Ctx) error {
	c.Deferred = nil
	events := d.events
	d.events = nil
	end := c.beginFK()
	c.run.fk.events = events
	return end(nil)
}

// beginFK starts collecting the foreign-key events of a statement; end runs them
// and restores the enclosing statement's queue.
func (c *Ctx) beginFK() (end func(err error) error) {
	if c.run == nil {
		return func(err error) error { return err }
	}
	outer := c.run.fk
	q := &fkQueue{}
	c.run.fk = q
	return func(err error) error {
		if err == nil {
			for i := 0; i < len(q.events) && err == nil; i++ {
				err = q.events[i].run(c)
			}
		}
		c.run.fk = outer
		return err
	}
}

// queueWrite queues the events of a row write: old nil for an INSERT, row nil
// for a DELETE.
func (w *TableWriter) queueWrite(c *Ctx, old, row []types.Datum) {
	if c.run == nil || c.run.fk == nil {
		return
	}
	if row != nil {
		for _, r := range w.Outgoing {
			if old == nil || !sameValues(r.Child, r.FK.Columns, old, row) {
				c.queueFK(fkEvent{kind: fkCheck, ref: r, row: row})
			}
		}
	}
	if old != nil {
		for _, r := range w.Incoming {
			switch {
			case row == nil:
				c.queueFK(fkEvent{kind: fkParentDelete, ref: r, old: old})
			case !sameValues(r.Parent, r.FK.RefColumns, old, row):
				c.queueFK(fkEvent{kind: fkParentUpdate, ref: r, old: old, row: row})
			}
		}
	}
}

// sameValues reports whether rows a and b hold the same values (NULL equal to
// NULL, values compared by their stored form) in the columns nums of t.
func sameValues(t *catalog.Table, nums []int, a, b []types.Datum) bool {
	for _, n := range nums {
		x, y := a[n-1], b[n-1]
		if x == nil || y == nil {
			if x != nil || y != nil {
				return false
			}
			continue
		}
		typ := t.Columns[n-1].Type
		if !bytes.Equal(types.EncodeBinary(typ, x), types.EncodeBinary(typ, y)) {
			return false
		}
	}
	return true
}

func (e *fkEvent) run(c *Ctx) error {
	if err := checkCancel(c); err != nil {
		return err
	}
	r := e.ref
	switch e.kind {
	case fkCheck:
		return r.checkChild(c, e.row)
	case fkParentDelete:
		return r.parentChanged(c, e.old, nil, r.FK.OnDelete)
	default:
		return r.parentChanged(c, e.old, e.row, r.FK.OnUpdate)
	}
}

func (r *FKRef) keyValues(t *catalog.Table, nums []int, row []types.Datum) []types.Datum {
	out := make([]types.Datum, len(nums))
	for i, n := range nums {
		out[i] = row[n-1]
	}
	return out
}

// keyText is "(a, b)=(1, 2)" of an error's detail.
func keyText(t *catalog.Table, nums []int, vals []types.Datum) string {
	var names, texts []string
	for i, n := range nums {
		col := t.ColumnByNum(n)
		names = append(names, col.Name)
		if vals[i] == nil {
			texts = append(texts, "null")
		} else {
			texts = append(texts, string(types.EncodeText(col.Type, vals[i])))
		}
	}
	return "(" + strings.Join(names, ", ") + ")=(" + strings.Join(texts, ", ") + ")"
}

// checkChild checks that a referencing row's key is present in the referenced
// table.
func (r *FKRef) checkChild(c *Ctx, row []types.Datum) error {
	vals := r.keyValues(r.Child, r.FK.Columns, row)
	nulls := 0
	for _, v := range vals {
		if v == nil {
			nulls++
		}
	}
	if nulls == len(vals) {
		return nil
	}
	if nulls > 0 {
		if !r.FK.MatchFull {
			return nil // MATCH SIMPLE: a key with a NULL is not checked
		}
		return pgerr.New(pgerrcode.ForeignKeyViolation, "insert or update on table %q violates foreign key constraint %q", r.Child.Name, r.FK.Name).
			WithDetail("MATCH FULL does not allow mixing of null and nonnull key values.")
	}
	// Check the row as it is now: it may be gone (deleted later in the
	// statement, or by a cascade; then there is nothing to check) or changed
	// again (then its new key was queued too).
	cur, found, err := c.Txn.Get(r.Child.PrimaryKey(nil, row))
	if err != nil || !found {
		return err
	}
	now := make([]types.Datum, len(r.Child.Columns))
	if err := r.Child.DecodeRow(cur, now); err != nil {
		return err
	}
	if !sameValues(r.Child, r.FK.Columns, row, now) {
		return nil
	}
	pvals := make([]types.Datum, len(vals))
	for i, v := range vals {
		pt := r.Parent.ColumnByNum(r.FK.RefColumns[i]).Type
		ct := r.Child.ColumnByNum(r.FK.Columns[i]).Type
		pv, err := types.Cast(v, ct, pt, -1)
		if err != nil {
			pvals = nil // not representable in the referenced type: absent
			break
		}
		pvals[i] = pv
	}
	found = false
	if pvals != nil {
		if found, err = r.parentHas(c, pvals); err != nil {
			return err
		}
	}
	if !found {
		return pgerr.New(pgerrcode.ForeignKeyViolation, "insert or update on table %q violates foreign key constraint %q", r.Child.Name, r.FK.Name).
			WithDetail("Key %s is not present in table %q.", keyText(r.Child, r.FK.Columns, vals), r.Parent.Name)
	}
	return nil
}

// parentHas reports whether the referenced table has a row whose referenced
// columns hold vals (FK order, of the referenced columns' types).
func (r *FKRef) parentHas(c *Ctx, vals []types.Datum) (bool, error) {
	p, ix := r.Parent, r.ParentIndex
	ordered := make([]types.Datum, len(ix.Columns))
	for i, n := range ix.Columns {
		for j, rn := range r.FK.RefColumns {
			if rn == n {
				ordered[i] = vals[j]
			}
		}
	}
	var pk []byte
	if ix.Primary {
		row := make([]types.Datum, len(p.Columns))
		for i, n := range ix.Columns {
			row[n-1] = ordered[i]
		}
		pk = p.PrimaryKey(nil, row)
		if _, found, err := c.Txn.Get(pk); err != nil || !found {
			return false, err
		}
	} else {
		prefix := p.IndexPrefixOf(nil, ix, ordered)
		it := c.Txn.Scan(prefix, keycodec.PrefixEnd(prefix))
		if it.Valid() {
			v, err := it.Value()
			if err != nil {
				it.Close()
				return false, err
			}
			pk = bytes.Clone(v)
		}
		err := it.Err()
		it.Close()
		if err != nil || pk == nil {
			return false, err
		}
	}
	return r.lockParent(c, pk, ordered)
}

// lockParent locks the referenced row pk FOR KEY SHARE, as PostgreSQL's RI
// check does, so that a concurrent DELETE or key change of it waits for this
// transaction (and this one for it). It reports whether the row still holds
// the key vals (index order) once locked.
func (r *FKRef) lockParent(c *Ctx, pk []byte, vals []types.Datum) (bool, error) {
	if c.Locker == nil {
		return true, nil
	}
	p, ix := r.Parent, r.ParentIndex
	rl, err := c.Locker.LockRow(c, p, pk, lockmgr.ForKeyShare, lockmgr.Block)
	if err != nil || !rl.Changed {
		return err == nil, err
	}
	if rl.Latest == nil {
		return false, nil // deleted by the transaction the lock waited for
	}
	row := make([]types.Datum, len(p.Columns))
	if err := p.DecodeRow(rl.Latest, row); err != nil {
		return false, err
	}
	for i, n := range ix.Columns {
		if types.Compare(p.ColumnByNum(n).Type, row[n-1], vals[i]) != 0 {
			return false, nil
		}
	}
	return true, nil
}

// children returns the rows of the referencing table whose key equals vals
// (FK order, of the referenced columns' types), through an index of the
// referencing table that starts with the key columns when there is one.
func (r *FKRef) children(c *Ctx, vals []types.Datum) ([][]types.Datum, error) {
	t := r.Child
	cvals := make([]types.Datum, len(vals))
	for i, v := range vals {
		pt := r.Parent.ColumnByNum(r.FK.RefColumns[i]).Type
		ct := t.ColumnByNum(r.FK.Columns[i]).Type
		cv, err := types.Cast(v, pt, ct, -1)
		if err != nil || cv == nil {
			return nil, nil // no referencing value can equal it
		}
		cvals[i] = cv
	}
	match := func(row []types.Datum) bool {
		for i, n := range r.FK.Columns {
			v := row[n-1]
			if v == nil || types.Compare(t.ColumnByNum(n).Type, v, cvals[i]) != 0 {
				return false
			}
		}
		return true
	}
	var out [][]types.Datum
	decode := func(v []byte) error {
		row := make([]types.Datum, len(t.Columns))
		if err := t.DecodeRow(v, row); err != nil {
			return err
		}
		if match(row) {
			out = append(out, row)
		}
		return nil
	}
	ix := t.IndexWithPrefix(r.FK.Columns)
	var prefix []byte
	if ix == nil { // no index fits: scan the whole table
		ix = t.Primary()
		prefix = catalog.IndexPrefix(t.ID, catalog.PrimaryIndexID)
	} else {
		prefix = t.IndexPrefixOf(nil, ix, cvals)
	}
	it := c.Txn.Scan(prefix, keycodec.PrefixEnd(prefix))
	defer it.Close()
	var pks [][]byte
	for ; it.Valid(); it.Next() {
		v, err := it.Value()
		if err != nil {
			return nil, err
		}
		if ix.Primary {
			if err := decode(v); err != nil {
				return nil, err
			}
		} else {
			pks = append(pks, bytes.Clone(v))
		}
	}
	if err := it.Err(); err != nil {
		return nil, err
	}
	for _, pk := range pks {
		v, found, err := c.Txn.Get(pk)
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, fmt.Errorf("exec: index entry of %s without its row", t.Name)
		}
		if err := decode(v); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// parentChanged applies the action of a referenced row deleted (row nil) or
// whose key changed.
func (r *FKRef) parentChanged(c *Ctx, old, row []types.Datum, action catalog.FKAction) error {
	vals := r.keyValues(r.Parent, r.FK.RefColumns, old)
	for _, v := range vals {
		if v == nil {
			return nil // no referencing row can hold a NULL key
		}
	}
	if action == catalog.FKNoAction {
		// NO ACTION is satisfied when the key exists again at the end of the
		// statement (another row took it).
		if has, err := r.parentHas(c, vals); err != nil || has {
			return err
		}
	}
	// The referencing rows are looked for at the newest commits: a row
	// inserted by a transaction that held this row's key lock until it
	// committed is not in the snapshot but must be found.
	var kids [][]types.Datum
	err := c.Txn.AtLatest(func() (err error) {
		kids, err = r.children(c, vals)
		return err
	})
	if err != nil || len(kids) == 0 {
		return err
	}
	switch action {
	case catalog.FKNoAction, catalog.FKRestrict:
		return pgerr.New(pgerrcode.ForeignKeyViolation, "update or delete on table %q violates foreign key constraint %q on table %q", r.Parent.Name, r.FK.Name, r.Child.Name).
			WithDetail("Key %s is still referenced from table %q.", keyText(r.Parent, r.FK.RefColumns, vals), r.Child.Name)
	}
	w := r.ChildWriter
	end := c.beginFK()
	err = func() error {
		for _, kid := range kids {
			if c.Locker != nil {
				// The referencing row was read at the newest commits; lock it
				// before changing it (its own concurrent change waits for us
				// or we for it).
				if _, err := c.Locker.LockRow(c, r.Child, r.Child.PrimaryKey(nil, kid), lockmgr.ForUpdate, lockmgr.Block); err != nil {
					return err
				}
			}
			if action == catalog.FKCascade && row == nil {
				if err := w.Delete(c, kid); err != nil {
					return err
				}
				continue
			}
			nrow := append([]types.Datum(nil), kid...)
			set := r.FK.Columns
			if action != catalog.FKCascade && row == nil && r.FK.SetColumns != nil {
				set = r.FK.SetColumns
			}
			for _, n := range set {
				i := indexOf(r.FK.Columns, n)
				col := r.Child.ColumnByNum(n)
				switch action {
				case catalog.FKCascade:
					pv := row[r.FK.RefColumns[i]-1]
					v, err := types.Cast(pv, r.Parent.ColumnByNum(r.FK.RefColumns[i]).Type, col.Type, -1)
					if err == nil { // an assignment: varchar(n) refuses what is too long
						v, err = types.ApplyTypmod(v, col.Type, col.Typmod, false)
					}
					if err != nil {
						return err
					}
					nrow[n-1] = v
				case catalog.FKSetNull:
					nrow[n-1] = nil
				case catalog.FKSetDefault:
					v, err := r.Defaults[i].Eval(c.With(nil))
					if err != nil {
						return err
					}
					nrow[n-1] = v
				}
			}
			if err := w.Update(c, kid, nrow); err != nil {
				return err
			}
		}
		return nil
	}()
	return end(err)
}

func indexOf(s []int, v int) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

// Validate checks one existing row of the referencing table (ALTER TABLE ... ADD
// FOREIGN KEY, VALIDATE CONSTRAINT).
func (r *FKRef) Validate(c *Ctx, row []types.Datum) error { return r.checkChild(c, row) }
