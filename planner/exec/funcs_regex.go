package exec

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
)

// The regular-expression operators (~, ~*, !~, !~*), SIMILAR TO and PostgreSQL
// 15's regexp_like, regexp_count, regexp_instr and regexp_substr. Patterns are
// compiled by compileRE (funcs_string.go); an execution keeps the patterns it
// compiled (reCache), as PostgreSQL's backend keeps its recently used ones, so a
// pattern applied to every row of a scan is compiled once.

// reCache holds the compiled patterns of one execution.
type reCache struct {
	mu sync.Mutex
	m  map[reKey]reEntry
}

type reKey struct {
	pattern string
	flags   reFlags
}

type reEntry struct {
	re   *regexp.Regexp
	tree *syntax.Regexp
}

// maxCachedRE bounds the patterns one execution keeps (a pattern computed per
// row would otherwise grow the cache with the table).
const maxCachedRE = 64

// regex compiles pattern with flags f, once per execution.
func (c *Ctx) regex(pattern string, f reFlags) (*regexp.Regexp, *syntax.Regexp, error) {
	if c == nil || c.run == nil {
		return compileRE(pattern, f)
	}
	rc := c.run.regexps()
	k := reKey{pattern, f}
	rc.mu.Lock()
	e, ok := rc.m[k]
	rc.mu.Unlock()
	if ok {
		return e.re, e.tree, nil
	}
	re, tree, err := compileRE(pattern, f)
	if err != nil {
		return nil, nil, err
	}
	rc.mu.Lock()
	if len(rc.m) >= maxCachedRE {
		clear(rc.m)
	}
	rc.m[k] = reEntry{re, tree}
	rc.mu.Unlock()
	return re, tree, nil
}

func (r *runState) regexps() *reCache {
	r.reOnce.Do(func() { r.re = &reCache{m: map[reKey]reEntry{}} })
	return r.re
}

// ctxFn is a strict immutable overload that needs the execution context.
func ctxFn(args []types.T, result types.T, f func(c *Ctx, a []types.Datum) (types.Datum, error)) Builtin {
	return Builtin{Args: args, Result: result, Strict: true, Fn: f}
}

func init() {
	t, b, i4 := types.Text, types.Bool, types.Int4
	match := func(icase, negate bool) func(c *Ctx, a []types.Datum) (types.Datum, error) {
		return func(c *Ctx, a []types.Datum) (types.Datum, error) {
			re, _, err := c.regex(a[1].(string), reFlags{icase: icase})
			if err != nil {
				return nil, err
			}
			return re.MatchString(a[0].(string)) != negate, nil
		}
	}
	// The functions behind the operators, under PostgreSQL's names.
	register("textregexeq", ctxFn(sig(t, t), b, match(false, false)))
	register("textregexne", ctxFn(sig(t, t), b, match(false, true)))
	register("texticregexeq", ctxFn(sig(t, t), b, match(true, false)))
	register("texticregexne", ctxFn(sig(t, t), b, match(true, true)))
	register("similar_to_escape",
		strict(sig(t), t, func(a []types.Datum) (types.Datum, error) { return similarToRegex(a[0].(string), "\\") }),
		strict(sig(t, t), t, func(a []types.Datum) (types.Datum, error) {
			return similarToRegex(a[0].(string), a[1].(string))
		}))
	// augur_similar is x SIMILAR TO pattern [ESCAPE e]: the pattern is translated
	// to an anchored regular expression, as PostgreSQL's similar_to_escape does.
	similar := func(c *Ctx, a []types.Datum) (types.Datum, error) {
		esc := "\\"
		if len(a) > 2 {
			if a[2] == nil {
				return nil, nil
			}
			esc = a[2].(string)
		}
		if a[0] == nil || a[1] == nil {
			return nil, nil
		}
		p, err := similarToRegex(a[1].(string), esc)
		if err != nil {
			return nil, err
		}
		re, _, err := c.regex(p, reFlags{})
		if err != nil {
			return nil, err
		}
		return re.MatchString(a[0].(string)), nil
	}
	register("augur_similar_to",
		Builtin{Args: sig(t, t), Result: b, Fn: similar},
		Builtin{Args: sig(t, t, t), Result: b, Fn: similar})

	register("regexp_like",
		ctxFn(sig(t, t), b, regexpLike),
		ctxFn(sig(t, t, t), b, regexpLike))
	register("regexp_count",
		ctxFn(sig(t, t), i4, regexpCount),
		ctxFn(sig(t, t, i4), i4, regexpCount),
		ctxFn(sig(t, t, i4, t), i4, regexpCount))
	register("regexp_instr",
		ctxFn(sig(t, t), i4, regexpInstr),
		ctxFn(sig(t, t, i4), i4, regexpInstr),
		ctxFn(sig(t, t, i4, i4), i4, regexpInstr),
		ctxFn(sig(t, t, i4, i4, i4), i4, regexpInstr),
		ctxFn(sig(t, t, i4, i4, i4, t), i4, regexpInstr),
		ctxFn(sig(t, t, i4, i4, i4, t, i4), i4, regexpInstr))
	register("regexp_substr",
		ctxFn(sig(t, t), t, regexpSubstr),
		ctxFn(sig(t, t, i4), t, regexpSubstr),
		ctxFn(sig(t, t, i4, i4), t, regexpSubstr),
		ctxFn(sig(t, t, i4, i4, t), t, regexpSubstr),
		ctxFn(sig(t, t, i4, i4, t, i4), t, regexpSubstr))
}

// similarToRegex is PostgreSQL's similar_to_escape: the SQL regular expression
// pat with escape character esc ("" for none) as an anchored ARE. % and _ become
// .* and ., ( opens a non-capturing group, and the characters that are special
// only in AREs (. ^ $ \) are escaped; bracket expressions are copied as they are.
func similarToRegex(pat, esc string) (string, error) {
	var e rune = -1
	if esc != "" {
		if utf8.RuneCountInString(esc) != 1 {
			return "", pgerr.New(pgerrcode.InvalidEscapeSequence, "invalid escape string").
				WithHint("Escape string must be empty or one character.")
		}
		e, _ = utf8.DecodeRuneInString(esc)
	}
	var b strings.Builder
	b.WriteString("^(?:")
	afterEscape, inBracket, bracketStart := false, false, false
	for _, r := range pat {
		switch {
		case afterEscape:
			if r == '"' && !inBracket {
				// The separators of SUBSTRING(... SIMILAR ...): a group boundary.
				b.WriteString("){1,1}?(")
			} else {
				b.WriteByte('\\')
				b.WriteRune(r)
			}
			afterEscape = false
		case r == e:
			afterEscape = true
		case inBracket:
			if r == ']' && !bracketStart {
				inBracket = false
			}
			bracketStart = bracketStart && r == '^'
			if r == '\\' {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		case r == '[':
			inBracket, bracketStart = true, true
			b.WriteRune(r)
		case r == '%':
			b.WriteString(".*")
		case r == '_':
			b.WriteByte('.')
		case r == '(':
			b.WriteString("(?:")
		case r == '\\' || r == '.' || r == '^' || r == '$':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	if afterEscape {
		return "", pgerr.New(pgerrcode.InvalidEscapeSequence, "invalid escape string").
			WithHint("Escape string must be empty or one character.")
	}
	b.WriteString(")$")
	return b.String(), nil
}

// regexFlags reads the optional flags a[i] of the PostgreSQL 15 regexp
// functions; callers refuse g with noGlobal, as PostgreSQL does.
func regexFlags(a []types.Datum, i int) (reFlags, error) {
	if i < len(a) {
		return parseREFlags(a[i].(string), true)
	}
	return reFlags{}, nil
}

func badParam(name string, v int64) error {
	return pgerr.New(pgerrcode.InvalidParameterValue, "invalid value for parameter \"%s\": %d", name, v)
}

func regexpLike(c *Ctx, a []types.Datum) (types.Datum, error) {
	f, err := regexFlags(a, 2)
	if err != nil {
		return nil, err
	}
	if f.global {
		return nil, noGlobal("regexp_like")
	}
	re, _, err := c.regex(a[1].(string), f)
	if err != nil {
		return nil, err
	}
	return re.MatchString(a[0].(string)), nil
}

// noGlobal is the error of the flag g where a function finds one match.
func noGlobal(fn string) *pgerr.Error {
	return pgerr.New(pgerrcode.InvalidParameterValue, "%s() does not support the \"global\" option", fn)
}

// reMatches returns the submatch offsets of every match of re in s at or after
// byte offset from, as PostgreSQL finds them: each search starts where the last
// match ended (one character further after an empty match).
func reMatches(re *regexp.Regexp, tree *syntax.Regexp, s string, from int, limit int) [][]int {
	var out [][]int
	if leftContext(tree) {
		for _, m := range re.FindAllStringSubmatchIndex(s, -1) {
			if m[0] >= from {
				out = append(out, m)
				if limit > 0 && len(out) == limit {
					break
				}
			}
		}
		return out
	}
	for pos := from; pos <= len(s); {
		m := re.FindStringSubmatchIndex(s[pos:])
		if m == nil {
			break
		}
		for i := range m {
			if m[i] >= 0 {
				m[i] += pos
			}
		}
		out = append(out, m)
		if limit > 0 && len(out) == limit {
			break
		}
		pos = m[1]
		if m[0] == m[1] {
			_, w := utf8.DecodeRuneInString(s[pos:])
			pos += max(w, 1)
		}
	}
	return out
}

// startOffset checks the 1-based character position start and returns its byte
// offset in s (len(s)+1 when s is shorter).
func startOffset(s string, start int64) (int, error) {
	if start <= 0 {
		return 0, badParam("start", start)
	}
	if int64(utf8.RuneCountInString(s)) < start-1 {
		return len(s) + 1, nil
	}
	return runeOffset(s, start-1), nil
}

func regexpCount(c *Ctx, a []types.Datum) (types.Datum, error) {
	s := a[0].(string)
	start := int64(1)
	if len(a) > 2 {
		start = a[2].(int64)
	}
	from, err := startOffset(s, start)
	if err != nil {
		return nil, err
	}
	f, err := regexFlags(a, 3)
	if err != nil {
		return nil, err
	}
	if f.global {
		return nil, noGlobal("regexp_count")
	}
	re, tree, err := c.regex(a[1].(string), f)
	if err != nil {
		return nil, err
	}
	if from > len(s) {
		return int64(0), nil
	}
	return int64(len(reMatches(re, tree, s, from, 0))), nil
}

// nthMatch finds the n-th match for regexp_instr and regexp_substr: the
// arguments after the source and pattern are start, n, (endoption,) flags and
// subexpr; flagsAt is the index of flags.
func nthMatch(c *Ctx, a []types.Datum, fn string, flagsAt int) (s string, m []int, sub int64, err error) {
	s = a[0].(string)
	start, n := int64(1), int64(1)
	if len(a) > 2 {
		start = a[2].(int64)
	}
	if len(a) > 3 {
		if n = a[3].(int64); n <= 0 {
			return "", nil, 0, badParam("n", n)
		}
	}
	if len(a) > flagsAt+1 {
		if sub = a[flagsAt+1].(int64); sub < 0 {
			return "", nil, 0, badParam("subexpr", sub)
		}
	}
	from, err := startOffset(s, start)
	if err != nil {
		return "", nil, 0, err
	}
	f, err := regexFlags(a, flagsAt)
	if err != nil {
		return "", nil, 0, err
	}
	if f.global {
		return "", nil, 0, noGlobal(fn)
	}
	re, tree, err := c.regex(a[1].(string), f)
	if err != nil || from > len(s) {
		return "", nil, 0, err
	}
	ms := reMatches(re, tree, s, from, int(min(n, 1<<30)))
	if int64(len(ms)) < n {
		return s, nil, sub, nil
	}
	m = ms[n-1]
	if 2*int(sub)+1 >= len(m) {
		return s, nil, sub, nil
	}
	return s, m[2*sub : 2*sub+2], sub, nil
}

func regexpInstr(c *Ctx, a []types.Datum) (types.Datum, error) {
	if len(a) > 4 {
		if e := a[4].(int64); e != 0 && e != 1 {
			return nil, badParam("endoption", e)
		}
	}
	s, m, _, err := nthMatch(c, a, "regexp_instr", 5)
	if err != nil {
		return nil, err
	}
	if m == nil || m[0] < 0 {
		return int64(0), nil
	}
	at := m[0]
	if len(a) > 4 && a[4].(int64) == 1 {
		at = m[1]
	}
	return int64(utf8.RuneCountInString(s[:at]) + 1), nil
}

func regexpSubstr(c *Ctx, a []types.Datum) (types.Datum, error) {
	s, m, _, err := nthMatch(c, a, "regexp_substr", 4)
	if err != nil {
		return nil, err
	}
	if m == nil || m[0] < 0 {
		return nil, nil
	}
	return s[m[0]:m[1]], nil
}

// regexp_match, regexp_matches, regexp_split_to_array and
// regexp_split_to_table.
func init() {
	t := types.Text
	ta, _ := types.ArrayOf(t)
	register("regexp_match",
		ctxFn(sig(t, t), ta, regexpMatch),
		ctxFn(sig(t, t, t), ta, regexpMatch))
	register("regexp_split_to_array",
		ctxFn(sig(t, t), ta, regexpSplitArray),
		ctxFn(sig(t, t, t), ta, regexpSplitArray))
	matches := func(c *Ctx, a []types.Datum) (Iter, error) {
		ms, err := regexMatchRows(c, a, "regexp_matches", true)
		if err != nil {
			return nil, err
		}
		rows := make([][]types.Datum, len(ms))
		for i, m := range ms {
			rows[i] = []types.Datum{m}
		}
		return SliceRows(rows), nil
	}
	split := func(c *Ctx, a []types.Datum) (Iter, error) {
		parts, err := regexSplit(c, a, "regexp_split_to_table")
		if err != nil {
			return nil, err
		}
		rows := make([][]types.Datum, len(parts))
		for i, p := range parts {
			rows[i] = []types.Datum{p}
		}
		return SliceRows(rows), nil
	}
	RegisterTableFunc("regexp_matches",
		TableFunc{Args: sig(t, t), Cols: []ResultCol{{T: ta}}, Strict: true, Rows: matches},
		TableFunc{Args: sig(t, t, t), Cols: []ResultCol{{T: ta}}, Strict: true, Rows: matches})
	RegisterTableFunc("regexp_split_to_table",
		TableFunc{Args: sig(t, t), Cols: []ResultCol{{T: t}}, Strict: true, Rows: split},
		TableFunc{Args: sig(t, t, t), Cols: []ResultCol{{T: t}}, Strict: true, Rows: split})
}

// matchArray is the text[] of a match's parenthesized subexpressions (NULL for
// those that did not take part), or of the whole match without any.
func matchArray(s string, m []int) *types.Array {
	if len(m) == 2 {
		return types.NewArray([]types.Datum{s[m[0]:m[1]]})
	}
	elems := make([]types.Datum, 0, len(m)/2-1)
	for k := 2; k+1 < len(m); k += 2 {
		if m[k] < 0 {
			elems = append(elems, nil)
		} else {
			elems = append(elems, s[m[k]:m[k+1]])
		}
	}
	return types.NewArray(elems)
}

// regexMatchRows finds the matches of regexp_match (global false: the first)
// and regexp_matches (all of them with flag g).
func regexMatchRows(c *Ctx, a []types.Datum, fn string, global bool) ([]*types.Array, error) {
	f, err := regexFlags(a, 2)
	if err != nil {
		return nil, err
	}
	if f.global && !global {
		return nil, noGlobal(fn).WithHint("Use the regexp_matches function instead.")
	}
	re, tree, err := c.regex(a[1].(string), f)
	if err != nil {
		return nil, err
	}
	s := a[0].(string)
	limit := 1
	if f.global {
		limit = 0
	}
	var out []*types.Array
	for _, m := range reMatches(re, tree, s, 0, limit) {
		out = append(out, matchArray(s, m))
	}
	return out, nil
}

func regexpMatch(c *Ctx, a []types.Datum) (types.Datum, error) {
	ms, err := regexMatchRows(c, a, "regexp_match", false)
	if err != nil || len(ms) == 0 {
		return nil, err
	}
	return ms[0], nil
}

// regexSplit splits the string at the matches of the pattern, ignoring empty
// matches at the start, at the end and right after a match (PostgreSQL's
// ignore_degenerate).
func regexSplit(c *Ctx, a []types.Datum, fn string) ([]types.Datum, error) {
	f, err := regexFlags(a, 2)
	if err != nil {
		return nil, err
	}
	if f.global {
		return nil, noGlobal(fn)
	}
	re, tree, err := c.regex(a[1].(string), f)
	if err != nil {
		return nil, err
	}
	s := a[0].(string)
	var out []types.Datum
	prev := 0
	for _, m := range reMatches(re, tree, s, 0, 0) {
		if m[0] < len(s) && m[1] > prev {
			out = append(out, s[prev:m[0]])
			prev = m[1]
		}
	}
	return append(out, s[prev:]), nil
}

func regexpSplitArray(c *Ctx, a []types.Datum) (types.Datum, error) {
	parts, err := regexSplit(c, a, "regexp_split_to_array")
	if err != nil {
		return nil, err
	}
	return types.NewArray(parts), nil
}
