// Package planner turns SQL text into executable plans. Text goes through the
// PostgreSQL dialect layer (package pgdialect): statements the TiDB grammar lacks
// are parsed by pgdialect's own small parsers, the rest is rewritten into text the
// TiDB parser reads with PostgreSQL's meaning. The binder then resolves names and
// types (including the types of $n parameters, inferred from context as PostgreSQL
// does), and the planner builds a re-executable Plan whose operators live in
// planner/exec.
//
// A Planner is not safe for concurrent use (the TiDB parser is not): each session
// owns one. Plans are immutable once prepared and may be executed many times, with
// different parameters, by their session.
package planner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/augurdb/augur/actors/lockmgr"
	"github.com/augurdb/augur/config"
	"github.com/augurdb/augur/planner/exec"
	"github.com/augurdb/augur/planner/pgdialect"
	"github.com/augurdb/augur/storage/catalog"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/mysql"
	// The TiDB parser needs a value-expression driver; test_driver is the
	// dependency-free one.
	_ "github.com/pingcap/tidb/pkg/parser/test_driver"
)

// Env is what a running statement sees of its session (implemented by the session
// actor).
type Env interface {
	Var(name string) (string, error)                       // SHOW name; 42704 for unknown
	SetVar(name string, values []string, local bool) error // SET; nil values = DEFAULT
	ResetVar(name string) error                            // RESET name; "all" for RESET ALL
	ShowAll() []config.Setting                             // SHOW ALL rows
	User() string
	Superuser() bool
	Database() string
	Version() string // full text of version()
	// BackendPID and Locks: see exec.Session.
	BackendPID() uint32
	Locks() (*lockmgr.Manager, *lockmgr.Owner)
	// Schema is the schema statements are planned against: the session's
	// transaction's view of it, else the committed one.
	Schema() *catalog.Schema
	// Txn returns the session's transaction, beginning one if none is open.
	Txn(ctx context.Context) (*Txn, error)
	// Notice queues a NOTICE for the client (sent before CommandComplete).
	Notice(msg string)
	// RowEstimate is the planner's estimate of a table's row count.
	RowEstimate(tableID uint32) (int64, bool)
	// InTransactionBlock reports whether an explicit transaction block is open.
	InTransactionBlock() bool
	// TxnReadOnly reports whether the session's transaction (or the implicit
	// one it would begin) is READ ONLY.
	TxnReadOnly() bool
	// TempSchema is the name of the session's temp schema (pg_temp_N), which
	// exists from its first CREATE TEMP on; "" when it cannot have one.
	TempSchema() string
}

// Kind is the kind of a statement.
type Kind int

// Statement kinds.
const (
	KindSelect Kind = iota + 1
	KindShow
	KindSet
	KindReset
	KindBegin
	KindCommit
	KindRollback
	KindInsert
	KindUpdate
	KindDelete
	KindDDL
	// KindOther is a statement that parsed but that Augur does not run yet (Prepare
	// returns 0A000).
	KindOther
	// SQL-level prepared statements (prepare.go).
	KindPrepare
	KindExecute
	KindDeallocate
	KindDiscard
	// Savepoints and SET TRANSACTION (the session runs them; txnmode.go).
	KindSavepoint
	KindRelease
	KindRollbackTo
	KindSetTransaction
	KindLock // LOCK TABLE (tablelocks.go)
	KindCopy // COPY FROM STDIN, COPY TO STDOUT (copy.go)
)

var kindNames = map[Kind]string{KindSelect: "SELECT", KindShow: "SHOW", KindSet: "SET", KindReset: "RESET",
	KindBegin: "BEGIN", KindCommit: "COMMIT", KindRollback: "ROLLBACK", KindInsert: "INSERT",
	KindUpdate: "UPDATE", KindDelete: "DELETE", KindDDL: "DDL", KindOther: "OTHER",
	KindPrepare: "PREPARE", KindExecute: "EXECUTE", KindDeallocate: "DEALLOCATE", KindDiscard: "DISCARD",
	KindSavepoint: "SAVEPOINT", KindRelease: "RELEASE", KindRollbackTo: "ROLLBACK", KindSetTransaction: "SET",
	KindLock: "LOCK", KindCopy: "COPY"}

func (k Kind) String() string { return kindNames[k] }

// Planner parses and prepares the statements of one session.
type Planner struct {
	tidb *parser.Parser
	// ctes are the WITH queries in scope while a statement is bound, innermost last.
	ctes []map[string]*cte
	// refs, when set, collects the tables and views a statement reads (CREATE VIEW
	// records them as the view's dependencies).
	refs map[string]bool
	// locking, while a statement is bound, collects its table locks
	// (tablelocks.go).
	locking *relLocks
}

// New returns a Planner. One per session: it is not goroutine-safe.
func New() *Planner {
	p := parser.New()
	p.SetSQLMode(mysql.ModeANSIQuotes | mysql.ModePipesAsConcat | mysql.ModeNoBackslashEscapes | mysql.ModeIgnoreSpace)
	return &Planner{tidb: p}
}

// Statement is one parsed statement.
type Statement struct {
	SQL  string // the original text of this statement
	Kind Kind

	src     string // the whole query string the statement came from (positions are in it)
	toks    []pgdialect.Token
	util    *pgdialect.Utility
	rw      *pgdialect.Rewritten
	node    ast.StmtNode
	ddl     *pgdialect.DDL
	err     error       // a refusal reported by Prepare (the statement parsed)
	clauses *dmlClauses // RETURNING and ON CONFLICT
	// EXPLAIN: its options and the statement it explains.
	explain *explainOpts
	inner   *Statement
	// fromItems are the FROM items the dialect layer took apart (fromitems.go).
	fromItems []fromItem
	// locks are the row-locking clauses, in order (lockrows.go).
	locks []lockClause
	// role statements (role.go) and SQL-level prepared statements (prepare.go);
	// inner is PREPARE's statement or EXECUTE's arguments.
	role *pgdialect.RoleStmt
	prep *pgdialect.PrepareStmt
	lock *pgdialect.LockStmt
	copy *pgdialect.CopyStmt
}

// utilityKinds are the statement kinds of the utility statements.
var utilityKinds = map[pgdialect.UtilityKind]Kind{
	pgdialect.UtilShow: KindShow, pgdialect.UtilShowAll: KindShow,
	pgdialect.UtilSet: KindSet, pgdialect.UtilSetCharacteristic: KindSet,
	pgdialect.UtilReset: KindReset, pgdialect.UtilResetAll: KindReset,
	pgdialect.UtilBegin: KindBegin, pgdialect.UtilCommit: KindCommit, pgdialect.UtilRollback: KindRollback,
	pgdialect.UtilSavepoint: KindSavepoint, pgdialect.UtilRelease: KindRelease,
	pgdialect.UtilRollbackTo: KindRollbackTo, pgdialect.UtilSetTransaction: KindSetTransaction,
}

// Parse splits a query string into statements and parses each. A syntax error in any
// statement fails the whole string, as in PostgreSQL; statements that are valid but
// not supported yet parse and are refused by Prepare, so that the statements before
// them in a simple Query still run.
func (p *Planner) Parse(sql string) ([]*Statement, error) {
	toks, err := pgdialect.Lex(sql)
	if err != nil {
		return nil, err
	}
	var out []*Statement
	for _, st := range pgdialect.Split(toks) {
		s := &Statement{SQL: sql[st[0].Pos:st[len(st)-1].End], src: sql, toks: st}
		if err := p.parseOne(s, toks); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func (p *Planner) parseOne(s *Statement, all []pgdialect.Token) error {
	if len(s.toks) > 0 && s.toks[0].Is("explain") {
		return p.parseExplain(s, all)
	}
	if r, ok, err := pgdialect.ParseRole(s.src, s.toks); ok {
		if err != nil {
			if pgerr.Code(err) == pgerrcode.FeatureNotSupported {
				s.Kind, s.err = KindOther, err
				return nil
			}
			return err
		}
		s.Kind, s.role = KindDDL, r
		return nil
	}
	if ps, ok, err := pgdialect.ParsePrepare(s.src, s.toks); ok {
		if err != nil {
			if pgerr.Code(err) == pgerrcode.FeatureNotSupported {
				s.Kind, s.err = KindOther, err
				return nil
			}
			return err
		}
		return p.parsePrepare(s, ps, all)
	}
	if d, ok, err := pgdialect.ParseDDL(s.src, s.toks); ok {
		if err != nil {
			if pgerr.Code(err) == pgerrcode.FeatureNotSupported {
				s.Kind, s.err = KindOther, err
				return nil
			}
			return err
		}
		s.Kind, s.ddl = KindDDL, d
		return nil
	}
	if cs, ok, err := pgdialect.ParseCopy(s.src, s.toks); ok {
		if err != nil {
			return err
		}
		s.Kind, s.copy = KindCopy, cs
		return nil
	}
	if ls, ok, err := pgdialect.ParseLock(s.src, s.toks); ok {
		if err != nil {
			return err
		}
		s.Kind, s.lock = KindLock, ls
		return nil
	}
	u, ok, err := pgdialect.ParseUtility(s.src, s.toks)
	if ok {
		if err != nil {
			if pgerr.Code(err) == pgerrcode.FeatureNotSupported {
				s.Kind, s.err = KindOther, err
				return nil
			}
			return err
		}
		s.util = u
		s.Kind = utilityKinds[u.Kind]
		return nil
	}
	clauses, main, err := p.splitDML(s)
	if err != nil {
		return err
	}
	if main, err = rewriteSelectForms(joinCatalogNames(main)); err != nil {
		return err
	}
	main, s.fromItems = rewriteFrom(main)
	main, s.locks = rewriteLockClauses(main)
	main = markFullJoins(markNullsOrder(renameSequenceFuncs(main)))
	main = rewriteDefaultValues(rewriteLimits(main))
	if main, err = markWindows(s.src, main); err != nil {
		return err
	}
	s.clauses = clauses
	rw, err := pgdialect.Rewrite(s.src, main)
	if err != nil {
		return err
	}
	s.rw = rw
	node, err := p.tidb.ParseOneStmt(rw.SQL, "", "")
	if err != nil {
		if gaps := pgdialect.Gaps(s.toks); len(gaps) > 0 {
			// Valid PostgreSQL that the TiDB grammar cannot read yet: refuse it at
			// Prepare (0A000), as PostgreSQL would run it.
			e := pgerr.FeatureNotSupported("%s: not supported yet", pgdialect.GapError(gaps))
			e.Err = err
			s.Kind, s.err = KindOther, e
			return nil
		}
		return syntaxError(s, all, err)
	}
	s.node = node
	switch node.(type) {
	case *ast.SelectStmt, *ast.SetOprStmt:
		s.Kind = KindSelect
	case *ast.InsertStmt:
		s.Kind = KindInsert
	case *ast.UpdateStmt:
		s.Kind = KindUpdate
	case *ast.DeleteStmt:
		s.Kind = KindDelete
	case ast.DDLNode:
		s.Kind = KindDDL
	default:
		s.Kind = KindOther
	}
	return nil
}

// SequenceFuncPrefix is put before the names of PostgreSQL's sequence functions
// (nextval, currval, setval, lastval), which the TiDB grammar reserves for its own
// sequence syntax.
const SequenceFuncPrefix = "augurseq_"

func renameSequenceFuncs(toks []pgdialect.Token) []pgdialect.Token {
	var out []pgdialect.Token
	for i, t := range toks {
		if t.Kind == pgdialect.Ident && i+1 < len(toks) && toks[i+1].IsPunct("(") &&
			(t.Val == "nextval" || t.Val == "currval" || t.Val == "setval" || t.Val == "lastval") {
			if out == nil {
				out = append([]pgdialect.Token(nil), toks...)
			}
			out[i].Val = SequenceFuncPrefix + t.Val
		}
	}
	if out == nil {
		return toks
	}
	return out
}

// syntaxError turns a TiDB parse error into PostgreSQL's 42601 at the user's
// character: the TiDB message quotes the rest of the text from the failing token
// ("near ..."), which locates it in the rewritten text, and the rewrite's position
// map leads back to the source token.
func syntaxError(s *Statement, all []pgdialect.Token, err error) error {
	msg := err.Error()
	out := len(s.rw.SQL)
	if i := strings.Index(msg, `near "`); i >= 0 {
		rest := msg[i+len(`near "`):]
		for off := 0; off <= len(s.rw.SQL); off++ {
			tail := s.rw.SQL[off:]
			if len(tail) > 2048 {
				tail = tail[:2048]
			}
			if strings.HasPrefix(rest, tail+`"`) {
				out = off
				break
			}
		}
	}
	// The TiDB scanner reports the token after the one it could not use when it
	// fails at the end of a construct; both lead to the same source token here.
	orig := s.rw.OrigOffset(out)
	if out >= len(s.rw.SQL) {
		last := s.toks[len(s.toks)-1]
		for i, t := range all {
			if t.Pos == last.Pos && i+1 < len(all) {
				n := all[i+1]
				e := pgerr.Syntax(pgdialect.CharPos(s.src, n.Pos), "syntax error at or near %q", s.src[n.Pos:n.End])
				e.Err = err
				return e
			}
		}
		e := pgerr.Syntax(pgdialect.CharPos(s.src, len(s.src)), "syntax error at end of input")
		e.Err = err
		return e
	}
	for _, t := range s.toks {
		if t.Pos <= orig && orig < t.End {
			e := pgerr.Syntax(pgdialect.CharPos(s.src, t.Pos), "syntax error at or near %q", s.src[t.Pos:t.End])
			e.Err = err
			return e
		}
	}
	e := pgerr.Syntax(pgdialect.CharPos(s.src, orig), "syntax error")
	e.Err = err
	return e
}

// Column is one result column.
type Column struct {
	Name   string
	Type   types.T
	Typmod int32
}

// TxOptions are the options of BEGIN / START TRANSACTION and COMMIT/ROLLBACK AND CHAIN.
type TxOptions struct {
	Isolation  string // "serializable", "repeatable read", "read committed", "read uncommitted"; "" = default
	ReadOnly   *bool
	Deferrable *bool
	Chain      bool
}

// Plan is a prepared statement, re-executable with different parameters.
type Plan struct {
	Kind    Kind
	Params  []types.T // one per $n, inferred where not declared
	Columns []Column  // nil when the statement returns no rows
	Tx      TxOptions // for KindBegin, KindCommit, KindRollback, KindSetTransaction
	// Savepoint is the name of KindSavepoint, KindRelease, KindRollbackTo.
	Savepoint string

	util *pgdialect.Utility
	ddl  *pgdialect.DDL
	root exec.Node
	// fold are the expressions Fold evaluates.
	fold []exec.Expr
	// tables: the plan reads or writes tables (it runs in a transaction);
	// locksRows names its row-locking clause ("SELECT FOR UPDATE"), if any.
	tables    bool
	locksRows string
	writes    *catalog.Table
	// relLocks are the table locks the plan takes when it runs (tablelocks.go).
	relLocks []relLock
	lock     *pgdialect.LockStmt
	// version is the schema version the plan was bound against; stmt and
	// declared re-plan it when the schema has changed since, or the search path
	// it was bound along.
	version    uint64
	searchPath []string
	// searchPathText is the search_path setting searchPath was parsed from:
	// when the setting still reads the same, the path is the same, and Execute
	// need not parse it again.
	searchPathText string
	stmt           *Statement
	declared       []uint32
	planner        *Planner
	explain        *explainOpts
	inner          *Plan
	role           *pgdialect.RoleStmt
	prep           *preparedPlan
	copy           *copyPlan
}

// Rows is the result of one execution, pulled row by row.
type Rows interface {
	Next(ctx context.Context) ([]types.Datum, error) // io.EOF when done
	Tag() string
	Close()
}

// Prepare binds and plans one statement against env's schema (nil env: no
// tables). paramTypes are the OIDs the client declared (0 or missing: infer).
func (p *Planner) Prepare(env Env, st *Statement, paramTypes []uint32) (*Plan, error) {
	if st.err != nil {
		return nil, st.err
	}
	if st.explain != nil {
		return p.prepareExplain(env, st, paramTypes)
	}
	if st.prep != nil {
		return p.preparePrepared(env, st, paramTypes)
	}
	if st.role != nil {
		if len(paramTypes) > 0 {
			return nil, pgerr.New(pgerrcode.ProtocolViolation, "bind message supplies parameters, but %s takes none", firstWord(st))
		}
		return &Plan{Kind: st.Kind, role: st.role, stmt: st, planner: p}, nil
	}
	if st.copy != nil {
		return p.prepareCopy(env, st, paramTypes)
	}
	if st.lock != nil {
		if len(paramTypes) > 0 {
			return nil, pgerr.New(pgerrcode.ProtocolViolation, "bind message supplies parameters, but LOCK takes none")
		}
		return &Plan{Kind: st.Kind, lock: st.lock, stmt: st, planner: p}, nil
	}
	pl := &Plan{Kind: st.Kind, util: st.util, ddl: st.ddl, stmt: st, declared: paramTypes, planner: p}
	if st.util != nil || st.ddl != nil {
		if len(paramTypes) > 0 {
			return nil, pgerr.New(pgerrcode.ProtocolViolation, "bind message supplies parameters, but %s takes none", strings.ToUpper(st.Kind.String()))
		}
		if st.util != nil {
			return pl, prepareUtility(pl, st.util)
		}
		return pl, nil
	}
	b, err := newBinder(st, paramTypes)
	if err != nil {
		return nil, err
	}
	b.planner = p
	p.ctes = nil
	b.schema = emptySchema
	if env != nil {
		b.schema, b.db, b.stats = env.Schema(), env.Database(), env.RowEstimate
	}
	b.ns = newNames(env, b.schema)
	pl.searchPath = b.ns.path
	pl.searchPathText = searchPathSetting(env)
	pl.version = b.schema.Version
	locks, done := p.collectRelations()
	defer done()
	switch n := st.node.(type) {
	case *ast.SelectStmt, *ast.SetOprStmt:
		rp, err := b.query(n, nil)
		if err != nil {
			return nil, err
		}
		pl.root, pl.Columns = rp.node, rp.cols
		for i, c := range pl.Columns {
			if c.Type == types.Unknown {
				pl.Columns[i].Type = types.Text
			}
		}
	case *ast.InsertStmt:
		err = b.insert(n, pl)
	case *ast.UpdateStmt:
		err = b.update(n, pl)
	case *ast.DeleteStmt:
		err = b.delete(n, pl)
	default:
		return nil, pgerr.FeatureNotSupported("%s statements are not supported yet", firstWord(st))
	}
	if err != nil {
		return nil, err
	}
	pl.fold = b.fold
	pl.relLocks = locks.finish(pl)
	pl.tables = usesTables(pl.root) || len(pl.relLocks) > 0
	pl.locksRows = b.locksRows
	if pl.Params, err = b.finalParams(); err != nil {
		return nil, err
	}
	// Parameters whose type context decided late: give their references the type.
	return pl, nil
}

var emptySchema = &catalog.Schema{Databases: map[string]*catalog.Database{}}

// usesTables reports whether a plan reads or writes a table, or calls a
// function that needs a transaction (exec.Builtin.NeedsTxn).
func usesTables(n exec.Node) bool {
	if n == nil {
		return false
	}
	switch n.(type) {
	case *exec.Scan, *exec.Modify:
		return true
	}
	for _, c := range children(n, n.Explain()) {
		if usesTables(c) {
			return true
		}
	}
	found := false
	walkNodeExprs(n, func(e exec.Expr) {
		if sq, ok := e.(*exec.Subquery); ok && usesTables(sq.Plan) {
			found = true
		}
		if f, ok := e.(*exec.Func); ok && f.NeedsTxn {
			found = true
		}
	})
	return found
}

// bindText binds an expression kept as SQL text (a DEFAULT or CHECK) in the
// scope of outer.
func (p *Planner) bindText(outer *binder, text string) (exec.Expr, error) {
	stmts, err := p.Parse("SELECT " + text)
	if err != nil {
		return nil, err
	}
	sel, ok := stmts[0].node.(*ast.SelectStmt)
	if len(stmts) != 1 || !ok || sel.Fields == nil || len(sel.Fields.Fields) != 1 {
		return nil, pgerr.Syntax(0, "invalid expression %q", text)
	}
	ns := outer.ns
	if outer.home != "" && ns != nil {
		ns = ns.first(outer.home)
	}
	b := &binder{st: stmts[0], planner: p, schema: outer.schema, db: outer.db, ns: ns, sc: outer.sc}
	return b.expr(sel.Fields.Fields[0].Expr)
}

// NoParams is the check of a statement run without parameters (a simple Query): a
// reference to $n is 42P02 at its position, as PostgreSQL reports it.
func (st *Statement) NoParams() error {
	if st.prep != nil && st.prep.Kind == pgdialect.Prepare {
		return nil // PREPARE's statement takes its parameters from EXECUTE
	}
	for _, t := range st.toks {
		if t.Kind == pgdialect.Param {
			e := pgerr.New(pgerrcode.UndefinedParameter, "there is no parameter $%s", t.Val)
			e.Position = int32(utf8.RuneCountInString(st.src[:t.Pos])) + 1
			return e
		}
	}
	return nil
}

// Fold evaluates the plan's constant expressions with these parameter values, as
// PostgreSQL's planner does when it plans a statement (at Bind in the extended
// protocol, before RowDescription in a simple query), so that errors such as 1/0
// or an integer overflow are reported at the same point. Volatile functions wait
// for execution.
//
// For SHOW it checks that the parameter exists, so that an unknown name is an
// error before the row description, as in PostgreSQL.
func (pl *Plan) Fold(ctx context.Context, env Env, params []types.Datum) error {
	if pl.util != nil {
		if pl.util.Kind == pgdialect.UtilShow {
			if _, err := env.Var(pl.util.Name); err != nil {
				return wrap(err, "SHOW %s", pl.util.Name)
			}
		}
		return nil
	}
	return exec.Fold(ctx, pl.fold, params, env)
}

func firstWord(st *Statement) string {
	if len(st.toks) == 0 {
		return ""
	}
	return strings.ToUpper(st.toks[0].Val)
}

func prepareUtility(pl *Plan, u *pgdialect.Utility) error {
	switch u.Kind {
	case pgdialect.UtilShow:
		pl.Columns = []Column{{Name: config.CanonicalName(u.Name), Type: types.Text, Typmod: -1}}
	case pgdialect.UtilShowAll:
		pl.Columns = []Column{{Name: "name", Type: types.Text, Typmod: -1}, {Name: "setting", Type: types.Text, Typmod: -1}, {Name: "description", Type: types.Text, Typmod: -1}}
	case pgdialect.UtilBegin, pgdialect.UtilSetTransaction:
		pl.Tx = TxOptions{Isolation: u.Modes.Isolation, ReadOnly: u.Modes.ReadOnly, Deferrable: u.Modes.Deferrable}
	case pgdialect.UtilSavepoint, pgdialect.UtilRelease, pgdialect.UtilRollbackTo:
		pl.Savepoint = u.Name
	case pgdialect.UtilCommit, pgdialect.UtilRollback:
		pl.Tx = TxOptions{Chain: u.Chain}
	}
	return nil
}

// Execute starts the plan. Rows are pulled with Next; the session may stop early
// and resume later.
func (pl *Plan) Execute(ctx context.Context, env Env, params []types.Datum) (Rows, error) {
	if err := ctx.Err(); err != nil {
		return nil, exec.Canceled(err)
	}
	if u := pl.util; u != nil {
		return executeUtility(env, u)
	}
	if pl.explain != nil {
		return pl.executeExplain(ctx, env, params)
	}
	if pl.prep != nil {
		return pl.executePrepared(ctx, env, params)
	}
	if pl.role != nil {
		if err := checkWritableEnv(ctx, env, pl.stmt); err != nil {
			return nil, err
		}
		tag, err := pl.planner.execRole(ctx, env, pl.role)
		if err != nil {
			return nil, err
		}
		return &exec.Result{TagText: tag}, nil
	}
	if pl.copy != nil {
		return pl.executeCopyTo(ctx, env)
	}
	if pl.lock != nil {
		if err := pl.planner.execLock(ctx, env, pl.lock); err != nil {
			return nil, err
		}
		return &exec.Result{TagText: "LOCK TABLE"}, nil
	}
	if pl.ddl != nil {
		if err := checkWritableEnv(ctx, env, pl.stmt); err != nil {
			return nil, err
		}
		tag, err := pl.planner.execDDL(ctx, env, pl.ddl)
		if err != nil {
			return nil, err
		}
		return &exec.Result{TagText: tag}, nil
	}
	if len(params) != len(pl.Params) {
		return nil, pgerr.New(pgerrcode.ProtocolViolation, "bind message supplies %d parameters, but prepared statement requires %d", len(params), len(pl.Params))
	}
	run := pl
	if pl.stmt != nil && (pl.version != env.Schema().Version || !pl.sameSearchPath(env)) {
		// The schema changed since the plan was made: plan again, as PostgreSQL
		// re-plans a cached plan whose tables changed.
		np, err := pl.planner.Prepare(env, pl.stmt, pl.declared)
		if err != nil {
			return nil, err
		}
		if !sameColumns(np.Columns, pl.Columns) {
			return nil, pgerr.FeatureNotSupported("cached plan must not change result type")
		}
		run = np
	}
	var txn *Txn
	if run.tables {
		var err error
		if txn, err = env.Txn(ctx); err != nil {
			return nil, err
		}
		txn.locks = readLockSettings(env)
		if run, err = run.lockRelations(ctx, env, txn, pl.Columns); err != nil {
			return nil, err
		}
		if err := txn.beginStatement(); err != nil {
			return nil, err
		}
		switch {
		case pl.Kind == KindInsert || pl.Kind == KindUpdate || pl.Kind == KindDelete:
			// A temporary table may be written in a READ ONLY transaction.
			if run.writes != nil && strings.HasPrefix(run.writes.Schema, catalog.TempSchemaPrefix) {
				break
			}
			if err := txn.checkWritable(pl.Kind.String()); err != nil {
				return nil, err
			}
		case run.locksRows != "":
			if err := txn.checkWritable(run.locksRows); err != nil {
				return nil, err
			}
		}
		if w := run.writes; w != nil && w.OnCommit == catalog.OnCommitDeleteRows {
			txn.emptyAtCommit(w)
		}
	}
	c := exec.NewCtx(ctx, nil, params, env)
	if txn != nil {
		c.Txn = txn.KV
		c.RowID = func() (int64, error) { return txn.e.NextRowID(ctx) }
		c.Deferred = &txn.deferred
		c.Locker = txn
	}
	it, err := run.root.Open(c)
	if err != nil {
		return nil, err
	}
	return &nodeRows{it: it, c: c, kind: pl.Kind}, nil
}

// searchPathSetting returns env's search_path setting ("" without env).
func searchPathSetting(env Env) string {
	if env == nil {
		return ""
	}
	v, _ := env.Var("search_path")
	return v
}

// sameSearchPath reports whether env resolves names along the path the plan
// was bound along.
func (pl *Plan) sameSearchPath(env Env) bool {
	if v := searchPathSetting(env); v == pl.searchPathText {
		return true
	}
	return slices.Equal(pl.searchPath, newNames(env, env.Schema()).path)
}

func sameColumns(a, b []Column) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Type != b[i].Type {
			return false
		}
	}
	return true
}

// nodeRows is the Rows of a plan: it pulls its root's iterator and makes the tag.
type nodeRows struct {
	it   exec.Iter
	c    *exec.Ctx
	kind Kind
	n    int64
	done bool
}

func (r *nodeRows) Next(ctx context.Context) ([]types.Datum, error) {
	if r.done {
		return nil, io.EOF
	}
	r.c.SetContext(ctx)
	row, err := r.it.Next()
	if err != nil {
		if err == io.EOF {
			r.done = true
			if cnt, ok := r.it.(exec.Counted); ok {
				r.n = cnt.Count()
			}
		}
		return nil, err
	}
	if _, ok := r.it.(exec.Counted); !ok {
		r.n++
	}
	return row, nil
}

func (r *nodeRows) Tag() string {
	if r.n == 1 { // the single-row statement: no string to build
		switch r.kind {
		case KindInsert:
			return "INSERT 0 1"
		case KindUpdate:
			return "UPDATE 1"
		case KindDelete:
			return "DELETE 1"
		}
		return "SELECT 1"
	}
	switch r.kind {
	case KindInsert:
		return "INSERT 0 " + strconv.FormatInt(r.n, 10)
	case KindUpdate:
		return "UPDATE " + strconv.FormatInt(r.n, 10)
	case KindDelete:
		return "DELETE " + strconv.FormatInt(r.n, 10)
	}
	return "SELECT " + strconv.FormatInt(r.n, 10)
}

func (r *nodeRows) Close() {
	if !r.done {
		r.done = true
	}
	r.it.Close()
}

func executeUtility(env Env, u *pgdialect.Utility) (Rows, error) {
	switch u.Kind {
	case pgdialect.UtilShow:
		v, err := env.Var(u.Name)
		if err != nil {
			return nil, wrap(err, "SHOW %s", u.Name)
		}
		return &exec.Values{Rows: [][]types.Datum{{v}}, TagText: "SHOW"}, nil
	case pgdialect.UtilShowAll:
		var rows [][]types.Datum
		for _, s := range env.ShowAll() {
			rows = append(rows, []types.Datum{s.Name, s.Value, s.Description})
		}
		return &exec.Values{Rows: rows, TagText: "SHOW"}, nil
	case pgdialect.UtilSet:
		if err := env.SetVar(u.Name, u.Values, u.Local); err != nil {
			return nil, wrap(err, "SET %s", u.Name)
		}
		return &exec.Result{TagText: "SET"}, nil
	case pgdialect.UtilReset:
		if err := env.ResetVar(u.Name); err != nil {
			return nil, wrap(err, "RESET %s", u.Name)
		}
		return &exec.Result{TagText: "RESET"}, nil
	case pgdialect.UtilResetAll:
		if err := env.ResetVar("all"); err != nil {
			return nil, wrap(err, "RESET ALL")
		}
		return &exec.Result{TagText: "RESET"}, nil
	case pgdialect.UtilBegin:
		if u.Start {
			return &exec.Result{TagText: "START TRANSACTION"}, nil
		}
		return &exec.Result{TagText: "BEGIN"}, nil
	case pgdialect.UtilCommit:
		return &exec.Result{TagText: "COMMIT"}, nil
	case pgdialect.UtilRollback, pgdialect.UtilRollbackTo:
		return &exec.Result{TagText: "ROLLBACK"}, nil
	case pgdialect.UtilSavepoint:
		return &exec.Result{TagText: "SAVEPOINT"}, nil
	case pgdialect.UtilRelease:
		return &exec.Result{TagText: "RELEASE"}, nil
	case pgdialect.UtilSetTransaction:
		return &exec.Result{TagText: "SET"}, nil
	case pgdialect.UtilSetCharacteristic:
		m := u.Modes
		if m.Isolation != "" {
			if err := env.SetVar("default_transaction_isolation", []string{m.Isolation}, false); err != nil {
				return nil, err
			}
		}
		for name, b := range map[string]*bool{"default_transaction_read_only": m.ReadOnly, "default_transaction_deferrable": m.Deferrable} {
			if b != nil {
				if err := env.SetVar(name, []string{onOff(*b)}, false); err != nil {
					return nil, err
				}
			}
		}
		return &exec.Result{TagText: "SET"}, nil
	}
	return nil, fmt.Errorf("planner: unknown utility kind %d", u.Kind)
}

// wrap keeps a session error's SQLSTATE (the client must see it) and adds context
// for the log; errors without a SQLSTATE are wrapped with context only.
func wrap(err error, format string, args ...any) error {
	var pe *pgerr.Error
	if errors.As(err, &pe) {
		return err
	}
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), err)
}
