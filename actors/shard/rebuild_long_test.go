//go:build long

package shard

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/augurdb/augur/storage/store"
)

// TestRebuild10M loads 10M keys into a store, reopens it and times the rebuild of
// the shards (go test -tags long -run TestRebuild10M -v ./actors/shard/).
func TestRebuild10M(t *testing.T) {
	const (
		keys  = 10_000_000
		batch = 100_000
	)
	dir := t.TempDir()
	st := openStore(t, dir, nil)
	began := time.Now()
	value := make([]byte, 16)
	for i := 0; i < keys; i += batch {
		txn := st.Begin(store.TxnOptions{})
		for j := i; j < i+batch; j++ {
			if err := txn.Put(key(1, int64(j)), value); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := txn.Commit(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("loaded %d keys in %v", keys, time.Since(began))
	if err := st.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	m := newManager(t, Options{})
	began = time.Now()
	st = openStore(t, dir, m)
	defer st.Close(context.Background())
	opened := time.Since(began)
	runtime.GC()
	stats, err := m.Rebuild(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("store open %v; rebuild: %d tables, %d shards, %d keys in %v (GOMAXPROCS %d)",
		opened, stats.Tables, stats.Shards, stats.Keys, stats.Duration, runtime.GOMAXPROCS(0))
	if stats.Keys != keys {
		t.Fatalf("rebuilt %d keys, want %d", stats.Keys, keys)
	}
	snap := st.Visible()
	for _, k := range []int64{0, 1, keys / 2, keys - 1} {
		if _, s := m.Get(key(1, k), snap); s != Found {
			t.Errorf("Get(%d) = %v, want found", k, s)
		}
	}
	if _, s := m.Get(key(1, keys), snap); s != Absent {
		t.Errorf("Get(%d) = %v, want absent", keys, s)
	}
}
