package exec

import (
	"strings"
	"unicode/utf8"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
)

// Like is x [NOT] LIKE/ILIKE pattern: % matches any sequence of characters, _ one
// character, and Escape makes the next character literal.
type Like struct {
	X, Pattern      Expr
	Not             bool
	CaseInsensitive bool
	Escape          rune
}

// Type implements Expr.
func (e *Like) Type() types.T { return types.Bool }

// Eval implements Expr.
func (e *Like) Eval(c *Ctx) (types.Datum, error) {
	x, err := e.X.Eval(c)
	if err != nil || x == nil {
		return nil, err
	}
	p, err := e.Pattern.Eval(c)
	if err != nil || p == nil {
		return nil, err
	}
	s, pat := x.(string), p.(string)
	if e.CaseInsensitive {
		s, pat = strings.ToLower(s), strings.ToLower(pat)
	}
	ok, err := likeMatch(s, pat, e.Escape)
	if err != nil {
		return nil, err
	}
	return ok != e.Not, nil
}

// likeMatch matches s against a LIKE pattern (backtracking on %, linear in
// practice for the patterns people write).
func likeMatch(s, p string, esc rune) (bool, error) {
	for len(p) > 0 {
		r, n := utf8.DecodeRuneInString(p)
		switch {
		case r == esc:
			if len(p) == n {
				return false, pgerr.New(pgerrcode.InvalidEscapeSequence, "LIKE pattern must not end with escape character")
			}
			p = p[n:]
			r, n = utf8.DecodeRuneInString(p)
			sr, sn := utf8.DecodeRuneInString(s)
			if len(s) == 0 || sr != r {
				return false, nil
			}
			s, p = s[sn:], p[n:]
		case r == '%':
			for len(p) > 0 && p[0] == '%' {
				p = p[1:]
			}
			if len(p) == 0 {
				return true, nil
			}
			for i := 0; i <= len(s); {
				ok, err := likeMatch(s[i:], p, esc)
				if err != nil || ok {
					return ok, err
				}
				if i == len(s) {
					break
				}
				_, sn := utf8.DecodeRuneInString(s[i:])
				i += sn
			}
			return false, nil
		case r == '_':
			if len(s) == 0 {
				return false, nil
			}
			_, sn := utf8.DecodeRuneInString(s)
			s, p = s[sn:], p[n:]
		default:
			sr, sn := utf8.DecodeRuneInString(s)
			if len(s) == 0 || sr != r {
				return false, nil
			}
			s, p = s[sn:], p[n:]
		}
	}
	return len(s) == 0, nil
}
