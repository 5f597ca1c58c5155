package planner

import (
	"github.com/augurdb/augur/planner/exec"
	"github.com/augurdb/augur/planner/pgdialect"
	"github.com/augurdb/augur/storage/types"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// Operators that PostgreSQL implements by a function of pg_proc (oprcode), bound
// through that function: the pattern-matching operators of text, the json and
// jsonb operators that are not plain comparisons.
func init() {
	T := types.Text
	fnOp := func(op string, l, r types.T, fn string) {
		operators[op] = append(operators[op], opCand{l: l, r: r, fn: fn})
	}
	fnOp("~", T, T, "textregexeq")
	fnOp("!~", T, T, "textregexne")
	fnOp("~*", T, T, "texticregexeq")
	fnOp("!~*", T, T, "texticregexne")
}

// marker binds the marker calls of pgdialect that stand for PostgreSQL syntax
// of the functions in planner/exec/funcs_*.go. ok is false for other calls.
func (b *binder) marker(e *ast.FuncCallExpr) (x exec.Expr, ok bool, err error) {
	switch e.FnName.L {
	case pgdialect.FnSimilar:
		args, err := b.args(e)
		if err != nil {
			return nil, true, err
		}
		x, err := b.builtin("augur_similar_to", args)
		return x, true, err
	case pgdialect.FnTimeZone:
		args, err := b.args(e)
		if err != nil {
			return nil, true, err
		}
		x, err := b.function("timezone", "timezone", args)
		if err != nil {
			err = b.atOperator(err, b.nodePos(e))
		}
		return x, true, err
	}
	return nil, false, nil
}
