package planner

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/augurdb/augur/actors/lockmgr"
	"github.com/augurdb/augur/planner/exec"
	"github.com/augurdb/augur/storage/catalog"
	"github.com/augurdb/augur/storage/keycodec"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/ssi"
	"github.com/augurdb/augur/storage/store"
	"github.com/jackc/pgerrcode"
)

// Engine is the server-wide state statements run against: the store and the
// catalog. One per server; safe for concurrent use.
type Engine struct {
	Store   *store.Store
	Catalog *catalog.Catalog
	// Rows, when set, estimates a table's row count (the planner's statistics).
	Rows func(tableID uint32) (int64, bool)
	// DatabasesChanged, when set, is called after a commit that created or dropped
	// databases, with the databases (name → owner) that now exist.
	DatabasesChanged func(map[string]string) error
	// RolesChanged, when set, is called after a commit that changed roles, with
	// the roles that now exist (role.go).
	RolesChanged func([]*catalog.Role) error
	// Locks is the lock manager (row, table and advisory locks).
	Locks *lockmgr.Manager
	// SSI tracks the reads and writes of SERIALIZABLE transactions.
	SSI *ssi.Manager

	rowIDs rowIDCounter
	mu     sync.Mutex
	seqs   map[uint32]*seqState

	// rolesMu serializes recordRoles.
	rolesMu sync.Mutex
	// embeddedPIDs numbers the in-process sessions (Conn) for the lock manager.
	embeddedPIDs atomic.Uint32
	// tempIDs numbers the sessions' temp schemas (pg_temp_N).
	tempIDs atomic.Uint32
}

// rowIDCounter hands out hidden row ids in blocks: the store holds the high-water
// mark, written by its own small commit before any value of a block is used, so a
// value is never handed out twice, even after a crash (values of an unfinished
// block are skipped, as PostgreSQL's sequences skip their cached values).
type rowIDCounter struct {
	mu          sync.Mutex
	next, limit int64
}

// rowIDBlock is the number of row ids reserved per write of the high-water mark.
const rowIDBlock = 4096

// rowIDKey is the store key of the hidden row id counter (shared by all tables).
var rowIDKey = []byte("\x01augur/rowid")

// NewEngine loads the catalog from st. The databases named in dbs (from the
// bootstrap state) exist in it.
func NewEngine(ctx context.Context, st *store.Store, dbs map[string]string) (*Engine, error) {
	txn := st.Begin(store.TxnOptions{})
	defer txn.Abort()
	prefix := catalog.Prefix()
	schema, err := catalog.Load(func(fn func(key, value []byte) error) error {
		it := txn.Scan(prefix, keycodec.PrefixEnd(prefix))
		defer it.Close()
		for ; it.Valid(); it.Next() {
			v, err := it.Value()
			if err != nil {
				return err
			}
			if err := fn(it.Key(), v); err != nil {
				return err
			}
		}
		return it.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("planner: load catalog: %w", err)
	}
	// Databases of the bootstrap state that the catalog does not have yet are
	// written into it: from then on the catalog is their source.
	add := st.Begin(store.TxnOptions{})
	for name, owner := range dbs {
		if _, ok := schema.Databases[name]; !ok {
			db := catalog.NewDatabase(name, owner)
			schema.Databases[name] = db
			if err := catalog.PutDatabase(add, name, owner); err != nil {
				add.Abort()
				return nil, err
			}
			if err := catalog.PutNamespace(add, name, db.Schemas[catalog.PublicSchema]); err != nil {
				add.Abort()
				return nil, err
			}
		}
	}
	if _, err := add.Commit(ctx); err != nil {
		return nil, fmt.Errorf("planner: record databases in the catalog: %w", err)
	}
	e := &Engine{Store: st, Catalog: catalog.New(schema), Locks: lockmgr.New(), SSI: ssi.NewWithOptions(ssi.Options{OldestSnapshot: st.OldestSnapshot, Coarsen: indexRange})}
	e.embeddedPIDs.Store(1 << 30)
	// Temp schemas of sessions that ended with the previous server run (a
	// crash, or a session that could not clean up) do not survive a restart.
	for dbName, db := range schema.Databases {
		for _, ns := range db.Schemas {
			if ns.Temp {
				if err := e.DropTempSchema(ctx, dbName, ns.Name); err != nil {
					return nil, fmt.Errorf("planner: drop temp schema %s of database %s: %w", ns.Name, dbName, err)
				}
			}
		}
	}
	return e, nil
}

// tempDropTimeout bounds the wait of a session's end for the DDL lock to drop
// its temp schema; what it cannot drop goes at the next start.
const tempDropTimeout = 10 * time.Second

// NewTempSchemaName returns the name of a new session's temp schema
// (pg_temp_N, N unique in this server's run; created at the session's first
// CREATE TEMP).
func (e *Engine) NewTempSchemaName() string {
	return fmt.Sprintf("%s%d", catalog.TempSchemaPrefix, e.tempIDs.Add(1))
}

// DropTempSchema drops a session's temp schema of database db with all its
// objects, in a transaction of its own (the session's end).
func (e *Engine) DropTempSchema(ctx context.Context, db, name string) error {
	if d, ok := e.Catalog.Current().Databases[db]; !ok || d.Schemas[name] == nil {
		return nil
	}
	txn := e.Begin(store.TxnOptions{})
	s, err := txn.forDDL(ctx)
	if err != nil {
		txn.Abort()
		return err
	}
	d, ok := s.Databases[db]
	if !ok || d.Schemas[name] == nil {
		txn.Abort()
		return nil
	}
	d = d.Clone()
	s.Databases[db] = d
	x := &ddlExec{txn: txn, schema: s, db: d, ns: &names{db: d}}
	if err := x.dropSchemaContents(name); err != nil {
		txn.Abort()
		return err
	}
	e.Catalog.Changed(s)
	return txn.Commit(ctx)
}

// Databases returns the databases of the committed catalog (name → owner).
func (e *Engine) Databases() map[string]string {
	out := map[string]string{}
	for name, d := range e.Catalog.Current().Databases {
		out[name] = d.Owner
	}
	return out
}

// storedInt reads the int64 kept at key outside transactions (counters).
func (e *Engine) storedInt(key []byte) (v int64, found bool, err error) {
	txn := e.Store.Begin(store.TxnOptions{})
	defer txn.Abort()
	b, found, err := txn.Get(key)
	if err != nil || !found || len(b) != 8 {
		return 0, false, err
	}
	return int64(binary.BigEndian.Uint64(b)), true, nil
}

// storeInt writes v at key in a commit of its own: counters are not
// transactional (a rolled-back statement does not give its values back).
func (e *Engine) storeInt(ctx context.Context, key []byte, v int64) error {
	txn := e.Store.Begin(store.TxnOptions{})
	if err := txn.Put(key, binary.BigEndian.AppendUint64(nil, uint64(v))); err != nil {
		txn.Abort()
		return err
	}
	_, err := txn.Commit(ctx)
	return err
}

// NextRowID returns a fresh hidden row id.
func (e *Engine) NextRowID(ctx context.Context) (int64, error) {
	c := &e.rowIDs
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.next >= c.limit {
		hw, found, err := e.storedInt(rowIDKey)
		if err != nil {
			return 0, fmt.Errorf("planner: read the row id counter: %w", err)
		}
		if !found {
			hw = 1
		}
		if err := e.storeInt(ctx, rowIDKey, hw+rowIDBlock); err != nil {
			return 0, err
		}
		c.next, c.limit = hw, hw+rowIDBlock
	}
	v := c.next
	c.next++
	return v, nil
}

// Txn is one SQL transaction: a store transaction plus, when it runs DDL, a
// private copy of the schema that becomes the catalog's on commit.
type Txn struct {
	e  *Engine
	KV *store.Txn
	// owner holds the transaction's locks (its session's lock owner); locks are
	// the waits' settings of the running statement.
	owner *lockmgr.Owner
	locks lockSettings
	// mode is the isolation level and access mode; ssi the serializable
	// transaction's record; statements counts the statements run (READ
	// COMMITTED takes a new snapshot for each after the first).
	mode       TxnMode
	ssi        *ssi.Txn
	statements int
	// lockLog lists the locks taken while a savepoint is set (logLocks), so
	// ROLLBACK TO can give back those taken after it.
	lockLog  []heldLock
	logLocks bool
	// rowLocks counts the row locks taken per table; wholeTable marks the
	// tables locked EXCLUSIVE instead once there were too many (locks.go).
	rowLocks   map[uint32]int
	wholeTable map[uint32]bool
	// onAbort undoes, when the transaction rolls back, changes made outside
	// it (ALTER SEQUENCE … RESTART).
	onAbort []func()
	schema  *catalog.Schema // non-nil once the transaction changed the schema
	// dbsChanged: the transaction created or dropped a database.
	dbsChanged bool
	// deferred are the checks of deferred foreign keys, run at commit.
	deferred exec.DeferredFK
	// rolesChanged: the transaction changed roles.
	rolesChanged bool
	// The ON COMMIT actions of temporary tables, run before the commit:
	// tables written by the transaction whose rows go (DELETE ROWS), and tables
	// created by it that go (DROP).
	truncateAtCommit map[uint32]*catalog.Table
	dropAtCommit     []dbName
}

// dbName is a relation's name with its database's.
type dbName struct {
	db   string
	name catalog.Name
}

// emptyAtCommit records that t (ON COMMIT DELETE ROWS) was written.
func (t *Txn) emptyAtCommit(tbl *catalog.Table) {
	if t.truncateAtCommit == nil {
		t.truncateAtCommit = map[uint32]*catalog.Table{}
	}
	t.truncateAtCommit[tbl.ID] = tbl
}

// onCommit runs the ON COMMIT actions of the transaction's temporary tables.
func (t *Txn) onCommit(ctx context.Context) error {
	for _, tbl := range t.truncateAtCommit {
		x := &ddlExec{txn: t}
		for _, ix := range tbl.Indexes {
			if err := x.deletePrefix(catalog.IndexPrefix(tbl.ID, ix.ID)); err != nil {
				return err
			}
		}
	}
	if len(t.dropAtCommit) == 0 {
		return nil
	}
	s, err := t.forDDL(ctx)
	if err != nil {
		return err
	}
	for _, dn := range t.dropAtCommit {
		d, ok := s.Databases[dn.db]
		if !ok {
			continue
		}
		tbl, ok := d.Tables[dn.name]
		if !ok {
			continue
		}
		d = d.Clone()
		s.Databases[dn.db] = d
		x := &ddlExec{txn: t, schema: s, db: d, ns: &names{db: d}}
		for _, v := range x.dependents(dn.name) {
			if err := x.dropRelation(v); err != nil {
				return err
			}
		}
		if err := x.dropRelation(tbl); err != nil {
			return err
		}
	}
	t.e.Catalog.Changed(s)
	return nil
}

// Begin starts a transaction.
func (e *Engine) Begin(opts store.TxnOptions) *Txn {
	return &Txn{e: e, KV: e.Store.Begin(opts)}
}

// Schema is the schema the transaction sees: its own changes, else the committed one.
func (t *Txn) Schema() *catalog.Schema {
	if t.schema != nil {
		return t.schema
	}
	return t.e.Catalog.Current()
}

// forDDL takes the DDL lock (once per transaction) and returns the private schema
// the transaction changes.
func (t *Txn) forDDL(ctx context.Context) (*catalog.Schema, error) {
	if t.schema != nil {
		return t.schema, nil
	}
	if err := t.e.Catalog.LockDDL(ctx); err != nil {
		return nil, pgerr.Wrap(err, pgerrcode.QueryCanceled, "canceling statement while waiting for the DDL lock")
	}
	t.schema = t.e.Catalog.Current().Clone()
	return t.schema, nil
}

// Commit commits the transaction and publishes its schema changes.
func (t *Txn) Commit(ctx context.Context) error {
	if t.deferred.Pending() {
		c := exec.NewCtx(ctx, t.KV, nil, nil)
		c.RowID = func() (int64, error) { return t.e.NextRowID(ctx) }
		if err := t.deferred.Run(c); err != nil {
			t.Abort()
			return err
		}
	}
	if err := t.onCommit(ctx); err != nil {
		t.Abort()
		return err
	}
	if t.ssi != nil {
		if err := t.ssi.PreCommit(); err != nil {
			t.Abort()
			return err
		}
	}
	ts, err := t.KV.Commit(ctx)
	if t.ssi != nil {
		if err != nil {
			t.ssi.Abort()
		} else {
			if ts == 0 {
				// A transaction that wrote nothing ends now: every commit
				// visible at this point precedes it.
				ts = t.e.Store.Visible()
			}
			t.ssi.Committed(ts)
		}
		t.ssi = nil
	}
	t.releaseLocks()
	if t.schema != nil {
		dbsChanged := len(t.schema.Databases) != len(t.e.Catalog.Current().Databases) || t.dbsChanged
		if err == nil {
			t.e.Catalog.Publish(t.schema)
		}
		t.schema = nil
		t.e.Catalog.UnlockDDL()
		if err == nil && dbsChanged && t.e.DatabasesChanged != nil {
			if herr := t.e.DatabasesChanged(t.e.Databases()); herr != nil {
				return fmt.Errorf("planner: record databases: %w", herr)
			}
		}
		if err == nil && t.rolesChanged {
			if herr := t.e.recordRoles(); herr != nil {
				return herr
			}
		}
	}
	return err
}

// Abort discards the transaction.
func (t *Txn) Abort() {
	for i := len(t.onAbort) - 1; i >= 0; i-- {
		t.onAbort[i]()
	}
	t.onAbort = nil
	t.KV.Abort()
	if t.ssi != nil {
		t.ssi.Abort()
		t.ssi = nil
	}
	t.releaseLocks()
	if t.schema != nil {
		t.schema = nil
		t.e.Catalog.UnlockDDL()
	}
}

// OpenTxn is a session's open transaction, if any: what both the session actor
// and Conn keep, begun at first use and ended by Commit or Abort.
type OpenTxn struct {
	txn *Txn
	// Owner is the session's lock owner, given to each transaction it begins.
	Owner *lockmgr.Owner
	// Mode is the mode of the next transaction it begins.
	Mode TxnMode
	// savepoints are the block's savepoints, outermost first (txnmode.go).
	savepoints []savepoint
}

// Schema is the schema the session sees: its transaction's, else eng's committed one.
func (o *OpenTxn) Schema(eng *Engine) *catalog.Schema {
	if o.txn != nil {
		return o.txn.Schema()
	}
	return eng.Catalog.Current()
}

// Get returns the open transaction, beginning one on eng if there is none.
func (o *OpenTxn) Get(eng *Engine, opts store.TxnOptions) *Txn {
	if o.txn == nil {
		o.txn = eng.Begin(opts)
		o.txn.owner = o.Owner
		o.txn.configure(o.Mode)
		o.startSavepoints()
	}
	return o.txn
}

// Commit commits the open transaction, if any.
func (o *OpenTxn) Commit(ctx context.Context) error {
	t := o.txn
	o.txn, o.savepoints = nil, nil
	if t == nil {
		return nil
	}
	return t.Commit(ctx)
}

// Abort discards the open transaction, if any.
func (o *OpenTxn) Abort() {
	o.savepoints = nil
	if o.txn != nil {
		o.txn.Abort()
		o.txn = nil
	}
}
