package planner

import (
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

// writer binds the writer of t: its CHECK constraints and the foreign keys in
// both directions. The writers of the tables a cascade reaches are bound too,
// once each (foreign keys may form cycles), sharing one map.
func (b *binder) writer(t *catalog.Table) (*exec.TableWriter, error) {
	return b.fkWriter(t, map[uint32]*exec.TableWriter{})
}

func (b *binder) fkWriter(t *catalog.Table, done map[uint32]*exec.TableWriter) (*exec.TableWriter, error) {
	if w, ok := done[t.ID]; ok {
		return w, nil
	}
	w, err := b.checkWriter(t)
	if err != nil {
		return nil, err
	}
	done[t.ID] = w
	// self is t for references of t to itself (t may be a changed copy that is
	// not in the schema yet).
	self := func(o *catalog.Table) *catalog.Table {
		if o.ID == t.ID {
			return t
		}
		return o
	}
	for i := range t.ForeignKeys {
		fk := &t.ForeignKeys[i]
		parent, ok := b.schema.TableByID(b.db, fk.RefTable)
		if fk.RefTable == t.ID {
			parent, ok = t, true
		}
		if !ok {
			return nil, fmt.Errorf("planner: foreign key %s of %s references a missing table", fk.Name, t.Name)
		}
		ref, err := newFKRef(t, parent, fk)
		if err != nil {
			return nil, err
		}
		w.Outgoing = append(w.Outgoing, ref)
	}
	refs := b.schema.Referencing(b.db, t.ID)
	if !slices.ContainsFunc(refs, func(r catalog.Reference) bool { return r.Table.ID == t.ID }) {
		// A new table's references to itself are not in the schema yet.
		for i := range t.ForeignKeys {
			if t.ForeignKeys[i].RefTable == t.ID {
				refs = append(refs, catalog.Reference{Table: t, FK: &t.ForeignKeys[i]})
			}
		}
	}
	for _, r := range refs {
		child := self(r.Table)
		fk := r.FK
		if child == t {
			fk = &t.ForeignKeys[slices.IndexFunc(t.ForeignKeys, func(f catalog.ForeignKey) bool { return f.Name == r.FK.Name })]
		}
		ref, err := newFKRef(child, t, fk)
		if err != nil {
			return nil, err
		}
		if acts(fk.OnDelete) || acts(fk.OnUpdate) {
			if ref.ChildWriter, err = b.fkWriter(child, done); err != nil {
				return nil, err
			}
		}
		if fk.OnDelete == catalog.FKSetDefault || fk.OnUpdate == catalog.FKSetDefault {
			for _, n := range fk.Columns {
				d, err := b.defaultExpr(child.ColumnByNum(n))
				if err != nil {
					return nil, err
				}
				ref.Defaults = append(ref.Defaults, d)
			}
		}
		w.Incoming = append(w.Incoming, ref)
	}
	return w, nil
}

// acts reports whether a referential action writes the referencing table.
func acts(a catalog.FKAction) bool {
	return a == catalog.FKCascade || a == catalog.FKSetNull || a == catalog.FKSetDefault
}

func newFKRef(child, parent *catalog.Table, fk *catalog.ForeignKey) (*exec.FKRef, error) {
	ix := parent.UniqueIndexOn(fk.RefColumns)
	if ix == nil {
		return nil, fmt.Errorf("planner: foreign key %s of %s: no unique index on the referenced columns of %s", fk.Name, child.Name, parent.Name)
	}
	return &exec.FKRef{FK: fk, Child: child, Parent: parent, ParentIndex: ix}, nil
}

var fkActions = map[string]catalog.FKAction{
	"no action": catalog.FKNoAction, "restrict": catalog.FKRestrict, "cascade": catalog.FKCascade,
	"set null": catalog.FKSetNull, "set default": catalog.FKSetDefault,
}

// foreignKey builds the FOREIGN KEY constraint c of table t (being created or
// altered) as PostgreSQL checks it: the referencing columns exist, the
// referenced ones (default: the primary key) carry a unique constraint, the
// counts agree and the types are comparable.
func (x *ddlExec) foreignKey(t *catalog.Table, c pgdialect.Constraint) (catalog.ForeignKey, error) {
	d := c.FK
	fk := catalog.ForeignKey{Name: c.Name, OnDelete: fkActions[d.OnDelete], OnUpdate: fkActions[d.OnUpdate],
		MatchFull: d.MatchFull, NotValid: c.NotValid, Deferrable: c.Deferrable, Deferred: c.InitiallyDeferred}
	var parent *catalog.Table
	if d.Table == t.Name && (d.TableQual.Schema == "" || x.ns.schemaOf(d.TableQual.Schema) == t.Schema) {
		parent = t
	} else {
		p, err := x.relation(d.TableQual)
		if err != nil {
			return fk, err
		}
		if p == nil {
			return fk, pgerr.New(pgerrcode.UndefinedTable, "relation %q does not exist", d.TableQual.String())
		}
		if p.IsView() {
			return fk, pgerr.New(pgerrcode.WrongObjectType, "referenced relation %q is not a table", d.Table)
		}
		parent = p
	}
	fk.RefTable = parent.ID
	fkCols := func(tab *catalog.Table, names []string) ([]int, error) {
		var out []int
		for _, n := range names {
			col, ok := tab.Column(n)
			if !ok || col.Hidden {
				return nil, pgerr.New(pgerrcode.UndefinedColumn, "column %q referenced in foreign key constraint does not exist", n)
			}
			out = append(out, col.Num)
		}
		return out, nil
	}
	var err error
	if fk.Columns, err = fkCols(t, c.Columns); err != nil {
		return fk, err
	}
	if d.Columns == nil {
		if !parent.HasPrimaryKey() {
			return fk, pgerr.New(pgerrcode.UndefinedObject, "there is no primary key for referenced table %q", parent.Name)
		}
		fk.RefColumns = slices.Clone(parent.Primary().Columns)
	} else {
		if fk.RefColumns, err = fkCols(parent, d.Columns); err != nil {
			return fk, err
		}
		for i, n := range fk.RefColumns {
			if slices.Contains(fk.RefColumns[:i], n) {
				return fk, pgerr.New(pgerrcode.InvalidForeignKey, "foreign key referenced-columns list must not contain duplicates")
			}
		}
		if parent.UniqueIndexOn(fk.RefColumns) == nil {
			return fk, pgerr.New(pgerrcode.InvalidForeignKey, "there is no unique constraint matching given keys for referenced table %q", parent.Name)
		}
	}
	if d.SetColumns != nil {
		for _, n := range d.SetColumns {
			col, ok := t.Column(n)
			if !ok || col.Hidden {
				return fk, pgerr.New(pgerrcode.UndefinedColumn, "column %q referenced in foreign key constraint does not exist", n)
			}
			if !slices.Contains(fk.Columns, col.Num) {
				return fk, pgerr.New(pgerrcode.InvalidColumnReference, "column %q referenced in ON DELETE SET action must be part of foreign key", n)
			}
			fk.SetColumns = append(fk.SetColumns, col.Num)
		}
	}
	if len(fk.Columns) != len(fk.RefColumns) {
		return fk, pgerr.New(pgerrcode.InvalidForeignKey, "number of referencing and referenced columns for foreign key disagree")
	}
	if fk.Name == "" {
		var names []string
		for _, n := range fk.Columns {
			names = append(names, t.ColumnByNum(n).Name)
		}
		fk.Name = x.constraintName(t, strings.Join(names, "_"), "fkey")
	}
	for i, n := range fk.Columns {
		ct, pt := t.ColumnByNum(n), parent.ColumnByNum(fk.RefColumns[i])
		if !fkComparable(ct.Type, pt.Type) {
			return fk, pgerr.New(pgerrcode.DatatypeMismatch, "foreign key constraint %q cannot be implemented", fk.Name).
				WithDetail("Key columns %q and %q are of incompatible types: %s and %s.", ct.Name, pt.Name, ct.Type.SQLName(), pt.Type.SQLName())
		}
	}
	return fk, nil
}

// fkComparable reports whether a referencing column of type fkType can
// reference one of type pkType: PostgreSQL needs an equality operator of the
// referenced type's operator family taking both, or an implicit cast of the
// referencing type to the referenced one.
func fkComparable(fkType, pkType types.T) bool {
	family := func(t types.T) int {
		switch t {
		case types.Int2, types.Int4, types.Int8:
			return 1
		case types.Float4, types.Float8:
			return 2
		case types.DateT, types.TimestampT, types.TimestampTZT:
			return 3
		}
		if t.IsString() {
			return 4
		}
		return 0
	}
	return fkType == pkType || implicit(fkType, pkType) || family(fkType) != 0 && family(fkType) == family(pkType)
}

// constraintName chooses a constraint name as PostgreSQL's ChooseConstraintName:
// table_addition_label, cut to 63 bytes, with a number appended while the name
// is taken by a relation or a constraint of the database.
func (x *ddlExec) constraintName(t *catalog.Table, addition, label string) string {
	taken := func(n string) bool {
		if x.exists(t.Schema, n) || slices.Contains(t.ConstraintNames(), n) {
			return true
		}
		for _, o := range x.db.Tables {
			if o.ID != t.ID && slices.Contains(o.ConstraintNames(), n) {
				return true
			}
		}
		return false
	}
	for i := 0; ; i++ {
		suffix := label
		if i > 0 {
			suffix = fmt.Sprintf("%s%d", label, i)
		}
		n := makeObjectName(t.Name, addition, suffix)
		if !taken(n) {
			return n
		}
	}
}

// makeObjectName joins name1_name2_label within 63 bytes, shortening the longer
// of name1 and name2 first, as PostgreSQL does.
func makeObjectName(name1, name2, label string) string {
	const maxLen = 63
	l1, l2 := len(name1), len(name2)
	over := l1 + l2 + len(label) + 2 - maxLen
	if name2 == "" {
		over = l1 + len(label) + 1 - maxLen
	}
	for over > 0 {
		if l1 > l2 {
			l1--
		} else {
			l2--
		}
		over--
	}
	n := name1[:l1]
	if name2 != "" {
		n += "_" + name2[:l2]
	}
	return n + "_" + label
}

// addForeignKeys adds the FOREIGN KEY constraints of CREATE TABLE to t.
func (x *ddlExec) addForeignKeys(t *catalog.Table, d *pgdialect.DDL) error {
	var cons []pgdialect.Constraint
	for _, cd := range d.Columns {
		cons = append(cons, cd.References...)
	}
	for _, c := range d.Constraints {
		if c.Kind == "foreign" {
			cons = append(cons, c)
		}
	}
	for _, c := range cons {
		if c.Name != "" && slices.Contains(t.ConstraintNames(), c.Name) {
			return pgerr.New(pgerrcode.DuplicateObject, "constraint %q for relation %q already exists", c.Name, t.Name)
		}
		fk, err := x.foreignKey(t, c)
		if err != nil {
			return err
		}
		t.ForeignKeys = append(t.ForeignKeys, fk)
	}
	return nil
}

// dropReferences handles the foreign keys of other tables that reference t when
// DROP TABLE drops it (dropping lists every table the statement drops): without
// CASCADE they make the drop fail (2BP01), with CASCADE they are dropped.
func (x *ddlExec) dropReferences(t *catalog.Table, dropping []string, cascade bool) error {
	var refs []catalog.Reference
	for _, r := range x.schema.Referencing(x.db.Name, t.ID) {
		if r.Table.ID != t.ID && !slices.Contains(dropping, r.Table.Name) {
			refs = append(refs, r)
		}
	}
	if len(refs) == 0 {
		return nil
	}
	var lines []string
	for _, r := range refs {
		lines = append(lines, fmt.Sprintf("constraint %s on table %s depends on table %s", r.FK.Name, r.Table.Name, t.Name))
	}
	if !cascade {
		return pgerr.New(pgerrcode.DependentObjectsStillExist, "cannot drop table %s because other objects depend on it", t.Name).
			WithDetail("%s", strings.Join(lines, "\n")).WithHint("Use DROP ... CASCADE to drop the dependent objects too.")
	}
	if len(refs) == 1 {
		x.notices = append(x.notices, "drop cascades to "+strings.TrimSuffix(lines[0], " depends on table "+t.Name))
	} else {
		x.notices = append(x.notices, fmt.Sprintf("drop cascades to %d other objects", len(refs)))
	}
	for _, r := range refs {
		if err := x.removeForeignKey(r.Table.QName(), r.FK.Name); err != nil {
			return err
		}
	}
	return nil
}

// removeForeignKey drops the foreign key name of table tname.
func (x *ddlExec) removeForeignKey(tname catalog.Name, name string) error {
	c := x.db.Tables[tname].Clone()
	c.ForeignKeys = slices.DeleteFunc(c.ForeignKeys, func(fk catalog.ForeignKey) bool { return fk.Name == name })
	c.Version++
	x.db.Tables[tname] = c
	return catalog.PutTable(x.txn.KV, x.db.Name, c)
}

// truncateTargets returns the tables TRUNCATE empties: names, and with CASCADE
// every table that references one of them (recursively, with a NOTICE each);
// without CASCADE a reference from a table not truncated is an error (0A000).
func (x *ddlExec) truncateTargets(names []pgdialect.QualName, cascade bool) ([]*catalog.Table, error) {
	var out []*catalog.Table
	seen := map[uint32]bool{}
	for _, n := range names {
		t, err := x.table(n)
		if err != nil {
			return nil, err
		}
		if !seen[t.ID] {
			seen[t.ID] = true
			out = append(out, t)
		}
	}
	for i := 0; i < len(out); i++ {
		for _, r := range x.schema.Referencing(x.db.Name, out[i].ID) {
			if seen[r.Table.ID] {
				continue
			}
			if !cascade {
				return nil, pgerr.FeatureNotSupported("cannot truncate a table referenced in a foreign key constraint").
					WithDetail("Table %q references %q.", r.Table.Name, out[i].Name).
					WithHint("Truncate table %q at the same time, or use TRUNCATE ... CASCADE.", r.Table.Name)
			}
			seen[r.Table.ID] = true
			out = append(out, r.Table)
			x.notices = append(x.notices, fmt.Sprintf("truncate cascades to table %q", r.Table.Name))
		}
	}
	return out, nil
}
