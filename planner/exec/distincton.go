package exec

import (
	"io"

	"github.com/augurdb/augur/storage/types"
)

// DistinctOn keeps the first row of each group of rows equal in the columns
// Cols (SELECT DISTINCT ON): its input arrives sorted, so the first is the one
// ORDER BY puts first.
type DistinctOn struct {
	Input Node
	Cols  []int
	Types []types.T // of Cols
	Info  NodeInfo
}

// Explain implements Node.
func (d *DistinctOn) Explain() NodeInfo { return d.Info }

// Open implements Node.
func (d *DistinctOn) Open(c *Ctx) (Iter, error) {
	in, err := d.Input.Open(c)
	if err != nil {
		return nil, err
	}
	return &distinctOnIter{d: d, in: in, seen: map[string]struct{}{}}, nil
}

type distinctOnIter struct {
	d    *DistinctOn
	in   Iter
	seen map[string]struct{}
	key  []types.Datum
	buf  []byte
}

func (it *distinctOnIter) Next() ([]types.Datum, error) {
	for {
		row, err := it.in.Next()
		if err != nil {
			return nil, err
		}
		it.key = it.key[:0]
		for _, c := range it.d.Cols {
			it.key = append(it.key, row[c])
		}
		it.buf = rowKey(it.buf[:0], it.d.Types, it.key)
		if _, ok := it.seen[string(it.buf)]; ok {
			continue
		}
		it.seen[string(it.buf)] = struct{}{}
		return row, nil
	}
}

func (it *distinctOnIter) Close() { it.in.Close() }

// LimitTies is FETCH FIRST n ROWS WITH TIES: Limit, followed by the rows that
// compare equal to the last one under Keys (the ORDER BY of its sorted input).
type LimitTies struct {
	Input         Node
	Count, Offset Expr
	Keys          []SortKey
	Info          NodeInfo
}

// Explain implements Node.
func (l *LimitTies) Explain() NodeInfo { return l.Info }

// Open implements Node.
func (l *LimitTies) Open(c *Ctx) (Iter, error) {
	lim := &Limit{Input: l.Input, Count: l.Count, Offset: l.Offset}
	it, err := lim.Open(c)
	if err != nil {
		return nil, err
	}
	return &tiesIter{li: it.(*limitIter), keys: l.Keys}, nil
}

type tiesIter struct {
	li   *limitIter
	keys []SortKey
	last []types.Datum
	done bool
}

func (t *tiesIter) Next() ([]types.Datum, error) {
	if t.done {
		return nil, io.EOF
	}
	if t.li.count != 0 || t.li.offset > 0 {
		row, err := t.li.Next()
		if err == nil && t.li.count == 0 {
			t.last = append([]types.Datum(nil), row...)
		}
		return row, err
	}
	if t.last == nil { // FETCH FIRST 0 ROWS
		return nil, io.EOF
	}
	row, err := t.li.in.Next()
	if err != nil {
		return nil, err
	}
	if compareRows(t.keys, t.last, row) != 0 {
		t.done = true
		return nil, io.EOF
	}
	return row, nil
}

func (t *tiesIter) Close() { t.li.Close() }
