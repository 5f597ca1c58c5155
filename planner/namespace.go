package planner

import (
	"fmt"
	"slices"
	"strings"

	"github.com/augurdb/augur/actors/lockmgr"
	"github.com/augurdb/augur/planner/exec"
	"github.com/augurdb/augur/planner/pgdialect"
	"github.com/augurdb/augur/storage/catalog"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// names resolves the names of tables, views, indexes and sequences for one
// statement as PostgreSQL's namespace.c does: a qualified name (schema.name, or
// db.schema.name with db the current database) names one schema; an unqualified
// name is looked up along the effective search path — the session's temp schema
// first (when it exists and the path does not place pg_temp itself), pg_catalog
// (unless the path places it), then the existing schemas of search_path in
// order ("$user" is the schema named like the session user, when it exists).
// Objects are created in the first existing schema of search_path.
type names struct {
	db *catalog.Database // nil: no database (no tables at all)
	// fixed: path is searched exactly as given (a view's recorded path), without
	// the session's temp schema or pg_catalog in front.
	fixed bool
	temp  string // this session's temp schema name, whether it exists yet or not
	user  string
	path  []string // search_path's entries, unquoted
}

// newNames returns the resolver for env's session over schema s.
func newNames(env Env, s *catalog.Schema) *names {
	n := &names{}
	if env == nil {
		return n
	}
	n.db = s.Databases[env.Database()]
	n.temp = env.TempSchema()
	n.user = env.User()
	if v, err := env.Var("search_path"); err == nil {
		n.path = parseSearchPath(v)
	}
	return n
}

// with returns a resolver for the same session whose path is path (a view's
// query binds along the path it was created under).
func (n *names) with(path []string) *names {
	c := *n
	c.path, c.fixed = path, true
	return &c
}

// parseSearchPath splits a search_path value into schema names: unquoted names
// are folded to lower case, quoted ones kept ("" inside quotes is one quote).
func parseSearchPath(v string) []string {
	var out []string
	for i := 0; i < len(v); {
		for i < len(v) && (v[i] == ' ' || v[i] == '\t' || v[i] == '\n') {
			i++
		}
		if i >= len(v) {
			break
		}
		var name strings.Builder
		if v[i] == '"' {
			i++
			for i < len(v) {
				if v[i] == '"' {
					if i+1 < len(v) && v[i+1] == '"' {
						name.WriteByte('"')
						i += 2
						continue
					}
					i++
					break
				}
				name.WriteByte(v[i])
				i++
			}
			for i < len(v) && v[i] != ',' {
				i++
			}
		} else {
			j := strings.IndexByte(v[i:], ',')
			if j < 0 {
				j = len(v) - i
			}
			name.WriteString(strings.ToLower(strings.TrimSpace(v[i : i+j])))
			i += j
		}
		out = append(out, name.String())
		i++ // the comma
	}
	return out
}

// tempExists reports whether the session's temp schema exists.
func (n *names) tempExists() bool {
	if n.db == nil || n.temp == "" {
		return false
	}
	_, ok := n.db.Schemas[n.temp]
	return ok
}

// exists reports whether schema name exists (stored or system).
func (n *names) exists(name string) bool {
	if catalog.IsSystemSchema(name) {
		return true
	}
	if n.db == nil {
		return false
	}
	_, ok := n.db.Schemas[name]
	return ok
}

// expand maps a search_path entry to the schema it stands for ("" for none).
func (n *names) expand(e string) string {
	switch e {
	case "$user":
		if n.exists(n.user) {
			return n.user
		}
		return ""
	case "pg_temp":
		if n.tempExists() {
			return n.temp
		}
		return ""
	}
	if n.exists(e) {
		return e
	}
	return ""
}

// explicit returns the existing schemas search_path names, in order.
func (n *names) explicit() []string {
	var out []string
	for _, e := range n.path {
		if s := n.expand(e); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// effective returns the schemas searched for an unqualified relation name.
func (n *names) effective() []string {
	exp := n.explicit()
	if n.fixed {
		return exp
	}
	var out []string
	if n.tempExists() && !slices.Contains(exp, n.temp) {
		out = append(out, n.temp)
	}
	if !slices.Contains(exp, catalog.CatalogSchema) {
		out = append(out, catalog.CatalogSchema)
	}
	return append(out, exp...)
}

// currentSchema is current_schema(): the first existing schema of the path
// ("" when there is none: NULL).
func (n *names) currentSchema() string {
	if exp := n.explicit(); len(exp) > 0 {
		return exp[0]
	}
	return ""
}

// currentSchemas is current_schemas(implicit).
func (n *names) currentSchemas(implicit bool) []string {
	if implicit {
		return n.effective()
	}
	var out []string
	for _, s := range n.explicit() {
		if s != n.temp {
			out = append(out, s)
		}
	}
	return out
}

// schemaOf maps the schema part of a qualified name to the stored schema it
// names: "pg_temp" is the session's own temp schema.
func (n *names) schemaOf(s string) string {
	if s == "pg_temp" {
		return n.temp
	}
	return s
}

// checkCatalog refuses a database qualification other than the current database.
func (n *names) checkCatalog(db string, full string) error {
	if db == "" || n.db != nil && db == n.db.Name {
		return nil
	}
	return pgerr.FeatureNotSupported("cross-database references are not implemented: %s", full)
}

// otherTemp reports whether schema s is another session's temp schema.
func (n *names) otherTemp(s string) bool {
	return catalog.IsTempSchema(s) && s != n.temp
}

// relation finds a table or view: schema "" searches the path. It returns
// nil (and no error) when there is none; an error for a qualified name whose
// schema is a system schema not provided yet, or another session's temp schema.
func (n *names) relation(schema, name string) (*catalog.Table, error) {
	if n.db == nil {
		return nil, nil
	}
	if schema != "" {
		schema = n.schemaOf(schema)
		if catalog.IsSystemSchema(schema) {
			return nil, systemRelation(schema, name)
		}
		t := n.db.Tables[catalog.Name{Schema: schema, Name: name}]
		if t != nil && n.otherTemp(schema) {
			return nil, pgerr.FeatureNotSupported("cannot access temporary tables of other sessions")
		}
		return t, nil
	}
	for _, s := range n.effective() {
		if catalog.IsSystemSchema(s) {
			continue // their relations are bound by systemSource (pgcatalog.go)
		}
		if t, ok := n.db.Tables[catalog.Name{Schema: s, Name: name}]; ok {
			return t, nil
		}
	}
	return nil, nil
}

// systemRelation is the error for a name in a system schema that is not one
// of its relations (systemTables, pgcatalog.go): those are bound before
// tables are looked up, as function scans, and never reach here.
func systemRelation(schema, name string) error {
	return pgerr.New(pgerrcode.UndefinedTable, "relation %q does not exist", schema+"."+name)
}

// sequence finds a sequence along the path (schema "") or in schema.
func (n *names) sequence(schema, name string) *catalog.Sequence {
	if n.db == nil {
		return nil
	}
	if schema != "" {
		return n.db.Sequences[catalog.Name{Schema: n.schemaOf(schema), Name: name}]
	}
	for _, s := range n.effective() {
		if q, ok := n.db.Sequences[catalog.Name{Schema: s, Name: name}]; ok {
			return q
		}
	}
	return nil
}

// index finds an index along the path (schema "") or in schema.
func (n *names) index(schema, name string) (*catalog.Table, *catalog.Index) {
	if n.db == nil {
		return nil, nil
	}
	if schema != "" {
		t, ix, _ := n.db.Index(n.schemaOf(schema), name)
		return t, ix
	}
	for _, s := range n.effective() {
		if t, ix, ok := n.db.Index(s, name); ok {
			return t, ix
		}
	}
	return nil, nil
}

// existingSchema checks that a schema named in DDL exists (3F000 otherwise) and
// returns its stored name.
func (n *names) existingSchema(s string) (string, error) {
	s = n.schemaOf(s)
	if s == "" || !n.exists(s) {
		name := s
		if name == "" {
			name = "pg_temp"
		}
		return "", pgerr.New(pgerrcode.InvalidSchemaName, "schema %q does not exist", name)
	}
	return s, nil
}

// creationSchema is the schema an object named schema.name is created in:
// schema itself, else the first existing schema of the path.
func (n *names) creationSchema(schema string) (string, error) {
	if schema != "" {
		if schema == "pg_temp" {
			return n.temp, nil
		}
		return n.existingSchema(schema)
	}
	for _, e := range n.path {
		if e == "pg_temp" {
			return n.temp, nil
		}
		if s := n.expand(e); s != "" {
			return s, nil
		}
	}
	return "", pgerr.New(pgerrcode.InvalidSchemaName, "no schema has been selected to create in")
}

// qualify is name as PostgreSQL prints an object in messages: bare when the
// path finds it, else schema.name.
func (n *names) qualify(schema, name string) string {
	for _, s := range n.effective() {
		if s == schema {
			return name
		}
		if n.db != nil {
			if _, ok := n.db.Tables[catalog.Name{Schema: s, Name: name}]; ok {
				break
			}
		}
	}
	return fmt.Sprintf("%s.%s", schema, name)
}

// first returns a resolver that searches schema before n's path (the names in
// a table's defaults and checks are looked up in the table's schema first).
func (n *names) first(schema string) *names {
	c := *n
	c.path = append([]string{schema}, n.path...)
	return &c
}

// tableName resolves a table name of a FROM list or a DML target.
func (b *binder) tableName(tn *ast.TableName) (*catalog.Table, error) {
	schema, name := tn.Schema.O, tn.Name.O
	cat := ""
	if c, s, ok := strings.Cut(schema, catalogSep); ok {
		cat, schema = c, s
	}
	full := name
	if schema != "" {
		full = schema + "." + name
	}
	if cat != "" {
		full = cat + "." + full
	}
	if err := b.ns.checkCatalog(cat, strconvQuote(full)); err != nil {
		return nil, err.(*pgerr.Error).WithPosition(b.identPos(cat))
	}
	t, err := b.ns.relation(schema, name)
	if err != nil {
		return nil, err
	}
	if t == nil {
		pos := name
		if schema != "" {
			pos = schema
		}
		return nil, pgerr.New(pgerrcode.UndefinedTable, "relation %q does not exist", full).WithPosition(b.identPos(pos))
	}
	b.lockRelation(t, lockmgr.AccessShare)
	return t, nil
}

// catalogSep joins a database name to the schema of a three-part table name
// (db.schema.table) in the schema part the TiDB grammar reads: the dialect
// layer rewrites db.s.t to "db<sep>s".t.
const catalogSep = "\x1f"

func strconvQuote(s string) string { return `"` + s + `"` }

// checkColumnSchema checks a column reference s.t.c: t must be a relation of
// the FROM list referenced by its unaliased name, and in schema s.
func (b *binder) checkColumnSchema(e *ast.ColumnNameExpr) (string, error) {
	schema, rel := e.Name.Schema.O, e.Name.Table.O
	if c, s, ok := strings.Cut(schema, catalogSep); ok {
		if err := b.ns.checkCatalog(c, fmt.Sprintf("%s.%s.%s.%s", c, s, rel, e.Name.Name.O)); err != nil {
			return "", err.(*pgerr.Error).WithPosition(b.nodePos(e))
		}
		schema = s
	}
	schema = b.ns.schemaOf(schema)
	for s := b.sc; s != nil; s = s.parent {
		for _, r := range s.rels {
			if r.name == rel && r.schema == schema {
				return schema, nil
			}
		}
	}
	return "", pgerr.New(pgerrcode.UndefinedTable, "missing FROM-clause entry for table %q", rel).WithPosition(b.nodePos(e))
}

// sessionFunc binds the functions that read or change the session's search
// path and settings: current_schema(), current_schemas(bool),
// current_setting(name [, missing_ok]) and set_config(name, value, is_local). ok is false
// for other calls (and other argument counts), left to the built-ins.
func (b *binder) sessionFunc(name string, args []exec.Expr) (exec.Expr, bool, error) {
	switch {
	case name == "current_schema" && len(args) == 0:
		return &exec.Func{Name: name, T: types.Name, Fn: func(c *exec.Ctx, _ []types.Datum) (types.Datum, error) {
			env, ok := c.Session.(Env)
			if !ok {
				return "public", nil
			}
			if s := newNames(env, env.Schema()).currentSchema(); s != "" {
				return s, nil
			}
			return nil, nil
		}}, true, nil
	case name == "current_schemas" && len(args) == 1:
		implicit, err := b.coerce(args[0], types.Bool, "")
		if err != nil {
			return nil, true, err
		}
		arr, _ := types.ArrayOf(types.Name)
		return &exec.Func{Name: name, T: arr, Args: []exec.Expr{implicit}, Strict: true, Fn: func(c *exec.Ctx, a []types.Datum) (types.Datum, error) {
			env, ok := c.Session.(Env)
			if !ok {
				return types.NewArray(nil), nil
			}
			var elems []types.Datum
			for _, s := range newNames(env, env.Schema()).currentSchemas(a[0].(bool)) {
				elems = append(elems, s)
			}
			return types.NewArray(elems), nil
		}}, true, nil
	case name == "current_setting" && (len(args) == 1 || len(args) == 2):
		// current_setting(name [, missing_ok]): what SHOW name answers; drivers
		// ask for application_name this way when they connect.
		in := make([]exec.Expr, len(args))
		for i, t := range []types.T{types.Text, types.Bool}[:len(args)] {
			x, err := b.coerce(args[i], t, "")
			if err != nil {
				return nil, true, err
			}
			in[i] = x
		}
		return &exec.Func{Name: name, T: types.Text, Args: in, Strict: true, Fn: func(c *exec.Ctx, a []types.Datum) (types.Datum, error) {
			env, ok := c.Session.(Env)
			if !ok {
				return nil, pgerr.New(pgerrcode.UndefinedObject, "unrecognized configuration parameter %q", a[0].(string))
			}
			v, err := env.Var(a[0].(string))
			if err != nil && len(a) == 2 && a[1].(bool) && pgerr.Code(err) == pgerrcode.UndefinedObject {
				return nil, nil
			}
			return v, err
		}}, true, nil
	case name == "set_config" && len(args) == 3:
		in := make([]exec.Expr, 3)
		for i, t := range []types.T{types.Text, types.Text, types.Bool} {
			x, err := b.coerce(args[i], t, "")
			if err != nil {
				return nil, true, err
			}
			in[i] = x
		}
		return &exec.Func{Name: name, T: types.Text, Args: in, Volatile: true, Fn: func(c *exec.Ctx, a []types.Datum) (types.Datum, error) {
			env, ok := c.Session.(Env)
			if !ok || a[0] == nil {
				return nil, pgerr.New("22004", "SET requires parameter name")
			}
			setting := a[0].(string)
			var vals []string
			if a[1] != nil {
				vals = []string{a[1].(string)}
			}
			local := a[2] != nil && a[2].(bool)
			if err := env.SetVar(setting, vals, local); err != nil {
				return nil, err
			}
			v, err := env.Var(setting)
			if err != nil {
				return nil, err
			}
			return v, nil
		}}, true, nil
	}
	return b.catalogFunc(name, args)
}

// sequenceArg resolves the sequence a call of nextval, currval or setval names
// by a constant, when it is bound, as PostgreSQL casts the constant to regclass
// at parse time: the search path (and, in a column default, the table's
// schema) of that moment decides, and the argument becomes the sequence's
// qualified name.
func (b *binder) sequenceArg(fn string, args []exec.Expr) error {
	switch strings.TrimPrefix(fn, SequenceFuncPrefix) {
	case "nextval", "currval", "setval":
	default:
		return nil
	}
	if len(args) == 0 {
		return nil
	}
	c, ok := args[0].(*exec.Const)
	if !ok {
		return nil
	}
	name, ok := c.Val.(string)
	if !ok {
		return nil
	}
	q, err := resolveSequence(b.ns, name)
	if err != nil {
		return err
	}
	args[0] = &exec.Const{T: c.T, Typmod: c.Typmod, Val: quoteIdent(q.Schema) + "." + quoteIdent(q.Name)}
	return nil
}

// resolveSequence finds the sequence a regclass text names ([[db.]schema.]name,
// identifiers quoted or folded as in SQL).
func resolveSequence(ns *names, name string) (*catalog.Sequence, error) {
	parts, ok := splitQualified(name)
	if !ok || len(parts) > 3 {
		return nil, pgerr.New(pgerrcode.InvalidName, "invalid name syntax")
	}
	var schema string
	switch len(parts) {
	case 3:
		if err := ns.checkCatalog(parts[0], strings.Join(parts, ".")); err != nil {
			return nil, err
		}
		schema = parts[1]
	case 2:
		schema = parts[0]
	}
	if schema != "" {
		if _, err := ns.existingSchema(schema); err != nil {
			return nil, err
		}
	}
	q := ns.sequence(schema, parts[len(parts)-1])
	if q == nil {
		return nil, exec.SequenceNotFound(name)
	}
	return q, nil
}

// quoteIdent quotes an identifier always ("" doubles a quote).
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// joinCatalogNames rewrites the names the TiDB grammar cannot read — a table
// named db.schema.table, a column named db.schema.table.column — into names
// it can: db and schema become one quoted schema identifier joined by
// catalogSep, which the binder splits again. A three-part name is a table name
// in a FROM list, after JOIN, UPDATE or INTO; elsewhere it is schema.table.column.
func joinCatalogNames(toks []pgdialect.Token) []pgdialect.Token {
	isName := func(i int) bool {
		return i < len(toks) && (toks[i].Kind == pgdialect.Ident || toks[i].Kind == pgdialect.QIdent)
	}
	dot := func(i int) bool { return i < len(toks) && toks[i].IsPunct(".") }
	var out []pgdialect.Token
	tableCtx := map[int]bool{}
	depth := 0
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.IsPunct("("):
			depth++
			tableCtx[depth] = false
		case t.IsPunct(")"):
			depth--
		case t.Kind == pgdialect.Ident:
			switch t.Val {
			case "from", "join", "update", "into":
				tableCtx[depth] = true
			case "where", "on", "using", "set", "group", "order", "limit", "having", "values",
				"select", "returning", "window", "offset", "union", "intersect", "except", "fetch":
				tableCtx[depth] = false
			}
		}
		if !isName(i) || i > 0 && dot(i-1) || !dot(i+1) || !isName(i+2) || !dot(i+3) || !isName(i+4) {
			continue
		}
		parts := 3
		if dot(i+5) && isName(i+6) {
			parts = 4
		}
		if parts == 3 && (!tableCtx[depth] || i+5 < len(toks) && toks[i+5].IsPunct("(")) {
			continue
		}
		if out == nil {
			out = append([]pgdialect.Token(nil), toks...)
		}
		out[i] = pgdialect.Token{Kind: pgdialect.QIdent, Val: t.Val + catalogSep + toks[i+2].Val, Pos: t.Pos, End: toks[i+2].End}
		out[i+1].Kind = pgdialect.EOF // dropped below
		out[i+2].Kind = pgdialect.EOF
	}
	if out == nil {
		return toks
	}
	kept := out[:0]
	for _, t := range out {
		if t.Kind != pgdialect.EOF {
			kept = append(kept, t)
		}
	}
	return kept
}
