package wal_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgerrcode"
	"github.com/rs/zerolog"

	walactor "github.com/augurdb/augur/actors/wal"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/store"
)

// TestBankThroughActor: concurrent transfers through the WAL actor keep the sum,
// every acknowledged transfer survives a crash-free restart, and groups form
// (fewer fsyncs than commits is not asserted: no timing assumptions).
func TestBankThroughActor(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	const accounts, workers, transfers = 20, 8, 50
	open := func() *store.Store {
		sys := walactor.NewSystem(zerolog.Nop())
		s, err := store.Open(ctx, dir, store.Options{NewCommitter: walactor.New(sys, 64), CheckpointTimeout: -1}, zerolog.Nop())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := open()
	tx := s.Begin(store.TxnOptions{})
	for i := range accounts {
		tx.Put([]byte(fmt.Sprintf("acct%02d", i)), []byte("100"))
	}
	if _, err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	var committed, conflicts atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range transfers {
				from := fmt.Sprintf("acct%02d", (w*7+i)%accounts)
				to := fmt.Sprintf("acct%02d", (w*3+i*5+1)%accounts)
				if from == to {
					continue
				}
				tx := s.Begin(store.TxnOptions{})
				var fv, tv int
				v, _, _ := tx.Get([]byte(from))
				fmt.Sscan(string(v), &fv)
				v, _, _ = tx.Get([]byte(to))
				fmt.Sscan(string(v), &tv)
				tx.Put([]byte(from), []byte(fmt.Sprint(fv-1)))
				tx.Put([]byte(to), []byte(fmt.Sprint(tv+1)))
				_, err := tx.Commit(ctx)
				switch pgerr.Code(err) {
				case "":
					committed.Add(1)
				case pgerrcode.SerializationFailure:
					conflicts.Add(1)
				default:
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if committed.Load() == 0 {
		t.Fatal("no transfer committed")
	}
	sum := func(s *store.Store) int {
		tx := s.Begin(store.TxnOptions{})
		defer tx.Abort()
		total := 0
		it := tx.Scan(nil, nil)
		defer it.Close()
		for ; it.Valid(); it.Next() {
			v, _ := it.Value()
			var n int
			fmt.Sscan(string(v), &n)
			total += n
		}
		return total
	}
	if got := sum(s); got != accounts*100 {
		t.Fatalf("sum %d, want %d", got, accounts*100)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	s = open()
	defer s.Close(ctx)
	if got := sum(s); got != accounts*100 {
		t.Fatalf("after restart: sum %d", got)
	}
	t.Logf("committed %d, conflicts %d", committed.Load(), conflicts.Load())
}
