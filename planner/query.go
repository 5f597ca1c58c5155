package planner

import (
	"fmt"
	"math"
	"strings"

	"github.com/augurdb/augur/planner/exec"
	"github.com/augurdb/augur/planner/pgdialect"
	"github.com/augurdb/augur/storage/catalog"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
	driver "github.com/pingcap/tidb/pkg/parser/test_driver"
)

// relPlan is a bound query: the node producing its rows and its result columns.
type relPlan struct {
	node exec.Node
	cols []Column
	// est is the estimated number of rows.
	est float64
	// correlated: the query reads columns of an enclosing level.
	correlated bool
}

// relation is one entry of a FROM list.
type relation struct {
	name string
	// schema is the schema of a table or view referenced without an alias (a
	// column reference may then qualify it: s.t.c).
	schema string
	table  *catalog.Table // nil for a derived table
	node   exec.Node      // derived tables: the subquery's plan
	offset int
	width  int
	est    float64
	// fn is a set-returning function in FROM; lateral marks a LATERAL subquery.
	// deps are the relations of the level (bits of scope.rels) that such an item
	// reads: it is joined after them, opened per row (fromsrc.go).
	fn      *exec.FunctionScan
	lateral bool
	deps    uint64
}

// query binds a SELECT, a set operation or VALUES at a new level under parent.
func (b *binder) query(n ast.Node, parent *scope) (*relPlan, error) {
	saved := b.sc
	defer func() { b.sc = saved }()
	savedSpec := b.spec
	defer func() { b.spec = savedSpec }()
	b.sc = &scope{parent: parent}
	var p *relPlan
	var err error
	switch q := n.(type) {
	case *ast.SelectStmt:
		p, err = b.selectStmt(q)
	case *ast.SetOprStmt:
		p, err = b.setOpr(q)
	case *ast.SetOprSelectList:
		// A parenthesised set operation inside another one.
		p, err = b.setOpr(&ast.SetOprStmt{SelectList: &ast.SetOprSelectList{Selects: q.Selects}, OrderBy: q.OrderBy, Limit: q.Limit, With: q.With})
	case *ast.SubqueryExpr:
		return b.query(q.Query, parent)
	default:
		return nil, pgerr.FeatureNotSupported("query of kind %T is not supported yet", n)
	}
	if err != nil {
		return nil, err
	}
	p.correlated = p.correlated || b.sc.outerRefs
	return p, nil
}

func (b *binder) selectStmt(sel *ast.SelectStmt) (*relPlan, error) {
	branch := b.setOpBranch // only this level: subqueries inside it resolve as usual
	b.setOpBranch = false
	sel, distinctOn := splitDistinctOn(sel)
	sel, ties := splitWithTies(sel)
	if sel.With != nil {
		pop, err := b.pushWith(sel.With)
		if err != nil {
			return nil, err
		}
		defer pop()
	}
	switch {
	case sel.Kind == ast.SelectStmtKindValues:
		return b.valuesQuery(sel)
	case sel.Kind != ast.SelectStmtKindSelect:
		return nil, pgerr.FeatureNotSupported("TABLE statements are not supported yet")
	}
	var node exec.Node = exec.OneRow{}
	est := 1.0
	var where []exec.Expr
	var lc lockClause
	var lockName string
	locking := sel.LockInfo != nil && sel.LockInfo.LockType != ast.SelectLockNone
	if locking {
		lc, lockName = b.lockClause(sel.LockInfo)
	}
	if err := b.windowSetup(sel); err != nil {
		return nil, err
	}
	if sel.From != nil {
		if err := b.fromClause(sel.From.TableRefs); err != nil {
			return nil, err
		}
	}
	b.windowClause("WHERE")
	if sel.Where != nil {
		w, err := b.boolExpr(sel.Where, "argument of WHERE")
		if err != nil {
			return nil, err
		}
		where = conjuncts(w, nil)
	}
	if sel.From != nil {
		var err error
		if node, est, err = b.joinPlan(where); err != nil {
			return nil, err
		}
	} else if len(where) > 0 {
		node = &exec.Filter{Input: node, Pred: andAll(where), Info: exec.NodeInfo{Name: "Result", Rows: 1}}
		b.fold = append(b.fold, where...)
	}

	hasAgg := sel.GroupBy != nil || sel.Having != nil || hasAggregate(sel.Fields, sel.OrderBy)
	var ab *aggBinding
	if hasAgg {
		ab = &aggBinding{groupCols: map[int]int{}, input: b.sc}
		if sel.GroupBy != nil {
			b.windowClause("GROUP BY")
			if err := b.groupBy(sel.GroupBy.Items, sel.Fields, ab); err != nil {
				return nil, err
			}
		}
		b.sc.agg = ab
		ab.active = true
	}

	// Target list.
	b.windowClause("")
	var exprs []exec.Expr
	var cols []Column
	srfs, srfsDone := b.collectSRFs()
	if sel.Fields != nil {
		for _, f := range sel.Fields.Fields {
			if f.WildCard != nil {
				es, cs, err := b.star(f.WildCard)
				if err != nil {
					return nil, err
				}
				exprs, cols = append(exprs, es...), append(cols, cs...)
				continue
			}
			e, err := b.expr(f.Expr)
			if err != nil {
				return nil, err
			}
			name := f.AsName.O
			if name == "" {
				name, _ = colName(f.Expr)
			}
			if e.Type() == types.Unknown && !branch {
				if e, err = b.coerce(e, types.Text, ""); err != nil {
					return nil, err
				}
			}
			exprs = append(exprs, e)
			cols = append(cols, Column{Name: name, Type: e.Type(), Typmod: b.colTypmod(e)})
		}
	}
	srfsDone()
	if locking {
		if err := checkLockable(lockName, sel, hasAgg, b.sc.win != nil && len(b.sc.win.calls) > 0, srfs != nil && len(srfs.calls) > 0); err != nil {
			return nil, err
		}
	}
	var having exec.Expr
	if sel.Having != nil {
		b.windowClause("HAVING")
		h, err := b.boolExpr(sel.Having.Expr, "argument of HAVING")
		if err != nil {
			return nil, err
		}
		having = h
		b.windowClause("")
	}
	// ORDER BY keys: output columns, or extra (junk) columns computed beside them.
	nOut := len(exprs)
	keys, err := b.orderByKeys(sel.OrderBy, sel.Fields, cols, &exprs, sel.Distinct)
	if err != nil {
		return nil, err
	}
	orderKeys := keys
	var distinctCols []int
	if distinctOn != nil {
		var err error
		if distinctCols, keys, err = b.distinctOnKeys(distinctOn, sel.Fields, sel.OrderBy, cols, &exprs, keys); err != nil {
			return nil, err
		}
	}

	if ab != nil {
		ab.active = false
		agg := &exec.Aggregate{Input: node, Groups: ab.groups, GroupTypes: exprTypes(ab.groups), Aggs: ab.aggs, Sets: ab.sets,
			Info: exec.NodeInfo{Name: aggName(ab), Rows: groupEstimate(ab, est), Cost: est}}
		if sortAggregation(ab, keys, exprs) {
			// ORDER BY the groups: sort the input by them and aggregate the sorted
			// stream (each group is unique, so the output needs no further sort).
			sk := make([]exec.SortKey, len(ab.groups))
			for i, g := range ab.groups {
				sk[i] = exec.SortKey{Expr: g, Cmp: exec.Comparer(g.Type())}
			}
			agg.Input = &exec.Sort{Input: node, Keys: sk, Info: exec.NodeInfo{Name: "Sort", Rows: est, Cost: est * 2}}
			agg.Sorted = true
			agg.Info.Name = "GroupAggregate"
			keys = nil
		}
		node = agg
		if len(ab.groups) == 0 {
			est = 1
		} else {
			est = groupEstimate(ab, est)
		}
		if having != nil {
			node = &exec.Filter{Input: node, Pred: having, Info: exec.NodeInfo{Name: "Filter", Rows: est}}
		}
	}
	width := b.sc.width
	if ab != nil {
		width = len(ab.groups) + len(ab.aggs)
	}
	node, width = b.windowPlan(node, width, est)
	node = b.projectSet(node, srfs, width, est)
	level := 0
	if locking {
		level = b.lockJunk(&exprs)
	}
	if keys != nil && !sel.Distinct && scanOrderedBy(node, keys, exprs) {
		keys = nil // the scan returns the rows in this order already
	}
	node = &exec.Projection{Input: node, Exprs: exprs, Info: exec.NodeInfo{Name: "Projection", Rows: est}}
	if sel.From == nil {
		b.fold = append(b.fold, exprs...)
	}
	if sel.Distinct {
		node = &exec.Unique{Input: node, Types: exprTypes(exprs[:nOut]), Info: exec.NodeInfo{Name: "HashAggregate (DISTINCT)", Rows: est}}
	}
	if keys != nil {
		node = &exec.Sort{Input: node, Keys: keys, Info: exec.NodeInfo{Name: "Sort", Rows: est, Cost: est * 2}}
	}
	if distinctCols != nil {
		ts := make([]types.T, len(distinctCols))
		for i, c := range distinctCols {
			ts[i] = exprs[c].Type()
		}
		node = &exec.DistinctOn{Input: node, Cols: distinctCols, Types: ts, Info: exec.NodeInfo{Name: "Unique", Rows: est}}
	}
	if locking {
		if node, err = b.lockRows(sel.LockInfo, lc, lockName, node, exprs, level, where, est); err != nil {
			return nil, err
		}
	}
	node, err = b.limitAndTrim(node, sel.Limit, ties, orderKeys, exprs, nOut, est)
	if err != nil {
		return nil, err
	}
	return &relPlan{node: node, cols: cols, est: est}, nil
}

// limitAndTrim finishes a query level: its LIMIT/OFFSET (WITH TIES extends the
// last row's peers under the ORDER BY keys), then a projection that drops the
// columns past the first nOut of exprs, which only ORDER BY needed.
func (b *binder) limitAndTrim(node exec.Node, l *ast.Limit, ties bool, keys []exec.SortKey, exprs []exec.Expr, nOut int, est float64) (exec.Node, error) {
	if l != nil {
		lim, err := b.limit(l, node)
		if err != nil {
			return nil, err
		}
		node = lim
		if ties {
			node = withTies(node, keys)
		}
	}
	if len(exprs) > nOut {
		trim := make([]exec.Expr, nOut)
		for i := range trim {
			trim[i] = &exec.ColRef{Idx: i, T: exprs[i].Type()}
		}
		node = &exec.Projection{Input: node, Exprs: trim, Info: exec.NodeInfo{Name: "Projection", Rows: est}}
	}
	return node, nil
}

// sortAggregation reports whether ORDER BY starts with the grouping expressions in
// order (ascending, NULLS LAST): then sort aggregation also delivers the order.
func sortAggregation(ab *aggBinding, keys []exec.SortKey, exprs []exec.Expr) bool {
	if len(ab.groups) == 0 || len(keys) < len(ab.groups) || ab.sets != nil {
		return false
	}
	for i := range ab.groups {
		k := keys[i]
		ref, ok := exprs[k.Idx].(*exec.ColRef)
		if !ok || ref.Up != 0 || ref.Idx != i || k.Desc || k.NullsFirst || exec.Comparer(ab.groups[i].Type()) == nil {
			return false
		}
	}
	return true
}

func aggName(ab *aggBinding) string {
	if len(ab.groups) == 0 {
		return "Aggregate"
	}
	return "HashAggregate"
}

func groupEstimate(ab *aggBinding, in float64) float64 {
	if len(ab.groups) == 0 {
		return 1
	}
	return max(1, in/10)
}

func exprTypes(es []exec.Expr) []types.T {
	out := make([]types.T, len(es))
	for i, e := range es {
		out[i] = e.Type()
	}
	return out
}

func (b *binder) boolExpr(n ast.ExprNode, what string) (exec.Expr, error) {
	saved := b.srfClause
	b.srfClause = srfClauseOf(what)
	e, err := b.expr(n)
	b.srfClause = saved
	if err != nil {
		return nil, err
	}
	return b.coerce(e, types.Bool, what)
}

// conjuncts splits an AND tree.
func conjuncts(e exec.Expr, out []exec.Expr) []exec.Expr {
	if a, ok := e.(*exec.And); ok {
		return conjuncts(a.R, conjuncts(a.L, out))
	}
	return append(out, e)
}

func andAll(es []exec.Expr) exec.Expr {
	if len(es) == 0 {
		return nil
	}
	r := es[0]
	for _, e := range es[1:] {
		r = &exec.And{L: r, R: e}
	}
	return r
}

// hasAggregate reports whether the target list or ORDER BY calls an aggregate of
// this level (not inside a subquery).
func hasAggregate(fields *ast.FieldList, order *ast.OrderByClause) bool {
	v := &aggFinder{}
	if fields != nil {
		for _, f := range fields.Fields {
			if f.Expr != nil {
				f.Expr.Accept(v)
			}
		}
	}
	if order != nil {
		for _, it := range order.Items {
			it.Expr.Accept(v)
		}
	}
	return v.found
}

type aggFinder struct{ found bool }

func (v *aggFinder) Enter(n ast.Node) (ast.Node, bool) {
	switch x := n.(type) {
	case *ast.AggregateFuncExpr:
		v.found = true
		return n, true
	case *ast.FuncCallExpr:
		if aggNames[x.FnName.L] {
			v.found = true
			return n, true
		}
		if x.FnName.L == fnWinOver {
			windowHasAgg(x, v) // the window call itself is not an aggregate
			return n, true
		}
	case *ast.SubqueryExpr:
		return n, true
	}
	return n, false
}

func (v *aggFinder) Leave(n ast.Node) (ast.Node, bool) { return n, true }

// groupItem binds a GROUP BY item: an output column position or alias, or an
// expression over the FROM list.
//
// It also returns the expression the item stands for (the select-list expression
// of a position or an output name), whose text later matches the grouped
// expressions of the target list.
func (b *binder) groupItem(n ast.ExprNode, fields *ast.FieldList) (exec.Expr, ast.ExprNode, error) {
	if i, ok := position(n); ok && fields != nil {
		if i < 1 || i > len(fields.Fields) || fields.Fields[i-1].Expr == nil {
			return nil, nil, pgerr.New(pgerrcode.InvalidColumnReference, "GROUP BY position %d is not in select list", i).WithPosition(b.nodePos(n))
		}
		n = fields.Fields[i-1].Expr
	} else if c, ok := n.(*ast.ColumnNameExpr); ok && c.Name.Table.O == "" && fields != nil {
		if _, err := b.lookup("", c.Name.Name.O, 0); err != nil {
			for _, f := range fields.Fields {
				if f.AsName.O == c.Name.Name.O && f.Expr != nil {
					n = f.Expr
					break
				}
			}
		}
	}
	e, err := b.expr(n)
	return e, n, err
}

// orderItem resolves an ORDER BY item to a column of exprs, appending a junk
// column when it is not an output column.
func (b *binder) orderItem(n ast.ExprNode, fields *ast.FieldList, cols []Column, exprs *[]exec.Expr, distinct bool) (int, error) {
	if i, ok := position(n); ok {
		if i < 1 || i > len(cols) {
			return 0, pgerr.New(pgerrcode.InvalidColumnReference, "ORDER BY position %d is not in select list", i).WithPosition(b.nodePos(n))
		}
		return i - 1, nil
	}
	if c, ok := n.(*ast.ColumnNameExpr); ok && c.Name.Table.O == "" {
		match := -1
		for i, col := range cols {
			if col.Name == c.Name.Name.O {
				if fields != nil && i < len(fields.Fields) && fields.Fields[i].AsName.O == "" {
					if _, isCol := fields.Fields[i].Expr.(*ast.ColumnNameExpr); !isCol {
						continue
					}
				}
				if match >= 0 {
					return 0, pgerr.New(pgerrcode.AmbiguousColumn, "ORDER BY %q is ambiguous", c.Name.Name.O).WithPosition(b.nodePos(n))
				}
				match = i
			}
		}
		if match >= 0 {
			return match, nil
		}
	}
	e, err := b.expr(n)
	if err != nil {
		return 0, err
	}
	key := restore(n)
	if fields != nil {
		for i, f := range fields.Fields {
			if f.Expr != nil && i < len(cols) && restore(f.Expr) == key {
				return i, nil
			}
		}
	}
	if ref, ok := e.(*exec.ColRef); ok {
		for i, x := range (*exprs)[:len(cols)] {
			if r2, ok := x.(*exec.ColRef); ok && r2.Up == ref.Up && r2.Idx == ref.Idx {
				return i, nil
			}
		}
	}
	if distinct {
		return 0, pgerr.New(pgerrcode.InvalidColumnReference, "for SELECT DISTINCT, ORDER BY expressions must appear in select list").WithPosition(b.nodePos(n))
	}
	if e.Type() == types.Unknown {
		if e, err = b.coerce(e, types.Text, ""); err != nil {
			return 0, err
		}
	}
	*exprs = append(*exprs, e)
	return len(*exprs) - 1, nil
}

func unparen(e ast.ExprNode) ast.ExprNode {
	for {
		p, ok := e.(*ast.ParenthesesExpr)
		if !ok {
			return e
		}
		e = p.Expr
	}
}

// orderByKeys binds the items of an ORDER BY (nil: none) to sort keys over
// exprs, the output columns cols, adding to exprs the keys that are not among
// them (see orderItem).
func (b *binder) orderByKeys(order *ast.OrderByClause, fields *ast.FieldList, cols []Column, exprs *[]exec.Expr, distinct bool) ([]exec.SortKey, error) {
	if order == nil {
		return nil, nil
	}
	var keys []exec.SortKey
	for _, it := range order.Items {
		item, nulls := nullsOrder(it.Expr)
		idx, err := b.orderItem(item, fields, cols, exprs, distinct)
		if err != nil {
			return nil, err
		}
		t := (*exprs)[idx].Type()
		cmp := exec.Comparer(t)
		if cmp == nil {
			return nil, pgerr.New(pgerrcode.UndefinedFunction, "could not identify an ordering operator for type %s", t.SQLName())
		}
		nullsFirst := it.Desc // PostgreSQL's default: NULLs are larger than any value
		if nulls != 0 {
			nullsFirst = nulls > 0
		}
		keys = append(keys, exec.SortKey{Idx: idx, Desc: it.Desc, NullsFirst: nullsFirst, Cmp: cmp})
	}
	return keys, nil
}

// nullsOrder unwraps an ORDER BY item marked NULLS FIRST (1) or NULLS LAST (-1).
func nullsOrder(n ast.ExprNode) (ast.ExprNode, int) {
	if f, ok := unparen(n).(*ast.FuncCallExpr); ok && len(f.Args) == 1 {
		switch f.FnName.L {
		case fnNullsFirst:
			return f.Args[0], 1
		case fnNullsLast:
			return f.Args[0], -1
		}
	}
	return n, 0
}

// position returns the column number of an ORDER BY / GROUP BY position.
func position(n ast.ExprNode) (int, bool) {
	switch x := n.(type) {
	case *ast.PositionExpr:
		if x.P == nil {
			return x.N, true
		}
	case *driver.ValueExpr:
		if x.Kind() == driver.KindInt64 {
			return int(x.GetInt64()), true
		}
	}
	return 0, false
}

func (b *binder) limit(l *ast.Limit, in exec.Node) (exec.Node, error) {
	bind := func(n ast.ExprNode, what string) (exec.Expr, error) {
		if n == nil {
			return nil, nil
		}
		if v, ok := n.(*driver.ValueExpr); ok && (v.Kind() == driver.KindInt64 && v.GetInt64() > limitParamBase || v.Kind() == driver.KindUint64 && v.GetUint64() > limitParamBase) {
			// LIMIT $n (see rewriteLimits).
			idx := int64(v.GetUint64() - limitParamBase)
			if v.Kind() == driver.KindInt64 {
				idx = v.GetInt64() - limitParamBase
			}
			n = &ast.FuncCallExpr{FnName: ast.NewCIStr(pgdialect.FnParam), Args: []ast.ExprNode{ast.NewValueExpr(idx, "", "")}}
		}
		e, err := b.expr(n)
		if err != nil {
			return nil, err
		}
		if c, ok := e.(*exec.Const); ok && c.Val == nil {
			return nil, nil // LIMIT NULL / LIMIT ALL
		}
		return b.coerce(e, types.Int8, "argument of "+what)
	}
	count, err := bind(l.Count, "LIMIT")
	if err != nil {
		return nil, err
	}
	offset, err := bind(l.Offset, "OFFSET")
	if err != nil {
		return nil, err
	}
	return &exec.Limit{Input: in, Count: count, Offset: offset, Info: exec.NodeInfo{Name: "Limit"}}, nil
}

// star expands * or t.*.
func (b *binder) star(w *ast.WildCardField) ([]exec.Expr, []Column, error) {
	var es []exec.Expr
	var cs []Column
	rel := w.Table.O
	if rel == "" && len(b.sc.rels) == 0 {
		pos := int32(0)
		for _, t := range b.st.toks {
			if t.IsOp("*") {
				pos = b.pos(t.Pos)
				break
			}
		}
		return nil, nil, pgerr.Syntax(pos, "SELECT * with no tables specified is not valid")
	}
	found := false
	for _, c := range b.sc.cols {
		if c.system || (rel != "" && c.rel != rel) || (rel == "" && c.noStar) {
			continue
		}
		found = true
		var ref exec.Expr = &exec.ColRef{Idx: c.idx, T: c.t, Name: c.name}
		if b.sc.agg != nil && b.sc.agg.active {
			var err error
			if ref, err = b.lookup(c.rel, c.name, 0); err != nil {
				return nil, nil, err
			}
		}
		es = append(es, ref)
		cs = append(cs, Column{Name: c.name, Type: c.t, Typmod: c.typmod})
	}
	if rel != "" && !found {
		return nil, nil, pgerr.New(pgerrcode.UndefinedTable, "missing FROM-clause entry for table %q", rel)
	}
	return es, cs, nil
}

// valuesQuery binds VALUES (...), (...) as a query.
func (b *binder) valuesQuery(sel *ast.SelectStmt) (*relPlan, error) {
	rows, ts, err := b.valuesLists(sel.Lists, nil)
	if err != nil {
		return nil, err
	}
	cols := make([]Column, len(ts))
	for i, t := range ts {
		cols[i] = Column{Name: fmt.Sprintf("column%d", i+1), Type: t, Typmod: -1}
	}
	var node exec.Node = &exec.ValuesNode{Rows: rows, Info: exec.NodeInfo{Name: "Values Scan", Rows: float64(len(rows))}}
	p := &relPlan{node: node, cols: cols, est: float64(len(rows))}
	return b.valuesOrderLimit(sel, p)
}

// valuesLists binds VALUES rows, unifying each column's type (or coercing to
// target when given).
func (b *binder) valuesLists(lists []*ast.RowExpr, target []types.T) ([][]exec.Expr, []types.T, error) {
	var rows [][]exec.Expr
	for _, l := range lists {
		var row []exec.Expr
		for _, v := range l.Values {
			e, err := b.expr(v)
			if err != nil {
				return nil, nil, err
			}
			row = append(row, e)
		}
		if len(rows) > 0 && len(row) != len(rows[0]) {
			return nil, nil, pgerr.Syntax(0, "VALUES lists must all be the same length")
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, nil, nil
	}
	ts := make([]types.T, len(rows[0]))
	for j := range ts {
		col := make([]exec.Expr, len(rows))
		for i := range rows {
			col[i] = rows[i][j]
		}
		t, err := b.unify(col, "VALUES", "")
		if err != nil {
			return nil, nil, err
		}
		for i := range rows {
			rows[i][j] = col[i]
		}
		ts[j] = t
	}
	return rows, ts, nil
}

// setOpr binds UNION / INTERSECT / EXCEPT chains (left-associative as written;
// INTERSECT binds tighter, which the TiDB grammar already reflects).
func (b *binder) setOpr(s *ast.SetOprStmt) (*relPlan, error) {
	if s.With != nil {
		pop, err := b.pushWith(s.With)
		if err != nil {
			return nil, err
		}
		defer pop()
	}
	branch := b.setOpBranch
	b.setOpBranch = false
	parent := b.sc.parent
	var cur *relPlan
	for i, sel := range s.SelectList.Selects {
		// A branch's untyped literals take their type from the other branches
		// (select_common_type), so they stay unknown until combine.
		b.setOpBranch = true
		p, err := b.query(sel, parent)
		b.setOpBranch = false
		if err != nil {
			return nil, err
		}
		if i == 0 {
			cur = p
			continue
		}
		var op ast.SetOprType
		switch x := sel.(type) {
		case *ast.SelectStmt:
			op = *x.AfterSetOperator
		case *ast.SetOprSelectList:
			op = *x.AfterSetOperator
		}
		if cur, err = b.combine(cur, p, op); err != nil {
			return nil, err
		}
	}
	node := cur.node
	if !branch {
		// The outermost set operation: what is still unknown is text.
		var fix []exec.Expr
		for i, c := range cur.cols {
			if c.Type == types.Unknown {
				if fix == nil {
					fix = make([]exec.Expr, len(cur.cols))
					for j, c2 := range cur.cols {
						fix[j] = &exec.ColRef{Idx: j, T: c2.Type}
					}
				}
				fix[i] = &exec.Cast{X: &exec.ColRef{Idx: i, T: types.Unknown}, T: types.Text, Typmod: -1}
				cur.cols[i].Type = types.Text
			}
		}
		if fix != nil {
			node = &exec.Projection{Input: node, Exprs: fix, Info: exec.NodeInfo{Name: "Projection", Rows: cur.est}}
		}
	}
	if s.OrderBy != nil {
		var keys []exec.SortKey
		for _, it := range s.OrderBy.Items {
			expr, nulls := nullsOrder(it.Expr)
			idx := -1
			if i, ok := position(expr); ok {
				if idx = i - 1; idx < 0 || idx >= len(cur.cols) {
					return nil, pgerr.New(pgerrcode.InvalidColumnReference, "ORDER BY position %d is not in select list", i)
				}
			}
			switch x := expr.(type) {
			case *ast.ColumnNameExpr:
				for i, c := range cur.cols {
					if c.Name == x.Name.Name.O {
						idx = i
						break
					}
				}
			}
			if idx < 0 {
				return nil, pgerr.FeatureNotSupported("ORDER BY on a UNION/INTERSECT/EXCEPT result must name a result column")
			}
			nullsFirst := it.Desc
			if nulls != 0 {
				nullsFirst = nulls > 0
			}
			keys = append(keys, exec.SortKey{Idx: idx, Desc: it.Desc, NullsFirst: nullsFirst, Cmp: exec.Comparer(cur.cols[idx].Type)})
		}
		node = &exec.Sort{Input: node, Keys: keys, Info: exec.NodeInfo{Name: "Sort", Rows: cur.est}}
	}
	if s.Limit != nil {
		l, err := b.limit(s.Limit, node)
		if err != nil {
			return nil, err
		}
		node = l
	}
	return &relPlan{node: node, cols: cur.cols, est: cur.est, correlated: cur.correlated}, nil
}

func (b *binder) combine(l, r *relPlan, op ast.SetOprType) (*relPlan, error) {
	var kind exec.SetOpKind
	all := false
	name := ""
	switch op {
	case ast.Union, ast.UnionAll:
		kind, all, name = exec.Union, op == ast.UnionAll, "UNION"
	case ast.Intersect, ast.IntersectAll:
		kind, all, name = exec.Intersect, op == ast.IntersectAll, "INTERSECT"
	case ast.Except, ast.ExceptAll:
		kind, all, name = exec.Except, op == ast.ExceptAll, "EXCEPT"
	}
	if len(l.cols) != len(r.cols) {
		return nil, pgerr.Syntax(0, "each %s query must have the same number of columns", name)
	}
	lx := make([]exec.Expr, len(l.cols))
	rx := make([]exec.Expr, len(r.cols))
	cols := make([]Column, len(l.cols))
	castL, castR := false, false
	for i := range l.cols {
		lt, rt := l.cols[i].Type, r.cols[i].Type
		pair := []exec.Expr{&exec.ColRef{Idx: i, T: lt}, &exec.ColRef{Idx: i, T: rt}}
		t := types.Unknown
		if lt != types.Unknown || rt != types.Unknown {
			var err error
			if t, err = b.commonType(pair, name); err != nil {
				return nil, err
			}
		}
		for j, x := range []*exec.Expr{&lx[i], &rx[i]} {
			if pair[j].Type() == types.Unknown && t != types.Unknown {
				// An untyped literal's text read as the branch type.
				*x = &exec.Cast{X: pair[j], T: t, Typmod: -1}
				continue
			}
			var err error
			if *x, err = b.coerce(pair[j], t, ""); err != nil {
				return nil, err
			}
		}
		castL = castL || lt != t
		castR = castR || rt != t
		cols[i] = Column{Name: l.cols[i].Name, Type: t, Typmod: -1}
		if lt == rt && l.cols[i].Typmod == r.cols[i].Typmod {
			cols[i].Typmod = l.cols[i].Typmod
		}
	}
	ln, rn := l.node, r.node
	if castL {
		ln = &exec.Projection{Input: ln, Exprs: lx, Info: exec.NodeInfo{Name: "Projection", Rows: l.est}}
	}
	if castR {
		rn = &exec.Projection{Input: rn, Exprs: rx, Info: exec.NodeInfo{Name: "Projection", Rows: r.est}}
	}
	label := name
	if all {
		label += " ALL"
	}
	n := &exec.SetOp{Left: ln, Right: rn, Kind: kind, All: all, Types: exprTypes(lx),
		Info: exec.NodeInfo{Name: label, Rows: l.est + r.est, Children: []exec.Node{ln, rn}}}
	return &relPlan{node: n, cols: cols, est: l.est + r.est, correlated: l.correlated || r.correlated}, nil
}

// ---- FROM ----

// joinSpec is the FROM list's join structure: the leaves of inner joins with
// their conditions, or an outer join over two sub-specs.
type joinSpec struct {
	rel         *relation
	kind        exec.JoinKind
	left, right *joinSpec
	on          []exec.Expr
	inner       bool // an inner-join group: children in left/right, conditions in on
}

func (b *binder) fromClause(j *ast.Join) error {
	spec, err := b.joinTree(j)
	if err != nil {
		return err
	}
	b.spec = spec
	return nil
}

func (b *binder) joinTree(n ast.ResultSetNode) (*joinSpec, error) {
	switch x := n.(type) {
	case *ast.Join:
		left, err := b.joinTree(x.Left)
		if err != nil {
			return nil, err
		}
		if x.Right == nil {
			return left, nil
		}
		right, err := b.joinTree(x.Right)
		if err != nil {
			return nil, err
		}
		kind := exec.InnerJoin
		switch x.Tp {
		case ast.LeftJoin:
			kind = exec.LeftJoin
		case ast.RightJoin:
			kind = exec.RightJoin
		}
		spec := &joinSpec{kind: kind, left: left, right: right, inner: kind == exec.InnerJoin}
		if x.NaturalJoin || len(x.Using) > 0 {
			var names []string
			if x.NaturalJoin {
				names = b.commonNames(left, right)
			}
			for _, u := range x.Using {
				names = append(names, u.Name.O)
			}
			conds, err := b.using(left, right, names, kind)
			if err != nil {
				return nil, err
			}
			spec.on = conds
		}
		on := x.On
		if on != nil {
			if and, ok := unparen(on.Expr).(*ast.BinaryOperationExpr); ok && and.Op == opcode.LogicAnd {
				if f, ok := unparen(and.L).(*ast.FuncCallExpr); ok && f.FnName.L == fnFullJoin {
					spec.kind, spec.inner = exec.FullJoin, false
					on = &ast.OnCondition{Expr: and.R}
				}
			}
		}
		if on != nil {
			e, err := b.boolExpr(on.Expr, "argument of JOIN/ON")
			if err != nil {
				return nil, err
			}
			spec.on = conjuncts(e, spec.on)
		}
		return spec, nil
	case *ast.TableSource:
		r, err := b.tableSource(x)
		if err != nil {
			return nil, err
		}
		return &joinSpec{rel: r}, nil
	}
	return nil, pgerr.FeatureNotSupported("FROM item %T is not supported yet", n)
}

func (s *joinSpec) rels(out []*relation) []*relation {
	if s.rel != nil {
		return append(out, s.rel)
	}
	return s.right.rels(s.left.rels(out))
}

func (b *binder) relCols(r *relation) []*scopeCol {
	var out []*scopeCol
	for i := range b.sc.cols {
		c := &b.sc.cols[i]
		if c.idx >= r.offset && c.idx < r.offset+r.width && !c.hidden {
			out = append(out, c)
		}
	}
	return out
}

func (b *binder) commonNames(l, r *joinSpec) []string {
	var out []string
	for _, lr := range l.rels(nil) {
		for _, lc := range b.relCols(lr) {
			for _, rr := range r.rels(nil) {
				for _, rc := range b.relCols(rr) {
					if lc.name == rc.name {
						out = append(out, lc.name)
					}
				}
			}
		}
	}
	return out
}

// using turns USING (names) into equality conditions and hides the right-hand
// columns from unqualified references and *.
func (b *binder) using(l, r *joinSpec, names []string, kind exec.JoinKind) ([]exec.Expr, error) {
	var conds []exec.Expr
	for _, name := range names {
		find := func(s *joinSpec) *scopeCol {
			for _, rel := range s.rels(nil) {
				for _, c := range b.relCols(rel) {
					if c.name == name {
						return c
					}
				}
			}
			return nil
		}
		lc, rc := find(l), find(r)
		if lc == nil || rc == nil {
			side := "left"
			if lc != nil {
				side = "right"
			}
			return nil, pgerr.New(pgerrcode.UndefinedColumn, "column %q specified in USING clause does not exist in %s table", name, side)
		}
		eq, err := b.binOp("=", &exec.ColRef{Idx: lc.idx, T: lc.t, Name: name}, &exec.ColRef{Idx: rc.idx, T: rc.t, Name: name})
		if err != nil {
			return nil, err
		}
		conds = append(conds, eq)
		if kind == exec.RightJoin {
			lc.hidden, lc.noStar = true, true
		} else {
			rc.hidden, rc.noStar = true, true
		}
	}
	return conds, nil
}

func (b *binder) tableSource(ts *ast.TableSource) (*relation, error) {
	if it, ok := b.fromItemOf(ts.AsName.O); ok {
		return b.rewrittenSource(ts, it)
	}
	alias := ts.AsName.O
	switch src := ts.Source.(type) {
	case *ast.TableName:
		name := src.Name.O
		if src.Schema.O == "" {
			if cte := b.findCTE(name); cte != nil {
				if alias == "" {
					alias = name
				}
				return b.cteSource(cte, alias)
			}
		}
		if r, ok, err := b.systemSource(src, alias); ok {
			return r, err
		}
		t, err := b.tableName(src)
		if err != nil {
			if r, ok, serr := b.sequenceSource(src, alias); ok {
				return r, serr
			}
			return nil, err
		}
		schema := ""
		if alias == "" {
			alias, schema = name, t.Schema
		}
		if b.planner.refs != nil {
			b.planner.refs[t.QName().String()] = true
		}
		if t.IsView() {
			r, err := b.viewSource(t, alias)
			if r != nil {
				r.schema = schema
			}
			return r, err
		}
		r := &relation{name: alias, schema: schema, table: t, offset: b.sc.width, width: len(t.Columns), est: b.tableEstimate(t)}
		if err := b.addRel(r); err != nil {
			return nil, err
		}
		for i := range t.Columns {
			c := &t.Columns[i]
			if c.Dropped {
				continue
			}
			b.sc.cols = append(b.sc.cols, scopeCol{rel: alias, schema: schema, name: c.Name, t: c.Type, typmod: c.Typmod, idx: r.offset + i, hidden: c.Hidden, system: c.Hidden})
		}
		return r, nil
	case *ast.SelectStmt, *ast.SetOprStmt:
		if alias == "" {
			return nil, pgerr.Syntax(0, "subquery in FROM must have an alias").WithHint("For example, FROM (SELECT ...) [AS] foo.")
		}
		if ts.Lateral {
			return b.lateralSource(src, alias, ts.ColumnNames)
		}
		p, err := b.derivedQuery(src)
		if err != nil {
			return nil, err
		}
		return b.derived(alias, p, nil)
	}
	return nil, pgerr.FeatureNotSupported("FROM item %T is not supported yet", ts.Source)
}

// identPos is the position of the first token naming ident in the statement
// (the TiDB parser does not locate table names).
func (b *binder) identPos(ident string) int32 {
	for _, t := range b.st.toks {
		if (t.Kind == pgdialect.Ident || t.Kind == pgdialect.QIdent) && t.Val == ident {
			return b.pos(t.Pos)
		}
	}
	return 0
}

func (b *binder) addRel(r *relation) error {
	for _, x := range b.sc.rels {
		// s.t and public.t may both be in a FROM list (s.t.c tells them apart).
		if x.name == r.name && (x.schema == "" || r.schema == "" || x.schema == r.schema) {
			return pgerr.New(pgerrcode.DuplicateAlias, "table name %q specified more than once", r.name)
		}
	}
	b.sc.rels = append(b.sc.rels, r)
	b.sc.width += r.width
	return nil
}

// derived adds a subquery's result as a relation of the current level.
func (b *binder) derived(alias string, p *relPlan, names []string) (*relation, error) {
	r := &relation{name: alias, offset: b.sc.width, width: len(p.cols), est: p.est}
	r.node = p.node
	if err := b.addRel(r); err != nil {
		return nil, err
	}
	for i, c := range p.cols {
		name := c.Name
		if i < len(names) {
			name = names[i]
		}
		b.sc.cols = append(b.sc.cols, scopeCol{rel: alias, name: name, t: c.Type, typmod: c.Typmod, idx: r.offset + i})
	}
	return r, nil
}

func (b *binder) viewSource(t *catalog.Table, alias string) (*relation, error) {
	if b.depth > 32 {
		return nil, pgerr.New(pgerrcode.InvalidObjectDefinition, "infinite recursion detected in rules for relation %q", t.Name)
	}
	stmts, err := b.planner.Parse(t.ViewSQL)
	if err != nil || len(stmts) != 1 || stmts[0].node == nil {
		return nil, fmt.Errorf("planner: view %s: cannot parse its query: %v", t.Name, err)
	}
	vb := &binder{st: stmts[0], planner: b.planner, schema: b.schema, db: b.db, ns: b.ns.with(t.SearchPath), depth: b.depth + 1, params: b.params, fixed: b.fixed}
	vb.sc = &scope{}
	saved, savedRefs := b.planner.ctes, b.planner.refs // a view does not see the WITH queries of the statement using it
	b.planner.ctes, b.planner.refs = nil, nil
	p, err := vb.query(stmts[0].node, nil)
	b.planner.ctes, b.planner.refs = saved, savedRefs
	if err != nil {
		return nil, err
	}
	var names []string
	for _, c := range t.Columns {
		names = append(names, c.Name)
	}
	return b.derived(alias, p, names)
}

// tableEstimate is the planner's row count of a table.
func (b *binder) tableEstimate(t *catalog.Table) float64 {
	if b.stats != nil {
		if n, ok := b.stats(t.ID); ok {
			return max(1, float64(n))
		}
	}
	return 1000
}

// ---- access paths and join order ----

// refs returns the set of this level's relations an expression reads (by index
// in rels), and whether it reads anything volatile or not understood.
func (b *binder) exprRels(e exec.Expr, rels []*relation) uint64 {
	var set uint64
	walkExpr(e, func(x exec.Expr) {
		switch r := x.(type) {
		case *exec.ColRef:
			if r.Up != 0 {
				return
			}
			for i, rel := range rels {
				if r.Idx >= rel.offset && r.Idx < rel.offset+rel.width {
					set |= 1 << uint(i)
				}
			}
		case *exec.Subquery:
			if r.Correlated { // may read any relation of this level: evaluate last
				set = ^uint64(0)
			}
		}
	})
	return set
}

// joinPlan builds the plan of the FROM list with WHERE conjuncts.
func (b *binder) joinPlan(where []exec.Expr) (exec.Node, float64, error) {
	spec := b.spec
	if spec.rel == nil && !allInner(spec) {
		n, est, err := b.planSpec(spec)
		if err != nil {
			return nil, 0, err
		}
		if len(where) > 0 {
			n = &exec.Filter{Input: n, Pred: andAll(where), Info: exec.NodeInfo{Name: "Filter", Rows: est / 3}}
			est /= 3
		}
		return n, est, nil
	}
	var conds []exec.Expr
	collectInner(spec, &conds)
	return b.innerJoin(spec.rels(nil), append(conds, where...))
}

func allInner(s *joinSpec) bool {
	if s.rel != nil {
		return true
	}
	return s.inner && allInner(s.left) && allInner(s.right)
}

func collectInner(s *joinSpec, out *[]exec.Expr) {
	if s.rel != nil {
		return
	}
	*out = append(*out, s.on...)
	collectInner(s.left, out)
	collectInner(s.right, out)
}

// planSpec plans a join tree with outer joins as written.
func (b *binder) planSpec(s *joinSpec) (exec.Node, float64, error) {
	if s.rel != nil || allInner(s) {
		if err := b.checkDeps(s); err != nil {
			return nil, 0, err
		}
		var conds []exec.Expr
		collectInner(s, &conds)
		return b.innerJoin(s.rels(nil), conds)
	}
	l, le, err := b.planSpec(s.left)
	if err != nil {
		return nil, 0, err
	}
	if s.right.rel != nil && s.right.rel.deps != 0 {
		return b.lateralJoin(l, le, s)
	}
	r, re, err := b.planSpec(s.right)
	if err != nil {
		return nil, 0, err
	}
	rels := append(s.left.rels(nil), s.right.rels(nil)...)
	nl := len(s.left.rels(nil))
	var leftSet, rightSet uint64
	for i := range rels {
		if i < nl {
			leftSet |= 1 << uint(i)
		} else {
			rightSet |= 1 << uint(i)
		}
	}
	est := max(le, re)
	return b.joinNodes(l, r, s.kind, s.on, rels, leftSet, rightSet, est), est, nil
}

// joinNodes joins two planned sides: a hash join on the equality conditions
// between them, a nested loop otherwise.
func (b *binder) joinNodes(l, r exec.Node, kind exec.JoinKind, conds []exec.Expr, rels []*relation, leftSet, rightSet uint64, est float64) exec.Node {
	var lk, rk []exec.Expr
	var kt []types.T
	var rest []exec.Expr
	for _, c := range conds {
		if x, y, ok := equiSides(c); ok {
			xs, ys := b.exprRels(x, rels), b.exprRels(y, rels)
			switch {
			case xs != 0 && ys != 0 && xs&^leftSet == 0 && ys&^rightSet == 0:
				lk, rk, kt = append(lk, x), append(rk, y), append(kt, x.Type())
				continue
			case xs != 0 && ys != 0 && ys&^leftSet == 0 && xs&^rightSet == 0:
				lk, rk, kt = append(lk, y), append(rk, x), append(kt, x.Type())
				continue
			}
		}
		rest = append(rest, c)
	}
	slots := relSlots(rels, rightSet)
	if len(lk) > 0 {
		return &exec.HashJoin{Left: l, Right: r, Kind: kind, LeftKeys: lk, RightKeys: rk, KeyTypes: kt, Pred: andAll(rest),
			Width: b.sc.width, RightSlots: slots,
			Info: exec.NodeInfo{Name: joinName("Hash", kind), Rows: est, Cost: est, Details: condDetails("Hash Cond", conds), Children: []exec.Node{l, r}}}
	}
	return &exec.NestedLoop{Left: l, Right: r, Kind: kind, Pred: andAll(conds), Width: b.sc.width, RightSlots: slots,
		Info: exec.NodeInfo{Name: joinName("Nested Loop", kind), Rows: est, Cost: est, Children: []exec.Node{l, r}}}
}

func joinName(method string, kind exec.JoinKind) string {
	switch kind {
	case exec.LeftJoin:
		return method + " Left Join"
	case exec.RightJoin:
		return method + " Right Join"
	case exec.FullJoin:
		return method + " Full Join"
	}
	if method == "Nested Loop" {
		return method
	}
	return method + " Join"
}

func relSlots(rels []*relation, set uint64) [][2]int {
	var out [][2]int
	for i, r := range rels {
		if set&(1<<uint(i)) != 0 {
			out = append(out, [2]int{r.offset, r.offset + r.width})
		}
	}
	return out
}

// equiSides returns the sides of an equality comparison.
func equiSides(e exec.Expr) (exec.Expr, exec.Expr, bool) {
	if op, ok := e.(*exec.BinOp); ok && op.Op == "=" {
		return op.L, op.R, true
	}
	return nil, nil, false
}

func condDetails(label string, conds []exec.Expr) []string {
	if len(conds) == 0 {
		return nil
	}
	return []string{label + ": " + exprString(andAll(conds))}
}

// innerJoin plans an inner join of rels with conds. The join order is chosen by
// estimated cost (the sum of the rows each join produces): exhaustively over
// every left-deep order for up to exhaustiveJoin relations, greedily beyond (the
// cheapest relation first, then repeatedly the relation whose join yields the
// fewest rows). Each join step is an index nested loop when an index of the new
// relation fits an equality with the joined ones, a hash join on equalities
// otherwise, a nested loop without them; each condition is applied as soon as
// every relation it reads has been joined.
func (b *binder) innerJoin(rels []*relation, conds []exec.Expr) (exec.Node, float64, error) {
	jp := &joinPlanner{b: b, all: b.sc.rels, paths: map[*relation]access{}}
	for _, c := range conds {
		jp.cs = append(jp.cs, joinCond{e: c, set: b.exprRels(c, jp.all)})
	}
	for _, r := range rels {
		n, est, err := b.accessPath(r, jp.local(r, 0), nil, 0)
		if err != nil {
			return nil, 0, err
		}
		jp.paths[r] = access{n, est}
	}
	var order []*relation
	if len(rels) <= exhaustiveJoin {
		best := -1.0
		err := permute(rels, func(o []*relation) error {
			cost, err := jp.cost(o)
			if err == nil && (best < 0 || cost < best) {
				best, order = cost, append([]*relation(nil), o...)
			}
			return err
		})
		if err != nil {
			return nil, 0, err
		}
	} else {
		var err error
		if order, err = jp.greedy(rels); err != nil {
			return nil, 0, err
		}
	}
	return jp.build(order)
}

// exhaustiveJoin is the largest join whose orders are all costed (5! = 120).
const exhaustiveJoin = 5

type access struct {
	node exec.Node
	est  float64
}

type joinCond struct {
	e   exec.Expr
	set uint64 // relations read (all bits: evaluate last)
}

// joinPlanner orders and builds one inner join.
type joinPlanner struct {
	b     *binder
	all   []*relation
	cs    []joinCond
	paths map[*relation]access // each relation read alone
}

func (jp *joinPlanner) bit(r *relation) uint64 {
	for i, x := range jp.all {
		if x == r {
			return 1 << uint(i)
		}
	}
	return 0
}

// local returns the conditions that read r and otherwise only joined relations.
func (jp *joinPlanner) local(r *relation, joined uint64) []exec.Expr {
	bit := jp.bit(r)
	var out []exec.Expr
	for _, c := range jp.cs {
		if c.set&bit != 0 && c.set&^(joined|bit) == 0 {
			out = append(out, c.e)
		}
	}
	return out
}

// covered returns the conditions that joining up to now makes evaluable and
// that were not evaluable at prev.
func (jp *joinPlanner) covered(prev, now uint64) []exec.Expr {
	var out []exec.Expr
	for _, c := range jp.cs {
		if c.set != 0 && c.set&^now == 0 && (c.set&^prev != 0 || prev == 0) {
			out = append(out, c.e)
		}
	}
	return out
}

// step estimates joining r to the joined relations (curEst rows): the rows it
// yields and, when an index of r fits, the index lookup to use.
func (jp *joinPlanner) step(curEst float64, joined uint64, r *relation) (float64, exec.Node, error) {
	if r.deps != 0 {
		return jp.dependentStep(curEst, joined, r)
	}
	bit := jp.bit(r)
	connected := false
	for _, c := range jp.cs {
		if c.set&bit != 0 && c.set&joined != 0 && c.set&^(joined|bit) == 0 {
			connected = true
		}
	}
	alone := jp.paths[r].est
	if !connected {
		return curEst * alone * 10, nil, nil // a cross product: avoid while there is a choice
	}
	n, e, err := jp.b.accessPath(r, jp.local(r, joined), jp.all, joined)
	if err != nil {
		return 0, nil, err
	}
	if n != nil && e < alone {
		return max(1, curEst*e), n, nil
	}
	return max(curEst, alone), nil, nil
}

// cost is the estimated cost of a join order: the rows read and produced.
func (jp *joinPlanner) cost(order []*relation) (float64, error) {
	if order[0].deps != 0 {
		return math.Inf(1), nil // reads relations that come later
	}
	cur := jp.paths[order[0]].est
	cost := cur
	joined := jp.bit(order[0])
	for _, r := range order[1:] {
		est, lookup, err := jp.step(cur, joined, r)
		if err != nil {
			return 0, err
		}
		if lookup == nil {
			cost += jp.paths[r].est // the other side is read whole
		}
		cost += est
		cur, joined = est, joined|jp.bit(r)
	}
	return cost, nil
}

func (jp *joinPlanner) greedy(rels []*relation) ([]*relation, error) {
	remaining := append([]*relation(nil), rels...)
	first := -1
	for i, r := range remaining {
		if r.deps == 0 && (first < 0 || jp.paths[r].est < jp.paths[remaining[first]].est) {
			first = i
		}
	}
	order := []*relation{remaining[first]}
	cur, joined := jp.paths[remaining[first]].est, jp.bit(remaining[first])
	remaining = append(remaining[:first], remaining[first+1:]...)
	for len(remaining) > 0 {
		best, bestEst := -1, 0.0
		for i, r := range remaining {
			est, _, err := jp.step(cur, joined, r)
			if err != nil {
				return nil, err
			}
			if best < 0 || est < bestEst {
				best, bestEst = i, est
			}
		}
		r := remaining[best]
		order = append(order, r)
		cur, joined = bestEst, joined|jp.bit(r)
		remaining = append(remaining[:best], remaining[best+1:]...)
	}
	return order, nil
}

// build makes the plan of a join order.
func (jp *joinPlanner) build(order []*relation) (exec.Node, float64, error) {
	b := jp.b
	cur, curEst := jp.paths[order[0]].node, jp.paths[order[0]].est
	joined := jp.bit(order[0])
	for _, r := range order[1:] {
		bit := jp.bit(r)
		est, lookup, err := jp.step(curEst, joined, r)
		if err != nil {
			return nil, 0, err
		}
		conds := jp.covered(joined, joined|bit)
		if lookup != nil {
			cur = &exec.NestedLoop{Left: cur, Right: lookup, Kind: exec.InnerJoin, Pred: andAll(conds), Width: b.sc.width,
				RightSlots: relSlots(jp.all, bit), Correlated: true,
				Info: exec.NodeInfo{Name: "Nested Loop", Rows: est, Cost: est, Children: []exec.Node{cur, lookup}}}
		} else {
			cur = b.joinNodes(cur, jp.paths[r].node, exec.InnerJoin, conds, jp.all, joined, bit, est)
		}
		joined |= bit
		curEst = max(1, est)
	}
	// Conditions on no relation of this level (constants, outer references) or on
	// every relation (correlated subqueries) come last.
	var rest []exec.Expr
	for _, c := range jp.cs {
		if c.set == 0 || c.set&^joined != 0 {
			rest = append(rest, c.e)
		}
	}
	if len(rest) > 0 {
		cur = &exec.Filter{Input: cur, Pred: andAll(rest), Info: exec.NodeInfo{Name: "Filter", Rows: curEst}}
	}
	return cur, curEst, nil
}

// permute calls fn with every permutation of rels (Heap's algorithm).
func permute(rels []*relation, fn func([]*relation) error) error {
	a := append([]*relation(nil), rels...)
	var gen func(k int) error
	gen = func(k int) error {
		if k <= 1 {
			return fn(a)
		}
		for i := 0; i < k; i++ {
			if err := gen(k - 1); err != nil {
				return err
			}
			if k%2 == 0 {
				a[i], a[k-1] = a[k-1], a[i]
			} else {
				a[0], a[k-1] = a[k-1], a[0]
			}
		}
		return nil
	}
	return gen(len(a))
}

// accessPath plans reading relation r with the conditions conds (that read r and,
// when joined != 0, relations already joined, whose values come from the left row
// of an index nested loop). With joined != 0 it returns nil unless an index fits
// an equality with the joined side.
func (b *binder) accessPath(r *relation, conds []exec.Expr, all []*relation, joined uint64) (exec.Node, float64, error) {
	if r.fn != nil || r.lateral {
		return b.fromItemAccess(r, conds, joined)
	}
	if r.table == nil {
		if joined != 0 {
			return nil, 0, nil
		}
		var n exec.Node = &exec.Place{Input: r.node, Offset: r.offset, Width: b.sc.width,
			Info: exec.NodeInfo{Name: "Subquery Scan on " + r.name, Rows: r.est, Children: []exec.Node{r.node}}}
		est := r.est
		if len(conds) > 0 {
			est = max(1, est/3)
			n = &exec.Filter{Input: n, Pred: andAll(conds), Info: exec.NodeInfo{Name: "Filter", Rows: est}}
		}
		return n, est, nil
	}
	t := r.table
	// Per column: equality values and range bounds usable as index keys.
	type colConds struct {
		eq     exec.Expr
		lo, hi exec.Expr
		loInc  bool
		hiInc  bool
		// the conditions behind eq, lo, hi when the key encodes them exactly (the
		// scan then need not check them again)
		eqC, loC, hiC exec.Expr
	}
	byCol := map[int]*colConds{}
	get := func(num int) *colConds {
		if byCol[num] == nil {
			byCol[num] = &colConds{}
		}
		return byCol[num]
	}
	rbit := uint64(0)
	rels := b.sc.rels
	for i, x := range rels {
		if x == r {
			rbit = 1 << uint(i)
		}
	}
	for _, c := range conds {
		op, ok := c.(*exec.BinOp)
		if !ok {
			continue
		}
		for flip := 0; flip < 2; flip++ {
			colSide, other := op.L, op.R
			o := op.Op
			if flip == 1 {
				colSide, other = op.R, op.L
				o = flipOp(o)
			}
			ref, ok := colSide.(*exec.ColRef)
			if !ok || ref.Up != 0 || ref.Idx < r.offset || ref.Idx >= r.offset+r.width {
				continue
			}
			os := b.exprRels(other, rels)
			if os&rbit != 0 || (joined == 0 && os != 0) || os&^joined != 0 {
				continue
			}
			if isVolatile(other) {
				continue
			}
			col := &t.Columns[ref.Idx-r.offset]
			if !keyCompatible(col.Type, other.Type()) {
				continue
			}
			if col.Type.IsArray() && o != "=" {
				continue // an array's key is its binary form: it finds equal values, not ranges
			}
			cc := get(col.Num)
			var exact exec.Expr
			if vt := other.Type(); vt == col.Type || vt.IsInteger() && col.Type.IsInteger() {
				exact = c
			}
			switch o {
			case "=":
				if cc.eq == nil {
					cc.eq, cc.eqC = other, exact
				}
			case ">", ">=":
				if cc.lo == nil {
					cc.lo, cc.loInc, cc.loC = other, o == ">=", exact
				}
			case "<", "<=":
				if cc.hi == nil {
					cc.hi, cc.hiInc, cc.hiC = other, o == "<=", exact
				}
			}
		}
	}
	est := r.est
	var own []exec.Expr // conditions on r alone: the scan checks them
	for _, c := range conds {
		if b.exprRels(c, rels)&^rbit == 0 {
			own = append(own, c)
		}
	}
	filter := andAll(own)
	best := &exec.Scan{Table: t, Index: t.Primary(), Filter: filter, Offset: r.offset, Width: b.sc.width}
	bestEst := est
	if joined != 0 {
		best, bestEst = nil, est
	}
	name := "Seq Scan on " + t.Name
	details := condDetails("Filter", own)
	for i := range t.Indexes {
		ix := &t.Indexes[i]
		if ix.Primary && !t.HasPrimaryKey() {
			continue
		}
		kr := &exec.KeyRange{}
		for _, num := range ix.Columns {
			cc := byCol[num]
			if cc == nil || cc.eq == nil {
				break
			}
			kr.Eq = append(kr.Eq, cc.eq)
		}
		var e float64
		point := false
		switch {
		case len(kr.Eq) == len(ix.Columns) && ix.Unique:
			e, point = 1, ix.Primary
		case len(kr.Eq) > 0:
			e = max(1, est/float64(10*len(kr.Eq)))
			if len(kr.Eq) < len(ix.Columns) {
				if cc := byCol[ix.Columns[len(kr.Eq)]]; cc != nil && (cc.lo != nil || cc.hi != nil) {
					kr.Lo, kr.LoInc, kr.Hi, kr.HiInc = cc.lo, cc.loInc, cc.hi, cc.hiInc
					e = max(1, e/3)
				}
			}
		default:
			cc := byCol[ix.Columns[0]]
			if cc == nil || (cc.lo == nil && cc.hi == nil) || joined != 0 {
				continue
			}
			kr.Lo, kr.LoInc, kr.Hi, kr.HiInc = cc.lo, cc.loInc, cc.hi, cc.hiInc
			e = max(1, est/3)
			if cc.lo != nil && cc.hi != nil {
				e = max(1, est/9)
			}
		}
		// On a tie an index beats a full scan: estimates of a small or empty
		// table are all about 1, and a prepared statement keeps its plan as the
		// table grows.
		if best == nil || e < bestEst || e == bestEst && best.Range == nil {
			// Conditions the key range encodes exactly need no second check.
			done := map[exec.Expr]bool{}
			for i := range kr.Eq {
				if c := byCol[ix.Columns[i]].eqC; c != nil {
					done[c] = true
				}
			}
			if kr.Lo != nil || kr.Hi != nil {
				cc := byCol[ix.Columns[len(kr.Eq)]]
				if kr.Lo != nil && cc.loC != nil {
					done[cc.loC] = true
				}
				if kr.Hi != nil && cc.hiC != nil {
					done[cc.hiC] = true
				}
			}
			var rest []exec.Expr
			for _, c := range own {
				if !done[c] {
					rest = append(rest, c)
				}
			}
			best = &exec.Scan{Table: t, Index: ix, Range: kr, Point: point, Filter: andAll(rest), Offset: r.offset, Width: b.sc.width}
			bestEst = e
			name = "Index Scan using " + ix.Name + " on " + t.Name
			details = append([]string{"Index Cond: " + rangeString(t, ix, kr)}, condDetails("Filter", rest)...)
		}
	}
	if best == nil {
		return nil, 0, nil
	}
	if best.Range == nil && len(conds) > 0 {
		bestEst = max(1, est/3)
	}
	if name != "Seq Scan on "+t.Name || r.name != t.Name {
		if r.name != t.Name {
			name += " " + r.name
		}
	}
	best.Info = exec.NodeInfo{Name: name, Rows: bestEst, Cost: bestEst, Details: details}
	return best, bestEst, nil
}

// scanOrderedBy reports whether n is a scan whose rows come in the order of
// keys (over the projection exprs) already, so the level needs no Sort: a
// scan returns rows in its index's key order, and for NOT NULL integer columns
// ascending key order is ascending value order. ORDER BY the primary key with
// a LIMIT then reads only the rows it returns, not the whole range.
func scanOrderedBy(n exec.Node, keys []exec.SortKey, exprs []exec.Expr) bool {
	s, ok := n.(*exec.Scan)
	if !ok || len(keys) > len(s.Index.Columns) {
		return false
	}
	for i, k := range keys {
		if k.Expr != nil || k.Desc || k.NullsFirst || k.Idx >= len(exprs) {
			return false
		}
		ref, ok := exprs[k.Idx].(*exec.ColRef)
		if !ok || ref.Up != 0 {
			return false
		}
		ci := ref.Idx - s.Offset
		if ci < 0 || ci >= len(s.Table.Columns) {
			return false
		}
		col := &s.Table.Columns[ci]
		if col.Num != s.Index.Columns[i] || !col.Type.IsInteger() || !col.NotNull && !s.Index.Primary {
			return false
		}
	}
	return true
}

func flipOp(op string) string {
	switch op {
	case "<":
		return ">"
	case "<=":
		return ">="
	case ">":
		return "<"
	case ">=":
		return "<="
	}
	return op
}

// keyCompatible reports whether a value of type vt can seek an index on a column of
// type ct: the key encoding is shared by all integer types and by both float types.
func keyCompatible(ct, vt types.T) bool {
	switch {
	case ct == vt:
		// jsonb's index keys are its text, which does not sort as jsonb does.
		return (!ct.IsString() || ct != types.Bpchar) && ct != types.JSONB
	case ct.IsInteger() && vt.IsInteger():
		return true
	case (ct == types.Float4 || ct == types.Float8) && (vt == types.Float4 || vt == types.Float8):
		return true
	case (ct == types.Text || ct == types.Varchar) && (vt == types.Text || vt == types.Varchar):
		return true
	}
	return false
}

func isVolatile(e exec.Expr) bool {
	v := false
	walkExpr(e, func(x exec.Expr) {
		switch f := x.(type) {
		case *exec.Func:
			v = v || f.Volatile
		case *exec.Subquery:
			v = true
		}
	})
	return v
}

func rangeString(t *catalog.Table, ix *catalog.Index, kr *exec.KeyRange) string {
	var parts []string
	for i, e := range kr.Eq {
		parts = append(parts, fmt.Sprintf("(%s = %s)", t.ColumnByNum(ix.Columns[i]).Name, exprString(e)))
	}
	if kr.Lo != nil || kr.Hi != nil {
		name := t.ColumnByNum(ix.Columns[len(kr.Eq)]).Name
		if kr.Lo != nil {
			op := ">"
			if kr.LoInc {
				op = ">="
			}
			parts = append(parts, fmt.Sprintf("(%s %s %s)", name, op, exprString(kr.Lo)))
		}
		if kr.Hi != nil {
			op := "<"
			if kr.HiInc {
				op = "<="
			}
			parts = append(parts, fmt.Sprintf("(%s %s %s)", name, op, exprString(kr.Hi)))
		}
	}
	return strings.Join(parts, " AND ")
}

// cte is a WITH query visible to the statement.
type cte struct {
	def     *ast.CommonTableExpression
	binding bool // being bound: a reference to itself is an error (not RECURSIVE)
	// recursive: of a WITH RECURSIVE clause. work is set while its recursive
	// term is bound: a reference to it reads the working table (recursive.go).
	recursive bool
	work      *exec.WorkTable
	workCols  []Column
}

// pushWith makes a WITH clause's queries visible until pop.
func (b *binder) pushWith(w *ast.WithClause) (func(), error) {
	level := map[string]*cte{}
	for _, c := range w.CTEs {
		if _, dup := level[c.Name.O]; dup {
			return nil, pgerr.New(pgerrcode.DuplicateAlias, "WITH query name %q specified more than once", c.Name.O)
		}
		level[c.Name.O] = &cte{def: c, recursive: w.IsRecursive}
	}
	b.planner.ctes = append(b.planner.ctes, level)
	n := len(b.planner.ctes)
	return func() { b.planner.ctes = b.planner.ctes[:n-1] }, nil
}

func (b *binder) findCTE(name string) *cte {
	for i := len(b.planner.ctes) - 1; i >= 0; i-- {
		if c, ok := b.planner.ctes[i][name]; ok && (!c.binding || c.work != nil) {
			return c
		}
	}
	return nil
}

// cteSource binds a reference to a WITH query as a derived table (each reference
// runs the query; PostgreSQL 12+ inlines such queries too).
func (b *binder) cteSource(c *cte, alias string) (*relation, error) {
	if c.work != nil {
		return b.workTableSource(c, alias)
	}
	if c.recursive && countRefs(c.def.Query.Query, c.def.Name.L) > 0 {
		return b.recursiveSource(c, alias)
	}
	c.binding = true
	p, err := b.query(c.def.Query.Query, b.sc.parent)
	c.binding = false
	if err != nil {
		return nil, err
	}
	var names []string
	for _, n := range c.def.ColNameList {
		names = append(names, n.O)
	}
	if len(names) > len(p.cols) {
		return nil, pgerr.New(pgerrcode.InvalidColumnReference, "WITH query %q has %d columns available but %d columns specified", c.def.Name.O, len(p.cols), len(names))
	}
	return b.derived(alias, p, names)
}
