package planner

import (
	"testing"

	"github.com/augurdb/augur/storage/catalog"
)

// TestCommentsStored checks that COMMENT ON keeps its text in the descriptors
// (where obj_description and col_description will read it) and that IS NULL
// removes it.
func TestCommentsStored(t *testing.T) {
	p := New()
	env := newStoreEnv(t)
	for _, q := range []string{
		`CREATE SCHEMA s`,
		`CREATE TABLE s.t (a int PRIMARY KEY, b text)`,
		`CREATE INDEX t_b_idx ON s.t (b)`,
		`CREATE SEQUENCE s.q`,
		`CREATE VIEW s.v AS SELECT a FROM s.t`,
		`COMMENT ON SCHEMA s IS 'schema s'`,
		`COMMENT ON TABLE s.t IS 'table t'`,
		`COMMENT ON COLUMN s.t.b IS 'column b'`,
		`COMMENT ON INDEX s.t_b_idx IS 'index'`,
		`COMMENT ON SEQUENCE s.q IS 'sequence'`,
		`COMMENT ON VIEW s.v IS 'view'`,
		`COMMENT ON VIEW s.v IS NULL`,
	} {
		if out := run(p, env, q, nil); out[:4] != "tag:" {
			t.Fatalf("%s: %s", q, out)
		}
	}
	db := env.eng.Catalog.Current().Databases["augur"]
	tbl := db.Tables[catalog.Name{Schema: "s", Name: "t"}]
	col, _ := tbl.Column("b")
	checks := map[string][2]string{
		"schema":   {db.Schemas["s"].Comment, "schema s"},
		"table":    {tbl.Comment, "table t"},
		"column":   {col.Comment, "column b"},
		"index":    {tbl.Indexes[1].Comment, "index"},
		"sequence": {db.Sequences[catalog.Name{Schema: "s", Name: "q"}].Comment, "sequence"},
		"view":     {db.Tables[catalog.Name{Schema: "s", Name: "v"}].Comment, ""},
	}
	for what, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s comment %q, want %q", what, c[0], c[1])
		}
	}
}
