package planner

import (
	"strconv"
	"strings"

	"github.com/augurdb/augur/planner/pgdialect"
)

// FROM items the TiDB grammar cannot read — set-returning functions
// (`generate_series(1, 3) WITH ORDINALITY AS g(n, i)`, `ROWS FROM (f(..), g(..))`),
// column alias lists (`(SELECT ..) AS s(a, b)`, `t AS x(a, b)`) and LATERAL — are
// taken apart by rewriteFrom before the rewrite to the TiDB grammar: each becomes
// a plain table or derived table aliased augurfrom_<n>, and fromItem n of the
// statement records the rest (the real alias, the column names, LATERAL, WITH
// ORDINALITY). A function item becomes the derived table
// `(SELECT augurfrom_funcs(f(..), g(..))) AS augurfrom_<n>`, whose calls the
// binder reads as the functions to scan (fromsrc.go).
const (
	fromAliasPrefix = "augurfrom_"
	fnFromFuncs     = "augurfrom_funcs"
)

// fromItem is what rewriteFrom recorded about one FROM item.
type fromItem struct {
	alias      string   // the alias written ("" when none)
	cols       []string // the column alias list
	colDefs    bool     // a column definition list (names with types): not supported
	lateral    bool
	ordinality bool
	funcs      int // the number of function calls; 0 when the item is not a function
	funcName   string
	pos        int // byte offset of the item in the source
}

// fromRewriter walks a statement's tokens level by level (a level is the text
// between a pair of brackets), finding the FROM lists: a FROM keyword in a level
// that has seen SELECT (not EXTRACT(.. FROM ..), IS DISTINCT FROM) starts one, a
// clause keyword ends it; items start after FROM, a comma and JOIN.
type fromRewriter struct {
	toks  []pgdialect.Token
	match []int
	items []fromItem
}

// rewriteFrom rewrites the FROM items of a statement (see fromItem).
func rewriteFrom(toks []pgdialect.Token) ([]pgdialect.Token, []fromItem) {
	w := &fromRewriter{toks: toks, match: make([]int, len(toks))}
	var stack []int
	for i, t := range toks {
		w.match[i] = -1
		switch {
		case t.IsPunct("(") || t.IsPunct("["):
			stack = append(stack, i)
		case t.IsPunct(")") || t.IsPunct("]"):
			if len(stack) == 0 {
				return toks, nil // unbalanced: the parser reports it
			}
			o := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			w.match[o], w.match[i] = i, o
		}
	}
	if len(stack) > 0 {
		return toks, nil
	}
	out := w.level(0, len(toks), false)
	if len(w.items) == 0 {
		return toks, nil
	}
	return out, w.items
}

// fromEnds are the words that end a FROM list at its level.
var fromEnds = map[string]bool{"where": true, "group": true, "having": true, "order": true, "limit": true,
	"offset": true, "fetch": true, "union": true, "intersect": true, "except": true, "window": true,
	"for": true, "returning": true, "into": true, "select": true}

func (w *fromRewriter) level(lo, hi int, fromList bool) []pgdialect.Token {
	var out []pgdialect.Token
	inFrom, atItem, sawSelect := fromList, fromList, false
	for k := lo; k < hi; {
		t := w.toks[k]
		if inFrom && atItem {
			atItem = false
			var item []pgdialect.Token
			item, k = w.item(k, hi)
			out = append(out, item...)
			continue
		}
		switch {
		case t.IsPunct("(") || t.IsPunct("["):
			m := w.match[k]
			out = append(out, t)
			out = append(out, w.level(k+1, m, false)...)
			out = append(out, w.toks[m])
			k = m + 1
			continue
		case t.Is("select"):
			sawSelect, inFrom = true, false
		case t.Is("from") && sawSelect && !(k > lo && w.toks[k-1].Is("distinct")):
			inFrom, atItem = true, true
		case inFrom && (t.IsPunct(",") || t.Is("join")):
			atItem = true
		case inFrom && t.Kind == pgdialect.Ident && fromEnds[t.Val]:
			inFrom = false
		}
		out = append(out, t)
		k++
	}
	return out
}

func (w *fromRewriter) isName(k, hi int) bool {
	return k < hi && (w.toks[k].Kind == pgdialect.QIdent || w.toks[k].Kind == pgdialect.Ident && !pgdialect.IsReserved(w.toks[k].Val))
}

// call returns the end (exclusive) of a function call starting at k, or -1.
func (w *fromRewriter) call(k, hi int) int {
	j := k
	for w.isName(j, hi) && j+2 < hi && w.toks[j+1].IsPunct(".") {
		j += 2
	}
	if !w.isName(j, hi) || j+1 >= hi || !w.toks[j+1].IsPunct("(") {
		return -1
	}
	return w.match[j+1] + 1
}

// item rewrites the FROM item at k; it returns the tokens and where the item
// ends.
func (w *fromRewriter) item(k, hi int) ([]pgdialect.Token, int) {
	toks := w.toks
	start := k
	it := fromItem{pos: toks[k].Pos}
	if toks[k].Is("lateral") {
		it.lateral = true
		k++
	}
	var body []pgdialect.Token
	var calls [][]pgdialect.Token
	switch {
	case k+2 < hi && toks[k].Is("rows") && toks[k+1].Is("from") && toks[k+2].IsPunct("("):
		m := w.match[k+2]
		for j := k + 3; j < m; {
			e := w.call(j, m)
			if e < 0 {
				return toks[start:hi], hi // not a list of calls: the parser reports it
			}
			calls = append(calls, w.level(j, e, false))
			if it.funcName == "" {
				it.funcName = w.callName(j)
			}
			j = e
			if j < m && toks[j].IsPunct(",") {
				j++
			}
		}
		k = m + 1
	case w.call(k, hi) > 0:
		e := w.call(k, hi)
		calls = append(calls, w.level(k, e, false))
		it.funcName = w.callName(k)
		k = e
	case k < hi && toks[k].IsPunct("("):
		m := w.match[k]
		j := k + 1
		for j < m && toks[j].IsPunct("(") {
			j++
		}
		query := j < m && (toks[j].Is("select") || toks[j].Is("with") || toks[j].Is("values"))
		body = append(body, toks[k])
		body = append(body, w.level(k+1, m, !query)...)
		body = append(body, toks[m])
		k = m + 1
	default:
		if k < hi && toks[k].Is("only") {
			body = append(body, toks[k])
			k++
		}
		for w.isName(k, hi) {
			body = append(body, toks[k])
			k++
			if !(k+1 < hi && toks[k].IsPunct(".")) {
				break
			}
			body = append(body, toks[k])
			k++
		}
		if len(body) == 0 {
			return toks[start:k], k // not an item we know: left to the parser
		}
	}
	it.funcs = len(calls)
	if k+1 < hi && toks[k].Is("with") && toks[k+1].Is("ordinality") {
		it.ordinality = true
		k += 2
	}
	aliasAt := k
	if k < hi && toks[k].Is("as") {
		k++
	}
	if w.isName(k, hi) && !(k == aliasAt && toks[k].Kind == pgdialect.Ident && fromEnds[toks[k].Val]) {
		it.alias = toks[k].Val
		k++
		if k < hi && toks[k].IsPunct("(") {
			m := w.match[k]
			for j := k + 1; j < m; j++ {
				switch {
				case toks[j].Kind == pgdialect.Ident || toks[j].Kind == pgdialect.QIdent:
					if j > k+1 && !toks[j-1].IsPunct(",") {
						it.colDefs = true
					}
					it.cols = append(it.cols, toks[j].Val)
				case !toks[j].IsPunct(","):
					it.colDefs = true
				}
			}
			k = m + 1
		}
	} else {
		k = aliasAt
	}
	if it.funcs == 0 && len(it.cols) == 0 && !it.lateral && !it.ordinality {
		return append(body, toks[aliasAt:k]...), k
	}
	n := len(w.items)
	w.items = append(w.items, it)
	at := toks[start]
	var out []pgdialect.Token
	if it.funcs > 0 {
		out = append(out, punct("(", at), ident("select", at), ident(fnFromFuncs, at), punct("(", at))
		for i, c := range calls {
			if i > 0 {
				out = append(out, punct(",", at))
			}
			out = append(out, c...)
		}
		out = append(out, punct(")", at), punct(")", at))
	} else {
		out = body
	}
	return append(out, ident("as", at), ident(fromAliasPrefix+strconv.Itoa(n), at)), k
}

// callName is the name of the function called at k (the last part of a
// qualified name).
func (w *fromRewriter) callName(k int) string {
	for k+2 < len(w.toks) && w.toks[k+1].IsPunct(".") {
		k += 2
	}
	return w.toks[k].Val
}

// fromItemOf returns the fromItem an alias written by rewriteFrom stands for.
func (b *binder) fromItemOf(alias string) (*fromItem, bool) {
	n, ok := strings.CutPrefix(alias, fromAliasPrefix)
	if !ok {
		return nil, false
	}
	i, err := strconv.Atoi(n)
	if err != nil || i < 0 || i >= len(b.st.fromItems) {
		return nil, false
	}
	return &b.st.fromItems[i], true
}
