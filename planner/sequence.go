package planner

import (
	"context"
	"fmt"
	"sync"

	"github.com/augurdb/augur/storage/catalog"
	"github.com/augurdb/augur/storage/pgerr"
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
		st.last = v
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
		limit := next + q.Increment*(seqCache-1)
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
	st.last = next
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
	st.last, st.limit, st.reserve = stored, stored, true
	return nil
}

// dropSeq forgets a dropped sequence's state.
func (e *Engine) dropSeq(id uint32) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.seqs, id)
}
