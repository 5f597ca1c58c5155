package planner

import (
	"slices"

	"github.com/augurdb/augur/planner/exec"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// GROUP BY with grouping sets. The grouping expressions of all sets are bound
// once (ab.groups); each set is the list of their indexes it groups by, and the
// Aggregate node aggregates every row once per set (exec.Aggregate.Sets). As in
// PostgreSQL, the items of GROUP BY multiply: `GROUP BY a, ROLLUP(b, c)` is the
// sets (a, b, c), (a, b), (a); duplicate sets stay and yield duplicate rows.

// maxCube is PostgreSQL's limit on the elements of one CUBE.
const maxCube = 12

// groupBy binds the GROUP BY items into ab.
func (b *binder) groupBy(items []*ast.ByItem, fields *ast.FieldList, ab *aggBinding) error {
	sets := [][]int{{}}
	withSets := false
	for _, it := range items {
		s, isSets, err := b.groupingElem(it.Expr, fields, ab)
		if err != nil {
			return err
		}
		withSets = withSets || isSets
		var prod [][]int
		for _, x := range sets {
			for _, y := range s {
				prod = append(prod, append(slices.Clone(x), y...))
			}
		}
		sets = prod
	}
	if withSets {
		ab.sets = sets
	}
	return nil
}

// groupingElem returns the grouping sets of one GROUP BY element; isSets
// reports a ROLLUP, CUBE, GROUPING SETS or () construct.
func (b *binder) groupingElem(n ast.ExprNode, fields *ast.FieldList, ab *aggBinding) ([][]int, bool, error) {
	f, ok := n.(*ast.FuncCallExpr)
	if !ok {
		i, err := b.addGroup(n, fields, ab)
		return [][]int{{i}}, false, err
	}
	switch f.FnName.L {
	case fnGSet:
		set := []int{}
		for _, a := range f.Args {
			i, err := b.addGroup(a, fields, ab)
			if err != nil {
				return nil, false, err
			}
			set = append(set, i)
		}
		return [][]int{set}, true, nil
	case fnRollup, fnCube:
		var elems [][]int
		for _, a := range f.Args {
			s, _, err := b.groupingElem(a, fields, ab)
			if err != nil {
				return nil, false, err
			}
			elems = append(elems, s[0])
		}
		var out [][]int
		if f.FnName.L == fnRollup {
			for k := len(elems); k >= 0; k-- {
				out = append(out, slices.Concat(elems[:k]...))
			}
			return out, true, nil
		}
		if len(elems) > maxCube {
			return nil, false, pgerr.New(pgerrcode.ProgramLimitExceeded, "CUBE is limited to %d elements", maxCube).WithPosition(b.nodePos(f))
		}
		for mask := (1 << len(elems)) - 1; mask >= 0; mask-- {
			set := []int{}
			for i, e := range elems {
				if mask&(1<<(len(elems)-1-i)) != 0 {
					set = append(set, e...)
				}
			}
			out = append(out, set)
		}
		return out, true, nil
	case fnSets:
		var out [][]int
		for _, a := range f.Args {
			s, _, err := b.groupingElem(a, fields, ab)
			if err != nil {
				return nil, false, err
			}
			out = append(out, s...)
		}
		return out, true, nil
	}
	i, err := b.addGroup(n, fields, ab)
	return [][]int{{i}}, false, err
}

// addGroup binds one grouping expression and returns its index in ab.groups;
// a column or expression already grouped by keeps its index.
func (b *binder) addGroup(n ast.ExprNode, fields *ast.FieldList, ab *aggBinding) (int, error) {
	g, src, err := b.groupItem(n, fields)
	if err != nil {
		return 0, err
	}
	if ref, ok := g.(*exec.ColRef); ok && ref.Up == 0 {
		if i, dup := ab.groupCols[ref.Idx]; dup {
			return i, nil
		}
		ab.groupCols[ref.Idx] = len(ab.groups)
	}
	key := restore(src)
	if _, isRef := g.(*exec.ColRef); !isRef {
		if i := slices.Index(ab.groupKeys, key); i >= 0 {
			return i, nil
		}
	}
	ab.groupKeys = append(ab.groupKeys, key)
	ab.groups = append(ab.groups, g)
	return len(ab.groups) - 1, nil
}

// grouping binds GROUPING(a, ...): a bit mask of the arguments the row's
// grouping set does not group by, computed by the Aggregate node.
func (b *binder) grouping(e *ast.FuncCallExpr) (exec.Expr, error) {
	var ab *aggBinding
	if b.sc != nil {
		ab = b.sc.agg
	}
	notGrouped := func(n ast.Node) error {
		return pgerr.New(pgerrcode.GroupingError, "arguments to GROUPING must be grouping expressions of the associated query level").WithPosition(b.nodePos(n))
	}
	if len(e.Args) == 0 {
		return nil, pgerr.Syntax(b.nodePos(e), "syntax error at or near \")\"")
	}
	if ab == nil {
		return nil, notGrouped(e.Args[0])
	}
	if !ab.active {
		return nil, pgerr.New(pgerrcode.GroupingError, "grouping operations are not allowed here").WithPosition(b.nodePos(e))
	}
	if len(e.Args) > 31 {
		return nil, pgerr.New(pgerrcode.TooManyArguments, "GROUPING must have fewer than 32 arguments").WithPosition(b.nodePos(e))
	}
	key := restore(e)
	if i := slices.Index(ab.aggKeys, key); i >= 0 {
		return &exec.ColRef{Idx: len(ab.groups) + i, T: types.Int4}, nil
	}
	ab.active = false
	defer func() { ab.active = true }()
	var idx []int
	for _, a := range e.Args {
		i := slices.Index(ab.groupKeys, restore(a))
		if i < 0 {
			x, err := b.expr(a)
			if err != nil {
				return nil, err
			}
			if ref, ok := x.(*exec.ColRef); ok && ref.Up == 0 {
				if gi, ok := ab.groupCols[ref.Idx]; ok {
					i = gi
				}
			}
		}
		if i < 0 {
			return nil, notGrouped(a)
		}
		idx = append(idx, i)
	}
	ab.aggs = append(ab.aggs, &exec.AggFunc{Name: "grouping", Grouping: idx, T: types.Int4})
	ab.aggKeys = append(ab.aggKeys, key)
	return &exec.ColRef{Idx: len(ab.groups) + len(ab.aggs) - 1, T: types.Int4}, nil
}
