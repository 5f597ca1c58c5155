package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgerrcode"
	"github.com/rs/zerolog"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/wal"
	"github.com/augurdb/augur/storage/wal/faultfs"
)

var ctx = context.Background()

func open(t *testing.T, dir string, opts Options) *Store {
	t.Helper()
	if opts.CheckpointTimeout == 0 {
		opts.CheckpointTimeout = -1
	}
	opts.BadgerMemTableSize = 8 << 20
	if opts.SegmentSize == 0 {
		opts.SegmentSize = 1 << 20 // segments are zero-filled: keep tests light
	}
	s, err := Open(ctx, dir, opts, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func k(i int) []byte { return []byte(fmt.Sprintf("k%06d", i)) }

func mustCommit(t *testing.T, tx *Txn) uint64 {
	t.Helper()
	ts, err := tx.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func get(t *testing.T, tx *Txn, key []byte) string {
	t.Helper()
	v, ok, err := tx.Get(key)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		return "<none>"
	}
	return string(v)
}

func scan(t *testing.T, tx *Txn, start, end []byte) []string {
	t.Helper()
	var out []string
	it := tx.Scan(start, end)
	defer it.Close()
	for ; it.Valid(); it.Next() {
		v, err := it.Value()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(it.Key())+"="+string(v))
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestTxnBasics(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	defer s.Close(ctx)

	tx := s.Begin(TxnOptions{})
	tx.Put([]byte("a"), []byte("1"))
	tx.Put([]byte("c"), []byte("3"))
	ts1 := mustCommit(t, tx)

	reader := s.Begin(TxnOptions{}) // snapshot before the second commit
	defer reader.Abort()

	tx = s.Begin(TxnOptions{})
	tx.Put([]byte("b"), []byte("2"))
	tx.Delete([]byte("a"))
	tx.Put([]byte("c"), []byte("33"))
	// Own writes, in gets and ordered scans.
	if got := scan(t, tx, nil, nil); fmt.Sprint(got) != "[b=2 c=33]" {
		t.Fatalf("own-writes scan: %v", got)
	}
	if got := get(t, tx, []byte("a")); got != "<none>" {
		t.Fatalf("own delete: %v", got)
	}
	ts2 := mustCommit(t, tx)
	if ts2 <= ts1 {
		t.Fatalf("commit timestamps not increasing: %d then %d", ts1, ts2)
	}
	if got := scan(t, reader, nil, nil); fmt.Sprint(got) != "[a=1 c=3]" {
		t.Fatalf("old snapshot sees %v", got)
	}
	if got := scan(t, s.Begin(TxnOptions{}), []byte("b"), []byte("c")); fmt.Sprint(got) != "[b=2]" {
		t.Fatalf("range scan: %v", got)
	}

	// Abort leaves no trace.
	tx = s.Begin(TxnOptions{})
	tx.Put([]byte("z"), []byte("x"))
	tx.Abort()
	if got := get(t, s.Begin(TxnOptions{}), []byte("z")); got != "<none>" {
		t.Fatalf("aborted write visible: %v", got)
	}
	if _, err := tx.Commit(ctx); !errors.Is(err, ErrTxnDone) {
		t.Fatalf("commit after abort: %v", err)
	}
	if err := s.Begin(TxnOptions{}).Put([]byte{0, 1}, nil); err == nil {
		t.Fatal("reserved key accepted")
	}
}

func TestWriteConflict(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	defer s.Close(ctx)
	t1, t2 := s.Begin(TxnOptions{}), s.Begin(TxnOptions{})
	t1.Put([]byte("x"), []byte("1"))
	t2.Delete([]byte("x"))
	mustCommit(t, t1)
	_, err := t2.Commit(ctx)
	if pgerr.Code(err) != pgerrcode.SerializationFailure {
		t.Fatalf("want 40001, got %v", err)
	}
	// A deletion is a version too.
	t3, t4 := s.Begin(TxnOptions{}), s.Begin(TxnOptions{})
	t3.Delete([]byte("x"))
	t4.Put([]byte("x"), []byte("2"))
	mustCommit(t, t3)
	if _, err := t4.Commit(ctx); pgerr.Code(err) != pgerrcode.SerializationFailure {
		t.Fatalf("want 40001 after delete, got %v", err)
	}
}

// TestModel runs random transactions from several goroutines against a model and
// crashes and reopens the store between rounds; the store must match the model.
func TestModel(t *testing.T) {
	dir := t.TempDir()
	model := map[string]string{}
	rng := rand.New(rand.NewPCG(3, 4))
	for round := range 4 {
		opts := Options{SegmentSize: 16 << 10, TxnBufferMax: 2 << 10, AsyncCommit: round == 2}
		s := open(t, dir, opts)
		check(t, s, model)
		var mu sync.Mutex
		var wg sync.WaitGroup
		for w := range 4 {
			seed := rng.Uint64()
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(seed, uint64(w)))
				for range 40 {
					tx := s.Begin(TxnOptions{})
					local := map[string]*string{}
					for range 1 + r.IntN(30) {
						key := string(k(r.IntN(300)))
						if r.IntN(4) == 0 {
							tx.Delete([]byte(key))
							local[key] = nil
						} else {
							v := fmt.Sprintf("v%d", r.Uint32())
							tx.Put([]byte(key), []byte(v))
							local[key] = &v
						}
					}
					// Hold the model lock over commit so model order = commit order.
					mu.Lock()
					_, err := tx.Commit(ctx)
					if err == nil {
						for key, v := range local {
							if v == nil {
								delete(model, key)
							} else {
								model[key] = *v
							}
						}
					} else if pgerr.Code(err) != pgerrcode.SerializationFailure {
						mu.Unlock()
						t.Error(err)
						return
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		check(t, s, model)
		if round%2 == 0 {
			s.crash()
		} else if err := s.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// One more restart with default options.
	s := open(t, dir, Options{})
	check(t, s, model)
	s.Close(ctx)
}

func check(t *testing.T, s *Store, model map[string]string) {
	t.Helper()
	var want []string
	for key, v := range model {
		want = append(want, key+"="+v)
	}
	sort.Strings(want)
	tx := s.Begin(TxnOptions{})
	defer tx.Abort()
	got := scan(t, tx, nil, nil)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("store has %d keys, model %d\n got %v\nwant %v", len(got), len(want), got, want)
	}
}

// TestReplayRebuildsBadger: with no checkpoint, deleting Badger's directory after a
// crash loses nothing, because the WAL holds every commit.
func TestReplayRebuildsBadger(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{SegmentSize: 4 << 10})
	model := map[string]string{}
	for i := range 200 {
		tx := s.Begin(TxnOptions{})
		if i%7 == 3 {
			// Replayed deletions must hide the versions before them.
			tx.Delete(k(i % 50))
			delete(model, string(k(i%50)))
		} else {
			tx.Put(k(i%50), []byte(fmt.Sprint(i)))
			model[string(k(i%50))] = fmt.Sprint(i)
		}
		mustCommit(t, tx)
	}
	s.crash()
	os.RemoveAll(filepath.Join(dir, "badger"))
	s, rs, err := OpenWithStats(ctx, dir, Options{CheckpointTimeout: -1, SegmentSize: 1 << 20}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	if rs.Records != 200 || rs.Bytes == 0 {
		t.Fatalf("replayed %+v", rs)
	}
	check(t, s, model)
	// A later commit gets a newer timestamp than every replayed one.
	tx := s.Begin(TxnOptions{})
	tx.Put(k(0), []byte("new"))
	mustCommit(t, tx)
	model[string(k(0))] = "new"
	check(t, s, model)
	s.Close(ctx)
}

func TestSpill(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{TxnBufferMax: 8 << 10})
	pre := s.Begin(TxnOptions{})
	pre.Put(k(5), []byte("old"))
	pre.Put(k(9000), []byte("committed"))
	mustCommit(t, pre)

	tx := s.Begin(TxnOptions{})
	model := map[string]string{string(k(9000)): "committed"}
	for i := range 5000 {
		v := fmt.Sprintf("v%d-%s", i, bytes.Repeat([]byte("p"), i%40))
		tx.Put(k(i), []byte(v))
		model[string(k(i))] = v
	}
	for i := 0; i < 5000; i += 7 { // overwrite across runs
		tx.Put(k(i), []byte("over"))
		model[string(k(i))] = "over"
	}
	for i := 3; i < 5000; i += 11 {
		tx.Delete(k(i))
		delete(model, string(k(i)))
	}
	if !tx.Spilled() {
		t.Fatal("expected the write set to spill")
	}
	for _, i := range []int{0, 3, 5, 7, 14, 4999, 9000} {
		want, ok := model[string(k(i))]
		if !ok {
			want = "<none>"
		}
		if got := get(t, tx, k(i)); got != want {
			t.Fatalf("get %d: %q want %q", i, got, want)
		}
	}
	checkTxn(t, tx, model)
	mustCommit(t, tx)
	check(t, s, model)
	s.crash()
	// Replay must apply the chain: remove Badger and rebuild from the WAL.
	os.RemoveAll(filepath.Join(dir, "badger"))
	s = open(t, dir, Options{})
	check(t, s, model)
	s.Close(ctx)
}

func checkTxn(t *testing.T, tx *Txn, model map[string]string) {
	t.Helper()
	var want []string
	for key, v := range model {
		want = append(want, key+"="+v)
	}
	sort.Strings(want)
	if got := scan(t, tx, nil, nil); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("txn scan: %d keys, want %d", len(got), len(want))
	}
}

func TestDiskFull(t *testing.T) {
	ffs := faultfs.New(wal.OSFS{})
	s := open(t, t.TempDir(), Options{FS: ffs})
	defer s.Close(ctx)
	put := func(key, v string) error {
		tx := s.Begin(TxnOptions{})
		tx.Put([]byte(key), []byte(v))
		_, err := tx.Commit(ctx)
		return err
	}
	if err := put("a", "1"); err != nil {
		t.Fatal(err)
	}
	ffs.FailWrites(syscall.ENOSPC, 10)
	if err := put("b", "2"); pgerr.Code(err) != pgerrcode.DiskFull {
		t.Fatalf("want 53100, got %v", err)
	}
	tx := s.Begin(TxnOptions{})
	if got := get(t, tx, []byte("a")); got != "1" {
		t.Fatalf("earlier commit lost: %v", got)
	}
	if got := get(t, tx, []byte("b")); got != "<none>" {
		t.Fatalf("failed commit visible: %v", got)
	}
	tx.Abort()
	ffs.Heal()
	if err := put("b", "3"); err != nil {
		t.Fatalf("writes did not resume: %v", err)
	}
}

func TestIOErrors(t *testing.T) {
	tests := []struct {
		name   string
		inject func(*faultfs.FS)
		// readOnly: the store refuses all later writes
		readOnly bool
	}{
		{"EIO on write", func(f *faultfs.FS) { f.FailWrites(syscall.EIO, 3) }, false},
		{"fsync fails", func(f *faultfs.FS) { f.FailSyncs(syscall.EIO) }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			ffs := faultfs.New(wal.OSFS{})
			s := open(t, dir, Options{FS: ffs})
			put := func(key string) error {
				tx := s.Begin(TxnOptions{})
				tx.Put([]byte(key), []byte("v"))
				_, err := tx.Commit(ctx)
				return err
			}
			if err := put("a"); err != nil {
				t.Fatal(err)
			}
			tt.inject(ffs)
			if err := put("b"); pgerr.Code(err) != pgerrcode.IOError {
				t.Fatalf("want 58030, got %v", err)
			}
			ffs.Heal()
			err := put("c")
			if tt.readOnly != (pgerr.Code(err) == pgerrcode.IOError) {
				t.Fatalf("after heal: %v (read-only expected: %v)", err, tt.readOnly)
			}
			tx := s.Begin(TxnOptions{})
			if got := get(t, tx, []byte("a")); got != "v" {
				t.Fatalf("reads broken: %v", got)
			}
			tx.Abort()
			s.Close(ctx)
			// A restart clears the read-only state.
			s = open(t, dir, Options{})
			if err := put("d"); err != nil {
				t.Fatalf("after restart: %v", err)
			}
			s.Close(ctx)
		})
	}
}

func TestCheckpointRemovesSegments(t *testing.T) {
	dir := t.TempDir()
	archive := filepath.Join(t.TempDir(), "archive")
	s := open(t, dir, Options{SegmentSize: 2 << 10, ArchiveDir: archive})
	for i := range 300 {
		tx := s.Begin(TxnOptions{})
		tx.Put(k(i), bytes.Repeat([]byte("x"), 50))
		mustCommit(t, tx)
	}
	before, _ := filepath.Glob(filepath.Join(dir, "wal", "*.wal"))
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	after, _ := filepath.Glob(filepath.Join(dir, "wal", "*.wal"))
	archived, _ := filepath.Glob(filepath.Join(archive, "*.wal"))
	if len(after) != 1 || len(archived) != len(before)-1 {
		t.Fatalf("segments before %d, after %d, archived %d", len(before), len(after), len(archived))
	}
	s.crash()
	s, rs, err := OpenWithStats(ctx, dir, Options{CheckpointTimeout: -1, SegmentSize: 1 << 20}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	if rs.Records != 0 {
		t.Fatalf("replayed %d records after a checkpoint", rs.Records)
	}
	tx := s.Begin(TxnOptions{})
	if got := len(scan(t, tx, nil, nil)); got != 300 {
		t.Fatalf("%d keys after restart", got)
	}
	tx.Abort()
	s.Close(ctx)
}

// TestCommitAfterDiscard: commits keep working after the discard horizon moves
// (a regression: Badger's conflict detection asserted on managed write batches).
func TestCommitAfterDiscard(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	defer s.Close(ctx)
	for i := range 3 {
		tx := s.Begin(TxnOptions{})
		tx.Put(k(i), []byte("v"))
		mustCommit(t, tx)
		s.db.SetDiscardTs(s.discardTs())
	}
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestApplyFailure: a commit whose WAL record is durable but whose apply to Badger
// fails is committed, and acknowledged as such (the apply follows the
// acknowledgement). The store stops writes (58030, with the cause, for the next
// writer; reads keep working at the last applied commit), and the next Open
// replays the commit and completes it. Badger is not removed here: the replay
// must also be correct over a Badger that already holds everything applied
// before the failure.
func TestApplyFailure(t *testing.T) {
	for _, async := range []bool{false, true} {
		t.Run(fmt.Sprintf("async=%v", async), func(t *testing.T) {
			dir := t.TempDir()
			s := open(t, dir, Options{AsyncCommit: async})
			put := func(key, v string) error {
				tx := s.Begin(TxnOptions{})
				tx.Put([]byte(key), []byte(v))
				_, err := tx.Commit(ctx)
				return err
			}
			if err := put("a", "1"); err != nil {
				t.Fatal(err)
			}
			// A read of a waits until its commit is in Badger, so the fault below
			// hits b's apply, not a's.
			check(t, s, map[string]string{"a": "1"})
			injected := errors.New("injected badger write failure")
			fault := func() error { return injected }
			s.applyFault.Store(&fault)
			if err := put("b", "2"); err != nil {
				t.Fatalf("commit whose apply fails: %v (it is durable: committed)", err)
			}
			// The next commit is staged after b's apply has failed: refused.
			err := put("c", "3")
			if pgerr.Code(err) != pgerrcode.IOError || !errors.Is(err, injected) {
				t.Fatalf("write after failed apply: want 58030 wrapping the cause, got %v", err)
			}
			s.applyFault.Store(nil)
			// Writes stay stopped, whatever the cause was.
			if err := put("c", "3"); pgerr.Code(err) != pgerrcode.IOError {
				t.Fatalf("write after failed apply: want 58030, got %v", err)
			}
			if pgerr.Code(s.ReadOnlyErr()) != pgerrcode.IOError {
				t.Fatalf("ReadOnlyErr = %v", s.ReadOnlyErr())
			}
			// Reads work, and do not see the commit that is not applied.
			tx := s.Begin(TxnOptions{})
			if got := get(t, tx, []byte("a")); got != "1" {
				t.Fatalf("read after failed apply: %q", got)
			}
			if got := get(t, tx, []byte("b")); got != "<none>" {
				t.Fatalf("unapplied commit visible: %q", got)
			}
			tx.Abort()
			s.crash()

			s, rs, err := OpenWithStats(ctx, dir, Options{CheckpointTimeout: -1, SegmentSize: 1 << 20}, zerolog.Nop())
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close(ctx)
			if rs.Records == 0 {
				t.Fatalf("nothing replayed: %+v", rs)
			}
			check(t, s, map[string]string{"a": "1", "b": "2"})
			if err := put("c", "3"); err != nil {
				t.Fatalf("writes after restart: %v", err)
			}
			check(t, s, map[string]string{"a": "1", "b": "2", "c": "3"})
		})
	}
}

// TestOnApplySeesWholeWriteSets: OnApply receives every mutation of every commit,
// including the spilled part of a large write set, with the newest write per key.
func TestOnApplySeesWholeWriteSets(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]string{} // key -> value ("<del>" for deletes), latest call wins
	tsOf := map[string]uint64{}
	opts := Options{TxnBufferMax: 8 << 10, OnApply: func(ts uint64, muts []Mutation) {
		mu.Lock()
		defer mu.Unlock()
		for _, m := range muts {
			v := string(m.Value)
			if m.Delete {
				v = "<del>"
			}
			seen[string(m.Key)] = v
			tsOf[string(m.Key)] = ts
		}
	}}
	s := open(t, t.TempDir(), opts)
	defer s.Close(ctx)

	small := s.Begin(TxnOptions{})
	small.Put(k(1), []byte("one"))
	smallTs := mustCommit(t, small)

	tx := s.Begin(TxnOptions{})
	want := map[string]string{}
	for i := 100; i < 3100; i++ {
		v := fmt.Sprintf("row-%d-%s", i, bytes.Repeat([]byte("x"), 20))
		tx.Put(k(i), []byte(v))
		want[string(k(i))] = v
	}
	for i := 100; i < 3100; i += 9 {
		tx.Delete(k(i))
		want[string(k(i))] = "<del>"
	}
	if !tx.Spilled() {
		t.Fatal("expected the write set to spill")
	}
	bigTs := mustCommit(t, tx)

	mu.Lock()
	defer mu.Unlock()
	if seen[string(k(1))] != "one" || tsOf[string(k(1))] != smallTs {
		t.Fatalf("small commit not reported: %q at %d", seen[string(k(1))], tsOf[string(k(1))])
	}
	for key, v := range want {
		if seen[key] != v || tsOf[key] != bigTs {
			t.Fatalf("%s: OnApply saw %q at %d, want %q at %d", key, seen[key], tsOf[key], v, bigTs)
		}
	}
}

// TestCloseGivesUpOnAFailingDisk removes the data directory under an open store
// with a commit in Badger's memtable: Badger's flush then retries for ever, and
// Close must return (with an error) when its context ends instead of hanging.
func TestCloseGivesUpOnAFailingDisk(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{})
	tx := s.Begin(TxnOptions{})
	tx.Put([]byte("a"), []byte("1"))
	mustCommit(t, tx)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.Close(cctx) }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("Close of a store whose directory is gone reported no error")
		}
		t.Logf("Close: %v", err)
	case <-time.After(2 * time.Minute):
		t.Fatal("Close did not return after its context ended")
	}
}

// TestCommitVisibleBeforeApply: a commit is acknowledged, and visible to the
// next snapshot of any transaction, while its group is still on its way to
// Badger; a read at such a snapshot waits for the apply and sees the commit,
// and a read at an older snapshot does not wait. The apply is held back by the
// fault hook until the reads have started.
func TestCommitVisibleBeforeApply(t *testing.T) {
	for _, async := range []bool{false, true} {
		t.Run(fmt.Sprintf("async=%v", async), func(t *testing.T) {
			s := open(t, t.TempDir(), Options{AsyncCommit: async})
			defer s.Close(ctx)
			tx := s.Begin(TxnOptions{})
			tx.Put([]byte("a"), []byte("1"))
			mustCommit(t, tx)
			old := s.Begin(TxnOptions{}) // snapshot before the held commit
			defer old.Abort()
			if got := get(t, old, []byte("a")); got != "1" { // waits for a's apply
				t.Fatalf("a = %q after its commit", got)
			}

			release := make(chan struct{})
			held := func() error { <-release; return nil }
			s.applyFault.Store(&held)
			tx = s.Begin(TxnOptions{})
			tx.Put([]byte("a"), []byte("2"))
			tx.Put([]byte("b"), []byte("2"))
			// Commit returns while the apply waits for release: were the
			// acknowledgement after the apply, this would never return.
			ts := mustCommit(t, tx)
			if v := s.Visible(); v != ts {
				t.Fatalf("visible %d after commit %d was acknowledged", v, ts)
			}
			if got := get(t, old, []byte("a")); got != "1" {
				t.Fatalf("old snapshot reads a = %q", got)
			}
			reader := s.Begin(TxnOptions{})
			defer reader.Abort()
			if reader.Snapshot() != ts {
				t.Fatalf("new snapshot %d, want the acknowledged commit %d", reader.Snapshot(), ts)
			}
			type result struct {
				a, b string
				err  error
			}
			done := make(chan result, 1)
			go func() {
				var r result
				va, _, err := reader.Get([]byte("a"))
				if err != nil {
					done <- result{err: err}
					return
				}
				r.a = string(va)
				it := reader.Scan([]byte("b"), nil)
				if it.Valid() {
					v, _ := it.Value()
					r.b = string(v)
				}
				r.err = it.Err()
				it.Close()
				done <- r
			}()
			close(release)
			r := <-done
			s.applyFault.Store(nil)
			if r.err != nil || r.a != "2" || r.b != "2" {
				t.Fatalf("read at the acknowledged commit's snapshot: a=%q b=%q err=%v, want 2, 2", r.a, r.b, r.err)
			}
		})
	}
}

// TestReplayMark: after a crash, the commits the replay mark covers are read from
// the log but not applied to Badger again — only when the mark was written in the
// running boot. After a reboot everything since the checkpoint is re-applied over
// what Badger holds (idempotent: the same keys at the same versions). A commit
// logged after the mark (here one whose apply to Badger failed) is applied from
// the log either way.
func TestReplayMark(t *testing.T) {
	for _, tc := range []struct {
		name       string
		reopenBoot string
		trusted    bool
	}{
		{"same boot", "boot-a", true},
		{"after a reboot", "boot-b", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s := open(t, dir, Options{BootID: "boot-a", TxnBufferMax: 8 << 10})
			model := map[string]string{}
			commits := 0
			for i := range 100 {
				tx := s.Begin(TxnOptions{})
				if i%7 == 3 {
					tx.Delete(k(i % 40))
					delete(model, string(k(i%40)))
				} else {
					tx.Put(k(i%40), []byte(fmt.Sprint(i)))
					model[string(k(i%40))] = fmt.Sprint(i)
				}
				mustCommit(t, tx)
				commits++
			}
			// A write set larger than TxnBufferMax: logged as a chain.
			big := s.Begin(TxnOptions{})
			for i := range 400 {
				key := fmt.Sprintf("big%04d", i)
				big.Put([]byte(key), []byte(strings.Repeat("b", 40)))
				model[key] = strings.Repeat("b", 40)
			}
			mustCommit(t, big)
			commits++
			// Wait for the background mark to cover every commit so far.
			s.appliedMu.Lock()
			applied := s.appliedLSN
			s.appliedMu.Unlock()
			for deadline := time.Now().Add(20 * time.Second); ; {
				marked, err := s.readReplayMark()
				if err != nil {
					t.Fatal(err)
				}
				if marked == applied {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("replay mark at %s, want %s", marked, applied)
				}
				time.Sleep(10 * time.Millisecond)
			}
			injected := errors.New("injected badger write failure")
			fault := func() error { return injected }
			s.applyFault.Store(&fault)
			tx := s.Begin(TxnOptions{})
			tx.Put([]byte("after"), []byte("mark"))
			if _, err := tx.Commit(ctx); err != nil {
				t.Fatalf("commit whose apply fails: %v (it is durable: committed)", err)
			}
			model["after"] = "mark"
			// The next commit is staged after that apply has failed: refused.
			tx = s.Begin(TxnOptions{})
			tx.Put([]byte("refused"), []byte("x"))
			if _, err := tx.Commit(ctx); !errors.Is(err, injected) {
				t.Fatalf("commit after a failed apply: %v, want the apply's error", err)
			}
			s.crash()

			s, rs, err := OpenWithStats(ctx, dir, Options{BootID: tc.reopenBoot, CheckpointTimeout: -1, SegmentSize: 1 << 20}, zerolog.Nop())
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close(ctx)
			want := 0
			if tc.trusted {
				want = commits
			}
			if rs.AlreadyApplied != want {
				t.Fatalf("%d commit records taken as in Badger already, want %d (%+v)", rs.AlreadyApplied, want, rs)
			}
			check(t, s, model)
		})
	}
}

// TestCheckpointAfterWALSize: with timed checkpoints off, writing more than
// CheckpointWALSize of WAL checkpoints by itself, so a restart replays from there.
func TestCheckpointAfterWALSize(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{CheckpointWALSize: 32 << 10, SegmentSize: 16 << 10})
	model := map[string]string{}
	for i := range 200 {
		tx := s.Begin(TxnOptions{})
		v := strings.Repeat(fmt.Sprint(i%10), 1000)
		tx.Put(k(i%60), []byte(v))
		model[string(k(i%60))] = v
		mustCommit(t, tx)
	}
	for deadline := time.Now().Add(20 * time.Second); s.checkpointLSN.Load() < 32<<10; {
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint after %d bytes of WAL", s.wal.End())
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.crash()
	s, rs, err := OpenWithStats(ctx, dir, Options{CheckpointTimeout: -1, SegmentSize: 16 << 10}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	if rs.From < 32<<10 {
		t.Fatalf("replay started at %s, before the checkpoint after 32 KiB of WAL", rs.From)
	}
	check(t, s, model)
}
