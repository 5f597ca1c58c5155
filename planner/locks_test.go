package planner

import (
	"context"
	"fmt"
	"testing"

	"github.com/augurdb/augur/storage/pgerr"
)

// TestRowLocksGiveWayToATableLock checks that a transaction writing more rows
// of one table than rowLockLimit locks the table EXCLUSIVE instead of keeping a
// row lock per row: other writers wait (here: NOWAIT fails), readers do not, and
// a ROLLBACK TO before the table lock needs row locks again.
func TestRowLocksGiveWayToATableLock(t *testing.T) {
	eng := newTestEngine(t)
	a, b := connect(t, eng), connect(t, eng)
	mustRun(t, a, `CREATE TABLE bulk (id int PRIMARY KEY, v int)`, `INSERT INTO bulk VALUES (-1, 0)`)
	a.Begin()
	mustRun(t, a, `SAVEPOINT s`, fmt.Sprintf(`INSERT INTO bulk SELECT g, g FROM generate_series(1, %d) g`, rowLockLimit+10))
	txn := a.txn.txn
	if !txn.wholeTable[tableID(t, eng, "bulk")] {
		t.Fatalf("after %d row locks the table is not locked whole", rowLockLimit+10)
	}
	if got := queryRow(t, b, `SELECT count(*) FROM bulk`); got != "1" {
		t.Fatalf("a reader sees %s rows, want 1 (and must not wait)", got)
	}
	b.Begin()
	_, err := b.Exec(context.Background(), `LOCK TABLE bulk IN ROW SHARE MODE NOWAIT`)
	if pgerr.Code(err) != "55P03" {
		t.Fatalf("ROW SHARE (what a row locker takes) beside the whole-table lock: %v, want 55P03", err)
	}
	b.Rollback()
	mustRun(t, a, `ROLLBACK TO s`)
	if txn.wholeTable[tableID(t, eng, "bulk")] {
		t.Fatal("ROLLBACK TO gave back the table lock but the transaction still skips row locks")
	}
	b.Begin()
	mustRun(t, b, `LOCK TABLE bulk IN ROW SHARE MODE NOWAIT`)
	if got := queryRow(t, b, `SELECT id FROM bulk WHERE id = -1 FOR UPDATE NOWAIT`); got != "-1" {
		t.Fatalf("row lock after ROLLBACK TO: %s", got)
	}
	b.Rollback()
	if err := a.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func tableID(t *testing.T, eng *Engine, name string) uint32 {
	t.Helper()
	tbl, ok := eng.Catalog.Current().Table("augur", "public", name)
	if !ok {
		t.Fatalf("no table %s", name)
	}
	return tbl.ID
}
