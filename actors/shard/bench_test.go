package shard

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/augurdb/augur/storage/keycodec"
	"github.com/augurdb/augur/storage/learned"
	"github.com/augurdb/augur/storage/store"
)

// adopt gives m one shard holding keys 0..n-1 of table 1, bulk-loaded, all at
// version 1, and returns it.
func adopt(b testing.TB, m *Manager, n int) *shardRef {
	bl := learned.NewBuilder()
	for i := range n {
		if err := bl.Add(key(1, int64(i)), learned.Payload{Version: 1}); err != nil {
			b.Fatal(err)
		}
	}
	prefix := keycodec.AppendTablePrefix(nil, 1, 0)
	ref := m.newRef(prefix, prefix, keycodec.PrefixEnd(prefix), bl.Build(), nil, 0)
	m.start(ref)
	m.mu.Lock()
	m.publishRoutes(m.routes.Load(), nil, []*shardRef{ref})
	m.mu.Unlock()
	return ref
}

// BenchmarkReadPath compares the two ways a reader can reach a shard's index:
// a message to the shard actor (request/response through a reply channel or a
// protoactor future, one at a time or pipelined) and the view the shard
// publishes (an atomic pointer loaded and searched on the reader's goroutine).
func BenchmarkReadPath(b *testing.B) {
	const n = 1_000_000
	m := newManager(b, Options{MaxKeys: 2 * n})
	ref := adopt(b, m, n)
	keys := make([][]byte, 1<<16)
	rng := rand.New(rand.NewPCG(7, 7))
	for i := range keys {
		keys[i] = key(1, int64(rng.IntN(n)))
	}
	const snap = 10
	sys := m.sys

	b.Run("get/view", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, st := m.Get(keys[i&(len(keys)-1)], snap); st != Found {
				b.Fatal(st)
			}
		}
	})
	b.Run("get/view-parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			i := rand.IntN(len(keys))
			for pb.Next() {
				if _, st := m.Get(keys[i&(len(keys)-1)], snap); st != Found {
					b.Error(st)
					return
				}
				i++
			}
		})
	})
	b.Run("get/actor-request", func(b *testing.B) {
		reply := make(chan getReply, 1)
		for i := 0; b.Loop(); i++ {
			sys.Root.Send(ref.pid, &getMsg{key: keys[i&(len(keys)-1)], snapshot: snap, reply: reply})
			if r := <-reply; r.st != Found {
				b.Fatal(r.st)
			}
		}
	})
	b.Run("get/actor-future", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			res, err := sys.Root.RequestFuture(ref.pid, &getMsg{key: keys[i&(len(keys)-1)], snapshot: snap}, time.Second).Result()
			if err != nil || res.(getReply).st != Found {
				b.Fatal(err, res)
			}
		}
	})
	for _, depth := range []int{16, 256} {
		b.Run(fmt.Sprintf("get/actor-pipelined-%d", depth), func(b *testing.B) {
			reply := make(chan getReply, depth)
			i := 0
			for b.Loop() {
				// One op is one lookup; a window of depth lookups is in flight.
				if i >= depth {
					if r := <-reply; r.st != Found {
						b.Fatal(r.st)
					}
				}
				sys.Root.Send(ref.pid, &getMsg{key: keys[i&(len(keys)-1)], snapshot: snap, reply: reply})
				i++
			}
			for range min(i, depth) {
				<-reply
			}
		})
	}
	b.Run("scan100/view", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			c := 0
			m.Scan(keys[i&(len(keys)-1)], nil, snap, func([]byte, Entry, Status) bool {
				c++
				return c < 100
			})
		}
	})
	b.Run("scan100/actor-request", func(b *testing.B) {
		reply := make(chan []scanItem, 1)
		for i := 0; b.Loop(); i++ {
			sys.Root.Send(ref.pid, &scanMsg{start: keys[i&(len(keys)-1)], n: 100, snapshot: snap, reply: reply})
			<-reply
		}
	})
}

// BenchmarkOnApply measures the commit-side cost: routing a commit's writes to
// its shard, the shard applying them and publishing a view, and OnApply's wait.
func BenchmarkOnApply(b *testing.B) {
	for _, rows := range []int{1, 100} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			const n = 1_000_000
			m := newManager(b, Options{MaxKeys: 4 * n})
			adopt(b, m, n)
			rng := rand.New(rand.NewPCG(1, 1))
			muts := make([]store.Mutation, rows)
			ts := uint64(1)
			for b.Loop() {
				base := rng.IntN(n - rows)
				for j := range muts {
					muts[j] = store.Mutation{Key: key(1, int64(base+j))}
				}
				ts++
				m.OnApply(ts, muts)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
		})
	}
}
