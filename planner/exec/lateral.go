package exec

import "github.com/augurdb/augur/storage/types"

// LateralScan is a LATERAL subquery in FROM. The subquery was bound one level
// below the query level holding it, so it runs with that level's row (the FROM
// items before it, as joined so far) as its innermost outer row; its rows are
// placed at Offset of a row of Width values, as Place does.
type LateralScan struct {
	Input         Node
	Offset, Width int
	Info          NodeInfo
}

// Explain implements Node.
func (l *LateralScan) Explain() NodeInfo { return l.Info }

// Open implements Node: the subquery reads no FROM item of the level.
func (l *LateralScan) Open(c *Ctx) (Iter, error) { return l.OpenWith(c, c.Row) }

// OpenWith implements ParamNode.
func (l *LateralScan) OpenWith(c *Ctx, row []types.Datum) (Iter, error) {
	cc := *c
	cc.Outer = append(append([][]types.Datum(nil), c.Outer...), row)
	cc.Row = nil
	in, err := l.Input.Open(&cc)
	if err != nil {
		return nil, err
	}
	return &placeIter{in: in, p: &Place{Offset: l.Offset, Width: l.Width}}, nil
}
