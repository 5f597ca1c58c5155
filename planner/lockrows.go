package planner

import (
	"github.com/jackc/pgerrcode"
	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/augurdb/augur/actors/lockmgr"
	"github.com/augurdb/augur/planner/exec"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
)

// Row-locking clauses (SELECT … FOR UPDATE | NO KEY UPDATE | SHARE | KEY SHARE
// [OF table, …] [NOWAIT | SKIP LOCKED]). The grammar reads FOR UPDATE and FOR
// SHARE; the dialect pass (rewriteLockStrengths) keeps each clause's real
// strength in Statement.lockModes.

// lockClause returns the next locking clause as the dialect pass read it and
// its spelling for error messages.
func (b *binder) lockClause(li *ast.SelectLockInfo) (lockClause, string) {
	lc := lockClause{mode: lockmgr.ForUpdate}
	switch li.LockType {
	case ast.SelectLockForShare, ast.SelectLockForShareNoWait, ast.SelectLockForShareSkipLocked:
		lc.mode = lockmgr.ForShare
	}
	if b.lockIdx < len(b.st.locks) {
		lc = b.st.locks[b.lockIdx]
		b.lockIdx++
	}
	name := map[lockmgr.Mode]string{lockmgr.ForUpdate: "FOR UPDATE", lockmgr.ForNoKeyUpdate: "FOR NO KEY UPDATE",
		lockmgr.ForShare: "FOR SHARE", lockmgr.ForKeyShare: "FOR KEY SHARE"}[lc.mode]
	return lc, name
}

// checkLockable refuses a locking clause on a query whose rows are not table
// rows, with PostgreSQL's messages.
func checkLockable(name string, sel *ast.SelectStmt, hasAgg, hasWindow, hasSRF bool) error {
	var what string
	switch {
	case sel.Distinct:
		what = "DISTINCT clause"
	case sel.GroupBy != nil:
		what = "GROUP BY clause"
	case sel.Having != nil:
		what = "HAVING clause"
	case hasAgg:
		what = "aggregate functions"
	case hasWindow:
		what = "window functions"
	case hasSRF:
		what = "set-returning functions in the target list"
	default:
		return nil
	}
	return pgerr.New(pgerrcode.FeatureNotSupported, "%s is not allowed with %s", name, what)
}

// lockJunk appends the level's row to exprs as junk columns (the projection
// keeps it for LockRows, limitAndTrim drops it) and returns where it starts.
func (b *binder) lockJunk(exprs *[]exec.Expr) int {
	level := len(*exprs)
	levelTypes := make([]types.T, b.sc.width)
	for i := range levelTypes {
		levelTypes[i] = types.Text
	}
	for _, c := range b.sc.cols {
		if c.idx < len(levelTypes) {
			levelTypes[c.idx] = c.t
		}
	}
	for i, t := range levelTypes {
		*exprs = append(*exprs, &exec.ColRef{Idx: i, T: t})
	}
	return level
}

// lockRows plans the locking clause lc of a SELECT level over node (the rows
// of the level after ORDER BY, whose columns from level on are the level's
// row).
func (b *binder) lockRows(li *ast.SelectLockInfo, lc lockClause, name string, node exec.Node, exprs []exec.Expr, level int, where []exec.Expr, est float64) (exec.Node, error) {
	var targets []exec.LockTarget
	if len(lc.tables) > 0 {
		for _, tn := range lc.tables {
			found := false
			for _, r := range b.sc.rels {
				if r.name == tn {
					if r.table == nil {
						return nil, pgerr.New(pgerrcode.FeatureNotSupported, "%s cannot be applied to a subquery or function in FROM", name)
					}
					targets = append(targets, exec.LockTarget{Table: r.table, Offset: r.offset})
					found = true
				}
			}
			if !found {
				return nil, pgerr.New(pgerrcode.UndefinedTable, "relation \"%s\" in %s clause not found in FROM clause", tn, name)
			}
		}
	} else {
		for _, r := range b.sc.rels {
			if r.table != nil {
				targets = append(targets, exec.LockTarget{Table: r.table, Offset: r.offset})
			}
		}
	}
	wait := lockmgr.Block
	switch li.LockType {
	case ast.SelectLockForUpdateNoWait, ast.SelectLockForShareNoWait:
		wait = lockmgr.NoWait
	case ast.SelectLockForUpdateSkipLocked, ast.SelectLockForShareSkipLocked:
		wait = lockmgr.SkipLocked
	case ast.SelectLockForUpdateWaitN:
		return nil, pgerr.Syntax(0, "syntax error at or near \"WAIT\"")
	}
	for _, tg := range targets {
		b.lockRelation(tg.Table, lockmgr.RowShare) // the table lock of FOR UPDATE/SHARE
	}
	b.locksRows = "SELECT " + name
	return &exec.LockRows{Input: node, Targets: targets, Mode: lc.mode, Wait: wait, Level: level, Recheck: where,
		Outputs: append([]exec.Expr(nil), exprs[:level]...),
		Info:    exec.NodeInfo{Name: "LockRows", Rows: est, Children: []exec.Node{node}}}, nil
}
