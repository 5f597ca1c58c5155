package planner

import (
	"context"
	"errors"
	"io"
	"strings"

	"github.com/augurdb/augur/actors/lockmgr"
	"github.com/augurdb/augur/config"
	"github.com/augurdb/augur/planner/exec"
	"github.com/augurdb/augur/planner/pgdialect"
	"github.com/augurdb/augur/storage/catalog"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/store"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
)

// SequenceState is a session's view of sequences: nextval and setval go to the
// engine, currval and lastval remember what this session saw. Sessions (the
// session actor, Conn) embed it to implement exec.Sequences.
type SequenceState struct {
	Engine *Engine
	// Env is the session (its schema, database and search path name sequences).
	Env Env

	currvals   map[uint32]int64
	lastval    int64
	hasLastval bool
}

// resolve finds a sequence by the name nextval's regclass argument gives
// ([[db.]schema.]name, identifiers quoted or folded as in SQL), along the
// session's search path when unqualified.
func (s *SequenceState) resolve(name string) (*catalog.Sequence, error) {
	return resolveSequence(newNames(s.Env, s.Env.Schema()), name)
}

// splitQualified splits a qualified name given as text (a regclass literal)
// into its identifiers.
func splitQualified(name string) ([]string, bool) {
	toks, err := pgdialect.Lex(name)
	if err != nil {
		return nil, false
	}
	var parts []string
	dot := false // a "." is expected next
	for _, t := range toks {
		switch {
		case t.Kind == pgdialect.EOF:
		case dot && t.IsPunct("."):
			dot = false
		case !dot && (t.Kind == pgdialect.Ident || t.Kind == pgdialect.QIdent):
			parts, dot = append(parts, t.Val), true
		default:
			return nil, false
		}
	}
	return parts, dot
}

// Nextval implements exec.Sequences.
func (s *SequenceState) Nextval(c *exec.Ctx, name string) (int64, error) {
	q, err := s.resolve(name)
	if err != nil {
		return 0, err
	}
	if err := s.checkWritable(q, "nextval()"); err != nil {
		return 0, err
	}
	v, err := s.Engine.Nextval(c.Context, q)
	if err != nil {
		return 0, err
	}
	if s.currvals == nil {
		s.currvals = map[uint32]int64{}
	}
	s.currvals[q.ID], s.lastval, s.hasLastval = v, v, true
	return v, nil
}

// Currval implements exec.Sequences.
func (s *SequenceState) Currval(name string) (int64, error) {
	q, err := s.resolve(name)
	if err != nil {
		return 0, err
	}
	v, ok := s.currvals[q.ID]
	if !ok {
		return 0, pgerr.New(pgerrcode.ObjectNotInPrerequisiteState, "currval of sequence %q is not yet defined in this session", q.Name)
	}
	return v, nil
}

// Lastval implements exec.Sequences.
func (s *SequenceState) Lastval() (int64, error) {
	if !s.hasLastval {
		return 0, pgerr.New(pgerrcode.ObjectNotInPrerequisiteState, "lastval is not yet defined in this session")
	}
	return s.lastval, nil
}

// Setval implements exec.Sequences.
func (s *SequenceState) Setval(c *exec.Ctx, name string, v int64, called bool) (int64, error) {
	q, err := s.resolve(name)
	if err != nil {
		return 0, err
	}
	if err := s.checkWritable(q, "setval()"); err != nil {
		return 0, err
	}
	return v, s.Engine.Setval(c.Context, q, v, called)
}

// checkWritable refuses to advance a sequence in a READ ONLY transaction
// (a temporary sequence may be).
func (s *SequenceState) checkWritable(q *catalog.Sequence, what string) error {
	if s.Env.TxnReadOnly() && !strings.HasPrefix(q.Schema, catalog.TempSchemaPrefix) {
		return readOnlyError(what)
	}
	return nil
}

// Conn is an in-process SQL session over an Engine: the code path below the wire
// protocol (dialect, planner, executor, transactions, WAL, shards) for embedding
// and for benchmarks. Statements outside Begin/Commit each run in their own
// transaction. A Conn is not safe for concurrent use; open one per goroutine.
type Conn struct {
	SequenceState
	eng     *Engine
	p       *Planner
	vars    *config.Vars
	user    string
	db      string
	txn     OpenTxn
	block   bool
	opts    store.TxnOptions
	notices []string
	temp    string // the temp schema's name, once asked for
}

// Connect opens an in-process session as user (a superuser) on database db.
func (e *Engine) Connect(user, db string, opts store.TxnOptions) (*Conn, error) {
	if _, ok := e.Catalog.Current().Databases[db]; !ok {
		return nil, pgerr.New(pgerrcode.InvalidCatalogName, "database %q does not exist", db)
	}
	vars, err := config.NewVars(nil, map[string]string{"session_authorization": user, "is_superuser": "on"}, nil)
	if err != nil {
		return nil, err
	}
	c := &Conn{eng: e, p: New(), vars: vars, user: user, db: db, opts: opts}
	c.txn.Owner = e.Locks.NewOwner(e.embeddedPIDs.Add(1))
	c.SequenceState = SequenceState{Engine: e, Env: c}
	return c, nil
}

// Stmt is a prepared statement of a Conn.
type Stmt struct {
	c    *Conn
	plan *Plan
}

// Prepare parses and plans one statement; $n parameters take their types from context.
func (c *Conn) Prepare(sql string) (*Stmt, error) {
	stmts, err := c.p.Parse(sql)
	if err != nil {
		return nil, err
	}
	if len(stmts) != 1 {
		return nil, pgerr.Syntax(0, "cannot prepare %d statements as one", len(stmts))
	}
	pl, err := c.p.Prepare(c, stmts[0], nil)
	if err != nil {
		return nil, err
	}
	return &Stmt{c: c, plan: pl}, nil
}

// Params returns the types of the statement's parameters.
func (s *Stmt) Params() []types.T { return s.plan.Params }

// Query runs the statement with args (Datums of the parameter types) and calls fn
// for each result row (valid only during the call); it returns the command tag.
func (s *Stmt) Query(ctx context.Context, args []types.Datum, fn func(row []types.Datum) error) (string, error) {
	c := s.c
	switch s.plan.Kind {
	case KindBegin, KindCommit, KindRollback:
		return "", pgerr.FeatureNotSupported("use Conn.Begin, Commit and Rollback")
	case KindSavepoint, KindRelease, KindRollbackTo:
		// An error still ends the whole block (see Begin).
		_, err := c.txn.SavepointStatement(ctx, s.plan.Kind, s.plan.Savepoint, c.block)
		return s.plan.Kind.String(), err
	}
	rows, err := s.plan.Execute(ctx, c, args)
	if err == nil {
		for {
			var row []types.Datum
			if row, err = rows.Next(ctx); err != nil {
				break
			}
			if fn != nil {
				if err = fn(row); err != nil {
					break
				}
			}
		}
		rows.Close()
		if errors.Is(err, io.EOF) {
			err = nil
		}
	}
	if err != nil {
		c.Rollback()
		return "", err
	}
	if !c.block {
		if err := c.txn.Commit(ctx); err != nil {
			return "", err
		}
	}
	return rows.Tag(), nil
}

// Exec runs a statement that returns no rows (or whose rows are not wanted).
func (s *Stmt) Exec(ctx context.Context, args ...types.Datum) (string, error) {
	return s.Query(ctx, args, nil)
}

// Exec prepares and runs one statement without parameters.
func (c *Conn) Exec(ctx context.Context, sql string) (string, error) {
	s, err := c.Prepare(sql)
	if err != nil {
		return "", err
	}
	return s.Exec(ctx)
}

// Begin opens a transaction block: statements run in one transaction until Commit
// or Rollback. An error in the block rolls it back.
func (c *Conn) Begin() { c.block = true }

// Commit commits the block.
func (c *Conn) Commit(ctx context.Context) error {
	c.block = false
	return c.txn.Commit(ctx)
}

// Rollback discards the open transaction.
func (c *Conn) Rollback() {
	c.block = false
	c.txn.Abort()
}

// Close discards an open transaction and drops the session's temporary
// objects.
func (c *Conn) Close() {
	c.Rollback()
	c.eng.Locks.Close(c.txn.Owner)
	if c.temp != "" {
		ctx, cancel := context.WithTimeout(context.Background(), tempDropTimeout)
		defer cancel()
		c.eng.DropTempSchema(ctx, c.db, c.temp)
	}
}

// BackendPID implements exec.Session: embedded sessions number themselves
// from 1<<30, away from the server's backend pids.
func (c *Conn) BackendPID() uint32 { return c.txn.Owner.PID }

// Locks implements exec.Session.
func (c *Conn) Locks() (*lockmgr.Manager, *lockmgr.Owner) { return c.eng.Locks, c.txn.Owner }

// Var implements Env.
func (c *Conn) Var(name string) (string, error) { return c.vars.Get(name) }

// SetVar implements Env.
func (c *Conn) SetVar(name string, values []string, _ bool) error {
	if values == nil {
		return c.vars.Reset(name)
	}
	_, err := c.vars.Set(name, strings.Join(values, ", "))
	return err
}

// ResetVar implements Env.
func (c *Conn) ResetVar(name string) error {
	if strings.EqualFold(name, "all") {
		c.vars.ResetAll()
		return nil
	}
	return c.vars.Reset(name)
}

// ShowAll implements Env.
func (c *Conn) ShowAll() []config.Setting { return c.vars.All() }

// User implements Env.
func (c *Conn) User() string { return c.user }

// Superuser implements Env.
func (c *Conn) Superuser() bool { return true }

// Database implements Env.
func (c *Conn) Database() string { return c.db }

// Version implements Env.
func (c *Conn) Version() string { return "PostgreSQL 15.0 (Augur embedded)" }

// Schema implements Env.
func (c *Conn) Schema() *catalog.Schema { return c.txn.Schema(c.eng) }

// Txn implements Env.
// Its mode comes from default_transaction_isolation and
// default_transaction_read_only.
func (c *Conn) Txn(context.Context) (*Txn, error) {
	if !c.txn.Begun() {
		iso, _ := c.vars.Get("default_transaction_isolation")
		ro, _ := c.vars.Get("default_transaction_read_only")
		c.txn.Mode = TxnMode{Isolation: ParseIsolation(iso), ReadOnly: ro == "on"}
	}
	return c.txn.Get(c.eng, c.opts), nil
}

// Notice implements Env: notices are kept for Notices.
func (c *Conn) Notice(msg string) { c.notices = append(c.notices, msg) }

// Warning implements WarningEnv and exec.Warnings: warnings are kept with the
// notices.
func (c *Conn) Warning(msg string) { c.notices = append(c.notices, "WARNING: "+msg) }

// Notices returns and clears the notices of the statements run so far.
func (c *Conn) Notices() []string {
	n := c.notices
	c.notices = nil
	return n
}

// RowEstimate implements Env.
func (c *Conn) RowEstimate(tableID uint32) (int64, bool) {
	if c.eng.Rows == nil {
		return 0, false
	}
	return c.eng.Rows(tableID)
}

// TxnReadOnly implements Env.
func (c *Conn) TxnReadOnly() bool {
	if c.txn.Begun() {
		return c.txn.Mode.ReadOnly
	}
	ro, _ := c.vars.Get("default_transaction_read_only")
	return ro == "on"
}

// InTransactionBlock implements Env.
func (c *Conn) InTransactionBlock() bool { return c.block }

// TempSchema implements Env.
func (c *Conn) TempSchema() string {
	if c.temp == "" {
		c.temp = c.eng.NewTempSchemaName()
	}
	return c.temp
}
