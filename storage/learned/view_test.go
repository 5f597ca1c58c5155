package learned

import (
	"math/rand/v2"
	"sync"
	"testing"
)

// TestViewsUnderConcurrentWrites reads views from several goroutines while the
// writer goes on inserting, deleting and taking new snapshots. Run with -race:
// the views must share nothing the writer changes.
func TestViewsUnderConcurrentWrites(t *testing.T) {
	x := newTestIndex(smallConfig())
	for i := uint64(0); i < 3000; i++ {
		x.Insert(intKey(i*4), Payload{Version: i})
	}
	views := make(chan *View, 16)
	var wg sync.WaitGroup
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, seed))
			for v := range views {
				// A view holds exactly what the index held when it was
				// taken: here, all its keys are multiples of four or odd,
				// and its length matches an iteration.
				n := 0
				it := v.Iter()
				var prev []byte
				for ok := it.First(); ok; ok = it.Next() {
					if prev != nil && string(prev) >= string(it.Key()) {
						t.Errorf("view out of order at %x", it.Key())
						return
					}
					prev = append(prev[:0], it.Key()...)
					n++
				}
				if n != v.Len() {
					t.Errorf("view iterated %d keys, Len %d", n, v.Len())
				}
				for i := 0; i < 200; i++ {
					k := uint64(r.IntN(12000))
					if _, ok := v.Get(intKey(k)); ok && k%4 != 0 && k%2 == 0 {
						t.Errorf("view holds key %d, never inserted", k)
					}
				}
			}
		}(uint64(g))
	}
	r := rand.New(rand.NewPCG(9, 9))
	for round := 0; round < 40; round++ {
		views <- x.Snapshot()
		for i := 0; i < 300; i++ {
			k := uint64(r.IntN(6000))*2 + 1
			if r.IntN(3) == 0 {
				x.Delete(intKey(k))
			} else {
				x.Insert(intKey(k), Payload{Version: uint64(round)})
			}
		}
	}
	close(views)
	wg.Wait()
}
