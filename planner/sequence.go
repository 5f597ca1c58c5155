package planner

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"sync"

	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/augurdb/augur/planner/exec"
	"github.com/augurdb/augur/storage/types"

	"github.com/augurdb/augur/storage/catalog"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/store"
	"github.com/jackc/pgerrcode"
)

// seqCache is the number of values a sequence reserves per write of its state,
// as PostgreSQL logs 32 values ahead (SEQ_LOG_VALS): a crash skips at most that many.
const seqCache = 32

// seqState is the in-memory state of one sequence: the last value handed out and
// the limit up to which values are reserved in the store.
type seqState struct {
	mu      sync.Mutex
	loaded  bool
	last    int64 // last value handed out (or start - increment)
	limit   int64 // values up to limit (in the direction of increment) are reserved
	reserve bool  // limit is meaningful
	called  bool  // last was handed out (is_called); else the next value is last + increment
}

func (e *Engine) seq(id uint32) *seqState {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.seqs == nil {
		e.seqs = map[uint32]*seqState{}
	}
	st, ok := e.seqs[id]
	if !ok {
		st = &seqState{}
		e.seqs[id] = st
	}
	return st
}

func (e *Engine) loadSeq(q *catalog.Sequence, st *seqState) error {
	if st.loaded {
		return nil
	}
	v, found, err := e.storedInt(catalog.SequenceKey(q.ID))
	if err != nil {
		return fmt.Errorf("planner: read sequence %s: %w", q.Name, err)
	}
	st.loaded = true
	st.last = q.Start - q.Increment
	if found {
		// Values up to the stored limit may have been handed out: continue after it.
		st.last, st.called = v, true
	}
	return nil
}

// Nextval advances sequence q and returns its new value.
func (e *Engine) Nextval(ctx context.Context, q *catalog.Sequence) (int64, error) {
	st := e.seq(q.ID)
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := e.loadSeq(q, st); err != nil {
		return 0, err
	}
	next := st.last + q.Increment
	if next > q.Max || next < q.Min || (q.Increment > 0 && next < st.last) || (q.Increment < 0 && next > st.last) {
		if !q.Cycle {
			bound, which := q.Max, "maximum"
			if q.Increment < 0 {
				bound, which = q.Min, "minimum"
			}
			return 0, pgerr.New(pgerrcode.SequenceGeneratorLimitExceeded, "nextval: reached %s value of sequence %q (%d)", which, q.Name, bound)
		}
		next = q.Min
		if q.Increment < 0 {
			next = q.Max
		}
		st.reserve = false
	}
	beyond := !st.reserve || (q.Increment > 0 && next > st.limit) || (q.Increment < 0 && next < st.limit)
	if beyond {
		// Reserve this value and seqCache more, as PostgreSQL logs a fetch
		// plus 32: log_cnt then counts 32 down to 0.
		limit := next + q.Increment*seqCache
		if q.Increment > 0 && (limit > q.Max || limit < next) {
			limit = q.Max
		} else if q.Increment < 0 && (limit < q.Min || limit > next) {
			limit = q.Min
		}
		if err := e.storeInt(ctx, catalog.SequenceKey(q.ID), limit); err != nil {
			return 0, err
		}
		st.limit, st.reserve = limit, true
	}
	st.last, st.called = next, true
	return next, nil
}

// Setval sets the sequence's current value; called false makes the next nextval
// return v itself.
func (e *Engine) Setval(ctx context.Context, q *catalog.Sequence, v int64, called bool) error {
	if v < q.Min || v > q.Max {
		return pgerr.New(pgerrcode.NumericValueOutOfRange, "setval: value %d is out of bounds for sequence %q (%d..%d)", v, q.Name, q.Min, q.Max)
	}
	st := e.seq(q.ID)
	st.mu.Lock()
	defer st.mu.Unlock()
	st.loaded = true
	stored := v
	if !called {
		stored = v - q.Increment
	}
	if err := e.storeInt(ctx, catalog.SequenceKey(q.ID), stored); err != nil {
		return err
	}
	st.last, st.limit, st.reserve, st.called = stored, stored, true, true
	if !called {
		st.last, st.called = v, false
		st.last -= q.Increment
	}
	return nil
}

// Restart makes the next nextval of q return v (ALTER SEQUENCE ... RESTART).
func (e *Engine) Restart(ctx context.Context, q *catalog.Sequence, v int64) error {
	st := e.seq(q.ID)
	st.mu.Lock()
	defer st.mu.Unlock()
	st.loaded = true
	if err := e.storeInt(ctx, catalog.SequenceKey(q.ID), v-q.Increment); err != nil {
		return err
	}
	st.last, st.reserve, st.called = v-q.Increment, false, false
	return nil
}

// ResetLog ends q's reservation of values, as ALTER SEQUENCE rewrites
// PostgreSQL's sequence tuple with log_cnt 0.
func (e *Engine) ResetLog(ctx context.Context, q *catalog.Sequence) error {
	st := e.seq(q.ID)
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := e.loadSeq(q, st); err != nil {
		return err
	}
	if st.called {
		if err := e.storeInt(ctx, catalog.SequenceKey(q.ID), st.last); err != nil {
			return err
		}
	}
	st.reserve = false
	return nil
}

// SeqState returns what SELECT * FROM a sequence shows: last_value, log_cnt
// and is_called.
func (e *Engine) SeqState(q *catalog.Sequence) (last, logCnt int64, called bool, err error) {
	st := e.seq(q.ID)
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := e.loadSeq(q, st); err != nil {
		return 0, 0, false, err
	}
	if !st.called {
		return st.last + q.Increment, 0, false, nil
	}
	if st.reserve {
		logCnt = (st.limit - st.last) / q.Increment
	}
	return st.last, logCnt, true, nil
}

// saveSeq returns a function that puts sequence q's state — in memory and in
// the store — back as it is now (a rolled-back ALTER SEQUENCE).
func (e *Engine) saveSeq(q *catalog.Sequence) (func(), error) {
	st := e.seq(q.ID)
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := e.loadSeq(q, st); err != nil {
		return nil, err
	}
	stored, found, err := e.storedInt(catalog.SequenceKey(q.ID))
	if err != nil {
		return nil, fmt.Errorf("planner: read sequence %s: %w", q.Name, err)
	}
	last, limit, reserve, called := st.last, st.limit, st.reserve, st.called
	return func() {
		st := e.seq(q.ID)
		st.mu.Lock()
		defer st.mu.Unlock()
		txn := e.Store.Begin(store.TxnOptions{})
		if found {
			err = txn.Put(catalog.SequenceKey(q.ID), binary.BigEndian.AppendUint64(nil, uint64(stored)))
		} else {
			err = txn.Delete(catalog.SequenceKey(q.ID))
		}
		if err == nil {
			_, err = txn.Commit(context.Background())
		} else {
			txn.Abort()
		}
		if err != nil {
			// The state in the store is unknown: read it again next time.
			st.loaded = false
			return
		}
		st.loaded, st.last, st.limit, st.reserve, st.called = true, last, limit, reserve, called
	}, nil
}

// resetSeq forgets the state of sequence id, in memory and in the store (in a
// commit of its own), before a new sequence takes the id: a CREATE SEQUENCE
// that was rolled back may have handed out values under it. A dropped
// sequence's state is kept in memory until then, so that a DROP SEQUENCE
// rolled back continues where the sequence was.
func (e *Engine) resetSeq(ctx context.Context, id uint32) error {
	e.mu.Lock()
	delete(e.seqs, id)
	e.mu.Unlock()
	txn := e.Store.Begin(store.TxnOptions{})
	if err := txn.Delete(catalog.SequenceKey(id)); err != nil {
		txn.Abort()
		return err
	}
	_, err := txn.Commit(ctx)
	return err
}

// ReadSequence implements exec.SequenceReader.
func (s *SequenceState) ReadSequence(name string) (last, logCnt int64, called bool, err error) {
	q, err := s.resolve(name)
	if err != nil {
		return 0, 0, false, err
	}
	return s.Engine.SeqState(q)
}

// sequenceSource is a sequence named in FROM: a relation of one row.
func (b *binder) sequenceSource(tn *ast.TableName, alias string) (*relation, bool, error) {
	schema, name := tn.Schema.O, tn.Name.O
	if _, s, ok := strings.Cut(schema, catalogSep); ok {
		schema = s
	}
	q := b.ns.sequence(schema, name)
	if q == nil {
		return nil, false, nil
	}
	if alias == "" {
		alias = name
	}
	p := &relPlan{
		node: &exec.SequenceScan{Name: quoteIdent(q.Schema) + "." + quoteIdent(q.Name), Info: exec.NodeInfo{Name: "Seq Scan on " + q.Name, Rows: 1}},
		cols: []Column{{Name: "last_value", Type: types.Int8, Typmod: -1}, {Name: "log_cnt", Type: types.Int8, Typmod: -1}, {Name: "is_called", Type: types.Bool, Typmod: -1}},
		est:  1,
	}
	r, err := b.derived(alias, p, nil)
	return r, true, err
}
