package pgdialect

import "strings"

// Gaps are PostgreSQL constructs that the TiDB grammar cannot read and that the
// rewrite does not turn into something it can yet (the SQL issue cuts them out
// into annotations). When the TiDB parser fails on a statement holding one, the
// planner reports 0A000 naming the construct instead of a misleading 42601.
//
// Each gap is a token pattern: words match keywords or identifiers, "(" and ","
// punctuation; "*" matches any one token.
var gapPatterns = []struct {
	name    string
	pattern []string
	first   bool // the pattern must start the statement
}{
	{"WITH (storage parameters)", []string{"with", "("}, false},
	{"TRUNCATE of several tables", []string{"truncate", "*", ","}, true},
	{"TRUNCATE of several tables", []string{"truncate", "table", "*", ","}, true},
	{"VALUES in a set operation", []string{"union", "values"}, false},
	{"VALUES in a set operation", []string{"union", "all", "values"}, false},
	{"RETURNING", []string{"returning"}, false},
	{"ON CONFLICT", []string{"on", "conflict"}, false},
	{"NULLS FIRST/LAST", []string{"nulls", "first"}, false},
	{"NULLS FIRST/LAST", []string{"nulls", "last"}, false},
	{"DISTINCT ON", []string{"distinct", "on"}, false},
	{"FULL JOIN", []string{"full", "join"}, false},
	{"FULL JOIN", []string{"full", "outer"}, false},
	{"LIMIT ALL", []string{"limit", "all"}, false},
	{"temporary tables", []string{"create", "temp"}, true},
	{"temporary tables", []string{"create", "temporary"}, true},
	{"identity columns", []string{"generated", "always", "as", "identity"}, false},
	{"identity columns", []string{"generated", "by", "default"}, false},
	{"ALTER COLUMN ... TYPE", []string{"alter", "column", "*", "type"}, false},
	{"ALTER COLUMN ... TYPE", []string{"alter", "*", "type"}, false},
	{"CREATE TYPE", []string{"create", "type"}, true},
	{"CREATE SEQUENCE", []string{"create", "sequence"}, true},
	{"CREATE FUNCTION", []string{"create", "function"}, true},
	{"CREATE FUNCTION", []string{"create", "or", "replace"}, true},
	{"CREATE SCHEMA", []string{"create", "schema"}, true},
	{"DROP ... CASCADE", []string{"cascade"}, false},
	{"WITHIN GROUP", []string{"within", "group"}, false},
	{"TABLESAMPLE", []string{"tablesample"}, false},
}

// Gaps lists the PostgreSQL-only constructs found in a statement's tokens that the
// TiDB grammar cannot read: the patterns above. (Functions in FROM, LATERAL and
// WITH ORDINALITY are taken apart before the grammar sees them: planner/fromitems.go.)
func Gaps(toks []Token) []string {
	var out []string
	add := func(g string) {
		for _, x := range out {
			if x == g {
				return
			}
		}
		out = append(out, g)
	}
	for i := range toks {
		for _, g := range gapPatterns {
			if g.first && i > 0 {
				continue
			}
			if matchAt(toks, i, g.pattern) {
				add(g.name)
			}
		}
	}
	return out
}

func matchAt(toks []Token, i int, pat []string) bool {
	if i+len(pat) > len(toks) {
		return false
	}
	for k, w := range pat {
		t := toks[i+k]
		switch w {
		case "*":
		case "(", ",", ")":
			if !t.IsPunct(w) {
				return false
			}
		default:
			if t.Kind != Ident || t.Val != w {
				return false
			}
		}
	}
	return true
}

// GapError words a refusal for the gaps found.
func GapError(gaps []string) string {
	return strings.Join(gaps, ", ")
}
