package shard

import (
	"bytes"
	"fmt"
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/augurdb/augur/storage/learned"
	"github.com/augurdb/augur/storage/store"
)

// logEntry is one write to a shard's index: the key, its version (and the
// tombstone bit of a delete), and the value of a put, which the shard copies
// into its row arena.
type logEntry struct {
	key []byte
	pl  learned.Payload
	val []byte
}

// applyBatch carries one commit's writes for one shard. done is counted down
// once the writes are applied and a view including them is published.
type applyBatch struct {
	ts    uint64
	ents  []logEntry
	done  *applyWait
	acked atomic.Bool
}

// ack tells OnApply the batch is done with; a second ack (the shard acknowledging
// a batch OnApply already gave up on because the shard failed) does nothing.
func (b *applyBatch) ack() {
	if b.acked.CompareAndSwap(false, true) {
		b.done.done()
	}
}

// applyWait counts the batches of one apply down to zero. The last shard to
// acknowledge closes all, which wakes the waiting applier directly: a
// sync.WaitGroup would need a goroutine of its own to be selectable with the
// failed-shard poll, one more thread wake-up on every commit's critical path.
type applyWait struct {
	left atomic.Int64
	all  chan struct{}
}

func newApplyWait(n int) *applyWait {
	w := &applyWait{all: make(chan struct{})}
	w.left.Store(int64(n))
	return w
}

// add counts n more batches (a retired shard forwarding a batch in two halves);
// the count cannot have reached zero, the forwarded batch being unacknowledged.
func (w *applyWait) add(n int64) { w.left.Add(n) }

func (w *applyWait) done() {
	if w.left.Add(-1) == 0 {
		close(w.all)
	}
}

// splitBuilt reports that the halves of a split were built from a view.
type splitBuilt struct {
	owner        *shardActor // the incarnation that started the split
	mid          []byte      // first key of the right half
	left, right  *learned.Index
	lrows, rrows *rowArena // the halves' row arenas
	lt, rt       int       // tombstones in each half
}

// splitResult is where a retired shard forwards writes.
type splitResult struct {
	mid         []byte
	left, right *shardRef
}

// getMsg asks the actor itself for a key (the message read path, kept for the
// read-path benchmark). With a nil reply channel the answer is a Respond.
type getMsg struct {
	key      []byte
	snapshot uint64
	reply    chan<- getReply
}

type getReply struct {
	e  Entry
	st Status
}

// scanMsg asks the actor for up to n entries from start (the message read path
// for scans, kept for the read-path benchmark).
type scanMsg struct {
	start    []byte
	n        int
	snapshot uint64
	reply    chan<- []scanItem
}

type scanItem struct {
	key []byte
	e   Entry
	st  Status
}

// shardActor is one incarnation of a shard's actor: the only writer of its index.
type shardActor struct {
	m   *Manager
	ref *shardRef

	idx       *learned.Index
	since     uint64 // the index is complete for snapshots from since on
	tombs     int    // tombstones in idx
	nextGC    int    // tombs at which to drop old tombstones next
	splitting bool
	splitLog  []logEntry // writes applied since the split's view was taken
}

// Receive implements actor.Actor.
func (a *shardActor) Receive(c actor.Context) {
	switch msg := c.Message().(type) {
	case *actor.Started:
		a.start()
	case *applyBatch:
		a.apply(c, msg)
	case *splitBuilt:
		a.finishSplit(msg)
	case *getMsg:
		r := a.get(msg.key, msg.snapshot)
		if msg.reply != nil {
			msg.reply <- r
		} else {
			c.Respond(r)
		}
	case *scanMsg:
		msg.reply <- a.scan(msg)
	case *actor.Stopped:
		// Stopped for good (a normal stop, or too many failures): a batch that
		// failed is acknowledged so that OnApply does not wait forever, and the
		// shard is marked failed so readers go to storage from now on.
		if b := a.ref.unacked; b != nil {
			a.ref.unacked = nil
			a.ref.failed.Store(true)
			a.m.log.Error().Uint64("shard", a.ref.id).Msg("shard stopped after repeated failures; its reads go to storage")
			b.ack()
		}
	}
}

func (a *shardActor) start() {
	ref := a.ref
	if !ref.started {
		ref.started = true
		a.idx, ref.initial = ref.initial, nil
		if ref.rows == nil {
			ref.rows = newRowArena(&a.m.budget)
		}
		a.since = ref.pub.Load().since
		a.tombs = ref.initialTombs
		a.nextGC = a.tombs + a.gcStep()
		return
	}
	if ref.retired != nil {
		// A retired shard only forwards; it has no index to rebuild.
		if b := ref.unacked; b != nil {
			ref.unacked = nil
			a.forward(b)
		}
		return
	}
	if err := a.rebuild(); err != nil {
		// Panicking again would restart us in a loop; give the range to storage.
		a.m.log.Error().Err(err).Uint64("shard", ref.id).Msg("shard could not rebuild after a failure; its reads go to storage")
		ref.failed.Store(true)
	}
	if b := ref.unacked; b != nil {
		ref.unacked = nil
		b.ack()
	}
}

// rebuild replaces the index by one bulk-loaded from the store at its visible
// timestamp, then replays the batches received since then.
func (a *shardActor) rebuild() error {
	ref := a.ref
	st := a.m.store.Load()
	if st == nil {
		return fmt.Errorf("shard %d: rebuild: no store attached (Rebuild was never called)", ref.id)
	}
	idx, rows, since, n, err := loadRange(st, ref.start, ref.end, &a.m.budget)
	if err != nil {
		return fmt.Errorf("shard %d: rebuild: %w", ref.id, err)
	}
	if ref.recentLost > since {
		rows.release()
		return fmt.Errorf("shard %d: rebuild: commit %d is not visible yet and had too many entries to keep for a rebuild", ref.id, ref.recentLost)
	}
	// The previous incarnation's arena stays readable through its views; only
	// its charge ends here.
	ref.rows.release()
	ref.rows = rows
	a.idx, a.since, a.tombs = idx, since, 0
	a.splitting, a.splitLog = false, nil
	replayed := 0
	for _, b := range ref.recent {
		if b.ts > since {
			a.tombs += applyEntries(a.idx, rows, b.ents)
			replayed++
		}
	}
	a.nextGC = a.tombs + a.gcStep()
	ref.publish(a.idx.Snapshot(), since, rows)
	a.m.log.Info().Uint64("shard", ref.id).Int("keys", n).Int("replayed_batches", replayed).
		Uint64("since", since).Msg("shard rebuilt from storage after a failure")
	return nil
}

// loadRange bulk-loads the keys of [start, end) visible in the store now, and
// their values into a new row arena charged to budget. Every entry gets the
// scan's snapshot as its version: the store's iterator does not report
// versions, and the snapshot is an upper bound of each key's version, which is
// what readers need (an older reader is sent to storage).
func loadRange(st *store.Store, start, end []byte, budget *rowBudget) (*learned.Index, *rowArena, uint64, int, error) {
	txn := st.Begin(store.TxnOptions{BypassIndex: true})
	defer txn.Abort()
	since := txn.Snapshot()
	b := learned.NewBuilder()
	rows := newRowArena(budget)
	it := txn.Scan(start, end)
	defer it.Close()
	n := 0
	for ; it.Valid(); it.Next() {
		if err := addRow(b, rows, it, since); err != nil {
			rows.release()
			return nil, nil, 0, 0, err
		}
		n++
	}
	if err := it.Err(); err != nil {
		rows.release()
		return nil, nil, 0, 0, fmt.Errorf("scan [%x, %x): %w", start, end, err)
	}
	return b.Build(), rows, since, n, nil
}

// addRow adds the iterator's key at version since to b and its value to rows.
func addRow(b *learned.Builder, rows *rowArena, it *store.Iterator, since uint64) error {
	pl := learned.Payload{Version: since}
	err := it.WithValue(func(v []byte) error {
		pl.Ref = rows.add(v, false)
		return nil
	})
	if err != nil {
		return fmt.Errorf("load %x: value: %w", it.Key(), err)
	}
	if err := b.Add(it.Key(), pl); err != nil {
		return fmt.Errorf("load %x: %w", it.Key(), err)
	}
	return nil
}

func (a *shardActor) gcStep() int {
	n := 0
	if a.idx != nil {
		n = a.idx.Len() / 8
	}
	return max(a.m.gcMin, n)
}

func (a *shardActor) apply(c actor.Context, b *applyBatch) {
	ref := a.ref
	if ref.retired != nil {
		a.forward(b)
		return
	}
	ref.unacked = b
	if st := a.m.store.Load(); st != nil {
		// Keep what a rebuild at the visible timestamp would miss.
		v := st.Visible()
		keep := ref.recent[:0]
		n := len(b.ents)
		for _, r := range ref.recent {
			if r.ts > v {
				keep = append(keep, r)
				n += len(r.ents)
			}
		}
		clear(ref.recent[len(keep):])
		ref.recent = append(keep, b)
		if n > a.m.recentMax {
			for _, r := range ref.recent {
				ref.recentLost = max(ref.recentLost, r.ts)
			}
			clear(ref.recent)
			ref.recent = ref.recent[:0]
		}
	}
	if h := a.m.applyHook.Load(); h != nil {
		(*h)(ref.id)
	}
	a.tombs += applyEntries(a.idx, ref.rows, b.ents)
	if a.splitting {
		a.splitLog = append(a.splitLog, b.ents...)
	} else if ref.rows.wantsCompaction() {
		a.compactRows()
	}
	a.collectTombstones()
	ref.publish(a.idx.Snapshot(), a.since, ref.rows)
	ref.unacked = nil
	b.ack()
	a.maybeSplit(c)
}

// applyEntries writes ents to idx and the values of puts to rows, skipping
// versions older than the entry's and deletes of absent keys (nothing to hide
// from any reader the index serves). It returns the change in the number of
// tombstones.
func applyEntries(idx *learned.Index, rows *rowArena, ents []logEntry) int {
	d := 0
	for _, e := range ents {
		old, ok := idx.Get(e.key)
		if ok && old.Version > e.pl.Version {
			continue
		}
		del := e.pl.Ref&tombstoneRef != 0
		if del && !ok {
			continue
		}
		wasDel := ok && old.Ref&tombstoneRef != 0
		if ok && !wasDel {
			if old.Ref == 0 {
				rows.dropUncached()
			} else {
				rows.drop(old.Ref)
			}
		}
		pl := e.pl
		if !del {
			pl.Ref = rows.add(e.val, false)
		}
		idx.Insert(e.key, pl)
		switch {
		case del && !wasDel:
			d++
		case !del && wasDel:
			d--
		}
	}
	return d
}

// compactRows copies the live values into a fresh arena and rebuilds the index
// with their new references (both published with the next view), once the
// garbage of replaced and deleted values outweighs them. Readers of older views
// keep the old arena alive until they are done.
func (a *shardActor) compactRows() {
	old := a.ref.rows
	fresh := newRowArena(old.budget)
	b := learned.NewBuilder()
	it := a.idx.Snapshot().Iter()
	for ok := it.First(); ok; ok = it.Next() {
		pl := it.Payload()
		if pl.Ref != 0 && pl.Ref&tombstoneRef == 0 {
			// Forced: the old arena's charge, larger, is given back below.
			pl.Ref = fresh.add(rowValue(old.chunks, pl.Ref), true)
		}
		// Keys come from an ordered view, so Add cannot fail.
		_ = b.Add(it.Key(), pl)
	}
	fresh.uncached = old.uncached
	a.idx = b.Build()
	old.release()
	a.ref.rows = fresh
}

// collectTombstones drops tombstones no open snapshot can see, once enough
// have accumulated since the last collection (amortized O(1) per delete).
func (a *shardActor) collectTombstones() {
	if a.splitting || a.tombs < a.nextGC || a.m.opts.Horizon == nil {
		return
	}
	h := a.m.opts.Horizon()
	var drop [][]byte
	it := a.idx.Snapshot().Iter()
	for ok := it.First(); ok; ok = it.Next() {
		if pl := it.Payload(); pl.Ref&tombstoneRef != 0 && pl.Version <= h {
			drop = append(drop, bytes.Clone(it.Key()))
		}
	}
	for _, k := range drop {
		a.idx.Delete(k)
	}
	a.tombs -= len(drop)
	a.nextGC = a.tombs + a.gcStep()
}

func (a *shardActor) get(key []byte, snapshot uint64) getReply {
	if a.idx == nil || snapshot < a.since {
		return getReply{st: AskStorage}
	}
	pl, ok := a.idx.Get(key)
	e, st := interpret(pl, ok, snapshot)
	return getReply{e: e, st: st}
}

func (a *shardActor) scan(msg *scanMsg) []scanItem {
	if a.idx == nil || msg.snapshot < a.since {
		return nil
	}
	out := make([]scanItem, 0, msg.n)
	it := a.idx.Iter()
	for ok := it.Seek(msg.start); ok && len(out) < msg.n; ok = it.Next() {
		key := it.Key()
		if bytes.Compare(key, a.ref.end) >= 0 {
			break
		}
		e, st := interpret(it.Payload(), true, msg.snapshot)
		if st != Absent {
			out = append(out, scanItem{key: bytes.Clone(key), e: e, st: st})
		}
	}
	return out
}

// maybeSplit starts a split when the index has outgrown MaxKeys: the halves are
// built off the actor's goroutine from the view just published.
func (a *shardActor) maybeSplit(c actor.Context) {
	if a.splitting || int64(a.idx.Len()) <= a.m.opts.MaxKeys {
		return
	}
	a.splitting, a.splitLog = true, nil
	pub := a.ref.pub.Load()
	self, sys := c.Self(), a.m.sys
	go func() {
		sys.Root.Send(self, buildHalves(a, pub))
	}()
}

// buildHalves bulk-loads the two halves of a published view, cut at its median
// key, each with a row arena of its own (charged even over the budget: the
// split shard's arena, as large, is given back when the split finishes).
func buildHalves(owner *shardActor, pub *published) *splitBuilt {
	view := pub.view
	half := view.Len() / 2
	lb, rb := learned.NewBuilder(), learned.NewBuilder()
	msg := &splitBuilt{owner: owner, lrows: newRowArena(&owner.m.budget), rrows: newRowArena(&owner.m.budget)}
	it := view.Iter()
	i := 0
	for ok := it.First(); ok; ok = it.Next() {
		b, t, rows := lb, &msg.lt, msg.lrows
		if i >= half {
			b, t, rows = rb, &msg.rt, msg.rrows
			if i == half {
				msg.mid = bytes.Clone(it.Key())
			}
		}
		pl := it.Payload()
		switch {
		case pl.Ref&tombstoneRef != 0:
			*t++
		case pl.Ref == 0:
			rows.uncached++
		default:
			pl.Ref = rows.add(rowValue(pub.rows, pl.Ref), true)
		}
		// Keys come from an ordered view, so Add cannot fail.
		_ = b.Add(it.Key(), pl)
		i++
	}
	msg.left, msg.right = lb.Build(), rb.Build()
	return msg
}

// finishSplit replays the writes made while the halves were built, starts the
// halves' actors, publishes the new routing map and retires this shard.
func (a *shardActor) finishSplit(msg *splitBuilt) {
	ref := a.ref
	if msg.owner != a || ref.retired != nil {
		// From an incarnation before a restart: nothing references the halves.
		msg.lrows.release()
		msg.rrows.release()
		return
	}
	lw, rw := splitEntries(a.splitLog, msg.mid)
	msg.lt += applyEntries(msg.left, msg.lrows, lw)
	msg.rt += applyEntries(msg.right, msg.rrows, rw)
	m := a.m
	left := m.newRef(ref.prefix, ref.start, msg.mid, msg.left, msg.lrows, a.since)
	right := m.newRef(ref.prefix, msg.mid, ref.end, msg.right, msg.rrows, a.since)
	left.initialTombs, right.initialTombs = msg.lt, msg.rt
	left.recentLost, right.recentLost = ref.recentLost, ref.recentLost
	// The halves inherit the batches a rebuild at the visible timestamp would
	// miss, so that a half that fails before the next group is visible loses none.
	for _, b := range ref.recent {
		lb, rb := splitEntries(b.ents, msg.mid)
		if len(lb) > 0 {
			left.recent = append(left.recent, &applyBatch{ts: b.ts, ents: lb})
		}
		if len(rb) > 0 {
			right.recent = append(right.recent, &applyBatch{ts: b.ts, ents: rb})
		}
	}
	// The halves' indexes belong to their actors once started: count them first.
	leftKeys, rightKeys := msg.left.Len(), msg.right.Len()
	m.start(left)
	m.start(right)
	m.mu.Lock()
	ref.retired = &splitResult{mid: msg.mid, left: left, right: right}
	ref.recent = nil
	m.publishRoutes(m.routes.Load(), []*shardRef{ref}, []*shardRef{left, right})
	m.retired = append(m.retired, ref)
	m.mu.Unlock()
	m.log.Info().Uint64("shard", ref.id).Uint64("left", left.id).Uint64("right", right.id).
		Int("left_keys", leftKeys).Int("right_keys", rightKeys).
		Int("replayed", len(a.splitLog)).Msg("shard split")
	a.idx, a.splitLog, a.splitting = nil, nil, false
	ref.rows.release()
}

// forward sends a batch routed by an old map to the halves that replaced this shard.
func (a *shardActor) forward(b *applyBatch) {
	res := a.ref.retired
	lw, rw := splitEntries(b.ents, res.mid)
	sys := a.m.sys
	switch {
	case len(lw) > 0 && len(rw) > 0:
		b.done.add(1)
		sys.Root.Send(res.left.pid, &applyBatch{ts: b.ts, ents: lw, done: b.done})
		sys.Root.Send(res.right.pid, &applyBatch{ts: b.ts, ents: rw, done: b.done})
	case len(lw) > 0:
		sys.Root.Send(res.left.pid, &applyBatch{ts: b.ts, ents: lw, done: b.done})
	case len(rw) > 0:
		sys.Root.Send(res.right.pid, &applyBatch{ts: b.ts, ents: rw, done: b.done})
	default:
		b.ack()
	}
}

// splitEntries divides ents into those below mid and the rest.
func splitEntries(ents []logEntry, mid []byte) (lw, rw []logEntry) {
	for _, e := range ents {
		if bytes.Compare(e.key, mid) < 0 {
			lw = append(lw, e)
		} else {
			rw = append(rw, e)
		}
	}
	return lw, rw
}
