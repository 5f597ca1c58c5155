// Package ssi is serializable snapshot isolation: it tracks what serializable
// transactions read (keys and key ranges) and write, finds the read-write
// anti-dependencies between concurrent ones, and refuses (40001) a transaction
// that would complete a dangerous structure T1 -rw-> T2 -rw-> T3. False
// positives are allowed; a missed anomaly is not.
package ssi

// Manager tracks the serializable transactions. Safe for concurrent use.
type Manager struct{}

// New returns an empty manager.
func New() *Manager { return &Manager{} }

// Txn is one serializable transaction's record. Its methods are called by the
// transaction's own goroutine.
type Txn struct{}

// Begin registers a serializable transaction reading at snapshot.
func (m *Manager) Begin(snapshot uint64) *Txn { return &Txn{} }

// Read records a point read of key (found or not).
func (t *Txn) Read(key []byte) error { return nil }

// ReadRange records a scan of [start, end) (nil end: to the last key).
func (t *Txn) ReadRange(start, end []byte) error { return nil }

// Write records a write of key.
func (t *Txn) Write(key []byte) error { return nil }

// PreCommit decides whether t may commit; after it returns nil, t can no
// longer be chosen as a victim. Call Committed or Abort after it.
func (t *Txn) PreCommit() error { return nil }

// Committed records that t committed at commit timestamp ts.
func (t *Txn) Committed(ts uint64) {}

// Abort records that t rolled back.
func (t *Txn) Abort() {}
