package planner

import (
	"strings"

	"github.com/augurdb/augur/planner/exec"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/jackc/pgerrcode"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// Set-returning functions in a select list (`SELECT x, generate_series(1, x)
// FROM t`) run as PostgreSQL 10+ runs them: a ProjectSet below the projection
// evaluates every SRF call of the list per input row, in lockstep (the shorter
// ones padded with NULLs), and each call's value is a column after the input row
// that the target list reads like any other column.

// srfSet collects the SRF calls of one select list while it is bound.
type srfSet struct {
	level *scope
	calls []*exec.TableCall
	refs  []*exec.ColRef // the column each call's value is read from; Idx set by projectSet
	// heights: 0 for a call without SRFs in its arguments, else one more than
	// the highest of those. Each height is one ProjectSet, the lowest first (as
	// PostgreSQL evaluates each SRF at the lowest level its inputs allow).
	heights []int
}

// collectSRFs allows SRF calls in the select list bound next, at the current
// level; done restores the previous state.
func (b *binder) collectSRFs() (s *srfSet, done func()) {
	saved, blocked := b.srfs, b.srfBlocked
	s = &srfSet{level: b.sc}
	b.srfs, b.srfBlocked = s, ""
	return s, func() { b.srfs, b.srfBlocked = saved, blocked }
}

// srfCall binds a call of a set-returning function outside FROM.
func (b *binder) srfCall(e *ast.FuncCallExpr) (exec.Expr, error) {
	pos := b.nodePos(e)
	s := b.srfs
	if s == nil || s.level != b.sc {
		where := b.srfClause
		if where == "" {
			where = "this context"
		}
		return nil, pgerr.New(pgerrcode.FeatureNotSupported, "set-returning functions are not allowed in %s", where).WithPosition(pos)
	}
	switch b.srfBlocked {
	case "":
	case srfInFrom:
		return nil, pgerr.New(pgerrcode.FeatureNotSupported, "set-returning functions must appear at top level of FROM").WithPosition(pos)
	default:
		return nil, pgerr.New(pgerrcode.FeatureNotSupported, "set-returning functions are not allowed in %s", b.srfBlocked).
			WithHint("You might be able to move the set-returning function into a LATERAL FROM item.").WithPosition(pos)
	}
	if ab := b.sc.agg; ab != nil && !ab.active {
		return nil, pgerr.New(pgerrcode.FeatureNotSupported, "aggregate function calls cannot contain set-returning function calls").
			WithHint("You might be able to move the set-returning function into a LATERAL FROM item.").WithPosition(pos)
	}
	before := len(s.calls)
	tc, cols, _, err := b.tableCall(e)
	if err != nil {
		return nil, err
	}
	height := 0
	for _, h := range s.heights[before:] {
		height = max(height, h+1)
	}
	if len(cols) != 1 {
		return nil, pgerr.FeatureNotSupported("set-returning function %s returns a record: call it in FROM", e.FnName.L).WithPosition(pos)
	}
	ref := &exec.ColRef{Idx: -1, T: cols[0].T, Name: e.FnName.L}
	s.calls, s.refs, s.heights = append(s.calls, tc), append(s.refs, ref), append(s.heights, height)
	return ref, nil
}

// projectSet puts a ProjectSet for the collected calls over node, whose rows are
// width wide.
func (b *binder) projectSet(node exec.Node, s *srfSet, width int, est float64) exec.Node {
	if s == nil || len(s.calls) == 0 {
		return node
	}
	top := 0
	for _, h := range s.heights {
		top = max(top, h)
	}
	for h := 0; h <= top; h++ {
		var calls []*exec.TableCall
		for i, c := range s.calls {
			if s.heights[i] == h {
				s.refs[i].Idx = width + len(calls)
				calls = append(calls, c)
			}
		}
		width += len(calls)
		est *= 10
		node = &exec.ProjectSet{Input: node, Calls: calls, Info: exec.NodeInfo{Name: "ProjectSet", Rows: est}}
	}
	return node
}

// srfClauseOf names a clause for the error about SRFs in it, as PostgreSQL does.
func srfClauseOf(what string) string {
	what = strings.TrimPrefix(what, "argument of ")
	if what == "JOIN/ON" {
		return "JOIN conditions"
	}
	return what
}

// Values of binder.srfBlocked besides the constructs named in messages.
const (
	srfInFrom = "the arguments of a function in FROM"
)

// noSRFs refuses SRF calls while the construct what is bound; call the result
// when it is done.
func (b *binder) noSRFs(what string) func() {
	saved := b.srfBlocked
	b.srfBlocked = what
	return func() { b.srfBlocked = saved }
}
