package ssi

import (
	"errors"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/jackc/pgerrcode"

	"github.com/augurdb/augur/storage/pgerr"
)

// The tests here run random transactions against a small model of the store
// (snapshot isolation, first-updater-wins row locks) with the manager deciding
// who may commit, then build the dependency graph of the committed
// transactions (Adya's DSG: ww, wr and rw edges) and require it to be acyclic:
// the history is serializable. The same histories without the manager must
// show cycles, so the check can fail.

// simKeys is the key space: small, so that transactions collide.
var simKeys = []string{"k0", "k1", "k2", "k3", "k4", "k5"}

type simVersion struct {
	ts     uint64
	writer *simTxn
}

// simStore is the model of the store. Its methods are safe for concurrent
// use.
type simStore struct {
	mu       sync.Mutex
	clock    uint64 // the newest visible commit
	versions map[string][]simVersion
	locks    map[string]*simTxn // row locks: the writer that holds each key
	open     map[uint64]int     // snapshots of the open transactions
}

func newSimStore() *simStore {
	return &simStore{versions: make(map[string][]simVersion), locks: make(map[string]*simTxn), open: make(map[uint64]int)}
}

type simPhase uint8

const (
	simPending  simPhase = iota // snapshot taken, not registered with the manager yet
	simActive                   // reading and writing
	simPrepared                 // PreCommit passed
	simStored                   // committed in the store, Committed not called yet
	simDone
)

type simTxn struct {
	id          int
	snapshot    uint64
	ssi         *Txn // nil when the manager is off
	phase       simPhase
	reads       []string // keys read at the snapshot (not after the transaction's own write)
	writes      map[string]bool
	commitTS    uint64 // 0: read-only or not committed
	committedOK bool
}

func (s *simStore) begin(id int) *simTxn {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.open[s.clock]++
	return &simTxn{id: id, snapshot: s.clock, writes: make(map[string]bool)}
}

// release forgets t's snapshot; s.mu is held.
func (s *simStore) release(t *simTxn) {
	if s.open[t.snapshot]--; s.open[t.snapshot] == 0 {
		delete(s.open, t.snapshot)
	}
}

// oldest is the oldest snapshot an open or future transaction reads at.
func (s *simStore) oldest() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.clock
	for snap := range s.open {
		o = min(o, snap)
	}
	return o
}

// write takes the row lock and checks first-updater-wins; false means the
// transaction must roll back (a real one would wait for the lock, then fail
// if the holder committed).
func (s *simStore) write(t *simTxn, key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h := s.locks[key]; h != nil && h != t {
		return false
	}
	if vs := s.versions[key]; len(vs) > 0 && vs[len(vs)-1].ts > t.snapshot {
		return false
	}
	s.locks[key] = t
	t.writes[key] = true
	return true
}

// commit makes t's writes visible at a new timestamp (0 if it wrote nothing).
func (s *simStore) commit(t *simTxn) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ts uint64
	if len(t.writes) > 0 {
		s.clock++
		ts = s.clock
		for k := range t.writes {
			s.versions[k] = append(s.versions[k], simVersion{ts: ts, writer: t})
			delete(s.locks, k)
		}
	}
	t.commitTS, t.committedOK = ts, true
	s.release(t)
	return ts
}

func (s *simStore) abort(t *simTxn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.release(t)
	for k := range t.writes {
		if s.locks[k] == t {
			delete(s.locks, k)
		}
	}
}

// simRunner drives simulated transactions through the store model and, when
// m is not nil, the manager.
type simRunner struct {
	st *simStore
	m  *Manager

	mu        sync.Mutex
	all       []*simTxn
	failures  int // 40001 from the manager
	stale     int // of which: doomed at Begin for an old snapshot
	conflicts int // first-updater-wins aborts
}

func (r *simRunner) add(t *simTxn) {
	r.mu.Lock()
	r.all = append(r.all, t)
	r.mu.Unlock()
}

// ssiErr checks that err is nil or a 40001, and counts the latter.
func (r *simRunner) ssiErr(tb testing.TB, err error) bool {
	if err == nil {
		return false
	}
	var pe *pgerr.Error
	if !errors.As(err, &pe) || pe.Code != pgerrcode.SerializationFailure {
		tb.Errorf("manager returned %v, want nil or 40001", err)
	}
	r.mu.Lock()
	r.failures++
	if pe.Detail == "Reason code: "+reasonStaleSnapshot {
		r.stale++
	}
	r.mu.Unlock()
	return true
}

func (r *simRunner) register(t *simTxn) {
	if r.m != nil {
		t.ssi = r.m.Begin(t.snapshot)
	}
	t.phase = simActive
}

func (r *simRunner) rollback(t *simTxn) {
	r.st.abort(t)
	if t.ssi != nil {
		t.ssi.Abort()
	}
	t.phase = simDone
}

// read reads key; false means t rolled back.
func (r *simRunner) read(tb testing.TB, t *simTxn, key string) bool {
	if !t.writes[key] {
		t.reads = append(t.reads, key)
	}
	if t.ssi != nil && r.ssiErr(tb, t.ssi.Read([]byte(key))) {
		r.rollback(t)
		return false
	}
	return true
}

// scan reads the keys in [start, end) ("" end: to the last key).
func (r *simRunner) scan(tb testing.TB, t *simTxn, start, end string) bool {
	for _, k := range simKeys {
		if k >= start && (end == "" || k < end) && !t.writes[k] {
			t.reads = append(t.reads, k)
		}
	}
	if t.ssi != nil {
		var e []byte
		if end != "" {
			e = []byte(end)
		}
		if r.ssiErr(tb, t.ssi.ReadRange([]byte(start), e)) {
			r.rollback(t)
			return false
		}
	}
	return true
}

func (r *simRunner) write(tb testing.TB, t *simTxn, key string) bool {
	if !r.st.write(t, key) {
		r.mu.Lock()
		r.conflicts++
		r.mu.Unlock()
		r.rollback(t)
		return false
	}
	if t.ssi != nil && r.ssiErr(tb, t.ssi.Write([]byte(key))) {
		r.rollback(t)
		return false
	}
	return true
}

func (r *simRunner) precommit(tb testing.TB, t *simTxn) bool {
	if t.ssi != nil && r.ssiErr(tb, t.ssi.PreCommit()) {
		r.rollback(t)
		return false
	}
	t.phase = simPrepared
	return true
}

func (r *simRunner) storeCommit(t *simTxn) {
	r.st.commit(t)
	t.phase = simStored
}

func (r *simRunner) committed(t *simTxn) {
	if t.ssi != nil {
		t.ssi.Committed(t.commitTS)
	}
	t.phase = simDone
}

// randomOp runs one random operation of active t; false means t is no longer
// active.
func (r *simRunner) randomOp(tb testing.TB, rng *rand.Rand, t *simTxn) bool {
	key := simKeys[rng.IntN(len(simKeys))]
	switch n := rng.IntN(100); {
	case n < 40:
		return r.read(tb, t, key)
	case n < 52:
		i := rng.IntN(len(simKeys))
		j := i + 1 + rng.IntN(len(simKeys)-i)
		end := ""
		if j < len(simKeys) {
			end = simKeys[j]
		}
		return r.scan(tb, t, simKeys[i], end)
	case n < 80:
		return r.write(tb, t, key)
	case n < 95:
		r.precommit(tb, t)
		return false
	default:
		r.rollback(t)
		return false
	}
}

// step advances t by one operation, whatever its phase.
func (r *simRunner) step(tb testing.TB, rng *rand.Rand, t *simTxn) {
	switch t.phase {
	case simPending:
		r.register(t)
	case simActive:
		r.randomOp(tb, rng, t)
	case simPrepared:
		if rng.IntN(20) == 0 { // the store commit fails
			r.rollback(t)
			return
		}
		r.storeCommit(t)
	case simStored:
		r.committed(t)
	}
}

// checkSerializable builds the DSG of the committed transactions and returns
// a cycle, or nil.
func (r *simRunner) checkSerializable() []int {
	committed := make(map[*simTxn]bool)
	for _, t := range r.all {
		if t.committedOK {
			committed[t] = true
		}
	}
	edges := make(map[*simTxn]map[*simTxn]bool)
	edge := func(a, b *simTxn) {
		if a == b {
			return
		}
		if edges[a] == nil {
			edges[a] = make(map[*simTxn]bool)
		}
		edges[a][b] = true
	}
	for _, vs := range r.st.versions {
		for i := 1; i < len(vs); i++ {
			edge(vs[i-1].writer, vs[i].writer) // ww
		}
	}
	for t := range committed {
		for _, k := range t.reads {
			for _, v := range r.st.versions[k] {
				if v.ts <= t.snapshot {
					// Only the newest visible version was read; the older
					// writers precede it by ww anyway.
					edge(v.writer, t) // wr
				} else {
					edge(t, v.writer) // rw: t did not see v
				}
			}
		}
	}
	// Depth-first search for a cycle.
	const (
		white = iota
		grey
		black
	)
	color := make(map[*simTxn]int)
	var stack []*simTxn
	var cycle []int
	var visit func(t *simTxn) bool
	visit = func(t *simTxn) bool {
		color[t] = grey
		stack = append(stack, t)
		for u := range edges[t] {
			switch color[u] {
			case grey:
				i := slices.Index(stack, u)
				for _, x := range stack[i:] {
					cycle = append(cycle, x.id)
				}
				return true
			case white:
				if visit(u) {
					return true
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[t] = black
		return false
	}
	for t := range committed {
		if color[t] == white && visit(t) {
			return cycle
		}
	}
	return nil
}

type simMode uint8

const (
	withoutSSI    simMode = iota
	withSSI               // New()
	withSSIOldest         // with Options.OldestSnapshot
)

// runSequential plays one random history, interleaving up to maxLive
// transactions operation by operation on one goroutine.
func runSequential(tb testing.TB, seed uint64, mode simMode, txns int) *simRunner {
	rng := rand.New(rand.NewPCG(seed, 0x55))
	r := &simRunner{st: newSimStore()}
	switch mode {
	case withSSI:
		r.m = New()
	case withSSIOldest:
		r.m = NewWithOptions(Options{OldestSnapshot: r.st.oldest})
	}
	const maxLive = 5
	var live []*simTxn
	started := 0
	for started < txns || len(live) > 0 {
		if started < txns && len(live) < maxLive && rng.IntN(3) == 0 {
			t := r.st.begin(started)
			started++
			r.add(t)
			if rng.IntN(8) != 0 {
				// Most register at once; the others later, as a planner
				// that took its snapshot before a concurrent commit.
				r.register(t)
			}
			live = append(live, t)
			continue
		}
		if len(live) == 0 {
			continue
		}
		i := rng.IntN(len(live))
		r.step(tb, rng, live[i])
		if live[i].phase == simDone {
			live = slices.Delete(live, i, i+1)
		}
	}
	return r
}

// TestHistoriesSerializable is the proof that no anomaly slips through: random
// histories with the manager are all serializable.
func TestHistoriesSerializable(t *testing.T) {
	histories := 400
	if n, err := strconv.Atoi(os.Getenv("SSI_HISTORIES")); err == nil {
		histories = n
	}
	if testing.Short() {
		histories = 50
	}
	var commits, writers, failures, conflicts int
	for seed := range uint64(histories) {
		r := runSequential(t, seed, withSSI, 40)
		if cycle := r.checkSerializable(); cycle != nil {
			t.Fatalf("seed %d: committed history is not serializable: cycle %v", seed, cycle)
		}
		for _, tx := range r.all {
			if tx.committedOK {
				commits++
				if len(tx.writes) > 0 {
					writers++
				}
			}
		}
		failures += r.failures
		conflicts += r.conflicts
		if s := r.m.Stats(); s != (Stats{}) {
			t.Fatalf("seed %d: after every transaction ended the manager holds %+v", seed, s)
		}
	}
	t.Logf("%d transactions: %d committed (%d wrote), %d serialization failures, %d write conflicts",
		histories*40, commits, writers, failures, conflicts)
	if writers == 0 {
		t.Fatal("no writing transaction committed: the histories test nothing")
	}
}

// TestHistoriesOldestSnapshot: histories in which some transactions register
// their snapshot late doom some of them at Begin, unless the manager knows the
// store's oldest snapshot; either way they are serializable.
func TestHistoriesOldestSnapshot(t *testing.T) {
	const histories = 200
	stale := map[simMode]int{}
	for _, mode := range []simMode{withSSI, withSSIOldest} {
		for seed := range uint64(histories) {
			r := runSequential(t, seed, mode, 40)
			if cycle := r.checkSerializable(); cycle != nil {
				t.Fatalf("mode %d, seed %d: committed history is not serializable: cycle %v", mode, seed, cycle)
			}
			if s := r.m.Stats(); s != (Stats{}) {
				t.Fatalf("mode %d, seed %d: after every transaction ended the manager holds %+v", mode, seed, s)
			}
			stale[mode] += r.stale
		}
	}
	if stale[withSSIOldest] != 0 {
		t.Errorf("with OldestSnapshot %d transactions were doomed for their snapshot, want none", stale[withSSIOldest])
	}
	if stale[withSSI] == 0 {
		t.Error("without OldestSnapshot no transaction was doomed for its snapshot: the histories do not test the window")
	}
	t.Logf("doomed for their snapshot: %d without OldestSnapshot, %d with", stale[withSSI], stale[withSSIOldest])
}

// TestHistoriesWithoutSSIHaveAnomalies shows that the histories and the check
// can find anomalies: without the manager, snapshot isolation commits
// non-serializable histories.
func TestHistoriesWithoutSSIHaveAnomalies(t *testing.T) {
	anomalies := 0
	for seed := range uint64(50) {
		if runSequential(t, seed, withoutSSI, 40).checkSerializable() != nil {
			anomalies++
		}
	}
	if anomalies == 0 {
		t.Fatal("no history without the manager was found non-serializable: the check cannot fail")
	}
	t.Logf("%d of 50 histories without the manager are not serializable", anomalies)
}

// TestConcurrentHistories runs transactions on many goroutines at once (run
// it with -race): the manager sees calls in whatever order the scheduler
// gives, Committed comes after the store commit made the writes visible, and
// some transactions register their snapshot late. The committed history must
// be serializable and the manager empty at the end.
func TestConcurrentHistories(t *testing.T) {
	const goroutines = 8
	perGoroutine := 300
	if testing.Short() {
		perGoroutine = 50
	}
	for _, variant := range []string{"Begin", "BeginFunc", "OldestSnapshot"} {
		t.Run(variant, func(t *testing.T) {
			beginFunc := variant == "BeginFunc"
			r := &simRunner{st: newSimStore(), m: New()}
			if variant == "OldestSnapshot" {
				r.m = NewWithOptions(Options{OldestSnapshot: r.st.oldest})
			}
			var wg sync.WaitGroup
			for g := range goroutines {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rng := rand.New(rand.NewPCG(uint64(g), 0xc0))
					for i := range perGoroutine {
						var tx *simTxn
						if beginFunc {
							stx := r.m.BeginFunc(func() uint64 {
								tx = r.st.begin(g*perGoroutine + i)
								return tx.snapshot
							})
							tx.ssi, tx.phase = stx, simActive
						} else {
							tx = r.st.begin(g*perGoroutine + i)
							r.register(tx)
						}
						r.add(tx)
						for tx.phase != simDone {
							r.step(t, rng, tx)
						}
					}
				}()
			}
			wg.Wait()
			if cycle := r.checkSerializable(); cycle != nil {
				t.Fatalf("committed history is not serializable: cycle %v", cycle)
			}
			if s := r.m.Stats(); s != (Stats{}) {
				t.Fatalf("after every transaction ended the manager holds %+v", s)
			}
			commits := 0
			for _, tx := range r.all {
				if tx.committedOK {
					commits++
				}
			}
			t.Logf("%d transactions: %d committed, %d serialization failures (%d for the snapshot), %d write conflicts",
				len(r.all), commits, r.failures, r.stale, r.conflicts)
			if variant != "Begin" && r.stale != 0 {
				t.Errorf("%d transactions doomed for their snapshot, want none", r.stale)
			}
			if commits == 0 {
				t.Fatal("nothing committed")
			}
		})
	}
}
