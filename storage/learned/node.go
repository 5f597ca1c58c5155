package learned

import (
	"math"
	"math/bits"
)

// slot is one position of a data node's gapped array. An occupied slot holds a
// key's uint64 and payload. A gap holds a copy of the next occupied slot to
// its right, or gapSentinel when there is none, so the key column is sorted
// and a lookup can be answered from the slot the search lands on without
// consulting the occupancy bitmap.
type slot struct {
	key uint64
	ver uint64
	ref uint64
}

var gapSentinel = slot{key: math.MaxUint64}

// node is an inner node when children is non-nil and a data node otherwise.
// One struct type for both keeps the descent loop free of interface calls;
// there are few nodes, so the unused fields cost nothing that matters.
type node struct {
	// The linear model maps a key's uint64 x to position
	// slope*(x-base)+icpt, clamped to the node's slots or children. It is
	// evaluated on x-base so that float64's 53-bit mantissa resolves keys
	// within the node's range rather than across all 64 bits.
	base  uint64
	slope float64
	icpt  float64

	// epoch is the Index epoch the node was created in; nodes of older
	// epochs may be shared with a View and are copied before a write.
	epoch uint64

	// built is the number of keys under the node when it was last built;
	// count is the number now, exact for data nodes and maintained at
	// data-node resizes for inner nodes (see Index.propagate).
	built int
	count int

	// Inner nodes: children[route(x)] is the child for x. A child may fill a
	// run of adjacent entries.
	children []*node

	// Data nodes.
	slots []slot
	ext   []string // nil while every key's rest is exactly eight bytes
	occ   []uint64 // occupancy bitmap

	// Cost-model counters since the last (re)build, fed by inserts.
	inserts     int
	searchSteps int
	shifts      int
	// expected is the mean log2 search distance the model had when built.
	expected float64
}

func (n *node) isData() bool { return n.children == nil }

// predict evaluates the model for x, clamped to [0, size).
func (n *node) predict(x uint64, size int) int {
	var d float64
	if x > n.base {
		d = float64(x - n.base)
	}
	p := n.slope*d + n.icpt
	if !(p > 0) { // also catches NaN
		return 0
	}
	if p >= float64(size-1) {
		return size - 1
	}
	return int(p)
}

// route returns the index of the child for x in an inner node.
func (n *node) route(x uint64) int { return n.predict(x, len(n.children)) }

// fitModel sets the node's model to the least-squares line through the points
// (keys[i], (i+0.5)*size/len(keys)), which spreads the keys over size
// positions by their empirical distribution.
func (n *node) fitModel(keys []slot, size int) {
	cnt := len(keys)
	n.base = 0
	n.slope = 0
	n.icpt = 0
	if cnt == 0 {
		return
	}
	n.base = keys[0].key
	scale := float64(size) / float64(cnt)
	if keys[cnt-1].key == n.base {
		n.icpt = float64(size) / 2
		return
	}
	var sumX float64
	for i := range keys {
		sumX += float64(keys[i].key - n.base)
	}
	meanX := sumX / float64(cnt)
	meanY := float64(size) / 2
	var sxx, sxy float64
	for i := range keys {
		dx := float64(keys[i].key-n.base) - meanX
		dy := (float64(i)+0.5)*scale - meanY
		sxx += dx * dx
		sxy += dx * dy
	}
	if !(sxx > 0) {
		n.icpt = meanY
		return
	}
	n.slope = sxy / sxx
	n.icpt = meanY - n.slope*meanX
}

// fitThrough sets the model to the line through (x0, y0) and (x1, y1), x0 < x1.
func (n *node) fitThrough(x0 uint64, y0 float64, x1 uint64, y1 float64) {
	n.base = x0
	n.slope = (y1 - y0) / float64(x1-x0)
	n.icpt = y0
}

// --- occupancy bitmap ---

func (n *node) isSet(i int) bool { return n.occ[i>>6]&(1<<(uint(i)&63)) != 0 }
func (n *node) set(i int)        { n.occ[i>>6] |= 1 << (uint(i) & 63) }
func (n *node) clear(i int)      { n.occ[i>>6] &^= 1 << (uint(i) & 63) }

// nextSet returns the first occupied slot at or after i, or len(slots).
func (n *node) nextSet(i int) int {
	c := len(n.slots)
	if i >= c {
		return c
	}
	w := i >> 6
	m := n.occ[w] >> (uint(i) & 63)
	if m != 0 {
		return min(i+bits.TrailingZeros64(m), c)
	}
	for w++; w < len(n.occ); w++ {
		if n.occ[w] != 0 {
			return min(w<<6+bits.TrailingZeros64(n.occ[w]), c)
		}
	}
	return c
}

// prevSet returns the last occupied slot at or before i, or -1.
func (n *node) prevSet(i int) int {
	if i < 0 {
		return -1
	}
	w := i >> 6
	m := n.occ[w] << (63 - uint(i)&63)
	if m != 0 {
		return i - bits.LeadingZeros64(m)
	}
	for w--; w >= 0; w-- {
		if n.occ[w] != 0 {
			return w<<6 + 63 - bits.LeadingZeros64(n.occ[w])
		}
	}
	return -1
}

// nextClear returns the first gap at or after i, or len(slots).
func (n *node) nextClear(i int) int {
	c := len(n.slots)
	if i >= c {
		return c
	}
	w := i >> 6
	m := ^n.occ[w] >> (uint(i) & 63)
	if m != 0 {
		return min(i+bits.TrailingZeros64(m), c)
	}
	for w++; w < len(n.occ); w++ {
		if ^n.occ[w] != 0 {
			return min(w<<6+bits.TrailingZeros64(^n.occ[w]), c)
		}
	}
	return c
}

// prevClear returns the last gap at or before i, or -1.
func (n *node) prevClear(i int) int {
	if i < 0 {
		return -1
	}
	w := i >> 6
	m := ^n.occ[w] << (63 - uint(i)&63)
	if m != 0 {
		return i - bits.LeadingZeros64(m)
	}
	for w--; w >= 0; w-- {
		if ^n.occ[w] != 0 {
			return w<<6 + 63 - bits.LeadingZeros64(^n.occ[w])
		}
	}
	return -1
}

// --- data node search ---

// lowerBoundU returns the first slot whose key is >= x (it may be a gap,
// whose next occupied slot then has the same key), or len(slots), searching
// exponentially outward from the model's prediction. steps counts probes.
func (n *node) lowerBoundU(x uint64) (i, steps int) {
	s := n.slots
	c := len(s)
	p := n.predict(x, c)
	var lo, hi int // answer in (lo, hi]; s[hi] >= x or hi == c
	if s[p].key >= x {
		hi = p
		b := 1
		for hi-b >= 0 && s[hi-b].key >= x {
			hi -= b
			b <<= 1
			steps++
		}
		lo = hi - b
		if lo < -1 {
			lo = -1
		}
	} else {
		lo = p
		b := 1
		for lo+b < c && s[lo+b].key < x {
			lo += b
			b <<= 1
			steps++
		}
		hi = min(lo+b, c)
	}
	for hi-lo > 1 {
		m := int(uint(lo+hi) >> 1)
		if s[m].key >= x {
			hi = m
		} else {
			lo = m
		}
		steps++
	}
	return hi, steps
}

func (n *node) extAt(i int) string {
	if n.ext == nil {
		return ""
	}
	return n.ext[i]
}

// lowerBound returns the first occupied slot holding a key >= p, or
// len(slots).
func (n *node) lowerBound(p *probe) (i, steps int) {
	i, steps = n.lowerBoundU(p.u)
	i = n.nextSet(i)
	c := len(n.slots)
	if n.ext == nil && p.rlen <= 8 {
		// Every stored rest is eight bytes long: a key with the same
		// uint64 is >= p.
		return i, steps
	}
	for i < c && n.slots[i].key == p.u && cmpExt(p, n.extAt(i)) > 0 {
		i = n.nextSet(i + 1)
		steps++
	}
	return i, steps
}

// find returns the occupied slot holding p's key.
func (n *node) find(p *probe) (int, bool) {
	i, _ := n.lowerBound(p)
	if i < len(n.slots) && n.slots[i].key == p.u && cmpExt(p, n.extAt(i)) == 0 {
		return i, true
	}
	return i, false
}

// get looks p up. For the common case (eight-byte rests) it reads the answer
// from the slot the search lands on, gap or not, without the bitmap.
func (n *node) get(p *probe) (Payload, bool) {
	if n.ext == nil && p.rlen == 8 && p.u != math.MaxUint64 {
		i, _ := n.lowerBoundU(p.u)
		if i < len(n.slots) && n.slots[i].key == p.u {
			s := &n.slots[i]
			return Payload{Version: s.ver, Ref: s.ref}, true
		}
		return Payload{}, false
	}
	i, ok := n.find(p)
	if !ok {
		return Payload{}, false
	}
	s := &n.slots[i]
	return Payload{Version: s.ver, Ref: s.ref}, true
}

// --- data node updates ---

// fillGapsBefore copies slot i into the gaps immediately to its left.
func (n *node) fillGapsBefore(i int) {
	v := n.slots[i]
	for j := i - 1; j >= 0 && !n.isSet(j); j-- {
		n.slots[j] = v
	}
}

// update replaces the payload of occupied slot i.
func (n *node) update(i int, pl Payload) {
	n.slots[i].ver = pl.Version
	n.slots[i].ref = pl.Ref
	n.fillGapsBefore(i)
}

// insertBefore puts a key not present in the node before occupied slot i (or
// at the end when i == len(slots)). The node must have a gap. It returns the
// number of slots shifted.
func (n *node) insertBefore(i int, p *probe, pl Payload) int {
	s := n.slots
	c := len(s)
	e := slot{key: p.u, ver: pl.Version, ref: pl.Ref}
	ext := p.ext()
	if ext != "" && n.ext == nil {
		n.ext = make([]string, c)
	}
	prev := n.prevSet(i - 1)
	n.count++
	if i-prev > 1 {
		// A run of gaps between the neighbours: take the one nearest the
		// model's prediction.
		j := min(max(n.predict(p.u, c), prev+1), i-1)
		s[j] = e
		if n.ext != nil {
			n.ext[j] = ext
		}
		n.set(j)
		n.fillGapsBefore(j)
		return 0
	}
	gr := n.nextClear(i)
	gl := n.prevClear(prev)
	if gr < c && (gl < 0 || gr-i <= prev-gl) {
		copy(s[i+1:gr+1], s[i:gr])
		if n.ext != nil {
			copy(n.ext[i+1:gr+1], n.ext[i:gr])
			n.ext[i] = ext
		}
		n.set(gr)
		s[i] = e
		return gr - i
	}
	copy(s[gl:prev], s[gl+1:prev+1])
	if n.ext != nil {
		copy(n.ext[gl:prev], n.ext[gl+1:prev+1])
		n.ext[prev] = ext
	}
	n.set(gl)
	s[prev] = e
	return prev - gl
}

// remove deletes occupied slot i.
func (n *node) remove(i int) {
	n.clear(i)
	fill := gapSentinel
	if i+1 < len(n.slots) {
		fill = n.slots[i+1]
	}
	n.slots[i] = fill
	if n.ext != nil {
		n.ext[i] = ""
	}
	for j := i - 1; j >= 0 && !n.isSet(j); j-- {
		n.slots[j] = fill
	}
	n.count--
}

// entries appends the node's keys, in order, to dst (and their ext strings
// to exts, which it creates on the first non-empty one).
func (n *node) entries(dst []slot, exts []string) ([]slot, []string) {
	for i := n.nextSet(0); i < len(n.slots); i = n.nextSet(i + 1) {
		if n.ext != nil && n.ext[i] != "" && exts == nil {
			exts = make([]string, len(dst), cap(dst))
		}
		dst = append(dst, n.slots[i])
		if exts != nil {
			exts = append(exts, n.extAt(i))
		}
	}
	return dst, exts
}

// buildData makes a data node of keys (sorted, with their ext strings or nil)
// at the given density: the model is fitted to the keys and each key goes to
// its predicted slot, or the next free one, keeping room for the rest.
func buildData(keys []slot, exts []string, density float64, epoch uint64, pool *slotPool) *node {
	cnt := len(keys)
	// Two spare slots keep a rebuilt node below any maximum density above
	// density, so an insert never finds a node full right after a resize.
	c := max(int(float64(cnt)/density)+2, minDataSlots)
	n := &node{
		epoch: epoch,
		built: cnt,
		count: cnt,
	}
	// Every slot is written below, so a recycled array needs no clearing.
	// The pool hands out whole allocations: the slots beyond c are free.
	n.slots = pool.get(c)
	c = len(n.slots)
	n.occ = make([]uint64, (c+63)>>6)
	hasExt := false
	for _, e := range exts {
		if e != "" {
			hasExt = true
			break
		}
	}
	if hasExt {
		n.ext = make([]string, c)
	}
	n.fitModel(keys, c)
	last := -1
	cost := 0.0
	for i := range keys {
		pred := n.predict(keys[i].key, c)
		pos := min(max(pred, last+1), c-(cnt-i))
		n.slots[pos] = keys[i]
		if hasExt {
			n.ext[pos] = exts[i]
		}
		n.set(pos)
		d := pos - pred
		if d < 0 {
			d = -d
		}
		cost += float64(bits.Len(uint(d))) // about log2(d+1)
		last = pos
	}
	if cnt > 0 {
		n.expected = cost / float64(cnt)
	}
	fill := gapSentinel
	for j := c - 1; j >= 0; j-- {
		if n.isSet(j) {
			fill = n.slots[j]
		} else {
			n.slots[j] = fill
		}
	}
	return n
}

// clone copies a node for writing in a new epoch.
func (n *node) clone(epoch uint64) *node {
	c := *n
	c.epoch = epoch
	if n.children != nil {
		c.children = append([]*node(nil), n.children...)
		return &c
	}
	c.slots = append([]slot(nil), n.slots...)
	c.occ = append([]uint64(nil), n.occ...)
	if n.ext != nil {
		c.ext = append([]string(nil), n.ext...)
	}
	return &c
}

// childRange returns the run [a, b) of children entries around k that hold
// the same child as entry k.
func (n *node) childRange(k int) (a, b int) {
	c := n.children[k]
	a, b = k, k+1
	for a > 0 && n.children[a-1] == c {
		a--
	}
	for b < len(n.children) && n.children[b] == c {
		b++
	}
	return a, b
}

func (n *node) setChildren(a, b int, c *node) {
	for j := a; j < b; j++ {
		n.children[j] = c
	}
}
