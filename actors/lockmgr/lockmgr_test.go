package lockmgr

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgerrcode"

	"github.com/augurdb/augur/storage/pgerr"
)

var bg = context.Background()

func acquire(t *testing.T, m *Manager, o *Owner, r Request) {
	t.Helper()
	ok, err := m.Acquire(bg, o, r)
	if err != nil || !ok {
		t.Fatalf("pid %d: Acquire(%v %v) = %v, %v; want granted", o.PID, r.Mode, r.Tag, ok, err)
	}
}

// try reports whether o can take mode on tag at once (NoWait), and gives the
// lock back when it could.
func try(t *testing.T, m *Manager, o *Owner, tag Tag, mode Mode) bool {
	t.Helper()
	ok, err := m.Acquire(bg, o, Request{Tag: tag, Mode: mode, Wait: NoWait})
	switch {
	case errors.Is(err, ErrWouldBlock):
		return false
	case err != nil || !ok:
		t.Fatalf("pid %d: NoWait Acquire(%v) = %v, %v", o.PID, mode, ok, err)
	}
	if !m.Release(o, tag, mode, false) {
		t.Fatalf("pid %d: Release(%v) after a granted try reported not held", o.PID, mode)
	}
	return true
}

// TestAcquireFollowsConflicts checks the manager against Conflicts for every
// pair of modes of both sets, and that a refused request leaves nothing behind.
func TestAcquireFollowsConflicts(t *testing.T) {
	for _, tc := range []struct {
		name  string
		tag   Tag
		modes []Mode
	}{
		{"table", relTag(16384), tableModes},
		{"row", rowTag(16384, "k"), rowModes},
		{"advisory", advTag(1), []Mode{Share, Exclusive}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := New()
			a, b := m.NewOwner(1), m.NewOwner(2)
			for _, held := range tc.modes {
				for _, req := range tc.modes {
					acquire(t, m, a, Request{Tag: tc.tag, Mode: held})
					if got := try(t, m, b, tc.tag, req); got == Conflicts(held, req) {
						t.Errorf("held %v, request %v by another owner: granted=%v, want %v", held, req, got, !Conflicts(held, req))
					}
					// SkipLocked answers the same question without an error.
					ok, err := m.Acquire(bg, b, Request{Tag: tc.tag, Mode: req, Wait: SkipLocked})
					if err != nil || ok == Conflicts(held, req) {
						t.Errorf("held %v, SkipLocked %v: %v, %v", held, req, ok, err)
					}
					if ok {
						m.Release(b, tc.tag, req, false)
					}
					mustInvariants(t, m)
					m.ReleaseXact(a)
					if n := m.entries(); n != 0 {
						t.Fatalf("held %v, request %v: %d entries left after release", held, req, n)
					}
				}
			}
		})
	}
}

func TestOwnLocksNeverConflict(t *testing.T) {
	for _, tc := range []struct {
		name  string
		tag   Tag
		modes []Mode
	}{
		{"table", relTag(1), tableModes},
		{"row", rowTag(1, "k"), rowModes},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := New()
			o := m.NewOwner(1)
			// Every mode on top of every other, all held at once by one owner.
			for _, md := range tc.modes {
				acquire(t, m, o, Request{Tag: tc.tag, Mode: md, Wait: NoWait})
			}
			for i := len(tc.modes) - 1; i >= 0; i-- {
				acquire(t, m, o, Request{Tag: tc.tag, Mode: tc.modes[i], Wait: NoWait, Session: true})
			}
			mustInvariants(t, m)
			m.Close(o)
			if n := m.entries(); n != 0 {
				t.Fatalf("%d entries left after Close", n)
			}
		})
	}
}

func TestCountsAndLevels(t *testing.T) {
	m := New()
	a, b := m.NewOwner(1), m.NewOwner(2)
	tag := advTag(7)
	for range 3 {
		acquire(t, m, a, Request{Tag: tag, Mode: Exclusive})
	}
	acquire(t, m, a, Request{Tag: tag, Mode: Exclusive, Session: true})
	acquire(t, m, a, Request{Tag: tag, Mode: Exclusive, Session: true})
	mustInvariants(t, m)

	steps := []struct {
		name     string
		release  func() bool
		wantHeld bool // Release's answer
		free     bool // can b take Share now?
	}{
		{"xact 1 of 3", func() bool { return m.Release(a, tag, Exclusive, false) }, true, false},
		{"xact 2 of 3", func() bool { return m.Release(a, tag, Exclusive, false) }, true, false},
		{"wrong mode", func() bool { return m.Release(a, tag, Share, false) }, false, false},
		{"other owner", func() bool { return m.Release(b, tag, Exclusive, false) }, false, false},
		{"other tag", func() bool { return m.Release(a, advTag(8), Exclusive, false) }, false, false},
		{"xact 3 of 3", func() bool { return m.Release(a, tag, Exclusive, false) }, true, false},
		{"xact none left", func() bool { return m.Release(a, tag, Exclusive, false) }, false, false},
		{"session 1 of 2", func() bool { return m.Release(a, tag, Exclusive, true) }, true, false},
		{"session 2 of 2", func() bool { return m.Release(a, tag, Exclusive, true) }, true, true},
		{"session none left", func() bool { return m.Release(a, tag, Exclusive, true) }, false, true},
	}
	for _, s := range steps {
		if got := s.release(); got != s.wantHeld {
			t.Errorf("%s: Release = %v, want %v", s.name, got, s.wantHeld)
		}
		mustInvariants(t, m)
		if got := try(t, m, b, tag, Share); got != s.free {
			t.Errorf("%s: other owner's Share granted=%v, want %v", s.name, got, s.free)
		}
	}
	if n := m.entries(); n != 0 {
		t.Fatalf("%d entries left", n)
	}
}

func TestReleaseXactKeepsSessionLocks(t *testing.T) {
	m := New()
	a, b := m.NewOwner(1), m.NewOwner(2)
	acquire(t, m, a, Request{Tag: advTag(1), Mode: Exclusive, Session: true})
	acquire(t, m, a, Request{Tag: advTag(2), Mode: Exclusive})
	acquire(t, m, a, Request{Tag: advTag(3), Mode: Exclusive, Session: true})
	acquire(t, m, a, Request{Tag: advTag(3), Mode: Exclusive}) // both levels
	acquire(t, m, a, Request{Tag: relTag(5), Mode: RowExclusive})
	acquire(t, m, a, Request{Tag: relTag(6), Mode: AccessExclusive, Session: true})
	for i := range 100 {
		acquire(t, m, a, Request{Tag: rowTag(5, string(rune('a'+i))), Mode: ForUpdate})
	}
	m.ReleaseXact(a)
	mustInvariants(t, m)
	for _, tc := range []struct {
		tag  Tag
		mode Mode
		free bool
	}{
		{advTag(1), Share, false},
		{advTag(2), Exclusive, true},
		{advTag(3), Share, false},
		{relTag(5), AccessExclusive, true},
		{relTag(6), AccessShare, false},
		{rowTag(5, "a"), ForUpdate, true},
	} {
		if got := try(t, m, b, tc.tag, tc.mode); got != tc.free {
			t.Errorf("after ReleaseXact, %v on %v: granted=%v, want %v", tc.mode, tc.tag, got, tc.free)
		}
	}
	if len(a.held) != 3 {
		t.Errorf("owner lists %d holdings, want 3", len(a.held))
	}

	// ReleaseSession takes one space only.
	m.ReleaseSession(a, SpaceAdvisory)
	mustInvariants(t, m)
	if !try(t, m, b, advTag(1), Exclusive) || !try(t, m, b, advTag(3), Exclusive) {
		t.Error("advisory session locks survived ReleaseSession")
	}
	if try(t, m, b, relTag(6), AccessShare) {
		t.Error("ReleaseSession(advisory) released a relation lock")
	}
	m.Close(a)
	if !try(t, m, b, relTag(6), AccessExclusive) {
		t.Error("Close kept a lock")
	}
	if n := m.entries(); n != 0 || a.held != nil {
		t.Fatalf("after Close: %d entries, owner list %v", n, a.held)
	}
}

func TestUpgrade(t *testing.T) {
	m := New()
	a, b := m.NewOwner(1), m.NewOwner(2)
	row := rowTag(1, "k")

	// Alone: FOR SHARE → FOR UPDATE at once.
	acquire(t, m, a, Request{Tag: row, Mode: ForShare})
	acquire(t, m, a, Request{Tag: row, Mode: ForUpdate, Wait: NoWait})
	if try(t, m, b, row, ForKeyShare) {
		t.Error("another owner got FOR KEY SHARE past FOR UPDATE")
	}
	m.ReleaseXact(a)

	// Shared with another FOR SHARE holder: the upgrade waits for it.
	acquire(t, m, a, Request{Tag: row, Mode: ForShare})
	acquire(t, m, b, Request{Tag: row, Mode: ForShare})
	if _, err := m.Acquire(bg, a, Request{Tag: row, Mode: ForUpdate, Wait: NoWait}); !errors.Is(err, ErrWouldBlock) {
		t.Fatalf("upgrade past another FOR SHARE: %v, want ErrWouldBlock", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := m.Acquire(bg, a, Request{Tag: row, Mode: ForUpdate})
		done <- err
	}()
	waitUntilBlocked(t, m, 1)
	if got := m.BlockingPIDs(1); len(got) != 1 || got[0] != 2 {
		t.Errorf("BlockingPIDs(1) = %v, want [2]", got)
	}
	m.ReleaseXact(b)
	if err := <-done; err != nil {
		t.Fatalf("upgrade after the other holder left: %v", err)
	}
	mustInvariants(t, m)
	if a.held[0].mask != ForShare.bit()|ForUpdate.bit() {
		t.Errorf("holding after upgrade has modes %b", a.held[0].mask)
	}
}

func TestWaitOutcomes(t *testing.T) {
	cause := pgerr.New(pgerrcode.QueryCanceled, "canceling statement due to user request")
	for _, tc := range []struct {
		name string
		// ctx returns the waiter's context and what to do once it waits.
		ctx       func() (context.Context, func())
		req       Request
		release   bool // the holder releases once the request waits
		wantCode  string
		wantErr   error
		wantTaken bool
	}{
		{name: "release wakes", ctx: noCancel, release: true, wantTaken: true},
		{name: "lock timeout", ctx: noCancel, req: Request{LockTimeout: time.Millisecond}, wantCode: pgerrcode.LockNotAvailable},
		{name: "cancel with pgerr cause", ctx: func() (context.Context, func()) {
			ctx, cancel := context.WithCancelCause(bg)
			return ctx, func() { cancel(cause) }
		}, wantErr: cause},
		{name: "plain cancel", ctx: func() (context.Context, func()) {
			ctx, cancel := context.WithCancel(bg)
			return ctx, cancel
		}, wantErr: context.Canceled},
		{name: "cancel with other cause", ctx: func() (context.Context, func()) {
			ctx, cancel := context.WithCancelCause(bg)
			return ctx, func() { cancel(errors.New("connection gone")) }
		}, wantErr: context.Canceled},
		{name: "deadline", ctx: func() (context.Context, func()) {
			ctx, cancel := context.WithTimeout(bg, time.Millisecond)
			_ = cancel
			return ctx, func() {}
		}, wantErr: context.DeadlineExceeded},
		{name: "deadline with pgerr cause", ctx: func() (context.Context, func()) {
			ctx, cancel := context.WithTimeoutCause(bg, time.Millisecond, cause)
			_ = cancel
			return ctx, func() {}
		}, wantErr: cause},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := New()
			holder, waiter := m.NewOwner(1), m.NewOwner(2)
			tag := relTag(9)
			acquire(t, m, holder, Request{Tag: tag, Mode: AccessExclusive})
			ctx, whenWaiting := tc.ctx()
			req := tc.req
			req.Tag, req.Mode = tag, AccessShare
			type result struct {
				ok  bool
				err error
			}
			done := make(chan result, 1)
			go func() {
				ok, err := m.Acquire(ctx, waiter, req)
				done <- result{ok, err}
			}()
			// The timeouts may fire before the wait is seen; the others wait
			// until it is.
			if req.LockTimeout == 0 {
				if _, ok := ctx.Deadline(); !ok {
					waitUntilBlocked(t, m, 2)
				}
			}
			whenWaiting()
			if tc.release {
				m.ReleaseXact(holder)
			}
			r := <-done
			switch {
			case tc.wantTaken:
				if !r.ok || r.err != nil {
					t.Fatalf("Acquire = %v, %v; want granted", r.ok, r.err)
				}
			case tc.wantCode != "":
				var pe *pgerr.Error
				if !errors.As(r.err, &pe) || pe.Code != tc.wantCode {
					t.Fatalf("Acquire error %v, want SQLSTATE %s", r.err, tc.wantCode)
				}
				if tc.wantCode == pgerrcode.LockNotAvailable && pe.Message != "canceling statement due to lock timeout" {
					t.Errorf("message %q", pe.Message)
				}
			default:
				if r.err != tc.wantErr { // identity: the cause itself, or ctx.Err()
					t.Fatalf("Acquire error %v, want %v", r.err, tc.wantErr)
				}
			}
			if r.ok != tc.wantTaken {
				t.Errorf("taken = %v, want %v", r.ok, tc.wantTaken)
			}
			if m.waiters() != 0 || m.BlockingPIDs(2) != nil {
				t.Error("the wait is still registered")
			}
			mustInvariants(t, m)
			m.Close(holder)
			m.Close(waiter)
			if n := m.entries(); n != 0 {
				t.Fatalf("%d entries left", n)
			}
		})
	}
}

func noCancel() (context.Context, func()) { return bg, func() {} }

func TestAlreadyCancelledContext(t *testing.T) {
	m := New()
	a, b := m.NewOwner(1), m.NewOwner(2)
	ctx, cancel := context.WithCancel(bg)
	cancel()
	// Free locks are still granted: nothing to wait for.
	if ok, err := m.Acquire(ctx, a, Request{Tag: relTag(1), Mode: Exclusive}); !ok || err != nil {
		t.Fatalf("free lock under a cancelled context: %v, %v", ok, err)
	}
	if _, err := m.Acquire(ctx, b, Request{Tag: relTag(1), Mode: Exclusive}); err != context.Canceled {
		t.Fatalf("conflicting lock under a cancelled context: %v", err)
	}
	mustInvariants(t, m)
}

func TestInvalidMode(t *testing.T) {
	m := New()
	if _, err := m.Acquire(bg, m.NewOwner(1), Request{Tag: relTag(1)}); err == nil {
		t.Fatal("mode 0 accepted")
	}
	if n := m.entries(); n != 0 {
		t.Fatalf("%d entries after a refused request", n)
	}
}

// TestReleaseWakesWaiters: each way a holder lets go wakes every waiter that
// can now go, and only those.
func TestReleaseWakesWaiters(t *testing.T) {
	tag := relTag(3)
	for _, tc := range []struct {
		name    string
		release func(m *Manager, o *Owner)
		// stillBlocked: the RowExclusive waiter must keep waiting (the holder
		// keeps its Share).
		stillBlocked bool
	}{
		{"Release", func(m *Manager, o *Owner) { m.Release(o, tag, AccessExclusive, false) }, true},
		{"ReleaseXact", func(m *Manager, o *Owner) { m.ReleaseXact(o) }, false},
		{"Close", func(m *Manager, o *Owner) { m.Close(o) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := New()
			holder := m.NewOwner(1)
			acquire(t, m, holder, Request{Tag: tag, Mode: AccessExclusive})
			acquire(t, m, holder, Request{Tag: tag, Mode: Share})
			// Three AccessShare waiters (compatible with each other and with
			// Share) and one RowExclusive waiter, which Share blocks.
			var wg sync.WaitGroup
			errs := make(chan error, 4)
			var strong *Owner
			for i, mode := range []Mode{AccessShare, AccessShare, AccessShare, RowExclusive} {
				o := m.NewOwner(uint32(10 + i))
				strong = o
				wg.Add(1)
				go func() {
					defer wg.Done()
					ok, err := m.Acquire(bg, o, Request{Tag: tag, Mode: mode})
					if err == nil && !ok {
						err = errors.New("not granted")
					}
					errs <- err
				}()
				waitUntilBlocked(t, m, o.PID)
			}
			tc.release(m, holder)
			for range 3 {
				if err := <-errs; err != nil {
					t.Error(err)
				}
			}
			if tc.stillBlocked {
				if got := m.BlockingPIDs(strong.PID); len(got) != 1 || got[0] != holder.PID {
					t.Errorf("RowExclusive waiter: BlockingPIDs = %v, want [%d]", got, holder.PID)
				}
				m.ReleaseXact(holder)
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
			if m.waiters() != 0 {
				t.Errorf("%d still waiting", m.waiters())
			}
			mustInvariantsNoOwners(t, m)
		})
	}
}

func mustInvariantsNoOwners(t *testing.T, m *Manager) {
	t.Helper()
	if err := m.checkInvariants(false); err != nil {
		t.Fatal(err)
	}
}

func TestBlockingPIDs(t *testing.T) {
	m := New()
	a, b, c, d := m.NewOwner(1), m.NewOwner(2), m.NewOwner(3), m.NewOwner(4)
	row := rowTag(1, "k")
	acquire(t, m, a, Request{Tag: row, Mode: ForShare})
	acquire(t, m, c, Request{Tag: row, Mode: ForShare})
	acquire(t, m, d, Request{Tag: row, Mode: ForKeyShare}) // compatible with FOR NO KEY UPDATE
	done := make(chan error, 1)
	go func() {
		_, err := m.Acquire(bg, b, Request{Tag: row, Mode: ForNoKeyUpdate})
		done <- err
	}()
	waitUntilBlocked(t, m, 2)
	for _, tc := range []struct {
		pid  uint32
		want []uint32
	}{
		{2, []uint32{1, 3}},
		{1, nil},
		{4, nil},
		{99, nil},
	} {
		got := m.BlockingPIDs(tc.pid)
		if len(got) != len(tc.want) || (tc.want == nil) != (got == nil) {
			t.Errorf("BlockingPIDs(%d) = %v, want %v", tc.pid, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("BlockingPIDs(%d) = %v, want %v", tc.pid, got, tc.want)
			}
		}
	}
	m.ReleaseXact(a)
	// Still blocked by c alone.
	waitUntil(t, "only pid 3 blocks", func() bool {
		got := m.BlockingPIDs(2)
		return len(got) == 1 && got[0] == 3
	})
	m.ReleaseXact(c)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := m.BlockingPIDs(2); got != nil {
		t.Errorf("BlockingPIDs after the grant = %v", got)
	}
}

// TestNoQueueing records the decision not to queue behind waiters: a request
// compatible with the holders is granted while a conflicting one waits.
func TestNoQueueing(t *testing.T) {
	m := New()
	a, b, c := m.NewOwner(1), m.NewOwner(2), m.NewOwner(3)
	tag := relTag(1)
	acquire(t, m, a, Request{Tag: tag, Mode: AccessShare})
	done := make(chan error, 1)
	go func() {
		_, err := m.Acquire(bg, b, Request{Tag: tag, Mode: AccessExclusive})
		done <- err
	}()
	waitUntilBlocked(t, m, 2)
	if !try(t, m, c, tag, AccessShare) {
		t.Error("AccessShare queued behind a waiting AccessExclusive")
	}
	m.ReleaseXact(a)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestSameKeyChains: tags that differ only in the database share a shard and a
// map key (the hash leaves the database out); they must still be separate
// locks, and unlinking any of them from the chain must keep the others.
func TestSameKeyChains(t *testing.T) {
	for _, order := range [][]int{{0, 1, 2}, {2, 1, 0}, {1, 0, 2}, {1, 2, 0}} {
		m := New()
		a, b := m.NewOwner(1), m.NewOwner(2)
		var tags []Tag
		for _, db := range []string{"a", "b", "c"} {
			tag := Tag{Space: SpaceRow, DB: db, Rel: 1, Key: "k"}
			tags = append(tags, tag)
			acquire(t, m, a, Request{Tag: tag, Mode: ForUpdate})
		}
		if k0, s0 := m.hash(&tags[0]); func() bool { k, s := m.hash(&tags[2]); return k != k0 || s != s0 }() {
			t.Fatal("tags differing only in the database should share a key")
		}
		for i, idx := range order {
			if !m.Release(a, tags[idx], ForUpdate, false) {
				t.Fatalf("order %v: release of %v reported not held", order, tags[idx])
			}
			mustInvariants(t, m)
			for j, tag := range tags {
				released := false
				for _, r := range order[:i+1] {
					released = released || r == j
				}
				if got := try(t, m, b, tag, ForKeyShare); got != released {
					t.Fatalf("order %v after %d releases: %v free=%v, want %v", order, i+1, tag.DB, got, released)
				}
			}
		}
		if n := m.entries(); n != 0 {
			t.Fatalf("%d entries left", n)
		}
	}
}
