package connection

import (
	"crypto/rand"
	"encoding/binary"
	"sync"

	"github.com/augurdb/augur/storage/pgerr"
)

// Backend is what the registry knows of one live session: enough to cancel its
// running statement (CancelRequest arrives on another connection, so it cannot wait
// in the session's mailbox behind the statement it is meant to stop) and to end it at
// shutdown.
type Backend interface {
	// CancelStatement ends the statement running now, if any, with cause.
	CancelStatement(cause *pgerr.Error)
	// Shutdown asks the session to end with FATAL 57P01 once its running statement
	// (if any) finishes.
	Shutdown()
}

// Registry maps backend keys (process id, secret key) to live sessions. It is shared
// by the listener and its connections; its methods are safe for concurrent use.
type Registry struct {
	mu      sync.Mutex
	nextPID uint32
	entries map[uint32]*entry
	empty   chan struct{} // closed when entries becomes empty, replaced when not
}

type entry struct {
	secret  uint32
	backend Backend
	role    string
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	r := &Registry{entries: map[uint32]*entry{}, nextPID: 1000, empty: make(chan struct{})}
	close(r.empty)
	return r
}

// Register adds a session if fewer than limit are registered, and returns its keys.
// ok is false when the server is full (the caller answers 53300).
func (r *Registry) Register(b Backend, limit int) (pid, secret uint32, ok bool) {
	pid, secret, full := r.RegisterRole(b, limit, "", -1)
	return pid, secret, full == nil
}

// Full says which limit refused a session.
type Full int

// Limits of RegisterRole.
const (
	ServerFull Full = iota + 1 // max_connections
	RoleFull                   // the role's CONNECTION LIMIT
)

// RegisterRole is Register for a session of role, which may have at most
// roleLimit sessions (-1: no limit). full is nil when the session was added.
func (r *Registry) RegisterRole(b Backend, limit int, role string, roleLimit int) (pid, secret uint32, full *Full) {
	var buf [4]byte
	if _, err := rand.Read(buf[:]); err != nil {
		panic("connection: crypto/rand failed: " + err.Error()) // the runtime guarantees it does not
	}
	secret = binary.BigEndian.Uint32(buf[:])
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.entries) >= limit {
		f := ServerFull
		return 0, 0, &f
	}
	if roleLimit >= 0 {
		n := 0
		for _, e := range r.entries {
			if e.role == role {
				n++
			}
		}
		if n >= roleLimit {
			f := RoleFull
			return 0, 0, &f
		}
	}
	if len(r.entries) == 0 {
		r.empty = make(chan struct{})
	}
	for {
		r.nextPID++
		if r.nextPID == 0 {
			r.nextPID = 1000
		}
		if _, taken := r.entries[r.nextPID]; !taken {
			break
		}
	}
	r.entries[r.nextPID] = &entry{secret: secret, backend: b, role: role}
	return r.nextPID, secret, nil
}

// Unregister removes a session.
func (r *Registry) Unregister(pid uint32) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.entries[pid]; !ok {
		return
	}
	delete(r.entries, pid)
	if len(r.entries) == 0 {
		close(r.empty)
	}
}

// Cancel cancels the running statement of the session with these keys. Like
// PostgreSQL it says nothing to the requester, and a wrong secret does nothing.
func (r *Registry) Cancel(pid, secret uint32) bool {
	r.mu.Lock()
	e, ok := r.entries[pid]
	r.mu.Unlock()
	if !ok || e.secret != secret {
		return false
	}
	e.backend.CancelStatement(pgerr.QueryCanceled())
	return true
}

// Len returns the number of live sessions.
func (r *Registry) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.entries)
}

// Each calls f for every live session (outside the registry's lock).
func (r *Registry) Each(f func(Backend)) {
	r.mu.Lock()
	bs := make([]Backend, 0, len(r.entries))
	for _, e := range r.entries {
		bs = append(bs, e.backend)
	}
	r.mu.Unlock()
	for _, b := range bs {
		f(b)
	}
}

// Empty returns a channel closed when no session is registered.
func (r *Registry) Empty() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.empty
}
