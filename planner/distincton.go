package planner

import (
	"github.com/augurdb/augur/planner/exec"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/jackc/pgerrcode"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// DISTINCT ON and FETCH FIRST ... WITH TIES arrive as marker items
// (tokens_select.go); these take them off a copy of the statement (the AST is
// bound again when a plan is re-planned, so it is never changed).

// splitDistinctOn returns sel without the DISTINCT ON marker item, and the
// DISTINCT ON expressions (nil without DISTINCT ON).
func splitDistinctOn(sel *ast.SelectStmt) (*ast.SelectStmt, []ast.ExprNode) {
	if sel.Fields == nil || len(sel.Fields.Fields) == 0 {
		return sel, nil
	}
	f, ok := sel.Fields.Fields[0].Expr.(*ast.FuncCallExpr)
	if !ok || f.FnName.L != fnDistinctOn {
		return sel, nil
	}
	cp := *sel
	fields := *sel.Fields
	fields.Fields = sel.Fields.Fields[1:]
	cp.Fields = &fields
	return &cp, f.Args
}

// splitWithTies returns sel without the WITH TIES marker at the end of its ORDER
// BY, and whether it was there.
func splitWithTies(sel *ast.SelectStmt) (*ast.SelectStmt, bool) {
	if sel.OrderBy == nil || len(sel.OrderBy.Items) == 0 {
		return sel, false
	}
	items := sel.OrderBy.Items
	f, ok := items[len(items)-1].Expr.(*ast.FuncCallExpr)
	if !ok || f.FnName.L != fnWithTies {
		return sel, false
	}
	cp := *sel
	ob := *sel.OrderBy
	ob.Items = items[:len(items)-1]
	cp.OrderBy = &ob
	return &cp, true
}

// distinctOnKeys binds the DISTINCT ON expressions as columns of exprs (extra
// ones when they are not output columns) and checks PostgreSQL's rule that they
// match the leading ORDER BY items; the sort keys come back extended by the
// DISTINCT ON columns ORDER BY does not name, so that equal rows are adjacent.
func (b *binder) distinctOnKeys(on []ast.ExprNode, fields *ast.FieldList, order *ast.OrderByClause, cols []Column, exprs *[]exec.Expr, keys []exec.SortKey) ([]int, []exec.SortKey, error) {
	var idx []int
	pos := map[int]int32{}
	for _, n := range on {
		i := -1
		if order != nil {
			// The same expression as an ORDER BY item is the same column.
			for j, it := range order.Items {
				if item, _ := nullsOrder(it.Expr); j < len(keys) && restore(item) == restore(n) {
					i = keys[j].Idx
					break
				}
			}
		}
		if i < 0 {
			var err error
			if i, err = b.orderItem(n, fields, cols, exprs, false); err != nil {
				return nil, nil, err
			}
		}
		idx = append(idx, i)
		if _, ok := pos[i]; !ok {
			pos[i] = b.nodePos(n)
		}
	}
	in := func(i int) bool {
		_, ok := pos[i]
		return ok
	}
	skipped := false
	for _, k := range keys {
		if !in(k.Idx) {
			skipped = true
			continue
		}
		if skipped {
			return nil, nil, pgerr.New(pgerrcode.InvalidColumnReference, "SELECT DISTINCT ON expressions must match initial ORDER BY expressions").WithPosition(pos[k.Idx])
		}
	}
	out := append([]exec.SortKey(nil), keys...)
	for _, i := range idx {
		named := false
		for _, k := range out {
			named = named || k.Idx == i
		}
		if named {
			continue
		}
		if skipped {
			return nil, nil, pgerr.New(pgerrcode.InvalidColumnReference, "SELECT DISTINCT ON expressions must match initial ORDER BY expressions").WithPosition(pos[i])
		}
		t := (*exprs)[i].Type()
		cmp := exec.Comparer(t)
		if cmp == nil {
			return nil, nil, pgerr.New(pgerrcode.UndefinedFunction, "could not identify an ordering operator for type %s", t.SQLName())
		}
		out = append(out, exec.SortKey{Idx: i, Cmp: cmp})
	}
	return idx, out, nil
}

// withTies turns a Limit into FETCH FIRST ... WITH TIES over the ORDER BY keys.
func withTies(n exec.Node, keys []exec.SortKey) exec.Node {
	l, ok := n.(*exec.Limit)
	if !ok {
		return n
	}
	return &exec.LimitTies{Input: l.Input, Count: l.Count, Offset: l.Offset, Keys: keys, Info: l.Info}
}
