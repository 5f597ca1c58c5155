package planner

import (
	"github.com/augurdb/augur/planner/exec"
	"github.com/augurdb/augur/planner/pgdialect"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
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
	J, JB, I4 := types.JSON, types.JSONB, types.Int4
	TA, _ := types.ArrayOf(T)
	fnOp("@>", JB, JB, "jsonb_contains")
	fnOp("<@", JB, JB, "jsonb_contained")
	fnOp("?", JB, T, "jsonb_exists")
	fnOp("?|", JB, TA, "jsonb_exists_any")
	fnOp("?&", JB, TA, "jsonb_exists_all")
	fnOp("||", JB, JB, "jsonb_concat")
	fnOp("-", JB, T, "jsonb_delete")
	fnOp("-", JB, I4, "jsonb_delete")
	fnOp("-", JB, TA, "jsonb_delete")
	fnOp("#-", JB, TA, "jsonb_delete_path")
	for _, j := range []types.T{J, JB} {
		fnOp("#>", j, TA, "augur_json_path")
		fnOp("#>>", j, TA, "augur_json_path_text")
	}
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
	case "json_build_object", "jsonb_build_object", "json_build_array", "jsonb_build_array", "to_json", "to_jsonb":
		if e.Schema.L != "" && e.Schema.L != "pg_catalog" {
			return nil, false, nil
		}
		x, err := b.jsonCall(e)
		return x, true, err
	case pgdialect.FnCollate:
		x, err := b.collate(e)
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

// jsonCall binds the json functions whose arguments are VARIADIC "any" or
// anyelement: each value is converted to json by its own type.
func (b *binder) jsonCall(e *ast.FuncCallExpr) (exec.Expr, error) {
	name := e.FnName.L
	args, err := b.args(e)
	if err != nil {
		return nil, err
	}
	ts := make([]types.T, len(args))
	for i, a := range args {
		if a.Type() == types.Unknown {
			if name == "to_json" || name == "to_jsonb" {
				return nil, pgerr.New(pgerrcode.DatatypeMismatch, "could not determine polymorphic type because input has type unknown")
			}
			if args[i], err = b.coerce(a, types.Text, ""); err != nil {
				return nil, err
			}
		}
		ts[i] = args[i].Type()
	}
	if name == "to_json" || name == "to_jsonb" {
		if len(args) != 1 {
			return nil, undefinedFunction(name, args).WithPosition(b.nodePos(e))
		}
		return exec.ToJSON(name, ts[0], args[0]), nil
	}
	return exec.JSONBuild(name, ts, args)
}
