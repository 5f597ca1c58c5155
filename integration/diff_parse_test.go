package integration

import (
	"os"
	"path/filepath"
	"testing"
)

// TestDiffParse checks the case-file and differences-file readers of TestDiff.
func TestDiffParse(t *testing.T) {
	dir := t.TempDir()
	cases := filepath.Join(dir, "x.sql")
	src := "-- a comment\nSELECT 1;\n\n-- @ordered\nSELECT 2\n  FROM t\n  ORDER BY 1;\n-- @conn other\nSELECT 3;\n"
	if err := os.WriteFile(cases, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	stmts, err := parseDiffFile(cases)
	if err != nil {
		t.Fatal(err)
	}
	want := []diffStatement{
		{file: "x.sql", line: 2, sql: "SELECT 1;", conn: "main"},
		{file: "x.sql", line: 5, sql: "SELECT 2\n  FROM t\n  ORDER BY 1;", conn: "main", ordered: true},
		{file: "x.sql", line: 9, sql: "SELECT 3;", conn: "other"},
	}
	if len(stmts) != len(want) {
		t.Fatalf("got %d statements, want %d: %+v", len(stmts), len(want), stmts)
	}
	for i := range want {
		if stmts[i] != want[i] {
			t.Errorf("statement %d: got %+v, want %+v", i, stmts[i], want[i])
		}
	}

	for _, bad := range []string{"SELECT 1", "-- @bogus\nSELECT 1;", "-- @conn\nSELECT 1;"} {
		if err := os.WriteFile(cases, []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := parseDiffFile(cases); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}

	diffs := filepath.Join(dir, "differences.txt")
	if err := os.WriteFile(diffs, []byte("# c\nfile: x.sql\nstmt: SELECT 2   FROM t ORDER BY 1;\nwhy: because\n  it is so\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	known, err := parseDifferences(diffs)
	if err != nil {
		t.Fatal(err)
	}
	d := known[stmts[1].key()]
	if d == nil || d.why != "because it is so" {
		t.Fatalf("entry not found by its statement: %+v", known)
	}
	if err := os.WriteFile(diffs, []byte("file: x.sql\nwhy: no statement\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := parseDifferences(diffs); err == nil {
		t.Error("an entry without stmt: was accepted")
	}
}
