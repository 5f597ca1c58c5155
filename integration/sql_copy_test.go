package integration

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestCopy exercises COPY FROM STDIN and COPY TO STDOUT through pgx: the
// text, csv and binary formats, the normal insert path's checks, errors with
// PostgreSQL's COPY context, and the transaction a failed COPY leaves.
func TestCopy(t *testing.T) {
	s := startServer(t, serverOptions{logLevel: "info"})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := connect(t, ctx, s.url("augur", "disable"))
	exec := func(sql string) {
		t.Helper()
		if _, err := c.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	exec(`CREATE TABLE t (id int PRIMARY KEY, name text NOT NULL, score numeric DEFAULT 7, note text)`)
	pc := c.PgConn()

	copyIn := func(sql, data string) (pgconn.CommandTag, error) {
		return pc.CopyFrom(ctx, strings.NewReader(data), sql)
	}
	copyOut := func(sql string) string {
		t.Helper()
		var buf bytes.Buffer
		tag, err := pc.CopyTo(ctx, &buf, sql)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		if !strings.HasPrefix(tag.String(), "COPY ") {
			t.Fatalf("%s: tag %q", sql, tag)
		}
		return buf.String()
	}

	tag, err := copyIn(`COPY t (id, name, note) FROM STDIN`, "1\talice\t\\N\n2\tbob\ttab\\there\n3\tc\\\\d\tx\n")
	if err != nil || tag.String() != "COPY 3" {
		t.Fatalf("COPY FROM text: %v, %v", tag, err)
	}
	if got, want := copyOut(`COPY t TO STDOUT`), "1\talice\t7\t\\N\n2\tbob\t7\ttab\\there\n3\tc\\\\d\t7\tx\n"; got != want {
		t.Fatalf("COPY TO text = %q, want %q", got, want)
	}
	tag, err = copyIn(`COPY t (id, name, score, note) FROM STDIN WITH (FORMAT csv, HEADER)`, "id,name,score,note\n4,\"d,e\",1.5,\n5,\"multi\nline\",2,\"\"\n")
	if err != nil || tag.String() != "COPY 2" {
		t.Fatalf("COPY FROM csv: %v, %v", tag, err)
	}
	if got, want := copyOut(`COPY (SELECT id, name, note FROM t WHERE id >= 4 ORDER BY id) TO STDOUT WITH CSV HEADER`),
		"id,name,note\n4,\"d,e\",\n5,\"multi\nline\",\"\"\n"; got != want {
		t.Fatalf("COPY TO csv = %q, want %q", got, want)
	}

	// A bad row: nothing of the COPY is kept, the error names the line and column.
	_, err = copyIn(`COPY t (id, name) FROM STDIN`, "10\tok\n11x\tbad\n")
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "22P02" || pe.Where != `COPY t, line 2, column id: "11x"` {
		t.Fatalf("bad value: %#v", err)
	}
	_, err = copyIn(`COPY t (id, name) FROM STDIN`, "12\tok\n13\n")
	if !errors.As(err, &pe) || pe.Code != "22P04" || pe.Message != `missing data for column "name"` || pe.Where != `COPY t, line 2: "13"` {
		t.Fatalf("missing column: %#v", err)
	}
	_, err = copyIn(`COPY t (id, name) FROM STDIN`, "14\tok\n1\tdup\n")
	if !errors.As(err, &pe) || pe.Code != "23505" || pe.Where != `COPY t, line 2` {
		t.Fatalf("duplicate: %#v", err)
	}
	var n int
	if err := c.QueryRow(ctx, `SELECT count(*) FROM t WHERE id >= 10`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("rows of failed COPYs: %d, %v", n, err)
	}

	// Binary, through pgx's CopyFrom (COPY … FROM STDIN BINARY).
	rows := [][]any{{20, "x", 1.25, nil}, {21, "y", nil, "z"}}
	cnt, err := c.CopyFrom(ctx, pgx.Identifier{"t"}, []string{"id", "name", "score", "note"}, pgx.CopyFromRows(rows))
	if err != nil || cnt != 2 {
		t.Fatalf("pgx CopyFrom: %d, %v", cnt, err)
	}
	if got, want := copyOut(`COPY (SELECT id, name, score, note FROM t WHERE id >= 20 ORDER BY id) TO STDOUT`), "20\tx\t1.25\t\\N\n21\ty\t\\N\tz\n"; got != want {
		t.Fatalf("after binary COPY = %q, want %q", got, want)
	}
	bin := copyOut(`COPY (SELECT id FROM t WHERE id = 20) TO STDOUT WITH (FORMAT binary)`)
	want := "PGCOPY\n\xff\r\n\x00" + "\x00\x00\x00\x00" + "\x00\x00\x00\x00" + "\x00\x01" + "\x00\x00\x00\x04\x00\x00\x00\x14" + "\xff\xff"
	if bin != want {
		t.Fatalf("COPY TO binary = %q, want %q", bin, want)
	}

	// In a block: the COPY's rows are the block's; a failed COPY fails the block.
	exec(`BEGIN`)
	if _, err := copyIn(`COPY t (id, name) FROM STDIN`, "30\tin block\n"); err != nil {
		t.Fatal(err)
	}
	exec(`ROLLBACK`)
	if err := c.QueryRow(ctx, `SELECT count(*) FROM t WHERE id = 30`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("rolled-back COPY left %d rows, %v", n, err)
	}

	// FREEZE is accepted (pgbench); a server file is refused.
	exec(`BEGIN`)
	exec(`TRUNCATE t`)
	if _, err := copyIn(`copy t from stdin with (freeze on)`, "40\tf\t1\t\\N\n"); err != nil {
		t.Fatal(err)
	}
	exec(`COMMIT`)
	if _, err := c.Exec(ctx, `COPY t FROM '/etc/passwd'`); pgCode(err) != "0A000" {
		t.Fatalf("COPY FROM a file: %v", err)
	}
}

// TestCopyPsql runs psql's \copy against Augur: a file in and a file out.
func TestCopyPsql(t *testing.T) {
	s := startServer(t, serverOptions{logLevel: "info"})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	var data strings.Builder
	for i := 1; i <= 1000; i++ {
		fmt.Fprintf(&data, "%d,name %d,\"q\"\"%d\"\n", i, i, i)
	}
	if err := os.WriteFile(in, []byte(data.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.csv")
	script := fmt.Sprintf("CREATE TABLE p (id int PRIMARY KEY, a text, b text);\n\\copy p from '%s' with csv\n\\copy p to '%s' with csv\nSELECT count(*) FROM p;\n", in, out)
	f := filepath.Join(dir, "script.sql")
	os.WriteFile(f, []byte(script), 0o600)
	got, err := psql(t, ctx, "-d", s.url("augur", "disable"), "-f", f)
	if err != nil {
		t.Fatalf("psql: %v\n%s", err, got)
	}
	if !strings.Contains(got, "COPY 1000") || !strings.Contains(got, "1000") {
		t.Fatalf("psql output:\n%s", got)
	}
	b, err := os.ReadFile(out)
	if err != nil || string(b) != data.String() {
		t.Fatalf("\\copy to wrote %d bytes (%v), want the input back", len(b), err)
	}
}
