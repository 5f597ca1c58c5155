package exec

import (
	"bytes"
	"context"
	"io"
	"sort"

	"github.com/augurdb/augur/storage/catalog"
	"github.com/augurdb/augur/storage/keycodec"
	"github.com/augurdb/augur/storage/store"
	"github.com/augurdb/augur/storage/types"
)

// Node is a relational operator of a plan. Plans are immutable and re-executable:
// Open starts one execution and returns its iterator.
type Node interface {
	Open(c *Ctx) (Iter, error)
	// Explain describes the node for EXPLAIN.
	Explain() NodeInfo
}

// NodeInfo is a node's EXPLAIN line and children.
type NodeInfo struct {
	Name     string   // "Seq Scan on t", "Hash Join", ...
	Details  []string // "Index Cond: (id = 1)", "Filter: ..."
	Rows     float64  // estimated rows
	Cost     float64  // estimated total cost
	Children []Node
}

// Iter produces the rows of one execution of a Node. Next returns io.EOF at the
// end; the returned row may be reused by the next call unless the node says
// otherwise, so consumers that keep rows copy them.
type Iter interface {
	Next() ([]types.Datum, error)
	Close()
}

// checkCancel reports the statement's cancellation.
func checkCancel(c *Ctx) error {
	if err := c.Context.Err(); err != nil {
		return Canceled(context.Cause(c.Context))
	}
	return nil
}

// ColRef is a reference to column Idx of the current row (Up = 0) or of the row of
// the Up-th enclosing query.
type ColRef struct {
	Up  int
	Idx int
	T   types.T
	// Name is the column's name, for EXPLAIN.
	Name string
}

// Type implements Expr.
func (e *ColRef) Type() types.T { return e.T }

// Eval implements Expr.
func (e *ColRef) Eval(c *Ctx) (types.Datum, error) {
	if c.Folding {
		return nil, errNotFoldable
	}
	if e.Up == 0 {
		return c.Row[e.Idx], nil
	}
	return c.Outer[len(c.Outer)-e.Up][e.Idx], nil
}

// truth evaluates a predicate: only TRUE passes.
func truth(c *Ctx, pred Expr) (bool, error) {
	if pred == nil {
		return true, nil
	}
	v, err := pred.Eval(c)
	if err != nil {
		return false, err
	}
	return v == true, nil
}

// ---- scans ----

// KeyRange is a range of keys of one index, computed per execution from
// expressions: Eq values fix the first index columns; Lo/Hi bound the next one.
type KeyRange struct {
	Eq     []Expr
	Lo, Hi Expr // nil: unbounded
	LoInc  bool
	HiInc  bool
}

// Scan reads a table through its primary index (a full scan, or a key range) or
// through a secondary index, producing the table's rows (one value per attribute).
type Scan struct {
	Table *catalog.Table
	Index *catalog.Index // the primary index or a secondary one
	Range *KeyRange      // nil: the whole index
	// Point is set when Range fixes every primary-key column: one Get, no scan.
	Point  bool
	Filter Expr
	// The scan fills row[Offset:Offset+len(Table.Columns)] of a row of Width
	// values (the row of its query level; see NestedLoop).
	Offset, Width int
	Info          NodeInfo
}

// OpenWith implements ParamNode: the key range reads row (index nested loop).
func (s *Scan) OpenWith(c *Ctx, row []types.Datum) (Iter, error) {
	return s.Open(c.With(row))
}

// Explain implements Node.
func (s *Scan) Explain() NodeInfo { return s.Info }

// Open implements Node.
func (s *Scan) Open(c *Ctx) (Iter, error) {
	start, end, empty, err := s.bounds(c)
	if err != nil {
		return nil, err
	}
	it := &scanIter{s: s, row: make([]types.Datum, max(s.Width, s.Offset+len(s.Table.Columns)))}
	it.ctx, it.c = *c, &it.ctx // c.With(nil) without an allocation of its own
	it.ctx.Row = nil
	if empty {
		it.done = true
		return it, nil
	}
	if s.Point {
		it.point = start
		return it, nil
	}
	it.kv = c.Txn.Scan(start, end)
	return it, nil
}

// bounds computes the key range; empty when a bound is NULL (nothing matches).
func (s *Scan) bounds(c *Ctx) (start, end []byte, empty bool, err error) {
	prefix := catalog.IndexPrefix(s.Table.ID, s.Index.ID)
	if s.Range == nil {
		return prefix, keycodec.PrefixEnd(prefix), false, nil
	}
	r := s.Range
	key := prefix
	for i, e := range r.Eq {
		v, err := e.Eval(c)
		if err != nil {
			return nil, nil, false, err
		}
		if v == nil {
			return nil, nil, true, nil
		}
		col := s.Table.ColumnByNum(s.Index.Columns[i])
		if v, err = types.Cast(v, e.Type(), col.Type, -1); err != nil {
			return nil, nil, true, nil
		}
		key = catalog.AppendKeyValue(key, col.Type, v)
	}
	if s.Point {
		return key, nil, false, nil
	}
	start, end = key, keycodec.PrefixEnd(key)
	if r.Lo == nil && r.Hi == nil {
		return start, end, false, nil
	}
	col := s.Table.ColumnByNum(s.Index.Columns[len(r.Eq)])
	bound := func(e Expr) ([]byte, bool, error) {
		v, err := e.Eval(c)
		if err != nil || v == nil {
			return nil, v == nil, err
		}
		if cv, err := types.Cast(v, e.Type(), col.Type, -1); err == nil {
			v = cv
		}
		return catalog.AppendKeyValue(append([]byte(nil), key...), col.Type, v), false, nil
	}
	if r.Lo != nil {
		k, null, err := bound(r.Lo)
		if err != nil || null {
			return nil, nil, true, err
		}
		if r.LoInc {
			start = k
		} else {
			start = keycodec.PrefixEnd(k)
		}
	} else {
		// NULLs sort last: a range with only an upper bound starts after the prefix.
		start = key
	}
	if r.Hi != nil {
		k, null, err := bound(r.Hi)
		if err != nil || null {
			return nil, nil, true, err
		}
		if r.HiInc {
			end = keycodec.PrefixEnd(k)
		} else {
			end = k
		}
	} else {
		// Exclude NULLs (which sort after every value) from a lower-bounded range.
		end = catalog.AppendKeyValue(append([]byte(nil), key...), col.Type, nil)
	}
	if bytes.Compare(start, end) >= 0 {
		return nil, nil, true, nil
	}
	return start, end, false, nil
}

type scanIter struct {
	s     *Scan
	c     *Ctx
	ctx   Ctx // what c points to
	kv    *store.Iterator
	point []byte
	row   []types.Datum
	done  bool
	n     int
}

func (it *scanIter) Next() ([]types.Datum, error) {
	for !it.done {
		if it.n++; it.n%1024 == 0 {
			if err := checkCancel(it.c); err != nil {
				return nil, err
			}
		}
		var ok bool
		var err error
		if it.point != nil {
			it.done = true
			ok, err = it.fetch(it.point)
		} else {
			if !it.kv.Valid() {
				it.done = true
				if err := it.kv.Err(); err != nil {
					return nil, err
				}
				return nil, io.EOF
			}
			if it.s.Index.Primary {
				var v []byte
				if v, err = it.kv.Value(); err == nil {
					err = it.s.Table.DecodeRow(v, it.tableRow())
					ok = err == nil
				}
			} else {
				var pk []byte
				if pk, err = it.kv.Value(); err == nil {
					ok, err = it.fetch(pk)
				}
			}
			it.kv.Next()
		}
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		it.c.Row = it.row
		if pass, err := truth(it.c, it.s.Filter); err != nil || !pass {
			if err != nil {
				return nil, err
			}
			continue
		}
		return it.row, nil
	}
	return nil, io.EOF
}

func (it *scanIter) tableRow() []types.Datum {
	return it.row[it.s.Offset : it.s.Offset+len(it.s.Table.Columns)]
}

func (it *scanIter) fetch(key []byte) (bool, error) {
	v, found, err := it.c.Txn.Get(key)
	if err != nil || !found {
		return false, err
	}
	return true, it.s.Table.DecodeRow(v, it.tableRow())
}

func (it *scanIter) Close() {
	if it.kv != nil {
		it.kv.Close()
		it.kv = nil
	}
}

// ---- filter, project ----

// Filter passes the rows for which Pred is true.
type Filter struct {
	Input Node
	Pred  Expr
	Info  NodeInfo
}

// Explain implements Node.
func (f *Filter) Explain() NodeInfo { return f.Info }

// Open implements Node.
func (f *Filter) Open(c *Ctx) (Iter, error) {
	in, err := f.Input.Open(c)
	if err != nil {
		return nil, err
	}
	return &filterIter{in: in, pred: f.Pred, c: c.With(nil)}, nil
}

type filterIter struct {
	in   Iter
	pred Expr
	c    *Ctx
}

func (f *filterIter) Next() ([]types.Datum, error) {
	for {
		row, err := f.in.Next()
		if err != nil {
			return nil, err
		}
		f.c.Row = row
		if ok, err := truth(f.c, f.pred); err != nil || ok {
			return row, err
		}
	}
}

func (f *filterIter) Close() { f.in.Close() }

// Projection computes Exprs over each input row.
type Projection struct {
	Input Node
	Exprs []Expr
	Info  NodeInfo
}

// Explain implements Node.
func (p *Projection) Explain() NodeInfo { return p.Info }

// Open implements Node.
func (p *Projection) Open(c *Ctx) (Iter, error) {
	in, err := p.Input.Open(c)
	if err != nil {
		return nil, err
	}
	it := &projIter{in: in, exprs: p.Exprs}
	it.ctx, it.c = *c, &it.ctx // c.With(nil) without an allocation of its own
	it.ctx.Row = nil
	return it, nil
}

type projIter struct {
	in    Iter
	exprs []Expr
	c     *Ctx
	ctx   Ctx // what c points to
}

func (p *projIter) Next() ([]types.Datum, error) {
	row, err := p.in.Next()
	if err != nil {
		return nil, err
	}
	p.c.Row = row
	out := make([]types.Datum, len(p.exprs))
	for i, e := range p.exprs {
		if out[i], err = e.Eval(p.c); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (p *projIter) Close() { p.in.Close() }

// OneRow produces a single empty row (SELECT without FROM).
type OneRow struct{}

// Explain implements Node.
func (OneRow) Explain() NodeInfo { return NodeInfo{Name: "Result", Rows: 1, Cost: 0.01} }

// Open implements Node.
func (OneRow) Open(*Ctx) (Iter, error) { return &sliceIter{rows: [][]types.Datum{{}}}, nil }

// Place puts each row of Input (a derived table, a view, a function) at Offset of
// a row of Width values, the row layout of the enclosing query level.
type Place struct {
	Input         Node
	Offset, Width int
	Info          NodeInfo
}

// Explain implements Node.
func (p *Place) Explain() NodeInfo { return p.Info }

// Open implements Node.
func (p *Place) Open(c *Ctx) (Iter, error) {
	in, err := p.Input.Open(c)
	if err != nil {
		return nil, err
	}
	return &placeIter{in: in, p: p}, nil
}

type placeIter struct {
	in Iter
	p  *Place
}

func (it *placeIter) Next() ([]types.Datum, error) {
	row, err := it.in.Next()
	if err != nil {
		return nil, err
	}
	out := make([]types.Datum, it.p.Width)
	copy(out[it.p.Offset:], row)
	return out, nil
}

func (it *placeIter) Close() { it.in.Close() }

// ValuesNode produces rows of expressions (VALUES lists).
type ValuesNode struct {
	Rows [][]Expr
	Info NodeInfo
}

// Explain implements Node.
func (v *ValuesNode) Explain() NodeInfo { return v.Info }

// Open implements Node.
func (v *ValuesNode) Open(c *Ctx) (Iter, error) {
	out := make([][]types.Datum, len(v.Rows))
	for i, r := range v.Rows {
		out[i] = make([]types.Datum, len(r))
		for j, e := range r {
			d, err := e.Eval(c)
			if err != nil {
				return nil, err
			}
			out[i][j] = d
		}
	}
	return &sliceIter{rows: out}, nil
}

type sliceIter struct {
	rows [][]types.Datum
	i    int
}

func (s *sliceIter) Next() ([]types.Datum, error) {
	if s.i >= len(s.rows) {
		return nil, io.EOF
	}
	s.i++
	return s.rows[s.i-1], nil
}

func (s *sliceIter) Close() {}

// drain reads every row of a node, copying each.
func drain(c *Ctx, n Node) ([][]types.Datum, error) {
	it, err := n.Open(c)
	if err != nil {
		return nil, err
	}
	return appendRows(c, nil, it)
}

// appendRows appends copies of the rows of it to dst and closes it.
func appendRows(c *Ctx, dst [][]types.Datum, it Iter) ([][]types.Datum, error) {
	defer it.Close()
	for n := 1; ; n++ {
		row, err := it.Next()
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return nil, err
		}
		dst = append(dst, append([]types.Datum(nil), row...))
		if n%1024 == 0 {
			if err := checkCancel(c); err != nil {
				return nil, err
			}
		}
	}
}

// ---- sort, limit, distinct ----

// SortKey is one ORDER BY key: column Idx of the input row, or Expr over it.
type SortKey struct {
	Expr       Expr
	Idx        int
	Desc       bool
	NullsFirst bool
	Cmp        func(a, b types.Datum) int
}

// Comparer returns the ordering of values of type t (nil when t has none).
func Comparer(t types.T) func(a, b types.Datum) int { return comparer(t) }

// Sort orders its input.
type Sort struct {
	Input Node
	Keys  []SortKey
	Info  NodeInfo
}

// Explain implements Node.
func (s *Sort) Explain() NodeInfo { return s.Info }

// Open implements Node.
func (s *Sort) Open(c *Ctx) (Iter, error) {
	rows, err := drain(c, s.Input)
	if err != nil {
		return nil, err
	}
	keys := s.Keys
	if s.Keys[0].Expr != nil {
		// Sort by expressions: evaluate them once per row, sort the pairs.
		ec := c.With(nil)
		type pair struct{ key, row []types.Datum }
		ps := make([]pair, len(rows))
		keys = make([]SortKey, len(s.Keys))
		for i, r := range rows {
			ec.Row = r
			k := make([]types.Datum, len(s.Keys))
			for j, sk := range s.Keys {
				if k[j], err = sk.Expr.Eval(ec); err != nil {
					return nil, err
				}
				keys[j] = sk
				keys[j].Idx = j
			}
			ps[i] = pair{k, r}
		}
		sort.SliceStable(ps, func(i, j int) bool { return compareRows(keys, ps[i].key, ps[j].key) < 0 })
		for i := range ps {
			rows[i] = ps[i].row
		}
		return &sliceIter{rows: rows}, nil
	}
	sort.SliceStable(rows, func(i, j int) bool { return compareRows(keys, rows[i], rows[j]) < 0 })
	return &sliceIter{rows: rows}, nil
}

func compareRows(keys []SortKey, a, b []types.Datum) int {
	for _, k := range keys {
		x, y := a[k.Idx], b[k.Idx]
		var r int
		switch {
		case x == nil && y == nil:
			continue
		case x == nil:
			r = 1
			if k.NullsFirst {
				r = -1
			}
			return r
		case y == nil:
			r = -1
			if k.NullsFirst {
				r = 1
			}
			return r
		default:
			r = k.Cmp(x, y)
		}
		if k.Desc {
			r = -r
		}
		if r != 0 {
			return r
		}
	}
	return 0
}

// Limit skips Offset rows and stops after Count (nil: no limit).
type Limit struct {
	Input  Node
	Count  Expr
	Offset Expr
	Info   NodeInfo
}

// Explain implements Node.
func (l *Limit) Explain() NodeInfo { return l.Info }

// Open implements Node.
func (l *Limit) Open(c *Ctx) (Iter, error) {
	count, offset := int64(-1), int64(0)
	if l.Count != nil {
		v, err := l.Count.Eval(c)
		if err != nil {
			return nil, err
		}
		if v != nil {
			if count = v.(int64); count < 0 {
				return nil, limitError("LIMIT")
			}
		}
	}
	if l.Offset != nil {
		v, err := l.Offset.Eval(c)
		if err != nil {
			return nil, err
		}
		if v != nil {
			if offset = v.(int64); offset < 0 {
				return nil, limitError("OFFSET")
			}
		}
	}
	in, err := l.Input.Open(c)
	if err != nil {
		return nil, err
	}
	return &limitIter{in: in, count: count, offset: offset}, nil
}

type limitIter struct {
	in            Iter
	count, offset int64
}

func (l *limitIter) Next() ([]types.Datum, error) {
	for l.offset > 0 {
		if _, err := l.in.Next(); err != nil {
			return nil, err
		}
		l.offset--
	}
	if l.count == 0 {
		return nil, io.EOF
	}
	row, err := l.in.Next()
	if err == nil && l.count > 0 {
		l.count--
	}
	return row, err
}

func (l *limitIter) Close() { l.in.Close() }

// Unique removes duplicate rows (SELECT DISTINCT).
type Unique struct {
	Input Node
	Types []types.T
	Info  NodeInfo
}

// Explain implements Node.
func (d *Unique) Explain() NodeInfo { return d.Info }

// Open implements Node.
func (d *Unique) Open(c *Ctx) (Iter, error) {
	in, err := d.Input.Open(c)
	if err != nil {
		return nil, err
	}
	return &distinctIter{in: in, types: d.Types, seen: map[string]struct{}{}}, nil
}

type distinctIter struct {
	in    Iter
	types []types.T
	seen  map[string]struct{}
	buf   []byte
}

func (d *distinctIter) Next() ([]types.Datum, error) {
	for {
		row, err := d.in.Next()
		if err != nil {
			return nil, err
		}
		d.buf = rowKey(d.buf[:0], d.types, row)
		if _, ok := d.seen[string(d.buf)]; ok {
			continue
		}
		d.seen[string(d.buf)] = struct{}{}
		return row, nil
	}
}

func (d *distinctIter) Close() { d.in.Close() }

// rowKey appends a byte string equal for rows whose values are equal (NULLs equal
// each other, as DISTINCT and GROUP BY treat them).
func rowKey(dst []byte, ts []types.T, row []types.Datum) []byte {
	for i, t := range ts {
		dst = catalog.AppendKeyValue(dst, t, row[i])
	}
	return dst
}
