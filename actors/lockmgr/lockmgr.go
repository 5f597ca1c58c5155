// Package lockmgr is Augur's lock manager: table locks in PostgreSQL's eight
// modes, row locks in its four, and advisory locks, held by owners (one per
// session) at transaction or session level.
//
// The lock table is a concurrent structure on the caller's goroutine, so an
// uncontended lock costs no message. A request that conflicts waits on the
// caller's goroutine; after DeadlockTimeout it asks the detector — an actor
// that serializes deadlock checks over the wait-for graph — whether it is part
// of a cycle, and the waiter that ran the check is the victim (40P01), as in
// PostgreSQL. A request is granted when it is compatible with every lock other
// owners hold on the tag (it does not queue behind other waiters).
//
// # Layout
//
// The table is split into 64 shards by a hash of the tag, each a map from tag to
// lock under its own mutex, so unrelated requests rarely meet on a mutex. A lock
// records its holders (one small record per owner: the modes it holds at each
// level with their counts) and, per mode, how many owners hold it; a conflict
// test is then a mask test in the common case. Each owner keeps the list of its
// holdings, so the end of a transaction releases without scanning the table.
// Nothing per lock is allocated for waiting until someone waits: the wake-up
// channel and the waiter list hang off the lock only while there are waiters.
//
// # Waiting
//
// A waiter registers on the lock and in the manager's set of waiters (the nodes
// of the wait-for graph with outgoing edges), then sleeps on the lock's wake-up
// channel, which is closed whenever some owner stops holding a mode of that lock.
// It re-checks on every wake-up; it is never queued, so a request compatible
// with the holders is granted even while a stronger request waits (PostgreSQL
// queues it; see docs/architecture.md, "Locks"). A waiter gives up when its
// context ends, when LockTimeout passes (55P03), or when a deadlock check finds
// it on a cycle (40P01).
//
// # Deadlock checks
//
// Every DeadlockTimeout of waiting, a waiter asks for a check. A check locks
// every shard (a consistent picture of the graph), follows the edges from the
// asker — waiter → each other owner that holds a mode conflicting with what it
// waits for — and, when it comes back to the asker, removes the asker's wait and
// records the 40P01 error in it while still holding the shards. The asker is
// the only victim: a later check by another member of the same cycle no longer
// sees the victim waiting. Checks are serialized by the detector actor (Props,
// Attach) or, without one, by a mutex on the waiter's goroutine.
package lockmgr

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/jackc/pgerrcode"

	"github.com/augurdb/augur/storage/pgerr"
)

// Mode is a lock mode: a table mode or a row mode (the two sets never meet on
// one tag).
type Mode uint8

// Table lock modes, weakest first, as PostgreSQL names them.
const (
	AccessShare Mode = iota + 1
	RowShare
	RowExclusive
	ShareUpdateExclusive
	Share
	ShareRowExclusive
	Exclusive
	AccessExclusive
	// Row lock modes (SELECT … FOR KEY SHARE / SHARE / NO KEY UPDATE / UPDATE).
	ForKeyShare
	ForShare
	ForNoKeyUpdate
	ForUpdate
)

// Space is the kind of object a tag names.
type Space uint8

// Spaces.
const (
	SpaceRelation Space = iota + 1 // Rel is a table id
	SpaceRow                       // Rel is a table id, Key the row's primary key
	SpaceAdvisory                  // Key is the advisory key (see AdvisoryKey)
)

// Tag names a lockable object. DB is the database's name.
type Tag struct {
	Space Space
	DB    string
	Rel   uint32
	Key   string
}

// Wait says what a conflicting request does.
type Wait uint8

// Waits.
const (
	Block      Wait = iota // wait (lock_timeout, deadlock detection)
	NoWait                 // fail at once with ErrWouldBlock
	SkipLocked             // return acquired=false at once
)

// ErrWouldBlock is returned by a NoWait request that conflicts; the caller
// words the 55P03 error ("could not obtain lock on row in relation …").
var ErrWouldBlock = errors.New("lockmgr: lock not available")

// DefaultDeadlockTimeout is the wait before the first deadlock check when a
// request does not say (PostgreSQL's deadlock_timeout default).
const DefaultDeadlockTimeout = time.Second

// Request is one lock request.
type Request struct {
	Tag  Tag
	Mode Mode
	// Session: held until released or the owner ends, not just to the end of
	// the transaction (advisory locks).
	Session bool
	Wait    Wait
	// LockTimeout bounds a Block wait (0: none): 55P03 "canceling statement due
	// to lock timeout".
	LockTimeout time.Duration
	// DeadlockTimeout is the wait after which a deadlock check runs (0: 1 s).
	DeadlockTimeout time.Duration
}

// Owner holds locks: one per session. Its methods are not safe for
// concurrent use (a session runs one statement at a time).
type Owner struct {
	PID uint32

	// held lists o's holdings, one per tag, in no order. Only o's own
	// goroutine touches the slice; the holdings it points to are guarded by
	// their shard's mutex.
	held []*holding
	// Records kept for reuse, so that an uncontended lock and release pair
	// allocates nothing once warm. They are the owner's, not the shard's,
	// because the owner's goroutine takes them again: on a machine with many
	// cores a record shared by the shard would travel between their caches.
	spareLocks    []*lock
	spareHoldings []*holding
}

// numShards is the number of independently locked parts of the lock table.
const numShards = 64

// maxSpare bounds the records of each kind an owner keeps for reuse.
const maxSpare = 64

// Manager is the lock table. Safe for concurrent use.
type Manager struct {
	seed   maphash.Seed
	shards [numShards]shard

	// waitMu guards waiting, the requests that wait now. Lock order: a shard's
	// mutex (or all of them, in index order) before waitMu.
	waitMu  sync.Mutex
	waiting map[*waiter]struct{}

	// checkMu serializes deadlock checks run on the waiters' goroutines (no
	// detector attached).
	checkMu  sync.Mutex
	detector atomic.Pointer[detectorRef]

	// Counters for tests and metrics.
	checks      atomic.Uint64 // deadlock checks run
	actorChecks atomic.Uint64 // of which by the detector actor
}

// shard is one part of the lock table.
type shard struct {
	mu  sync.Mutex
	idx uint8 // the shard's index in Manager.shards
	// locks maps a tag's key (32 bits of its hash) to its lock; tags whose
	// keys collide are chained through lock.next. Keying by the hash computed
	// once for the shard keeps string hashing off the map operations.
	locks map[uint32]*lock
	_     [64]byte // keep neighbouring shards' mutexes off one cache line
}

// lock is one locked tag: who holds it in which modes, and who waits.
type lock struct {
	tag     Tag
	next    *lock // the next lock whose tag has the same key
	holders []*holding
	// granted[m.slot()] is the number of owners holding mode m (at any level);
	// mask has the bit of every mode with granted > 0.
	granted [8]uint32
	mask    modeMask
	shard   uint8      // the index of the lock's shard
	key     uint32     // the tag's key in its shard's map
	wait    *waitState // nil while nobody waits
}

// waitState is a lock's waiters and their wake-up channel.
type waitState struct {
	waiters []*waiter
	// wake is closed (and replaced on demand) when an owner stops holding a
	// mode of the lock.
	wake chan struct{}
}

// holding is what one owner holds on one lock.
type holding struct {
	owner *Owner
	lk    *lock
	mask  modeMask // the modes held at either level
	oidx  int32    // index in owner.held
	lidx  int32    // index in lk.holders
	// grants are counted per mode and level; first is the only one in the
	// common case, more the rest (first.n == 0 implies more is empty). more
	// is a pointer to keep the record at 48 bytes: an owner may hold 100k.
	first grant
	more  *[]grant
}

// grant is n holds of mode at one level.
type grant struct {
	mode    Mode
	session bool
	n       uint32
}

// New returns an empty lock manager.
func New() *Manager {
	m := &Manager{seed: maphash.MakeSeed(), waiting: make(map[*waiter]struct{})}
	for i := range m.shards {
		m.shards[i].locks = make(map[uint32]*lock)
		m.shards[i].idx = uint8(i)
	}
	return m
}

// NewOwner returns the owner of a session whose backend process id is pid.
func (m *Manager) NewOwner(pid uint32) *Owner { return &Owner{PID: pid} }

// hash returns tag t's shard and its key in the shard's map. The database
// name is left out: it rarely tells tags apart, and tags with equal keys are
// told apart by comparing them.
func (m *Manager) hash(t *Tag) (uint32, *shard) {
	h := uint64(t.Rel)<<8 | uint64(t.Space)
	if t.Key != "" {
		h ^= maphash.String(m.seed, t.Key)
	}
	h *= 0x9e3779b97f4a7c15
	return uint32(h ^ h>>32), &m.shards[h>>(64-6)]
}

// find returns the lock of tag, whose key is key, or nil. The caller holds sh.mu.
func (sh *shard) find(key uint32, tag *Tag) *lock {
	for lk := sh.locks[key]; lk != nil; lk = lk.next {
		if lk.tag == *tag {
			return lk
		}
	}
	return nil
}

// Acquire takes r.Mode on r.Tag for o, waiting as r.Wait says. It reports
// whether the lock was taken (false only for SkipLocked). A lock o already holds
// in a mode at least as strong is granted at once. Errors: ErrWouldBlock
// (NoWait), *pgerr.Error 55P03 (lock_timeout), 40P01 (deadlock victim), and
// the context's cause when ctx ends while waiting.
func (m *Manager) Acquire(ctx context.Context, o *Owner, r Request) (bool, error) {
	if !r.Mode.valid() {
		return false, fmt.Errorf("lockmgr: acquire %v: invalid lock mode %d", r.Tag, r.Mode)
	}
	key, sh := m.hash(&r.Tag)
	sh.mu.Lock()
	lk := sh.find(key, &r.Tag)
	if lk == nil {
		lk = sh.newLock(key, r.Tag, o)
	}
	h := lk.holdingOf(o)
	if !lk.conflicts(h, r.Mode) {
		sh.grant(lk, h, o, r.Mode, r.Session)
		sh.mu.Unlock()
		return true, nil
	}
	switch r.Wait {
	case NoWait:
		sh.dropIfUnused(lk, o)
		sh.mu.Unlock()
		return false, ErrWouldBlock
	case SkipLocked:
		sh.dropIfUnused(lk, o)
		sh.mu.Unlock()
		return false, nil
	}
	if err := ctx.Err(); err != nil {
		sh.dropIfUnused(lk, o)
		sh.mu.Unlock()
		return false, contextError(ctx)
	}
	w := &waiter{owner: o, sh: sh, lk: lk, mode: r.Mode, session: r.Session}
	if lk.wait == nil {
		lk.wait = &waitState{}
	}
	lk.wait.waiters = append(lk.wait.waiters, w)
	wake := lk.wait.wakeChan()
	m.waitMu.Lock()
	m.waiting[w] = struct{}{}
	m.waitMu.Unlock()
	sh.mu.Unlock()
	return m.wait(ctx, sh, w, r, wake)
}

// Release gives back one hold of mode on tag (session level or transaction
// level) and reports whether o held it.
func (m *Manager) Release(o *Owner, tag Tag, mode Mode, session bool) bool {
	key, sh := m.hash(&tag)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	lk := sh.find(key, &tag)
	if lk == nil {
		return false
	}
	h := lk.holdingOf(o)
	if h == nil {
		return false
	}
	g := h.find(mode, session)
	if g == nil {
		return false
	}
	g.n--
	if g.n == 0 {
		h.removeEmpty()
		sh.settle(lk, h)
	}
	return true
}

// ReleaseXact releases every transaction-level lock of o (its transaction ended).
func (m *Manager) ReleaseXact(o *Owner) {
	m.releaseWhere(o, func(g grant, _ Space) bool { return !g.session })
}

// ReleaseSession releases every session-level lock of o in space (advisory
// unlock all).
func (m *Manager) ReleaseSession(o *Owner, space Space) {
	m.releaseWhere(o, func(g grant, s Space) bool { return g.session && s == space })
}

// Close releases everything o holds (its session ended).
func (m *Manager) Close(o *Owner) {
	m.releaseWhere(o, func(grant, Space) bool { return true })
	o.held = nil
}

// releaseWhere drops every grant of o that drop selects.
func (m *Manager) releaseWhere(o *Owner, drop func(g grant, s Space) bool) {
	held := o.held
	for i := 0; i < len(held); {
		h := held[i]
		// While o holds h, lk stays in the table, so its fields set at
		// creation may be read before taking the shard's mutex.
		lk := h.lk
		sh := &m.shards[lk.shard]
		sh.mu.Lock()
		changed := false
		space := lk.tag.Space
		if h.first.n > 0 && drop(h.first, space) {
			h.first.n = 0
			changed = true
		}
		for j, g := range h.rest() {
			if drop(g, space) {
				(*h.more)[j].n = 0
				changed = true
			}
		}
		if !changed {
			sh.mu.Unlock()
			i++
			continue
		}
		h.removeEmpty()
		gone := h.first.n == 0
		sh.settle(lk, h) // swaps the last holding into held[i] when h is gone
		sh.mu.Unlock()
		held = o.held
		if !gone {
			i++
		}
	}
	if len(o.held) == 0 && cap(o.held) > 1024 {
		o.held = nil // do not keep a bulk update's list for the next transaction
	}
}

// BlockingPIDs returns the pids of the owners that hold locks the owner with
// backend pid waits for (pg_blocking_pids); nil when it does not wait.
func (m *Manager) BlockingPIDs(pid uint32) []uint32 {
	var waits []*waiter
	m.waitMu.Lock()
	for w := range m.waiting {
		if w.owner.PID == pid {
			waits = append(waits, w)
		}
	}
	m.waitMu.Unlock()
	var pids []uint32
	for _, w := range waits {
		// w.lk may be reused for another tag once w is done: read it only
		// under the shard's mutex, after checking.
		sh := w.sh
		sh.mu.Lock()
		if !w.done {
			for _, h := range w.lk.blockers(w.owner, w.mode) {
				pids = append(pids, h.owner.PID)
			}
		}
		sh.mu.Unlock()
	}
	if len(pids) == 0 {
		return nil
	}
	sort.Slice(pids, func(i, j int) bool { return pids[i] < pids[j] })
	out := pids[:1]
	for _, p := range pids[1:] {
		if p != out[len(out)-1] {
			out = append(out, p)
		}
	}
	return out
}

// newLock adds an empty lock for tag, whose key is key, to the table, reusing
// a spare record of o's when it has one. The caller holds sh.mu and runs on
// o's goroutine.
func (sh *shard) newLock(key uint32, tag Tag, o *Owner) *lock {
	var lk *lock
	if n := len(o.spareLocks); n > 0 {
		lk = o.spareLocks[n-1]
		o.spareLocks[n-1] = nil
		o.spareLocks = o.spareLocks[:n-1]
	} else {
		lk = &lock{}
	}
	lk.tag, lk.key, lk.shard = tag, key, sh.idx
	lk.next = sh.locks[key]
	sh.locks[key] = lk
	return lk
}

// dropIfUnused removes lk from the table when nobody holds or waits for it,
// keeping the record as a spare of o (nil: do not keep it). The caller holds
// sh.mu and runs on o's goroutine.
func (sh *shard) dropIfUnused(lk *lock, o *Owner) {
	if len(lk.holders) > 0 || (lk.wait != nil && len(lk.wait.waiters) > 0) {
		return
	}
	if head := sh.locks[lk.key]; head == lk {
		if lk.next == nil {
			delete(sh.locks, lk.key)
		} else {
			sh.locks[lk.key] = lk.next
		}
	} else {
		for prev := head; prev != nil; prev = prev.next {
			if prev.next == lk {
				prev.next = lk.next
				break
			}
		}
	}
	lk.next = nil
	if o != nil && len(o.spareLocks) < maxSpare && lk.wait == nil {
		lk.tag, lk.key = Tag{}, 0
		o.spareLocks = append(o.spareLocks, lk)
	}
}

// grant gives o one hold of mode at the level session on lk; h is o's holding
// on lk or nil. The caller holds sh.mu and has checked for conflicts.
func (sh *shard) grant(lk *lock, h *holding, o *Owner, mode Mode, session bool) {
	if h == nil {
		if n := len(o.spareHoldings); n > 0 {
			h = o.spareHoldings[n-1]
			o.spareHoldings[n-1] = nil
			o.spareHoldings = o.spareHoldings[:n-1]
		} else {
			h = &holding{}
		}
		h.owner, h.lk = o, lk
		h.lidx = int32(len(lk.holders))
		lk.holders = append(lk.holders, h)
		h.oidx = int32(len(o.held))
		o.held = append(o.held, h)
	}
	if g := h.find(mode, session); g != nil {
		g.n++
		return
	}
	g := grant{mode: mode, session: session, n: 1}
	if h.first.n == 0 {
		h.first = g
	} else {
		if h.more == nil {
			h.more = new([]grant)
		}
		*h.more = append(*h.more, g)
	}
	if h.mask&mode.bit() == 0 {
		h.mask |= mode.bit()
		lk.granted[mode.slot()]++
		lk.mask |= mode.bit()
	}
}

// settle brings lk up to date after some of h's grants dropped to zero: the
// modes h no longer holds leave the lock (waking its waiters), an empty h
// leaves the lock and its owner, an unused lock leaves the table. The caller
// holds sh.mu and has called h.removeEmpty.
func (sh *shard) settle(lk *lock, h *holding) {
	var mask modeMask
	if h.first.n > 0 {
		mask = h.first.mode.bit()
		for _, g := range h.rest() {
			mask |= g.mode.bit()
		}
	}
	lost := h.mask &^ mask
	if lost == 0 {
		return
	}
	h.mask = mask
	for m := AccessShare; m <= ForUpdate; m++ {
		if lost&m.bit() != 0 {
			s := m.slot()
			lk.granted[s]--
			if lk.granted[s] == 0 {
				lk.mask &^= m.bit()
			}
		}
	}
	if lk.wait != nil && lk.wait.wake != nil {
		close(lk.wait.wake)
		lk.wait.wake = nil
	}
	if mask != 0 {
		return
	}
	// h is empty: unlink it from the lock and from its owner.
	last := lk.holders[len(lk.holders)-1]
	lk.holders[h.lidx] = last
	last.lidx = h.lidx
	lk.holders[len(lk.holders)-1] = nil
	lk.holders = lk.holders[:len(lk.holders)-1]

	o := h.owner
	lastO := o.held[len(o.held)-1]
	o.held[h.oidx] = lastO
	lastO.oidx = h.oidx
	o.held[len(o.held)-1] = nil
	o.held = o.held[:len(o.held)-1]

	more := h.more
	if more != nil {
		*more = (*more)[:0]
	}
	*h = holding{more: more}
	if len(o.spareHoldings) < maxSpare {
		o.spareHoldings = append(o.spareHoldings, h)
	}
	sh.dropIfUnused(lk, o)
}

// holdingOf returns o's holding on lk, or nil.
func (lk *lock) holdingOf(o *Owner) *holding {
	for _, h := range lk.holders {
		if h.owner == o {
			return h
		}
	}
	return nil
}

// conflicts reports whether mode conflicts with a mode that an owner other
// than h's holds on lk (h may be nil: the requester holds nothing here).
func (lk *lock) conflicts(h *holding, mode Mode) bool {
	c := lk.mask & conflictMasks[mode]
	if c == 0 {
		return false
	}
	var own modeMask
	if h != nil {
		own = h.mask
	}
	for m := AccessShare; m <= ForUpdate; m++ {
		if c&m.bit() == 0 {
			continue
		}
		others := lk.granted[m.slot()]
		if own&m.bit() != 0 {
			others--
		}
		if others > 0 {
			return true
		}
	}
	return false
}

// blockers returns the holdings of owners other than o that hold a mode
// conflicting with mode.
func (lk *lock) blockers(o *Owner, mode Mode) []*holding {
	var out []*holding
	for _, h := range lk.holders {
		if h.owner != o && h.mask&conflictMasks[mode] != 0 {
			out = append(out, h)
		}
	}
	return out
}

// find returns h's grant of mode at the level session, or nil.
func (h *holding) find(mode Mode, session bool) *grant {
	if h.first.n > 0 && h.first.mode == mode && h.first.session == session {
		return &h.first
	}
	rest := h.rest()
	for i := range rest {
		if g := &rest[i]; g.mode == mode && g.session == session {
			return g
		}
	}
	return nil
}

// removeEmpty drops the grants whose count is zero, keeping first filled
// while any grant remains.
func (h *holding) removeEmpty() {
	if h.more == nil {
		return
	}
	more := (*h.more)[:0]
	for _, g := range *h.more {
		if g.n > 0 {
			more = append(more, g)
		}
	}
	if h.first.n == 0 && len(more) > 0 {
		h.first = more[len(more)-1]
		more = more[:len(more)-1]
	}
	*h.more = more
}

// rest returns h's grants after the first.
func (h *holding) rest() []grant {
	if h.more == nil {
		return nil
	}
	return *h.more
}

// wakeChan returns the channel closed at the next change of the lock's holds.
func (ws *waitState) wakeChan() <-chan struct{} {
	if ws.wake == nil {
		ws.wake = make(chan struct{})
	}
	return ws.wake
}

// waiter is one blocked request: a node of the wait-for graph with its edges
// to the owners that hold conflicting modes on lk.
type waiter struct {
	owner   *Owner
	sh      *shard // lk's shard
	lk      *lock
	mode    Mode
	session bool
	// done is set (under the shard's mutex) when the waiter left the lock;
	// err is the deadlock error when a check removed it.
	done bool
	err  error
}

// wait blocks until w is granted or gives up. w is registered on its lock and
// in m.waiting; wake is the lock's current wake-up channel.
func (m *Manager) wait(ctx context.Context, sh *shard, w *waiter, r Request, wake <-chan struct{}) (bool, error) {
	dt := r.DeadlockTimeout
	if dt <= 0 {
		dt = DefaultDeadlockTimeout
	}
	deadlockTimer := time.NewTimer(dt)
	defer deadlockTimer.Stop()
	var timeoutC <-chan time.Time
	if r.LockTimeout > 0 {
		t := time.NewTimer(r.LockTimeout)
		defer t.Stop()
		timeoutC = t.C
	}
	// checkC is the detector's answer to a pending check request.
	var checkC chan error
	for {
		select {
		case <-wake:
			sh.mu.Lock()
			if w.done {
				sh.mu.Unlock()
				return false, w.err
			}
			lk := w.lk
			h := lk.holdingOf(w.owner)
			if !lk.conflicts(h, w.mode) {
				m.leave(sh, w)
				sh.grant(lk, h, w.owner, w.mode, w.session)
				sh.mu.Unlock()
				return true, nil
			}
			wake = lk.wait.wakeChan()
			sh.mu.Unlock()
		case <-ctx.Done():
			return false, m.giveUp(sh, w, contextError(ctx))
		case <-timeoutC:
			return false, m.giveUp(sh, w, pgerr.New(pgerrcode.LockNotAvailable, "canceling statement due to lock timeout"))
		case <-deadlockTimer.C:
			// A check still pending after a whole DeadlockTimeout means the
			// detector is gone (stopped, or restarted and lost the request):
			// check here instead.
			if d := m.detector.Load(); d != nil && checkC == nil {
				checkC = make(chan error, 1)
				d.system.Root.Send(d.pid, &checkRequest{w: w, reply: checkC})
				deadlockTimer.Reset(dt)
				continue
			}
			checkC = nil
			m.checkMu.Lock()
			err := m.check(w)
			m.checkMu.Unlock()
			if err != nil {
				return false, err
			}
			deadlockTimer.Reset(dt)
		case err := <-checkC:
			checkC = nil
			if err != nil {
				return false, err
			}
			deadlockTimer.Reset(dt) // since Go 1.23 Reset drops an expiry not yet received
		}
	}
}

// leave unregisters w from its lock and from m.waiting. The caller holds the
// lock's shard mutex (or every shard's).
func (m *Manager) leave(sh *shard, w *waiter) {
	w.done = true
	ws := w.lk.wait
	for i, x := range ws.waiters {
		if x == w {
			last := len(ws.waiters) - 1
			ws.waiters[i] = ws.waiters[last]
			ws.waiters[last] = nil
			ws.waiters = ws.waiters[:last]
			break
		}
	}
	if len(ws.waiters) == 0 {
		w.lk.wait = nil
	}
	m.waitMu.Lock()
	delete(m.waiting, w)
	m.waitMu.Unlock()
}

// giveUp ends w's wait with err, unless a deadlock check ended it first (then
// the deadlock error wins: the check already took w out of the graph).
func (m *Manager) giveUp(sh *shard, w *waiter, err error) error {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if w.done {
		return w.err
	}
	m.leave(sh, w)
	sh.dropIfUnused(w.lk, w.owner)
	return err
}

// contextError is the error of a wait whose context ended: the cause when it is
// a client-visible *pgerr.Error (a cancel request, statement_timeout), else
// ctx.Err().
func contextError(ctx context.Context) error {
	cause := context.Cause(ctx)
	var pe *pgerr.Error
	if errors.As(cause, &pe) {
		return cause
	}
	return ctx.Err()
}

// detectorRef is where waiters send check requests.
type detectorRef struct {
	system *actor.ActorSystem
	pid    *actor.PID
}
