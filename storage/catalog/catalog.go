// Package catalog holds the SQL schema — databases, tables, columns, indexes,
// views and sequences — and stores it transactionally in the store, beside the data.
//
// Each object is one descriptor, JSON-encoded under the system table's key prefix
// (table id SystemTableID): `prefix ++ text(database) ++ text(kind) ++ text(schema)
// ++ text(name)`. Tables, views and sequences live in a schema (a Namespace, see
// schema.go) and their keys carry its name; a schema's own descriptor is kind
// "schema" with the schema's name and an empty name; databases and the id counter
// have an empty schema and name. (Data directories written before schemas, with
// three-part keys, are not readable: no release had them.)
// Writing descriptors through the same store transaction as the statement's rows
// makes DDL transactional: a CREATE TABLE that is rolled back leaves neither the
// descriptor nor any row, and recovery replays both from the WAL.
//
// Readers never touch the store for the schema. The committed schema is an
// immutable Schema published through an atomic pointer; a transaction that runs DDL
// takes the catalog's DDL lock (one DDL transaction at a time, held until it ends),
// works on a private copy, and publishes the copy when its commit is durable. Plans
// record the Schema version they were bound against and are re-planned when it
// changes.
//
// Table layout in the store (the contract with the executor):
//   - primary index (id PrimaryIndexID): key = prefix(table, 1) ++ keycodec of the
//     primary-key columns (or of the hidden row id), value = rowcodec frame whose
//     columns are the binary wire encodings of the values, one per attribute number
//     (dropped attributes stay NULL);
//   - secondary index: key = prefix(table, index) ++ keycodec of the index columns ++
//     keycodec of the primary-key columns, value empty. Uniqueness is checked by a
//     prefix scan over the index columns when none of them is NULL.
package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"sort"
	"strings"

	"github.com/augurdb/augur/storage/keycodec"
	"github.com/augurdb/augur/storage/types"
)

// SystemTableID is the table id whose key space holds the descriptors.
const SystemTableID = 1

// FirstUserID is the first id given to user objects (tables, sequences).
const FirstUserID = 16384

// PrimaryIndexID is the index id of every table's primary index.
const PrimaryIndexID = 1

// Kinds of descriptors.
const (
	KindDatabase = "database"
	KindTable    = "table" // tables and views
	KindSequence = "sequence"
	KindSchema   = "schema"
	KindMeta     = "meta" // the id counter
)

// Column is one attribute of a table.
type Column struct {
	Name string
	// Num is the attribute number (1-based), stable across ALTER TABLE: the row
	// frame holds the value of attribute n at position n-1.
	Num      int
	Type     types.T
	Typmod   int32
	NotNull  bool
	Default  string // SQL expression text; "" = NULL
	Hidden   bool   // the hidden row id of a table without a primary key
	Dropped  bool
	Identity string // "", "always" or "by default"
	Comment  string // COMMENT ON COLUMN
}

type columnJSON struct {
	Name     string
	Num      int
	OID      uint32
	Typmod   int32
	NotNull  bool   `json:",omitempty"`
	Default  string `json:",omitempty"`
	Hidden   bool   `json:",omitempty"`
	Dropped  bool   `json:",omitempty"`
	Identity string `json:",omitempty"`
	Comment  string `json:",omitempty"`
}

// MarshalJSON stores the type as its OID.
func (c Column) MarshalJSON() ([]byte, error) {
	return json.Marshal(columnJSON{c.Name, c.Num, c.Type.OID(), c.Typmod, c.NotNull, c.Default, c.Hidden, c.Dropped, c.Identity, c.Comment})
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (c *Column) UnmarshalJSON(b []byte) error {
	var j columnJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	t, ok := types.ByOID(j.OID)
	if !ok {
		return fmt.Errorf("catalog: column %s has unknown type OID %d", j.Name, j.OID)
	}
	*c = Column{j.Name, j.Num, t, j.Typmod, j.NotNull, j.Default, j.Hidden, j.Dropped, j.Identity, j.Comment}
	return nil
}

// Index is an index of a table. Indexes[0] of a table is its primary index.
type Index struct {
	ID      uint32
	Name    string
	Columns []int // attribute numbers
	Unique  bool
	Primary bool
	// Constraint is set for an index created by a PRIMARY KEY or UNIQUE constraint.
	Constraint bool `json:",omitempty"`
	// Comment is set by COMMENT ON INDEX.
	Comment string `json:",omitempty"`
}

// Check is a CHECK constraint.
type Check struct {
	Name string
	Expr string // SQL text
	// NotValid: added with NOT VALID and not validated since.
	NotValid bool `json:",omitempty"`
}

// Table is a table or a view.
type Table struct {
	ID uint32
	// Schema is the name of the schema the table lives in (its indexes too).
	Schema  string
	Name    string
	Columns []Column
	Indexes []Index
	Checks  []Check `json:",omitempty"`
	// ForeignKeys are the table's FOREIGN KEY constraints (see ForeignKey).
	ForeignKeys []ForeignKey `json:",omitempty"`
	// NextIndexID numbers the table's indexes.
	NextIndexID uint32
	// Version counts the table's schema changes (the row frame records it).
	Version uint32
	// ViewSQL is the defining query of a view ("" for a table).
	ViewSQL string `json:",omitempty"`
	// DependsOn are the tables and views a view reads, as "schema.name" (DROP
	// refuses to drop them without CASCADE).
	DependsOn []string `json:",omitempty"`
	// SearchPath is the search path a view's query was created under: its names
	// are resolved along it, not along the path of the session using the view.
	SearchPath []string `json:",omitempty"`
	// Comment is set by COMMENT ON TABLE / VIEW.
	Comment string `json:",omitempty"`
	// OnCommit is a temporary table's ON COMMIT action: "" (preserve rows),
	// OnCommitDeleteRows or OnCommitDrop.
	OnCommit string `json:",omitempty"`
}

// ON COMMIT actions of temporary tables.
const (
	OnCommitDeleteRows = "delete rows"
	OnCommitDrop       = "drop"
)

// QName is the schema-qualified name of the table.
func (t *Table) QName() Name { return Name{t.Schema, t.Name} }

// IsView reports whether t is a view.
func (t *Table) IsView() bool { return t.ViewSQL != "" }

// Visible returns the columns a user sees (not hidden, not dropped), in order.
func (t *Table) Visible() []*Column {
	var out []*Column
	for i := range t.Columns {
		if c := &t.Columns[i]; !c.Hidden && !c.Dropped {
			out = append(out, c)
		}
	}
	return out
}

// Column returns the live column named name.
func (t *Table) Column(name string) (*Column, bool) {
	for i := range t.Columns {
		if c := &t.Columns[i]; !c.Dropped && c.Name == name {
			return c, true
		}
	}
	return nil, false
}

// ColumnByNum returns the column with attribute number num.
func (t *Table) ColumnByNum(num int) *Column { return &t.Columns[num-1] }

// Primary returns the primary index.
func (t *Table) Primary() *Index { return &t.Indexes[0] }

// HasPrimaryKey reports whether the table has a user-visible primary key (not the
// hidden row id).
func (t *Table) HasPrimaryKey() bool {
	return len(t.Indexes) > 0 && !t.Columns[t.Indexes[0].Columns[0]-1].Hidden
}

// Clone returns a deep copy.
func (t *Table) Clone() *Table {
	c := *t
	c.Columns = append([]Column(nil), t.Columns...)
	c.Indexes = make([]Index, len(t.Indexes))
	for i, ix := range t.Indexes {
		ix.Columns = append([]int(nil), ix.Columns...)
		c.Indexes[i] = ix
	}
	c.Checks = append([]Check(nil), t.Checks...)
	c.ForeignKeys = nil
	for _, fk := range t.ForeignKeys {
		c.ForeignKeys = append(c.ForeignKeys, fk.clone())
	}
	return &c
}

// Sequence is a sequence generator. Its current value lives in the store under
// SequenceKey, outside transactions (nextval is never rolled back).
type Sequence struct {
	ID        uint32
	Schema    string
	Name      string
	Start     int64
	Increment int64
	Min, Max  int64
	Cycle     bool
	// OwnedBy is "table.column" for a serial or identity column's sequence, or
	// set by OWNED BY (the table is in the sequence's schema): dropping the
	// table (or the column) drops the sequence.
	OwnedBy string `json:",omitempty"`
	// Comment is set by COMMENT ON SEQUENCE.
	Comment string `json:",omitempty"`
	// TypeOID is the AS data type (int2, int4 or int8 OID; 0 is bigint).
	TypeOID uint32 `json:",omitempty"`
	// Cache is the CACHE option (0 is 1). It is kept and shown; every session
	// draws from the shared state, so it changes no value handed out.
	Cache int64 `json:",omitempty"`
}

// QName is the schema-qualified name of the sequence.
func (q *Sequence) QName() Name { return Name{q.Schema, q.Name} }

// Database is one database: its schemas and the tables, views and sequences in
// them, keyed by schema-qualified name.
type Database struct {
	Name      string
	Owner     string
	Schemas   map[string]*Namespace
	Tables    map[Name]*Table // tables and views
	Sequences map[Name]*Sequence
}

// NewDatabase returns an empty database with its public schema (commented
// as PostgreSQL comments its own).
func NewDatabase(name, owner string) *Database {
	return &Database{Name: name, Owner: owner,
		Schemas:   map[string]*Namespace{PublicSchema: {Name: PublicSchema, Owner: PublicOwner, Comment: "standard public schema"}},
		Tables:    map[Name]*Table{},
		Sequences: map[Name]*Sequence{},
	}
}

// Clone returns a copy of d whose maps may be changed (descriptors are shared).
func (d *Database) Clone() *Database {
	c := *d
	c.Schemas = maps.Clone(d.Schemas)
	c.Tables = maps.Clone(d.Tables)
	c.Sequences = maps.Clone(d.Sequences)
	return &c
}

// Schema is one immutable version of the whole catalog.
type Schema struct {
	// Version increases with every published change.
	Version   uint64
	Databases map[string]*Database
	NextID    uint32
	// Roles (by name) and ACLs (by object key) are cluster-wide (role.go).
	Roles map[string]*Role
	ACLs  map[string][]ACLItem
}

// Clone returns a copy whose maps may be changed; descriptors are shared and must
// be replaced, never modified in place (use Table.Clone).
func (s *Schema) Clone() *Schema {
	c := &Schema{Version: s.Version, NextID: s.NextID, Databases: make(map[string]*Database, len(s.Databases))}
	for k, d := range s.Databases {
		c.Databases[k] = d.Clone()
	}
	s.cloneGlobal(c)
	return c
}

// Table returns the table or view schema.name of database db.
func (s *Schema) Table(db, schema, name string) (*Table, bool) {
	d, ok := s.Databases[db]
	if !ok {
		return nil, false
	}
	t, ok := d.Tables[Name{schema, name}]
	return t, ok
}

// TableByID finds a table of database db by id.
func (s *Schema) TableByID(db string, id uint32) (*Table, bool) {
	d, ok := s.Databases[db]
	if !ok {
		return nil, false
	}
	for _, t := range d.Tables {
		if t.ID == id {
			return t, true
		}
	}
	return nil, false
}

// IndexByName finds an index of schema schema of database db by name (an index
// lives in its table's schema).
func (s *Schema) IndexByName(db, schema, name string) (*Table, *Index, bool) {
	d, ok := s.Databases[db]
	if !ok {
		return nil, nil, false
	}
	return d.Index(schema, name)
}

// Index finds an index of schema schema by name.
func (d *Database) Index(schema, name string) (*Table, *Index, bool) {
	names := make([]Name, 0, len(d.Tables))
	for n := range d.Tables {
		if n.Schema == schema {
			names = append(names, n)
		}
	}
	sort.Slice(names, func(i, j int) bool { return names[i].Name < names[j].Name })
	for _, n := range names {
		t := d.Tables[n]
		for i := range t.Indexes {
			if t.Indexes[i].Name == name {
				return t, &t.Indexes[i], true
			}
		}
	}
	return nil, nil, false
}

// NewID returns a fresh object id (the caller's copy of the schema counts).
func (s *Schema) NewID() uint32 {
	if s.NextID < FirstUserID {
		s.NextID = FirstUserID
	}
	id := s.NextID
	s.NextID++
	return id
}

// DescriptorKey is the store key of a descriptor.
func DescriptorKey(db, kind, schema, name string) []byte {
	k := keycodec.AppendTablePrefix(nil, SystemTableID, 0)
	k = keycodec.AppendText(k, db, keycodec.Asc)
	k = keycodec.AppendText(k, kind, keycodec.Asc)
	k = keycodec.AppendText(k, schema, keycodec.Asc)
	return keycodec.AppendText(k, name, keycodec.Asc)
}

// SequenceKey is the store key of a sequence's current state.
func SequenceKey(id uint32) []byte {
	k := keycodec.AppendTablePrefix(nil, SystemTableID, 1)
	return keycodec.AppendInt(k, int64(id), keycodec.Asc)
}

// Prefix is the key prefix of every descriptor.
func Prefix() []byte { return keycodec.AppendTablePrefix(nil, SystemTableID, 0) }

// IndexPrefix is the key prefix of one index of a table.
func IndexPrefix(tableID, indexID uint32) []byte {
	return keycodec.AppendTablePrefix(nil, tableID, indexID)
}

// decodeDescriptorKey splits a descriptor key.
func decodeDescriptorKey(key []byte) (db, kind, schema, name string, err error) {
	rest := bytes.TrimPrefix(key, Prefix())
	var parts [4]string
	for i := range parts {
		v, r, err := keycodec.Decode(rest, keycodec.Asc)
		if err != nil {
			return "", "", "", "", fmt.Errorf("catalog: descriptor key %x: %w", key, err)
		}
		parts[i], rest = string(v.Bytes), r
	}
	return parts[0], parts[1], parts[2], parts[3], nil
}

// Load builds a Schema from the descriptors returned by scan (key, value pairs in
// any order).
func Load(scan func(fn func(key, value []byte) error) error) (*Schema, error) {
	s := &Schema{Databases: map[string]*Database{}, NextID: FirstUserID, Roles: map[string]*Role{}, ACLs: map[string][]ACLItem{}}
	db := func(name string) *Database {
		d, ok := s.Databases[name]
		if !ok {
			d = &Database{Name: name, Schemas: map[string]*Namespace{}, Tables: map[Name]*Table{}, Sequences: map[Name]*Sequence{}}
			s.Databases[name] = d
		}
		return d
	}
	err := scan(func(key, value []byte) error {
		dbName, kind, schema, name, err := decodeDescriptorKey(key)
		if err != nil {
			return err
		}
		switch kind {
		case KindMeta:
			var m struct{ NextID uint32 }
			if err := json.Unmarshal(value, &m); err != nil {
				return fmt.Errorf("catalog: meta: %w", err)
			}
			s.NextID = max(s.NextID, m.NextID)
		case KindDatabase:
			d := db(dbName)
			var j struct{ Owner string }
			if err := json.Unmarshal(value, &j); err != nil {
				return fmt.Errorf("catalog: database %s: %w", dbName, err)
			}
			d.Owner = j.Owner
		case KindSchema:
			ns := &Namespace{}
			if err := json.Unmarshal(value, ns); err != nil {
				return fmt.Errorf("catalog: schema %s.%s: %w", dbName, schema, err)
			}
			ns.Name = schema
			db(dbName).Schemas[schema] = ns
		case KindTable:
			t := &Table{}
			if err := json.Unmarshal(value, t); err != nil {
				return fmt.Errorf("catalog: table %s.%s.%s: %w", dbName, schema, name, err)
			}
			t.Schema, t.Name = schema, name
			db(dbName).Tables[Name{schema, name}] = t
		case KindSequence:
			q := &Sequence{}
			if err := json.Unmarshal(value, q); err != nil {
				return fmt.Errorf("catalog: sequence %s.%s.%s: %w", dbName, schema, name, err)
			}
			q.Schema, q.Name = schema, name
			db(dbName).Sequences[Name{schema, name}] = q
		default:
			if ok, err := s.loadGlobal(kind, name, value); ok {
				return err
			}
			return fmt.Errorf("catalog: unknown descriptor kind %q", kind)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Writer receives the descriptor writes of a DDL change (a store transaction).
type Writer interface {
	Put(key, value []byte) error
	Delete(key []byte) error
}

// PutTable writes t's descriptor.
func PutTable(w Writer, db string, t *Table) error {
	b, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("catalog: encode table %s: %w", t.Name, err)
	}
	return w.Put(DescriptorKey(db, KindTable, t.Schema, t.Name), b)
}

// DeleteTable removes the descriptor of table n.
func DeleteTable(w Writer, db string, n Name) error {
	return w.Delete(DescriptorKey(db, KindTable, n.Schema, n.Name))
}

// PutSequence writes q's descriptor.
func PutSequence(w Writer, db string, q *Sequence) error {
	b, err := json.Marshal(q)
	if err != nil {
		return fmt.Errorf("catalog: encode sequence %s: %w", q.Name, err)
	}
	return w.Put(DescriptorKey(db, KindSequence, q.Schema, q.Name), b)
}

// DeleteSequence removes the descriptor of sequence n.
func DeleteSequence(w Writer, db string, n Name) error {
	return w.Delete(DescriptorKey(db, KindSequence, n.Schema, n.Name))
}

// PutDatabase writes a database's descriptor.
func PutDatabase(w Writer, name, owner string) error {
	b, _ := json.Marshal(struct{ Owner string }{owner})
	return w.Put(DescriptorKey(name, KindDatabase, "", ""), b)
}

// DeleteDatabase removes a database's descriptor.
func DeleteDatabase(w Writer, name string) error {
	return w.Delete(DescriptorKey(name, KindDatabase, "", ""))
}

// PutMeta writes the id counter.
func PutMeta(w Writer, s *Schema) error {
	b, _ := json.Marshal(struct{ NextID uint32 }{s.NextID})
	return w.Put(DescriptorKey("", KindMeta, "", ""), b)
}

// QualifiedName is "db.name" for messages.
func QualifiedName(parts ...string) string { return strings.Join(parts, ".") }
