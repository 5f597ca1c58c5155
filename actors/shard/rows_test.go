package shard

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/augurdb/augur/storage/keycodec"
	"github.com/augurdb/augur/storage/store"
)

// rowValueOf is the value the model tests write for key k at commit ts: unique
// per version, of a length that varies with both (chunks of every size fill).
func rowValueOf(k []byte, ts uint64) []byte {
	v := fmt.Appendf(nil, "%x@%d:", k, ts)
	return append(v, bytes.Repeat([]byte{byte(ts)}, int(ts*7+uint64(len(k)))%300)...)
}

// TestLookupAgainstModel applies random puts and deletes with values through
// OnApply, with tiny shards that split and arenas that compact, while readers
// check every value Lookup returns against a model at their snapshot: a stale
// value, a value of another key or a wrong absence fails the test.
func TestLookupAgainstModel(t *testing.T) {
	for _, tc := range []struct {
		name   string
		budget int64
	}{
		{"unlimited", 0},
		{"small budget", 16 << 10},
		{"no cache", -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			testLookupAgainstModel(t, tc.budget)
		})
	}
}

func testLookupAgainstModel(t *testing.T, budget int64) {
	const (
		commits  = 2000
		keySpace = 600
		readers  = 2
	)
	m := newManager(t, Options{MaxKeys: 128, RowCacheBytes: budget})
	m.budget.compactMin = 4 << 10
	rng := rand.New(rand.NewPCG(3, 4))

	type version struct {
		ts  uint64
		del bool
	}
	var (
		mu      sync.RWMutex
		history = map[string][]version{}
		applied atomic.Uint64
		found   atomic.Int64
		failed  atomic.Bool
	)
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
	tables := []uint32{1, 2}
	randKey := func(r *rand.Rand) []byte {
		return key(tables[r.IntN(len(tables))], int64(r.IntN(keySpace)))
	}
	check := func(k []byte, snap uint64) {
		v, ans := m.Lookup(k, snap)
		present, ver := expected(k, snap)
		switch ans {
		case store.IndexFound:
			found.Add(1)
			if budget < 0 {
				t.Errorf("Lookup(%x, %d) found a value with the cache off", k, snap)
				failed.Store(true)
			}
			if !present || !bytes.Equal(v, rowValueOf(k, ver)) {
				t.Errorf("Lookup(%x, %d) = %q; model: present %v, value %q", k, snap, v, present, rowValueOf(k, ver))
				failed.Store(true)
			}
		case store.IndexAbsent:
			if present {
				t.Errorf("Lookup(%x, %d) = absent; model: version %d", k, snap, ver)
				failed.Store(true)
			}
		}
	}

	// checkRows compares a cursor over [k, the table's end) with the model:
	// every key present at snap must come, in order, with its value when known.
	checkRows := func(k []byte, snap uint64) {
		end := keycodec.PrefixEnd(k[:keycodec.TablePrefixLen])
		cur := m.Rows(k, end, snap)
		if cur == nil {
			if budget == 0 {
				t.Errorf("Rows(%x, %d) = nil with an unlimited cache", k, snap)
				failed.Store(true)
			}
			return
		}
		var got []string
		for cur.Next() {
			ck := cur.Key()
			if len(got) > 0 && bytes.Compare([]byte(got[len(got)-1]), ck) >= 0 {
				t.Errorf("Rows out of order: %x after %x", ck, got[len(got)-1])
				failed.Store(true)
			}
			present, ver := expected(ck, snap)
			if v, known := cur.Value(); known && (!present || !bytes.Equal(v, rowValueOf(ck, ver))) {
				t.Errorf("Rows at %d: %x = %q; model: present %v, value %q", snap, ck, v, present, rowValueOf(ck, ver))
				failed.Store(true)
			}
			if present {
				got = append(got, string(ck))
			}
		}
		var want []string
		tb, _, _, _ := keycodec.DecodeTablePrefix(k)
		for i := range int64(keySpace) {
			mk := key(tb, i)
			if present, _ := expected(mk, snap); present && bytes.Compare(mk, k) >= 0 {
				want = append(want, string(mk))
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("Rows(%x, %d) yielded %d present keys, model %d", k, snap, len(got), len(want))
			failed.Store(true)
		}
	}

	stopReaders := spinReaders(readers, 7, &failed, func(r *rand.Rand) {
		snap := applied.Load()
		k := randKey(r)
		check(k, snap)
		if r.IntN(8) == 0 {
			checkRows(k, snap)
		}
	})

	written := 0
	for ts := uint64(1); ts <= commits && !failed.Load(); ts++ {
		seen := map[string]bool{}
		var muts []store.Mutation
		for range 1 + rng.IntN(30) {
			k := randKey(rng)
			if seen[string(k)] {
				continue
			}
			seen[string(k)] = true
			mt := store.Mutation{Key: k, Delete: rng.IntN(5) == 0}
			if !mt.Delete {
				mt.Value = rowValueOf(k, ts)
				written += len(mt.Value)
			}
			muts = append(muts, mt)
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
	if failed.Load() {
		return
	}

	// Every key at the last commit, and at older snapshots (which must be
	// answered right or sent to the store).
	snap := applied.Load()
	for _, tb := range tables {
		for i := range int64(keySpace) {
			k := key(tb, i)
			check(k, snap)
			check(k, snap/2)
			if i%50 == 0 {
				checkRows(k, snap)
				checkRows(k, snap/2)
			}
			if present, _ := expected(k, snap); present && budget == 0 {
				if _, ans := m.Lookup(k, snap); ans != store.IndexFound {
					t.Errorf("Lookup(%x, %d) = %v with an unlimited cache, want found", k, snap, ans)
				}
			}
		}
	}
	if len(m.Shards()) <= len(tables) {
		t.Errorf("%d shards, want splits", len(m.Shards()))
	}
	if budget >= 0 && found.Load() == 0 {
		t.Error("no lookup was answered from the row cache")
	}
	switch used := m.RowCacheBytes(); {
	case budget < 0 && used != 0:
		t.Errorf("row cache holds %d bytes with the cache off", used)
	case budget == 0 && used >= int64(written)/2:
		// 2,000 commits rewrite each key many times: without compaction the
		// arenas would hold every value ever written.
		t.Errorf("row cache holds %d bytes of %d written: garbage not compacted", used, written)
	}
}

// commitValues writes each key of puts with rowValueOf(key, ts) — the commit's
// timestamp is not known before it commits, so the value names the write's
// round instead — and deletes dels.
func commitValues(t testing.TB, st *store.Store, round uint64, puts, dels [][]byte) uint64 {
	t.Helper()
	return commitWith(t, st, puts, dels, func(k []byte) []byte { return rowValueOf(k, round) })
}

// TestRowsAfterRestartSplitAndRebuild: values stay right through a shard
// restart after a panic (rebuilt from the store), splits, and a Rebuild of a
// new manager over the reopened store.
func TestRowsAfterRestartSplitAndRebuild(t *testing.T) {
	dir := t.TempDir()
	m := newManager(t, Options{MaxKeys: 50})
	st := openStore(t, dir, m)
	if _, err := m.Rebuild(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{}
	write := func(round uint64, puts, dels [][]byte) uint64 {
		ts := commitValues(t, st, round, puts, dels)
		for _, k := range puts {
			want[string(k)] = rowValueOf(k, round)
		}
		for _, k := range dels {
			delete(want, string(k))
		}
		return ts
	}
	verify := func(m *Manager, ts uint64, stage string) {
		t.Helper()
		for i := range int64(300) {
			k := key(1, i)
			v, ans := m.Lookup(k, ts)
			w, ok := want[string(k)]
			switch {
			case ok && (ans != store.IndexFound || !bytes.Equal(v, w)):
				t.Errorf("%s: Lookup(%d) = %v %q, want %q", stage, i, ans, v, w)
			case !ok && ans != store.IndexAbsent:
				t.Errorf("%s: Lookup(%d) = %v %q, want absent", stage, i, ans, v)
			}
		}
	}
	var ts uint64
	for round := range uint64(10) {
		var puts, dels [][]byte
		for i := range int64(30) {
			puts = append(puts, key(1, int64(round)*20+i))
		}
		if round > 2 {
			dels = append(dels, key(1, int64(round)*7))
		}
		ts = write(round+1, puts, dels)
	}
	if len(m.Shards()) < 3 {
		t.Fatalf("%d shards, want splits", len(m.Shards()))
	}
	verify(m, ts, "after splits")

	victim := m.Shards()[1]
	var fired atomic.Bool
	hook := func(id uint64) {
		if id == victim.ID && fired.CompareAndSwap(false, true) {
			panic("injected shard failure")
		}
	}
	m.applyHook.Store(&hook)
	var puts [][]byte
	for i := range int64(300) {
		puts = append(puts, key(1, i))
	}
	ts = write(100, puts, [][]byte{key(1, 42)})
	m.applyHook.Store(nil)
	if !fired.Load() {
		t.Fatal("the victim shard got no batch")
	}
	verify(m, ts, "after a restart")

	if err := st.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	m2 := newManager(t, Options{MaxKeys: 50})
	st2 := openStore(t, dir, m2)
	defer st2.Close(context.Background())
	if _, err := m2.Rebuild(context.Background(), st2); err != nil {
		t.Fatal(err)
	}
	verify(m2, st2.Visible(), "after a rebuild")
}
