package store

import (
	"bytes"
	"fmt"
	"os"
	"sort"

	"github.com/tidwall/btree"

	"github.com/augurdb/augur/storage/wal"
)

// A spill holds the part of a transaction's write set that outgrew TxnBufferMax:
// sorted runs in a temporary file, each with a sparse in-memory index (one key in
// indexEvery), so memory stays bounded however large the transaction grows while
// gets and ordered scans still see the transaction's own writes.
//
// At commit the runs are merged (newest run wins a key; keys still in the memory
// buffer win over all runs) and logged as a chain of WAL records of about
// chainPartSize bytes each, closed by the commit record.
type spill struct {
	id    uint64
	f     *os.File
	size  int64
	runs  []*run // oldest first
	nPart int    // chain parts written (set by writeChain)
	// exclude holds the keys that the memory buffer overrides, set at commit.
	exclude []Mutation
}

type run struct {
	off, end int64
	index    []indexEntry // index[0].key is the run's first key
	last     []byte       // the run's last key

	// The block get read last: a transaction that reads its own writes back in
	// key order (ALTER TABLE's rewrite checks each new key's uniqueness against
	// the deletions of the old rows) reads each block once instead of once a key.
	cachedOff   int64
	cachedBlock []Mutation // nil when no block is cached
}

type indexEntry struct {
	key []byte
	off int64
}

const (
	indexEvery    = 128
	chainPartSize = 1 << 20
)

func newSpill(dir string, id uint64) (*spill, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: spill dir: %w", err)
	}
	f, err := os.CreateTemp(dir, "txn-*.spill")
	if err != nil {
		return nil, fmt.Errorf("store: create spill file: %w", err)
	}
	// Unlinked at once: nothing to clean up after a crash.
	os.Remove(f.Name())
	return &spill{id: id, f: f}, nil
}

// addRun writes the buffer as a new sorted run.
func (sp *spill) addRun(buf *btree.BTreeG[*Mutation]) error {
	r := &run{off: sp.size}
	var out []byte
	pos := sp.size
	i := 0
	var err error
	if m, ok := buf.Max(); ok {
		r.last = bytes.Clone(m.Key)
	}
	buf.Scan(func(m *Mutation) bool {
		if i%indexEvery == 0 {
			r.index = append(r.index, indexEntry{key: bytes.Clone(m.Key), off: pos + int64(len(out))})
		}
		i++
		out = appendMutation(out, *m)
		if len(out) >= 1<<20 {
			if _, err = sp.f.WriteAt(out, pos); err != nil {
				return false
			}
			pos += int64(len(out))
			out = out[:0]
		}
		return true
	})
	if err != nil {
		return fmt.Errorf("store: write spill run: %w", err)
	}
	if _, err := sp.f.WriteAt(out, pos); err != nil {
		return fmt.Errorf("store: write spill run: %w", err)
	}
	pos += int64(len(out))
	r.end = pos
	sp.size = pos
	sp.runs = append(sp.runs, r)
	return nil
}

func (sp *spill) close() {
	if sp != nil && sp.f != nil {
		sp.f.Close()
	}
}

// parts is the number of chain records (0 for a nil spill).
func (sp *spill) parts() int {
	if sp == nil {
		return 0
	}
	return sp.nPart
}

// runSource iterates one run from a start key.
type runSource struct {
	sp       *spill
	r        *run
	blockOff int64
	block    []Mutation
	buf      []byte
	i        int
	end      []byte
	err      error
}

func (sp *spill) newRunSource(r *run, start, end []byte) (*runSource, error) {
	// The last index entry at or before start begins the block to read.
	j := sort.Search(len(r.index), func(j int) bool { return bytes.Compare(r.index[j].key, start) > 0 }) - 1
	off := r.off
	if j >= 0 {
		off = r.index[j].off
	}
	s := &runSource{sp: sp, r: r, blockOff: off, end: end}
	if err := s.load(); err != nil {
		return nil, err
	}
	for s.valid() && bytes.Compare(s.key(), start) < 0 {
		s.next()
	}
	return s, s.err
}

// load reads the block starting at blockOff (up to the next index entry).
func (s *runSource) load() error {
	s.block, s.i = s.block[:0], 0
	if s.blockOff >= s.r.end {
		return nil
	}
	j := sort.Search(len(s.r.index), func(j int) bool { return s.r.index[j].off > s.blockOff })
	blockEnd := s.r.end
	if j < len(s.r.index) {
		blockEnd = s.r.index[j].off
	}
	s.buf = make([]byte, blockEnd-s.blockOff)
	if _, err := s.sp.f.ReadAt(s.buf, s.blockOff); err != nil {
		return fmt.Errorf("store: read spill: %w", err)
	}
	s.blockOff = blockEnd
	return decodeMutations(s.buf, func(m Mutation) error { s.block = append(s.block, m); return nil })
}

func (s *runSource) valid() bool {
	return s.err == nil && s.i < len(s.block) && (s.end == nil || bytes.Compare(s.block[s.i].Key, s.end) < 0)
}
func (s *runSource) key() []byte            { return s.block[s.i].Key }
func (s *runSource) deleted() bool          { return s.block[s.i].Delete }
func (s *runSource) value() ([]byte, error) { return s.block[s.i].Value, nil }
func (s *runSource) next() error {
	s.i++
	if s.i >= len(s.block) {
		s.err = s.load()
	}
	return s.err
}
func (s *runSource) close() {}

// sources returns run sources, newest first, over [start, end).
func (sp *spill) sources(start, end []byte) ([]source, error) {
	var out []source
	for i := len(sp.runs) - 1; i >= 0; i-- {
		rs, err := sp.newRunSource(sp.runs[i], start, end)
		if err != nil {
			return nil, err
		}
		out = append(out, rs)
	}
	return out, nil
}

// holds reports whether key is within the run's key range (a run is only read
// when it may hold the key: the runs of an ordered load do not overlap).
func (r *run) holds(key []byte) bool {
	return len(r.index) > 0 && bytes.Compare(key, r.index[0].key) >= 0 && bytes.Compare(key, r.last) <= 0
}

// get looks key up in the runs, newest first.
func (sp *spill) get(key []byte) (Mutation, bool, error) {
	for i := len(sp.runs) - 1; i >= 0; i-- {
		r := sp.runs[i]
		if !r.holds(key) {
			continue
		}
		block, err := sp.block(r, key)
		if err != nil {
			return Mutation{}, false, err
		}
		j := sort.Search(len(block), func(j int) bool { return bytes.Compare(block[j].Key, key) >= 0 })
		if j < len(block) && bytes.Equal(block[j].Key, key) {
			m := block[j]
			return Mutation{Key: bytes.Clone(m.Key), Value: bytes.Clone(m.Value), Delete: m.Delete}, true, nil
		}
	}
	return Mutation{}, false, nil
}

// block returns the block of r that holds key if r holds it: the one starting at
// the last index entry at or before key.
func (sp *spill) block(r *run, key []byte) ([]Mutation, error) {
	j := sort.Search(len(r.index), func(j int) bool { return bytes.Compare(r.index[j].key, key) > 0 }) - 1
	off := r.off
	if j >= 0 {
		off = r.index[j].off
	}
	if r.cachedBlock != nil && r.cachedOff == off {
		return r.cachedBlock, nil
	}
	s := &runSource{sp: sp, r: r, blockOff: off}
	if err := s.load(); err != nil {
		return nil, err
	}
	r.cachedOff, r.cachedBlock = off, s.block
	return s.block, nil
}

// forEach calls fn for each spilled mutation that the memory buffer does not
// override, in key order.
func (sp *spill) forEach(fn func(Mutation) error) error {
	srcs, err := sp.sources(nil, nil)
	if err != nil {
		return err
	}
	m := newMerger(append([]source{&sliceSource{muts: sp.exclude}}, srcs...))
	defer m.close()
	for ; m.valid(); m.advance() {
		if m.cur == 0 {
			continue // overridden by the buffer, which the commit record carries
		}
		s := m.srcs[m.cur]
		v, _ := s.value()
		if err := fn(Mutation{Key: s.key(), Value: v, Delete: s.deleted()}); err != nil {
			return err
		}
	}
	return m.err
}

func (sp *spill) contains(key []byte) bool {
	_, ok, _ := sp.get(key)
	return ok
}

// check runs the conflict checker over the spilled keys, a part at a time.
func (sp *spill) check(snapshot uint64, cc ConflictChecker, latest func([]byte) (uint64, error)) error {
	var part []Mutation
	err := sp.forEach(func(m Mutation) error {
		part = append(part, Mutation{Key: bytes.Clone(m.Key), Delete: m.Delete})
		if len(part) == 1024 {
			err := cc.Check(snapshot, part, latest)
			part = part[:0]
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	return cc.Check(snapshot, part, latest)
}

// writeChain logs the spilled mutations as chain records of about chainPartSize.
func (sp *spill) writeChain(l *wal.Log) error {
	sp.nPart = 0
	var payload []byte
	flush := func() error {
		if _, err := l.Write([]wal.Entry{{Type: recChain, Payload: payload}}); err != nil {
			return err
		}
		sp.nPart++
		return nil
	}
	err := sp.forEach(func(m Mutation) error {
		if len(payload) == 0 {
			payload = appendChainHeader(payload, sp.id, sp.nPart)
		}
		payload = appendMutation(payload, m)
		if len(payload) >= chainPartSize {
			err := flush()
			payload = payload[:0]
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(payload) > 0 {
		return flush()
	}
	return nil
}
