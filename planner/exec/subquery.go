package exec

import (
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
)

// SubqueryKind is how a subquery is used in an expression.
type SubqueryKind uint8

// Subquery kinds.
const (
	ScalarSub SubqueryKind = iota // (SELECT x ...)
	ExistsSub                     // EXISTS (SELECT ...)
	AnySub                        // x op ANY (SELECT ...), x IN (SELECT ...)
	AllSub                        // x op ALL (SELECT ...), x NOT IN (SELECT ...)
	ArraySub                      // ARRAY(SELECT x ...)
)

// Subquery evaluates a query inside an expression. An uncorrelated subquery runs
// once per execution of the statement; a correlated one runs per row, with the
// current row as its outer row.
type Subquery struct {
	Plan       Node
	Kind       SubqueryKind
	Correlated bool
	T          types.T // result type (ScalarSub, ArraySub); bool otherwise
	// Stack: ARRAY(SELECT x ...) of an array column x stacks the arrays into
	// one of one more dimension.
	Stack bool
	// X and Cmp for ANY/ALL: Cmp compares X with the subquery's single column and
	// returns true, false or NULL.
	X   Expr
	Cmp func(c *Ctx, x, v types.Datum) (types.Datum, error)
}

type subResult struct {
	rows [][]types.Datum
}

// Type implements Expr.
func (e *Subquery) Type() types.T { return e.T }

func (e *Subquery) rows(c *Ctx) ([][]types.Datum, error) {
	if c.Folding {
		return nil, errNotFoldable
	}
	if !e.Correlated && c.run != nil {
		if r, ok := c.run.subqueries[e]; ok {
			return r.rows, nil
		}
	}
	cc := *c
	cc.Outer = append(append([][]types.Datum(nil), c.Outer...), c.Row)
	cc.Row = nil
	rows, err := drain(&cc, e.Plan)
	if err != nil {
		return nil, err
	}
	if !e.Correlated && c.run != nil {
		if c.run.subqueries == nil {
			c.run.subqueries = map[*Subquery]*subResult{}
		}
		c.run.subqueries[e] = &subResult{rows: rows}
	}
	return rows, nil
}

// Eval implements Expr.
func (e *Subquery) Eval(c *Ctx) (types.Datum, error) {
	var x types.Datum
	if e.X != nil {
		if c.Folding {
			return nil, errNotFoldable
		}
		var err error
		if x, err = e.X.Eval(c); err != nil {
			return nil, err
		}
	}
	rows, err := e.rows(c)
	if err != nil {
		return nil, err
	}
	switch e.Kind {
	case ScalarSub:
		switch len(rows) {
		case 0:
			return nil, nil
		case 1:
			return rows[0][0], nil
		}
		return nil, pgerr.New(pgerrcode.CardinalityViolation, "more than one row returned by a subquery used as an expression")
	case ExistsSub:
		return len(rows) > 0, nil
	case ArraySub:
		return arrayOfRows(e.Stack, rows)
	}
	// ANY: true if any comparison is true; else NULL if any was NULL; else false.
	// ALL: false if any comparison is false; else NULL if any was NULL; else true.
	if len(rows) == 0 {
		return e.Kind == AllSub, nil
	}
	sawNull := false
	for _, r := range rows {
		v, err := e.Cmp(c, x, r[0])
		if err != nil {
			return nil, err
		}
		switch {
		case v == nil:
			sawNull = true
		case e.Kind == AnySub && v == true:
			return true, nil
		case e.Kind == AllSub && v == false:
			return false, nil
		}
	}
	if sawNull {
		return nil, nil
	}
	return e.Kind == AllSub, nil
}

// arrayOfRows is ARRAY(SELECT x ...): the column's values, NULLs included, or,
// when they are arrays, the sub-arrays of a new outer dimension.
func arrayOfRows(stack bool, rows [][]types.Datum) (types.Datum, error) {
	var agg ArrayAgg
	for _, r := range rows {
		if err := agg.add(r[0], stack); err != nil {
			return nil, err
		}
	}
	if agg.n == 0 {
		return &types.Array{}, nil
	}
	return agg.result(), nil
}
