package planner

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/augurdb/augur/planner/exec"
	"github.com/augurdb/augur/planner/pgdialect"
	"github.com/augurdb/augur/storage/catalog"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
)

// alterState is what the actions of one ALTER TABLE leave for after the table's
// new definition is in place: rows to rewrite (with column conversions) and
// constraints whose existing rows must be checked.
type alterState struct {
	ctx     context.Context
	rewrite bool
	// convert holds ALTER COLUMN ... TYPE's conversions: attribute index → the
	// new value, bound over the old row.
	convert map[int]exec.Expr
	// validate names the CHECK and FOREIGN KEY constraints to check existing
	// rows against.
	validate []string
}

// alterConstraint runs the ALTER TABLE actions on constraints and column types
// (the others are in ddl.go's alterTable).
func (x *ddlExec) alterConstraint(old, t *catalog.Table, a pgdialect.AlterAction, st *alterState) error {
	switch a.Kind {
	case "add_constraint":
		return x.addTableConstraint(t, a.Cons, st)
	case "drop_constraint":
		return x.dropConstraint(t, a, st)
	case "rename_constraint":
		return x.renameConstraint(t, a.Name, a.NewName)
	case "validate_constraint":
		return x.validateConstraint(t, a.Name, st)
	case "alter_type":
		return x.alterColumnType(old, t, a, st)
	case "identity_options":
		return x.alterIdentity(t, a, st)
	}
	return pgerr.FeatureNotSupported("this ALTER TABLE action is not supported yet")
}

func (x *ddlExec) addTableConstraint(t *catalog.Table, c pgdialect.Constraint, st *alterState) error {
	if c.Name != "" && slices.Contains(t.ConstraintNames(), c.Name) {
		return pgerr.New(pgerrcode.DuplicateObject, "constraint %q for relation %q already exists", c.Name, t.Name)
	}
	switch c.Kind {
	case "foreign":
		fk, err := x.foreignKey(t, c)
		if err != nil {
			return err
		}
		t.ForeignKeys = append(t.ForeignKeys, fk)
		if !fk.NotValid {
			st.validate = append(st.validate, fk.Name)
		}
		return nil
	case "check":
		if err := x.addConstraint(t, c); err != nil {
			return err
		}
		ch := &t.Checks[len(t.Checks)-1]
		ch.NotValid = c.NotValid
		if !c.NotValid {
			st.validate = append(st.validate, ch.Name)
		}
		return nil
	}
	if c.NotValid {
		return pgerr.FeatureNotSupported("%s constraints cannot be marked NOT VALID", strings.ToUpper(map[string]string{"primary": "primary key", "unique": "unique"}[c.Kind]))
	}
	if c.Name != "" && x.exists(t.Schema, c.Name) {
		return pgerr.New(pgerrcode.DuplicateTable, "relation %q already exists", c.Name)
	}
	st.rewrite = true
	return x.addConstraint(t, c)
}

// dependentFKs returns the foreign keys of other tables (and of t itself) that
// read the unique index ix of t.
func (x *ddlExec) dependentFKs(t *catalog.Table, ix *catalog.Index) []catalog.Reference {
	var out []catalog.Reference
	refs := x.schema.Referencing(x.db.Name, t.ID)
	refs = slices.DeleteFunc(refs, func(r catalog.Reference) bool { return r.Table.ID == t.ID })
	for i := range t.ForeignKeys {
		if t.ForeignKeys[i].RefTable == t.ID {
			refs = append(refs, catalog.Reference{Table: t, FK: &t.ForeignKeys[i]})
		}
	}
	for _, r := range refs {
		if u := t.UniqueIndexOn(r.FK.RefColumns); u != nil && u.ID == ix.ID {
			out = append(out, r)
		}
	}
	return out
}

func (x *ddlExec) dropConstraint(t *catalog.Table, a pgdialect.AlterAction, st *alterState) error {
	name := a.Name
	if i := slices.IndexFunc(t.ForeignKeys, func(fk catalog.ForeignKey) bool { return fk.Name == name }); i >= 0 {
		t.ForeignKeys = slices.Delete(t.ForeignKeys, i, i+1)
		return nil
	}
	if i := slices.IndexFunc(t.Checks, func(c catalog.Check) bool { return c.Name == name }); i >= 0 {
		t.Checks = slices.Delete(t.Checks, i, i+1)
		return nil
	}
	i := slices.IndexFunc(t.Indexes, func(ix catalog.Index) bool { return ix.Constraint && ix.Name == name })
	if i < 0 {
		if a.IfExists {
			x.notices = append(x.notices, fmt.Sprintf("constraint %q of relation %q does not exist, skipping", name, t.Name))
			return nil
		}
		return pgerr.New(pgerrcode.UndefinedObject, "constraint %q of relation %q does not exist", name, t.Name)
	}
	return x.dropIndex(t, i, a.Cascade, "constraint "+name+" on table "+t.Name, "index "+t.Indexes[i].Name, st)
}

// dropIndex drops the index t.Indexes[i] with the PRIMARY KEY or UNIQUE
// constraint it backs, for DROP CONSTRAINT and for DROP COLUMN of a column it
// indexes (what: the object dropped, of the error; on: what a dependent
// foreign key depends on, of its detail). Foreign keys that read the index
// need cascade, which drops them too. A primary key's index is replaced by
// the hidden row id's: the rows are rewritten.
func (x *ddlExec) dropIndex(t *catalog.Table, i int, cascade bool, what, on string, st *alterState) error {
	ix := t.Indexes[i]
	if deps := x.dependentFKs(t, &ix); len(deps) > 0 {
		var lines []string
		for _, r := range deps {
			lines = append(lines, fmt.Sprintf("constraint %s on table %s depends on %s", r.FK.Name, r.Table.Name, on))
		}
		if !cascade {
			return pgerr.New(pgerrcode.DependentObjectsStillExist, "cannot drop %s because other objects depend on it", what).
				WithDetail("%s", strings.Join(lines, "\n")).WithHint("Use DROP ... CASCADE to drop the dependent objects too.")
		}
		if len(deps) == 1 {
			x.notices = append(x.notices, "drop cascades to "+strings.TrimSuffix(lines[0], " depends on "+on))
		} else {
			x.notices = append(x.notices, fmt.Sprintf("drop cascades to %d other objects", len(deps)))
		}
		for _, r := range deps {
			if r.Table.ID == t.ID {
				t.ForeignKeys = slices.DeleteFunc(t.ForeignKeys, func(fk catalog.ForeignKey) bool { return fk.Name == r.FK.Name })
			} else if err := x.removeForeignKey(r.Table.QName(), r.FK.Name); err != nil {
				return err
			}
		}
	}
	if !ix.Primary {
		t.Indexes = slices.Delete(t.Indexes, i, i+1)
		return x.deletePrefix(catalog.IndexPrefix(t.ID, ix.ID))
	}
	// Without its primary key the table is keyed by a hidden row id again:
	// every row is rewritten under a fresh one. The key columns stay NOT NULL,
	// as in PostgreSQL.
	t.Columns = append(t.Columns, catalog.Column{Name: "rowid", Num: len(t.Columns) + 1, Type: types.Int8, Typmod: -1, Hidden: true, NotNull: true})
	t.Indexes[0] = catalog.Index{ID: catalog.PrimaryIndexID, Name: t.Name + "_rowid", Columns: []int{len(t.Columns)}, Unique: true, Primary: true}
	st.rewrite = true
	return nil
}

// dropColumnIndexes drops the indexes of t that use column num, multi-column
// ones too, as PostgreSQL drops them with the column (DROP COLUMN).
func (x *ddlExec) dropColumnIndexes(t *catalog.Table, num int, cascade bool, st *alterState) error {
	c := t.ColumnByNum(num)
	what := fmt.Sprintf("column %s of table %s", c.Name, t.Name)
	for i := 0; i < len(t.Indexes); {
		if !slices.Contains(t.Indexes[i].Columns, num) {
			i++
			continue
		}
		// The index at i is gone or is the row id's now: look at i again.
		if err := x.dropIndex(t, i, cascade, what, what, st); err != nil {
			return err
		}
	}
	return nil
}

func (x *ddlExec) renameConstraint(t *catalog.Table, from, to string) error {
	names := t.ConstraintNames()
	if !slices.Contains(names, from) {
		return pgerr.New(pgerrcode.UndefinedObject, "constraint %q for table %q does not exist", from, t.Name)
	}
	isIndex := slices.ContainsFunc(t.Indexes, func(ix catalog.Index) bool { return ix.Constraint && ix.Name == from })
	if isIndex && x.exists(t.Schema, to) {
		// PRIMARY KEY and UNIQUE rename their index, a relation.
		return pgerr.New(pgerrcode.DuplicateTable, "relation %q already exists", to)
	}
	if slices.Contains(names, to) {
		return pgerr.New(pgerrcode.DuplicateObject, "constraint %q for relation %q already exists", to, t.Name)
	}
	for i := range t.ForeignKeys {
		if t.ForeignKeys[i].Name == from {
			t.ForeignKeys[i].Name = to
			return nil
		}
	}
	for i := range t.Checks {
		if t.Checks[i].Name == from {
			t.Checks[i].Name = to
			return nil
		}
	}
	for i := range t.Indexes {
		if t.Indexes[i].Constraint && t.Indexes[i].Name == from {
			t.Indexes[i].Name = to
		}
	}
	return nil
}

func (x *ddlExec) validateConstraint(t *catalog.Table, name string, st *alterState) error {
	for i := range t.ForeignKeys {
		if fk := &t.ForeignKeys[i]; fk.Name == name {
			if fk.NotValid {
				fk.NotValid = false
				st.validate = append(st.validate, name)
			}
			return nil
		}
	}
	for i := range t.Checks {
		if ch := &t.Checks[i]; ch.Name == name {
			if ch.NotValid {
				ch.NotValid = false
				st.validate = append(st.validate, name)
			}
			return nil
		}
	}
	if slices.Contains(t.ConstraintNames(), name) {
		return pgerr.New(pgerrcode.WrongObjectType, "constraint %q of relation %q is not a foreign key or check constraint", name, t.Name)
	}
	return pgerr.New(pgerrcode.UndefinedObject, "constraint %q of relation %q does not exist", name, t.Name)
}

// validateRows checks the existing rows of t (stored, in its new definition)
// against the constraints st.validate names.
func (x *ddlExec) validateRows(ctx context.Context, t *catalog.Table, st *alterState) error {
	if len(st.validate) == 0 {
		return nil
	}
	b := &binder{planner: x.p, schema: x.schema, db: x.db.Name, ns: x.ns, home: t.Schema, st: &Statement{}}
	w, err := b.writer(t)
	if err != nil {
		return err
	}
	c := exec.NewCtx(ctx, x.txn.KV, nil, x.env)
	for _, name := range st.validate {
		if i := slices.IndexFunc(w.Checks, func(ch exec.CheckExpr) bool { return ch.Name == name }); i >= 0 {
			ch := w.Checks[i]
			err := x.scanTable(t, func(row []types.Datum) error {
				v, err := ch.Expr.Eval(c.With(row))
				if err != nil {
					return err
				}
				if v == false {
					return pgerr.New(pgerrcode.CheckViolation, "check constraint %q of relation %q is violated by some row", name, t.Name)
				}
				return nil
			})
			if err != nil {
				return err
			}
			continue
		}
		if i := slices.IndexFunc(w.Outgoing, func(r *exec.FKRef) bool { return r.FK.Name == name }); i >= 0 {
			ref := w.Outgoing[i]
			if err := x.scanTable(t, func(row []types.Datum) error { return ref.Validate(c, row) }); err != nil {
				return err
			}
		}
	}
	return nil
}

// alterColumnType changes a column's type: every row is rewritten with its value
// converted (USING expr over the old row, else the assignment cast), and the
// indexes are rebuilt.
func (x *ddlExec) alterColumnType(old, t *catalog.Table, a pgdialect.AlterAction, st *alterState) error {
	col, ok := t.Column(a.Name)
	if !ok || col.Hidden {
		return pgerr.New(pgerrcode.UndefinedColumn, "column %q of relation %q does not exist", a.Name, t.Name)
	}
	typ, typmod, err := parseTypeText(a.Type)
	if err != nil {
		return err
	}
	if v := x.viewUsing(t, col.Name); v != "" {
		return pgerr.FeatureNotSupported("cannot alter type of a column used by a view or rule").
			WithDetail("rule _RETURN on view %s depends on column %q", v, col.Name)
	}
	oldCol, _ := old.Column(a.Name)
	b := &binder{planner: x.p, schema: x.schema, db: x.db.Name, ns: x.ns, home: t.Schema, st: &Statement{}}
	b.sc = tableScope(old)
	target := *col
	target.Type, target.Typmod = typ, typmod
	var e exec.Expr
	if a.Using == "" {
		if oldCol == nil {
			return pgerr.FeatureNotSupported("cannot alter the type of a column added in the same statement")
		}
		e = &exec.ColRef{Idx: oldCol.Num - 1, T: oldCol.Type}
		if e, err = b.assign(e, &target); err != nil {
			if isMismatch(err) {
				return pgerr.New(pgerrcode.DatatypeMismatch, "column %q cannot be cast automatically to type %s", col.Name, types.FormatType(typ, typmod)).
					WithHint("You might need to specify \"USING %s::%s\".", quoteIdentIfNeeded(col.Name), types.FormatType(typ, typmod))
			}
			return err
		}
	} else {
		if e, err = x.p.bindText(b, a.Using); err != nil {
			return err
		}
		if e, err = b.assign(e, &target); err != nil {
			if isMismatch(err) {
				return pgerr.New(pgerrcode.DatatypeMismatch, "result of USING clause for column %q cannot be cast automatically to type %s", col.Name, types.FormatType(typ, typmod)).
					WithHint("You might need to add an explicit cast.")
			}
			return err
		}
	}
	col.Type, col.Typmod = typ, typmod
	// Foreign keys through the column must still compare.
	for _, fk := range t.ForeignKeys {
		if i := slices.Index(fk.Columns, col.Num); i >= 0 {
			parent := t
			if p, ok := x.schema.TableByID(x.db.Name, fk.RefTable); ok && fk.RefTable != t.ID {
				parent = p
			}
			if pc := parent.ColumnByNum(fk.RefColumns[i]); !fkComparable(typ, pc.Type) {
				return pgerr.New(pgerrcode.DatatypeMismatch, "foreign key constraint %q cannot be implemented", fk.Name).
					WithDetail("Key columns %q and %q are of incompatible types: %s and %s.", col.Name, pc.Name, typ.SQLName(), pc.Type.SQLName())
			}
		}
	}
	for _, r := range x.schema.Referencing(x.db.Name, t.ID) {
		if i := slices.Index(r.FK.RefColumns, col.Num); i >= 0 && r.Table.ID != t.ID {
			if cc := r.Table.ColumnByNum(r.FK.Columns[i]); !fkComparable(cc.Type, typ) {
				return pgerr.New(pgerrcode.DatatypeMismatch, "foreign key constraint %q cannot be implemented", r.FK.Name).
					WithDetail("Key columns %q and %q are of incompatible types: %s and %s.", cc.Name, col.Name, cc.Type.SQLName(), typ.SQLName())
			}
		}
	}
	if st.convert == nil {
		st.convert = map[int]exec.Expr{}
	}
	st.convert[col.Num-1] = e
	st.rewrite = true
	return nil
}

func isMismatch(err error) bool {
	var pe *pgerr.Error
	return errors.As(err, &pe) && pe.Code == pgerrcode.DatatypeMismatch
}

func quoteIdentIfNeeded(s string) string {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
		}
	}
	return s
}

// viewUsing returns the name of a view that reads column col of t ("" when
// none does): a view of t whose query names the column.
func (x *ddlExec) viewUsing(t *catalog.Table, col string) string {
	for _, v := range x.dependents(t.QName()) {
		if !slices.Contains(v.DependsOn, t.QName().String()) {
			continue
		}
		toks, err := pgdialect.Lex(v.ViewSQL)
		if err != nil {
			return v.Name
		}
		for _, tok := range toks {
			if (tok.Kind == pgdialect.Ident || tok.Kind == pgdialect.QIdent) && tok.Val == col || tok.IsOp("*") {
				return v.Name
			}
		}
	}
	return ""
}

// alterIdentity runs ALTER COLUMN c RESTART [WITH n] / SET option of an identity
// column: the options of the sequence the column owns.
func (x *ddlExec) alterIdentity(t *catalog.Table, a pgdialect.AlterAction, st *alterState) error {
	col, ok := t.Column(a.Name)
	if !ok || col.Hidden {
		return pgerr.New(pgerrcode.UndefinedColumn, "column %q of relation %q does not exist", a.Name, t.Name)
	}
	if col.Identity == "" {
		return pgerr.New(pgerrcode.ObjectNotInPrerequisiteState, "column %q of relation %q is not an identity column", col.Name, t.Name)
	}
	q := x.ownedSequence(t, col.Name)
	if q == nil {
		return fmt.Errorf("planner: identity column %s.%s has no sequence", t.Name, col.Name)
	}
	return x.alterSequenceOptions(st.ctx, q, a.Seq)
}
