package exec

import (
	"context"
	"io"

	"github.com/augurdb/augur/storage/types"
)

// WorkTable identifies the working table of one recursive WITH query. Its rows
// live in the execution (a context value keyed by the WorkTable), not in the
// plan, which stays immutable and re-executable.
type WorkTable struct {
	Name string
}

type workRows struct{ rows [][]types.Datum }

// WorkTableScan reads the working table: the rows the previous step of its
// RecursiveUnion produced.
type WorkTableScan struct {
	Table *WorkTable
	Info  NodeInfo
}

// Explain implements Node.
func (w *WorkTableScan) Explain() NodeInfo { return w.Info }

// Open implements Node.
func (w *WorkTableScan) Open(c *Ctx) (Iter, error) {
	st, _ := c.Context.Value(w.Table).(*workRows)
	if st == nil {
		return SliceRows(nil), nil
	}
	return SliceRows(st.rows), nil
}

// RecursiveUnion evaluates WITH RECURSIVE: the rows of Init, then Recur run again
// and again over the rows the previous step produced (its working table) until a
// step produces none. Without All (UNION), rows already produced are dropped,
// from the result and from the next working table. Rows are produced as they are
// found, so a LIMIT above an unbounded recursion ends it.
type RecursiveUnion struct {
	Init, Recur Node
	Work        *WorkTable
	All         bool
	Types       []types.T
	Info        NodeInfo
}

// Explain implements Node.
func (r *RecursiveUnion) Explain() NodeInfo { return r.Info }

// Open implements Node.
func (r *RecursiveUnion) Open(c *Ctx) (Iter, error) {
	st := &workRows{}
	cc := *c
	cc.Context = context.WithValue(c.Context, r.Work, st)
	in, err := r.Init.Open(&cc)
	if err != nil {
		return nil, err
	}
	it := &recursiveIter{r: r, c: &cc, st: st, cur: in}
	if !r.All {
		it.seen = map[string]struct{}{}
	}
	return it, nil
}

type recursiveIter struct {
	r    *RecursiveUnion
	c    *Ctx
	st   *workRows
	cur  Iter
	next [][]types.Datum
	seen map[string]struct{}
	buf  []byte
}

func (it *recursiveIter) Next() ([]types.Datum, error) {
	for {
		if it.cur == nil {
			return nil, io.EOF
		}
		row, err := it.cur.Next()
		if err == io.EOF {
			it.cur.Close()
			it.cur = nil
			if len(it.next) == 0 {
				return nil, io.EOF
			}
			if err := checkCancel(it.c); err != nil {
				return nil, err
			}
			it.st.rows, it.next = it.next, nil
			if it.cur, err = it.r.Recur.Open(it.c); err != nil {
				return nil, err
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		if it.seen != nil {
			it.buf = rowKey(it.buf[:0], it.r.Types, row)
			if _, dup := it.seen[string(it.buf)]; dup {
				continue
			}
			it.seen[string(it.buf)] = struct{}{}
		}
		cp := append([]types.Datum(nil), row...)
		it.next = append(it.next, cp)
		return cp, nil
	}
}

func (it *recursiveIter) Close() {
	if it.cur != nil {
		it.cur.Close()
		it.cur = nil
	}
}
