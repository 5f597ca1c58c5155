package planner

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/augurdb/augur/planner/exec"
	"github.com/augurdb/augur/planner/pgdialect"
	"github.com/augurdb/augur/storage/catalog"
	"github.com/augurdb/augur/storage/keycodec"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
)

// ddlExec runs one schema statement inside txn.
type ddlExec struct {
	p       *Planner
	env     Env
	txn     *Txn
	schema  *catalog.Schema // the transaction's private copy
	db      *catalog.Database
	ns      *names // name resolution over db (sees the statement's changes)
	ctx     context.Context
	notices []string
}

func (p *Planner) execDDL(ctx context.Context, env Env, d *pgdialect.DDL) (string, error) {
	txn, err := env.Txn(ctx)
	if err != nil {
		return "", err
	}
	if d.Kind == pgdialect.DDLAnalyze || d.Kind == pgdialect.DDLVacuum {
		return maintenance(env, txn, d)
	}
	if d.Kind == pgdialect.DDLCreateDatabase || d.Kind == pgdialect.DDLDrop && d.Object == "database" {
		return p.databaseDDL(ctx, env, txn, d)
	}
	txn.locks = readLockSettings(env)
	if err := txn.beginStatement(); err != nil {
		return "", err
	}
	if err := lockDDL(ctx, env, txn, txn.Schema(), d); err != nil {
		return "", err
	}
	s, err := txn.forDDL(ctx)
	if err != nil {
		return "", err
	}
	if err := lockDDL(ctx, env, txn, s, d); err != nil {
		return "", err
	}
	db, ok := s.Databases[env.Database()]
	if !ok {
		return "", pgerr.New(pgerrcode.InvalidCatalogName, "database %q does not exist", env.Database())
	}
	db = db.Clone()
	s.Databases[env.Database()] = db
	x := &ddlExec{p: p, env: env, txn: txn, schema: s, db: db, ns: newNames(env, s), ctx: ctx}
	var tag string
	switch d.Kind {
	case pgdialect.DDLCreateTable:
		tag, err = x.createTable(d)
	case pgdialect.DDLCreateIndex:
		tag, err = x.createIndex(d)
	case pgdialect.DDLCreateView:
		tag, err = x.createView(d)
	case pgdialect.DDLDrop:
		tag, err = x.drop(d)
	case pgdialect.DDLTruncate:
		tag, err = x.truncate(d)
	case pgdialect.DDLCreateSequence:
		tag, err = x.createSequence(d)
	case pgdialect.DDLAlterTable:
		tag, err = x.alterTable(ctx, d)
	case pgdialect.DDLCreateSchema:
		tag, err = x.createSchema(d)
	case pgdialect.DDLAlterSchema:
		tag, err = x.renameSchema(d)
	case pgdialect.DDLComment:
		tag, err = x.comment(d)
	case pgdialect.DDLAlterSequence:
		tag, err = x.alterSequence(ctx, d)
	default:
		return "", pgerr.FeatureNotSupported("this statement is not supported yet")
	}
	if err != nil {
		return "", err
	}
	txn.e.Catalog.Changed(s)
	for _, n := range x.notices {
		env.Notice(n)
	}
	return tag, catalog.PutMeta(txn.KV, s)
}

// maintenance runs VACUUM and ANALYZE: Augur keeps no dead row versions for
// VACUUM to reclaim and no statistics for ANALYZE to gather, so both only check
// what PostgreSQL checks (the block, the tables and their columns).
func maintenance(env Env, txn *Txn, d *pgdialect.DDL) (string, error) {
	tag := "ANALYZE"
	if d.Kind == pgdialect.DDLVacuum {
		tag = "VACUUM"
		if env.InTransactionBlock() {
			return "", pgerr.New(pgerrcode.ActiveSQLTransaction, "VACUUM cannot run inside a transaction block")
		}
	}
	ns := newNames(env, txn.Schema())
	for i, q := range d.Quals {
		if err := ns.checkCatalog(q.Catalog, q.String()); err != nil {
			return "", err
		}
		t, err := ns.relation(q.Schema, q.Name)
		if err != nil {
			return "", err
		}
		if t == nil {
			return "", pgerr.New(pgerrcode.UndefinedTable, "relation %q does not exist", q.String())
		}
		for _, c := range d.VacuumColumns[i] {
			if _, ok := t.Column(c); !ok {
				return "", pgerr.New(pgerrcode.UndefinedColumn, "column %q of relation %q does not exist", c, q.Name)
			}
		}
	}
	return tag, nil
}

// exists reports whether schema holds a relation (table, view, sequence or
// index) named name.
func (x *ddlExec) exists(schema, name string) bool {
	n := catalog.Name{Schema: schema, Name: name}
	if _, ok := x.db.Tables[n]; ok {
		return true
	}
	if _, ok := x.db.Sequences[n]; ok {
		return true
	}
	_, _, ok := x.db.Index(schema, name)
	return ok
}

func (x *ddlExec) createTable(d *pgdialect.DDL) (string, error) {
	if d.AsQuery != "" {
		return x.createTableAs(d)
	}
	var likeIndexes [][]string
	var likeComments map[string]string
	if len(d.Likes) > 0 {
		var err error
		if d, likeIndexes, likeComments, err = x.expandLikes(d); err != nil {
			return "", err
		}
	}
	name := d.Names[0]
	schema, err := x.creationSchema(d.Quals[0], d.Temp)
	if err != nil {
		return "", err
	}
	if skip, err := x.newRelationName(schema, name, d.IfNotExists); skip || err != nil {
		return "CREATE TABLE", err
	}
	t := &catalog.Table{ID: x.schema.NewID(), Schema: schema, Name: name, NextIndexID: 2, Version: 1}
	if err := x.onCommit(t, d); err != nil {
		return "", err
	}
	var pk []string
	var uniques [][]string
	var pkName string
	var uniqueNames []string
	for _, cd := range d.Columns {
		if _, dup := t.Column(cd.Name); dup {
			return "", pgerr.New(pgerrcode.DuplicateColumn, "column %q specified more than once", cd.Name)
		}
		col, err := x.column(t, cd)
		if err != nil {
			return "", err
		}
		t.Columns = append(t.Columns, col)
		if cd.Primary {
			if pk != nil {
				return "", pgerr.New(pgerrcode.InvalidTableDefinition, "multiple primary keys for table %q are not allowed", name)
			}
			pk, pkName = []string{cd.Name}, cd.PrimaryName
		}
		if cd.Unique {
			uniques = append(uniques, []string{cd.Name})
			uniqueNames = append(uniqueNames, cd.UniqueName)
		}
		if cd.Check != "" {
			cn := cd.CheckName
			if cn == "" {
				cn = fmt.Sprintf("%s_%s_check", name, cd.Name)
			}
			t.Checks = append(t.Checks, catalog.Check{Name: cn, Expr: cd.Check})
		}
	}
	for _, c := range d.Constraints {
		switch c.Kind {
		case "primary":
			if pk != nil {
				return "", pgerr.New(pgerrcode.InvalidTableDefinition, "multiple primary keys for table %q are not allowed", name)
			}
			pk, pkName = c.Columns, c.Name
		case "unique":
			uniques = append(uniques, c.Columns)
			uniqueNames = append(uniqueNames, c.Name)
		case "check":
			cn := c.Name
			if cn == "" {
				cn = checkName(t, c.Check)
			}
			t.Checks = append(t.Checks, catalog.Check{Name: cn, Expr: c.Check})
		}
	}
	if pk == nil {
		t.Columns = append(t.Columns, catalog.Column{Name: "rowid", Num: len(t.Columns) + 1, Type: types.Int8, Typmod: -1, Hidden: true, NotNull: true})
		t.Indexes = []catalog.Index{{ID: catalog.PrimaryIndexID, Name: name + "_rowid", Columns: []int{len(t.Columns)}, Unique: true, Primary: true}}
	} else {
		nums, err := columnNums(t, pk)
		if err != nil {
			return "", err
		}
		for _, n := range nums {
			t.Columns[n-1].NotNull = true
		}
		if pkName == "" {
			pkName = name + "_pkey"
		}
		t.Indexes = []catalog.Index{{ID: catalog.PrimaryIndexID, Name: pkName, Columns: nums, Unique: true, Primary: true, Constraint: true}}
	}
	for i, u := range uniques {
		nums, err := columnNums(t, u)
		if err != nil {
			return "", err
		}
		ixName := uniqueNames[i]
		if ixName == "" {
			ixName = x.uniqueName(name+"_"+strings.Join(u, "_")+"_key", t)
		}
		t.Indexes = append(t.Indexes, catalog.Index{ID: t.NextIndexID, Name: ixName, Columns: nums, Unique: true, Constraint: true})
		t.NextIndexID++
	}
	if err := x.addLikeIndexes(t, likeIndexes, likeComments); err != nil {
		return "", err
	}
	if err := x.addForeignKeys(t, d); err != nil {
		return "", err
	}
	if err := x.validate(t); err != nil {
		return "", err
	}
	x.db.Tables[t.QName()] = t
	return "CREATE TABLE", catalog.PutTable(x.txn.KV, x.db.Name, t)
}

// uniqueName makes an index name unique as PostgreSQL does (name1, name2, ...).
func (x *ddlExec) uniqueName(base string, t *catalog.Table) string {
	taken := func(n string) bool {
		if x.exists(t.Schema, n) {
			return true
		}
		for _, ix := range t.Indexes {
			if ix.Name == n {
				return true
			}
		}
		return false
	}
	if len(base) > 63 {
		base = base[:63]
	}
	if !taken(base) {
		return base
	}
	for i := 1; ; i++ {
		n := fmt.Sprintf("%s%d", base, i)
		if !taken(n) {
			return n
		}
	}
}

// checkName names a table CHECK constraint as PostgreSQL does: table_column_check
// when the expression reads exactly one column, table_check otherwise, with a
// number appended when the name is taken.
func checkName(t *catalog.Table, expr string) string {
	cols := map[string]bool{}
	if toks, err := pgdialect.Lex(expr); err == nil {
		for i, tok := range toks {
			if tok.Kind != pgdialect.Ident && tok.Kind != pgdialect.QIdent || i+1 < len(toks) && toks[i+1].IsPunct("(") {
				continue
			}
			if c, ok := t.Column(tok.Val); ok && !c.Hidden {
				cols[c.Name] = true
			}
		}
	}
	base := t.Name + "_check"
	if len(cols) == 1 {
		for c := range cols {
			base = t.Name + "_" + c + "_check"
		}
	}
	taken := func(n string) bool {
		for _, ch := range t.Checks {
			if ch.Name == n {
				return true
			}
		}
		return false
	}
	name := base
	for i := 1; taken(name); i++ {
		name = fmt.Sprintf("%s%d", base, i)
	}
	return name
}

func columnNums(t *catalog.Table, names []string) ([]int, error) {
	var out []int
	for _, n := range names {
		c, ok := t.Column(n)
		if !ok || c.Hidden {
			return nil, pgerr.New(pgerrcode.UndefinedColumn, "column %q named in key does not exist", n)
		}
		out = append(out, c.Num)
	}
	return out, nil
}

func (x *ddlExec) column(t *catalog.Table, cd pgdialect.ColumnDef) (catalog.Column, error) {
	typ, typmod, err := parseTypeText(cd.Type)
	if err != nil {
		return catalog.Column{}, err
	}
	col := catalog.Column{Name: cd.Name, Num: len(t.Columns) + 1, Type: typ, Typmod: typmod, NotNull: cd.NotNull, Default: cd.Default, Identity: cd.Identity}
	if cd.Serial != "" || cd.Identity != "" {
		if !typ.IsInteger() {
			return col, pgerr.New(pgerrcode.InvalidParameterValue, "identity column type must be smallint, integer, or bigint")
		}
		if cd.Default != "" {
			return col, pgerr.Syntax(0, "multiple default values specified for column %q of table %q", cd.Name, t.Name)
		}
		q, err := x.newSequence(t.Schema, x.uniqueName(t.Name+"_"+cd.Name+"_seq", t), cd.IdentitySeq, typ)
		if err != nil {
			return col, err
		}
		q.OwnedBy = t.Name + "." + cd.Name
		if err := catalog.PutSequence(x.txn.KV, x.db.Name, q); err != nil {
			return col, err
		}
		col.Default = fmt.Sprintf("nextval('%s')", q.Name)
		col.NotNull = true
	}
	return col, nil
}

// newRelationName checks the name of a relation about to be created in schema:
// skip is true (with a NOTICE) when it exists and IF NOT EXISTS was given.
func (x *ddlExec) newRelationName(schema, name string, ifNotExists bool) (skip bool, err error) {
	if !x.exists(schema, name) {
		return false, nil
	}
	if ifNotExists {
		x.notices = append(x.notices, fmt.Sprintf("relation %q already exists, skipping", name))
		return true, nil
	}
	return false, pgerr.New(pgerrcode.DuplicateTable, "relation %q already exists", name)
}

func (x *ddlExec) createSequence(d *pgdialect.DDL) (string, error) {
	name := d.Names[0]
	schema, err := x.creationSchema(d.Quals[0], d.Temp)
	if err != nil {
		return "", err
	}
	if skip, err := x.newRelationName(schema, name, d.IfNotExists); skip || err != nil {
		return "CREATE SEQUENCE", err
	}
	q, err := x.newSequence(schema, name, d.Seq, types.Int8)
	if err != nil {
		return "", err
	}
	if err := x.setOwnedBy(q, d.Seq.OwnedBy); err != nil {
		return "", err
	}
	return "CREATE SEQUENCE", catalog.PutSequence(x.txn.KV, x.db.Name, q)
}

// validate binds a table's defaults and checks once, so that errors in them are
// reported by CREATE/ALTER TABLE rather than by the first INSERT.
func (x *ddlExec) validate(t *catalog.Table) error {
	b := &binder{planner: x.p, schema: x.schema, db: x.db.Name, ns: x.ns, home: t.Schema, st: &Statement{}}
	for i := range t.Columns {
		c := &t.Columns[i]
		if c.Default == "" || c.Dropped {
			continue
		}
		if _, err := b.defaultExpr(c); err != nil {
			return err
		}
	}
	_, err := b.writer(t)
	return err
}

// table finds the table q names (not a view).
func (x *ddlExec) table(q pgdialect.QualName) (*catalog.Table, error) {
	t, err := x.relation(q)
	if err != nil {
		return nil, err
	}
	if t == nil || t.IsView() {
		return nil, pgerr.New(pgerrcode.UndefinedTable, "relation %q does not exist", q.String())
	}
	return t, nil
}

// scanTable calls fn with each row of t (through the transaction).
func (x *ddlExec) scanTable(t *catalog.Table, fn func(row []types.Datum) error) error {
	prefix := catalog.IndexPrefix(t.ID, catalog.PrimaryIndexID)
	it := x.txn.KV.Scan(prefix, keycodec.PrefixEnd(prefix))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		v, err := it.Value()
		if err != nil {
			return err
		}
		row := make([]types.Datum, len(t.Columns))
		if err := t.DecodeRow(v, row); err != nil {
			return err
		}
		if err := fn(row); err != nil {
			return err
		}
	}
	return it.Err()
}

// deletePrefix deletes every key with the prefix.
func (x *ddlExec) deletePrefix(prefix []byte) error {
	var keys [][]byte
	it := x.txn.KV.Scan(prefix, keycodec.PrefixEnd(prefix))
	for ; it.Valid(); it.Next() {
		keys = append(keys, append([]byte(nil), it.Key()...))
	}
	err := it.Err()
	it.Close()
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := x.txn.KV.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

func (x *ddlExec) createIndex(d *pgdialect.DDL) (string, error) {
	t, err := x.table(d.TableQual)
	if err != nil {
		return "", err
	}
	nums, err := columnNums(t, d.IndexCols)
	if err != nil {
		var pe *pgerr.Error
		if errors.As(err, &pe) && pe.Code == pgerrcode.UndefinedColumn {
			return "", pgerr.New(pgerrcode.UndefinedColumn, "%s", strings.Replace(pe.Message, " named in key", "", 1))
		}
		return "", err
	}
	name := ""
	if len(d.Names) > 0 {
		name = d.Names[0]
		if skip, err := x.newRelationName(t.Schema, name, d.IfNotExists); skip || err != nil {
			return "CREATE INDEX", err
		}
	} else {
		name = x.uniqueName(t.Name+"_"+strings.Join(d.IndexCols, "_")+"_idx", t)
	}
	t = t.Clone()
	ix := catalog.Index{ID: t.NextIndexID, Name: name, Columns: nums, Unique: d.Unique}
	t.NextIndexID++
	t.Indexes = append(t.Indexes, ix)
	// Build the index from the table's rows.
	w := &exec.TableWriter{Table: t}
	seen := map[string]bool{}
	err = x.scanTable(t, func(row []types.Datum) error {
		if ix.Unique {
			vals := make([]types.Datum, len(nums))
			null := false
			for i, n := range nums {
				vals[i] = row[n-1]
				null = null || vals[i] == nil
			}
			if !null {
				k := string(t.IndexPrefixOf(nil, &ix, vals))
				if seen[k] {
					var parts, names []string
					for i, n := range nums {
						names = append(names, t.ColumnByNum(n).Name)
						parts = append(parts, string(types.EncodeText(t.ColumnByNum(n).Type, vals[i])))
					}
					return pgerr.New(pgerrcode.UniqueViolation, "could not create unique index %q", name).
						WithDetail("Key (%s)=(%s) is duplicated.", strings.Join(names, ", "), strings.Join(parts, ", "))
				}
				seen[k] = true
			}
		}
		return x.txn.KV.Put(t.IndexKey(nil, &ix, row), t.PrimaryKey(nil, row))
	})
	_ = w
	if err != nil {
		return "", err
	}
	x.db.Tables[t.QName()] = t
	return "CREATE INDEX", catalog.PutTable(x.txn.KV, x.db.Name, t)
}

func (x *ddlExec) createView(d *pgdialect.DDL) (string, error) {
	name := d.Names[0]
	schema, err := x.creationSchema(d.Quals[0], d.Temp)
	if err != nil {
		return "", err
	}
	qn := catalog.Name{Schema: schema, Name: name}
	if old, ok := x.db.Tables[qn]; ok && !(d.OrReplace && old.IsView()) {
		return "", pgerr.New(pgerrcode.DuplicateTable, "relation %q already exists", name)
	} else if !ok && x.exists(schema, name) {
		return "", pgerr.New(pgerrcode.DuplicateTable, "relation %q already exists", name)
	}
	stmts, err := x.p.Parse(d.Query)
	if err != nil {
		return "", err
	}
	if len(stmts) != 1 || stmts[0].Kind != KindSelect {
		return "", pgerr.Syntax(0, "CREATE VIEW requires a SELECT query")
	}
	b := &binder{st: stmts[0], planner: x.p, schema: x.schema, db: x.db.Name, ns: x.ns}
	x.p.refs = map[string]bool{}
	p, err := b.query(stmts[0].node, nil)
	refs := x.p.refs
	x.p.refs = nil
	if err != nil {
		return "", err
	}
	if len(d.ViewCols) > len(p.cols) {
		return "", pgerr.Syntax(0, "CREATE VIEW specifies more column names than columns")
	}
	t := &catalog.Table{ID: x.schema.NewID(), Schema: schema, Name: name, ViewSQL: d.Query, Version: 1, SearchPath: x.ns.effective()}
	for r := range refs {
		t.DependsOn = append(t.DependsOn, r)
	}
	sort.Strings(t.DependsOn)
	if old, ok := x.db.Tables[qn]; ok {
		t.ID, t.Comment = old.ID, old.Comment
	}
	for i, c := range p.cols {
		n := c.Name
		if i < len(d.ViewCols) {
			n = d.ViewCols[i]
		}
		t.Columns = append(t.Columns, catalog.Column{Name: n, Num: i + 1, Type: c.Type, Typmod: c.Typmod})
	}
	x.db.Tables[qn] = t
	return "CREATE VIEW", catalog.PutTable(x.txn.KV, x.db.Name, t)
}

// dependents returns the views that read n, directly or through other views,
// in an order in which they can be dropped (dependents of dependents first).
func (x *ddlExec) dependents(n catalog.Name) []*catalog.Table {
	var out []*catalog.Table
	seen := map[catalog.Name]bool{}
	var visit func(n catalog.Name)
	visit = func(n catalog.Name) {
		names := make([]catalog.Name, 0, len(x.db.Tables))
		for vn := range x.db.Tables {
			names = append(names, vn)
		}
		sort.Slice(names, func(i, j int) bool { return names[i].String() < names[j].String() })
		for _, vn := range names {
			v := x.db.Tables[vn]
			if !v.IsView() || seen[vn] || !slices.Contains(v.DependsOn, n.String()) {
				continue
			}
			seen[vn] = true
			visit(vn)
			out = append(out, v)
		}
	}
	visit(n)
	return out
}

// describe names a relation in a message as PostgreSQL does: bare when the
// search path finds it, else schema-qualified.
func (x *ddlExec) describe(n catalog.Name) string { return x.ns.qualify(n.Schema, n.Name) }

// dropDependents refuses to drop n when views depend on it, or with CASCADE
// drops them first.
func (x *ddlExec) dropDependents(kind string, n catalog.Name, cascade bool) error {
	deps := x.dependents(n)
	if len(deps) == 0 {
		return nil
	}
	dropped := func(s string) bool {
		return s == n.String() || slices.ContainsFunc(deps, func(t *catalog.Table) bool { return t.QName().String() == s })
	}
	var lines []string
	for i := len(deps) - 1; i >= 0; i-- {
		v := deps[i]
		on := v.DependsOn[slices.IndexFunc(v.DependsOn, dropped)]
		onKind, onName := "table", on
		for qn, t := range x.db.Tables {
			if qn.String() == on {
				onName = x.describe(qn)
				if t.IsView() {
					onKind = "view"
				}
			}
		}
		lines = append(lines, fmt.Sprintf("view %s depends on %s %s", x.describe(v.QName()), onKind, onName))
	}
	if !cascade {
		return pgerr.New(pgerrcode.DependentObjectsStillExist, "cannot drop %s %s because other objects depend on it", kind, x.describe(n)).
			WithDetail("%s", strings.Join(lines, "\n")).WithHint("Use DROP ... CASCADE to drop the dependent objects too.")
	}
	var notice []string
	for i := len(deps) - 1; i >= 0; i-- {
		notice = append(notice, "drop cascades to view "+x.describe(deps[i].QName()))
	}
	if len(deps) == 1 {
		x.notices = append(x.notices, notice[0])
	} else {
		x.notices = append(x.notices, fmt.Sprintf("drop cascades to %d other objects", len(deps)))
	}
	for _, v := range deps {
		delete(x.db.Tables, v.QName())
		if err := catalog.DeleteTable(x.txn.KV, x.db.Name, v.QName()); err != nil {
			return err
		}
	}
	return nil
}

// relation finds the table or view q names (nil when there is none; an error
// for a bad qualification).
func (x *ddlExec) relation(q pgdialect.QualName) (*catalog.Table, error) {
	if err := x.ns.checkCatalog(q.Catalog, q.String()); err != nil {
		return nil, err
	}
	return x.ns.relation(q.Schema, q.Name)
}

// dropSchemaCheck reports a DROP of an object whose schema does not exist as
// PostgreSQL does (3F000, or a NOTICE with IF EXISTS).
func (x *ddlExec) missingSchema(q pgdialect.QualName, ifExists bool) (skip bool, err error) {
	if q.Schema == "" || x.ns.exists(x.ns.schemaOf(q.Schema)) && x.ns.schemaOf(q.Schema) != "" {
		return false, nil
	}
	if ifExists {
		x.notices = append(x.notices, fmt.Sprintf("schema %q does not exist, skipping", q.Schema))
		return true, nil
	}
	return false, pgerr.New(pgerrcode.InvalidSchemaName, "schema %q does not exist", q.Schema)
}

func (x *ddlExec) drop(d *pgdialect.DDL) (string, error) {
	if d.Object == "schema" {
		return x.dropSchema(d)
	}
	tag := "DROP " + strings.ToUpper(d.Object)
	for i, name := range d.Names {
		q := d.Quals[i]
		if err := x.ns.checkCatalog(q.Catalog, q.String()); err != nil {
			return "", err
		}
		if skip, err := x.missingSchema(q, d.IfExists); skip {
			continue
		} else if err != nil {
			return "", err
		}
		switch d.Object {
		case "table", "view":
			t, err := x.relation(q)
			if err != nil {
				return "", err
			}
			if t == nil || t.IsView() != (d.Object == "view") {
				if t != nil {
					return "", pgerr.New(pgerrcode.WrongObjectType, "%q is not a %s", name, d.Object).
						WithHint("Use DROP %s to remove a %s.", map[bool]string{true: "VIEW", false: "TABLE"}[t.IsView()], map[bool]string{true: "view", false: "table"}[t.IsView()])
				}
				if d.IfExists {
					x.notices = append(x.notices, fmt.Sprintf("%s %q does not exist, skipping", d.Object, name))
					continue
				}
				if d.Object == "view" {
					return "", pgerr.New(pgerrcode.UndefinedTable, "view %q does not exist", name)
				}
				return "", pgerr.New(pgerrcode.UndefinedTable, "table %q does not exist", name)
			}
			if !t.IsView() {
				if err := x.dropReferences(t, d.Names, d.Cascade); err != nil {
					return "", err
				}
			}
			if err := x.dropDependents(d.Object, t.QName(), d.Cascade); err != nil {
				return "", err
			}
			if err := x.dropRelation(t); err != nil {
				return "", err
			}
		case "index":
			t, ix := x.ns.index(q.Schema, name)
			if ix == nil {
				if d.IfExists {
					x.notices = append(x.notices, fmt.Sprintf("index %q does not exist, skipping", name))
					continue
				}
				return "", pgerr.New(pgerrcode.UndefinedObject, "index %q does not exist", name)
			}
			if ix.Primary || ix.Constraint {
				return "", pgerr.New(pgerrcode.DependentObjectsStillExist, "cannot drop index %s because constraint %s on table %s requires it", name, name, t.Name).
					WithHint("You can drop constraint %s on table %s instead.", name, t.Name)
			}
			nt := t.Clone()
			for i := range nt.Indexes {
				if nt.Indexes[i].ID == ix.ID {
					nt.Indexes = append(nt.Indexes[:i], nt.Indexes[i+1:]...)
					break
				}
			}
			if err := x.deletePrefix(catalog.IndexPrefix(t.ID, ix.ID)); err != nil {
				return "", err
			}
			x.db.Tables[t.QName()] = nt
			if err := catalog.PutTable(x.txn.KV, x.db.Name, nt); err != nil {
				return "", err
			}
		case "sequence":
			sq := x.ns.sequence(q.Schema, name)
			if sq == nil {
				if d.IfExists {
					x.notices = append(x.notices, fmt.Sprintf("sequence %q does not exist, skipping", name))
					continue
				}
				return "", pgerr.New(pgerrcode.UndefinedTable, "sequence %q does not exist", name)
			}
			if err := x.dropSequenceDefaults(sq, d.Cascade); err != nil {
				return "", err
			}
			if err := x.dropSequence(sq); err != nil {
				return "", err
			}
		default:
			return "", pgerr.FeatureNotSupported("DROP %s is not supported yet", strings.ToUpper(d.Object))
		}
	}
	return tag, nil
}

// dropRelation drops a table or view (whose dependent views are gone): its
// descriptor, its rows and index entries, and the sequences it owns.
func (x *ddlExec) dropRelation(t *catalog.Table) error {
	delete(x.db.Tables, t.QName())
	if err := catalog.DeleteTable(x.txn.KV, x.db.Name, t.QName()); err != nil {
		return err
	}
	for _, q := range x.db.Sequences {
		if q.Schema == t.Schema && strings.HasPrefix(q.OwnedBy, t.Name+".") {
			if err := x.dropSequence(q); err != nil {
				return err
			}
		}
	}
	if t.IsView() {
		return nil
	}
	for _, ix := range t.Indexes {
		if err := x.deletePrefix(catalog.IndexPrefix(t.ID, ix.ID)); err != nil {
			return err
		}
	}
	return nil
}

func (x *ddlExec) dropSequence(q *catalog.Sequence) error {
	delete(x.db.Sequences, q.QName())
	if err := catalog.DeleteSequence(x.txn.KV, x.db.Name, q.QName()); err != nil {
		return err
	}
	return x.txn.KV.Delete(catalog.SequenceKey(q.ID))
}

func (x *ddlExec) truncate(d *pgdialect.DDL) (string, error) {
	targets, err := x.truncateTargets(d.Quals, d.Cascade)
	if err != nil {
		return "", err
	}
	for _, t := range targets {
		for _, ix := range t.Indexes {
			if err := x.deletePrefix(catalog.IndexPrefix(t.ID, ix.ID)); err != nil {
				return "", err
			}
		}
	}
	return "TRUNCATE TABLE", nil
}

func (x *ddlExec) alterTable(ctx context.Context, d *pgdialect.DDL) (string, error) {
	name := d.Names[0]
	old, err := x.relation(d.Quals[0])
	if err != nil {
		return "", err
	}
	if old == nil || old.IsView() {
		if d.IfExists {
			x.notices = append(x.notices, fmt.Sprintf("relation %q does not exist, skipping", name))
			return "ALTER TABLE", nil
		}
		return "", pgerr.New(pgerrcode.UndefinedTable, "relation %q does not exist", name)
	}
	t := old.Clone()
	t.Version++
	st := &alterState{ctx: ctx}
	for _, a := range d.Actions {
		switch a.Kind {
		case "add_column":
			if _, dup := t.Column(a.Column.Name); dup {
				if a.IfNotExists {
					continue
				}
				return "", pgerr.New(pgerrcode.DuplicateColumn, "column %q of relation %q already exists", a.Column.Name, name)
			}
			col, err := x.column(t, a.Column)
			if err != nil {
				return "", err
			}
			t.Columns = append(t.Columns, col)
			for kind, on := range map[string]bool{"primary": a.Column.Primary, "unique": a.Column.Unique} {
				if on {
					if err := x.addConstraint(t, pgdialect.Constraint{Kind: kind, Columns: []string{col.Name}}); err != nil {
						return "", err
					}
				}
			}
			if a.Column.Check != "" {
				t.Checks = append(t.Checks, catalog.Check{Name: fmt.Sprintf("%s_%s_check", name, col.Name), Expr: a.Column.Check})
			}
			st.rewrite = st.rewrite || col.Default != "" || col.NotNull
		case "storage_parameters":
			// Augur's storage has no pages to fill or vacuum to tune.
		case "drop_column":
			c, ok := t.Column(a.Name)
			if !ok || c.Hidden {
				if a.IfExists {
					continue
				}
				return "", pgerr.New(pgerrcode.UndefinedColumn, "column %q of relation %q does not exist", a.Name, name)
			}
			num := c.Num
			if err := x.dropColumnIndexes(t, num, a.Cascade, st); err != nil {
				return "", err
			}
			c = t.ColumnByNum(num) // dropping a primary key may have grown t.Columns
			// So do the check constraints that read the column.
			t.Checks = slices.DeleteFunc(t.Checks, func(ck catalog.Check) bool { return slices.Contains(columnsIn(t, ck.Expr), num) })
			c.Dropped, c.NotNull, c.Default = true, false, ""
			c.Name = fmt.Sprintf("........pg.dropped.%d........", c.Num)
			// The table's foreign keys through the column go with it.
			t.ForeignKeys = slices.DeleteFunc(t.ForeignKeys, func(fk catalog.ForeignKey) bool { return slices.Contains(fk.Columns, c.Num) })
			st.rewrite = true
		case "rename_column":
			c, ok := t.Column(a.Name)
			if !ok || c.Hidden {
				return "", pgerr.New(pgerrcode.UndefinedColumn, "column %q does not exist", a.Name)
			}
			if _, dup := t.Column(a.NewName); dup {
				return "", pgerr.New(pgerrcode.DuplicateColumn, "column %q of relation %q already exists", a.NewName, name)
			}
			if err := x.renameOwner(t.Schema, t.Name, c.Name, t.Name, a.NewName); err != nil {
				return "", err
			}
			c.Name = a.NewName
		case "rename_table":
			if x.exists(t.Schema, a.NewName) {
				return "", pgerr.New(pgerrcode.DuplicateTable, "relation %q already exists", a.NewName)
			}
			if err := catalog.DeleteTable(x.txn.KV, x.db.Name, t.QName()); err != nil {
				return "", err
			}
			delete(x.db.Tables, t.QName())
			if err := x.renameOwner(t.Schema, t.Name, "", a.NewName, ""); err != nil {
				return "", err
			}
			t.Name = a.NewName
		case "set_default", "drop_default", "set_not_null", "drop_not_null":
			c, ok := t.Column(a.Name)
			if !ok || c.Hidden {
				return "", pgerr.New(pgerrcode.UndefinedColumn, "column %q of relation %q does not exist", a.Name, name)
			}
			switch a.Kind {
			case "set_default":
				c.Default = a.Default
			case "drop_default":
				c.Default = ""
			case "set_not_null":
				c.NotNull = true
				st.rewrite = true
			case "drop_not_null":
				for _, n := range t.Primary().Columns {
					if n == c.Num && t.HasPrimaryKey() {
						return "", pgerr.New(pgerrcode.InvalidTableDefinition, "column %q is in a primary key", c.Name)
					}
				}
				c.NotNull = false
			}
		default:
			if err := x.alterConstraint(old, t, a, st); err != nil {
				return "", err
			}
		}
	}
	if err := x.validate(t); err != nil {
		return "", err
	}
	if st.rewrite {
		if err := x.rewriteTable(ctx, old, t, st.convert); err != nil {
			return "", alterError(t, err)
		}
	}
	x.db.Tables[t.QName()] = t
	if err := catalog.PutTable(x.txn.KV, x.db.Name, t); err != nil {
		return "", err
	}
	return "ALTER TABLE", x.validateRows(ctx, t, st)
}

func (x *ddlExec) addConstraint(t *catalog.Table, c pgdialect.Constraint) error {
	switch c.Kind {
	case "check":
		n := c.Name
		if n == "" {
			n = checkName(t, c.Check)
		}
		t.Checks = append(t.Checks, catalog.Check{Name: n, Expr: c.Check})
	case "unique", "primary":
		nums, err := columnNums(t, c.Columns)
		if err != nil {
			return err
		}
		if c.Kind == "primary" {
			if t.HasPrimaryKey() {
				return pgerr.New(pgerrcode.InvalidTableDefinition, "multiple primary keys for table %q are not allowed", t.Name)
			}
			for _, n := range nums {
				t.Columns[n-1].NotNull = true
			}
			hidden := t.Indexes[0].Columns[0]
			t.Columns[hidden-1].Dropped = true
			n := c.Name
			if n == "" {
				n = t.Name + "_pkey"
			}
			t.Indexes[0] = catalog.Index{ID: catalog.PrimaryIndexID, Name: n, Columns: nums, Unique: true, Primary: true, Constraint: true}
			return nil
		}
		n := c.Name
		if n == "" {
			n = x.uniqueName(t.Name+"_"+strings.Join(c.Columns, "_")+"_key", t)
		}
		t.Indexes = append(t.Indexes, catalog.Index{ID: t.NextIndexID, Name: n, Columns: nums, Unique: true, Constraint: true})
		t.NextIndexID++
	}
	return nil
}

// alterError words a constraint violation found while ALTER TABLE rewrites the
// rows as PostgreSQL does for existing rows.
func alterError(t *catalog.Table, err error) error {
	var pe *pgerr.Error
	if !errors.As(err, &pe) {
		return err
	}
	switch pe.Code {
	case pgerrcode.NotNullViolation:
		var col string
		if _, err := fmt.Sscanf(pe.Message, "null value in column %q", &col); err == nil {
			return pgerr.New(pgerrcode.NotNullViolation, "column %q of relation %q contains null values", col, t.Name)
		}
	case pgerrcode.CheckViolation:
		var rel, con string
		if _, err := fmt.Sscanf(pe.Message, "new row for relation %q violates check constraint %q", &rel, &con); err == nil {
			return pgerr.New(pgerrcode.CheckViolation, "check constraint %q of relation %q is violated by some row", con, t.Name)
		}
	case pgerrcode.UniqueViolation:
		var con string
		if _, err := fmt.Sscanf(pe.Message, "duplicate key value violates unique constraint %q", &con); err == nil {
			return pgerr.New(pgerrcode.UniqueViolation, "could not create unique index %q", con).
				WithDetail("%s", strings.Replace(pe.Detail, "already exists.", "is duplicated.", 1))
		}
	}
	return err
}

// rewriteTable rewrites every row of old under the new definition t: new columns
// take their defaults, constraints are checked, indexes rebuilt.
func (x *ddlExec) rewriteTable(ctx context.Context, old, t *catalog.Table, convert map[int]exec.Expr) error {
	var rows [][]types.Datum
	if err := x.scanTable(old, func(row []types.Datum) error {
		rows = append(rows, row)
		return nil
	}); err != nil {
		return err
	}
	for _, ix := range old.Indexes {
		if err := x.deletePrefix(catalog.IndexPrefix(old.ID, ix.ID)); err != nil {
			return err
		}
	}
	b := &binder{planner: x.p, schema: x.schema, db: x.db.Name, ns: x.ns, home: t.Schema, st: &Statement{}}
	// Constraints added NOT VALID are not checked against existing rows.
	valid := t.Clone()
	valid.Checks = slices.DeleteFunc(valid.Checks, func(ch catalog.Check) bool { return ch.NotValid })
	w, err := b.checkWriter(valid)
	if err != nil {
		return err
	}
	w.Table = t
	c := exec.NewCtx(ctx, x.txn.KV, nil, x.env)
	c.RowID = func() (int64, error) { return x.txn.e.NextRowID(ctx) }
	defaults := make([]exec.Expr, len(t.Columns))
	for i := len(old.Columns); i < len(t.Columns); i++ {
		if defaults[i], err = b.defaultExpr(&t.Columns[i]); err != nil {
			return err
		}
	}
	for _, r := range rows {
		row := make([]types.Datum, len(t.Columns))
		copy(row, r)
		for i, e := range convert {
			if row[i], err = e.Eval(c.With(r)); err != nil {
				return err
			}
		}
		for i := len(old.Columns); i < len(t.Columns); i++ {
			if row[i], err = defaults[i].Eval(c); err != nil {
				return err
			}
		}
		for i := range t.Columns {
			if t.Columns[i].Dropped {
				row[i] = nil
			}
		}
		// Insert checks the constraints and writes the indexes anew (a table
		// without a primary key gets fresh row ids: its old keys are gone).
		if _, _, err := w.Insert(c, row, false); err != nil {
			return err
		}
	}
	return nil
}

// databaseDDL runs CREATE DATABASE and DROP DATABASE. Each database is its own
// namespace of tables; the handshake learns of new databases after the commit
// (Engine.DatabasesChanged).
func (p *Planner) databaseDDL(ctx context.Context, env Env, txn *Txn, d *pgdialect.DDL) (string, error) {
	verb := "CREATE DATABASE"
	if d.Kind == pgdialect.DDLDrop {
		verb = "DROP DATABASE"
	}
	if env.InTransactionBlock() {
		return "", pgerr.New(pgerrcode.ActiveSQLTransaction, "%s cannot run inside a transaction block", verb)
	}
	s, err := txn.forDDL(ctx)
	if err != nil {
		return "", err
	}
	name := d.Names[0]
	if d.Kind == pgdialect.DDLCreateDatabase {
		if err := checkCreateDB(env); err != nil {
			return "", err
		}
		if _, ok := s.Databases[name]; ok {
			return "", pgerr.New(pgerrcode.DuplicateDatabase, "database %q already exists", name)
		}
		s.Databases[name] = catalog.NewDatabase(name, env.User())
		txn.dbsChanged = true
		txn.e.Catalog.Changed(s)
		if err := catalog.PutNamespace(txn.KV, name, s.Databases[name].Schemas[catalog.PublicSchema]); err != nil {
			return "", err
		}
		return verb, catalog.PutDatabase(txn.KV, name, env.User())
	}
	if len(d.Names) != 1 {
		return "", pgerr.Syntax(0, "syntax error at or near \",\"")
	}
	db, ok := s.Databases[name]
	if !ok {
		if d.IfExists {
			env.Notice(fmt.Sprintf("database %q does not exist, skipping", name))
			return verb, nil
		}
		return "", pgerr.New(pgerrcode.InvalidCatalogName, "database %q does not exist", name)
	}
	if err := checkDropDB(env, db); err != nil {
		return "", err
	}
	if name == env.Database() {
		return "", pgerr.New(pgerrcode.ObjectInUse, "cannot drop the currently open database")
	}
	x := &ddlExec{p: p, env: env, txn: txn, schema: s, db: db.Clone()}
	for _, t := range db.Tables {
		if err := x.dropRelation(t); err != nil {
			return "", err
		}
	}
	for _, q := range x.db.Sequences {
		if err := x.dropSequence(q); err != nil {
			return "", err
		}
	}
	for _, ns := range db.Schemas {
		if err := catalog.DeleteNamespace(txn.KV, name, ns.Name); err != nil {
			return "", err
		}
	}
	delete(s.Databases, name)
	txn.dbsChanged = true
	txn.e.Catalog.Changed(s)
	return verb, catalog.DeleteDatabase(txn.KV, name)
}
