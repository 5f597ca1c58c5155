package exec

import (
	"io"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
)

func limitError(what string) error {
	return pgerr.New(pgerrcode.InvalidRowCountInLimitClause, "%s must not be negative", what)
}

// JoinKind is the kind of a join.
type JoinKind uint8

// Join kinds.
const (
	InnerJoin JoinKind = iota
	LeftJoin
	RightJoin
	FullJoin
	SemiJoin // left rows with a match (EXISTS / IN rewritten into joins)
	AntiJoin // left rows without a match
)

func (k JoinKind) String() string {
	return [...]string{"Inner", "Left", "Right", "Full", "Semi", "Anti"}[k]
}

// NestedLoop joins every left row with every right row that satisfies Pred. The
// right side is read once and kept in memory unless Correlated, when it is
// re-opened per left row with the left row as its outer row (index nested loop:
// the right side looks rows up by the left row's values).
type NestedLoop struct {
	Left, Right Node
	Kind        JoinKind
	Pred        Expr // over the merged row
	// Width is the width of the query level's row; RightSlots are the ranges of it
	// that the right side fills (the left side fills the others).
	Width      int
	RightSlots [][2]int
	// Correlated: Right is a ParamNode opened per left row (index nested loop).
	Correlated bool
	Info       NodeInfo
}

// ParamNode is a node whose execution depends on a row of the same query level
// (the left row of an index nested loop): its key expressions read that row.
type ParamNode interface {
	Node
	OpenWith(c *Ctx, row []types.Datum) (Iter, error)
}

// merge writes the right side's slots of r over a copy of l.
func merge(dst, l, r []types.Datum, slots [][2]int) []types.Datum {
	dst = append(dst[:0], l...)
	for _, s := range slots {
		copy(dst[s[0]:s[1]], r[s[0]:s[1]])
	}
	return dst
}

// onlyRight is r with the left side's slots NULL.
func onlyRight(width int, r []types.Datum, slots [][2]int) []types.Datum {
	out := make([]types.Datum, width)
	for _, s := range slots {
		copy(out[s[0]:s[1]], r[s[0]:s[1]])
	}
	return out
}

// Explain implements Node.
func (n *NestedLoop) Explain() NodeInfo { return n.Info }

// Open implements Node.
func (n *NestedLoop) Open(c *Ctx) (Iter, error) {
	l, err := n.Left.Open(c)
	if err != nil {
		return nil, err
	}
	it := &joinIter{kind: n.Kind, width: n.Width, slots: n.RightSlots, pred: n.Pred, c: c, ec: c.With(nil), left: l}
	if n.Correlated {
		// Index nested loop: the right side is looked up for each left row.
		it.probe = func(cur []types.Datum) ([]int, error) {
			if err := it.fill(n.Right.(ParamNode), cur); err != nil {
				return nil, err
			}
			return it.all(), nil
		}
		return it, nil
	}
	if it.right, err = drain(c, n.Right); err != nil {
		l.Close()
		return nil, err
	}
	if n.Kind == RightJoin || n.Kind == FullJoin {
		it.rightMatched = make([]bool, len(it.right))
	}
	it.probe = func([]types.Datum) ([]int, error) { return it.all(), nil }
	return it, nil
}

// joinIter runs a join: for each left row, the candidate right rows its probe
// returns (every row for a nested loop, the hash bucket for a hash join) are
// checked against the join condition; then, for RIGHT and FULL joins, the right
// rows that matched nothing follow with NULLs on the left.
type joinIter struct {
	kind         JoinKind
	width        int
	slots        [][2]int
	pred         Expr
	c, ec        *Ctx
	left         Iter
	right        [][]types.Datum
	rightMatched []bool
	probe        func(cur []types.Datum) ([]int, error)
	cur          []types.Datum // current left row (copied)
	cands        []int
	indices      []int
	matched      bool
	leftDone     bool
	tail         int // position in the unmatched-right tail (RIGHT/FULL)
	buf          []types.Datum
}

// all returns the indices of every right row.
func (it *joinIter) all() []int {
	it.indices = it.indices[:0]
	for j := range it.right {
		it.indices = append(it.indices, j)
	}
	return it.indices
}

// fill replaces the right rows by those of a parameterised scan for cur.
func (it *joinIter) fill(pn ParamNode, cur []types.Datum) error {
	r, err := pn.OpenWith(it.c, cur)
	if err != nil {
		return err
	}
	it.right, err = appendRows(it.c, it.right[:0], r)
	return err
}

func (it *joinIter) Next() ([]types.Datum, error) {
	for {
		if it.leftDone {
			for it.tail < len(it.right) {
				j := it.tail
				it.tail++
				if !it.rightMatched[j] {
					return onlyRight(it.width, it.right[j], it.slots), nil
				}
			}
			return nil, io.EOF
		}
		if it.cur == nil {
			row, err := it.left.Next()
			if err == io.EOF {
				it.leftDone = true
				if it.rightMatched == nil {
					return nil, io.EOF
				}
				continue
			}
			if err != nil {
				return nil, err
			}
			if err := checkCancel(it.c); err != nil {
				return nil, err
			}
			it.cur = append(it.cur[:0:0], row...)
			it.matched = false
			if it.cands, err = it.probe(it.cur); err != nil {
				return nil, err
			}
		}
		for len(it.cands) > 0 {
			j := it.cands[0]
			it.cands = it.cands[1:]
			it.buf = merge(it.buf, it.cur, it.right[j], it.slots)
			it.ec.Row = it.buf
			ok, err := truth(it.ec, it.pred)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			it.matched = true
			if it.rightMatched != nil {
				it.rightMatched[j] = true
			}
			switch it.kind {
			case SemiJoin:
				it.cands = nil
				out := it.cur
				it.cur = nil
				return out, nil
			case AntiJoin:
				it.cands = nil
				continue
			}
			return append([]types.Datum(nil), it.buf...), nil
		}
		cur, matched := it.cur, it.matched
		it.cur = nil
		if !matched && (it.kind == AntiJoin || it.kind == LeftJoin || it.kind == FullJoin) {
			return cur, nil // LEFT/FULL: the right side's slots stay NULL
		}
	}
}

func (it *joinIter) Close() { it.left.Close() }

// HashJoin joins on equality of LeftKeys and RightKeys (NULL keys never match),
// building a hash table of the right side; Pred, when set, is checked on the
// combined row after the keys match.
type HashJoin struct {
	Left, Right         Node
	Kind                JoinKind
	LeftKeys, RightKeys []Expr
	KeyTypes            []types.T
	Pred                Expr
	Width               int
	RightSlots          [][2]int
	Info                NodeInfo
}

// Explain implements Node.
func (h *HashJoin) Explain() NodeInfo { return h.Info }

// Open implements Node.
func (h *HashJoin) Open(c *Ctx) (Iter, error) {
	right, err := drain(c, h.Right)
	if err != nil {
		return nil, err
	}
	it := &joinIter{kind: h.Kind, width: h.Width, slots: h.RightSlots, pred: h.Pred, c: c, ec: c.With(nil), right: right}
	table := map[string][]int{}
	var key []byte
	for j, r := range right {
		var ok bool
		if key, ok, err = hashKey(it.ec, key[:0], h.RightKeys, h.KeyTypes, r); err != nil {
			return nil, err
		}
		if ok {
			table[string(key)] = append(table[string(key)], j)
		}
	}
	if h.Kind == RightJoin || h.Kind == FullJoin {
		it.rightMatched = make([]bool, len(right))
	}
	var kb []byte
	it.probe = func(cur []types.Datum) ([]int, error) {
		var ok bool
		var err error
		if kb, ok, err = hashKey(it.ec, kb[:0], h.LeftKeys, h.KeyTypes, cur); err != nil || !ok {
			return nil, err // a NULL key matches nothing
		}
		return table[string(kb)], nil
	}
	if it.left, err = h.Left.Open(c); err != nil {
		return nil, err
	}
	return it, nil
}

// hashKey evaluates keys over row; ok is false when a key is NULL.
func hashKey(c *Ctx, dst []byte, keys []Expr, ts []types.T, row []types.Datum) ([]byte, bool, error) {
	c.Row = row
	for i, k := range keys {
		v, err := k.Eval(c)
		if err != nil {
			return nil, false, err
		}
		if v == nil {
			return dst, false, nil
		}
		dst = rowKey(dst, ts[i:i+1], []types.Datum{v})
	}
	return dst, true, nil
}
