package planner

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/augurdb/augur/actors/lockmgr"
	"github.com/augurdb/augur/storage/catalog"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/augurdb/augur/config"
	"github.com/augurdb/augur/planner/internal/datadriven"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
)

var rewriteFlag = flag.Bool("rewrite", false, "regenerate the expected output in testdata")

// testEnv is a session stand-in backed by config.Vars.
type testEnv struct{ vars *config.Vars }

func newTestEnv(t testing.TB) *testEnv {
	v, err := config.NewVars(nil, map[string]string{"session_authorization": "augur"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &testEnv{vars: v}
}

func (e *testEnv) Var(name string) (string, error) { return e.vars.Get(name) }
func (e *testEnv) SetVar(name string, values []string, local bool) error {
	if values == nil {
		return e.vars.Reset(name)
	}
	_, err := e.vars.Set(name, strings.Join(values, ", "))
	return err
}
func (e *testEnv) ResetVar(name string) error {
	if name == "all" {
		e.vars.ResetAll()
		return nil
	}
	return e.vars.Reset(name)
}
func (e *testEnv) ShowAll() []config.Setting                 { return e.vars.All() }
func (e *testEnv) User() string                              { return "augur" }
func (e *testEnv) Superuser() bool                           { return false }
func (e *testEnv) Database() string                          { return "augur" }
func (e *testEnv) Version() string                           { return "PostgreSQL 15.0 (Augur 0.1.0)" }
func (e *testEnv) Schema() *catalog.Schema                   { return testSchema }
func (e *testEnv) Notice(string)                             {}
func (e *testEnv) RowEstimate(uint32) (int64, bool)          { return 0, false }
func (e *testEnv) InTransactionBlock() bool                  { return false }
func (e *testEnv) TempSchema() string                        { return "" }
func (e *testEnv) TxnReadOnly() bool                         { return false }
func (e *testEnv) BackendPID() uint32                        { return 1 }
func (e *testEnv) Locks() (*lockmgr.Manager, *lockmgr.Owner) { return nil, nil }
func (e *testEnv) Txn(context.Context) (*Txn, error) {
	return nil, pgerr.FeatureNotSupported("no storage in this test")
}

// testSchema is the schema of a testEnv: database augur, no tables.
var testSchema = &catalog.Schema{Databases: map[string]*catalog.Database{"augur": catalog.NewDatabase("augur", "augur")}}

// run parses, prepares and executes a query string and describes what a client
// would see, one statement after the other.
func run(p *Planner, env Env, query string, params []string) string {
	stmts, err := p.Parse(query)
	if err != nil {
		return describeErr(err)
	}
	if len(stmts) == 0 {
		return "empty"
	}
	var out []string
	for _, st := range stmts {
		pl, err := p.Prepare(env, st, nil)
		if err != nil {
			out = append(out, describeErr(err))
			endStatement(env, err)
			break
		}
		var ps []types.Datum
		var pts []string
		for i, t := range pl.Params {
			pts = append(pts, fmt.Sprintf("$%d:%s", i+1, t.Name()))
			if i < len(params) {
				if params[i] == "NULL" {
					ps = append(ps, nil)
					continue
				}
				d, err := types.DecodeText(t, []byte(params[i]))
				if err != nil {
					out = append(out, describeErr(err))
					return strings.Join(out, "\n")
				}
				ps = append(ps, d)
			} else {
				ps = append(ps, nil)
			}
		}
		if len(pts) > 0 {
			out = append(out, "params: "+strings.Join(pts, ", "))
		}
		if pl.Columns != nil {
			var cs []string
			for _, c := range pl.Columns {
				cs = append(cs, fmt.Sprintf("%s:%s", c.Name, types.FormatType(c.Type, c.Typmod)))
			}
			out = append(out, "columns: "+strings.Join(cs, ", "))
		}
		rows, err := pl.Execute(context.Background(), env, ps)
		if err != nil {
			out = append(out, describeErr(err))
			endStatement(env, err)
			break
		}
		failed := false
		for n := 0; ; n++ {
			row, err := rows.Next(context.Background())
			if err == io.EOF {
				break
			}
			if err != nil {
				out = append(out, describeErr(err))
				failed = true
				break
			}
			if n >= 3 && strings.Contains(query, "SHOW ALL") {
				continue
			}
			var vs []string
			for i, d := range row {
				if types.IsNull(d) {
					vs = append(vs, "NULL")
					continue
				}
				vs = append(vs, string(types.EncodeText(pl.Columns[i].Type, d)))
			}
			out = append(out, "row: "+strings.Join(vs, " | "))
		}
		rows.Close()
		if failed {
			endStatement(env, errors.New("failed"))
			break
		}
		if err := endStatement(env, nil); err != nil {
			out = append(out, describeErr(err))
			break
		}
		out = append(out, "tag: "+rows.Tag())
	}
	return strings.Join(out, "\n")
}

// caseParams returns the parameter values of an "exec params=a,b" case.
func caseParams(c datadriven.Case) []string {
	if _, ps, ok := strings.Cut(c.Directive, "params="); ok {
		return strings.Split(ps, ",")
	}
	return nil
}

// endStatement ends an autocommit statement in environments with storage.
func endStatement(env Env, err error) error {
	if s, ok := env.(interface{ end(error) error }); ok {
		return s.end(err)
	}
	return nil
}

func describeErr(err error) string {
	var pe *pgerr.Error
	if !errors.As(err, &pe) {
		return "error without SQLSTATE: " + err.Error()
	}
	s := fmt.Sprintf("error %s: %s", pe.Code, pe.Message)
	if pe.Position > 0 {
		s += fmt.Sprintf(" (position %d)", pe.Position)
	}
	return s
}

// TestDataDriven runs testdata/*.txt: each case is "exec [params=a,b]", the SQL,
// "----" and what the client sees. Regenerate with -rewrite.
func TestDataDriven(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txt")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			p := New()
			env := newTestEnv(t)
			datadriven.RunFile(t, f, *rewriteFlag, func(c datadriven.Case) string {
				return run(p, env, c.Input, caseParams(c))
			})
		})
	}
}

func TestReexecuteWithParams(t *testing.T) {
	p := New()
	env := newTestEnv(t)
	stmts, err := p.Parse("SELECT $1::int + 1, $2")
	if err != nil {
		t.Fatal(err)
	}
	pl, err := p.Prepare(nil, stmts[0], []uint32{0, types.OIDInt8})
	if err != nil {
		t.Fatal(err)
	}
	if len(pl.Params) != 2 || pl.Params[0] != types.Int4 || pl.Params[1] != types.Int8 {
		t.Fatalf("params %v", pl.Params)
	}
	for i := int64(0); i < 3; i++ {
		rows, err := pl.Execute(context.Background(), env, []types.Datum{i, i * 10})
		if err != nil {
			t.Fatal(err)
		}
		row, err := rows.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if row[0] != i+1 || row[1] != i*10 {
			t.Errorf("run %d: %v", i, row)
		}
		if _, err := rows.Next(context.Background()); err != io.EOF {
			t.Errorf("want EOF, got %v", err)
		}
		if rows.Tag() != "SELECT 1" {
			t.Errorf("tag %q", rows.Tag())
		}
	}
}

func TestPgSleepCancel(t *testing.T) {
	p := New()
	stmts, err := p.Parse("SELECT pg_sleep(5)")
	if err != nil {
		t.Fatal(err)
	}
	pl, err := p.Prepare(nil, stmts[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	if pl.Columns[0].Type != types.Void || pl.Columns[0].Name != "pg_sleep" {
		t.Fatalf("columns %+v", pl.Columns)
	}
	ctx, cancel := context.WithCancel(context.Background())
	rows, err := pl.Execute(ctx, newTestEnv(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err = rows.Next(ctx)
	if pgerr.Code(err) != pgerrcode.QueryCanceled {
		t.Fatalf("want 57014, got %v", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Fatal("pg_sleep did not stop on cancel")
	}
}

func TestKinds(t *testing.T) {
	p := New()
	cases := map[string]Kind{
		"SELECT 1": KindSelect, "SHOW ALL": KindShow, "SET a.b = 1": KindSet, "RESET ALL": KindReset,
		"BEGIN": KindBegin, "START TRANSACTION": KindBegin, "COMMIT": KindCommit, "END": KindCommit,
		"ROLLBACK": KindRollback, "ABORT": KindRollback, "INSERT INTO t VALUES (1)": KindInsert,
		"CREATE TABLE t (a int)": KindDDL, "COPY t FROM STDIN": KindCopy,
	}
	var qs []string
	for q := range cases {
		qs = append(qs, q)
	}
	sort.Strings(qs)
	for _, q := range qs {
		st, err := p.Parse(q)
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		if st[0].Kind != cases[q] || st[0].SQL != q {
			t.Errorf("%s: kind %v sql %q", q, st[0].Kind, st[0].SQL)
		}
	}
	st, err := p.Parse(" ; ;; -- nothing\n")
	if err != nil || len(st) != 0 {
		t.Errorf("empty query: %v %v", st, err)
	}
}

func TestFoldAtPlanningTime(t *testing.T) {
	tests := []struct {
		sql    string
		params []types.Datum
		code   string // "" : Fold succeeds
	}{
		{"SELECT 1/0", nil, "22012"},
		{"SELECT 2147483647 + 1", nil, "22003"},
		{"SELECT 'x'::int", nil, "22P02"},
		{"SELECT 1 + 1, 'a' || 'b'", nil, ""},
		{"SELECT $1::int / 0", []types.Datum{int64(1)}, "22012"},
		{"SELECT $1::int / 0", []types.Datum{nil}, ""},
		{"SELECT pg_sleep(1000), 1", nil, ""}, // volatile: left to execution, not run here
		{"SELECT CASE WHEN false THEN 1/0 ELSE 1 END", nil, ""},
		{"SET application_name = 'x'", nil, ""},
	}
	p := New()
	env := newTestEnv(t)
	for _, tt := range tests {
		stmts, err := p.Parse(tt.sql)
		if err != nil {
			t.Fatal(err)
		}
		pl, err := p.Prepare(nil, stmts[0], nil)
		if err == nil { // a literal's bad cast fails already here, as in PostgreSQL's parse analysis
			err = pl.Fold(context.Background(), env, tt.params)
		}
		if got := pgerr.Code(err); got != tt.code {
			t.Errorf("%s: Fold error %v, want SQLSTATE %q", tt.sql, err, tt.code)
		}
	}
	if v, _ := env.Var("application_name"); v != "" {
		t.Fatal("Fold executed a SET")
	}
}

func TestNoParamsAndStartTag(t *testing.T) {
	p := New()
	stmts, err := p.Parse("SELECT 'é', $2 + $1")
	if err != nil {
		t.Fatal(err)
	}
	var pe *pgerr.Error
	if err := stmts[0].NoParams(); !errors.As(err, &pe) || pe.Code != "42P02" || pe.Position != 13 || pe.Message != "there is no parameter $2" {
		t.Fatalf("NoParams = %#v", err)
	}
	for sql, tag := range map[string]string{"START TRANSACTION READ ONLY": "START TRANSACTION", "BEGIN": "BEGIN", "BEGIN WORK": "BEGIN"} {
		stmts, _ := p.Parse(sql)
		pl, err := p.Prepare(nil, stmts[0], nil)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := pl.Execute(context.Background(), newTestEnv(t), nil)
		if err != nil {
			t.Fatal(err)
		}
		for {
			if _, err := rows.Next(context.Background()); err != nil {
				break
			}
		}
		if rows.Tag() != tag {
			t.Errorf("%s: tag %q, want %q", sql, rows.Tag(), tag)
		}
	}
}
