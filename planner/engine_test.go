package planner

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/augurdb/augur/actors/lockmgr"
	"github.com/augurdb/augur/planner/internal/datadriven"
	"github.com/augurdb/augur/storage/catalog"
	"github.com/augurdb/augur/storage/store"
)

// storeEnv is a session over a real store: every statement runs in its own
// transaction, committed when it succeeds (autocommit).
type storeEnv struct {
	*testEnv
	SequenceState
	eng *Engine
	txn *Txn
}

func newStoreEnv(t *testing.T) *storeEnv {
	t.Helper()
	eng := newTestEngine(t)
	e := &storeEnv{testEnv: newTestEnv(t), eng: eng}
	e.SequenceState = SequenceState{Engine: eng, Env: e}
	return e
}

// Locks implements Env.
func (e *storeEnv) Locks() (*lockmgr.Manager, *lockmgr.Owner) {
	return e.eng.Locks, e.eng.Locks.NewOwner(1)
}

// TempSchema implements Env.
func (e *storeEnv) TempSchema() string { return "pg_temp_1" }

func (e *storeEnv) Schema() *catalog.Schema {
	if e.txn != nil {
		return e.txn.Schema()
	}
	return e.eng.Catalog.Current()
}

func (e *storeEnv) Txn(context.Context) (*Txn, error) {
	if e.txn == nil {
		e.txn = e.eng.Begin(store.TxnOptions{})
	}
	return e.txn, nil
}

func (e *storeEnv) end(err error) error {
	t := e.txn
	e.txn = nil
	if t == nil {
		return nil
	}
	if err != nil {
		t.Abort()
		return nil
	}
	return t.Commit(context.Background())
}

// TestSQLDataDriven runs testdata/sql/*.txt against a real store: DDL, DML,
// queries, errors and EXPLAIN (COSTS OFF) plans. Regenerate with -rewrite.
func TestSQLDataDriven(t *testing.T) {
	files, _ := filepath.Glob("testdata/sql/*.txt")
	if len(files) == 0 {
		t.Fatal("no test files")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			p := New()
			env := newStoreEnv(t)
			datadriven.RunFile(t, f, *rewriteFlag, func(c datadriven.Case) string {
				return run(p, env, c.Input, caseParams(c))
			})
		})
	}
}
