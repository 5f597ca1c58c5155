package shard

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/rs/zerolog"

	"github.com/augurdb/augur/storage/keycodec"
	"github.com/augurdb/augur/storage/store"
)

// key returns the key of integer k in table (tableID, 0).
func key(tableID uint32, k int64) []byte {
	return keycodec.AppendInt(keycodec.AppendTablePrefix(nil, tableID, 0), k, keycodec.Asc)
}

func quietSystem() *actor.ActorSystem {
	return actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.DiscardHandler)
	}))
}

func newManager(t testing.TB, opts Options) *Manager {
	t.Helper()
	if opts.System == nil {
		opts.System = quietSystem()
	}
	opts.Log = zerolog.Nop()
	m, err := NewManager(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Error(err)
		}
	})
	return m
}

func openStore(t testing.TB, dir string, m *Manager) *store.Store {
	t.Helper()
	opts := store.Options{CheckpointTimeout: -1}
	if m != nil {
		opts.OnApply = m.OnApply
	}
	st, err := store.Open(context.Background(), dir, opts, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// spinReaders starts n readers that each call read, with a random source of
// their own (seeded with seed), until stop is called or failed is set; stop
// waits for them. Readers spin, so each yields before a read to let the shard
// actors run (on two cores the scheduler would otherwise hand them a slice
// every 10 ms).
func spinReaders(n int, seed uint64, failed *atomic.Bool, read func(r *rand.Rand)) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), seed))
			for !failed.Load() {
				select {
				case <-done:
					return
				default:
				}
				runtime.Gosched()
				read(r)
			}
		}()
	}
	return func() {
		close(done)
		wg.Wait()
	}
}

// commit writes puts (value = key) and deletes in one transaction.
func commit(t testing.TB, st *store.Store, puts, dels [][]byte) uint64 {
	t.Helper()
	return commitWith(t, st, puts, dels, func(k []byte) []byte { return k })
}

// commitWith writes each key of puts with the value value(key) and deletes dels,
// in one transaction, and returns its commit timestamp.
func commitWith(t testing.TB, st *store.Store, puts, dels [][]byte, value func(key []byte) []byte) uint64 {
	t.Helper()
	txn := st.Begin(store.TxnOptions{})
	for _, k := range puts {
		if err := txn.Put(k, value(k)); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range dels {
		if err := txn.Delete(k); err != nil {
			t.Fatal(err)
		}
	}
	ts, err := txn.Commit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func TestGetAtSnapshots(t *testing.T) {
	// The same commits applied one by one (OnApply) and as one group (Defer, then
	// Flush) must leave the same index.
	for _, grouped := range []bool{false, true} {
		t.Run(fmt.Sprintf("grouped=%v", grouped), func(t *testing.T) { testGetAtSnapshots(t, grouped) })
	}
}

func testGetAtSnapshots(t *testing.T, grouped bool) {
	m := newManager(t, Options{})
	k1, k2, k3 := key(1, 1), key(1, 2), key(1, 3)
	apply := m.OnApply
	if grouped {
		apply = m.Defer
	}
	apply(10, []store.Mutation{{Key: k1}, {Key: k2}})
	apply(20, []store.Mutation{{Key: k2, Delete: true}, {Key: k3}})
	apply(30, []store.Mutation{{Key: k1}})
	if grouped {
		if _, st := m.Get(k1, 35); st != AskStorage {
			t.Fatalf("before Flush: Get = %v, want %v (the group is not applied yet)", st, AskStorage)
		}
		m.Flush()
	}
	tests := []struct {
		name string
		key  []byte
		snap uint64
		want Status
		ver  uint64
	}{
		{"live, snapshot after its version", k1, 35, Found, 30},
		{"updated after the snapshot", k1, 25, AskStorage, 30},
		{"deleted before the snapshot: tombstone", k2, 20, Absent, 0},
		{"deleted after the snapshot", k2, 15, AskStorage, 20},
		{"inserted after the snapshot", k3, 15, AskStorage, 20},
		{"inserted at the snapshot", k3, 20, Found, 20},
		{"never written, known table", key(1, 99), 30, Absent, 0},
		{"unknown table", key(2, 1), 30, AskStorage, 0},
		{"store metadata key", []byte("\x00augur/checkpoint"), 30, AskStorage, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, st := m.Get(tc.key, tc.snap)
			if st != tc.want || e.Version != tc.ver {
				t.Errorf("Get(%x, %d) = %v %+v, want %v version %d", tc.key, tc.snap, st, e, tc.want, tc.ver)
			}
		})
	}
	var got []string
	if !m.Scan(key(1, 0), nil, 25, func(k []byte, e Entry, st Status) bool {
		got = append(got, fmt.Sprintf("%x:%v", k[len(k)-1], st))
		return true
	}) {
		t.Fatal("Scan: index could not answer")
	}
	// k1 changed after 25, k2 is deleted at 20, k3 is visible.
	want := []string{
		fmt.Sprintf("%x:%v", k1[len(k1)-1], AskStorage),
		fmt.Sprintf("%x:%v", k3[len(k3)-1], Found),
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Scan = %v, want %v", got, want)
	}
}

func TestDeferAppliesLargeGroupsInParts(t *testing.T) {
	m := newManager(t, Options{})
	muts := make([]store.Mutation, deferLimit+10)
	for i := range muts {
		muts[i] = store.Mutation{Key: key(1, int64(i))}
	}
	m.Defer(5, muts) // over the limit: applied at once, memory stays bounded
	if _, st := m.Get(key(1, 7), 5); st != Found {
		t.Fatalf("Get after a Defer over the limit = %v, want %v", st, Found)
	}
	m.Defer(6, []store.Mutation{{Key: key(1, 7), Delete: true}})
	m.Flush()
	m.Flush() // nothing deferred: a no-op
	if _, st := m.Get(key(1, 7), 6); st != Absent {
		t.Fatalf("Get after Flush = %v, want %v", st, Absent)
	}
}

func TestDeleteOfAbsentKeyLeavesNoTombstone(t *testing.T) {
	m := newManager(t, Options{})
	m.OnApply(5, []store.Mutation{{Key: key(1, 7), Delete: true}})
	if n := m.Len(); n != 0 {
		t.Errorf("Len = %d after deleting an absent key, want 0", n)
	}
}

func TestTombstonesCollectedBelowHorizon(t *testing.T) {
	var horizon atomic.Uint64
	m := newManager(t, Options{Horizon: horizon.Load})
	m.gcMin = 4
	var puts, dels []store.Mutation
	for i := range 10 {
		puts = append(puts, store.Mutation{Key: key(1, int64(i))})
		dels = append(dels, store.Mutation{Key: key(1, int64(i)), Delete: true})
	}
	m.OnApply(1, puts)
	m.OnApply(2, dels[:5])
	// An old snapshot (horizon 1) can still see the deleted versions.
	if n := m.Len(); n != 10 {
		t.Fatalf("Len = %d, want 10 (5 tombstones kept)", n)
	}
	if _, st := m.Get(key(1, 0), 1); st != AskStorage {
		t.Errorf("Get at snapshot 1 of a key deleted at 2 = %v, want %v", st, AskStorage)
	}
	horizon.Store(2)
	m.OnApply(3, dels[5:])
	// Tombstones at or below 2 go; those of 3 stay until the horizon passes them.
	if n := m.Len(); n != 5 {
		t.Fatalf("Len = %d, want 5 (the tombstones of commit 3)", n)
	}
	horizon.Store(3)
	m.OnApply(4, []store.Mutation{{Key: key(1, 100)}, {Key: key(1, 101), Delete: true}})
	for _, tc := range []struct {
		k    int64
		want Status
	}{{0, Absent}, {9, Absent}, {100, Found}} {
		if _, st := m.Get(key(1, tc.k), 4); st != tc.want {
			t.Errorf("Get(%d) = %v, want %v", tc.k, st, tc.want)
		}
	}
}

// TestRandomSplitsAgainstModel applies random commits to a manager whose shards
// split every few dozen keys, while readers check every answer against a model
// of all versions; at the end a full scan must equal the model.
func TestRandomSplitsAgainstModel(t *testing.T) {
	const (
		commits  = 3000
		keySpace = 2000
		readers  = 2
	)
	m := newManager(t, Options{MaxKeys: 64})
	rng := rand.New(rand.NewPCG(1, 2))

	type version struct {
		ts  uint64
		del bool
	}
	var (
		mu      sync.RWMutex
		history = map[string][]version{}
		applied atomic.Uint64
	)
	// expected returns the model's state of k at snap: present, and the version.
	expected := func(k []byte, snap uint64) (bool, uint64) {
		mu.RLock()
		defer mu.RUnlock()
		h := history[string(k)]
		for i := len(h) - 1; i >= 0; i-- {
			if h[i].ts <= snap {
				return !h[i].del, h[i].ts
			}
		}
		return false, 0
	}
	tables := []uint32{1, 2, 3}
	randKey := func(r *rand.Rand) []byte {
		return key(tables[r.IntN(len(tables))], int64(r.IntN(keySpace))-keySpace/2)
	}

	var failed atomic.Bool
	stopReaders := spinReaders(readers, 99, &failed, func(r *rand.Rand) {
		snap := applied.Load()
		k := randKey(r)
		e, st := m.Get(k, snap)
		present, ver := expected(k, snap)
		switch st {
		case Found:
			if !present || e.Version != ver {
				t.Errorf("Get(%x, %d) = found version %d; model: present %v version %d", k, snap, e.Version, present, ver)
				failed.Store(true)
			}
		case Absent:
			if present {
				t.Errorf("Get(%x, %d) = absent; model: version %d", k, snap, ver)
				failed.Store(true)
			}
		case AskStorage:
			if e.Version != 0 && e.Version <= snap {
				t.Errorf("Get(%x, %d) = ask storage with version %d", k, snap, e.Version)
				failed.Store(true)
			}
		}
		// A short scan must be ordered and agree with the model.
		var prev []byte
		m.Scan(k, nil, snap, func(sk []byte, e Entry, st Status) bool {
			if prev != nil && bytes.Compare(prev, sk) >= 0 {
				t.Errorf("Scan out of order: %x after %x", sk, prev)
				failed.Store(true)
			}
			prev = append(prev[:0], sk...)
			if st == Found {
				if present, ver := expected(sk, snap); !present || ver != e.Version {
					t.Errorf("Scan at %d: %x found version %d; model: present %v version %d", snap, sk, e.Version, present, ver)
					failed.Store(true)
				}
			}
			return len(prev) > 0 && r.IntN(20) != 0
		})
	})

	for ts := uint64(1); ts <= commits && !failed.Load(); ts++ {
		n := 1 + rng.IntN(40)
		seen := map[string]bool{}
		var muts []store.Mutation
		for range n {
			k := randKey(rng)
			if seen[string(k)] {
				continue
			}
			seen[string(k)] = true
			muts = append(muts, store.Mutation{Key: k, Delete: rng.IntN(4) == 0})
		}
		sort.Slice(muts, func(i, j int) bool { return bytes.Compare(muts[i].Key, muts[j].Key) < 0 })
		mu.Lock()
		for _, mt := range muts {
			history[string(mt.Key)] = append(history[string(mt.Key)], version{ts, mt.Delete})
		}
		mu.Unlock()
		m.OnApply(ts, muts)
		applied.Store(ts)
	}
	stopReaders()

	snap := applied.Load()
	var want []string
	mu.RLock()
	for k := range history {
		if present, _ := expected([]byte(k), snap); present {
			want = append(want, k)
		}
	}
	mu.RUnlock()
	sort.Strings(want)
	var got []string
	if !m.Scan([]byte{keycodec.TablePrefixByte}, nil, snap, func(k []byte, e Entry, st Status) bool {
		got = append(got, string(k))
		return true
	}) {
		t.Fatal("final Scan: index could not answer")
	}
	if len(got) != len(want) {
		t.Fatalf("final scan has %d keys, model %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("final scan key %d = %x, model %x", i, got[i], want[i])
		}
	}
	shards := m.Shards()
	if len(shards) <= len(tables) {
		t.Errorf("%d shards for %d keys with MaxKeys 64: no split happened", len(shards), len(got))
	}
	for i := 1; i < len(shards); i++ {
		if bytes.Compare(shards[i-1].End, shards[i].Start) > 0 {
			t.Errorf("shards %d and %d overlap", i-1, i)
		}
		if bytes.Equal(shards[i-1].Start[:keycodec.TablePrefixLen], shards[i].Start[:keycodec.TablePrefixLen]) &&
			!bytes.Equal(shards[i-1].End, shards[i].Start) {
			t.Errorf("gap between shards %d and %d of one table", i-1, i)
		}
	}
}

func TestRegister(t *testing.T) {
	m := newManager(t, Options{})
	m.Register(7, 2)
	m.Register(7, 2)
	sh := m.Shards()
	if len(sh) != 1 || !bytes.Equal(sh[0].Start, keycodec.AppendTablePrefix(nil, 7, 2)) {
		t.Fatalf("Shards after Register = %+v", sh)
	}
	if _, st := m.Get(append(keycodec.AppendTablePrefix(nil, 7, 2), 1, 2, 3), 1); st != Absent {
		t.Errorf("Get in an empty registered table = %v, want %v", st, Absent)
	}
}

func TestRebuildFromStore(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, dir, nil)
	var puts [][]byte
	for i := range 1000 {
		puts = append(puts, key(1, int64(i)), key(2, int64(i)))
	}
	commit(t, st, puts, nil)
	var dels [][]byte
	for i := 0; i < 1000; i += 10 {
		dels = append(dels, key(1, int64(i)))
	}
	commit(t, st, nil, dels)
	// Keys outside the table key space are not loaded.
	commit(t, st, [][]byte{{0x20, 1}, {keycodec.TablePrefixByte, 1}}, nil)
	if err := st.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	m := newManager(t, Options{MaxKeys: 300})
	st = openStore(t, dir, m)
	defer st.Close(context.Background())
	stats, err := m.Rebuild(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Tables != 2 || stats.Keys != 1900 {
		t.Errorf("Rebuild stats = %+v, want 2 tables, 1900 keys", stats)
	}
	if stats.Shards < 2*(1000/150) {
		t.Errorf("Rebuild made %d shards, want runs of MaxKeys/2", stats.Shards)
	}
	snap := st.Visible()
	for i := range 1000 {
		want := Found
		if i%10 == 0 {
			want = Absent
		}
		if _, s := m.Get(key(1, int64(i)), snap); s != want {
			t.Fatalf("Get(table 1, %d) = %v, want %v", i, s, want)
		}
		if _, s := m.Get(key(2, int64(i)), snap); s != Found {
			t.Fatalf("Get(table 2, %d) = %v, want found", i, s)
		}
	}
	// Older snapshots cannot be answered by a rebuilt index.
	if _, s := m.Get(key(2, 1), snap-1); s != AskStorage {
		t.Errorf("Get before the rebuild's snapshot = %v, want %v", s, AskStorage)
	}
	n := 0
	if !m.Scan(key(1, 0), keycodec.PrefixEnd(keycodec.AppendTablePrefix(nil, 1, 0)), snap, func([]byte, Entry, Status) bool {
		n++
		return true
	}) {
		t.Fatal("Scan: index could not answer")
	}
	if n != 900 {
		t.Errorf("Scan of table 1 = %d keys, want 900", n)
	}
	// Commits after the rebuild keep the shards up to date, and a new table gets shards.
	ts := commit(t, st, [][]byte{key(1, 0), key(3, 1)}, [][]byte{key(2, 5)})
	for _, tc := range []struct {
		k    []byte
		want Status
	}{{key(1, 0), Found}, {key(3, 1), Found}, {key(2, 5), Absent}} {
		if e, s := m.Get(tc.k, ts); s != tc.want || (s == Found && e.Version != ts) {
			t.Errorf("Get(%x) after commit %d = %v %+v, want %v", tc.k, ts, s, e, tc.want)
		}
	}
}

// TestShardRestartsAfterPanic injects a panic into a shard while it applies a
// commit: the shard restarts, rebuilds from the store, and the commit is not lost.
func TestShardRestartsAfterPanic(t *testing.T) {
	dir := t.TempDir()
	m := newManager(t, Options{})
	st := openStore(t, dir, m)
	defer st.Close(context.Background())
	if _, err := m.Rebuild(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	var puts [][]byte
	for i := range 100 {
		puts = append(puts, key(1, int64(i)))
	}
	commit(t, st, puts, nil)
	before := m.Shards()
	if len(before) != 1 {
		t.Fatalf("shards = %d, want 1", len(before))
	}

	var fired atomic.Bool
	hook := func(uint64) {
		if fired.CompareAndSwap(false, true) {
			panic("injected shard failure")
		}
	}
	m.applyHook.Store(&hook)
	ts := commit(t, st, [][]byte{key(1, 1000)}, [][]byte{key(1, 5)})
	m.applyHook.Store(nil)
	if !fired.Load() {
		t.Fatal("the hook did not run")
	}
	after := m.Shards()
	if after[0].ID != before[0].ID || after[0].Failed {
		t.Fatalf("shard after restart = %+v, want the same shard, not failed", after[0])
	}
	if after[0].Since <= before[0].Since {
		t.Errorf("shard since = %d after restart, want > %d (rebuilt from storage)", after[0].Since, before[0].Since)
	}
	for _, tc := range []struct {
		k    int64
		want Status
	}{{1000, Found}, {5, Absent}, {6, Found}} {
		if _, s := m.Get(key(1, tc.k), ts); s != tc.want {
			t.Errorf("Get(%d) at %d after restart = %v, want %v", tc.k, ts, s, tc.want)
		}
	}
	// The restarted shard keeps applying commits.
	ts = commit(t, st, [][]byte{key(1, 2000)}, nil)
	if _, s := m.Get(key(1, 2000), ts); s != Found {
		t.Errorf("Get after a commit following the restart = %v, want found", s)
	}
}

// TestSplitsAndRestartWithStore commits through a real store with tiny shards,
// then fails one of the split shards: every committed key stays readable.
func TestSplitsAndRestartWithStore(t *testing.T) {
	m := newManager(t, Options{MaxKeys: 40})
	st := openStore(t, t.TempDir(), m)
	defer st.Close(context.Background())
	if _, err := m.Rebuild(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	for c := range 20 {
		var puts [][]byte
		for i := range 10 {
			puts = append(puts, key(1, int64(c*10+i)))
		}
		commit(t, st, puts, nil)
	}
	shards := m.Shards()
	if len(shards) < 3 {
		t.Fatalf("%d shards for 200 keys with MaxKeys 40, want splits", len(shards))
	}
	victim := shards[len(shards)/2]
	var fired atomic.Bool
	hook := func(id uint64) {
		if id == victim.ID && fired.CompareAndSwap(false, true) {
			panic("injected shard failure")
		}
	}
	m.applyHook.Store(&hook)
	// Keys across the whole table, so the victim gets a batch.
	var puts [][]byte
	for i := int64(0); i < 200; i += 7 {
		puts = append(puts, key(1, 1000+i), key(1, i))
	}
	ts := commit(t, st, puts, [][]byte{key(1, 3)})
	m.applyHook.Store(nil)
	if !fired.Load() {
		t.Fatal("the victim shard got no batch")
	}
	for i := range int64(200) {
		want := Found
		if i == 3 {
			want = Absent
		}
		if _, s := m.Get(key(1, i), ts); s != want {
			t.Errorf("Get(%d) at %d = %v, want %v", i, ts, s, want)
		}
	}
}

// TestWaitAppliedGivesUpOnFailedShards: a batch that reached a shard only after it
// stopped for good is lost in the dead letters; OnApply must not wait for it.
func TestWaitAppliedGivesUpOnFailedShards(t *testing.T) {
	done := newApplyWait(2)
	live, dead := &shardRef{}, &shardRef{}
	bLive, bDead := &applyBatch{done: done}, &applyBatch{done: done}
	returned := make(chan struct{})
	go func() {
		p := &pendingApply{batches: []*applyBatch{bLive, bDead}, refs: []*shardRef{live, dead}, done: done}
		p.wait()
		close(returned)
	}()
	bLive.ack()
	dead.failed.Store(true) // the shard stopped after the batch was sent
	select {
	case <-returned:
	case <-time.After(10 * time.Second):
		t.Fatal("waitApplied still waits for a batch sent to a failed shard")
	}
	bDead.ack() // a late acknowledgement changes nothing
}

// TestNewTableLearnsKeyPrefix: a table created empty and filled by commits must
// not keep the table prefix as its index's key prefix. With it, composite keys
// whose first eight bytes after the table prefix agree — (worker int, seq int)
// for one worker — would all share one model input and pile into a single data
// node, which every commit then copies whole.
func TestNewTableLearnsKeyPrefix(t *testing.T) {
	m := newManager(t, Options{})
	m.Register(100, 1)
	prefix := keycodec.AppendTablePrefix(nil, 100, 1)
	const n = 5000
	for i := range n {
		k := keycodec.AppendInt(keycodec.AppendInt(bytes.Clone(prefix), 7, keycodec.Asc), int64(i), keycodec.Asc)
		m.Defer(uint64(i+1), []store.Mutation{{Key: k, Value: k}})
		m.StartFlush()()
	}
	var keys, biggest int
	for _, s := range m.routes.Load().shards {
		st := s.pub.Load().view.Stats()
		keys += st.Keys
		biggest = max(biggest, st.Slots/max(st.DataNodes, 1))
	}
	if keys != n {
		t.Fatalf("the shards hold %d keys, want %d", keys, n)
	}
	if biggest > 1024 {
		t.Errorf("data nodes average %d slots: sequential composite keys are not spread over data nodes", biggest)
	}
}

// TestRestartDuringLargeCommitGivesRangeToStorage: a shard keeps at most
// recentMax entries of not-yet-visible commits for a rebuild. When it fails
// while applying a commit larger than that, the rebuild cannot see the commit
// and has not kept it, so the shard is marked failed and its reads go to the
// store, which still answers them correctly.
func TestRestartDuringLargeCommitGivesRangeToStorage(t *testing.T) {
	for _, tc := range []struct {
		name       string
		recentMax  int
		wantFailed bool
	}{
		{"kept", 1000, false},
		{"dropped", 10, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newManager(t, Options{})
			m.recentMax = tc.recentMax
			st := openStore(t, t.TempDir(), m)
			defer st.Close(context.Background())
			if _, err := m.Rebuild(context.Background(), st); err != nil {
				t.Fatal(err)
			}
			commit(t, st, [][]byte{key(1, 0)}, nil)
			var fired atomic.Bool
			hook := func(uint64) {
				if fired.CompareAndSwap(false, true) {
					panic("injected shard failure")
				}
			}
			m.applyHook.Store(&hook)
			var puts [][]byte
			for i := range int64(100) {
				puts = append(puts, key(1, 1+i))
			}
			ts := commit(t, st, puts, nil)
			m.applyHook.Store(nil)
			if !fired.Load() {
				t.Fatal("the hook did not run")
			}
			if got := m.Shards()[0].Failed; got != tc.wantFailed {
				t.Fatalf("shard failed = %v after a restart during a commit of 100 entries with recentMax %d, want %v", got, tc.recentMax, tc.wantFailed)
			}
			for i := range int64(101) {
				_, s := m.Get(key(1, i), ts)
				if tc.wantFailed && s != AskStorage || !tc.wantFailed && s != Found {
					t.Fatalf("Get(%d) = %v (shard failed %v)", i, s, tc.wantFailed)
				}
				txn := st.Begin(store.TxnOptions{})
				_, found, err := txn.Get(key(1, i))
				txn.Abort()
				if err != nil || !found {
					t.Fatalf("store Get(%d) = %v, %v; want found", i, found, err)
				}
			}
		})
	}
}
