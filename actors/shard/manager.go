package shard

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/rs/zerolog"

	"github.com/augurdb/augur/storage/keycodec"
	"github.com/augurdb/augur/storage/learned"
	"github.com/augurdb/augur/storage/store"
)

// DefaultMaxKeys is the default number of keys above which a shard splits
// (shard_max_keys).
const DefaultMaxKeys = 1_000_000

// defaultRecentMax bounds the entries a shard keeps for a rebuild (about 3 MiB).
const defaultRecentMax = 1 << 16

// tombstoneRef marks a deleted key in a payload's Ref.
const tombstoneRef = uint64(1) << 63

// DefaultRowCacheBytes is the default memory the shards' row arenas may take
// together (row_cache_size).
const DefaultRowCacheBytes = 2 << 30

// Options configure a Manager.
type Options struct {
	// System is the actor system the shard actors run in.
	System *actor.ActorSystem
	// MaxKeys is the number of keys (tombstones included) above which a shard
	// splits (default DefaultMaxKeys; at least 2).
	MaxKeys int64
	// Horizon returns the oldest snapshot timestamp an open or future reader
	// may use; tombstones at or below it are dropped. Nil keeps tombstones
	// (until a rebuild, which does not load deleted keys).
	Horizon func() uint64
	// RowCacheBytes is the memory the shards may take for row values, all
	// shards together, counted in allocated arena chunks (default
	// DefaultRowCacheBytes; negative: rows are not cached). A value that does
	// not fit is not cached: the shard keeps its key and version, and reads of
	// it go to the store. A commit never fails for it.
	RowCacheBytes int64
	// Log receives shard failures, restarts and splits.
	Log zerolog.Logger
}

// Status is what the index can say about a key at a snapshot.
type Status uint8

const (
	// Absent: no version of the key is visible at the snapshot.
	Absent Status = iota
	// Found: the entry is the key's version visible at the snapshot.
	Found
	// AskStorage: the index cannot answer for this snapshot (the key changed
	// after it, or the shard was rebuilt after it); read the store at the snapshot.
	AskStorage
)

func (s Status) String() string {
	switch s {
	case Absent:
		return "absent"
	case Found:
		return "found"
	case AskStorage:
		return "ask-storage"
	}
	return fmt.Sprintf("Status(%d)", uint8(s))
}

// Entry is a key's latest committed version.
type Entry struct {
	// Version is the commit timestamp of the version.
	Version uint64
	// Ref is the row's place in the shard's row arena; 0 means the row is not
	// cached (read it from the store).
	Ref uint64
}

// Manager owns the shards of every table and index and the routing map that
// sends a key to its shard. Get, Scan and Len are safe for concurrent use and never
// block; OnApply must be called by one goroutine at a time (the store's applier).
type Manager struct {
	opts   Options
	log    zerolog.Logger
	sys    *actor.ActorSystem
	budget rowBudget // the row arenas' memory, all shards together

	parent *actor.PID // the shards supervisor
	routes atomic.Pointer[routes]
	store  atomic.Pointer[store.Store]

	mu      sync.Mutex // serializes changes of the routing map
	nextID  atomic.Uint64
	retired []*shardRef // guarded by mu; stopped at the next OnApply

	applyMu sync.Mutex // OnApply is serial; Rebuild excludes it
	// deferred are the commits of the current group (Defer), applied by Flush;
	// guarded by applyMu.
	deferred  []appliedCommit
	deferredN int

	gcMin int // fewest tombstones worth a collection
	// recentMax is the most entries a shard keeps in recent (for a rebuild)
	// before it drops them; see shardRef.recentLost.
	recentMax int

	// applyHook, when set by tests, runs in a shard actor before it applies a batch.
	applyHook atomic.Pointer[func(shardID uint64)]
}

// routes is an immutable routing map: shards sorted by start key, ranges disjoint.
type routes struct {
	shards []*shardRef
}

// find returns the shard whose range holds key, or nil.
func (r *routes) find(key []byte) *shardRef {
	i := sort.Search(len(r.shards), func(i int) bool { return bytes.Compare(r.shards[i].start, key) > 0 }) - 1
	if i < 0 {
		return nil
	}
	if s := r.shards[i]; bytes.Compare(key, s.end) < 0 {
		return s
	}
	return nil
}

// from returns the index of the first shard whose range ends after key.
func (r *routes) from(key []byte) int {
	return sort.Search(len(r.shards), func(i int) bool { return bytes.Compare(r.shards[i].end, key) > 0 })
}

// published is what a shard shows readers: a view, the timestamp from which
// the view is complete, and the row arena's chunks its payloads reference.
// They change together, so they are one pointer.
type published struct {
	view  *learned.View
	since uint64
	rows  [][]byte
	// uncached is the number of live keys whose value is not in rows.
	uncached int
}

// shardRef is a shard as the manager and readers see it. The fields below pid are
// owned by the shard's actor; they live here so that they survive its restarts.
type shardRef struct {
	id     uint64
	prefix []byte // the table prefix
	start  []byte // inclusive
	end    []byte // exclusive
	pid    *actor.PID
	pub    atomic.Pointer[published]
	failed atomic.Bool // stopped for good: reads ask storage, writes are not routed here

	// Actor-owned state.
	initial      *learned.Index // the index the first incarnation starts with
	initialTombs int            // tombstones in initial
	rows         *rowArena      // the values the index references
	recent       []*applyBatch  // batches newer than the store's visible timestamp
	// recentLost is the newest commit whose batches were dropped from recent
	// because there were more than recentMax entries: a commit of a million
	// rows would keep all its keys a second time until it is visible. A
	// rebuild that cannot see that commit yet leaves the shard failed.
	recentLost uint64
	unacked    *applyBatch  // the batch being applied; acked after a restart if it failed
	retired    *splitResult // set when the shard has been replaced by two halves
	started    bool         // an incarnation has started (the next one is a restart)
}

func (s *shardRef) publish(v *learned.View, since uint64, rows *rowArena) {
	p := &published{view: v, since: since}
	if rows != nil {
		p.rows, p.uncached = rows.view(), rows.uncached
	}
	s.pub.Store(p)
}

// NewManager starts the shards supervisor in opts.System.
func NewManager(opts Options) (*Manager, error) {
	if opts.System == nil {
		return nil, errors.New("shard: NewManager: no actor system")
	}
	if opts.MaxKeys == 0 {
		opts.MaxKeys = DefaultMaxKeys
	}
	if opts.MaxKeys < 2 {
		return nil, fmt.Errorf("shard: NewManager: MaxKeys %d: must be at least 2", opts.MaxKeys)
	}
	if opts.RowCacheBytes == 0 {
		opts.RowCacheBytes = DefaultRowCacheBytes
	}
	m := &Manager{opts: opts, log: opts.Log, sys: opts.System, gcMin: 1024, recentMax: defaultRecentMax}
	m.budget.limit, m.budget.compactMin = opts.RowCacheBytes, compactMin
	m.routes.Store(&routes{})
	strategy := actor.NewOneForOneStrategy(10, time.Minute, func(reason any) actor.Directive {
		m.log.Error().Interface("reason", reason).Msg("shard failed; restarting it (it rebuilds from storage)")
		return actor.RestartDirective
	})
	props := actor.PropsFromFunc(func(c actor.Context) {
		if req, ok := c.Message().(*spawnReq); ok {
			req.reply <- c.Spawn(req.props)
		}
	}, actor.WithSupervisor(strategy))
	pid, err := m.sys.Root.SpawnNamed(props, "shards")
	if err != nil {
		// A second manager in one system (tests) gets a generated name.
		pid = m.sys.Root.Spawn(props)
	}
	m.parent = pid
	return m, nil
}

// spawnReq asks the shards supervisor to start a shard actor as its child.
type spawnReq struct {
	props *actor.Props
	reply chan *actor.PID
}

// start spawns the actor of ref, which must already have an initial index and a
// published view.
func (m *Manager) start(ref *shardRef) {
	req := &spawnReq{props: actor.PropsFromProducer(func() actor.Actor { return &shardActor{m: m, ref: ref} }), reply: make(chan *actor.PID, 1)}
	m.sys.Root.Send(m.parent, req)
	ref.pid = <-req.reply
}

// newRef returns a shard for [start, end) of the table prefix, with idx as its
// index and rows as the arena of its values (published as its first view,
// complete from since). A nil rows is an empty arena.
func (m *Manager) newRef(prefix, start, end []byte, idx *learned.Index, rows *rowArena, since uint64) *shardRef {
	if rows == nil {
		rows = newRowArena(&m.budget)
	}
	ref := &shardRef{id: m.nextID.Add(1), prefix: prefix, start: start, end: end, initial: idx, rows: rows}
	ref.publish(idx.Snapshot(), since, rows)
	return ref
}

// Register makes sure the table or index (tableID, indexID) has shards; the SQL
// layer calls it when it creates a table or index. Keys of an unregistered
// prefix that reach OnApply register their prefix themselves.
func (m *Manager) Register(tableID, indexID uint32) {
	m.ensureTable(keycodec.AppendTablePrefix(nil, tableID, indexID))
}

// ensureTable returns the shard of the first key of prefix, creating one shard for
// the whole prefix when the table has none.
func (m *Manager) ensureTable(prefix []byte) *shardRef {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.routes.Load()
	if s := r.find(prefix); s != nil {
		return s
	}
	since := uint64(0)
	if st := m.store.Load(); st != nil {
		// Rebuild found no key of this prefix, and every later write of one came
		// through OnApply, so the empty index is complete from the rebuild on;
		// the visible timestamp is a safe (later) bound.
		since = st.Visible()
	}
	prefix = bytes.Clone(prefix)
	// The index learns its key prefix from the keys (the longest one they share,
	// shortened when a key does not): fixed at the table prefix, a composite key
	// whose first eight bytes after it are equal — (worker int, seq int) — would
	// give every key of a worker the same model input, and such keys all live in
	// one data node that each commit then copies whole.
	ref := m.newRef(prefix, prefix, keycodec.PrefixEnd(prefix), learned.New(learned.Options{}), nil, since)
	m.start(ref)
	m.publishRoutes(r, nil, []*shardRef{ref})
	return ref
}

// publishRoutes publishes r without the shards in drop and with those in add.
// The caller holds mu.
func (m *Manager) publishRoutes(r *routes, drop, add []*shardRef) {
	next := make([]*shardRef, 0, len(r.shards)+len(add))
	for _, s := range r.shards {
		dropped := false
		for _, d := range drop {
			dropped = dropped || d == s
		}
		if !dropped {
			next = append(next, s)
		}
	}
	next = append(next, add...)
	sort.Slice(next, func(i, j int) bool { return bytes.Compare(next[i].start, next[j].start) < 0 })
	m.routes.Store(&routes{shards: next})
}

// tableKey returns the table prefix of key, or nil when key is not a table key.
func tableKey(key []byte) []byte {
	if len(key) < keycodec.TablePrefixLen || key[0] != keycodec.TablePrefixByte {
		return nil
	}
	return key[:keycodec.TablePrefixLen]
}

// OnApply routes one commit's mutations to their shards and returns when every
// shard has applied them and published a view that includes them. It is meant
// for store.Options.OnApply, which the store calls once per commit, serially,
// before the commit becomes visible. Keys outside the table key space (store
// metadata) are ignored. The mutations' keys and values are retained by the
// shards until the next split or restart of their shard has no more use for
// them (the values are copied into the shards' row arenas when applied); the
// store never reuses them.
func (m *Manager) OnApply(ts uint64, muts []store.Mutation) {
	m.applyMu.Lock()
	defer m.applyMu.Unlock()
	m.apply([]appliedCommit{{ts, muts}})
}

// appliedCommit is one commit's mutations, as OnApply receives them.
type appliedCommit struct {
	ts   uint64
	muts []store.Mutation
}

// deferLimit is the number of deferred mutations above which Defer applies them
// at once (a spilled write set arrives in many chunks: memory stays bounded).
const deferLimit = 4096

// Defer is store.Options.OnApply for a store that also calls StartFlush
// (store.Options.OnApplyStart) after each group: it keeps the commit's mutations
// and StartFlush applies the whole group, one batch per shard. Each shard then
// copies the index nodes a group touches once and publishes one view per group,
// instead of once per commit. The group is not visible before StartFlush's wait
// returns.
func (m *Manager) Defer(ts uint64, muts []store.Mutation) {
	m.applyMu.Lock()
	defer m.applyMu.Unlock()
	m.deferred = append(m.deferred, appliedCommit{ts, muts})
	m.deferredN += len(muts)
	if m.deferredN >= deferLimit {
		m.flushLocked()
	}
}

// Flush applies the deferred commits and returns when every shard has published
// a view that includes them.
func (m *Manager) Flush() { m.StartFlush()() }

// StartFlush sends the deferred commits to their shards and returns at once; the
// returned wait blocks until every shard has published a view that includes
// them. Until wait returns no other apply can start (Defer, OnApply and Flush
// block). It is store.Options.OnApplyStart: the store starts the shards' work
// before its fsync and waits for it after, so the shards' apply and
// acknowledgement overlap the fsync instead of following it.
func (m *Manager) StartFlush() (wait func()) {
	m.applyMu.Lock()
	var p *pendingApply
	if len(m.deferred) > 0 {
		p = m.send(m.deferred)
	}
	clear(m.deferred)
	m.deferred, m.deferredN = m.deferred[:0], 0
	return func() {
		p.wait()
		m.applyMu.Unlock()
	}
}

func (m *Manager) flushLocked() {
	if len(m.deferred) > 0 {
		m.apply(m.deferred)
	}
	clear(m.deferred)
	m.deferred, m.deferredN = m.deferred[:0], 0
}

// apply routes the commits' mutations to their shards and waits until every
// shard has applied its batch and published a view. The caller holds applyMu.
func (m *Manager) apply(commits []appliedCommit) { m.send(commits).wait() }

// pendingApply is a sent apply: its batches and the shards they went to.
type pendingApply struct {
	batches []*applyBatch
	refs    []*shardRef
	done    *applyWait
}

// send routes the commits' mutations, one batch per shard (versioned by the
// newest commit; each entry keeps its own), and sends them. It returns nil when
// there is nothing to wait for. The caller holds applyMu until the wait.
func (m *Manager) send(commits []appliedCommit) *pendingApply {
	m.stopRetired()
	r := m.routes.Load()
	var (
		refs    []*shardRef
		batches []*applyBatch
		cur     = -1
	)
	for _, cm := range commits {
		ts, muts := cm.ts, cm.muts
		for i := range muts {
			mu := &muts[i]
			if cur >= 0 && bytes.Compare(mu.Key, refs[cur].start) >= 0 && bytes.Compare(mu.Key, refs[cur].end) < 0 {
				// Same shard as the previous key: the common case for sorted write sets.
			} else {
				s := r.find(mu.Key)
				if s == nil {
					p := tableKey(mu.Key)
					if p == nil {
						continue
					}
					m.ensureTable(p)
					r = m.routes.Load()
					s = r.find(mu.Key)
				}
				cur = -1
				for j, x := range refs {
					if x == s {
						cur = j
					}
				}
				if cur < 0 {
					refs = append(refs, s)
					batches = append(batches, &applyBatch{ts: ts})
					cur = len(refs) - 1
				}
			}
			e := logEntry{key: mu.Key, pl: learned.Payload{Version: ts}, val: mu.Value}
			if mu.Delete {
				e.pl.Ref, e.val = tombstoneRef, nil
			}
			b := batches[cur]
			b.ts = max(b.ts, ts)
			b.ents = append(b.ents, e)
		}
	}
	if len(batches) == 0 {
		return nil
	}
	done := newApplyWait(len(batches))
	for i, b := range batches {
		b.done = done
		if refs[i].failed.Load() {
			b.ack()
			continue
		}
		m.sys.Root.Send(refs[i].pid, b)
	}
	return &pendingApply{batches: batches, refs: refs, done: done}
}

// failedShardPoll is how often OnApply, while it waits, looks for shards that
// failed for good after a batch was sent to them.
const failedShardPoll = 50 * time.Millisecond

// wait waits until every batch is acknowledged. A shard that stops for good
// acknowledges the batch it was applying, but a batch that reaches it after it
// stopped would be lost in the dead letters and OnApply — and with it the commit
// pipeline — would wait forever; so batches of shards marked failed are
// acknowledged here.
func (p *pendingApply) wait() {
	if p == nil {
		return
	}
	select {
	case <-p.done.all:
		return
	default:
	}
	tick := time.NewTicker(failedShardPoll)
	defer tick.Stop()
	for {
		select {
		case <-p.done.all:
			return
		case <-tick.C:
			for i, b := range p.batches {
				if p.refs[i].failed.Load() {
					b.ack()
				}
			}
		}
	}
}

// stopRetired stops shards replaced by splits. The caller holds applyMu, so no
// batch routed by an old map is still in flight to them.
func (m *Manager) stopRetired() {
	m.mu.Lock()
	old := m.retired
	m.retired = nil
	m.mu.Unlock()
	for _, s := range old {
		m.sys.Root.Stop(s.pid)
	}
}

// Get returns what the index knows of key at snapshot. It never blocks and never
// waits for a shard.
func (m *Manager) Get(key []byte, snapshot uint64) (Entry, Status) {
	s := m.routes.Load().find(key)
	if s == nil || s.failed.Load() {
		return Entry{}, AskStorage
	}
	pub := s.pub.Load()
	if snapshot < pub.since {
		return Entry{}, AskStorage
	}
	pl, ok := pub.view.Get(key)
	return interpret(pl, ok, snapshot)
}

func interpret(pl learned.Payload, ok bool, snapshot uint64) (Entry, Status) {
	switch {
	case !ok:
		return Entry{}, Absent
	case pl.Version > snapshot:
		return Entry{Version: pl.Version}, AskStorage
	case pl.Ref&tombstoneRef != 0:
		return Entry{}, Absent
	}
	return Entry{Version: pl.Version, Ref: pl.Ref}, Found
}

// Scan calls fn, in key order, for each key in [start, end) (nil end: no bound)
// that the index holds and that is not deleted as of snapshot: with Found and
// its entry, or with AskStorage when the key changed after the snapshot (the
// caller reads it from the store; it may not exist there at the snapshot). fn
// returns false to stop. The key passed to fn is valid only during the call.
//
// Scan returns false, having called fn for nothing, when the index cannot
// answer for the range at this snapshot (a shard of the range was rebuilt after
// it, or has failed): the caller scans the store instead. Parts of the range no
// shard holds have no keys (every table prefix with keys has shards after
// Rebuild, and a write to a new prefix registers it).
func (m *Manager) Scan(start, end []byte, snapshot uint64, fn func(key []byte, e Entry, st Status) bool) bool {
	r := m.routes.Load()
	i := r.from(start)
	var pubs [4]*published
	views := pubs[:0]
	for j := i; j < len(r.shards); j++ {
		s := r.shards[j]
		if end != nil && bytes.Compare(s.start, end) >= 0 {
			break
		}
		pub := s.pub.Load()
		if s.failed.Load() || snapshot < pub.since {
			return false
		}
		views = append(views, pub)
	}
	for k, pub := range views {
		s := r.shards[i+k]
		it := pub.view.Iter()
		ok := it.Seek(start)
		for ; ok; ok = it.Next() {
			key := it.Key()
			if bytes.Compare(key, s.end) >= 0 || (end != nil && bytes.Compare(key, end) >= 0) {
				break
			}
			e, st := interpret(it.Payload(), true, snapshot)
			if st == Absent {
				continue
			}
			if !fn(key, e, st) {
				return true
			}
		}
	}
	return true
}

// Len returns the number of entries (tombstones included) over all shards, as of
// their published views.
func (m *Manager) Len() int {
	n := 0
	for _, s := range m.routes.Load().shards {
		n += s.pub.Load().view.Len()
	}
	return n
}

// ShardInfo describes one shard (for introspection and tests).
type ShardInfo struct {
	ID         uint64
	Start, End []byte
	Keys       int
	Since      uint64
	Failed     bool
}

// Shards returns the shards of the current routing map in key order.
func (m *Manager) Shards() []ShardInfo {
	r := m.routes.Load()
	out := make([]ShardInfo, len(r.shards))
	for i, s := range r.shards {
		pub := s.pub.Load()
		out[i] = ShardInfo{ID: s.id, Start: s.start, End: s.end, Keys: pub.view.Len(), Since: pub.since, Failed: s.failed.Load()}
	}
	return out
}

// ChangedSince implements store.Index: whether key has a version newer than
// snapshot. Every visible commit is in the shards' views (a group is applied
// to them before it becomes visible), so a key the view does not hold, or
// holds at an older version, has no newer visible version.
func (m *Manager) ChangedSince(key []byte, snapshot uint64) (changed, known bool) {
	s := m.routes.Load().find(key)
	if s == nil || s.failed.Load() {
		return false, false
	}
	pub := s.pub.Load()
	if snapshot < pub.since {
		return false, false
	}
	pl, ok := pub.view.Get(key)
	if !ok {
		return false, true
	}
	return pl.Version > snapshot, true
}

// Lookup implements store.Index: the value of key at snapshot when the shard's
// view holds the key's version visible at the snapshot and its value is cached
// (the slice aliases the shard's row arena: it must not be modified), that the
// key does not exist at snapshot, or that the store must be asked.
func (m *Manager) Lookup(key []byte, snapshot uint64) ([]byte, store.IndexAnswer) {
	s := m.routes.Load().find(key)
	if s == nil || s.failed.Load() {
		return nil, store.IndexUnknown
	}
	pub := s.pub.Load()
	if snapshot < pub.since {
		return nil, store.IndexUnknown
	}
	pl, ok := pub.view.Get(key)
	switch e, st := interpret(pl, ok, snapshot); {
	case st == Absent:
		return nil, store.IndexAbsent
	case st == Found && e.Ref != 0:
		return rowValue(pub.rows, e.Ref), store.IndexFound
	}
	return nil, store.IndexUnknown
}

// Rows implements store.Index: a cursor over [start, end) at snapshot, taken
// from the shards' views as they are now, or nil when the index cannot answer
// for the whole range: the range is not within one table or index, or a shard
// of it was rebuilt after the snapshot, has failed, or has keys whose values
// are not cached (then Badger's iterator is cheaper than a read per key).
func (m *Manager) Rows(start, end []byte, snapshot uint64) store.IndexCursor {
	p := tableKey(start)
	if p == nil || end == nil || bytes.Compare(end, keycodec.PrefixEnd(p)) > 0 {
		return nil
	}
	r := m.routes.Load()
	i := r.from(start)
	c := &rowCursor{start: start, end: end, snapshot: snapshot}
	for j := i; j < len(r.shards); j++ {
		s := r.shards[j]
		if bytes.Compare(s.start, end) >= 0 {
			break
		}
		pub := s.pub.Load()
		if s.failed.Load() || snapshot < pub.since || pub.uncached > 0 {
			return nil
		}
		c.shards = append(c.shards, s)
		c.pubs = append(c.pubs, pub)
	}
	return c
}

// rowCursor walks the views of a range's shards, loaded when it was opened:
// views are complete for the snapshot (every commit visible at it was applied
// to them before it became visible), and a split's old shard keeps its last view.
type rowCursor struct {
	start, end []byte
	snapshot   uint64
	shards     []*shardRef
	pubs       []*published
	i          int // current shard
	it         *learned.Iterator
	key        []byte
	val        []byte
	known      bool
}

// Next implements store.IndexCursor: it skips keys deleted at the snapshot.
func (c *rowCursor) Next() bool {
	for c.i < len(c.pubs) {
		var ok bool
		if c.it == nil {
			c.it = c.pubs[c.i].view.Iter()
			ok = c.it.Seek(c.start)
		} else {
			ok = c.it.Next()
		}
		var key []byte
		if ok {
			key = c.it.Key()
			ok = bytes.Compare(key, c.shards[c.i].end) < 0 && bytes.Compare(key, c.end) < 0
		}
		if !ok {
			c.i, c.it = c.i+1, nil
			continue
		}
		e, st := interpret(c.it.Payload(), true, c.snapshot)
		if st == Absent {
			continue
		}
		c.key, c.known, c.val = key, st == Found && e.Ref != 0, nil
		if c.known {
			c.val = rowValue(c.pubs[c.i].rows, e.Ref)
		}
		return true
	}
	c.key = nil
	return false
}

// Key implements store.IndexCursor.
func (c *rowCursor) Key() []byte { return c.key }

// Value implements store.IndexCursor.
func (c *rowCursor) Value() ([]byte, bool) { return c.val, c.known }

// RowCacheBytes returns the memory the row arenas of all shards take now
// (allocated chunks, including those of views that readers may still hold
// after a compaction or split until they drop them).
func (m *Manager) RowCacheBytes() int64 { return m.budget.used.Load() }

// KeyCount returns the number of entries (tombstones included) of one index of
// one table, as of the shards' published views: the planner's row estimate.
func (m *Manager) KeyCount(tableID, indexID uint32) int {
	prefix := keycodec.AppendTablePrefix(nil, tableID, indexID)
	n := 0
	for _, s := range m.routes.Load().shards {
		if bytes.HasPrefix(s.start, prefix) || bytes.HasPrefix(prefix, s.start) && bytes.Compare(prefix, s.end) < 0 {
			n += s.pub.Load().view.Len()
		}
	}
	return n
}

// Close stops every shard actor. Call it after the store is closed (no more
// OnApply); reads after Close still see the last published views.
func (m *Manager) Close() error {
	m.applyMu.Lock()
	defer m.applyMu.Unlock()
	if err := m.sys.Root.StopFuture(m.parent).Wait(); err != nil {
		return fmt.Errorf("shard: stop shards: %w", err)
	}
	return nil
}
