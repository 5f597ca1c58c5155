package types

import (
	"sort"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/jackc/pgerrcode"
)

// JSON kinds of a parsed value.
const (
	jsonNull byte = iota
	jsonFalse
	jsonTrue
	jsonNumber
	jsonString
	jsonArray
	jsonObject
)

// jsonValue is a parsed JSON value. start and end delimit its text in the input
// (json's -> returns that text unchanged).
type jsonValue struct {
	kind       byte
	str        string // string contents (unescaped), or the number's text
	keys       []string
	vals       []*jsonValue // object values (parallel to keys) or array elements
	start, end int
}

type jsonParser struct {
	s     []byte
	i     int
	jsonb bool // validate escapes as jsonb does (surrogates, \u0000)
}

func jsonSyntax(detail string, args ...any) error {
	return pgerr.New(pgerrcode.InvalidTextRepresentation, "invalid input syntax for type json").WithDetail(detail, args...)
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isJSONDelim(c byte) bool {
	return isJSONSpace(c) || c == '{' || c == '}' || c == '[' || c == ']' || c == ',' || c == ':' || c == '"'
}

func (p *jsonParser) skip() {
	for p.i < len(p.s) && isJSONSpace(p.s[p.i]) {
		p.i++
	}
}

// token returns the text of the token at p.i, for error messages.
func (p *jsonParser) token() string {
	if p.i >= len(p.s) {
		return ""
	}
	c := p.s[p.i]
	if c == '{' || c == '}' || c == '[' || c == ']' || c == ',' || c == ':' {
		return string(c)
	}
	if c == '"' {
		// a whole string token
		j := p.i + 1
		for j < len(p.s) && p.s[j] != '"' {
			if p.s[j] == '\\' {
				j++
			}
			j++
		}
		if j >= len(p.s) {
			j = len(p.s) - 1
		}
		return string(p.s[p.i : j+1])
	}
	j := p.i
	for j < len(p.s) && !isJSONDelim(p.s[j]) {
		j++
	}
	if j == p.i {
		_, n := utf8.DecodeRune(p.s[j:])
		j += n
	}
	return string(p.s[p.i:j])
}

// expected reports a grammar error at the current token.
func (p *jsonParser) expected(what string) error {
	if p.i >= len(p.s) {
		return jsonSyntax("The input string ended unexpectedly.")
	}
	if err := p.checkToken(); err != nil {
		return err
	}
	return jsonSyntax("Expected %s, but found \"%s\".", what, p.token())
}

// checkToken reports an invalid token (bad literal or number) at p.i, or a string
// lexing error, before a grammar error is reported for it.
func (p *jsonParser) checkToken() error {
	c := p.s[p.i]
	switch {
	case c == '"':
		save := p.i
		_, err := p.lexString()
		p.i = save
		return err
	case c == '{' || c == '}' || c == '[' || c == ']' || c == ',' || c == ':':
		return nil
	}
	tok := p.token()
	switch tok {
	case "true", "false", "null":
		return nil
	}
	if jsonNumberSyntax(tok) {
		return nil
	}
	return jsonSyntax("Token \"%s\" is invalid.", tok)
}

func jsonNumberSyntax(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	if i >= len(s) {
		return false
	}
	if s[i] == '0' {
		i++
	} else if s[i] >= '1' && s[i] <= '9' {
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	} else {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		n := 0
		for i < len(s) && isDigit(s[i]) {
			i++
			n++
		}
		if n == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		n := 0
		for i < len(s) && isDigit(s[i]) {
			i++
			n++
		}
		if n == 0 {
			return false
		}
	}
	return i == len(s)
}

// lexString reads a string token at p.i (on its opening quote).
func (p *jsonParser) lexString() (string, error) {
	p.i++
	var out []byte
	hiSurrogate := rune(-1)
	for {
		if p.i >= len(p.s) {
			return "", jsonSyntax("The input string ended unexpectedly.")
		}
		c := p.s[p.i]
		if c == '"' {
			p.i++
			break
		}
		if c < 0x20 {
			return "", jsonSyntax("Character with value 0x%02x must be escaped.", c)
		}
		if c != '\\' {
			if hiSurrogate >= 0 && p.jsonb {
				return "", jsonSyntax("Unicode low surrogate must follow a high surrogate.")
			}
			out = append(out, c)
			p.i++
			continue
		}
		p.i++
		if p.i >= len(p.s) {
			return "", jsonSyntax("The input string ended unexpectedly.")
		}
		e := p.s[p.i]
		if e == 'u' {
			var r rune
			for k := 1; k <= 4; k++ {
				if p.i+k >= len(p.s) {
					return "", jsonSyntax("\"\\u\" must be followed by four hexadecimal digits.")
				}
				v, ok := hexVal(p.s[p.i+k])
				if !ok {
					return "", jsonSyntax("\"\\u\" must be followed by four hexadecimal digits.")
				}
				r = r<<4 | rune(v)
			}
			p.i += 5
			switch {
			case utf16.IsSurrogate(r) && r < 0xdc00:
				if hiSurrogate >= 0 && p.jsonb {
					return "", jsonSyntax("Unicode high surrogate must not follow a high surrogate.")
				}
				hiSurrogate = r
				continue
			case utf16.IsSurrogate(r):
				if hiSurrogate < 0 {
					if p.jsonb {
						return "", jsonSyntax("Unicode low surrogate must follow a high surrogate.")
					}
					out = utf8.AppendRune(out, utf8.RuneError)
					continue
				}
				r = utf16.DecodeRune(hiSurrogate, r)
				hiSurrogate = -1
			default:
				if hiSurrogate >= 0 && p.jsonb {
					return "", jsonSyntax("Unicode low surrogate must follow a high surrogate.")
				}
				hiSurrogate = -1
			}
			if r == 0 && p.jsonb {
				return "", pgerr.New(pgerrcode.UntranslatableCharacter, "unsupported Unicode escape sequence").
					WithDetail("\\u0000 cannot be converted to text.")
			}
			out = utf8.AppendRune(out, r)
			continue
		}
		if hiSurrogate >= 0 && p.jsonb {
			return "", jsonSyntax("Unicode low surrogate must follow a high surrogate.")
		}
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		default:
			_, n := utf8.DecodeRune(p.s[p.i:])
			return "", jsonSyntax("Escape sequence \"\\%s\" is invalid.", string(p.s[p.i:p.i+max(n, 1)]))
		}
		p.i++
	}
	if hiSurrogate >= 0 && p.jsonb {
		return "", jsonSyntax("Unicode low surrogate must follow a high surrogate.")
	}
	return string(out), nil
}

func (p *jsonParser) value() (*jsonValue, error) {
	p.skip()
	if p.i >= len(p.s) {
		return nil, jsonSyntax("The input string ended unexpectedly.")
	}
	start := p.i
	switch c := p.s[p.i]; c {
	case '{':
		p.i++
		v := &jsonValue{kind: jsonObject, start: start}
		p.skip()
		if p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
			v.end = p.i
			return v, nil
		}
		for {
			p.skip()
			if p.i >= len(p.s) || p.s[p.i] != '"' {
				if len(v.keys) == 0 {
					return nil, p.expected("string or \"}\"")
				}
				return nil, p.expected("string")
			}
			k, err := p.lexString()
			if err != nil {
				return nil, err
			}
			p.skip()
			if p.i >= len(p.s) || p.s[p.i] != ':' {
				return nil, p.expected("\":\"")
			}
			p.i++
			e, err := p.value()
			if err != nil {
				return nil, err
			}
			v.keys = append(v.keys, k)
			v.vals = append(v.vals, e)
			p.skip()
			if p.i < len(p.s) && p.s[p.i] == ',' {
				p.i++
				continue
			}
			if p.i < len(p.s) && p.s[p.i] == '}' {
				p.i++
				v.end = p.i
				return v, nil
			}
			return nil, p.expected("\",\" or \"}\"")
		}
	case '[':
		p.i++
		v := &jsonValue{kind: jsonArray, start: start}
		p.skip()
		if p.i < len(p.s) && p.s[p.i] == ']' {
			p.i++
			v.end = p.i
			return v, nil
		}
		for {
			p.skip()
			if p.i < len(p.s) && (p.s[p.i] == ']' || p.s[p.i] == ',' || p.s[p.i] == '}' || p.s[p.i] == ':') {
				if len(v.vals) == 0 {
					return nil, p.expected("array element or \"]\"")
				}
				return nil, p.expected("JSON value")
			}
			e, err := p.value()
			if err != nil {
				return nil, err
			}
			v.vals = append(v.vals, e)
			p.skip()
			if p.i < len(p.s) && p.s[p.i] == ',' {
				p.i++
				continue
			}
			if p.i < len(p.s) && p.s[p.i] == ']' {
				p.i++
				v.end = p.i
				return v, nil
			}
			return nil, p.expected("\",\" or \"]\"")
		}
	case '"':
		s, err := p.lexString()
		if err != nil {
			return nil, err
		}
		return &jsonValue{kind: jsonString, str: s, start: start, end: p.i}, nil
	case '}', ']', ',', ':':
		return nil, p.expected("JSON value")
	}
	tok := p.token()
	p.i += len(tok)
	v := &jsonValue{start: start, end: p.i}
	switch {
	case tok == "true":
		v.kind = jsonTrue
	case tok == "false":
		v.kind = jsonFalse
	case tok == "null":
		v.kind = jsonNull
	case jsonNumberSyntax(tok):
		v.kind, v.str = jsonNumber, tok
	default:
		return nil, jsonSyntax("Token \"%s\" is invalid.", tok)
	}
	return v, nil
}

func parseJSON(s []byte, jsonb bool) (*jsonValue, error) {
	if err := checkText(s); err != nil {
		return nil, err
	}
	p := &jsonParser{s: s, jsonb: jsonb}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.skip()
	if p.i < len(p.s) {
		if err := p.checkToken(); err != nil {
			return nil, err
		}
		return nil, jsonSyntax("Expected end of input, but found \"%s\".", p.token())
	}
	return v, nil
}

// ParseJSON validates json input; the datum is the text as given.
func ParseJSON(s []byte) (string, error) {
	if _, err := parseJSON(s, false); err != nil {
		return "", err
	}
	return string(s), nil
}

// ParseJSONB parses jsonb input into its normalized text: object keys sorted
// (shorter first, then bytewise), duplicate keys dropped but the last, numbers in
// numeric's output form, and the spacing of jsonb's output ({"a": 1, "b": [1, 2]}).
func ParseJSONB(s []byte) (string, error) {
	v, err := parseJSON(s, true)
	if err != nil {
		return "", err
	}
	if err := normalizeJSONB(v); err != nil {
		return "", err
	}
	return string(appendJSONB(nil, v)), nil
}

func jsonbKeyLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

func normalizeJSONB(v *jsonValue) error {
	switch v.kind {
	case jsonNumber:
		d, err := ParseNumeric(v.str)
		if err != nil {
			return err
		}
		v.str = FormatNumeric(d)
	case jsonArray:
		for _, e := range v.vals {
			if err := normalizeJSONB(e); err != nil {
				return err
			}
		}
	case jsonObject:
		idx := make([]int, len(v.keys))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool { return jsonbKeyLess(v.keys[idx[a]], v.keys[idx[b]]) })
		keys := make([]string, 0, len(idx))
		vals := make([]*jsonValue, 0, len(idx))
		for n, i := range idx {
			if n+1 < len(idx) && v.keys[idx[n+1]] == v.keys[i] {
				continue // a later duplicate wins
			}
			if err := normalizeJSONB(v.vals[i]); err != nil {
				return err
			}
			keys = append(keys, v.keys[i])
			vals = append(vals, v.vals[i])
		}
		v.keys, v.vals = keys, vals
	}
	return nil
}

// appendJSONString appends s as a JSON string literal, escaped as PostgreSQL's
// escape_json does.
func appendJSONString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\b':
			buf = append(buf, `\b`...)
		case '\f':
			buf = append(buf, `\f`...)
		case '\n':
			buf = append(buf, `\n`...)
		case '\r':
			buf = append(buf, `\r`...)
		case '\t':
			buf = append(buf, `\t`...)
		case '"':
			buf = append(buf, `\"`...)
		case '\\':
			buf = append(buf, `\\`...)
		default:
			if c < ' ' {
				buf = append(buf, `\u00`...)
				buf = append(buf, hexDigits[c>>4], hexDigits[c&15])
			} else {
				buf = append(buf, c)
			}
		}
	}
	return append(buf, '"')
}

func appendJSONB(buf []byte, v *jsonValue) []byte {
	switch v.kind {
	case jsonNull:
		return append(buf, "null"...)
	case jsonTrue:
		return append(buf, "true"...)
	case jsonFalse:
		return append(buf, "false"...)
	case jsonNumber:
		return append(buf, v.str...)
	case jsonString:
		return appendJSONString(buf, v.str)
	case jsonArray:
		buf = append(buf, '[')
		for i, e := range v.vals {
			if i > 0 {
				buf = append(buf, ", "...)
			}
			buf = appendJSONB(buf, e)
		}
		return append(buf, ']')
	}
	buf = append(buf, '{')
	for i, k := range v.keys {
		if i > 0 {
			buf = append(buf, ", "...)
		}
		buf = appendJSONString(buf, k)
		buf = append(buf, ": "...)
		buf = appendJSONB(buf, v.vals[i])
	}
	return append(buf, '}')
}

// JSONField is the -> and ->> operators of json (jsonb false) and jsonb: the
// member key of an object (when index is nil) or element *index of an array
// (negative counts from the end). doc is a valid json or normalized jsonb text. It
// returns the element's json/jsonb text for ->, or for ->> (asText) a string's
// contents and other values' text; ok is false when there is no such element or,
// for ->>, the element is a JSON null.
func JSONField(doc string, jsonb bool, key string, index *int64, asText bool) (string, bool) {
	v, err := parseJSON([]byte(doc), false)
	if err != nil {
		return "", false
	}
	var e *jsonValue
	if index == nil {
		if v.kind != jsonObject {
			return "", false
		}
		for i := len(v.keys) - 1; i >= 0; i-- {
			if v.keys[i] == key {
				e = v.vals[i]
				break
			}
		}
	} else {
		if v.kind != jsonArray {
			return "", false
		}
		n := *index
		if n < 0 {
			n += int64(len(v.vals))
		}
		if n >= 0 && n < int64(len(v.vals)) {
			e = v.vals[n]
		}
	}
	if e == nil {
		return "", false
	}
	if asText {
		switch e.kind {
		case jsonNull:
			return "", false
		case jsonString:
			return e.str, true
		}
	}
	return doc[e.start:e.end], true
}

// JSONToJSONB converts json text to jsonb's normalized text.
func JSONToJSONB(s string) (string, error) { return ParseJSONB([]byte(s)) }

// jsonbBinaryVersion is the version byte of jsonb's binary format.
const jsonbBinaryVersion = 1

func jsonbRecv(b []byte) (string, error) {
	if len(b) == 0 {
		return "", shortBinary()
	}
	if b[0] != jsonbBinaryVersion {
		return "", pgerr.New(pgerrcode.InternalError, "unsupported jsonb version number %d", b[0])
	}
	return ParseJSONB(b[1:])
}

func jsonbSend(s string) []byte {
	return append([]byte{jsonbBinaryVersion}, s...)
}

// QuoteJSONString returns s as a JSON string literal, escaped as PostgreSQL does.
func QuoteJSONString(s string) string { return string(appendJSONString(nil, s)) }

// JSONTypeof is json_typeof and jsonb_typeof: the type of the outermost value.
func JSONTypeof(doc string) string {
	v, err := parseJSON([]byte(doc), false)
	if err != nil {
		return ""
	}
	return [...]string{jsonNull: "null", jsonFalse: "boolean", jsonTrue: "boolean", jsonNumber: "number",
		jsonString: "string", jsonArray: "array", jsonObject: "object"}[v.kind]
}
