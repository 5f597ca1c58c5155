package planner

import (
	"strings"

	"github.com/augurdb/augur/planner/exec"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

func (b *binder) subquery(n ast.ExprNode) (*relPlan, error) {
	sq, ok := n.(*ast.SubqueryExpr)
	if !ok {
		return nil, pgerr.FeatureNotSupported("subquery of kind %T is not supported yet", n)
	}
	return b.query(sq.Query, b.sc)
}

func (b *binder) scalarSubquery(e *ast.SubqueryExpr) (exec.Expr, error) {
	p, err := b.query(e.Query, b.sc)
	if err != nil {
		return nil, err
	}
	if len(p.cols) != 1 {
		return nil, pgerr.Syntax(b.nodePos(e), "subquery must return only one column")
	}
	return &exec.Subquery{Plan: p.node, Kind: exec.ScalarSub, Correlated: p.correlated, T: p.cols[0].Type}, nil
}

// subqueryCompare binds x op ANY/ALL (subquery); IN is = ANY.
func (b *binder) subqueryCompare(xn ast.ExprNode, op string, sub ast.ExprNode, all bool) (exec.Expr, error) {
	x, err := b.expr(xn)
	if err != nil {
		return nil, err
	}
	p, err := b.subquery(sub)
	if err != nil {
		return nil, err
	}
	if len(p.cols) != 1 {
		return nil, pgerr.Syntax(b.nodePos(sub), "subquery has too many columns")
	}
	vt := p.cols[0].Type
	if x.Type() == types.Unknown {
		if x, err = b.coerce(x, vt, ""); err != nil {
			return nil, err
		}
	}
	cmp, err := b.binOp(op, &exec.ColRef{Idx: 0, T: x.Type()}, &exec.ColRef{Idx: 1, T: vt})
	if err != nil {
		return nil, err
	}
	kind := exec.AnySub
	if all {
		kind = exec.AllSub
	}
	return &exec.Subquery{Plan: p.node, Kind: kind, Correlated: p.correlated, T: types.Bool, X: x,
		Cmp: func(c *exec.Ctx, xv, v types.Datum) (types.Datum, error) {
			return cmp.Eval(c.With([]types.Datum{xv, v}))
		}}, nil
}

var aggNames = map[string]bool{"count": true, "sum": true, "avg": true, "min": true, "max": true,
	"bool_and": true, "bool_or": true, "every": true, "string_agg": true, "array_agg": true,
	"json_agg": true, "jsonb_agg": true, "json_object_agg": true, "jsonb_object_agg": true}

// aggregate binds an aggregate call of the current level: its arguments over the
// input rows, its value a column of the aggregated row.
func (b *binder) aggregate(e *ast.AggregateFuncExpr) (exec.Expr, error) {
	return b.aggregateCall(e, nil, restore(e))
}

// aggregateCall binds aggregate e with the FILTER and ORDER BY of mods (nil:
// none); key identifies the whole call, so equal calls share one value.
func (b *binder) aggregateCall(e *ast.AggregateFuncExpr, mods *aggMods, key string) (exec.Expr, error) {
	name := strings.ToLower(e.F)
	if name == "group_concat" {
		name = "string_agg"
	}
	if !aggNames[name] {
		return nil, pgerr.FeatureNotSupported("aggregate function %s is not supported yet", name)
	}
	ab := (*aggBinding)(nil)
	if b.sc != nil {
		ab = b.sc.agg
	}
	if ab == nil || !ab.active {
		return nil, pgerr.New(pgerrcode.GroupingError, "aggregate functions are not allowed here").WithPosition(b.nodePos(e))
	}
	for i, k := range ab.aggKeys {
		if k == key {
			f := ab.aggs[i]
			return &exec.ColRef{Idx: len(ab.groups) + i, T: f.T}, nil
		}
	}
	ab.active = false
	defer func() { ab.active = true }()
	f, err := b.aggFunc(e, name)
	if err != nil {
		return nil, err
	}
	if err := b.applyAggMods(f, e, mods); err != nil {
		return nil, err
	}
	ab.aggs = append(ab.aggs, f)
	ab.aggKeys = append(ab.aggKeys, key)
	return &exec.ColRef{Idx: len(ab.groups) + len(ab.aggs) - 1, T: f.T}, nil
}

// aggFunc binds the arguments of aggregate name and its result type, in the
// current binding context.
func (b *binder) aggFunc(e *ast.AggregateFuncExpr, name string) (*exec.AggFunc, error) {
	f := &exec.AggFunc{Name: name, Distinct: e.Distinct}
	star := len(e.Args) == 0 || (name == "count" && len(e.Args) == 1 && isStar(e.Args[0]))
	if !star {
		arg, err := b.expr(e.Args[0])
		if err != nil {
			return nil, err
		}
		if arg.Type() == types.Unknown && (name == "json_agg" || name == "jsonb_agg") {
			return nil, pgerr.New(pgerrcode.DatatypeMismatch, "could not determine polymorphic type because input has type unknown")
		}
		if arg.Type() == types.Unknown {
			if arg, err = b.coerce(arg, types.Text, ""); err != nil {
				return nil, err
			}
		}
		if name == "string_agg" {
			if len(e.Args) < 2 {
				return nil, undefinedFunction(name, []exec.Expr{arg}).WithPosition(b.nodePos(e))
			}
			sep, err := b.expr(e.Args[1])
			if err != nil {
				return nil, err
			}
			if sep, err = b.coerce(sep, types.Text, ""); err != nil {
				return nil, err
			}
			if arg.Type().IsString() && arg.Type() != types.Text {
				arg = &exec.Cast{X: arg, T: types.Text, Typmod: -1}
			}
			f.Sep = sep
		}
		if name == "json_object_agg" || name == "jsonb_object_agg" {
			// The second argument, the value, travels in Sep.
			if len(e.Args) != 2 {
				return nil, undefinedFunction(name, []exec.Expr{arg}).WithPosition(b.nodePos(e))
			}
			v, err := b.expr(e.Args[1])
			if err != nil {
				return nil, err
			}
			if v.Type() == types.Unknown {
				if v, err = b.coerce(v, types.Text, ""); err != nil {
					return nil, err
				}
			}
			f.Sep = v
		}
		if arg.Type() == types.Float4 && (name == "sum" || name == "avg") && name == "avg" {
			arg = &exec.Cast{X: arg, T: types.Float8, Typmod: -1}
		}
		f.Arg = arg
		t, ok := exec.AggResultType(name, arg.Type())
		if !ok {
			return nil, undefinedFunction(name, []exec.Expr{arg}).WithPosition(b.nodePos(e))
		}
		f.T = t
	} else {
		if name != "count" {
			return nil, undefinedFunction(name, nil).WithPosition(b.nodePos(e))
		}
		f.T = types.Int8
	}
	return f, nil
}

func isStar(n ast.ExprNode) bool {
	if v, ok := n.(interface{ GetValue() any }); ok {
		if i, ok := v.GetValue().(int64); ok && i == 1 {
			return true // TiDB reads count(*) as count(1)
		}
	}
	return false
}

// like binds [NOT] LIKE / ILIKE.
func (b *binder) like(e *ast.PatternLikeOrIlikeExpr) (exec.Expr, error) {
	x, err := b.expr(e.Expr)
	if err != nil {
		return nil, err
	}
	pat, err := b.expr(e.Pattern)
	if err != nil {
		return nil, err
	}
	if x, err = b.coerce(x, types.Text, ""); err != nil {
		return nil, opMissing("~~", x.Type(), pat.Type())
	}
	if pat, err = b.coerce(pat, types.Text, ""); err != nil {
		return nil, err
	}
	esc := rune('\\')
	if e.Escape != 0 && e.Escape != '\\' {
		esc = rune(e.Escape)
	}
	return &exec.Like{X: x, Pattern: pat, Not: e.Not, CaseInsensitive: !e.IsLike, Escape: esc}, nil
}
