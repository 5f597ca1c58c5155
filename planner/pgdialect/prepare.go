package pgdialect

import "strings"

// PrepareKind is the kind of a statement parsed by ParsePrepare.
type PrepareKind int

// SQL-level prepared statement kinds.
const (
	Prepare PrepareKind = iota + 1
	Execute
	Deallocate
	Discard
)

// PrepareStmt is PREPARE, EXECUTE, DEALLOCATE or DISCARD.
type PrepareStmt struct {
	Kind PrepareKind
	// Name is the prepared statement's name; "" with All for DEALLOCATE ALL.
	Name string
	All  bool
	// PREPARE: the declared parameter types (source text) and the statement,
	// which starts at token index Body of the statement's tokens.
	Types   []string
	TypePos []int // byte offsets of Types in the source
	Body    int
	// EXECUTE: the source text of the arguments ("" for none), and how many.
	Args    string
	ArgsPos int // byte offset of Args in the source
	NArgs   int
	// DISCARD: "all", "plans", "sequences" or "temp".
	What string
}

// ParsePrepare parses PREPARE, EXECUTE, DEALLOCATE and DISCARD. ok is false when
// toks is not one of them.
func ParsePrepare(src string, toks []Token) (*PrepareStmt, bool, error) {
	if len(toks) == 0 {
		return nil, false, nil
	}
	u := &utilParser{src: src, toks: toks, i: 1}
	var st *PrepareStmt
	var err error
	switch {
	case toks[0].Is("prepare"):
		if len(toks) > 1 && toks[1].Is("transaction") {
			return nil, true, unsupported("PREPARE TRANSACTION")
		}
		st, err = u.prepare()
	case toks[0].Is("execute"):
		st, err = u.execute()
	case toks[0].Is("deallocate"):
		st = &PrepareStmt{Kind: Deallocate}
		u.accept("prepare")
		if u.accept("all") {
			st.All = true
		} else {
			st.Name, err = u.name()
		}
		if err == nil {
			err = u.done()
		}
	case toks[0].Is("discard"):
		st = &PrepareStmt{Kind: Discard}
		switch {
		case u.accept("all"):
			st.What = "all"
		case u.accept("plans"):
			st.What = "plans"
		case u.accept("sequences"):
			st.What = "sequences"
		case u.accept("temp"), u.accept("temporary"):
			st.What = "temp"
		default:
			return nil, true, u.fail()
		}
		err = u.done()
	default:
		return nil, false, nil
	}
	if err != nil {
		return nil, true, err
	}
	return st, true, nil
}

func (u *utilParser) prepare() (*PrepareStmt, error) {
	name, err := u.name()
	if err != nil {
		return nil, err
	}
	st := &PrepareStmt{Kind: Prepare, Name: name}
	if u.peek().IsPunct("(") {
		u.next()
		for {
			pos := u.peek().Pos
			text := strings.TrimSpace(u.until(func(t Token) bool { return t.IsPunct(",") || t.IsPunct(")") }))
			if text == "" {
				return nil, u.fail()
			}
			st.Types = append(st.Types, text)
			st.TypePos = append(st.TypePos, pos)
			t := u.next()
			if t.IsPunct(")") {
				break
			}
			if !t.IsPunct(",") {
				u.i--
				return nil, u.fail()
			}
		}
	}
	if !u.accept("as") {
		return nil, u.fail()
	}
	if u.peek().Kind == EOF {
		return nil, u.fail()
	}
	st.Body = u.i
	return st, nil
}

func (u *utilParser) execute() (*PrepareStmt, error) {
	name, err := u.name()
	if err != nil {
		return nil, err
	}
	st := &PrepareStmt{Kind: Execute, Name: name}
	if u.peek().IsPunct("(") {
		u.next()
		start := u.peek().Pos
		st.ArgsPos = start
		for {
			if u.peek().IsPunct(")") && st.NArgs == 0 {
				return nil, u.fail()
			}
			text := strings.TrimSpace(u.until(func(t Token) bool { return t.IsPunct(",") || t.IsPunct(")") }))
			if text == "" {
				return nil, u.fail()
			}
			st.NArgs++
			t := u.next()
			if t.IsPunct(")") {
				st.Args = u.src[start:t.Pos]
				break
			}
			if !t.IsPunct(",") {
				u.i--
				return nil, u.fail()
			}
		}
	}
	return st, u.done()
}
