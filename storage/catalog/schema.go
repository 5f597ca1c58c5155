package catalog

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Schemas (PostgreSQL's namespaces). Every table, view, index and sequence lives in
// one schema of its database; a database starts with PublicSchema. A session's
// temporary objects live in a schema of its own, TempSchemaPrefix followed by a
// number unique among live sessions (pg_temp_3), created at its first CREATE
// TEMP and dropped with its objects when the session ends (and, for sessions that
// never got to, at the next start of the server).
//
// The system schemas (SystemSchemas: pg_catalog, information_schema) are not
// stored: they are virtual, their names reserved, and the relations in them are
// provided by the planner from the catalog itself (catalog views), not by
// descriptors. A database's Schemas map therefore holds only stored schemas.
const (
	PublicSchema     = "public"
	PublicOwner      = "pg_database_owner"
	CatalogSchema    = "pg_catalog"
	InfoSchema       = "information_schema"
	TempSchemaPrefix = "pg_temp_"
)

// SystemSchemas are the virtual schemas every database has.
var SystemSchemas = []string{CatalogSchema, InfoSchema}

// IsSystemSchema reports whether name is a virtual system schema.
func IsSystemSchema(name string) bool {
	return name == CatalogSchema || name == InfoSchema
}

// IsTempSchema reports whether name is the name of some session's temp schema.
func IsTempSchema(name string) bool { return strings.HasPrefix(name, TempSchemaPrefix) }

// Name is a schema-qualified object name.
type Name struct {
	Schema, Name string
}

// String is schema.name, as PostgreSQL's messages print qualified names.
func (n Name) String() string { return n.Schema + "." + n.Name }

// Namespace is one stored schema.
type Namespace struct {
	Name    string `json:"-"`
	Owner   string
	Comment string `json:",omitempty"`
	// Temp marks a session's temporary schema (pg_temp_N).
	Temp bool `json:",omitempty"`
}

// PutNamespace writes a schema's descriptor.
func PutNamespace(w Writer, db string, ns *Namespace) error {
	b, err := json.Marshal(ns)
	if err != nil {
		return fmt.Errorf("catalog: encode schema %s: %w", ns.Name, err)
	}
	return w.Put(DescriptorKey(db, KindSchema, ns.Name, ""), b)
}

// DeleteNamespace removes a schema's descriptor.
func DeleteNamespace(w Writer, db, name string) error {
	return w.Delete(DescriptorKey(db, KindSchema, name, ""))
}

// InSchema returns the tables (and views) and sequences of schema name, the
// tables in name order.
func (d *Database) InSchema(name string) ([]*Table, []*Sequence) {
	var ts []*Table
	var qs []*Sequence
	for n, t := range d.Tables {
		if n.Schema == name {
			ts = append(ts, t)
		}
	}
	for n, q := range d.Sequences {
		if n.Schema == name {
			qs = append(qs, q)
		}
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].Name < ts[j].Name })
	sort.Slice(qs, func(i, j int) bool { return qs[i].Name < qs[j].Name })
	return ts, qs
}
