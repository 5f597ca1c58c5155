package shard

import (
	"bytes"
	"fmt"
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/augurdb/augur/storage/learned"
	"github.com/augurdb/augur/storage/store"
)

// logEntry is one write to a shard's index.
type logEntry struct {
	key []byte
	pl  learned.Payload
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
	owner       *shardActor // the incarnation that started the split
	mid         []byte      // first key of the right half
	left, right *learned.Index
	lt, rt      int // tombstones in each half
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
	idx, since, n, err := loadRange(st, ref.start, ref.end)
	if err != nil {
		return fmt.Errorf("shard %d: rebuild: %w", ref.id, err)
	}
	if ref.recentLost > since {
		return fmt.Errorf("shard %d: rebuild: commit %d is not visible yet and had too many entries to keep for a rebuild", ref.id, ref.recentLost)
	}
	a.idx, a.since, a.tombs = idx, since, 0
	a.splitting, a.splitLog = false, nil
	replayed := 0
	for _, b := range ref.recent {
		if b.ts > since {
			a.tombs += applyEntries(a.idx, b.ents)
			replayed++
		}
	}
	a.nextGC = a.tombs + a.gcStep()
	ref.publish(a.idx.Snapshot(), since)
	a.m.log.Info().Uint64("shard", ref.id).Int("keys", n).Int("replayed_batches", replayed).
		Uint64("since", since).Msg("shard rebuilt from storage after a failure")
	return nil
}

// loadRange bulk-loads the keys of [start, end) visible in the store now. Every
// entry gets the scan's snapshot as its version: the store's iterator does not
// report versions, and the snapshot is an upper bound of each key's version,
// which is what readers need (an older reader is sent to storage).
func loadRange(st *store.Store, start, end []byte) (*learned.Index, uint64, int, error) {
	txn := st.Begin(store.TxnOptions{})
	defer txn.Abort()
	since := txn.Snapshot()
	b := learned.NewBuilder()
	it := txn.Scan(start, end)
	defer it.Close()
	n := 0
	for ; it.Valid(); it.Next() {
		if err := b.Add(it.Key(), learned.Payload{Version: since}); err != nil {
			return nil, 0, 0, fmt.Errorf("load %x: %w", it.Key(), err)
		}
		n++
	}
	if err := it.Err(); err != nil {
		return nil, 0, 0, fmt.Errorf("scan [%x, %x): %w", start, end, err)
	}
	return b.Build(), since, n, nil
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
	a.tombs += applyEntries(a.idx, b.ents)
	if a.splitting {
		a.splitLog = append(a.splitLog, b.ents...)
	}
	a.collectTombstones()
	ref.publish(a.idx.Snapshot(), a.since)
	ref.unacked = nil
	b.ack()
	a.maybeSplit(c)
}

// applyEntries writes ents to idx, skipping versions older than the entry's and
// deletes of absent keys (nothing to hide from any reader the index serves). It
// returns the change in the number of tombstones.
func applyEntries(idx *learned.Index, ents []logEntry) int {
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
		idx.Insert(e.key, e.pl)
		wasDel := ok && old.Ref&tombstoneRef != 0
		switch {
		case del && !wasDel:
			d++
		case !del && wasDel:
			d--
		}
	}
	return d
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
	view := a.ref.pub.Load().view
	self, sys := c.Self(), a.m.sys
	go func() {
		sys.Root.Send(self, buildHalves(a, view))
	}()
}

// buildHalves bulk-loads the two halves of view, cut at its median key.
func buildHalves(owner *shardActor, view *learned.View) *splitBuilt {
	half := view.Len() / 2
	lb, rb := learned.NewBuilder(), learned.NewBuilder()
	msg := &splitBuilt{owner: owner}
	it := view.Iter()
	i := 0
	for ok := it.First(); ok; ok = it.Next() {
		b, t := lb, &msg.lt
		if i >= half {
			b, t = rb, &msg.rt
			if i == half {
				msg.mid = bytes.Clone(it.Key())
			}
		}
		pl := it.Payload()
		if pl.Ref&tombstoneRef != 0 {
			*t++
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
		return // from an incarnation before a restart
	}
	lw, rw := splitEntries(a.splitLog, msg.mid)
	msg.lt += applyEntries(msg.left, lw)
	msg.rt += applyEntries(msg.right, rw)
	m := a.m
	left := m.newRef(ref.prefix, ref.start, msg.mid, msg.left, a.since)
	right := m.newRef(ref.prefix, msg.mid, ref.end, msg.right, a.since)
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
