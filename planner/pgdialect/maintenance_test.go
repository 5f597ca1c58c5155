package pgdialect

import (
	"fmt"
	"testing"

	"github.com/augurdb/augur/storage/pgerr"
)

func TestParseMaintenance(t *testing.T) {
	tests := []struct {
		sql  string
		want string // kind, tables and column lists, or the error's SQLSTATE
	}{
		{"vacuum", "vacuum [] []"},
		{"VACUUM ANALYZE pgbench_accounts", "vacuum [pgbench_accounts] [[]]"},
		{"vacuum full freeze verbose analyze s.t", "vacuum [s.t] [[]]"},
		{"vacuum (analyze, verbose false, parallel 2) a, b (x, y)", "vacuum [a b] [[] [x y]]"},
		{"vacuum analyse a (x)", "vacuum [a] [[x]]"},
		{"analyze", "analyze [] []"},
		{"analyse verbose t (a)", "analyze [t] [[a]]"},
		{"analyze (skip_locked) t", "analyze [t] [[]]"},
		{"vacuum t (a)", "error 0A000"},
		{"vacuum (nonsense) t", "error 42601"},
		{"analyze (full) t", "error 42601"},
		{"vacuum t u", "error 42601"},
		{"vacuum (analyze", "error 42601"},
	}
	for _, tt := range tests {
		toks, err := Lex(tt.sql)
		if err != nil {
			t.Fatalf("%s: %v", tt.sql, err)
		}
		d, ok, err := ParseDDL(tt.sql, toks)
		if !ok {
			t.Errorf("%s: not parsed as a maintenance statement", tt.sql)
			continue
		}
		var got string
		if err != nil {
			got = "error " + pgerr.From(err).Code
		} else {
			kind := "vacuum"
			if d.Kind == DDLAnalyze {
				kind = "analyze"
			}
			var names []string
			for _, q := range d.Quals {
				names = append(names, q.String())
			}
			cols := make([][]string, len(d.VacuumColumns))
			for i, c := range d.VacuumColumns {
				cols[i] = append([]string{}, c...)
			}
			got = fmt.Sprintf("%s %v %v", kind, names, cols)
		}
		if got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.sql, got, tt.want)
		}
	}
}

func TestParseStorageParameters(t *testing.T) {
	for _, sql := range []string{
		"alter table t set (fillfactor=80)",
		"alter table t reset (fillfactor)",
		"alter table t set (fillfactor=80, autovacuum_enabled=off), alter column a set not null",
	} {
		toks, err := Lex(sql)
		if err != nil {
			t.Fatal(err)
		}
		d, ok, err := ParseDDL(sql, toks)
		if !ok || err != nil {
			t.Fatalf("%s: ok=%v err=%v", sql, ok, err)
		}
		if d.Actions[0].Kind != "storage_parameters" {
			t.Errorf("%s: first action %q, want storage_parameters", sql, d.Actions[0].Kind)
		}
	}
}
