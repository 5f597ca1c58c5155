// Package wal is Augur's write-ahead log: an append-only sequence of records in
// segment files, each record framed with its length, LSN, type and a CRC32C.
//
// The log is what makes a commit durable. Badger is written without fsync (its own
// durability would cost an fsync per write batch); instead every commit is first
// appended here and the file fsynced, once for a whole group of commits. After a
// crash the store replays the records after its last checkpoint into Badger.
//
// Segments are files named by the LSN of their first byte (16 hex digits + ".wal")
// and rolled when the next write would pass Options.SegmentSize. Records never span
// segments. On replay, a record that does not decode is handled by where it is:
//
//   - at the tail of the log (nothing valid follows it, in this segment or a later
//     one — a crash while a group rolled segments can tear both), it is the torn
//     remains of a write interrupted by the crash: the segment is truncated there
//     and a warning logged (the commit it held was never acknowledged, since
//     acknowledgement waits for fsync);
//   - anywhere else it is damage to acknowledged data: Replay fails with an error
//     naming the segment and offset, unless RecoveryMode is RecoveryTruncate, in
//     which case the log is cut at the bad record and everything after it dropped.
//
// "At the tail" needs care after a power loss. A group of records is one write,
// but the disk persists its blocks in any order, so a crash during the group's
// fsync can leave a hole followed by valid records of the same group (or of later
// unsynced groups). Those records were never acknowledged, yet a scan sees "bad
// record, then valid data" — what corruption looks like. To tell the two apart
// the log records what it knows was durable: the first write after an fsync starts
// with a sync mark, a small record (type SyncMarkType, never handed to Replay's
// callback) holding the LSN up to which that fsync made the log durable. A bad
// record at position X is damage only if a valid mark after it says the log was
// durable past X; otherwise nothing proves X ever reached the disk, and it is
// treated as a torn tail (truncated with a warning that names how many bytes,
// valid records included, are dropped). Marks cost one 25-byte record per group
// and no extra I/O. What remains ambiguous is damage inside the last group whose
// fsync completed just before the crash, when no later write recorded that fsync:
// it is truncated as a tail. Only reading back after every fsync, or a second
// fsync per group, could close that gap; neither is worth its cost. Logs written
// before marks existed have none, so a bad record there is always taken as a tail.
//
// Writes are all-or-nothing per call: when a write fails (ENOSPC, EIO, a short
// write) the log truncates itself back to where the call began, so a failed group
// leaves no partial record that a later replay would mistake for corruption. A
// failed fsync, by contrast, poisons the log for good: after fsync reports an error
// the kernel may have dropped the dirty pages, so retrying could report success for
// data that is gone (the PostgreSQL "fsyncgate" lesson). Every later write and sync
// returns ErrSyncFailed until the process restarts and replays.
//
// All file access goes through FS so tests can inject faults.
package wal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// RecoveryMode says what Replay does with a bad record that is not a torn tail.
type RecoveryMode string

const (
	// RecoveryStrict stops with an error (the default: no silent data loss).
	RecoveryStrict RecoveryMode = "strict"
	// RecoveryTruncate cuts the log at the bad record, dropping what follows.
	RecoveryTruncate RecoveryMode = "truncate"
)

// DefaultSegmentSize is the default segment size, 64 MiB.
const DefaultSegmentSize = 64 << 20

// Options configure a log.
type Options struct {
	// SegmentSize is the size at which segments are rolled (default 64 MiB).
	SegmentSize int64
	// RecoveryMode: RecoveryStrict (default) or RecoveryTruncate.
	RecoveryMode RecoveryMode
	// ArchiveDir, when set, receives segments removed by RemoveBefore instead of
	// their being deleted (kept for point-in-time recovery).
	ArchiveDir string
	// FS is the file system (default OSFS).
	FS FS
	// NoPreallocate turns off zero-filling new segments to SegmentSize.
	NoPreallocate bool
}

func (o *Options) fill() {
	if o.SegmentSize <= 0 {
		o.SegmentSize = DefaultSegmentSize
	}
	if o.RecoveryMode == "" {
		o.RecoveryMode = RecoveryStrict
	}
	if o.FS == nil {
		o.FS = OSFS{}
	}
}

// ErrSyncFailed is returned (wrapped) by every write and sync after an fsync failed.
var ErrSyncFailed = errors.New("wal: an earlier fsync failed; the log is read-only until restart")

// ErrCorrupt is returned (wrapped) by Replay for a bad record that is not a torn tail.
var ErrCorrupt = errors.New("wal: corrupt record")

// Entry is a record to append. Write sets LSN.
type Entry struct {
	Type    RecordType
	Payload []byte
	LSN     LSN
}

type segment struct {
	start LSN
	name  string
}

// Log is an open write-ahead log. Write and Sync may be called from different
// goroutines; a Sync covers every Write that returned before it began.
type Log struct {
	dir  string
	opts Options
	log  zerolog.Logger

	mu       sync.Mutex
	segs     []segment // sorted by start; the last is the current one
	replayed bool
	cur      File // current segment, open for append
	curStart LSN
	curSize  int64
	buf      []byte
	unsynced []File // written since the last sync, oldest first (cur may be among them)
	synced   LSN    // everything before is durable
	marked   LSN    // the synced LSN last written in a sync mark
	failed   error  // sticky fsync failure
}

// Open opens (creating if needed) the log in dir. Call Replay before Write.
func Open(dir string, opts Options, logger zerolog.Logger) (*Log, error) {
	opts.fill()
	if err := opts.FS.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("wal: create %s: %w", dir, err)
	}
	if opts.ArchiveDir != "" {
		if err := opts.FS.MkdirAll(opts.ArchiveDir, 0o700); err != nil {
			return nil, fmt.Errorf("wal: create archive %s: %w", opts.ArchiveDir, err)
		}
	}
	names, err := opts.FS.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("wal: list %s: %w", dir, err)
	}
	l := &Log{dir: dir, opts: opts, log: logger}
	for _, n := range names {
		start, ok := parseSegmentName(n)
		if !ok {
			continue
		}
		l.segs = append(l.segs, segment{start: start, name: n})
	}
	return l, nil
}

// preallocate fills a new segment with zeros and syncs it, so that later commits
// overwrite allocated blocks and their fsyncs (fdatasync) need not commit file-size
// metadata to the file-system journal: a large part of the cost of a small fsync.
func preallocate(f File, size int64) error {
	zeros := make([]byte, 1<<20)
	for off := int64(0); off < size; off += int64(len(zeros)) {
		n := min(int64(len(zeros)), size-off)
		if _, err := f.WriteAt(zeros[:n], off); err != nil {
			return err
		}
	}
	return f.Sync()
}

func segmentName(start LSN) string { return fmt.Sprintf("%016X.wal", uint64(start)) }

func parseSegmentName(n string) (LSN, bool) {
	hex, ok := strings.CutSuffix(n, ".wal")
	if !ok || len(hex) != 16 {
		return 0, false
	}
	v, err := strconv.ParseUint(hex, 16, 64)
	return LSN(v), err == nil
}

func (l *Log) path(name string) string { return filepath.Join(l.dir, name) }

// ReplayStats describes a replay.
type ReplayStats struct {
	Records  int
	Bytes    int64
	Segments int
	Duration time.Duration
	// Truncated is true when a torn tail (or, in truncate mode, a bad record) was cut off.
	Truncated bool
	// End is the LSN after the last valid record: where writing resumes.
	End LSN
}

// Replay validates the log and calls fn for every record at or after from, in order.
// from must be a record boundary (an End of an earlier record, or a segment start).
// A torn tail of the last segment is truncated; other damage fails (see package doc).
// Afterwards the log is positioned for writing after the last valid record.
func (l *Log) Replay(from LSN, fn func(Record) error) (ReplayStats, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	began := time.Now()
	var st ReplayStats
	if l.replayed {
		return st, errors.New("wal: replay called twice")
	}
	// Skip segments that end before from: they were checkpointed.
	first := 0
	for i := range l.segs {
		if l.segs[i].start <= from {
			first = i
		}
	}
	if len(l.segs) > 0 && l.segs[first].start > from {
		return st, fmt.Errorf("%w: first segment %s starts after replay position %s (missing segment)", ErrCorrupt, l.segs[first].name, from)
	}
	pos := from
	for i := first; i < len(l.segs); i++ {
		seg := l.segs[i]
		last := i == len(l.segs)-1
		if seg.start > pos {
			return st, fmt.Errorf("%w: gap before segment %s: previous segment ends at %s", ErrCorrupt, seg.name, pos)
		}
		if seg.start < pos && i > first {
			return st, fmt.Errorf("%w: segment %s overlaps previous one (ends at %s)", ErrCorrupt, seg.name, pos)
		}
		data, err := l.readSegment(seg)
		if err != nil {
			return st, err
		}
		st.Segments++
		off := int64(pos - seg.start)
		if off > int64(len(data)) {
			return st, fmt.Errorf("%w: replay position %s beyond end of segment %s (%d bytes)", ErrCorrupt, pos, seg.name, len(data))
		}
		for off < int64(len(data)) {
			rec, derr := DecodeRecord(data[off:], seg.start+LSN(off))
			if derr != nil && allZero(data[off:]) {
				// The unused, zero-filled rest of a preallocated segment: a clean end.
				data = data[:off]
				break
			}
			if derr != nil {
				// What follows the bad record: any valid record at all, and the
				// newest durable position a sync mark after it reports. A crash while
				// a group rolled into a new segment can tear the old segment's tail
				// too, so later segments count.
				bad := seg.start + LSN(off)
				after := scanAfter(data, seg.start, off+1)
				if !last {
					more, err := l.scanSegments(i + 1)
					if err != nil {
						return st, err
					}
					after.valid = after.valid || more.valid
					after.durable = max(after.durable, more.durable)
				}
				torn := after.durable <= bad
				if !torn && l.opts.RecoveryMode != RecoveryTruncate {
					return st, fmt.Errorf("%w: segment %s offset %d: %v (a sync mark after it says the log was durable up to %s; start with --wal-recovery=truncate to drop everything from here on)", ErrCorrupt, seg.name, off, derr, after.durable)
				}
				if torn {
					msg := "wal: truncating torn tail of last segment"
					if after.valid {
						msg = "wal: truncating a hole in the unsynced tail (a crash during fsync): valid records after it were never reported durable and are dropped"
					}
					l.log.Warn().Str("segment", seg.name).Int64("offset", off).Int64("dropped_bytes", int64(len(data))-off).
						Int("dropped_segments", len(l.segs)-1-i).Err(derr).Msg(msg)
				} else {
					l.log.Error().Str("segment", seg.name).Int64("offset", off).Int("dropped_segments", len(l.segs)-1-i).Err(derr).Msg("wal: recovery=truncate: cutting the log at a bad record; later records are lost")
				}
				if err := l.truncateAt(i, off); err != nil {
					return st, err
				}
				st.Truncated = true
				data = data[:off]
				break
			}
			if rec.Type != SyncMarkType {
				if err := fn(rec); err != nil {
					return st, fmt.Errorf("wal: replay record %s: %w", rec.LSN, err)
				}
				st.Records++
			}
			st.Bytes += int64(HeaderSize + len(rec.Payload))
			off += int64(HeaderSize + len(rec.Payload))
		}
		pos = seg.start + LSN(len(data))
		if st.Truncated {
			break
		}
	}
	if err := l.openTail(pos); err != nil {
		return st, err
	}
	st.End = pos
	st.Duration = time.Since(began)
	l.replayed = true
	return st, nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// afterBad is what a scan finds after a bad record.
type afterBad struct {
	valid   bool // some valid record follows
	durable LSN  // the newest durable position reported by a sync mark that follows
}

// scanSegments scans every segment from index i on.
func (l *Log) scanSegments(i int) (afterBad, error) {
	var a afterBad
	for _, seg := range l.segs[i:] {
		data, err := l.readSegment(seg)
		if err != nil {
			return a, err
		}
		b := scanAfter(data, seg.start, 0)
		a.valid = a.valid || b.valid
		a.durable = max(a.durable, b.durable)
	}
	return a, nil
}

// scanAfter looks for valid records starting at or after off, at any byte (the
// frame of a bad record cannot be trusted to say where the next one starts).
// The LSN in each header makes a false match practically impossible.
func scanAfter(data []byte, start LSN, off int64) afterBad {
	var a afterBad
	for off+HeaderSize <= int64(len(data)) {
		rec, err := DecodeRecord(data[off:], start+LSN(off))
		if err != nil {
			off++
			continue
		}
		a.valid = true
		if rec.Type == SyncMarkType && len(rec.Payload) == 8 {
			a.durable = max(a.durable, LSN(binary.LittleEndian.Uint64(rec.Payload)))
		}
		off += int64(HeaderSize + len(rec.Payload))
	}
	return a
}

func (l *Log) readSegment(seg segment) ([]byte, error) {
	f, err := l.opts.FS.OpenFile(l.path(seg.name), os.O_RDONLY, 0)
	if err != nil {
		return nil, fmt.Errorf("wal: open segment %s: %w", seg.name, err)
	}
	defer f.Close()
	size, err := f.Size()
	if err != nil {
		return nil, fmt.Errorf("wal: stat segment %s: %w", seg.name, err)
	}
	data := make([]byte, size)
	if _, err := f.ReadAt(data, 0); err != nil && size > 0 {
		return nil, fmt.Errorf("wal: read segment %s: %w", seg.name, err)
	}
	return data, nil
}

// truncateAt cuts segment i at off and removes every later segment.
func (l *Log) truncateAt(i int, off int64) error {
	seg := l.segs[i]
	f, err := l.opts.FS.OpenFile(l.path(seg.name), os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("wal: open segment %s to truncate: %w", seg.name, err)
	}
	defer f.Close()
	if err := f.Truncate(off); err != nil {
		return fmt.Errorf("wal: truncate segment %s at %d: %w", seg.name, off, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("wal: sync segment %s: %w", seg.name, err)
	}
	for _, later := range l.segs[i+1:] {
		if err := l.opts.FS.Remove(l.path(later.name)); err != nil {
			return fmt.Errorf("wal: remove segment %s after truncation: %w", later.name, err)
		}
	}
	l.segs = l.segs[:i+1]
	return l.opts.FS.SyncDir(l.dir)
}

// openTail opens the last segment for appending at pos, or creates one there.
func (l *Log) openTail(pos LSN) error {
	l.synced = pos
	if n := len(l.segs); n > 0 && l.segs[n-1].start <= pos {
		seg := l.segs[n-1]
		f, err := l.opts.FS.OpenFile(l.path(seg.name), os.O_RDWR, 0)
		if err != nil {
			return fmt.Errorf("wal: open segment %s for append: %w", seg.name, err)
		}
		l.cur, l.curStart, l.curSize = f, seg.start, int64(pos-seg.start)
		return nil
	}
	return l.createSegment(pos)
}

func (l *Log) createSegment(start LSN) error {
	name := segmentName(start)
	f, err := l.opts.FS.OpenFile(l.path(name), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("wal: create segment %s: %w", name, err)
	}
	if !l.opts.NoPreallocate {
		if err := preallocate(f, l.opts.SegmentSize); err != nil {
			f.Close()
			l.opts.FS.Remove(l.path(name))
			return fmt.Errorf("wal: preallocate segment %s: %w", name, err)
		}
	}
	if err := l.opts.FS.SyncDir(l.dir); err != nil {
		f.Close()
		l.opts.FS.Remove(l.path(name))
		return fmt.Errorf("wal: create segment %s: %w", name, err)
	}
	l.segs = append(l.segs, segment{start: start, name: name})
	l.cur, l.curStart, l.curSize = f, start, 0
	return nil
}

// End returns the LSN where the next record will be written.
func (l *Log) End() LSN {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.curStart + LSN(l.curSize)
}

// Write appends entries as consecutive records, setting each entry's LSN, and
// returns the LSN after the last one. The data reaches the OS but is not durable
// until Sync. Write is all-or-nothing: on error none of the entries is in the log.
func (l *Log) Write(entries []Entry) (LSN, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.replayed {
		return 0, errors.New("wal: write before replay")
	}
	if l.failed != nil {
		return 0, l.failed
	}
	// Remember where we began so a failure can undo everything.
	startSeg, startSize, nsegs, nunsynced := l.cur, l.curSize, len(l.segs), len(l.unsynced)
	err := l.write(entries)
	if err == nil {
		l.marked = l.synced
		return l.curStart + LSN(l.curSize), nil
	}
	// Undo: remove segments this call created, cut the first one back.
	for len(l.segs) > nsegs {
		s := l.segs[len(l.segs)-1]
		if l.cur != nil && l.curStart == s.start {
			l.cur.Close()
		}
		l.opts.FS.Remove(l.path(s.name))
		l.segs = l.segs[:len(l.segs)-1]
	}
	for _, f := range l.unsynced[nunsynced:] {
		if f != startSeg && f != l.cur {
			f.Close()
		}
	}
	l.cur, l.curStart, l.curSize = startSeg, l.segs[len(l.segs)-1].start, startSize
	l.unsynced = l.unsynced[:nunsynced]
	if terr := l.cur.Truncate(startSize); terr != nil {
		// The log now ends in a partial record we cannot remove: refuse writes,
		// recovery will treat it as a torn tail.
		l.failed = fmt.Errorf("%w (truncate after failed write: %v)", ErrSyncFailed, terr)
		l.log.Error().Err(terr).Msg("wal: cannot undo a failed write; log is read-only")
	}
	return 0, err
}

func (l *Log) write(entries []Entry) error {
	mark := l.synced > l.marked
	i := 0
	for i < len(entries) {
		// Frame as many entries as fit in the current segment, after a sync mark
		// when an fsync completed since the last one was written.
		l.buf = l.buf[:0]
		pos := l.curStart + LSN(l.curSize)
		if mark && (l.curSize+syncMarkSize <= l.opts.SegmentSize || l.curSize == 0) {
			l.buf = appendRecord(l.buf, pos, SyncMarkType, binary.LittleEndian.AppendUint64(nil, uint64(l.synced)))
			mark = false
		}
		j := i
		for ; j < len(entries); j++ {
			n := int64(HeaderSize + len(entries[j].Payload))
			if len(entries[j].Payload) > MaxPayload {
				return fmt.Errorf("wal: record of %d bytes exceeds the maximum", len(entries[j].Payload))
			}
			if l.curSize+int64(len(l.buf))+n > l.opts.SegmentSize && l.curSize+int64(len(l.buf)) > 0 {
				break
			}
			entries[j].LSN = pos + LSN(len(l.buf))
			l.buf = appendRecord(l.buf, entries[j].LSN, entries[j].Type, entries[j].Payload)
		}
		if len(l.buf) > 0 {
			n, err := l.cur.WriteAt(l.buf, l.curSize)
			if err == nil && n < len(l.buf) {
				err = fmt.Errorf("short write (%d of %d bytes)", n, len(l.buf))
			}
			if err != nil {
				return fmt.Errorf("wal: append to segment %s: %w", segmentName(l.curStart), err)
			}
			if len(l.unsynced) == 0 || l.unsynced[len(l.unsynced)-1] != l.cur {
				l.unsynced = append(l.unsynced, l.cur)
			}
			l.curSize += int64(len(l.buf))
		}
		i = j
		if i < len(entries) {
			// Roll. The old segment stays in unsynced until the next Sync closes it.
			if err := l.createSegment(l.curStart + LSN(l.curSize)); err != nil {
				return err
			}
		}
	}
	return nil
}

// Sync makes every record written before the call durable and returns the LSN up to
// which the log is durable. After a failure the log refuses all further writes.
func (l *Log) Sync() (LSN, error) {
	l.mu.Lock()
	if l.failed != nil {
		l.mu.Unlock()
		return 0, l.failed
	}
	files := l.unsynced
	l.unsynced = nil
	end := l.curStart + LSN(l.curSize)
	cur := l.cur
	l.mu.Unlock()

	for _, f := range files {
		if err := f.Sync(); err != nil {
			l.mu.Lock()
			l.failed = fmt.Errorf("%w: %v", ErrSyncFailed, err)
			l.mu.Unlock()
			l.log.Error().Err(err).Msg("wal: fsync failed; the store is read-only until restart")
			return 0, fmt.Errorf("wal: fsync: %w", l.failed)
		}
		if f != cur {
			f.Close()
		}
	}
	l.mu.Lock()
	if end > l.synced {
		l.synced = end
	}
	l.mu.Unlock()
	return end, nil
}

// Failed returns the sticky fsync error, or nil.
func (l *Log) Failed() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.failed
}

// ReadRecord reads the record at lsn (used to re-read chained records at recovery).
func (l *Log) ReadRecord(lsn LSN) (Record, error) {
	l.mu.Lock()
	var seg segment
	found := false
	for _, s := range l.segs {
		if s.start <= lsn {
			seg, found = s, true
		}
	}
	l.mu.Unlock()
	if !found {
		return Record{}, fmt.Errorf("wal: no segment holds %s", lsn)
	}
	f, err := l.opts.FS.OpenFile(l.path(seg.name), os.O_RDONLY, 0)
	if err != nil {
		return Record{}, fmt.Errorf("wal: open segment %s: %w", seg.name, err)
	}
	defer f.Close()
	off := int64(lsn - seg.start)
	h := make([]byte, HeaderSize)
	if _, err := f.ReadAt(h, off); err != nil {
		return Record{}, fmt.Errorf("wal: read %s in segment %s: %w", lsn, seg.name, err)
	}
	_, n, _, err := parseHeader(h, lsn)
	if err != nil {
		return Record{}, fmt.Errorf("wal: record %s in segment %s: %w", lsn, seg.name, err)
	}
	b := make([]byte, HeaderSize+n)
	if _, err := f.ReadAt(b, off); err != nil {
		return Record{}, fmt.Errorf("wal: read %s in segment %s: %w", lsn, seg.name, err)
	}
	rec, err := DecodeRecord(b, lsn)
	if err != nil {
		return Record{}, fmt.Errorf("wal: record %s in segment %s: %w", lsn, seg.name, err)
	}
	return rec, nil
}

// RemoveBefore deletes (or archives, when Options.ArchiveDir is set) every segment
// whose records all lie before lsn. The current segment is never removed.
func (l *Log) RemoveBefore(lsn LSN) (removed int, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for len(l.segs) > 1 && l.segs[1].start <= lsn {
		s := l.segs[0]
		if l.opts.ArchiveDir != "" {
			err = l.opts.FS.Rename(l.path(s.name), filepath.Join(l.opts.ArchiveDir, s.name))
		} else {
			err = l.opts.FS.Remove(l.path(s.name))
		}
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return removed, fmt.Errorf("wal: remove segment %s: %w", s.name, err)
		}
		l.segs = l.segs[1:]
		removed++
	}
	if removed > 0 {
		if err := l.opts.FS.SyncDir(l.dir); err != nil {
			return removed, fmt.Errorf("wal: sync %s: %w", l.dir, err)
		}
	}
	return removed, nil
}

// Segments returns the number of segment files.
func (l *Log) Segments() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.segs)
}

// Close closes the log's files. It does not sync.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var err error
	for _, f := range l.unsynced {
		if f != l.cur {
			f.Close()
		}
	}
	l.unsynced = nil
	if l.cur != nil {
		err = l.cur.Close()
		l.cur = nil
	}
	return err
}
