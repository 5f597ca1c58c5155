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

// CheckExpr is a bound CHECK constraint over a table row.
type CheckExpr struct {
	Name string
	Expr Expr
}

// TableWriter writes rows of one table and its indexes through the statement's
// transaction, enforcing NOT NULL, CHECK and unique constraints, and queueing
// the foreign-key events of each write (fk.go).
type TableWriter struct {
	Table  *catalog.Table
	Checks []CheckExpr
	// Outgoing are the table's foreign keys; Incoming the foreign keys that
	// reference it.
	Outgoing, Incoming []*FKRef
}

func (w *TableWriter) failingRow(row []types.Datum) string {
	var parts []string
	for _, col := range w.Table.Visible() {
		v := row[col.Num-1]
		if v == nil {
			parts = append(parts, "null")
			continue
		}
		parts = append(parts, string(types.EncodeText(col.Type, v)))
	}
	return "Failing row contains (" + strings.Join(parts, ", ") + ")."
}

// check enforces NOT NULL and CHECK on a new row version.
func (w *TableWriter) check(c *Ctx, row []types.Datum) error {
	t := w.Table
	for i := range t.Columns {
		col := &t.Columns[i]
		if col.NotNull && !col.Dropped && row[i] == nil {
			return pgerr.New(pgerrcode.NotNullViolation, "null value in column %q of relation %q violates not-null constraint", col.Name, t.Name).
				WithDetail("%s", w.failingRow(row))
		}
	}
	ec := c.With(row)
	for _, ch := range w.Checks {
		v, err := ch.Expr.Eval(ec)
		if err != nil {
			return err
		}
		if v == false {
			return pgerr.New(pgerrcode.CheckViolation, "new row for relation %q violates check constraint %q", t.Name, ch.Name).
				WithDetail("%s", w.failingRow(row))
		}
	}
	return nil
}

func (w *TableWriter) keyText(ix *catalog.Index, row []types.Datum) (string, string) {
	var names, vals []string
	for _, n := range ix.Columns {
		col := w.Table.ColumnByNum(n)
		names = append(names, col.Name)
		if row[n-1] == nil {
			vals = append(vals, "null")
		} else {
			vals = append(vals, string(types.EncodeText(col.Type, row[n-1])))
		}
	}
	return strings.Join(names, ", "), strings.Join(vals, ", ")
}

func (w *TableWriter) duplicate(ix *catalog.Index, row []types.Datum) error {
	names, vals := w.keyText(ix, row)
	return pgerr.New(pgerrcode.UniqueViolation, "duplicate key value violates unique constraint %q", ix.Name).
		WithDetail("Key (%s)=(%s) already exists.", names, vals)
}

// conflict returns the unique index whose key row already has (another row
// than self, the primary key of the row being replaced), or nil. With row
// locking it first locks each unique key of row and then looks at the newest
// commits, not the snapshot: a concurrent transaction that inserted the same
// key has committed or rolled back by the time the lock is granted, and only
// the newest state tells which.
func (w *TableWriter) conflict(c *Ctx, row []types.Datum, self []byte) (ix *catalog.Index, other []byte, err error) {
	if c.Locker == nil {
		return w.conflictAt(c, row, self)
	}
	t := w.Table
	if pk := t.PrimaryKey(nil, row); !bytes.Equal(pk, self) && t.HasPrimaryKey() {
		if err := c.Locker.LockKey(c, t, pk); err != nil {
			return nil, nil, err
		}
	}
	for i := 1; i < len(t.Indexes); i++ {
		if vals, ok := uniqueValues(&t.Indexes[i], row); ok {
			if err := c.Locker.LockKey(c, t, t.IndexPrefixOf(nil, &t.Indexes[i], vals)); err != nil {
				return nil, nil, err
			}
		}
	}
	err = c.Txn.AtLatest(func() error {
		ix, other, err = w.conflictAt(c, row, self)
		return err
	})
	return ix, other, err
}

// uniqueValues returns the key values of a unique index in row; ok is false
// for a non-unique index or when a value is NULL (NULLs never conflict).
func uniqueValues(ix *catalog.Index, row []types.Datum) ([]types.Datum, bool) {
	if !ix.Unique {
		return nil, false
	}
	vals := make([]types.Datum, len(ix.Columns))
	for j, n := range ix.Columns {
		if vals[j] = row[n-1]; vals[j] == nil {
			return nil, false
		}
	}
	return vals, true
}

// conflictAt is conflict at the transaction's current read point.
func (w *TableWriter) conflictAt(c *Ctx, row []types.Datum, self []byte) (*catalog.Index, []byte, error) {
	t := w.Table
	pk := t.PrimaryKey(nil, row)
	if !bytes.Equal(pk, self) {
		_, found, err := c.Txn.Get(pk)
		if err != nil {
			return nil, nil, err
		}
		if found {
			return t.Primary(), pk, nil
		}
	}
	for i := 1; i < len(t.Indexes); i++ {
		ix := &t.Indexes[i]
		vals, ok := uniqueValues(ix, row)
		if !ok {
			continue
		}
		prefix := t.IndexPrefixOf(nil, ix, vals)
		it := c.Txn.Scan(prefix, keycodec.PrefixEnd(prefix))
		var other []byte
		for ; it.Valid(); it.Next() {
			k, err := it.Value()
			if err != nil {
				it.Close()
				return nil, nil, err
			}
			if !bytes.Equal(k, self) && !bytes.Equal(k, pk) || self == nil {
				other = append([]byte(nil), k...)
				break
			}
		}
		err := it.Err()
		it.Close()
		if err != nil {
			return nil, nil, err
		}
		if other != nil {
			return ix, other, nil
		}
	}
	return nil, nil, nil
}

// Insert writes a new row (after filling the hidden row id). It returns the
// conflicting index and key when a unique constraint would be violated and
// onConflict is set; otherwise such a conflict is an error.
func (w *TableWriter) Insert(c *Ctx, row []types.Datum, onConflict bool) (*catalog.Index, []byte, error) {
	t := w.Table
	if !t.HasPrimaryKey() {
		id, err := c.RowID()
		if err != nil {
			return nil, nil, err
		}
		row[t.Primary().Columns[0]-1] = id
	}
	if err := w.check(c, row); err != nil {
		return nil, nil, err
	}
	ix, other, err := w.conflict(c, row, nil)
	if err != nil {
		return nil, nil, err
	}
	if ix != nil {
		if onConflict {
			return ix, other, nil
		}
		return nil, nil, w.duplicate(ix, row)
	}
	if err := w.put(c, row); err != nil {
		return nil, nil, err
	}
	w.queueWrite(c, nil, row)
	return nil, nil, nil
}

func (w *TableWriter) put(c *Ctx, row []types.Datum) error {
	t := w.Table
	if err := c.Txn.Put(t.PrimaryKey(nil, row), t.EncodeRow(nil, row)); err != nil {
		return fmt.Errorf("exec: insert into %s: %w", t.Name, err)
	}
	pk := t.PrimaryKey(nil, row)
	for i := 1; i < len(t.Indexes); i++ {
		if err := c.Txn.Put(t.IndexKey(nil, &t.Indexes[i], row), pk); err != nil {
			return fmt.Errorf("exec: insert into index %s: %w", t.Indexes[i].Name, err)
		}
	}
	return nil
}

// Delete removes a row and its index entries.
func (w *TableWriter) Delete(c *Ctx, row []types.Datum) error {
	if err := w.remove(c, row); err != nil {
		return err
	}
	w.queueWrite(c, row, nil)
	return nil
}

func (w *TableWriter) remove(c *Ctx, row []types.Datum) error {
	t := w.Table
	if err := c.Txn.Delete(t.PrimaryKey(nil, row)); err != nil {
		return fmt.Errorf("exec: delete from %s: %w", t.Name, err)
	}
	for i := 1; i < len(t.Indexes); i++ {
		if err := c.Txn.Delete(t.IndexKey(nil, &t.Indexes[i], row)); err != nil {
			return fmt.Errorf("exec: delete from index %s: %w", t.Indexes[i].Name, err)
		}
	}
	return nil
}

// Update replaces old by row.
func (w *TableWriter) Update(c *Ctx, old, row []types.Datum) error {
	if err := w.check(c, row); err != nil {
		return err
	}
	self := w.Table.PrimaryKey(nil, old)
	ix, _, err := w.conflict(c, row, self)
	if err != nil {
		return err
	}
	if ix != nil {
		return w.duplicate(ix, row)
	}
	if err := w.remove(c, old); err != nil {
		return err
	}
	if err := w.put(c, row); err != nil {
		return err
	}
	w.queueWrite(c, old, row)
	return nil
}

// OnConflict is INSERT's ON CONFLICT clause.
type OnConflict struct {
	// Index is the arbiter (nil: any unique index).
	Index     *catalog.Index
	DoNothing bool
	// Sets are evaluated over the existing row followed by the excluded row.
	Sets  map[int]Expr // attribute number - 1 → value
	Where Expr
}

// DMLKind is INSERT, UPDATE or DELETE.
type DMLKind uint8

// DML kinds.
const (
	DMLInsert DMLKind = iota
	DMLUpdate
	DMLDelete
)

// Modify runs an INSERT, UPDATE or DELETE: Input gives new rows (INSERT: full
// table rows) or the rows to change (UPDATE, DELETE: table rows, possibly
// followed by other columns of a FROM/USING list). The whole input is read
// before the first write, so a statement never sees its own changes.
type Modify struct {
	Kind   DMLKind
	Writer *TableWriter
	Input  Node
	// Sets are UPDATE's new values (attribute number - 1 → expression over the input row).
	Sets map[int]Expr
	// Recheck are the conditions a row must still satisfy when a concurrent
	// transaction changed it before this statement could lock it (READ
	// COMMITTED); over the input row.
	Recheck    []Expr
	OnConflict *OnConflict
	Returning  []Expr // over the new row (the old row for DELETE); nil: no rows
	Info       NodeInfo
}

// Explain implements Node.
func (m *Modify) Explain() NodeInfo { return m.Info }

// Counted is implemented by iterators of statements whose tag counts rows they
// changed rather than rows they returned.
type Counted interface{ Count() int64 }

type modifyIter struct {
	sliceIter
	n int64
}

func (m *modifyIter) Count() int64 { return m.n }

// Open implements Node: it performs the whole change and returns the RETURNING rows.
func (m *Modify) Open(c *Ctx) (Iter, error) {
	input, err := drain(c, m.Input)
	if err != nil {
		return nil, err
	}
	end := c.beginFK()
	out, err := m.modify(c, input)
	if err = end(err); err != nil {
		return nil, err
	}
	return out, nil
}

func (m *Modify) modify(c *Ctx, input [][]types.Datum) (*modifyIter, error) {
	var err error
	t := m.Writer.Table
	width := len(t.Columns)
	out := &modifyIter{}
	ec := c.With(nil)
	seen := map[string]bool{}
	emit := func(row []types.Datum) error {
		out.n++
		if m.Returning == nil {
			return nil
		}
		ec.Row = row
		r := make([]types.Datum, len(m.Returning))
		for i, e := range m.Returning {
			if r[i], err = e.Eval(ec); err != nil {
				return err
			}
		}
		out.rows = append(out.rows, r)
		return nil
	}
	for i, in := range input {
		if i%256 == 255 {
			if err := checkCancel(c); err != nil {
				return nil, err
			}
		}
		switch m.Kind {
		case DMLInsert:
			row := append([]types.Datum(nil), in[:width]...)
			ix, other, err := m.Writer.Insert(c, row, m.OnConflict != nil)
			if err != nil {
				return nil, err
			}
			if ix == nil {
				if m.OnConflict != nil && !m.OnConflict.DoNothing {
					// A later row of this statement that conflicts with this one
					// may not update it (21000 below).
					seen[string(t.PrimaryKey(nil, row))] = true
				}
				if err := emit(row); err != nil {
					return nil, err
				}
				continue
			}
			oc := m.OnConflict
			if oc.Index != nil && oc.Index.ID != ix.ID || oc.DoNothing {
				if oc.DoNothing && (oc.Index == nil || oc.Index.ID == ix.ID) {
					if err := checkVisible(c, other); err != nil {
						return nil, err
					}
					continue
				}
				return nil, m.Writer.duplicate(ix, row)
			}
			if seen[string(other)] {
				return nil, pgerr.New(pgerrcode.CardinalityViolation, "ON CONFLICT DO UPDATE command cannot affect row a second time").
					WithHint("Ensure that no rows proposed for insertion within the same command have duplicate constrained values.")
			}
			seen[string(other)] = true
			old, err := m.conflictingRow(c, other)
			if err != nil {
				return nil, err
			}
			ec.Row = append(append([]types.Datum(nil), old...), row...)
			if ok, err := truth(ec, oc.Where); err != nil || !ok {
				if err != nil {
					return nil, err
				}
				continue
			}
			nrow := append([]types.Datum(nil), old...)
			for idx, e := range oc.Sets {
				if nrow[idx], err = e.Eval(ec); err != nil {
					return nil, err
				}
			}
			if err := m.Writer.Update(c, old, nrow); err != nil {
				return nil, err
			}
			if err := emit(nrow); err != nil {
				return nil, err
			}
		case DMLUpdate:
			k := string(t.PrimaryKey(nil, in[:width]))
			if seen[k] { // UPDATE ... FROM joining a row to several: the first wins
				continue
			}
			seen[k] = true
			in, ok, err := lockedRow(c, t, in, updateMode(t, m.Sets), m.Recheck)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			old := in[:width]
			ec.Row = in
			row := append([]types.Datum(nil), old...)
			for idx, e := range m.Sets {
				if row[idx], err = e.Eval(ec); err != nil {
					return nil, err
				}
			}
			if err := m.Writer.Update(c, old, row); err != nil {
				return nil, err
			}
			if err := emit(row); err != nil {
				return nil, err
			}
		case DMLDelete:
			k := string(t.PrimaryKey(nil, in[:width]))
			if seen[k] {
				continue
			}
			seen[k] = true
			in, ok, err := lockedRow(c, t, in, lockmgr.ForUpdate, m.Recheck)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			old := in[:width]
			if err := m.Writer.Delete(c, old); err != nil {
				return nil, err
			}
			if err := emit(old); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// conflictingRow locks and reads the existing row of an INSERT … ON CONFLICT
// DO UPDATE. The row is read at the newest commit: conflict found it there.
func (m *Modify) conflictingRow(c *Ctx, pk []byte) ([]types.Datum, error) {
	t := m.Writer.Table
	if c.Locker != nil {
		if _, err := c.Locker.LockRow(c, t, pk, lockmgr.ForUpdate, lockmgr.Block); err != nil {
			return nil, err
		}
	}
	var v []byte
	var found bool
	err := c.Txn.AtLatest(func() (err error) {
		v, found, err = c.Txn.Get(pk)
		return err
	})
	if err != nil || !found {
		return nil, fmt.Errorf("exec: ON CONFLICT: conflicting row vanished: %v", err)
	}
	old := make([]types.Datum, len(t.Columns))
	if err := t.DecodeRow(v, old); err != nil {
		return nil, err
	}
	return old, nil
}
