package pgdialect

import (
	"reflect"
	"testing"

	"github.com/augurdb/augur/storage/pgerr"
)

func TestParseLock(t *testing.T) {
	tests := []struct {
		sql  string
		want *LockStmt // nil: not a LOCK statement
		err  string    // expected error text (errText)
	}{
		{sql: "lock t", want: &LockStmt{Tables: []QualName{{Name: "t"}}, Mode: "ACCESS EXCLUSIVE"}},
		{sql: "LOCK TABLE s.t IN SHARE MODE", want: &LockStmt{Tables: []QualName{{Schema: "s", Name: "t"}}, Mode: "SHARE"}},
		{sql: "lock table only t, u *, only (db.s.v) in share row exclusive mode nowait",
			want: &LockStmt{Tables: []QualName{{Name: "t"}, {Name: "u"}, {Catalog: "db", Schema: "s", Name: "v"}}, Mode: "SHARE ROW EXCLUSIVE", NoWait: true}},
		{sql: "lock t in access share mode", want: &LockStmt{Tables: []QualName{{Name: "t"}}, Mode: "ACCESS SHARE"}},
		{sql: "lock t in row share mode", want: &LockStmt{Tables: []QualName{{Name: "t"}}, Mode: "ROW SHARE"}},
		{sql: "lock t in row exclusive mode", want: &LockStmt{Tables: []QualName{{Name: "t"}}, Mode: "ROW EXCLUSIVE"}},
		{sql: "lock t in share update exclusive mode", want: &LockStmt{Tables: []QualName{{Name: "t"}}, Mode: "SHARE UPDATE EXCLUSIVE"}},
		{sql: "lock t in exclusive mode", want: &LockStmt{Tables: []QualName{{Name: "t"}}, Mode: "EXCLUSIVE"}},
		{sql: `lock "Only" nowait`, want: &LockStmt{Tables: []QualName{{Name: "Only"}}, Mode: "ACCESS EXCLUSIVE", NoWait: true}},
		{sql: "select 1"},
		{sql: "lock", err: `error 42601 at 5: syntax error at end of input`},
		{sql: "lock table only t *", err: `error 42601 at 19: syntax error at or near "*"`},
		{sql: "lock t in share", err: `error 42601 at 16: syntax error at end of input`},
		{sql: "lock t in update mode", err: `error 42601 at 11: syntax error at or near "update"`},
		{sql: "lock t, ", err: `error 42601 at 9: syntax error at end of input`},
		{sql: "lock t nowait x", err: `error 42601 at 15: syntax error at or near "x"`},
	}
	for _, tc := range tests {
		t.Run(tc.sql, func(t *testing.T) {
			toks, err := Lex(tc.sql)
			if err != nil {
				t.Fatal(err)
			}
			st, ok, err := ParseLock(tc.sql, toks)
			switch {
			case tc.err != "":
				if err == nil || errText(err) != tc.err {
					t.Fatalf("error %v, want %s", err, tc.err)
				}
				if pgerr.From(err).Code != "42601" {
					t.Fatalf("code %s", pgerr.From(err).Code)
				}
			case err != nil:
				t.Fatal(err)
			case tc.want == nil:
				if ok {
					t.Fatalf("parsed %+v as LOCK", st)
				}
			case !ok || !reflect.DeepEqual(st, tc.want):
				t.Fatalf("got %+v (ok %v), want %+v", st, ok, tc.want)
			}
		})
	}
}
