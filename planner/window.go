package planner

import (
	"fmt"
	"strings"

	"github.com/augurdb/augur/planner/exec"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// Window functions, aggregate FILTER / ORDER BY and GROUPING(): the binder side
// of the marker calls window_tokens.go makes.
//
// A query level's window calls are bound where they appear (the target list and
// ORDER BY) over the level's row: the FROM row, or after aggregation the grouped
// row, so `sum(count(*)) OVER ()` aggregates first. Each call's value is a column
// appended to that row by a Window node (PostgreSQL's WindowAgg) placed after
// aggregation and HAVING and before the projection; calls over the same
// partitioning and ordering share one node. The column's position is known only
// once every call of the level is bound, so the binder hands out a ColRef and
// sets its index when it plans the Window nodes (windowPlan).

// winBinding is the window state of one query level.
type winBinding struct {
	named map[string]*winSpec // the WINDOW clause
	calls []*winCall
	// deny, when set, is the error for a window call here: the clause being
	// bound does not allow them (WHERE, GROUP BY, ...).
	deny     string
	denyCode string
}

// winSpec is a window specification as written: PARTITION BY, ORDER BY and the
// frame marker.
type winSpec struct {
	name      string
	partition []*ast.ByItem
	order     []*ast.ByItem
	frame     *ast.FuncCallExpr
}

// winCall is one bound window call.
type winCall struct {
	fn    *exec.WindowFunc
	part  []exec.Expr
	order []exec.SortKey
	key   string // calls with equal keys share a Window node
	ref   *exec.ColRef
}

// aggMods are an aggregate's FILTER and ORDER BY.
type aggMods struct {
	distinct bool
	filter   ast.ExprNode
	order    []ast.ExprNode // items, DESC ones wrapped in fnAggDesc
}

// windowSetup starts the window state of a SELECT level: its named windows.
// Window calls are refused until windowClause("") allows them.
func (b *binder) windowSetup(sel *ast.SelectStmt) error {
	wb := &winBinding{named: map[string]*winSpec{}}
	b.sc.win = wb
	wb.deny, wb.denyCode = "window functions are not allowed in JOIN conditions", pgerrcode.WindowingError
	for _, ws := range sel.WindowSpecs {
		name := ws.Name.O
		if _, dup := wb.named[name]; dup {
			return pgerr.New(pgerrcode.WindowingError, "window %q is already defined", name).WithPosition(b.identPos(name))
		}
		s, err := b.resolveSpec(wb, ws, b.identPos(name))
		if err != nil {
			return err
		}
		s.name = name
		wb.named[name] = s
	}
	return nil
}

// windowClause names the clause being bound: window calls are refused in it
// with PostgreSQL's message; "" allows them (the target list, ORDER BY).
func (b *binder) windowClause(clause string) {
	if b.sc == nil || b.sc.win == nil {
		return
	}
	wb := b.sc.win
	if clause == "" {
		wb.deny = ""
		return
	}
	wb.deny, wb.denyCode = "window functions are not allowed in "+clause, pgerrcode.WindowingError
}

// markerCall binds the marker calls of window_tokens.go, and calls of window
// functions without OVER; ok is false for any other call.
func (b *binder) markerCall(e *ast.FuncCallExpr) (exec.Expr, bool, error) {
	name := e.FnName.L
	switch name {
	case fnWinOver:
		r, err := b.windowCall(e)
		return r, true, err
	case fnAggFilter, fnAggOrder, fnAggDistinct:
		r, err := b.modifiedAggregate(e)
		return r, true, err
	case fnGrouping:
		r, err := b.grouping(e)
		return r, true, err
	case fnWinFrame, fnAggDesc, fnRollup, fnCube, fnSets, fnGSet:
		return nil, true, pgerr.Syntax(b.nodePos(e), "syntax error at or near %q", "(")
	}
	if windowOnlyFuncs[name] {
		return nil, true, pgerr.New(pgerrcode.WrongObjectType, "window function %s requires an OVER clause", name).WithPosition(b.nodePos(e))
	}
	return nil, false, nil
}

// splitMods unwraps the FILTER and ORDER BY markers around an aggregate call.
func splitMods(n ast.ExprNode) (ast.ExprNode, *aggMods) {
	var m *aggMods
	for {
		f, ok := n.(*ast.FuncCallExpr)
		if !ok || len(f.Args) == 0 || f.FnName.L != fnAggFilter && f.FnName.L != fnAggOrder && f.FnName.L != fnAggDistinct {
			return n, m
		}
		if m == nil {
			m = &aggMods{}
		}
		switch {
		case f.FnName.L == fnAggFilter && len(f.Args) == 2:
			m.filter = f.Args[1]
		case f.FnName.L == fnAggDistinct:
			m.distinct = true
			if len(f.Args) > 1 {
				m.order = f.Args[1:]
			}
		default:
			m.order = f.Args[1:]
		}
		n = f.Args[0]
	}
}

// asAggregate returns n as an aggregate call, if it is one.
func asAggregate(n ast.ExprNode) (*ast.AggregateFuncExpr, string, bool) {
	switch x := n.(type) {
	case *ast.AggregateFuncExpr:
		name := strings.ToLower(x.F)
		if name == "group_concat" {
			name = "string_agg"
		}
		return x, name, aggNames[name]
	case *ast.FuncCallExpr:
		if aggNames[x.FnName.L] {
			return &ast.AggregateFuncExpr{F: x.FnName.L, Args: x.Args}, x.FnName.L, true
		}
	}
	return nil, "", false
}

func funcName(n ast.ExprNode) string {
	switch x := n.(type) {
	case *ast.AggregateFuncExpr:
		return strings.ToLower(x.F)
	case *ast.FuncCallExpr:
		return x.FnName.L
	}
	return "?"
}

// modifiedAggregate binds agg(...) FILTER (WHERE ...) / agg(... ORDER BY ...).
func (b *binder) modifiedAggregate(e *ast.FuncCallExpr) (exec.Expr, error) {
	call, mods := splitMods(e)
	agg, _, ok := asAggregate(call)
	if !ok {
		what := "FILTER"
		switch {
		case mods.filter != nil:
		case mods.order == nil:
			what = "DISTINCT"
		default:
			what = "ORDER BY"
		}
		return nil, pgerr.New(pgerrcode.WrongObjectType, "%s specified, but %s is not an aggregate function", what, funcName(call)).WithPosition(b.nodePos(e))
	}
	if mods.distinct {
		agg = &ast.AggregateFuncExpr{F: agg.F, Args: agg.Args, Distinct: true}
	}
	return b.aggregateCall(agg, mods, restore(e))
}

// applyAggMods binds an aggregate's FILTER and ORDER BY over its input rows.
func (b *binder) applyAggMods(f *exec.AggFunc, e *ast.AggregateFuncExpr, mods *aggMods) error {
	if mods == nil {
		return nil
	}
	if mods.filter != nil {
		var wb *winBinding
		if b.sc != nil {
			wb = b.sc.win
		}
		if wb != nil {
			saved, code := wb.deny, wb.denyCode
			wb.deny, wb.denyCode = "window functions are not allowed in FILTER", pgerrcode.WindowingError
			defer func() { wb.deny, wb.denyCode = saved, code }()
		}
		c, err := b.boolExpr(mods.filter, "argument of FILTER")
		if err != nil {
			return err
		}
		f.Filter = c
	}
	for _, it := range mods.order {
		k, err := b.sortKey(it)
		if err != nil {
			return err
		}
		if f.Distinct {
			item, _ := nullsOrder(unDesc(it))
			found := false
			for _, a := range e.Args {
				found = found || restore(a) == restore(item)
			}
			if !found {
				return pgerr.New(pgerrcode.InvalidColumnReference, "in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list").WithPosition(b.nodePos(item))
			}
		}
		f.Order = append(f.Order, k)
	}
	return nil
}

func unDesc(n ast.ExprNode) ast.ExprNode {
	if f, ok := n.(*ast.FuncCallExpr); ok && f.FnName.L == fnAggDesc && len(f.Args) == 1 {
		return f.Args[0]
	}
	return n
}

// sortKey binds an aggregate's ORDER BY item.
func (b *binder) sortKey(n ast.ExprNode) (exec.SortKey, error) {
	desc := false
	if f, ok := n.(*ast.FuncCallExpr); ok && f.FnName.L == fnAggDesc && len(f.Args) == 1 {
		n, desc = f.Args[0], true
	}
	return b.orderKey(n, desc)
}

// orderKey binds an ORDER BY item (NULLS FIRST/LAST marked) of a window or an
// aggregate as a sort key over the input row.
func (b *binder) orderKey(n ast.ExprNode, desc bool) (exec.SortKey, error) {
	item, nulls := nullsOrder(n)
	e, err := b.expr(item)
	if err != nil {
		return exec.SortKey{}, err
	}
	if e.Type() == types.Unknown {
		if e, err = b.coerce(e, types.Text, ""); err != nil {
			return exec.SortKey{}, err
		}
	}
	cmp := exec.Comparer(e.Type())
	if cmp == nil {
		return exec.SortKey{}, pgerr.New(pgerrcode.UndefinedFunction, "could not identify an ordering operator for type %s", e.Type().SQLName()).WithPosition(b.nodePos(item))
	}
	nullsFirst := desc
	if nulls != 0 {
		nullsFirst = nulls > 0
	}
	return exec.SortKey{Expr: e, Desc: desc, NullsFirst: nullsFirst, Cmp: cmp}, nil
}

// resolveSpec turns a parsed window specification into a winSpec, copying from
// the named window it refers to as PostgreSQL does.
func (b *binder) resolveSpec(wb *winBinding, ws ast.WindowSpec, pos int32) (*winSpec, error) {
	if ws.OnlyAlias {
		s, ok := wb.named[ws.Name.O]
		if !ok {
			return nil, pgerr.New(pgerrcode.UndefinedObject, "window %q does not exist", ws.Name.O).WithPosition(pos)
		}
		return s, nil
	}
	s := &winSpec{}
	if ws.PartitionBy != nil {
		for _, it := range ws.PartitionBy.Items {
			if f, ok := it.Expr.(*ast.FuncCallExpr); ok && f.FnName.L == fnWinFrame {
				s.frame = f
				continue
			}
			s.partition = append(s.partition, it)
		}
	}
	if ws.OrderBy != nil {
		s.order = ws.OrderBy.Items
	}
	if ref := ws.Ref.O; ref != "" {
		base, ok := wb.named[ref]
		if !ok {
			return nil, pgerr.New(pgerrcode.UndefinedObject, "window %q does not exist", ref).WithPosition(pos)
		}
		if len(s.partition) > 0 {
			return nil, pgerr.New(pgerrcode.WindowingError, "cannot override PARTITION BY clause of window %q", ref).WithPosition(pos)
		}
		s.partition = base.partition
		if base.order != nil {
			if s.order != nil {
				return nil, pgerr.New(pgerrcode.WindowingError, "cannot override ORDER BY clause of window %q", ref).WithPosition(pos)
			}
			s.order = base.order
		}
		if base.frame != nil {
			return nil, pgerr.New(pgerrcode.WindowingError, "cannot copy window %q because it has a frame clause", ref).
				WithHint("Omit the parentheses in this OVER clause.").WithPosition(pos)
		}
	}
	return s, nil
}

// windowCall binds augurwin_over(call, row_number() OVER spec).
func (b *binder) windowCall(e *ast.FuncCallExpr) (exec.Expr, error) {
	pos := b.nodePos(e)
	var wb *winBinding
	if b.sc != nil {
		wb = b.sc.win
	}
	if wb == nil {
		return nil, pgerr.New(pgerrcode.WindowingError, "window functions are not allowed here").WithPosition(pos)
	}
	if wb.deny != "" {
		return nil, pgerr.New(wb.denyCode, "%s", wb.deny).WithPosition(pos)
	}
	if ab := b.sc.agg; ab != nil && !ab.active {
		return nil, pgerr.New(pgerrcode.GroupingError, "aggregate function calls cannot contain window function calls").WithPosition(pos)
	}
	carrier, ok := e.Args[len(e.Args)-1].(*ast.WindowFuncExpr)
	if len(e.Args) != 2 || !ok {
		return nil, fmt.Errorf("planner: malformed %s call", fnWinOver)
	}
	spec, err := b.resolveSpec(wb, carrier.Spec, pos)
	if err != nil {
		return nil, err
	}
	defer func(deny, code string) { wb.deny, wb.denyCode = deny, code }(wb.deny, wb.denyCode)
	wb.deny, wb.denyCode = "window function calls cannot be nested", pgerrcode.WindowingError
	fn, err := b.windowFunc(e.Args[0], pos)
	if err != nil {
		return nil, err
	}
	wb.deny = "window functions are not allowed in window definitions"
	c := &winCall{fn: fn, ref: &exec.ColRef{Idx: -1, T: fn.T}}
	var key strings.Builder
	for _, it := range spec.partition {
		p, err := b.expr(it.Expr)
		if err != nil {
			return nil, err
		}
		if p.Type() == types.Unknown {
			if p, err = b.coerce(p, types.Text, ""); err != nil {
				return nil, err
			}
		}
		if exec.Comparer(p.Type()) == nil {
			return nil, pgerr.New(pgerrcode.UndefinedFunction, "could not identify an ordering operator for type %s", p.Type().SQLName()).WithPosition(b.nodePos(it.Expr))
		}
		c.part = append(c.part, p)
		key.WriteString("P" + restore(it.Expr) + "\x00")
	}
	for _, it := range spec.order {
		k, err := b.orderKey(it.Expr, it.Desc)
		if err != nil {
			return nil, err
		}
		c.order = append(c.order, k)
		key.WriteString(fmt.Sprintf("O%s %v\x00", restore(it.Expr), it.Desc))
	}
	c.key = key.String()
	if fn.Frame, err = b.frame(spec, c.order, pos); err != nil {
		return nil, err
	}
	wb.calls = append(wb.calls, c)
	return c.ref, nil
}

// windowFunc binds the function of a window call: a window function or an
// aggregate (with FILTER), its arguments over the level's row.
func (b *binder) windowFunc(n ast.ExprNode, pos int32) (*exec.WindowFunc, error) {
	call, mods := splitMods(n)
	if mods != nil && mods.order != nil {
		return nil, pgerr.FeatureNotSupported("aggregate ORDER BY is not implemented for window functions").WithPosition(pos)
	}
	if agg, name, ok := asAggregate(call); ok {
		if agg.Distinct || mods != nil && mods.distinct {
			return nil, pgerr.FeatureNotSupported("DISTINCT is not implemented for window functions").WithPosition(pos)
		}
		f, err := b.aggFunc(agg, name)
		if err != nil {
			return nil, err
		}
		if err := b.applyAggMods(f, agg, mods); err != nil {
			return nil, err
		}
		return &exec.WindowFunc{Name: name, Agg: f, T: f.T}, nil
	}
	fc, ok := call.(*ast.FuncCallExpr)
	if !ok {
		return nil, pgerr.Syntax(pos, "syntax error at or near \"over\"")
	}
	name := fc.FnName.L
	args, err := b.args(fc)
	if err != nil {
		return nil, err
	}
	if !windowOnlyFuncs[name] {
		if _, err := b.function(name, name, args); err != nil {
			return nil, pgerr.From(err).WithPosition(pos)
		}
		return nil, pgerr.New(pgerrcode.WrongObjectType, "OVER specified, but %s is not a window function nor an aggregate function", name).WithPosition(pos)
	}
	if mods != nil {
		return nil, pgerr.FeatureNotSupported("FILTER is not implemented for non-aggregate window functions").WithPosition(pos)
	}
	f := &exec.WindowFunc{Name: name}
	bad := func() error { return undefinedFunction(name, args).WithPosition(pos) }
	intArg := func(i int) error {
		a, err := b.coerce(args[i], types.Int4, "")
		if err != nil {
			return bad()
		}
		args[i] = a
		return nil
	}
	valueArg := func() error {
		if args[0].Type() == types.Unknown {
			a, err := b.coerce(args[0], types.Text, "")
			if err != nil {
				return err
			}
			args[0] = a
		}
		f.T = args[0].Type()
		return nil
	}
	switch name {
	case "row_number", "rank", "dense_rank", "percent_rank", "cume_dist":
		if len(args) > 0 {
			if name == "row_number" {
				return nil, bad()
			}
			return nil, pgerr.New(pgerrcode.WrongObjectType, "WITHIN GROUP is required for ordered-set aggregate %s", name).WithPosition(pos)
		}
		f.T = types.Int8
		if name == "percent_rank" || name == "cume_dist" {
			f.T = types.Float8
		}
	case "ntile":
		if len(args) != 1 {
			return nil, bad()
		}
		if err := intArg(0); err != nil {
			return nil, err
		}
		f.T = types.Int4
	case "lag", "lead":
		if len(args) < 1 || len(args) > 3 {
			return nil, bad()
		}
		if len(args) > 1 {
			if err := intArg(1); err != nil {
				return nil, err
			}
		}
		if len(args) == 3 {
			pair := []exec.Expr{args[0], args[2]}
			t, err := b.unify(pair, "lag", "")
			if err != nil {
				return nil, err
			}
			args[0], args[2] = pair[0], pair[1]
			f.T = t
		} else if err := valueArg(); err != nil {
			return nil, err
		}
	case "first_value", "last_value":
		if len(args) != 1 {
			return nil, bad()
		}
		if err := valueArg(); err != nil {
			return nil, err
		}
	case "nth_value":
		if len(args) != 2 {
			return nil, bad()
		}
		if err := intArg(1); err != nil {
			return nil, err
		}
		if err := valueArg(); err != nil {
			return nil, err
		}
	}
	f.Args = args
	return f, nil
}

var boundKinds = map[string]exec.BoundKind{
	"unbounded preceding": exec.UnboundedPreceding, "preceding": exec.OffsetPreceding,
	"current row": exec.CurrentRow, "following": exec.OffsetFollowing, "unbounded following": exec.UnboundedFollowing,
}

var frameExcludes = map[string]exec.FrameExclude{
	"no others": exec.ExcludeNoOthers, "current row": exec.ExcludeCurrentRow, "group": exec.ExcludeGroup, "ties": exec.ExcludeTies,
}

// frame binds a window's frame (the default when it has none).
func (b *binder) frame(s *winSpec, order []exec.SortKey, pos int32) (exec.Frame, error) {
	fr := exec.Frame{Mode: exec.FrameRange, Start: exec.FrameBound{Kind: exec.UnboundedPreceding}, End: exec.FrameBound{Kind: exec.CurrentRow}}
	m := s.frame
	if m == nil {
		return fr, nil
	}
	if len(m.Args) != 6 {
		return fr, fmt.Errorf("planner: malformed %s call", fnWinFrame)
	}
	units := constString(m.Args[0])
	label := strings.ToUpper(units)
	switch units {
	case "rows":
		fr.Mode = exec.FrameRows
	case "groups":
		fr.Mode = exec.FrameGroups
		if len(order) == 0 {
			return fr, pgerr.New(pgerrcode.WindowingError, "GROUPS mode requires an ORDER BY clause").WithPosition(pos)
		}
	}
	fr.Exclude = frameExcludes[constString(m.Args[5])]
	bounds := []*exec.FrameBound{&fr.Start, &fr.End}
	hasOffset := false
	for i, bd := range bounds {
		bd.Kind = boundKinds[constString(m.Args[1+2*i])]
		hasOffset = hasOffset || bd.Kind == exec.OffsetPreceding || bd.Kind == exec.OffsetFollowing
	}
	if fr.Mode == exec.FrameRange && hasOffset && len(order) != 1 {
		return fr, pgerr.New(pgerrcode.WindowingError, "RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column").WithPosition(pos)
	}
	for i, bd := range bounds {
		if bd.Kind != exec.OffsetPreceding && bd.Kind != exec.OffsetFollowing {
			continue
		}
		node := m.Args[2+2*i]
		off, err := b.expr(node)
		if err != nil {
			return fr, err
		}
		variable := false
		walkExpr(off, func(x exec.Expr) {
			if _, ok := x.(*exec.ColRef); ok {
				variable = true
			}
		})
		if variable {
			return fr, pgerr.New(pgerrcode.InvalidColumnReference, "argument of %s must not contain variables", label).WithPosition(b.nodePos(node))
		}
		if fr.Mode != exec.FrameRange {
			if off, err = b.coerce(off, types.Int8, "argument of "+label); err != nil {
				return fr, pgerr.From(err).WithPosition(b.nodePos(node))
			}
			bd.Offset = off
			continue
		}
		if bd.Offset, err = b.rangeOffset(&fr, order[0].Expr.Type(), off, b.nodePos(node)); err != nil {
			return fr, err
		}
	}
	return fr, nil
}

// rangeOffset binds a RANGE offset for an ORDER BY key of type kt and sets the
// frame's arithmetic (PostgreSQL's in_range support functions): integers and
// numeric compute in numeric (no overflow), floats in float8, dates as
// timestamps, the other date/time types with interval offsets in their own type.
func (b *binder) rangeOffset(fr *exec.Frame, kt types.T, off exec.Expr, pos int32) (exec.Expr, error) {
	var want, calc types.T
	switch kt {
	case types.Int2, types.Int4, types.Int8:
		want, calc = kt, types.Numeric
		switch off.Type() {
		case types.Int2, types.Int4, types.Int8:
			want = off.Type()
		}
	case types.Numeric:
		want, calc = types.Numeric, types.Numeric
	case types.Float4, types.Float8:
		want, calc = types.Float8, types.Float8
	case types.DateT:
		want, calc = types.IntervalT, types.TimestampT
	case types.TimestampT, types.TimestampTZT, types.TimeT, types.IntervalT:
		want, calc = types.IntervalT, kt
	default:
		return nil, pgerr.FeatureNotSupported("RANGE with offset PRECEDING/FOLLOWING is not supported for column type %s", kt.SQLName()).WithPosition(pos)
	}
	ot := off.Type()
	if ot != want && !canCoerce(ot, want) {
		return nil, pgerr.FeatureNotSupported("RANGE with offset PRECEDING/FOLLOWING is not supported for column type %s and offset type %s", kt.SQLName(), ot.SQLName()).
			WithHint("Cast the offset value to an appropriate type.").WithPosition(pos)
	}
	off, err := b.coerce(off, want, "")
	if err != nil {
		return nil, err
	}
	key := exec.Expr(&exec.ColRef{Idx: 0, T: kt})
	if kt != calc {
		key = &exec.Cast{X: key, T: calc, Typmod: -1}
	}
	o := exec.Expr(&exec.ColRef{Idx: 1, T: want})
	if want != types.IntervalT && want != calc {
		o = &exec.Cast{X: o, T: calc, Typmod: -1}
	}
	if fr.Add, err = b.binOp("+", key, o); err != nil {
		return nil, err
	}
	if fr.Sub, err = b.binOp("-", key, o); err != nil {
		return nil, err
	}
	if kt != calc {
		fr.Conv = key
	}
	fr.Cmp = exec.Comparer(fr.Add.Type())
	fr.OffsetCmp = exec.Comparer(want)
	return off, nil
}

// windowPlan puts the Window nodes of the level's window calls above node, whose
// rows have width values, and gives each call's ColRef its column; it returns
// the new node and its row width.
func (b *binder) windowPlan(node exec.Node, width int, est float64) (exec.Node, int) {
	if b.sc == nil || b.sc.win == nil || len(b.sc.win.calls) == 0 {
		return node, width
	}
	var keys []string
	byKey := map[string][]*winCall{}
	for _, c := range b.sc.win.calls {
		if _, ok := byKey[c.key]; !ok {
			keys = append(keys, c.key)
		}
		byKey[c.key] = append(byKey[c.key], c)
	}
	col := width
	for _, k := range keys {
		calls := byKey[k]
		first := calls[0]
		var sk []exec.SortKey
		for _, p := range first.part {
			sk = append(sk, exec.SortKey{Expr: p, Cmp: exec.Comparer(p.Type())})
		}
		sk = append(sk, first.order...)
		in := node
		if len(sk) > 0 {
			var names []string
			for _, k := range sk {
				s := exprString(k.Expr)
				if k.Desc {
					s += " DESC"
				}
				if k.NullsFirst != k.Desc {
					s += map[bool]string{true: " NULLS FIRST", false: " NULLS LAST"}[k.NullsFirst]
				}
				names = append(names, s)
			}
			in = &exec.Sort{Input: node, Keys: sk, Info: exec.NodeInfo{Name: "Sort", Rows: est, Cost: est * 2,
				Details: []string{"Sort Key: " + strings.Join(names, ", ")}}}
		}
		w := &exec.Window{Input: in, Partition: first.part, PartTypes: exprTypes(first.part), Order: first.order, Width: col,
			Info: exec.NodeInfo{Name: "WindowAgg", Rows: est, Cost: est * 2}}
		for _, c := range calls {
			w.Funcs = append(w.Funcs, c.fn)
			c.ref.Idx = col
			col++
		}
		node = w
	}
	return node, col
}

// windowHasAgg reports whether the window call m holds an aggregate of the
// level: in its function's arguments or FILTER, or in its PARTITION BY / ORDER BY.
func windowHasAgg(m *ast.FuncCallExpr, v ast.Visitor) {
	if len(m.Args) != 2 {
		return
	}
	call, mods := splitMods(m.Args[0])
	if mods != nil && mods.filter != nil {
		mods.filter.Accept(v)
	}
	switch x := call.(type) {
	case *ast.AggregateFuncExpr:
		for _, a := range x.Args {
			a.Accept(v)
		}
	case *ast.FuncCallExpr:
		for _, a := range x.Args {
			a.Accept(v)
		}
	}
	if w, ok := m.Args[1].(*ast.WindowFuncExpr); ok {
		if w.Spec.PartitionBy != nil {
			for _, it := range w.Spec.PartitionBy.Items {
				it.Expr.Accept(v)
			}
		}
		if w.Spec.OrderBy != nil {
			for _, it := range w.Spec.OrderBy.Items {
				it.Expr.Accept(v)
			}
		}
	}
}

// markerColName is the result column name of a marker call: the name of the
// function it stands for (PostgreSQL's FigureColname of the call).
func markerColName(e *ast.FuncCallExpr) (string, bool) {
	switch e.FnName.L {
	case fnWinOver, fnAggFilter, fnAggOrder, fnAggDistinct:
		if len(e.Args) == 0 {
			return "", false
		}
		call, _ := splitMods(e.Args[0])
		if e.FnName.L != fnWinOver {
			call, _ = splitMods(e)
		}
		name := funcName(call)
		if name == "group_concat" {
			name = "string_agg"
		}
		return name, true
	case fnGrouping:
		return "grouping", true
	}
	return "", false
}
