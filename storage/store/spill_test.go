package store

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/tidwall/btree"
)

// TestSpillGet checks spill.get against a map of the newest write per key, with
// runs that overlap (a later run rewrites or deletes keys of an earlier one) and
// runs that do not, reading keys in order (each block served from the run's
// cached block) and at random (the cache replaced at nearly every get).
func TestSpillGet(t *testing.T) {
	sp, err := newSpill(t.TempDir(), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.close()
	key := func(i int) []byte { return fmt.Appendf(nil, "k%06d", i) }
	want := map[string]Mutation{}
	addRun := func(muts []Mutation) {
		buf := btree.NewBTreeGOptions(lessMutation, btree.Options{NoLocks: true})
		for i := range muts {
			buf.Set(&muts[i])
			want[string(muts[i].Key)] = muts[i]
		}
		if err := sp.addRun(buf); err != nil {
			t.Fatal(err)
		}
	}
	const n = 5000
	var muts []Mutation
	for i := 0; i < n; i += 2 { // even keys: puts
		muts = append(muts, Mutation{Key: key(i), Value: fmt.Appendf(nil, "v1-%d", i)})
	}
	addRun(muts)
	muts = nil
	for i := 0; i < n; i += 3 { // every third key: deleted, or rewritten when odd
		if i%2 == 0 {
			muts = append(muts, Mutation{Key: key(i), Delete: true})
		} else {
			muts = append(muts, Mutation{Key: key(i), Value: fmt.Appendf(nil, "v2-%d", i)})
		}
	}
	addRun(muts)
	muts = nil
	for i := n; i < n+1000; i++ { // a run past the others' ranges
		muts = append(muts, Mutation{Key: key(i), Value: fmt.Appendf(nil, "v3-%d", i)})
	}
	addRun(muts)

	check := func(t *testing.T, order []int) {
		for _, i := range order {
			k := key(i)
			got, ok, err := sp.get(k)
			if err != nil {
				t.Fatal(err)
			}
			w, wok := want[string(k)]
			if ok != wok || ok && (string(got.Key) != string(w.Key) || string(got.Value) != string(w.Value) || got.Delete != w.Delete) {
				t.Fatalf("get(%s) = %q %q delete=%v found=%v, want %q %q delete=%v found=%v",
					k, got.Key, got.Value, got.Delete, ok, w.Key, w.Value, w.Delete, wok)
			}
		}
	}
	order := make([]int, n+1100)
	for i := range order {
		order[i] = i - 50 // keys below, within and above the runs
	}
	t.Run("in order", func(t *testing.T) { check(t, order) })
	r := rand.New(rand.NewPCG(1, 2))
	r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	t.Run("random", func(t *testing.T) { check(t, order) })
}
