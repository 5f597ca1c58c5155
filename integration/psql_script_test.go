package integration

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// psqlScript is a script as a user runs it with `psql -f`: it stops itself at the
// first error (\set ON_ERROR_STOP), and uses \conninfo, \timing, \x, \pset and
// \copy in both directions between the statements.
const psqlScript = `\set ON_ERROR_STOP on
\conninfo
CREATE TABLE kv (k int PRIMARY KEY, v text NOT NULL, n numeric(6,2), at date);
INSERT INTO kv VALUES (1, 'one', 1.5, '2026-01-02'), (2, 'two, "quoted"', NULL, NULL), (3, 'three', -3.25, '1999-12-31');
\timing on
SELECT count(*) AS rows FROM kv;
\timing off
\x on
SELECT * FROM kv ORDER BY k;
\x off
\copy kv TO 'OUTFILE' WITH (FORMAT csv, HEADER)
CREATE TABLE kv2 (LIKE kv);
\copy kv2 FROM 'OUTFILE' WITH (FORMAT csv, HEADER)
\copy (SELECT k, upper(v) FROM kv2 WHERE n IS NOT NULL ORDER BY k) TO STDOUT
\pset format unaligned
SELECT k, v, n FROM kv2 ORDER BY k;
\pset format aligned
\echo before the error
SELECT 1 / (SELECT count(*) - 3 FROM kv2);
\echo after the error: not reached
SELECT 'not reached';
`

// TestPsqlScript runs one script with `psql -f` against Augur and against
// PostgreSQL 15 and requires the same output and exit status (3: the script
// stopped at its error). Only what must differ is normalized: the port in
// \conninfo and the durations \timing prints.
func TestPsqlScript(t *testing.T) {
	if _, err := exec.LookPath("psql"); err != nil {
		t.Skip("psql not installed")
	}
	pgURL := referencePostgres(t)
	au := startServer(t, serverOptions{config: trustConfig, logLevel: "warn"})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	dir := t.TempDir()
	out := filepath.Join(dir, "kv.csv")
	script := filepath.Join(dir, "script.sql")
	if err := os.WriteFile(script, []byte(strings.ReplaceAll(psqlScript, "OUTFILE", out)), 0o600); err != nil {
		t.Fatal(err)
	}
	const db = "psql_script"
	port := regexp.MustCompile(`at port "\d+"`)
	timing := regexp.MustCompile(`Time: \d+\.\d+ ms`)
	type result struct {
		output, csv string
		exit        int
	}
	run := func(name, admin string) result {
		c, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Fatalf("%s: connect: %v", name, err)
		}
		c.Exec(ctx, "DROP DATABASE IF EXISTS "+db)
		if _, err := c.Exec(ctx, "CREATE DATABASE "+db); err != nil {
			t.Fatalf("%s: create database: %v", name, err)
		}
		c.Close(ctx)
		cfg, err := pgx.ParseConfig(admin)
		if err != nil {
			t.Fatal(err)
		}
		os.Remove(out)
		cmd := exec.CommandContext(ctx, "psql", "-X", "-h", cfg.Host, "-p", strconv.Itoa(int(cfg.Port)), "-U", cfg.User, "-d", db, "-f", script)
		cmd.Env = append(os.Environ(), "PGPASSWORD="+testPassword, "PGCONNECT_TIMEOUT=10")
		b, err := cmd.CombinedOutput()
		r := result{output: timing.ReplaceAllString(port.ReplaceAllString(string(b), `at port "N"`), "Time: N ms")}
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			r.exit = exit.ExitCode()
		} else if err != nil {
			t.Fatalf("%s: psql: %v", name, err)
		}
		csv, err := os.ReadFile(out)
		if err != nil {
			t.Fatalf("%s: \\copy to wrote nothing: %v\n%s", name, err, b)
		}
		r.csv = string(csv)
		return r
	}
	pg := run("postgres", pgURL)
	got := run("augur", au.url("augur", "disable"))
	if pg.exit != 3 {
		t.Fatalf("PostgreSQL: psql exited %d, want 3 (ON_ERROR_STOP)\n%s", pg.exit, pg.output)
	}
	if got.exit != pg.exit {
		t.Errorf("psql exit status: augur %d, postgres %d", got.exit, pg.exit)
	}
	if got.output != pg.output {
		t.Errorf("psql -f output differs\n--- augur\n%s\n--- postgres\n%s", got.output, pg.output)
	}
	if got.csv != pg.csv {
		t.Errorf("\\copy to file differs\n--- augur\n%s\n--- postgres\n%s", got.csv, pg.csv)
	}
	for _, want := range []string{"Time: N ms", "-[ RECORD 1 ]", "COPY 3", "ERROR:  division by zero", "before the error"} {
		if !strings.Contains(got.output, want) {
			t.Errorf("augur's psql output lacks %q", want)
		}
	}
	if strings.Contains(got.output, "not reached") {
		t.Errorf("psql went on after the error")
	}
}
