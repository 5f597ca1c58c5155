package planner

import (
	"bytes"
	"context"
	"encoding/binary"
	"strings"

	"github.com/jackc/pgerrcode"

	"github.com/augurdb/augur/storage/catalog"
	"github.com/augurdb/augur/storage/keycodec"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/ssi"
)

// Isolation is a transaction isolation level. READ UNCOMMITTED is READ
// COMMITTED, as in PostgreSQL.
type Isolation uint8

// Isolation levels.
const (
	ReadCommitted Isolation = iota
	RepeatableRead
	Serializable
)

// ParseIsolation reads a transaction_isolation value ("read uncommitted" runs
// as READ COMMITTED).
func ParseIsolation(s string) Isolation {
	switch s {
	case "repeatable read":
		return RepeatableRead
	case "serializable":
		return Serializable
	}
	return ReadCommitted
}

// String is the level as transaction_isolation shows it.
func (i Isolation) String() string {
	switch i {
	case RepeatableRead:
		return "repeatable read"
	case Serializable:
		return "serializable"
	}
	return "read committed"
}

// TxnMode is how a transaction runs: its isolation level and whether it may
// write.
type TxnMode struct {
	Isolation Isolation
	ReadOnly  bool
}

// configure sets up a new transaction for its mode: READ COMMITTED needs no
// commit-time write-write check (row locks order its writers and it re-reads
// what they changed), SERIALIZABLE records its reads and writes.
func (t *Txn) configure(m TxnMode) {
	t.mode = m
	switch m.Isolation {
	case ReadCommitted:
		t.KV.SetConflictCheck(false)
	case Serializable:
		if t.e.SSI != nil {
			t.ssi = t.e.SSI.Begin(t.KV.Snapshot())
			t.KV.SetTracker(userKeys{t.ssi})
		}
	}
}

// Mode is the transaction's mode.
func (t *Txn) Mode() TxnMode { return t.mode }

// beginStatement prepares the transaction for its next statement: READ
// COMMITTED reads each statement at a fresh snapshot.
func (t *Txn) beginStatement() error {
	if t.mode.Isolation == ReadCommitted && t.statements > 0 {
		if err := t.KV.Refresh(); err != nil {
			return err
		}
	}
	t.statements++
	return nil
}

// checkWritable refuses a write in a READ ONLY transaction (25006).
func (t *Txn) checkWritable(what string) error {
	if t.mode.ReadOnly {
		return readOnlyError(what)
	}
	return nil
}

func readOnlyError(what string) error {
	return pgerr.New(pgerrcode.ReadOnlySQLTransaction, "cannot execute %s in a read-only transaction", what)
}

// userKeys passes the reads and writes of user tables' keys to SSI; the
// catalog, counters and sequences are not part of the serializable history.
type userKeys struct{ t *ssi.Txn }

func userKey(key []byte) bool {
	return len(key) >= 5 && key[0] == keycodec.TablePrefixByte &&
		binary.BigEndian.Uint32(key[1:5]) >= catalog.FirstUserID
}

func (u userKeys) Read(key []byte) error {
	if !userKey(key) {
		return nil
	}
	return u.t.Read(key)
}

func (u userKeys) ReadRange(start, end []byte) error {
	// A range that reaches user tables is recorded whole (a full scan).
	if end != nil && bytes.Compare(end, userStart) <= 0 {
		return nil
	}
	return u.t.ReadRange(start, end)
}

func (u userKeys) Write(key []byte) error {
	if !userKey(key) {
		return nil
	}
	return u.t.Write(key)
}

// indexRange is the key range of the table index key belongs to: SSI records
// a transaction's many point reads of one index as a read of all of it.
func indexRange(key []byte) (start, end []byte) {
	if len(key) < keycodec.TablePrefixLen || key[0] != keycodec.TablePrefixByte {
		return nil, nil
	}
	p := key[:keycodec.TablePrefixLen:keycodec.TablePrefixLen]
	return p, keycodec.PrefixEnd(p)
}

var userStart = keycodec.AppendTablePrefix(nil, catalog.FirstUserID, 0)

// savepoint is one SAVEPOINT of the open transaction.
type savepoint struct {
	name string
	mark int // the store's undo-log mark; -1 until the transaction begins
	// locks is the length of the transaction's lock log at the savepoint.
	locks int
	// schema is the transaction's private schema at the savepoint (nil: it
	// had not changed the schema); deferred the number of deferred FK checks.
	schema   *catalog.Schema
	deferred int
}

// Savepoint sets a savepoint named name.
func (o *OpenTxn) Savepoint(name string) {
	sp := savepoint{name: name, mark: -1}
	if t := o.txn; t != nil {
		sp.mark = t.KV.Savepoint()
		t.logLocks = true
		sp.locks = len(t.lockLog)
		if t.schema != nil {
			sp.schema = t.schema.Clone()
		}
		sp.deferred = t.deferred.Len()
	}
	o.savepoints = append(o.savepoints, sp)
}

// Savepoints is the number of savepoints set.
func (o *OpenTxn) Savepoints() int { return len(o.savepoints) }

// findSavepoint returns the index of the innermost savepoint named name.
func (o *OpenTxn) findSavepoint(name string) (int, error) {
	for i := len(o.savepoints) - 1; i >= 0; i-- {
		if o.savepoints[i].name == name {
			return i, nil
		}
	}
	return 0, pgerr.New(pgerrcode.InvalidSavepointSpecification, "savepoint \"%s\" does not exist", name)
}

// Release forgets the savepoint named name and every one set after it (their
// writes stay) and returns how many savepoints remain.
func (o *OpenTxn) Release(name string) (int, error) {
	i, err := o.findSavepoint(name)
	if err != nil {
		return 0, err
	}
	if t := o.txn; t != nil {
		for j := i; j < len(o.savepoints); j++ {
			if o.savepoints[j].mark >= 0 {
				t.KV.Release()
			}
		}
	}
	o.savepoints = o.savepoints[:i]
	if t := o.txn; t != nil && i == 0 {
		t.logLocks, t.lockLog = false, nil // the locks stay until the end
	}
	return i, nil
}

// RollbackTo undoes everything done after the savepoint named name, which
// stays set, and forgets the ones set after it. It returns the savepoint's
// depth (1 for the outermost).
func (o *OpenTxn) RollbackTo(ctx context.Context, name string) (int, error) {
	i, err := o.findSavepoint(name)
	if err != nil {
		return 0, err
	}
	if t := o.txn; t != nil {
		for j := len(o.savepoints) - 1; j > i; j-- {
			if o.savepoints[j].mark >= 0 {
				t.KV.Release()
			}
		}
		sp := &o.savepoints[i]
		if sp.mark < 0 {
			// Set before the transaction touched anything: everything goes.
			sp.mark = 0
			if err := t.KV.RollbackTo(0); err != nil {
				return 0, err
			}
			t.KV.Savepoint()
		} else if err := t.KV.RollbackTo(sp.mark); err != nil {
			return 0, err
		}
		t.deferred.Truncate(sp.deferred)
		t.releaseLocksSince(sp.locks)
		if t.schema != nil {
			restored := sp.schema
			if restored == nil {
				restored = t.e.Catalog.Current()
			}
			t.schema = restored.Clone()
			t.e.Catalog.Changed(t.schema)
		}
	}
	o.savepoints = o.savepoints[:i+1]
	return i + 1, nil
}

// startSavepoints gives the savepoints set before the transaction began their
// marks (at its start: nothing written yet).
func (o *OpenTxn) startSavepoints() {
	for i := range o.savepoints {
		if o.savepoints[i].mark < 0 {
			o.savepoints[i].mark = o.txn.KV.Savepoint()
			o.txn.logLocks = true
		}
	}
}

// checkWritableEnv refuses a schema or role statement in a READ ONLY
// transaction.
func checkWritableEnv(ctx context.Context, env Env, st *Statement) error {
	txn, err := env.Txn(ctx)
	if err != nil || !txn.mode.ReadOnly {
		return err
	}
	return readOnlyError(commandName(st))
}

// commandName names a statement as PostgreSQL's read-only error does: its
// leading keywords ("CREATE TABLE", "DROP INDEX", "ALTER ROLE").
func commandName(st *Statement) string {
	if st == nil || len(st.toks) == 0 {
		return "this statement"
	}
	words := []string{strings.ToUpper(st.toks[0].Val)}
	if words[0] == "TRUNCATE" {
		return "TRUNCATE TABLE"
	}
	for _, t := range st.toks[1:] {
		w := strings.ToUpper(t.Val)
		switch w {
		case "UNIQUE", "TEMP", "TEMPORARY", "UNLOGGED", "OR", "REPLACE", "GLOBAL", "LOCAL":
			continue
		}
		return words[0] + " " + w
	}
	return words[0]
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// Begun reports whether the transaction has begun (taken its snapshot).
func (o *OpenTxn) Begun() bool { return o.txn != nil }

// SetReadOnly changes the access mode of the open transaction and of the
// next one it begins.
func (o *OpenTxn) SetReadOnly(ro bool) {
	o.Mode.ReadOnly = ro
	if o.txn != nil {
		o.txn.mode.ReadOnly = ro
	}
}

// SavepointStatement runs SAVEPOINT, RELEASE or ROLLBACK TO (kind k) for a
// session; inBlock false is PostgreSQL's 25P01. It returns the number of
// savepoints set afterwards (for ROLLBACK TO, the depth of the one returned to).
func (o *OpenTxn) SavepointStatement(ctx context.Context, k Kind, name string, inBlock bool) (int, error) {
	if !inBlock {
		what := map[Kind]string{KindSavepoint: "SAVEPOINT", KindRelease: "RELEASE SAVEPOINT", KindRollbackTo: "ROLLBACK TO SAVEPOINT"}[k]
		return 0, pgerr.New(pgerrcode.NoActiveSQLTransaction, "%s can only be used in transaction blocks", what)
	}
	switch k {
	case KindRelease:
		return o.Release(name)
	case KindRollbackTo:
		return o.RollbackTo(ctx, name)
	}
	o.Savepoint(name)
	return len(o.savepoints), nil
}
