package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/rs/zerolog"

	"github.com/augurdb/augur/actors/shard"
	"github.com/augurdb/augur/storage/keycodec"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/store"
)

// openWithShards opens a store in dir wired to index shards as the server wires
// them: the shards follow every group (Defer, StartFlush) and answer reads.
func openWithShards(t *testing.T, dir string, opts shard.Options) (*store.Store, *shard.Manager) {
	t.Helper()
	opts.System = actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.DiscardHandler)
	}))
	var opened atomic.Pointer[store.Store]
	opts.Horizon = func() uint64 {
		if st := opened.Load(); st != nil {
			return st.OldestSnapshot()
		}
		return 0
	}
	m, err := shard.NewManager(opts)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), dir, store.Options{
		CheckpointTimeout: -1, SegmentSize: 1 << 20, BadgerMemTableSize: 8 << 20,
		OnApply: m.Defer, OnApplyStart: m.StartFlush,
	}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	opened.Store(st)
	if _, err := m.Rebuild(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	st.SetIndex(m)
	t.Cleanup(func() {
		if err := st.Close(context.Background()); err != nil {
			t.Error(err)
		}
		if err := m.Close(); err != nil {
			t.Error(err)
		}
	})
	return st, m
}

func rowKey(i int) []byte {
	return keycodec.AppendInt(keycodec.AppendTablePrefix(nil, 9, 0), int64(i), keycodec.Asc)
}

// pairHistory is what one writer committed to its pairs, in commit order. gen is
// odd while a commit of the writer is in flight, so a reader that sees it even
// after taking its snapshot knows every commit of the writer at or below the
// snapshot is recorded.
type pairHistory struct {
	gen  atomic.Uint64
	mu   sync.Mutex
	recs map[int][]pairRec // pair → versions
}

type pairRec struct {
	ts  uint64
	val string // "" for a delete
}

// TestIndexReadsUnderConcurrentWriters runs writers that rewrite or delete pairs
// of keys in one transaction against readers that read the pairs through the
// index shards (point reads from the row cache), with shards small enough to
// split: a reader must see, at its snapshot, both keys of a pair with the value
// of the pair's newest commit at or below the snapshot. A stale value, a value
// from after the snapshot, or a torn pair fails.
func TestIndexReadsUnderConcurrentWriters(t *testing.T) {
	const (
		pairs   = 100
		writers = 2
		readers = 2
		rounds  = 400
	)
	st, m := openWithShards(t, t.TempDir(), shard.Options{MaxKeys: 64})
	hist := make([]*pairHistory, writers)
	for w := range hist {
		hist[w] = &pairHistory{recs: map[int][]pairRec{}}
	}
	var (
		failed  atomic.Bool
		writing sync.WaitGroup
		reading sync.WaitGroup
		stop    = make(chan struct{})
	)
	fail := func(format string, args ...any) {
		t.Errorf(format, args...)
		failed.Store(true)
	}
	for w := range writers {
		writing.Add(1)
		go func() {
			defer writing.Done()
			h := hist[w]
			r := rand.New(rand.NewPCG(uint64(w), 1))
			for n := range rounds {
				if failed.Load() {
					return
				}
				p := w + writers*r.IntN(pairs/writers) // pairs p ≡ w (mod writers)
				val := fmt.Sprintf("w%d-%d-%s", w, n, bytes.Repeat([]byte("x"), r.IntN(200)))
				del := r.IntN(6) == 0
				txn := st.Begin(store.TxnOptions{})
				for _, k := range [][]byte{rowKey(2 * p), rowKey(2*p + 1)} {
					var err error
					if del {
						err = txn.Delete(k)
					} else {
						err = txn.Put(k, []byte(val))
					}
					if err != nil {
						fail("write: %v", err)
						return
					}
				}
				// The transaction reads its own writes, not the index's.
				v, ok, err := txn.Get(rowKey(2 * p))
				if err != nil || ok == del || (!del && string(v) != val) {
					fail("own write of pair %d: %q %v %v, want %q (deleted %v)", p, v, ok, err, val, del)
				}
				it := txn.Scan(rowKey(2*p), rowKey(2*p+2))
				n := 0
				for ; it.Valid(); it.Next() {
					if v, err := it.Value(); err != nil || del || string(v) != val {
						fail("scan of own write of pair %d: %x = %q %v, want %q (deleted %v)", p, it.Key(), v, err, val, del)
					}
					n++
				}
				if err := it.Err(); err != nil || (n == 0) != del {
					fail("scan of own write of pair %d: %d keys, err %v (deleted %v)", p, n, err, del)
				}
				it.Close()
				h.gen.Add(1)
				ts, err := txn.Commit(context.Background())
				var pe *pgerr.Error
				if err != nil && !errors.As(err, &pe) {
					fail("commit: %v", err)
				}
				if err == nil {
					if del {
						val = ""
					}
					h.mu.Lock()
					h.recs[p] = append(h.recs[p], pairRec{ts, val})
					h.mu.Unlock()
				}
				h.gen.Add(1)
			}
		}()
	}
	// expect returns the value of pair p at snap ("" when absent), once every
	// commit of p's writer at or below snap is recorded.
	expect := func(p int, snap uint64) string {
		h := hist[p%writers]
		deadline := time.Now().Add(10 * time.Second)
		for h.gen.Load()%2 == 1 && time.Now().Before(deadline) {
			runtime.Gosched()
		}
		h.mu.Lock()
		defer h.mu.Unlock()
		want := ""
		for _, rec := range h.recs[p] {
			if rec.ts <= snap {
				want = rec.val
			}
		}
		return want
	}
	keyIndex := map[string]int{}
	for i := range 2 * pairs {
		keyIndex[string(rowKey(i))] = i
	}
	// scanPairs scans every pair from a random one, twice with writers running
	// in between, and checks each against the history at the snapshot: present
	// pairs must all come, with their values, and absent ones must not.
	scanPairs := func(txn *store.Txn) {
		for range 2 {
			got := map[int][2]string{}
			it := txn.Scan(rowKey(0), rowKey(2*pairs))
			for ; it.Valid(); it.Next() {
				i, ok := keyIndex[string(it.Key())]
				if !ok {
					fail("scan: unknown key %x", it.Key())
					break
				}
				v, err := it.Value()
				if err != nil {
					fail("scan value: %v", err)
				}
				pv := got[i/2]
				pv[i%2] = string(v)
				got[i/2] = pv
			}
			if err := it.Err(); err != nil {
				fail("scan: %v", err)
			}
			it.Close()
			for p := range pairs {
				want := expect(p, txn.Snapshot())
				if g := got[p]; g[0] != want || g[1] != want {
					fail("scan: pair %d at snapshot %d = %q, %q; want %q", p, txn.Snapshot(), g[0], g[1], want)
					return
				}
			}
			time.Sleep(200 * time.Microsecond)
		}
	}
	for i := range readers {
		reading.Add(1)
		go func() {
			defer reading.Done()
			r := rand.New(rand.NewPCG(uint64(i), 2))
			for {
				select {
				case <-stop:
					return
				default:
				}
				runtime.Gosched()
				txn := st.Begin(store.TxnOptions{})
				if r.IntN(4) == 0 {
					scanPairs(txn)
					txn.Abort()
					continue
				}
				p := r.IntN(pairs)
				// The pair is read twice, with writers running in between: the
				// second read must not see their commits either.
				for range 2 {
					var got [2]string
					for j, k := range [][]byte{rowKey(2 * p), rowKey(2*p + 1)} {
						v, ok, err := txn.Get(k)
						if err != nil {
							fail("get: %v", err)
						}
						if ok {
							got[j] = string(v)
							if v == nil {
								got[j] = "<nil>"
							}
						}
					}
					if want := expect(p, txn.Snapshot()); got[0] != want || got[1] != want {
						fail("pair %d at snapshot %d = %q, %q; want %q", p, txn.Snapshot(), got[0], got[1], want)
					}
					time.Sleep(200 * time.Microsecond)
				}
				txn.Abort()
				if failed.Load() {
					return
				}
			}
		}()
	}
	writing.Wait()
	close(stop)
	reading.Wait()
	if len(m.Shards()) < 3 {
		t.Errorf("%d shards, want splits", len(m.Shards()))
	}
	// The row cache answered: the final values are in it.
	txn := st.Begin(store.TxnOptions{})
	defer txn.Abort()
	cached := 0
	for p := range pairs {
		want := expect(p, txn.Snapshot())
		v, ans := m.Lookup(rowKey(2*p), txn.Snapshot())
		switch {
		case ans == store.IndexFound:
			cached++
			if string(v) != want {
				t.Errorf("pair %d: cached %q, want %q", p, v, want)
			}
		case ans == store.IndexAbsent && want != "":
			t.Errorf("pair %d: index says absent, want %q", p, want)
		}
	}
	if cached == 0 {
		t.Error("no value came from the row cache")
	}
	if m.Rows(rowKey(0), rowKey(2*pairs), txn.Snapshot()) == nil {
		t.Error("the index cannot serve a scan of the pairs")
	}
}
