package planner

import (
	"strings"

	"github.com/augurdb/augur/planner/exec"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/format"
)

// scope is the name space of one query level: the columns of its FROM list, laid
// out in one row (each relation at its offset), and the enclosing level's scope.
type scope struct {
	parent *scope
	cols   []scopeCol
	rels   []*relation
	width  int
	// outerRefs is set when an expression of this level (or of a level nested in
	// it) referred to a column of an enclosing level: a subquery is correlated.
	outerRefs bool
	// agg is set while binding the expressions evaluated after aggregation.
	agg *aggBinding
	// win holds the level's window calls (SELECT levels only).
	win *winBinding
}

type scopeCol struct {
	rel string // relation name (alias or table name)
	// schema is the schema of a table referenced without an alias.
	schema string
	name   string
	t      types.T
	typmod int32
	idx    int
	// hidden columns are not expanded by * nor found unqualified (the row id, the
	// right-hand column of a USING pair).
	hidden bool
	// noStar: not expanded by an unqualified * (the right-hand column of USING).
	noStar bool
	// system: the hidden row id, never visible to SQL.
	system bool
}

// aggBinding is the aggregation of a query level: grouping expressions and
// aggregate calls, whose values make up the row after aggregation.
type aggBinding struct {
	groups    []exec.Expr
	groupKeys []string
	groupCols map[int]int // input column index → group slot, for grouped plain columns
	aggs      []*exec.AggFunc
	aggKeys   []string
	input     *scope // the scope the aggregate arguments are bound in
	// sets are the grouping sets (indexes into groups); nil for plain GROUP BY.
	sets [][]int
	// active: expressions are being bound over the aggregated row.
	active bool
}

func restore(n ast.Node) string {
	var sb strings.Builder
	if err := n.Restore(format.NewRestoreCtx(format.DefaultRestoreFlags, &sb)); err != nil {
		return ""
	}
	return sb.String()
}

// lookup resolves a column reference: the nearest level that has it wins.
func (b *binder) lookup(rel, name string, pos int32) (exec.Expr, error) {
	up := 0
	for s := b.sc; s != nil; s = s.parent {
		var found *scopeCol
		for i := range s.cols {
			c := &s.cols[i]
			if c.system || c.name != name || (rel != "" && c.rel != rel) || (rel == "" && c.hidden) ||
				b.colSchema != "" && c.schema != b.colSchema {
				continue
			}
			if found != nil && found.idx != c.idx {
				n := name
				if rel != "" {
					n = rel + "." + name
				}
				return nil, pgerr.New(pgerrcode.AmbiguousColumn, "column reference %q is ambiguous", n).WithPosition(pos)
			}
			found = c
		}
		if found == nil && rel != "" {
			for _, r := range s.rels {
				if r.name == rel {
					return nil, pgerr.New(pgerrcode.UndefinedColumn, "column %s.%s does not exist", rel, name).WithPosition(pos)
				}
			}
		}
		if found != nil {
			for m, k := b.sc, 0; k < up; m, k = m.parent, k+1 {
				m.outerRefs = true
			}
			label := name
			if len(s.rels) > 1 {
				label = found.rel + "." + name // as EXPLAIN shows columns of joins
			}
			ref := &exec.ColRef{Up: up, Idx: found.idx, T: found.t, Name: label}
			if s.agg != nil && s.agg.active {
				slot, ok := s.agg.groupCols[found.idx]
				if !ok {
					return nil, pgerr.New(pgerrcode.GroupingError, "column \"%s.%s\" must appear in the GROUP BY clause or be used in an aggregate function", found.rel, name).WithPosition(pos)
				}
				ref = &exec.ColRef{Up: up, Idx: slot, T: found.t, Name: label}
			}
			return ref, nil
		}
		up++
	}
	if rel != "" {
		if !b.hasRel(rel) {
			if err := b.invisibleRel(rel, pos); err != nil {
				return nil, err
			}
			return nil, pgerr.New(pgerrcode.UndefinedTable, "missing FROM-clause entry for table %q", rel).WithPosition(pos)
		}
		return nil, pgerr.New(pgerrcode.UndefinedColumn, "column %s.%s does not exist", rel, name).WithPosition(pos)
	}
	return nil, pgerr.New(pgerrcode.UndefinedColumn, "column %q does not exist", name).WithPosition(pos)
}

func (b *binder) hasRel(name string) bool {
	for s := b.sc; s != nil; s = s.parent {
		for _, r := range s.rels {
			if r.name == name {
				return true
			}
		}
	}
	return false
}

// colType returns the declared typmod of a column reference (for result columns).
func (b *binder) colTypmod(e exec.Expr) int32 {
	switch x := e.(type) {
	case *exec.Cast:
		return x.Typmod
	case *exec.ColRef:
		s := b.sc
		for k := 0; k < x.Up && s != nil; k++ {
			s = s.parent
		}
		if s == nil || s.agg != nil && s.agg.active {
			return -1
		}
		for _, c := range s.cols {
			if c.idx == x.Idx {
				return c.typmod
			}
		}
	}
	return -1
}
