package exec

import (
	"slices"
	"strings"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
)

// Array expressions: the constructor, subscripts and slices, op ANY/ALL (array),
// and the array functions and operators (array_cat, @>, ...). Their values are
// *types.Array; see storage/types for the representation.

// ArrayCtor is ARRAY[e1, e2, ...]. With Nested, the items are themselves arrays
// (ARRAY[ARRAY[1,2], ARRAY[3,4]]) and the result has one more dimension.
type ArrayCtor struct {
	T      types.T // the array type
	Elems  []Expr
	Nested bool
}

// Type implements Expr.
func (e *ArrayCtor) Type() types.T { return e.T }

// Eval implements Expr.
func (e *ArrayCtor) Eval(c *Ctx) (types.Datum, error) {
	vals := make([]types.Datum, len(e.Elems))
	for i, x := range e.Elems {
		v, err := x.Eval(c)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	if !e.Nested {
		return types.NewArray(vals), nil
	}
	return StackArrays(vals)
}

// StackArrays makes the arrays subs the items of a new outer dimension, as
// ARRAY[ARRAY[..], ...] does. NULL and empty items count as empty: if all are,
// the result is the empty array; mixed with others they are an error, as are
// items of different dimensions.
func StackArrays(subs []types.Datum) (types.Datum, error) {
	var first *types.Array
	var elems []types.Datum
	empty := false
	mismatch := func() error {
		return pgerr.New(pgerrcode.ArraySubscriptError, "multidimensional arrays must have array expressions with matching dimensions")
	}
	for _, v := range subs {
		if v == nil || v.(*types.Array).NDims() == 0 {
			empty = true
			continue
		}
		a := v.(*types.Array)
		if first == nil {
			first = a
		} else if !sameDims(first, a) {
			return nil, mismatch()
		}
		elems = append(elems, a.Elems...)
	}
	switch {
	case first == nil:
		return &types.Array{}, nil
	case empty:
		return nil, mismatch()
	}
	if first.NDims()+1 > types.MaxArrayDims {
		return nil, pgerr.New(pgerrcode.ProgramLimitExceeded, "number of array dimensions (%d) exceeds the maximum allowed (%d)", first.NDims()+1, types.MaxArrayDims)
	}
	dims := append([]types.ArrayDim{{Len: len(subs), Lower: 1}}, first.Dims...)
	if _, err := types.CheckArraySize(dims); err != nil {
		return nil, err
	}
	return &types.Array{Dims: dims, Elems: elems}, nil
}

// sameDims compares the lengths and lower bounds of two arrays.
func sameDims(a, b *types.Array) bool { return a.SameShape(b) }

// Subscript is a[i][j]... (no slices): the element, or NULL when the array, a
// subscript, or the position is NULL or out of range, or the number of
// subscripts is not the array's number of dimensions.
type Subscript struct {
	X    Expr
	Subs []Expr // int4
	T    types.T
}

// Type implements Expr.
func (e *Subscript) Type() types.T { return e.T }

// Eval implements Expr.
func (e *Subscript) Eval(c *Ctx) (types.Datum, error) {
	v, err := e.X.Eval(c)
	if err != nil || v == nil {
		return nil, err
	}
	idx := make([]int, len(e.Subs))
	for i, s := range e.Subs {
		sv, err := s.Eval(c)
		if err != nil || sv == nil {
			return nil, err
		}
		idx[i] = int(sv.(int64))
	}
	a := v.(*types.Array)
	off, ok := offset(a, idx)
	if !ok {
		return nil, nil
	}
	return a.Elems[off], nil
}

// offset is the position in a.Elems of the element at subscripts idx.
func offset(a *types.Array, idx []int) (int, bool) {
	if len(idx) != a.NDims() {
		return 0, false
	}
	off := 0
	for i, d := range a.Dims {
		k := idx[i] - d.Lower
		if k < 0 || k >= d.Len {
			return 0, false
		}
		off = off*d.Len + k
	}
	return off, true
}

// Slice is a[lo:hi][...]: a sub-array with lower bounds 1. A missing bound is
// the array's own; a subscript without a colon among slices means 1:i.
type Slice struct {
	X     Expr
	Lo    []Expr // nil entry: omitted (the array's lower bound)
	Hi    []Expr // nil entry: omitted (the array's upper bound)
	Slice []bool // whether dimension i was written with a colon
	T     types.T
}

// Type implements Expr.
func (e *Slice) Type() types.T { return e.T }

// Eval implements Expr.
func (e *Slice) Eval(c *Ctx) (types.Datum, error) {
	v, err := e.X.Eval(c)
	if err != nil || v == nil {
		return nil, err
	}
	bound := func(x Expr) (int, bool, bool, error) {
		if x == nil {
			return 0, false, true, nil
		}
		b, err := x.Eval(c)
		if err != nil || b == nil {
			return 0, false, false, err
		}
		return int(b.(int64)), true, true, nil
	}
	n := len(e.Hi)
	lo, hi := make([]int, n), make([]int, n)
	loSet, hiSet := make([]bool, n), make([]bool, n)
	for i := 0; i < n; i++ {
		var ok bool
		if e.Slice[i] {
			if lo[i], loSet[i], ok, err = bound(e.Lo[i]); err != nil || !ok {
				return nil, err
			}
		} else {
			lo[i], loSet[i] = 1, true
		}
		if hi[i], hiSet[i], ok, err = bound(e.Hi[i]); err != nil || !ok {
			return nil, err
		}
	}
	a := v.(*types.Array)
	if a.NDims() == 0 || n > a.NDims() {
		return &types.Array{}, nil
	}
	dims := make([]types.ArrayDim, a.NDims())
	from := make([]int, a.NDims()) // first index taken per dimension, 0-based
	for i, d := range a.Dims {
		l, h := d.Lower, d.Lower+d.Len-1
		if i < n {
			if loSet[i] && lo[i] > l {
				l = lo[i]
			}
			if hiSet[i] && hi[i] < h {
				h = hi[i]
			}
		}
		if h < l {
			return &types.Array{}, nil
		}
		dims[i] = types.ArrayDim{Len: h - l + 1, Lower: 1}
		from[i] = l - d.Lower
	}
	total, _ := types.CheckArraySize(dims)
	out := make([]types.Datum, 0, total)
	idx := make([]int, len(dims))
	for {
		off := 0
		for i, d := range a.Dims {
			off = off*d.Len + from[i] + idx[i]
		}
		out = append(out, a.Elems[off])
		i := len(dims) - 1
		for ; i >= 0; i-- {
			if idx[i]++; idx[i] < dims[i].Len {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			break
		}
	}
	return &types.Array{Dims: dims, Elems: out}, nil
}

// ArrayCompare is x op ANY (array) or x op ALL (array). Cmp compares x with one
// element: true, false or NULL.
type ArrayCompare struct {
	X, Arr Expr
	All    bool
	Cmp    func(c *Ctx, x, elem types.Datum) (types.Datum, error)
}

// Type implements Expr.
func (e *ArrayCompare) Type() types.T { return types.Bool }

// Eval implements Expr: ANY is true if some comparison is true, else NULL if
// one was NULL, else false; ALL is false if some comparison is false, else NULL
// if one was NULL, else true. Over an empty array ANY is false and ALL true.
func (e *ArrayCompare) Eval(c *Ctx) (types.Datum, error) {
	x, err := e.X.Eval(c)
	if err != nil {
		return nil, err
	}
	av, err := e.Arr.Eval(c)
	if err != nil || av == nil {
		return nil, err
	}
	a := av.(*types.Array)
	if len(a.Elems) == 0 {
		return e.All, nil
	}
	if x == nil {
		return nil, nil
	}
	sawNull := false
	for _, el := range a.Elems {
		if el == nil {
			sawNull = true
			continue
		}
		v, err := e.Cmp(c, x, el)
		if err != nil {
			return nil, err
		}
		switch {
		case v == nil:
			sawNull = true
		case !e.All && v == true:
			return true, nil
		case e.All && v == false:
			return false, nil
		}
	}
	if sawNull {
		return nil, nil
	}
	return e.All, nil
}

func dataException(format string, args ...any) error {
	return pgerr.New(pgerrcode.DataException, format, args...)
}

// ArrayCat is array_cat and anyarray || anyarray: arrays of the same number of
// dimensions are joined along the first one (the other dimensions must match);
// an array of one dimension fewer becomes one more item of the first dimension.
// An empty or NULL operand gives the other.
func ArrayCat(l, r types.Datum) (types.Datum, error) {
	switch {
	case l == nil:
		return r, nil
	case r == nil:
		return l, nil
	}
	a, b := l.(*types.Array), r.(*types.Array)
	switch {
	case a.NDims() == 0:
		return b, nil
	case b.NDims() == 0:
		return a, nil
	}
	incompatible := func(detail string, args ...any) error {
		return pgerr.New(pgerrcode.ArraySubscriptError, "cannot concatenate incompatible arrays").WithDetail(detail, args...)
	}
	var dims []types.ArrayDim
	switch {
	case a.NDims() == b.NDims():
		for i := 1; i < a.NDims(); i++ {
			if a.Dims[i].Len != b.Dims[i].Len || a.Dims[i].Lower != b.Dims[i].Lower {
				return nil, incompatible("Arrays with differing element dimensions are not compatible for concatenation.")
			}
		}
		dims = slices.Clone(a.Dims)
		dims[0].Len += b.Dims[0].Len
	case a.NDims() == b.NDims()+1:
		for i := range b.Dims {
			if a.Dims[i+1].Len != b.Dims[i].Len {
				return nil, incompatible("Arrays with differing dimensions are not compatible for concatenation.")
			}
		}
		dims = slices.Clone(a.Dims)
		dims[0].Len++
	case b.NDims() == a.NDims()+1:
		for i := range a.Dims {
			if b.Dims[i+1].Len != a.Dims[i].Len {
				return nil, incompatible("Arrays with differing dimensions are not compatible for concatenation.")
			}
		}
		dims = slices.Clone(b.Dims)
		dims[0].Len++
	default:
		return nil, incompatible("Arrays of %d and %d dimensions are not compatible for concatenation.", a.NDims(), b.NDims())
	}
	if _, err := types.CheckArraySize(dims); err != nil {
		return nil, err
	}
	elems := make([]types.Datum, 0, len(a.Elems)+len(b.Elems))
	elems = append(append(elems, a.Elems...), b.Elems...)
	return &types.Array{Dims: dims, Elems: elems}, nil
}

// ArrayAppend is array_append and anyarray || anyelement.
func ArrayAppend(arr, el types.Datum) (types.Datum, error) {
	return addArrayElem(arr, el, false)
}

// ArrayPrepend is array_prepend and anyelement || anyarray (the lower bound
// stays, as in PostgreSQL).
func ArrayPrepend(el, arr types.Datum) (types.Datum, error) {
	return addArrayElem(arr, el, true)
}

// addArrayElem adds el at the end of arr or, with first, at its start: a NULL
// or empty arr gives the array of el alone; the lower bound of a
// one-dimensional arr stays; an arr of more dimensions is an error.
func addArrayElem(arr, el types.Datum, first bool) (types.Datum, error) {
	if arr == nil {
		return types.NewArray([]types.Datum{el}), nil
	}
	a := arr.(*types.Array)
	switch a.NDims() {
	case 0:
		return types.NewArray([]types.Datum{el}), nil
	case 1:
		if _, err := types.CheckArraySize([]types.ArrayDim{{Len: a.Dims[0].Len + 1}}); err != nil {
			return nil, err
		}
		var elems []types.Datum
		if first {
			elems = append([]types.Datum{el}, a.Elems...)
		} else {
			elems = append(slices.Clip(a.Elems), el)
		}
		return &types.Array{Dims: []types.ArrayDim{{Len: len(elems), Lower: a.Dims[0].Lower}}, Elems: elems}, nil
	}
	return nil, dataException("argument must be empty or one-dimensional array")
}

// ArrayContains is a @> b: every element of b equals some element of a (NULL
// elements equal nothing). ArrayOverlap is a && b: some element is in both.
func ArrayContains(elem types.T, a, b *types.Array) bool {
	for _, y := range b.Elems {
		if y == nil || !containsElem(elem, a, y) {
			return false
		}
	}
	return true
}

// ArrayOverlap is a && b.
func ArrayOverlap(elem types.T, a, b *types.Array) bool {
	for _, y := range b.Elems {
		if y != nil && containsElem(elem, a, y) {
			return true
		}
	}
	return false
}

func containsElem(elem types.T, a *types.Array, y types.Datum) bool {
	for _, x := range a.Elems {
		if x != nil && types.Compare(elem, x, y) == 0 {
			return true
		}
	}
	return false
}

// ArrayToString is array_to_string(a, sep [, null]): the elements' text joined
// by sep, NULL elements skipped or written as null.
func ArrayToString(elem types.T, a *types.Array, sep string, null *string) string {
	var b strings.Builder
	first := true
	for _, e := range a.Elems {
		if e == nil && null == nil {
			continue
		}
		if !first {
			b.WriteString(sep)
		}
		first = false
		if e == nil {
			b.WriteString(*null)
			continue
		}
		b.Write(types.EncodeText(elem, e))
	}
	return b.String()
}

// ArrayAgg accumulates array_agg's input: elements (NULL included), or, for
// array_agg of arrays, sub-arrays of one shape.
type ArrayAgg struct {
	elems  []types.Datum
	n      int
	shape  *types.Array
	arrays bool
}

func (s *ArrayAgg) add(v types.Datum, arrays bool) error {
	s.arrays = arrays
	if !arrays {
		s.elems = append(s.elems, v)
		s.n++
		return nil
	}
	if v == nil {
		return pgerr.New(pgerrcode.NullValueNotAllowedDataException, "cannot accumulate null arrays")
	}
	a := v.(*types.Array)
	if a.NDims() == 0 {
		return pgerr.New(pgerrcode.ArraySubscriptError, "cannot accumulate empty arrays")
	}
	if s.shape == nil {
		if a.NDims()+1 > types.MaxArrayDims {
			return pgerr.New(pgerrcode.ProgramLimitExceeded, "number of array dimensions (%d) exceeds the maximum allowed (%d)", a.NDims()+1, types.MaxArrayDims)
		}
		s.shape = a
	} else if !sameDims(s.shape, a) {
		return pgerr.New(pgerrcode.ArraySubscriptError, "cannot accumulate arrays of different dimensionality")
	}
	s.elems = append(s.elems, a.Elems...)
	s.n++
	return nil
}

func (s *ArrayAgg) result() types.Datum {
	if s.n == 0 {
		return nil
	}
	if !s.arrays {
		return types.NewArray(s.elems)
	}
	dims := append([]types.ArrayDim{{Len: s.n, Lower: 1}}, s.shape.Dims...)
	return &types.Array{Dims: dims, Elems: s.elems}
}
