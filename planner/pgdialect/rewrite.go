package pgdialect

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/jackc/pgerrcode"
)

// Rule names a rewrite rule. The data-driven tests list the rules each input used.
type Rule string

// The rewrite rules.
const (
	RuleCast           Rule = "cast"            // x::t and CAST(x AS t) → augur_cast(x, 't', pos)
	RuleParam          Rule = "param"           // $n → augur_param(n)
	RuleString         Rule = "string"          // E'..', $$..$$, U&'..', N'..', 'a'\n'b' → '..'
	RuleNumber         Rule = "number"          // 1e5, numbers too long for TiDB → augur_num('..')
	RuleBitString      Rule = "bit-string"      // B'0101', X'1F' → augur_bit('b0101')
	RuleOperator       Rule = "operator"        // operators TiDB lacks or misreads (^ # ~ || ...) → augur_op('op', ...)
	RulePrecedence     Rule = "precedence"      // operands parenthesised by PostgreSQL's precedence
	RuleTypedLiteral   Rule = "typed-literal"   // type 'x' (int4 '1', interval '1 day') → augur_cast('x', 'type', pos)
	RuleValueFunction  Rule = "value-function"  // current_user, current_schema, ... → augur_svf('current_user')
	RuleDistinct       Rule = "is-distinct"     // a IS [NOT] DISTINCT FROM b → augur_distinct / augur_not_distinct
	RuleIsNull         Rule = "isnull"          // a ISNULL / a NOTNULL → a IS NULL / a IS NOT NULL
	RuleSimilar        Rule = "similar"         // a SIMILAR TO b [ESCAPE c] → augur_similar(a, b[, c])
	RuleAnyAll         Rule = "any-all"         // a op ANY|ALL (array) → augur_any('op', a, b)
	RuleArray          Rule = "array"           // ARRAY[..] → augur_array(..)
	RuleSubscript      Rule = "subscript"       // a[i] → augur_subscript(a, i); a[i:j] → augur_slice(a, i, j, 3)
	RuleCollate        Rule = "collate"         // a COLLATE "C" → augur_collate(a, 'C')
	RuleAtTimeZone     Rule = "at-time-zone"    // a AT TIME ZONE z → augur_timezone(z, a)
	RuleCatalogFunc    Rule = "catalog-func"    // pg_catalog.f(..) → f(..)
	RuleBetweenSym     Rule = "between-sym"     // a BETWEEN SYMMETRIC x AND y → augur_between_sym(a, x, y)
	RuleQuotedIdent    Rule = "quoted-ident"    // U&"..." → "..."
	RuleReservedIdent  Rule = "reserved-ident"  // identifiers TiDB reserves (key, index, rank...) → "key"
	RuleOperatorSyntax Rule = "operator-syntax" // a OPERATOR(pg_catalog.~) b → augur_op('~', a, b)
	// EXTRACT(f FROM x), POSITION(a IN b), SUBSTRING(x FROM a FOR b), OVERLAY(x
	// PLACING y FROM a FOR b), TRIM(BOTH|LEADING|TRAILING c FROM x) →
	// pg_catalog."extract"('f', x), pg_catalog."position"(b, a), ..., pg_catalog.btrim(x, c)
	RuleFuncSyntax Rule = "func-syntax"
)

// Reserved function names the rewrite produces; the binder gives them meaning.
const (
	FnCast        = "augur_cast"
	FnParam       = "augur_param"
	FnNum         = "augur_num"
	FnBit         = "augur_bit"
	FnOp          = "augur_op"
	FnSVF         = "augur_svf"
	FnDistinct    = "augur_distinct"
	FnNotDistinct = "augur_not_distinct"
	FnSimilar     = "augur_similar"
	FnAny         = "augur_any"
	FnAll         = "augur_all"
	FnArray       = "augur_array"
	FnArraySub    = "augur_array_sub"
	FnSubscript   = "augur_subscript"
	// FnSlice is a[lo:hi] as augur_slice(a, lo, hi, present): an omitted bound
	// is NULL, and present says which were written (1 lo, 2 hi).
	FnSlice      = "augur_slice"
	FnCollate    = "augur_collate"
	FnTimeZone   = "augur_timezone"
	FnBetweenSym = "augur_between_sym"
	// FnSubstringSimilar is SUBSTRING(x SIMILAR p ESCAPE e), which needs SQL
	// regular expressions Augur does not have yet.
	FnSubstringSimilar = "augur_substring_similar"
)

// Rewritten is one statement rewritten for the TiDB parser.
type Rewritten struct {
	SQL   string // text for the TiDB parser
	Rules []Rule // rules applied, in first-use order
	src   string
	marks []mark
	end   int // byte offset just past the statement in src
}

type mark struct{ out, orig int }

// OrigOffset maps a byte offset in SQL back to a byte offset in the source text:
// the start of the source token that produced the text there.
func (r *Rewritten) OrigOffset(out int) int {
	if out >= len(r.SQL) {
		return r.end
	}
	lo, hi := 0, len(r.marks)
	for lo < hi {
		m := (lo + hi) / 2
		if r.marks[m].out <= out {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == 0 {
		return 0
	}
	return r.marks[lo-1].orig
}

// maxDepth bounds nesting, as PostgreSQL's max_stack_depth does.
const maxDepth = 1000

type rewriter struct {
	src   string
	toks  []Token
	match []int // index of the matching bracket, -1 if none
	b     strings.Builder
	marks []mark
	rules []Rule
	depth int
	// glue suppresses the space before the next text (a call's first argument).
	glue bool
}

// Rewrite turns the tokens of one statement (toks, positions in src) into text the
// TiDB parser reads with PostgreSQL's meaning.
func Rewrite(src string, toks []Token) (*Rewritten, error) {
	w := &rewriter{src: src, toks: toks, match: make([]int, len(toks))}
	if err := w.matchBrackets(); err != nil {
		return nil, err
	}
	p := &parser{w: w, i: 0, end: len(toks)}
	s, err := p.seq()
	if err != nil {
		return nil, err
	}
	if err := w.emit(s, false); err != nil {
		return nil, err
	}
	end := len(src)
	if len(toks) > 0 {
		end = toks[len(toks)-1].End
	}
	return &Rewritten{SQL: w.b.String(), Rules: w.rules, src: src, marks: w.marks, end: end}, nil
}

func (w *rewriter) use(r Rule) {
	for _, x := range w.rules {
		if x == r {
			return
		}
	}
	w.rules = append(w.rules, r)
}

func (w *rewriter) matchBrackets() error {
	var stack []int
	for i, t := range w.toks {
		w.match[i] = -1
		if t.Kind != Punct {
			continue
		}
		switch t.Val {
		case "(", "[":
			stack = append(stack, i)
		case ")", "]":
			if len(stack) == 0 || w.toks[stack[len(stack)-1]].Val != map[string]string{")": "(", "]": "["}[t.Val] {
				return syntaxAt(w.src, t.Pos, "syntax error at or near %q", t.Val)
			}
			o := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			w.match[o], w.match[i] = i, o
		}
	}
	if len(stack) > 0 {
		return syntaxAt(w.src, len(w.src), "syntax error at end of input")
	}
	return nil
}

// Nodes of the rewrite's small expression tree.
type (
	node interface{}
	// tokN is one source token, emitted with its token-level rewrite.
	tokN struct{ t Token }
	// seqN is a run of nodes emitted in order.
	seqN struct{ items []node }
	// groupN is ( ... ) or [ ... ].
	groupN struct {
		open, close Token
		inner       *seqN
	}
	// callN is a constructed function call name(args...).
	callN struct {
		name string
		at   Token // source token whose position the call maps to
		args []node
	}
	// rawN is constructed text (a literal argument of a call).
	rawN struct {
		text string
		at   Token
	}
	// opN is an operator expression emitted in TiDB's own syntax: prefix tokens,
	// operands and infix tokens alternate in parts. Operands that are themselves
	// operator expressions get parentheses.
	opN struct{ parts []node }
)

func tokSeq(ts ...Token) []node {
	out := make([]node, len(ts))
	for i, t := range ts {
		out[i] = tokN{t}
	}
	return out
}

type parser struct {
	w      *rewriter
	i, end int
}

var eofTok = Token{Kind: EOF}

func (p *parser) peekN(n int) Token {
	if p.i+n < p.end {
		return p.w.toks[p.i+n]
	}
	t := eofTok
	if p.end < len(p.w.toks) {
		t.Pos = p.w.toks[p.end].Pos
	} else {
		t.Pos = len(p.w.src)
	}
	return t
}

func (p *parser) peek() Token { return p.peekN(0) }

func (p *parser) next() Token {
	t := p.peek()
	if p.i < p.end {
		p.i++
	}
	return t
}

func (p *parser) sub(from, to int) *parser { return &parser{w: p.w, i: from, end: to} }

// seq parses tokens up to p.end: expressions where they can start, anything else
// token by token.
func (p *parser) seq() (*seqN, error) {
	p.w.depth++
	defer func() { p.w.depth-- }()
	if p.w.depth > maxDepth {
		return nil, pgerr.New(pgerrcode.StatementTooComplex, "stack depth limit exceeded").WithHint("The statement nests too deeply.")
	}
	s := &seqN{}
	for p.i < p.end {
		if t := p.peek(); t.Kind == Ident && p.i > 0 && p.w.toks[p.i-1].Is("as") && aliasable(t.Val) && !p.peekN(1).IsPunct("(") {
			// AS takes any word as a column label in PostgreSQL; TiDB reserves
			// more words than PostgreSQL, so the label goes quoted.
			if tidbReserved[t.Val] || reserved[t.Val] {
				p.w.use(RuleReservedIdent)
				s.items = append(s.items, tokN{Token{Kind: QIdent, Val: t.Val, Pos: t.Pos, End: t.End, Space: t.Space}})
				p.i++
				continue
			}
		}
		save := p.i
		n, ok, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		if ok {
			s.items = append(s.items, n)
			continue
		}
		p.i = save
		t := p.next()
		if (t.IsPunct("(") || t.IsPunct("[")) && p.w.match[p.i-1] >= 0 {
			g, err := p.group(p.i - 1)
			if err != nil {
				return nil, err
			}
			s.items = append(s.items, g)
			continue
		}
		s.items = append(s.items, tokN{t})
	}
	return s, nil
}

// group parses the bracketed group opening at token index open; p.i ends after it.
func (p *parser) group(open int) (*groupN, error) {
	cl := p.w.match[open]
	inner, err := p.sub(open+1, cl).seq()
	if err != nil {
		return nil, err
	}
	p.i = cl + 1
	return &groupN{open: p.w.toks[open], close: p.w.toks[cl], inner: inner}, nil
}

// PostgreSQL 15 operator precedence, lowest first.
const (
	precOr = iota + 1
	precAnd
	precNot
	precIs
	precCmp
	precLike // BETWEEN IN LIKE ILIKE SIMILAR
	precOther
	precAdd
	precMul
	precExp
	precAt
	precCollate
	precUnary
	precSubscript
	precCast
)

// nativeOps are the infix operators TiDB reads with PostgreSQL's meaning (given the
// parentheses the rewrite adds).
var nativeOps = setOf("+", "-", "*", "/", "%", "=", "<>", "<", ">", "<=", ">=", "&", "|", "<<", ">>")

func infixPrec(op string) int {
	switch op {
	case "=", "<>", "<", ">", "<=", ">=":
		return precCmp
	case "+", "-":
		return precAdd
	case "*", "/", "%":
		return precMul
	case "^":
		return precExp
	}
	return precOther
}

func isExprKeywordInfix(t Token) bool {
	if t.Kind != Ident {
		return false
	}
	switch t.Val {
	case "and", "or", "is", "isnull", "notnull", "like", "ilike", "in", "between", "similar", "collate":
		return true
	}
	return false
}

// expr parses an expression whose operators bind at least as tightly as minPrec.
// ok is false (and p.i is unspecified) when no expression starts here.
func (p *parser) expr(minPrec int) (node, bool, error) {
	p.w.depth++
	defer func() { p.w.depth-- }()
	if p.w.depth > maxDepth {
		return nil, false, pgerr.New(pgerrcode.StatementTooComplex, "stack depth limit exceeded").WithHint("The statement nests too deeply.")
	}
	left, ok, err := p.prefix()
	if err != nil || !ok {
		return nil, false, err
	}
	for {
		t := p.peek()
		save := p.i
		opSyntax := false
		if t.Is("operator") && p.peekN(1).IsPunct("(") && p.w.match[p.i+1] >= 0 {
			// OPERATOR(schema.op): the operator named explicitly, with the
			// precedence of "any other operator".
			cl := p.w.match[p.i+1]
			last := p.w.toks[cl-1]
			if last.Kind == Op {
				t = Token{Kind: Op, Val: last.Val, Pos: t.Pos, End: p.w.toks[cl].End, Space: t.Space}
				opSyntax = true
			}
		}
		switch {
		case t.IsPunct("::") && minPrec <= precCast:
			p.next()
			typ, at, ok := p.typeName()
			if !ok {
				return nil, false, syntaxAt(p.w.src, p.peek().Pos, "%s", nearMsg(p.w.src, p.peek()))
			}
			p.w.use(RuleCast)
			left = &callN{name: FnCast, at: t, args: []node{left, &rawN{text: quoteLit(typ), at: at}, &rawN{text: strconv.Itoa(at.Pos), at: at}, &rawN{text: strconv.Itoa(t.Pos), at: t}}}
			continue
		case t.IsPunct("[") && minPrec <= precSubscript && p.w.match[p.i] >= 0:
			cl := p.w.match[p.i]
			if colon := p.topLevel(p.i+1, cl, ":"); colon >= 0 {
				bound := func(from, to int) (node, error) {
					if from == to {
						return &rawN{text: "NULL", at: t}, nil
					}
					return p.sub(from, to).seq()
				}
				lo, err := bound(p.i+1, colon)
				if err != nil {
					return nil, false, err
				}
				hi, err := bound(colon+1, cl)
				if err != nil {
					return nil, false, err
				}
				present := 0
				if colon > p.i+1 {
					present |= 1
				}
				if cl > colon+1 {
					present |= 2
				}
				p.i = cl + 1
				p.w.use(RuleSubscript)
				left = &callN{name: FnSlice, at: t, args: []node{left, lo, hi, &rawN{text: strconv.Itoa(present), at: t}}}
				continue
			}
			inner, err := p.sub(p.i+1, cl).seq()
			if err != nil {
				return nil, false, err
			}
			p.i = cl + 1
			p.w.use(RuleSubscript)
			left = &callN{name: FnSubscript, at: t, args: []node{left, inner}}
			continue
		case t.Kind == Op:
			prec := infixPrec(t.Val)
			if opSyntax {
				prec = precOther
			}
			if prec < minPrec {
				return left, true, nil
			}
			if opSyntax {
				p.i = p.w.match[p.i+1] + 1
				p.w.use(RuleOperatorSyntax)
			} else {
				p.next()
			}
			// a op ANY/SOME/ALL (...)
			if q := p.peek(); (q.Is("any") || q.Is("some") || q.Is("all")) && p.peekN(1).IsPunct("(") {
				p.next()
				g, err := p.group(p.i)
				if err != nil {
					return nil, false, err
				}
				if isSubquery(g) {
					left = &opN{parts: []node{left, tokN{t}, tokN{q}, g}}
				} else {
					fn := FnAny
					if q.Is("all") {
						fn = FnAll
					}
					p.w.use(RuleAnyAll)
					left = &callN{name: fn, at: t, args: []node{&rawN{text: quoteLit(t.Val), at: t}, left, g.inner}}
				}
				continue
			}
			right, ok, err := p.expr(prec + 1)
			if err != nil {
				return nil, false, err
			}
			if !ok {
				p.i = save
				return left, true, nil
			}
			if nativeOps[t.Val] && !opSyntax {
				left = &opN{parts: []node{left, tokN{t}, right}}
			} else {
				p.w.use(RuleOperator)
				left = &callN{name: FnOp, at: t, args: []node{&rawN{text: quoteLit(t.Val), at: t}, left, right}}
			}
			continue
		case isExprKeywordInfix(t) || t.Is("not") && p.notInfix() || t.Is("at") && p.peekN(1).Is("time"):
			n, ok, err := p.keywordInfix(left, minPrec)
			if err != nil {
				return nil, false, err
			}
			if !ok {
				p.i = save
				return left, true, nil
			}
			left = n
			continue
		}
		return left, true, nil
	}
}

// topLevel returns the index of the first punctuation token punct in toks[from:to]
// outside brackets, -1 if there is none.
func (p *parser) topLevel(from, to int, punct string) int {
	for j := from; j < to; j++ {
		t := p.w.toks[j]
		if t.IsPunct(punct) {
			return j
		}
		if (t.IsPunct("(") || t.IsPunct("[")) && p.w.match[j] > j {
			j = p.w.match[j]
		}
	}
	return -1
}

// arrayCtor reads the brackets of ARRAY[...] (p.i at "["), where an item may
// itself be a bracketed list, a sub-array: ARRAY[[1,2],[3,4]] is
// augur_array(augur_array(1,2),augur_array(3,4)).
func (p *parser) arrayCtor(at Token) (node, bool, error) {
	cl := p.w.match[p.i]
	var args []node
	for j := p.i + 1; j < cl; {
		end := p.topLevel(j, cl, ",")
		if end < 0 {
			end = cl
		}
		if p.w.toks[j].IsPunct("[") && p.w.match[j] == end-1 {
			sp := p.sub(j, end)
			n, _, err := sp.arrayCtor(p.w.toks[j])
			if err != nil {
				return nil, false, err
			}
			args = append(args, n)
		} else {
			n, err := p.sub(j, end).seq()
			if err != nil {
				return nil, false, err
			}
			args = append(args, n)
		}
		j = end + 1
		if end < cl && j == cl {
			return nil, false, syntaxAt(p.w.src, p.w.toks[cl].Pos, "%s", nearMsg(p.w.src, p.w.toks[cl]))
		}
	}
	p.i = cl + 1
	return &callN{name: FnArray, at: at, args: args}, true, nil
}

func isSubquery(g *groupN) bool {
	if len(g.inner.items) == 0 {
		return false
	}
	switch n := g.inner.items[0].(type) {
	case tokN:
		return n.t.Is("select") || n.t.Is("with") || n.t.Is("values")
	case *groupN:
		return isSubquery(n)
	}
	return false
}

// notInfix reports whether the NOT at p.i starts NOT LIKE/ILIKE/IN/BETWEEN/SIMILAR.
func (p *parser) notInfix() bool {
	n := p.peekN(1)
	return n.Is("like") || n.Is("ilike") || n.Is("in") || n.Is("between") || n.Is("similar")
}

// keywordInfix parses the keyword operators after left: AND, OR, IS ..., [NOT]
// LIKE/ILIKE/IN/BETWEEN/SIMILAR, ISNULL, NOTNULL, COLLATE, AT TIME ZONE.
func (p *parser) keywordInfix(left node, minPrec int) (node, bool, error) {
	t := p.peek()
	binary := func(prec int) (node, bool, error) {
		if prec < minPrec {
			return nil, false, nil
		}
		p.next()
		right, ok, err := p.expr(prec + 1)
		if err != nil || !ok {
			return nil, false, err
		}
		return &opN{parts: []node{left, tokN{t}, right}}, true, nil
	}
	switch t.Val {
	case "or":
		return binary(precOr)
	case "and":
		return binary(precAnd)
	case "isnull", "notnull":
		if precIs < minPrec {
			return nil, false, nil
		}
		p.next()
		p.w.use(RuleIsNull)
		txt := "IS NULL"
		if t.Val == "notnull" {
			txt = "IS NOT NULL"
		}
		return &opN{parts: []node{left, &rawN{text: txt, at: t}}}, true, nil
	case "is":
		if precIs < minPrec {
			return nil, false, nil
		}
		p.next()
		not := p.peek()
		hasNot := not.Is("not")
		if hasNot {
			p.next()
		}
		switch q := p.peek(); {
		case q.Is("null") || q.Is("true") || q.Is("false") || q.Is("unknown"):
			p.next()
			parts := []node{left, tokN{t}}
			if hasNot {
				parts = append(parts, tokN{not})
			}
			return &opN{parts: append(parts, tokN{q})}, true, nil
		case q.Is("distinct") && p.peekN(1).Is("from"):
			p.i += 2
			right, ok, err := p.expr(precIs + 1)
			if err != nil || !ok {
				return nil, false, err
			}
			p.w.use(RuleDistinct)
			fn := FnDistinct
			if hasNot {
				fn = FnNotDistinct
			}
			return &callN{name: fn, at: t, args: []node{left, right}}, true, nil
		}
		return nil, false, nil
	case "collate":
		if precCollate < minPrec {
			return nil, false, nil
		}
		p.next()
		var name []string
		var at Token
		for {
			q := p.peek()
			if q.Kind != Ident && q.Kind != QIdent {
				return nil, false, nil
			}
			if at.Kind == EOF {
				at = q
			}
			p.next()
			name = append(name, q.Val)
			if !p.peek().IsPunct(".") {
				break
			}
			p.next()
		}
		p.w.use(RuleCollate)
		return &callN{name: FnCollate, at: t, args: []node{left, &rawN{text: quoteLit(strings.Join(name, ".")), at: at}}}, true, nil
	case "at":
		if precAt < minPrec || !p.peekN(2).Is("zone") {
			return nil, false, nil
		}
		p.i += 3
		zone, ok, err := p.expr(precAt + 1)
		if err != nil || !ok {
			return nil, false, err
		}
		p.w.use(RuleAtTimeZone)
		return &callN{name: FnTimeZone, at: t, args: []node{zone, left}}, true, nil
	}
	// [NOT] LIKE / ILIKE / IN / BETWEEN / SIMILAR TO
	if precLike < minPrec {
		return nil, false, nil
	}
	var not *Token
	if t.Is("not") {
		p.next()
		not = &t
	}
	op := p.next()
	parts := []node{left}
	if not != nil {
		parts = append(parts, tokN{*not})
	}
	switch op.Val {
	case "in":
		if !p.peek().IsPunct("(") || p.w.match[p.i] < 0 {
			return nil, false, nil
		}
		g, err := p.group(p.i)
		if err != nil {
			return nil, false, err
		}
		return &opN{parts: append(parts, tokN{op}, g)}, true, nil
	case "between":
		sym := p.peek()
		symmetric := sym.Is("symmetric")
		if symmetric || sym.Is("asymmetric") {
			p.next()
		}
		lo, ok, err := p.expr(precLike + 1)
		if err != nil || !ok {
			return nil, false, err
		}
		and := p.next()
		if !and.Is("and") {
			return nil, false, nil
		}
		hi, ok, err := p.expr(precLike + 1)
		if err != nil || !ok {
			return nil, false, err
		}
		if symmetric {
			p.w.use(RuleBetweenSym)
			var n node = &callN{name: FnBetweenSym, at: op, args: []node{left, lo, hi}}
			if not != nil {
				n = &opN{parts: []node{tokN{*not}, n}}
			}
			return n, true, nil
		}
		return &opN{parts: append(parts, tokN{op}, lo, tokN{and}, hi)}, true, nil
	case "similar":
		if !p.peek().Is("to") {
			return nil, false, nil
		}
		p.next()
		pat, ok, err := p.expr(precLike + 1)
		if err != nil || !ok {
			return nil, false, err
		}
		args := []node{left, pat}
		if p.peek().Is("escape") {
			p.next()
			esc, ok, err := p.expr(precLike + 1)
			if err != nil || !ok {
				return nil, false, err
			}
			args = append(args, esc)
		}
		p.w.use(RuleSimilar)
		var n node = &callN{name: FnSimilar, at: op, args: args}
		if not != nil {
			n = &opN{parts: []node{tokN{*not}, n}}
		}
		return n, true, nil
	default: // like, ilike
		pat, ok, err := p.expr(precLike + 1)
		if err != nil || !ok {
			return nil, false, err
		}
		parts = append(parts, tokN{op}, pat)
		if e := p.peek(); e.Is("escape") {
			p.next()
			esc, ok, err := p.expr(precLike + 1)
			if err != nil || !ok {
				return nil, false, err
			}
			parts = append(parts, tokN{e}, esc)
		}
		return &opN{parts: parts}, true, nil
	}
}

// prefix parses a primary expression or a prefix operator applied to one.
func (p *parser) prefix() (node, bool, error) {
	t := p.peek()
	switch t.Kind {
	case EOF:
		return nil, false, nil
	case Op:
		switch t.Val {
		case "+", "-":
			p.next()
			x, ok, err := p.expr(precUnary)
			if err != nil || !ok {
				return nil, false, err
			}
			return &opN{parts: []node{tokN{t}, x}}, true, nil
		case "~", "@", "|/", "||/", "!!":
			p.next()
			x, ok, err := p.expr(precUnary)
			if err != nil || !ok {
				return nil, false, err
			}
			p.w.use(RuleOperator)
			return &callN{name: FnOp, at: t, args: []node{&rawN{text: quoteLit(t.Val), at: t}, x}}, true, nil
		}
		return nil, false, nil
	case String:
		p.next()
		if n := p.peek(); n.Kind == String {
			return nil, false, syntaxAt(p.w.src, n.Pos, "%s", nearMsg(p.w.src, n))
		}
		return tokN{t}, true, nil
	case Integer, Decimal, Param, BitStr:
		p.next()
		return tokN{t}, true, nil
	case Punct:
		if t.Val == "(" && p.w.match[p.i] >= 0 {
			g, err := p.group(p.i)
			if err != nil {
				return nil, false, err
			}
			return p.fieldSelection(g)
		}
		return nil, false, nil
	case QIdent:
		return p.nameOrCall()
	}
	// Ident
	switch t.Val {
	case "null", "true", "false":
		p.next()
		return tokN{t}, true, nil
	case "not":
		p.next()
		x, ok, err := p.expr(precNot)
		if err != nil || !ok {
			return nil, false, err
		}
		return &opN{parts: []node{tokN{t}, x}}, true, nil
	case "case":
		return p.caseExpr()
	case "cast":
		return p.castExpr()
	case "array":
		if n := p.peekN(1); n.IsPunct("[") && p.w.match[p.i+1] >= 0 {
			p.next()
			p.w.use(RuleArray)
			return p.arrayCtor(t)
		}
		if n := p.peekN(1); n.IsPunct("(") && p.w.match[p.i+1] >= 0 {
			p.next()
			g, err := p.group(p.i)
			if err != nil {
				return nil, false, err
			}
			p.w.use(RuleArray)
			return &callN{name: FnArraySub, at: t, args: []node{g}}, true, nil
		}
		return nil, false, nil
	case "exists", "row":
		if p.peekN(1).IsPunct("(") && p.w.match[p.i+1] >= 0 {
			p.next()
			g, err := p.group(p.i)
			if err != nil {
				return nil, false, err
			}
			return &opN{parts: []node{tokN{t}, g}}, true, nil
		}
		return nil, false, nil
	case "extract", "overlay", "position", "substring", "trim":
		if p.peekN(1).IsPunct("(") && p.w.match[p.i+1] >= 0 {
			return p.funcSyntax()
		}
		return nil, false, nil
	}
	if sqlValueFunctions[t.Val] {
		if p.peekN(1).IsPunct("(") && t.Val == "current_schema" {
			return p.nameOrCall()
		}
		p.next()
		args := []node{&rawN{text: quoteLit(t.Val), at: t}}
		if p.peek().IsPunct("(") && p.w.match[p.i] >= 0 {
			g, err := p.group(p.i)
			if err != nil {
				return nil, false, err
			}
			args = append(args, g.inner)
		}
		p.w.use(RuleValueFunction)
		return &callN{name: FnSVF, at: t, args: args}, true, nil
	}
	if typeStarts[t.Val] {
		save := p.i
		typ, at, ok := p.typeName()
		if ok && p.peek().Kind == String && !strings.Contains(typ, "[") {
			s := p.next()
			p.w.use(RuleTypedLiteral)
			return &callN{name: FnCast, at: t, args: []node{tokN{s}, &rawN{text: quoteLit(typ), at: at}, &rawN{text: strconv.Itoa(at.Pos), at: at}}}, true, nil
		}
		p.i = save
	}
	if reserved[t.Val] {
		return nil, false, nil
	}
	return p.nameOrCall()
}

// funcSyntax parses the SQL-standard syntax of EXTRACT, POSITION, SUBSTRING,
// OVERLAY and TRIM into a call of the function PostgreSQL's grammar makes of it
// (func_expr_common_subexpr in gram.y): pg_catalog."extract"('field', x),
// pg_catalog."position"(b, a), pg_catalog."substring"(x, from, for),
// pg_catalog."overlay"(x, y, from[, for]), pg_catalog.btrim|ltrim|rtrim(x, chars).
// The names are quoted because TiDB reads these words with MySQL's syntax. As in
// PostgreSQL, SUBSTRING and OVERLAY with a plain argument list are ordinary calls
// of substring and overlay.
func (p *parser) funcSyntax() (node, bool, error) {
	kw := p.next()
	cl := p.w.match[p.i]
	sp := p.sub(p.i+1, cl)
	src := p.w.src
	var perr error // an error inside an argument
	fail := func() (node, bool, error) {
		if perr != nil {
			return nil, false, perr
		}
		t := sp.peek()
		if sp.i >= sp.end {
			t = p.w.toks[cl]
		}
		return nil, false, syntaxAt(src, t.Pos, "%s", nearMsg(src, t))
	}
	// expr parses an a_expr that must end at a keyword in stop or at the end.
	expr := func(stop ...string) (node, bool) {
		n, ok, err := sp.expr(0)
		if err != nil || !ok {
			perr = err
			return nil, false
		}
		if sp.i >= sp.end {
			return n, true
		}
		for _, w := range stop {
			if sp.peek().Is(w) || w == "," && sp.peek().IsPunct(",") {
				return n, true
			}
		}
		return nil, false
	}
	// list parses expr_list up to the end.
	list := func() ([]node, bool) {
		var out []node
		for {
			n, ok := expr(",")
			if !ok {
				return nil, false
			}
			out = append(out, n)
			if sp.i >= sp.end {
				return out, true
			}
			sp.next()
		}
	}
	// keyword consumes the word w.
	keyword := func(w string) bool {
		if sp.i < sp.end && sp.peek().Is(w) {
			sp.next()
			return true
		}
		return false
	}
	name := kw.Val
	var args []node
	switch kw.Val {
	case "extract":
		f := sp.peek()
		if sp.i >= sp.end || f.Kind != Ident && f.Kind != QIdent && f.Kind != String {
			return fail()
		}
		sp.next()
		if !keyword("from") {
			return fail()
		}
		x, ok := expr()
		if !ok {
			return fail()
		}
		args = []node{&rawN{text: quoteLit(f.Val), at: f}, x}
	case "position":
		// b_expr IN b_expr: the first operand holds no IN outside brackets.
		in := -1
		for j := sp.i; j < sp.end && in < 0; j++ {
			switch t := p.w.toks[j]; {
			case (t.IsPunct("(") || t.IsPunct("[")) && p.w.match[j] > j:
				j = p.w.match[j]
			case t.Is("in"):
				in = j
			}
		}
		end := sp.end
		if in >= 0 {
			sp.end = in
		}
		a, ok := expr()
		if !ok || in < 0 {
			return fail()
		}
		sp.i, sp.end = in+1, end
		b, ok := expr()
		if !ok {
			return fail()
		}
		args = []node{b, a}
	case "trim":
		switch {
		case keyword("both"):
			name = "btrim"
		case keyword("leading"):
			name = "ltrim"
		case keyword("trailing"):
			name = "rtrim"
		default:
			name = "btrim"
		}
		if keyword("from") {
			l, ok := list()
			if !ok {
				return fail()
			}
			args = l
			break
		}
		first, ok := expr(",", "from")
		if !ok {
			return fail()
		}
		if keyword("from") {
			l, ok := list()
			if !ok {
				return fail()
			}
			args = append(l, first)
			break
		}
		args = []node{first}
		if sp.i < sp.end {
			sp.next()
			l, ok := list()
			if !ok {
				return fail()
			}
			args = append(args, l...)
		}
	case "substring", "overlay":
		save := sp.i
		x, ok := expr("from", "for", "similar", "placing")
		if !ok || sp.i >= sp.end || !(kw.Val == "substring" && (sp.peek().Is("from") || sp.peek().Is("for") || sp.peek().Is("similar")) ||
			kw.Val == "overlay" && sp.peek().Is("placing")) {
			// substring(a, b, ...), overlay(a, b, ...): an ordinary call.
			sp.i = save
			var args []node
			if sp.i < sp.end {
				l, ok := list()
				if !ok {
					return fail()
				}
				args = l
			}
			p.i = cl + 1
			p.w.use(RuleFuncSyntax)
			return &callN{name: `"` + kw.Val + `"`, at: kw, args: args}, true, nil
		}
		args = []node{x}
		if kw.Val == "overlay" {
			sp.next()
			y, ok := expr("from")
			if !ok || !keyword("from") {
				return fail()
			}
			from, ok := expr("for")
			if !ok {
				return fail()
			}
			args = append(args, y, from)
			if keyword("for") {
				n, ok := expr()
				if !ok {
					return fail()
				}
				args = append(args, n)
			}
			break
		}
		switch {
		case keyword("similar"):
			pat, ok := expr("escape")
			if !ok || !keyword("escape") {
				return fail()
			}
			esc, ok := expr()
			if !ok {
				return fail()
			}
			p.i = cl + 1
			p.w.use(RuleFuncSyntax)
			return &callN{name: FnSubstringSimilar, at: kw, args: []node{x, pat, esc}}, true, nil
		case keyword("from"):
			from, ok := expr("for")
			if !ok {
				return fail()
			}
			args = append(args, from)
			if keyword("for") {
				n, ok := expr()
				if !ok {
					return fail()
				}
				args = append(args, n)
			}
		default: // FOR count [FROM start]
			sp.next()
			n, ok := expr("from")
			if !ok {
				return fail()
			}
			var from node = &rawN{text: "1", at: kw}
			if keyword("from") {
				if from, ok = expr(); !ok {
					return fail()
				}
			}
			args = append(args, from, n)
		}
	}
	if sp.i < sp.end {
		return fail()
	}
	p.i = cl + 1
	p.w.use(RuleFuncSyntax)
	if name == kw.Val {
		name = `"` + name + `"`
	}
	return &callN{name: "pg_catalog." + name, at: kw, args: args}, true, nil
}

// fieldSelection handles (expr).field and (expr).* after a parenthesised group.
func (p *parser) fieldSelection(g *groupN) (node, bool, error) {
	n := node(g)
	parts := []node{g}
	for p.peek().IsPunct(".") {
		f := p.peekN(1)
		if f.Kind != Ident && f.Kind != QIdent && !f.IsOp("*") {
			break
		}
		parts = append(parts, tokN{p.next()}, tokN{p.next()})
	}
	if len(parts) > 1 {
		n = &seqN{items: parts}
	}
	return n, true, nil
}

// nameOrCall parses a column reference a.b.c (or a.*) or a function call
// f(...) with its FILTER / OVER / WITHIN GROUP tail.
func (p *parser) nameOrCall() (node, bool, error) {
	start := p.i
	var name []Token
	name = append(name, p.next())
	for p.peek().IsPunct(".") {
		f := p.peekN(1)
		if f.Kind == Ident || f.Kind == QIdent {
			name = append(name, p.next(), p.next())
			continue
		}
		if f.IsOp("*") {
			name = append(name, p.next(), p.next())
		}
		break
	}
	if !p.peek().IsPunct("(") || p.w.match[p.i] < 0 || name[len(name)-1].Kind == Op {
		// A column reference or alias: words TiDB reserves go quoted.
		items := tokSeq(name...)
		for k, t := range name {
			if t.Kind != Ident || !tidbReserved[t.Val] || reserved[t.Val] {
				continue
			}
			if len(name) == 1 && t.Val == "partition" && p.peek().Is("by") {
				continue // a window's PARTITION BY
			}
			if k > 0 || start > 0 && identPrev(p.w.toks[start-1]) {
				p.w.use(RuleReservedIdent)
				items[k] = tokN{Token{Kind: QIdent, Val: t.Val, Pos: t.Pos, End: t.End, Space: t.Space}}
			}
		}
		return &seqN{items: items}, true, nil
	}
	if fn := name[len(name)-1]; strings.HasPrefix(fn.Val, "augur_") {
		// The rewrite's reserved functions are not callable from SQL.
		return nil, false, pgerr.New(pgerrcode.UndefinedFunction, "function %s does not exist", fn.Val).WithPosition(CharPos(p.w.src, fn.Pos))
	}
	if len(name) == 3 && name[0].Kind == Ident && name[0].Val == "pg_catalog" {
		p.w.use(RuleCatalogFunc)
		name = name[2:]
		if t := name[0]; t.Kind == Ident && reserved[t.Val] {
			// pg_catalog.position(s, x), pg_catalog.extract('f', x): TiDB reads
			// these words with MySQL's syntax unless quoted.
			name[0] = Token{Kind: QIdent, Val: t.Val, Pos: t.Pos, End: t.End, Space: t.Space}
		}
	}
	if t := name[len(name)-1]; len(name) == 1 && t.Kind == Ident && (t.Val == "mod" || tidbFuncKeywords[t.Val]) {
		// TiDB reads mod(a, b) as the operator a % b, whose result column has no
		// name; PostgreSQL's is "mod". Other names (cardinality) the TiDB grammar
		// reads as keywords of its own syntax.
		p.w.use(RuleReservedIdent)
		name[0] = Token{Kind: QIdent, Val: t.Val, Pos: t.Pos, End: t.End, Space: t.Space}
	}
	g, err := p.group(p.i)
	if err != nil {
		return nil, false, err
	}
	items := append(tokSeq(name...), g)
	// WITHIN GROUP (...), FILTER (...), OVER (...) / OVER name
	for {
		q := p.peek()
		switch {
		case q.Is("within") && p.peekN(1).Is("group") && p.peekN(2).IsPunct("(") && p.w.match[p.i+2] >= 0:
			gt := p.peekN(1)
			p.i += 2
			g, err := p.group(p.i)
			if err != nil {
				return nil, false, err
			}
			items = append(items, tokN{q}, tokN{gt}, g)
			continue
		case (q.Is("filter") || q.Is("over")) && p.peekN(1).IsPunct("(") && p.w.match[p.i+1] >= 0:
			p.next()
			g, err := p.group(p.i)
			if err != nil {
				return nil, false, err
			}
			items = append(items, tokN{q}, g)
			continue
		case q.Is("over") && (p.peekN(1).Kind == Ident || p.peekN(1).Kind == QIdent):
			items = append(items, tokN{p.next()}, tokN{p.next()})
			continue
		}
		break
	}
	return &seqN{items: items}, true, nil
}

func (p *parser) caseExpr() (node, bool, error) {
	start := p.i
	depth := 0
	j := p.i
	for j < p.end {
		t := p.w.toks[j]
		switch {
		case (t.IsPunct("(") || t.IsPunct("[")) && p.w.match[j] > j:
			j = p.w.match[j]
		case t.Is("case"):
			depth++
		case t.Is("end"):
			depth--
			if depth == 0 {
				inner, err := p.sub(start+1, j).seq()
				if err != nil {
					return nil, false, err
				}
				p.i = j + 1
				return &seqN{items: []node{tokN{p.w.toks[start]}, inner, tokN{t}}}, true, nil
			}
		}
		j++
	}
	return nil, false, nil
}

// castExpr parses CAST(expr AS type).
func (p *parser) castExpr() (node, bool, error) {
	t := p.peek()
	if !p.peekN(1).IsPunct("(") || p.w.match[p.i+1] < 0 {
		return nil, false, nil
	}
	cl := p.w.match[p.i+1]
	sp := p.sub(p.i+2, cl)
	x, ok, err := sp.expr(0)
	if err != nil {
		return nil, false, err
	}
	if !ok || !sp.next().Is("as") {
		return nil, false, syntaxAt(p.w.src, sp.peekN(-1).Pos, "%s", nearMsg(p.w.src, sp.peekN(-1)))
	}
	typ, at, ok := sp.typeName()
	if !ok || sp.i != sp.end {
		return nil, false, syntaxAt(p.w.src, sp.peek().Pos, "%s", nearMsg(p.w.src, sp.peek()))
	}
	p.i = cl + 1
	p.w.use(RuleCast)
	return &callN{name: FnCast, at: t, args: []node{x, &rawN{text: quoteLit(typ), at: at}, &rawN{text: strconv.Itoa(at.Pos), at: at}, &rawN{text: strconv.Itoa(t.Pos), at: t}}}, true, nil
}

// typeName parses a PostgreSQL type name (Typename in gram.y) and returns its
// normalised text: lower-case words joined by single spaces, modifiers as "(a,b)",
// array bounds as "[]", quoted names kept quoted.
func (p *parser) typeName() (string, Token, bool) {
	first := p.peek()
	var b strings.Builder
	word := func(t Token) {
		if b.Len() > 0 && !strings.HasSuffix(b.String(), ".") {
			b.WriteByte(' ')
		}
		if t.Kind == QIdent {
			b.WriteString(`"` + strings.ReplaceAll(t.Val, `"`, `""`) + `"`)
		} else {
			b.WriteString(t.Val)
		}
	}
	t := p.peek()
	if t.Kind != Ident && t.Kind != QIdent {
		return "", first, false
	}
	if t.Kind == Ident && reserved[t.Val] && t.Val != "interval" {
		return "", first, false
	}
	p.next()
	word(t)
	if t.Kind == Ident {
		switch t.Val {
		case "double":
			if p.peek().Is("precision") {
				word(p.next())
			}
		case "character", "char", "bit", "national":
			if t.Val == "national" && (p.peek().Is("character") || p.peek().Is("char")) {
				word(p.next())
			}
			if p.peek().Is("varying") {
				word(p.next())
			}
		case "interval":
			for q := p.peek(); q.Is("year") || q.Is("month") || q.Is("day") || q.Is("hour") || q.Is("minute") || q.Is("second") || q.Is("to"); q = p.peek() {
				word(p.next())
			}
		}
	}
	// qualified: schema.type
	for t.Kind != EOF && p.peek().IsPunct(".") && (p.peekN(1).Kind == Ident || p.peekN(1).Kind == QIdent) {
		p.next()
		b.WriteByte('.')
		n := p.next()
		if n.Kind == QIdent {
			b.WriteString(QuoteIdent(n.Val))
		} else {
			b.WriteString(n.Val)
		}
	}
	// (modifiers)
	if p.peek().IsPunct("(") && p.w.match[p.i] >= 0 {
		cl := p.w.match[p.i]
		b.WriteByte('(')
		for j := p.i + 1; j < cl; j++ {
			m := p.w.toks[j]
			switch {
			case m.Kind == Integer || m.Kind == Decimal || m.IsPunct(",") || m.IsOp("-") || m.IsOp("+"):
				b.WriteString(m.Val)
			default:
				return "", first, false
			}
		}
		b.WriteByte(')')
		p.i = cl + 1
	}
	// with[out] time zone
	if (t.Val == "time" || t.Val == "timestamp") && (p.peek().Is("with") || p.peek().Is("without")) && p.peekN(1).Is("time") && p.peekN(2).Is("zone") {
		word(p.next())
		word(p.next())
		word(p.next())
	}
	// array bounds
	for {
		switch {
		case p.peek().IsPunct("[") && p.w.match[p.i] >= 0:
			cl := p.w.match[p.i]
			for j := p.i + 1; j < cl; j++ {
				if p.w.toks[j].Kind != Integer {
					return "", first, false
				}
			}
			b.WriteString("[]")
			p.i = cl + 1
			continue
		case p.peek().Is("array"):
			p.next()
			if p.peek().IsPunct("[") && p.w.match[p.i] >= 0 {
				p.i = p.w.match[p.i] + 1
			}
			b.WriteString("[]")
			continue
		}
		break
	}
	return b.String(), first, true
}

// QuoteIdent quotes an identifier when PostgreSQL would need quotes to read it back
// as the same name.
func QuoteIdent(s string) string {
	plain := s != "" && !reserved[s]
	for i := 0; i < len(s) && plain; i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c == '_' || i > 0 && (isDigit(c) || c == '$')) {
			plain = false
		}
	}
	if plain {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

func quoteLit(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// nearMsg words a syntax error at token t as PostgreSQL does.
func nearMsg(src string, t Token) string {
	if t.Kind == EOF {
		return "syntax error at end of input"
	}
	return "syntax error at or near \"" + src[t.Pos:t.End] + "\""
}

// Emission.

func (w *rewriter) write(text string, orig int, space bool) {
	if w.glue {
		space = false
		w.glue = false
	}
	if w.b.Len() > 0 && text != "" {
		last := w.b.String()[w.b.Len()-1]
		if space || needSep(last, text[0]) {
			w.b.WriteByte(' ')
		}
	}
	w.marks = append(w.marks, mark{out: w.b.Len(), orig: orig})
	w.b.WriteString(text)
}

func isWordByte(c byte) bool { return isIdentCont(c) || c == '\'' || c == '"' }

func needSep(last, first byte) bool {
	return isWordByte(last) && isWordByte(first) || isOpChar(last) && isOpChar(first) || last == '.' && isDigit(first)
}

func isOp(n node) bool {
	switch n := n.(type) {
	case *opN:
		return true
	case *seqN:
		return len(n.items) > 1
	}
	return false
}

func (w *rewriter) emit(n node, space bool) error {
	switch n := n.(type) {
	case tokN:
		return w.emitTok(n.t, space || n.t.Space)
	case *seqN:
		for i, it := range n.items {
			if err := w.emit(it, space && i == 0); err != nil {
				return err
			}
		}
	case *groupN:
		w.write(n.open.Val, n.open.Pos, space || n.open.Space)
		w.glue = true
		if err := w.emit(n.inner, false); err != nil {
			return err
		}
		w.write(n.close.Val, n.close.Pos, n.close.Space)
	case *rawN:
		w.write(n.text, n.at.Pos, space)
	case *callN:
		w.write(n.name+"(", n.at.Pos, space || n.at.Space)
		w.glue = true
		for i, a := range n.args {
			if i > 0 {
				w.write(",", n.at.Pos, false)
			}
			if err := w.emit(a, i > 0); err != nil {
				return err
			}
		}
		w.write(")", n.at.Pos, false)
	case *opN:
		for i, part := range n.parts {
			sp := space && i == 0
			if t, ok := part.(tokN); ok {
				sp = sp || t.t.Space || i > 0
			}
			if isOp(part) {
				if _, isTok := part.(tokN); !isTok {
					at := firstPos(part)
					w.write("(", at, sp || i > 0)
					w.glue = true
					if err := w.emit(part, false); err != nil {
						return err
					}
					w.write(")", at, false)
					w.use(RulePrecedence)
					continue
				}
			}
			if err := w.emit(part, sp || i > 0); err != nil {
				return err
			}
		}
	}
	return nil
}

func firstPos(n node) int {
	switch n := n.(type) {
	case tokN:
		return n.t.Pos
	case *seqN:
		if len(n.items) > 0 {
			return firstPos(n.items[0])
		}
	case *groupN:
		return n.open.Pos
	case *callN:
		return n.at.Pos
	case *rawN:
		return n.at.Pos
	case *opN:
		if len(n.parts) > 0 {
			return firstPos(n.parts[0])
		}
	}
	return 0
}

func (w *rewriter) emitTok(t Token, space bool) error {
	switch t.Kind {
	case Ident:
		w.write(t.Val, t.Pos, space)
	case QIdent:
		if w.src[t.Pos] != '"' && w.src[t.Pos] != 'u' && w.src[t.Pos] != 'U' {
			// an unquoted word TiDB reserves (RuleReservedIdent)
		} else if w.src[t.Pos] != '"' {
			w.use(RuleQuotedIdent)
		}
		w.write(`"`+strings.ReplaceAll(t.Val, `"`, `""`)+`"`, t.Pos, space)
	case String:
		if err := checkUTF8(w.src, t); err != nil {
			return err
		}
		if w.src[t.Pos] != '\'' || strings.ContainsAny(w.src[t.Pos:t.End], "\n\r") {
			w.use(RuleString)
		}
		w.write(quoteLit(t.Val), t.Pos, space)
	case Integer:
		if _, err := strconv.ParseInt(t.Val, 10, 64); err != nil {
			w.use(RuleNumber)
			w.write(FnNum+"("+quoteLit(t.Val)+")", t.Pos, space)
			return nil
		}
		w.write(t.Val, t.Pos, space)
	case Decimal:
		if strings.ContainsAny(t.Val, "eE") || len(t.Val) > 30 {
			w.use(RuleNumber)
			w.write(FnNum+"("+quoteLit(t.Val)+")", t.Pos, space)
			return nil
		}
		v := t.Val
		if strings.HasSuffix(v, ".") {
			// "1." is numeric 1 in PostgreSQL; TiDB would not read it.
			w.use(RuleNumber)
			w.write(FnNum+"("+quoteLit(t.Val)+")", t.Pos, space)
			return nil
		}
		w.write(v, t.Pos, space)
	case Param:
		w.use(RuleParam)
		w.write(FnParam+"("+t.Val+")", t.Pos, space)
	case BitStr:
		w.use(RuleBitString)
		w.write(FnBit+"("+quoteLit(t.Val)+")", t.Pos, space)
	case Op:
		if !nativeOps[t.Val] && t.Val != "~" {
			return syntaxAt(w.src, t.Pos, "syntax error at or near %q", t.Val)
		}
		w.write(t.Val, t.Pos, space)
	case Punct:
		switch t.Val {
		case "::", ":", ":=", "=>", "[", "]":
			return syntaxAt(w.src, t.Pos, "syntax error at or near %q", t.Val)
		}
		w.write(t.Val, t.Pos, space)
	}
	return nil
}

// checkUTF8 rejects string constants that are not valid UTF-8 or hold a NUL, as
// PostgreSQL does for a UTF8 database.
func checkUTF8(src string, t Token) error {
	if strings.IndexByte(t.Val, 0) >= 0 {
		return pgerr.New(pgerrcode.CharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\": 0x00").WithPosition(CharPos(src, t.Pos))
	}
	if !utf8.ValidString(t.Val) {
		for i := 0; i < len(t.Val); {
			r, n := utf8.DecodeRuneInString(t.Val[i:])
			if r == utf8.RuneError && n <= 1 {
				return pgerr.New(pgerrcode.CharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\": 0x%02x", t.Val[i]).WithPosition(CharPos(src, t.Pos))
			}
			i += n
		}
	}
	return nil
}

// aliasable reports whether a word after AS is a label rather than the keyword of
// a statement form (CREATE TABLE ... AS SELECT, AS IDENTITY, CREATE TYPE ... AS ENUM).
func aliasable(w string) bool {
	switch w {
	case "select", "values", "with", "table", "identity", "enum", "range", "on", "not",
		"materialized", "permissive", "restrictive", "implicit", "assignment", "execute":
		return false
	}
	return true
}
