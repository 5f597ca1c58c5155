package planner

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/augurdb/augur/planner/exec"
	"github.com/augurdb/augur/planner/pgdialect"
	"github.com/augurdb/augur/storage/catalog"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/mysql"
	"github.com/pingcap/tidb/pkg/parser/opcode"
	driver "github.com/pingcap/tidb/pkg/parser/test_driver"
)

// binder resolves one statement's names and types. Unknown-typed literals and
// parameters stay "unknown" until context gives them a type (PostgreSQL's rule:
// `$1 + 1` makes $1 int4, `$1::text` makes it text); what is still unknown at the
// end becomes text.
type binder struct {
	st      *Statement
	params  []types.T // Invalid = not known yet
	fixed   []bool    // declared by the client
	planner *Planner
	schema  *catalog.Schema
	db      string
	depth   int // view nesting
	stats   func(tableID uint32) (int64, bool)

	sc   *scope    // the current query level
	spec *joinSpec // the current level's FROM structure
	// fold lists the expressions Plan.Fold evaluates ahead of execution.
	fold []exec.Expr
}

func newBinder(st *Statement, declared []uint32) (*binder, error) {
	b := &binder{st: st}
	for i, oid := range declared {
		b.grow(i + 1)
		if oid == 0 {
			continue
		}
		t, ok := types.ByOID(oid)
		if !ok {
			return nil, pgerr.FeatureNotSupported("parameter $%d has type OID %d, which Augur does not support yet", i+1, oid)
		}
		if t != types.Unknown {
			b.params[i], b.fixed[i] = t, true
		}
	}
	return b, nil
}

func (b *binder) grow(n int) {
	for len(b.params) < n {
		b.params = append(b.params, types.Invalid)
		b.fixed = append(b.fixed, false)
	}
}

// finalParams returns the parameter types: what context did not type is text, as
// in PostgreSQL; a parameter neither declared nor used cannot be typed (42P18).
func (b *binder) finalParams() ([]types.T, error) {
	out := make([]types.T, len(b.params))
	for i, t := range b.params {
		switch t {
		case types.Invalid:
			return nil, pgerr.New(pgerrcode.IndeterminateDatatype, "could not determine data type of parameter $%d", i+1)
		case types.Unknown:
			t = types.Text
		}
		out[i] = t
	}
	return out, nil
}

func (b *binder) pos(off int) int32 { return pgdialect.CharPos(b.st.src, off) }

// colName is PostgreSQL's FigureColname: the name a result column gets without an
// alias, and its strength (2 for names, 1 for type names and CASE, 0 for none).
func colName(n ast.ExprNode) (string, int) {
	switch e := n.(type) {
	case *ast.ColumnNameExpr:
		return e.Name.Name.O, 2
	case *ast.ParenthesesExpr:
		return colName(e.Expr)
	case *ast.CaseExpr:
		return "case", 1
	case *ast.FuncCallExpr:
		switch e.FnName.L {
		case pgdialect.FnCast:
			name, strength := colName(e.Args[0])
			if strength <= 1 {
				if t, _, err := parseTypeText(constString(e.Args[1])); err == nil {
					return t.Name(), 1
				}
			}
			return name, strength
		case pgdialect.FnSVF:
			s := constString(e.Args[0])
			if s == "user" {
				s = "current_user"
			}
			return s, 2
		case pgdialect.FnParam, pgdialect.FnNum, pgdialect.FnOp, pgdialect.FnDistinct, pgdialect.FnNotDistinct,
			pgdialect.FnSimilar, pgdialect.FnAny, pgdialect.FnAll, pgdialect.FnBit, pgdialect.FnBetweenSym,
			pgdialect.FnCollate, pgdialect.FnTimeZone:
			return "?column?", 0
		case pgdialect.FnArray:
			return "array", 2
		case pgdialect.FnSubscript:
			return colName(e.Args[0])
		}
		return e.FnName.O, 2
	case *ast.ExistsSubqueryExpr:
		return "exists", 2
	case *ast.AggregateFuncExpr:
		return strings.ToLower(e.F), 2
	case *ast.RowExpr:
		return "row", 2
	}
	return "?column?", 0
}

func constString(n ast.ExprNode) string {
	if v, ok := n.(*driver.ValueExpr); ok && v.Kind() == driver.KindString {
		return v.GetString()
	}
	return ""
}

func constInt(n ast.ExprNode) (int64, bool) {
	if v, ok := n.(*driver.ValueExpr); ok && v.Kind() == driver.KindInt64 {
		return v.GetInt64(), true
	}
	return 0, false
}

// parseTypeText resolves a type name as pgdialect normalised it ("numeric(10,2)",
// "character varying(5)", "pg_catalog.int4").
func parseTypeText(s string) (types.T, int32, error) {
	name, mods := s, ""
	if i := strings.IndexByte(s, '('); i >= 0 && !strings.HasPrefix(s, `"`) {
		j := strings.IndexByte(s[i:], ')')
		if j < 0 {
			return types.Invalid, -1, pgerr.New(pgerrcode.SyntaxError, "invalid type name %q", s)
		}
		name, mods = s[:i]+s[i+j+1:], s[i+1:i+j]
		name = strings.TrimSpace(name)
	}
	if strings.HasSuffix(name, "[]") {
		return types.Invalid, -1, pgerr.FeatureNotSupported("array types are not supported yet")
	}
	lookup := strings.ReplaceAll(name, `"`, "")
	if name == `"char"` {
		lookup = "char(1)" // the one-byte "char" type is not supported; never confuse it with bpchar
		return types.Invalid, -1, pgerr.FeatureNotSupported("type \"char\" is not supported yet")
	}
	t, ok := types.ByName(lookup)
	if !ok {
		return types.Invalid, -1, pgerr.New(pgerrcode.UndefinedObject, "type %q does not exist", strings.TrimPrefix(lookup, "pg_catalog."))
	}
	var ms []int64
	if mods != "" {
		for _, m := range strings.Split(mods, ",") {
			v, err := strconv.ParseInt(strings.TrimSpace(m), 10, 64)
			if err != nil {
				return types.Invalid, -1, pgerr.New(pgerrcode.SyntaxError, "type modifiers must be simple constants or identifiers")
			}
			ms = append(ms, v)
		}
	}
	if len(ms) == 0 && (t == types.Bpchar) && !strings.Contains(lookup, "bpchar") {
		ms = []int64{1} // char and character mean char(1)
	}
	return types.MakeTypmod(t, ms)
}

// nodePos is the 1-based character position in the user's text of an expression
// the TiDB parser located in the rewritten text (0 when unknown).
func (b *binder) nodePos(n ast.Node) int32 {
	if b.st.rw == nil {
		return 0
	}
	return b.pos(b.st.rw.OrigOffset(n.OriginTextPosition()))
}

func undefinedFunction(name string, args []exec.Expr) *pgerr.Error {
	var ts []string
	for _, a := range args {
		ts = append(ts, a.Type().SQLName())
	}
	return pgerr.New(pgerrcode.UndefinedFunction, "function %s(%s) does not exist", name, strings.Join(ts, ", ")).
		WithHint("No function matches the given name and argument types. You might need to add explicit type casts.")
}

// expr binds an expression.
func (b *binder) expr(n ast.ExprNode) (exec.Expr, error) {
	if b.sc != nil && b.sc.agg != nil && b.sc.agg.active {
		if _, isCol := n.(*ast.ColumnNameExpr); !isCol {
			if _, isVal := n.(*driver.ValueExpr); !isVal {
				key := restore(n)
				for i, k := range b.sc.agg.groupKeys {
					if k == key {
						return &exec.ColRef{Idx: i, T: b.sc.agg.groups[i].Type()}, nil
					}
				}
			}
		}
	}
	switch e := n.(type) {
	case *driver.ValueExpr:
		return b.value(e)
	case *ast.ParenthesesExpr:
		return b.expr(e.Expr)
	case *ast.FuncCallExpr:
		return b.call(e)
	case *ast.BinaryOperationExpr:
		return b.binary(e)
	case *ast.UnaryOperationExpr:
		x, err := b.expr(e.V)
		if err != nil {
			return nil, err
		}
		switch e.Op {
		case opcode.Minus:
			if x.Type() == types.Unknown {
				return nil, pgerr.New(pgerrcode.UndefinedFunction, "operator is not unique: - unknown")
			}
			if x.Type().Category() != types.CatNumeric {
				return nil, pgerr.New(pgerrcode.UndefinedFunction, "operator does not exist: - %s", x.Type().SQLName())
			}
			if v, ok := literalInt(e); ok {
				// PostgreSQL's grammar negates numeric literals in the text, through
				// parentheses, so -2147483648 is an int4 and -(-2147483648) an int8.
				if v >= -1<<31 && v < 1<<31 {
					return &exec.Const{T: types.Int4, Val: v, Typmod: -1}, nil
				}
				return &exec.Const{T: types.Int8, Val: v, Typmod: -1}, nil
			}
			return &exec.Neg{X: x}, nil
		case opcode.Plus:
			return x, nil
		case opcode.Not, opcode.Not2:
			x, err := b.coerce(x, types.Bool, "argument of NOT")
			if err != nil {
				return nil, err
			}
			return &exec.Not{X: x}, nil
		}
		return nil, pgerr.FeatureNotSupported("operator %s is not supported yet", e.Op)
	case *ast.IsNullExpr:
		x, err := b.expr(e.Expr)
		if err != nil {
			return nil, err
		}
		if x.Type() == types.Unknown {
			if x, err = b.coerce(x, types.Text, ""); err != nil {
				return nil, err
			}
		}
		return &exec.IsNull{X: x, Not: e.Not}, nil
	case *ast.IsTruthExpr:
		x, err := b.expr(e.Expr)
		if err != nil {
			return nil, err
		}
		if x, err = b.coerce(x, types.Bool, "argument of IS TRUE"); err != nil {
			return nil, err
		}
		return &exec.IsTruth{X: x, Want: e.True != 0, Not: e.Not}, nil
	case *ast.CaseExpr:
		return b.caseExpr(e)
	case *ast.PatternInExpr:
		if e.Sel != nil {
			r, err := b.subqueryCompare(e.Expr, "=", e.Sel, false)
			if err != nil {
				return nil, err
			}
			if e.Not {
				return &exec.Not{X: r}, nil
			}
			return r, nil
		}
		x, err := b.expr(e.Expr)
		if err != nil {
			return nil, err
		}
		all := []exec.Expr{x}
		for _, it := range e.List {
			v, err := b.expr(it)
			if err != nil {
				return nil, err
			}
			all = append(all, v)
		}
		t, err := b.unify(all, "IN", "")
		if err != nil {
			return nil, err
		}
		in, ok := exec.NewIn(t, all[0], all[1:], e.Not)
		if !ok {
			return nil, pgerr.New(pgerrcode.UndefinedFunction, "operator does not exist: %s = %s", t.SQLName(), t.SQLName())
		}
		return in, nil
	case *ast.BetweenExpr:
		x, err := b.expr(e.Expr)
		if err != nil {
			return nil, err
		}
		lo, err := b.expr(e.Left)
		if err != nil {
			return nil, err
		}
		hi, err := b.expr(e.Right)
		if err != nil {
			return nil, err
		}
		ge, err := b.binOp(">=", x, lo)
		if err != nil {
			return nil, err
		}
		le, err := b.binOp("<=", x, hi)
		if err != nil {
			return nil, err
		}
		var r exec.Expr = &exec.And{L: ge, R: le}
		if e.Not {
			r = &exec.Not{X: r}
		}
		return r, nil
	case *ast.ColumnNameExpr:
		if e.Name.Schema.L != "" && e.Name.Schema.L != "public" {
			return nil, pgerr.FeatureNotSupported("column references with a schema are not supported yet")
		}
		if b.sc == nil {
			name := e.Name.Name.O
			if e.Name.Table.O != "" {
				name = e.Name.Table.O + "." + name
			}
			return nil, pgerr.New(pgerrcode.UndefinedColumn, "column %q does not exist", name).WithPosition(b.nodePos(e))
		}
		return b.lookup(e.Name.Table.L, e.Name.Name.L, b.nodePos(e))
	case *ast.SubqueryExpr:
		return b.scalarSubquery(e)
	case *ast.ExistsSubqueryExpr:
		sq, ok := e.Sel.(*ast.SubqueryExpr)
		if !ok {
			return nil, pgerr.FeatureNotSupported("EXISTS of %T is not supported yet", e.Sel)
		}
		p, err := b.query(sq.Query, b.sc)
		if err != nil {
			return nil, err
		}
		var r exec.Expr = &exec.Subquery{Plan: p.node, Kind: exec.ExistsSub, Correlated: p.correlated, T: types.Bool}
		if e.Not {
			r = &exec.Not{X: r}
		}
		return r, nil
	case *ast.CompareSubqueryExpr:
		op, ok := opNames[e.Op]
		if !ok {
			return nil, pgerr.FeatureNotSupported("operator %s with a subquery is not supported yet", e.Op)
		}
		return b.subqueryCompare(e.L, op, e.R, e.All)
	case *ast.AggregateFuncExpr:
		return b.aggregate(e)
	case *ast.PatternLikeOrIlikeExpr:
		return b.like(e)
	case *ast.DefaultExpr:
		return nil, pgerr.Syntax(b.nodePos(e), "DEFAULT is not allowed in this context")
	}
	return nil, pgerr.FeatureNotSupported("expression %T is not supported yet", n)
}

func (b *binder) value(v *driver.ValueExpr) (exec.Expr, error) {
	switch v.Kind() {
	case driver.KindNull:
		return &exec.Const{T: types.Unknown, Typmod: -1}, nil
	case driver.KindInt64:
		i := v.GetInt64()
		if v.Type.GetFlag()&mysql.IsBooleanFlag != 0 {
			return &exec.Const{T: types.Bool, Val: i != 0, Typmod: -1}, nil
		}
		if i >= -1<<31 && i < 1<<31 {
			return &exec.Const{T: types.Int4, Val: i, Typmod: -1}, nil
		}
		return &exec.Const{T: types.Int8, Val: i, Typmod: -1}, nil
	case driver.KindUint64:
		return b.numericConst(strconv.FormatUint(v.GetUint64(), 10))
	case driver.KindMysqlDecimal:
		return b.numericConst(v.GetMysqlDecimal().String())
	case driver.KindString:
		return &exec.Const{T: types.Unknown, Val: v.GetString(), Typmod: -1, Pos: b.nodePos(v)}, nil
	case driver.KindFloat64:
		return b.numericConst(strconv.FormatFloat(v.GetFloat64(), 'g', -1, 64))
	}
	return nil, pgerr.FeatureNotSupported("literal of kind %d is not supported yet", v.Kind())
}

func (b *binder) numericConst(s string) (exec.Expr, error) {
	d, err := types.ParseNumeric(s)
	if err != nil {
		return nil, err
	}
	return &exec.Const{T: types.Numeric, Val: d, Typmod: -1}, nil
}

// unify resolves the common type of exprs, as PostgreSQL does for IN lists, CASE
// results and COALESCE arguments (construct names the construct in errors), and
// coerces every expression to it in place; what describes them in coercion errors.
func (b *binder) unify(exprs []exec.Expr, construct, what string) (types.T, error) {
	t, err := b.commonType(exprs, construct)
	if err != nil {
		return t, err
	}
	for i := range exprs {
		if exprs[i], err = b.coerce(exprs[i], t, what); err != nil {
			return t, err
		}
	}
	return t, nil
}

// coerce gives e type t: unknown literals are read as t, unknown parameters take t,
// numeric types widen implicitly; anything else is 42804 with what as context.
func (b *binder) coerce(e exec.Expr, t types.T, what string) (exec.Expr, error) {
	from := e.Type()
	if from == t {
		return e, nil
	}
	switch x := e.(type) {
	case *exec.Const:
		if from == types.Unknown {
			if x.Val == nil {
				return &exec.Const{T: t, Typmod: -1}, nil
			}
			d, err := types.DecodeText(t, []byte(x.Val.(string)))
			if err != nil { // PostgreSQL points at the literal
				return nil, pgerr.From(err).WithPosition(x.Pos)
			}
			return &exec.Const{T: t, Val: d, Typmod: -1}, nil
		}
	case *exec.Param:
		if from == types.Unknown {
			b.params[x.Idx] = t
			return &exec.Param{Idx: x.Idx, T: t}, nil
		}
	}
	if implicit(from, t) {
		return &exec.Cast{X: e, T: t, Typmod: -1}, nil
	}
	if what == "" {
		what = "expression"
	}
	return nil, pgerr.New(pgerrcode.DatatypeMismatch, "%s must be type %s, not type %s", what, t.SQLName(), from.SQLName())
}

// numericRank orders the numeric types for implicit widening.
func numericRank(t types.T) int {
	switch t {
	case types.Int2:
		return 1
	case types.Int4:
		return 2
	case types.Int8:
		return 3
	case types.Numeric:
		return 4
	case types.Float4:
		return 5
	case types.Float8:
		return 6
	}
	return 0
}

// implicit reports whether PostgreSQL casts from to to implicitly.
func implicit(from, to types.T) bool {
	if r1, r2 := numericRank(from), numericRank(to); r1 > 0 && r2 > 0 {
		return r1 < r2
	}
	if from.IsString() && to.IsString() {
		return to == types.Text || to == types.Varchar
	}
	return false
}

// commonType is PostgreSQL's select_common_type for CASE, COALESCE, IN.
func (b *binder) commonType(es []exec.Expr, ctx string) (types.T, error) {
	t := types.Unknown
	for _, e := range es {
		et := e.Type()
		switch {
		case et == types.Unknown || et == t:
		case t == types.Unknown:
			t = et
		case numericRank(t) > 0 && numericRank(et) > 0:
			if numericRank(et) > numericRank(t) {
				t = et
			}
		case t.IsString() && et.IsString():
			t = types.Text
		default:
			return types.Invalid, pgerr.New(pgerrcode.DatatypeMismatch, "%s types %s and %s cannot be matched", ctx, t.SQLName(), et.SQLName())
		}
	}
	if t == types.Unknown {
		t = types.Text
	}
	return t, nil
}

func (b *binder) caseExpr(e *ast.CaseExpr) (exec.Expr, error) {
	var operand exec.Expr
	if e.Value != nil {
		v, err := b.expr(e.Value)
		if err != nil {
			return nil, err
		}
		operand = v
	}
	c := &exec.Case{}
	var results []exec.Expr
	for _, w := range e.WhenClauses {
		cond, err := b.expr(w.Expr)
		if err != nil {
			return nil, err
		}
		if operand != nil {
			if cond, err = b.binOp("=", operand, cond); err != nil {
				return nil, err
			}
		} else if cond, err = b.coerce(cond, types.Bool, "argument of CASE/WHEN"); err != nil {
			return nil, err
		}
		r, err := b.expr(w.Result)
		if err != nil {
			return nil, err
		}
		c.Whens = append(c.Whens, cond)
		results = append(results, r)
	}
	if e.ElseClause != nil {
		r, err := b.expr(e.ElseClause)
		if err != nil {
			return nil, err
		}
		results = append(results, r)
	}
	t, err := b.unify(results, "CASE", "CASE result")
	if err != nil {
		return nil, err
	}
	c.T = t
	c.Thens = results[:len(c.Whens)]
	if e.ElseClause != nil {
		c.Else = results[len(results)-1]
	}
	return c, nil
}

var opNames = map[opcode.Op]string{
	opcode.Plus: "+", opcode.Minus: "-", opcode.Mul: "*", opcode.Div: "/", opcode.Mod: "%",
	opcode.EQ: "=", opcode.NE: "<>", opcode.LT: "<", opcode.LE: "<=", opcode.GT: ">", opcode.GE: ">=",
}

func (b *binder) binary(e *ast.BinaryOperationExpr) (exec.Expr, error) {
	l, err := b.expr(e.L)
	if err != nil {
		return nil, err
	}
	r, err := b.expr(e.R)
	if err != nil {
		return nil, err
	}
	switch e.Op {
	case opcode.LogicAnd, opcode.LogicOr:
		if l, err = b.coerce(l, types.Bool, "argument of "+strings.ToUpper(e.Op.String())); err != nil {
			return nil, err
		}
		if r, err = b.coerce(r, types.Bool, "argument of "+strings.ToUpper(e.Op.String())); err != nil {
			return nil, err
		}
		if e.Op == opcode.LogicAnd {
			return &exec.And{L: l, R: r}, nil
		}
		return &exec.Or{L: l, R: r}, nil
	}
	op, ok := opNames[e.Op]
	if !ok {
		return nil, pgerr.FeatureNotSupported("operator %s is not supported yet", e.Op)
	}
	switch op {
	case "=", "<>", "<", "<=", ">", ">=":
		return b.binOp(op, l, r)
	}
	return b.arith(op, l, r)
}

// operands resolves the common operand type of a binary operator: an unknown side
// takes the other side's type; numeric types widen to the larger.
func (b *binder) operands(op string, l, r exec.Expr) (exec.Expr, exec.Expr, types.T, error) {
	lt, rt := l.Type(), r.Type()
	var t types.T
	switch {
	case lt == types.Unknown && rt == types.Unknown:
		if op == "||" || op == "=" || op == "<>" || op == "<" || op == "<=" || op == ">" || op == ">=" {
			t = types.Text
		} else {
			return nil, nil, types.Invalid, pgerr.New(pgerrcode.AmbiguousFunction, "operator is not unique: unknown %s unknown", op).
				WithHint("Could not choose a best candidate operator. You might need to add explicit type casts.")
		}
	case lt == types.Unknown:
		t = rt
	case rt == types.Unknown:
		t = lt
	case lt == rt:
		t = lt
	case numericRank(lt) > 0 && numericRank(rt) > 0:
		t = lt
		if numericRank(rt) > numericRank(lt) {
			t = rt
		}
		if t == types.Float4 {
			t = types.Float8
		}
	case lt.IsString() && rt.IsString():
		t = types.Text
	default:
		return nil, nil, types.Invalid, opMissing(op, lt, rt)
	}
	var err error
	if l, err = b.coerce(l, t, ""); err != nil {
		return nil, nil, types.Invalid, err
	}
	if r, err = b.coerce(r, t, ""); err != nil {
		return nil, nil, types.Invalid, err
	}
	return l, r, t, nil
}

func opMissing(op string, lt, rt types.T) error {
	return pgerr.New(pgerrcode.UndefinedFunction, "operator does not exist: %s %s %s", lt.SQLName(), op, rt.SQLName()).
		WithHint("No operator matches the given name and argument types. You might need to add explicit type casts.")
}

// binOp resolves the operands of a binary operator to a common type and picks the
// operator for it; 42883 when there is none.
func (b *binder) binOp(op string, l, r exec.Expr) (exec.Expr, error) {
	lt, rt := l.Type(), r.Type()
	l, r, t, err := b.operands(op, l, r)
	if err != nil {
		return nil, err
	}
	e, ok := exec.NewBinOp(op, t, l, r)
	if !ok {
		return nil, opMissing(op, lt, rt)
	}
	return e, nil
}

func (b *binder) arith(op string, l, r exec.Expr) (exec.Expr, error) {
	lt, rt := l.Type(), r.Type()
	if op == "^" {
		// PostgreSQL has ^ for float8 and numeric only: integers go to float8.
		ln, rn := numericRank(lt), numericRank(rt)
		target := types.Float8
		if (lt == types.Numeric || rt == types.Numeric) && ln <= 4 && rn <= 4 {
			target = types.Numeric
		}
		var err error
		if l, err = b.coerce(l, target, ""); err != nil {
			return nil, opMissing(op, lt, rt)
		}
		if r, err = b.coerce(r, target, ""); err != nil {
			return nil, opMissing(op, lt, rt)
		}
		e, _ := exec.NewBinOp(op, target, l, r)
		return e, nil
	}
	return b.binOp(op, l, r)
}

func (b *binder) args(e *ast.FuncCallExpr) ([]exec.Expr, error) {
	out := make([]exec.Expr, len(e.Args))
	for i, a := range e.Args {
		x, err := b.expr(a)
		if err != nil {
			return nil, err
		}
		out[i] = x
	}
	return out, nil
}

func (b *binder) call(e *ast.FuncCallExpr) (exec.Expr, error) {
	switch name := e.FnName.L; name {
	case pgdialect.FnParam:
		n, ok := constInt(e.Args[0])
		if !ok || n < 1 {
			return nil, fmt.Errorf("planner: malformed %s call", name)
		}
		b.grow(int(n))
		t := b.params[n-1]
		if t == types.Invalid {
			b.params[n-1] = types.Unknown
			t = types.Unknown
		}
		return &exec.Param{Idx: int(n - 1), T: t}, nil
	case pgdialect.FnCast:
		return b.cast(e)
	case pgdialect.FnNum:
		return b.numericConst(constString(e.Args[0]))
	case pgdialect.FnSVF:
		switch constString(e.Args[0]) {
		case "current_user", "user", "current_role", "session_user":
			return &exec.Func{Name: "current_user", T: types.Name, Fn: func(c *exec.Ctx, _ []types.Datum) (types.Datum, error) {
				return c.Session.User(), nil
			}}, nil
		case "current_catalog":
			return &exec.Func{Name: "current_catalog", T: types.Name, Fn: func(c *exec.Ctx, _ []types.Datum) (types.Datum, error) {
				return c.Session.Database(), nil
			}}, nil
		case "current_schema":
			return &exec.Const{T: types.Name, Val: "public", Typmod: -1}, nil
		}
		return nil, pgerr.FeatureNotSupported("%s is not supported yet", constString(e.Args[0]))
	case pgdialect.FnOp:
		op := constString(e.Args[0])
		args, err := b.args(&ast.FuncCallExpr{Args: e.Args[1:]})
		if err != nil {
			return nil, err
		}
		if len(args) == 2 {
			switch op {
			case "||":
				return b.concat(args[0], args[1])
			case "^":
				return b.arith("^", args[0], args[1])
			}
		}
		return nil, pgerr.FeatureNotSupported("operator %s is not supported yet", op)
	case pgdialect.FnDistinct, pgdialect.FnNotDistinct:
		args, err := b.args(e)
		if err != nil {
			return nil, err
		}
		l, r, t, err := b.operands("=", args[0], args[1])
		if err != nil {
			return nil, err
		}
		d, ok := exec.NewDistinct(t, l, r, name == pgdialect.FnNotDistinct)
		if !ok {
			return nil, opMissing("=", t, t)
		}
		return d, nil
	case "coalesce":
		args, err := b.args(e)
		if err != nil {
			return nil, err
		}
		if len(args) == 0 {
			return nil, pgerr.Syntax(0, "syntax error at or near \")\"")
		}
		t, err := b.unify(args, "COALESCE", "")
		if err != nil {
			return nil, err
		}
		return &exec.Coalesce{T: t, Args: args}, nil
	case "pg_typeof":
		args, err := b.args(e)
		if err != nil {
			return nil, err
		}
		if len(args) != 1 {
			return nil, undefinedFunction(name, args).WithPosition(b.nodePos(e))
		}
		// regtype is not a type of ours yet: its text form is what clients read.
		return &exec.Const{T: types.Text, Val: args[0].Type().SQLName(), Typmod: -1}, nil
	}
	if strings.HasPrefix(e.FnName.L, "augur_") {
		return nil, pgerr.FeatureNotSupported("this PostgreSQL construct (%s) is not supported yet", strings.TrimPrefix(e.FnName.L, "augur_"))
	}
	args, err := b.args(e)
	if err != nil {
		return nil, err
	}
	x, err := b.builtin(e.FnName.L, args)
	var pe *pgerr.Error
	if errors.As(err, &pe) && pe.Code == pgerrcode.UndefinedFunction && pe.Position == 0 {
		return nil, pe.WithPosition(b.nodePos(e)) // PostgreSQL points at the call
	}
	return x, err
}

// builtin picks the overload of a built-in function whose parameters the arguments
// fit best: exact types first, then implicit widening; unknown arguments fit any.
func (b *binder) builtin(name string, args []exec.Expr) (exec.Expr, error) {
	overloads, ok := exec.Builtins[name]
	if !ok || overloads == nil {
		return nil, undefinedFunction(name, args)
	}
	best, bestCost := -1, 1<<30
	for i, o := range overloads {
		if len(o.Args) != len(args) {
			continue
		}
		cost := 0
		for j, a := range args {
			at, pt := a.Type(), o.Args[j]
			switch {
			case at == pt:
			case at == types.Unknown:
				cost++
			case implicit(at, pt):
				cost += 1 + numericRank(pt) - numericRank(at)
			default:
				cost = 1 << 30
			}
		}
		if cost < bestCost {
			best, bestCost = i, cost
		}
	}
	if best < 0 {
		return nil, undefinedFunction(name, args)
	}
	o := overloads[best]
	for j := range args {
		var err error
		if args[j], err = b.coerce(args[j], o.Args[j], ""); err != nil {
			return nil, err
		}
	}
	return &exec.Func{Name: name, T: o.Result, Args: args, Strict: o.Strict, Volatile: o.Volatile, Fn: o.Fn}, nil
}

// concat binds ||: text with text, or text with any non-array value (anynonarray).
func (b *binder) concat(l, r exec.Expr) (exec.Expr, error) {
	lt, rt := l.Type(), r.Type()
	var err error
	switch {
	case lt == types.Unknown && rt == types.Unknown, lt.IsString() || rt.IsString():
		if lt == types.Unknown || lt.IsString() {
			if l, err = b.coerce(l, types.Text, ""); err != nil {
				return nil, err
			}
		}
		if rt == types.Unknown || rt.IsString() {
			if r, err = b.coerce(r, types.Text, ""); err != nil {
				return nil, err
			}
		}
	case lt == types.Unknown:
		if l, err = b.coerce(l, types.Text, ""); err != nil {
			return nil, err
		}
	case rt == types.Unknown:
		if r, err = b.coerce(r, types.Text, ""); err != nil {
			return nil, err
		}
	default:
		return nil, opMissing("||", lt, rt)
	}
	e, _ := exec.NewBinOp("||", types.Text, l, r)
	return e, nil
}

func (b *binder) cast(e *ast.FuncCallExpr) (exec.Expr, error) {
	off, _ := constInt(e.Args[2])
	castOff := off
	if len(e.Args) > 3 {
		castOff, _ = constInt(e.Args[3])
	}
	t, typmod, err := parseTypeText(constString(e.Args[1]))
	if err != nil {
		return nil, pgerr.From(err).WithPosition(b.pos(int(off)))
	}
	x, err := b.expr(e.Args[0])
	if err != nil {
		return nil, err
	}
	switch c := x.(type) {
	case *exec.Const:
		if c.T == types.Unknown {
			if c.Val == nil {
				return &exec.Cast{X: &exec.Const{T: t, Typmod: -1}, T: t, Typmod: typmod}, nil
			}
			d, err := types.DecodeText(t, []byte(c.Val.(string)))
			if err != nil { // PostgreSQL points at the literal
				return nil, pgerr.From(err).WithPosition(b.nodePos(e.Args[0]))
			}
			if d, err = types.ApplyTypmod(d, t, typmod, true); err != nil {
				return nil, err
			}
			return &exec.Cast{X: &exec.Const{T: t, Val: d, Typmod: -1}, T: t, Typmod: typmod}, nil
		}
	case *exec.Param:
		if c.T == types.Unknown {
			b.params[c.Idx] = t
			return &exec.Cast{X: &exec.Param{Idx: c.Idx, T: t}, T: t, Typmod: typmod}, nil
		}
	}
	if !types.CanCast(x.Type(), t) {
		return nil, pgerr.New(pgerrcode.CannotCoerce, "cannot cast type %s to %s", x.Type().SQLName(), t.SQLName()).WithPosition(b.pos(int(castOff)))
	}
	return &exec.Cast{X: x, T: t, Typmod: typmod}, nil
}

// literalInt returns the value of an integer literal, possibly negated and
// parenthesised, when it fits int64.
func literalInt(n ast.ExprNode) (int64, bool) {
	switch e := n.(type) {
	case *ast.ParenthesesExpr:
		return literalInt(e.Expr)
	case *driver.ValueExpr:
		if e.Kind() == driver.KindInt64 && e.Type.GetFlag()&mysql.IsBooleanFlag == 0 {
			return e.GetInt64(), true
		}
	case *ast.UnaryOperationExpr:
		if e.Op == opcode.Minus {
			if v, ok := literalInt(e.V); ok && v != -1<<63 {
				return -v, true
			}
		}
	}
	return 0, false
}
