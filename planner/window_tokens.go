package planner

import (
	"strings"

	"github.com/augurdb/augur/planner/pgdialect"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/jackc/pgerrcode"
)

// Token rewrites for window functions, aggregate FILTER and ORDER BY, and the
// grouping-set constructs, which the TiDB grammar reads only partly (it lacks
// frame offsets other than literals, EXCLUDE, OVER after most aggregates, FILTER,
// ordered aggregates, GROUPING SETS, CUBE and PostgreSQL's ROLLUP(...)). Each
// form becomes a marker call the grammar reads and the binder restores:
//
//   - `f(args) OVER spec` becomes `augurwin_over(f(args), row_number() OVER spec')`:
//     the grammar parses the window specification (or name) on the row_number
//     carrier, and the binder takes it from there. Window-only functions (rank,
//     lag, ...) are names TiDB reserves, so their calls go quoted: `"rank"()`.
//   - A frame clause leaves the specification as one extra PARTITION BY item,
//     `augurwin_frame('rows', 'preceding', (x), 'current row', NULL, 'ties')`:
//     units, start kind and offset, end kind and offset, exclusion.
//     `WINDOW w AS (spec)` definitions get the same treatment.
//   - `agg(x) FILTER (WHERE c)` becomes `augurwin_filter(agg(x), (c))`.
//   - `agg(x ORDER BY y DESC, z)` becomes `augurwin_order(agg(x), augurwin_desc(y), z)`;
//     `agg(DISTINCT x ORDER BY y)` of an aggregate TiDB does not know becomes
//     `augurwin_distinct(agg(x), y)`.
//   - In GROUP BY, `ROLLUP(a, (b, c))`, `CUBE(...)`, `GROUPING SETS (...)` and `()`
//     become augurwin_rollup(a, augurwin_gset(b, c)), augurwin_cube(...),
//     augurwin_sets(...) and augurwin_gset(); GROUPING(a, b) anywhere becomes
//     augurwin_grouping(a, b).
const (
	fnWinOver   = "augurwin_over"
	fnWinFrame  = "augurwin_frame"
	fnAggFilter = "augurwin_filter"
	fnAggOrder  = "augurwin_order"
	fnAggDesc   = "augurwin_desc"
	// fnAggDistinct is f(DISTINCT x [ORDER BY y]) for aggregates the grammar
	// does not know: augurwin_distinct(f(x) [, y]).
	fnAggDistinct = "augurwin_distinct"
	fnGrouping    = "augurwin_grouping"
	fnRollup      = "augurwin_rollup"
	fnCube        = "augurwin_cube"
	fnSets        = "augurwin_sets"
	fnGSet        = "augurwin_gset"
	// winCarrier is the window function whose OVER clause carries a specification.
	winCarrier = "row_number"
)

// tidbAggregates are the aggregates whose DISTINCT the TiDB grammar reads.
var tidbAggregates = map[string]bool{"count": true, "sum": true, "avg": true, "min": true, "max": true, "group_concat": true}

// windowOnlyFuncs are PostgreSQL's window functions; TiDB reserves their names.
var windowOnlyFuncs = map[string]bool{
	"row_number": true, "rank": true, "dense_rank": true, "percent_rank": true, "cume_dist": true,
	"ntile": true, "lag": true, "lead": true, "first_value": true, "last_value": true, "nth_value": true,
}

func strTok(val string, at pgdialect.Token) pgdialect.Token {
	return pgdialect.Token{Kind: pgdialect.String, Val: val, Pos: at.Pos, End: at.End, Space: true}
}

// markWindows applies the rewrites above to one statement's tokens.
func markWindows(src string, toks []pgdialect.Token) ([]pgdialect.Token, error) {
	w := &winMarker{src: src}
	return w.seq(toks)
}

type winMarker struct{ src string }

// matchClose returns the index of the bracket closing the one at open, or -1.
func matchClose(toks []pgdialect.Token, open int) int {
	depth := 0
	for i := open; i < len(toks); i++ {
		switch {
		case toks[i].IsPunct("(") || toks[i].IsPunct("["):
			depth++
		case toks[i].IsPunct(")") || toks[i].IsPunct("]"):
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// callStart returns the index in out where the function call ending out starts
// (its name), or -1 when out does not end with a call.
func callStart(out []pgdialect.Token) int {
	n := len(out)
	if n == 0 || !out[n-1].IsPunct(")") {
		return -1
	}
	depth := 0
	open := -1
	for i := n - 1; i >= 0; i-- {
		if out[i].IsPunct(")") || out[i].IsPunct("]") {
			depth++
		} else if out[i].IsPunct("(") || out[i].IsPunct("[") {
			depth--
			if depth == 0 {
				open = i
				break
			}
		}
	}
	if open < 1 || !isFuncName(out[open-1]) {
		return -1
	}
	start := open - 1
	for start >= 2 && out[start-1].IsPunct(".") && (out[start-2].Kind == pgdialect.Ident || out[start-2].Kind == pgdialect.QIdent) {
		start -= 2
	}
	return start
}

func isFuncName(t pgdialect.Token) bool {
	return t.Kind == pgdialect.QIdent || t.Kind == pgdialect.Ident && !pgdialect.IsReserved(t.Val)
}

// depth0 returns the index of the first token at bracket depth 0 for which f
// holds, or -1.
func depth0(toks []pgdialect.Token, from int, f func(i int) bool) int {
	depth := 0
	for i := from; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.IsPunct("(") || t.IsPunct("["):
			depth++
		case t.IsPunct(")") || t.IsPunct("]"):
			depth--
		case depth == 0 && f(i):
			return i
		}
	}
	return -1
}

// splitCommas splits toks at the commas of depth 0.
func splitCommas(toks []pgdialect.Token) [][]pgdialect.Token {
	var out [][]pgdialect.Token
	start := 0
	for {
		i := depth0(toks, start, func(i int) bool { return toks[i].IsPunct(",") })
		if i < 0 {
			return append(out, toks[start:])
		}
		out = append(out, toks[start:i])
		start = i + 1
	}
}

// groupByEnd are the words that end a GROUP BY clause at its level.
var groupByEnd = map[string]bool{"having": true, "window": true, "order": true, "limit": true, "offset": true,
	"union": true, "intersect": true, "except": true, "fetch": true, "for": true}

// seq rewrites the tokens of one bracket level.
func (w *winMarker) seq(toks []pgdialect.Token) ([]pgdialect.Token, error) {
	var out []pgdialect.Token
	groupBy := false
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		next := func(k int) pgdialect.Token {
			if i+k < len(toks) {
				return toks[i+k]
			}
			return pgdialect.Token{Kind: pgdialect.EOF}
		}
		if groupBy && t.Kind == pgdialect.Ident && groupByEnd[t.Val] {
			groupBy = false
		}
		itemStart := len(out) > 0 && (out[len(out)-1].Is("by") || out[len(out)-1].IsPunct(","))
		switch {
		case t.IsPunct("(") || t.IsPunct("["):
			cl := matchClose(toks, i)
			if cl < 0 {
				return append(out, toks[i:]...), nil
			}
			if groupBy && itemStart && cl == i+1 && (cl+1 == len(toks) || toks[cl+1].IsPunct(",") || toks[cl+1].Kind == pgdialect.Ident && groupByEnd[toks[cl+1].Val]) {
				// GROUP BY (): the empty grouping set.
				out = append(out, ident(fnGSet, t), punct("(", t), punct(")", t))
				i = cl
				continue
			}
			inner, err := w.seq(toks[i+1 : cl])
			if err != nil {
				return nil, err
			}
			if start := len(out) - 1; t.IsPunct("(") && start >= 0 && isFuncName(out[start]) {
				if ob := depth0(inner, 0, func(k int) bool { return inner[k].Is("order") }); ob == 1 && inner[0].IsOp("*") {
					// count(* ORDER BY ...) is not in PostgreSQL's grammar.
					return nil, pgerr.Syntax(pgdialect.CharPos(w.src, inner[1].Pos), "syntax error at or near %q", w.src[inner[1].Pos:inner[1].End])
				}
				if len(inner) > 1 && inner[0].Is("distinct") && !tidbAggregates[out[start].Val] {
					// f(DISTINCT x): the grammar takes DISTINCT only in its own
					// aggregates; the others get a marker around the call.
					for start >= 2 && out[start-1].IsPunct(".") {
						start -= 2
					}
					name := append([]pgdialect.Token(nil), out[start:]...)
					out = append(out[:start], ident(fnAggDistinct, name[0]), punct("(", t))
					out = append(out, name...)
					out = append(out, t)
					inner = inner[1:]
					if ob := depth0(inner, 0, func(k int) bool { return inner[k].Is("order") && k+1 < len(inner) && inner[k+1].Is("by") }); ob >= 0 {
						out = append(out, inner[:ob]...)
						out = append(out, punct(")", toks[cl]))
						for _, item := range splitCommas(inner[ob+2:]) {
							out = append(out, punct(",", toks[cl]))
							out = append(out, orderItemTokens(item)...)
						}
					} else {
						out = append(out, inner...)
						out = append(out, punct(")", toks[cl]))
					}
					out = append(out, punct(")", toks[cl]))
					i = cl
					continue
				}
				if ob := depth0(inner, 0, func(k int) bool { return inner[k].Is("order") && k+1 < len(inner) && inner[k+1].Is("by") }); ob >= 0 && !startsQuery(inner) {
					for start >= 2 && out[start-1].IsPunct(".") {
						start -= 2
					}
					name := append([]pgdialect.Token(nil), out[start:]...)
					out = out[:start]
					out = append(out, ident(fnAggOrder, name[0]), punct("(", t))
					out = append(out, name...)
					out = append(out, punct("(", t))
					out = append(out, inner[:ob]...)
					out = append(out, punct(")", toks[cl]))
					for _, item := range splitCommas(inner[ob+2:]) {
						out = append(out, punct(",", toks[cl]))
						out = append(out, orderItemTokens(item)...)
					}
					out = append(out, punct(")", toks[cl]))
					i = cl
					continue
				}
			}
			out = append(out, t)
			out = append(out, inner...)
			out = append(out, toks[cl])
			i = cl
		case t.Is("filter") && next(1).IsPunct("(") && callStart(out) >= 0:
			cl := matchClose(toks, i+1)
			if cl < 0 || cl == i+2 || !toks[i+2].Is("where") {
				out = append(out, t)
				continue
			}
			cond, err := w.seq(toks[i+3 : cl])
			if err != nil {
				return nil, err
			}
			start := callStart(out)
			call := append([]pgdialect.Token(nil), out[start:]...)
			out = out[:start]
			out = append(out, ident(fnAggFilter, call[0]), punct("(", t))
			out = append(out, call...)
			out = append(out, punct(",", t), punct("(", t))
			out = append(out, cond...)
			out = append(out, punct(")", toks[cl]), punct(")", toks[cl]))
			i = cl
		case t.Is("over") && callStart(out) >= 0 && (next(1).IsPunct("(") || next(1).Kind == pgdialect.Ident || next(1).Kind == pgdialect.QIdent):
			var spec []pgdialect.Token
			if next(1).IsPunct("(") {
				cl := matchClose(toks, i+1)
				if cl < 0 {
					return append(out, toks[i:]...), nil
				}
				s, err := w.spec(toks[i+2:cl], toks[cl])
				if err != nil {
					return nil, err
				}
				spec = append(append([]pgdialect.Token{toks[i+1]}, s...), toks[cl])
				i = cl
			} else {
				spec = []pgdialect.Token{next(1)}
				i++
			}
			start := callStart(out)
			call := append([]pgdialect.Token(nil), out[start:]...)
			out = out[:start]
			out = append(out, ident(fnWinOver, call[0]), punct("(", t))
			out = append(out, call...)
			out = append(out, punct(",", t), ident(winCarrier, t), punct("(", t), punct(")", t), t)
			out = append(out, spec...)
			out = append(out, punct(")", t))
		case t.Is("window") && (next(1).Kind == pgdialect.Ident || next(1).Kind == pgdialect.QIdent) && next(2).Is("as") && next(3).IsPunct("("):
			// WINDOW name AS (spec) [, ...]
			out = append(out, t)
			for i+3 < len(toks) && (toks[i+1].Kind == pgdialect.Ident || toks[i+1].Kind == pgdialect.QIdent) && toks[i+2].Is("as") && toks[i+3].IsPunct("(") {
				cl := matchClose(toks, i+3)
				if cl < 0 {
					return append(out, toks[i+1:]...), nil
				}
				s, err := w.spec(toks[i+4:cl], toks[cl])
				if err != nil {
					return nil, err
				}
				out = append(out, toks[i+1], toks[i+2], toks[i+3])
				out = append(out, s...)
				out = append(out, toks[cl])
				i = cl
				if i+1 < len(toks) && toks[i+1].IsPunct(",") {
					out = append(out, toks[i+1])
					i++
					continue
				}
				break
			}
		case t.Is("group") && next(1).Is("by"):
			groupBy = true
			out = append(out, t, next(1))
			i++
		case groupBy && itemStart && ((t.Is("rollup") || t.Is("cube")) && next(1).IsPunct("(") || t.Is("grouping") && next(1).Is("sets") && next(2).IsPunct("(")):
			n, end, err := w.groupingConstruct(toks, i)
			if err != nil {
				return nil, err
			}
			out = append(out, n...)
			i = end
		case t.Is("grouping") && next(1).IsPunct("("):
			out = append(out, ident(fnGrouping, t))
		case t.Kind == pgdialect.Ident && windowOnlyFuncs[t.Val] && next(1).IsPunct("(") && !(len(out) > 0 && out[len(out)-1].IsPunct(".")):
			out = append(out, pgdialect.Token{Kind: pgdialect.QIdent, Val: t.Val, Pos: t.Pos, End: t.End, Space: t.Space})
		case t.Kind == pgdialect.Ident && strings.HasPrefix(t.Val, "augurwin_"):
			// The markers are not callable from SQL.
			return nil, pgerr.New(pgerrcode.UndefinedFunction, "function %s does not exist", t.Val).WithPosition(pgdialect.CharPos(w.src, t.Pos))
		default:
			out = append(out, t)
		}
	}
	return out, nil
}

func startsQuery(toks []pgdialect.Token) bool {
	return len(toks) > 0 && (toks[0].Is("select") || toks[0].Is("with") || toks[0].Is("values"))
}

// orderItemTokens turns an aggregate's ORDER BY item into a marker argument:
// `x DESC` becomes augurwin_desc(x), `x ASC` becomes x.
func orderItemTokens(item []pgdialect.Token) []pgdialect.Token {
	n := len(item)
	if n > 1 && item[n-1].Is("asc") {
		return item[:n-1]
	}
	if n > 1 && item[n-1].Is("desc") {
		out := []pgdialect.Token{ident(fnAggDesc, item[0]), punct("(", item[0])}
		out = append(out, item[:n-1]...)
		return append(out, punct(")", item[n-1]))
	}
	return item
}

// groupingConstruct rewrites ROLLUP(...), CUBE(...) or GROUPING SETS (...)
// starting at toks[i]; end is the index of its closing parenthesis.
func (w *winMarker) groupingConstruct(toks []pgdialect.Token, i int) ([]pgdialect.Token, int, error) {
	t := toks[i]
	open := i + 1
	fn := fnRollup
	switch {
	case t.Is("cube"):
		fn = fnCube
	case t.Is("grouping"):
		fn = fnSets
		open = i + 2
	}
	cl := matchClose(toks, open)
	if cl < 0 {
		return nil, 0, pgerr.Syntax(pgdialect.CharPos(w.src, len(w.src)), "syntax error at end of input")
	}
	out := []pgdialect.Token{ident(fn, t), punct("(", toks[open])}
	inner := toks[open+1 : cl]
	if len(inner) > 0 {
		for k, el := range splitCommas(inner) {
			if k > 0 {
				out = append(out, punct(",", el[0]))
			}
			if len(el) == 0 {
				return nil, 0, pgerr.Syntax(pgdialect.CharPos(w.src, toks[cl].Pos), "syntax error at or near \")\"")
			}
			switch {
			case fn == fnSets && (el[0].Is("rollup") || el[0].Is("cube")) && len(el) > 1 && el[1].IsPunct("(") ||
				fn == fnSets && el[0].Is("grouping") && len(el) > 2 && el[1].Is("sets") && el[2].IsPunct("("):
				n, end, err := w.groupingConstruct(el, 0)
				if err != nil {
					return nil, 0, err
				}
				if end != len(el)-1 {
					return nil, 0, pgerr.Syntax(pgdialect.CharPos(w.src, el[end+1].Pos), "syntax error at or near %q", w.src[el[end+1].Pos:el[end+1].End])
				}
				out = append(out, n...)
			case el[0].IsPunct("(") && matchClose(el, 0) == len(el)-1:
				// (a, b): one grouping set of several expressions; () the empty set.
				s, err := w.seq(el[1 : len(el)-1])
				if err != nil {
					return nil, 0, err
				}
				out = append(out, ident(fnGSet, el[0]), punct("(", el[0]))
				out = append(out, s...)
				out = append(out, punct(")", el[len(el)-1]))
			default:
				s, err := w.seq(el)
				if err != nil {
					return nil, 0, err
				}
				out = append(out, s...)
			}
		}
	}
	out = append(out, punct(")", toks[cl]))
	return out, cl, nil
}

// spec rewrites the inside of a window specification: its frame clause becomes
// an augurwin_frame item of PARTITION BY. closeTok is the closing parenthesis.
func (w *winMarker) spec(toks []pgdialect.Token, closeTok pgdialect.Token) ([]pgdialect.Token, error) {
	f := depth0(toks, 0, func(i int) bool {
		t := toks[i]
		if !(t.Is("rows") || t.Is("range") || t.Is("groups")) || i+1 >= len(toks) {
			return false
		}
		n := toks[i+1]
		return n.Is("between") || n.Is("unbounded") || n.Is("current") ||
			depth0(toks, i+1, func(k int) bool { return toks[k].Is("preceding") || toks[k].Is("following") }) >= 0
	})
	head := toks
	if f >= 0 {
		head = toks[:f]
	}
	out, err := w.seq(head)
	if err != nil {
		return nil, err
	}
	if f < 0 {
		return out, nil
	}
	frame, err := w.frame(toks[f:], closeTok)
	if err != nil {
		return nil, err
	}
	ob := depth0(out, 0, func(i int) bool { return out[i].Is("order") && i+1 < len(out) && out[i+1].Is("by") })
	hasPartition := depth0(out, 0, func(i int) bool { return out[i].Is("partition") && i+1 < len(out) && out[i+1].Is("by") }) >= 0
	at := len(out)
	if ob >= 0 {
		at = ob
	}
	var ins []pgdialect.Token
	if hasPartition {
		ins = append(ins, punct(",", toks[f]))
	} else {
		ins = append(ins, ident("partition", toks[f]), ident("by", toks[f]))
	}
	ins = append(ins, frame...)
	res := append([]pgdialect.Token(nil), out[:at]...)
	res = append(res, ins...)
	return append(res, out[at:]...), nil
}

type frameBound struct {
	kind string // unbounded preceding, preceding, current row, following, unbounded following
	at   pgdialect.Token
	expr []pgdialect.Token
}

// frame parses a frame clause (rows|range|groups ...) into its marker call.
func (w *winMarker) frame(toks []pgdialect.Token, closeTok pgdialect.Token) ([]pgdialect.Token, error) {
	j := 1
	peek := func() pgdialect.Token {
		if j < len(toks) {
			return toks[j]
		}
		return closeTok
	}
	syntax := func() error {
		t := peek()
		return pgerr.Syntax(pgdialect.CharPos(w.src, t.Pos), "syntax error at or near %q", w.src[t.Pos:t.End])
	}
	bound := func() (frameBound, error) {
		t := peek()
		switch {
		case t.Is("unbounded") && j+1 < len(toks) && (toks[j+1].Is("preceding") || toks[j+1].Is("following")):
			j += 2
			return frameBound{kind: "unbounded " + toks[j-1].Val, at: t}, nil
		case t.Is("current") && j+1 < len(toks) && toks[j+1].Is("row"):
			j += 2
			return frameBound{kind: "current row", at: t}, nil
		}
		e := depth0(toks, j, func(k int) bool { return toks[k].Is("preceding") || toks[k].Is("following") || toks[k].Is("and") })
		if e <= j || toks[e].Is("and") {
			return frameBound{}, syntax()
		}
		expr, err := w.seq(toks[j:e])
		if err != nil {
			return frameBound{}, err
		}
		j = e + 1
		return frameBound{kind: toks[e].Val, at: t, expr: expr}, nil
	}
	var start, end frameBound
	var err error
	between := peek().Is("between")
	if between {
		j++
		if start, err = bound(); err != nil {
			return nil, err
		}
		if !peek().Is("and") {
			return nil, syntax()
		}
		j++
		if end, err = bound(); err != nil {
			return nil, err
		}
	} else {
		if start, err = bound(); err != nil {
			return nil, err
		}
		end = frameBound{kind: "current row", at: start.at}
	}
	winErr := func(at pgdialect.Token, msg string) error {
		return pgerr.New(pgerrcode.WindowingError, "%s", msg).WithPosition(pgdialect.CharPos(w.src, at.Pos))
	}
	switch {
	case start.kind == "unbounded following":
		return nil, winErr(start.at, "frame start cannot be UNBOUNDED FOLLOWING")
	case !between && start.kind == "following":
		return nil, winErr(start.at, "frame starting from following row cannot have preceding rows")
	case end.kind == "unbounded preceding":
		return nil, winErr(end.at, "frame end cannot be UNBOUNDED PRECEDING")
	case start.kind == "current row" && end.kind == "preceding":
		return nil, winErr(end.at, "frame starting from current row cannot have preceding rows")
	case start.kind == "following" && (end.kind == "preceding" || end.kind == "current row"):
		return nil, winErr(end.at, "frame starting from following row cannot have preceding rows")
	}
	exclude := "no others"
	if peek().Is("exclude") {
		j++
		switch t := peek(); {
		case t.Is("current") && j+1 < len(toks) && toks[j+1].Is("row"):
			exclude = "current row"
			j += 2
		case t.Is("group") || t.Is("ties"):
			exclude = t.Val
			j++
		case t.Is("no") && j+1 < len(toks) && toks[j+1].Is("others"):
			j += 2
		default:
			return nil, syntax()
		}
	}
	if j < len(toks) {
		return nil, syntax()
	}
	units := toks[0]
	out := []pgdialect.Token{ident(fnWinFrame, units), punct("(", units), strTok(units.Val, units)}
	for _, b := range []frameBound{start, end} {
		out = append(out, punct(",", b.at), strTok(b.kind, b.at), punct(",", b.at))
		if b.expr == nil {
			out = append(out, ident("null", b.at))
			continue
		}
		out = append(out, punct("(", b.at))
		out = append(out, b.expr...)
		out = append(out, punct(")", b.at))
	}
	out = append(out, punct(",", units), strTok(exclude, units), punct(")", units))
	return out, nil
}
