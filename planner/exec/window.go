package exec

import (
	"io"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/cockroachdb/apd/v3"
	"github.com/jackc/pgerrcode"
)

// Window functions. A Window node (PostgreSQL's WindowAgg) reads its input sorted
// by the partition keys and then the ORDER BY keys of one window, holds one
// partition at a time and appends the value of each of its functions to every
// row of it: the output row is the input row (Width values) followed by one
// value per function, in Funcs order.

// FrameMode is the unit of a window frame's bounds.
type FrameMode uint8

// Frame modes.
const (
	FrameRange FrameMode = iota
	FrameRows
	FrameGroups
)

// BoundKind is the kind of a frame bound.
type BoundKind uint8

// Frame bound kinds.
const (
	UnboundedPreceding BoundKind = iota
	OffsetPreceding
	CurrentRow
	OffsetFollowing
	UnboundedFollowing
)

// FrameExclude is a frame's EXCLUDE option.
type FrameExclude uint8

// Frame exclusions.
const (
	ExcludeNoOthers FrameExclude = iota
	ExcludeCurrentRow
	ExcludeGroup
	ExcludeTies
)

// FrameBound is one end of a frame; Offset (a constant expression) for the
// offset kinds.
type FrameBound struct {
	Kind   BoundKind
	Offset Expr
}

// Frame is a window frame. The default frame is RANGE UNBOUNDED PRECEDING to
// CURRENT ROW (the zero value's Start; the planner sets End).
type Frame struct {
	Mode       FrameMode
	Start, End FrameBound
	Exclude    FrameExclude
	// RANGE with an offset: Add computes key + offset and Sub key - offset in the
	// type the keys are compared in; Conv turns a key into that type (nil: the
	// key itself); Cmp compares there. Each evaluates over the row [key, offset].
	Add, Sub, Conv Expr
	Cmp            func(a, b types.Datum) int
	// OffsetCmp compares offsets (to refuse negative ones).
	OffsetCmp func(a, b types.Datum) int
}

// WindowFunc is one window function call.
type WindowFunc struct {
	// Name is a window function (row_number, rank, dense_rank, percent_rank,
	// cume_dist, ntile, lag, lead, first_value, last_value, nth_value) or, when
	// Agg is set, the aggregate Agg computes over the frame.
	Name  string
	Args  []Expr
	Agg   *AggFunc
	Frame Frame
	T     types.T
}

// Window computes window functions over partitions of its sorted input.
type Window struct {
	Input     Node
	Partition []Expr
	PartTypes []types.T
	Order     []SortKey // expressions over the input row; define peers
	Funcs     []*WindowFunc
	Width     int
	Info      NodeInfo
}

// Explain implements Node.
func (w *Window) Explain() NodeInfo { return w.Info }

// Open implements Node.
func (w *Window) Open(c *Ctx) (Iter, error) {
	offs := make([][2]types.Datum, len(w.Funcs))
	ec := c.With(nil)
	for i, f := range w.Funcs {
		for j, b := range []FrameBound{f.Frame.Start, f.Frame.End} {
			if b.Offset == nil {
				continue
			}
			v, err := b.Offset.Eval(ec)
			if err != nil {
				return nil, err
			}
			if err := checkOffset(f.Frame, v, j == 0); err != nil {
				return nil, err
			}
			offs[i][j] = v
		}
	}
	in, err := w.Input.Open(c)
	if err != nil {
		return nil, err
	}
	return &windowIter{w: w, in: in, c: c, ec: c.With(nil), offs: offs}, nil
}

func checkOffset(f Frame, v types.Datum, start bool) error {
	which := "ending"
	if start {
		which = "starting"
	}
	if v == nil {
		return pgerr.New(pgerrcode.NullValueNotAllowedDataException, "frame %s offset must not be null", which)
	}
	if f.Mode == FrameRange {
		if f.OffsetCmp != nil && f.OffsetCmp(v, zeroOf(v)) < 0 {
			return pgerr.New(pgerrcode.InvalidPrecedingOrFollowingSize, "invalid preceding or following size in window function")
		}
		return nil
	}
	if v.(int64) < 0 {
		return pgerr.New(pgerrcode.InvalidPrecedingOrFollowingSize, "frame %s offset must not be negative", which)
	}
	return nil
}

// zeroOf returns the zero of an offset value's type.
func zeroOf(v types.Datum) types.Datum {
	switch v.(type) {
	case int64:
		return int64(0)
	case float64:
		return float64(0)
	case *apd.Decimal:
		return apd.New(0, 0)
	}
	return types.Interval{}
}

type windowIter struct {
	w     *Window
	in    Iter
	c, ec *Ctx
	offs  [][2]types.Datum
	next  []types.Datum // first row of the next partition
	nextK []byte
	out   [][]types.Datum
	pos   int
	done  bool
	nRead int
}

func (it *windowIter) Close() { it.in.Close() }

func (it *windowIter) Next() ([]types.Datum, error) {
	for it.pos >= len(it.out) {
		if it.done {
			return nil, io.EOF
		}
		if err := it.partition(); err != nil {
			return nil, err
		}
	}
	it.pos++
	return it.out[it.pos-1], nil
}

func (it *windowIter) partKey(row []types.Datum) ([]byte, error) {
	if len(it.w.Partition) == 0 {
		return nil, nil
	}
	it.ec.Row = row
	vals := make([]types.Datum, len(it.w.Partition))
	for i, e := range it.w.Partition {
		v, err := e.Eval(it.ec)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	return rowKey(nil, it.w.PartTypes, vals), nil
}

// partition reads the next partition and computes its output rows.
func (it *windowIter) partition() error {
	var rows [][]types.Datum
	var key []byte
	if it.next != nil {
		rows = append(rows, it.next)
		key = it.nextK
		it.next = nil
	}
	for {
		row, err := it.in.Next()
		if err == io.EOF {
			it.done = true
			break
		}
		if err != nil {
			return err
		}
		if it.nRead++; it.nRead%1024 == 0 {
			if err := checkCancel(it.c); err != nil {
				return err
			}
		}
		row = append([]types.Datum(nil), row...)
		k, err := it.partKey(row)
		if err != nil {
			return err
		}
		if len(rows) > 0 && string(k) != string(key) {
			it.next, it.nextK = row, k
			break
		}
		rows = append(rows, row)
		key = k
	}
	it.out, it.pos = nil, 0
	if len(rows) == 0 {
		return nil
	}
	p, err := it.newPart(rows)
	if err != nil {
		return err
	}
	w := it.w
	out := make([][]types.Datum, len(rows))
	for i, r := range rows {
		o := make([]types.Datum, w.Width+len(w.Funcs))
		copy(o, r)
		out[i] = o
	}
	for fi, f := range w.Funcs {
		if err := p.compute(f, it.offs[fi], func(i int, v types.Datum) { out[i][w.Width+fi] = v }); err != nil {
			return err
		}
	}
	it.out = out
	return nil
}

// part is one partition: its rows, their ORDER BY keys and peer groups.
type part struct {
	it        *windowIter
	rows      [][]types.Datum
	keys      [][]types.Datum
	group     []int // peer group number of each row
	peerStart []int // first row of each row's peer group
	peerEnd   []int // one past the last row of each row's peer group
	groupAt   []int // first row of each peer group, plus len(rows)
}

func (it *windowIter) newPart(rows [][]types.Datum) (*part, error) {
	w := it.w
	p := &part{it: it, rows: rows, keys: make([][]types.Datum, len(rows)), group: make([]int, len(rows)),
		peerStart: make([]int, len(rows)), peerEnd: make([]int, len(rows))}
	keys := make([]SortKey, len(w.Order))
	for j, k := range w.Order {
		keys[j] = k
		keys[j].Idx = j
	}
	for i, r := range rows {
		it.ec.Row = r
		k := make([]types.Datum, len(w.Order))
		for j, sk := range w.Order {
			v, err := sk.Expr.Eval(it.ec)
			if err != nil {
				return nil, err
			}
			k[j] = v
		}
		p.keys[i] = k
	}
	g := 0
	for i := range rows {
		if i > 0 && compareRows(keys, p.keys[i-1], p.keys[i]) != 0 {
			g++
		}
		if i == 0 || p.group[i-1] != g {
			p.groupAt = append(p.groupAt, i)
		}
		p.group[i] = g
	}
	p.groupAt = append(p.groupAt, len(rows))
	for i := range rows {
		p.peerStart[i] = p.groupAt[p.group[i]]
		p.peerEnd[i] = p.groupAt[p.group[i]+1]
	}
	return p, nil
}

// rng is a half-open range of partition rows.
type rng struct{ lo, hi int }

// frame returns the rows of row i's frame, as at most three ranges in order.
func (p *part) frame(f *Frame, offs [2]types.Datum, i int) ([]rng, error) {
	lo, err := p.bound(f, f.Start, offs[0], i, true)
	if err != nil {
		return nil, err
	}
	hi, err := p.bound(f, f.End, offs[1], i, false)
	if err != nil {
		return nil, err
	}
	if hi < lo {
		hi = lo
	}
	var exLo, exHi int
	switch f.Exclude {
	case ExcludeNoOthers:
		return []rng{{lo, hi}}, nil
	case ExcludeCurrentRow:
		exLo, exHi = i, i+1
	default:
		exLo, exHi = p.peerStart[i], p.peerEnd[i]
	}
	out := []rng{{lo, min(hi, exLo)}}
	if f.Exclude == ExcludeTies && i >= lo && i < hi {
		out = append(out, rng{i, i + 1})
	}
	out = append(out, rng{max(lo, exHi), hi})
	return out, nil
}

// bound returns the first row of the frame (start) or one past its last row.
func (p *part) bound(f *Frame, b FrameBound, off types.Datum, i int, start bool) (int, error) {
	n := len(p.rows)
	switch b.Kind {
	case UnboundedPreceding:
		return 0, nil
	case UnboundedFollowing:
		return n, nil
	case CurrentRow:
		switch f.Mode {
		case FrameRows:
			if start {
				return i, nil
			}
			return i + 1, nil
		default:
			if start {
				return p.peerStart[i], nil
			}
			return p.peerEnd[i], nil
		}
	}
	switch f.Mode {
	case FrameRows:
		o := off.(int64)
		var r int64
		if b.Kind == OffsetPreceding {
			r = int64(i) - o
		} else {
			r = int64(i) + o
		}
		if !start {
			r++
		}
		return int(max(0, min(int64(n), r))), nil
	case FrameGroups:
		o := off.(int64)
		g := int64(p.group[i])
		if b.Kind == OffsetPreceding {
			g -= o
		} else {
			g += o
		}
		ng := int64(len(p.groupAt) - 1)
		if !start {
			g++
		}
		g = max(0, min(ng, g))
		return p.groupAt[g], nil
	}
	return p.rangeBound(f, b, off, i, start)
}

// rangeBound finds a RANGE offset bound by the value of the single ORDER BY key.
func (p *part) rangeBound(f *Frame, b FrameBound, off types.Datum, i int, start bool) (int, error) {
	sk := p.it.w.Order[0]
	v := p.keys[i][0]
	if v == nil {
		// NULLs are peers of one another and of nothing else.
		if start {
			return p.peerStart[i], nil
		}
		return p.peerEnd[i], nil
	}
	ec := p.it.ec
	// Preceding moves against the sort direction, following with it.
	add := (b.Kind == OffsetFollowing) != sk.Desc
	op := f.Sub
	if add {
		op = f.Add
	}
	ec.Row = []types.Datum{v, off}
	lim, err := op.Eval(ec)
	if err != nil {
		return 0, err
	}
	conv := func(x types.Datum) (types.Datum, error) {
		if f.Conv == nil {
			return x, nil
		}
		ec.Row = []types.Datum{x, off}
		return f.Conv.Eval(ec)
	}
	// cmp orders key x against the limit in the window's sort order.
	cmp := func(x types.Datum) (int, error) {
		if x == nil {
			if sk.NullsFirst {
				return -1, nil
			}
			return 1, nil
		}
		cx, err := conv(x)
		if err != nil {
			return 0, err
		}
		r := f.Cmp(cx, lim)
		if sk.Desc {
			r = -r
		}
		return r, nil
	}
	// The first row at or past the limit (start), or past it (end).
	lo, hi := 0, len(p.rows)
	for lo < hi {
		m := (lo + hi) / 2
		r, err := cmp(p.keys[m][0])
		if err != nil {
			return 0, err
		}
		if r < 0 || !start && r == 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, nil
}

// compute sets f's value for every row of the partition.
func (p *part) compute(f *WindowFunc, offs [2]types.Datum, set func(int, types.Datum)) error {
	n := len(p.rows)
	ec := p.it.ec
	switch f.Name {
	case "row_number":
		for i := range p.rows {
			set(i, int64(i+1))
		}
		return nil
	case "rank":
		for i := range p.rows {
			set(i, int64(p.peerStart[i]+1))
		}
		return nil
	case "dense_rank":
		for i := range p.rows {
			set(i, int64(p.group[i]+1))
		}
		return nil
	case "percent_rank":
		for i := range p.rows {
			v := 0.0
			if n > 1 {
				v = float64(p.peerStart[i]) / float64(n-1)
			}
			set(i, v)
		}
		return nil
	case "cume_dist":
		for i := range p.rows {
			set(i, float64(p.peerEnd[i])/float64(n))
		}
		return nil
	case "ntile":
		ec.Row = p.rows[0]
		v, err := f.Args[0].Eval(ec)
		if err != nil {
			return err
		}
		if v == nil {
			for i := range p.rows {
				set(i, nil)
			}
			return nil
		}
		k := v.(int64)
		if k <= 0 {
			return pgerr.New(pgerrcode.InvalidArgumentForNtileFunction, "argument of ntile must be greater than zero")
		}
		size, extra := int64(n)/k, int64(n)%k
		bucket, inBucket := int64(1), int64(0)
		for i := range p.rows {
			limit := size
			if bucket <= extra {
				limit++
			}
			if inBucket >= limit {
				bucket++
				inBucket = 0
			}
			inBucket++
			set(i, bucket)
		}
		return nil
	case "lag", "lead":
		for i, r := range p.rows {
			ec.Row = r
			off := int64(1)
			if len(f.Args) > 1 {
				v, err := p.evalAt(f.Args[1], i)
				if err != nil {
					return err
				}
				if v == nil {
					set(i, nil)
					continue
				}
				off = v.(int64)
			}
			if f.Name == "lag" {
				off = -off
			}
			j := int64(i) + off
			if j < 0 || j >= int64(n) {
				var d types.Datum
				if len(f.Args) > 2 {
					var err error
					if d, err = f.Args[2].Eval(ec); err != nil {
						return err
					}
				}
				set(i, d)
				continue
			}
			v, err := p.evalAt(f.Args[0], int(j))
			if err != nil {
				return err
			}
			set(i, v)
		}
		return nil
	case "first_value", "last_value", "nth_value":
		for i := range p.rows {
			nth := int64(1)
			if f.Name == "nth_value" {
				v, err := p.evalAt(f.Args[1], i)
				if err != nil {
					return err
				}
				if v == nil {
					set(i, nil)
					continue
				}
				if nth = v.(int64); nth <= 0 {
					return pgerr.New(pgerrcode.InvalidArgumentForNthValueFunction, "argument of nth_value must be greater than zero")
				}
			}
			fr, err := p.frame(&f.Frame, offs, i)
			if err != nil {
				return err
			}
			row := -1
			if f.Name == "last_value" {
				for k := len(fr) - 1; k >= 0 && row < 0; k-- {
					if fr[k].hi > fr[k].lo {
						row = fr[k].hi - 1
					}
				}
			} else {
				for _, r := range fr {
					if r.hi <= r.lo {
						continue
					}
					if int64(r.hi-r.lo) >= nth {
						row = r.lo + int(nth) - 1
						break
					}
					nth -= int64(r.hi - r.lo)
				}
			}
			if row < 0 {
				set(i, nil)
				continue
			}
			v, err := p.evalAt(f.Args[0], row)
			if err != nil {
				return err
			}
			set(i, v)
		}
		return nil
	}
	return p.aggregate(f, offs, set)
}

// aggregate computes an aggregate over each row's frame. A frame that starts at
// the partition's start and excludes nothing only grows from row to row, so its
// state is carried along; other frames are aggregated afresh, except that a row
// whose frame equals the previous row's (peers) reuses its value.
func (p *part) aggregate(f *WindowFunc, offs [2]types.Datum, set func(int, types.Datum)) error {
	incremental := f.Frame.Start.Kind == UnboundedPreceding && f.Frame.Exclude == ExcludeNoOthers
	var st aggState
	added := 0
	var prev []rng
	var prevVal types.Datum
	for i := range p.rows {
		fr, err := p.frame(&f.Frame, offs, i)
		if err != nil {
			return err
		}
		if incremental {
			if err := p.stepRows(f, &st, added, fr[0].hi); err != nil {
				return err
			}
			added = max(added, fr[0].hi)
			v, err := f.Agg.final(&st)
			if err != nil {
				return err
			}
			set(i, v)
			continue
		}
		if prev != nil && sameRanges(prev, fr) {
			set(i, prevVal)
			continue
		}
		st = aggState{}
		for _, r := range fr {
			if err := p.stepRows(f, &st, r.lo, r.hi); err != nil {
				return err
			}
		}
		v, err := f.Agg.final(&st)
		if err != nil {
			return err
		}
		set(i, v)
		prev, prevVal = fr, v
	}
	return nil
}

// evalAt evaluates e on row i of the partition (which stays the current row).
func (p *part) evalAt(e Expr, i int) (types.Datum, error) {
	p.it.ec.Row = p.rows[i]
	return e.Eval(p.it.ec)
}

// stepRows adds rows lo to hi-1 of the partition to the aggregate state st.
func (p *part) stepRows(f *WindowFunc, st *aggState, lo, hi int) error {
	for j := lo; j < hi; j++ {
		p.it.ec.Row = p.rows[j]
		if err := f.Agg.step(p.it.ec, st); err != nil {
			return err
		}
	}
	return nil
}

func sameRanges(a, b []rng) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
