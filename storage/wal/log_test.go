package wal_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/rs/zerolog"

	"github.com/augurdb/augur/storage/wal"
	"github.com/augurdb/augur/storage/wal/faultfs"
)

func openLog(t *testing.T, dir string, opts wal.Options) (*wal.Log, []wal.Record, wal.ReplayStats, error) {
	t.Helper()
	l, err := wal.Open(dir, opts, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	var recs []wal.Record
	st, err := l.Replay(0, func(r wal.Record) error {
		r.Payload = bytes.Clone(r.Payload)
		recs = append(recs, r)
		return nil
	})
	return l, recs, st, err
}

func payload(i int) []byte { return []byte(fmt.Sprintf("record-%d-%s", i, strings.Repeat("x", i%50))) }

// writeN writes n records, each synced as a synchronous commit would be.
func writeN(t *testing.T, l *wal.Log, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		if _, err := l.Write([]wal.Entry{{Type: 1, Payload: payload(i)}}); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Sync(); err != nil {
			t.Fatal(err)
		}
	}
}

func checkRecords(t *testing.T, recs []wal.Record, n int) {
	t.Helper()
	if len(recs) != n {
		t.Fatalf("got %d records, want %d", len(recs), n)
	}
	for i, r := range recs {
		if !bytes.Equal(r.Payload, payload(i)) {
			t.Fatalf("record %d: %q", i, r.Payload)
		}
	}
}

func segments(t *testing.T, dir string) []string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, "*.wal"))
	return m
}

func TestWriteReplayAcrossSegments(t *testing.T) {
	dir := t.TempDir()
	opts := wal.Options{SegmentSize: 512}
	l, _, _, err := openLog(t, dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	writeN(t, l, 0, 100)
	// A batch larger than a segment, and a record larger than a segment.
	batch := []wal.Entry{{Type: 2, Payload: payload(100)}, {Type: 2, Payload: payload(101)}}
	if _, err := l.Write(batch); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte{'b'}, 2000)
	end, err := l.Write([]wal.Entry{{Type: 3, Payload: big}})
	if err != nil {
		t.Fatal(err)
	}
	l.Sync()
	l.Close()
	if len(segments(t, dir)) < 5 {
		t.Fatalf("expected several segments, got %d", len(segments(t, dir)))
	}
	l, recs, st, err := openLog(t, dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if st.End != end || st.Truncated {
		t.Fatalf("stats %+v, want end %s", st, end)
	}
	checkRecords(t, recs[:102], 102)
	if !bytes.Equal(recs[102].Payload, big) || recs[102].Type != 3 {
		t.Fatal("big record lost")
	}
	// Replay from the middle.
	l.Close()
	l2, err := wal.Open(dir, opts, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	var n int
	if _, err := l2.Replay(recs[50].LSN, func(wal.Record) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 53 {
		t.Fatalf("replay from record 50: %d records", n)
	}
}

// damage describes how a test damages the log on disk before reopening it.
type damage struct {
	name string
	// apply edits the segment files (sorted) and returns nothing.
	apply func(t *testing.T, segs []string)
	// wantRecords is the number of records replay must return in strict mode,
	// or -1 when strict replay must fail.
	wantRecords int
	// wantTruncate is the number of records truncate mode keeps.
	wantTruncate int
}

func flipByte(t *testing.T, path string, off int64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if off < 0 {
		off += int64(len(b))
	}
	b[off] ^= 0x10
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestDamage(t *testing.T) {
	const n = 40 // records of ~27–77 bytes in 600-byte segments: 3–4 segments
	tests := []damage{
		{name: "clean", apply: func(*testing.T, []string) {}, wantRecords: n, wantTruncate: n},
		{name: "torn tail: partial record", apply: func(t *testing.T, segs []string) {
			last := segs[len(segs)-1]
			f, _ := os.OpenFile(last, os.O_APPEND|os.O_WRONLY, 0)
			f.Write([]byte{1, 2, 3, 4, 5, 6, 7})
			f.Close()
		}, wantRecords: n, wantTruncate: n},
		{name: "torn tail: zeros", apply: func(t *testing.T, segs []string) {
			last := segs[len(segs)-1]
			f, _ := os.OpenFile(last, os.O_APPEND|os.O_WRONLY, 0)
			f.Write(make([]byte, 100))
			f.Close()
		}, wantRecords: n, wantTruncate: n},
		{name: "torn tail: last record cut short", apply: func(t *testing.T, segs []string) {
			last := segs[len(segs)-1]
			fi, _ := os.Stat(last)
			os.Truncate(last, fi.Size()-3)
		}, wantRecords: n - 1, wantTruncate: n - 1},
		{name: "checksum fails in last record", apply: func(t *testing.T, segs []string) {
			flipByte(t, segs[len(segs)-1], -1)
		}, wantRecords: n - 1, wantTruncate: n - 1},
		{name: "flipped bit mid last segment", apply: func(t *testing.T, segs []string) {
			flipByte(t, segs[len(segs)-1], wal.HeaderSize+2) // payload of its first record
		}, wantRecords: -1, wantTruncate: -2},
		{name: "flipped bit in an earlier segment", apply: func(t *testing.T, segs []string) {
			flipByte(t, segs[1], wal.HeaderSize+2)
		}, wantRecords: -1, wantTruncate: -3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, mode := range []wal.RecoveryMode{wal.RecoveryStrict, wal.RecoveryTruncate} {
				dir := t.TempDir()
				opts := wal.Options{SegmentSize: 600, RecoveryMode: mode, NoPreallocate: true} // damage is placed by file end
				l, _, _, err := openLog(t, dir, opts)
				if err != nil {
					t.Fatal(err)
				}
				writeN(t, l, 0, n)
				l.Close()
				segs := segments(t, dir)
				// Count records per segment to know what truncate mode keeps.
				tt.apply(t, segs)
				l, recs, st, err := openLog(t, dir, opts)
				want := tt.wantRecords
				if mode == wal.RecoveryTruncate {
					want = tt.wantTruncate
				}
				switch {
				case want == -1:
					if !errors.Is(err, wal.ErrCorrupt) {
						t.Fatalf("%s: want ErrCorrupt, got %v", mode, err)
					}
					if !strings.Contains(err.Error(), "segment ") || !strings.Contains(err.Error(), "offset ") {
						t.Fatalf("error does not name segment and offset: %v", err)
					}
					continue
				case want < -1:
					// truncate mode: some prefix survives and is intact.
					if err != nil {
						t.Fatalf("%s: %v", mode, err)
					}
					if !st.Truncated || len(recs) >= n {
						t.Fatalf("%s: expected truncation, got %d records", mode, len(recs))
					}
					checkRecords(t, recs, len(recs))
				default:
					if err != nil {
						t.Fatalf("%s: %v", mode, err)
					}
					checkRecords(t, recs, want)
				}
				// The log accepts writes after recovery and a second replay is clean.
				writeN(t, l, len(recs), 3)
				l.Close()
				l, recs2, st2, err := openLog(t, dir, opts)
				if err != nil || st2.Truncated {
					t.Fatalf("%s: second replay: %v %+v", mode, err, st2)
				}
				checkRecords(t, recs2, len(recs)+3)
				l.Close()
			}
		})
	}
}

func TestWriteFaults(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		budget int
	}{
		{"ENOSPC at once", syscall.ENOSPC, 0},
		{"ENOSPC short write", syscall.ENOSPC, 30},
		{"EIO short write", syscall.EIO, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			ffs := faultfs.New(wal.OSFS{})
			opts := wal.Options{SegmentSize: 200, FS: ffs}
			l, _, _, err := openLog(t, dir, opts)
			if err != nil {
				t.Fatal(err)
			}
			writeN(t, l, 0, 10)
			before := l.End()
			ffs.FailWrites(tt.err, tt.budget)
			batch := []wal.Entry{{Type: 1, Payload: payload(10)}, {Type: 1, Payload: bytes.Repeat([]byte("z"), 300)}}
			if _, err := l.Write(batch); !errors.Is(err, tt.err) {
				t.Fatalf("want %v, got %v", tt.err, err)
			}
			if l.End() != before {
				t.Fatalf("failed write moved the end: %s -> %s", before, l.End())
			}
			ffs.Heal()
			writeN(t, l, 10, 5)
			l.Close()
			l, recs, st, err := openLog(t, dir, wal.Options{SegmentSize: 200})
			if err != nil || st.Truncated {
				t.Fatalf("replay after fault: %v %+v", err, st)
			}
			checkRecords(t, recs, 15)
			l.Close()
		})
	}
}

func TestSyncFailureIsSticky(t *testing.T) {
	dir := t.TempDir()
	ffs := faultfs.New(wal.OSFS{})
	l, _, _, err := openLog(t, dir, wal.Options{FS: ffs})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	writeN(t, l, 0, 3)
	ffs.FailSyncs(syscall.EIO)
	if _, err := l.Write([]wal.Entry{{Type: 1, Payload: payload(3)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Sync(); !errors.Is(err, wal.ErrSyncFailed) {
		t.Fatalf("want ErrSyncFailed, got %v", err)
	}
	ffs.Heal()
	// Never retried: still failing after the device "recovers".
	if _, err := l.Sync(); !errors.Is(err, wal.ErrSyncFailed) {
		t.Fatalf("sync retried: %v", err)
	}
	if _, err := l.Write([]wal.Entry{{Type: 1, Payload: payload(4)}}); !errors.Is(err, wal.ErrSyncFailed) {
		t.Fatalf("write after failed sync: %v", err)
	}
}

func TestRemoveBeforeAndArchive(t *testing.T) {
	for _, archive := range []bool{false, true} {
		dir := t.TempDir()
		opts := wal.Options{SegmentSize: 128}
		if archive {
			opts.ArchiveDir = filepath.Join(t.TempDir(), "archive")
		}
		l, _, _, err := openLog(t, dir, opts)
		if err != nil {
			t.Fatal(err)
		}
		writeN(t, l, 0, 30)
		cut := l.End()
		writeN(t, l, 30, 10)
		nsegs := len(segments(t, dir))
		removed, err := l.RemoveBefore(cut)
		if err != nil || removed == 0 {
			t.Fatalf("removed %d: %v", removed, err)
		}
		if got := len(segments(t, dir)); got != nsegs-removed {
			t.Fatalf("segments %d, want %d", got, nsegs-removed)
		}
		if archive {
			if got := len(segments(t, opts.ArchiveDir)); got != removed {
				t.Fatalf("archived %d, want %d", got, removed)
			}
		}
		l.Close()
		l2, err := wal.Open(dir, opts, zerolog.Nop())
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if _, err := l2.Replay(cut, func(wal.Record) error { n++; return nil }); err != nil || n != 10 {
			t.Fatalf("replay after removal: %d records, %v", n, err)
		}
		l2.Close()
	}
}

// TestRandomizedCrash writes random batches, syncs at random, and "crashes" by cutting
// the unsynced part of the last segment at a random byte (a torn write). Every synced
// record must survive, and what survives must be a prefix of what was written.
// TestPowerLossHole: a power loss during a group's fsync can persist the group's
// blocks out of order, leaving a hole followed by valid records that were never
// acknowledged. Strict recovery must take that as a torn tail, not as corruption —
// and still refuse the same damage once a later sync mark proves it was durable.
func TestPowerLossHole(t *testing.T) {
	for _, proven := range []bool{false, true} {
		t.Run(fmt.Sprintf("durable=%v", proven), func(t *testing.T) {
			dir := t.TempDir()
			opts := wal.Options{SegmentSize: 1 << 20, NoPreallocate: true}
			l, _, _, err := openLog(t, dir, opts)
			if err != nil {
				t.Fatal(err)
			}
			writeN(t, l, 0, 10) // acknowledged
			// One group of 5 records, written but (as far as the disk knows) not synced.
			var group []wal.Entry
			for i := 10; i < 15; i++ {
				group = append(group, wal.Entry{Type: 1, Payload: payload(i)})
			}
			if _, err := l.Write(group); err != nil {
				t.Fatal(err)
			}
			if proven {
				// The group's fsync completes and a later write records it.
				if _, err := l.Sync(); err != nil {
					t.Fatal(err)
				}
				writeN(t, l, 15, 1)
			}
			l.Close()
			// Zero the second record of the group: a block the disk never wrote.
			seg := segments(t, dir)[0]
			b, err := os.ReadFile(seg)
			if err != nil {
				t.Fatal(err)
			}
			hole := group[1].LSN
			for i := hole; i < hole+wal.LSN(wal.HeaderSize+len(group[1].Payload)); i++ {
				b[i] = 0
			}
			if err := os.WriteFile(seg, b, 0o600); err != nil {
				t.Fatal(err)
			}
			l, recs, st, err := openLog(t, dir, opts)
			if proven {
				if !errors.Is(err, wal.ErrCorrupt) {
					t.Fatalf("damage before a sync mark covering it: want ErrCorrupt, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("hole in the unsynced tail refused: %v", err)
			}
			defer l.Close()
			if !st.Truncated {
				t.Fatal("hole not truncated")
			}
			checkRecords(t, recs, 11) // the acknowledged 10, and the group's first record
			if st.End != hole {
				t.Fatalf("log resumes at %s, want %s", st.End, hole)
			}
		})
	}
}

func TestRandomizedCrash(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 30 {
		dir := t.TempDir()
		opts := wal.Options{SegmentSize: int64(200 + rng.IntN(2000))}
		var model [][]byte // records written so far, across restarts
		durable := 0
		for life := range 3 {
			l, recs, st, err := openLog(t, dir, opts)
			if err != nil {
				t.Fatalf("round %d life %d: %v", round, life, err)
			}
			if len(recs) < durable || len(recs) > len(model) {
				t.Fatalf("round %d: replayed %d records, durable %d, written %d", round, len(recs), durable, len(model))
			}
			for i, r := range recs {
				if !bytes.Equal(r.Payload, model[i]) {
					t.Fatalf("round %d: record %d differs", round, i)
				}
			}
			model = model[:len(recs)]
			durable = len(recs)
			syncedEnd := st.End // what replay found is on disk
			for range rng.IntN(50) {
				var batch []wal.Entry
				for range 1 + rng.IntN(4) {
					p := make([]byte, rng.IntN(300))
					for i := range p {
						p[i] = byte(rng.Uint32())
					}
					batch = append(batch, wal.Entry{Type: 1, Payload: p})
					model = append(model, p)
				}
				if _, err := l.Write(batch); err != nil {
					t.Fatal(err)
				}
				if rng.IntN(3) == 0 {
					if syncedEnd, err = l.Sync(); err != nil {
						t.Fatal(err)
					}
					durable = len(model)
				}
			}
			end := l.End()
			l.Close()
			// Tear: cut the last segment somewhere after the synced end.
			if end > syncedEnd && rng.IntN(2) == 0 {
				segs := segments(t, dir)
				last := segs[len(segs)-1]
				fi, _ := os.Stat(last)
				start := int64(end) - fi.Size()
				lo := max(int64(syncedEnd)-start, 0)
				cut := lo + rng.Int64N(fi.Size()-lo+1)
				if rng.IntN(2) == 0 {
					os.Truncate(last, cut)
				} else {
					// A power loss can also leave a hole (blocks never written)
					// anywhere after the synced end, with valid data after it.
					b, _ := os.ReadFile(last)
					n := rng.Int64N(int64(len(b)) - cut + 1)
					clear(b[cut : cut+n])
					os.WriteFile(last, b, 0o600)
				}
			}
		}
	}
}

func FuzzDecodeRecord(f *testing.F) {
	f.Add([]byte{}, uint64(0))
	dir := f.TempDir()
	l, _ := wal.Open(dir, wal.Options{}, zerolog.Nop())
	l.Replay(0, func(wal.Record) error { return nil })
	l.Write([]wal.Entry{{Type: 1, Payload: []byte("hello")}})
	l.Close()
	rec, _ := os.ReadFile(filepath.Join(dir, "0000000000000000.wal"))
	f.Add(rec, uint64(0))
	f.Fuzz(func(t *testing.T, b []byte, lsn uint64) {
		r, err := wal.DecodeRecord(b, wal.LSN(lsn))
		if err != nil {
			return
		}
		if r.LSN != wal.LSN(lsn) || len(r.Payload) > len(b) {
			t.Fatalf("bad decode %+v", r)
		}
	})
}

// FuzzReplay: replay of an arbitrary segment file never panics, and either fails
// or yields records whose total size fits the file.
func FuzzReplay(f *testing.F) {
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, seg []byte) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "0000000000000000.wal"), seg, 0o600)
		for _, mode := range []wal.RecoveryMode{wal.RecoveryStrict, wal.RecoveryTruncate} {
			l, err := wal.Open(dir, wal.Options{RecoveryMode: mode}, zerolog.Nop())
			if err != nil {
				t.Fatal(err)
			}
			var total int64
			st, err := l.Replay(0, func(r wal.Record) error { total += int64(wal.HeaderSize + len(r.Payload)); return nil })
			l.Close()
			if err == nil && (total > int64(len(seg)) || st.End != wal.LSN(total)) {
				t.Fatalf("replayed %d bytes of %d, end %s", total, len(seg), st.End)
			}
		}
	})
}
