package pgdialect

import "strings"

// COPY (PostgreSQL 15):
//
//	COPY table [ ( column [, ...] ) ] FROM { 'file' | PROGRAM 'cmd' | STDIN } [ [ WITH ] ( option [, ...] ) ] [ WHERE cond ]
//	COPY { table [ ( column [, ...] ) ] | ( query ) } TO { 'file' | PROGRAM 'cmd' | STDOUT } [ [ WITH ] ( option [, ...] ) ]
//
// and the options of before 9.0 that psql and old clients still send
// (BINARY, DELIMITER [AS] 'c', NULL [AS] 's', CSV, HEADER, QUOTE [AS] 'q',
// ESCAPE [AS] 'e', FORCE QUOTE cols|*, FORCE NOT NULL cols, FREEZE).
// The options are checked by the planner.

// CopyStmt is a COPY statement.
type CopyStmt struct {
	Table   QualName // empty Name for COPY (query) TO
	Columns []string
	Query   string // the query of COPY (query) TO
	From    bool
	// File is the server file name; empty for STDIN and STDOUT. Program is set
	// for PROGRAM 'cmd' (File holds the command).
	File    string
	Program bool
	Options []CopyOption
	Where   string
}

// CopyOption is one option as written: Value is its argument (empty if none),
// List the column list of FORCE_QUOTE/FORCE_NOT_NULL/FORCE_NULL, Star FORCE_QUOTE *.
type CopyOption struct {
	Name     string // lower case, FORCE_QUOTE style
	Value    string
	HasValue bool
	List     []string
	Star     bool
	Pos      int32 // character position, for errors
}

// ParseCopy parses a COPY statement. ok is false when toks is not one.
func ParseCopy(src string, toks []Token) (*CopyStmt, bool, error) {
	if len(toks) == 0 || !toks[0].Is("copy") {
		return nil, false, nil
	}
	u := &utilParser{src: src, toks: toks, i: 1}
	st, err := u.copyStmt()
	if err != nil {
		return nil, true, err
	}
	return st, true, nil
}

func (u *utilParser) copyStmt() (*CopyStmt, error) {
	st := &CopyStmt{}
	if u.accept("binary") { // COPY BINARY t ... (before 7.3)
		st.Options = append(st.Options, CopyOption{Name: "format", Value: "binary", HasValue: true})
	}
	if u.peek().IsPunct("(") {
		q, err := u.parenText()
		if err != nil {
			return nil, err
		}
		st.Query = q
	} else {
		q, err := u.qualName()
		if err != nil {
			return nil, err
		}
		st.Table = q
		if u.peek().IsPunct("(") {
			u.i++
			cols, err := u.separatedNames(",")
			if err != nil {
				return nil, err
			}
			if !u.peek().IsPunct(")") {
				return nil, u.fail()
			}
			u.i++
			st.Columns = cols
		}
	}
	switch {
	case u.accept("from"):
		st.From = true
	case u.accept("to"):
	default:
		return nil, u.fail()
	}
	if st.From && st.Query != "" {
		u.i--
		return nil, u.fail()
	}
	st.Program = u.accept("program")
	switch t := u.peek(); {
	case t.Kind == String:
		st.File = t.Val
		u.i++
	case !st.Program && st.From && t.Is("stdin"), !st.Program && !st.From && t.Is("stdout"):
		u.i++
	default:
		return nil, u.fail()
	}
	if err := u.copyOptions(st); err != nil {
		return nil, err
	}
	if st.From && u.accept("where") {
		st.Where = u.until(func(Token) bool { return false })
	}
	return st, u.done()
}

func (u *utilParser) copyOptions(st *CopyStmt) error {
	u.accept("with")
	if u.peek().IsPunct("(") {
		u.i++
		for {
			t := u.peek()
			if t.Kind != Ident && t.Kind != QIdent && t.Kind != String {
				return u.fail()
			}
			u.i++
			o := CopyOption{Name: strings.ToLower(t.Val), Pos: u.charPos(t)}
			switch v := u.peek(); {
			case v.IsPunct("("):
				u.i++
				cols, err := u.separatedNames(",")
				if err != nil {
					return err
				}
				if !u.peek().IsPunct(")") {
					return u.fail()
				}
				u.i++
				o.List = cols
			case v.IsOp("*"):
				u.i++
				o.Star = true
			case v.Kind == Ident || v.Kind == String || v.Kind == Integer || v.Kind == Decimal || v.Kind == QIdent:
				u.i++
				o.Value, o.HasValue = v.Val, true
			case v.IsOp("+") || v.IsOp("-"):
				u.i++
				n := u.peek()
				if n.Kind != Integer && n.Kind != Decimal {
					return u.fail()
				}
				u.i++
				o.Value, o.HasValue = v.Val+n.Val, true
			}
			st.Options = append(st.Options, o)
			switch t := u.next(); {
			case t.IsPunct(","):
			case t.IsPunct(")"):
				return nil
			default:
				u.i--
				return u.fail()
			}
		}
	}
	// The old option list.
	for {
		t := u.peek()
		pos := u.charPos(t)
		str := func(name string) error {
			u.accept("as")
			v := u.peek()
			if v.Kind != String {
				return u.fail()
			}
			u.i++
			st.Options = append(st.Options, CopyOption{Name: name, Value: v.Val, HasValue: true, Pos: pos})
			return nil
		}
		var err error
		switch {
		case u.accept("binary"):
			st.Options = append(st.Options, CopyOption{Name: "format", Value: "binary", HasValue: true, Pos: pos})
		case u.accept("csv"):
			st.Options = append(st.Options, CopyOption{Name: "format", Value: "csv", HasValue: true, Pos: pos})
		case u.accept("header"):
			st.Options = append(st.Options, CopyOption{Name: "header", Pos: pos})
		case u.accept("freeze"):
			st.Options = append(st.Options, CopyOption{Name: "freeze", Pos: pos})
		case u.accept("delimiter"):
			err = str("delimiter")
		case u.accept("null"):
			err = str("null")
		case u.accept("quote"):
			err = str("quote")
		case u.accept("escape"):
			err = str("escape")
		case u.accept("encoding"):
			err = str("encoding")
		case u.accept("force", "quote"):
			o := CopyOption{Name: "force_quote", Pos: pos}
			if u.peek().IsOp("*") {
				u.i++
				o.Star = true
			} else if o.List, err = u.separatedNames(","); err != nil {
				return err
			}
			st.Options = append(st.Options, o)
		case u.accept("force", "not", "null"):
			o := CopyOption{Name: "force_not_null", Pos: pos}
			if o.List, err = u.separatedNames(","); err != nil {
				return err
			}
			st.Options = append(st.Options, o)
		case u.accept("force", "null"):
			o := CopyOption{Name: "force_null", Pos: pos}
			if o.List, err = u.separatedNames(","); err != nil {
				return err
			}
			st.Options = append(st.Options, o)
		default:
			return nil
		}
		if err != nil {
			return err
		}
	}
}
