package lockmgr

import (
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// baseline is the least a lock table can be: one mutex over a map from tag to
// count. The benchmarks run it beside the manager for scale.
type baseline struct {
	mu   sync.Mutex
	held map[Tag]int
}

func (b *baseline) acquire(t Tag) {
	b.mu.Lock()
	b.held[t]++
	b.mu.Unlock()
}

func (b *baseline) release(t Tag) {
	b.mu.Lock()
	if n := b.held[t]; n <= 1 {
		delete(b.held, t)
	} else {
		b.held[t] = n - 1
	}
	b.mu.Unlock()
}

func benchTags(prefix string, n int) []Tag {
	tags := make([]Tag, n)
	for i := range tags {
		// Keys shaped like encoded primary keys: a table prefix and an integer.
		tags[i] = rowTag(16384, prefix+"\x01\x80\x00\x00\x00"+strconv.Itoa(i))
	}
	return tags
}

// BenchmarkAcquireRelease measures an uncontended lock and unlock pair — the
// cost the write path pays per row — for the manager and the baseline, on one
// goroutine and in parallel with distinct tags per goroutine.
func BenchmarkAcquireRelease(b *testing.B) {
	const nTags = 1024
	tags := benchTags("", nTags)
	req := func(t Tag) Request { return Request{Tag: t, Mode: ForUpdate} }

	b.Run("lockmgr/Release", func(b *testing.B) {
		m := New()
		o := m.NewOwner(1)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			t := tags[i&(nTags-1)]
			if _, err := m.Acquire(bg, o, req(t)); err != nil {
				b.Fatal(err)
			}
			m.Release(o, t, ForUpdate, false)
		}
	})
	b.Run("lockmgr/ReleaseXact", func(b *testing.B) {
		m := New()
		o := m.NewOwner(1)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, err := m.Acquire(bg, o, req(tags[i&(nTags-1)])); err != nil {
				b.Fatal(err)
			}
			m.ReleaseXact(o)
		}
	})
	b.Run("lockmgr/ReleaseXact-batch64", func(b *testing.B) {
		// A transaction that writes 64 rows and commits: per row.
		m := New()
		o := m.NewOwner(1)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, err := m.Acquire(bg, o, req(tags[i&(nTags-1)])); err != nil {
				b.Fatal(err)
			}
			if i&63 == 63 {
				m.ReleaseXact(o)
			}
		}
		m.ReleaseXact(o)
	})
	b.Run("baseline/mutex+map", func(b *testing.B) {
		bl := &baseline{held: map[Tag]int{}}
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			t := tags[i&(nTags-1)]
			bl.acquire(t)
			bl.release(t)
		}
	})

	var goroutine atomic.Uint32
	b.Run("lockmgr/parallel", func(b *testing.B) {
		m := New()
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			id := goroutine.Add(1)
			o := m.NewOwner(id)
			mine := benchTags(strconv.Itoa(int(id)), nTags)
			for i := 0; pb.Next(); i++ {
				t := mine[i&(nTags-1)]
				if _, err := m.Acquire(bg, o, req(t)); err != nil {
					b.Error(err)
					return
				}
				m.Release(o, t, ForUpdate, false)
			}
		})
	})
	b.Run("baseline/parallel", func(b *testing.B) {
		bl := &baseline{held: map[Tag]int{}}
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			id := goroutine.Add(1)
			mine := benchTags(strconv.Itoa(int(id)), nTags)
			for i := 0; pb.Next(); i++ {
				t := mine[i&(nTags-1)]
				bl.acquire(t)
				bl.release(t)
			}
		})
	})
}

// BenchmarkBulkRowLocks measures a bulk UPDATE's locks: one owner takes 100k
// row locks, then its transaction ends. It reports the time per lock (taking
// and releasing) and the heap each held lock costs (the keys excluded: they
// belong to the caller).
func BenchmarkBulkRowLocks(b *testing.B) {
	const n = 100_000
	tags := benchTags("", n)
	var bytesPerLock float64
	var elapsed time.Duration
	for b.Loop() {
		m := New()
		o := m.NewOwner(1)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		for _, t := range tags {
			if _, err := m.Acquire(bg, o, Request{Tag: t, Mode: ForNoKeyUpdate}); err != nil {
				b.Fatal(err)
			}
		}
		elapsed += time.Since(start)
		runtime.GC()
		runtime.ReadMemStats(&after)
		bytesPerLock = float64(after.HeapAlloc-before.HeapAlloc) / n
		start = time.Now()
		m.ReleaseXact(o)
		elapsed += time.Since(start)
		runtime.KeepAlive(m)
	}
	b.ReportMetric(bytesPerLock, "B/lock")
	b.ReportMetric(float64(elapsed.Nanoseconds())/float64(b.N*n), "ns/lock")
}
