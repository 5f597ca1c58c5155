package exec

import (
	"context"
	"io"
	"strconv"

	"github.com/augurdb/augur/storage/types"
)

// Result is a tag-only result: SET, BEGIN, ... produce no rows.
type Result struct{ TagText string }

// Next implements Rows: there are no rows.
func (r *Result) Next(context.Context) ([]types.Datum, error) { return nil, io.EOF }

// Tag implements Rows.
func (r *Result) Tag() string { return r.TagText }

// Close implements Rows.
func (r *Result) Close() {}

// Values returns precomputed rows (SHOW, SHOW ALL).
type Values struct {
	Rows    [][]types.Datum
	TagText string
	i       int
}

// Next implements Rows.
func (v *Values) Next(context.Context) ([]types.Datum, error) {
	if v.i >= len(v.Rows) {
		return nil, io.EOF
	}
	v.i++
	return v.Rows[v.i-1], nil
}

// Tag implements Rows.
func (v *Values) Tag() string { return v.TagText }

// Close implements Rows.
func (v *Values) Close() {}

// Project evaluates a target list over the single empty row of a SELECT without
// FROM, after an optional WHERE filter. Evaluation happens in Next, under the
// context given there, so a cancel reaches functions such as pg_sleep.
type Project struct {
	Exprs  []Expr
	Filter Expr // nil: no WHERE
	Params []types.Datum
	Sess   Session
	done   bool
	n      int
}

// Next implements Rows.
func (p *Project) Next(ctx context.Context) ([]types.Datum, error) {
	if p.done {
		return nil, io.EOF
	}
	p.done = true
	c := &Ctx{Context: ctx, Params: p.Params, Session: p.Sess}
	if err := ctx.Err(); err != nil {
		return nil, Canceled(err)
	}
	if p.Filter != nil {
		v, err := p.Filter.Eval(c)
		if err != nil {
			return nil, err
		}
		if v != true {
			return nil, io.EOF
		}
	}
	row := make([]types.Datum, len(p.Exprs))
	for i, e := range p.Exprs {
		v, err := e.Eval(c)
		if err != nil {
			return nil, err
		}
		row[i] = v
	}
	p.n++
	return row, nil
}

// Tag implements Rows.
func (p *Project) Tag() string { return "SELECT " + strconv.Itoa(p.n) }

// Close implements Rows.
func (p *Project) Close() { p.done = true }
