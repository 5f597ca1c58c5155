package learned

import "bytes"

// Iterator walks the keys of an Index or View in order, in either direction.
//
// An Iterator of a View stays valid for as long as the View. An Iterator of an
// Index is invalidated by any write to the Index; take a Snapshot to iterate
// while writing.
type Iterator struct {
	t     *tree
	stack []step // inner nodes from the root to the current data node
	leaf  *node
	i     int // current slot of leaf; valid when leaf != nil
	key   []byte
}

// Iter returns an unpositioned iterator.
func (t *tree) Iter() *Iterator { return &Iterator{t: t} }

// Valid reports whether the iterator is at a key.
func (it *Iterator) Valid() bool { return it.leaf != nil }

// Key returns the current key. The slice is valid until the iterator moves.
func (it *Iterator) Key() []byte {
	s := &it.leaf.slots[it.i]
	it.key = appendRest(append(it.key[:0], it.t.prefix...), s.key, it.leaf.extAt(it.i))
	return it.key
}

// Payload returns the current key's payload.
func (it *Iterator) Payload() Payload {
	s := &it.leaf.slots[it.i]
	return Payload{Version: s.ver, Ref: s.ref}
}

// First moves to the smallest key and reports whether there is one.
func (it *Iterator) First() bool {
	it.stack = it.stack[:0]
	if !it.t.hasRoot {
		it.leaf = nil
		return false
	}
	return it.descendEdge(it.t.root, false)
}

// Last moves to the largest key and reports whether there is one.
func (it *Iterator) Last() bool {
	it.stack = it.stack[:0]
	if !it.t.hasRoot {
		it.leaf = nil
		return false
	}
	return it.descendEdge(it.t.root, true)
}

// Seek moves to the smallest key >= key and reports whether there is one.
func (it *Iterator) Seek(key []byte) bool {
	it.stack = it.stack[:0]
	it.leaf = nil
	t := it.t
	if !t.hasRoot {
		return false
	}
	if !bytes.HasPrefix(key, t.prefix) {
		// Every stored key starts with the prefix: key sorts before all of
		// them or after all of them.
		l := commonPrefixLen(key, t.prefix)
		if l == len(key) || key[l] < t.prefix[l] {
			return it.First()
		}
		return false
	}
	p := makeProbe(t.prefix, key)
	n := t.root
	for n.children != nil {
		k := n.route(p.u)
		it.stack = append(it.stack, step{n, k})
		n = n.children[k]
	}
	i, _ := n.lowerBound(&p)
	if i < len(n.slots) {
		it.leaf, it.i = n, i
		return true
	}
	return it.nextLeaf()
}

// SeekLE moves to the largest key <= key and reports whether there is one.
func (it *Iterator) SeekLE(key []byte) bool {
	if !it.Seek(key) {
		return it.Last()
	}
	if bytes.Equal(it.Key(), key) {
		return true
	}
	return it.Prev()
}

// Next moves to the next key and reports whether there is one.
func (it *Iterator) Next() bool {
	if it.leaf == nil {
		return false
	}
	if i := it.leaf.nextSet(it.i + 1); i < len(it.leaf.slots) {
		it.i = i
		return true
	}
	return it.nextLeaf()
}

// Prev moves to the previous key and reports whether there is one.
func (it *Iterator) Prev() bool {
	if it.leaf == nil {
		return false
	}
	if i := it.leaf.prevSet(it.i - 1); i >= 0 {
		it.i = i
		return true
	}
	return it.prevLeaf()
}

// descendEdge goes from n to its first (or last) key, moving on to the
// following (or preceding) data nodes while they are empty.
func (it *Iterator) descendEdge(n *node, last bool) bool {
	for n.children != nil {
		k := 0
		if last {
			k = len(n.children) - 1
		}
		it.stack = append(it.stack, step{n, k})
		n = n.children[k]
	}
	it.leaf = n
	if last {
		if i := n.prevSet(len(n.slots) - 1); i >= 0 {
			it.i = i
			return true
		}
		return it.prevLeaf()
	}
	if i := n.nextSet(0); i < len(n.slots) {
		it.i = i
		return true
	}
	return it.nextLeaf()
}

// nextLeaf moves to the first key of the data nodes after the current one.
func (it *Iterator) nextLeaf() bool {
	for len(it.stack) > 0 {
		top := &it.stack[len(it.stack)-1]
		cur := top.n.children[top.k]
		k := top.k + 1
		for k < len(top.n.children) && top.n.children[k] == cur {
			k++
		}
		if k == len(top.n.children) {
			it.stack = it.stack[:len(it.stack)-1]
			continue
		}
		top.k = k
		return it.descendEdge(top.n.children[k], false)
	}
	it.leaf = nil
	return false
}

// prevLeaf moves to the last key of the data nodes before the current one.
func (it *Iterator) prevLeaf() bool {
	for len(it.stack) > 0 {
		top := &it.stack[len(it.stack)-1]
		cur := top.n.children[top.k]
		k := top.k - 1
		for k >= 0 && top.n.children[k] == cur {
			k--
		}
		if k < 0 {
			it.stack = it.stack[:len(it.stack)-1]
			continue
		}
		top.k = k
		return it.descendEdge(top.n.children[k], true)
	}
	it.leaf = nil
	return false
}
