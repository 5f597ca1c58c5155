package planner

import (
	"context"
	"strings"

	"github.com/augurdb/augur/planner/exec"
	"github.com/augurdb/augur/planner/pgdialect"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// SQL-level prepared statements: PREPARE, EXECUTE, DEALLOCATE and DISCARD.
//
// The statements live in the session, in the same namespace as the protocol's
// named statements (Parse): a statement prepared by either is executed, described
// and deallocated by either, and a name is taken only once (42P05), as in
// PostgreSQL. The session implements PreparedStatements; an Env without it gets
// 0A000 for these statements.

// PreparedStatements is the session's namespace of named prepared statements.
type PreparedStatements interface {
	// AddPrepared stores a prepared statement; 42P05 when the name is taken.
	AddPrepared(name string, st *Statement, plan *Plan) error
	// Prepared returns the plan of a named statement.
	Prepared(name string) (*Plan, bool)
	// Deallocate drops a named statement and reports whether it existed.
	Deallocate(name string) bool
	// DeallocateAll drops every named statement.
	DeallocateAll()
	// Discard runs DISCARD what ("all", "plans", "sequences", "temp") on the
	// session's state.
	Discard(what string) error
}

// prepared is what a plan of PREPARE, EXECUTE, DEALLOCATE or DISCARD carries.
type preparedPlan struct {
	stmt *pgdialect.PrepareStmt
	// PREPARE: the statement to prepare.
	body *Statement
	// EXECUTE: the statement's plan when this one was bound, and the arguments
	// coerced to its parameter types.
	target *Plan
	args   []exec.Expr
}

func preparedStore(env Env) (PreparedStatements, error) {
	ps, ok := env.(PreparedStatements)
	if !ok || ps == nil {
		return nil, pgerr.FeatureNotSupported("prepared statements are not supported in this session")
	}
	return ps, nil
}

// parsePrepare reads PREPARE (and the statement it prepares), EXECUTE (and its
// arguments, as a SELECT list), DEALLOCATE and DISCARD.
func (p *Planner) parsePrepare(s *Statement, ps *pgdialect.PrepareStmt, all []pgdialect.Token) error {
	s.prep = ps
	switch ps.Kind {
	case pgdialect.Prepare:
		s.Kind = KindPrepare
		toks := s.toks[ps.Body:]
		body := &Statement{SQL: s.src[toks[0].Pos:toks[len(toks)-1].End], src: s.src, toks: toks}
		if err := p.parseOne(body, all); err != nil {
			return err
		}
		if body.explain != nil || !preparable(body.Kind) {
			t := toks[0]
			return pgerr.Syntax(pgdialect.CharPos(s.src, t.Pos), "syntax error at or near %q", s.src[t.Pos:t.End])
		}
		s.inner = body
	case pgdialect.Execute:
		s.Kind = KindExecute
		if ps.NArgs > 0 {
			stmts, err := p.Parse("SELECT " + ps.Args)
			if err != nil {
				return err
			}
			if len(stmts) != 1 {
				return pgerr.Syntax(0, "syntax error in EXECUTE arguments")
			}
			s.inner = stmts[0]
		}
	case pgdialect.Deallocate:
		s.Kind = KindDeallocate
	case pgdialect.Discard:
		s.Kind = KindDiscard
	}
	return nil
}

// preparable reports whether PREPARE takes a statement of kind k.
func preparable(k Kind) bool {
	switch k {
	case KindSelect, KindInsert, KindUpdate, KindDelete, KindOther:
		return true
	}
	return false
}

// preparePrepared plans PREPARE, EXECUTE, DEALLOCATE and DISCARD.
func (p *Planner) preparePrepared(env Env, st *Statement, paramTypes []uint32) (*Plan, error) {
	ps := st.prep
	pl := &Plan{Kind: st.Kind, stmt: st, declared: paramTypes, planner: p, prep: &preparedPlan{stmt: ps, body: st.inner}}
	if ps.Kind != pgdialect.Execute {
		if len(paramTypes) > 0 {
			return nil, pgerr.New(pgerrcode.ProtocolViolation, "bind message supplies parameters, but %s takes none", firstWord(st))
		}
		return pl, nil
	}
	store, err := preparedStore(env)
	if err != nil {
		return nil, err
	}
	target, ok := store.Prepared(ps.Name)
	if !ok {
		return nil, pgerr.New(pgerrcode.InvalidSQLStatementName, "prepared statement %q does not exist", ps.Name)
	}
	if ps.NArgs != len(target.Params) {
		return nil, pgerr.New(pgerrcode.SyntaxError, "wrong number of parameters for prepared statement %q", ps.Name).
			WithDetail("Expected %d parameters but got %d.", len(target.Params), ps.NArgs)
	}
	pl.Kind, pl.Columns = target.Kind, target.Columns
	pl.prep.target = target
	if ps.NArgs == 0 {
		return pl, nil
	}
	// The arguments are bound as a SELECT list, then coerced to the parameter
	// types with the assignment rules, as PostgreSQL's EvaluateParams does.
	b, err := newBinder(st.inner, paramTypes)
	if err != nil {
		return nil, err
	}
	b.planner = p
	p.ctes = nil
	b.schema, b.db, b.stats = env.Schema(), env.Database(), env.RowEstimate
	sel, ok := st.inner.node.(*ast.SelectStmt)
	if !ok || sel.Fields == nil || len(sel.Fields.Fields) != ps.NArgs {
		return nil, pgerr.Syntax(0, "syntax error in EXECUTE arguments")
	}
	// Positions in errors point into "SELECT <args>"; move them to the source.
	shift := func(err error) error {
		if pe, ok := err.(*pgerr.Error); ok && pe.Position > int32(len("SELECT ")) {
			return pe.WithPosition(pe.Position - int32(len("SELECT ")) - 1 + pgdialect.CharPos(st.src, ps.ArgsPos))
		}
		return err
	}
	for i, f := range sel.Fields.Fields {
		e, err := b.expr(f.Expr)
		if err != nil {
			return nil, shift(err)
		}
		if e, err = b.coerceParam(e, target.Params[i], i+1); err != nil {
			return nil, shift(err)
		}
		pl.prep.args = append(pl.prep.args, e)
	}
	pl.version = b.schema.Version
	if pl.Params, err = b.finalParams(); err != nil {
		return nil, err
	}
	return pl, nil
}

// coerceParam gives an EXECUTE argument the type of parameter $n.
func (b *binder) coerceParam(e exec.Expr, t types.T, n int) (exec.Expr, error) {
	from := e.Type()
	switch {
	case from == t:
		return e, nil
	case from == types.Unknown:
		ce, err := b.coerce(e, t, "")
		if err != nil {
			return nil, err
		}
		return &exec.Cast{X: ce, T: t, Typmod: -1, Assignment: true}, nil
	case implicit(from, t) || types.ImplicitCast(from, t) || numericRank(from) > 0 && numericRank(t) > 0 || t.IsString():
		return &exec.Cast{X: e, T: t, Typmod: -1, Assignment: true}, nil
	}
	return nil, pgerr.New(pgerrcode.DatatypeMismatch, "parameter $%d of type %s cannot be coerced to the expected type %s", n, from.SQLName(), t.SQLName()).
		WithHint("You will need to rewrite or cast the expression.")
}

// resolveExecute returns the plan an EXECUTE runs and its argument values. The
// statement is looked up again: it may have been deallocated or prepared anew
// since the EXECUTE was bound.
func (pl *Plan) resolveExecute(ctx context.Context, env Env, params []types.Datum) (*Plan, []types.Datum, error) {
	pp := pl.prep
	store, err := preparedStore(env)
	if err != nil {
		return nil, nil, err
	}
	target, ok := store.Prepared(pp.stmt.Name)
	if !ok {
		return nil, nil, pgerr.New(pgerrcode.InvalidSQLStatementName, "prepared statement %q does not exist", pp.stmt.Name)
	}
	if target != pp.target {
		np, err := pl.planner.Prepare(env, pl.stmt, pl.declared)
		if err != nil {
			return nil, nil, err
		}
		if !sameColumns(np.Columns, pl.Columns) {
			return nil, nil, pgerr.FeatureNotSupported("cached plan must not change result type")
		}
		pp = np.prep
	}
	c := exec.NewCtx(ctx, nil, params, env)
	if len(pp.args) > 0 {
		if txn, err := env.Txn(ctx); err == nil {
			c.Txn = txn.KV
		}
	}
	args := make([]types.Datum, len(pp.args))
	for i, e := range pp.args {
		if args[i], err = e.Eval(c); err != nil {
			return nil, nil, err
		}
	}
	return pp.target, args, nil
}

// executePrepared runs PREPARE, EXECUTE, DEALLOCATE or DISCARD.
func (pl *Plan) executePrepared(ctx context.Context, env Env, params []types.Datum) (Rows, error) {
	pp := pl.prep
	ps := pp.stmt
	store, err := preparedStore(env)
	if err != nil {
		return nil, err
	}
	switch ps.Kind {
	case pgdialect.Prepare:
		var oids []uint32
		for i, text := range ps.Types {
			t, _, err := parseTypeText(pgdialect.NormalizeType(text))
			if err != nil {
				if pe, ok := err.(*pgerr.Error); ok && pe.Position == 0 {
					err = pe.WithPosition(pgdialect.CharPos(pl.stmt.src, ps.TypePos[i]))
				}
				return nil, err
			}
			oids = append(oids, t.OID())
		}
		target, err := pl.planner.Prepare(env, pp.body, oids)
		if err != nil {
			return nil, err
		}
		if err := store.AddPrepared(ps.Name, pp.body, target); err != nil {
			return nil, err
		}
		return &exec.Result{TagText: "PREPARE"}, nil
	case pgdialect.Execute:
		target, args, err := pl.resolveExecute(ctx, env, params)
		if err != nil {
			return nil, err
		}
		return target.Execute(ctx, env, args)
	case pgdialect.Deallocate:
		if ps.All {
			store.DeallocateAll()
			return &exec.Result{TagText: "DEALLOCATE ALL"}, nil
		}
		if !store.Deallocate(ps.Name) {
			return nil, pgerr.New(pgerrcode.InvalidSQLStatementName, "prepared statement %q does not exist", ps.Name)
		}
		return &exec.Result{TagText: "DEALLOCATE"}, nil
	case pgdialect.Discard:
		if ps.What == "all" && env.InTransactionBlock() {
			return nil, pgerr.New(pgerrcode.ActiveSQLTransaction, "DISCARD ALL cannot run inside a transaction block")
		}
		if err := store.Discard(ps.What); err != nil {
			return nil, err
		}
		return &exec.Result{TagText: "DISCARD " + strings.ToUpper(ps.What)}, nil
	}
	return nil, pgerr.New(pgerrcode.InternalError, "unknown prepared statement command %d", ps.Kind)
}

// Discard forgets the session's currval and lastval values (DISCARD SEQUENCES).
func (s *SequenceState) Discard() {
	s.currvals, s.lastval, s.hasLastval = nil, 0, false
}
