// Package shard holds Augur's index shards: actors that each own one key range of
// one table or index and are the only writers of that range's learned index
// (storage/learned), and the Manager that routes keys to them.
//
// # Why actors, and who writes
//
// A learned index has one writer and any number of readers through immutable
// snapshot views (learned.View, O(1) to take). A shard actor is that one writer:
// every change to its index arrives as a message, in commit order, so the index
// needs no locks. Commits reach the shards through Manager.OnApply, which the
// store calls with each applied commit before making it visible; OnApply routes
// the commit's mutations to their shards, one batch per shard, sends the batches
// without futures (a protoactor future costs several microseconds), and waits on a
// WaitGroup until every shard has applied its batch and published a new view. So
// when a commit becomes visible every shard already reflects it.
//
// # How readers reach the index
//
// Readers never send messages. After each applied batch a shard publishes a new
// learned.View through an atomic pointer; Manager.Get and Manager.Scan load the
// routing map (also an atomic pointer to an immutable value), find the shard, load
// its view and search it on the reader's goroutine. The alternative, asking the
// actor (request/response, pipelined or not), was measured side by side in
// BenchmarkReadPath and is one to two orders of magnitude slower for point reads;
// docs/architecture.md ("Index shards") has the numbers.
//
// # What an entry says
//
// Per key a shard holds the commit timestamp of its latest committed version and
// a row reference (learned.Payload). The reference's top bit marks a tombstone
// (a deleted key); otherwise it locates the version's value in the shard's row
// arena, or is 0 when the value is not cached. Because the index holds only the
// latest version, a reader whose snapshot is older than an entry's version must
// read that key from the store at its snapshot: Get and Scan say so with
// AskStorage.
//
// # Rows in memory
//
// The shards serve the store's reads (store.Index): Lookup returns a key's value
// when the view holds the version visible at the reader's snapshot, and Rows
// walks a range of one table or index with the values, so point reads and
// index-order scans need no Badger read. Values reach a shard with the commit's
// batch (the store's OnApply carries them) and, at start and after a restart,
// from the store's scan that rebuilds the index. Each shard appends them to an
// arena of fixed-size chunks (rows.go says why an arena, and how readers of an
// older view stay safe); a replaced or deleted value is garbage, and once the
// garbage outweighs the live values the shard copies the live ones into a fresh
// arena. A split gives each half an arena of its own.
//
// All arenas together are limited by Options.RowCacheBytes (row_cache_size).
// A value that does not fit, or is larger than maxCachedValue, is not cached:
// the entry keeps its version with Ref 0, point reads of it go to the store, and
// Rows declines ranges of shards with such keys (Badger's iterator is then
// cheaper than a read per key). A commit never fails or waits for the cache;
// the key is cached again when it is next written or its shard rebuilt. A shard also knows the timestamp from which its contents are
// complete (the snapshot it was rebuilt at); a reader with an older snapshot is
// told AskStorage for everything in that shard, since a key deleted before the
// rebuild left no trace in it.
//
// Deletes stay in the index as tombstones until no open snapshot can see the
// deleted version: a shard drops tombstones older than Options.Horizon (the
// store's oldest open snapshot), scanning its index when enough tombstones have
// accumulated, so the cost is amortized over the deletes.
//
// # Routing and splits
//
// The routing map is a sorted slice of shards with non-overlapping key ranges.
// A table or index (a keycodec table prefix) starts as one shard covering the
// whole prefix. When a shard holds more than Options.MaxKeys keys it splits
// without making readers wait: it takes a view of its index (O(1)) and a
// goroutine off the actor's path builds the two halves from it by bulk load
// while the shard keeps applying writes, which it also records. When the halves
// are built the shard (on its own goroutine, so no write interleaves) replays
// the recorded writes into them, starts their actors, publishes the new routing
// map and retires: its last view stays valid for readers that still hold the old
// map, and a batch that was routed by the old map is forwarded to the halves.
// Retired shards are stopped at the next OnApply, when no batch can be in flight.
//
// # Startup and failure
//
// Rebuild discovers every table prefix present in the store, then scans each
// table at the visible timestamp and bulk-loads its shards (learned.Builder,
// O(n)) in parallel: one scanner per table cuts the key stream into shard-sized
// runs and hands each run to a builder goroutine. A shard actor that panics is
// restarted by the shards supervisor and rebuilds its range from the store; the
// batches it received since the store's visible timestamp (at most one group of
// commits) are kept outside the actor and replayed, and the batch that failed is
// acknowledged only after the rebuild, so OnApply never loses a write.
package shard
