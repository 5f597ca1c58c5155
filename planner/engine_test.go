package planner

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/augurdb/augur/planner/exec"
	"github.com/augurdb/augur/planner/internal/datadriven"
	"github.com/augurdb/augur/storage/catalog"
	"github.com/augurdb/augur/storage/store"
	"github.com/rs/zerolog"
)

// storeEnv is a session over a real store: every statement runs in its own
// transaction, committed when it succeeds (autocommit).
type storeEnv struct {
	*testEnv
	eng *Engine
	txn *Txn
}

func newStoreEnv(t *testing.T) *storeEnv {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir(), store.Options{CheckpointTimeout: -1}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close(ctx) })
	eng, err := NewEngine(ctx, st, map[string]string{"augur": "augur"})
	if err != nil {
		t.Fatal(err)
	}
	return &storeEnv{testEnv: newTestEnv(t), eng: eng}
}

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

func (e *storeEnv) sequence(name string) (*catalog.Sequence, error) {
	if q, ok := e.Schema().Databases["augur"].Sequences[name]; ok {
		return q, nil
	}
	return nil, exec.SequenceNotFound(name)
}

func (e *storeEnv) Nextval(c *exec.Ctx, name string) (int64, error) {
	q, err := e.sequence(name)
	if err != nil {
		return 0, err
	}
	return e.eng.Nextval(c.Context, q)
}

func (e *storeEnv) Currval(string) (int64, error) { return 0, errors.New("not in this test") }
func (e *storeEnv) Lastval() (int64, error)       { return 0, errors.New("not in this test") }
func (e *storeEnv) Setval(c *exec.Ctx, name string, v int64, called bool) (int64, error) {
	q, err := e.sequence(name)
	if err != nil {
		return 0, err
	}
	return v, e.eng.Setval(c.Context, q, v, called)
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
				var params []string
				if _, ps, ok := strings.Cut(c.Directive, "params="); ok {
					params = strings.Split(ps, ",")
				}
				return run(p, env, c.Input, params)
			})
		})
	}
}
