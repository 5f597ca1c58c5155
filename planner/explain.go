package planner

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/augurdb/augur/planner/exec"
	"github.com/augurdb/augur/storage/types"
)

// nodeStats are the measurements of EXPLAIN ANALYZE for one node.
type nodeStats struct {
	rows, loops  int64
	first, total time.Duration
}

var exprType = reflect.TypeOf((*exec.Expr)(nil)).Elem()

// tableCallType is a bound call of a set-returning function, whose arguments are
// expressions of the node holding it.
var tableCallType = reflect.TypeOf((*exec.TableCall)(nil))

// walkExpr calls fn for e and every expression below it (not inside subquery
// plans). It finds the sub-expressions of any operator by reflection, so that new
// expression types need no registration here.
func walkExpr(e exec.Expr, fn func(exec.Expr)) {
	if e == nil || reflect.ValueOf(e).IsNil() {
		return
	}
	fn(e)
	exprFields(e, func(x exec.Expr) { walkExpr(x, fn) })
}

// walkNodeExprs calls fn for every expression held by n itself (not its inputs).
func walkNodeExprs(n exec.Node, fn func(exec.Expr)) {
	exprFields(n, func(x exec.Expr) { walkExpr(x, fn) })
}

// exprFields calls fn for each expression in the exported fields of the struct v
// points to: fields of expression type, and slices, slices of slices and maps of
// them.
func exprFields(v any, fn func(exec.Expr)) {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return
	}
	var visit func(f reflect.Value)
	visit = func(f reflect.Value) {
		switch {
		case f.Kind() == reflect.Interface && f.Type() == exprType:
			if !f.IsNil() {
				fn(f.Interface().(exec.Expr))
			}
		case f.Type() == tableCallType && !f.IsNil():
			exprFields(f.Interface(), fn) // the arguments of a set-returning function
		case f.Kind() == reflect.Slice:
			for j := 0; j < f.Len(); j++ {
				visit(f.Index(j))
			}
		case f.Kind() == reflect.Map && f.Type().Elem() == exprType:
			for _, k := range f.MapKeys() {
				visit(f.MapIndex(k))
			}
		}
	}
	for i := 0; i < rv.NumField(); i++ {
		if rv.Type().Field(i).IsExported() {
			visit(rv.Field(i))
		}
	}
}

// exprString renders an expression for EXPLAIN, close to PostgreSQL's deparse.
func exprString(e exec.Expr) string {
	switch x := e.(type) {
	case nil:
		return ""
	case *exec.ColRef:
		if x.Name != "" {
			return x.Name
		}
		return fmt.Sprintf("$col%d", x.Idx+1)
	case *exec.Const:
		if x.Val == nil {
			return "NULL"
		}
		s := string(types.EncodeText(x.T, x.Val))
		if x.T.IsString() || x.T == types.Unknown {
			return "'" + strings.ReplaceAll(s, "'", "''") + "'"
		}
		return s
	case *exec.Param:
		return fmt.Sprintf("$%d", x.Idx+1)
	case *exec.BinOp:
		return "(" + exprString(x.L) + " " + x.Op + " " + exprString(x.R) + ")"
	case *exec.And:
		return "(" + exprString(x.L) + " AND " + exprString(x.R) + ")"
	case *exec.Or:
		return "(" + exprString(x.L) + " OR " + exprString(x.R) + ")"
	case *exec.Not:
		return "(NOT " + exprString(x.X) + ")"
	case *exec.Cast:
		return exprString(x.X) + "::" + x.T.SQLName()
	case *exec.IsNull:
		if x.Not {
			return "(" + exprString(x.X) + " IS NOT NULL)"
		}
		return "(" + exprString(x.X) + " IS NULL)"
	case *exec.Func:
		var args []string
		for _, a := range x.Args {
			args = append(args, exprString(a))
		}
		return x.Name + "(" + strings.Join(args, ", ") + ")"
	case *exec.Subquery:
		return "(SubPlan)"
	}
	return "(...)"
}

// explainLines renders a plan tree as PostgreSQL's EXPLAIN text does.
func explainLines(n exec.Node, analyze map[exec.Node]*nodeStats, costs bool) []string {
	var out []string
	var walk func(n exec.Node, depth int)
	walk = func(n exec.Node, depth int) {
		info := n.Explain()
		if info.Name == "Projection" { // PostgreSQL shows projections as part of their input
			for _, c := range children(n, info) {
				walk(c, depth)
			}
			return
		}
		line := info.Name
		if line == "" {
			line = strings.TrimPrefix(fmt.Sprintf("%T", n), "*exec.")
		}
		if costs {
			rows := max(1, info.Rows)
			line += fmt.Sprintf("  (cost=0.00..%.2f rows=%.0f width=%d)", max(info.Cost, rows*0.01), rows, 8)
		}
		if st, ok := analyze[n]; ok {
			if st.loops == 0 {
				line += " (never executed)"
			} else {
				line += fmt.Sprintf(" (actual time=%.3f..%.3f rows=%d loops=%d)", st.first.Seconds()*1000, st.total.Seconds()*1000/float64(st.loops), st.rows/st.loops, st.loops)
			}
		}
		detail := "  "
		if depth > 0 {
			line = strings.Repeat(" ", 6*(depth-1)+2) + "->  " + line
			detail = strings.Repeat(" ", 6*depth+2)
		}
		out = append(out, line)
		for _, d := range info.Details {
			out = append(out, detail+d)
		}
		for _, c := range children(n, info) {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return out
}

// children returns a node's inputs: those its EXPLAIN info lists, else the
// exported Node-typed fields (Input, Left, Right).
func children(n exec.Node, info exec.NodeInfo) []exec.Node {
	if info.Children != nil {
		return info.Children
	}
	var out []exec.Node
	v := reflect.ValueOf(n)
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	nodeType := reflect.TypeOf((*exec.Node)(nil)).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if f.Kind() == reflect.Interface && f.Type() == nodeType && !f.IsNil() && v.Type().Field(i).IsExported() {
			out = append(out, f.Interface().(exec.Node))
		}
	}
	return out
}
