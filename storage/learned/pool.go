package learned

import (
	"math/bits"
	"sync"
)

// slotPool recycles the slot arrays of data nodes that a resize or split has
// replaced. An expanding node needs a larger array than it had, but another
// node grows into the size it left, so under inserts most arrays come from the
// pool, sparing the allocator, the zeroing of memory about to be overwritten
// and the page faults of fresh memory. Capacities are rounded up a ladder of
// eight steps per doubling so that arrays are interchangeable; each step has a
// sync.Pool, which the garbage collector empties when memory is not reused.
type slotPool struct {
	pools map[int]*sync.Pool
}

// ladder rounds c up to the form m<<k with m in [8, 16).
func ladder(c int) int {
	if c <= 16 {
		return max(c, minDataSlots)
	}
	k := bits.Len(uint(c)) - 4
	m := (c + 1<<k - 1) >> k
	return m << k
}

// get returns an array of at least c slots, with arbitrary contents.
func (p *slotPool) get(c int) []slot {
	if p == nil {
		return make([]slot, c)
	}
	c = ladder(c)
	if sp := p.pools[c]; sp != nil {
		if s, ok := sp.Get().(*[]slot); ok {
			return (*s)[:cap(*s)]
		}
	}
	s := make([]slot, c)
	return s[:cap(s)]
}

// put offers an array no node uses any more. It serves requests of the
// largest ladder step its capacity covers.
func (p *slotPool) put(s []slot) {
	if p == nil || cap(s) < 16 {
		return
	}
	s = s[:cap(s)]
	k := bits.Len(uint(len(s))) - 4
	c := (len(s) >> k) << k
	if p.pools == nil {
		p.pools = make(map[int]*sync.Pool)
	}
	sp := p.pools[c]
	if sp == nil {
		sp = &sync.Pool{}
		p.pools[c] = sp
	}
	sp.Put(&s)
}
