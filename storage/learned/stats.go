package learned

import "unsafe"

// Stats describes an index's shape and memory.
type Stats struct {
	Keys       int
	Depth      int // inner levels above the deepest data node
	InnerNodes int
	DataNodes  int
	Slots      int // data node capacity, gaps included
	// MeanSearchDistance and MaxSearchDistance are the distances, in slots,
	// between where the models predict the keys and where they are.
	MeanSearchDistance float64
	MaxSearchDistance  int
	// Bytes is the memory the structure holds: node headers, child arrays,
	// slots, bitmaps, and the ext strings of keys whose rest is not eight
	// bytes.
	Bytes int
}

// Stats walks the whole structure; it costs O(n).
func (t *tree) Stats() Stats {
	st := Stats{Keys: t.n, Bytes: len(t.prefix)}
	if !t.hasRoot {
		return st
	}
	var dist int64
	var walk func(n *node, depth int)
	walk = func(n *node, depth int) {
		st.Bytes += int(unsafe.Sizeof(*n))
		if n.children != nil {
			st.InnerNodes++
			st.Bytes += cap(n.children) * int(unsafe.Sizeof(n))
			for k, c := range n.children {
				if k == 0 || c != n.children[k-1] {
					walk(c, depth+1)
				}
			}
			return
		}
		st.DataNodes++
		st.Depth = max(st.Depth, depth)
		st.Slots += len(n.slots)
		st.Bytes += cap(n.slots)*int(unsafe.Sizeof(slot{})) + cap(n.occ)*8
		if n.ext != nil {
			st.Bytes += cap(n.ext) * int(unsafe.Sizeof(""))
		}
		for i := n.nextSet(0); i < len(n.slots); i = n.nextSet(i + 1) {
			d := n.predict(n.slots[i].key, len(n.slots)) - i
			if d < 0 {
				d = -d
			}
			dist += int64(d)
			st.MaxSearchDistance = max(st.MaxSearchDistance, d)
			if e := n.extAt(i); len(e) > 1 {
				st.Bytes += len(e)
			}
		}
	}
	walk(t.root, 0)
	if t.n > 0 {
		st.MeanSearchDistance = float64(dist) / float64(t.n)
	}
	return st
}
