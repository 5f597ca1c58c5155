// Package store is Augur's transactional key-value store: MVCC on Badger in managed
// mode, made durable by the write-ahead log (package wal).
//
// Every committed version is written to Badger at its commit timestamp, and readers
// read at a snapshot timestamp, so a reader never blocks a writer and never sees half
// a commit. Badger itself runs without fsync; durability comes from the WAL: a commit
// is appended to the log and the log fsynced (once per group of commits) before the
// commit is applied to Badger, and after a crash Open replays the log from the last
// checkpoint. Two watermarks follow the groups: the visible one — the snapshot new
// readers get — moves when a group is durable (for synchronous_commit = off,
// written) and in the index shards, which is when its commits are acknowledged; the
// applied one when the group is in Badger. A reader whose snapshot is past the
// applied mark waits for it before it reads Badger, unless the index shards say the
// key has no version past it, so nobody ever reads half a group, and a commit's
// Badger apply is off its critical path: its session's next statements, and the
// sessions waiting for its row locks, overlap it.
//
// Each row is one Badger entry at its commit timestamp. DESIGN.md's measurements say
// packing many rows into one Badger value (pages of a shard's key range) bulk-loads
// ~5x faster; that packing belongs to the index shards, which see every applied
// group through Options.OnApply and can keep pages of their own, so this layer stays
// one entry per key and the choice can be made by benchmark there.
//
// Commits are sequenced by a Committer (the WAL actor in a server; LoopCommitter
// when embedded), which drives the Pipeline: conflict check, commit timestamp, WAL
// append, one fsync per group, apply, watermark, acknowledgement.
//
// Errors a client may see are *pgerr.Error: 53100 when the WAL's disk is full (the
// failing commits only; writes resume when space returns), 58030 after an fsync or
// apply failure (the store turns read-only until restart; reads keep working), 40001
// for write-write conflicts.
package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
	"github.com/jackc/pgerrcode"
	"github.com/rs/zerolog"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/wal"
)

// Options are the store's settings. The zero value of each field means its default.
type Options struct {
	// SegmentSize is the WAL segment size (wal_segment_size, default 64 MiB).
	SegmentSize int64
	// AsyncCommit acknowledges commits after the WAL write, before fsync
	// (synchronous_commit = off as the server default; default false = on).
	// A transaction can also choose per commit (TxnOptions.SynchronousCommit).
	AsyncCommit bool
	// WriterDelay is how often the WAL is fsynced when commits are asynchronous
	// (wal_writer_delay, default 10ms).
	WriterDelay time.Duration
	// CheckpointTimeout is the time between checkpoints (checkpoint_timeout,
	// default 5 min). Negative disables timed checkpoints (shutdown still checkpoints).
	CheckpointTimeout time.Duration
	// ArchiveDir receives WAL segments a checkpoint no longer needs, instead of their
	// being deleted (wal_archive).
	ArchiveDir string
	// RecoveryMode is wal.RecoveryStrict (default) or wal.RecoveryTruncate (wal_recovery).
	RecoveryMode wal.RecoveryMode
	// TxnBufferMax is the write-set size above which a transaction spills its writes
	// to a temporary file (txn_buffer_max, default 32 MiB): memory, as bufferedSize
	// counts it, not just the bytes of the keys and values.
	TxnBufferMax int64
	// FS is the file system of the WAL (default wal.OSFS; tests inject faults).
	FS wal.FS
	// Conflicts is the commit-time conflict check (default FirstCommitterWins).
	Conflicts ConflictChecker
	// NewCommitter starts the committer (default NewLoopCommitter). The server
	// passes the WAL actor's constructor here.
	NewCommitter func(*Pipeline) (Committer, error)
	// OnApply, when set, is called with each group's mutations once they are
	// written to the WAL, before the fsync and before they are applied to Badger
	// (index shards keep up through it). They become visible only after both. A
	// commit's write set may arrive in several calls with the same timestamp (a
	// spilled write set is reported in chunks); the slices are not reused after the
	// call returns.
	OnApply func(ts uint64, muts []Mutation)
	// OnApplyStart, when set, is called after the OnApply calls of each group, before
	// the fsync (OnApply may defer its work to it and start it here); the store calls
	// the returned wait after the group is applied to Badger, and makes the group
	// visible only after wait returns.
	OnApplyStart func() (wait func())
	// BadgerMemTableSize is the size of Badger's memtables (default 16 MiB). Each
	// one is an arena allocated whole, and the garbage collector counts all of it
	// as live heap, so its size also sets how much garbage the heap may carry.
	BadgerMemTableSize int64
	// BadgerMemTables is how many memtables Badger keeps, the one being written and
	// those waiting to be flushed to level 0 (default 3); writes wait when all are full.
	BadgerMemTables int
	// CheckpointWALSize is how much WAL (bytes) makes a checkpoint before
	// CheckpointTimeout has passed (checkpoint_wal_size, default 256 MiB), as
	// PostgreSQL's max_wal_size does: it bounds what a restart replays after a
	// crash that loses Badger's unsynced writes, and the WAL kept on disk.
	// Negative disables it.
	CheckpointWALSize int64
	// BootID names the running boot of the operating system (default: Linux's
	// /proc/sys/kernel/random/boot_id; empty where there is none). Recovery trusts
	// Badger's own unsynced files only when they were written in the same boot (see
	// writeReplayMark); tests set it to pretend a reboot.
	BootID string
}

// Defaults.
const (
	DefaultWriterDelay       = 10 * time.Millisecond
	DefaultCheckpointTimeout = 5 * time.Minute
	DefaultTxnBufferMax      = 32 << 20
	DefaultCheckpointWALSize = 256 << 20
	// Badger's defaults are 64 MiB and 5: up to 5 × 83 MiB of arenas during a
	// large commit, which the garbage collector counts as live heap and lets
	// the heap grow by as much again.
	DefaultBadgerMemTableSize = 16 << 20
	DefaultBadgerMemTables    = 3
)

func (o *Options) fill() {
	if o.SegmentSize <= 0 {
		o.SegmentSize = wal.DefaultSegmentSize
	}
	if o.WriterDelay <= 0 {
		o.WriterDelay = DefaultWriterDelay
	}
	if o.CheckpointTimeout == 0 {
		o.CheckpointTimeout = DefaultCheckpointTimeout
	}
	if o.CheckpointWALSize == 0 {
		o.CheckpointWALSize = DefaultCheckpointWALSize
	}
	if o.RecoveryMode == "" {
		o.RecoveryMode = wal.RecoveryStrict
	}
	if o.TxnBufferMax <= 0 {
		o.TxnBufferMax = DefaultTxnBufferMax
	}
	if o.BadgerMemTableSize <= 0 {
		o.BadgerMemTableSize = DefaultBadgerMemTableSize
	}
	if o.BadgerMemTables <= 0 {
		o.BadgerMemTables = DefaultBadgerMemTables
	}
	if o.FS == nil {
		o.FS = wal.OSFS{}
	}
	if o.Conflicts == nil {
		o.Conflicts = FirstCommitterWins{}
	}
	if o.BootID == "" {
		o.BootID = readBootID()
	}
	if o.NewCommitter == nil {
		o.NewCommitter = func(p *Pipeline) (Committer, error) { return NewLoopCommitter(p), nil }
	}
}

// metaKey holds the checkpoint: the redo LSN (replay starts there) and the last
// commit timestamp applied. Keys below keycodec.TablePrefixByte are the store's.
var metaKey = []byte("\x00augur/checkpoint")

// replayMarkKey holds the replay mark: how far the WAL was applied to Badger, and in
// which boot (see writeReplayMark).
var replayMarkKey = []byte("\x00augur/replay-mark")

// replayMarkInterval is how often the replay mark is written while commits are
// applied: after a kill -9, recovery re-applies at most about this much work.
const replayMarkInterval = 100 * time.Millisecond

// bootIDFile is where Linux names the running boot.
const bootIDFile = "/proc/sys/kernel/random/boot_id"

// readBootID returns the running boot's id, or "" where there is none.
func readBootID() string {
	b, err := os.ReadFile(bootIDFile)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// Index is an in-memory index of the committed keys and, memory permitting,
// their latest values (the learned-index shards), which can answer a point read
// without Badger. It must never answer IndexAbsent for a key that exists at the
// snapshot, nor IndexFound with any value but the key's value at the snapshot.
type Index interface {
	// Lookup returns key's value at snapshot (IndexFound; the slice must not
	// be modified), IndexAbsent when no version of key is visible at snapshot,
	// or IndexUnknown when the index cannot tell (the store reads Badger).
	Lookup(key []byte, snapshot uint64) (value []byte, answer IndexAnswer)
	// ChangedSince reports whether key has a committed version newer than
	// snapshot; known is false when the index cannot tell (the store reads
	// Badger then).
	ChangedSince(key []byte, snapshot uint64) (changed, known bool)
	// Rows returns a cursor over the keys in [start, end) that may exist at
	// snapshot, in order, or nil when the index cannot answer for the whole
	// range at the snapshot (the store scans Badger). The cursor must yield
	// every key that exists at the snapshot, and may yield keys that do not
	// (changed since) only with known false.
	Rows(start, end []byte, snapshot uint64) IndexCursor
}

// IndexCursor walks the keys of a range in the index (Index.Rows).
type IndexCursor interface {
	// Next moves to the next key (the first, on the first call) and reports
	// whether there is one.
	Next() bool
	// Key returns the current key, valid until Next.
	Key() []byte
	// Value returns the current key's value at the cursor's snapshot (it must
	// not be modified) with known true; known false when the index cannot
	// tell (the key changed after the snapshot, or its value is not cached):
	// the store reads the key at the snapshot, where it may not exist.
	Value() (value []byte, known bool)
}

// IndexAnswer is what an Index knows of a key at a snapshot.
type IndexAnswer uint8

const (
	// IndexUnknown: the index cannot answer; read Badger.
	IndexUnknown IndexAnswer = iota
	// IndexAbsent: no version of the key is visible at the snapshot.
	IndexAbsent
	// IndexFound: the value returned is the key's value at the snapshot.
	IndexFound
)

// SetIndex makes point reads consult ix before Badger.
func (s *Store) SetIndex(ix Index) { s.index.Store(&ix) }

// Store is an open store. It is safe for concurrent use.
type Store struct {
	index atomic.Pointer[Index]

	dir  string
	opts Options
	log  zerolog.Logger

	db        *badger.DB
	wal       *wal.Log
	pipe      *Pipeline
	committer Committer

	visible  atomic.Uint64               // newest published commit timestamp (new snapshots)
	applied  atomic.Uint64               // newest commit timestamp fully applied to Badger
	writeErr atomic.Pointer[pgerr.Error] // set when the store turned read-only
	unsynced atomic.Bool                 // async commits written but not fsynced
	closed   atomic.Bool

	// applyFault, when set (by tests), runs before each group is applied to
	// Badger; an error it returns is an apply failure.
	applyFault atomic.Pointer[func() error]

	appliedMu  sync.Mutex
	appliedLSN wal.LSN // the WAL before this is applied to Badger
	appliedTs  uint64
	applyErr   *pgerr.Error  // a failed apply: readers past appliedTs get it
	appliedCh  chan struct{} // closed when applied advances (or fails); nil: no waiter
	markedTs   uint64        // the timestamp of the last replay mark written (background only)

	checkpointLSN atomic.Uint64 // the redo LSN of the last checkpoint

	snapMu sync.Mutex
	snaps  map[uint64]int // open snapshots → count

	ckptMu   sync.Mutex
	commitMu sync.RWMutex // commits hold it shared while in the pipeline; Close exclusively
	stop     chan struct{}
	bg       sync.WaitGroup
	chains   atomic.Uint64 // chain id source
}

// RecoveryStats describes what Open did before the store accepted work: the
// parts of a restart's time that are the store's (the index shards' rebuild
// comes after).
type RecoveryStats struct {
	// BadgerOpen is Badger's own open: its manifest, the tables' indexes and the
	// replay of its memtable logs.
	BadgerOpen time.Duration
	Records    int
	Bytes      int64
	// Duration is the whole WAL replay: reading and checking the log, and applying
	// it to Badger (not the checkpoint that follows).
	Duration time.Duration
	// AlreadyApplied and AlreadyAppliedBytes are the commit records of the replay
	// that Badger held already (see writeReplayMark), which were read but not applied.
	AlreadyApplied      int
	AlreadyAppliedBytes int64
	// Checkpoint is the checkpoint taken after a replay of at least one record.
	Checkpoint time.Duration
	From       wal.LSN
	End        wal.LSN
}

// Open opens (creating if needed) the store under dir: Badger in dir/badger and the
// WAL in dir/wal. It replays the WAL after the last checkpoint before returning.
func Open(ctx context.Context, dir string, opts Options, logger zerolog.Logger) (*Store, error) {
	s, _, err := OpenWithStats(ctx, dir, opts, logger)
	return s, err
}

// OpenWithStats is Open that also returns what recovery replayed.
func OpenWithStats(ctx context.Context, dir string, opts Options, logger zerolog.Logger) (*Store, RecoveryStats, error) {
	opts.fill()
	s := &Store{dir: dir, opts: opts, log: logger, snaps: map[uint64]int{}, stop: make(chan struct{})}
	var rs RecoveryStats
	bdir := filepath.Join(dir, "badger")
	if err := os.MkdirAll(bdir, 0o700); err != nil {
		return nil, rs, fmt.Errorf("store: create %s: %w", bdir, err)
	}
	bopts := badger.DefaultOptions(bdir).
		WithLogger(badgerLogger{logger}).
		WithSyncWrites(false).
		// Conflicts are the pipeline's business. Badger's own detection also breaks
		// managed write batches once SetDiscardTs has been called (it asserts that
		// their zero commit timestamp is not below the discard horizon).
		WithDetectConflicts(false).
		WithNumVersionsToKeep(math.MaxInt32).
		WithCompactL0OnClose(false).
		// Rows are mostly incompressible values behind keys that Badger already
		// stores as differences from their block's base key; Snappy on every table
		// block cost ~40% of a full scan (the shards' rebuild at start) and a share
		// of every compaction and flush, for little space.
		WithCompression(options.None).
		WithMemTableSize(opts.BadgerMemTableSize).
		WithNumMemtables(opts.BadgerMemTables)
	began := time.Now()
	db, err := badger.OpenManaged(bopts)
	if err != nil {
		return nil, rs, fmt.Errorf("store: open badger in %s: %w", bdir, err)
	}
	badgerOpen := time.Since(began)
	lsmSize, vlogSize := db.Size()
	logger.Info().Float64("duration_ms", millis(badgerOpen)).Int("tables", len(db.Tables())).
		Int64("lsm_bytes", lsmSize).Int64("vlog_bytes", vlogSize).Msg("badger open")
	s.db = db
	s.chains.Store(uint64(time.Now().UnixNano()))
	rs, err = s.recover(ctx)
	rs.BadgerOpen = badgerOpen
	if err != nil {
		s.db.Close()
		if s.wal != nil {
			s.wal.Close()
		}
		return nil, rs, err
	}
	c, err := opts.NewCommitter(s.pipe)
	if err != nil {
		s.wal.Close()
		s.db.Close()
		return nil, rs, fmt.Errorf("store: start committer: %w", err)
	}
	s.committer = c
	s.bg.Add(1)
	go s.background()
	return s, rs, nil
}

func (s *Store) readMeta() (redo wal.LSN, ts uint64, err error) {
	txn := s.db.NewTransactionAt(math.MaxUint64, false)
	defer txn.Discard()
	item, err := txn.Get(metaKey)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("store: read checkpoint: %w", err)
	}
	v, err := item.ValueCopy(nil)
	if err != nil || len(v) != 16 {
		return 0, 0, fmt.Errorf("store: read checkpoint: bad value (%d bytes): %v", len(v), err)
	}
	return wal.LSN(binary.BigEndian.Uint64(v)), binary.BigEndian.Uint64(v[8:]), nil
}

type closedChain struct {
	ts    uint64
	parts []wal.LSN
}

// recover replays the WAL from the checkpoint into Badger.
func (s *Store) recover(ctx context.Context) (RecoveryStats, error) {
	var rs RecoveryStats
	redo, lastTs, err := s.readMeta()
	if err != nil {
		return rs, err
	}
	l, err := wal.Open(filepath.Join(s.dir, "wal"), wal.Options{
		SegmentSize: s.opts.SegmentSize, RecoveryMode: s.opts.RecoveryMode,
		ArchiveDir: s.opts.ArchiveDir, FS: s.opts.FS,
	}, s.log)
	if err != nil {
		return rs, err
	}
	s.wal = l
	maxTs := max(lastTs, s.db.MaxVersion())
	// Records that end at or before inBadger are in Badger already (see writeReplayMark):
	// they are read (for the log's checks, the timestamps and the chains) but not
	// applied again.
	inBadger, err := s.readReplayMark()
	if err != nil {
		return rs, err
	}
	inBadger = max(inBadger, redo)
	var skipped int
	var skippedBytes int64
	began := time.Now()
	ld := newLoader(s.db)
	defer ld.cancel()
	openChains := map[uint64][]wal.LSN{}
	var closed []closedChain
	st, err := l.Replay(redo, func(r wal.Record) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		switch r.Type {
		case recChain:
			id, _, _, err := decodeChainHeader(r.Payload)
			if err != nil {
				return err
			}
			openChains[id] = append(openChains[id], r.LSN)
		case recCommit:
			ts, chain, parts, rest, err := decodeCommitHeader(r.Payload)
			if err != nil {
				return err
			}
			maxTs = max(maxTs, ts)
			applied := r.End() <= inBadger
			if applied {
				skipped++
				skippedBytes += int64(wal.HeaderSize + len(r.Payload))
			}
			if chain != 0 {
				lsns := openChains[chain]
				delete(openChains, chain)
				if len(lsns) != parts {
					return fmt.Errorf("commit %d closes chain %x of %d parts, found %d", ts, chain, parts, len(lsns))
				}
				if !applied {
					closed = append(closed, closedChain{ts: ts, parts: lsns})
				}
			}
			if applied {
				return nil
			}
			return decodeMutations(rest, func(m Mutation) error { return ld.set(m, ts) })
		default:
			return fmt.Errorf("unknown record type %d", r.Type)
		}
		return nil
	})
	if err != nil {
		return rs, fmt.Errorf("store: recovery: %w", err)
	}
	// Chains are applied after the scan: their parts are re-read from the log, so
	// recovery memory stays bounded by one part. Versions make order irrelevant.
	for _, c := range closed {
		for _, lsn := range c.parts {
			r, err := l.ReadRecord(lsn)
			if err != nil {
				return rs, fmt.Errorf("store: recovery: chain part: %w", err)
			}
			_, _, rest, err := decodeChainHeader(r.Payload)
			if err != nil {
				return rs, fmt.Errorf("store: recovery: chain part %s: %w", lsn, err)
			}
			if err := decodeMutations(rest, func(m Mutation) error { return ld.set(m, c.ts) }); err != nil {
				return rs, fmt.Errorf("store: recovery: chain part %s: %w", lsn, err)
			}
		}
	}
	if err := ld.finish(); err != nil {
		return rs, fmt.Errorf("store: recovery: apply to badger: %w", err)
	}
	rs = RecoveryStats{Records: st.Records, Bytes: st.Bytes, Duration: time.Since(began), From: redo, End: st.End,
		AlreadyApplied: skipped, AlreadyAppliedBytes: skippedBytes}
	s.log.Info().Int("records", st.Records).Int64("bytes", st.Bytes).
		Float64("duration_ms", millis(rs.Duration)).Float64("read_decode_ms", millis(st.Duration)).
		Str("from_lsn", redo.String()).Str("end_lsn", st.End.String()).
		Int("already_in_badger_records", skipped).Int64("already_in_badger_bytes", skippedBytes).
		Int("unclosed_chains", len(openChains)).Bool("truncated_tail", st.Truncated).
		Msg("wal replay")
	s.pipe = &Pipeline{s: s, nextTs: maxTs + 1}
	s.visible.Store(maxTs)
	s.applied.Store(maxTs)
	s.appliedLSN, s.appliedTs = st.End, maxTs
	s.checkpointLSN.Store(uint64(redo))
	// The mark in Badger (if any) is at or below maxTs and stays true; the next
	// one comes with the next commit.
	s.markedTs = maxTs
	if st.Records > 0 {
		ckpt := time.Now()
		if err := s.Checkpoint(ctx); err != nil {
			return rs, err
		}
		rs.Checkpoint = time.Since(ckpt)
	}
	return rs, nil
}

// readReplayMark returns the WAL position before which every record is in Badger, as
// the replay mark says, or 0 when the mark cannot be trusted: none, or written in
// another boot.
func (s *Store) readReplayMark() (wal.LSN, error) {
	txn := s.db.NewTransactionAt(math.MaxUint64, false)
	defer txn.Discard()
	item, err := txn.Get(replayMarkKey)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: read replay mark: %w", err)
	}
	v, err := item.ValueCopy(nil)
	if err != nil || len(v) < 8 {
		return 0, fmt.Errorf("store: read replay mark: bad value (%d bytes): %v", len(v), err)
	}
	if boot := string(v[8:]); boot == "" || boot != s.opts.BootID {
		return 0, nil
	}
	return wal.LSN(binary.BigEndian.Uint64(v)), nil
}

// writeReplayMark writes the replay mark: the WAL position up to which every group is
// applied to Badger, and the boot it is written in.
//
// Badger runs without fsync, so what it holds after a crash is not known in
// general, and recovery replays the WAL from the last checkpoint. After a process
// crash (kill -9) without a crash of the operating system, though, nothing Badger
// wrote is lost: its files, mmap'd memtable logs included, are in the page cache,
// and Badger's open restores a prefix of its writes in the order it made them. The
// mark is written only after the groups it covers were applied, so when it is there
// they are there. In another boot (a power loss, an OS crash) the page cache may
// have lost any part of Badger's unsynced files, holes included, and the mark says
// nothing; recovery then replays everything after the checkpoint, as before.
func (s *Store) writeReplayMark() error {
	s.appliedMu.Lock()
	lsn, ts := s.appliedLSN, s.appliedTs
	s.appliedMu.Unlock()
	if ts <= s.markedTs || s.opts.BootID == "" {
		return nil
	}
	v := binary.BigEndian.AppendUint64(nil, uint64(lsn))
	v = append(v, s.opts.BootID...)
	txn := s.db.NewTransactionAt(ts, true)
	defer txn.Discard()
	// Only the newest mark matters: compactions may drop the older versions.
	if err := txn.SetEntry(badger.NewEntry(replayMarkKey, v).WithDiscard()); err != nil {
		return fmt.Errorf("store: write replay mark: %w", err)
	}
	if err := txn.CommitAt(ts, nil); err != nil {
		return fmt.Errorf("store: write replay mark: %w", err)
	}
	s.markedTs = ts
	return nil
}

func setAt(wb *badger.WriteBatch, m Mutation, ts uint64) error {
	if m.Delete {
		return wb.DeleteAt(m.Key, ts)
	}
	return wb.SetEntryAt(badger.NewEntry(m.Key, m.Value), ts)
}

// apply writes the commits of a durable group to Badger (no sync) and tells OnApply.
//
// A group of one ordinary commit — every group of a lone committer — is written as
// one Badger transaction committed at its timestamp: Txn.CommitAt waits for Badger's
// writer directly, where a WriteBatch commits through a callback goroutine and a
// throttle, one more goroutine hand-off on the commit's critical path. Larger groups
// go through a WriteBatch, which gives each entry its own version and splits what
// does not fit one Badger transaction; a spilled write set is written from its
// file by applySpilled, one Badger transaction at a time.
func (s *Store) apply(commits []*Commit) error {
	if f := s.applyFault.Load(); f != nil {
		if err := (*f)(); err != nil {
			return fmt.Errorf("store: apply group to badger: %w", err)
		}
	}
	applied := false
	if len(commits) == 1 && commits[0].spill == nil {
		var err error
		if applied, err = s.applyOne(commits[0]); err != nil {
			return fmt.Errorf("store: apply commit %d to badger: %w", commits[0].ts, err)
		}
	}
	if applied {
		return nil
	}
	// Spilled write sets are written on their own, one Badger transaction after
	// the other: a WriteBatch keeps up to 16 transactions in flight, which for a
	// write set of a million rows is ~400,000 entries (~100 MiB) held at once.
	var batched []*Commit
	for _, c := range commits {
		if c.spill == nil {
			batched = append(batched, c)
			continue
		}
		if err := s.applySpilled(c); err != nil {
			return fmt.Errorf("store: apply commit %d to badger: %w", c.ts, err)
		}
	}
	if len(batched) > 0 {
		if err := s.applyBatch(batched); err != nil {
			return fmt.Errorf("store: apply group to badger: %w", err)
		}
	}
	return nil
}

// applySpilled writes a spilled commit's write set (the buffered mutations and
// the spill file's) as a sequence of Badger transactions, each committed before
// the next is filled, so the memory it takes is one Badger transaction's worth.
// The group becomes visible only once all are written (the watermark), so the
// split is invisible to readers; after a crash the WAL replays the whole commit.
func (s *Store) applySpilled(c *Commit) error {
	txn := s.db.NewTransactionAt(c.ts, true)
	defer func() { txn.Discard() }()
	put := func(m Mutation) error {
		for {
			var err error
			if m.Delete {
				err = txn.Delete(m.Key)
			} else {
				err = txn.Set(m.Key, m.Value)
			}
			if !errors.Is(err, badger.ErrTxnTooBig) {
				return err
			}
			if err := txn.CommitAt(c.ts, nil); err != nil {
				return err
			}
			txn = s.db.NewTransactionAt(c.ts, true)
		}
	}
	for _, m := range c.muts {
		if err := put(m); err != nil {
			return err
		}
	}
	// The spill's mutations alias the blocks it read, which are not reused, so
	// Badger may keep them until its transaction is committed.
	if err := c.spill.forEach(put); err != nil {
		return err
	}
	return txn.CommitAt(c.ts, nil)
}

// startIndexApply reports a group written to the WAL to OnApply and OnApplyStart
// and returns what waits for them. It runs before the fsync, so the index shards'
// work overlaps it: their entries carry the commit timestamps, which no snapshot
// includes before the group is visible, and they are rebuilt from Badger at start,
// so a commit that the fsync loses leaves nothing behind in them.
func (s *Store) startIndexApply(commits []*Commit) (wait func(), err error) {
	if s.opts.OnApply != nil {
		for _, c := range commits {
			if err = s.notifyApplied(c); err != nil {
				err = fmt.Errorf("store: report commit %d to OnApply: %w", c.ts, err)
				break
			}
		}
	}
	wait = func() {}
	if s.opts.OnApplyStart != nil {
		wait = s.opts.OnApplyStart()
	}
	return wait, err
}

// onApplyChunk bounds the mutations of a spilled write set held in memory at once
// while they are reported to OnApply.
const onApplyChunk = 4096

// notifyApplied reports a commit's whole write set to OnApply: the buffered
// mutations, and for a spilled write set the spilled ones too, read back from the
// temporary file in chunks so that a large transaction stays in bounded memory.
func (s *Store) notifyApplied(c *Commit) error {
	if len(c.muts) > 0 || c.spill == nil {
		s.opts.OnApply(c.ts, c.muts)
	}
	if c.spill == nil {
		return nil
	}
	chunk := make([]Mutation, 0, onApplyChunk)
	err := c.spill.forEach(func(m Mutation) error {
		// forEach's key and value may alias its read buffers: copy them.
		m.Key, m.Value = append([]byte(nil), m.Key...), append([]byte(nil), m.Value...)
		chunk = append(chunk, m)
		if len(chunk) == onApplyChunk {
			s.opts.OnApply(c.ts, chunk)
			chunk = make([]Mutation, 0, onApplyChunk)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(chunk) > 0 {
		s.opts.OnApply(c.ts, chunk)
	}
	return nil
}

// applyOne writes one commit as one Badger transaction. It reports false, having
// written nothing, when the write set is too big for a Badger transaction.
func (s *Store) applyOne(c *Commit) (bool, error) {
	txn := s.db.NewTransactionAt(c.ts, true)
	defer txn.Discard()
	for _, m := range c.muts {
		var err error
		if m.Delete {
			err = txn.Delete(m.Key)
		} else {
			err = txn.Set(m.Key, m.Value)
		}
		if errors.Is(err, badger.ErrTxnTooBig) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
	}
	return true, txn.CommitAt(c.ts, nil)
}

// applyBatch writes commits whose write sets are in memory (not spilled) through
// one WriteBatch.
func (s *Store) applyBatch(commits []*Commit) error {
	wb := s.db.NewManagedWriteBatch()
	defer wb.Cancel()
	for _, c := range commits {
		for _, m := range c.muts {
			if err := setAt(wb, m, c.ts); err != nil {
				return err
			}
		}
	}
	return wb.Flush()
}

// advance records a group applied to Badger and wakes the readers waiting for it.
func (s *Store) advance(ts uint64, end wal.LSN) {
	s.appliedMu.Lock()
	s.appliedLSN, s.appliedTs = end, ts
	s.applied.Store(ts)
	ch := s.appliedCh
	s.appliedCh = nil
	s.appliedMu.Unlock()
	if ch != nil {
		close(ch)
	}
}

// failApply turns the store read-only after a group could not be applied to
// Badger: new snapshots go back to what Badger holds, and readers of a later
// snapshot get err instead of waiting for ever.
func (s *Store) failApply(err *pgerr.Error) {
	s.appliedMu.Lock()
	s.applyErr = err
	s.visible.Store(s.appliedTs)
	ch := s.appliedCh
	s.appliedCh = nil
	s.appliedMu.Unlock()
	// Read-only last: a writer refused by it takes its next snapshot from the
	// visible watermark set back above.
	s.setReadOnly(err)
	if ch != nil {
		close(ch)
	}
}

// waitApplied returns once every commit up to ts is in Badger, so that a read
// at snapshot ts sees whole groups. Commits are visible (and acknowledged)
// before they are applied; see Pipeline.
func (s *Store) waitApplied(ts uint64) error {
	for s.applied.Load() < ts {
		s.appliedMu.Lock()
		if s.appliedTs >= ts {
			s.appliedMu.Unlock()
			return nil
		}
		if s.applyErr != nil {
			err := s.applyErr
			s.appliedMu.Unlock()
			return err
		}
		if s.appliedCh == nil {
			s.appliedCh = make(chan struct{})
		}
		ch := s.appliedCh
		s.appliedMu.Unlock()
		<-ch
	}
	return nil
}

// readable returns once key can be read from Badger at snapshot: at once when
// the snapshot's commits are applied, or when the index knows that key has no
// version newer than the applied ones (the groups still being applied do not
// write it); otherwise after waitApplied.
func (s *Store) readable(key []byte, snapshot uint64) error {
	applied := s.applied.Load()
	if snapshot <= applied {
		return nil
	}
	if ix := s.index.Load(); ix != nil {
		if changed, known := (*ix).ChangedSince(key, applied); known && !changed {
			return nil
		}
	}
	return s.waitApplied(snapshot)
}

// writable returns the error writers get once the store is read-only.
func (s *Store) writable() error {
	if e := s.writeErr.Load(); e != nil {
		return e
	}
	return nil
}

func (s *Store) setReadOnly(err *pgerr.Error) {
	if s.writeErr.CompareAndSwap(nil, err) {
		s.log.Error().Err(err.Err).Str("sqlstate", err.Code).Msg(err.Message)
	}
}

// ReadOnlyErr returns the error writers get, or nil while the store accepts writes.
func (s *Store) ReadOnlyErr() error { return s.writable() }

func (s *Store) noteUnsynced() { s.unsynced.Store(true) }

// Visible returns the newest commit timestamp new snapshots see: every
// acknowledged commit, applied to Badger or not (reads wait for the apply when
// they need it).
func (s *Store) Visible() uint64 { return s.visible.Load() }

// Checkpoint makes Badger durable up to the applied WAL position (once the
// visible commits are applied), records that
// position in Badger, and removes (or archives) the WAL segments before it.
func (s *Store) Checkpoint(ctx context.Context) error {
	s.ckptMu.Lock()
	defer s.ckptMu.Unlock()
	// Cover every acknowledged commit: the last group may still be on its way
	// to Badger. (After a failed apply the checkpoint covers what was applied.)
	_ = s.waitApplied(s.visible.Load())
	s.appliedMu.Lock()
	lsn, ts := s.appliedLSN, s.appliedTs
	s.appliedMu.Unlock()
	began := time.Now()
	if err := s.db.Sync(); err != nil {
		return fmt.Errorf("store: checkpoint: sync badger: %w", err)
	}
	if err := s.syncBadgerMemtables(); err != nil {
		return fmt.Errorf("store: checkpoint: %w", err)
	}
	v := binary.BigEndian.AppendUint64(nil, uint64(lsn))
	v = binary.BigEndian.AppendUint64(v, ts)
	wb := s.db.NewWriteBatchAt(max(ts, 1))
	if err := wb.Set(metaKey, v); err != nil {
		wb.Cancel()
		return fmt.Errorf("store: checkpoint: %w", err)
	}
	if err := wb.Flush(); err != nil {
		return fmt.Errorf("store: checkpoint: write lsn: %w", err)
	}
	if err := s.db.Sync(); err != nil {
		return fmt.Errorf("store: checkpoint: sync badger: %w", err)
	}
	s.checkpointLSN.Store(uint64(lsn))
	removed, err := s.wal.RemoveBefore(lsn)
	if err != nil {
		return fmt.Errorf("store: checkpoint: %w", err)
	}
	s.log.Info().Str("lsn", lsn.String()).Uint64("ts", ts).Int("segments_removed", removed).
		Float64("duration_ms", millis(time.Since(began))).Msg("checkpoint")
	return ctx.Err()
}

// syncBadgerMemtables fsyncs the logs of all of Badger's memtables. DB.Sync syncs
// only the one being written; those full and waiting to be flushed to a table are
// not synced by anyone until the flush replaces them with a synced table, so a
// checkpoint that relied on DB.Sync alone could lose them in a power loss after
// the WAL before them is gone. A log that disappears meanwhile was flushed.
func (s *Store) syncBadgerMemtables() error {
	dir := filepath.Join(s.dir, "badger")
	names, err := filepath.Glob(filepath.Join(dir, "*.mem"))
	if err != nil {
		return fmt.Errorf("list badger memtables: %w", err)
	}
	for _, name := range names {
		f, err := os.Open(name)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("sync badger memtable: %w", err)
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return fmt.Errorf("sync badger memtable %s: %w", name, err)
		}
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync badger directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync badger directory: %w", err)
	}
	return nil
}

// walOverCheckpoint reports whether more WAL than CheckpointWALSize was written
// since the last checkpoint.
func (s *Store) walOverCheckpoint() bool {
	if s.opts.CheckpointWALSize < 0 {
		return false
	}
	s.appliedMu.Lock()
	applied := s.appliedLSN
	s.appliedMu.Unlock()
	return int64(applied)-int64(s.checkpointLSN.Load()) >= s.opts.CheckpointWALSize
}

// background runs checkpoints (timed, and after CheckpointWALSize of WAL), the WAL
// writer (fsync for asynchronous commits every WriterDelay), the replay mark and
// the Badger discard horizon.
func (s *Store) background() {
	defer s.bg.Done()
	writer := time.NewTicker(s.opts.WriterDelay)
	defer writer.Stop()
	var ckpt <-chan time.Time
	if s.opts.CheckpointTimeout > 0 {
		t := time.NewTicker(s.opts.CheckpointTimeout)
		defer t.Stop()
		ckpt = t.C
	}
	discard := time.NewTicker(time.Second)
	defer discard.Stop()
	mark := time.NewTicker(replayMarkInterval)
	defer mark.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-writer.C:
			s.syncAsync()
		case <-mark.C:
			if s.writable() != nil {
				continue
			}
			if err := s.writeReplayMark(); err != nil {
				s.log.Warn().Err(err).Msg("replay mark not written; a restart after a crash replays more of the log")
			}
			if s.walOverCheckpoint() {
				if err := s.Checkpoint(context.Background()); err != nil {
					s.log.Error().Err(err).Msg("checkpoint after checkpoint_wal_size of WAL failed")
				}
			}
		case <-ckpt:
			if err := s.Checkpoint(context.Background()); err != nil {
				s.log.Error().Err(err).Msg("timed checkpoint failed")
			}
		case <-discard.C:
			s.db.SetDiscardTs(s.discardTs())
		}
	}
}

func (s *Store) syncAsync() {
	if !s.unsynced.Swap(false) {
		return
	}
	if _, err := s.wal.Sync(); err != nil {
		s.setReadOnly(pgerr.Wrap(err, pgerrcode.IOError, "could not fsync the write-ahead log: the server is read-only until restart"))
	}
}

// OldestSnapshot returns the oldest snapshot timestamp an open or future reader may
// use: every version at or below it that has been superseded (or deleted) is
// invisible to all of them. Index shards drop tombstones up to it.
func (s *Store) OldestSnapshot() uint64 { return s.discardTs() }

// discardTs is the timestamp below which no open snapshot reads: Badger may drop
// versions older than it (keeping the newest version at or below it).
func (s *Store) discardTs() uint64 {
	ts := s.applied.Load()
	s.snapMu.Lock()
	for snap := range s.snaps {
		ts = min(ts, snap)
	}
	s.snapMu.Unlock()
	return ts
}

func (s *Store) acquireSnapshot() uint64 {
	s.snapMu.Lock()
	ts := s.visible.Load()
	s.snaps[ts]++
	s.snapMu.Unlock()
	return ts
}

func (s *Store) releaseSnapshot(ts uint64) {
	s.snapMu.Lock()
	if s.snaps[ts]--; s.snaps[ts] <= 0 {
		delete(s.snaps, ts)
	}
	s.snapMu.Unlock()
}

// ErrClosed is returned by operations on a closed store.
var ErrClosed = errors.New("store: closed")

// Close stops the committer (finishing queued commits), syncs the WAL, checkpoints,
// and closes Badger, waiting for Badger at most until ctx ends.
func (s *Store) Close(ctx context.Context) error {
	s.commitMu.Lock()
	wasClosed := s.closed.Swap(true)
	s.commitMu.Unlock()
	if wasClosed {
		return ErrClosed
	}
	s.committer.Close()
	close(s.stop)
	s.bg.Wait()
	var errs []error
	if s.writable() == nil {
		if _, err := s.wal.Sync(); err != nil {
			errs = append(errs, fmt.Errorf("store: close: %w", err))
		} else if err := s.Checkpoint(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if err := s.wal.Close(); err != nil {
		errs = append(errs, fmt.Errorf("store: close wal: %w", err))
	}
	if err := s.closeBadger(ctx); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// closeBadger closes Badger, waiting at most until ctx ends. Badger's Close
// waits for its memtable flush, which retries for ever when it cannot write a
// table (the data directory gone, a failing disk); giving up then loses nothing,
// since every commit is in the WAL, which the next start replays.
func (s *Store) closeBadger(ctx context.Context) error {
	closed := make(chan error, 1)
	go func() { closed <- s.db.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			return fmt.Errorf("store: close badger: %w", err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("store: close badger: gave up waiting for its memtable flush (the WAL holds every commit; the next start replays it): %w", ctx.Err())
	}
}

// millis is d in milliseconds, as the log lines report durations.
func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// badgerLogger routes Badger's logs into zerolog (its Info is chatty: debug level).
type badgerLogger struct{ l zerolog.Logger }

func (b badgerLogger) Errorf(f string, a ...any) {
	b.l.Error().Str("component", "badger").Msgf(f, a...)
}
func (b badgerLogger) Warningf(f string, a ...any) {
	b.l.Warn().Str("component", "badger").Msgf(f, a...)
}
func (b badgerLogger) Infof(f string, a ...any) { b.l.Debug().Str("component", "badger").Msgf(f, a...) }
func (b badgerLogger) Debugf(f string, a ...any) {
	b.l.Debug().Str("component", "badger").Msgf(f, a...)
}
