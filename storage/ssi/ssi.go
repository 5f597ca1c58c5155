// Package ssi is serializable snapshot isolation: it tracks what serializable
// transactions read (keys and key ranges) and write, finds the read-write
// anti-dependencies between concurrent ones, and refuses (40001) a transaction
// that would complete a dangerous structure T1 -rw-> T2 -rw-> T3. False
// positives are allowed; a missed anomaly is not.
//
// # Why this is enough
//
// The store gives snapshot isolation, and row locks give first-updater-wins, so
// two concurrent transactions never both commit a write of the same key. What
// snapshot isolation still allows are the anomalies made of read-write
// anti-dependencies: T1 -rw-> T2 when T1 read a key (or scanned a range holding
// a key) that a concurrent T2 writes, so that T1 did not see T2's write. Fekete
// et al. (2005) showed that every cycle in the dependency graph of a
// snapshot-isolation history holds two consecutive such edges between
// concurrent transactions, T1 -> T2 -> T3 (T1 may be T3), the pivot being T2.
// Cahill et al. (2008) turned this into a concurrency control: record the
// edges as they appear and abort a transaction before a pivot with both edges
// can commit. This package is that method, the one PostgreSQL implements,
// simplified: a pivot is refused whatever the order in which its partners
// commit, which costs a few retries more than PostgreSQL and misses nothing.
//
// # Concurrency and commit timestamps
//
// A transaction reads at a snapshot (a commit timestamp of the store) and
// commits at a later one. Two transactions are concurrent when neither
// committed at or before the other's snapshot. Between PreCommit and Committed
// the commit timestamp is unknown, and the transaction is taken to commit after
// every snapshot (concurrent with everyone; a false positive at worst).
//
// A transaction that wrote nothing has no commit timestamp of its own (the
// store gives it 0); it is taken to end at its snapshot, which is concurrent
// with exactly the transactions whose snapshots are older than its own. Ports
// and Grittner (2012, theorem 3) showed that this is the only concurrency that
// matters for a read-only T1: a dangerous structure T1 -> T2 -> T3 whose T1 is
// read-only leads to an anomaly only when T3 committed before T1's snapshot,
// and T2, concurrent with T3, then began before it too.
//
// # Detection
//
// The edge T1 -rw-> T2 is found by whichever of the two calls comes second: a
// Read or ReadRange of T1 finds the writes T2 recorded, or a Write of T2 finds
// the reads T1 recorded. So the manager keeps the records of every committed
// transaction that is still concurrent with some active one (its commit
// timestamp is above that transaction's snapshot) and drops it after, and
// drops the records of an aborted transaction at once. Edges are kept as sets
// of partner transactions, so that the edges of a partner that aborts, or that
// is doomed and will abort, stop counting.
//
// A transaction that is a pivot when it asks to commit fails in PreCommit. An
// edge that appears later and makes a transaction that has already passed
// PreCommit a pivot cannot fail that transaction any more, so it fails the
// active transaction whose Read or Write made the edge: that call returns
// 40001 and the transaction is doomed (every later call fails).
//
// Point reads and writes are looked up by key (maps, and an ordered tree of the
// written keys, which a range read scans). Range reads are kept per
// transaction as sorted, merged spans, and all of them in an interval tree, in
// which a write finds the spans that cover its key.
package ssi

import (
	"bytes"
	"container/heap"
	"fmt"
	"sync"

	"github.com/jackc/pgerrcode"
	"github.com/tidwall/btree"

	"github.com/augurdb/augur/storage/pgerr"
)

// DefaultCoarsenAfter is the number of point reads inside one Options.Coarsen
// range after which a transaction records the whole range instead.
const DefaultCoarsenAfter = 10000

// Options tune a Manager. The zero value is a valid configuration.
type Options struct {
	// Coarsen maps a key to a range [start, end) that holds it (nil end: to the
	// last key), for instance the key range of the key's table or index. A
	// transaction that records more than CoarsenAfter point reads inside one
	// such range records the range as a whole instead and forgets those point
	// reads, as PostgreSQL promotes tuple locks to a relation lock: less memory
	// and faster lookups for large transactions, at the price of more false
	// positives. A nil start means the key belongs to no range (use an empty,
	// non-nil start for a range from the first key). Nil: never coarsen.
	Coarsen func(key []byte) (start, end []byte)
	// CoarsenAfter is the threshold for Coarsen; 0 means DefaultCoarsenAfter.
	CoarsenAfter int
	// OldestSnapshot, when set, returns the oldest snapshot that an open or
	// future store transaction may read at (store.Store.OldestSnapshot). A
	// committed record is then also kept while some store transaction may
	// still read below its commit timestamp, including one that took its
	// snapshot but has not called Begin yet: Begin never dooms a transaction
	// for its snapshot. The price: an open transaction of another isolation
	// level holds records back too. It is called with the manager's lock held
	// and must not call the manager.
	OldestSnapshot func() uint64
}

// Manager tracks the serializable transactions. Safe for concurrent use.
type Manager struct {
	opts Options

	mu     sync.Mutex
	nextID uint64
	// live holds the active and prepared transactions by snapshot: the oldest
	// snapshot decides which committed records are still needed.
	live *btree.BTreeG[*Txn]
	// retained holds the committed transactions still concurrent with a live
	// one, oldest commit first.
	retained commitHeap
	// reads maps a key to the transactions that read it (point reads).
	reads map[string]txnList
	// writes maps a written key to the transactions that wrote it, for point
	// reads; writeKeys holds the same keys in order, for range reads.
	writes    map[string]txnList
	writeKeys btree.Set[string]
	// ranges holds the range reads of the tracked transactions.
	ranges rangeIndex
	// horizon: no snapshot older than this may begin, since the record of a
	// transaction concurrent with it has been dropped.
	horizon uint64
	// maxTS is the newest snapshot or commit timestamp seen.
	maxTS uint64
}

// New returns an empty manager.
func New() *Manager { return NewWithOptions(Options{}) }

// NewWithOptions returns an empty manager configured by opts.
func NewWithOptions(opts Options) *Manager {
	if opts.CoarsenAfter <= 0 {
		opts.CoarsenAfter = DefaultCoarsenAfter
	}
	return &Manager{
		opts:   opts,
		live:   btree.NewBTreeGOptions(lessSnapshot, btree.Options{NoLocks: true}),
		reads:  make(map[string]txnList),
		writes: make(map[string]txnList),
	}
}

// txnState is where a transaction is in its life.
type txnState uint8

const (
	stateActive    txnState = iota // reading and writing
	statePrepared                  // passed PreCommit, commit timestamp not known yet
	stateCommitted                 // commitTS is known
	stateAborted                   // rolled back; its records are gone
)

func (s txnState) String() string {
	switch s {
	case stateActive:
		return "active"
	case statePrepared:
		return "prepared"
	case stateCommitted:
		return "committed"
	default:
		return "aborted"
	}
}

// doomCause says why a transaction can no longer commit.
type doomCause uint8

const (
	notDoomed   doomCause = iota
	doomedPivot           // part of a dangerous structure
	doomedStale           // its snapshot is older than the horizon
)

// Txn is one serializable transaction's record. Its methods are called by the
// transaction's own goroutine.
type Txn struct {
	m        *Manager
	id       uint64
	snapshot uint64

	// The fields below are guarded by m.mu: other transactions' calls read
	// and change them.
	state    txnState
	doomed   doomCause
	commitTS uint64 // when committed: the commit timestamp (the snapshot if read-only)

	// in holds the transactions that read what t wrote (reader -rw-> t); out
	// the transactions that wrote what t read (t -rw-> writer).
	in, out map[*Txn]struct{}

	reads  map[string]struct{} // point reads not covered by ranges
	writes map[string]struct{}
	ranges spanSet
	// coarse counts point reads per Options.Coarsen range start.
	coarse map[string]int
}

func lessSnapshot(a, b *Txn) bool {
	if a.snapshot != b.snapshot {
		return a.snapshot < b.snapshot
	}
	return a.id < b.id
}

// Begin registers a serializable transaction reading at snapshot.
//
// A snapshot taken before a serializable commit whose record the manager has
// already dropped (which happens only when Begin is called some time after
// the snapshot was taken, and a transaction committed in between while no
// serializable transaction was open) cannot be checked against it: the
// transaction is doomed at once, and its first call fails with 40001. Set
// Options.OldestSnapshot, or use BeginFunc, to close that window.
func (m *Manager) Begin(snapshot uint64) *Txn {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.beginLocked(snapshot)
}

// BeginFunc registers a serializable transaction reading at the snapshot that
// takeSnapshot returns. takeSnapshot is called with the manager's lock held
// (it must be quick and must not call the manager), so that no serializable
// commit can slip between the snapshot and the registration.
func (m *Manager) BeginFunc(takeSnapshot func() uint64) *Txn {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.beginLocked(takeSnapshot())
}

func (m *Manager) beginLocked(snapshot uint64) *Txn {
	m.nextID++
	t := &Txn{
		m:        m,
		id:       m.nextID,
		snapshot: snapshot,
	}
	if snapshot < m.horizon {
		t.doomed = doomedStale
	}
	m.maxTS = max(m.maxTS, snapshot)
	m.live.Set(t)
	return t
}

// ID is the transaction's number in this manager (the one error details name).
func (t *Txn) ID() uint64 { return t.id }

// Snapshot is the snapshot t reads at.
func (t *Txn) Snapshot() uint64 { return t.snapshot }

// Err returns the 40001 error every later call of a doomed t returns, or nil
// when t is not doomed.
func (t *Txn) Err() error {
	t.m.mu.Lock()
	defer t.m.mu.Unlock()
	if t.doomed == notDoomed {
		return nil
	}
	return t.doomedErr(reasonPivotCommit)
}

// Read records a point read of key (found or not).
func (t *Txn) Read(key []byte) error {
	m := t.m
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := t.checkUsable("Read", reasonPivotConflictOut); err != nil {
		return err
	}
	if _, ok := t.reads[string(key)]; ok {
		return nil
	}
	if t.ranges.covers(key) {
		return nil
	}
	k := string(key)
	if err := t.conflictOut(m.writes[k]); err != nil {
		return err
	}
	if t.reads == nil {
		t.reads = make(map[string]struct{})
	}
	t.reads[k] = struct{}{}
	m.reads[k] = m.reads[k].with(t)
	if m.opts.Coarsen != nil {
		return t.countForCoarsen(key)
	}
	return nil
}

// ReadRange records a scan of [start, end) (nil end: to the last key).
func (t *Txn) ReadRange(start, end []byte) error {
	m := t.m
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := t.checkUsable("ReadRange", reasonPivotConflictOut); err != nil {
		return err
	}
	return t.readRangeLocked(start, end)
}

func (t *Txn) readRangeLocked(start, end []byte) error {
	if end != nil && bytes.Compare(start, end) >= 0 {
		return nil
	}
	s := newSpan(start, end)
	if t.ranges.contains(s) {
		return nil
	}
	m := t.m
	var err error
	m.writeKeys.Ascend(s.start, func(key string) bool {
		if !s.toEnd && key >= s.end {
			return false
		}
		err = t.conflictOut(m.writes[key])
		return err == nil
	})
	if err != nil {
		return err
	}
	replaced, merged := t.ranges.add(s)
	for _, r := range replaced {
		m.ranges.delete(r, t)
	}
	m.ranges.insert(merged, t)
	return nil
}

// Write records a write of key.
func (t *Txn) Write(key []byte) error {
	m := t.m
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := t.checkUsable("Write", reasonPivotConflictIn); err != nil {
		return err
	}
	if _, ok := t.writes[string(key)]; ok {
		return nil
	}
	readers := m.reads[string(key)]
	for i := range readers.len() {
		if err := t.conflictIn(readers.at(i)); err != nil {
			return err
		}
	}
	var err error
	m.ranges.stab(string(key), func(r *Txn) bool {
		err = t.conflictIn(r)
		return err == nil
	})
	if err != nil {
		return err
	}
	k := string(key)
	if t.writes == nil {
		t.writes = make(map[string]struct{})
	}
	t.writes[k] = struct{}{}
	writers := m.writes[k]
	if writers.len() == 0 {
		m.writeKeys.Insert(k)
	}
	m.writes[k] = writers.with(t)
	return nil
}

// PreCommit decides whether t may commit; after it returns nil, t can no
// longer be chosen as a victim. Call Committed or Abort after it.
func (t *Txn) PreCommit() error {
	m := t.m
	m.mu.Lock()
	defer m.mu.Unlock()
	switch t.state {
	case stateActive:
	case statePrepared:
		return nil
	default:
		return usageError("PreCommit", t.state)
	}
	if t.doomed != notDoomed {
		return t.doomedErr(reasonPivotCommit)
	}
	if t.isPivot() {
		t.doomed = doomedPivot
		return t.doomedErr(reasonPivotCommit)
	}
	t.state = statePrepared
	return nil
}

// Committed records that t committed at commit timestamp ts. For a
// transaction that recorded no write, ts is ignored (the store gives such a
// commit no timestamp): it counts as ending at its snapshot (see the package
// doc).
func (t *Txn) Committed(ts uint64) {
	m := t.m
	m.mu.Lock()
	defer m.mu.Unlock()
	if t.state == stateCommitted || t.state == stateAborted {
		return
	}
	m.live.Delete(t)
	t.state = stateCommitted
	switch {
	case len(t.writes) == 0:
		t.commitTS = t.snapshot
	case ts > t.snapshot:
		t.commitTS = ts
	default:
		// A writer must commit after its snapshot; a caller that does not
		// know the timestamp gets the latest one seen, plus one.
		t.commitTS = max(m.maxTS, t.snapshot) + 1
	}
	m.maxTS = max(m.maxTS, t.commitTS)
	heap.Push(&m.retained, t)
	m.dropUnneeded()
}

// Abort records that t rolled back.
func (t *Txn) Abort() {
	m := t.m
	m.mu.Lock()
	defer m.mu.Unlock()
	if t.state == stateCommitted || t.state == stateAborted {
		return
	}
	m.live.Delete(t)
	t.state = stateAborted
	m.forget(t)
	for p := range t.in {
		delete(p.out, t)
	}
	for p := range t.out {
		delete(p.in, t)
	}
	t.in, t.out = nil, nil
	m.dropUnneeded()
}

// checkUsable returns the error of a call on t: 40001 if t is doomed, an
// internal error if t has already passed PreCommit or ended.
func (t *Txn) checkUsable(op, reason string) error {
	if t.state != stateActive {
		return usageError(op, t.state)
	}
	if t.doomed != notDoomed {
		return t.doomedErr(reason)
	}
	return nil
}

func usageError(op string, s txnState) error {
	return pgerr.New(pgerrcode.InternalError, "ssi: %s called on a %s transaction", op, s)
}

// counts reports whether t's edges count towards a dangerous structure: an
// aborted transaction's do not, nor a doomed one's (it can no longer commit).
func (t *Txn) counts() bool {
	return t.state != stateAborted && t.doomed == notDoomed
}

// isPivot reports whether t has an edge in and an edge out from and to
// transactions that count.
func (t *Txn) isPivot() bool {
	return anyCounts(t.in) && anyCounts(t.out)
}

func anyCounts(set map[*Txn]struct{}) bool {
	for p := range set {
		if p.counts() {
			return true
		}
	}
	return false
}

// concurrent reports whether neither of a and b committed at or before the
// other's snapshot.
func concurrent(a, b *Txn) bool {
	if a.state == stateCommitted && a.commitTS <= b.snapshot {
		return false
	}
	if b.state == stateCommitted && b.commitTS <= a.snapshot {
		return false
	}
	return true
}

// addEdge records reader -rw-> writer.
func addEdge(reader, writer *Txn) {
	if reader.out == nil {
		reader.out = make(map[*Txn]struct{})
	}
	reader.out[writer] = struct{}{}
	if writer.in == nil {
		writer.in = make(map[*Txn]struct{})
	}
	writer.in[reader] = struct{}{}
}

// conflictOut adds the edges t -rw-> w for the writers of a key t reads. An
// edge that makes a writer that is past PreCommit a pivot dooms t.
func (t *Txn) conflictOut(writers txnList) error {
	for i := range writers.len() {
		w := writers.at(i)
		if w == t || !w.counts() || !concurrent(t, w) {
			continue
		}
		addEdge(t, w)
		if w.state != stateActive && w.isPivot() {
			t.doomed = doomedPivot
			return serializationFailure(fmt.Sprintf(reasonOutToPivotRead, w.id))
		}
	}
	return nil
}

// conflictIn adds the edge r -rw-> t for a reader of a key t writes. An edge
// that makes a reader that is past PreCommit a pivot dooms t.
func (t *Txn) conflictIn(r *Txn) error {
	if r == t || !r.counts() || !concurrent(r, t) {
		return nil
	}
	addEdge(r, t)
	if r.state != stateActive && r.isPivot() {
		t.doomed = doomedPivot
		return serializationFailure(reasonPivotWrite)
	}
	return nil
}

// countForCoarsen counts a new point read towards its Coarsen range, and
// records the range instead of the point reads once there are too many.
func (t *Txn) countForCoarsen(key []byte) error {
	start, end := t.m.opts.Coarsen(key)
	if start == nil {
		return nil
	}
	if t.coarse == nil {
		t.coarse = make(map[string]int)
	}
	n := t.coarse[string(start)] + 1
	if n <= t.m.opts.CoarsenAfter {
		t.coarse[string(start)] = n
		return nil
	}
	delete(t.coarse, string(start))
	if err := t.readRangeLocked(start, end); err != nil {
		return err
	}
	s := newSpan(start, end)
	for k := range t.reads {
		if s.covers(k) {
			delete(t.reads, k)
			if rs := t.m.reads[k].without(t); rs.len() > 0 {
				t.m.reads[k] = rs
			} else {
				delete(t.m.reads, k)
			}
		}
	}
	return nil
}

// forget removes t's reads and writes from the manager's indexes.
func (m *Manager) forget(t *Txn) {
	for k := range t.reads {
		if rs := m.reads[k].without(t); rs.len() > 0 {
			m.reads[k] = rs
		} else {
			delete(m.reads, k)
		}
	}
	for k := range t.writes {
		if ws := m.writes[k].without(t); ws.len() > 0 {
			m.writes[k] = ws
		} else {
			delete(m.writes, k)
			m.writeKeys.Delete(k)
		}
	}
	for _, s := range t.ranges {
		m.ranges.delete(s, t)
	}
	t.reads, t.writes, t.ranges, t.coarse = nil, nil, nil, nil
}

// dropUnneeded drops the committed records that no live transaction is
// concurrent with any more: those whose commit timestamp is at or below every
// live snapshot (and, with Options.OldestSnapshot, the store's oldest).
func (m *Manager) dropUnneeded() {
	if m.retained.Len() == 0 {
		return
	}
	var bound uint64
	oldest, bounded := m.live.Min()
	if bounded {
		bound = oldest.snapshot
	}
	if m.opts.OldestSnapshot != nil {
		if o := m.opts.OldestSnapshot(); !bounded || o < bound {
			bound, bounded = o, true
		}
	}
	for m.retained.Len() > 0 {
		c := m.retained[0]
		if bounded && bound < c.commitTS {
			return
		}
		heap.Pop(&m.retained)
		m.forget(c)
		// Its partners keep pointing at it (a committed partner counts
		// forever); its own edges are no longer needed, since no new edge
		// can reach it.
		c.in, c.out = nil, nil
		m.horizon = max(m.horizon, c.commitTS)
	}
}

// txnList is the transactions that read or wrote one key: most keys have
// one, which is kept inline in the map's value.
type txnList struct {
	first *Txn
	rest  []*Txn
}

func (l txnList) len() int {
	if l.first == nil {
		return 0
	}
	return 1 + len(l.rest)
}

func (l txnList) at(i int) *Txn {
	if i == 0 {
		return l.first
	}
	return l.rest[i-1]
}

func (l txnList) with(t *Txn) txnList {
	if l.first == nil {
		l.first = t
	} else {
		l.rest = append(l.rest, t)
	}
	return l
}

// without removes t (order is not kept).
func (l txnList) without(t *Txn) txnList {
	last := len(l.rest) - 1
	if l.first == t {
		if last < 0 {
			return txnList{}
		}
		l.first, l.rest[last], l.rest = l.rest[last], nil, l.rest[:last]
		return l
	}
	for i, x := range l.rest {
		if x == t {
			l.rest[i], l.rest[last], l.rest = l.rest[last], nil, l.rest[:last]
			break
		}
	}
	return l
}

// commitHeap orders committed transactions by commit timestamp.
type commitHeap []*Txn

func (h commitHeap) Len() int           { return len(h) }
func (h commitHeap) Less(i, j int) bool { return h[i].commitTS < h[j].commitTS }
func (h commitHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *commitHeap) Push(x any)        { *h = append(*h, x.(*Txn)) }
func (h *commitHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return t
}

// Stats counts what a manager holds.
type Stats struct {
	Live      int // active and prepared transactions
	Retained  int // committed transactions kept for live ones
	ReadKeys  int // distinct keys with point reads recorded
	WriteKeys int // distinct keys with writes recorded
	Ranges    int // range spans recorded, over all transactions
}

// Stats returns what m holds now.
func (m *Manager) Stats() Stats {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := Stats{
		Live:      m.live.Len(),
		Retained:  m.retained.Len(),
		ReadKeys:  len(m.reads),
		WriteKeys: len(m.writes),
	}
	s.Ranges = m.ranges.n
	return s
}
