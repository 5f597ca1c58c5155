package shard

import (
	"encoding/binary"
	"sync/atomic"
)

// Row values live in a per-shard arena: append-only chunks of bytes, each value
// stored as a uvarint length followed by the bytes. A payload's Ref (without the
// tombstone bit) is 0 when the value is not cached, else 1 + chunk<<32 + offset.
//
// Why an arena and not a []byte per row: the index's data nodes hold no pointers
// (a Payload is two words), so the garbage collector never scans them; a
// million rows as a million slices would be a million objects for it to mark on
// every cycle. Chunks are few and pointer-free.
//
// Why append-only: a reader works on a published view without locks, and the
// values its payloads reference must not change under it. Bytes are written
// once, before the view that references them is published (the atomic store of
// the view orders the writes before any reader's load), and never again; a
// replaced or deleted value becomes garbage in place. When the garbage
// outweighs the live values the shard copies the live ones into a fresh arena
// and publishes it with the next view (compact); readers of older views keep the
// old chunks alive until they drop them.
const (
	// firstChunk is the size of a shard's first chunk: small tables (the
	// catalog's) stay small.
	firstChunk = 4 << 10
	// maxChunk is the largest chunk; chunks double up to it.
	maxChunk = 1 << 20
	// maxCachedValue is the largest value the arena holds; larger rows are read
	// from the store (Ref 0).
	maxCachedValue = maxChunk / 8
	// compactMin is the arena size below which garbage is never compacted.
	compactMin = 1 << 20
)

// rowBudget is the memory all shards' arenas may take together
// (Options.RowCacheBytes), counted in allocated chunk bytes.
type rowBudget struct {
	limit int64 // <= 0: no row is cached
	used  atomic.Int64
	// compactMin is the arena size below which garbage is never compacted
	// (compactMin; tests lower it).
	compactMin int64
}

// take charges n bytes; with force it charges them even over the limit (a
// compaction or split, which releases at least as much right after).
func (b *rowBudget) take(n int64, force bool) bool {
	if b.limit <= 0 && !force {
		return false
	}
	if b.used.Add(n) > b.limit && !force {
		b.used.Add(-n)
		return false
	}
	return true
}

func (b *rowBudget) give(n int64) { b.used.Add(-n) }

// rowArena is the writer's side of a shard's arena; it belongs to the shard's
// actor (or to the goroutine building an index before the actor starts).
type rowArena struct {
	budget  *rowBudget
	chunks  [][]byte // each allocated at its full length; its header never changes
	used    int      // bytes written in the last chunk
	alloc   int64    // bytes of all chunks, charged to budget
	live    int64    // bytes (with length prefixes) referenced by the index
	garbage int64    // bytes no entry references any more
	// uncached counts live keys whose value is not in the arena (Ref 0): they
	// did not fit the budget, or were too large. Scans read the store while a
	// shard has any.
	uncached int
}

func newRowArena(b *rowBudget) *rowArena { return &rowArena{budget: b} }

// add stores v and returns its Ref, or 0 when it does not fit the budget or is
// too large; force charges a new chunk even over the budget.
func (a *rowArena) add(v []byte, force bool) uint64 {
	if len(v) > maxCachedValue {
		a.uncached++
		return 0
	}
	need := binary.MaxVarintLen32 + len(v)
	if len(a.chunks) == 0 || a.used+need > len(a.chunks[len(a.chunks)-1]) {
		size := firstChunk
		if n := len(a.chunks); n > 0 {
			size = min(2*len(a.chunks[n-1]), maxChunk)
		}
		for size < need {
			size *= 2
		}
		if !a.budget.take(int64(size), force) {
			a.uncached++
			return 0
		}
		a.chunks = append(a.chunks, make([]byte, size))
		a.alloc += int64(size)
		a.used = 0
	}
	ci := len(a.chunks) - 1
	c := a.chunks[ci]
	off := a.used
	n := binary.PutUvarint(c[off:], uint64(len(v)))
	n += copy(c[off+n:], v)
	a.used += n
	a.live += int64(n)
	return 1 + uint64(ci)<<32 + uint64(off)
}

// drop accounts for the entry that referenced ref no longer doing so.
func (a *rowArena) drop(ref uint64) {
	ref &^= tombstoneRef
	if ref == 0 {
		return
	}
	n := int64(len(rowValue(a.chunks, ref)))
	n += int64(uvarintLen(uint64(n)))
	a.live -= n
	a.garbage += n
}

// dropUncached accounts for a live key without a cached value going away.
func (a *rowArena) dropUncached() {
	if a.uncached > 0 {
		a.uncached--
	}
}

// release returns the arena's chunks to the budget. Readers of published views
// may still hold them; the garbage collector frees them after.
func (a *rowArena) release() {
	if a == nil {
		return
	}
	a.budget.give(a.alloc)
	a.alloc = 0
}

// wantsCompaction reports whether the garbage outweighs the live values.
func (a *rowArena) wantsCompaction() bool {
	return a.alloc >= a.budget.compactMin && a.garbage > a.live
}

// view returns the chunks readers of the next published view may read.
func (a *rowArena) view() [][]byte {
	if a == nil {
		return nil
	}
	return a.chunks[:len(a.chunks):len(a.chunks)]
}

// rowValue returns the value ref (cached: not 0 without the tombstone bit)
// points to in chunks. The slice's capacity ends with the value: appending to
// it copies.
func rowValue(chunks [][]byte, ref uint64) []byte {
	ref = (ref &^ tombstoneRef) - 1
	c := chunks[ref>>32]
	off := int(ref & (1<<32 - 1))
	l, n := binary.Uvarint(c[off:])
	s := off + n
	return c[s : s+int(l) : s+int(l)]
}

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}
