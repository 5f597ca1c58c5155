package integration

import (
	"context"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// tempSchemaOf returns the name of c's temp schema (pg_temp_N), which
// current_schemas(true) lists first once the session created a temp table.
func tempSchemaOf(t *testing.T, ctx context.Context, c *pgx.Conn) string {
	t.Helper()
	var schemas []string
	if err := c.QueryRow(ctx, `SELECT current_schemas(true)`).Scan(&schemas); err != nil {
		t.Fatalf("current_schemas: %v", err)
	}
	if len(schemas) == 0 || !strings.HasPrefix(schemas[0], "pg_temp_") {
		t.Fatalf("current_schemas(true) = %v: no temp schema first", schemas)
	}
	return schemas[0]
}

// TestTempTableLifetime checks that a session's temporary tables are its own, go
// away when its client disconnects (without a word), and do not survive a crash
// of the server.
func TestTempTableLifetime(t *testing.T) {
	s := startServer(t, serverOptions{config: trustConfig})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	owner := sqlConnect(t, ctx, s.url("augur", "disable"))
	other := sqlConnect(t, ctx, s.url("augur", "disable"))
	mustExec(t, ctx, owner, `CREATE TEMP TABLE tt (id serial PRIMARY KEY, v text)`, `INSERT INTO tt (v) VALUES ('a'), ('b')`)
	checkRows(t, ctx, owner, `SELECT v FROM tt ORDER BY id`, "a", "b")
	temp := tempSchemaOf(t, ctx, owner)
	checkError(t, ctx, other, `SELECT * FROM tt`, "42P01")
	checkError(t, ctx, other, `SELECT * FROM `+temp+`.tt`, "0A000")

	// The client goes away: its temp schema is dropped by the server.
	if err := owner.Close(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := other.Exec(ctx, `SELECT * FROM `+temp+`.tt`)
		if pgCode(err) == "42P01" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s.tt still there after its session ended: %v", temp, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The same name is free for a new session's temp table.
	mustExec(t, ctx, other, `CREATE TEMP TABLE tt (x int)`, `INSERT INTO tt VALUES (7)`)
	checkRows(t, ctx, other, `SELECT * FROM tt`, "7")

	// A crash: the temp tables of live sessions do not come back.
	crashed := tempSchemaOf(t, ctx, other)
	mustExec(t, ctx, other, `CREATE TABLE keep (x int)`, `INSERT INTO keep VALUES (1)`)
	if err := s.stop(syscall.SIGKILL, 10*time.Second); err == nil {
		t.Fatal("augur exited cleanly after SIGKILL")
	}
	s2 := startServer(t, serverOptions{config: trustConfig, dataDir: s.dataDir})
	c := sqlConnect(t, ctx, s2.url("augur", "disable"))
	checkRows(t, ctx, c, `SELECT * FROM keep`, "1")
	checkError(t, ctx, c, `SELECT * FROM tt`, "42P01")
	// Whichever session now has that number, the old table is gone.
	checkError(t, ctx, c, `SELECT * FROM `+crashed+`.tt`, "42P01")
	// And after a clean shutdown as well.
	mustExec(t, ctx, c, `CREATE TEMP TABLE tt2 (x int)`)
	if err := s2.stop(syscall.SIGTERM, 10*time.Second); err != nil {
		t.Fatalf("clean stop: %v", err)
	}
	s3 := startServer(t, serverOptions{config: trustConfig, dataDir: s.dataDir})
	c3 := sqlConnect(t, ctx, s3.url("augur", "disable"))
	checkError(t, ctx, c3, `SELECT * FROM tt2`, "42P01")
	checkRows(t, ctx, c3, `SELECT * FROM keep`, "1")
}
