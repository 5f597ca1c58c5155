package learned

import (
	"bytes"
	"errors"
)

// Payload is what the index holds for a key: the timestamp of the key's
// latest committed version and an opaque reference to the row.
//
// Ref is the owner's to interpret. A shard may store a location in the
// key-value store, or a handle into a row arena of its own that keeps row
// bytes in memory while its budget allows (for instance the high bit marking
// a handle, the rest an offset and length); the index never dereferences it.
// Keeping the payload two plain words keeps data nodes free of pointers, so
// the garbage collector never scans them, and keeps a slot at 24 bytes.
type Payload struct {
	Version uint64
	Ref     uint64
}

// Options configure a new Index.
type Options struct {
	// Prefix, if set, is the prefix the index expects all keys to share
	// (a shard's table and index id). Keys that do not share it are still
	// accepted: the index shortens its prefix and rebuilds, as it does when
	// Prefix is unset and keys arrive one at a time.
	Prefix []byte
}

// tree is the read-only part of an index: everything a View needs.
type tree struct {
	root    *node
	prefix  []byte
	hasRoot bool // false until the first key: the prefix is not yet known
	n       int
}

// Index is an updatable learned index from byte-string keys to Payloads.
//
// An Index is not safe for concurrent use: it has one writer, and its own
// methods must not run concurrently with that writer. Concurrent readers use
// Views (see Snapshot).
type Index struct {
	tree
	cfg   config
	epoch uint64
	path  []step // the descent of the current write, root first
	ents  []slot // scratch for rebuilds
	pool  slotPool
}

// step is one inner node on a descent and the children entry taken.
type step struct {
	n *node
	k int
}

// New returns an empty index.
func New(opts Options) *Index {
	x := &Index{cfg: defaultConfig()}
	if opts.Prefix != nil {
		x.prefix = bytes.Clone(opts.Prefix)
		x.hasRoot = true
		x.root = buildData(nil, nil, x.cfg.initDensity, x.epoch, &x.pool)
	}
	return x
}

// ErrUnsorted is returned by Builder.Add for a key not greater than the
// previous one.
var ErrUnsorted = errors.New("learned: keys not strictly increasing")

// Builder bulk-loads an index from keys in increasing order, in time linear in
// their number.
type Builder struct {
	arena   []byte
	offs    []int
	payload []Payload
	minLen  int
	cfg     config
}

// NewBuilder returns a Builder.
func NewBuilder() *Builder { return &Builder{cfg: defaultConfig()} }

// Add appends a key, which must be greater than the previous one. The key is
// copied.
func (b *Builder) Add(key []byte, p Payload) error {
	if n := len(b.offs); n > 0 && bytes.Compare(key, b.arena[b.offs[n-1]:]) <= 0 {
		return ErrUnsorted
	}
	if len(b.offs) == 0 || len(key) < b.minLen {
		b.minLen = len(key)
	}
	b.offs = append(b.offs, len(b.arena))
	b.arena = append(b.arena, key...)
	b.payload = append(b.payload, p)
	return nil
}

func (b *Builder) key(i int) []byte {
	end := len(b.arena)
	if i+1 < len(b.offs) {
		end = b.offs[i+1]
	}
	return b.arena[b.offs[i]:end]
}

// prefixLen chooses how much of the keys' common prefix (of length lcp) to
// strip, given the length of the shortest key: as much as possible while the
// shortest key keeps eight bytes, so that keys of equal length need no ext.
func prefixLen(lcp, shortest int) int {
	return max(min(lcp, shortest-8), 0)
}

// Build returns the index of the keys added, with its prefix the longest one
// all keys share that leaves the shortest key eight bytes. The Builder is empty afterwards.
func (b *Builder) Build() *Index {
	x := &Index{cfg: b.cfg}
	n := len(b.offs)
	if n == 0 {
		return x
	}
	first, last := b.key(0), b.key(n-1)
	x.prefix = bytes.Clone(first[:prefixLen(commonPrefixLen(first, last), b.minLen)])
	keys := make([]slot, n)
	var exts []string
	for i := 0; i < n; i++ {
		p := makeProbe(x.prefix, b.key(i))
		keys[i] = slot{key: p.u, ver: b.payload[i].Version, ref: b.payload[i].Ref}
		if e := p.ext(); e != "" || exts != nil {
			if exts == nil {
				exts = make([]string, n)
			}
			exts[i] = e
		}
	}
	*b = Builder{cfg: b.cfg}
	x.root = x.cfg.build(keys, exts, x.epoch, false, nil)
	x.hasRoot = true
	x.n = n
	return x
}

// Len returns the number of keys.
func (t *tree) Len() int { return t.n }

// Get returns the payload of key.
func (t *tree) Get(key []byte) (Payload, bool) {
	if !t.hasRoot || !bytes.HasPrefix(key, t.prefix) {
		return Payload{}, false
	}
	p := makeProbe(t.prefix, key)
	n := t.root
	for n.children != nil {
		n = n.children[n.route(p.u)]
	}
	return n.get(&p)
}

// Snapshot returns a read-only view of the index as it is now. It costs
// O(1): the view shares every node with the index, and the index copies a
// node before its first change after the snapshot (see the package doc).
func (x *Index) Snapshot() *View {
	v := &View{tree: x.tree}
	x.epoch++
	return v
}

// Insert sets the payload of key, adding the key if it is absent. It reports
// whether the key was present. The key is copied.
func (x *Index) Insert(key []byte, pl Payload) (replaced bool) {
	if !x.hasRoot {
		x.prefix = bytes.Clone(key[:prefixLen(len(key), len(key))])
		x.hasRoot = true
		x.root = buildData(nil, nil, x.cfg.initDensity, x.epoch, &x.pool)
	} else if !bytes.HasPrefix(key, x.prefix) {
		x.shrinkPrefix(commonPrefixLen(key, x.prefix))
	}
	p := makeProbe(x.prefix, key)
	for {
		d := x.descendForWrite(p.u)
		i, steps := d.lowerBound(&p)
		if i < len(d.slots) && d.slots[i].key == p.u && cmpExt(&p, d.extAt(i)) == 0 {
			d.update(i, pl)
			return true
		}
		if float64(d.count+1) > x.cfg.maxDensity*float64(len(d.slots)) {
			x.grow(d)
			continue
		}
		d.inserts++
		d.searchSteps += steps
		d.shifts += d.insertBefore(i, &p, pl)
		x.n++
		return false
	}
}

// Delete removes key, reporting whether it was present.
func (x *Index) Delete(key []byte) bool {
	if !x.hasRoot || !bytes.HasPrefix(key, x.prefix) {
		return false
	}
	p := makeProbe(x.prefix, key)
	// Look before writing, so that deleting an absent key copies nothing;
	// descend again, copying, only if the path has nodes a View may share.
	d, shared := x.descend(p.u)
	i, ok := d.find(&p)
	if !ok {
		return false
	}
	if shared {
		d = x.descendForWrite(p.u)
		i, _ = d.find(&p)
	}
	d.remove(i)
	x.n--
	if len(d.slots) > minDataSlots*4 && float64(d.count) < x.cfg.minDensity*float64(len(d.slots)) {
		x.resize(d)
	}
	return true
}

// descend walks to the data node for u, recording the path, and reports
// whether any node on it is of an older epoch (and so may be shared).
func (x *Index) descend(u uint64) (n *node, shared bool) {
	x.path = x.path[:0]
	n = x.root
	shared = n.epoch != x.epoch
	for n.children != nil {
		k := n.route(u)
		x.path = append(x.path, step{n, k})
		n = n.children[k]
		shared = shared || n.epoch != x.epoch
	}
	return n, shared
}

// descendForWrite walks to the data node for u, recording the path and
// copying nodes of older epochs on the way (path copying).
func (x *Index) descendForWrite(u uint64) *node {
	x.path = x.path[:0]
	if x.root.epoch != x.epoch {
		x.root = x.root.clone(x.epoch)
	}
	n := x.root
	for n.children != nil {
		k := n.route(u)
		c := n.children[k]
		if c.epoch != x.epoch {
			a, b := n.childRange(k)
			c = c.clone(x.epoch)
			n.setChildren(a, b, c)
		}
		x.path = append(x.path, step{n, k})
		n = c
	}
	return n
}

// grow makes room in a full data node d, the end of x.path: it expands d, or
// splits it when it is large or its model has degraded, following ALEX's
// cost model in simplified form.
func (x *Index) grow(d *node) {
	cnt := d.count
	split := cnt >= x.cfg.maxLeafKeys
	if !split && d.inserts >= 64 && cnt >= 2*x.cfg.leafKeys {
		// Empirical cost per insert (search steps and shifts) against what
		// the model promised when it was built: if it has become much
		// worse, the keys no longer fit one line and the node splits.
		empirical := float64(d.searchSteps+d.shifts) / float64(d.inserts)
		split = empirical > 2*(d.expected+1)
	}
	if !split {
		x.resize(d)
		return
	}
	ents, exts := d.entries(x.ents[:0], nil)
	x.ents = ents[:0]
	if ents[0].key == ents[len(ents)-1].key {
		x.resize(d) // keys the model cannot separate: one data node
		return
	}
	if len(x.path) == 0 {
		x.root = x.cfg.build(ents, exts, x.epoch, true, &x.pool)
		x.release(d)
		return
	}
	parent := x.path[len(x.path)-1]
	a, b := parent.n.childRange(parent.k)
	if b-a >= 2 {
		// Sideways: share out the parent's entries at the median key.
		m := min(max(parent.n.route(ents[len(ents)/2].key), a+1), b-1)
		cut := 0
		for cut < len(ents) && parent.n.route(ents[cut].key) < m {
			cut++
		}
		var le, re []string
		if exts != nil {
			le, re = exts[:cut], exts[cut:]
		}
		parent.n.setChildren(a, m, x.cfg.build(ents[:cut], le, x.epoch, false, &x.pool))
		parent.n.setChildren(m, b, x.cfg.build(ents[cut:], re, x.epoch, false, &x.pool))
	} else {
		// Down: the node becomes an inner node over new data nodes.
		parent.n.setChildren(a, b, x.cfg.build(ents, exts, x.epoch, true, &x.pool))
	}
	x.release(d)
	x.propagate(cnt - d.built)
}

// resize rebuilds data node d in place at the initial density, retraining
// its model (expansion when full, contraction after deletes).
func (x *Index) resize(d *node) {
	ents, exts := d.entries(x.ents[:0], nil)
	nd := buildData(ents, exts, x.cfg.initDensity, x.epoch, &x.pool)
	x.ents = ents[:0]
	delta := nd.count - d.built
	x.release(d)
	*d = *nd
	x.propagate(delta)
}

// propagate adds delta keys to the counts of the inner nodes on x.path and
// rebuilds the highest one whose subtree has doubled since it was built, so
// that the tree stays shallow under skewed inserts (as a scapegoat tree
// does) at amortized O(1) cost per insert.
func (x *Index) propagate(delta int) {
	for _, s := range x.path {
		s.n.count += delta
	}
	for i, s := range x.path {
		if s.n.count > 2*s.n.built && s.n.count > 4*x.cfg.leafKeys {
			ents, exts := collect(s.n, make([]slot, 0, s.n.count+s.n.count/8), nil)
			nn := x.cfg.build(ents, exts, x.epoch, false, &x.pool)
			x.release(s.n)
			if i == 0 {
				x.root = nn
			} else {
				up := x.path[i-1]
				a, b := up.n.childRange(up.k)
				up.n.setChildren(a, b, nn)
			}
			return
		}
	}
}

// release recycles the slot arrays of a subtree no longer in the index. Only
// nodes of the current epoch are released: older ones may belong to a View.
func (x *Index) release(n *node) {
	if n.epoch != x.epoch {
		return
	}
	if n.isData() {
		x.pool.put(n.slots)
		n.slots = nil
		return
	}
	for k, c := range n.children {
		if k == 0 || c != n.children[k-1] {
			x.release(c)
		}
	}
}

// collect appends the keys under n in order.
func collect(n *node, dst []slot, exts []string) ([]slot, []string) {
	if n.isData() {
		return n.entries(dst, exts)
	}
	for k := 0; k < len(n.children); k++ {
		c := n.children[k]
		if k > 0 && c == n.children[k-1] {
			continue
		}
		dst, exts = collect(c, dst, exts)
	}
	return dst, exts
}

// shrinkPrefix rebuilds the index with its prefix cut to l bytes.
func (x *Index) shrinkPrefix(l int) {
	old := x.prefix
	np := bytes.Clone(old[:l])
	var keys []slot
	var exts []string
	buf := make([]byte, 0, 64)
	it := x.tree.Iter()
	for ok := it.First(); ok; ok = it.Next() {
		buf = append(buf[:0], it.Key()...)
		p := makeProbe(np, buf)
		e := p.ext()
		if e != "" && exts == nil {
			exts = make([]string, len(keys))
		}
		pl := it.Payload()
		keys = append(keys, slot{key: p.u, ver: pl.Version, ref: pl.Ref})
		if exts != nil {
			exts = append(exts, e)
		}
	}
	x.prefix = np
	x.root = x.cfg.build(keys, exts, x.epoch, false, nil)
}

// View is a read-only, immutable view of an Index at the moment of a
// Snapshot. Any number of goroutines may use a View concurrently, with each
// other and with the Index's writer.
type View struct {
	tree
}
