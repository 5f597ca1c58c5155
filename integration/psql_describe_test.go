package integration

import (
	"context"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestPsqlDescribe runs psql's backslash commands (\l \dt \d \d table \d+ table
// \d of a view, sequence and index, \di \dv \ds \dn \du \df \dT, the +
// forms \dt+ \di+ \dv+ \ds+ \dn+ \du+ \l+ \dT+ \df+, and \dD \des \dew \det \dy
// \dc \ddp \dX \drds) against Augur and against PostgreSQL 15
// for the same schema — a table with a primary key, a unique index, a check, a
// foreign key and defaults, a view, a sequence, comments — and requires the
// same output. The objects are created by one role on both servers, so owners
// agree. The commands that list cluster-wide objects (\l, \du, \drds) are compared
// on their title, column headers and the rows of this test's database and
// role, unaligned: the other rows are other databases and roles, which differ
// by design. The tables are empty, so the sizes \dt+ and \di+ show are
// PostgreSQL's exactly (0 bytes for a table, one 8 kB page for an index or a
// sequence) even though Augur's are estimates; \l+'s database size, which in
// PostgreSQL counts the system catalogs' files, is left out of the comparison.
func TestPsqlDescribe(t *testing.T) {
	if _, err := exec.LookPath("psql"); err != nil {
		t.Skip("psql not installed")
	}
	pgURL := referencePostgres(t)
	au := startServer(t, serverOptions{logLevel: "warn"})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	const role, db = "psql_describer", "psql_describe"
	urls := map[string]string{}
	for name, admin := range map[string]string{"postgres": pgURL, "augur": au.url("augur", "disable")} {
		c, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Fatalf("%s: connect: %v", name, err)
		}
		c.Exec(ctx, "DROP DATABASE IF EXISTS "+db)
		c.Exec(ctx, "DROP ROLE IF EXISTS "+role)
		if _, err := c.Exec(ctx, "CREATE ROLE "+role+" LOGIN CREATEDB PASSWORD '"+testPassword+"'"); err != nil {
			t.Fatalf("%s: create role: %v", name, err)
		}
		if _, err := c.Exec(ctx, "ALTER ROLE "+role+" SET statement_timeout = '1min'"); err != nil {
			t.Fatalf("%s: alter role: %v", name, err)
		}
		c.Close(ctx)
		cfg, err := pgx.ParseConfig(admin)
		if err != nil {
			t.Fatal(err)
		}
		u := func(dbname string) string {
			return "postgres://" + role + ":" + testPassword + "@" + cfg.Host + ":" + strconv.Itoa(int(cfg.Port)) + "/" + dbname + "?sslmode=disable"
		}
		c, err = pgx.Connect(ctx, u(cfg.Database))
		if err != nil {
			t.Fatalf("%s: connect as %s: %v", name, role, err)
		}
		if _, err := c.Exec(ctx, "CREATE DATABASE "+db); err != nil {
			t.Fatalf("%s: create database: %v", name, err)
		}
		c.Close(ctx)
		urls[name] = u(db)
		c, err = pgx.Connect(ctx, u(db))
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			`CREATE SCHEMA shop`,
			`CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL UNIQUE, name varchar(40))`,
			`CREATE TABLE orders (
				id serial PRIMARY KEY,
				customer_id int NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
				qty int NOT NULL DEFAULT 1 CHECK (qty > 0),
				price numeric(10,2),
				note text DEFAULT 'none',
				placed timestamptz)`,
			`CREATE INDEX orders_placed_idx ON orders (placed)`,
			`CREATE UNIQUE INDEX orders_note_qty_idx ON orders (note, qty)`,
			`CREATE VIEW big_orders AS SELECT id, qty FROM orders WHERE qty > 10`,
			`CREATE SEQUENCE invoice_seq`,
			`CREATE TABLE shop.items (sku text PRIMARY KEY)`,
			`COMMENT ON TABLE orders IS 'orders placed'`,
			`COMMENT ON COLUMN orders.qty IS 'how many'`,
			`COMMENT ON SCHEMA shop IS 'the shop'`,
		} {
			if _, err := c.Exec(ctx, q); err != nil {
				t.Fatalf("%s: %s: %v", name, q, err)
			}
		}
		c.Close(ctx)
	}

	for _, cmd := range []struct {
		meta string
		// only: compare the title, the column headers and the lines holding
		// this text (unaligned output).
		only string
		// skipField: a |-separated field of the kept rows to leave out.
		skipField int
	}{
		{meta: `\dt`}, {meta: `\d`}, {meta: `\d orders`}, {meta: `\d customers`}, {meta: `\d shop.items`},
		{meta: `\dn`}, {meta: `\di`}, {meta: `\dv`}, {meta: `\ds`}, {meta: `\d+ orders`}, {meta: `\df`},
		{meta: `\d big_orders`}, {meta: `\d invoice_seq`}, {meta: `\d orders_pkey`},
		{meta: `\dT`}, {meta: `\dt shop.*`}, {meta: `\d+ customers`}, {meta: `\d orders_id_seq`},
		{meta: `\dt+`}, {meta: `\di+`}, {meta: `\dv+`}, {meta: `\ds+`}, {meta: `\dn+`}, {meta: `\dt+ shop.*`},
		// Catalogs of features Augur lacks (user types, functions, foreign
		// data, event triggers, conversions, default privileges, extended
		// statistics): the same empty listings; \drds lists ALTER ROLE … SET.
		{meta: `\dT+`}, {meta: `\df+`}, {meta: `\dD`}, {meta: `\des`}, {meta: `\dew`}, {meta: `\det`}, {meta: `\dy`},
		{meta: `\dc`}, {meta: `\ddp`}, {meta: `\dX`}, {meta: `\drds`, only: role},
		{meta: `\l`, only: db}, {meta: `\du`, only: role}, {meta: `\du+`, only: role}, {meta: `\l+`, only: db, skipField: 9},
	} {
		out := map[string]string{}
		for name, u := range urls {
			args := []string{u, "-c", cmd.meta}
			if cmd.only != "" {
				args = append(args, "-A")
			}
			o, err := psql(t, ctx, args...)
			if err != nil {
				o = "error: " + err.Error() + "\n" + o
			}
			if cmd.only != "" {
				var keep []string
				for i, l := range strings.Split(o, "\n") {
					if i >= 2 && !strings.Contains(l, cmd.only) {
						continue
					}
					if f := strings.Split(l, "|"); i >= 2 && cmd.skipField > 0 && len(f) >= cmd.skipField {
						f[cmd.skipField-1] = "(skipped)"
						l = strings.Join(f, "|")
					}
					keep = append(keep, l)
				}
				o = strings.Join(keep, "\n")
			}
			out[name] = o
		}
		if out["augur"] != out["postgres"] {
			t.Errorf("%s differs:\n--- postgres\n%s\n--- augur\n%s", cmd.meta, out["postgres"], out["augur"])
		}
	}
}
