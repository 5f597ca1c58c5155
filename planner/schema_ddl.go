package planner

import (
	"fmt"
	"strings"

	"github.com/augurdb/augur/planner/pgdialect"
	"github.com/augurdb/augur/storage/catalog"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/jackc/pgerrcode"
)

// creationSchema is the schema a relation named q is created in; temp asks for
// the session's temp schema (created on first use).
func (x *ddlExec) creationSchema(q pgdialect.QualName, temp bool) (string, error) {
	if err := x.ns.checkCatalog(q.Catalog, q.String()); err != nil {
		return "", err
	}
	if temp {
		if q.Schema != "" && x.ns.schemaOf(q.Schema) != x.ns.temp {
			return "", pgerr.New(pgerrcode.InvalidTableDefinition, "cannot create temporary relation in non-temporary schema")
		}
		return x.tempSchema()
	}
	s, err := x.ns.creationSchema(q.Schema)
	if err != nil {
		return "", err
	}
	if catalog.IsSystemSchema(s) {
		return "", pgerr.New(pgerrcode.InsufficientPrivilege, "permission denied to create %q", s+"."+q.Name).
			WithDetail("System catalog modifications are currently disallowed.")
	}
	if s == x.ns.temp {
		return x.tempSchema()
	}
	if x.ns.otherTemp(s) {
		return "", pgerr.New(pgerrcode.InvalidTableDefinition, "cannot create relations in temporary schemas of other sessions")
	}
	return s, nil
}

// tempSchema returns the session's temp schema, creating it on first use.
func (x *ddlExec) tempSchema() (string, error) {
	name := x.ns.temp
	if name == "" {
		return "", pgerr.FeatureNotSupported("temporary tables are not available in this session")
	}
	if _, ok := x.db.Schemas[name]; ok {
		return name, nil
	}
	ns := &catalog.Namespace{Name: name, Owner: x.env.User(), Temp: true}
	x.db.Schemas[name] = ns
	return name, catalog.PutNamespace(x.txn.KV, x.db.Name, ns)
}

// onCommit records a new table's ON COMMIT action (temporary tables only).
func (x *ddlExec) onCommit(t *catalog.Table, d *pgdialect.DDL) error {
	if d.OnCommit == "" || d.OnCommit == "preserve rows" && catalog.IsTempSchema(t.Schema) {
		return nil
	}
	if !catalog.IsTempSchema(t.Schema) {
		return pgerr.New(pgerrcode.InvalidTableDefinition, "ON COMMIT can only be used on temporary tables")
	}
	switch d.OnCommit {
	case "delete rows":
		t.OnCommit = catalog.OnCommitDeleteRows
	case "drop":
		t.OnCommit = catalog.OnCommitDrop
		x.txn.dropAtCommit = append(x.txn.dropAtCommit, dbName{x.db.Name, t.QName()})
	}
	return nil
}

func (x *ddlExec) createSchema(d *pgdialect.DDL) (string, error) {
	name := d.Names[0]
	if d.Owner != "" && name == d.Owner {
		name = x.roleName(name) // CREATE SCHEMA AUTHORIZATION role: named after it
	}
	owner := x.env.User()
	if d.Owner != "" {
		if err := x.roleExists(d.Owner); err != nil {
			return "", err
		}
		owner = x.roleName(d.Owner)
	}
	if _, ok := x.db.Schemas[name]; ok || catalog.IsSystemSchema(name) && !strings.HasPrefix(name, "pg_") {
		if d.IfNotExists {
			x.notices = append(x.notices, fmt.Sprintf("schema %q already exists, skipping", name))
			return "CREATE SCHEMA", nil
		}
		return "", pgerr.New(pgerrcode.DuplicateSchema, "schema %q already exists", name)
	}
	if err := checkSchemaName(name); err != nil {
		return "", err
	}
	ns := &catalog.Namespace{Name: name, Owner: owner}
	x.db.Schemas[name] = ns
	return "CREATE SCHEMA", catalog.PutNamespace(x.txn.KV, x.db.Name, ns)
}

// roleExists checks that a role named in schema DDL exists (42704).
func (x *ddlExec) roleExists(name string) error {
	if name == "current_user" || name == "session_user" || name == "current_role" {
		return nil
	}
	if _, ok := x.schema.Roles[name]; ok || name == x.env.User() {
		return nil
	}
	return pgerr.New(pgerrcode.UndefinedObject, "role %q does not exist", name)
}

// roleName maps CURRENT_USER and SESSION_USER to the session's role.
func (x *ddlExec) roleName(name string) string {
	if name == "current_user" || name == "session_user" || name == "current_role" {
		return x.env.User()
	}
	return name
}

// checkSchemaName refuses the names PostgreSQL reserves for system schemas.
func checkSchemaName(name string) error {
	if strings.HasPrefix(name, "pg_") {
		return pgerr.New(pgerrcode.ReservedName, "unacceptable schema name %q", name).
			WithDetail("The prefix \"pg_\" is reserved for system schemas.")
	}
	return nil
}

func (x *ddlExec) dropSchema(d *pgdialect.DDL) (string, error) {
	for _, name := range d.Names {
		if catalog.IsSystemSchema(name) {
			if name == catalog.CatalogSchema {
				return "", pgerr.New(pgerrcode.DependentObjectsStillExist, "cannot drop schema %s because it is required by the database system", name)
			}
			return "", pgerr.New(pgerrcode.DependentObjectsStillExist, "cannot drop schema %s because other objects depend on it", name).
				WithHint("Use DROP ... CASCADE to drop the dependent objects too.")
		}
		if _, ok := x.db.Schemas[name]; !ok {
			if d.IfExists {
				x.notices = append(x.notices, fmt.Sprintf("schema %q does not exist, skipping", name))
				continue
			}
			return "", pgerr.New(pgerrcode.InvalidSchemaName, "schema %q does not exist", name)
		}
	}
	// Everything in the schemas goes (with CASCADE), and the views elsewhere
	// that read it.
	var objs []string
	for _, name := range d.Names {
		if _, ok := x.db.Schemas[name]; !ok {
			continue
		}
		ts, qs := x.db.InSchema(name)
		for _, t := range ts {
			kind := "table"
			if t.IsView() {
				kind = "view"
			}
			objs = append(objs, fmt.Sprintf("%s %s", kind, t.QName()))
		}
		for _, q := range qs {
			if q.OwnedBy == "" {
				objs = append(objs, fmt.Sprintf("sequence %s", q.QName()))
			}
		}
		if len(objs) > 0 && !d.Cascade {
			var lines []string
			for _, o := range objs {
				lines = append(lines, o+" depends on schema "+name)
			}
			return "", pgerr.New(pgerrcode.DependentObjectsStillExist, "cannot drop schema %s because other objects depend on it", name).
				WithDetail("%s", strings.Join(lines, "\n")).WithHint("Use DROP ... CASCADE to drop the dependent objects too.")
		}
	}
	if len(objs) == 1 {
		x.notices = append(x.notices, "drop cascades to "+objs[0])
	} else if len(objs) > 1 {
		x.notices = append(x.notices, fmt.Sprintf("drop cascades to %d other objects", len(objs)))
	}
	for _, name := range d.Names {
		if _, ok := x.db.Schemas[name]; !ok {
			continue
		}
		if err := x.dropSchemaContents(name); err != nil {
			return "", err
		}
	}
	return "DROP SCHEMA", nil
}

// dropSchemaContents drops a schema with everything in it (and the views of
// other schemas that read its tables).
func (x *ddlExec) dropSchemaContents(name string) error {
	ts, _ := x.db.InSchema(name)
	for _, t := range ts {
		if _, ok := x.db.Tables[t.QName()]; !ok {
			continue // a view dropped as a dependent already
		}
		for _, v := range x.dependents(t.QName()) {
			if err := x.dropRelation(v); err != nil {
				return err
			}
		}
		if err := x.dropRelation(t); err != nil {
			return err
		}
	}
	_, qs := x.db.InSchema(name)
	for _, q := range qs {
		if err := x.dropSequence(q); err != nil {
			return err
		}
	}
	delete(x.db.Schemas, name)
	return catalog.DeleteNamespace(x.txn.KV, x.db.Name, name)
}

// renameSchema runs ALTER SCHEMA … RENAME TO and … OWNER TO. Everything in the
// schema moves with it: descriptors are keyed by schema name, so each is
// written again under the new name.
func (x *ddlExec) renameSchema(d *pgdialect.DDL) (string, error) {
	name := d.Names[0]
	ns, ok := x.db.Schemas[name]
	if !ok || ns.Temp {
		return "", pgerr.New(pgerrcode.InvalidSchemaName, "schema %q does not exist", name)
	}
	if d.NewName == "" { // OWNER TO
		if err := x.roleExists(d.Owner); err != nil {
			return "", err
		}
		c := *ns
		c.Owner = x.roleName(d.Owner)
		x.db.Schemas[name] = &c
		return "ALTER SCHEMA", catalog.PutNamespace(x.txn.KV, x.db.Name, &c)
	}
	to := d.NewName
	if _, taken := x.db.Schemas[to]; taken || catalog.IsSystemSchema(to) && !strings.HasPrefix(to, "pg_") {
		return "", pgerr.New(pgerrcode.DuplicateSchema, "schema %q already exists", to)
	}
	if err := checkSchemaName(to); err != nil {
		return "", err
	}
	ts, qs := x.db.InSchema(name)
	for _, t := range ts {
		if err := catalog.DeleteTable(x.txn.KV, x.db.Name, t.QName()); err != nil {
			return "", err
		}
		delete(x.db.Tables, t.QName())
		nt := t.Clone()
		nt.Schema = to
		x.db.Tables[nt.QName()] = nt
		if err := catalog.PutTable(x.txn.KV, x.db.Name, nt); err != nil {
			return "", err
		}
	}
	for _, q := range qs {
		if err := catalog.DeleteSequence(x.txn.KV, x.db.Name, q.QName()); err != nil {
			return "", err
		}
		delete(x.db.Sequences, q.QName())
		nq := *q
		nq.Schema = to
		x.db.Sequences[nq.QName()] = &nq
		if err := catalog.PutSequence(x.txn.KV, x.db.Name, &nq); err != nil {
			return "", err
		}
	}
	// Views that read the schema's relations, or were created with it in their
	// search path, follow the new name.
	for qn, v := range x.db.Tables {
		if !v.IsView() {
			continue
		}
		changed := false
		nv := v.Clone()
		nv.DependsOn = append([]string(nil), v.DependsOn...)
		for i, dep := range nv.DependsOn {
			if s, rest, ok := strings.Cut(dep, "."); ok && s == name {
				nv.DependsOn[i], changed = to+"."+rest, true
			}
		}
		if q, ok := renameQualifier(nv.ViewSQL, name, to); ok {
			nv.ViewSQL, changed = q, true
		}
		nv.SearchPath = append([]string(nil), v.SearchPath...)
		for i, s := range nv.SearchPath {
			if s == name {
				nv.SearchPath[i], changed = to, true
			}
		}
		if changed {
			x.db.Tables[qn] = nv
			if err := catalog.PutTable(x.txn.KV, x.db.Name, nv); err != nil {
				return "", err
			}
		}
	}
	if err := catalog.DeleteNamespace(x.txn.KV, x.db.Name, name); err != nil {
		return "", err
	}
	delete(x.db.Schemas, name)
	c := *ns
	c.Name = to
	x.db.Schemas[to] = &c
	return "ALTER SCHEMA", catalog.PutNamespace(x.txn.KV, x.db.Name, &c)
}

// comment runs COMMENT ON: the text is kept in the object's descriptor (an
// empty comment removes it, as in PostgreSQL).
func (x *ddlExec) comment(d *pgdialect.DDL) (string, error) {
	text := ""
	if d.Comment != nil {
		text = *d.Comment
	}
	q := d.Quals[0]
	if err := x.ns.checkCatalog(q.Catalog, q.String()); err != nil {
		return "", err
	}
	if d.Object != "schema" && q.Schema != "" {
		if _, err := x.ns.existingSchema(q.Schema); err != nil {
			return "", err
		}
	}
	switch d.Object {
	case "schema":
		ns, ok := x.db.Schemas[q.Name]
		if !ok {
			return "", pgerr.New(pgerrcode.InvalidSchemaName, "schema %q does not exist", q.Name)
		}
		c := *ns
		c.Comment = text
		x.db.Schemas[q.Name] = &c
		return "COMMENT", catalog.PutNamespace(x.txn.KV, x.db.Name, &c)
	case "table", "view", "column":
		t, err := x.relation(q)
		if err != nil {
			return "", err
		}
		if t == nil {
			return "", pgerr.New(pgerrcode.UndefinedTable, "relation %q does not exist", q.String())
		}
		nt := t.Clone()
		switch {
		case d.Object == "column":
			c, ok := nt.Column(d.Column)
			if !ok || c.Hidden {
				return "", pgerr.New(pgerrcode.UndefinedColumn, "column %q of relation %q does not exist", d.Column, t.Name)
			}
			c.Comment = text
		case t.IsView() != (d.Object == "view"):
			return "", pgerr.New(pgerrcode.WrongObjectType, "%q is not a %s", t.Name, d.Object)
		default:
			nt.Comment = text
		}
		x.db.Tables[nt.QName()] = nt
		return "COMMENT", catalog.PutTable(x.txn.KV, x.db.Name, nt)
	case "index":
		t, ix := x.ns.index(q.Schema, q.Name)
		if ix == nil {
			return "", pgerr.New(pgerrcode.UndefinedTable, "relation %q does not exist", q.String())
		}
		nt := t.Clone()
		for i := range nt.Indexes {
			if nt.Indexes[i].ID == ix.ID {
				nt.Indexes[i].Comment = text
			}
		}
		x.db.Tables[nt.QName()] = nt
		return "COMMENT", catalog.PutTable(x.txn.KV, x.db.Name, nt)
	case "sequence":
		sq := x.ns.sequence(q.Schema, q.Name)
		if sq == nil {
			if t, _ := x.relation(q); t != nil {
				return "", pgerr.New(pgerrcode.WrongObjectType, "%q is not a sequence", q.Name)
			}
			return "", pgerr.New(pgerrcode.UndefinedTable, "relation %q does not exist", q.String())
		}
		nq := *sq
		nq.Comment = text
		x.db.Sequences[nq.QName()] = &nq
		return "COMMENT", catalog.PutSequence(x.txn.KV, x.db.Name, &nq)
	}
	return "", pgerr.FeatureNotSupported("COMMENT ON %s is not supported yet", strings.ToUpper(d.Object))
}

// renameQualifier rewrites the schema qualifications from in a query's text to
// to (the identifier before a "." that is not itself after one); ok is false
// when there is none.
func renameQualifier(sql, from, to string) (string, bool) {
	toks, err := pgdialect.Lex(sql)
	if err != nil {
		return sql, false
	}
	var b strings.Builder
	last, ok := 0, false
	for i, t := range toks {
		if (t.Kind != pgdialect.Ident && t.Kind != pgdialect.QIdent) || t.Val != from ||
			i+1 >= len(toks) || !toks[i+1].IsPunct(".") || i > 0 && toks[i-1].IsPunct(".") {
			continue
		}
		b.WriteString(sql[last:t.Pos])
		b.WriteString(pgdialect.QuoteIdent(to))
		last, ok = t.End, true
	}
	b.WriteString(sql[last:])
	return b.String(), ok
}
