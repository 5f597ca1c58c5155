package pgdialect

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/augurdb/augur/storage/pgerr"
	tidbparser "github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/mysql"
	_ "github.com/pingcap/tidb/pkg/parser/test_driver"
)

var rewriteFlag = flag.Bool("rewrite", false, "regenerate the expected output in testdata")

// A testdata file is a list of cases separated by blank lines:
//
//	<directive>      lex | rewrite | utility
//	<input, one or more lines>
//	----
//	<expected output, no blank lines>
type tcase struct {
	directive, input, want string
}

func readCases(t *testing.T, path string) []tcase {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []tcase
	for _, block := range strings.Split(strings.TrimSpace(string(b)), "\n\n") {
		lines := strings.Split(block, "\n")
		for len(lines) > 0 && strings.HasPrefix(lines[0], "#") {
			lines = lines[1:]
		}
		if len(lines) == 0 {
			continue
		}
		c := tcase{directive: lines[0]}
		var in, want []string
		sep := false
		for _, l := range lines[1:] {
			switch {
			case l == "----":
				sep = true
			case sep:
				want = append(want, l)
			default:
				in = append(in, l)
			}
		}
		c.input, c.want = strings.Join(in, "\n"), strings.Join(want, "\n")
		out = append(out, c)
	}
	return out
}

func writeCases(t *testing.T, path string, cases []tcase) {
	var b strings.Builder
	for i, c := range cases {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s\n%s\n----\n%s\n", c.directive, c.input, c.want)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func errText(err error) string {
	pe := pgerr.From(err)
	return fmt.Sprintf("error %s at %d: %s", pe.Code, pe.Position, pe.Message)
}

func newTiDB() *tidbparser.Parser {
	p := tidbparser.New()
	p.SetSQLMode(mysql.ModeANSIQuotes | mysql.ModePipesAsConcat | mysql.ModeNoBackslashEscapes)
	return p
}

func run(t *testing.T, tidb *tidbparser.Parser, c tcase) string {
	switch c.directive {
	case "lex":
		toks, err := Lex(c.input)
		if err != nil {
			return errText(err)
		}
		var lines []string
		for _, tk := range toks {
			lines = append(lines, fmt.Sprintf("%s %q @%d", tk.Kind, tk.Val, CharPos(c.input, tk.Pos)))
		}
		return strings.Join(lines, "\n")
	case "rewrite":
		toks, err := Lex(c.input)
		if err != nil {
			return errText(err)
		}
		var lines []string
		for _, st := range Split(toks) {
			rw, err := Rewrite(c.input, st)
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
		toks, err := Lex(c.input)
		if err != nil {
			return errText(err)
		}
		u, ok, err := ParseUtility(c.input, toks)
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
	t.Fatalf("unknown directive %q", c.directive)
	return ""
}

func TestDataDriven(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txt")
	tidb := newTiDB()
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			cases := readCases(t, f)
			for i := range cases {
				got := run(t, tidb, cases[i])
				if *rewriteFlag {
					cases[i].want = got
					continue
				}
				if got != cases[i].want {
					t.Errorf("%s\n%s\ngot:\n%s\nwant:\n%s", cases[i].directive, cases[i].input, got, cases[i].want)
				}
			}
			if *rewriteFlag {
				writeCases(t, f, cases)
			}
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
