package pgdialect

import "strings"

// LOCK [ TABLE ] [ ONLY ] name [ * ] [, ...] [ IN lockmode MODE ] [ NOWAIT ]
// (PostgreSQL 15). The TiDB grammar reads MySQL's LOCK TABLES, so the
// statement is parsed here.

// LockModes are the table lock modes LOCK accepts, weakest first, as written in
// the statement (upper case, words separated by one space).
var LockModes = []string{
	"ACCESS SHARE", "ROW SHARE", "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE",
	"SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE",
}

// LockStmt is a LOCK statement.
type LockStmt struct {
	Tables []QualName
	// Mode is one of LockModes; ACCESS EXCLUSIVE when IN … MODE is not given.
	Mode   string
	NoWait bool
}

// lockModeWords are the modes as word sequences, longest first where one is a
// prefix of another (SHARE UPDATE EXCLUSIVE and SHARE ROW EXCLUSIVE before
// SHARE).
var lockModeWords = [][]string{
	{"access", "share"}, {"access", "exclusive"}, {"row", "share"}, {"row", "exclusive"},
	{"share", "update", "exclusive"}, {"share", "row", "exclusive"}, {"share"}, {"exclusive"},
}

// ParseLock parses a LOCK statement. ok is false when toks is not one.
func ParseLock(src string, toks []Token) (*LockStmt, bool, error) {
	if len(toks) == 0 || !toks[0].Is("lock") {
		return nil, false, nil
	}
	u := &utilParser{src: src, toks: toks, i: 1}
	st, err := u.lock()
	if err != nil {
		return nil, true, err
	}
	return st, true, nil
}

func (u *utilParser) lock() (*LockStmt, error) {
	st := &LockStmt{Mode: "ACCESS EXCLUSIVE"}
	u.accept("table")
	for {
		// relation_expr: name, name *, ONLY name, ONLY ( name ). Augur has no
		// table inheritance, so ONLY and * change nothing.
		var q QualName
		var err error
		switch {
		case u.accept("only"):
			if u.peek().IsPunct("(") {
				u.i++
				if q, err = u.qualName(); err != nil {
					return nil, err
				}
				if !u.peek().IsPunct(")") {
					return nil, u.fail()
				}
				u.i++
			} else if q, err = u.qualName(); err != nil {
				return nil, err
			}
		default:
			if q, err = u.qualName(); err != nil {
				return nil, err
			}
			if u.peek().IsOp("*") {
				u.i++
			}
		}
		st.Tables = append(st.Tables, q)
		if !u.peek().IsPunct(",") {
			break
		}
		u.i++
	}
	if u.accept("in") {
		found := false
		for _, words := range lockModeWords {
			if u.accept(words...) {
				st.Mode = modeName(words)
				found = true
				break
			}
		}
		if !found || !u.accept("mode") {
			return nil, u.fail()
		}
	}
	st.NoWait = u.accept("nowait")
	return st, u.done()
}

func modeName(words []string) string { return strings.ToUpper(strings.Join(words, " ")) }
