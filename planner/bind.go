package planner

import (
	"errors"
	"fmt"
	"slices"
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
	st *Statement
	// lockIdx counts the row-locking clauses bound; locksRows names the first
	// one planned ("SELECT FOR UPDATE"; lockrows.go).
	lockIdx   int
	locksRows string
	params    []types.T // Invalid = not known yet
	fixed     []bool    // declared by the client
	planner   *Planner
	schema    *catalog.Schema
	db        string
	ns        *names // resolves table and sequence names
	// home is the schema of the table whose defaults and checks are bound: it
	// is searched first for the names in them.
	home string
	// colSchema, while a column reference s.t.c is looked up, is its schema.
	colSchema string
	depth     int // view nesting
	stats     func(tableID uint32) (int64, bool)

	sc   *scope    // the current query level
	spec *joinSpec // the current level's FROM structure
	// setOpBranch: binding a branch of UNION/INTERSECT/EXCEPT, whose untyped
	// literals stay unknown until the branches are combined.
	setOpBranch bool
	// fold lists the expressions Plan.Fold evaluates ahead of execution.
	fold []exec.Expr
	// srfs collects the set-returning functions of the select list being bound;
	// srfClause names the clause being bound, for the error about SRFs there.
	srfs      *srfSet
	srfClause string
	// srfBlocked names the construct being bound (CASE, COALESCE) in which SRFs
	// are not allowed even in a select list; lateralOff is the level whose FROM
	// items a non-LATERAL derived table being bound cannot see.
	srfBlocked string
	lateralOff *scope
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

// firstSelect is the leftmost SELECT of a query (the one that names its columns).
func firstSelect(n ast.ResultSetNode) *ast.SelectStmt {
	switch q := n.(type) {
	case *ast.SelectStmt:
		return q
	case *ast.SetOprStmt:
		if q.SelectList != nil && len(q.SelectList.Selects) > 0 {
			if sel, ok := q.SelectList.Selects[0].(ast.ResultSetNode); ok {
				return firstSelect(sel)
			}
		}
	}
	return nil
}

// colName is PostgreSQL's FigureColname: the name a result column gets without an
// alias, and its strength (2 for names, 1 for type names and CASE, 0 for none).
func colName(n ast.ExprNode) (string, int) {
	switch e := n.(type) {
	case *ast.ColumnNameExpr:
		return e.Name.Name.O, 2
	case *ast.ParenthesesExpr:
		return colName(e.Expr)
	case *ast.CaseExpr:
		// A CASE takes its ELSE result's name, if that is strong.
		if e.ElseClause != nil {
			if name, strength := colName(e.ElseClause); strength > 1 {
				return name, strength
			}
		}
		return "case", 1
	case *ast.FuncCallExpr:
		if name, ok := markerColName(e); ok {
			return name, 2
		}
		switch e.FnName.L {
		case pgdialect.FnCast:
			name, strength := colName(e.Args[0])
			if strength <= 1 {
				if t, _, err := parseTypeText(constString(e.Args[1])); err == nil {
					return t.Name(), 1
				}
				if kind, ok := regKind(constString(e.Args[1])); ok {
					return kind, 1
				}
			}
			return name, strength
		case pgdialect.FnSVF:
			return constString(e.Args[0]), 2
		case pgdialect.FnParam, pgdialect.FnNum, pgdialect.FnOp, pgdialect.FnDistinct, pgdialect.FnNotDistinct,
			pgdialect.FnSimilar, pgdialect.FnAny, pgdialect.FnAll, pgdialect.FnBit, pgdialect.FnBetweenSym,
			pgdialect.FnCollate:
			return "?column?", 0
		case pgdialect.FnTimeZone: // PostgreSQL calls timezone(zone, x)
			return "timezone", 2
		case pgdialect.FnArray, pgdialect.FnArraySub:
			return "array", 2
		case pgdialect.FnSubscript, pgdialect.FnSlice:
			return colName(e.Args[0])
		}
		return strings.TrimPrefix(e.FnName.O, SequenceFuncPrefix), 2
	case *ast.ExistsSubqueryExpr:
		return "exists", 2
	case *ast.SubqueryExpr:
		// A scalar subquery is named after its single output column.
		if sel := firstSelect(e.Query); sel != nil && sel.Fields != nil && len(sel.Fields.Fields) == 1 {
			if f := sel.Fields.Fields[0]; f.AsName.O != "" {
				return f.AsName.O, 2
			} else if f.Expr != nil {
				return colName(f.Expr)
			}
		}
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
	if elem, ok := arrayTypeName(s); ok {
		et, typmod, err := parseTypeText(elem)
		if err != nil {
			return types.Invalid, -1, err
		}
		at, ok := types.ArrayOf(et)
		if !ok {
			return types.Invalid, -1, pgerr.New(pgerrcode.UndefinedObject, "type %q does not exist", s)
		}
		return at, typmod, nil
	}
	name, mods := s, ""
	if i := strings.IndexByte(s, '('); i >= 0 && !strings.HasPrefix(s, `"`) {
		j := strings.IndexByte(s[i:], ')')
		if j < 0 {
			return types.Invalid, -1, pgerr.New(pgerrcode.SyntaxError, "invalid type name %q", s)
		}
		name, mods = s[:i]+s[i+j+1:], s[i+1:i+j]
		name = strings.TrimSpace(name)
	}
	lookup := strings.ReplaceAll(name, `"`, "")
	if name == `"char"` {
		lookup = "char(1)" // the one-byte "char" type is not supported; never confuse it with bpchar
		return types.Invalid, -1, pgerr.FeatureNotSupported("type \"char\" is not supported yet")
	}
	t, ok := types.ByName(lookup)
	if !ok && strings.HasPrefix(lookup, "interval ") {
		return types.Invalid, -1, pgerr.FeatureNotSupported("interval fields (%s) are not supported yet", lookup)
	}
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
			if x.Type() == types.IntervalT {
				zero := &exec.Const{T: types.IntervalT, Val: types.Interval{}, Typmod: -1}
				if neg, ok := exec.NewMixedOp("-", zero, x); ok {
					return neg, nil
				}
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
			// Prefix + exists for the numeric types only; an unknown operand takes
			// the numeric category's preferred type, as PostgreSQL resolves it.
			if x.Type() == types.Unknown {
				return b.coerce(x, types.Float8, "")
			}
			if x.Type().Category() != types.CatNumeric || x.Type() == types.Oid {
				return nil, pgerr.New(pgerrcode.UndefinedFunction, "operator does not exist: + %s", x.Type().SQLName()).
					WithHint("No operator matches the given name and argument type. You might need to add an explicit type cast.").
					WithPosition(b.nodePos(e))
			}
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
		defer b.noSRFs("CASE")()
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
		return b.in(e, all)
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
		if e.Name.Schema.O != "" {
			schema, err := b.checkColumnSchema(e)
			if err != nil {
				return nil, err
			}
			b.colSchema = schema
			defer func() { b.colSchema = "" }()
		}
		if b.sc == nil {
			name := e.Name.Name.O
			if e.Name.Table.O != "" {
				name = e.Name.Table.O + "." + name
			}
			return nil, pgerr.New(pgerrcode.UndefinedColumn, "column %q does not exist", name).WithPosition(b.nodePos(e))
		}
		// Names are folded (or kept, when quoted) by the dialect's lexer: the
		// original spelling is the PostgreSQL name.
		return b.lookup(e.Name.Table.O, e.Name.Name.O, b.nodePos(e))
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

// in binds x [NOT] IN (list) as PostgreSQL's transformAExprIn does: a list of
// several values with a common type compares in that type; otherwise each item
// is compared with = on its own.
func (b *binder) in(e *ast.PatternInExpr, all []exec.Expr) (exec.Expr, error) {
	if len(all) > 2 {
		t, err := b.commonType(all, "IN")
		ok := err == nil
		for _, x := range all {
			ok = ok && canCoerce(x.Type(), t)
		}
		if ok {
			if _, err := b.unify(all, "IN", ""); err != nil {
				return nil, err
			}
			if in, ok := exec.NewIn(t, all[0], all[1:], e.Not); ok {
				return in, nil
			}
		}
	}
	// NOT IN is <> ALL: PostgreSQL locates its errors at NOT.
	op, words := "=", 1
	if e.Not {
		op, words = "<>", 2
	}
	var r exec.Expr
	for _, it := range all[1:] {
		cmp, err := b.binOp(op, all[0], it)
		if err != nil {
			return nil, b.atOperator(err, b.keywordPos(e.List[0], words))
		}
		switch {
		case r == nil:
			r = cmp
		case e.Not:
			r = &exec.And{L: r, R: cmp}
		default:
			r = &exec.Or{L: r, R: cmp}
		}
	}
	return r, nil
}

// exprPos is where PostgreSQL locates an expression in errors about its type: at
// its leftmost token, a cast at its argument.
func (b *binder) exprPos(n ast.ExprNode) int32 {
	if f, ok := n.(*ast.FuncCallExpr); ok && f.FnName.L == pgdialect.FnCast {
		return b.exprPos(f.Args[0])
	}
	return b.nodePos(n)
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
		// TiDB reads LIMIT and OFFSET counts as unsigned; literals beyond int8
		// are numeric, as in PostgreSQL.
		if u := v.GetUint64(); u < 1<<63 {
			if u < 1<<31 {
				return &exec.Const{T: types.Int4, Val: int64(u), Typmod: -1}, nil
			}
			return &exec.Const{T: types.Int8, Val: int64(u), Typmod: -1}, nil
		}
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

// implicitCasts are PostgreSQL's implicit casts (pg_cast.castcontext 'i') among
// the numeric and string types; types.ImplicitCast has the datetime ones.
var implicitCasts = func() map[[2]types.T]bool {
	m := map[[2]types.T]bool{}
	add := func(from types.T, to ...types.T) {
		for _, t := range to {
			m[[2]types.T{from, t}] = true
		}
	}
	add(types.Int2, types.Int4, types.Int8, types.Float4, types.Float8, types.Numeric, types.Oid)
	add(types.Int4, types.Int8, types.Float4, types.Float8, types.Numeric, types.Oid)
	add(types.Int8, types.Float4, types.Float8, types.Numeric, types.Oid)
	add(types.Numeric, types.Float4, types.Float8)
	add(types.Float4, types.Float8)
	add(types.Text, types.Varchar, types.Bpchar, types.Name)
	add(types.Varchar, types.Text, types.Bpchar, types.Name)
	add(types.Bpchar, types.Text, types.Varchar, types.Name)
	add(types.Name, types.Text)
	// regtype compares with oids as an oid (pg_type.oid = 'int4'::regtype);
	// oids and integers are regtypes where one is wanted.
	add(types.Regtype, types.Oid)
	add(types.Oid, types.Regtype)
	add(types.Int2, types.Regtype)
	add(types.Int4, types.Regtype)
	add(types.Int8, types.Regtype)
	return m
}()

// implicit reports whether PostgreSQL casts from to to implicitly; an array
// type casts to another when its elements do.
func implicit(from, to types.T) bool {
	if from.IsArray() && to.IsArray() {
		return implicit(from.Elem(), to.Elem())
	}
	return implicitCasts[[2]types.T{from, to}] || types.ImplicitCast(from, to)
}

// anyType stands for PostgreSQL's pseudo-types "any" and anynonarray in the
// signatures the binder resolves calls against: every argument fits it as it is.
var anyType = types.Invalid

// preferred reports pg_type.typispreferred: the type a category's values prefer to
// be converted to when an operator or function is chosen.
func preferred(t types.T) bool {
	switch t {
	case types.Bool, types.Text, types.Float8, types.Oid, types.TimestampTZT, types.IntervalT:
		return true
	}
	return false
}

func category(t types.T) types.Category {
	if t == anyType {
		return types.CatPseudo
	}
	return t.Category()
}

// canCoerce is PostgreSQL's can_coerce_type for an implicit coercion.
func canCoerce(from, to types.T) bool {
	return from == to || from == types.Unknown || to == anyType || implicit(from, to)
}

// resolve picks the signature a call with argument types in uses among cands,
// as PostgreSQL's func_get_detail and oper_select_candidate do: an exact match
// first (for an operator with one unknown operand, the signature with the other
// operand's type on both sides), then selectCandidate. It returns the index of
// the chosen signature, or -1 and whether several fit equally (42725 rather than
// 42883).
func resolve(in []types.T, cands [][]types.T, oper bool) (int, bool) {
	exact := in
	if oper && len(in) == 2 {
		switch {
		case in[0] == types.Unknown && in[1] != types.Unknown:
			exact = []types.T{in[1], in[1]}
		case in[1] == types.Unknown && in[0] != types.Unknown:
			exact = []types.T{in[0], in[0]}
		}
	}
	for i, c := range cands {
		if slices.Equal(c, exact) {
			return i, false
		}
	}
	return selectCandidate(in, cands)
}

// selectCandidate is PostgreSQL's func_match_argtypes followed by
// func_select_candidate: of the signatures every argument converts to
// implicitly, keep those with the most exact matches, then those with the most
// preferred types where a conversion is needed; unknown arguments then settle on
// the string category if any signature takes it there, else on the one category
// all take (and on its preferred type if one is offered); last, if all the known
// arguments have one type, unknowns are taken to be of that type.
func selectCandidate(in []types.T, cands [][]types.T) (int, bool) {
	var idx []int
	for i, c := range cands {
		ok := len(c) == len(in)
		for j := 0; ok && j < len(in); j++ {
			ok = canCoerce(in[j], c[j])
		}
		if ok {
			idx = append(idx, i)
		}
	}
	switch len(idx) {
	case 0:
		return -1, false
	case 1:
		return idx[0], false
	}
	keep := func(score func(c []types.T) int) {
		best, out := -1, []int(nil)
		for _, i := range idx {
			switch s := score(cands[i]); {
			case s > best:
				best, out = s, []int{i}
			case s == best:
				out = append(out, i)
			}
		}
		idx = out
	}
	keep(func(c []types.T) int {
		n := 0
		for j, t := range in {
			if t != types.Unknown && c[j] == t {
				n++
			}
		}
		return n
	})
	if len(idx) == 1 {
		return idx[0], false
	}
	keep(func(c []types.T) int {
		n := 0
		for j, t := range in {
			if t != types.Unknown && (c[j] == t || preferred(c[j]) && category(c[j]) == category(t)) {
				n++
			}
		}
		return n
	})
	if len(idx) == 1 {
		return idx[0], false
	}
	unknowns := 0
	for _, t := range in {
		if t == types.Unknown {
			unknowns++
		}
	}
	if unknowns > 0 {
		cat := make([]types.Category, len(in))
		pref := make([]bool, len(in))
		resolved := true
		for j, t := range in {
			if t != types.Unknown {
				continue
			}
			conflict := false
			for k, i := range idx {
				ct := cands[i][j]
				switch cc, cp := category(ct), preferred(ct); {
				case k == 0:
					cat[j], pref[j] = cc, cp
				case cc == cat[j]:
					pref[j] = pref[j] || cp
				case cc == types.CatString:
					cat[j], pref[j] = cc, cp
				default:
					conflict = true
				}
			}
			if conflict && cat[j] != types.CatString {
				resolved = false
				break
			}
		}
		if resolved {
			var out []int
			for _, i := range idx {
				ok := true
				for j, t := range in {
					ct := cands[i][j]
					if t == types.Unknown && (category(ct) != cat[j] || pref[j] && !preferred(ct)) {
						ok = false
					}
				}
				if ok {
					out = append(out, i)
				}
			}
			if len(out) == 1 {
				return out[0], false
			}
			if len(out) > 0 {
				idx = out
			}
		}
	}
	if unknowns > 0 && unknowns < len(in) {
		known := types.Unknown
		for _, t := range in {
			if t == types.Unknown {
				continue
			}
			if known == types.Unknown {
				known = t
			} else if known != t {
				known = types.Invalid
			}
		}
		if known != types.Invalid {
			found, n := -1, 0
			for _, i := range idx {
				ok := true
				for j := range in {
					ok = ok && canCoerce(known, cands[i][j])
				}
				if ok {
					found, n = i, n+1
				}
			}
			if n == 1 {
				return found, false
			}
		}
	}
	return -1, true
}

// commonType is PostgreSQL's select_common_type for CASE, COALESCE, IN, VALUES and
// set operations: the first known type, replaced by a later one of the same
// category that it converts to implicitly but not back (unless it is the
// category's preferred type); all unknown is text. Types of different categories
// are 42804.
func (b *binder) commonType(es []exec.Expr, ctx string) (types.T, error) {
	return b.commonTypeAt(es, nil, ctx)
}

// commonTypeAt is commonType with the expressions' syntax nodes (nil entries or
// slice when unknown), which locate errors.
func (b *binder) commonTypeAt(es []exec.Expr, nodes []ast.ExprNode, ctx string) (types.T, error) {
	t := types.Unknown
	for i, e := range es {
		et := e.Type()
		switch {
		case et == types.Unknown || et == t:
		case t == types.Unknown:
			t = et
		case category(et) != category(t):
			return types.Invalid, pgerr.New(pgerrcode.DatatypeMismatch, "%s types %s and %s cannot be matched", ctx, t.SQLName(), et.SQLName()).
				WithPosition(b.posOf(nodes, i))
		case !preferred(t) && implicit(t, et) && !implicit(et, t):
			t = et
		}
	}
	if t == types.Unknown {
		t = types.Text
	}
	return t, nil
}

// posOf is the position of nodes[i], 0 when unknown.
func (b *binder) posOf(nodes []ast.ExprNode, i int) int32 {
	if i < len(nodes) && nodes[i] != nil {
		return b.exprPos(nodes[i])
	}
	return 0
}

// unify resolves the common type of exprs, as PostgreSQL does for IN lists, CASE
// results and COALESCE arguments (construct names the construct in errors), and
// coerces every expression to it in place; what describes them in coercion errors.
func (b *binder) unify(exprs []exec.Expr, construct, what string) (types.T, error) {
	return b.unifyAt(exprs, nil, construct, what)
}

// unifyAt is unify with the expressions' syntax nodes, which locate errors.
func (b *binder) unifyAt(exprs []exec.Expr, nodes []ast.ExprNode, construct, what string) (types.T, error) {
	t, err := b.commonTypeAt(exprs, nodes, construct)
	if err != nil {
		return t, err
	}
	for i := range exprs {
		if et := exprs[i].Type(); !canCoerce(et, t) {
			return t, pgerr.New(pgerrcode.CannotCoerce, "%s could not convert type %s to %s", construct, et.SQLName(), t.SQLName()).
				WithPosition(b.posOf(nodes, i))
		}
		if exprs[i], err = b.coerce(exprs[i], t, what); err != nil {
			return t, err
		}
	}
	return t, nil
}

// coerce gives e type t: unknown literals are read as t, unknown parameters take t,
// implicit casts apply; anything else is 42804 with what as context.
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
	// PostgreSQL resolves the result type with the ELSE result first.
	var nodes []ast.ExprNode
	if e.ElseClause != nil {
		r, err := b.expr(e.ElseClause)
		if err != nil {
			return nil, err
		}
		results = append([]exec.Expr{r}, results...)
		nodes = append(nodes, e.ElseClause)
	}
	for _, w := range e.WhenClauses {
		nodes = append(nodes, w.Result)
	}
	t, err := b.unifyAt(results, nodes, "CASE", "CASE result")
	if err != nil {
		return nil, err
	}
	c.T = t
	c.Thens = results[len(results)-len(c.Whens):]
	if e.ElseClause != nil {
		c.Else = results[0]
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
	x, err := b.binOp(op, l, r)
	return x, b.atOperator(err, b.opPos(e.R))
}

// keywordPos locates the words-th word before the first item of a list (IN is
// 1, NOT of NOT IN 2).
func (b *binder) keywordPos(r ast.Node, words int) int32 {
	return b.before(r, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", words)
}

// opPos locates the operator of a binary expression: the text just before its
// right operand r in the rewritten statement, mapped back to the user's text.
func (b *binder) opPos(r ast.Node) int32 { return b.before(r, "+-*/<>=~!@#%^&|`?", 1) }

// before locates the n-th run of chars that precedes node r, across spaces and
// opening parentheses, in the rewritten statement, in the user's text.
func (b *binder) before(r ast.Node, chars string, n int) int32 {
	if b.st.rw == nil {
		return 0
	}
	sql := b.st.rw.SQL
	i := r.OriginTextPosition()
	for ; n > 0; n-- {
		i--
		for i > 0 && i < len(sql) && (sql[i] == ' ' || sql[i] == '(') {
			i--
		}
		for i > 0 && i < len(sql) && strings.IndexByte(chars, sql[i-1]) >= 0 {
			i--
		}
	}
	if i <= 0 || i >= len(sql) {
		return 0
	}
	return b.pos(b.st.rw.OrigOffset(i))
}

// atOperator gives an operator resolution error (42883, 42725) the operator's
// position, as PostgreSQL does.
func (b *binder) atOperator(err error, pos int32) error {
	var pe *pgerr.Error
	if errors.As(err, &pe) && (pe.Code == pgerrcode.UndefinedFunction || pe.Code == pgerrcode.AmbiguousFunction) && pe.Position == 0 {
		return pe.WithPosition(pos)
	}
	return err
}

// opCand is one of PostgreSQL's binary operators (pg_operator) that Augur has.
type opCand struct {
	l, r types.T // operand types
	// calc, when valid, is the type both operands are converted to for
	// exec.NewBinOp (int4 + int8 computes in int8, as int48pl does). Otherwise
	// exec.NewMixedOp combines the operands as they are, or the built-in function
	// fn does.
	calc types.T
	fn   string
}

// operators lists the binary operators by name, as PostgreSQL 15 defines them for
// the types Augur implements (the cross-type integer and float operators, the
// datetime and json operators of ops_datetime.go, || with anynonarray).
var operators = func() map[string][]opCand {
	m := map[string][]opCand{}
	add := func(op string, c opCand) { m[op] = append(m[op], c) }
	I2, I4, I8, F4, F8, N := types.Int2, types.Int4, types.Int8, types.Float4, types.Float8, types.Numeric
	D, TM, TS, TZ, IV := types.DateT, types.TimeT, types.TimestampT, types.TimestampTZT, types.IntervalT
	ints := []types.T{I2, I4, I8}
	floats := []types.T{F4, F8}
	cmps := []string{"=", "<>", "<", "<=", ">", ">="}
	for _, op := range append([]string{"+", "-", "*", "/"}, cmps...) {
		for _, l := range ints {
			for _, r := range ints {
				add(op, opCand{l: l, r: r, calc: ints[max(slices.Index(ints, l), slices.Index(ints, r))]})
			}
		}
		for _, l := range floats {
			for _, r := range floats {
				calc := F8
				if l == F4 && r == F4 {
					calc = F4
				}
				add(op, opCand{l: l, r: r, calc: calc})
			}
		}
		add(op, opCand{l: N, r: N, calc: N})
	}
	for _, t := range []types.T{I2, I4, I8, N} {
		add("%", opCand{l: t, r: t, calc: t})
	}
	for _, t := range []types.T{F8, N} {
		add("^", opCand{l: t, r: t, calc: t})
	}
	dts := []types.T{D, TS, TZ}
	for _, op := range cmps {
		for _, t := range []types.T{types.Bool, types.Text, types.Bpchar, types.Name, types.Oid, types.Bytea,
			D, TM, TS, TZ, IV, types.UUIDT, types.JSONB} {
			add(op, opCand{l: t, r: t, calc: t})
		}
		add(op, opCand{l: types.Name, r: types.Text, calc: types.Text})
		add(op, opCand{l: types.Text, r: types.Name, calc: types.Text})
		for _, l := range dts {
			for _, r := range dts {
				if l == r {
					continue
				}
				c := opCand{l: l, r: r}
				if op == "=" {
					// Equality converts to the wider type rather than comparing
					// mixed values, so that hash joins see keys of one type.
					c.calc = dts[max(slices.Index(dts, l), slices.Index(dts, r))]
				}
				add(op, c)
			}
		}
	}
	mixed := func(op string, pairs ...[2]types.T) {
		for _, p := range pairs {
			add(op, opCand{l: p[0], r: p[1]})
		}
	}
	mixed("+", [2]types.T{D, I4}, [2]types.T{D, IV}, [2]types.T{D, TM}, [2]types.T{I4, D}, [2]types.T{IV, D},
		[2]types.T{IV, IV}, [2]types.T{IV, TM}, [2]types.T{IV, TS}, [2]types.T{IV, TZ}, [2]types.T{TM, D},
		[2]types.T{TM, IV}, [2]types.T{TS, IV}, [2]types.T{TZ, IV})
	mixed("-", [2]types.T{D, D}, [2]types.T{D, I4}, [2]types.T{D, IV}, [2]types.T{IV, IV}, [2]types.T{TM, IV},
		[2]types.T{TM, TM}, [2]types.T{TS, IV}, [2]types.T{TS, TS}, [2]types.T{TZ, IV}, [2]types.T{TZ, TZ})
	mixed("*", [2]types.T{F8, IV}, [2]types.T{IV, F8})
	mixed("/", [2]types.T{IV, F8})
	for _, op := range []string{"->", "->>"} {
		for _, j := range []types.T{types.JSON, types.JSONB} {
			mixed(op, [2]types.T{j, I4}, [2]types.T{j, types.Text})
		}
	}
	add("||", opCand{l: types.Text, r: types.Text, calc: types.Text})
	add("||", opCand{l: types.Text, r: anyType, calc: types.Text})
	add("||", opCand{l: anyType, r: types.Text, calc: types.Text})
	add("||", opCand{l: types.Bytea, r: types.Bytea, fn: "byteacat"})
	return m
}()

// resolveOp picks the operator op for operand types lt and rt.
func resolveOp(op string, lt, rt types.T) (opCand, error) {
	cands := operators[op]
	sigs := make([][]types.T, len(cands))
	for i, c := range cands {
		sigs[i] = []types.T{c.l, c.r}
	}
	i, ambiguous := resolve([]types.T{lt, rt}, sigs, true)
	switch {
	case ambiguous:
		return opCand{}, pgerr.New(pgerrcode.AmbiguousFunction, "operator is not unique: %s %s %s", lt.SQLName(), op, rt.SQLName()).
			WithHint("Could not choose a best candidate operator. You might need to add explicit type casts.")
	case i < 0:
		return opCand{}, opMissing(op, lt, rt)
	}
	return cands[i], nil
}

// operands resolves the operator op (a comparison) for l and r and converts both
// to the type it compares in.
func (b *binder) operands(op string, l, r exec.Expr) (exec.Expr, exec.Expr, types.T, error) {
	lt, rt := l.Type(), r.Type()
	c, err := resolveOp(op, lt, rt)
	if err != nil {
		return nil, nil, types.Invalid, err
	}
	if c.calc == types.Invalid {
		return nil, nil, types.Invalid, opMissing(op, lt, rt)
	}
	if l, r, err = b.convert(c, l, r); err != nil {
		return nil, nil, types.Invalid, err
	}
	return l, r, c.calc, nil
}

// convert gives the operands of operator c its operand types, then the type it
// computes in.
func (b *binder) convert(c opCand, l, r exec.Expr) (exec.Expr, exec.Expr, error) {
	var err error
	for _, t := range []types.T{c.l, c.calc} {
		if l, err = b.coerce(l, t, ""); err != nil {
			return nil, nil, err
		}
	}
	for _, t := range []types.T{c.r, c.calc} {
		if r, err = b.coerce(r, t, ""); err != nil {
			return nil, nil, err
		}
	}
	return l, r, nil
}

func opMissing(op string, lt, rt types.T) error {
	return pgerr.New(pgerrcode.UndefinedFunction, "operator does not exist: %s %s %s", lt.SQLName(), op, rt.SQLName()).
		WithHint("No operator matches the given name and argument types. You might need to add explicit type casts.")
}

// binOp binds the binary operator op: PostgreSQL's operator resolution picks one
// of operators, the operands are converted to its types; 42883 when there is none,
// 42725 when several fit equally.
func (b *binder) binOp(op string, l, r exec.Expr) (exec.Expr, error) {
	if x, ok, err := b.arrayBinOp(op, l, r); ok {
		return x, err
	}
	lt, rt := l.Type(), r.Type()
	c, err := resolveOp(op, lt, rt)
	if err != nil {
		return nil, err
	}
	if c.calc != types.Invalid && op != "||" {
		if l, r, err = b.convert(c, l, r); err != nil {
			return nil, err
		}
		e, ok := exec.NewBinOp(op, c.calc, l, r)
		if !ok {
			return nil, opMissing(op, lt, rt)
		}
		return e, nil
	}
	// Operands take the operator's types; "any" takes unknown literals as text.
	conv := func(x exec.Expr, t types.T) (exec.Expr, error) {
		if t == anyType {
			if x.Type() != types.Unknown {
				return x, nil
			}
			t = types.Text
		}
		return b.coerce(x, t, "")
	}
	if l, err = conv(l, c.l); err != nil {
		return nil, err
	}
	if r, err = conv(r, c.r); err != nil {
		return nil, err
	}
	switch {
	case c.fn != "":
		return b.builtin(c.fn, []exec.Expr{l, r})
	case op == "||" && c.calc == types.Text:
		e, _ := exec.NewBinOp(op, types.Text, l, r)
		return e, nil
	}
	e, ok := exec.NewMixedOp(op, l, r)
	if !ok {
		return nil, pgerr.FeatureNotSupported("operator %s %s %s is not supported yet", c.l.SQLName(), op, c.r.SQLName())
	}
	return e, nil
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
	if r, ok, err := b.markerCall(e); ok {
		return r, err
	}
	if aggNames[e.FnName.L] {
		// Aggregates the TiDB grammar does not know (bool_and, string_agg, ...)
		// arrive as plain calls.
		return b.aggregate(&ast.AggregateFuncExpr{F: e.FnName.L, Args: e.Args})
	}
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
	case pgdialect.FnArray, pgdialect.FnArraySub, pgdialect.FnSubscript, pgdialect.FnSlice, pgdialect.FnAny, pgdialect.FnAll:
		return b.arrayMarker(e)
	case pgdialect.FnNum:
		return b.numericConst(constString(e.Args[0]))
	case pgdialect.FnSVF:
		switch constString(e.Args[0]) {
		case "current_user", "user", "current_role", "session_user":
			return sessionUserFunc(constString(e.Args[0])), nil
		case "current_catalog":
			return &exec.Func{Name: "current_catalog", T: types.Name, Fn: func(c *exec.Ctx, _ []types.Datum) (types.Datum, error) {
				return c.Session.Database(), nil
			}}, nil
		case "current_schema":
			x, _, err := b.sessionFunc("current_schema", nil)
			return x, err
		case "current_date", "current_time", "current_timestamp", "localtime", "localtimestamp":
			return b.clock(e)
		}
		return nil, pgerr.FeatureNotSupported("%s is not supported yet", constString(e.Args[0]))
	case pgdialect.FnOp:
		op := constString(e.Args[0])
		args, err := b.args(&ast.FuncCallExpr{Args: e.Args[1:]})
		if err != nil {
			return nil, err
		}
		if _, ok := operators[op]; (ok || arrayOps[op]) && len(args) == 2 {
			return b.binOp(op, args[0], args[1])
		}
		return nil, pgerr.FeatureNotSupported("operator %s is not supported yet", op)
	case pgdialect.FnDistinct, pgdialect.FnNotDistinct:
		args, err := b.args(e)
		if err != nil {
			return nil, err
		}
		l, r, t, err := b.operands("=", args[0], args[1])
		if err != nil {
			return nil, b.atOperator(err, b.nodePos(e))
		}
		d, ok := exec.NewDistinct(t, l, r, name == pgdialect.FnNotDistinct)
		if !ok {
			return nil, opMissing("=", t, t)
		}
		return d, nil
	case "coalesce":
		defer b.noSRFs("COALESCE")()
		args, err := b.args(e)
		if err != nil {
			return nil, err
		}
		if len(args) == 0 {
			return nil, pgerr.Syntax(0, "syntax error at or near \")\"")
		}
		t, err := b.unifyAt(args, e.Args, "COALESCE", "")
		if err != nil {
			return nil, err
		}
		return &exec.Coalesce{T: t, Args: args}, nil
	case "nullif":
		args, err := b.args(e)
		if err != nil {
			return nil, err
		}
		if len(args) != 2 {
			return nil, pgerr.Syntax(0, "syntax error at or near \")\"")
		}
		// NULLIF(a, b) is a unless a = b; its type is a's as the operator takes it.
		eq, err := b.binOp("=", args[0], args[1])
		if err != nil {
			return nil, b.atOperator(err, b.nodePos(e))
		}
		c, _ := resolveOp("=", args[0].Type(), args[1].Type())
		x, err := b.coerce(args[0], c.l, "")
		if err != nil {
			return nil, err
		}
		return &exec.Case{T: x.Type(), Whens: []exec.Expr{eq}, Thens: []exec.Expr{&exec.Const{T: x.Type(), Typmod: -1}}, Else: x}, nil
	case "greatest", "least":
		args, err := b.args(e)
		if err != nil {
			return nil, err
		}
		if len(args) == 0 {
			return nil, pgerr.Syntax(0, "syntax error at or near \")\"")
		}
		t, err := b.unifyAt(args, e.Args, strings.ToUpper(name), "")
		if err != nil {
			return nil, err
		}
		if !types.Comparable(t) {
			return nil, pgerr.New(pgerrcode.UndefinedFunction, "could not identify a comparison function for type %s", t.SQLName())
		}
		sign := 1
		if name == "least" {
			sign = -1
		}
		// The largest (smallest) non-NULL argument; NULL when all are.
		return &exec.Func{Name: name, T: t, Args: args, Fn: func(_ *exec.Ctx, a []types.Datum) (types.Datum, error) {
			var best types.Datum
			for _, v := range a {
				if v != nil && (best == nil || sign*types.Compare(t, v, best) > 0) {
					best = v
				}
			}
			return best, nil
		}}, nil
	case "pg_typeof":
		args, err := b.args(e)
		if err != nil {
			return nil, err
		}
		if len(args) != 1 {
			return nil, undefinedFunction(name, args).WithPosition(b.nodePos(e))
		}
		return &exec.Const{T: types.Regtype, Val: int64(args[0].Type().OID()), Typmod: -1}, nil
	}
	if x, ok, err := b.marker(e); ok {
		return x, err
	}
	if strings.HasPrefix(e.FnName.L, "augur_") {
		return nil, pgerr.FeatureNotSupported("this PostgreSQL construct (%s) is not supported yet", strings.TrimPrefix(e.FnName.L, "augur_"))
	}
	if _, ok := exec.TableFuncs[e.FnName.L]; ok && e.Schema.L == "" {
		return b.srfCall(e)
	}
	args, err := b.args(e)
	if err != nil {
		return nil, err
	}
	if arrayFuncs[e.FnName.L] {
		x, err := b.arrayFunction(e.FnName.L, args)
		return x, b.atOperator(err, b.nodePos(e))
	}
	display := e.FnName.L
	if e.Schema.L != "" {
		// pgdialect calls pg_catalog.f for the special syntax of EXTRACT, TRIM,
		// POSITION, SUBSTRING and OVERLAY; PostgreSQL's errors name it so.
		display = e.Schema.L + "." + display
	}
	if err := b.sequenceArg(e.FnName.L, args); err != nil {
		return nil, err
	}
	x, ok, err := b.sessionFunc(e.FnName.L, args)
	if !ok {
		x, err = b.function(e.FnName.L, display, args)
	}
	var pe *pgerr.Error
	if errors.As(err, &pe) && (pe.Code == pgerrcode.UndefinedFunction || pe.Code == pgerrcode.AmbiguousFunction) && pe.Position == 0 {
		return nil, pe.WithPosition(b.nodePos(e)) // PostgreSQL points at the call
	}
	return x, err
}

// clock binds the SQL value functions of the current date and time, with their
// optional precision: current_timestamp(2) is timestamp(2) with time zone.
func (b *binder) clock(e *ast.FuncCallExpr) (exec.Expr, error) {
	name := constString(e.Args[0])
	x, err := b.builtin(name, nil)
	if err != nil || len(e.Args) < 2 {
		return x, err
	}
	p, ok := constInt(e.Args[1])
	if name == "current_date" || !ok || len(e.Args) > 2 {
		if name == "current_date" {
			return nil, pgerr.Syntax(b.nodePos(e.Args[1])-1, "syntax error at or near \"(\"")
		}
		return nil, pgerr.Syntax(b.nodePos(e.Args[1]), "syntax error at or near \"%s\"", restore(e.Args[1]))
	}
	t, typmod, err := types.MakeTypmod(x.Type(), []int64{p})
	if err != nil {
		return nil, err
	}
	return &exec.Cast{X: x, T: t, Typmod: typmod}, nil
}

// builtin binds a call of the built-in function name.
func (b *binder) builtin(name string, args []exec.Expr) (exec.Expr, error) {
	return b.function(name, name, args)
}

// function binds a call of the built-in function name (display in errors) as
// PostgreSQL's func_get_detail resolves it: an overload with exactly the
// argument types; else, for name(x) with name a type, a cast of x; else the
// overload resolve chooses. Variadic overloads take at least one argument in their
// variadic part, each converted to its text output.
func (b *binder) function(name, display string, args []exec.Expr) (exec.Expr, error) {
	overloads := exec.Builtins[name]
	in := make([]types.T, len(args))
	for i, a := range args {
		in[i] = a.Type()
	}
	var sigs [][]types.T
	var which []int
	for i, o := range overloads {
		sig := o.Args
		if o.Variadic {
			if len(args) <= len(o.Args) {
				continue
			}
			sig = slices.Clone(o.Args)
			for len(sig) < len(args) {
				sig = append(sig, anyType)
			}
		} else if len(sig) != len(args) {
			continue
		}
		sigs, which = append(sigs, sig), append(which, i)
	}
	if len(args) == 1 && !slices.ContainsFunc(sigs, func(s []types.T) bool { return slices.Equal(s, in) }) {
		// A type name called as a function is a cast: date('2024-01-01'), text(1).
		if t, ok := types.ByName(name); ok && t.Name() == name && t != types.Unknown && t != types.Void {
			if c, ok := args[0].(*exec.Const); ok && c.T == types.Unknown || in[0] != types.Unknown && types.CanCast(in[0], t) {
				return b.castTo(args[0], t, -1, 0)
			}
		}
	}
	i, ambiguous := resolve(in, sigs, false)
	switch {
	case ambiguous:
		return nil, pgerr.New(pgerrcode.AmbiguousFunction, "function %s(%s) is not unique", display, typeList(in)).
			WithHint("Could not choose a best candidate function. You might need to add explicit type casts.")
	case i < 0:
		return nil, undefinedFunction(display, args)
	}
	o := overloads[which[i]]
	out := make([]exec.Expr, len(args))
	for j, a := range args {
		var err error
		if j >= len(o.Args) {
			out[j], err = b.textOut(a)
		} else {
			out[j], err = b.coerce(a, o.Args[j], "")
		}
		if err != nil {
			return nil, err
		}
	}
	return &exec.Func{Name: name, T: o.Result, Args: out, Strict: o.Strict, Volatile: o.Volatile, NeedsTxn: o.NeedsTxn, Fn: o.Fn}, nil
}

// textOut converts an argument of VARIADIC "any" to its text output.
func (b *binder) textOut(a exec.Expr) (exec.Expr, error) {
	switch a.Type() {
	case types.Unknown:
		return b.coerce(a, types.Text, "")
	case types.Text:
		return a, nil
	}
	return exec.TextOut(a), nil
}

func typeList(ts []types.T) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = t.SQLName()
	}
	return strings.Join(s, ", ")
}

func (b *binder) cast(e *ast.FuncCallExpr) (exec.Expr, error) {
	off, _ := constInt(e.Args[2])
	castOff := off
	if len(e.Args) > 3 {
		castOff, _ = constInt(e.Args[3])
	}
	if kind, ok := regKind(constString(e.Args[1])); ok {
		x, err := b.expr(e.Args[0])
		if err != nil {
			return nil, err
		}
		return b.regCast(x, kind)
	}
	t, typmod, err := parseTypeText(constString(e.Args[1]))
	if err != nil {
		return nil, pgerr.From(err).WithPosition(b.pos(int(off)))
	}
	if ctor, ok := isArrayCtor(e.Args[0]); ok && t.IsArray() {
		// ARRAY[...]::t[] gives its items the element type (ARRAY[]::int[]).
		x, err := b.arrayCtor(ctor, t)
		if err != nil {
			return nil, err
		}
		return &exec.Cast{X: x, T: t, Typmod: typmod}, nil
	}
	x, err := b.expr(e.Args[0])
	if err != nil {
		return nil, err
	}
	return b.castTo(x, t, typmod, b.pos(int(castOff)))
}

// castTo is an explicit cast of x to t with typmod: unknown literals are read as
// t, unknown parameters take t; pos locates the cast for 42846.
func (b *binder) castTo(x exec.Expr, t types.T, typmod int32, pos int32) (exec.Expr, error) {
	switch c := x.(type) {
	case *exec.Const:
		if c.T == types.Unknown {
			if c.Val == nil {
				return &exec.Cast{X: &exec.Const{T: t, Typmod: -1}, T: t, Typmod: typmod}, nil
			}
			d, err := types.DecodeText(t, []byte(c.Val.(string)))
			if err != nil { // PostgreSQL points at the literal
				return nil, pgerr.From(err).WithPosition(c.Pos)
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
		return nil, pgerr.New(pgerrcode.CannotCoerce, "cannot cast type %s to %s", x.Type().SQLName(), t.SQLName()).WithPosition(pos)
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
