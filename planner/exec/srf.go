package exec

import (
	"fmt"
	"io"
	"slices"

	"github.com/augurdb/augur/storage/types"
)

// Set-returning functions (PostgreSQL's SRFs: generate_series, unnest,
// jsonb_each, ...) produce rows rather than one value. They are registered here,
// apart from the scalar Builtins, because the binder treats a call of one
// differently: in FROM it is a relation (FunctionScan), in a select list it is
// evaluated by a ProjectSet below the projection.
//
// Adding a function: in an init function of the file that implements it, call
//
//	RegisterTableFunc("jsonb_each", TableFunc{
//		Args:   sig(types.Jsonb),
//		Cols:   []ResultCol{{Name: "key", T: types.Text}, {Name: "value", T: types.Jsonb}},
//		Strict: true,
//		Rows: func(c *Ctx, args []types.Datum) (Iter, error) {
//			... return SliceRows(rows), nil   // or an Iter producing rows lazily
//		},
//	})
//
// Each row an Iter returns holds one value per result column. A function
// returning a single value per row (PostgreSQL: a scalar result type) has one
// ResultCol with an empty Name: its column is named after the function, or after
// the table alias in FROM (`FROM generate_series(1, 3) AS g` has column g). A
// polymorphic function (unnest(anyarray)) sets Resolve instead of Args and Cols.

// ResultCol is a result column of a set-returning function.
type ResultCol struct {
	Name string // "" for the single column of a scalar-returning function
	T    types.T
}

// TableFunc is one overload of a set-returning function.
type TableFunc struct {
	// Args are the parameter types; the binder chooses an overload by PostgreSQL's
	// function resolution rules and casts the arguments to these types.
	Args []types.T
	// Cols are the result columns (see ResultCol).
	Cols []ResultCol
	// Resolve, when set, types a polymorphic overload from its argument types:
	// the parameter types to cast the arguments to and the result columns, or
	// ok=false when the overload does not apply. Args and Cols are then unused.
	Resolve func(args []types.T) (params []types.T, cols []ResultCol, ok bool)
	// Strict: a NULL argument yields no rows (PostgreSQL's STRICT).
	Strict bool
	// Volatile: the function has side effects or a different result each call.
	Volatile bool
	// Rows starts one evaluation with the argument values.
	Rows func(c *Ctx, args []types.Datum) (Iter, error)
}

// TableFuncs lists the set-returning functions by name. Files add theirs with
// RegisterTableFunc in init; the map does not change afterwards.
var TableFuncs = map[string][]TableFunc{}

// RegisterTableFunc adds overloads of a set-returning function, from an init
// function. Two overloads of one name must differ in their parameter types.
func RegisterTableFunc(name string, overloads ...TableFunc) {
	for _, o := range overloads {
		if o.Rows == nil {
			panic("exec: set-returning function " + name + " without Rows")
		}
		for _, have := range TableFuncs[name] {
			if o.Resolve == nil && have.Resolve == nil && slices.Equal(have.Args, o.Args) {
				panic(fmt.Sprintf("exec: set-returning function %s%v registered twice", name, o.Args))
			}
		}
		TableFuncs[name] = append(TableFuncs[name], o)
	}
}

// SliceRows is an Iter over rows computed in advance.
func SliceRows(rows [][]types.Datum) Iter { return &sliceIter{rows: rows} }

// TableCall is a bound call of a set-returning function.
type TableCall struct {
	Name   string
	Args   []Expr
	Width  int // number of result columns
	Strict bool
	Rows   func(c *Ctx, args []types.Datum) (Iter, error)
}

// open evaluates the arguments over c's row and starts the function; a strict
// function with a NULL argument yields no rows.
func (tc *TableCall) open(c *Ctx) (Iter, error) {
	args := make([]types.Datum, len(tc.Args))
	for i, a := range tc.Args {
		v, err := a.Eval(c)
		if err != nil {
			return nil, err
		}
		if v == nil && tc.Strict {
			return SliceRows(nil), nil
		}
		args[i] = v
	}
	return tc.Rows(c, args)
}

// lockstep runs several set-returning calls side by side, as ROWS FROM and a
// select list with several SRFs do: row n holds the n-th row of every call, NULLs
// for the calls that already ended; it ends when every call has.
type lockstep struct {
	c     *Ctx
	calls []*TableCall
	its   []Iter
	done  []bool
}

func openLockstep(c *Ctx, calls []*TableCall) (*lockstep, error) {
	l := &lockstep{c: c, calls: calls, its: make([]Iter, len(calls)), done: make([]bool, len(calls))}
	for i, tc := range calls {
		it, err := tc.open(c)
		if err != nil {
			l.Close()
			return nil, err
		}
		l.its[i] = it
	}
	return l, nil
}

// next appends the next row's values (Width per call) to dst; io.EOF when every
// call has ended.
func (l *lockstep) next(dst []types.Datum) ([]types.Datum, error) {
	if err := checkCancel(l.c); err != nil {
		return nil, err
	}
	any := false
	start := len(dst)
	for i, tc := range l.calls {
		var row []types.Datum
		if !l.done[i] {
			r, err := l.its[i].Next()
			switch {
			case err == io.EOF:
				l.done[i] = true
			case err != nil:
				return nil, err
			default:
				row, any = r, true
			}
		}
		if row == nil {
			dst = append(dst, make([]types.Datum, tc.Width)...)
		} else {
			dst = append(dst, row[:tc.Width]...)
		}
	}
	if !any {
		return dst[:start], io.EOF
	}
	return dst, nil
}

// Close ends every call.
func (l *lockstep) Close() {
	for i, it := range l.its {
		if it != nil {
			it.Close()
			l.its[i] = nil
		}
	}
}

// FunctionScan is a set-returning function (or several, ROWS FROM) in FROM. Its
// rows are placed at Offset of a row of Width values (the row layout of the query
// level, as Place does); WITH ORDINALITY adds a bigint row number after the
// functions' columns. Its arguments may read earlier FROM items of the level
// (PostgreSQL makes functions in FROM implicitly LATERAL): the join then opens it
// per row of those items (OpenWith).
type FunctionScan struct {
	Calls         []*TableCall
	Ordinality    bool
	Offset, Width int
	Info          NodeInfo
}

// Explain implements Node.
func (f *FunctionScan) Explain() NodeInfo { return f.Info }

// Open implements Node.
func (f *FunctionScan) Open(c *Ctx) (Iter, error) {
	l, err := openLockstep(c.With(c.Row), f.Calls)
	if err != nil {
		return nil, err
	}
	return &funcScanIter{f: f, l: l}, nil
}

// OpenWith implements ParamNode: the arguments read row, the level's row so far.
func (f *FunctionScan) OpenWith(c *Ctx, row []types.Datum) (Iter, error) {
	return f.Open(c.With(row))
}

type funcScanIter struct {
	f   *FunctionScan
	l   *lockstep
	n   int64
	buf []types.Datum
}

func (it *funcScanIter) Next() ([]types.Datum, error) {
	var err error
	if it.buf, err = it.l.next(it.buf[:0]); err != nil {
		return nil, err
	}
	it.n++
	out := make([]types.Datum, it.f.Width)
	k := copy(out[it.f.Offset:], it.buf)
	if it.f.Ordinality {
		out[it.f.Offset+k] = it.n
	}
	return out, nil
}

func (it *funcScanIter) Close() { it.l.Close() }

// ProjectSet evaluates the set-returning functions of a select list (PostgreSQL
// 10's ProjectSet): for each input row, the calls run in lockstep and each of
// their rows is the input row followed by one value per call (the functions of a
// select list return one column). An input row for which every call returns no
// rows produces nothing.
type ProjectSet struct {
	Input Node
	Calls []*TableCall
	Info  NodeInfo
}

// Explain implements Node.
func (p *ProjectSet) Explain() NodeInfo { return p.Info }

// Open implements Node.
func (p *ProjectSet) Open(c *Ctx) (Iter, error) {
	in, err := p.Input.Open(c)
	if err != nil {
		return nil, err
	}
	return &projectSetIter{p: p, in: in, c: c.With(nil)}, nil
}

type projectSetIter struct {
	p   *ProjectSet
	in  Iter
	c   *Ctx
	cur []types.Datum
	l   *lockstep
}

func (it *projectSetIter) Next() ([]types.Datum, error) {
	for {
		if it.l == nil {
			row, err := it.in.Next()
			if err != nil {
				return nil, err
			}
			it.cur = append(it.cur[:0], row...)
			it.c.Row = it.cur
			if it.l, err = openLockstep(it.c, it.p.Calls); err != nil {
				return nil, err
			}
		}
		out := append(make([]types.Datum, 0, len(it.cur)+len(it.p.Calls)), it.cur...)
		out, err := it.l.next(out)
		if err == io.EOF {
			it.l.Close()
			it.l = nil
			continue
		}
		if err != nil {
			return nil, err
		}
		return out, nil
	}
}

func (it *projectSetIter) Close() {
	if it.l != nil {
		it.l.Close()
	}
	it.in.Close()
}
