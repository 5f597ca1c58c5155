package planner

import (
	"strconv"
	"strings"

	"github.com/augurdb/augur/planner/pgdialect"
)

// Token rewrites for PostgreSQL forms the TiDB grammar lacks but whose meaning the
// binder can restore: they turn the form into a marker call that the grammar reads
// and the binder recognises.
const (
	// fnNullsFirst / fnNullsLast wrap an ORDER BY item: `x DESC NULLS FIRST`
	// becomes `augurnulls_first(x) DESC`.
	fnNullsFirst = "augurnulls_first"
	fnNullsLast  = "augurnulls_last"
	// fnFullJoin marks a FULL JOIN: `a FULL JOIN b ON c` becomes
	// `a LEFT JOIN b ON augurjoin_full() AND (c)`.
	fnFullJoin = "augurjoin_full"
)

func ident(val string, at pgdialect.Token) pgdialect.Token {
	return pgdialect.Token{Kind: pgdialect.Ident, Val: val, Pos: at.Pos, End: at.Pos, Space: true}
}

func punct(val string, at pgdialect.Token) pgdialect.Token {
	return pgdialect.Token{Kind: pgdialect.Punct, Val: val, Pos: at.Pos, End: at.Pos}
}

// markNullsOrder rewrites ORDER BY items with NULLS FIRST / NULLS LAST.
func markNullsOrder(toks []pgdialect.Token) []pgdialect.Token {
	for i := 0; i+1 < len(toks); i++ {
		if !toks[i].Is("nulls") || !(toks[i+1].Is("first") || toks[i+1].Is("last")) || i == 0 {
			continue
		}
		fn := fnNullsFirst
		if toks[i+1].Is("last") {
			fn = fnNullsLast
		}
		end := i // the item ends before ASC/DESC
		if toks[end-1].Is("asc") || toks[end-1].Is("desc") {
			end--
		}
		start, depth := end-1, 0
		for ; start >= 0; start-- {
			t := toks[start]
			if t.IsPunct(")") || t.IsPunct("]") {
				depth++
			} else if t.IsPunct("(") || t.IsPunct("[") {
				if depth == 0 {
					break
				}
				depth--
			} else if depth == 0 && (t.IsPunct(",") || t.Is("by")) {
				break
			}
		}
		start++
		if start >= end {
			continue
		}
		var out []pgdialect.Token
		out = append(out, toks[:start]...)
		out = append(out, ident(fn, toks[start]), punct("(", toks[start]))
		out = append(out, toks[start:end]...)
		out = append(out, punct(")", toks[end-1]))
		out = append(out, toks[end:i]...) // ASC/DESC
		out = append(out, toks[i+2:]...)
		toks = out
		i = start
	}
	return toks
}

// markFullJoins rewrites FULL [OUTER] JOIN ... ON c.
func markFullJoins(toks []pgdialect.Token) []pgdialect.Token {
	for i := 0; i+1 < len(toks); i++ {
		if !toks[i].Is("full") {
			continue
		}
		j := i + 1
		if toks[j].Is("outer") {
			j++
		}
		if j >= len(toks) || !toks[j].Is("join") {
			continue
		}
		// Find ON at the same depth after the joined item.
		depth, on := 0, -1
		for k := j + 1; k < len(toks) && on < 0; k++ {
			switch t := toks[k]; {
			case t.IsPunct("("):
				depth++
			case t.IsPunct(")"):
				depth--
			case depth == 0 && t.Is("on"):
				on = k
			}
		}
		if on < 0 {
			continue // FULL JOIN ... USING: left for the grammar to refuse
		}
		// The ON condition ends at the next clause keyword or join at depth 0.
		end, depth := len(toks), 0
		for k := on + 1; k < len(toks); k++ {
			t := toks[k]
			if t.IsPunct("(") {
				depth++
			} else if t.IsPunct(")") {
				if depth == 0 {
					end = k
					break
				}
				depth--
			} else if depth == 0 && (t.Is("where") || t.Is("group") || t.Is("order") || t.Is("limit") || t.Is("having") ||
				t.Is("join") || t.Is("left") || t.Is("right") || t.Is("inner") || t.Is("cross") || t.Is("full") ||
				t.Is("union") || t.Is("intersect") || t.Is("except") || t.Is("offset") || t.Is("natural") ||
				t.IsPunct(",") || t.IsPunct(";") || t.Is("window")) {
				end = k
				break
			}
		}
		var out []pgdialect.Token
		out = append(out, toks[:i]...)
		out = append(out, ident("left", toks[i]))
		out = append(out, toks[j:on+1]...)
		out = append(out, ident(fnFullJoin, toks[on]), punct("(", toks[on]), punct(")", toks[on]), ident("and", toks[on]), punct("(", toks[on]))
		out = append(out, toks[on+1:end]...)
		out = append(out, punct(")", toks[end-1]))
		out = append(out, toks[end:]...)
		toks = out
	}
	return toks
}

// maxLimit stands in for "no limit" where the grammar needs a LIMIT (OFFSET alone);
// it stays below limitParamBase's range.
const maxLimit = "9223372036854775000"

// limitParamBase marks a parameter in LIMIT or OFFSET, where the TiDB grammar
// takes only literals: `LIMIT $n` is read as the literal limitParamBase + n, which
// the binder turns back into $n (no real limit is that close to 2^63).
const limitParamBase = 9223372036854775000

// rewriteLimits adapts LIMIT and OFFSET to the TiDB grammar: LIMIT ALL and LIMIT
// NULL are dropped (no limit), OFFSET without LIMIT gets an unbounded LIMIT, and a
// parameter becomes a limitParamBase literal.
func rewriteLimits(toks []pgdialect.Token) []pgdialect.Token {
	var out []pgdialect.Token
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.Is("limit") && i+1 < len(toks) && (toks[i+1].Is("all") || toks[i+1].Is("null")):
			i++
			continue
		case t.Is("offset") && !limitBefore(out):
			out = append(out, ident("limit", t), pgdialect.Token{Kind: pgdialect.Integer, Val: maxLimit, Pos: t.Pos, End: t.Pos, Space: true})
		case t.Kind == pgdialect.String && i > 0 && (toks[i-1].Is("limit") || toks[i-1].Is("offset")):
			// LIMIT '2' (what clients interpolating parameters send) is a number.
			if v, err := strconv.ParseInt(strings.TrimSpace(t.Val), 10, 64); err == nil && v >= 0 && v < limitParamBase {
				out = append(out, pgdialect.Token{Kind: pgdialect.Integer, Val: strconv.FormatInt(v, 10), Pos: t.Pos, End: t.End, Space: true})
				continue
			}
		case t.Kind == pgdialect.Param && i > 0 && (toks[i-1].Is("limit") || toks[i-1].Is("offset")):
			n, err := strconv.ParseInt(t.Val, 10, 64)
			if err == nil && n > 0 && n < 1000 {
				out = append(out, pgdialect.Token{Kind: pgdialect.Integer, Val: strconv.FormatInt(limitParamBase+n, 10), Pos: t.Pos, End: t.End, Space: true})
				continue
			}
		}
		out = append(out, t)
	}
	return out
}

// limitBefore reports whether the tokens of the current query level (back to an
// unmatched "(") contain LIMIT.
func limitBefore(toks []pgdialect.Token) bool {
	depth := 0
	for i := len(toks) - 1; i >= 0; i-- {
		switch t := toks[i]; {
		case t.IsPunct(")"):
			depth++
		case t.IsPunct("("):
			if depth == 0 {
				return false
			}
			depth--
		case depth == 0 && t.Is("limit"):
			return true
		case depth == 0 && (t.Is("union") || t.Is("intersect") || t.Is("except")):
			return false
		}
	}
	return false
}

// rewriteDefaultValues turns INSERT ... DEFAULT VALUES into the grammar's
// `() VALUES ()`: one row of defaults.
func rewriteDefaultValues(toks []pgdialect.Token) []pgdialect.Token {
	if len(toks) < 2 || !toks[0].Is("insert") {
		return toks
	}
	for i := 1; i+1 < len(toks); i++ {
		if toks[i].Is("default") && toks[i+1].Is("values") {
			out := append([]pgdialect.Token(nil), toks[:i]...)
			out = append(out, punct("(", toks[i]), punct(")", toks[i]), toks[i+1], punct("(", toks[i+1]), punct(")", toks[i+1]))
			return append(out, toks[i+2:]...)
		}
	}
	return toks
}
