package lockmgr

import (
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/jackc/pgerrcode"

	"github.com/augurdb/augur/storage/pgerr"
)

// detectorPaths runs a test with checks on the waiters' goroutines and with
// the detector actor attached.
var detectorPaths = []struct {
	name   string
	attach bool
}{{"inline", false}, {"actor", true}}

func newManager(t *testing.T, attach bool) *Manager {
	m := New()
	if attach {
		sys := quietSystem()
		pid, err := sys.Root.SpawnNamed(m.Props(), "lockmgr")
		if err != nil {
			t.Fatal(err)
		}
		m.Attach(sys, pid)
		t.Cleanup(func() { sys.Root.Stop(pid) })
	}
	return m
}

// quietSystem is an actor system that does not log (dead letters after a
// stop are expected here).
func quietSystem() *actor.ActorSystem {
	return actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.DiscardHandler)
	}))
}

var deadlockLine = regexp.MustCompile(`^Process (\d+) waits for (\w+) on (.+); blocked by process (\d+)\.$`)

// TestDeadlock builds cycles of n owners, each holding its first lock and then
// asking for the next one's; exactly one is the victim, and once its caller
// releases its locks (as a failed statement's transaction does), the others
// all get theirs.
func TestDeadlock(t *testing.T) {
	type step struct {
		first, next Tag
		held, want  Mode
	}
	cycles := []struct {
		name  string
		steps []step
	}{
		{"2 owners, tables", []step{
			{relTag(1), relTag(2), AccessExclusive, Share},
			{relTag(2), relTag(1), RowExclusive, Share},
		}},
		{"2 owners, rows", []step{
			{rowTag(1, "a"), rowTag(1, "b"), ForUpdate, ForNoKeyUpdate},
			{rowTag(1, "b"), rowTag(1, "a"), ForNoKeyUpdate, ForKeyShare},
		}},
		{"3 owners, mixed", []step{
			{relTag(1), advTag(5), Exclusive, Exclusive},
			{advTag(5), rowTag(9, "k"), Exclusive, ForShare},
			{rowTag(9, "k"), relTag(1), ForUpdate, RowShare},
		}},
		{"4 owners, advisory", []step{
			{advTag(1), advTag(2), Exclusive, Share},
			{advTag(2), advTag(3), Exclusive, Share},
			{advTag(3), advTag(4), Exclusive, Share},
			{advTag(4), advTag(1), Exclusive, Share},
		}},
	}
	for _, path := range detectorPaths {
		for _, cy := range cycles {
			t.Run(path.name+"/"+cy.name, func(t *testing.T) {
				m := newManager(t, path.attach)
				n := len(cy.steps)
				owners := make([]*Owner, n)
				for i := range owners {
					owners[i] = m.NewOwner(uint32(100 + i))
					acquire(t, m, owners[i], Request{Tag: cy.steps[i].first, Mode: cy.steps[i].held})
				}
				errs := make([]error, n)
				var wg sync.WaitGroup
				for i, o := range owners {
					wg.Add(1)
					go func() {
						defer wg.Done()
						ok, err := m.Acquire(bg, o, Request{Tag: cy.steps[i].next, Mode: cy.steps[i].want, DeadlockTimeout: 5 * time.Millisecond})
						if err == nil && !ok {
							err = errors.New("not granted")
						}
						errs[i] = err
						m.ReleaseXact(o) // the end of the transaction, whether it failed or not
					}()
				}
				wg.Wait()
				victims := 0
				for i, err := range errs {
					if err == nil {
						continue
					}
					var pe *pgerr.Error
					if !errors.As(err, &pe) || pe.Code != pgerrcode.DeadlockDetected {
						t.Errorf("pid %d: %v, want 40P01 or success", owners[i].PID, err)
						continue
					}
					victims++
					checkDeadlockError(t, pe, owners[i].PID, n)
				}
				if victims != 1 {
					t.Errorf("%d victims, want exactly 1 (errors %v)", victims, errs)
				}
				if path.attach && m.actorChecks.Load() == 0 {
					t.Error("no check ran in the detector actor")
				}
				if !path.attach && m.actorChecks.Load() != 0 {
					t.Error("a check ran in an actor that was never attached")
				}
				if m.entries() != 0 || m.waiters() != 0 {
					t.Errorf("left behind: %d entries, %d waiters", m.entries(), m.waiters())
				}
			})
		}
	}
}

// checkDeadlockError checks a 40P01 error's wording: n lines, one per edge,
// forming a cycle that starts at the victim.
func checkDeadlockError(t *testing.T, pe *pgerr.Error, victim uint32, n int) {
	t.Helper()
	if pe.Message != "deadlock detected" || pe.Hint != "See server log for query details." {
		t.Errorf("message %q hint %q", pe.Message, pe.Hint)
	}
	lines := strings.Split(pe.Detail, "\n")
	if len(lines) != n {
		t.Fatalf("detail has %d lines, want %d:\n%s", len(lines), n, pe.Detail)
	}
	from := fmt.Sprint(victim)
	for _, line := range lines {
		mm := deadlockLine.FindStringSubmatch(line)
		if mm == nil {
			t.Fatalf("detail line %q is not in PostgreSQL's form", line)
		}
		if mm[1] != from {
			t.Errorf("line %q: the cycle should go on from process %s", line, from)
		}
		if !strings.Contains(mm[3], "augur") {
			t.Errorf("line %q does not name the database", line)
		}
		from = mm[4]
	}
	if from != fmt.Sprint(victim) {
		t.Errorf("the cycle does not come back to the victim:\n%s", pe.Detail)
	}
}

// TestDeadlockDetail pins the exact wording for one cycle.
func TestDeadlockDetail(t *testing.T) {
	m := New()
	a, b := m.NewOwner(11), m.NewOwner(22)
	acquire(t, m, a, Request{Tag: relTag(16384), Mode: AccessExclusive})
	acquire(t, m, b, Request{Tag: advTag(7), Mode: Exclusive, Session: true})
	bDone := make(chan error, 1)
	go func() {
		// b never checks in time to matter: its own check is an hour away.
		_, err := m.Acquire(bg, b, Request{Tag: relTag(16384), Mode: RowExclusive, DeadlockTimeout: time.Hour})
		bDone <- err
	}()
	waitUntilBlocked(t, m, 22)
	_, err := m.Acquire(bg, a, Request{Tag: advTag(7), Mode: Share, DeadlockTimeout: time.Millisecond})
	var pe *pgerr.Error
	if !errors.As(err, &pe) || pe.Code != pgerrcode.DeadlockDetected {
		t.Fatalf("a: %v, want 40P01", err)
	}
	want := "Process 11 waits for ShareLock on advisory lock [augur,7]; blocked by process 22.\n" +
		"Process 22 waits for RowExclusiveLock on relation 16384 of database augur; blocked by process 11."
	if pe.Detail != want {
		t.Errorf("detail\n%s\nwant\n%s", pe.Detail, want)
	}
	m.ReleaseXact(a)
	if err := <-bDone; err != nil {
		t.Fatalf("b after the victim released: %v", err)
	}
}

// TestNoFalseDeadlock: waits that form no cycle survive many checks and are
// granted when the holder lets go.
func TestNoFalseDeadlock(t *testing.T) {
	for _, path := range detectorPaths {
		t.Run(path.name, func(t *testing.T) {
			m := newManager(t, path.attach)
			// A chain c → b → a, where a waits for nothing, plus d waiting on a
			// lock that a holds in a mode c also wants (a fan-in, no cycle).
			a, b, c, d := m.NewOwner(1), m.NewOwner(2), m.NewOwner(3), m.NewOwner(4)
			acquire(t, m, a, Request{Tag: relTag(1), Mode: AccessExclusive})
			acquire(t, m, b, Request{Tag: relTag(2), Mode: AccessExclusive})
			dt := time.Millisecond
			var wg sync.WaitGroup
			errs := make(chan error, 3)
			waitFor := func(o *Owner, tag Tag, release bool) {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := m.Acquire(bg, o, Request{Tag: tag, Mode: AccessShare, DeadlockTimeout: dt})
					errs <- err
					if release {
						m.ReleaseXact(o)
					}
				}()
			}
			waitFor(b, relTag(1), true)
			waitUntilBlocked(t, m, 2)
			waitFor(c, relTag(2), true)
			waitFor(d, relTag(1), true)
			waitUntilBlocked(t, m, 3)
			waitUntilBlocked(t, m, 4)
			checks := m.checks.Load()
			waitUntil(t, "several deadlock checks ran", func() bool { return m.checks.Load() >= checks+9 })
			if m.waiters() != 3 {
				t.Fatalf("%d waiters after the checks, want 3", m.waiters())
			}
			m.ReleaseXact(a)
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Errorf("false deadlock: %v", err)
				}
			}
			if path.attach && m.actorChecks.Load() == 0 {
				t.Error("no check ran in the detector actor")
			}
		})
	}
}

// TestStoppedDetector: when the attached detector is gone, waiters still find
// their deadlocks (they check themselves after another DeadlockTimeout).
func TestStoppedDetector(t *testing.T) {
	m := New()
	sys := quietSystem()
	pid, err := sys.Root.SpawnNamed(m.Props(), "lockmgr")
	if err != nil {
		t.Fatal(err)
	}
	if err := sys.Root.StopFuture(pid).Wait(); err != nil {
		t.Fatal(err)
	}
	m.Attach(sys, pid)
	a, b := m.NewOwner(1), m.NewOwner(2)
	acquire(t, m, a, Request{Tag: relTag(1), Mode: Exclusive})
	acquire(t, m, b, Request{Tag: relTag(2), Mode: Exclusive})
	errs := make(chan error, 2)
	for _, tc := range []struct {
		o   *Owner
		tag Tag
	}{{a, relTag(2)}, {b, relTag(1)}} {
		go func() {
			_, err := m.Acquire(bg, tc.o, Request{Tag: tc.tag, Mode: Exclusive, DeadlockTimeout: time.Millisecond})
			m.ReleaseXact(tc.o)
			errs <- err
		}()
	}
	victims := 0
	for range 2 {
		if err := <-errs; pgerr.Code(err) == pgerrcode.DeadlockDetected {
			victims++
		} else if err != nil {
			t.Error(err)
		}
	}
	if victims != 1 {
		t.Errorf("%d victims, want 1", victims)
	}
}
