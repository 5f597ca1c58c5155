// Package learned is an updatable learned index in the manner of ALEX (Ding et
// al., "ALEX: An Updatable Adaptive Learned Index", SIGMOD 2020): an ordered map
// from byte-string keys to a Payload (version timestamp and row reference) in
// which linear models, not key comparisons, find where a key lives. It is the
// in-memory index of one Augur index shard.
//
// # Keys
//
// All keys of a shard share a prefix (its table and index id). The models work
// on a uint64: the first eight bytes after that prefix, big-endian and
// zero-padded, which preserves order. The prefix is learned from the keys
// (Builder.Build takes the longest common prefix; an Index shortens its prefix,
// rebuilding, when a key does not share it). A slot stores the uint64 and, only
// for keys whose rest is not exactly eight bytes, an ext string with the rest's
// length and its bytes beyond the eighth. The last-mile comparison uses both,
// so composite and text keys are exact, including adversarial sets whose keys
// all agree in the first eight bytes: those keys get one data node, searched by
// comparison. Storing keys this way is prefix compression: an integer primary
// key costs eight bytes in the index however long its encoded prefix.
//
// # Structure
//
// Inner nodes hold a linear model and an array of children; the model's
// prediction, clamped, is the index of the child, and a child may fill a run of
// adjacent entries. A model is monotone, so each child holds a contiguous key
// range and no search happens in inner nodes.
//
// Data nodes hold a gapped array of 24-byte slots (uint64 key, version,
// reference) placed by the node's linear model, and an occupancy bitmap. A gap
// holds a copy of the next occupied slot, so the key column is sorted and a
// point lookup is answered from the slot an exponential search from the
// predicted position lands on, without the bitmap. An insert takes a gap between
// its neighbours nearest the prediction, or shifts the slots up to the nearest
// gap. Data nodes contain no pointers, so the garbage collector never scans
// them.
//
// When an insert finds a data node at its maximum density (0.8) the node either
// expands, retraining its model and spreading its keys at the initial density
// (0.6), or splits: when it has reached its maximum size, or when the observed
// cost of its inserts (exponential search steps plus shifts) has grown well
// beyond the search distance its model had when it was trained, which is ALEX's
// cost model in simplified form. A split is sideways when the node fills
// several entries of its parent (the entries are shared out at the median key),
// and downwards otherwise (the node becomes an inner node over new data nodes).
// Inner nodes count the keys beneath them at each resize; when a subtree has
// doubled since it was built it is rebuilt by bulk load, as a scapegoat tree
// does, which keeps the tree shallow under skewed and append-only inserts at
// amortized O(1) cost per insert (the root's rebuild, at each doubling of the
// index, needs memory for a second copy of the keys while it runs). Deletes
// leave gaps; a data node under a quarter full contracts.
//
// Known limit: keys that agree in their first eight bytes after the common
// prefix share one data node, which grows without splitting; its searches and
// inserts cost time linear in the number of such keys. When all keys agree
// there, the learned prefix takes those bytes in and the problem disappears;
// it remains for a large group of such keys among others (long text keys
// with a common beginning, say).
//
// Bulk loading from sorted keys (Builder, and the rebuilds above) fits each
// inner node's model to the keys' empirical distribution by least squares,
// partitions the keys by the model's predictions in one pass, and merges runs
// of adjacent children that together fit one data node; it is O(n) per level.
// A run of keys becomes a data node when it is small enough and its line fits
// it well (expected search cost, the mean log2 distance between predicted and
// actual slot, at most 3); otherwise it gets an inner node of its own. Dense
// runs separated by wide gaps are split this way; uniform keys are not. A few
// outliers that would flatten a least-squares line are handled by fitting
// the middle half of the keys instead. Bulk-loaded nodes are 70% full.
//
// Data node slot arrays that a resize or split replaces are recycled through a
// per-index pool (sync.Pool per capacity step), which spares the zeroing and
// page faults of fresh memory on the insert path; the garbage collector
// empties the pool when the memory is not reused.
//
// # Concurrency: one writer, snapshot views
//
// An Index is not safe for concurrent use. It has one writer, the shard actor,
// and that is the design: no locks or atomics on the write or read path.
//
// Concurrent readers use a View. Snapshot returns one in O(1): it shares every
// node with the Index and advances the Index's epoch; each node records the
// epoch it was created in, and the writer copies a node of an older epoch (and
// the path to it) before its first change, so a View is immutable and any
// number of goroutines may read it while the writer goes on. This is
// copy-on-write of nodes, as in persistent B-trees, chosen over optimistic
// per-node version locks because it needs no atomics on the read path and no
// validation retries, never exposes a half-shifted gapped array, and passes the
// race detector by construction. Its cost is on the writer: the first write to a
// data node after each snapshot copies the node (a few KiB) and the inner nodes
// above it (the root's child array is the largest: 8 bytes an entry, up to
// 64Ki entries), so the rate at which a shard publishes views bounds that cost;
// between snapshots writes copy nothing. Data nodes have no sibling links for the same reason (a link would
// force copying neighbours): iterators keep the path from the root instead.
//
// An Iterator over a View is valid as long as the View; one over the Index is
// invalidated by the next write.
package learned
