package planner

import (
	"github.com/augurdb/augur/planner/exec"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// WITH RECURSIVE. A WITH query of a RECURSIVE clause that names itself must be
// `non-recursive-term UNION [ALL] recursive-term`, with exactly one reference to
// itself in the recursive term, outside subqueries and the nullable side of outer
// joins (PostgreSQL's checkWellFormedRecursion; 42P19 otherwise). The
// non-recursive term fixes the column types; the reference in the recursive term
// is a scan of the working table (exec.WorkTableScan), which exec.RecursiveUnion
// refills with each step's rows. Like every WITH query here, each reference to it
// is planned and run on its own.

// selfRefs finds the references to a WITH query's name in a query.
type selfRefs struct {
	name     string
	n        int
	depth    int // inside subquery expressions
	inSub    bool
	outer    bool // on the nullable side of an outer join
	setOpErr string
}

func (v *selfRefs) Enter(n ast.Node) (ast.Node, bool) {
	switch x := n.(type) {
	case *ast.TableName:
		if x.Schema.L == "" && x.Name.L == v.name {
			v.n++
			if v.depth > 0 {
				v.inSub = true
			}
		}
	case *ast.SubqueryExpr:
		v.depth++
	case *ast.Join:
		if x.Right != nil {
			l, r := countRefs(x.Left, v.name), countRefs(x.Right, v.name)
			full := false
			if x.On != nil {
				if and, ok := unparen(x.On.Expr).(*ast.BinaryOperationExpr); ok {
					if f, ok := unparen(and.L).(*ast.FuncCallExpr); ok && f.FnName.L == fnFullJoin {
						full = true
					}
				}
			}
			if (x.Tp == ast.LeftJoin || full) && r > 0 || (x.Tp == ast.RightJoin || full) && l > 0 {
				v.outer = true
			}
		}
	case *ast.SetOprSelectList:
		for _, s := range x.Selects {
			var op *ast.SetOprType
			switch y := s.(type) {
			case *ast.SelectStmt:
				op = y.AfterSetOperator
			case *ast.SetOprSelectList:
				op = y.AfterSetOperator
			}
			if op != nil && countRefs(s, v.name) > 0 {
				switch *op {
				case ast.Intersect, ast.IntersectAll:
					v.setOpErr = "INTERSECT"
				case ast.Except, ast.ExceptAll:
					v.setOpErr = "EXCEPT"
				}
			}
		}
	}
	return n, false
}

func (v *selfRefs) Leave(n ast.Node) (ast.Node, bool) {
	if _, ok := n.(*ast.SubqueryExpr); ok {
		v.depth--
	}
	return n, true
}

func countRefs(n ast.Node, name string) int {
	v := &selfRefs{name: name}
	n.Accept(v)
	return v.n
}

func recursionError(format string, args ...any) error {
	return pgerr.New(pgerrcode.InvalidRecursion, format, args...)
}

// recursiveSource binds a reference to a recursive WITH query (one that names
// itself) as a derived table.
func (b *binder) recursiveSource(c *cte, alias string) (*relation, error) {
	name := c.def.Name.O
	q, ok := c.def.Query.Query.(*ast.SetOprStmt)
	var selects []ast.Node
	if ok && q.SelectList != nil {
		selects = q.SelectList.Selects
	}
	var op *ast.SetOprType
	if len(selects) >= 2 {
		switch y := selects[len(selects)-1].(type) {
		case *ast.SelectStmt:
			op = y.AfterSetOperator
		case *ast.SetOprSelectList:
			op = y.AfterSetOperator
		}
	}
	if op == nil || (*op != ast.Union && *op != ast.UnionAll) {
		return nil, recursionError("recursive query \"%s\" does not have the form non-recursive-term UNION [ALL] recursive-term", name)
	}
	switch {
	case q.OrderBy != nil:
		return nil, pgerr.FeatureNotSupported("ORDER BY in a recursive query is not implemented")
	case q.Limit != nil && q.Limit.Offset != nil:
		return nil, pgerr.FeatureNotSupported("OFFSET in a recursive query is not implemented")
	case q.Limit != nil:
		return nil, pgerr.FeatureNotSupported("LIMIT in a recursive query is not implemented")
	}
	var nonRec ast.Node = selects[0]
	if len(selects) > 2 {
		nonRec = &ast.SetOprStmt{SelectList: &ast.SetOprSelectList{Selects: selects[:len(selects)-1]}}
	}
	rec := selects[len(selects)-1]
	if countRefs(nonRec, c.def.Name.L) > 0 {
		return nil, recursionError("recursive reference to query \"%s\" must not appear within its non-recursive term", name)
	}
	v := &selfRefs{name: c.def.Name.L}
	rec.Accept(v)
	switch {
	case v.n > 1:
		return nil, recursionError("recursive reference to query \"%s\" must not appear more than once", name)
	case v.inSub:
		return nil, recursionError("recursive reference to query \"%s\" must not appear within a subquery", name)
	case v.outer:
		return nil, recursionError("recursive reference to query \"%s\" must not appear within an outer join", name)
	case v.setOpErr != "":
		return nil, recursionError("recursive reference to query \"%s\" must not appear within %s", name, v.setOpErr)
	}
	if sel, ok := rec.(*ast.SelectStmt); ok && (sel.GroupBy != nil || hasAggregate(sel.Fields, sel.OrderBy)) {
		if hasAggregate(sel.Fields, sel.OrderBy) {
			return nil, recursionError("aggregate functions are not allowed in a recursive query's recursive term")
		}
	}

	c.binding = true
	init, err := b.query(nonRec, b.sc.parent)
	c.binding = false
	if err != nil {
		return nil, err
	}
	cols := append([]Column(nil), init.cols...)
	if len(c.def.ColNameList) > len(cols) {
		return nil, pgerr.New(pgerrcode.InvalidColumnReference, "WITH query \"%s\" has %d columns available but %d columns specified", name, len(cols), len(c.def.ColNameList))
	}
	for i, n := range c.def.ColNameList {
		cols[i].Name = n.O
	}
	// The recursive term, with its reference to the query reading the working
	// table; its untyped literals take the non-recursive term's types.
	work := &exec.WorkTable{Name: name}
	c.work, c.workCols = work, cols
	savedBranch := b.setOpBranch
	b.setOpBranch = true
	step, err := b.query(rec, b.sc.parent)
	b.setOpBranch = savedBranch
	c.work, c.workCols = nil, nil
	if err != nil {
		return nil, err
	}
	if len(step.cols) != len(cols) {
		return nil, pgerr.Syntax(0, "each UNION query must have the same number of columns")
	}
	conv := make([]exec.Expr, len(cols))
	cast := false
	for i, col := range cols {
		var x exec.Expr = &exec.ColRef{Idx: i, T: step.cols[i].Type}
		conv[i] = x
		st := step.cols[i].Type
		if st == col.Type {
			continue
		}
		cast = true
		if st == types.Unknown {
			conv[i] = &exec.Cast{X: x, T: col.Type, Typmod: -1}
			continue
		}
		t, err := b.commonType([]exec.Expr{&exec.ColRef{Idx: i, T: col.Type}, x}, "UNION")
		if err != nil {
			return nil, err
		}
		if t != col.Type {
			return nil, pgerr.New(pgerrcode.DatatypeMismatch, "recursive query \"%s\" column %d has type %s in non-recursive term but type %s overall",
				name, i+1, types.FormatType(col.Type, col.Typmod), types.FormatType(t, -1)).
				WithHint("Cast the output of the non-recursive term to the correct type.")
		}
		if conv[i], err = b.coerce(x, col.Type, ""); err != nil {
			return nil, err
		}
	}
	stepNode := step.node
	if cast {
		stepNode = &exec.Projection{Input: stepNode, Exprs: conv, Info: exec.NodeInfo{Name: "Projection", Rows: step.est}}
	}
	ts := make([]types.T, len(cols))
	for i, col := range cols {
		ts[i] = col.Type
	}
	est := init.est * 10
	node := &exec.RecursiveUnion{Init: init.node, Recur: stepNode, Work: work, All: *op == ast.UnionAll, Types: ts,
		Info: exec.NodeInfo{Name: "Recursive Union", Rows: est, Children: []exec.Node{init.node, stepNode}}}
	return b.derived(alias, &relPlan{node: node, cols: cols, est: est, correlated: init.correlated || step.correlated}, nil)
}

// workTableSource is the recursive term's reference to its own WITH query.
func (b *binder) workTableSource(c *cte, alias string) (*relation, error) {
	p := &relPlan{node: &exec.WorkTableScan{Table: c.work, Info: exec.NodeInfo{Name: "WorkTable Scan on " + c.def.Name.O, Rows: 100}},
		cols: c.workCols, est: 100}
	return b.derived(alias, p, nil)
}
