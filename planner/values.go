package planner

import (
	"github.com/augurdb/augur/planner/exec"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// valuesOrderLimit binds the ORDER BY and LIMIT of a VALUES query: its columns
// (column1, column2, ...) are the scope the ORDER BY expressions see.
func (b *binder) valuesOrderLimit(sel *ast.SelectStmt, p *relPlan) (*relPlan, error) {
	sel, ties := splitWithTies(sel)
	if sel.OrderBy == nil && sel.Limit == nil {
		return p, nil
	}
	node := p.node
	// The rows as a relation of a level of their own.
	saved := b.sc
	b.sc = &scope{parent: saved.parent}
	defer func() { b.sc = saved }()
	r := &relation{name: "*VALUES*", offset: 0, width: len(p.cols), est: p.est}
	b.sc.rels = append(b.sc.rels, r)
	b.sc.width = len(p.cols)
	exprs := make([]exec.Expr, len(p.cols))
	for i, c := range p.cols {
		b.sc.cols = append(b.sc.cols, scopeCol{rel: r.name, name: c.Name, t: c.Type, typmod: c.Typmod, idx: i})
		exprs[i] = &exec.ColRef{Idx: i, T: c.Type, Name: c.Name}
	}
	keys, err := b.orderByKeys(sel.OrderBy, nil, p.cols, &exprs, false)
	if err != nil {
		return nil, err
	}
	if sel.OrderBy != nil {
		if len(exprs) > len(p.cols) {
			node = &exec.Projection{Input: node, Exprs: exprs, Info: exec.NodeInfo{Name: "Projection", Rows: p.est}}
		}
		node = &exec.Sort{Input: node, Keys: keys, Info: exec.NodeInfo{Name: "Sort", Rows: p.est, Cost: p.est * 2}}
	}
	node, err = b.limitAndTrim(node, sel.Limit, ties, keys, exprs, len(p.cols), p.est)
	if err != nil {
		return nil, err
	}
	return &relPlan{node: node, cols: p.cols, est: p.est}, nil
}
