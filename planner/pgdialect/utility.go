package pgdialect

import (
	"strings"

	"github.com/augurdb/augur/storage/pgerr"
)

// UtilityKind is the kind of a statement parsed by ParseUtility.
type UtilityKind int

// Utility statement kinds.
const (
	UtilShow UtilityKind = iota + 1
	UtilShowAll
	UtilSet
	UtilReset
	UtilResetAll
	UtilBegin
	UtilCommit
	UtilRollback
	UtilSavepoint         // SAVEPOINT name
	UtilRelease           // RELEASE [SAVEPOINT] name
	UtilRollbackTo        // ROLLBACK [WORK | TRANSACTION] TO [SAVEPOINT] name
	UtilSetTransaction    // SET TRANSACTION modes
	UtilSetCharacteristic // SET SESSION CHARACTERISTICS AS TRANSACTION modes
)

// TxModes are the transaction modes of BEGIN / START TRANSACTION.
type TxModes struct {
	Isolation  string // "serializable", "repeatable read", "read committed", "read uncommitted" or ""
	ReadOnly   *bool
	Deferrable *bool
}

// Utility is a statement the TiDB grammar has no form for, parsed by our own small
// parsers.
type Utility struct {
	Kind UtilityKind
	// Name is the parameter of SHOW, SET and RESET, lower case, or the name of
	// a savepoint.
	Name string
	// Values of SET, one per list element, already flattened as PostgreSQL's
	// flatten_set_variable_args does; nil means DEFAULT.
	Values []string
	Local  bool // SET LOCAL
	Modes  TxModes
	Chain  bool // COMMIT/ROLLBACK AND CHAIN
	Start  bool // spelled START TRANSACTION (its command tag), not BEGIN
}

// Unsupported is returned by ParseUtility for statements PostgreSQL has and Augur
// does not implement yet; it is a 0A000 error.
func unsupported(what string) error {
	return pgerr.FeatureNotSupported("%s is not supported yet", what)
}

type utilParser struct {
	src  string
	toks []Token
	i    int
}

func (u *utilParser) peek() Token {
	if u.i < len(u.toks) {
		return u.toks[u.i]
	}
	return Token{Kind: EOF, Pos: len(u.src)}
}

func (u *utilParser) next() Token { t := u.peek(); u.i++; return t }

func (u *utilParser) accept(words ...string) bool {
	for k, w := range words {
		if u.i+k >= len(u.toks) || !u.toks[u.i+k].Is(w) {
			return false
		}
	}
	u.i += len(words)
	return true
}

// acceptOneOf consumes the next token when it is one of words and returns
// that word; it returns "", false and consumes nothing otherwise.
func (u *utilParser) acceptOneOf(words ...string) (string, bool) {
	for _, w := range words {
		if u.accept(w) {
			return w, true
		}
	}
	return "", false
}

func (u *utilParser) fail() error {
	t := u.peek()
	return syntaxAt(u.src, t.Pos, "%s", nearMsg(u.src, t))
}

func (u *utilParser) done() error {
	if u.i < len(u.toks) {
		return u.fail()
	}
	return nil
}

// ParseUtility parses the statements that bypass the TiDB grammar. ok is false
// when toks is not such a statement (it then goes to Rewrite). A statement
// PostgreSQL has but Augur does not implement yet gives a 0A000 error.
func ParseUtility(src string, toks []Token) (*Utility, bool, error) {
	if len(toks) == 0 {
		return nil, false, nil
	}
	u := &utilParser{src: src, toks: toks}
	first := u.next()
	if first.Kind != Ident {
		return nil, false, nil
	}
	var st *Utility
	var err error
	switch first.Val {
	case "show":
		st, err = u.show()
	case "set":
		st, err = u.set()
	case "reset":
		st, err = u.reset()
	case "begin":
		u.accept("work")
		u.accept("transaction")
		st, err = u.begin()
	case "start":
		if !u.accept("transaction") {
			return nil, true, u.fail()
		}
		if st, err = u.begin(); st != nil {
			st.Start = true
		}
	case "commit", "end":
		if first.Val == "commit" && u.peek().Is("prepared") {
			return nil, true, unsupported("COMMIT PREPARED")
		}
		st, err = u.finish(UtilCommit)
	case "rollback", "abort":
		if u.peek().Is("prepared") {
			return nil, true, unsupported("ROLLBACK PREPARED")
		}
		st, err = u.finish(UtilRollback)
	case "savepoint":
		st, err = u.savepoint(UtilSavepoint)
	case "release":
		u.accept("savepoint")
		st, err = u.savepoint(UtilRelease)
	case "copy", "vacuum", "listen", "unlisten", "notify",
		"comment", "checkpoint", "cluster", "reindex",
		"load", "fetch", "move", "close", "declare", "do", "call",
		"security", "refresh", "import", "reassign":
		return nil, true, unsupported(strings.ToUpper(first.Val))
	default:
		return nil, false, nil
	}
	if err != nil {
		return nil, true, err
	}
	return st, true, nil
}

// paramName reads a parameter name: an identifier, optionally dotted (a.b).
func (u *utilParser) paramName() (string, error) {
	t := u.next()
	if t.Kind != Ident && t.Kind != QIdent {
		u.i--
		return "", u.fail()
	}
	name := t.Val
	for u.peek().IsPunct(".") {
		u.next()
		t := u.next()
		if t.Kind != Ident && t.Kind != QIdent {
			u.i--
			return "", u.fail()
		}
		name += "." + t.Val
	}
	return name, nil
}

func (u *utilParser) show() (*Utility, error) {
	switch {
	case u.accept("all"):
		return &Utility{Kind: UtilShowAll}, u.done()
	case u.accept("time", "zone"):
		return &Utility{Kind: UtilShow, Name: "timezone"}, u.done()
	case u.accept("transaction", "isolation", "level"):
		return &Utility{Kind: UtilShow, Name: "transaction_isolation"}, u.done()
	case u.accept("session", "authorization"):
		return &Utility{Kind: UtilShow, Name: "session_authorization"}, u.done()
	}
	name, err := u.paramName()
	if err != nil {
		return nil, err
	}
	return &Utility{Kind: UtilShow, Name: name}, u.done()
}

func (u *utilParser) reset() (*Utility, error) {
	switch {
	case u.accept("all"):
		return &Utility{Kind: UtilResetAll}, u.done()
	case u.accept("time", "zone"):
		return &Utility{Kind: UtilReset, Name: "timezone"}, u.done()
	case u.accept("transaction", "isolation", "level"):
		return &Utility{Kind: UtilReset, Name: "transaction_isolation"}, u.done()
	case u.accept("session", "authorization"):
		return &Utility{Kind: UtilReset, Name: "session_authorization"}, u.done()
	case u.accept("role"):
		return &Utility{Kind: UtilReset, Name: "role"}, u.done()
	}
	name, err := u.paramName()
	if err != nil {
		return nil, err
	}
	return &Utility{Kind: UtilReset, Name: name}, u.done()
}

// setTo reads the one value of a SET into st and ends the statement.
func (u *utilParser) setTo(st *Utility) (*Utility, error) {
	v, err := u.value(false)
	if err != nil {
		return nil, err
	}
	st.Values = []string{v}
	return st, u.done()
}

func (u *utilParser) set() (*Utility, error) {
	st := &Utility{Kind: UtilSet}
	if u.accept("local") {
		st.Local = true
	} else if u.accept("session") && u.accept("characteristics", "as", "transaction") {
		return u.modes(UtilSetCharacteristic, true)
	}
	switch {
	case u.accept("transaction"):
		if u.peek().Is("snapshot") {
			return nil, unsupported("SET TRANSACTION SNAPSHOT")
		}
		return u.modes(UtilSetTransaction, true)
	case u.accept("time", "zone"):
		st.Name = "timezone"
		switch t := u.peek(); {
		case t.Is("local") || t.Is("default"):
			u.next()
			return st, u.done()
		case t.Is("interval"):
			return nil, unsupported("SET TIME ZONE INTERVAL")
		}
		return u.setTo(st)
	case u.accept("schema"):
		st.Name = "search_path"
		v, err := u.value(false)
		if err != nil {
			return nil, err
		}
		st.Values = []string{QuoteIdent(v)}
		return st, u.done()
	case u.accept("names"):
		st.Name = "client_encoding"
		if u.accept("default") {
			return st, u.done()
		}
		return u.setTo(st)
	case u.i+1 < len(u.toks) && (u.toks[u.i+1].IsOp("=") || u.toks[u.i+1].Is("to")):
		// SET role = ..., SET role TO ...: the generic form below.
	case u.accept("role"), u.accept("authorization"), u.accept("session", "authorization"):
		// SET ROLE and SET SESSION AUTHORIZATION set the parameters role and
		// session_authorization; the session checks the role (role.go).
		st.Name = "role"
		if !u.toks[u.i-1].Is("role") {
			st.Name = "session_authorization"
			if u.accept("default") {
				return st, u.done()
			}
		}
		return u.setTo(st)
	case u.peek().Is("transaction") || u.peek().Is("characteristics") || u.peek().Is("constraints"):
		return nil, unsupported("SET " + strings.ToUpper(u.peek().Val))
	}
	name, err := u.paramName()
	if err != nil {
		return nil, err
	}
	st.Name = name
	if !u.accept("to") {
		if !u.peek().IsOp("=") {
			return nil, u.fail()
		}
		u.next()
	}
	if u.accept("default") {
		return st, u.done()
	}
	quote := name == "search_path"
	for {
		v, err := u.value(quote)
		if err != nil {
			return nil, err
		}
		st.Values = append(st.Values, v)
		if !u.peek().IsPunct(",") {
			break
		}
		u.next()
	}
	return st, u.done()
}

// value reads one SET value: a string, a signed number, or a word (keywords such as
// ON included). quote re-quotes identifiers for list parameters such as
// search_path (GUC_LIST_QUOTE).
func (u *utilParser) value(quote bool) (string, error) {
	t := u.next()
	switch t.Kind {
	case String:
		if err := checkUTF8(u.src, t); err != nil {
			return "", err
		}
		if quote {
			return QuoteIdent(t.Val), nil
		}
		return t.Val, nil
	case Integer, Decimal:
		return t.Val, nil
	case Op:
		if t.Val == "-" || t.Val == "+" {
			n := u.next()
			if n.Kind == Integer || n.Kind == Decimal {
				if t.Val == "-" {
					return "-" + n.Val, nil
				}
				return n.Val, nil
			}
			u.i--
		}
	case Ident, QIdent:
		if quote {
			return QuoteIdent(t.Val), nil
		}
		return t.Val, nil
	}
	u.i--
	return "", u.fail()
}

// savepoint reads the savepoint name of SAVEPOINT, RELEASE and ROLLBACK TO.
func (u *utilParser) savepoint(k UtilityKind) (*Utility, error) {
	t := u.next()
	if t.Kind != Ident && t.Kind != QIdent {
		u.i--
		return nil, u.fail()
	}
	return &Utility{Kind: k, Name: t.Val}, u.done()
}

func (u *utilParser) begin() (*Utility, error) {
	return u.modes(UtilBegin, false)
}

// modes reads a list of transaction modes (BEGIN, SET TRANSACTION); the SET
// forms need at least one.
func (u *utilParser) modes(k UtilityKind, needOne bool) (*Utility, error) {
	st := &Utility{Kind: k}
	if needOne && u.i >= len(u.toks) {
		return nil, u.fail()
	}
	for u.i < len(u.toks) {
		switch {
		case u.accept("isolation", "level"):
			switch {
			case u.accept("serializable"):
				st.Modes.Isolation = "serializable"
			case u.accept("repeatable", "read"):
				st.Modes.Isolation = "repeatable read"
			case u.accept("read", "committed"):
				st.Modes.Isolation = "read committed"
			case u.accept("read", "uncommitted"):
				st.Modes.Isolation = "read uncommitted"
			default:
				return nil, u.fail()
			}
		case u.accept("read", "only"):
			st.Modes.ReadOnly = ptr(true)
		case u.accept("read", "write"):
			st.Modes.ReadOnly = ptr(false)
		case u.accept("deferrable"):
			st.Modes.Deferrable = ptr(true)
		case u.accept("not", "deferrable"):
			st.Modes.Deferrable = ptr(false)
		default:
			return nil, u.fail()
		}
		if u.peek().IsPunct(",") && u.i+1 < len(u.toks) {
			u.next()
		}
	}
	return st, nil
}

func ptr[T any](v T) *T { return &v }

func (u *utilParser) finish(k UtilityKind) (*Utility, error) {
	st := &Utility{Kind: k}
	if !u.accept("work") {
		u.accept("transaction")
	}
	if k == UtilRollback && u.accept("to") {
		u.accept("savepoint")
		return u.savepoint(UtilRollbackTo)
	}
	if u.accept("and") {
		if u.accept("no", "chain") {
			return st, u.done()
		}
		if !u.accept("chain") {
			return nil, u.fail()
		}
		st.Chain = true
	}
	return st, u.done()
}

// Split cuts the tokens of a query string into statements at semicolons. Empty
// statements are dropped.
func Split(toks []Token) [][]Token {
	var out [][]Token
	start := 0
	for i, t := range toks {
		if t.IsPunct(";") {
			if i > start {
				out = append(out, toks[start:i])
			}
			start = i + 1
		}
	}
	if start < len(toks) {
		out = append(out, toks[start:])
	}
	return out
}
