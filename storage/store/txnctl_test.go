package store

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"testing"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/jackc/pgerrcode"
)

// TestSavepoints checks nested savepoints against a model of the write set, in
// memory and with a write set that spills between the savepoint and the
// rollback.
func TestSavepoints(t *testing.T) {
	for _, tc := range []struct {
		name string
		max  int64
	}{{"memory", 0}, {"spilled", 4 << 10}} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t, t.TempDir(), Options{TxnBufferMax: tc.max})
			defer s.Close(ctx)
			pre := s.Begin(TxnOptions{})
			for i := range 50 {
				pre.Put(k(i), []byte("c"))
			}
			mustCommit(t, pre)
			committed := map[string]string{}
			for i := range 50 {
				committed[string(k(i))] = "c"
			}
			tx := s.Begin(TxnOptions{})
			model := maps.Clone(committed)
			rng := rand.New(rand.NewPCG(1, 2))
			write := func(round int) {
				for range 300 {
					i := rng.IntN(120)
					if rng.IntN(4) == 0 {
						tx.Delete(k(i))
						delete(model, string(k(i)))
						continue
					}
					v := fmt.Sprintf("r%d-%d-%040d", round, i, 0)
					tx.Put(k(i), []byte(v))
					model[string(k(i))] = v
				}
			}
			write(0)
			type sp struct {
				mark  int
				model map[string]string
			}
			var stack []sp
			for round := 1; round <= 6; round++ {
				stack = append(stack, sp{tx.Savepoint(), maps.Clone(model)})
				write(round)
				checkTxn(t, tx, model)
				if round%2 == 0 { // roll back to the innermost, keep it, write again
					top := stack[len(stack)-1]
					if err := tx.RollbackTo(top.mark); err != nil {
						t.Fatal(err)
					}
					model = maps.Clone(top.model)
					checkTxn(t, tx, model)
				}
			}
			// ROLLBACK TO the outermost undoes every round after it.
			if err := tx.RollbackTo(stack[0].mark); err != nil {
				t.Fatal(err)
			}
			model = stack[0].model
			checkTxn(t, tx, model)
			for range stack {
				tx.Release()
			}
			if tc.max > 0 && !tx.Spilled() {
				t.Fatal("expected the write set to spill")
			}
			mustCommit(t, tx)
			check(t, s, model)
		})
	}
}

func TestRefreshAndAtLatest(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	defer s.Close(ctx)
	tx := s.Begin(TxnOptions{})
	tx.Put(k(1), []byte("mine"))
	other := s.Begin(TxnOptions{})
	other.Put(k(2), []byte("theirs"))
	other.Put(k(1), []byte("theirs"))
	ts := mustCommit(t, other)
	if got := get(t, tx, k(2)); got != "<none>" {
		t.Fatalf("snapshot sees a later commit: %q", got)
	}
	err := tx.AtLatest(func() error {
		if got := get(t, tx, k(2)); got != "theirs" {
			return fmt.Errorf("at latest: k2 = %q", got)
		}
		if got := get(t, tx, k(1)); got != "mine" {
			return fmt.Errorf("at latest: own write lost: %q", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := get(t, tx, k(2)); got != "<none>" {
		t.Fatalf("after AtLatest the snapshot moved: %q", got)
	}
	if v, err := tx.LatestVersion(k(1)); err != nil || v != ts {
		t.Fatalf("latest version %d, %v; want %d", v, err, ts)
	}
	if !tx.Written(k(1)) || tx.Written(k(2)) {
		t.Fatal("Written disagrees with the write set")
	}
	// k1 was committed by another transaction after tx's snapshot: the
	// write-write check refuses; without it the commit goes through.
	stale := s.Begin(TxnOptions{})
	stale.Put(k(1), []byte("stale"))
	o1 := s.Begin(TxnOptions{})
	o1.Put(k(1), []byte("o1"))
	mustCommit(t, o1)
	if _, err := stale.Commit(ctx); pgerr.Code(err) != pgerrcode.SerializationFailure {
		t.Fatalf("commit: %v, want 40001", err)
	}
	if err := tx.Refresh(); err != nil {
		t.Fatal(err)
	}
	if got := get(t, tx, k(2)); got != "theirs" {
		t.Fatalf("refreshed snapshot: k2 = %q", got)
	}
	if got := get(t, tx, k(1)); got != "mine" {
		t.Fatalf("refreshed snapshot: own write lost: %q", got)
	}
	tx.Abort()
	tx2 := s.Begin(TxnOptions{})
	tx2.SetConflictCheck(false)
	tx2.Put(k(1), []byte("rc"))
	o2 := s.Begin(TxnOptions{})
	o2.Put(k(1), []byte("o2"))
	mustCommit(t, o2)
	mustCommit(t, tx2)
	r := s.Begin(TxnOptions{})
	defer r.Abort()
	if got := get(t, r, k(1)); got != "rc" {
		t.Fatalf("k1 = %q, want the READ COMMITTED write", got)
	}
}

type recorder struct {
	log  []string
	fail bool
}

func (r *recorder) Read(key []byte) error { r.log = append(r.log, "r "+string(key)); return r.err() }
func (r *recorder) ReadRange(s, e []byte) error {
	r.log = append(r.log, "s "+string(s)+".."+string(e))
	return r.err()
}
func (r *recorder) Write(key []byte) error { r.log = append(r.log, "w "+string(key)); return r.err() }
func (r *recorder) err() error {
	if r.fail {
		return errTracked
	}
	return nil
}

var errTracked = errors.New("tracked")

func TestTracker(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	defer s.Close(ctx)
	tx := s.Begin(TxnOptions{})
	defer tx.Abort()
	r := &recorder{}
	tx.SetTracker(r)
	tx.Get(k(1))
	tx.Put(k(2), []byte("x"))
	it := tx.Scan(k(0), k(9))
	it.Close()
	tx.AtLatest(func() error { tx.Get(k(3)); return nil })
	want := fmt.Sprint([]string{"r " + string(k(1)), "w " + string(k(2)), "s " + string(k(0)) + ".." + string(k(9))})
	if fmt.Sprint(r.log) != want {
		t.Fatalf("tracked %v, want %v", r.log, want)
	}
	r.fail = true
	if _, _, err := tx.Get(k(1)); !errors.Is(err, errTracked) {
		t.Fatalf("get: %v", err)
	}
	if err := tx.Put(k(1), nil); !errors.Is(err, errTracked) {
		t.Fatalf("put: %v", err)
	}
	if err := tx.Scan(nil, nil).Err(); !errors.Is(err, errTracked) {
		t.Fatalf("scan: %v", err)
	}
}
