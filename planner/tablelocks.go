package planner

// Table locks, as PostgreSQL takes them (explicit-locking.html, 13.3.1): every
// statement locks the tables it uses for the rest of its transaction, in a
// mode that lets readers and writers share a table while DDL, LOCK TABLE and
// each other's stronger modes wait.
//
//   - SELECT: ACCESS SHARE on every table and view it reads (through views and
//     subqueries too).
//   - INSERT, UPDATE, DELETE: ROW EXCLUSIVE on the target, ACCESS SHARE on the
//     tables they read; ROW SHARE on the tables their foreign-key checks read
//     and ROW EXCLUSIVE on those their referential actions write (PostgreSQL's
//     RI triggers run SELECT … FOR KEY SHARE and UPDATE/DELETE queries).
//   - SELECT … FOR UPDATE/SHARE: ROW SHARE on the locked tables (the binder of
//     the FOR clause records them with lockRelation).
//   - DDL: ACCESS EXCLUSIVE on what ALTER TABLE, DROP and TRUNCATE change,
//     SHARE for CREATE INDEX, SHARE ROW EXCLUSIVE on the table a new foreign
//     key references, SHARE UPDATE EXCLUSIVE for COMMENT ON.
//   - LOCK TABLE: the mode it names.
//
// The binder records each plan's relations and modes while it resolves names
// (Plan.relLocks); the locks are taken when the plan runs, not when it is
// prepared, so a prepared statement locks each time it executes. Uncontended,
// that is one lockmgr.Acquire per table per statement. A statement that waited
// for a lock checks the schema version again and is planned anew when DDL
// committed meanwhile, as PostgreSQL re-plans after its lock waits.

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/augurdb/augur/actors/lockmgr"
	"github.com/augurdb/augur/planner/exec"
	"github.com/augurdb/augur/planner/pgdialect"
	"github.com/augurdb/augur/storage/catalog"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/jackc/pgerrcode"
)

// relLock is a table lock a plan takes when it runs.
type relLock struct {
	rel  uint32 // table (or view) id
	mode lockmgr.Mode
}

// relLocks collects the table locks of the statement being bound, in the
// order the binder meets the tables (the order they are locked).
type relLocks struct {
	list []relLock
}

// add records rel in mode. The modes statements take (ACCESS SHARE, ROW SHARE,
// ROW EXCLUSIVE) each conflict with everything the weaker ones conflict with,
// so one entry keeps the strongest; other pairs are kept both.
func (l *relLocks) add(rel uint32, mode lockmgr.Mode) {
	for i := range l.list {
		e := &l.list[i]
		if e.rel != rel {
			continue
		}
		if e.mode == mode {
			return
		}
		if e.mode <= lockmgr.RowExclusive && mode <= lockmgr.RowExclusive {
			e.mode = max(e.mode, mode)
			return
		}
	}
	l.list = append(l.list, relLock{rel: rel, mode: mode})
}

// collectRelations starts collecting the table locks of a statement being
// bound; the returned function restores the previous collector (Prepare
// nests: EXPLAIN, EXECUTE).
func (p *Planner) collectRelations() (*relLocks, func()) {
	saved := p.locking
	l := &relLocks{}
	p.locking = l
	return l, func() { p.locking = saved }
}

// lockRelation records that the statement being bound uses table t in mode;
// it does nothing outside Prepare (DDL binds defaults and checks without
// locking). The FOR UPDATE/SHARE clause calls it with lockmgr.RowShare.
func (b *binder) lockRelation(t *catalog.Table, mode lockmgr.Mode) {
	if b.planner != nil && b.planner.locking != nil {
		b.planner.locking.add(t.ID, mode)
	}
}

// addForeignKeys records the locks of the foreign-key work of m, as
// PostgreSQL's RI triggers take them: ROW SHARE on the tables their checks read
// (the referenced table of a new or changed referencing key; the referencing
// table of a changed or deleted referenced key under NO ACTION / RESTRICT) and
// ROW EXCLUSIVE on those their referential actions write, recursively.
func (l *relLocks) addForeignKeys(m *exec.Modify) {
	if m.Writer == nil {
		return
	}
	seen := map[writerKind]bool{}
	l.addWriterKeys(m.Writer, m.Kind, seen)
	if m.OnConflict != nil && !m.OnConflict.DoNothing {
		l.addWriterKeys(m.Writer, exec.DMLUpdate, seen)
	}
}

// writerKind is a writer and the kind of change it makes (foreign keys may
// form cycles: each pair is visited once).
type writerKind struct {
	w    *exec.TableWriter
	kind exec.DMLKind
}

func (l *relLocks) addWriterKeys(w *exec.TableWriter, kind exec.DMLKind, seen map[writerKind]bool) {
	if seen[writerKind{w, kind}] {
		return
	}
	seen[writerKind{w, kind}] = true
	if kind != exec.DMLDelete {
		for _, r := range w.Outgoing {
			l.add(r.Parent.ID, lockmgr.RowShare)
		}
	}
	if kind == exec.DMLInsert {
		return
	}
	for _, r := range w.Incoming {
		action := r.FK.OnUpdate
		if kind == exec.DMLDelete {
			action = r.FK.OnDelete
		}
		if r.ChildWriter == nil || !acts(action) {
			l.add(r.Child.ID, lockmgr.RowShare)
			continue
		}
		l.add(r.Child.ID, lockmgr.RowExclusive)
		childKind := exec.DMLUpdate
		if kind == exec.DMLDelete && action == catalog.FKCascade {
			childKind = exec.DMLDelete
		}
		l.addWriterKeys(r.ChildWriter, childKind, seen)
	}
}

// finish completes the locks of a bound DML or query plan: the
// target of a write in ROW EXCLUSIVE, and the foreign-key work.
func (l *relLocks) finish(pl *Plan) []relLock {
	if pl.writes != nil {
		l.add(pl.writes.ID, lockmgr.RowExclusive)
	}
	if m, ok := pl.root.(*exec.Modify); ok {
		l.addForeignKeys(m)
	}
	return l.list
}

// relationTag is the lock tag of table rel of database db.
func relationTag(db string, rel uint32) lockmgr.Tag {
	return lockmgr.Tag{Space: lockmgr.SpaceRelation, DB: db, Rel: rel}
}

// lockRelation takes mode on table rel for the transaction and reports
// whether it had to wait. A waiting request first tries without waiting: the
// uncontended lock still costs one Acquire.
func (t *Txn) lockRelation(ctx context.Context, db string, rel uint32, mode lockmgr.Mode, wait lockmgr.Wait) (waited bool, err error) {
	tag := relationTag(db, rel)
	if wait == lockmgr.Block {
		_, err := t.lock(ctx, tag, mode, lockmgr.NoWait)
		if !errors.Is(err, lockmgr.ErrWouldBlock) {
			return false, lockWaitError(ctx, err)
		}
		waited = true
	}
	_, err = t.lock(ctx, tag, mode, wait)
	return waited, lockWaitError(ctx, err)
}

// lockAll takes locks (waiting) for the transaction, in order, and reports
// whether any had to wait.
func (t *Txn) lockAll(ctx context.Context, db string, locks []relLock) (waited bool, err error) {
	for _, l := range locks {
		w, err := t.lockRelation(ctx, db, l.rel, l.mode, lockmgr.Block)
		if err != nil {
			return waited, err
		}
		waited = waited || w
	}
	return waited, nil
}

// refreshAfterWait gives a transaction whose first statement waited for a
// table lock a snapshot taken after the wait, as PostgreSQL takes a
// statement's snapshot after the locks of its parse analysis: what it waited
// for (a writer's commit, DDL) is visible to it, and its own DDL does not
// collide with DDL that committed meanwhile. A transaction that has run
// statements or changed the schema keeps its snapshot (READ COMMITTED takes a
// new one per statement in beginStatement anyway), and so does a SERIALIZABLE
// one (SSI registered its snapshot when it began).
func (t *Txn) refreshAfterWait() error {
	if t.statements > 0 || t.schema != nil || t.ssi != nil {
		return nil
	}
	return t.KV.Refresh()
}

// lockWaitError gives a failed lock wait the error the client sees: the lock
// manager's own (55P03 lock timeout, 40P01 deadlock), else the cancel.
func lockWaitError(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	var pe *pgerr.Error
	if errors.As(err, &pe) {
		return err
	}
	if ctx.Err() != nil {
		return exec.Canceled(ctx.Err())
	}
	return fmt.Errorf("planner: lock: %w", err)
}

// maxReplans bounds how often a statement is planned anew because DDL
// committed while it waited for its locks.
const maxReplans = 8

// lockRelations takes the plan's table locks for txn and returns the plan to
// run: pl, or a new plan when the schema changed while the statement waited
// (its tables were altered or dropped by the transaction it waited for).
func (pl *Plan) lockRelations(ctx context.Context, env Env, txn *Txn, cols []Column) (*Plan, error) {
	run := pl
	db := ""
	for i := 0; ; i++ {
		if len(run.relLocks) == 0 {
			return run, nil
		}
		if db == "" {
			db = env.Database()
		}
		waited, err := txn.lockAll(ctx, db, run.relLocks)
		if err != nil {
			return nil, err
		}
		if waited {
			if err := txn.refreshAfterWait(); err != nil {
				return nil, err
			}
		}
		if run.stmt == nil || env.Schema().Version == run.version || i == maxReplans {
			return run, nil
		}
		np, err := run.planner.Prepare(env, run.stmt, run.declared)
		if err != nil {
			return nil, err
		}
		if !sameColumns(np.Columns, cols) {
			return nil, pgerr.FeatureNotSupported("cached plan must not change result type")
		}
		run = np
	}
}

// lockDDL takes the table locks of a schema statement, resolving its names in
// s. execDDL calls it before it takes the catalog's DDL lock (so that a
// statement waiting for a table does not hold up every other DDL) and again
// after, on the transaction's copy of the schema, in case a name now leads
// elsewhere; the second round finds its locks already held. Names that do not
// resolve are left to the statement, which reports them.
func lockDDL(ctx context.Context, env Env, txn *Txn, s *catalog.Schema, d *pgdialect.DDL) error {
	ns := newNames(env, s)
	if ns.db == nil {
		return nil
	}
	var l relLocks
	rel := func(q pgdialect.QualName) *catalog.Table {
		if ns.checkCatalog(q.Catalog, q.String()) != nil {
			return nil
		}
		t, err := ns.relation(q.Schema, q.Name)
		if err != nil {
			return nil
		}
		return t
	}
	lockRel := func(q pgdialect.QualName, mode lockmgr.Mode) {
		if t := rel(q); t != nil {
			l.add(t.ID, mode)
		}
	}
	references := func(c pgdialect.Constraint) {
		if c.FK != nil {
			lockRel(c.FK.TableQual, lockmgr.ShareRowExclusive)
		}
	}
	newTable := func(cols []pgdialect.ColumnDef, cons []pgdialect.Constraint) {
		for _, c := range cols {
			for _, r := range c.References {
				references(r)
			}
		}
		for _, c := range cons {
			references(c)
		}
	}
	switch d.Kind {
	case pgdialect.DDLDrop:
		switch d.Object {
		case "table", "view":
			for _, q := range d.Quals {
				lockRel(q, lockmgr.AccessExclusive)
			}
		case "index":
			for _, q := range d.Quals {
				if ns.checkCatalog(q.Catalog, q.String()) != nil {
					continue
				}
				if t, _ := ns.index(q.Schema, q.Name); t != nil {
					l.add(t.ID, lockmgr.AccessExclusive)
				}
			}
		case "schema":
			if !d.Cascade {
				break // only an empty schema can go
			}
			var ids []uint32
			for _, name := range d.Names {
				for n, t := range ns.db.Tables {
					if n.Schema == name {
						ids = append(ids, t.ID)
					}
				}
			}
			slices.Sort(ids)
			for _, id := range ids {
				l.add(id, lockmgr.AccessExclusive)
			}
		}
	case pgdialect.DDLTruncate:
		for _, q := range d.Quals {
			lockRel(q, lockmgr.AccessExclusive)
		}
	case pgdialect.DDLAlterTable:
		lockRel(d.Quals[0], lockmgr.AccessExclusive)
		for _, a := range d.Actions {
			newTable([]pgdialect.ColumnDef{a.Column}, []pgdialect.Constraint{a.Cons})
		}
	case pgdialect.DDLCreateIndex:
		lockRel(d.TableQual, lockmgr.Share)
	case pgdialect.DDLCreateTable:
		newTable(d.Columns, d.Constraints)
		for _, like := range d.Likes {
			lockRel(like.Source, lockmgr.AccessShare)
		}
	case pgdialect.DDLCreateView:
		if d.OrReplace {
			lockRel(d.Quals[0], lockmgr.AccessExclusive)
		}
	case pgdialect.DDLComment:
		switch d.Object {
		case "table", "column", "view":
			lockRel(d.Quals[0], lockmgr.ShareUpdateExclusive)
		}
	}
	waited, err := txn.lockAll(ctx, env.Database(), l.list)
	if err != nil || !waited {
		return err
	}
	return txn.refreshAfterWait()
}

// lockModes maps LOCK's mode names to the lock manager's modes.
var lockModes = map[string]lockmgr.Mode{
	"ACCESS SHARE": lockmgr.AccessShare, "ROW SHARE": lockmgr.RowShare, "ROW EXCLUSIVE": lockmgr.RowExclusive,
	"SHARE UPDATE EXCLUSIVE": lockmgr.ShareUpdateExclusive, "SHARE": lockmgr.Share,
	"SHARE ROW EXCLUSIVE": lockmgr.ShareRowExclusive, "EXCLUSIVE": lockmgr.Exclusive, "ACCESS EXCLUSIVE": lockmgr.AccessExclusive,
}

// execLock runs LOCK TABLE: each table in the list, in order, is resolved and
// locked for the rest of the transaction. A view is locked with the tables its
// query reads (recursively), as PostgreSQL does.
func (p *Planner) execLock(ctx context.Context, env Env, ls *pgdialect.LockStmt) error {
	if !env.InTransactionBlock() {
		return pgerr.New(pgerrcode.NoActiveSQLTransaction, "LOCK TABLE can only be used in transaction blocks")
	}
	mode, ok := lockModes[ls.Mode]
	if !ok {
		return fmt.Errorf("planner: LOCK: unknown mode %q", ls.Mode)
	}
	wait := lockmgr.Block
	if ls.NoWait {
		wait = lockmgr.NoWait
	}
	txn, err := env.Txn(ctx)
	if err != nil {
		return err
	}
	txn.locks = readLockSettings(env)
	db := env.Database()
	for _, q := range ls.Tables {
		// As PostgreSQL's RangeVarGetRelidExtended: resolve, lock, and resolve
		// again in case the name was dropped or renamed while we waited.
		var locked []uint32
		for {
			t, err := lockTarget(env, q)
			if err != nil {
				return err
			}
			if slices.Contains(locked, t.ID) {
				break
			}
			rels := []uint32{t.ID}
			if t.IsView() {
				if rels, err = p.viewRelations(env, t); err != nil {
					return err
				}
			}
			for _, rel := range rels {
				waited, err := txn.lockRelation(ctx, db, rel, mode, wait)
				if errors.Is(err, lockmgr.ErrWouldBlock) {
					return pgerr.New(pgerrcode.LockNotAvailable, "could not obtain lock on relation %q", q.Name)
				}
				if err == nil && waited {
					err = txn.refreshAfterWait()
				}
				if err != nil {
					return err
				}
			}
			locked = append(locked, t.ID)
		}
	}
	return nil
}

// lockTarget resolves a table named by LOCK: 42P01 when there is none, 42809
// for a sequence or an index (PostgreSQL 15's wording).
func lockTarget(env Env, q pgdialect.QualName) (*catalog.Table, error) {
	ns := newNames(env, env.Schema())
	if err := ns.checkCatalog(q.Catalog, q.String()); err != nil {
		return nil, err
	}
	t, err := ns.relation(q.Schema, q.Name)
	if err != nil {
		return nil, err
	}
	if t != nil {
		return t, nil
	}
	notSupported := func(kind string) error {
		return pgerr.New(pgerrcode.WrongObjectType, "cannot lock relation %q", q.Name).
			WithDetail("This operation is not supported for %s.", kind)
	}
	if ns.sequence(q.Schema, q.Name) != nil {
		return nil, notSupported("sequences")
	}
	if t, _ := ns.index(q.Schema, q.Name); t != nil {
		return nil, notSupported("indexes")
	}
	return nil, pgerr.New(pgerrcode.UndefinedTable, "relation %q does not exist", q.String())
}

// viewRelations returns view v and every table and view its query reads,
// directly or through other views and subqueries (LOCK on a view locks them
// all in its mode).
func (p *Planner) viewRelations(env Env, v *catalog.Table) ([]uint32, error) {
	stmts, err := p.Parse(v.ViewSQL)
	if err != nil || len(stmts) != 1 || stmts[0].node == nil {
		return nil, fmt.Errorf("planner: view %s: cannot parse its query: %v", v.Name, err)
	}
	b, err := newBinder(stmts[0], nil)
	if err != nil {
		return nil, err
	}
	s := env.Schema()
	b.planner, b.schema, b.db = p, s, env.Database()
	b.ns = newNames(env, s).with(v.SearchPath)
	savedCTEs := p.ctes
	p.ctes = nil
	defer func() { p.ctes = savedCTEs }()
	l, done := p.collectRelations()
	defer done()
	if _, err := b.query(stmts[0].node, nil); err != nil {
		return nil, err
	}
	out := []uint32{v.ID}
	for _, x := range l.list {
		if !slices.Contains(out, x.rel) {
			out = append(out, x.rel)
		}
	}
	return out, nil
}
