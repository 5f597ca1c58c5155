package planner

import (
	"slices"
	"strconv"
	"strings"

	"github.com/augurdb/augur/planner/exec"
	"github.com/augurdb/augur/planner/pgdialect"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// Arrays in the binder: ARRAY[...] and ARRAY(SELECT ...), subscripts and
// slices, op ANY/ALL (array), the array operators (comparisons, ||, @>, <@, &&)
// and the polymorphic array functions. PostgreSQL declares the functions over
// the pseudo-types anyarray and anyelement; here each is bound by hand: the
// array argument fixes the element type (or, when it is an untyped literal or
// parameter, the element argument fixes the array type).

// arrayMarker binds the dialect's array markers.
func (b *binder) arrayMarker(e *ast.FuncCallExpr) (exec.Expr, error) {
	switch e.FnName.L {
	case pgdialect.FnArray:
		return b.arrayCtor(e, types.Invalid)
	case pgdialect.FnArraySub:
		return b.arraySubquery(e)
	case pgdialect.FnSubscript, pgdialect.FnSlice:
		return b.subscript(e)
	}
	return b.anyAll(e, e.FnName.L == pgdialect.FnAll)
}

func isArrayCtor(n ast.ExprNode) (*ast.FuncCallExpr, bool) {
	f, ok := n.(*ast.FuncCallExpr)
	return f, ok && f.FnName.L == pgdialect.FnArray
}

// arrayCtor binds ARRAY[...]. want is the array type a cast gives it
// (ARRAY[]::int[]), Invalid without one: then the items' common type decides.
// Items that are arrays make a multidimensional array.
func (b *binder) arrayCtor(e *ast.FuncCallExpr, want types.T) (exec.Expr, error) {
	items := make([]exec.Expr, len(e.Args))
	nested := false
	for i, a := range e.Args {
		var x exec.Expr
		var err error
		if inner, ok := isArrayCtor(a); ok {
			x, err = b.arrayCtor(inner, want)
			nested = true
		} else {
			x, err = b.expr(a)
		}
		if err != nil {
			return nil, err
		}
		if x.Type().IsArray() {
			nested = true
		}
		items[i] = x
	}
	if want.IsArray() {
		for i, x := range items {
			t := want.Elem()
			if nested {
				t = want
			}
			if x.Type() == t {
				continue
			}
			c, err := b.castTo(x, t, -1, b.exprPos(e.Args[i]))
			if err != nil {
				return nil, err
			}
			items[i] = c
		}
		return &exec.ArrayCtor{T: want, Elems: items, Nested: nested}, nil
	}
	if len(items) == 0 {
		return nil, pgerr.New(pgerrcode.IndeterminateDatatype, "cannot determine type of empty array").
			WithHint("Explicitly cast to the desired type, for example ARRAY[]::integer[].").WithPosition(b.nodePos(e))
	}
	t, err := b.unifyAt(items, e.Args, "ARRAY", "")
	if err != nil {
		return nil, err
	}
	if nested {
		if !t.IsArray() {
			return nil, pgerr.New(pgerrcode.DatatypeMismatch, "ARRAY types %s and %s cannot be matched", t.SQLName(), items[0].Type().SQLName())
		}
		return &exec.ArrayCtor{T: t, Elems: items, Nested: true}, nil
	}
	at, ok := types.ArrayOf(t)
	if !ok {
		return nil, pgerr.New(pgerrcode.UndefinedObject, "could not find array type for data type %s", t.SQLName())
	}
	return &exec.ArrayCtor{T: at, Elems: items}, nil
}

// arraySubquery binds ARRAY(SELECT ...): the rows' single column as an array
// (of one more dimension when the column is an array).
func (b *binder) arraySubquery(e *ast.FuncCallExpr) (exec.Expr, error) {
	sub := e.Args[0]
	if p, ok := sub.(*ast.ParenthesesExpr); ok {
		sub = p.Expr
	}
	p, err := b.subquery(sub)
	if err != nil {
		return nil, err
	}
	if len(p.cols) != 1 {
		return nil, pgerr.Syntax(b.nodePos(e), "subquery must return only one column")
	}
	ct := p.cols[0].Type
	if ct == types.Unknown {
		ct = types.Text
	}
	at := ct
	if !ct.IsArray() {
		var ok bool
		if at, ok = types.ArrayOf(ct); !ok {
			return nil, pgerr.New(pgerrcode.UndefinedObject, "could not find array type for datatype %s", ct.SQLName())
		}
	}
	return &exec.Subquery{Plan: p.node, Kind: exec.ArraySub, Correlated: p.correlated, T: at, Stack: ct.IsArray()}, nil
}

// subscript binds a[i][j] and a[i:j][k:l]: a chain of subscripts applies to the
// array at once, as PostgreSQL reads it (a[1][2] of a two-dimensional array is
// an element, not a[1] subscripted again).
func (b *binder) subscript(e *ast.FuncCallExpr) (exec.Expr, error) {
	var chain []*ast.FuncCallExpr
	for n := e; ; {
		chain = append(chain, n)
		inner, ok := n.Args[0].(*ast.FuncCallExpr)
		if !ok || inner.FnName.L != pgdialect.FnSubscript && inner.FnName.L != pgdialect.FnSlice {
			break
		}
		n = inner
	}
	slices.Reverse(chain)
	x, err := b.expr(chain[0].Args[0])
	if err != nil {
		return nil, err
	}
	t := x.Type()
	if !t.IsArray() {
		return nil, pgerr.New(pgerrcode.DatatypeMismatch, "cannot subscript type %s because it does not support subscripting", t.SQLName()).
			WithPosition(b.exprPos(chain[0].Args[0]))
	}
	if len(chain) > types.MaxArrayDims {
		return nil, pgerr.New(pgerrcode.ProgramLimitExceeded, "number of array dimensions (%d) exceeds the maximum allowed (%d)", len(chain), types.MaxArrayDims)
	}
	index := func(n ast.ExprNode) (exec.Expr, error) {
		if n == nil {
			return nil, nil
		}
		i, err := b.expr(n)
		if err != nil {
			return nil, err
		}
		switch it := i.Type(); {
		case it == types.Int4:
			return i, nil
		case it == types.Unknown || implicit(it, types.Int4) || numericRank(it) > 0:
			if it == types.Unknown {
				return b.coerce(i, types.Int4, "")
			}
			return &exec.Cast{X: i, T: types.Int4, Typmod: -1}, nil
		}
		return nil, pgerr.New(pgerrcode.DatatypeMismatch, "array subscript must have type integer").WithPosition(b.exprPos(n))
	}
	isSlice := false
	for _, c := range chain {
		isSlice = isSlice || c.FnName.L == pgdialect.FnSlice
	}
	if !isSlice {
		s := &exec.Subscript{X: x, T: t.Elem()}
		for _, c := range chain {
			if len(c.Args) != 2 {
				return nil, pgerr.Syntax(b.nodePos(c), "syntax error at or near \",\"")
			}
			i, err := index(c.Args[1])
			if err != nil {
				return nil, err
			}
			s.Subs = append(s.Subs, i)
		}
		return s, nil
	}
	s := &exec.Slice{X: x, T: t}
	for _, c := range chain {
		if c.FnName.L == pgdialect.FnSubscript {
			if len(c.Args) != 2 {
				return nil, pgerr.Syntax(b.nodePos(c), "syntax error at or near \",\"")
			}
			hi, err := index(c.Args[1])
			if err != nil {
				return nil, err
			}
			s.Lo, s.Hi, s.Slice = append(s.Lo, nil), append(s.Hi, hi), append(s.Slice, false)
			continue
		}
		present, _ := constInt(c.Args[3])
		var lo, hi exec.Expr
		if present&1 != 0 {
			if lo, err = index(c.Args[1]); err != nil {
				return nil, err
			}
		}
		if present&2 != 0 {
			if hi, err = index(c.Args[2]); err != nil {
				return nil, err
			}
		}
		s.Lo, s.Hi, s.Slice = append(s.Lo, lo), append(s.Hi, hi), append(s.Slice, true)
	}
	return s, nil
}

// anyAll binds x op ANY (array) and x op ALL (array). An untyped array (a
// literal, a parameter: id = ANY($1)) takes the array type of the operator's
// right operand.
func (b *binder) anyAll(e *ast.FuncCallExpr, all bool) (exec.Expr, error) {
	op := constString(e.Args[0])
	x, err := b.expr(e.Args[1])
	if err != nil {
		return nil, err
	}
	arr, err := b.expr(e.Args[2])
	if err != nil {
		return nil, err
	}
	pos := b.nodePos(e)
	at := arr.Type()
	if at != types.Unknown && !at.IsArray() {
		return nil, pgerr.New(pgerrcode.WrongObjectType, "op ANY/ALL (array) requires array on right side").WithPosition(pos)
	}
	if x.Type() == types.Unknown && at.IsArray() {
		if x, err = b.coerce(x, at.Elem(), ""); err != nil {
			return nil, err
		}
	}
	et := types.Unknown
	if at.IsArray() {
		et = at.Elem()
	}
	c, err := resolveOp(op, x.Type(), et)
	if err != nil {
		return nil, b.atOperator(err, pos)
	}
	rt := c.r
	if rt == anyType || et != types.Unknown {
		rt = et
	}
	if at == types.Unknown {
		if rt == types.Unknown {
			rt = types.Text
		}
		want, ok := types.ArrayOf(rt)
		if !ok {
			return nil, b.atOperator(opMissing(op, x.Type(), rt), pos)
		}
		if arr, err = b.coerce(arr, want, ""); err != nil {
			return nil, err
		}
	}
	cmp, err := b.binOp(op, &exec.ColRef{Idx: 0, T: x.Type()}, &exec.ColRef{Idx: 1, T: rt})
	if err != nil {
		return nil, b.atOperator(err, pos)
	}
	if cmp.Type() != types.Bool {
		return nil, pgerr.New(pgerrcode.WrongObjectType, "op ANY/ALL (array) requires operator to yield boolean").WithPosition(pos)
	}
	return &exec.ArrayCompare{X: x, Arr: arr, All: all, Cmp: func(c *exec.Ctx, xv, v types.Datum) (types.Datum, error) {
		return cmp.Eval(c.With([]types.Datum{xv, v}))
	}}, nil
}

// arrayOps are the operators only arrays have.
var arrayOps = map[string]bool{"@>": true, "<@": true, "&&": true}

// arrayBinOp binds a binary operator with an array operand: the comparisons
// (both of one array type), || (array_cat, array_append, array_prepend) and
// @>, <@, &&. ok is false when neither operand is an array.
func (b *binder) arrayBinOp(op string, l, r exec.Expr) (exec.Expr, bool, error) {
	lt, rt := l.Type(), r.Type()
	if !lt.IsArray() && !rt.IsArray() {
		return nil, false, nil
	}
	switch op {
	case "=", "<>", "<", "<=", ">", ">=", "@>", "<@", "&&":
		if lt == types.Unknown {
			lt = rt
		}
		if rt == types.Unknown {
			rt = lt
		}
		if lt != rt {
			return nil, true, opMissing(op, l.Type(), r.Type())
		}
		var err error
		if l, err = b.coerce(l, lt, ""); err != nil {
			return nil, true, err
		}
		if r, err = b.coerce(r, rt, ""); err != nil {
			return nil, true, err
		}
		if !types.Comparable(lt.Elem()) {
			return nil, true, pgerr.New(pgerrcode.UndefinedFunction, "could not identify an equality operator for type %s", lt.Elem().SQLName())
		}
		if !arrayOps[op] {
			x, _ := exec.NewBinOp(op, lt, l, r)
			return x, true, nil
		}
		elem := lt.Elem()
		return &exec.Func{Name: op, T: types.Bool, Args: []exec.Expr{l, r}, Strict: true, Fn: func(_ *exec.Ctx, a []types.Datum) (types.Datum, error) {
			x, y := a[0].(*types.Array), a[1].(*types.Array)
			switch op {
			case "@>":
				return exec.ArrayContains(elem, x, y), nil
			case "<@":
				return exec.ArrayContains(elem, y, x), nil
			}
			return exec.ArrayOverlap(elem, x, y), nil
		}}, true, nil
	case "||":
		x, err := b.arrayConcat("||", l, r)
		return x, true, err
	}
	// Other operators with an array operand (jsonb - text[], jsonb ?| text[])
	// are resolved among the binary operators.
	return nil, false, nil
}

// commonElem is the type two element types share (select_common_type), ok false
// when they have none.
func (b *binder) commonElem(x, y types.T) (types.T, bool) {
	t, err := b.commonType([]exec.Expr{&exec.Const{T: x}, &exec.Const{T: y}}, "")
	if err != nil || !canCoerce(x, t) || !canCoerce(y, t) {
		return types.Invalid, false
	}
	return t, true
}

// arrayConcat binds || with an array operand (and array_cat, array_append,
// array_prepend, named by fn): arrays of compatible element types are
// concatenated; an element is appended or prepended. An untyped operand is an
// array.
func (b *binder) arrayConcat(fn string, l, r exec.Expr) (exec.Expr, error) {
	lt, rt := l.Type(), r.Type()
	missing := func() error {
		if fn == "||" {
			return opMissing(fn, lt, rt)
		}
		return undefinedFunction(fn, []exec.Expr{l, r})
	}
	lArr := lt.IsArray() || lt == types.Unknown && fn != "array_prepend"
	rArr := rt.IsArray() || rt == types.Unknown && fn != "array_append"
	switch fn {
	case "array_cat":
		if !lArr || !rArr {
			return nil, missing()
		}
	case "array_append":
		if !lArr || rArr {
			return nil, missing()
		}
	case "array_prepend":
		if lArr || !rArr {
			return nil, missing()
		}
	}
	elemOf := func(t types.T) types.T {
		if t.IsArray() {
			return t.Elem()
		}
		return t
	}
	et, ok := b.commonElem(elemOf(lt), elemOf(rt))
	if !ok {
		return nil, missing()
	}
	at, ok := types.ArrayOf(et)
	if !ok {
		return nil, missing()
	}
	conv := func(x exec.Expr, isArr bool) (exec.Expr, error) {
		if isArr {
			return b.coerce(x, at, "")
		}
		return b.coerce(x, et, "")
	}
	var err error
	if l, err = conv(l, lArr); err != nil {
		return nil, err
	}
	if r, err = conv(r, rArr); err != nil {
		return nil, err
	}
	var f func(x, y types.Datum) (types.Datum, error)
	switch {
	case lArr && rArr:
		f = exec.ArrayCat
	case lArr:
		f = exec.ArrayAppend
	default:
		f = exec.ArrayPrepend
	}
	name := map[bool]string{true: "array_cat", false: "array_append"}[lArr && rArr]
	if !lArr {
		name = "array_prepend"
	}
	return &exec.Func{Name: name, T: at, Args: []exec.Expr{l, r}, Fn: func(_ *exec.Ctx, a []types.Datum) (types.Datum, error) {
		if a[0] == nil && a[1] == nil {
			return nil, nil
		}
		return f(a[0], a[1])
	}}, nil
}

// arrayFuncs are the array functions bound here rather than through
// exec.Builtins, because their types follow their arguments.
var arrayFuncs = map[string]bool{
	"array_length": true, "array_lower": true, "array_upper": true, "array_ndims": true, "array_dims": true,
	"cardinality": true, "array_position": true, "array_positions": true, "array_append": true,
	"array_prepend": true, "array_cat": true, "array_remove": true, "array_replace": true,
	"array_to_string": true, "string_to_array": true, "array_fill": true,
}

func arrayFunc(name string, t types.T, args []exec.Expr, strict bool, f func(a []types.Datum) (types.Datum, error)) exec.Expr {
	return &exec.Func{Name: name, T: t, Args: args, Strict: strict, Fn: func(_ *exec.Ctx, a []types.Datum) (types.Datum, error) { return f(a) }}
}

// arrayFunction binds a call of one of arrayFuncs.
func (b *binder) arrayFunction(name string, args []exec.Expr) (exec.Expr, error) {
	missing := func() error { return undefinedFunction(name, args) }
	// anyarray at position i, with the element type taken from position elem
	// when the array is untyped.
	array := func(i, elem int) (types.T, error) {
		t := args[i].Type()
		if t.IsArray() {
			return t, nil
		}
		if t == types.Unknown && elem >= 0 && elem < len(args) && args[elem].Type() != types.Unknown {
			if at, ok := types.ArrayOf(args[elem].Type()); ok {
				var err error
				args[i], err = b.coerce(args[i], at, "")
				return at, err
			}
		}
		if t == types.Unknown {
			return types.Invalid, pgerr.New(pgerrcode.DatatypeMismatch, "could not determine polymorphic type because input has type unknown")
		}
		return types.Invalid, missing()
	}
	to := func(i int, t types.T) error {
		if !canCoerce(args[i].Type(), t) {
			return missing()
		}
		var err error
		args[i], err = b.coerce(args[i], t, "")
		return err
	}
	nargs := func(ns ...int) error {
		if !slices.Contains(ns, len(args)) {
			return missing()
		}
		return nil
	}
	switch name {
	case "array_append", "array_prepend", "array_cat":
		if err := nargs(2); err != nil {
			return nil, err
		}
		return b.arrayConcat(name, args[0], args[1])
	case "array_ndims", "array_dims", "cardinality":
		if err := nargs(1); err != nil {
			return nil, err
		}
		if _, err := array(0, -1); err != nil {
			return nil, err
		}
		t := types.Int4
		if name == "array_dims" {
			t = types.Text
		}
		return arrayFunc(name, t, args, true, func(a []types.Datum) (types.Datum, error) {
			x := a[0].(*types.Array)
			switch name {
			case "cardinality":
				return int64(len(x.Elems)), nil
			case "array_ndims":
				if x.NDims() == 0 {
					return nil, nil
				}
				return int64(x.NDims()), nil
			}
			if x.NDims() == 0 {
				return nil, nil
			}
			var s strings.Builder
			for _, d := range x.Dims {
				s.WriteString("[" + strconv.Itoa(d.Lower) + ":" + strconv.Itoa(d.Lower+d.Len-1) + "]")
			}
			return s.String(), nil
		}), nil
	case "array_length", "array_lower", "array_upper":
		if err := nargs(2); err != nil {
			return nil, err
		}
		if _, err := array(0, -1); err != nil {
			return nil, err
		}
		if err := to(1, types.Int4); err != nil {
			return nil, err
		}
		return arrayFunc(name, types.Int4, args, true, func(a []types.Datum) (types.Datum, error) {
			x, d := a[0].(*types.Array), a[1].(int64)
			if d < 1 || d > int64(x.NDims()) {
				return nil, nil
			}
			dim := x.Dims[d-1]
			switch name {
			case "array_length":
				return int64(dim.Len), nil
			case "array_lower":
				return int64(dim.Lower), nil
			}
			return int64(dim.Lower + dim.Len - 1), nil
		}), nil
	case "array_position", "array_positions":
		if name == "array_positions" {
			if err := nargs(2); err != nil {
				return nil, err
			}
		} else if err := nargs(2, 3); err != nil {
			return nil, err
		}
		at, err := array(0, 1)
		if err != nil {
			return nil, err
		}
		if err := to(1, at.Elem()); err != nil {
			return nil, err
		}
		if len(args) == 3 {
			if err := to(2, types.Int4); err != nil {
				return nil, err
			}
		}
		elem := at.Elem()
		rt := types.Int4
		if name == "array_positions" {
			rt, _ = types.ArrayOf(types.Int4)
		}
		return arrayFunc(name, rt, args, false, func(a []types.Datum) (types.Datum, error) {
			if a[0] == nil || len(a) == 3 && a[2] == nil {
				return nil, nil
			}
			x := a[0].(*types.Array)
			if x.NDims() > 1 {
				return nil, pgerr.FeatureNotSupported("searching for elements in multidimensional arrays is not supported")
			}
			lower := 1
			if x.NDims() == 1 {
				lower = x.Dims[0].Lower
			}
			start := 0
			if len(a) == 3 {
				start = max(0, int(a[2].(int64))-lower)
			}
			var found []types.Datum
			for i := start; i < len(x.Elems); i++ {
				e := x.Elems[i]
				if e == nil && a[1] == nil || e != nil && a[1] != nil && types.Compare(elem, e, a[1]) == 0 {
					if name == "array_position" {
						return int64(i + lower), nil
					}
					found = append(found, int64(i+lower))
				}
			}
			if name == "array_position" {
				return nil, nil
			}
			return types.NewArray(found), nil
		}), nil
	case "array_remove", "array_replace":
		if name == "array_remove" {
			if err := nargs(2); err != nil {
				return nil, err
			}
		} else if err := nargs(3); err != nil {
			return nil, err
		}
		at, err := array(0, 1)
		if err != nil {
			return nil, err
		}
		for i := 1; i < len(args); i++ {
			if err := to(i, at.Elem()); err != nil {
				return nil, err
			}
		}
		elem := at.Elem()
		return arrayFunc(name, at, args, false, func(a []types.Datum) (types.Datum, error) {
			if a[0] == nil {
				return nil, nil
			}
			x := a[0].(*types.Array)
			match := func(e types.Datum) bool {
				return e == nil && a[1] == nil || e != nil && a[1] != nil && types.Compare(elem, e, a[1]) == 0
			}
			if name == "array_replace" {
				out := &types.Array{Dims: x.Dims, Elems: slices.Clone(x.Elems)}
				for i, e := range out.Elems {
					if match(e) {
						out.Elems[i] = a[2]
					}
				}
				return out, nil
			}
			if x.NDims() > 1 {
				return nil, pgerr.FeatureNotSupported("removing elements from multidimensional arrays is not supported")
			}
			var keep []types.Datum
			for _, e := range x.Elems {
				if !match(e) {
					keep = append(keep, e)
				}
			}
			if len(keep) == len(x.Elems) {
				return x, nil
			}
			if len(keep) == 0 {
				return &types.Array{}, nil
			}
			return &types.Array{Dims: []types.ArrayDim{{Len: len(keep), Lower: x.Dims[0].Lower}}, Elems: keep}, nil
		}), nil
	case "array_to_string":
		if err := nargs(2, 3); err != nil {
			return nil, err
		}
		at, err := array(0, -1)
		if err != nil {
			return nil, err
		}
		for i := 1; i < len(args); i++ {
			if err := to(i, types.Text); err != nil {
				return nil, err
			}
		}
		elem := at.Elem()
		return arrayFunc(name, types.Text, args, false, func(a []types.Datum) (types.Datum, error) {
			if a[0] == nil || a[1] == nil {
				return nil, nil
			}
			var null *string
			if len(a) == 3 && a[2] != nil {
				s := a[2].(string)
				null = &s
			}
			return exec.ArrayToString(elem, a[0].(*types.Array), a[1].(string), null), nil
		}), nil
	case "string_to_array":
		if err := nargs(2, 3); err != nil {
			return nil, err
		}
		for i := range args {
			if err := to(i, types.Text); err != nil {
				return nil, err
			}
		}
		rt, _ := types.ArrayOf(types.Text)
		return arrayFunc(name, rt, args, false, func(a []types.Datum) (types.Datum, error) {
			if a[0] == nil {
				return nil, nil
			}
			s := a[0].(string)
			if s == "" {
				return &types.Array{}, nil
			}
			var parts []string
			switch {
			case a[1] == nil:
				for _, r := range s {
					parts = append(parts, string(r))
				}
			case a[1].(string) == "":
				parts = []string{s}
			default:
				parts = strings.Split(s, a[1].(string))
			}
			out := make([]types.Datum, len(parts))
			for i, p := range parts {
				if len(a) == 3 && a[2] != nil && p == a[2].(string) {
					continue
				}
				out[i] = p
			}
			return types.NewArray(out), nil
		}), nil
	case "array_fill":
		if err := nargs(2, 3); err != nil {
			return nil, err
		}
		i4a, _ := types.ArrayOf(types.Int4)
		for i := 1; i < len(args); i++ {
			if err := to(i, i4a); err != nil {
				return nil, err
			}
		}
		et := args[0].Type()
		if et == types.Unknown {
			return nil, pgerr.New(pgerrcode.DatatypeMismatch, "could not determine polymorphic type because input has type unknown")
		}
		at, ok := types.ArrayOf(et)
		if !ok {
			return nil, missing()
		}
		return arrayFunc(name, at, args, false, func(a []types.Datum) (types.Datum, error) {
			if a[1] == nil || len(a) == 3 && a[2] == nil {
				return nil, pgerr.New(pgerrcode.NullValueNotAllowedDataException, "dimension array or low bound array cannot be null")
			}
			dv := a[1].(*types.Array)
			if dv.NDims() == 0 {
				return &types.Array{}, nil
			}
			if dv.NDims() != 1 {
				return nil, pgerr.New(pgerrcode.ArraySubscriptError, "wrong number of array subscripts").WithDetail("Dimension array must be one dimensional.")
			}
			if dv.HasNull() {
				return nil, pgerr.New(pgerrcode.NullValueNotAllowedDataException, "dimension values cannot be null")
			}
			dims := make([]types.ArrayDim, len(dv.Elems))
			for i, n := range dv.Elems {
				dims[i] = types.ArrayDim{Len: int(n.(int64)), Lower: 1}
			}
			if len(a) == 3 {
				lv := a[2].(*types.Array)
				if lv.NDims() != 1 {
					return nil, pgerr.New(pgerrcode.ArraySubscriptError, "wrong number of array subscripts").WithDetail("Dimension array must be one dimensional.")
				}
				if len(lv.Elems) != len(dims) {
					return nil, pgerr.New(pgerrcode.ArraySubscriptError, "wrong number of array subscripts").WithDetail("Low bound array has different size than dimensions array.")
				}
				if lv.HasNull() {
					return nil, pgerr.New(pgerrcode.NullValueNotAllowedDataException, "dimension values cannot be null")
				}
				for i, l := range lv.Elems {
					dims[i].Lower = int(l.(int64))
				}
			}
			if len(dims) > types.MaxArrayDims {
				return nil, pgerr.New(pgerrcode.ProgramLimitExceeded, "number of array dimensions (%d) exceeds the maximum allowed (%d)", len(dims), types.MaxArrayDims)
			}
			n, err := types.CheckArraySize(dims)
			if err != nil {
				return nil, err
			}
			if n == 0 {
				return &types.Array{}, nil
			}
			elems := make([]types.Datum, n)
			for i := range elems {
				elems[i] = a[0]
			}
			return &types.Array{Dims: dims, Elems: elems}, nil
		}), nil
	}
	return nil, missing()
}

// arrayTypeName finds the element type's name in an array type's name:
// "int4[]", "int4[][]", "int[3]", "int ARRAY", "int ARRAY[3]" (sizes are
// documentation only, as in PostgreSQL); ok is false for other names.
func arrayTypeName(s string) (string, bool) {
	isArray := false
	for {
		s = strings.TrimSpace(s)
		if strings.HasSuffix(s, "]") {
			i := strings.LastIndexByte(s, '[')
			if i < 0 || strings.Trim(s[i+1:len(s)-1], " 0123456789") != "" {
				return s, isArray
			}
			s, isArray = s[:i], true
			continue
		}
		if n := len(s) - len(" array"); n > 0 && strings.EqualFold(s[n:], " array") {
			s, isArray = s[:n], true
			continue
		}
		return s, isArray
	}
}
