package store

import (
	"bytes"
	"fmt"

	"github.com/dgraph-io/badger/v4"
	"github.com/tidwall/btree"
)

// source is one ordered stream of mutations feeding a merge: the transaction's
// in-memory buffer, one of its spilled runs, or Badger at the snapshot.
type source interface {
	valid() bool
	key() []byte
	deleted() bool
	value() ([]byte, error)
	next() error
	close()
}

// merger merges sources ordered newest first: for a key present in several, the
// first source's mutation wins and the others are skipped.
type merger struct {
	srcs   []source
	cur    int // index of the winning source, -1 when exhausted
	err    error
	curKey []byte
}

func newMerger(srcs []source) *merger {
	m := &merger{srcs: srcs}
	m.pick()
	return m
}

func (m *merger) pick() {
	m.cur = -1
	for i, s := range m.srcs {
		if !s.valid() {
			continue
		}
		if m.cur < 0 || bytes.Compare(s.key(), m.srcs[m.cur].key()) < 0 {
			m.cur = i
		}
	}
	if m.cur >= 0 {
		m.curKey = append(m.curKey[:0], m.srcs[m.cur].key()...)
	}
}

func (m *merger) valid() bool { return m.err == nil && m.cur >= 0 }

// advance moves every source past the current key.
func (m *merger) advance() {
	for _, s := range m.srcs {
		for s.valid() && bytes.Equal(s.key(), m.curKey) {
			if err := s.next(); err != nil {
				m.err = err
				return
			}
		}
	}
	m.pick()
}

func (m *merger) close() {
	for _, s := range m.srcs {
		s.close()
	}
}

// bufSource iterates a copy of a transaction's write buffer.
type bufSource struct {
	it  btree.IterG[*Mutation]
	ok  bool
	end []byte
}

func newBufSource(buf *btree.BTreeG[*Mutation], start, end []byte) *bufSource {
	s := &bufSource{it: buf.Copy().Iter(), end: end}
	s.ok = s.it.Seek(&Mutation{Key: start})
	s.clip()
	return s
}

func (s *bufSource) clip() {
	if s.ok && s.end != nil && bytes.Compare(s.it.Item().Key, s.end) >= 0 {
		s.ok = false
	}
}
func (s *bufSource) valid() bool            { return s.ok }
func (s *bufSource) key() []byte            { return s.it.Item().Key }
func (s *bufSource) deleted() bool          { return s.it.Item().Delete }
func (s *bufSource) value() ([]byte, error) { return s.it.Item().Value, nil }
func (s *bufSource) next() error {
	s.ok = s.it.Next()
	s.clip()
	return nil
}
func (s *bufSource) close() { s.it.Release() }

// sliceSource iterates a sorted slice of mutations.
type sliceSource struct {
	muts []Mutation
	i    int
}

func (s *sliceSource) valid() bool            { return s.i < len(s.muts) }
func (s *sliceSource) key() []byte            { return s.muts[s.i].Key }
func (s *sliceSource) deleted() bool          { return s.muts[s.i].Delete }
func (s *sliceSource) value() ([]byte, error) { return s.muts[s.i].Value, nil }
func (s *sliceSource) next() error            { s.i++; return nil }
func (s *sliceSource) close()                 {}

// indexSource iterates the committed keys of a range through the index
// (Index.Rows): values the index holds come from it, the others are read from
// Badger at the snapshot, one key at a time (keys changed after the snapshot,
// which may not exist at it).
type indexSource struct {
	cur      IndexCursor
	db       *badger.DB
	snapshot uint64
	rtxn     *badger.Txn // opened at the first key read from Badger
	// readable waits until a key can be read from Badger at the snapshot
	// (Store.readable: commits are visible before they are applied).
	readable func(key []byte) error
	ok       bool
	val      []byte
}

func newIndexSource(cur IndexCursor, db *badger.DB, snapshot uint64, readable func(key []byte) error) (*indexSource, error) {
	s := &indexSource{cur: cur, db: db, snapshot: snapshot, readable: readable}
	if err := s.next(); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

func (s *indexSource) valid() bool            { return s.ok }
func (s *indexSource) key() []byte            { return s.cur.Key() }
func (s *indexSource) deleted() bool          { return false }
func (s *indexSource) value() ([]byte, error) { return s.val, nil }

func (s *indexSource) close() {
	if s.rtxn != nil {
		s.rtxn.Discard()
		s.rtxn = nil
	}
}

func (s *indexSource) next() error {
	for s.cur.Next() {
		if v, known := s.cur.Value(); known {
			s.ok, s.val = true, v
			return nil
		}
		if err := s.readable(s.cur.Key()); err != nil {
			s.ok = false
			return err
		}
		if s.rtxn == nil {
			s.rtxn = s.db.NewTransactionAt(s.snapshot, false)
		}
		v, found, err := getValue(s.rtxn, s.cur.Key())
		if err != nil {
			s.ok = false
			return fmt.Errorf("read %x: %w", s.cur.Key(), err)
		}
		if !found {
			continue
		}
		s.ok, s.val = true, v
		return nil
	}
	s.ok = false
	return nil
}

// badgerSource iterates Badger at the transaction's snapshot (deleted keys are
// skipped by Badger itself).
type badgerSource struct {
	it  *badger.Iterator
	end []byte
}

func newBadgerSource(txn *badger.Txn, start, end []byte) *badgerSource {
	opts := badger.DefaultIteratorOptions
	opts.PrefetchValues = false
	s := &badgerSource{it: txn.NewIterator(opts), end: end}
	s.it.Seek(start)
	return s
}

func (s *badgerSource) valid() bool {
	if !s.it.Valid() {
		return false
	}
	return s.end == nil || bytes.Compare(s.it.Item().Key(), s.end) < 0
}
func (s *badgerSource) key() []byte            { return s.it.Item().Key() }
func (s *badgerSource) deleted() bool          { return false }
func (s *badgerSource) value() ([]byte, error) { return s.it.Item().ValueCopy(nil) }
func (s *badgerSource) next() error            { s.it.Next(); return nil }
func (s *badgerSource) close()                 { s.it.Close() }
