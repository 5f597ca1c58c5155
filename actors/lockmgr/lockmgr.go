// Package lockmgr is Augur's lock manager: table locks in PostgreSQL's eight
// modes, row locks in its four, and advisory locks, held by owners (one per
// session) at transaction or session level.
//
// The lock table is a concurrent structure on the caller's goroutine, so an
// uncontended lock costs no message. A request that conflicts waits on the
// caller's goroutine; after DeadlockTimeout it asks the detector — an actor
// that serializes deadlock checks over the wait-for graph — whether it is part
// of a cycle, and the waiter that ran the check is the victim (40P01), as in
// PostgreSQL. A request is granted when it is compatible with every lock other
// owners hold on the tag (it does not queue behind other waiters).
package lockmgr

import (
	"context"
	"errors"
	"time"
)

// Mode is a lock mode: a table mode or a row mode (the two sets never meet on
// one tag).
type Mode uint8

// Table lock modes, weakest first, as PostgreSQL names them.
const (
	AccessShare Mode = iota + 1
	RowShare
	RowExclusive
	ShareUpdateExclusive
	Share
	ShareRowExclusive
	Exclusive
	AccessExclusive
	// Row lock modes (SELECT … FOR KEY SHARE / SHARE / NO KEY UPDATE / UPDATE).
	ForKeyShare
	ForShare
	ForNoKeyUpdate
	ForUpdate
)

// Space is the kind of object a tag names.
type Space uint8

// Spaces.
const (
	SpaceRelation Space = iota + 1 // Rel is a table id
	SpaceRow                       // Rel is a table id, Key the row's primary key
	SpaceAdvisory                  // Key is the advisory key (see AdvisoryKey)
)

// Tag names a lockable object. DB is the database's name.
type Tag struct {
	Space Space
	DB    string
	Rel   uint32
	Key   string
}

// Wait says what a conflicting request does.
type Wait uint8

// Waits.
const (
	Block      Wait = iota // wait (lock_timeout, deadlock detection)
	NoWait                 // fail at once with ErrWouldBlock
	SkipLocked             // return acquired=false at once
)

// ErrWouldBlock is returned by a NoWait request that conflicts; the caller
// words the 55P03 error ("could not obtain lock on row in relation …").
var ErrWouldBlock = errors.New("lockmgr: lock not available")

// Request is one lock request.
type Request struct {
	Tag  Tag
	Mode Mode
	// Session: held until released or the owner ends, not just to the end of
	// the transaction (advisory locks).
	Session bool
	Wait    Wait
	// LockTimeout bounds a Block wait (0: none): 55P03 "canceling statement due
	// to lock timeout".
	LockTimeout time.Duration
	// DeadlockTimeout is the wait after which a deadlock check runs (0: 1 s).
	DeadlockTimeout time.Duration
}

// Owner holds locks: one per session. Its methods are not safe for
// concurrent use (a session runs one statement at a time).
type Owner struct {
	PID uint32
}

// Manager is the lock table. Safe for concurrent use.
type Manager struct{}

// New returns an empty lock manager.
func New() *Manager { return &Manager{} }

// NewOwner returns the owner of a session whose backend process id is pid.
func (m *Manager) NewOwner(pid uint32) *Owner { return &Owner{PID: pid} }

// Acquire takes r.Mode on r.Tag for o, waiting as r.Wait says. It reports
// whether the lock was taken (false only for SkipLocked). A lock o already holds
// in a mode at least as strong is granted at once. Errors: ErrWouldBlock
// (NoWait), *pgerr.Error 55P03 (lock_timeout), 40P01 (deadlock victim), and
// the context's cause when ctx ends while waiting.
func (m *Manager) Acquire(ctx context.Context, o *Owner, r Request) (bool, error) {
	return true, nil
}

// Release gives back one hold of mode on tag (session level or transaction
// level) and reports whether o held it.
func (m *Manager) Release(o *Owner, tag Tag, mode Mode, session bool) bool { return false }

// ReleaseXact releases every transaction-level lock of o (its transaction ended).
func (m *Manager) ReleaseXact(o *Owner) {}

// ReleaseSession releases every session-level lock of o in space (advisory
// unlock all).
func (m *Manager) ReleaseSession(o *Owner, space Space) {}

// Close releases everything o holds (its session ended).
func (m *Manager) Close(o *Owner) {}

// BlockingPIDs returns the pids of the owners that hold locks the owner with
// backend pid waits for (pg_blocking_pids); nil when it does not wait.
func (m *Manager) BlockingPIDs(pid uint32) []uint32 { return nil }
