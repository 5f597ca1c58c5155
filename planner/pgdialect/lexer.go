// Package pgdialect is the PostgreSQL dialect layer between the wire and the TiDB
// (MySQL-dialect) parser. The TiDB grammar silently misreads a good deal of
// PostgreSQL text — `$1` becomes a column, E'..' and $$..$$ strings and `#` are read
// differently, `^` is XOR, `||` binds tighter than `+` — so nothing here works on raw
// text. The layer has three parts:
//
//  1. Lex: a lexer that implements PostgreSQL 15's lexical rules (scan.l) exactly:
//     identifiers (folded to lower case, quoted, U&"..."), every string form,
//     numbers, parameters, operators and comments, with byte positions;
//  2. ParseUtility: small parsers of our own for the statements the TiDB grammar has
//     no form for (SHOW, SET ... TO, RESET, BEGIN with options, ...);
//  3. Rewrite: a precedence-aware rewrite of the token stream into text the TiDB
//     grammar reads with PostgreSQL's meaning. PostgreSQL-only expressions become
//     calls of reserved functions (augur_cast, augur_param, ...) that the binder
//     recognises, operators are parenthesised by PostgreSQL's precedence, and
//     literals are re-quoted in the one form both lexers read alike. A position map
//     leads from the rewritten text back to the user's text, so syntax errors point
//     at the user's character.
//
// Every rewrite rule has a name (see Rule) and is covered by the data-driven tests
// in testdata/.
package pgdialect

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/jackc/pgerrcode"
)

// Kind is a token kind.
type Kind int

// Token kinds.
const (
	EOF     Kind = iota
	Ident        // unquoted identifier or keyword; Val is folded to lower case
	QIdent       // quoted identifier ("..." or U&"..."); Val is its content
	String       // string constant of any form; Val is its value
	BitStr       // B'...' (Val "b0101") or X'...' (Val "xFF")
	Integer      // digits only; Val is the text
	Decimal      // digits with a point and/or exponent; Val is the text
	Param        // $n; Val is n
	Op           // operator; Val is its text ("<>" for "!=")
	Punct        // one of ( ) [ ] , ; : . :: .. := =>
)

var kindNames = [...]string{"EOF", "Ident", "QIdent", "String", "BitStr", "Integer", "Decimal", "Param", "Op", "Punct"}

func (k Kind) String() string { return kindNames[k] }

// Token is one lexical token. Pos and End are byte offsets in the source.
type Token struct {
	Kind     Kind
	Val      string
	Pos, End int
	// Space reports whether whitespace or a comment preceded the token.
	Space bool
}

// Is reports whether t is the keyword or unquoted identifier kw (lower case).
func (t Token) Is(kw string) bool { return t.Kind == Ident && t.Val == kw }

// IsPunct reports whether t is the punctuation p.
func (t Token) IsPunct(p string) bool { return t.Kind == Punct && t.Val == p }

// IsOp reports whether t is the operator op.
func (t Token) IsOp(op string) bool { return t.Kind == Op && t.Val == op }

// namedatalen - 1: PostgreSQL truncates longer identifiers.
const maxIdentLen = 63

// CharPos converts a byte offset in src to PostgreSQL's 1-based character position.
func CharPos(src string, off int) int32 {
	if off > len(src) {
		off = len(src)
	}
	return int32(utf8.RuneCountInString(src[:off])) + 1
}

type lexer struct {
	src  string
	pos  int
	toks []Token
}

// Lex splits src into tokens by PostgreSQL's lexical rules. Comments and whitespace
// are dropped (Token.Space records them). Errors are 42601 with the position of the
// offending token, worded as PostgreSQL words them.
func Lex(src string) ([]Token, error) {
	l := &lexer{src: src}
	space := false
	for {
		s, err := l.skipSpace()
		if err != nil {
			return nil, err
		}
		space = space || s
		if l.pos >= len(l.src) {
			break
		}
		tok, err := l.next()
		if err != nil {
			return nil, err
		}
		tok.Space = space
		space = false
		// Adjacent string constants separated by whitespace holding a newline are
		// one constant (SQL standard, and scan.l's quotecontinue).
		if tok.Kind == String && len(l.toks) > 0 && tok.Space {
			prev := &l.toks[len(l.toks)-1]
			if prev.Kind == String && l.continues(prev.End, tok.Pos) && l.src[tok.Pos] == '\'' {
				prev.Val += tok.Val
				prev.End = tok.End
				continue
			}
		}
		l.toks = append(l.toks, tok)
	}
	return l.toks, nil
}

// continues reports whether the text between two string constants makes the second
// a continuation of the first: only whitespace, at least one newline, and comments
// after the newline.
func (l *lexer) continues(from, to int) bool {
	gap := l.src[from:to]
	nl := false
	for i := 0; i < len(gap); i++ {
		switch c := gap[i]; {
		case c == '\n' || c == '\r':
			nl = true
		case c == ' ' || c == '\t' || c == '\f' || c == '\v':
		case c == '-' && i+1 < len(gap) && gap[i+1] == '-' && nl:
			for i < len(gap) && gap[i] != '\n' && gap[i] != '\r' {
				i++
			}
			i--
		default:
			return false
		}
	}
	return nl
}

func syntaxAt(src string, off int, format string, args ...any) error {
	return pgerr.Syntax(CharPos(src, off), format, args...)
}

func (l *lexer) skipSpace() (bool, error) {
	start := l.pos
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			l.pos++
		case c == '-' && l.peek(1) == '-':
			for l.pos < len(l.src) && l.src[l.pos] != '\n' && l.src[l.pos] != '\r' {
				l.pos++
			}
		case c == '/' && l.peek(1) == '*':
			if err := l.blockComment(); err != nil {
				return false, err
			}
		default:
			return l.pos > start, nil
		}
	}
	return l.pos > start, nil
}

// blockComment skips a /* */ comment; they nest in PostgreSQL.
func (l *lexer) blockComment() error {
	start := l.pos
	depth := 0
	for l.pos < len(l.src) {
		switch {
		case l.src[l.pos] == '/' && l.peek(1) == '*':
			depth++
			l.pos += 2
		case l.src[l.pos] == '*' && l.peek(1) == '/':
			depth--
			l.pos += 2
			if depth == 0 {
				return nil
			}
		default:
			l.pos++
		}
	}
	return syntaxAt(l.src, start, "unterminated /* comment at or near %q", l.src[start:])
}

func (l *lexer) peek(n int) byte {
	if l.pos+n < len(l.src) {
		return l.src[l.pos+n]
	}
	return 0
}

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80
}

func isIdentCont(c byte) bool {
	return isIdentStart(c) || isDigit(c) || c == '$'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// PostgreSQL's operator characters ("op_chars" in scan.l).
func isOpChar(c byte) bool { return strings.IndexByte("~!@#^&|`?+-*/%<>=", c) >= 0 }

func (l *lexer) next() (Token, error) {
	start := l.pos
	c := l.src[l.pos]
	tok := func(k Kind, v string) (Token, error) {
		return Token{Kind: k, Val: v, Pos: start, End: l.pos}, nil
	}
	switch {
	case (c == 'e' || c == 'E') && l.peek(1) == '\'':
		l.pos++
		v, err := l.quoted(start, true)
		if err != nil {
			return Token{}, err
		}
		return tok(String, v)
	case (c == 'b' || c == 'B') && l.peek(1) == '\'':
		l.pos++
		v, err := l.quoted(start, false)
		if err != nil {
			return Token{}, err
		}
		for i := 0; i < len(v); i++ {
			if v[i] != '0' && v[i] != '1' {
				return Token{}, pgerr.New(pgerrcode.InvalidTextRepresentation, "%q is not a valid binary digit", v[i:i+1]).WithPosition(CharPos(l.src, start))
			}
		}
		return tok(BitStr, "b"+v)
	case (c == 'x' || c == 'X') && l.peek(1) == '\'':
		l.pos++
		v, err := l.quoted(start, false)
		if err != nil {
			return Token{}, err
		}
		for i := 0; i < len(v); i++ {
			if !isHex(v[i]) {
				return Token{}, pgerr.New(pgerrcode.InvalidTextRepresentation, "%q is not a valid hexadecimal digit", v[i:i+1]).WithPosition(CharPos(l.src, start))
			}
		}
		return tok(BitStr, "x"+v)
	case (c == 'n' || c == 'N') && l.peek(1) == '\'':
		// National character: the same as a plain string in a UTF8 database.
		l.pos++
		v, err := l.quoted(start, false)
		if err != nil {
			return Token{}, err
		}
		return tok(String, v)
	case (c == 'u' || c == 'U') && l.peek(1) == '&' && (l.peek(2) == '\'' || l.peek(2) == '"'):
		return l.unicode(start)
	case c == '\'':
		v, err := l.quoted(start, false)
		if err != nil {
			return Token{}, err
		}
		return tok(String, v)
	case c == '"':
		v, err := l.quotedIdent(start)
		if err != nil {
			return Token{}, err
		}
		return tok(QIdent, v)
	case c == '$':
		if isDigit(l.peek(1)) {
			l.pos++
			for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
				l.pos++
			}
			if l.pos < len(l.src) && isIdentStart(l.src[l.pos]) {
				end := l.pos
				for end < len(l.src) && isIdentCont(l.src[end]) {
					end++
				}
				return Token{}, syntaxAt(l.src, start, "trailing junk after parameter at or near %q", l.src[start:end])
			}
			n, err := strconv.Atoi(l.src[start+1 : l.pos])
			if err != nil || n <= 0 || n > 65535 {
				return Token{}, pgerr.New(pgerrcode.UndefinedParameter, "there is no parameter $%s", l.src[start+1:l.pos]).WithPosition(CharPos(l.src, start))
			}
			return tok(Param, strconv.Itoa(n))
		}
		if v, ok, err := l.dollarQuoted(start); ok || err != nil {
			if err != nil {
				return Token{}, err
			}
			return tok(String, v)
		}
		l.pos++
		return Token{}, syntaxAt(l.src, start, "syntax error at or near \"$\"")
	case isIdentStart(c):
		for l.pos < len(l.src) && isIdentCont(l.src[l.pos]) {
			l.pos++
		}
		return tok(Ident, foldIdent(l.src[start:l.pos]))
	case isDigit(c) || c == '.' && isDigit(l.peek(1)):
		return l.number(start)
	case c == ':' && l.peek(1) == ':':
		l.pos += 2
		return tok(Punct, "::")
	case c == ':' && l.peek(1) == '=':
		l.pos += 2
		return tok(Punct, ":=")
	case c == '.' && l.peek(1) == '.':
		l.pos += 2
		return tok(Punct, "..")
	case c == '=' && l.peek(1) == '>':
		l.pos += 2
		return tok(Punct, "=>")
	case strings.IndexByte("()[],;:.", c) >= 0:
		l.pos++
		return tok(Punct, string(c))
	case isOpChar(c):
		return l.operator(start)
	}
	_, n := utf8.DecodeRuneInString(l.src[l.pos:])
	l.pos += n
	return Token{}, syntaxAt(l.src, start, "syntax error at or near %q", l.src[start:l.pos])
}

// foldIdent lower-cases ASCII letters (PostgreSQL's downcase_identifier in a UTF8
// database) and truncates to 63 bytes on a character boundary.
func foldIdent(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return truncIdent(string(b))
}

func truncIdent(s string) string {
	if len(s) <= maxIdentLen {
		return s
	}
	n := maxIdentLen
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// quoted reads a '...' constant starting at l.pos (the quote), with ” for a quote
// and, when escapes is set, E'...' backslash escapes.
func (l *lexer) quoted(start int, escapes bool) (string, error) {
	l.pos++ // opening quote
	var b strings.Builder
	for {
		if l.pos >= len(l.src) {
			return "", syntaxAt(l.src, start, "unterminated quoted string at or near %q", l.src[start:])
		}
		c := l.src[l.pos]
		switch {
		case c == '\'' && l.peek(1) == '\'':
			b.WriteByte('\'')
			l.pos += 2
		case c == '\'':
			l.pos++
			// A continuation on a later line ('a'\n'b') is joined by Lex.
			return b.String(), nil
		case c == '\\' && escapes:
			if err := l.escape(start, &b); err != nil {
				return "", err
			}
		default:
			b.WriteByte(c)
			l.pos++
		}
	}
}

// escape decodes one backslash escape of an E'...' string.
func (l *lexer) escape(start int, b *strings.Builder) error {
	l.pos++ // backslash
	if l.pos >= len(l.src) {
		return syntaxAt(l.src, start, "unterminated quoted string at or near %q", l.src[start:])
	}
	c := l.src[l.pos]
	l.pos++
	switch c {
	case 'b':
		b.WriteByte('\b')
	case 'f':
		b.WriteByte('\f')
	case 'n':
		b.WriteByte('\n')
	case 'r':
		b.WriteByte('\r')
	case 't':
		b.WriteByte('\t')
	case '0', '1', '2', '3', '4', '5', '6', '7':
		v := int(c - '0')
		for i := 0; i < 2 && l.pos < len(l.src) && l.src[l.pos] >= '0' && l.src[l.pos] <= '7'; i++ {
			v = v*8 + int(l.src[l.pos]-'0')
			l.pos++
		}
		b.WriteByte(byte(v))
	case 'x':
		if l.pos < len(l.src) && isHex(l.src[l.pos]) {
			v := 0
			for i := 0; i < 2 && l.pos < len(l.src) && isHex(l.src[l.pos]); i++ {
				v = v*16 + hexVal(l.src[l.pos])
				l.pos++
			}
			b.WriteByte(byte(v))
		} else {
			b.WriteByte('x')
		}
	case 'u', 'U':
		n := 4
		if c == 'U' {
			n = 8
		}
		badEscape := pgerr.New(pgerrcode.InvalidEscapeSequence, "invalid Unicode escape").
			WithHint("Unicode escapes must be \\uXXXX or \\UXXXXXXXX.").WithPosition(CharPos(l.src, l.pos-2))
		if l.pos+n > len(l.src) {
			return badEscape
		}
		v := 0
		for i := 0; i < n; i++ {
			if !isHex(l.src[l.pos+i]) {
				return badEscape
			}
			v = v*16 + hexVal(l.src[l.pos+i])
		}
		l.pos += n
		if err := writeCodepoint(b, v, l.src, l.pos-n-2); err != nil {
			return err
		}
	default:
		b.WriteByte(c)
	}
	return nil
}

func writeCodepoint(b *strings.Builder, v int, src string, off int) error {
	if v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) {
		return syntaxAt(src, off, "invalid Unicode escape value")
	}
	b.WriteRune(rune(v))
	return nil
}

func hexVal(c byte) int {
	switch {
	case isDigit(c):
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	default:
		return int(c-'A') + 10
	}
}

func (l *lexer) quotedIdent(start int) (string, error) {
	l.pos++
	var b strings.Builder
	for {
		if l.pos >= len(l.src) {
			return "", syntaxAt(l.src, start, "unterminated quoted identifier at or near %q", l.src[start:])
		}
		c := l.src[l.pos]
		if c == '"' {
			if l.peek(1) == '"' {
				b.WriteByte('"')
				l.pos += 2
				continue
			}
			l.pos++
			if b.Len() == 0 {
				return "", syntaxAt(l.src, start, "zero-length delimited identifier at or near %q", `""`)
			}
			return truncIdent(b.String()), nil
		}
		b.WriteByte(c)
		l.pos++
	}
}

// unicode reads U&'...' and U&"..." with their \XXXX and \+XXXXXX escapes and an
// optional UESCAPE 'c' clause.
func (l *lexer) unicode(start int) (Token, error) {
	l.pos += 2
	isIdent := l.src[l.pos] == '"'
	var raw string
	var err error
	if isIdent {
		raw, err = l.quotedIdentRaw(start)
	} else {
		raw, err = l.quoted(start, false)
	}
	if err != nil {
		return Token{}, err
	}
	esc := byte('\\')
	save := l.pos
	if _, err := l.skipSpace(); err != nil {
		return Token{}, err
	}
	if l.pos+7 <= len(l.src) && strings.EqualFold(l.src[l.pos:l.pos+7], "uescape") && (l.pos+7 == len(l.src) || !isIdentCont(l.src[l.pos+7])) {
		l.pos += 7
		if _, err := l.skipSpace(); err != nil {
			return Token{}, err
		}
		if l.pos+3 > len(l.src) || l.src[l.pos] != '\'' || l.src[l.pos+2] != '\'' {
			return Token{}, syntaxAt(l.src, l.pos, "invalid Unicode escape character")
		}
		esc = l.src[l.pos+1]
		if isHex(esc) || esc == '+' || esc == '\'' || esc == '"' || esc == ' ' || esc == '\t' || esc == '\n' || esc == '\r' {
			return Token{}, syntaxAt(l.src, l.pos, "invalid Unicode escape character")
		}
		l.pos += 3
	} else {
		l.pos = save
	}
	var b strings.Builder
	for i := 0; i < len(raw); {
		if raw[i] != esc {
			b.WriteByte(raw[i])
			i++
			continue
		}
		switch {
		case i+1 < len(raw) && raw[i+1] == esc:
			b.WriteByte(esc)
			i += 2
		case i+5 <= len(raw) && allHex(raw[i+1:i+5]):
			v, _ := strconv.ParseUint(raw[i+1:i+5], 16, 32)
			if err := writeCodepoint(&b, int(v), l.src, start); err != nil {
				return Token{}, err
			}
			i += 5
		case i+8 <= len(raw) && raw[i+1] == '+' && allHex(raw[i+2:i+8]):
			v, _ := strconv.ParseUint(raw[i+2:i+8], 16, 32)
			if err := writeCodepoint(&b, int(v), l.src, start); err != nil {
				return Token{}, err
			}
			i += 8
		default:
			return Token{}, syntaxAt(l.src, start, "invalid Unicode escape")
		}
	}
	if isIdent {
		if b.Len() == 0 {
			return Token{}, syntaxAt(l.src, start, "zero-length delimited identifier at or near %q", `""`)
		}
		return Token{Kind: QIdent, Val: truncIdent(b.String()), Pos: start, End: l.pos}, nil
	}
	return Token{Kind: String, Val: b.String(), Pos: start, End: l.pos}, nil
}

func allHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

func (l *lexer) quotedIdentRaw(start int) (string, error) {
	l.pos++
	var b strings.Builder
	for {
		if l.pos >= len(l.src) {
			return "", syntaxAt(l.src, start, "unterminated quoted identifier at or near %q", l.src[start:])
		}
		if l.src[l.pos] == '"' {
			if l.peek(1) == '"' {
				b.WriteByte('"')
				l.pos += 2
				continue
			}
			l.pos++
			return b.String(), nil
		}
		b.WriteByte(l.src[l.pos])
		l.pos++
	}
}

// dollarQuoted reads $tag$...$tag$. ok is false when the text at l.pos is not a
// dollar-quote opener (then l.pos is unchanged).
func (l *lexer) dollarQuoted(start int) (string, bool, error) {
	i := l.pos + 1
	if i < len(l.src) && l.src[i] != '$' {
		if !isIdentStart(l.src[i]) {
			return "", false, nil
		}
		for i < len(l.src) && isIdentCont(l.src[i]) && l.src[i] != '$' {
			i++
		}
	}
	if i >= len(l.src) || l.src[i] != '$' {
		return "", false, nil
	}
	delim := l.src[l.pos : i+1]
	body := i + 1
	end := strings.Index(l.src[body:], delim)
	if end < 0 {
		return "", true, syntaxAt(l.src, start, "unterminated dollar-quoted string at or near %q", l.src[start:])
	}
	l.pos = body + end + len(delim)
	return l.src[body : body+end], true, nil
}

// number reads an integer, decimal or real constant. As in PostgreSQL 15, letters
// directly after a number are an error ("123abc", and "0x1F": hexadecimal integer
// literals came only in PostgreSQL 16).
func (l *lexer) number(start int) (Token, error) {
	kind := Integer
	for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
		l.pos++
	}
	if l.pos < len(l.src) && l.src[l.pos] == '.' && l.peek(1) != '.' {
		kind = Decimal
		l.pos++
		for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
			l.pos++
		}
	}
	if l.pos < len(l.src) && (l.src[l.pos] == 'e' || l.src[l.pos] == 'E') {
		j := l.pos + 1
		if j < len(l.src) && (l.src[j] == '+' || l.src[j] == '-') {
			j++
		}
		if j < len(l.src) && isDigit(l.src[j]) {
			for j < len(l.src) && isDigit(l.src[j]) {
				j++
			}
			kind = Decimal
			l.pos = j
		} else if j > l.pos+1 {
			// "1e+" is realfail.
			return Token{}, syntaxAt(l.src, start, "trailing junk after numeric literal at or near %q", l.src[start:j])
		}
	}
	if l.pos < len(l.src) && isIdentStart(l.src[l.pos]) {
		// PostgreSQL 15 rejects letters glued to a number ("123abc", "0x1F"):
		// scan.l's integer_junk, numeric_junk and real_junk.
		end := l.pos
		for end < len(l.src) && isIdentCont(l.src[end]) {
			end++
		}
		return Token{}, syntaxAt(l.src, start, "trailing junk after numeric literal at or near %q", l.src[start:end])
	}
	return Token{Kind: kind, Val: l.src[start:l.pos], Pos: start, End: l.pos}, nil
}

// operator reads an operator by scan.l's rules: the longest run of operator
// characters, cut before any "--" or "/*", and with trailing + and - dropped unless
// the operator holds one of ~ ! @ # % ^ & | ` ? (so "=-1" is = then -1).
func (l *lexer) operator(start int) (Token, error) {
	end := start
	for end < len(l.src) && isOpChar(l.src[end]) {
		if end > start && (l.src[end] == '-' && l.src[end-1] == '-' || l.src[end] == '*' && l.src[end-1] == '/') {
			end--
			break
		}
		if l.src[end] == '/' && end+1 < len(l.src) && l.src[end+1] == '*' && end > start {
			break
		}
		if l.src[end] == '-' && end+1 < len(l.src) && l.src[end+1] == '-' && end > start {
			break
		}
		end++
	}
	op := l.src[start:end]
	if len(op) > 1 && !strings.ContainsAny(op, "~!@#%^&|`?") {
		for len(op) > 1 && (op[len(op)-1] == '+' || op[len(op)-1] == '-') {
			op = op[:len(op)-1]
		}
	}
	l.pos = start + len(op)
	if op == "!=" {
		op = "<>"
	}
	if len(op) == 1 && strings.IndexByte("+-*/%^<>=", op[0]) >= 0 {
		return Token{Kind: Op, Val: op, Pos: start, End: l.pos}, nil
	}
	return Token{Kind: Op, Val: op, Pos: start, End: l.pos}, nil
}
