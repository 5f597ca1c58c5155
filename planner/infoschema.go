package planner

import (
	"strings"

	"github.com/augurdb/augur/storage/catalog"
	"github.com/augurdb/augur/storage/types"
)

// information_schema's views, defined like pg_catalog's relations
// (pgcatalog.go) and registered in systemTables by init. The SQL standard's
// domains are their base types, as PostgreSQL sends them on the wire:
// sql_identifier is name, character_data and yes_or_no are varchar,
// cardinal_number is integer.

var (
	sqlIdentifier  = types.Name
	characterData  = types.Varchar
	yesOrNo        = types.Varchar
	cardinalNumber = types.Int4
)

func init() {
	for name, st := range map[string]*sysTable{
		"schemata": {
			cols: cols("catalog_name", sqlIdentifier, "schema_name", sqlIdentifier, "schema_owner", sqlIdentifier,
				"default_character_set_catalog", sqlIdentifier, "default_character_set_schema", sqlIdentifier,
				"default_character_set_name", sqlIdentifier, "sql_path", characterData),
			rows: schemataRows,
		},
		"tables": {
			cols: cols("table_catalog", sqlIdentifier, "table_schema", sqlIdentifier, "table_name", sqlIdentifier,
				"table_type", characterData, "self_referencing_column_name", sqlIdentifier,
				"reference_generation", characterData, "user_defined_type_catalog", sqlIdentifier,
				"user_defined_type_schema", sqlIdentifier, "user_defined_type_name", sqlIdentifier,
				"is_insertable_into", yesOrNo, "is_typed", yesOrNo, "commit_action", characterData),
			rows: infoTableRows,
		},
		"columns": {
			cols: cols("table_catalog", sqlIdentifier, "table_schema", sqlIdentifier, "table_name", sqlIdentifier,
				"column_name", sqlIdentifier, "ordinal_position", cardinalNumber, "column_default", characterData,
				"is_nullable", yesOrNo, "data_type", characterData, "character_maximum_length", cardinalNumber,
				"character_octet_length", cardinalNumber, "numeric_precision", cardinalNumber,
				"numeric_precision_radix", cardinalNumber, "numeric_scale", cardinalNumber,
				"datetime_precision", cardinalNumber, "udt_catalog", sqlIdentifier, "udt_schema", sqlIdentifier,
				"udt_name", sqlIdentifier, "is_identity", yesOrNo, "identity_generation", characterData,
				"is_generated", characterData, "is_updatable", yesOrNo),
			rows: infoColumnRows,
		},
		"table_constraints": {
			cols: cols("constraint_catalog", sqlIdentifier, "constraint_schema", sqlIdentifier,
				"constraint_name", sqlIdentifier, "table_catalog", sqlIdentifier, "table_schema", sqlIdentifier,
				"table_name", sqlIdentifier, "constraint_type", characterData, "is_deferrable", yesOrNo,
				"initially_deferred", yesOrNo, "enforced", yesOrNo, "nulls_distinct", yesOrNo),
			rows: tableConstraintRows,
		},
		"key_column_usage": {
			cols: cols("constraint_catalog", sqlIdentifier, "constraint_schema", sqlIdentifier,
				"constraint_name", sqlIdentifier, "table_catalog", sqlIdentifier, "table_schema", sqlIdentifier,
				"table_name", sqlIdentifier, "column_name", sqlIdentifier, "ordinal_position", cardinalNumber,
				"position_in_unique_constraint", cardinalNumber),
			rows: keyColumnRows,
		},
	} {
		systemTables[catalog.Name{Schema: catalog.InfoSchema, Name: name}] = st
	}
}

func yesNo(b bool) string {
	if b {
		return "YES"
	}
	return "NO"
}

func (v *catalogView) dbName() string { return v.env.Database() }

func schemataRows(v *catalogView) [][]types.Datum {
	var rows [][]types.Datum
	for _, n := range v.schemas() {
		owner := v.superuserName()
		if v.db != nil {
			if ns, ok := v.db.Schemas[n]; ok {
				owner = ns.Owner
			}
		}
		rows = append(rows, []types.Datum{v.dbName(), n, owner, nil, nil, nil, nil})
	}
	return rows
}

// superuserName is the bootstrap superuser's name (the owner of the system schemas).
func (v *catalogView) superuserName() string {
	if r, ok := v.schema.RoleByID(oidSuperuser); ok {
		return r.Name
	}
	return "postgres"
}

func infoTableRows(v *catalogView) [][]types.Datum {
	var rows [][]types.Datum
	for _, t := range v.tables() {
		if v.ns.otherTemp(t.Schema) {
			continue
		}
		kind, insertable := "BASE TABLE", "YES"
		switch {
		case t.IsView():
			kind, insertable = "VIEW", "NO"
		case catalog.IsTempSchema(t.Schema):
			kind = "LOCAL TEMPORARY"
		}
		var commit types.Datum
		switch t.OnCommit {
		case catalog.OnCommitDeleteRows:
			commit = "DELETE"
		case catalog.OnCommitDrop:
			commit = "DROP"
		default:
			if catalog.IsTempSchema(t.Schema) {
				commit = "PRESERVE"
			}
		}
		rows = append(rows, []types.Datum{v.dbName(), t.Schema, t.Name, kind, nil, nil, nil, nil, nil, insertable, "NO", commit})
	}
	return rows
}

// dataType is information_schema's data_type of a column type.
func dataType(t types.T) string {
	if t.IsArray() {
		return "ARRAY"
	}
	return t.SQLName()
}

func infoColumnRows(v *catalogView) [][]types.Datum {
	var rows [][]types.Datum
	for _, t := range v.tables() {
		if v.ns.otherTemp(t.Schema) {
			continue
		}
		for _, c := range liveColumns(t) {
			if c.Dropped {
				continue
			}
			var charMax, octet, prec, radix, scale, dtPrec types.Datum
			switch ct := c.Type; {
			case ct == types.Varchar || ct == types.Bpchar || ct == types.Text:
				octet = int64(1073741824)
				if c.Typmod >= 4 {
					charMax, octet = int64(c.Typmod-4), int64(c.Typmod-4)*4
				}
			case ct == types.Int2:
				prec, radix, scale = int64(16), int64(2), int64(0)
			case ct == types.Int4:
				prec, radix, scale = int64(32), int64(2), int64(0)
			case ct == types.Int8:
				prec, radix, scale = int64(64), int64(2), int64(0)
			case ct == types.Float4:
				prec, radix = int64(24), int64(2)
			case ct == types.Float8:
				prec, radix = int64(53), int64(2)
			case ct == types.Numeric:
				radix = int64(10)
				if p, s, ok := types.NumericTypmodParts(c.Typmod); ok {
					prec, scale = int64(p), int64(s)
				}
			case ct == types.DateT:
				dtPrec = int64(0)
			case ct == types.TimeT || ct == types.TimestampT || ct == types.TimestampTZT || ct == types.IntervalT:
				dtPrec = int64(6)
				if c.Typmod >= 0 {
					dtPrec = int64(c.Typmod)
				}
			}
			var def, gen types.Datum
			if c.Default != "" && c.Identity == "" {
				def = defaultText(c)
			}
			identity := "NO"
			if c.Identity != "" {
				identity, gen = "YES", strings.ToUpper(c.Identity)
			}
			rows = append(rows, []types.Datum{v.dbName(), t.Schema, t.Name,
				c.Name, int64(c.Num), def,
				yesNo(!c.NotNull), dataType(c.Type), charMax,
				octet, prec,
				radix, scale,
				dtPrec, v.dbName(), catalog.CatalogSchema,
				c.Type.Name(), identity, gen,
				"NEVER", yesNo(!t.IsView())})
		}
	}
	return rows
}

func tableConstraintRows(v *catalogView) [][]types.Datum {
	var rows [][]types.Datum
	add := func(t *catalog.Table, name, kind string, deferrable, deferred bool, nullsDistinct types.Datum) {
		rows = append(rows, []types.Datum{v.dbName(), t.Schema, name, v.dbName(), t.Schema, t.Name, kind,
			yesNo(deferrable), yesNo(deferred), "YES", nullsDistinct})
	}
	for _, t := range v.tables() {
		if t.IsView() || v.ns.otherTemp(t.Schema) {
			continue
		}
		for _, ix := range userIndexes(t) {
			switch {
			case ix.Primary:
				add(t, ix.Name, "PRIMARY KEY", false, false, nil)
			case ix.Constraint:
				add(t, ix.Name, "UNIQUE", false, false, "YES")
			}
		}
		for _, ck := range t.Checks {
			add(t, ck.Name, "CHECK", false, false, nil)
		}
		for _, fk := range t.ForeignKeys {
			add(t, fk.Name, "FOREIGN KEY", fk.Deferrable, fk.Deferred, nil)
		}
		for _, c := range liveColumns(t) {
			if c.NotNull && !c.Dropped {
				name := itoa(int(namespaceOID(t.Schema))) + "_" + itoa(int(t.ID)) + "_" + itoa(c.Num) + "_not_null"
				add(t, name, "CHECK", false, false, nil)
			}
		}
	}
	return rows
}

func keyColumnRows(v *catalogView) [][]types.Datum {
	var rows [][]types.Datum
	for _, t := range v.tables() {
		if t.IsView() || v.ns.otherTemp(t.Schema) {
			continue
		}
		for _, ix := range userIndexes(t) {
			if !ix.Primary && !ix.Constraint {
				continue
			}
			for i, n := range ix.Columns {
				rows = append(rows, []types.Datum{v.dbName(), t.Schema, ix.Name, v.dbName(), t.Schema, t.Name,
					t.ColumnByNum(n).Name, int64(i + 1), nil})
			}
		}
		for _, fk := range t.ForeignKeys {
			ref, _ := v.schema.TableByID(v.dbName(), fk.RefTable)
			var refIx *catalog.Index
			if ref != nil {
				refIx = ref.UniqueIndexOn(fk.RefColumns)
			}
			for i, n := range fk.Columns {
				var pos types.Datum
				if refIx != nil {
					for j, rn := range refIx.Columns {
						if i < len(fk.RefColumns) && rn == fk.RefColumns[i] {
							pos = int64(j + 1)
						}
					}
				}
				rows = append(rows, []types.Datum{v.dbName(), t.Schema, fk.Name, v.dbName(), t.Schema, t.Name,
					t.ColumnByNum(n).Name, int64(i + 1), pos})
			}
		}
	}
	return rows
}
