package catalog

import "slices"

// FKAction is a foreign key's referential action, spelled as in pg_constraint
// (confdeltype, confupdtype).
type FKAction string

// Referential actions.
const (
	FKNoAction   FKAction = "a"
	FKRestrict   FKAction = "r"
	FKCascade    FKAction = "c"
	FKSetNull    FKAction = "n"
	FKSetDefault FKAction = "d"
)

// ForeignKey is a FOREIGN KEY constraint. It is kept in the descriptor of the
// referencing table; the referenced table finds the constraints that point at
// it with Schema.Referencing (there is no back pointer to keep in step).
//
// The referenced table is named by its id, so renaming it does not break the
// constraint. Columns and RefColumns are attribute numbers, pairwise: Columns[i]
// references RefColumns[i]. The referenced columns always carry a unique index
// (a PRIMARY KEY or UNIQUE constraint), which the checks of the referencing side
// read; the referencing side may be unindexed.
type ForeignKey struct {
	Name       string
	Columns    []int
	RefTable   uint32
	RefColumns []int
	OnDelete   FKAction
	OnUpdate   FKAction
	// SetColumns are the columns ON DELETE SET NULL / SET DEFAULT change
	// (nil: all of Columns).
	SetColumns []int `json:",omitempty"`
	// MatchFull: MATCH FULL (a key with some but not all columns NULL is an
	// error); otherwise MATCH SIMPLE (a key with any NULL column is not checked).
	MatchFull bool `json:",omitempty"`
	// NotValid: added with NOT VALID and not validated since; existing rows
	// were not checked, new ones are.
	NotValid bool `json:",omitempty"`
	// Deferrable and Deferred are the constraint's timing (DEFERRABLE,
	// INITIALLY DEFERRED).
	Deferrable bool `json:",omitempty"`
	Deferred   bool `json:",omitempty"`
}

func (fk ForeignKey) clone() ForeignKey {
	fk.Columns = slices.Clone(fk.Columns)
	fk.RefColumns = slices.Clone(fk.RefColumns)
	fk.SetColumns = slices.Clone(fk.SetColumns)
	return fk
}

// Reference is a foreign key seen from the table it references.
type Reference struct {
	Table *Table // the referencing table
	FK    *ForeignKey
}

// Referencing returns the foreign keys of database db that reference the table
// with id tableID (including a table's references to itself), ordered by
// referencing table name and constraint name.
func (s *Schema) Referencing(db string, tableID uint32) []Reference {
	d, ok := s.Databases[db]
	if !ok {
		return nil
	}
	var out []Reference
	for _, t := range d.Tables {
		for i := range t.ForeignKeys {
			if t.ForeignKeys[i].RefTable == tableID {
				out = append(out, Reference{Table: t, FK: &t.ForeignKeys[i]})
			}
		}
	}
	slices.SortFunc(out, func(a, b Reference) int {
		if a.Table.Name != b.Table.Name {
			if a.Table.Name < b.Table.Name {
				return -1
			}
			return 1
		}
		if a.FK.Name < b.FK.Name {
			return -1
		}
		if a.FK.Name > b.FK.Name {
			return 1
		}
		return 0
	})
	return out
}

// UniqueIndexOn returns the unique index (of a PRIMARY KEY or UNIQUE constraint,
// or a unique index) whose columns are exactly the set cols, preferring the
// primary key, or nil.
func (t *Table) UniqueIndexOn(cols []int) *Index {
	for i := range t.Indexes {
		ix := &t.Indexes[i]
		if !ix.Unique || ix.Primary && !t.HasPrimaryKey() || len(ix.Columns) != len(cols) {
			continue
		}
		same := true
		for _, c := range cols {
			same = same && slices.Contains(ix.Columns, c)
		}
		if same {
			return ix
		}
	}
	return nil
}

// IndexWithPrefix returns an index whose leading columns are cols in order (the
// primary index when it fits), or nil: the lookup path for the rows of the
// referencing table that hold a key.
func (t *Table) IndexWithPrefix(cols []int) *Index {
	for i := range t.Indexes {
		ix := &t.Indexes[i]
		if len(ix.Columns) >= len(cols) && slices.Equal(ix.Columns[:len(cols)], cols) {
			return ix
		}
	}
	return nil
}

// ConstraintNames returns the names of t's constraints: PRIMARY KEY and UNIQUE
// (their indexes), CHECK and FOREIGN KEY.
func (t *Table) ConstraintNames() []string {
	var out []string
	for _, ix := range t.Indexes {
		if ix.Constraint {
			out = append(out, ix.Name)
		}
	}
	for _, c := range t.Checks {
		out = append(out, c.Name)
	}
	for _, fk := range t.ForeignKeys {
		out = append(out, fk.Name)
	}
	return out
}
