package ssi

import (
	"slices"
	"sort"
)

// span is a key range [start, end); toEnd means it runs to the last key.
type span struct {
	start, end string
	toEnd      bool
}

func newSpan(start, end []byte) span {
	return span{start: string(start), end: string(end), toEnd: end == nil}
}

func (s span) covers(key string) bool {
	return key >= s.start && (s.toEnd || key < s.end)
}

// spanSet is a set of keys kept as sorted, disjoint, non-touching spans, so
// that a lookup is a binary search.
type spanSet []span

// find returns the index of the last span starting at or before key, -1 if
// none.
func (ss spanSet) find(key string) int {
	return sort.Search(len(ss), func(i int) bool { return ss[i].start > key }) - 1
}

// covers reports whether key is in the set.
func (ss spanSet) covers(key []byte) bool {
	i := ss.find(string(key))
	return i >= 0 && ss[i].covers(string(key))
}

// contains reports whether the whole of s is in the set.
func (ss spanSet) contains(s span) bool {
	i := ss.find(s.start)
	if i < 0 || !ss[i].covers(s.start) {
		return false
	}
	return ss[i].toEnd || (!s.toEnd && s.end <= ss[i].end)
}

// add adds s to the set, merging it with the spans it overlaps or touches;
// it returns the spans it replaced and the span that replaced them.
func (ss *spanSet) add(s span) (replaced []span, merged span) {
	set := *ss
	// lo: the first span that ends at or after s.start (ends are sorted, as
	// the spans are disjoint).
	lo := sort.Search(len(set), func(i int) bool { return set[i].toEnd || set[i].end >= s.start })
	// hi: the first span that starts after s ends.
	hi := len(set)
	if !s.toEnd {
		hi = sort.Search(len(set), func(i int) bool { return set[i].start > s.end })
	}
	if lo < hi {
		s.start = min(s.start, set[lo].start)
		last := set[hi-1]
		if last.toEnd {
			s.toEnd, s.end = true, ""
		} else if !s.toEnd {
			s.end = max(s.end, last.end)
		}
	}
	replaced = slices.Clone(set[lo:hi])
	*ss = slices.Replace(set, lo, hi, s)
	return replaced, s
}

// rangeIndex holds the spans of every tracked transaction's range reads, so
// that a write finds the ones covering its key in O(log n + matches) however
// many transactions scan. It is an interval tree: a treap ordered by span
// start (then owner), each node knowing the greatest end in its subtree.
type rangeIndex struct {
	root *rangeNode
	n    int
	rnd  uint64 // xorshift state for the treap's priorities
}

type rangeNode struct {
	span        span
	owner       *Txn
	prio        uint64
	left, right *rangeNode
	// maxEnd/maxToEnd: the greatest end of a span in this subtree.
	maxEnd   string
	maxToEnd bool
}

func (n *rangeNode) update() {
	n.maxEnd, n.maxToEnd = n.span.end, n.span.toEnd
	for _, c := range []*rangeNode{n.left, n.right} {
		if c == nil || n.maxToEnd {
			continue
		}
		if c.maxToEnd {
			n.maxEnd, n.maxToEnd = "", true
		} else if c.maxEnd > n.maxEnd {
			n.maxEnd = c.maxEnd
		}
	}
}

// before orders nodes by span start, then by owner.
func before(s span, owner *Txn, n *rangeNode) bool {
	if s.start != n.span.start {
		return s.start < n.span.start
	}
	return owner.id < n.owner.id
}

// insert adds owner's span s (owner's spans are disjoint, so (start, owner)
// is unique).
func (ix *rangeIndex) insert(s span, owner *Txn) {
	if ix.rnd == 0 {
		ix.rnd = 0x9e3779b97f4a7c15
	}
	ix.rnd ^= ix.rnd << 13
	ix.rnd ^= ix.rnd >> 7
	ix.rnd ^= ix.rnd << 17
	x := &rangeNode{span: s, owner: owner, prio: ix.rnd}
	x.update()
	ix.root = insertNode(ix.root, x)
	ix.n++
}

func insertNode(n, x *rangeNode) *rangeNode {
	if n == nil {
		return x
	}
	if before(x.span, x.owner, n) {
		n.left = insertNode(n.left, x)
		if n.left.prio > n.prio {
			l := n.left
			n.left, l.right = l.right, n
			n.update()
			l.update()
			return l
		}
	} else {
		n.right = insertNode(n.right, x)
		if n.right.prio > n.prio {
			r := n.right
			n.right, r.left = r.left, n
			n.update()
			r.update()
			return r
		}
	}
	n.update()
	return n
}

// delete removes owner's span s.
func (ix *rangeIndex) delete(s span, owner *Txn) {
	var found bool
	ix.root = deleteNode(ix.root, s, owner, &found)
	if found {
		ix.n--
	}
}

func deleteNode(n *rangeNode, s span, owner *Txn, found *bool) *rangeNode {
	if n == nil {
		return nil
	}
	switch {
	case n.owner == owner && n.span.start == s.start:
		*found = true
		return mergeNodes(n.left, n.right)
	case before(s, owner, n):
		n.left = deleteNode(n.left, s, owner, found)
	default:
		n.right = deleteNode(n.right, s, owner, found)
	}
	n.update()
	return n
}

// mergeNodes joins two treaps, every node of a before every node of b.
func mergeNodes(a, b *rangeNode) *rangeNode {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case a.prio > b.prio:
		a.right = mergeNodes(a.right, b)
		a.update()
		return a
	default:
		b.left = mergeNodes(a, b.left)
		b.update()
		return b
	}
}

// stab calls fn with the owner of every span that covers key, until fn
// returns false.
func (ix *rangeIndex) stab(key string, fn func(owner *Txn) bool) {
	stabNode(ix.root, key, fn)
}

func stabNode(n *rangeNode, key string, fn func(owner *Txn) bool) bool {
	if n == nil || (!n.maxToEnd && n.maxEnd <= key) {
		return true // every span here ends at or before key
	}
	if !stabNode(n.left, key, fn) {
		return false
	}
	if n.span.start > key {
		return true // so do the right subtree's
	}
	if n.span.covers(key) && !fn(n.owner) {
		return false
	}
	return stabNode(n.right, key, fn)
}
