package planner

import (
	"math"
	"slices"

	"github.com/augurdb/augur/planner/exec"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// Binding of the FROM items rewriteFrom took apart: set-returning functions,
// column alias lists and LATERAL subqueries.
//
// A function in FROM and a LATERAL subquery may read the FROM items before them
// (PostgreSQL makes functions implicitly LATERAL). Their arguments are bound in
// the level's own scope (a function's as ColRef{Up: 0} into the level's row, a
// subquery's as references one level up), so such an item is a ParamNode the
// join opens once per row of the items it depends on (relation.deps): the join
// order puts it after them, and an outer join may have it only on its right
// (LEFT JOIN LATERAL).

// rewrittenSource binds a FROM item rewriteFrom took apart.
func (b *binder) rewrittenSource(ts *ast.TableSource, it *fromItem) (*relation, error) {
	if it.colDefs {
		if it.funcs > 0 {
			return nil, pgerr.Syntax(b.pos(it.pos), "a column definition list is only allowed for functions returning \"record\"")
		}
		return nil, pgerr.Syntax(b.pos(it.pos), "syntax error at or near \"(\"")
	}
	if it.funcs > 0 {
		sel, ok := ts.Source.(*ast.SelectStmt)
		if !ok || sel.Fields == nil || len(sel.Fields.Fields) != 1 {
			return nil, pgerr.Syntax(b.pos(it.pos), "syntax error in FROM")
		}
		call, ok := sel.Fields.Fields[0].Expr.(*ast.FuncCallExpr)
		if !ok || call.FnName.L != fnFromFuncs {
			return nil, pgerr.Syntax(b.pos(it.pos), "syntax error in FROM")
		}
		return b.functionSource(call.Args, it)
	}
	var names []ast.CIStr
	for _, c := range it.cols {
		names = append(names, ast.NewCIStr(c))
	}
	switch src := ts.Source.(type) {
	case *ast.SelectStmt, *ast.SetOprStmt:
		if it.alias == "" {
			return nil, pgerr.Syntax(b.pos(it.pos), "subquery in FROM must have an alias").WithHint("For example, FROM (SELECT ...) [AS] foo.")
		}
		if it.lateral {
			return b.lateralSource(src, it.alias, names)
		}
		p, err := b.derivedQuery(src)
		if err != nil {
			return nil, err
		}
		if err := tooManyNames(it.alias, len(p.cols), len(it.cols)); err != nil {
			return nil, err
		}
		return b.derived(it.alias, p, it.cols)
	case *ast.TableName:
		plain := *ts
		plain.AsName = ast.NewCIStr(it.alias)
		r, err := b.tableSource(&plain)
		if err != nil {
			return nil, err
		}
		return r, b.renameCols(r, it.cols)
	}
	return nil, pgerr.FeatureNotSupported("FROM item %T is not supported yet", ts.Source)
}

func tooManyNames(alias string, have, named int) error {
	if named > have {
		return pgerr.New(pgerrcode.InvalidColumnReference, "table \"%s\" has %d columns available but %d columns specified", alias, have, named)
	}
	return nil
}

// renameCols applies a column alias list to the visible columns of r.
func (b *binder) renameCols(r *relation, names []string) error {
	if len(names) == 0 {
		return nil
	}
	var cols []*scopeCol
	for i := range b.sc.cols {
		c := &b.sc.cols[i]
		if c.idx >= r.offset && c.idx < r.offset+r.width && !c.system {
			cols = append(cols, c)
		}
	}
	if err := tooManyNames(r.name, len(cols), len(names)); err != nil {
		return err
	}
	for i, n := range names {
		cols[i].name = n
	}
	return nil
}

// lateralSource binds a LATERAL subquery: in a scope under the level's own, so
// it reads the FROM items before it.
func (b *binder) lateralSource(src ast.ResultSetNode, alias string, names []ast.CIStr) (*relation, error) {
	p, err := b.query(src, b.sc)
	if err != nil {
		return nil, err
	}
	var cols []string
	for _, n := range names {
		cols = append(cols, n.O)
	}
	if err := tooManyNames(alias, len(p.cols), len(cols)); err != nil {
		return nil, err
	}
	earlier := b.allRels()
	r, err := b.derived(alias, p, cols)
	if err != nil {
		return nil, err
	}
	r.lateral = true
	if p.correlated {
		// Perhaps of a level above this one too: this level counts as correlated.
		b.sc.outerRefs = true
		// It reads the level, or a level above it: joined after every item
		// before it (which of them it reads is not tracked).
		r.deps = earlier
	}
	return r, nil
}

// allRels is the set of the level's relations so far.
func (b *binder) allRels() uint64 {
	return uint64(1)<<uint(len(b.sc.rels)) - 1
}

// functionSource binds a function item: one call, or several (ROWS FROM).
func (b *binder) functionSource(calls []ast.ExprNode, it *fromItem) (*relation, error) {
	fs := &exec.FunctionScan{Ordinality: it.ordinality}
	var names []string
	var ts []types.T
	volatile := false
	for _, c := range calls {
		call, ok := c.(*ast.FuncCallExpr)
		if !ok {
			return nil, pgerr.Syntax(b.pos(it.pos), "syntax error in FROM")
		}
		done := b.noSRFs(srfInFrom)
		tc, cols, vol, err := b.tableCall(call)
		done()
		if err != nil {
			return nil, err
		}
		volatile = volatile || vol
		fs.Calls = append(fs.Calls, tc)
		for _, col := range cols {
			name := col.Name
			if name == "" {
				name = call.FnName.O
				if it.alias != "" && len(calls) == 1 {
					name = it.alias
				}
			}
			names, ts = append(names, name), append(ts, col.T)
		}
	}
	if it.ordinality {
		names, ts = append(names, "ordinality"), append(ts, types.Int8)
	}
	alias := it.alias
	if alias == "" {
		alias = it.funcName
	}
	if err := tooManyNames(alias, len(names), len(it.cols)); err != nil {
		return nil, err
	}
	copy(names, it.cols)
	var deps uint64
	for _, tc := range fs.Calls {
		for _, a := range tc.Args {
			deps |= b.exprRels(a, b.sc.rels)
		}
	}
	deps &= b.allRels()
	label := "Function Scan on " + it.funcName
	if alias != it.funcName {
		label += " " + alias
	}
	fs.Info = exec.NodeInfo{Name: label, Rows: 1000, Cost: 10}
	r := &relation{name: alias, fn: fs, offset: b.sc.width, width: len(names), est: 1000, deps: deps}
	if err := b.addRel(r); err != nil {
		return nil, err
	}
	for i, n := range names {
		b.sc.cols = append(b.sc.cols, scopeCol{rel: alias, name: n, t: ts[i], typmod: -1, idx: r.offset + i})
	}
	return r, nil
}

// tableCall binds a call of a set-returning function: its arguments in the
// current scope, the overload chosen as for scalar functions (an exact match,
// else PostgreSQL's resolution over implicit casts); polymorphic overloads
// (TableFunc.Resolve) are tried first.
func (b *binder) tableCall(e *ast.FuncCallExpr) (*exec.TableCall, []exec.ResultCol, bool, error) {
	name := e.FnName.L
	args, err := b.args(e)
	if err != nil {
		return nil, nil, false, err
	}
	in := make([]types.T, len(args))
	for i, a := range args {
		in[i] = a.Type()
	}
	overloads := exec.TableFuncs[name]
	var chosen *exec.TableFunc
	var params []types.T
	var cols []exec.ResultCol
	for i := range overloads {
		o := &overloads[i]
		if o.Resolve == nil {
			continue
		}
		if ps, cs, ok := o.Resolve(in); ok {
			chosen, params, cols = o, ps, cs
			break
		}
	}
	if chosen == nil {
		var sigs [][]types.T
		var which []int
		for i, o := range overloads {
			if o.Resolve == nil && len(o.Args) == len(args) {
				sigs, which = append(sigs, o.Args), append(which, i)
			}
		}
		i, ambiguous := resolve(in, sigs, false)
		switch {
		case ambiguous:
			return nil, nil, false, pgerr.New(pgerrcode.AmbiguousFunction, "function %s(%s) is not unique", name, typeList(in)).
				WithHint("Could not choose a best candidate function. You might need to add explicit type casts.").WithPosition(b.nodePos(e))
		case i < 0:
			return nil, nil, false, undefinedFunction(name, args).WithPosition(b.nodePos(e))
		}
		chosen = &overloads[which[i]]
		params, cols = chosen.Args, chosen.Cols
	}
	for j := range args {
		if j < len(params) {
			if args[j], err = b.coerce(args[j], params[j], ""); err != nil {
				return nil, nil, false, err
			}
		}
	}
	tc := &exec.TableCall{Name: name, Args: args, Width: len(cols), Strict: chosen.Strict, Rows: chosen.Rows}
	return tc, cols, chosen.Volatile, nil
}

// fromItemAccess plans reading a function or LATERAL subquery: a ParamNode
// placing its rows at the relation's offset, with the conditions on it alone
// when it depends on nothing.
func (b *binder) fromItemAccess(r *relation, conds []exec.Expr, joined uint64) (exec.Node, float64, error) {
	if joined != 0 {
		return nil, 0, nil
	}
	var n exec.Node
	if r.fn != nil {
		fs := *r.fn
		fs.Offset, fs.Width = r.offset, b.sc.width
		n = &fs
	} else {
		n = &exec.LateralScan{Input: r.node, Offset: r.offset, Width: b.sc.width,
			Info: exec.NodeInfo{Name: "Subquery Scan on " + r.name, Rows: r.est, Children: []exec.Node{r.node}}}
	}
	if r.deps != 0 {
		return n, r.est, nil // the join applies the conditions
	}
	est := r.est
	if len(conds) > 0 {
		est = max(1, est/3)
		n = &exec.Filter{Input: n, Pred: andAll(conds), Info: exec.NodeInfo{Name: "Filter", Rows: est}}
	}
	return n, est, nil
}

// dependentStep is the join planner's step for a relation that reads others of
// the level: possible only once they are joined, as a nested loop opening it per
// row.
func (jp *joinPlanner) dependentStep(curEst float64, joined uint64, r *relation) (float64, exec.Node, error) {
	if r.deps&^joined != 0 {
		return math.Inf(1), nil, nil
	}
	return max(1, curEst*jp.paths[r].est), jp.paths[r].node, nil
}

// checkDeps refuses an inner-join group with an item that reads relations
// outside the group (a LATERAL reference across an outer join's sides that is
// not the LEFT JOIN LATERAL form).
func (b *binder) checkDeps(s *joinSpec) error {
	rels := s.rels(nil)
	var set uint64
	for _, r := range rels {
		for i, x := range b.sc.rels {
			if x == r {
				set |= 1 << uint(i)
			}
		}
	}
	for _, r := range rels {
		if r.deps&^set != 0 {
			return pgerr.FeatureNotSupported("this LATERAL reference across a JOIN is not supported yet")
		}
	}
	return nil
}

// lateralJoin joins the planned left side of an outer join with a right side
// that reads it: a nested loop opening the right side per left row.
func (b *binder) lateralJoin(l exec.Node, est float64, s *joinSpec) (exec.Node, float64, error) {
	r := s.right.rel
	left := s.left.rels(nil)
	var leftSet uint64
	for i, x := range b.sc.rels {
		if slices.Contains(left, x) {
			leftSet |= 1 << uint(i)
		}
	}
	if s.kind == exec.RightJoin || s.kind == exec.FullJoin {
		name := r.name
		for i, x := range b.sc.rels {
			if r.deps&(1<<uint(i)) != 0 {
				name = x.name
				break
			}
		}
		return nil, 0, pgerr.New(pgerrcode.InvalidColumnReference, "invalid reference to FROM-clause entry for table \"%s\"", name).
			WithDetail("The combining JOIN type must be INNER or LEFT for a LATERAL reference.")
	}
	if r.deps&^leftSet != 0 {
		return nil, 0, pgerr.FeatureNotSupported("this LATERAL reference across a JOIN is not supported yet")
	}
	right, rest, err := b.fromItemAccess(r, nil, 0)
	if err != nil {
		return nil, 0, err
	}
	est = max(1, est*rest)
	var rightSet uint64
	for i, x := range b.sc.rels {
		if x == r {
			rightSet = 1 << uint(i)
		}
	}
	return &exec.NestedLoop{Left: l, Right: right, Kind: s.kind, Pred: andAll(s.on), Width: b.sc.width,
		RightSlots: relSlots(b.sc.rels, rightSet), Correlated: true,
		Info: exec.NodeInfo{Name: joinName("Nested Loop", s.kind), Rows: est, Cost: est, Children: []exec.Node{l, right}}}, est, nil
}

// invisibleRel reports a reference to a FROM item of the level a non-LATERAL
// derived table (being bound) sits in, as PostgreSQL words it.
func (b *binder) invisibleRel(rel string, pos int32) error {
	if b.lateralOff == nil {
		return nil
	}
	for _, r := range b.lateralOff.rels {
		if r.name == rel {
			return pgerr.New(pgerrcode.UndefinedTable, "invalid reference to FROM-clause entry for table \"%s\"", rel).WithPosition(pos).
				WithHint("There is an entry for table \"%s\", but it cannot be referenced from this part of the query.", rel)
		}
	}
	return nil
}

// derivedQuery binds a derived table that is not LATERAL: in a scope under the
// enclosing level, blind to the FROM items of its own level.
func (b *binder) derivedQuery(src ast.ResultSetNode) (*relPlan, error) {
	saved := b.lateralOff
	b.lateralOff = b.sc
	defer func() { b.lateralOff = saved }()
	p, err := b.query(src, b.sc.parent)
	if err != nil {
		return nil, err
	}
	b.sc.outerRefs = b.sc.outerRefs || p.correlated // it reads levels above this one
	return p, nil
}
