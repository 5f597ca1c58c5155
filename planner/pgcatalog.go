package planner

// System catalogs. pg_catalog and information_schema are virtual schemas: no
// descriptor is stored for their relations. Each relation is defined once in
// systemTables — its columns with PostgreSQL's types and a generator that
// derives its rows from the session's catalog.Schema when the statement runs —
// and is bound as a function scan over that generator, so joins, filters and
// sorts over the catalogs are ordinary plans and always see the schema the
// session's transaction sees. Clients (psql's \d family, drivers) read them by
// PostgreSQL's names; relations for features Augur lacks exist with their
// columns and no rows, so the queries that join them still run.
//
// Object identifiers: a table, view or sequence has its catalog id as oid;
// types have PostgreSQL's OIDs; pg_catalog is 11, public 2200,
// information_schema 13000 and other schemas and databases get a stable oid
// derived from their name. Indexes and constraints, which have no global id,
// get oids derived from their table's id (indexOID, constraintOID).

import (
	"hash/fnv"
	"slices"
	"sort"
	"strings"

	"github.com/augurdb/augur/planner/exec"
	"github.com/augurdb/augur/planner/pgdialect"
	"github.com/augurdb/augur/storage/catalog"
	"github.com/augurdb/augur/storage/types"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// sysCol is one column of a system relation.
type sysCol struct {
	name string
	t    types.T
}

// sysTable is one relation of a system schema: its columns and the generator
// of its rows (nil: the relation is always empty).
type sysTable struct {
	cols []sysCol
	rows func(v *catalogView) [][]types.Datum
}

// catalogView is what a row generator reads: the session's schema and database.
type catalogView struct {
	env    Env
	schema *catalog.Schema
	db     *catalog.Database // nil when the session's database is gone
	ns     *names
}

func newCatalogView(env Env) *catalogView {
	s := env.Schema()
	return &catalogView{env: env, schema: s, db: s.Databases[env.Database()], ns: newNames(env, s)}
}

// Well-known oids.
const (
	oidCatalogNamespace = 11
	oidPublicNamespace  = 2200
	oidInfoNamespace    = 13000
	oidHeapAM           = 2
	oidBtreeAM          = 403
	oidDefaultCollation = 100
	oidSuperuser        = catalog.BootstrapSuperuserID
	encodingUTF8        = 6
)

// nameOID is a stable oid for an object known only by name (schemas,
// databases), above the ids the catalog hands out.
func nameOID(kind, name string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write([]byte(name))
	return 0x40000000 | h.Sum32()&0x1fffffff
}

// namespaceOID is the oid of schema name.
func namespaceOID(name string) uint32 {
	switch name {
	case catalog.CatalogSchema:
		return oidCatalogNamespace
	case catalog.PublicSchema:
		return oidPublicNamespace
	case catalog.InfoSchema:
		return oidInfoNamespace
	}
	return nameOID("schema", name)
}

// databaseOID is the oid of database name.
func databaseOID(name string) uint32 { return nameOID("database", name) }

// indexOID is the oid of the index ix of table t.
func indexOID(t *catalog.Table, ix *catalog.Index) uint32 {
	return 0x80000000 | (t.ID&0x3fffff)<<7 | ix.ID&0x7f
}

// Constraint kinds for constraintOID.
const (
	conIndex = 1 // PRIMARY KEY, UNIQUE: n is the index id
	conCheck = 2
	conFK    = 3
)

// constraintOID is the oid of the n-th constraint of a kind of table t.
func constraintOID(t *catalog.Table, kind, n int) uint32 {
	return uint32(kind)<<29 | (t.ID&0x3fffff)<<7 | uint32(n)&0x7f
}

// attrdefOID is the oid of the default of column num of table t.
func attrdefOID(t *catalog.Table, num int) uint32 {
	return 0x20000000 | (t.ID&0x3fffff)<<7 | uint32(num)&0x7f
}

// roleOID is the oid of the role named name (0 when there is none).
func (v *catalogView) roleOID(name string) int64 {
	if r, ok := v.schema.RoleByName(name); ok {
		return int64(r.ID)
	}
	return 0
}

// owner is the oid of the owner of the database's objects that record none
// (tables, views, indexes, sequences): the database's owner.
func (v *catalogView) owner() int64 {
	if v.db == nil {
		return oidSuperuser
	}
	if id := v.roleOID(v.db.Owner); id != 0 {
		return id
	}
	return oidSuperuser
}

// schemas are the schemas of the database, system ones first, then by name.
func (v *catalogView) schemas() []string {
	out := slices.Clone(catalog.SystemSchemas)
	if v.db == nil {
		return out
	}
	var stored []string
	for n := range v.db.Schemas {
		stored = append(stored, n)
	}
	sort.Strings(stored)
	return append(out, stored...)
}

// tables are the database's tables and views ordered by id.
func (v *catalogView) tables() []*catalog.Table {
	if v.db == nil {
		return nil
	}
	var out []*catalog.Table
	for _, t := range v.db.Tables {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// sequences are the database's sequences ordered by id.
func (v *catalogView) sequences() []*catalog.Sequence {
	if v.db == nil {
		return nil
	}
	var out []*catalog.Sequence
	for _, q := range v.db.Sequences {
		out = append(out, q)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// userIndexes are the indexes of t that PostgreSQL would show: not the
// primary index on a table's hidden row id.
func userIndexes(t *catalog.Table) []*catalog.Index {
	var out []*catalog.Index
	for i := range t.Indexes {
		ix := &t.Indexes[i]
		if ix.Primary && !t.HasPrimaryKey() {
			continue
		}
		out = append(out, ix)
	}
	return out
}

// liveColumns are the columns of t PostgreSQL would list (hidden row id left out).
func liveColumns(t *catalog.Table) []*catalog.Column {
	var out []*catalog.Column
	for i := range t.Columns {
		if c := &t.Columns[i]; !c.Hidden {
			out = append(out, c)
		}
	}
	return out
}

func oidv(id uint32) types.Datum { return int64(id) }
func textOrNull(s string) types.Datum {
	if s == "" {
		return nil
	}
	return s
}

var (
	oidArray, _  = types.ArrayOf(types.Oid)
	textArray, _ = types.ArrayOf(types.Text)
	int2Array, _ = types.ArrayOf(types.Int2)
)

// cols builds a column list from name/type pairs.
func cols(spec ...any) []sysCol {
	out := make([]sysCol, 0, len(spec)/2)
	for i := 0; i+1 < len(spec); i += 2 {
		out = append(out, sysCol{spec[i].(string), spec[i+1].(types.T)})
	}
	return out
}

// "char" columns (relkind, contype, ...) are text: Augur has no "char" type;
// clients compare them with literals and print them, which text does alike.
var char = types.Text

// systemTables are the relations of the system schemas, by schema and name.
var systemTables = map[catalog.Name]*sysTable{
	{Schema: catalog.CatalogSchema, Name: "pg_namespace"}: {
		cols: cols("oid", types.Oid, "nspname", types.Name, "nspowner", types.Oid, "nspacl", textArray),
		rows: namespaceRows,
	},
	{Schema: catalog.CatalogSchema, Name: "pg_class"}: {
		cols: cols("oid", types.Oid, "relname", types.Name, "relnamespace", types.Oid, "reltype", types.Oid,
			"reloftype", types.Oid, "relowner", types.Oid, "relam", types.Oid, "relfilenode", types.Oid,
			"reltablespace", types.Oid, "relpages", types.Int4, "reltuples", types.Float4, "relallvisible", types.Int4,
			"reltoastrelid", types.Oid, "relhasindex", types.Bool, "relisshared", types.Bool, "relpersistence", char,
			"relkind", char, "relnatts", types.Int2, "relchecks", types.Int2, "relhasrules", types.Bool,
			"relhastriggers", types.Bool, "relhassubclass", types.Bool, "relrowsecurity", types.Bool,
			"relforcerowsecurity", types.Bool, "relispopulated", types.Bool, "relreplident", char,
			"relispartition", types.Bool, "relrewrite", types.Oid, "relacl", textArray, "reloptions", textArray,
			"relpartbound", types.Text),
		rows: classRows,
	},
	{Schema: catalog.CatalogSchema, Name: "pg_attribute"}: {
		cols: cols("attrelid", types.Oid, "attname", types.Name, "atttypid", types.Oid, "attstattarget", types.Int4,
			"attlen", types.Int2, "attnum", types.Int2, "attndims", types.Int4, "attcacheoff", types.Int4,
			"atttypmod", types.Int4, "attbyval", types.Bool, "attalign", char, "attstorage", char,
			"attcompression", char, "attnotnull", types.Bool, "atthasdef", types.Bool, "atthasmissing", types.Bool,
			"attidentity", char, "attgenerated", char, "attisdropped", types.Bool, "attislocal", types.Bool,
			"attinhcount", types.Int4, "attcollation", types.Oid, "attacl", textArray, "attoptions", textArray,
			"attfdwoptions", textArray),
		rows: attributeRows,
	},
	{Schema: catalog.CatalogSchema, Name: "pg_type"}: {
		cols: cols("oid", types.Oid, "typname", types.Name, "typnamespace", types.Oid, "typowner", types.Oid,
			"typlen", types.Int2, "typbyval", types.Bool, "typtype", char, "typcategory", char,
			"typispreferred", types.Bool, "typisdefined", types.Bool, "typdelim", char, "typrelid", types.Oid,
			"typelem", types.Oid, "typarray", types.Oid, "typnotnull", types.Bool, "typbasetype", types.Oid,
			"typtypmod", types.Int4, "typndims", types.Int4, "typcollation", types.Oid, "typdefault", types.Text,
			"typacl", textArray),
		rows: typeRows,
	},
	{Schema: catalog.CatalogSchema, Name: "pg_index"}: {
		cols: cols("indexrelid", types.Oid, "indrelid", types.Oid, "indnatts", types.Int2, "indnkeyatts", types.Int2,
			"indisunique", types.Bool, "indnullsnotdistinct", types.Bool, "indisprimary", types.Bool,
			"indisexclusion", types.Bool, "indimmediate", types.Bool, "indisclustered", types.Bool,
			"indisvalid", types.Bool, "indcheckxmin", types.Bool, "indisready", types.Bool, "indislive", types.Bool,
			"indisreplident", types.Bool, "indkey", int2Array, "indexprs", types.Text, "indpred", types.Text),
		rows: indexRows,
	},
	{Schema: catalog.CatalogSchema, Name: "pg_constraint"}: {
		cols: cols("oid", types.Oid, "conname", types.Name, "connamespace", types.Oid, "contype", char,
			"condeferrable", types.Bool, "condeferred", types.Bool, "convalidated", types.Bool, "conrelid", types.Oid,
			"contypid", types.Oid, "conindid", types.Oid, "conparentid", types.Oid, "confrelid", types.Oid,
			"confupdtype", char, "confdeltype", char, "confmatchtype", char, "conislocal", types.Bool,
			"coninhcount", types.Int4, "connoinherit", types.Bool, "conkey", int2Array, "confkey", int2Array,
			"conbin", types.Text),
		rows: constraintRows,
	},
	{Schema: catalog.CatalogSchema, Name: "pg_attrdef"}: {
		cols: cols("oid", types.Oid, "adrelid", types.Oid, "adnum", types.Int2, "adbin", types.Text),
		rows: attrdefRows,
	},
	{Schema: catalog.CatalogSchema, Name: "pg_database"}: {
		cols: cols("oid", types.Oid, "datname", types.Name, "datdba", types.Oid, "encoding", types.Int4,
			"datlocprovider", char, "datistemplate", types.Bool, "datallowconn", types.Bool,
			"datconnlimit", types.Int4, "dattablespace", types.Oid, "datcollate", types.Text, "datctype", types.Text,
			"daticulocale", types.Text, "datcollversion", types.Text, "datacl", textArray),
		rows: databaseRows,
	},
	{Schema: catalog.CatalogSchema, Name: "pg_roles"}: {
		cols: roleCols(),
		rows: roleRows,
	},
	{Schema: catalog.CatalogSchema, Name: "pg_auth_members"}: {
		cols: cols("roleid", types.Oid, "member", types.Oid, "grantor", types.Oid, "admin_option", types.Bool),
		rows: authMemberRows,
	},
	{Schema: catalog.CatalogSchema, Name: "pg_description"}: {
		cols: cols("objoid", types.Oid, "classoid", types.Oid, "objsubid", types.Int4, "description", types.Text),
		rows: descriptionRows,
	},
	{Schema: catalog.CatalogSchema, Name: "pg_am"}: {
		cols: cols("oid", types.Oid, "amname", types.Name, "amhandler", types.Text, "amtype", char),
		rows: func(*catalogView) [][]types.Datum {
			return [][]types.Datum{{oidv(oidHeapAM), "heap", "heap_tableam_handler", "t"}, {oidv(oidBtreeAM), "btree", "bthandler", "i"}}
		},
	},
	{Schema: catalog.CatalogSchema, Name: "pg_collation"}: {
		cols: cols("oid", types.Oid, "collname", types.Name, "collnamespace", types.Oid, "collowner", types.Oid,
			"collprovider", char, "collisdeterministic", types.Bool, "collencoding", types.Int4,
			"collcollate", types.Text, "collctype", types.Text),
		rows: func(*catalogView) [][]types.Datum {
			return [][]types.Datum{{oidv(oidDefaultCollation), "default", oidv(oidCatalogNamespace), oidv(oidSuperuser), "d", true, int64(-1), nil, nil}}
		},
	},
	{Schema: catalog.CatalogSchema, Name: "pg_proc"}: {
		cols: cols("oid", types.Oid, "proname", types.Name, "pronamespace", types.Oid, "proowner", types.Oid,
			"prolang", types.Oid, "prokind", char, "proretset", types.Bool, "provolatile", char,
			"pronargs", types.Int2, "prorettype", types.Oid, "proargtypes", oidArray, "prosrc", types.Text,
			"prosecdef", types.Bool, "proleakproof", types.Bool, "proisstrict", types.Bool, "proparallel", char,
			"provariadic", types.Oid, "procost", types.Float4, "prorows", types.Float4, "proallargtypes", oidArray,
			"proargmodes", textArray, "proargnames", textArray, "proconfig", textArray, "proacl", textArray),
	},
	{Schema: catalog.CatalogSchema, Name: "pg_range"}: {
		cols: cols("rngtypid", types.Oid, "rngsubtype", types.Oid, "rngmultitypid", types.Oid, "rngcollation", types.Oid,
			"rngsubopc", types.Oid, "rngcanonical", types.Text, "rngsubdiff", types.Text),
	},
	{Schema: catalog.CatalogSchema, Name: "pg_inherits"}: {
		cols: cols("inhrelid", types.Oid, "inhparent", types.Oid, "inhseqno", types.Int4, "inhdetachpending", types.Bool),
	},
	// Augur has no partitioned tables: pg_partitioned_table is empty (pgbench
	// asks whether pgbench_accounts is partitioned).
	{Schema: catalog.CatalogSchema, Name: "pg_partitioned_table"}: {
		cols: cols("partrelid", types.Oid, "partstrat", char, "partnatts", types.Int2, "partdefid", types.Oid,
			"partattrs", int2Array, "partclass", oidArray, "partcollation", oidArray, "partexprs", types.Text),
	},
	{Schema: catalog.CatalogSchema, Name: "pg_policy"}: {
		cols: cols("oid", types.Oid, "polname", types.Name, "polrelid", types.Oid, "polcmd", char,
			"polpermissive", types.Bool, "polroles", oidArray, "polqual", types.Text, "polwithcheck", types.Text),
	},
	{Schema: catalog.CatalogSchema, Name: "pg_trigger"}: {
		cols: cols("oid", types.Oid, "tgrelid", types.Oid, "tgparentid", types.Oid, "tgname", types.Name,
			"tgfoid", types.Oid, "tgtype", types.Int2, "tgenabled", char, "tgisinternal", types.Bool),
	},
	{Schema: catalog.CatalogSchema, Name: "pg_rewrite"}: {
		cols: cols("oid", types.Oid, "rulename", types.Name, "ev_class", types.Oid, "ev_type", char,
			"ev_enabled", char, "is_instead", types.Bool),
	},
	{Schema: catalog.CatalogSchema, Name: "pg_statistic_ext"}: {
		cols: cols("oid", types.Oid, "stxrelid", types.Oid, "stxname", types.Name, "stxnamespace", types.Oid,
			"stxowner", types.Oid, "stxstattarget", types.Int4, "stxkeys", int2Array, "stxkind", textArray),
	},
	{Schema: catalog.CatalogSchema, Name: "pg_publication"}: {
		cols: cols("oid", types.Oid, "pubname", types.Name, "pubowner", types.Oid, "puballtables", types.Bool,
			"pubinsert", types.Bool, "pubupdate", types.Bool, "pubdelete", types.Bool, "pubtruncate", types.Bool,
			"pubviaroot", types.Bool),
	},
	{Schema: catalog.CatalogSchema, Name: "pg_publication_namespace"}: {
		cols: cols("oid", types.Oid, "pnpubid", types.Oid, "pnnspid", types.Oid),
	},
	{Schema: catalog.CatalogSchema, Name: "pg_publication_rel"}: {
		cols: cols("oid", types.Oid, "prpubid", types.Oid, "prrelid", types.Oid, "prqual", types.Text, "prattrs", int2Array),
	},
	{Schema: catalog.CatalogSchema, Name: "pg_tablespace"}: {
		cols: cols("oid", types.Oid, "spcname", types.Name, "spcowner", types.Oid, "spcacl", textArray, "spcoptions", textArray),
		rows: func(*catalogView) [][]types.Datum {
			return [][]types.Datum{{int64(1663), "pg_default", oidv(oidSuperuser), nil, nil}, {int64(1664), "pg_global", oidv(oidSuperuser), nil, nil}}
		},
	},
	{Schema: catalog.CatalogSchema, Name: "pg_sequence"}: {
		cols: cols("seqrelid", types.Oid, "seqtypid", types.Oid, "seqstart", types.Int8, "seqincrement", types.Int8,
			"seqmax", types.Int8, "seqmin", types.Int8, "seqcache", types.Int8, "seqcycle", types.Bool),
		rows: sequenceRows,
	},
	{Schema: catalog.CatalogSchema, Name: "pg_depend"}: {
		cols: cols("classid", types.Oid, "objid", types.Oid, "objsubid", types.Int4, "refclassid", types.Oid,
			"refobjid", types.Oid, "refobjsubid", types.Int4, "deptype", char),
		rows: dependRows,
	},
	{Schema: catalog.CatalogSchema, Name: "pg_settings"}: {
		cols: cols("name", types.Text, "setting", types.Text, "unit", types.Text, "category", types.Text,
			"short_desc", types.Text, "context", types.Text, "vartype", types.Text, "source", types.Text),
		rows: settingRows,
	},
}

func namespaceRows(v *catalogView) [][]types.Datum {
	var rows [][]types.Datum
	for _, n := range v.schemas() {
		owner := int64(oidSuperuser)
		var acl types.Datum
		if v.db != nil {
			if ns, ok := v.db.Schemas[n]; ok {
				if ns.Owner == catalog.PublicOwner {
					// PostgreSQL 15's public schema: its owner may create,
					// everyone may use.
					acl = types.NewArray([]types.Datum{catalog.PublicOwner + "=UC/" + catalog.PublicOwner, "=U/" + catalog.PublicOwner})
					owner = v.roleOID(catalog.PublicOwner)
					if owner == 0 {
						owner = 6171 // PostgreSQL's pg_database_owner
					}
				} else if id := v.roleOID(ns.Owner); id != 0 {
					owner = id
				}
			}
		}
		rows = append(rows, []types.Datum{oidv(namespaceOID(n)), n, owner, acl})
	}
	return rows
}

func persistence(schema string) string {
	if catalog.IsTempSchema(schema) {
		return "t"
	}
	return "p"
}

func classRows(v *catalogView) [][]types.Datum {
	var rows [][]types.Datum
	owner := v.owner()
	referenced := map[uint32]bool{}
	for _, t := range v.tables() {
		for _, fk := range t.ForeignKeys {
			referenced[t.ID], referenced[fk.RefTable] = true, true
		}
	}
	row := func(oid uint32, name, schema, kind string, natts, checks int, hasIndex bool, am uint32, replident string) {
		rows = append(rows, []types.Datum{oidv(oid), name, oidv(namespaceOID(schema)), int64(0),
			int64(0), owner, oidv(am), oidv(oid),
			int64(0), int64(0), float64(-1), int64(0),
			int64(0), hasIndex, false, persistence(schema),
			kind, int64(natts), int64(checks), kind == "v",
			referenced[oid], false, false,
			false, true, replident,
			false, int64(0), nil, nil,
			nil})
	}
	for _, t := range v.tables() {
		if t.IsView() {
			row(t.ID, t.Name, t.Schema, "v", len(liveColumns(t)), 0, false, 0, "n")
			continue
		}
		ixs := userIndexes(t)
		row(t.ID, t.Name, t.Schema, "r", len(liveColumns(t)), len(t.Checks), len(ixs) > 0, oidHeapAM, "d")
		for _, ix := range ixs {
			row(indexOID(t, ix), ix.Name, t.Schema, "i", len(ix.Columns), 0, false, oidBtreeAM, "n")
		}
	}
	for _, q := range v.sequences() {
		row(q.ID, q.Name, q.Schema, "S", 3, 0, false, 0, "n")
	}
	return rows
}

// collationOf is attcollation / typcollation: the default collation for the
// collatable (string) types.
func collationOf(t types.T) int64 {
	if t.IsArray() {
		t = t.Elem()
	}
	if t.IsString() && t != types.Name {
		return oidDefaultCollation
	}
	if t == types.Name {
		return 950 // PostgreSQL's "C" collation, name's own
	}
	return 0
}

func byval(t types.T) bool {
	l := t.Len()
	return l > 0 && l <= 8 && t != types.Name && t != types.UUIDT && t != types.IntervalT
}

func align(t types.T) string {
	switch l := t.Len(); {
	case t.IsArray(), t == types.Float8, t == types.Int8, t == types.TimestampT, t == types.TimestampTZT, t == types.TimeT, t == types.IntervalT, t == types.Numeric:
		if t == types.Numeric {
			return "i"
		}
		return "d"
	case l == 2:
		return "s"
	case l == 1, t == types.Name, t == types.UUIDT, t.IsString() && l < 0, t == types.Bool:
		if l < 0 {
			return "i"
		}
		return "c"
	}
	return "i"
}

func storage(t types.T) string {
	switch {
	case t.Len() > 0 || t == types.Name:
		return "p"
	case t == types.Numeric:
		return "m"
	}
	return "x"
}

func attributeRows(v *catalogView) [][]types.Datum {
	var rows [][]types.Datum
	for _, t := range v.tables() {
		for _, c := range liveColumns(t) {
			name := c.Name
			if c.Dropped {
				name = "........pg.dropped." + itoa(c.Num) + "........"
			}
			identity := ""
			switch c.Identity {
			case "always":
				identity = "a"
			case "by default":
				identity = "d"
			}
			ndims := int64(0)
			if c.Type.IsArray() {
				ndims = 1
			}
			rows = append(rows, []types.Datum{oidv(t.ID), name, oidv(c.Type.OID()), int64(-1),
				int64(c.Type.Len()), int64(c.Num), ndims, int64(-1),
				int64(c.Typmod), byval(c.Type), align(c.Type), storage(c.Type),
				"", c.NotNull, c.Default != "" && c.Identity == "", false,
				identity, "", c.Dropped, true,
				int64(0), collationOf(c.Type), nil, nil,
				nil})
		}
		for _, ix := range userIndexes(t) {
			for i, num := range ix.Columns {
				c := t.ColumnByNum(num)
				rows = append(rows, []types.Datum{oidv(indexOID(t, ix)), c.Name, oidv(c.Type.OID()), int64(-1),
					int64(c.Type.Len()), int64(i + 1), int64(0), int64(-1),
					int64(c.Typmod), byval(c.Type), align(c.Type), storage(c.Type),
					"", false, false, false,
					"", "", false, true,
					int64(0), collationOf(c.Type), nil, nil,
					nil})
			}
		}
	}
	return rows
}

// baseTypes are the types Augur implements, by PostgreSQL OID.
var baseTypes = []types.T{types.Bool, types.Bytea, types.Name, types.Int8, types.Int2, types.Int4, types.Text,
	types.Oid, types.JSON, types.Float4, types.Float8, types.Unknown, types.Bpchar, types.Varchar, types.DateT,
	types.TimeT, types.TimestampT, types.TimestampTZT, types.IntervalT, types.Numeric, types.Void, types.UUIDT, types.JSONB, types.Regtype}

func typeRows(*catalogView) [][]types.Datum {
	var rows [][]types.Datum
	row := func(t types.T, elem, array uint32) {
		typtype := "b"
		if t.Category() == types.CatPseudo {
			typtype = "p"
		}
		rows = append(rows, []types.Datum{oidv(t.OID()), t.Name(), oidv(oidCatalogNamespace), oidv(oidSuperuser),
			int64(t.Len()), byval(t), typtype, string(rune(t.Category())),
			false, true, ",", int64(0),
			oidv(elem), oidv(array), false, int64(0),
			int64(-1), int64(0), collationOf(t), nil,
			nil})
	}
	for _, t := range baseTypes {
		arr, ok := types.ArrayOf(t)
		if !ok {
			row(t, 0, 0)
			continue
		}
		row(t, 0, arr.OID())
		row(arr, t.OID(), 0)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i][0].(int64) < rows[j][0].(int64) })
	return rows
}

func indexRows(v *catalogView) [][]types.Datum {
	var rows [][]types.Datum
	for _, t := range v.tables() {
		for _, ix := range userIndexes(t) {
			var key []types.Datum
			for _, n := range ix.Columns {
				key = append(key, int64(n))
			}
			rows = append(rows, []types.Datum{oidv(indexOID(t, ix)), oidv(t.ID), int64(len(ix.Columns)), int64(len(ix.Columns)),
				ix.Unique || ix.Primary, false, ix.Primary,
				false, true, false,
				true, false, true, true,
				false, types.NewArray(key), nil, nil})
		}
	}
	return rows
}

func intArray(nums []int) *types.Array {
	var out []types.Datum
	for _, n := range nums {
		out = append(out, int64(n))
	}
	return types.NewArray(out)
}

// fkAction maps a foreign key action to pg_constraint's letter.
func fkAction(a catalog.FKAction) string {
	if a == "" {
		return string(catalog.FKNoAction)
	}
	return string(a)
}

func constraintRows(v *catalogView) [][]types.Datum {
	var rows [][]types.Datum
	for _, t := range v.tables() {
		nsp := oidv(namespaceOID(t.Schema))
		for _, ix := range userIndexes(t) {
			if !ix.Constraint && !ix.Primary {
				continue
			}
			kind := "u"
			if ix.Primary {
				kind = "p"
			}
			rows = append(rows, []types.Datum{oidv(constraintOID(t, conIndex, int(ix.ID))), ix.Name, nsp, kind,
				false, false, true, oidv(t.ID),
				int64(0), oidv(indexOID(t, ix)), int64(0), int64(0),
				" ", " ", " ", true,
				int64(0), true, intArray(ix.Columns), nil,
				nil})
		}
		for i, ck := range t.Checks {
			rows = append(rows, []types.Datum{oidv(constraintOID(t, conCheck, i)), ck.Name, nsp, "c",
				false, false, !ck.NotValid, oidv(t.ID),
				int64(0), int64(0), int64(0), int64(0),
				" ", " ", " ", true,
				int64(0), false, intArray(columnsIn(t, ck.Expr)), nil,
				ck.Expr})
		}
		for i, fk := range t.ForeignKeys {
			ref, _ := v.schema.TableByID(v.env.Database(), fk.RefTable)
			refOID, refIx := int64(0), int64(0)
			var refCols []types.Datum
			if ref != nil {
				refOID = int64(ref.ID)
				if ix := ref.UniqueIndexOn(fk.RefColumns); ix != nil {
					refIx = int64(indexOID(ref, ix))
				}
				for _, n := range fk.RefColumns {
					refCols = append(refCols, int64(n))
				}
			}
			match := "s"
			if fk.MatchFull {
				match = "f"
			}
			rows = append(rows, []types.Datum{oidv(constraintOID(t, conFK, i)), fk.Name, nsp, "f",
				fk.Deferrable, fk.Deferred, !fk.NotValid, oidv(t.ID),
				int64(0), refIx, int64(0), refOID,
				fkAction(fk.OnUpdate), fkAction(fk.OnDelete), match, true,
				int64(0), true, intArray(fk.Columns), types.NewArray(refCols),
				nil})
		}
	}
	return rows
}

func attrdefRows(v *catalogView) [][]types.Datum {
	var rows [][]types.Datum
	for _, t := range v.tables() {
		for _, c := range liveColumns(t) {
			if c.Default != "" && c.Identity == "" && !c.Dropped {
				rows = append(rows, []types.Datum{oidv(attrdefOID(t, c.Num)), oidv(t.ID), int64(c.Num), defaultText(c)})
			}
		}
	}
	return rows
}

func databaseRows(v *catalogView) [][]types.Datum {
	var names []string
	for n := range v.schema.Databases {
		names = append(names, n)
	}
	sort.Strings(names)
	collate := "C"
	if s, err := v.env.Var("lc_collate"); err == nil && s != "" {
		collate = s
	}
	ctype := collate
	if s, err := v.env.Var("lc_ctype"); err == nil && s != "" {
		ctype = s
	}
	var rows [][]types.Datum
	for _, n := range names {
		d := v.schema.Databases[n]
		owner := v.roleOID(d.Owner)
		rows = append(rows, []types.Datum{oidv(databaseOID(n)), n, owner, int64(encodingUTF8),
			"c", false, true,
			int64(-1), int64(1663), collate, ctype,
			nil, nil, nil})
	}
	return rows
}

func roleCols() []sysCol {
	return cols("rolname", types.Name, "rolsuper", types.Bool, "rolinherit", types.Bool, "rolcreaterole", types.Bool,
		"rolcreatedb", types.Bool, "rolcanlogin", types.Bool, "rolreplication", types.Bool, "rolconnlimit", types.Int4,
		"rolpassword", types.Text, "rolvaliduntil", types.TimestampTZT, "rolbypassrls", types.Bool,
		"rolconfig", textArray, "oid", types.Oid)
}

func roleRows(v *catalogView) [][]types.Datum {
	var rows [][]types.Datum
	for _, r := range v.schema.SortedRoles() {
		var until, config types.Datum
		if r.ValidUntil != nil {
			until = types.TimestampTZ(*r.ValidUntil)
		}
		if len(r.Config) > 0 {
			var cs []types.Datum
			for _, c := range r.Config {
				cs = append(cs, c)
			}
			config = types.NewArray(cs)
		}
		rows = append(rows, []types.Datum{r.Name, r.Superuser, r.Inherit(), r.CreateRole,
			r.CreateDB, r.CanLogin, r.Replication, int64(r.ConnLimit),
			"********", until, r.BypassRLS,
			config, oidv(r.ID)})
	}
	return rows
}

func authMemberRows(v *catalogView) [][]types.Datum {
	var rows [][]types.Datum
	for _, r := range v.schema.SortedRoles() {
		for _, m := range r.MemberOf {
			rows = append(rows, []types.Datum{oidv(m.Role), oidv(r.ID), oidv(m.Grantor), m.Admin})
		}
	}
	return rows
}

// Class oids of the catalogs pg_description's classoid names.
const (
	oidPgClass     = 1259
	oidPgNamespace = 2615
)

func descriptionRows(v *catalogView) [][]types.Datum {
	var rows [][]types.Datum
	add := func(obj uint32, class int64, sub int, text string) {
		if text != "" {
			rows = append(rows, []types.Datum{oidv(obj), class, int64(sub), text})
		}
	}
	for _, t := range v.tables() {
		add(t.ID, oidPgClass, 0, t.Comment)
		for _, c := range liveColumns(t) {
			add(t.ID, oidPgClass, c.Num, c.Comment)
		}
		for _, ix := range userIndexes(t) {
			add(indexOID(t, ix), oidPgClass, 0, ix.Comment)
		}
	}
	for _, q := range v.sequences() {
		add(q.ID, oidPgClass, 0, q.Comment)
	}
	if v.db != nil {
		for _, n := range v.schemas() {
			if ns, ok := v.db.Schemas[n]; ok {
				add(namespaceOID(n), oidPgNamespace, 0, ns.Comment)
			}
		}
	}
	return rows
}

func settingRows(v *catalogView) [][]types.Datum {
	var rows [][]types.Datum
	for _, s := range v.env.ShowAll() {
		rows = append(rows, []types.Datum{s.Name, s.Value, nil, nil, s.Description, "user", "string", "default"})
	}
	return rows
}

// systemTable finds the system relation a name denotes: schema "" searches
// the path (pg_catalog first unless the path places it; a stored relation of
// a schema searched earlier wins).
func (n *names) systemTable(schema, name string) (string, *sysTable) {
	if schema != "" {
		return schema, systemTables[catalog.Name{Schema: schema, Name: name}]
	}
	if n.db == nil {
		return "", nil
	}
	for _, s := range n.effective() {
		if catalog.IsSystemSchema(s) {
			if st := systemTables[catalog.Name{Schema: s, Name: name}]; st != nil {
				return s, st
			}
			continue
		}
		if _, ok := n.db.Tables[catalog.Name{Schema: s, Name: name}]; ok {
			return "", nil
		}
	}
	return "", nil
}

// systemSource binds a FROM item naming a system relation: a function scan
// whose rows are generated from the session's catalog at execution. ok is
// false when the name denotes no system relation.
func (b *binder) systemSource(tn *ast.TableName, alias string) (*relation, bool, error) {
	schema := tn.Schema.O
	if strings.Contains(schema, catalogSep) {
		return nil, false, nil
	}
	schemaName, st := b.ns.systemTable(schema, tn.Name.O)
	if st == nil {
		return nil, false, nil
	}
	name := tn.Name.O
	qualifier := ""
	if alias == "" {
		alias, qualifier = name, schemaName
	}
	gen := st.rows
	tc := &exec.TableCall{Name: name, Width: len(st.cols), Rows: func(c *exec.Ctx, _ []types.Datum) (exec.Iter, error) {
		env, ok := c.Session.(Env)
		if !ok || gen == nil {
			return exec.SliceRows(nil), nil
		}
		return exec.SliceRows(gen(newCatalogView(env))), nil
	}}
	label := "Seq Scan on " + name
	if alias != name {
		label += " " + alias
	}
	fs := &exec.FunctionScan{Calls: []*exec.TableCall{tc}, Info: exec.NodeInfo{Name: label, Rows: 100, Cost: 1}}
	r := &relation{name: alias, schema: qualifier, fn: fs, offset: b.sc.width, width: len(st.cols), est: 100}
	if err := b.addRel(r); err != nil {
		return nil, true, err
	}
	for i, c := range st.cols {
		b.sc.cols = append(b.sc.cols, scopeCol{rel: alias, schema: qualifier, name: c.name, t: c.t, typmod: -1, idx: r.offset + i})
	}
	return r, true, nil
}

// columnsIn are the attribute numbers of the columns of t an expression names,
// in order (a check constraint's conkey).
func columnsIn(t *catalog.Table, expr string) []int {
	toks, err := pgdialect.Lex(expr)
	if err != nil {
		return nil
	}
	var nums []int
	for _, tok := range toks {
		if tok.Kind != pgdialect.Ident && tok.Kind != pgdialect.QIdent {
			continue
		}
		if c, ok := t.Column(tok.Val); ok && !c.Hidden && !slices.Contains(nums, c.Num) {
			nums = append(nums, c.Num)
		}
	}
	sort.Ints(nums)
	return nums
}

// defaultText is a column default as PostgreSQL's deparser prints it: a
// string constant carries the column type's cast ('x'::text).
func defaultText(c *catalog.Column) string {
	d := strings.TrimSpace(c.Default)
	if toks, err := pgdialect.Lex(d); err == nil && len(toks) > 0 && toks[0].Kind == pgdialect.String &&
		(len(toks) == 1 || len(toks) == 2 && toks[1].Kind == pgdialect.EOF) {
		return d + "::" + types.FormatType(c.Type, -1)
	}
	return nextvalArg.ReplaceAllString(d, "nextval('$1'::regclass)")
}

func sequenceRows(v *catalogView) [][]types.Datum {
	var rows [][]types.Datum
	for _, q := range v.sequences() {
		typ := q.TypeOID
		if typ == 0 {
			typ = types.OIDInt8
		}
		cache := q.Cache
		if cache == 0 {
			cache = 1
		}
		rows = append(rows, []types.Datum{oidv(q.ID), oidv(typ), q.Start, q.Increment, q.Max, q.Min, cache, q.Cycle})
	}
	return rows
}

// dependRows are pg_depend's rows for what clients read: a sequence owned by
// a column (deptype 'a', 'i' for an identity column's).
func dependRows(v *catalogView) [][]types.Datum {
	var rows [][]types.Datum
	for _, q := range v.sequences() {
		tname, cname, ok := strings.Cut(q.OwnedBy, ".")
		if !ok || v.db == nil {
			continue
		}
		t, ok := v.db.Tables[catalog.Name{Schema: q.Schema, Name: tname}]
		if !ok {
			continue
		}
		c, ok := t.Column(cname)
		if !ok {
			continue
		}
		kind := "a"
		if c.Identity != "" {
			kind = "i"
		}
		rows = append(rows, []types.Datum{int64(oidPgClass), oidv(q.ID), int64(0), int64(oidPgClass), oidv(t.ID), int64(c.Num), kind})
	}
	return rows
}

// catalogOIDs are PostgreSQL's oids of its system catalogs (pg_depend and
// pg_description name catalogs by them: classid = 'pg_class'::regclass).
var catalogOIDs = map[string]uint32{
	"pg_type": 1247, "pg_attribute": 1249, "pg_proc": 1255, "pg_class": oidPgClass, "pg_database": 1262,
	"pg_authid": 1260, "pg_auth_members": 1261, "pg_attrdef": 2604, "pg_constraint": 2606,
	"pg_depend": 2608, "pg_description": 2609, "pg_index": 2610, "pg_namespace": oidPgNamespace,
	"pg_am": 2601, "pg_collation": 3456, "pg_sequence": 2224, "pg_inherits": 2611, "pg_partitioned_table": 3350, "pg_trigger": 2620,
	"pg_rewrite": 2618, "pg_policy": 3256, "pg_range": 3541, "pg_extension": 3079, "pg_enum": 3501,
	"pg_language": 2612, "pg_foreign_data_wrapper": 2328, "pg_foreign_server": 1417, "pg_foreign_table": 3118,
	"pg_user_mapping": 1418, "pg_event_trigger": 3466, "pg_conversion": 2607, "pg_default_acl": 826,
	"pg_db_role_setting": 2964, "pg_tablespace": 1213, "pg_statistic_ext": 3381,
	"pg_publication": 6104, "pg_publication_namespace": 6237, "pg_publication_rel": 6106,
}

// systemTableOID is the oid of a system relation: PostgreSQL's for its
// catalogs, a stable one derived from the name for the views.
func systemTableOID(schema, name string) uint32 {
	if id, ok := catalogOIDs[name]; ok && schema == catalog.CatalogSchema {
		return id
	}
	return nameOID("relation", schema+"."+name)
}
