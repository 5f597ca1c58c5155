package lockmgr

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgerrcode"

	"github.com/augurdb/augur/storage/pgerr"
)

// TestStress runs many owners that take random locks on a few hot tags in
// random order — so they block, time out, get cancelled and deadlock — and
// checks the table's invariants (above all: no two owners ever hold
// conflicting modes on one tag) while they run and that it empties at the end.
func TestStress(t *testing.T) {
	for _, path := range detectorPaths {
		t.Run(path.name, func(t *testing.T) {
			m := newManager(t, path.attach)
			const owners = 12
			iterations := 400
			if testing.Short() {
				iterations = 30
			}
			tags := []Tag{relTag(1), relTag(2), relTag(3), advTag(1), advTag(2),
				rowTag(1, "a"), rowTag(1, "b"), rowTag(1, "c"), rowTag(2, "a")}
			var granted, deadlocks, timeouts, cancels, refused atomic.Int64
			var wg sync.WaitGroup
			stop := make(chan struct{})
			checkerDone := make(chan error, 1)
			go func() { // check the invariants while the owners run
				for {
					if err := m.checkInvariants(false); err != nil {
						checkerDone <- err
						return
					}
					select {
					case <-stop:
						checkerDone <- nil
						return
					case <-time.After(200 * time.Microsecond):
					}
				}
			}()
			for i := range owners {
				o := m.NewOwner(uint32(i + 1))
				rng := rand.New(rand.NewPCG(uint64(i), 42))
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer m.Close(o)
					for range iterations {
						// One transaction: a few locks, then its end.
					stmts:
						for range 1 + rng.IntN(3) {
							tag := tags[rng.IntN(len(tags))]
							r := Request{Tag: tag, DeadlockTimeout: time.Millisecond, Session: rng.IntN(8) == 0}
							switch tag.Space {
							case SpaceRow:
								r.Mode = rowModes[rng.IntN(len(rowModes))]
							case SpaceAdvisory:
								r.Mode = []Mode{Share, Exclusive}[rng.IntN(2)]
							default:
								r.Mode = tableModes[rng.IntN(len(tableModes))]
							}
							ctx, cancel := context.Background(), context.CancelFunc(func() {})
							switch rng.IntN(10) {
							case 0:
								r.Wait = NoWait
							case 1:
								r.Wait = SkipLocked
							case 2:
								r.LockTimeout = time.Duration(rng.IntN(2000)) * time.Microsecond
							case 3:
								ctx, cancel = context.WithTimeout(ctx, time.Duration(rng.IntN(2000))*time.Microsecond)
							}
							ok, err := m.Acquire(ctx, o, r)
							cancel()
							switch {
							case err == nil && ok:
								granted.Add(1)
								if rng.IntN(4) == 0 {
									if !m.Release(o, r.Tag, r.Mode, r.Session) {
										t.Errorf("pid %d: Release of a granted lock reported not held", o.PID)
									}
								}
								continue
							case err == nil, errors.Is(err, ErrWouldBlock):
								refused.Add(1)
							case errors.Is(err, context.DeadlineExceeded):
								cancels.Add(1)
							case pgerr.Code(err) == pgerrcode.DeadlockDetected:
								deadlocks.Add(1)
							case pgerr.Code(err) == pgerrcode.LockNotAvailable:
								timeouts.Add(1)
							default:
								t.Errorf("pid %d: unexpected error %v", o.PID, err)
							}
							break stmts // a failed statement ends the transaction
						}
						m.ReleaseXact(o)
						if rng.IntN(5) == 0 {
							m.ReleaseSession(o, SpaceAdvisory)
						}
					}
				}()
			}
			wg.Wait()
			close(stop)
			if err := <-checkerDone; err != nil {
				t.Fatal(err)
			}
			mustInvariants(t, m)
			if n, w := m.entries(), m.waiters(); n != 0 || w != 0 {
				t.Fatalf("after every owner closed: %d entries, %d waiters", n, w)
			}
			if granted.Load() == 0 {
				t.Fatal("nothing was granted")
			}
			t.Logf("granted %d, refused %d, deadlocks %d, lock timeouts %d, cancels %d, checks %d (actor %d)",
				granted.Load(), refused.Load(), deadlocks.Load(), timeouts.Load(), cancels.Load(),
				m.checks.Load(), m.actorChecks.Load())
		})
	}
}
