package planner

// PostgreSQL's convenience views over the catalogs (pg_tables, pg_views,
// pg_indexes), pg_db_role_setting, the catalogs of features Augur lacks
// (extensions, enums, languages, foreign data, event triggers, ...: columns
// and no rows, so the queries psql joins them into run), the object size functions psql's \dt+, \di+ and \l+ call, and
// the privilege inquiry functions.
//
// Sizes are estimates: Augur's store keeps rows and index entries in one
// ordered key space, not in a file per relation, so there is no byte count to
// read. A relation's size is what PostgreSQL's heap or btree would take for
// the planner's estimate of its row count: rows of the columns' widths plus
// PostgreSQL's per-tuple overhead, rounded up to 8 kB pages. An empty table
// is 0 bytes, an empty index one page (the btree metapage), a sequence one
// page, as in PostgreSQL, so listings of empty relations agree with it; a
// table whose rows could need TOAST counts the page of its TOAST index.
//
// Augur enforces no privileges: every role may do everything, so the
// has_*_privilege functions answer true for any object that exists.

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/augurdb/augur/storage/catalog"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
)

func init() {
	for name, st := range map[string]*sysTable{
		"pg_tables": {
			cols: cols("schemaname", types.Name, "tablename", types.Name, "tableowner", types.Name,
				"tablespace", types.Name, "hasindexes", types.Bool, "hasrules", types.Bool,
				"hastriggers", types.Bool, "rowsecurity", types.Bool),
			rows: tablesViewRows,
		},
		"pg_views": {
			cols: cols("schemaname", types.Name, "viewname", types.Name, "viewowner", types.Name, "definition", types.Text),
			rows: viewsViewRows,
		},
		// Role defaults (ALTER ROLE … SET), for every database.
		"pg_db_role_setting": {
			cols: cols("setdatabase", types.Oid, "setrole", types.Oid, "setconfig", textArray),
			rows: dbRoleSettingRows,
		},
		// Catalogs of features Augur lacks: their columns, no rows.
		"pg_extension": {cols: cols("oid", types.Oid, "extname", types.Name, "extowner", types.Oid, "extnamespace", types.Oid,
			"extrelocatable", types.Bool, "extversion", types.Text, "extconfig", oidArray, "extcondition", textArray)},
		"pg_enum":     {cols: cols("oid", types.Oid, "enumtypid", types.Oid, "enumsortorder", types.Float4, "enumlabel", types.Name)},
		"pg_language": {cols: cols("oid", types.Oid, "lanname", types.Name, "lanowner", types.Oid, "lanispl", types.Bool, "lanpltrusted", types.Bool, "lanplcallfoid", types.Oid, "laninline", types.Oid, "lanvalidator", types.Oid, "lanacl", textArray)},
		"pg_foreign_data_wrapper": {cols: cols("oid", types.Oid, "fdwname", types.Name, "fdwowner", types.Oid, "fdwhandler", types.Oid,
			"fdwvalidator", types.Oid, "fdwacl", textArray, "fdwoptions", textArray)},
		"pg_foreign_server": {cols: cols("oid", types.Oid, "srvname", types.Name, "srvowner", types.Oid, "srvfdw", types.Oid,
			"srvtype", types.Text, "srvversion", types.Text, "srvacl", textArray, "srvoptions", textArray)},
		"pg_foreign_table": {cols: cols("ftrelid", types.Oid, "ftserver", types.Oid, "ftoptions", textArray)},
		"pg_user_mapping":  {cols: cols("oid", types.Oid, "umuser", types.Oid, "umserver", types.Oid, "umoptions", textArray)},
		"pg_event_trigger": {cols: cols("oid", types.Oid, "evtname", types.Name, "evtevent", types.Name, "evtowner", types.Oid,
			"evtfoid", types.Oid, "evtenabled", char, "evttags", textArray)},
		"pg_conversion": {cols: cols("oid", types.Oid, "conname", types.Name, "connamespace", types.Oid, "conowner", types.Oid,
			"conforencoding", types.Int4, "contoencoding", types.Int4, "conproc", types.Text, "condefault", types.Bool)},
		"pg_default_acl": {cols: cols("oid", types.Oid, "defaclrole", types.Oid, "defaclnamespace", types.Oid, "defaclobjtype", char,
			"defaclacl", textArray)},
		"pg_indexes": {
			cols: cols("schemaname", types.Name, "tablename", types.Name, "indexname", types.Name,
				"tablespace", types.Name, "indexdef", types.Text),
			rows: indexesViewRows,
		},
	} {
		systemTables[catalog.Name{Schema: catalog.CatalogSchema, Name: name}] = st
	}
	for name, sigs := range map[string][]catalogFuncSig{
		"pg_table_size":          {{sig(types.Oid), types.Int8, sizeFunc(tableSize)}},
		"pg_relation_size":       {{sig(types.Oid), types.Int8, sizeFunc(relationSize)}, {sig(types.Oid, types.Text), types.Int8, relationForkSize}},
		"pg_indexes_size":        {{sig(types.Oid), types.Int8, sizeFunc(indexesSize)}},
		"pg_total_relation_size": {{sig(types.Oid), types.Int8, sizeFunc(totalSize)}},
		"pg_database_size":       {{sig(types.Name), types.Int8, databaseSize}, {sig(types.Oid), types.Int8, databaseSize}},
		// Tablespaces are pg_default and pg_global, whose location is "".
		"pg_tablespace_location":       {{sig(types.Oid), types.Text, func(*catalogView, []types.Datum) (types.Datum, error) { return "", nil }}},
		"pg_conversion_is_visible":     {{sig(types.Oid), types.Bool, func(*catalogView, []types.Datum) (types.Datum, error) { return true, nil }}},
		"pg_get_function_sqlbody":      {{sig(types.Oid), types.Text, func(*catalogView, []types.Datum) (types.Datum, error) { return nil, nil }}},
		"pg_statistics_obj_is_visible": {{sig(types.Oid), types.Bool, func(*catalogView, []types.Datum) (types.Datum, error) { return true, nil }}},
		"pg_size_pretty": {
			{sig(types.Int8), types.Text, func(_ *catalogView, a []types.Datum) (types.Datum, error) { return sizePretty(a[0].(int64)), nil }},
			{sig(types.Numeric), types.Text, sizePrettyNumeric},
		},
		"has_database_privilege": {
			{sig(types.Text, types.Text), types.Bool, hasDatabasePrivilege},
			{sig(types.Text, types.Text, types.Text), types.Bool, forRole(hasDatabasePrivilege)},
		},
		"has_schema_privilege": {
			{sig(types.Text, types.Text), types.Bool, hasSchemaPrivilege},
			{sig(types.Text, types.Text, types.Text), types.Bool, forRole(hasSchemaPrivilege)},
		},
		"has_table_privilege": {
			{sig(types.Text, types.Text), types.Bool, hasTablePrivilege},
			{sig(types.Oid, types.Text), types.Bool, hasTablePrivilege},
			{sig(types.Text, types.Text, types.Text), types.Bool, forRole(hasTablePrivilege)},
			{sig(types.Text, types.Oid, types.Text), types.Bool, forRole(hasTablePrivilege)},
		},
	} {
		catalogFuncs[name] = sigs
	}
}

// ownerName is the name of the owner of the database's relations.
func (v *catalogView) ownerName() string {
	n, _ := getUserByID(v, []types.Datum{v.owner()})
	return n.(string)
}

func tablesViewRows(v *catalogView) [][]types.Datum {
	var rows [][]types.Datum
	owner := v.ownerName()
	for _, t := range v.tables() {
		if t.IsView() {
			continue
		}
		rows = append(rows, []types.Datum{t.Schema, t.Name, owner, nil, len(userIndexes(t)) > 0, false, false, false})
	}
	return rows
}

func dbRoleSettingRows(v *catalogView) [][]types.Datum {
	var rows [][]types.Datum
	for _, r := range v.schema.SortedRoles() {
		if len(r.Config) == 0 {
			continue
		}
		var cs []types.Datum
		for _, c := range r.Config {
			cs = append(cs, c)
		}
		rows = append(rows, []types.Datum{int64(0), oidv(r.ID), types.NewArray(cs)})
	}
	return rows
}

func viewsViewRows(v *catalogView) [][]types.Datum {
	var rows [][]types.Datum
	owner := v.ownerName()
	for _, t := range v.tables() {
		if t.IsView() {
			rows = append(rows, []types.Datum{t.Schema, t.Name, owner, t.ViewSQL})
		}
	}
	return rows
}

func indexesViewRows(v *catalogView) [][]types.Datum {
	var rows [][]types.Datum
	for _, t := range v.tables() {
		for _, ix := range userIndexes(t) {
			def, err := getIndexDef(v, []types.Datum{oidv(indexOID(t, ix))})
			if err != nil {
				continue
			}
			rows = append(rows, []types.Datum{t.Schema, t.Name, ix.Name, nil, def})
		}
	}
	return rows
}

// Sizes as PostgreSQL lays rows out: 8 kB pages, a 24-byte tuple header and
// a 4-byte line pointer per heap tuple, 8 bytes of index tuple header and 4
// of line pointer per index entry.
const (
	pageSize         = 8192
	heapTupleHeader  = 24 + 4
	indexTupleHeader = 8 + 4
)

// pages is bytes rounded up to whole pages.
func pages(bytes int64) int64 { return (bytes + pageSize - 1) / pageSize * pageSize }

// columnWidth is the width PostgreSQL would store a value of c in, a guess
// for the variable-length types.
func columnWidth(c *catalog.Column) int64 {
	if l := c.Type.Len(); l > 0 {
		return int64(l)
	}
	if c.Typmod > 4 && c.Type.IsString() {
		return int64(c.Typmod-4)/2 + 1 // about half the declared length
	}
	return 16
}

// rowEstimate is the planner's estimate of t's row count (0 when it has none).
func (v *catalogView) rowEstimate(t *catalog.Table) int64 {
	if n, ok := v.env.RowEstimate(t.ID); ok && n > 0 {
		return n
	}
	return 0
}

// heapSize estimates the size of t's rows.
func (v *catalogView) heapSize(t *catalog.Table) int64 {
	n := v.rowEstimate(t)
	if n == 0 {
		return 0
	}
	w := int64(heapTupleHeader)
	for _, c := range liveColumns(t) {
		w += columnWidth(c)
	}
	return pages(n * w)
}

// hasToast reports whether PostgreSQL would give t a TOAST table: when a row
// could outgrow a quarter page (2032 bytes), which one column of a type with
// no bound on its length (text, bytea, json, arrays, ...) is enough for.
func hasToast(t *catalog.Table) bool {
	var n int64
	for _, c := range liveColumns(t) {
		switch {
		case c.Type.Len() > 0:
			n += int64(c.Type.Len())
		case c.Type.IsString() && c.Typmod > 4:
			n += int64(c.Typmod-4)*4 + 4 // characters of up to 4 bytes
		case c.Type == types.Numeric && c.Typmod > 4:
			n += int64((c.Typmod-4)>>16)/4*2 + 8
		case storage(c.Type) != "p":
			return true
		}
	}
	return n > 2032
}

// indexSize estimates the size of index ix of t: the metapage and its entries.
func (v *catalogView) indexSize(t *catalog.Table, ix *catalog.Index) int64 {
	w := int64(indexTupleHeader)
	for _, num := range ix.Columns {
		w += columnWidth(t.ColumnByNum(num))
	}
	return pageSize + pages(v.rowEstimate(t)*w)
}

// sizeFunc makes a size function of a relation oid: NULL for an oid that
// names no relation, as in PostgreSQL.
func sizeFunc(size func(v *catalogView, o object) int64) func(*catalogView, []types.Datum) (types.Datum, error) {
	return func(v *catalogView, a []types.Datum) (types.Datum, error) {
		o, ok := v.relByOID(uint32(a[0].(int64)))
		if !ok {
			return nil, nil
		}
		return size(v, o), nil
	}
}

// relationSize is pg_relation_size: the relation's own pages.
func relationSize(v *catalogView, o object) int64 {
	switch {
	case o.seq != nil:
		return pageSize
	case o.index != nil:
		return v.indexSize(o.table, o.index)
	case o.table.IsView():
		return 0
	}
	return v.heapSize(o.table)
}

// tableSize is pg_table_size: a table's pages with its TOAST table's, whose
// index is a page even when it is empty (the rows of the estimate are
// counted in the heap alone).
func tableSize(v *catalogView, o object) int64 {
	n := relationSize(v, o)
	if o.seq == nil && o.index == nil && !o.table.IsView() && hasToast(o.table) {
		n += pageSize
	}
	return n
}

// indexesSize is pg_indexes_size: the indexes of a table.
func indexesSize(v *catalogView, o object) int64 {
	if o.table == nil || o.index != nil || o.table.IsView() {
		return 0
	}
	var n int64
	for _, ix := range userIndexes(o.table) {
		n += v.indexSize(o.table, ix)
	}
	return n
}

// totalSize is pg_total_relation_size: a table with its indexes.
func totalSize(v *catalogView, o object) int64 { return tableSize(v, o) + indexesSize(v, o) }

// relationForkSize is pg_relation_size(rel, fork): only the main fork has
// pages in the estimate.
func relationForkSize(v *catalogView, a []types.Datum) (types.Datum, error) {
	switch fork := a[1].(string); fork {
	case "main":
		return sizeFunc(relationSize)(v, a[:1])
	case "fsm", "vm", "init":
		if _, ok := v.relByOID(uint32(a[0].(int64))); !ok {
			return nil, nil
		}
		return int64(0), nil
	default:
		return nil, pgerr.New(pgerrcode.InvalidParameterValue, "invalid fork name").
			WithHint("Valid fork names are \"main\", \"fsm\", \"vm\", and \"init\".")
	}
}

// databaseSize is pg_database_size: the estimated sizes of the database's
// tables, indexes and sequences.
func databaseSize(v *catalogView, a []types.Datum) (types.Datum, error) {
	var db *catalog.Database
	switch x := a[0].(type) {
	case string:
		db = v.schema.Databases[x]
		if db == nil {
			return nil, pgerr.New(pgerrcode.InvalidCatalogName, "database %q does not exist", x)
		}
	case int64:
		for n, d := range v.schema.Databases {
			if int64(databaseOID(n)) == x {
				db = d
			}
		}
		if db == nil {
			return nil, nil
		}
	}
	var n int64
	for _, t := range db.Tables {
		n += totalSize(v, object{table: t})
	}
	return n + int64(len(db.Sequences))*pageSize, nil
}

// sizePretty is pg_size_pretty(bigint): bytes below 10 kB, then the largest
// unit that keeps the number below 20 k (the last one a half, rounded away
// from zero), as PostgreSQL 15 prints it.
func sizePretty(size int64) string {
	if size > -10*1024 && size < 10*1024 {
		return strconv.FormatInt(size, 10) + " bytes"
	}
	halfRounded := func(x int64) int64 {
		if x < 0 {
			return (x - 1) / 2
		}
		return (x + 1) / 2
	}
	// Keep one bit more than kB for the rounding.
	size /= 1 << 9
	for _, unit := range []string{"kB", "MB", "GB", "TB"} {
		if size > -(20*1024-1) && size < 20*1024-1 {
			return fmt.Sprintf("%d %s", halfRounded(size), unit)
		}
		size /= 1 << 10
	}
	return fmt.Sprintf("%d PB", halfRounded(size))
}

// sizePrettyNumeric is pg_size_pretty(numeric) for the whole numbers a
// bigint holds (what sizes are).
func sizePrettyNumeric(_ *catalogView, a []types.Datum) (types.Datum, error) {
	n, err := types.Cast(a[0], types.Numeric, types.Int8, -1)
	if err != nil {
		return nil, pgerr.FeatureNotSupported("pg_size_pretty of a numeric beyond bigint is not supported yet")
	}
	return sizePretty(n.(int64)), nil
}

// privilegeTypes are the privileges has_*_privilege accepts, by object kind.
var privilegeTypes = map[string][]string{
	"database": {"create", "connect", "temporary", "temp"},
	"schema":   {"create", "usage"},
	"table":    {"select", "insert", "update", "delete", "truncate", "references", "trigger"},
}

// checkPrivileges checks a has_*_privilege privilege list ("SELECT, INSERT",
// each with an optional WITH GRANT OPTION).
func checkPrivileges(kind, list string) error {
	for _, p := range strings.Split(list, ",") {
		p = strings.ToLower(strings.TrimSpace(p))
		p = strings.TrimSpace(strings.TrimSuffix(p, "with grant option"))
		ok := false
		for _, q := range privilegeTypes[kind] {
			ok = ok || p == q
		}
		if !ok {
			return pgerr.New(pgerrcode.InvalidParameterValue, "unrecognized privilege type: %q", strings.TrimSpace(p))
		}
	}
	return nil
}

// forRole makes the form of a has_*_privilege function that names the role
// first: the role must exist, and has every privilege.
func forRole(fn func(*catalogView, []types.Datum) (types.Datum, error)) func(*catalogView, []types.Datum) (types.Datum, error) {
	return func(v *catalogView, a []types.Datum) (types.Datum, error) {
		if _, ok := v.schema.RoleByName(a[0].(string)); !ok {
			return nil, pgerr.New(pgerrcode.UndefinedObject, "role %q does not exist", a[0].(string))
		}
		return fn(v, a[1:])
	}
}

func hasDatabasePrivilege(v *catalogView, a []types.Datum) (types.Datum, error) {
	if err := checkPrivileges("database", a[1].(string)); err != nil {
		return nil, err
	}
	if v.schema.Databases[a[0].(string)] == nil {
		return nil, pgerr.New(pgerrcode.InvalidCatalogName, "database %q does not exist", a[0].(string))
	}
	return true, nil
}

func hasSchemaPrivilege(v *catalogView, a []types.Datum) (types.Datum, error) {
	if err := checkPrivileges("schema", a[1].(string)); err != nil {
		return nil, err
	}
	name := a[0].(string)
	if !v.ns.exists(name) {
		return nil, pgerr.New(pgerrcode.InvalidSchemaName, "schema %q does not exist", name)
	}
	return true, nil
}

func hasTablePrivilege(v *catalogView, a []types.Datum) (types.Datum, error) {
	if err := checkPrivileges("table", a[1].(string)); err != nil {
		return nil, err
	}
	switch x := a[0].(type) {
	case int64:
		if _, ok := v.relByOID(uint32(x)); !ok {
			return nil, nil
		}
	case string:
		parts, ok := splitQualified(x)
		if !ok || len(parts) > 2 {
			return nil, pgerr.New(pgerrcode.InvalidName, "invalid name syntax")
		}
		schema, name := "", parts[len(parts)-1]
		if len(parts) == 2 {
			schema = parts[0]
		}
		if _, st := v.ns.systemTable(schema, name); st != nil {
			return true, nil
		}
		if t, err := v.ns.relation(schema, name); err != nil || t == nil {
			if q := v.ns.sequence(schema, name); q == nil {
				return nil, pgerr.New(pgerrcode.UndefinedTable, "relation %q does not exist", x)
			}
		}
	}
	return true, nil
}
