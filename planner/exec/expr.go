// Package exec evaluates bound plans: scalar expressions with PostgreSQL's
// semantics (NULL logic, integer overflow and division rules, numeric scales) and
// the operators that produce rows. The binder in package planner decides every type
// before execution, so evaluation never guesses: each Expr knows its result type,
// and operators are chosen per type when the plan is built, not per row.
package exec

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/augurdb/augur/actors/lockmgr"
	"github.com/augurdb/augur/storage/store"
	"github.com/augurdb/augur/storage/types"
)

// Session is what expressions may ask of the session running them.
type Session interface {
	User() string
	Superuser() bool
	Database() string
	Version() string
	// BackendPID is the session's process id (BackendKeyData, pg_backend_pid()).
	BackendPID() uint32
	// Locks returns the lock manager and the session's lock owner (nil, nil
	// for a session without storage).
	Locks() (*lockmgr.Manager, *lockmgr.Owner)
}

// Ctx is the evaluation context of one execution.
type Ctx struct {
	Context context.Context
	Params  []types.Datum
	Session Session
	// Folding is set while the planner evaluates constant expressions ahead of
	// execution (Fold); volatile functions then refuse with errNotFoldable.
	Folding bool
	// Txn is the transaction the statement reads and writes through (nil for
	// statements without tables).
	Txn *store.Txn
	// Locker locks the rows the statement changes (nil: no locking).
	Locker RowLocker
	// RowID returns a fresh hidden row id (tables without a primary key).
	RowID func() (int64, error)
	// Deferred collects the events of INITIALLY DEFERRED foreign keys for the
	// transaction's commit (nil: they run with the statement).
	Deferred *DeferredFK
	// Row is the current row of the operator evaluating an expression; Outer holds
	// the current rows of enclosing queries, innermost last (correlated subqueries).
	Row   []types.Datum
	Outer [][]types.Datum
	// run is shared by every Ctx of one execution: per-execution state such as the
	// results of uncorrelated subqueries.
	run *runState
}

// runState is the state of one execution shared by all its operators.
type runState struct {
	ctx        *swapContext
	subqueries map[*Subquery]*subResult
	now        int64    // statement start, Unix microseconds
	fk         *fkQueue // the foreign-key events of the running statement (fk.go)
	reOnce     sync.Once
	re         *reCache // compiled regular expressions (funcs_regex.go)
}

// With returns a copy of c evaluating over row.
func (c *Ctx) With(row []types.Datum) *Ctx {
	cc := *c
	cc.Row = row
	return &cc
}

// NewCtx returns the context of one execution.
func NewCtx(ctx context.Context, txn *store.Txn, params []types.Datum, sess Session) *Ctx {
	// One allocation for the run state, its context and the Ctx: a point
	// query runs tens of thousands of these a second.
	a := &struct {
		run runState
		sc  swapContext
		c   Ctx
	}{}
	a.sc.inner = ctx
	a.run.ctx = &a.sc
	a.c = Ctx{Context: &a.sc, Txn: txn, Params: params, Session: sess, run: &a.run}
	return &a.c
}

// SetContext changes the context of a running execution (a portal resumed by a
// later Execute runs under that message's statement context).
func (c *Ctx) SetContext(ctx context.Context) {
	if c.run != nil && c.run.ctx != nil {
		c.run.ctx.inner = ctx
	}
}

// swapContext delegates to a context that SetContext can replace; every Ctx of
// an execution shares it.
type swapContext struct{ inner context.Context }

func (s *swapContext) Deadline() (time.Time, bool) { return s.inner.Deadline() }
func (s *swapContext) Done() <-chan struct{}       { return s.inner.Done() }
func (s *swapContext) Err() error                  { return s.inner.Err() }
func (s *swapContext) Value(k any) any             { return s.inner.Value(k) }

// errNotFoldable stops planning-time evaluation at a volatile function.
var errNotFoldable = errors.New("exec: expression is not foldable")

// Fold evaluates exprs as PostgreSQL's planner folds constant expressions
// (eval_const_expressions), so that their errors — 1/0, an overflow, a bad cast of a
// parameter's value — surface at planning time, as clients see them from
// PostgreSQL: before RowDescription in a simple query, at Bind in the extended
// protocol. Expressions that reach a volatile function are left to execution.
// Nil entries are skipped.
func Fold(ctx context.Context, exprs []Expr, params []types.Datum, sess Session) error {
	c := &Ctx{Context: ctx, Params: params, Session: sess, Folding: true, run: &runState{}}
	for _, e := range exprs {
		if e == nil {
			continue
		}
		if _, err := e.Eval(c); err != nil && !errors.Is(err, errNotFoldable) {
			return err
		}
	}
	return nil
}

// Expr is a bound scalar expression.
type Expr interface {
	Type() types.T
	Eval(c *Ctx) (types.Datum, error)
}

// Const is a constant.
type Const struct {
	T      types.T
	Typmod int32
	Val    types.Datum
	// Pos is the literal's 1-based character position in the query, for errors
	// found when an untyped literal is given a type (0: unknown).
	Pos int32
}

// Type implements Expr.
func (e *Const) Type() types.T { return e.T }

// Eval implements Expr.
func (e *Const) Eval(*Ctx) (types.Datum, error) { return e.Val, nil }

// Param is a reference to parameter $Idx+1.
type Param struct {
	Idx int
	T   types.T
}

// Type implements Expr.
func (e *Param) Type() types.T { return e.T }

// Eval implements Expr.
func (e *Param) Eval(c *Ctx) (types.Datum, error) {
	if e.Idx < len(c.Params) {
		return c.Params[e.Idx], nil
	}
	return nil, nil
}

// Cast converts its argument to T (with Typmod) as an explicit cast does.
type Cast struct {
	X      Expr
	T      types.T
	Typmod int32
	// Assignment applies the assignment rules (INSERT, UPDATE): a too-long string
	// is an error rather than truncated.
	Assignment bool
}

// Type implements Expr.
func (e *Cast) Type() types.T { return e.T }

// Eval implements Expr.
func (e *Cast) Eval(c *Ctx) (types.Datum, error) {
	v, err := e.X.Eval(c)
	if err != nil || v == nil {
		return nil, err
	}
	if e.Assignment {
		if v, err = types.Cast(v, e.X.Type(), e.T, -1); err != nil {
			return nil, err
		}
		return types.ApplyTypmod(v, e.T, e.Typmod, false)
	}
	return types.Cast(v, e.X.Type(), e.T, e.Typmod)
}

// Func is a function call evaluated by Fn on its argument values. Strict functions
// return NULL when an argument is NULL without calling Fn.
type Func struct {
	Name     string
	T        types.T
	Args     []Expr
	Strict   bool
	Volatile bool
	NeedsTxn bool // see Builtin.NeedsTxn
	Fn       func(c *Ctx, args []types.Datum) (types.Datum, error)
}

// Type implements Expr.
func (e *Func) Type() types.T { return e.T }

// Eval implements Expr.
func (e *Func) Eval(c *Ctx) (types.Datum, error) {
	args := make([]types.Datum, len(e.Args))
	for i, a := range e.Args {
		v, err := a.Eval(c)
		if err != nil {
			return nil, err
		}
		if v == nil && e.Strict {
			return nil, nil
		}
		args[i] = v
	}
	if e.Volatile && c.Folding {
		return nil, errNotFoldable
	}
	return e.Fn(c, args)
}

// And is SQL AND with three-valued logic.
type And struct{ L, R Expr }

// Type implements Expr.
func (e *And) Type() types.T { return types.Bool }

// Eval implements Expr: false wins over NULL.
func (e *And) Eval(c *Ctx) (types.Datum, error) {
	l, err := e.L.Eval(c)
	if err != nil {
		return nil, err
	}
	if l == false {
		return false, nil
	}
	r, err := e.R.Eval(c)
	if err != nil {
		return nil, err
	}
	if r == false {
		return false, nil
	}
	if l == nil || r == nil {
		return nil, nil
	}
	return true, nil
}

// Or is SQL OR with three-valued logic.
type Or struct{ L, R Expr }

// Type implements Expr.
func (e *Or) Type() types.T { return types.Bool }

// Eval implements Expr: true wins over NULL.
func (e *Or) Eval(c *Ctx) (types.Datum, error) {
	l, err := e.L.Eval(c)
	if err != nil {
		return nil, err
	}
	if l == true {
		return true, nil
	}
	r, err := e.R.Eval(c)
	if err != nil {
		return nil, err
	}
	if r == true {
		return true, nil
	}
	if l == nil || r == nil {
		return nil, nil
	}
	return false, nil
}

// Not is SQL NOT.
type Not struct{ X Expr }

// Type implements Expr.
func (e *Not) Type() types.T { return types.Bool }

// Eval implements Expr.
func (e *Not) Eval(c *Ctx) (types.Datum, error) {
	v, err := e.X.Eval(c)
	if err != nil || v == nil {
		return nil, err
	}
	return !v.(bool), nil
}

// IsNull is x IS [NOT] NULL.
type IsNull struct {
	X   Expr
	Not bool
}

// Type implements Expr.
func (e *IsNull) Type() types.T { return types.Bool }

// Eval implements Expr.
func (e *IsNull) Eval(c *Ctx) (types.Datum, error) {
	v, err := e.X.Eval(c)
	if err != nil {
		return nil, err
	}
	return (v == nil) != e.Not, nil
}

// IsTruth is x IS [NOT] TRUE/FALSE (never NULL).
type IsTruth struct {
	X    Expr
	Want bool
	Not  bool
}

// Type implements Expr.
func (e *IsTruth) Type() types.T { return types.Bool }

// Eval implements Expr.
func (e *IsTruth) Eval(c *Ctx) (types.Datum, error) {
	v, err := e.X.Eval(c)
	if err != nil {
		return nil, err
	}
	r := v != nil && v.(bool) == e.Want
	return r != e.Not, nil
}

// Case is CASE WHEN c THEN r ... ELSE e END (the simple form is bound into
// comparisons).
type Case struct {
	T     types.T
	Whens []Expr
	Thens []Expr
	Else  Expr // nil means NULL
}

// Type implements Expr.
func (e *Case) Type() types.T { return e.T }

// Eval implements Expr.
func (e *Case) Eval(c *Ctx) (types.Datum, error) {
	for i, w := range e.Whens {
		v, err := w.Eval(c)
		if err != nil {
			return nil, err
		}
		if v == true {
			return e.Thens[i].Eval(c)
		}
	}
	if e.Else == nil {
		return nil, nil
	}
	return e.Else.Eval(c)
}

// Coalesce returns its first non-NULL argument.
type Coalesce struct {
	T    types.T
	Args []Expr
}

// Type implements Expr.
func (e *Coalesce) Type() types.T { return e.T }

// Eval implements Expr.
func (e *Coalesce) Eval(c *Ctx) (types.Datum, error) {
	for _, a := range e.Args {
		v, err := a.Eval(c)
		if err != nil || v != nil {
			return v, err
		}
	}
	return nil, nil
}
