package integration

// Drivers against Augur: pgx v5 (extended protocol, binary formats, batches and
// pipeline mode, type loading), database/sql through lib/pq and through pgx's
// stdlib, and the goose migration tool. These are the programs Augur's users
// connect with; each test uses the driver's public API as an application would,
// so a failure here is one a user would see.
//
// What Augur cannot do yet is listed in driverGaps: such a step is skipped with
// the error it gave, and fails the test once it works (so the list stays true).

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/lib/pq"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"
	"github.com/pressly/goose/v3/lock"
)

// driverGaps names the driver steps that fail on Augur today, with why. A step
// listed here that succeeds fails the test.
var driverGaps = map[string]string{
	"pgx/LoadType composite": "a table's row type is a composite type in PostgreSQL; Augur has no composite (nor domain or enum) types, so there is none to load",
}

// gap runs step: when it is a listed gap it must still fail (the test skips
// with the error); otherwise it must succeed.
func gap(t *testing.T, name string, step func() error) bool {
	t.Helper()
	err := step()
	why, listed := driverGaps[name]
	switch {
	case listed && err == nil:
		t.Errorf("%s works now: remove it from driverGaps (%s)", name, why)
	case listed:
		t.Logf("%s: known gap (%s): %v", name, why, err)
		return false
	case err != nil:
		t.Errorf("%s: %v", name, err)
		return false
	}
	return true
}

// driverDatabase creates a fresh database on Augur and returns its URL.
func driverDatabase(t *testing.T, ctx context.Context, au *server, db string) string {
	t.Helper()
	c := sqlConnect(t, ctx, au.url("augur", "disable"))
	for _, q := range []string{"DROP DATABASE IF EXISTS " + db, "CREATE DATABASE " + db} {
		if _, err := c.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return au.url(db, "disable")
}

func TestDriverPgx(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	au := startServer(t, serverOptions{config: trustConfig, logLevel: "warn"})
	conn := sqlConnect(t, ctx, driverDatabase(t, ctx, au, "drivers_pgx"))

	t.Run("binary", func(t *testing.T) {
		// Every type Augur has, sent as a parameter and read back, both in pgx's
		// binary format.
		ts := time.Date(2024, 2, 29, 13, 14, 15, 123456000, time.UTC)
		var num pgtype.Numeric
		if err := num.Scan("-12345.6789"); err != nil {
			t.Fatal(err)
		}
		uuid := pgtype.UUID{Bytes: [16]byte{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 1, 2, 3, 4, 5, 6, 7, 8}, Valid: true}
		tests := []struct {
			typ  string
			in   any
			out  any // a pointer to scan into
			want any // what out points to afterwards (in when nil)
		}{
			{"bool", true, new(bool), nil},
			{"int2", int16(-32768), new(int16), nil},
			{"int4", int32(2147483647), new(int32), nil},
			{"int8", int64(-9223372036854775808), new(int64), nil},
			{"float4", float32(1.5), new(float32), nil},
			{"float8", 2.718281828459045, new(float64), nil},
			{"numeric", num, new(pgtype.Numeric), nil},
			{"numeric(10,2)", num, new(pgtype.Numeric), pgtype.Numeric{Int: big.NewInt(-1234568), Exp: -2, Valid: true}},
			{"text", "héllo, wörld", new(string), nil},
			{"varchar(5)", "abc", new(string), nil},
			{"char(5)", "abc", new(string), "abc  "},
			{"bytea", []byte{0, 1, 2, 255}, new([]byte), nil},
			{"date", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), new(time.Time), nil},
			{"time", pgtype.Time{Microseconds: (13*3600+14*60+15)*1e6 + 5, Valid: true}, new(pgtype.Time), nil},
			{"timestamp", ts, new(time.Time), nil},
			{"timestamptz", ts, new(time.Time), nil},
			{"interval", pgtype.Interval{Months: 14, Days: 3, Microseconds: 4000001, Valid: true}, new(pgtype.Interval), nil},
			{"uuid", uuid, new(pgtype.UUID), nil},
			{"json", map[string]any{"a": []any{1.0, "x"}}, new(map[string]any), nil},
			{"jsonb", map[string]any{"b": true}, new(map[string]any), nil},
			{"int4[]", []int32{1, 2, 3}, new([]int32), nil},
			{"int8[]", []int64{-1, 0}, new([]int64), nil},
			{"text[]", []string{"a", "", "c d"}, new([]string), nil},
			{"float8[]", []float64{0.5}, new([]float64), nil},
			{"bool[]", []bool{true, false}, new([]bool), nil},
			{"bytea[]", [][]byte{{1}, {2, 3}}, new([][]byte), nil},
			{"date[]", []time.Time{time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)}, new([]time.Time), nil},
			{"uuid[]", []pgtype.UUID{uuid}, new([]pgtype.UUID), nil},
			{"numeric[]", []pgtype.Numeric{num}, new([]pgtype.Numeric), nil},
		}
		binary := 0
		for _, tt := range tests {
			rows, err := conn.Query(ctx, "SELECT $1::"+tt.typ, tt.in)
			if err != nil {
				t.Errorf("%s: %v", tt.typ, err)
				continue
			}
			// pgx asks for binary results of every type but the text-like
			// ones (text, varchar, char, json, jsonb), which it reads as text.
			fd := rows.FieldDescriptions()[0]
			if want := conn.TypeMap().FormatCodeForOID(fd.DataTypeOID); fd.Format != want {
				t.Errorf("%s: result in format %d, want %d", tt.typ, fd.Format, want)
			} else if fd.Format == pgx.BinaryFormatCode {
				binary++
			}
			if !rows.Next() {
				t.Errorf("%s: no row: %v", tt.typ, rows.Err())
				rows.Close()
				continue
			}
			err = rows.Scan(tt.out)
			rows.Close()
			if err == nil {
				err = rows.Err()
			}
			if err != nil {
				t.Errorf("%s: %v", tt.typ, err)
				continue
			}
			want := tt.want
			if want == nil {
				want = tt.in
			}
			got := reflect.ValueOf(tt.out).Elem().Interface()
			if !sameValue(got, want) {
				t.Errorf("%s: sent %#v, read back %#v, want %#v", tt.typ, tt.in, got, want)
			}
		}
		if binary < len(tests)-5 {
			t.Errorf("%d of %d results came in binary format, want all but the 5 text-like ones", binary, len(tests))
		}
	})

	t.Run("batch", func(t *testing.T) {
		if _, err := conn.Exec(ctx, "CREATE TABLE batch_t (id int PRIMARY KEY, v text)"); err != nil {
			t.Fatal(err)
		}
		b := &pgx.Batch{}
		for i := 1; i <= 3; i++ {
			b.Queue("INSERT INTO batch_t VALUES ($1, $2)", i, fmt.Sprint("v", i))
		}
		b.Queue("UPDATE batch_t SET v = v || '!' WHERE id >= $1", 2)
		b.Queue("SELECT count(*), string_agg(v, ',' ORDER BY id) FROM batch_t")
		b.Queue("INSERT INTO batch_t VALUES (1, 'dup')")
		b.Queue("SELECT 1")
		br := conn.SendBatch(ctx, b)
		for i := 1; i <= 3; i++ {
			if tag, err := br.Exec(); err != nil || tag.RowsAffected() != 1 {
				t.Fatalf("insert %d: %v %v", i, tag, err)
			}
		}
		if tag, err := br.Exec(); err != nil || tag.String() != "UPDATE 2" {
			t.Fatalf("update: %v %v", tag, err)
		}
		var n int64
		var agg string
		if err := br.QueryRow().Scan(&n, &agg); err != nil || n != 3 || agg != "v1,v2!,v3!" {
			t.Fatalf("select: %d %q %v", n, agg, err)
		}
		_, err := br.Exec()
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "23505" {
			t.Fatalf("duplicate insert in a batch: %v, want 23505", err)
		}
		// The batch is one implicit transaction: after the error the rest is
		// skipped and the statements before it are rolled back, as in PostgreSQL.
		if _, err := br.Exec(); err == nil {
			t.Fatalf("statement after the failed one in the batch ran")
		}
		if err := br.Close(); err != nil {
			t.Logf("batch close: %v", err)
		}
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM batch_t").Scan(&n); err != nil || n != 0 {
			t.Fatalf("rows after the failed batch: %d %v, want 0 (the batch rolled back)", n, err)
		}
	})

	t.Run("pipeline", func(t *testing.T) {
		// The protocol-level pipeline: several statements, one Sync each.
		pc := conn.PgConn()
		p := pc.StartPipeline(ctx)
		p.SendPrepare("pl_sel", "SELECT $1::int8 + 1", nil)
		p.SendQueryPrepared("pl_sel", [][]byte{[]byte("41")}, nil, nil)
		p.SendQueryParams("SELECT $1::text || 'b'", [][]byte{[]byte("a")}, nil, nil, nil)
		if err := p.Sync(); err != nil {
			t.Fatal(err)
		}
		p.SendQueryParams("SELECT 1/0", nil, nil, nil, nil)
		if err := p.Sync(); err != nil {
			t.Fatal(err)
		}
		p.SendQueryParams("SELECT 'after'", nil, nil, nil, nil)
		if err := p.Sync(); err != nil {
			t.Fatal(err)
		}
		var got []string
		for {
			r, err := p.GetResults()
			if err != nil {
				got = append(got, "error "+pgCode(err))
				continue
			}
			if r == nil {
				break
			}
			switch r := r.(type) {
			case *pgconn.StatementDescription:
				got = append(got, fmt.Sprintf("described %d", len(r.Fields)))
			case *pgconn.ResultReader:
				res := r.Read()
				if res.Err != nil {
					got = append(got, "error "+pgCode(res.Err))
				} else {
					got = append(got, strings.Join(textRows(res.Rows), ";"))
				}
			case *pgconn.PipelineSync:
				got = append(got, "sync")
			}
		}
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		want := "described 1|42|ab|sync|error 22012|sync|after|sync"
		if g := strings.Join(got, "|"); g != want {
			t.Fatalf("pipeline results:\n got  %s\n want %s", g, want)
		}
	})

	t.Run("LoadType", func(t *testing.T) {
		// pgx loads a type it does not know from pg_type: the name through
		// $1::text::regtype::oid, then typtype, typbasetype, typelem and
		// typdelim. Augur's loadable types are the array types (it has no
		// domains, enums or composite types); a value of the loaded type
		// goes to the server and back through its codec, in binary.
		fresh := func(t *testing.T) *pgx.Conn {
			c := sqlConnect(t, ctx, driverDatabase(t, ctx, au, "drivers_pgx_types"))
			return c
		}
		c := fresh(t)
		for _, tc := range []struct {
			name string
			oid  uint32
			send any
		}{
			{"_int4", 1007, []int32{1, 2, 3}},
			{"_text", 1009, []string{"a", "b,c", `"q"`}},
			{"integer[]", 1007, []int32{4}},
			{"pg_catalog._float8", 1022, []float64{1.5, -2}},
		} {
			typ, err := c.LoadType(ctx, tc.name)
			if err != nil {
				t.Errorf("LoadType(%q): %v", tc.name, err)
				continue
			}
			if typ.OID != tc.oid {
				t.Errorf("LoadType(%q): oid %d, want %d", tc.name, typ.OID, tc.oid)
			}
			if _, ok := typ.Codec.(*pgtype.ArrayCodec); !ok {
				t.Errorf("LoadType(%q): codec %T, want an array codec", tc.name, typ.Codec)
			}
			c.TypeMap().RegisterType(typ)
			got := reflect.New(reflect.TypeOf(tc.send))
			if err := c.QueryRow(ctx, "SELECT $1::"+tc.name, tc.send).Scan(got.Interface()); err != nil {
				t.Errorf("%s round trip: %v", tc.name, err)
			} else if !reflect.DeepEqual(got.Elem().Interface(), tc.send) {
				t.Errorf("%s round trip: got %v, want %v", tc.name, got.Elem().Interface(), tc.send)
			}
		}
		if _, err := c.LoadType(ctx, "no_such_type"); sqlState(err) != "42704" {
			t.Errorf("LoadType of a missing type: %v, want 42704", err)
		}

		// LoadTypes: one recursive query over pg_type, pg_class, pg_attribute
		// and pg_range for all the names.
		c = fresh(t)
		gap(t, "pgx/LoadTypes", func() error {
			typs, err := c.LoadTypes(ctx, []string{"_int4", "_text"})
			if err != nil {
				return err
			}
			var names []string
			for _, typ := range typs {
				names = append(names, fmt.Sprintf("%s:%d", typ.Name, typ.OID))
			}
			if got, want := strings.Join(names, " "), "pg_catalog._int4:1007 _int4:1007 pg_catalog._text:1009 _text:1009"; got != want {
				return fmt.Errorf("loaded %s, want %s", got, want)
			}
			return nil
		})

		if _, err := c.Exec(ctx, "CREATE TABLE composite_t (a int, b text)"); err != nil {
			t.Fatal(err)
		}
		gap(t, "pgx/LoadType composite", func() error {
			_, err := c.LoadType(ctx, "composite_t")
			return err
		})
	})
}

// sameValue compares what a driver read back with what was sent: times by
// instant, numerics by value, the rest deeply.
func sameValue(got, want any) bool {
	switch w := want.(type) {
	case time.Time:
		g, ok := got.(time.Time)
		return ok && g.Equal(w)
	case pgtype.Numeric:
		g, ok := got.(pgtype.Numeric)
		if !ok {
			return false
		}
		gv, _ := g.Value()
		wv, _ := w.Value()
		return gv == wv
	case []time.Time:
		g, ok := got.([]time.Time)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range g {
			if !g[i].Equal(w[i]) {
				return false
			}
		}
		return true
	case []pgtype.Numeric:
		g, ok := got.([]pgtype.Numeric)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range g {
			if !sameValue(g[i], w[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(got, want)
}

// TestDriverDatabaseSQL runs one application's use of database/sql through
// lib/pq and through pgx's stdlib driver.
func TestDriverDatabaseSQL(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	au := startServer(t, serverOptions{config: trustConfig, logLevel: "warn"})
	for _, driver := range []string{"postgres", "pgx"} {
		t.Run(driver, func(t *testing.T) {
			url := driverDatabase(t, ctx, au, "drivers_sql_"+driver)
			db, err := sql.Open(driver, url)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.SetMaxOpenConns(3)
			runDatabaseSQL(t, ctx, db)
		})
	}
}

func runDatabaseSQL(t *testing.T, ctx context.Context, db *sql.DB) {
	t.Helper()
	if err := db.PingContext(ctx); err != nil {
		t.Fatal(err)
	}
	must := func(q string, args ...any) sql.Result {
		t.Helper()
		r, err := db.ExecContext(ctx, q, args...)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return r
	}
	must(`CREATE TABLE notes (id serial PRIMARY KEY, title text NOT NULL UNIQUE, body text, score float8, created timestamptz NOT NULL DEFAULT now(), data bytea)`)
	r := must(`INSERT INTO notes (title, body, score, data) VALUES ($1, $2, $3, $4), ($5, NULL, NULL, NULL)`, "first", "hello", 1.25, []byte{0, 9}, "second")
	if n, err := r.RowsAffected(); err != nil || n != 2 {
		t.Fatalf("rows affected %d %v, want 2", n, err)
	}

	// A prepared statement, executed several times.
	ins, err := db.PrepareContext(ctx, `INSERT INTO notes (title, score) VALUES ($1, $2) RETURNING id`)
	if err != nil {
		t.Fatal(err)
	}
	var lastID int64
	for i := range 3 {
		if err := ins.QueryRowContext(ctx, fmt.Sprint("note", i), float64(i)/2).Scan(&lastID); err != nil {
			t.Fatal(err)
		}
	}
	ins.Close()
	if lastID != 5 {
		t.Errorf("last id %d, want 5", lastID)
	}

	rows, err := db.QueryContext(ctx, `SELECT id, title, body, score, created, data FROM notes WHERE id <= $1 ORDER BY id`, 2)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var (
			id      int
			title   string
			body    sql.NullString
			score   sql.NullFloat64
			created time.Time
			data    []byte
		)
		if err := rows.Scan(&id, &title, &body, &score, &created, &data); err != nil {
			t.Fatal(err)
		}
		if time.Since(created) > time.Hour || created.IsZero() {
			t.Errorf("created %v is not now", created)
		}
		got = append(got, fmt.Sprintf("%d %s %v %v %v", id, title, body, score, data))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	want := []string{"1 first {hello true} {1.25 true} [0 9]", "2 second { false} {0 false} []"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows:\n got  %q\n want %q", got, want)
	}

	// A unique violation comes back with its SQLSTATE.
	_, err = db.ExecContext(ctx, `INSERT INTO notes (title) VALUES ($1)`, "first")
	if code := sqlState(err); code != "23505" {
		t.Errorf("duplicate title: %v (SQLSTATE %q), want 23505", err, code)
	}

	// Transactions: rollback, commit, read only, serializable.
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM notes`); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	tx, err = db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelSerializable})
	if err != nil {
		t.Fatal(err)
	}
	var iso string
	if err := tx.QueryRowContext(ctx, `SHOW transaction_isolation`).Scan(&iso); err != nil || iso != "serializable" {
		t.Errorf("isolation %q %v, want serializable", iso, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE notes SET score = score * 2 WHERE title = $1`, "first"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	tx, err = db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM notes`)
	if code := sqlState(err); code != "25006" {
		t.Errorf("write in a read-only transaction: %v (SQLSTATE %q), want 25006", err, code)
	}
	tx.Rollback()

	var count int
	var score float64
	if err := db.QueryRowContext(ctx, `SELECT count(*), max(score) FROM notes`).Scan(&count, &score); err != nil {
		t.Fatal(err)
	}
	if count != 5 || score != 2.5 {
		t.Errorf("count %d, max score %v; want 5 and 2.5", count, score)
	}
}

// sqlState is the SQLSTATE of an error of either driver.
func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	var qe *pq.Error
	if errors.As(err, &qe) {
		return string(qe.Code)
	}
	return ""
}

// gooseMigrations are the migrations TestGoose runs: a table, a column, data in
// a multi-statement block, and an index built outside a transaction.
var gooseMigrations = fstest.MapFS{
	"00001_users.sql": {Data: []byte(`-- +goose Up
CREATE TABLE users (id bigserial PRIMARY KEY, name text NOT NULL);
-- +goose Down
DROP TABLE users;
`)},
	"00002_email.sql": {Data: []byte(`-- +goose Up
ALTER TABLE users ADD COLUMN email text;
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);
-- +goose Down
ALTER TABLE users DROP CONSTRAINT users_email_key;
ALTER TABLE users DROP COLUMN email;
`)},
	"00003_seed.sql": {Data: []byte(`-- +goose Up
-- +goose StatementBegin
INSERT INTO users (name, email) VALUES ('ada', 'ada@example.com');
INSERT INTO users (name, email) VALUES ('bob', 'bob@example.com');
-- +goose StatementEnd
-- +goose Down
DELETE FROM users WHERE email IN ('ada@example.com', 'bob@example.com');
`)},
	"00004_index.sql": {Data: []byte(`-- +goose NO TRANSACTION
-- +goose Up
CREATE INDEX users_name_idx ON users (name);
-- +goose Down
DROP INDEX users_name_idx;
`)},
}

// TestGoose runs migrations up, down and up again with goose's session lock,
// on Augur and (for comparison) on the reference PostgreSQL.
func TestGoose(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	au := startServer(t, serverOptions{config: trustConfig, logLevel: "warn"})
	for _, name := range []string{"augur", "postgres"} {
		t.Run(name, func(t *testing.T) {
			url := driverDatabase(t, ctx, au, "drivers_goose")
			if name == "postgres" {
				url, _ = freshDatabases(t, ctx, referencePostgres(t), au, "drivers_goose_pg")
			}
			db, err := sql.Open("pgx", url)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			store, err := database.NewStore(goose.DialectPostgres, "goose_db_version")
			if err != nil {
				t.Fatal(err)
			}
			newProvider := func(store database.Store) *goose.Provider {
				locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 10))
				if err != nil {
					t.Fatal(err)
				}
				p, err := goose.NewProvider("", db, gooseMigrations, goose.WithStore(store), goose.WithSessionLocker(locker))
				if err != nil {
					t.Fatal(err)
				}
				return p
			}
			// goose as it comes: its version-table check reads pg_tables.
			p := newProvider(store)
			for round, step := range []string{"up", "down", "up"} {
				var err error
				switch step {
				case "up":
					_, err = p.Up(ctx)
				case "down":
					_, err = p.DownTo(ctx, 0)
				}
				if err != nil {
					t.Fatalf("%s (round %d): %v", step, round+1, err)
				}
				v, err := p.GetDBVersion(ctx)
				if err != nil {
					t.Fatalf("version after %s: %v", step, err)
				}
				want := int64(4)
				if step == "down" {
					want = 0
				}
				if v != want {
					t.Fatalf("version after %s (round %d): %d, want %d", step, round+1, v, want)
				}
			}
			var names string
			if err := db.QueryRowContext(ctx, `SELECT string_agg(name || ':' || email, ',' ORDER BY id) FROM users`).Scan(&names); err != nil {
				t.Fatal(err)
			}
			if names != "ada:ada@example.com,bob:bob@example.com" {
				t.Errorf("users after up, down, up: %q", names)
			}
			var rows int
			if err := db.QueryRowContext(ctx, `SELECT count(*) FROM goose_db_version WHERE is_applied`).Scan(&rows); err != nil {
				t.Fatal(err)
			}
			// Version 0 and the 4 migrations (a down migration deletes its row).
			if rows != 5 {
				t.Errorf("applied rows in goose_db_version: %d, want 5", rows)
			}
		})
	}
}

// TestPoolerStatements runs the statements connection poolers send between
// clients (PgBouncer's server_reset_query DISCARD ALL, and RESET ALL,
// DEALLOCATE ALL, SET/RESET SESSION AUTHORIZATION) over pgx, on Augur and on
// the reference PostgreSQL, and checks each one's effect on the session.
func TestPoolerStatements(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pgURL := referencePostgres(t)
	au := startServer(t, serverOptions{config: trustConfig, logLevel: "warn"})
	pgDB, auDB := freshDatabases(t, ctx, pgURL, au, "drivers_pooler")
	const role = "pooler_other"
	for name, url := range map[string]string{"augur": auDB, "postgres": pgDB} {
		t.Run(name, func(t *testing.T) {
			cfg, err := pgx.ParseConfig(url)
			if err != nil {
				t.Fatal(err)
			}
			cfg.RuntimeParams["application_name"] = "pooled"
			// Behind a pooler a client cannot keep named statements: pgx's
			// statement cache would lose them to DEALLOCATE ALL.
			cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
			conn, err := pgx.ConnectConfig(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			exec := func(sql string) {
				t.Helper()
				if _, err := conn.Exec(ctx, sql); err != nil {
					t.Fatalf("%s: %v", sql, err)
				}
			}
			query := func(sql string) string {
				t.Helper()
				var s string
				if err := conn.QueryRow(ctx, sql).Scan(&s); err != nil {
					t.Fatalf("%s: %v", sql, err)
				}
				return s
			}
			// fails runs sql, which must fail with code.
			fails := func(sql, code string) {
				t.Helper()
				if _, err := conn.Exec(ctx, sql); sqlState(err) != code {
					t.Errorf("%s: got %v, want SQLSTATE %s", sql, err, code)
				}
			}
			conn.Exec(ctx, "DROP ROLE IF EXISTS "+role)
			exec("CREATE ROLE " + role)
			defer conn.Exec(context.Background(), "DROP ROLE IF EXISTS "+role)
			me := query("SELECT current_user")

			// DEALLOCATE ALL: SQL-level and protocol-level statements go.
			exec("PREPARE q AS SELECT 1")
			if _, err := conn.Prepare(ctx, "proto", "SELECT 2"); err != nil {
				t.Fatal(err)
			}
			exec("DEALLOCATE ALL")
			fails("EXECUTE q", "26000")
			if err := conn.PgConn().ExecPrepared(ctx, "proto", nil, nil, nil).Read().Err; sqlState(err) != "26000" {
				t.Errorf("protocol-level statement after DEALLOCATE ALL: got %v, want 26000", err)
			}
			conn.Deallocate(ctx, "proto") // forget pgx's cached description

			// RESET ALL: settings back to the session's defaults (the startup
			// packet's for application_name).
			exec("SET search_path = pg_catalog")
			exec("SET application_name = 'changed'")
			exec("RESET ALL")
			if got := query("SHOW search_path"); got != `"$user", public` {
				t.Errorf("search_path after RESET ALL: %q", got)
			}
			if got := query("SHOW application_name"); got != "pooled" {
				t.Errorf("application_name after RESET ALL: %q, want pooled", got)
			}

			// SET SESSION AUTHORIZATION and its RESET.
			exec("SET SESSION AUTHORIZATION " + role)
			if got := query("SELECT current_user || ' ' || session_user"); got != role+" "+role {
				t.Errorf("after SET SESSION AUTHORIZATION: %q", got)
			}
			exec("RESET SESSION AUTHORIZATION")
			if got := query("SELECT current_user || ' ' || session_user"); got != me+" "+me {
				t.Errorf("after RESET SESSION AUTHORIZATION: %q", got)
			}
			exec("SET SESSION AUTHORIZATION " + role)
			exec("SET SESSION AUTHORIZATION DEFAULT")
			if got := query("SELECT current_user"); got != me {
				t.Errorf("after SET SESSION AUTHORIZATION DEFAULT: %q", got)
			}

			// DISCARD ALL: all of the above at once, and temporary tables;
			// not inside a transaction block.
			exec("PREPARE q AS SELECT 1")
			exec("CREATE TEMP TABLE scratch (a int)")
			exec("SET search_path = pg_catalog")
			exec("SET SESSION AUTHORIZATION " + role)
			exec("BEGIN")
			fails("DISCARD ALL", "25001")
			exec("ROLLBACK")
			exec("DISCARD ALL")
			fails("EXECUTE q", "26000")
			fails("SELECT * FROM scratch", "42P01")
			if got := query("SHOW search_path"); got != `"$user", public` {
				t.Errorf("search_path after DISCARD ALL: %q", got)
			}
			if got := query("SELECT current_user"); got != me {
				t.Errorf("current_user after DISCARD ALL: %q", got)
			}
			// A temporary table made after DISCARD ALL works, and DISCARD TEMP
			// drops it.
			exec("CREATE TEMP TABLE scratch (a int)")
			exec("INSERT INTO scratch VALUES (1)")
			if got := query("SELECT a::text FROM scratch"); got != "1" {
				t.Errorf("temp table after DISCARD ALL: %q", got)
			}
			exec("DISCARD TEMP")
			fails("SELECT * FROM scratch", "42P01")
		})
	}
}

// TestListenNotify checks that asynchronous notifications, which Augur does
// not implement, are refused with a clear 0A000 over the wire rather than
// accepted and never delivered.
func TestListenNotify(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	au := startServer(t, serverOptions{config: trustConfig, logLevel: "warn"})
	conn := sqlConnect(t, ctx, au.url("augur", "disable"))
	for _, c := range []struct{ sql, word string }{
		{"LISTEN chan", "LISTEN"}, {"NOTIFY chan", "NOTIFY"}, {"NOTIFY chan, 'payload'", "NOTIFY"},
		{"UNLISTEN chan", "UNLISTEN"}, {"UNLISTEN *", "UNLISTEN"}, {"SELECT pg_notify('chan', 'payload')", "pg_notify"},
	} {
		_, err := conn.Exec(ctx, c.sql)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "0A000" || !strings.Contains(pe.Message, c.word+" is not supported") {
			t.Errorf("%s: got %v, want 0A000 %q", c.sql, err, c.word+" is not supported")
		}
	}
	// The session goes on.
	var one int
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("after the refusals: %v", err)
	}
}
