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

// add adds s to the set, merging it with the spans it overlaps or touches.
func (ss *spanSet) add(s span) {
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
	*ss = slices.Replace(set, lo, hi, s)
}
