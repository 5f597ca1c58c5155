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
	it := &nlIter{n: n, c: c, left: l, ec: c.With(nil)}
	if !n.Correlated {
		if it.right, err = drain(c, n.Right); err != nil {
			l.Close()
			return nil, err
		}
		if n.Kind == RightJoin || n.Kind == FullJoin {
			it.rightMatched = make([]bool, len(it.right))
		}
	}
	return it, nil
}

type nlIter struct {
	n            *NestedLoop
	c, ec        *Ctx
	left         Iter
	right        [][]types.Datum
	rightMatched []bool
	cur          []types.Datum // current left row (copied)
	j            int
	matched      bool
	leftDone     bool
	tail         int // position in the unmatched-right tail (RIGHT/FULL)
	buf          []types.Datum
}

func (it *nlIter) openRight() error {
	r, err := it.n.Right.(ParamNode).OpenWith(it.c, it.cur)
	if err != nil {
		return err
	}
	defer r.Close()
	it.right = it.right[:0]
	for {
		row, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		it.right = append(it.right, append([]types.Datum(nil), row...))
	}
}

func (it *nlIter) Next() ([]types.Datum, error) {
	n := it.n
	for {
		if it.leftDone {
			// RIGHT/FULL: right rows that matched nothing, with NULLs on the left.
			for it.tail < len(it.right) {
				j := it.tail
				it.tail++
				if !it.rightMatched[j] {
					return onlyRight(n.Width, it.right[j], n.RightSlots), nil
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
			it.cur = append(it.cur[:0:0], row...)
			it.j, it.matched = 0, false
			if n.Correlated {
				if err := it.openRight(); err != nil {
					return nil, err
				}
			}
			if err := checkCancel(it.c); err != nil {
				return nil, err
			}
		}
		for it.j < len(it.right) {
			j := it.j
			it.j++
			it.buf = merge(it.buf, it.cur, it.right[j], n.RightSlots)
			it.ec.Row = it.buf
			ok, err := truth(it.ec, n.Pred)
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
			switch n.Kind {
			case SemiJoin:
				it.j = len(it.right)
				out := it.cur
				it.cur = nil
				return out, nil
			case AntiJoin:
				it.j = len(it.right)
				continue
			}
			return append([]types.Datum(nil), it.buf...), nil
		}
		cur, matched := it.cur, it.matched
		it.cur = nil
		switch {
		case n.Kind == AntiJoin && !matched:
			return cur, nil
		case (n.Kind == LeftJoin || n.Kind == FullJoin) && !matched:
			return cur, nil
		}
	}
}

func (it *nlIter) Close() { it.left.Close() }

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
	it := &hjIter{h: h, c: c, ec: c.With(nil), table: map[string][]int{}, right: right}
	var key []byte
	for j, r := range right {
		var ok bool
		if key, ok, err = hashKey(it.ec, key[:0], h.RightKeys, h.KeyTypes, r); err != nil {
			return nil, err
		}
		if ok {
			it.table[string(key)] = append(it.table[string(key)], j)
		}
	}
	if h.Kind == RightJoin || h.Kind == FullJoin {
		it.rightMatched = make([]bool, len(right))
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

type hjIter struct {
	h            *HashJoin
	c, ec        *Ctx
	left         Iter
	right        [][]types.Datum
	table        map[string][]int
	rightMatched []bool
	cur          []types.Datum
	cands        []int
	matched      bool
	leftDone     bool
	tail         int
	buf          []types.Datum
	kb           []byte
}

func (it *hjIter) Next() ([]types.Datum, error) {
	h := it.h
	for {
		if it.leftDone {
			for it.tail < len(it.right) {
				j := it.tail
				it.tail++
				if !it.rightMatched[j] {
					return onlyRight(h.Width, it.right[j], h.RightSlots), nil
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
			it.cur = append(it.cur[:0:0], row...)
			var ok bool
			if it.kb, ok, err = hashKey(it.ec, it.kb[:0], h.LeftKeys, h.KeyTypes, it.cur); err != nil {
				return nil, err
			}
			it.cands, it.matched = nil, false
			if ok {
				it.cands = it.table[string(it.kb)]
			}
		}
		for len(it.cands) > 0 {
			j := it.cands[0]
			it.cands = it.cands[1:]
			it.buf = merge(it.buf, it.cur, it.right[j], h.RightSlots)
			it.ec.Row = it.buf
			ok, err := truth(it.ec, h.Pred)
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
			switch h.Kind {
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
		switch {
		case h.Kind == AntiJoin && !matched:
			return cur, nil
		case (h.Kind == LeftJoin || h.Kind == FullJoin) && !matched:
			return cur, nil
		}
	}
}

func (it *hjIter) Close() { it.left.Close() }
