package session

import (
	"context"

	"github.com/jackc/pgerrcode"

	"github.com/augurdb/augur/planner"
	"github.com/augurdb/augur/storage/pgerr"
)

// The transaction parameters transaction_isolation, transaction_read_only and
// transaction_deferrable hold the block's modes while a block is open; outside
// one they read as the default_transaction_* parameters (each statement's
// implicit transaction takes those).
var txnParams = map[string]string{
	"transaction_isolation":  "default_transaction_isolation",
	"transaction_read_only":  "default_transaction_read_only",
	"transaction_deferrable": "default_transaction_deferrable",
}

// txnVar returns the value of a transaction parameter as SHOW sees it.
func (s *Session) txnVar(name string) (string, bool) {
	def, ok := txnParams[name]
	if !ok {
		return "", false
	}
	if s.txStatus == 'I' {
		v, _ := s.vars.Get(def)
		return v, true
	}
	v, _ := s.vars.Get(name)
	return v, true
}

// txnMode is the mode of the transaction the session is in, or of the
// implicit one it would begin.
func (s *Session) txnMode() planner.TxnMode {
	iso, _ := s.txnVar("transaction_isolation")
	ro, _ := s.txnVar("transaction_read_only")
	return planner.TxnMode{Isolation: planner.ParseIsolation(iso), ReadOnly: ro == "on"}
}

// TxnReadOnly implements planner.Env.
func (s *Session) TxnReadOnly() bool { return s.txnMode().ReadOnly }

// beginBlock gives a new block its modes: BEGIN's, else the defaults.
func (s *Session) beginBlock(tx planner.TxOptions) {
	for name, def := range txnParams {
		v, _ := s.vars.Get(def)
		s.vars.Assign(name, v)
	}
	s.applyModes(tx)
	s.txn.Mode = s.txnMode()
}

// blockModes returns the open block's modes as BEGIN options.
func (s *Session) blockModes() planner.TxOptions {
	iso, _ := s.vars.Get("transaction_isolation")
	ro, _ := s.vars.Get("transaction_read_only")
	def, _ := s.vars.Get("transaction_deferrable")
	rob, defb := ro == "on", def == "on"
	return planner.TxOptions{Isolation: iso, ReadOnly: &rob, Deferrable: &defb}
}

func (s *Session) applyModes(tx planner.TxOptions) {
	if tx.Isolation != "" {
		s.vars.Assign("transaction_isolation", tx.Isolation)
	}
	if tx.ReadOnly != nil {
		s.vars.Assign("transaction_read_only", onOff(*tx.ReadOnly))
	}
	if tx.Deferrable != nil {
		s.vars.Assign("transaction_deferrable", onOff(*tx.Deferrable))
	}
}

// setTransaction runs SET TRANSACTION (and SET transaction_isolation etc.):
// PostgreSQL's rules on when each mode may still change.
func (s *Session) setTransaction(ctx context.Context, tx planner.TxOptions) error {
	if s.txStatus == 'I' {
		s.notices = append(s.notices, warning(pgerrcode.NoActiveSQLTransaction, "SET TRANSACTION can only be used in transaction blocks"))
		return nil
	}
	begun := s.txn.Begun() || s.queried
	sub := s.txn.Savepoints() > 0
	if tx.Isolation != "" {
		cur, _ := s.vars.Get("transaction_isolation")
		if tx.Isolation != cur {
			if begun {
				return pgerr.New(pgerrcode.ActiveSQLTransaction, "SET TRANSACTION ISOLATION LEVEL must be called before any query")
			}
			if sub {
				return pgerr.New(pgerrcode.ActiveSQLTransaction, "SET TRANSACTION ISOLATION LEVEL must not be called in a subtransaction")
			}
		}
	}
	if tx.ReadOnly != nil && !*tx.ReadOnly {
		if cur, _ := s.vars.Get("transaction_read_only"); cur == "on" {
			if sub {
				return pgerr.New(pgerrcode.ActiveSQLTransaction, "cannot set transaction read-write mode inside a read-only transaction")
			}
			if begun {
				return pgerr.New(pgerrcode.ActiveSQLTransaction, "transaction read-write mode must be set before any query")
			}
		}
	}
	if tx.Deferrable != nil {
		cur, _ := s.vars.Get("transaction_deferrable")
		if onOff(*tx.Deferrable) != cur {
			if sub {
				return pgerr.New(pgerrcode.ActiveSQLTransaction, "SET TRANSACTION [NOT] DEFERRABLE cannot be called within a subtransaction")
			}
			if begun {
				return pgerr.New(pgerrcode.ActiveSQLTransaction, "SET TRANSACTION [NOT] DEFERRABLE must be called before any query")
			}
		}
	}
	s.applyModes(tx)
	m := s.txnMode()
	s.txn.Mode.Isolation = m.Isolation
	s.txn.SetReadOnly(m.ReadOnly)
	return nil
}

// setTxnParam is SET of a transaction parameter: SET TRANSACTION in another
// spelling. handled is false for other parameters.
func (s *Session) setTxnParam(ctx context.Context, name string, values []string) (handled bool, err error) {
	if _, ok := txnParams[name]; !ok {
		return false, nil
	}
	var tx planner.TxOptions
	v := ""
	if len(values) > 0 {
		v = values[0]
	} else {
		v, _ = s.vars.Get(txnParams[name])
	}
	switch name {
	case "transaction_isolation":
		switch v {
		case "serializable", "repeatable read", "read committed", "read uncommitted":
		default:
			return true, pgerr.New(pgerrcode.InvalidParameterValue, "invalid value for parameter \"%s\": \"%s\"", name, v).
				WithHint("Available values: serializable, repeatable read, read committed, read uncommitted.")
		}
		tx.Isolation = v
	default:
		b, ok := parseBool(v)
		if !ok {
			return true, pgerr.New(pgerrcode.InvalidParameterValue, "parameter \"%s\" requires a Boolean value", name)
		}
		if name == "transaction_read_only" {
			tx.ReadOnly = &b
		} else {
			tx.Deferrable = &b
		}
	}
	return true, s.setTransaction(ctx, tx)
}

func parseBool(v string) (bool, bool) {
	switch v {
	case "on", "true", "yes", "1", "t", "y":
		return true, true
	case "off", "false", "no", "0", "f", "n":
		return false, true
	}
	return false, false
}

// savepointStatement runs SAVEPOINT, RELEASE and ROLLBACK TO.
func (s *Session) savepointStatement(ctx context.Context, k planner.Kind, name string) error {
	n, err := s.txn.SavepointStatement(ctx, k, name, s.txStatus != 'I')
	if err != nil {
		return err
	}
	switch k {
	case planner.KindSavepoint:
		s.spVars = append(s.spVars, s.vars.Clone())
	case planner.KindRelease:
		s.spVars = s.spVars[:n]
	case planner.KindRollbackTo:
		s.closePortals()
		s.vars = s.spVars[n-1].Clone()
		s.spVars = s.spVars[:n]
		s.txStatus = 'T'
	}
	return nil
}

// takeSnapshot begins a REPEATABLE READ or SERIALIZABLE block's transaction at
// its first query even when the query reads no table (SELECT 1): PostgreSQL
// takes the block's snapshot there.
func (s *Session) takeSnapshot(ctx context.Context) error {
	if s.txn.Begun() || s.opts.Engine == nil || s.txnMode().Isolation == planner.ReadCommitted {
		return nil
	}
	_, err := s.Txn(ctx)
	return err
}

// takesSnapshot reports whether a statement of kind k reads the database (and
// so fixes a block's snapshot in PostgreSQL).
func takesSnapshot(k planner.Kind) bool {
	switch k {
	case planner.KindSelect, planner.KindInsert, planner.KindUpdate, planner.KindDelete,
		planner.KindDDL, planner.KindExecute:
		return true
	}
	return false
}
