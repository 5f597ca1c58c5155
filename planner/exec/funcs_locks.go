package exec

import (
	"github.com/augurdb/augur/storage/types"
)

// The functions that let a client watch sessions wait on each other:
// pg_backend_pid() names a session and pg_blocking_pids(pid) lists the sessions
// holding the locks it waits for. Tests and monitoring use the pair to tell a
// blocked statement from a slow one without guessing from elapsed time. Both
// answer about the moment of the call, so they are volatile: a plan must never
// carry an answer computed when it was prepared.

func init() {
	i4 := types.Int4
	i4Array, _ := types.ArrayOf(i4)
	register("pg_backend_pid", Builtin{Result: i4, Volatile: true, Fn: backendPID})
	register("pg_blocking_pids", Builtin{Args: sig(i4), Result: i4Array, Strict: true, Volatile: true, Fn: blockingPIDs})
}

// backendPID is pg_backend_pid(): the pid the session reported in BackendKeyData.
func backendPID(c *Ctx, _ []types.Datum) (types.Datum, error) {
	return int64(int32(c.Session.BackendPID())), nil
}

// blockingPIDs is pg_blocking_pids(pid): the pids of the sessions holding locks
// the session pid waits for, the empty array when it waits for none (or there is
// no such session), in the order the lock manager reports them.
func blockingPIDs(c *Ctx, a []types.Datum) (types.Datum, error) {
	m, _ := c.Session.Locks()
	if m == nil {
		return types.NewArray(nil), nil
	}
	pids := m.BlockingPIDs(uint32(a[0].(int64)))
	elems := make([]types.Datum, len(pids))
	for i, p := range pids {
		elems[i] = int64(int32(p))
	}
	return types.NewArray(elems), nil
}
