package planner

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/augurdb/augur/storage/types"
)

// pidEnv is a testEnv whose session has a backend pid of its own.
type pidEnv struct {
	*testEnv
	pid uint32
}

func (e pidEnv) BackendPID() uint32 { return e.pid }

// TestBackendAndBlockingPIDs runs one prepared plan in two sessions: the answers
// are each session's own, so nothing was computed when the plan was prepared or
// folded. A session that waits for nothing, and a pid no session has, have no
// blocking pids (the empty array, not NULL).
func TestBackendAndBlockingPIDs(t *testing.T) {
	p := New()
	stmts, err := p.Parse("SELECT pg_backend_pid(), pg_blocking_pids(pg_backend_pid()), pg_blocking_pids(-1), pg_blocking_pids(NULL)")
	if err != nil {
		t.Fatal(err)
	}
	pl, err := p.Prepare(nil, stmts[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	wantCols := []string{"pg_backend_pid:integer", "pg_blocking_pids:integer[]", "pg_blocking_pids:integer[]", "pg_blocking_pids:integer[]"}
	for i, c := range pl.Columns {
		if got := c.Name + ":" + types.FormatType(c.Type, c.Typmod); got != wantCols[i] {
			t.Errorf("column %d: %s, want %s", i, got, wantCols[i])
		}
	}
	ctx := context.Background()
	for _, pid := range []uint32{7, 4242} {
		env := pidEnv{newTestEnv(t), pid}
		if err := pl.Fold(ctx, env, nil); err != nil {
			t.Fatalf("fold: %v", err)
		}
		rows, err := pl.Execute(ctx, env, nil)
		if err != nil {
			t.Fatal(err)
		}
		row, err := rows.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if row[0] != int64(pid) {
			t.Errorf("session %d: pg_backend_pid() = %v", pid, row[0])
		}
		for i, want := range []string{"{}", "{}", "NULL"} {
			got := "NULL"
			if row[i+1] != nil {
				got = string(types.EncodeText(pl.Columns[i+1].Type, row[i+1]))
			}
			if got != want {
				t.Errorf("session %d: column %d = %s, want %s", pid, i+1, got, want)
			}
		}
		if _, err := rows.Next(ctx); err != io.EOF {
			t.Errorf("want EOF, got %v", err)
		}
	}
}

// TestBlockingPIDsWithLockManager asks the engine's lock manager: a session that
// waits for nothing has no blocking pids.
func TestBlockingPIDsWithLockManager(t *testing.T) {
	env := newStoreEnv(t)
	got := run(New(), env, "SELECT pg_blocking_pids(pg_backend_pid()), pg_blocking_pids(12345)", nil)
	if want := "row: {} | {}"; !strings.Contains(got, want) {
		t.Fatalf("got\n%s\nwant a line %q", got, want)
	}
}
