package integration

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
)

// TestCopyAgainstPostgres runs the same COPY statements and data against the
// reference PostgreSQL 15 and Augur and compares what each answers: the
// COPY TO output, the command tag, and for a failing COPY the SQLSTATE,
// message and context (W) fields.
func TestCopyAgainstPostgres(t *testing.T) {
	pgURL := referencePostgres(t)
	au := startServer(t, serverOptions{logLevel: "info"})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	pgDB, auDB := freshDatabases(t, ctx, pgURL, au, "copydiff")
	setup := []string{
		`CREATE TABLE c (id int PRIMARY KEY, name text NOT NULL, n numeric, b boolean, d date, note text DEFAULT 'dflt', CHECK (n >= 0))`,
		`INSERT INTO c VALUES (1, 'plain', 1.5, true, '2024-01-02', NULL), (2, E'tab\there\nnl', 0, false, NULL, ''), (3, 'quote"comma,', NULL, NULL, '1999-12-31', '\\.')`,
	}
	type step struct {
		sql  string
		data string // COPY FROM: the data sent; COPY TO: unused
	}
	steps := []step{
		{sql: `COPY c TO STDOUT`},
		{sql: `COPY c (id, name, note) TO STDOUT`},
		{sql: `COPY c TO STDOUT WITH (FORMAT csv, HEADER)`},
		{sql: `COPY c TO STDOUT WITH CSV HEADER DELIMITER ';' NULL 'NULL' FORCE QUOTE *`},
		{sql: `COPY c TO STDOUT (FORMAT csv, FORCE_QUOTE (name), QUOTE '''', ESCAPE '\')`},
		{sql: `COPY (SELECT id, name FROM c WHERE id > 1 ORDER BY id) TO STDOUT WITH (FORMAT binary)`},
		{sql: `COPY (SELECT id, n, d, b FROM c ORDER BY id) TO STDOUT (DELIMITER '|', NULL '')`},
		{sql: `COPY c (id, name) FROM STDIN`, data: "10\tten\n11\televen\\nx\n"},
		{sql: `COPY c FROM STDIN WITH (FORMAT csv)`, data: "12,\"twelve, \"\"q\"\"\",2,t,2020-02-02,\n13,thirteen,,f,,\"\"\n"},
		{sql: `COPY c (id, name) FROM STDIN`, data: "14\tok\n15x\tbad\n"},
		{sql: `COPY c (id, name) FROM STDIN`, data: "16\n"},
		{sql: `COPY c (id, name) FROM STDIN`, data: "17\ta\tb\n"},
		{sql: `COPY c (id, name) FROM STDIN`, data: "1\tdup\n"},
		{sql: `COPY c (id, name, n) FROM STDIN`, data: "18\tneg\t-1\n"},
		{sql: `COPY c (id, name) FROM STDIN`, data: "19\t\\N\n"},
		{sql: `COPY c (id, name) FROM STDIN WITH CSV`, data: "20,\"open\n"},
		{sql: `COPY c (id, nope) FROM STDIN`},
		{sql: `COPY c FROM STDIN WITH (FORMAT xml)`},
		{sql: `COPY c FROM STDIN WITH (DELIMITER ',', DELIMITER ';')`},
		{sql: `COPY c FROM STDIN WITH (QUOTE '"')`},
		{sql: `COPY c TO STDOUT WITH (FORMAT binary, HEADER)`},
		{sql: `COPY c (id, name) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL (n))`},
		{sql: `COPY c (id, name) FROM STDIN`, data: "21\tend\n\\.\n"},
		{sql: `COPY (SELECT * FROM c ORDER BY id) TO STDOUT`},
	}
	run := func(url string) []string {
		c, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		for _, s := range setup {
			if _, err := c.Exec(ctx, s); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
		pc := c.PgConn()
		var out []string
		for _, st := range steps {
			var res string
			var tag pgconn.CommandTag
			var err error
			if strings.Contains(st.sql, " TO STDOUT") {
				var buf bytes.Buffer
				tag, err = pc.CopyTo(ctx, &buf, st.sql)
				res = fmt.Sprintf("%q", buf.String())
			} else {
				tag, err = pc.CopyFrom(ctx, strings.NewReader(st.data), st.sql)
			}
			var pe *pgconn.PgError
			if errors.As(err, &pe) {
				res += fmt.Sprintf(" error %s %s detail=%q where=%q", pe.Code, pe.Message, pe.Detail, pe.Where)
			} else if err != nil {
				t.Fatalf("%s: %v", st.sql, err)
			} else {
				res += " " + tag.String()
			}
			out = append(out, st.sql+" -> "+res)
		}
		return out
	}
	pg, augur := run(pgDB), run(auDB)
	for i := range pg {
		if pg[i] != augur[i] {
			t.Errorf("\nPostgreSQL: %s\nAugur:      %s", pg[i], augur[i])
		}
	}
}

// TestCopyProtocol checks the message exchange of COPY FROM STDIN against
// PostgreSQL's: the extended protocol (Parse/Bind/Execute of the COPY, then
// CopyData), CopyFail, a message that has no place in copy-in, and a simple
// Query that goes on after its COPY.
func TestCopyProtocol(t *testing.T) {
	pgURL := referencePostgres(t)
	au := startServer(t, serverOptions{logLevel: "info"})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	pgDB, auDB := freshDatabases(t, ctx, pgURL, au, "copyproto")
	type exchange struct {
		name string
		msgs []pgproto3.FrontendMessage
	}
	cd := func(s string) *pgproto3.CopyData { return &pgproto3.CopyData{Data: []byte(s)} }
	exchanges := []exchange{
		{"simple then more", []pgproto3.FrontendMessage{&pgproto3.Query{String: "COPY p FROM STDIN; SELECT count(*) FROM p"}, cd("1\ta\n2\t"), cd("b\n"), &pgproto3.CopyDone{}}},
		{"extended", []pgproto3.FrontendMessage{&pgproto3.Parse{Query: "COPY p FROM STDIN"}, &pgproto3.Bind{}, &pgproto3.Execute{}, cd("3\tc\n"), &pgproto3.Flush{}, &pgproto3.Sync{}, &pgproto3.CopyDone{}, &pgproto3.Sync{}}},
		{"extended error", []pgproto3.FrontendMessage{&pgproto3.Parse{Query: "COPY p FROM STDIN"}, &pgproto3.Bind{}, &pgproto3.Execute{}, cd("x\tc\n"), &pgproto3.CopyDone{}, &pgproto3.Sync{}}},
		{"copy fail", []pgproto3.FrontendMessage{&pgproto3.Query{String: "COPY p FROM STDIN"}, cd("4\td\n"), &pgproto3.CopyFail{Message: "client gave up"}}},
		{"count", []pgproto3.FrontendMessage{&pgproto3.Query{String: "SELECT count(*) FROM p"}}},
		// PostgreSQL loses protocol synchronization here and ends the session.
		{"unexpected message", []pgproto3.FrontendMessage{&pgproto3.Query{String: "COPY p FROM STDIN"}, &pgproto3.Query{String: "SELECT 1"}}},
	}
	run := func(url string) []string {
		c, err := pgconn.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		if err := c.Exec(ctx, "CREATE TABLE p (id int PRIMARY KEY, v text)").Close(); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, ex := range exchanges {
			fe := c.Frontend()
			for _, m := range ex.msgs {
				fe.Send(m)
			}
			if err := fe.Flush(); err != nil {
				t.Fatal(err)
			}
			var got []string
			for {
				m, err := fe.Receive()
				if err != nil {
					got = append(got, "connection closed")
					break
				}
				switch m := m.(type) {
				case *pgproto3.ErrorResponse:
					got = append(got, fmt.Sprintf("%s %s %s where=%q", m.Severity, m.Code, m.Message, m.Where))
				case *pgproto3.CommandComplete:
					got = append(got, "CommandComplete "+string(m.CommandTag))
				case *pgproto3.DataRow:
					got = append(got, fmt.Sprintf("DataRow %q", m.Values))
				case *pgproto3.CopyInResponse:
					got = append(got, fmt.Sprintf("CopyInResponse %d %v", m.OverallFormat, m.ColumnFormatCodes))
				case *pgproto3.ReadyForQuery:
					got = append(got, "ReadyForQuery "+string(m.TxStatus))
				default:
					got = append(got, fmt.Sprintf("%T", m))
				}
				if _, ok := m.(*pgproto3.ReadyForQuery); ok {
					break
				}
			}
			out = append(out, ex.name+": "+strings.Join(got, ", "))
		}
		return out
	}
	pg, augur := run(pgDB), run(auDB)
	for i := range pg {
		if pg[i] != augur[i] {
			t.Errorf("\nPostgreSQL: %s\nAugur:      %s", pg[i], augur[i])
		}
	}
}
