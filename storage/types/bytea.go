package types

import (
	"crypto/rand"
	"unicode/utf8"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/jackc/pgerrcode"
)

const hexDigits = "0123456789abcdef"

// AppendBytea appends PostgreSQL's hex output of a bytea (bytea_output = hex):
// \x followed by two lower-case hex digits a byte.
func AppendBytea(buf []byte, b []byte) []byte {
	buf = append(buf, '\\', 'x')
	for _, c := range b {
		buf = append(buf, hexDigits[c>>4], hexDigits[c&15])
	}
	return buf
}

func hexVal(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func badHexDigit(s []byte) error {
	_, n := utf8.DecodeRune(s)
	if n < 1 {
		n = 1
	}
	return pgerr.New(pgerrcode.InvalidParameterValue, "invalid hexadecimal digit: \"%s\"", string(s[:n]))
}

// ParseBytea parses bytea input in the hex format (\x0aff, whitespace allowed
// between byte pairs) or the escape format (\\ for a backslash, \ooo for an octal
// byte).
func ParseBytea(s []byte) ([]byte, error) {
	if len(s) >= 2 && s[0] == '\\' && s[1] == 'x' {
		out := make([]byte, 0, (len(s)-2)/2)
		for i := 2; i < len(s); {
			c := s[i]
			if c == ' ' || c == '\n' || c == '\t' || c == '\r' {
				i++
				continue
			}
			hi, ok := hexVal(c)
			if !ok {
				return nil, badHexDigit(s[i:])
			}
			i++
			if i >= len(s) {
				return nil, pgerr.New(pgerrcode.InvalidParameterValue, "invalid hexadecimal data: odd number of digits")
			}
			lo, ok := hexVal(s[i])
			if !ok {
				return nil, badHexDigit(s[i:])
			}
			i++
			out = append(out, hi<<4|lo)
		}
		return out, nil
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			i++
			continue
		}
		switch {
		case i+3 < len(s) && s[i+1] >= '0' && s[i+1] <= '3' && s[i+2] >= '0' && s[i+2] <= '7' && s[i+3] >= '0' && s[i+3] <= '7':
			out = append(out, (s[i+1]-'0')<<6|(s[i+2]-'0')<<3|(s[i+3]-'0'))
			i += 4
		case i+1 < len(s) && s[i+1] == '\\':
			out = append(out, '\\')
			i += 2
		default:
			return nil, pgerr.New(pgerrcode.InvalidTextRepresentation, "invalid input syntax for type bytea")
		}
	}
	return out, nil
}

// UUID is a uuid datum: its 16 bytes, in the order they are written.
type UUID [16]byte

// AppendUUID appends the canonical form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.
func AppendUUID(buf []byte, u UUID) []byte {
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			buf = append(buf, '-')
		}
		buf = append(buf, hexDigits[c>>4], hexDigits[c&15])
	}
	return buf
}

// ParseUUID accepts what PostgreSQL's uuid_in does: 32 hex digits, optionally
// in braces, with a hyphen allowed after any group of four digits.
func ParseUUID(s []byte) (UUID, error) {
	var u UUID
	bad := func() (UUID, error) {
		return UUID{}, pgerr.New(pgerrcode.InvalidTextRepresentation, "invalid input syntax for type uuid: \"%s\"", string(s))
	}
	i := 0
	braces := len(s) > 0 && s[0] == '{'
	if braces {
		i++
	}
	for k := 0; k < 16; k++ {
		if i+1 >= len(s) {
			return bad()
		}
		hi, ok1 := hexVal(s[i])
		lo, ok2 := hexVal(s[i+1])
		if !ok1 || !ok2 {
			return bad()
		}
		u[k] = hi<<4 | lo
		i += 2
		if i < len(s) && s[i] == '-' && k%2 == 1 && k < 15 {
			i++
		}
	}
	if braces {
		if i >= len(s) || s[i] != '}' {
			return bad()
		}
		i++
	}
	if i != len(s) {
		return bad()
	}
	return u, nil
}

// NewRandomUUID returns a version 4 (random) UUID, as gen_random_uuid.
func NewRandomUUID() UUID {
	var u UUID
	_, _ = rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}
