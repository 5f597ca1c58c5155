package planner

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/augurdb/augur/planner/exec"
	"github.com/augurdb/augur/storage/catalog"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// The system information functions clients call over the system catalogs
// (format_type, pg_get_indexdef, pg_table_is_visible, obj_description, ...).
// They read the session's catalog when they run, like the relations of
// pgcatalog.go, and find objects by the oids those relations give them.

// catalogFuncSig is one overload of a catalog function: its parameter types,
// result type and implementation over the session's catalog view.
type catalogFuncSig struct {
	args   []types.T
	result types.T
	fn     func(v *catalogView, a []types.Datum) (types.Datum, error)
}

var catalogFuncs = map[string][]catalogFuncSig{
	"pg_table_is_visible":    {{sig(types.Oid), types.Bool, tableIsVisible}},
	"pg_type_is_visible":     {{sig(types.Oid), types.Bool, func(*catalogView, []types.Datum) (types.Datum, error) { return true, nil }}},
	"pg_function_is_visible": {{sig(types.Oid), types.Bool, func(*catalogView, []types.Datum) (types.Datum, error) { return true, nil }}},
	"pg_get_userbyid":        {{sig(types.Oid), types.Name, getUserByID}},
	"format_type":            {{sig(types.Oid, types.Int4), types.Text, formatType}},
	"pg_get_indexdef": {
		{sig(types.Oid), types.Text, getIndexDef},
		{sig(types.Oid, types.Int4, types.Bool), types.Text, getIndexDef},
	},
	"pg_get_constraintdef": {
		{sig(types.Oid), types.Text, getConstraintDef},
		{sig(types.Oid, types.Bool), types.Text, getConstraintDef},
	},
	"pg_get_expr": {
		{sig(types.Text, types.Oid), types.Text, getExpr},
		{sig(types.Text, types.Oid, types.Bool), types.Text, getExpr},
	},
	"pg_get_viewdef": {
		{sig(types.Oid), types.Text, getViewDef},
		{sig(types.Oid, types.Bool), types.Text, getViewDef},
	},
	"obj_description": {
		{sig(types.Oid), types.Text, objDescription},
		{sig(types.Oid, types.Name), types.Text, objDescription},
	},
	"shobj_description": {{sig(types.Oid, types.Name), types.Text, func(*catalogView, []types.Datum) (types.Datum, error) { return nil, nil }}},
	"col_description":   {{sig(types.Oid, types.Int4), types.Text, colDescription}},
	"pg_encoding_to_char": {{sig(types.Int4), types.Name, func(_ *catalogView, a []types.Datum) (types.Datum, error) {
		if a[0].(int64) == encodingUTF8 {
			return "UTF8", nil
		}
		return "", nil
	}}},
	"pg_get_function_result":          {{sig(types.Oid), types.Text, func(*catalogView, []types.Datum) (types.Datum, error) { return nil, nil }}},
	"pg_get_function_arguments":       {{sig(types.Oid), types.Text, func(*catalogView, []types.Datum) (types.Datum, error) { return nil, nil }}},
	"pg_relation_is_publishable":      {{sig(types.Oid), types.Bool, func(*catalogView, []types.Datum) (types.Datum, error) { return false, nil }}},
	"pg_get_statisticsobjdef_columns": {{sig(types.Oid), types.Text, func(*catalogView, []types.Datum) (types.Datum, error) { return nil, nil }}},
	"pg_get_triggerdef":               {{sig(types.Oid, types.Bool), types.Text, func(*catalogView, []types.Datum) (types.Datum, error) { return nil, nil }}},
	// pg_notify is NOTIFY's function form: refused as NOTIFY is, rather than
	// accepted with notifications that would never arrive.
	"pg_notify": {{sig(types.Text, types.Text), types.Void, func(*catalogView, []types.Datum) (types.Datum, error) {
		return nil, pgerr.FeatureNotSupported("pg_notify is not supported yet")
	}}},
}

func sig(ts ...types.T) []types.T { return ts }

// regclassFuncs are the catalog functions whose first parameter is regclass:
// a string constant there names a relation ('t', 's.t').
var regclassFuncs = map[string]bool{
	"pg_table_size": true, "pg_relation_size": true, "pg_indexes_size": true, "pg_total_relation_size": true,
}

// catalogFunc binds a call of a catalog function: the first overload whose
// parameters the arguments coerce to. ok is false for other names and
// argument counts.
func (b *binder) catalogFunc(name string, args []exec.Expr) (exec.Expr, bool, error) {
	var firstErr error
	for _, o := range catalogFuncs[name] {
		if len(o.args) != len(args) {
			continue
		}
		in := make([]exec.Expr, len(args))
		var err error
		for i, t := range o.args {
			x := args[i]
			if c, ok := x.(*exec.Const); ok && i == 0 && t == types.Oid && regclassFuncs[name] &&
				c.Val != nil && (c.T == types.Unknown || c.T.IsString()) {
				if x, err = b.regCast(x, "regclass"); err != nil {
					return nil, true, err
				}
			}
			if in[i], err = b.coerce(x, t, ""); err != nil {
				break
			}
		}
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		fn := o.fn
		strict := name != "format_type"
		return &exec.Func{Name: name, T: o.result, Args: in, Strict: strict, Fn: func(c *exec.Ctx, a []types.Datum) (types.Datum, error) {
			env, ok := c.Session.(Env)
			if !ok {
				return nil, nil
			}
			if !strict && a[0] == nil {
				return nil, nil
			}
			return fn(newCatalogView(env), a)
		}}, true, nil
	}
	if firstErr != nil {
		return nil, true, firstErr
	}
	return nil, false, nil
}

// object is what an oid of pg_class names.
type object struct {
	table *catalog.Table
	index *catalog.Index
	seq   *catalog.Sequence
}

func (o object) schema() string {
	if o.seq != nil {
		return o.seq.Schema
	}
	return o.table.Schema
}

func (o object) name() string {
	switch {
	case o.seq != nil:
		return o.seq.Name
	case o.index != nil:
		return o.index.Name
	}
	return o.table.Name
}

// relByOID finds the table, view, index or sequence with pg_class oid id.
func (v *catalogView) relByOID(id uint32) (object, bool) {
	if v.db == nil {
		return object{}, false
	}
	for _, t := range v.db.Tables {
		if t.ID == id {
			return object{table: t}, true
		}
		if id&0x80000000 != 0 {
			for _, ix := range userIndexes(t) {
				if indexOID(t, ix) == id {
					return object{table: t, index: ix}, true
				}
			}
		}
	}
	for _, q := range v.db.Sequences {
		if q.ID == id {
			return object{seq: q}, true
		}
	}
	return object{}, false
}

// relationNamed reports whether schema holds a relation (table, view, index,
// sequence) named name.
func (v *catalogView) relationNamed(schema, name string) bool {
	if _, ok := v.db.Tables[catalog.Name{Schema: schema, Name: name}]; ok {
		return true
	}
	if _, ok := v.db.Sequences[catalog.Name{Schema: schema, Name: name}]; ok {
		return true
	}
	_, _, ok := v.db.Index(schema, name)
	return ok
}

func tableIsVisible(v *catalogView, a []types.Datum) (types.Datum, error) {
	o, ok := v.relByOID(uint32(a[0].(int64)))
	if !ok {
		return nil, nil
	}
	for _, s := range v.ns.effective() {
		if s == o.schema() {
			return true, nil
		}
		if !catalog.IsSystemSchema(s) && v.relationNamed(s, o.name()) {
			return false, nil
		}
	}
	return false, nil
}

// qualifiedIfHidden is a relation's name as PostgreSQL's deparser prints it:
// bare when the search path finds it, else schema-qualified.
func (v *catalogView) qualifiedIfHidden(schema, name string) string {
	for _, s := range v.ns.effective() {
		if s == schema {
			return quoteIdentIfNeeded(name)
		}
		if !catalog.IsSystemSchema(s) && v.relationNamed(s, name) {
			break
		}
	}
	return quoteIdentIfNeeded(schema) + "." + quoteIdentIfNeeded(name)
}

func getUserByID(v *catalogView, a []types.Datum) (types.Datum, error) {
	id := uint32(a[0].(int64))
	if r, ok := v.schema.RoleByID(id); ok {
		return r.Name, nil
	}
	if id == 6171 {
		return catalog.PublicOwner, nil
	}
	return fmt.Sprintf("unknown (OID=%d)", id), nil
}

func formatType(_ *catalogView, a []types.Datum) (types.Datum, error) {
	t, ok := types.ByOID(uint32(a[0].(int64)))
	if !ok {
		return "???", nil
	}
	typmod := int32(-1)
	if a[1] != nil {
		typmod = int32(a[1].(int64))
	}
	return types.FormatType(t, typmod), nil
}

// columnNames lists the names of attribute numbers nums of t, quoted as needed.
func columnNames(t *catalog.Table, nums []int) string {
	var out []string
	for _, n := range nums {
		if n >= 1 && n <= len(t.Columns) {
			out = append(out, quoteIdentIfNeeded(t.ColumnByNum(n).Name))
		}
	}
	return strings.Join(out, ", ")
}

func getIndexDef(v *catalogView, a []types.Datum) (types.Datum, error) {
	o, ok := v.relByOID(uint32(a[0].(int64)))
	if !ok || o.index == nil {
		return nil, nil
	}
	if len(a) == 3 && a[1] != nil {
		// A column number: that key column's definition alone.
		if n := int(a[1].(int64)); n > 0 {
			if n > len(o.index.Columns) {
				return "", nil
			}
			return columnNames(o.table, o.index.Columns[n-1:n]), nil
		}
	}
	unique := ""
	if o.index.Unique || o.index.Primary {
		unique = "UNIQUE "
	}
	// The pretty form qualifies the table only when the path does not find it.
	table := quoteIdentIfNeeded(o.table.Schema) + "." + quoteIdentIfNeeded(o.table.Name)
	if len(a) == 3 && a[2] == true {
		table = v.qualifiedIfHidden(o.table.Schema, o.table.Name)
	}
	return fmt.Sprintf("CREATE %sINDEX %s ON %s USING btree (%s)", unique, quoteIdentIfNeeded(o.index.Name),
		table, columnNames(o.table, o.index.Columns)), nil
}

// constraintByOID finds the constraint with pg_constraint oid id.
func (v *catalogView) constraintByOID(id uint32) (t *catalog.Table, kind, n int, ok bool) {
	if v.db == nil {
		return nil, 0, 0, false
	}
	kind, n = int(id>>29), int(id&0x7f)
	tid := id >> 7 & 0x3fffff
	for _, t := range v.db.Tables {
		if t.ID&0x3fffff == tid {
			return t, kind, n, true
		}
	}
	return nil, 0, 0, false
}

func getConstraintDef(v *catalogView, a []types.Datum) (types.Datum, error) {
	t, kind, n, ok := v.constraintByOID(uint32(a[0].(int64)))
	if !ok {
		return nil, nil
	}
	switch kind {
	case conIndex:
		for _, ix := range userIndexes(t) {
			if int(ix.ID) == n {
				what := "UNIQUE"
				if ix.Primary {
					what = "PRIMARY KEY"
				}
				return fmt.Sprintf("%s (%s)", what, columnNames(t, ix.Columns)), nil
			}
		}
	case conCheck:
		if n < len(t.Checks) {
			ck := t.Checks[n]
			e := parenthesize(ck.Expr)
			if len(a) > 1 && a[1] == true { // pretty: without the outer parentheses
				e = e[1 : len(e)-1]
			}
			s := "CHECK (" + e + ")"
			if ck.NotValid {
				s += " NOT VALID"
			}
			return s, nil
		}
	case conFK:
		if n < len(t.ForeignKeys) {
			return v.foreignKeyDef(t, &t.ForeignKeys[n]), nil
		}
	}
	return nil, nil
}

// parenthesize wraps an expression in parentheses unless it already is one
// parenthesised whole, as PostgreSQL's deparser prints a CHECK expression.
func parenthesize(e string) string {
	e = strings.TrimSpace(e)
	if strings.HasPrefix(e, "(") && strings.HasSuffix(e, ")") {
		depth := 0
		whole := true
		for i, c := range e {
			switch c {
			case '(':
				depth++
			case ')':
				depth--
				if depth == 0 && i != len(e)-1 {
					whole = false
				}
			}
		}
		if whole {
			return e
		}
	}
	return "(" + e + ")"
}

var fkActionWords = map[catalog.FKAction]string{
	catalog.FKRestrict: "RESTRICT", catalog.FKCascade: "CASCADE", catalog.FKSetNull: "SET NULL", catalog.FKSetDefault: "SET DEFAULT",
}

func (v *catalogView) foreignKeyDef(t *catalog.Table, fk *catalog.ForeignKey) string {
	var b strings.Builder
	fmt.Fprintf(&b, "FOREIGN KEY (%s) REFERENCES ", columnNames(t, fk.Columns))
	if ref, ok := v.schema.TableByID(v.env.Database(), fk.RefTable); ok {
		fmt.Fprintf(&b, "%s(%s)", v.qualifiedIfHidden(ref.Schema, ref.Name), columnNames(ref, fk.RefColumns))
	}
	if fk.MatchFull {
		b.WriteString(" MATCH FULL")
	}
	if w, ok := fkActionWords[fk.OnUpdate]; ok {
		b.WriteString(" ON UPDATE " + w)
	}
	if w, ok := fkActionWords[fk.OnDelete]; ok {
		b.WriteString(" ON DELETE " + w)
		if len(fk.SetColumns) > 0 && (fk.OnDelete == catalog.FKSetNull || fk.OnDelete == catalog.FKSetDefault) {
			fmt.Fprintf(&b, " (%s)", columnNames(t, fk.SetColumns))
		}
	}
	if fk.Deferrable {
		b.WriteString(" DEFERRABLE")
	}
	if fk.Deferred {
		b.WriteString(" INITIALLY DEFERRED")
	}
	if fk.NotValid {
		b.WriteString(" NOT VALID")
	}
	return b.String()
}

// getExpr is pg_get_expr: the catalogs keep expressions as SQL text already;
// a sequence named by nextval gets the ::regclass PostgreSQL's deparser shows
// (its argument is a regclass constant there).
func getExpr(_ *catalogView, a []types.Datum) (types.Datum, error) {
	return nextvalArg.ReplaceAllString(a[0].(string), "nextval('$1'::regclass)"), nil
}

var nextvalArg = regexp.MustCompile(`nextval\('((?:[^']|'')*)'\)`)

func getViewDef(v *catalogView, a []types.Datum) (types.Datum, error) {
	o, ok := v.relByOID(uint32(a[0].(int64)))
	if !ok || o.table == nil || !o.table.IsView() {
		return nil, nil
	}
	return o.table.ViewSQL, nil
}

func objDescription(v *catalogView, a []types.Datum) (types.Datum, error) {
	id := uint32(a[0].(int64))
	class := "pg_class"
	if len(a) > 1 {
		class = a[1].(string)
	}
	switch class {
	case "pg_class":
		if o, ok := v.relByOID(id); ok {
			switch {
			case o.seq != nil:
				return textOrNull(o.seq.Comment), nil
			case o.index != nil:
				return textOrNull(o.index.Comment), nil
			}
			return textOrNull(o.table.Comment), nil
		}
	case "pg_namespace":
		if v.db != nil {
			for n, ns := range v.db.Schemas {
				if namespaceOID(n) == id {
					return textOrNull(ns.Comment), nil
				}
			}
		}
	}
	return nil, nil
}

func colDescription(v *catalogView, a []types.Datum) (types.Datum, error) {
	o, ok := v.relByOID(uint32(a[0].(int64)))
	num := int(a[1].(int64))
	if !ok || o.table == nil || o.index != nil || num < 1 || num > len(o.table.Columns) {
		return nil, nil
	}
	return textOrNull(o.table.ColumnByNum(num).Comment), nil
}

// regKind reports whether a cast's type text names an object identifier type
// (regclass, regtype, regnamespace, regrole, regproc, regprocedure) and which.
func regKind(typ string) (string, bool) {
	t := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(typ)), "pg_catalog.")
	switch t {
	case "regclass", "regtype", "regnamespace", "regrole", "regproc", "regprocedure":
		return t, true
	}
	return "", false
}

// regCast binds x::regclass (regtype, regnamespace, regrole). A constant
// name is resolved to its oid when the cast is bound, as PostgreSQL resolves
// the constant at parse time. regtype is a type of its own (types.Regtype),
// whose values print as type names; the other reg* types are not: their
// constants are oids, and an oid value cast to one is printed as the name
// it stands for, as text (what clients read in the reg* output).
func (b *binder) regCast(x exec.Expr, kind string) (exec.Expr, error) {
	result := types.Oid
	if kind == "regtype" {
		result = types.Regtype
	}
	if c, ok := x.(*exec.Const); ok && c.Val != nil && (c.T == types.Unknown || c.T.IsString()) {
		s := c.Val.(string)
		if n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 32); err == nil {
			return &exec.Const{T: result, Val: int64(n), Typmod: -1}, nil
		}
		id, err := b.regLookup(kind, s)
		if err != nil {
			return nil, err
		}
		return &exec.Const{T: result, Val: int64(id), Typmod: -1}, nil
	}
	if kind == "regtype" {
		return b.regtypeCast(x)
	}
	in, err := b.coerce(x, types.Oid, "")
	if err != nil {
		return nil, err
	}
	return &exec.Func{Name: kind, T: types.Text, Args: []exec.Expr{in}, Strict: true, Fn: func(c *exec.Ctx, a []types.Datum) (types.Datum, error) {
		env, ok := c.Session.(Env)
		id := uint32(a[0].(int64))
		if id == 0 {
			return "-", nil // the reg* types' InvalidOid
		}
		if !ok {
			return strconv.FormatUint(uint64(id), 10), nil
		}
		if s, ok := newCatalogView(env).regName(kind, id); ok {
			return s, nil
		}
		return strconv.FormatUint(uint64(id), 10), nil
	}}, nil
}

// regtypeCast binds x::regtype for an x known when the statement runs: a
// string is read as a type name then ($1::text::regtype, as pgx's LoadType
// sends it), an oid or integer is relabeled.
func (b *binder) regtypeCast(x exec.Expr) (exec.Expr, error) {
	if t := x.Type(); t.IsString() || t == types.Unknown {
		in, err := b.coerce(x, types.Text, "")
		if err != nil {
			return nil, err
		}
		return &exec.Func{Name: "regtypein", T: types.Regtype, Args: []exec.Expr{in}, Strict: true, Fn: func(_ *exec.Ctx, a []types.Datum) (types.Datum, error) {
			return types.ParseRegtype(a[0].(string))
		}}, nil
	}
	in, err := b.coerce(x, types.Oid, "")
	if err != nil {
		return nil, err
	}
	return &exec.Func{Name: "regtype", T: types.Regtype, Args: []exec.Expr{in}, Strict: true, Fn: func(_ *exec.Ctx, a []types.Datum) (types.Datum, error) {
		return a[0], nil
	}}, nil
}

// regLookup resolves a name given to a reg* cast to its oid.
func (b *binder) regLookup(kind, s string) (uint32, error) {
	switch kind {
	case "regtype":
		t, _, err := parseTypeText(s)
		if err != nil {
			// Names only regtype reads: typnames (_int4, regtype).
			id, err2 := types.ParseRegtype(s)
			if err2 != nil {
				return 0, err
			}
			return uint32(id), nil
		}
		return t.OID(), nil
	case "regnamespace":
		parts, ok := splitQualified(s)
		if !ok || len(parts) != 1 {
			return 0, pgerr.New(pgerrcode.InvalidName, "invalid name syntax")
		}
		if !b.ns.exists(parts[0]) {
			return 0, pgerr.New(pgerrcode.UndefinedObject, "schema %q does not exist", parts[0])
		}
		return namespaceOID(parts[0]), nil
	case "regproc", "regprocedure":
		// Augur has no functions in pg_proc to name.
		return 0, pgerr.New(pgerrcode.UndefinedFunction, "function %q does not exist", s)
	case "regrole":
		parts, ok := splitQualified(s)
		if !ok || len(parts) != 1 {
			return 0, pgerr.New(pgerrcode.InvalidName, "invalid name syntax")
		}
		if b.schema != nil {
			if r, ok := b.schema.RoleByName(parts[0]); ok {
				return r.ID, nil
			}
		}
		return 0, pgerr.New(pgerrcode.UndefinedObject, "role %q does not exist", parts[0])
	}
	parts, ok := splitQualified(s)
	if !ok || len(parts) > 3 {
		return 0, pgerr.New(pgerrcode.InvalidName, "invalid name syntax")
	}
	schema, name := "", parts[len(parts)-1]
	if len(parts) > 1 {
		schema = parts[len(parts)-2]
	}
	if len(parts) == 3 {
		if err := b.ns.checkCatalog(parts[0], s); err != nil {
			return 0, err
		}
	}
	if sch, st := b.ns.systemTable(schema, name); st != nil {
		return systemTableOID(sch, name), nil
	}
	if t, err := b.ns.relation(schema, name); err == nil && t != nil {
		return t.ID, nil
	}
	if q := b.ns.sequence(schema, name); q != nil {
		return q.ID, nil
	}
	if t, ix := b.ns.index(schema, name); ix != nil {
		return indexOID(t, ix), nil
	}
	return 0, pgerr.New(pgerrcode.UndefinedTable, "relation %q does not exist", s)
}

// regName is the text output of an oid as a reg* value; ok is false when no
// object has the oid (PostgreSQL then prints the number).
func (v *catalogView) regName(kind string, id uint32) (string, bool) {
	switch kind {
	case "regtype":
		t, ok := types.ByOID(id)
		if !ok {
			return "", false
		}
		return types.FormatType(t, -1), true
	case "regnamespace":
		for _, n := range v.schemas() {
			if namespaceOID(n) == id {
				return quoteIdentIfNeeded(n), true
			}
		}
		return "", false
	case "regrole":
		if r, ok := v.schema.RoleByID(id); ok {
			return quoteIdentIfNeeded(r.Name), true
		}
		return "", false
	case "regproc", "regprocedure":
		return "", false // no functions in pg_proc
	}
	o, ok := v.relByOID(id)
	if !ok {
		return "", false
	}
	return v.qualifiedIfHidden(o.schema(), o.name()), true
}

// collate binds x COLLATE name: the default collation (and C, the order
// Augur compares strings in) change nothing; other collations are not
// supported.
func (b *binder) collate(e *ast.FuncCallExpr) (exec.Expr, error) {
	name := strings.TrimPrefix(constString(e.Args[1]), "pg_catalog.")
	if name != "default" && name != "C" && name != "POSIX" {
		return nil, pgerr.FeatureNotSupported("collation %q is not supported yet", constString(e.Args[1]))
	}
	x, err := b.expr(e.Args[0])
	if err != nil {
		return nil, err
	}
	if t := x.Type(); !t.IsString() && t != types.Unknown {
		return nil, pgerr.New(pgerrcode.DatatypeMismatch, "collations are not supported by type %s", t.SQLName())
	}
	return x, nil
}

func init() {
	// pg_partition_ancestors(regclass): Augur has no partitions, so a
	// relation's only "ancestor" is itself.
	exec.RegisterTableFunc("pg_partition_ancestors", exec.TableFunc{
		Args:   sig(types.Oid),
		Cols:   []exec.ResultCol{{Name: "relid", T: types.Oid}},
		Strict: true,
		Rows: func(_ *exec.Ctx, a []types.Datum) (exec.Iter, error) {
			return exec.SliceRows([][]types.Datum{{a[0]}}), nil
		},
	})
}
