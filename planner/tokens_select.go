package planner

import (
	"github.com/augurdb/augur/actors/lockmgr"
	"github.com/augurdb/augur/planner/pgdialect"
	"github.com/augurdb/augur/storage/pgerr"
)

// Token rewrites of SELECT forms the TiDB grammar lacks, in the manner of
// tokens.go (marker calls the binder recognises):
//
//   - `VALUES (1, 'a'), (2, 'b')` as a query (a statement, a derived table, a WITH
//     query, a set operation's branch) becomes the grammar's `VALUES ROW(1, 'a'),
//     ROW(2, 'b')`; INSERT's VALUES is left alone.
//   - `SELECT DISTINCT ON (a, b) x, y` becomes `SELECT augurdistinct_on(a, b), x, y`:
//     the binder takes the first select-list item off (distincton.go).
//   - `OFFSET n ROWS` loses ROWS; `FETCH FIRST|NEXT [n] ROW|ROWS ONLY` becomes
//     `LIMIT n` (put before an OFFSET written first); `... WITH TIES` also ends
//     the ORDER BY list with the marker item `augurwith_ties()`.
//   - `AS [NOT] MATERIALIZED (` of a WITH query loses the (advisory) keywords.
const (
	fnDistinctOn = "augurdistinct_on"
	fnWithTies   = "augurwith_ties"
)

// rewriteSelectForms applies the rewrites above.
func rewriteSelectForms(toks []pgdialect.Token) ([]pgdialect.Token, error) {
	toks = rewriteValuesRows(toks)
	toks = rewriteDistinctOn(toks)
	toks = dropMaterialized(toks)
	return rewriteFetch(toks)
}

func rewriteValuesRows(toks []pgdialect.Token) []pgdialect.Token {
	var out []pgdialect.Token
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		out = append(out, t)
		if !t.Is("values") || i+1 >= len(toks) || !toks[i+1].IsPunct("(") {
			continue
		}
		if i > 0 {
			p := toks[i-1]
			if !(p.IsPunct("(") || p.Is("union") || p.Is("intersect") || p.Is("except") || p.Is("all") || p.Is("distinct")) {
				continue
			}
		}
		// Each parenthesised row at this depth gets ROW before it.
		for j := i + 1; j < len(toks) && toks[j].IsPunct("("); {
			end := closing(toks, j)
			if end < 0 {
				return toks
			}
			out = append(out, ident("row", toks[j]))
			out = append(out, toks[j:end+1]...)
			i = end
			if end+2 < len(toks) && toks[end+1].IsPunct(",") && toks[end+2].IsPunct("(") {
				out = append(out, toks[end+1])
				j = end + 2
				i = end + 1
				continue
			}
			break
		}
	}
	return out
}

// closing returns the index of the bracket closing the one at i, or -1.
func closing(toks []pgdialect.Token, i int) int {
	depth := 0
	for k := i; k < len(toks); k++ {
		switch {
		case toks[k].IsPunct("(") || toks[k].IsPunct("["):
			depth++
		case toks[k].IsPunct(")") || toks[k].IsPunct("]"):
			depth--
			if depth == 0 {
				return k
			}
		}
	}
	return -1
}

func rewriteDistinctOn(toks []pgdialect.Token) []pgdialect.Token {
	var out []pgdialect.Token
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if i > 0 && toks[i-1].Is("select") && t.Is("distinct") && i+2 < len(toks) && toks[i+1].Is("on") && toks[i+2].IsPunct("(") {
			end := closing(toks, i+2)
			if end < 0 {
				return toks
			}
			out = append(out, ident(fnDistinctOn, t))
			out = append(out, toks[i+2:end+1]...)
			out = append(out, punct(",", toks[end]))
			i = end
			continue
		}
		out = append(out, t)
	}
	return out
}

func dropMaterialized(toks []pgdialect.Token) []pgdialect.Token {
	var out []pgdialect.Token
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if i > 0 && toks[i-1].Is("as") {
			if t.Is("materialized") && i+1 < len(toks) && toks[i+1].IsPunct("(") {
				continue
			}
			if t.Is("not") && i+2 < len(toks) && toks[i+1].Is("materialized") && toks[i+2].IsPunct("(") {
				i++
				continue
			}
		}
		out = append(out, t)
	}
	return out
}

// clauseItem returns the end (exclusive) of a LIMIT/OFFSET/FETCH count at i: one
// token, a signed one, or a parenthesised expression.
func clauseItem(toks []pgdialect.Token, i int) int {
	if i >= len(toks) {
		return i
	}
	if toks[i].IsPunct("(") {
		if e := closing(toks, i); e > 0 {
			return e + 1
		}
		return i
	}
	if (toks[i].IsOp("-") || toks[i].IsOp("+")) && i+1 < len(toks) {
		return i + 2
	}
	return i + 1
}

func rewriteFetch(toks []pgdialect.Token) ([]pgdialect.Token, error) {
	var out []pgdialect.Token
	offsetAt := -1 // in out: where an OFFSET clause of the current level began
	depth := 0
	var levels []int
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.IsPunct("("):
			levels = append(levels, offsetAt)
			offsetAt = -1
			depth++
		case t.IsPunct(")") && depth > 0:
			depth--
			offsetAt = levels[len(levels)-1]
			levels = levels[:len(levels)-1]
		case t.Is("offset"):
			e := clauseItem(toks, i+1)
			offsetAt = len(out)
			out = append(out, toks[i:e]...)
			if e < len(toks) && (toks[e].Is("row") || toks[e].Is("rows")) {
				e++
			}
			i = e - 1
			continue
		case t.Is("fetch") && i+1 < len(toks) && (toks[i+1].Is("first") || toks[i+1].Is("next")):
			j := i + 2
			count := []pgdialect.Token{{Kind: pgdialect.Integer, Val: "1", Pos: t.Pos, End: t.Pos, Space: true}}
			if j < len(toks) && !toks[j].Is("row") && !toks[j].Is("rows") {
				e := clauseItem(toks, j)
				count = toks[j:e]
				j = e
			}
			if j >= len(toks) || !(toks[j].Is("row") || toks[j].Is("rows")) {
				out = append(out, t)
				continue // not FETCH FIRST: left to the parser
			}
			j++
			ties := false
			switch {
			case j < len(toks) && toks[j].Is("only"):
				j++
			case j+1 < len(toks) && toks[j].Is("with") && toks[j+1].Is("ties"):
				ties = true
				j += 2
			default:
				out = append(out, t)
				continue
			}
			limit := append([]pgdialect.Token{ident("limit", t)}, count...)
			at := len(out)
			if offsetAt >= 0 {
				at = offsetAt
			}
			if ties {
				if !orderByBefore(out[:at]) {
					return nil, pgerr.Syntax(0, "WITH TIES cannot be specified without ORDER BY clause")
				}
				limit = append([]pgdialect.Token{punct(",", t), ident(fnWithTies, t), punct("(", t), punct(")", t)}, limit...)
			}
			rest := append([]pgdialect.Token(nil), out[at:]...)
			out = append(append(out[:at], limit...), rest...)
			offsetAt = -1
			i = j - 1
			continue
		}
		out = append(out, t)
	}
	return out, nil
}

// orderByBefore reports whether the current query level (back to an unmatched
// "(") of toks has ORDER BY.
func orderByBefore(toks []pgdialect.Token) bool {
	depth := 0
	for i := len(toks) - 1; i > 0; i-- {
		switch t := toks[i]; {
		case t.IsPunct(")"):
			depth++
		case t.IsPunct("("):
			if depth == 0 {
				return false
			}
			depth--
		case depth == 0 && t.Is("by") && toks[i-1].Is("order"):
			return true
		}
	}
	return false
}

// lockClause is a row-locking clause as the dialect pass read it: its real
// strength and its OF list (table names), which the grammar cannot read.
type lockClause struct {
	mode   lockmgr.Mode
	tables []string
}

// rewriteLockClauses reads each row-locking clause (FOR UPDATE, FOR NO KEY
// UPDATE, FOR SHARE, FOR KEY SHARE, with an optional OF list), in order, and
// leaves the grammar's two spellings (FOR UPDATE, FOR SHARE) in its place.
func rewriteLockClauses(toks []pgdialect.Token) ([]pgdialect.Token, []lockClause) {
	var clauses []lockClause
	out := toks[:0:0]
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		out = append(out, t)
		if !t.Is("for") || i+1 >= len(toks) {
			continue
		}
		var lc lockClause
		switch {
		case toks[i+1].Is("update"):
			lc.mode = lockmgr.ForUpdate
			i++
		case toks[i+1].Is("share"):
			lc.mode = lockmgr.ForShare
			i++
		case i+3 < len(toks) && toks[i+1].Is("no") && toks[i+2].Is("key") && toks[i+3].Is("update"):
			lc.mode = lockmgr.ForNoKeyUpdate
			i += 3
		case i+2 < len(toks) && toks[i+1].Is("key") && toks[i+2].Is("share"):
			lc.mode = lockmgr.ForKeyShare
			i += 2
		default:
			continue
		}
		word := "update"
		if lc.mode == lockmgr.ForShare || lc.mode == lockmgr.ForKeyShare {
			word = "share"
		}
		out = append(out, ident(word, toks[i]))
		if i+2 < len(toks) && toks[i+1].Is("of") {
			i++
			for i+1 < len(toks) && (toks[i+1].Kind == pgdialect.Ident || toks[i+1].Kind == pgdialect.QIdent) {
				i++
				name := toks[i].Val
				for i+2 < len(toks) && toks[i+1].IsPunct(".") {
					name = toks[i+2].Val
					i += 2
				}
				lc.tables = append(lc.tables, name)
				if i+2 < len(toks) && toks[i+1].IsPunct(",") {
					i++
					continue
				}
				break
			}
		}
		clauses = append(clauses, lc)
	}
	return out, clauses
}
