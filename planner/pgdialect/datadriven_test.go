package pgdialect

import (
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/augurdb/augur/planner/internal/datadriven"
	"github.com/augurdb/augur/storage/pgerr"
	tidbparser "github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/mysql"
	_ "github.com/pingcap/tidb/pkg/parser/test_driver"
)

var rewriteFlag = flag.Bool("rewrite", false, "regenerate the expected output in testdata")

func errText(err error) string {
	pe := pgerr.From(err)
	return fmt.Sprintf("error %s at %d: %s", pe.Code, pe.Position, pe.Message)
}

func newTiDB() *tidbparser.Parser {
	p := tidbparser.New()
	p.SetSQLMode(mysql.ModeANSIQuotes | mysql.ModePipesAsConcat | mysql.ModeNoBackslashEscapes)
	return p
}

func run(t *testing.T, tidb *tidbparser.Parser, c datadriven.Case) string {
	switch c.Directive {
	case "lex":
		toks, err := Lex(c.Input)
		if err != nil {
			return errText(err)
		}
		var lines []string
		for _, tk := range toks {
			lines = append(lines, fmt.Sprintf("%s %q @%d", tk.Kind, tk.Val, CharPos(c.Input, tk.Pos)))
		}
		return strings.Join(lines, "\n")
	case "rewrite":
		toks, err := Lex(c.Input)
		if err != nil {
			return errText(err)
		}
		var lines []string
		for _, st := range Split(toks) {
			rw, err := Rewrite(c.Input, st)
			if err != nil {
				lines = append(lines, errText(err))
				continue
			}
			lines = append(lines, rw.SQL)
			var rules []string
			for _, r := range rw.Rules {
				rules = append(rules, string(r))
			}
			if len(rules) > 0 {
				lines = append(lines, "rules: "+strings.Join(rules, ", "))
			}
			if _, err := tidb.ParseOneStmt(rw.SQL, "", ""); err != nil {
				lines = append(lines, "tidb: "+strings.SplitN(err.Error(), "\n", 2)[0])
			}
		}
		return strings.Join(lines, "\n")
	case "utility":
		toks, err := Lex(c.Input)
		if err != nil {
			return errText(err)
		}
		u, ok, err := ParseUtility(c.Input, toks)
		switch {
		case err != nil:
			return errText(err)
		case !ok:
			return "not a utility statement"
		}
		s := fmt.Sprintf("kind=%d name=%q values=%q local=%v chain=%v", u.Kind, u.Name, u.Values, u.Local, u.Chain)
		if m := u.Modes; m.Isolation != "" || m.ReadOnly != nil || m.Deferrable != nil {
			s += fmt.Sprintf(" isolation=%q", m.Isolation)
			if m.ReadOnly != nil {
				s += fmt.Sprintf(" readonly=%v", *m.ReadOnly)
			}
			if m.Deferrable != nil {
				s += fmt.Sprintf(" deferrable=%v", *m.Deferrable)
			}
		}
		return s
	}
	t.Fatalf("unknown directive %q", c.Directive)
	return ""
}

// TestDataDriven runs testdata/*.txt (format: package datadriven); the directive
// is lex, rewrite or utility. Regenerate with -rewrite.
func TestDataDriven(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txt")
	tidb := newTiDB()
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			datadriven.RunFile(t, f, *rewriteFlag, func(c datadriven.Case) string { return run(t, tidb, c) })
		})
	}
}

func FuzzLexRewrite(f *testing.F) {
	for _, s := range []string{
		"SELECT $1::int + 1", "select E'a\\nb' || $$x$$", "SELECT -1::int^2", "SELECT (a)::int::text",
		"SET search_path TO \"$user\", public", "SELECT U&'\\0041' UESCAPE '!'", "/* /* */ */ SELECT 1",
		"SELECT CASE WHEN a IS DISTINCT FROM b THEN ARRAY[1,2] END", "SELECT x[1] FROM t WHERE a ~ 'b'",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		toks, err := Lex(s)
		if err != nil {
			if _, ok := err.(*pgerr.Error); !ok {
				t.Fatalf("non-pgerr error %T", err)
			}
			return
		}
		for _, st := range Split(toks) {
			if _, _, err := ParseUtility(s, st); err != nil {
				continue
			}
			rw, err := Rewrite(s, st)
			if err != nil {
				if _, ok := err.(*pgerr.Error); !ok {
					t.Fatalf("non-pgerr error %T", err)
				}
				continue
			}
			for i := 0; i <= len(rw.SQL); i++ {
				if o := rw.OrigOffset(i); o < 0 || o > len(s) {
					t.Fatalf("OrigOffset(%d) = %d out of range", i, o)
				}
			}
		}
	})
}
