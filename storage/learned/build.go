package learned

import "math/bits"

// Tuning of the structure. The values are the package's defaults; tests and
// benchmarks in this package may use others.
type config struct {
	// initDensity is the fraction of slots a data node fills when it is
	// expanded or contracted, and loadDensity when it is bulk loaded or
	// rebuilt; maxDensity is the fraction at which an insert makes it expand
	// or split; below minDensity a delete makes it contract.
	initDensity float64
	loadDensity float64
	maxDensity  float64
	minDensity  float64
	// leafKeys is the number of keys bulk loading aims to put in a data
	// node; maxLeafKeys is the size at which a growing data node splits
	// instead of expanding.
	leafKeys    int
	maxLeafKeys int
	// maxFanout bounds an inner node's number of children entries.
	maxFanout int
}

func defaultConfig() config {
	return config{
		initDensity: 0.6,
		loadDensity: 0.7,
		maxDensity:  0.8,
		minDensity:  0.25,
		leafKeys:    256,
		maxLeafKeys: 4096,
		maxFanout:   1 << 16,
	}
}

// minDataSlots is the smallest capacity of a data node.
const minDataSlots = 8

// build makes a subtree of sorted keys in O(len(keys)) per level. With
// forceInner it makes an inner node even for few keys (a data node that
// outgrew its size splits this way).
func (cfg *config) build(keys []slot, exts []string, epoch uint64, forceInner bool, pool *slotPool) *node {
	cnt := len(keys)
	if cnt <= 1 || keys[0].key == keys[cnt-1].key {
		// Keys equal in their uint64 cannot be told apart by a model:
		// they live in one data node however many they are.
		return buildData(keys, exts, cfg.loadDensity, epoch, pool)
	}
	if !forceInner && cnt <= 4*cfg.leafKeys && (cnt <= minSplitKeys || cfg.dataCost(keys) <= maxDataCost) {
		// Up to four times the target size stays one data node, so that
		// the random variation of a child's share of the keys does not add
		// a level, unless one line fits the keys badly (dense runs with
		// wide gaps between them, say): then they are split further, as
		// ALEX's cost model would.
		return buildData(keys, exts, cfg.loadDensity, epoch, pool)
	}
	fanout := 2
	for fanout < cfg.maxFanout && fanout*cfg.leafKeys < cnt {
		fanout <<= 1
	}
	n := &node{epoch: epoch, built: cnt, count: cnt, children: make([]*node, fanout)}
	n.fitModel(keys, fanout)
	bounds := n.partition(keys, fanout)
	if largest(bounds) > cnt/2 {
		// A few outliers can flatten a least-squares line so that most keys
		// land in one child. Fit the middle half of the keys instead, which
		// at least splits off the outer quarters at each level.
		q1, q3 := cnt/4, cnt-1-cnt/4
		if keys[q1].key < keys[q3].key {
			y0 := (float64(q1) + 0.5) * float64(fanout) / float64(cnt)
			y1 := (float64(q3) + 0.5) * float64(fanout) / float64(cnt)
			n.fitThrough(keys[q1].key, y0, keys[q3].key, y1)
			bounds = n.partition(keys, fanout)
		}
		if largest(bounds) == cnt {
			return buildData(keys, exts, cfg.loadDensity, epoch, pool)
		}
	}
	// Runs of adjacent entries whose keys together fit a data node share
	// one child, as long as the node splits its keys at all.
	for k := 0; k < fanout; {
		start, lo := k, bounds[k]
		k++
		for k < fanout && bounds[k+1]-lo <= cfg.leafKeys && bounds[k+1]-lo < cnt {
			k++
		}
		hi := bounds[k]
		var ce []string
		if exts != nil {
			ce = exts[lo:hi]
		}
		n.setChildren(start, k, cfg.build(keys[lo:hi], ce, epoch, false, pool))
	}
	return n
}

const (
	// minSplitKeys is the fewest keys bulk loading puts under an inner node.
	minSplitKeys = 64
	// maxDataCost is the largest expected search cost, the mean log2 of the
	// distance between predicted and actual slot, that bulk loading accepts
	// for a data node.
	maxDataCost = 3.0
)

// dataCost is the expected search cost of a data node of keys: the mean
// log2 distance between each key's predicted slot and the slot it would get.
func (cfg *config) dataCost(keys []slot) float64 {
	c := int(float64(len(keys))/cfg.loadDensity) + 2
	var m node
	m.fitModel(keys, c)
	scale := float64(c) / float64(len(keys))
	sum := 0
	for i := range keys {
		d := m.predict(keys[i].key, c) - int((float64(i)+0.5)*scale)
		if d < 0 {
			d = -d
		}
		sum += bits.Len(uint(d))
	}
	return float64(sum) / float64(len(keys))
}

// partition returns bounds with bounds[k] the index of the first key routed
// to child k or further, and bounds[fanout] == len(keys). The model is
// monotone, so each child's keys are a contiguous run.
func (n *node) partition(keys []slot, fanout int) []int {
	bounds := make([]int, fanout+1)
	k := 0
	for i := range keys {
		r := n.predict(keys[i].key, fanout)
		for k < r {
			k++
			bounds[k] = i
		}
	}
	for k < fanout {
		k++
		bounds[k] = len(keys)
	}
	return bounds
}

func largest(bounds []int) int {
	m := 0
	for k := 0; k+1 < len(bounds); k++ {
		m = max(m, bounds[k+1]-bounds[k])
	}
	return m
}
