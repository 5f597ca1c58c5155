package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/dgraph-io/badger/v4"
	"github.com/jackc/pgerrcode"
	"github.com/tidwall/btree"

	"github.com/augurdb/augur/storage/pgerr"
)

// TxnOptions configure a transaction.
type TxnOptions struct {
	// SynchronousCommit overrides the store's default for this transaction's commit:
	// nil keeps the default, true waits for fsync, false acknowledges after the write.
	SynchronousCommit *bool
	// BypassIndex makes reads ignore the index (SetIndex) and read Badger: the
	// index shards use it to load themselves from the store.
	BypassIndex bool
}

// Txn is a transaction: reads at a snapshot, writes buffered until Commit. Abort (or
// a failed Commit) leaves no trace. A Txn is not safe for concurrent use.
type Txn struct {
	s        *Store
	snapshot uint64
	rtxn     *badger.Txn // Badger's read transaction at snapshot; nil until reader
	noIndex  bool        // TxnOptions.BypassIndex
	buf      *btree.BTreeG[*Mutation]
	bufBytes int64
	spill    *spill
	iters    map[*Iterator]struct{} // open iterators
	sync     bool
	done     bool
	// tracker observes reads and writes (SetTracker); noCheck skips the
	// commit-time conflict check (SetConflictCheck).
	tracker Tracker
	noCheck bool
	// marks counts the savepoints set; undo is their undo log (txnctl.go).
	marks int
	undo  []undoEntry
}

// ErrTxnDone is returned by operations on a committed or aborted transaction.
var ErrTxnDone = errors.New("store: transaction already committed or aborted")

func lessMutation(a, b *Mutation) bool { return bytes.Compare(a.Key, b.Key) < 0 }

// Begin starts a transaction whose snapshot is the newest visible commit.
func (s *Store) Begin(opts TxnOptions) *Txn {
	snap := s.acquireSnapshot()
	t := &Txn{
		s:        s,
		snapshot: snap,
		noIndex:  opts.BypassIndex,
		buf:      btree.NewBTreeGOptions(lessMutation, btree.Options{NoLocks: true}),
		sync:     !s.opts.AsyncCommit,
	}
	if opts.SynchronousCommit != nil {
		t.sync = *opts.SynchronousCommit
	}
	return t
}

// reader returns Badger's read transaction at the snapshot, opening it on first
// use: most statements read only through the index shards, and a Badger
// transaction opened and discarded per statement was a tenth of a point query's
// allocations.
func (t *Txn) reader() *badger.Txn {
	if t.rtxn == nil {
		t.rtxn = t.s.db.NewTransactionAt(t.snapshot, false)
	}
	return t.rtxn
}

// Snapshot is the commit timestamp the transaction reads at.
func (t *Txn) Snapshot() uint64 { return t.snapshot }

func checkKey(key []byte) error {
	if len(key) == 0 || key[0] == 0x00 {
		return fmt.Errorf("store: key %x is empty or in the reserved 0x00 range", key)
	}
	return nil
}

// Get returns the value of key as the transaction sees it: its own latest write,
// else the committed value at its snapshot (from the index when it holds it).
// The value must not be modified: it may alias the write buffer or the index.
func (t *Txn) Get(key []byte) (value []byte, found bool, err error) {
	if t.done {
		return nil, false, ErrTxnDone
	}
	if t.tracker != nil {
		if err := t.tracker.Read(key); err != nil {
			return nil, false, err
		}
	}
	if m, ok := t.buf.Get(&Mutation{Key: key}); ok {
		return m.Value, !m.Delete, nil
	}
	if t.spill != nil {
		m, ok, err := t.spill.get(key)
		if err != nil {
			return nil, false, err
		}
		if ok {
			return m.Value, !m.Delete, nil
		}
	}
	if ix := t.index(); ix != nil {
		switch v, ans := ix.Lookup(key, t.snapshot); ans {
		case IndexAbsent:
			return nil, false, nil
		case IndexFound:
			return v, true, nil
		}
	}
	if err := t.s.readable(key, t.snapshot); err != nil {
		return nil, false, err
	}
	v, found, err := getValue(t.reader(), key)
	if err != nil {
		return nil, false, fmt.Errorf("store: get: %w", err)
	}
	return v, found, nil
}

// getValue reads key in rtxn and returns a copy of its value; found is false
// when rtxn sees no version of key.
func getValue(rtxn *badger.Txn, key []byte) (v []byte, found bool, err error) {
	item, err := rtxn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, false, nil
	}
	if err == nil {
		v, err = item.ValueCopy(nil)
	}
	return v, err == nil, err
}

// index returns the index the transaction reads through, or nil.
func (t *Txn) index() Index {
	if t.noIndex {
		return nil
	}
	if ix := t.s.index.Load(); ix != nil {
		return *ix
	}
	return nil
}

// Put buffers a write of key.

func (t *Txn) Put(key, value []byte) error {
	return t.write(Mutation{Key: bytes.Clone(key), Value: bytes.Clone(value)})
}

// Delete buffers a deletion of key.
func (t *Txn) Delete(key []byte) error {
	return t.write(Mutation{Key: bytes.Clone(key), Delete: true})
}

func (t *Txn) write(m Mutation) error {
	if t.done {
		return ErrTxnDone
	}
	if err := checkKey(m.Key); err != nil {
		return err
	}
	if t.tracker != nil {
		if err := t.tracker.Write(m.Key); err != nil {
			return err
		}
	}
	old, replaced := t.buf.Set(&m)
	if replaced {
		t.bufBytes -= int64(bufferedSize(*old))
	}
	if err := t.noteUndo(m.Key, old, replaced); err != nil {
		return err
	}
	t.bufBytes += int64(bufferedSize(m))
	if t.bufBytes > t.s.opts.TxnBufferMax {
		return t.spillBuffer()
	}
	return nil
}

// spillBuffer moves the buffer to a new sorted run in the transaction's spill file.
func (t *Txn) spillBuffer() error {
	if t.spill == nil {
		sp, err := newSpill(filepath.Join(t.s.dir, "tmp"), t.s.chains.Add(1))
		if err != nil {
			return err
		}
		t.spill = sp
	}
	if err := t.spill.addRun(t.buf); err != nil {
		return err
	}
	t.buf.Clear()
	t.bufBytes = 0
	return nil
}

// Spilled reports whether the write set has outgrown memory into a temporary file.
func (t *Txn) Spilled() bool { return t.spill != nil }

// Iterator walks keys in order. Close it when done.
type Iterator struct {
	m   *merger
	err error
	t   *Txn
}

// Scan returns an iterator over [start, end) as the transaction sees it (nil end:
// to the last key). The transaction's own writes made before Scan are included.
// Committed rows come from the index (SetIndex) when it can answer for the
// whole range at the snapshot (Index.Rows), else from Badger.
func (t *Txn) Scan(start, end []byte) *Iterator {
	if t.done {
		return &Iterator{err: ErrTxnDone}
	}
	if len(start) == 0 || start[0] == 0x00 {
		start = []byte{0x01}
	}
	if t.tracker != nil {
		if err := t.tracker.ReadRange(start, end); err != nil {
			return &Iterator{err: err}
		}
	}
	srcs := []source{newBufSource(t.buf, start, end)}
	if t.spill != nil {
		rs, err := t.spill.sources(start, end)
		if err != nil {
			return &Iterator{err: err}
		}
		srcs = append(srcs, rs...)
	}
	var committed source
	if ix := t.index(); ix != nil {
		if cur := ix.Rows(start, end, t.snapshot); cur != nil {
			// Only the keys the index cannot answer for are read from Badger,
			// each once the commits it may have up to the snapshot are applied.
			snap := t.snapshot
			readable := func(key []byte) error { return t.s.readable(key, snap) }
			is, err := newIndexSource(cur, t.s.db, snap, readable)
			if err != nil {
				for _, s := range srcs {
					s.close()
				}
				return &Iterator{err: fmt.Errorf("store: scan: %w", err)}
			}
			committed = is
		}
	}
	if committed == nil {
		if err := t.s.waitApplied(t.snapshot); err != nil {
			for _, s := range srcs {
				s.close()
			}
			return &Iterator{err: err}
		}
		committed = newBadgerSource(t.reader(), start, end)
	}
	srcs = append(srcs, committed)
	it := &Iterator{m: newMerger(srcs), t: t}
	if t.iters == nil {
		t.iters = map[*Iterator]struct{}{}
	}
	t.iters[it] = struct{}{}
	it.skipDeleted()
	return it
}

func (it *Iterator) skipDeleted() {
	for it.m.valid() && it.m.srcs[it.m.cur].deleted() {
		it.m.advance()
	}
}

// Valid reports whether the iterator is at a key.
func (it *Iterator) Valid() bool { return it.err == nil && it.m != nil && it.m.valid() }

// Key returns the current key (valid until Next).
func (it *Iterator) Key() []byte { return it.m.curKey }

// Value returns the current value.
func (it *Iterator) Value() ([]byte, error) { return it.m.srcs[it.m.cur].value() }

// WithValue calls fn with the current value, without copying it out of Badger:
// the slice is valid only during the call (loading the index shards at start
// reads every value once).
func (it *Iterator) WithValue(fn func(v []byte) error) error {
	if b, ok := it.m.srcs[it.m.cur].(*badgerSource); ok {
		return b.it.Item().Value(fn)
	}
	v, err := it.Value()
	if err != nil {
		return err
	}
	return fn(v)
}

// Next moves to the next key.
func (it *Iterator) Next() {
	it.m.advance()
	it.skipDeleted()
}

// Err returns the error that ended iteration, if any.
func (it *Iterator) Err() error {
	if it.err != nil {
		return it.err
	}
	if it.m != nil {
		return it.m.err
	}
	return nil
}

// Close releases the iterator.
func (it *Iterator) Close() {
	if it.m != nil {
		it.m.close()
		it.m = nil
	}
	if it.t != nil {
		delete(it.t.iters, it)
	}
}

// Abort discards the transaction's writes.
func (t *Txn) Abort() {
	if t.done {
		return
	}
	t.finish()
}

func (t *Txn) finish() {
	// Iterators left open (a statement that failed mid-scan) are closed first:
	// Badger refuses to discard a transaction with open iterators.
	for it := range t.iters {
		it.Close()
	}
	t.done = true
	if t.rtxn != nil {
		t.rtxn.Discard()
	}
	t.s.releaseSnapshot(t.snapshot)
	t.spill.close()
}

// Commit commits the transaction through the committer and returns its commit
// timestamp. A read-only transaction commits at once with timestamp 0. The error,
// when the commit fails, is a *pgerr.Error (40001, 53100, 58030).
//
// If ctx ends while the commit is in the pipeline, Commit still waits for the
// outcome: a commit cannot be recalled once its WAL record may be durable.
func (t *Txn) Commit(ctx context.Context) (uint64, error) {
	if t.done {
		return 0, ErrTxnDone
	}
	defer t.finish()
	if t.buf.Len() == 0 && t.spill == nil {
		return 0, nil
	}
	if err := ctx.Err(); err != nil {
		return 0, pgerr.Wrap(err, pgerrcode.QueryCanceled, "canceling commit")
	}
	if err := t.s.writable(); err != nil {
		return 0, err
	}
	// Close waits for commits holding the read lock, so none is submitted to a
	// committer that has stopped.
	t.s.commitMu.RLock()
	defer t.s.commitMu.RUnlock()
	if t.s.closed.Load() {
		return 0, ErrClosed
	}
	// A spilled write set goes to the committer entirely from its file: the
	// rest of the buffer is spilled too, so the commit record carries no
	// mutations and the commit (WAL chain, index shards, Badger) reads the
	// write set in bounded chunks instead of copying up to TxnBufferMax of it
	// into the record, the WAL's buffer and the shards' batches at once.
	if t.spill != nil && t.buf.Len() > 0 {
		if err := t.spillBuffer(); err != nil {
			return 0, pgerr.Wrap(err, pgerrcode.IOError, "could not write the transaction's spill file")
		}
	}
	c := &Commit{snapshot: t.snapshot, spill: t.spill, sync: t.sync, noCheck: t.noCheck, done: make(chan struct{})}
	c.muts = make([]Mutation, 0, t.buf.Len())
	t.buf.Scan(func(m *Mutation) bool { c.muts = append(c.muts, *m); return true })
	if t.spill != nil {
		t.spill.exclude = c.muts
	}
	t.s.committer.Submit(c)
	<-c.done
	if c.err != nil {
		return 0, c.err
	}
	return c.ts, nil
}
