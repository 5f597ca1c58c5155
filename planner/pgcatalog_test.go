package planner

import (
	"strings"
	"testing"
)

// TestSystemCatalogs checks that the pg_catalog relations and functions psql's
// \d family reads describe the objects a session created: columns with their
// types, nullability and defaults, indexes, constraints, comments, name
// resolution (unqualified names find pg_catalog first) and reg* casts.
func TestSystemCatalogs(t *testing.T) {
	p := New()
	env := newStoreEnv(t)
	for _, q := range []string{
		`CREATE SCHEMA app`,
		`CREATE TABLE parent (id int PRIMARY KEY, code text UNIQUE)`,
		`CREATE TABLE orders (id serial PRIMARY KEY, parent_id int REFERENCES parent(id) ON DELETE CASCADE, qty int NOT NULL DEFAULT 1 CHECK (qty > 0), note varchar(20))`,
		`CREATE INDEX orders_qty_idx ON orders (qty)`,
		`CREATE VIEW big AS SELECT id FROM orders WHERE qty > 10`,
		`CREATE SEQUENCE app.s1`,
		`CREATE TABLE app.hidden (x int)`,
		`COMMENT ON TABLE orders IS 'the orders'`,
		`COMMENT ON COLUMN orders.qty IS 'how many'`,
	} {
		if out := run(p, env, q, nil); !strings.HasPrefix(out, "tag:") {
			t.Fatalf("%s: %s", q, out)
		}
	}
	cases := []struct{ query, want string }{
		{`SELECT n.nspname, c.relname, c.relkind FROM pg_catalog.pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		  WHERE n.nspname IN ('public', 'app') ORDER BY 1, 2`,
			"app | hidden | r\napp | s1 | S\npublic | big | v\npublic | orders | r\npublic | orders_id_seq | S\npublic | orders_pkey | i\n" +
				"public | orders_qty_idx | i\npublic | parent | r\npublic | parent_code_key | i\npublic | parent_pkey | i"},
		{`SELECT relname, pg_table_is_visible(oid) FROM pg_class WHERE relname IN ('orders', 'hidden', 's1') ORDER BY 1`,
			"hidden | f\norders | t\ns1 | f"},
		{`SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid, true), col_description(a.attrelid, a.attnum)
		  FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
		  WHERE a.attrelid = 'orders'::regclass AND a.attnum > 0 ORDER BY a.attnum`,
			"id | integer | t | nextval('orders_id_seq'::regclass) | NULL\nparent_id | integer | f | NULL | NULL\n" +
				"qty | integer | t | 1 | how many\nnote | character varying(20) | f | NULL | NULL"},
		{`SELECT conname, contype, pg_get_constraintdef(oid, true), conrelid::regclass FROM pg_constraint
		  WHERE conrelid = 'public.orders'::regclass ORDER BY 1`,
			"orders_parent_id_fkey | f | FOREIGN KEY (parent_id) REFERENCES parent(id) ON DELETE CASCADE | orders\n" +
				"orders_pkey | p | PRIMARY KEY (id) | orders\norders_qty_check | c | CHECK (qty > 0) | orders"},
		{`SELECT c2.relname, i.indisprimary, i.indisunique, pg_get_indexdef(i.indexrelid, 0, true) FROM pg_index i
		  JOIN pg_class c2 ON c2.oid = i.indexrelid WHERE i.indrelid = 'orders'::regclass ORDER BY 1`,
			"orders_pkey | t | t | CREATE UNIQUE INDEX orders_pkey ON orders USING btree (id)\n" +
				"orders_qty_idx | f | f | CREATE INDEX orders_qty_idx ON orders USING btree (qty)"},
		{`SELECT obj_description('orders'::regclass, 'pg_class'), obj_description('parent'::regclass)`, "the orders | NULL"},
		{`SELECT relname FROM pg_class WHERE relname OPERATOR(pg_catalog.~) '^(orders)$' COLLATE pg_catalog.default`, "orders"},
		{`SELECT nspname FROM pg_namespace WHERE nspname !~ '^pg_' ORDER BY 1`, "app\ninformation_schema\npublic"},
		{`SELECT 'app.s1'::regclass::regclass, 'int4'::regtype::oid, 23::regtype, 'app'::regnamespace::oid = (SELECT oid FROM pg_namespace WHERE nspname = 'app')`,
			"app.s1 | 23 | integer | t"},
		{`SELECT datname, pg_encoding_to_char(encoding) FROM pg_database`, "augur | UTF8"},
		{`SELECT count(*) FROM pg_proc`, "0"},
		{`SELECT table_schema, table_name, table_type FROM information_schema.tables WHERE table_schema IN ('public', 'app') ORDER BY 2`,
			"public | big | VIEW\napp | hidden | BASE TABLE\npublic | orders | BASE TABLE\npublic | parent | BASE TABLE"},
		{`SELECT column_name, is_nullable, data_type, character_maximum_length, column_default FROM information_schema.columns
		  WHERE table_name = 'orders' ORDER BY ordinal_position`,
			"id | NO | integer | NULL | nextval('orders_id_seq'::regclass)\nparent_id | YES | integer | NULL | NULL\n" +
				"qty | NO | integer | NULL | 1\nnote | YES | character varying | 20 | NULL"},
		{`SELECT k.constraint_name, k.column_name, t.constraint_type FROM information_schema.key_column_usage k
		  JOIN information_schema.table_constraints t USING (constraint_name) WHERE k.table_name = 'orders' ORDER BY 1`,
			"orders_parent_id_fkey | parent_id | FOREIGN KEY\norders_pkey | id | PRIMARY KEY"},
		{`SELECT count(*) FROM tables`, `error 42P01: relation "tables" does not exist (position 22)`},
		{`SELECT 'nope'::regclass`, `error 42P01: relation "nope" does not exist`},
		{`SELECT * FROM pg_catalog.nope`, `error 42P01: relation "pg_catalog.nope" does not exist`},
	}
	for _, c := range cases {
		out := run(p, env, c.query, nil)
		var got []string
		for _, l := range strings.Split(out, "\n") {
			switch {
			case strings.HasPrefix(l, "row: "):
				got = append(got, strings.TrimPrefix(l, "row: "))
			case strings.HasPrefix(l, "error"):
				got = append(got, l)
			}
		}
		if g := strings.Join(got, "\n"); g != c.want {
			t.Errorf("%s:\n got: %s\nwant: %s\n(full output: %s)", c.query, g, c.want, out)
		}
	}
}
