package planner

import (
	"context"
	"testing"

	"github.com/rs/zerolog"

	"github.com/augurdb/augur/storage/store"
	"github.com/augurdb/augur/storage/types"
)

// TestPreparedFollowsSearchPath: a prepared statement binds its table names
// along the search path of each execution, not the one it was prepared under
// (Execute compares the setting's text first and re-plans when it changed).
func TestPreparedFollowsSearchPath(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir(), store.Options{CheckpointTimeout: -1, AsyncCommit: true}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(ctx)
	eng, err := NewEngine(ctx, st, map[string]string{"augur": "augur"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := eng.Connect("augur", "augur", store.TxnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, q := range []string{`CREATE SCHEMA a`, `CREATE SCHEMA b`,
		`CREATE TABLE a.t (v int)`, `CREATE TABLE b.t (v int)`,
		`INSERT INTO a.t VALUES (1)`, `INSERT INTO b.t VALUES (2)`,
		`SET search_path = a`} {
		if _, err := c.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	s, err := c.Prepare(`SELECT v FROM t`)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path string
		want int64
	}{
		{"a", 1},
		{"b", 2},
		{"B, a", 2},
		{"\"$user\", a, b", 1},
		{"pg_catalog, b", 2},
		{"a", 1},
	} {
		if _, err := c.Exec(ctx, "SET search_path = "+tt.path); err != nil {
			t.Fatal(err)
		}
		var got []int64
		if _, err := s.Query(ctx, nil, func(row []types.Datum) error {
			got = append(got, row[0].(int64))
			return nil
		}); err != nil {
			t.Fatalf("search_path %s: %v", tt.path, err)
		}
		if len(got) != 1 || got[0] != tt.want {
			t.Errorf("search_path %s: SELECT v FROM t = %v, want [%d]", tt.path, got, tt.want)
		}
	}
}
