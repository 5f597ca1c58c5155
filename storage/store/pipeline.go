package store

import (
	"bytes"
	"errors"
	"math"
	"syscall"

	"github.com/dgraph-io/badger/v4"
	"github.com/jackc/pgerrcode"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/wal"
)

// Commit is one transaction on its way through the commit pipeline. The store
// builds it; a Committer hands it to Pipeline.Stage; Pipeline.Publish (or, for a
// spilled write set, which is read from its file until it is in Badger,
// Pipeline.Apply) reports the outcome to the transaction waiting in Txn.Commit.
type Commit struct {
	snapshot uint64
	muts     []Mutation // sorted by key, one per key
	spill    *spill     // the spilled part of a large write set, or nil
	sync     bool       // synchronous_commit = on
	noCheck  bool       // no write-write conflict check (READ COMMITTED)

	// Set by Stage.
	ts      uint64
	payload []byte

	err  error
	done chan struct{}
}

// Sync reports whether the commit must be durable before it is acknowledged.
func (c *Commit) Sync() bool { return c.sync }

func (c *Commit) finish(err error) {
	c.err = err
	close(c.done)
}

// Committer sequences commits through a Pipeline with group commit: it collects
// commits that arrive while a group is being flushed and stages them together as
// the next group. The WAL actor (package actors/wal) implements it; LoopCommitter is
// a plain-goroutine implementation. Submit must not block for long (it may apply
// backpressure); Close finishes every submitted commit, then stops.
type Committer interface {
	Submit(c *Commit)
	Close()
}

// ConflictChecker decides whether a commit may proceed. It is the commit-time safety
// net behind row locks; the transactions layer may install its own. latest returns
// the commit timestamp of the newest committed version of key (0 when there is
// none), counting commits ahead of this one in the pipeline, and deletions.
type ConflictChecker interface {
	Check(snapshot uint64, muts []Mutation, latest func(key []byte) (uint64, error)) error
}

// FirstCommitterWins is snapshot isolation's write-write rule: a transaction may not
// write a key that another transaction committed after its snapshot.
type FirstCommitterWins struct{}

// Check implements ConflictChecker.
func (FirstCommitterWins) Check(snapshot uint64, muts []Mutation, latest func([]byte) (uint64, error)) error {
	for _, m := range muts {
		ts, err := latest(m.Key)
		if err != nil {
			return err
		}
		if ts > snapshot {
			return pgerr.New(pgerrcode.SerializationFailure, "could not serialize access due to concurrent update")
		}
	}
	return nil
}

// Pipeline is the commit sequence of a store, driven by a Committer:
//
//	g := p.Stage(batch) // committer's goroutine: conflict check, timestamps
//	g.Flush()           // any goroutine: WAL append, one fsync, index shards
//	p.Publish(g)        // visible to new snapshots; commits acknowledged
//	p.Apply(g)          // any goroutine: write to Badger, advance the applied mark
//
// Stage, Publish and Apply must be called from one holder of the pipeline at a
// time, in this order, and a group must be applied before the next is staged;
// that order is what makes commit timestamps, the visible watermark and the
// applied one advance together.
//
// A commit is acknowledged, and its group visible, before it is in Badger: once
// its WAL record is durable (or written, for synchronous_commit = off) it is
// committed, and the index shards hold its keys. A reader whose snapshot
// includes a group not yet applied waits for the apply only when it reads Badger
// for a key the group may have written (Store.waitApplied). Committers apply
// off the committing goroutine, so a session's next statements and other
// sessions' lock waits overlap the Badger apply instead of following it.
type Pipeline struct {
	s      *Store
	nextTs uint64
}

// Group is a set of commits flushed with one WAL write and one fsync.
type Group struct {
	p       *Pipeline
	commits []*Commit // commits still going (those failing Stage are already finished)
	maxTs   uint64
	end     wal.LSN
	ok      bool // flushed: durable (or written) and in the index shards
}

// Len is the number of commits in the group still in flight.
func (g *Group) Len() int { return len(g.commits) }

// Stage checks and sequences a batch of commits. Commits that fail here (conflicts,
// a store that no longer accepts writes) are finished at once.
func (p *Pipeline) Stage(batch []*Commit) *Group {
	g := &Group{p: p}
	s := p.s
	// Commits staged earlier in this batch are not in Badger yet; every earlier
	// group is (groups are finished before the next is staged).
	inflight := map[string]uint64{}
	type stagedSpill struct {
		sp *spill
		ts uint64
	}
	var spills []stagedSpill
	var rtxn *badger.Txn
	defer func() {
		if rtxn != nil {
			rtxn.Discard()
		}
	}()
	latest := func(key []byte) (uint64, error) {
		if ts, ok := inflight[string(key)]; ok {
			return ts, nil
		}
		for i := len(spills) - 1; i >= 0; i-- {
			if spills[i].sp.contains(key) {
				return spills[i].ts, nil
			}
		}
		if rtxn == nil {
			rtxn = s.db.NewTransactionAt(math.MaxUint64, false)
		}
		return latestVersion(rtxn, key)
	}
	_, fcw := s.opts.Conflicts.(FirstCommitterWins)
	for _, c := range batch {
		if err := s.writable(); err != nil {
			c.finish(err)
			continue
		}
		// Every commit staged so far has a timestamp below nextTs. When none is
		// newer than the snapshot, no key can have a version the transaction did
		// not see, and first-committer-wins has nothing to find: skip the lookups
		// (a Badger iterator per key), which a lone committer would otherwise pay
		// on every commit. Other checkers may look at more than versions, so they
		// always run.
		quiet := c.noCheck || fcw && c.snapshot+1 >= p.nextTs
		if quiet {
			// Nothing to check.
		} else if err := s.opts.Conflicts.Check(c.snapshot, c.muts, latest); err != nil {
			c.finish(err)
			continue
		}
		if c.spill != nil && !quiet {
			if err := c.spill.check(c.snapshot, s.opts.Conflicts, latest); err != nil {
				c.finish(err)
				continue
			}
		}
		c.ts = p.nextTs
		p.nextTs++
		for _, m := range c.muts {
			inflight[string(m.Key)] = c.ts
		}
		if c.spill != nil {
			spills = append(spills, stagedSpill{c.spill, c.ts})
		}
		g.commits = append(g.commits, c)
		g.maxTs = c.ts
	}
	return g
}

// latestVersion returns the version of the newest entry for key, a deletion included.
func latestVersion(txn *badger.Txn, key []byte) (uint64, error) {
	opts := badger.DefaultIteratorOptions
	opts.PrefetchValues = false
	opts.AllVersions = true
	opts.Prefix = key
	it := txn.NewIterator(opts)
	defer it.Close()
	it.Seek(key)
	if it.Valid() && bytes.Equal(it.Item().Key(), key) {
		return it.Item().Version(), nil
	}
	return 0, nil
}

// Flush appends the group to the WAL, starts the index shards' apply, fsyncs
// once if any commit asks for it, and waits for the shards. It may run on any
// goroutine.
func (g *Group) Flush() {
	if len(g.commits) == 0 {
		return
	}
	s := g.p.s
	fail := func(err error) {
		for _, c := range g.commits {
			c.err = err
		}
	}
	// Chains of spilled commits go first, each part its own write, so the memory
	// they need is one part, not the whole write set.
	for _, c := range g.commits {
		if c.spill == nil {
			continue
		}
		if err := c.spill.writeChain(s.wal); err != nil {
			fail(walWriteError(err))
			return
		}
	}
	entries := make([]wal.Entry, len(g.commits))
	for i, c := range g.commits {
		var chain uint64
		if c.spill != nil {
			chain = c.spill.id
		}
		c.payload = appendCommitHeader(c.payload[:0], c.ts, chain, c.spill.parts())
		for _, m := range c.muts {
			c.payload = appendMutation(c.payload, m)
		}
		entries[i] = wal.Entry{Type: recCommit, Payload: c.payload}
	}
	end, err := s.wal.Write(entries)
	if err != nil {
		fail(walWriteError(err))
		return
	}
	waitIndex, err := s.startIndexApply(g.commits)
	if err != nil {
		waitIndex()
		perr := pgerr.Wrap(err, pgerrcode.IOError, "could not apply a committed transaction; writes are stopped and the commit will be completed at restart")
		s.setReadOnly(perr)
		fail(perr)
		return
	}
	sync := false
	for _, c := range g.commits {
		sync = sync || c.sync
	}
	if sync {
		if _, err := s.wal.Sync(); err != nil {
			waitIndex()
			perr := pgerr.Wrap(err, pgerrcode.IOError, "could not fsync the write-ahead log: the server is read-only until restart")
			s.setReadOnly(perr)
			fail(perr)
			return
		}
	} else {
		s.noteUnsynced()
	}
	// Durable (or, for synchronous_commit = off, written): the commits are
	// committed. Visible they may be once the index shards hold them, since
	// readers ask the shards whether a key changed after the applied mark.
	waitIndex()
	g.end = end
	g.ok = true
}

func walWriteError(err error) error {
	if errors.Is(err, syscall.ENOSPC) {
		return pgerr.Wrap(err, pgerrcode.DiskFull, "could not write to the write-ahead log: no space left on device")
	}
	if errors.Is(err, wal.ErrSyncFailed) {
		return pgerr.Wrap(err, pgerrcode.IOError, "the write-ahead log is read-only after an fsync failure")
	}
	return pgerr.Wrap(err, pgerrcode.IOError, "could not write to the write-ahead log")
}

// Publish makes a flushed group visible to new snapshots and acknowledges its
// commits (with their errors, for a group that failed).
func (p *Pipeline) Publish(g *Group) {
	if g.ok {
		p.s.visible.Store(g.maxTs)
	}
	for _, c := range g.commits {
		if g.ok && c.spill != nil {
			continue // its file is read by Apply; Txn.Commit removes it
		}
		c.finish(c.err)
	}
}

// Apply writes a published group to Badger and advances the applied mark,
// which wakes readers waiting for it. A failed apply turns the store read-only
// (the commits stay committed: the next start replays them from the WAL) and
// takes the visible watermark back to the last applied group, so that new
// snapshots read what Badger holds; readers of a snapshot past it get the
// error. The group's commits must not be used after Apply.
func (p *Pipeline) Apply(g *Group) {
	if !g.ok {
		return
	}
	s := p.s
	defer func() {
		for _, c := range g.commits {
			if c.spill != nil {
				c.finish(nil) // committed, applied or not
			}
		}
	}()
	if err := s.apply(g.commits); err != nil {
		perr := pgerr.Wrap(err, pgerrcode.IOError, "could not apply a committed transaction; writes are stopped and the commit will be completed at restart")
		s.failApply(perr)
		return
	}
	s.advance(g.maxTs, g.end)
}

// LoopCommitter is a Committer that runs the pipeline on one goroutine of its own.
type LoopCommitter struct {
	p    *Pipeline
	ch   chan *Commit
	done chan struct{}
}

// NewLoopCommitter starts a committer goroutine for p.
func NewLoopCommitter(p *Pipeline) *LoopCommitter {
	lc := &LoopCommitter{p: p, ch: make(chan *Commit, 4096), done: make(chan struct{})}
	go lc.run()
	return lc
}

// Submit queues a commit (blocking when 4096 are already queued).
func (lc *LoopCommitter) Submit(c *Commit) { lc.ch <- c }

// Close drains the queue and stops the goroutine.
func (lc *LoopCommitter) Close() {
	close(lc.ch)
	<-lc.done
}

func (lc *LoopCommitter) run() {
	defer close(lc.done)
	var batch []*Commit
	for c := range lc.ch {
		batch = append(batch[:0], c)
	drain:
		for len(batch) < 1024 {
			select {
			case c, ok := <-lc.ch:
				if !ok {
					break drain
				}
				batch = append(batch, c)
			default:
				break drain
			}
		}
		g := lc.p.Stage(batch)
		g.Flush()
		lc.p.Publish(g)
		lc.p.Apply(g)
	}
}
