package exec

import (
	"io"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/cockroachdb/apd/v3"
	"github.com/jackc/pgerrcode"
)

// AggFunc is one aggregate call: Name over Arg (nil for count(*)).
type AggFunc struct {
	Name     string // count, sum, avg, min, max, bool_and, bool_or, every, string_agg
	Arg      Expr
	Sep      Expr // string_agg's delimiter
	Distinct bool
	Filter   Expr
	T        types.T // result type
	// Order is the ORDER BY inside the call (expressions over the input row):
	// the inputs are collected and fed to the aggregate in that order at the end.
	Order []SortKey
	// Grouping marks GROUPING(...): the indexes of its arguments in the
	// Aggregate's Groups. Its value is a bit mask (first argument highest) of the
	// arguments not grouped by the row's grouping set.
	Grouping []int
}

// AggResultType returns the result type of aggregate name over arg, as in
// PostgreSQL, and whether the aggregate exists for it.
func AggResultType(name string, arg types.T) (types.T, bool) {
	switch name {
	case "count":
		return types.Int8, true
	case "sum":
		switch arg {
		case types.Int2, types.Int4:
			return types.Int8, true
		case types.Int8, types.Numeric:
			return types.Numeric, true
		case types.Float4, types.Float8:
			return arg, true
		}
	case "avg":
		switch arg {
		case types.Int2, types.Int4, types.Int8, types.Numeric:
			return types.Numeric, true
		case types.Float4, types.Float8:
			return types.Float8, true
		}
	case "min", "max":
		if comparer(arg) != nil && arg != types.JSONB { // jsonb has no min and max
			return arg, true
		}
	case "bool_and", "bool_or", "every":
		if arg == types.Bool {
			return types.Bool, true
		}
	case "string_agg":
		if arg.IsString() {
			return types.Text, true
		}
	case "json_agg", "json_object_agg":
		return types.JSON, true
	case "jsonb_agg", "jsonb_object_agg":
		return types.JSONB, true
	case "array_agg":
		if arg.IsArray() {
			return arg, true
		}
		return types.ArrayOf(arg)
	}
	return types.Invalid, false
}

// Aggregate groups its input by Groups and computes Aggs per group; the output
// row is the group values followed by the aggregate results. Without groups it
// produces exactly one row, even for no input.
type Aggregate struct {
	Input      Node
	Groups     []Expr
	GroupTypes []types.T
	Aggs       []*AggFunc
	// Sorted: the input arrives ordered by the groups (sort aggregation): a group
	// ends when the key changes, so only one group is held and groups come out in
	// input order.
	Sorted bool
	// Sets are the grouping sets (GROUPING SETS, ROLLUP, CUBE), each the indexes
	// of the Groups it groups by; nil is the one set of all Groups. Every input
	// row is aggregated once per set; a group's values outside its set are NULL.
	Sets [][]int
	Info NodeInfo
}

// Explain implements Node.
func (a *Aggregate) Explain() NodeInfo { return a.Info }

type aggState struct {
	n    int64
	i    int64
	f    float64
	d    *apd.Decimal
	v    types.Datum
	b    strings.Builder
	seen map[string]struct{}
	arr  ArrayAgg
	json *types.JSONBuilder // json_agg and friends
	buf  []orderedInput     // inputs of an aggregate with ORDER BY
}

// orderedInput is one input of an aggregate with ORDER BY: its argument, its
// delimiter (string_agg) and its sort keys.
type orderedInput struct {
	v, sep types.Datum
	keys   []types.Datum
}

type group struct {
	key  []types.Datum
	aggs []aggState
}

// newGroup starts the group of key in grouping set set (-1: no grouping sets).
func (a *Aggregate) newGroup(key []types.Datum, set int) *group {
	g := &group{key: key, aggs: make([]aggState, len(a.Aggs))}
	for i, f := range a.Aggs {
		if f.Grouping == nil || set < 0 {
			continue
		}
		var mask int64
		for _, gi := range f.Grouping {
			mask <<= 1
			if !slices.Contains(a.Sets[set], gi) {
				mask |= 1
			}
		}
		g.aggs[i].i = mask
	}
	return g
}

// Open implements Node.
func (a *Aggregate) Open(c *Ctx) (Iter, error) {
	in, err := a.Input.Open(c)
	if err != nil {
		return nil, err
	}
	if a.Sorted && len(a.Groups) > 0 {
		return &sortAggIter{a: a, in: in, c: c, ec: c.With(nil)}, nil
	}
	defer in.Close()
	ec := c.With(nil)
	groups := map[string]*group{}
	var order []*group
	var kb []byte
	n := 0
	for {
		row, err := in.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if n++; n%1024 == 0 {
			if err := checkCancel(c); err != nil {
				return nil, err
			}
		}
		ec.Row = row
		key := make([]types.Datum, len(a.Groups))
		for i, g := range a.Groups {
			if key[i], err = g.Eval(ec); err != nil {
				return nil, err
			}
		}
		nsets := len(a.Sets)
		if a.Sets == nil {
			nsets = 1
		}
		for set := 0; set < nsets; set++ {
			k, si := key, -1
			if a.Sets != nil {
				k, si = make([]types.Datum, len(key)), set
				for _, gi := range a.Sets[set] {
					k[gi] = key[gi]
				}
				kb = append(kb[:0], byte(set>>8), byte(set))
			} else {
				kb = kb[:0]
			}
			kb = rowKey(kb, a.GroupTypes, k)
			g, ok := groups[string(kb)]
			if !ok {
				g = a.newGroup(k, si)
				groups[string(kb)] = g
				order = append(order, g)
			}
			for i, f := range a.Aggs {
				if err := f.step(ec, &g.aggs[i]); err != nil {
					return nil, err
				}
			}
		}
	}
	if len(a.Groups) == 0 && len(order) == 0 {
		order = append(order, &group{aggs: make([]aggState, len(a.Aggs))})
	}
	if n == 0 {
		// An empty grouping set yields its one row even without input.
		for set, gs := range a.Sets {
			if len(gs) == 0 {
				order = append(order, a.newGroup(make([]types.Datum, len(a.Groups)), set))
			}
		}
	}
	rows := make([][]types.Datum, len(order))
	for i, g := range order {
		row := append(make([]types.Datum, 0, len(a.Groups)+len(a.Aggs)), g.key...)
		for j, f := range a.Aggs {
			v, err := f.final(&g.aggs[j])
			if err != nil {
				return nil, err
			}
			row = append(row, v)
		}
		rows[i] = row
	}
	return &sliceIter{rows: rows}, nil
}

func (f *AggFunc) step(c *Ctx, s *aggState) error {
	if f.Filter != nil {
		if ok, err := truth(c, f.Filter); err != nil || !ok {
			return err
		}
	}
	if f.Grouping != nil {
		return nil
	}
	if f.Arg == nil { // count(*)
		s.n++
		return nil
	}
	v, err := f.Arg.Eval(c)
	if err != nil || v == nil && !aggTakesNull(f.Name) {
		return err
	}
	if f.Distinct {
		if s.seen == nil {
			s.seen = map[string]struct{}{}
		}
		k := string(rowKey(nil, []types.T{f.Arg.Type()}, []types.Datum{v}))
		if _, dup := s.seen[k]; dup {
			return nil
		}
		s.seen[k] = struct{}{}
	}
	var sep types.Datum
	if f.Sep != nil {
		if sep, err = f.Sep.Eval(c); err != nil {
			return err
		}
	}
	if f.Order != nil {
		in := orderedInput{v: v, sep: sep, keys: make([]types.Datum, len(f.Order))}
		for i, k := range f.Order {
			if in.keys[i], err = k.Expr.Eval(c); err != nil {
				return err
			}
		}
		s.buf = append(s.buf, in)
		return nil
	}
	return f.stepValue(s, v, sep)
}

// stepValue adds the input v, non-NULL except for array_agg (with string_agg's
// delimiter sep).
func (f *AggFunc) stepValue(s *aggState, v, sep types.Datum) error {
	t := f.Arg.Type()
	first := s.n == 0
	s.n++
	switch f.Name {
	case "count":
	case "sum", "avg":
		switch t {
		case types.Int2, types.Int4:
			if f.Name == "sum" {
				s.i += v.(int64) // int8 accumulator: cannot overflow for int4 inputs in practice
				return nil
			}
			return s.addNumeric(apd.New(v.(int64), 0))
		case types.Int8:
			return s.addNumeric(apd.New(v.(int64), 0))
		case types.Numeric:
			return s.addNumeric(v.(*apd.Decimal))
		default:
			s.f += v.(float64)
		}
	case "min", "max":
		if first {
			s.v = v
			return nil
		}
		r := comparer(t)(v, s.v)
		if (f.Name == "min" && r < 0) || (f.Name == "max" && r > 0) {
			s.v = v
		}
	case "bool_and", "every":
		if first {
			s.v = true
		}
		s.v = s.v.(bool) && v.(bool)
	case "bool_or":
		if first {
			s.v = false
		}
		s.v = s.v.(bool) || v.(bool)
	case "array_agg":
		return s.arr.add(v, t.IsArray())
	case "json_agg", "jsonb_agg", "json_object_agg", "jsonb_object_agg":
		return f.stepJSON(s, v, sep)
	case "string_agg":
		if !first && sep != nil {
			s.b.WriteString(sep.(string))
		}
		s.b.WriteString(v.(string))
	}
	return nil
}

func (s *aggState) addNumeric(d *apd.Decimal) error {
	if s.d == nil {
		s.d = apd.New(0, 0)
	}
	r, err := types.NumericAdd(s.d, d)
	if err != nil {
		return err
	}
	s.d = r
	return nil
}

func (f *AggFunc) final(s *aggState) (types.Datum, error) {
	if f.Grouping != nil {
		return s.i, nil
	}
	if f.Order != nil {
		// Feed the collected inputs in order to a fresh state (the collected
		// ones stay, so a window frame can grow and finish again).
		keys := make([]SortKey, len(f.Order))
		for i, k := range f.Order {
			keys[i] = k
			keys[i].Idx = i
		}
		in := slices.Clone(s.buf)
		sort.SliceStable(in, func(i, j int) bool { return compareRows(keys, in[i].keys, in[j].keys) < 0 })
		var fresh aggState
		for _, x := range in {
			if err := f.stepValue(&fresh, x.v, x.sep); err != nil {
				return nil, err
			}
		}
		fresh.n += s.n // count(*) inputs, which are not collected
		s = &fresh
	}
	if f.Name == "count" {
		return s.n, nil
	}
	if s.n == 0 {
		return nil, nil
	}
	switch f.Name {
	case "sum":
		switch {
		case f.T == types.Int8:
			return s.i, nil
		case f.T == types.Numeric:
			return s.d, nil
		case f.T == types.Float4:
			if math.IsInf(s.f, 0) {
				return nil, pgerr.New(pgerrcode.NumericValueOutOfRange, "value out of range: overflow")
			}
			return float64(float32(s.f)), nil
		}
		return s.f, nil
	case "avg":
		if f.T == types.Float8 {
			return s.f / float64(s.n), nil
		}
		if s.d == nil {
			s.d = apd.New(s.i, 0)
		}
		return types.NumericDiv(s.d, apd.New(s.n, 0))
	case "string_agg":
		return s.b.String(), nil
	case "array_agg":
		return s.arr.result(), nil
	case "json_agg", "jsonb_agg", "json_object_agg", "jsonb_object_agg":
		return s.json.Result()
	}
	return s.v, nil
}

// SetOpKind is UNION, INTERSECT or EXCEPT.
type SetOpKind uint8

// Set operations.
const (
	Union SetOpKind = iota
	Intersect
	Except
)

// SetOp combines two inputs of the same shape.
type SetOp struct {
	Left, Right Node
	Kind        SetOpKind
	All         bool
	Types       []types.T
	Info        NodeInfo
}

// Explain implements Node.
func (s *SetOp) Explain() NodeInfo { return s.Info }

// Open implements Node.
func (s *SetOp) Open(c *Ctx) (Iter, error) {
	left, err := drain(c, s.Left)
	if err != nil {
		return nil, err
	}
	right, err := drain(c, s.Right)
	if err != nil {
		return nil, err
	}
	key := func(r []types.Datum) string { return string(rowKey(nil, s.Types, r)) }
	var out [][]types.Datum
	switch s.Kind {
	case Union:
		if s.All {
			return &sliceIter{rows: append(left, right...)}, nil
		}
		seen := map[string]bool{}
		for _, r := range append(left, right...) {
			if k := key(r); !seen[k] {
				seen[k] = true
				out = append(out, r)
			}
		}
	case Intersect, Except:
		counts := map[string]int{}
		for _, r := range right {
			counts[key(r)]++
		}
		emitted := map[string]bool{}
		for _, r := range left {
			k := key(r)
			in := counts[k] > 0
			if s.All {
				if s.Kind == Intersect && in {
					counts[k]--
					out = append(out, r)
				} else if s.Kind == Except {
					if in {
						counts[k]--
					} else {
						out = append(out, r)
					}
				}
				continue
			}
			if emitted[k] || (s.Kind == Intersect) != in {
				continue
			}
			emitted[k] = true
			out = append(out, r)
		}
	}
	return &sliceIter{rows: out}, nil
}

// sortAggIter streams sort aggregation: it holds one group at a time and emits it
// when the next row's key differs.
type sortAggIter struct {
	a      *Aggregate
	in     Iter
	c, ec  *Ctx
	cur    *group
	curKey []byte
	done   bool
	n      int
}

func (it *sortAggIter) Next() ([]types.Datum, error) {
	a := it.a
	for !it.done {
		row, err := it.in.Next()
		if err == io.EOF {
			it.done = true
			break
		}
		if err != nil {
			return nil, err
		}
		if it.n++; it.n%1024 == 0 {
			if err := checkCancel(it.c); err != nil {
				return nil, err
			}
		}
		it.ec.Row = row
		key := make([]types.Datum, len(a.Groups))
		for i, g := range a.Groups {
			var err error
			if key[i], err = g.Eval(it.ec); err != nil {
				return nil, err
			}
		}
		kb := rowKey(nil, a.GroupTypes, key)
		if it.cur != nil && string(kb) != string(it.curKey) {
			// The row starts the next group: finish this one, step the row into the next.
			out, err := it.finish()
			it.cur, it.curKey = a.newGroup(key, -1), kb
			for i, f := range a.Aggs {
				if err := f.step(it.ec, &it.cur.aggs[i]); err != nil {
					return nil, err
				}
			}
			return out, err
		}
		if it.cur == nil {
			it.cur, it.curKey = a.newGroup(key, -1), kb
		}
		for i, f := range a.Aggs {
			if err := f.step(it.ec, &it.cur.aggs[i]); err != nil {
				return nil, err
			}
		}
	}
	if it.cur != nil {
		out, err := it.finish()
		it.cur = nil
		return out, err
	}
	return nil, io.EOF
}

func (it *sortAggIter) finish() ([]types.Datum, error) {
	g := it.cur
	row := append(make([]types.Datum, 0, len(it.a.Groups)+len(it.a.Aggs)), g.key...)
	for j, f := range it.a.Aggs {
		v, err := f.final(&g.aggs[j])
		if err != nil {
			return nil, err
		}
		row = append(row, v)
	}
	return row, nil
}

func (it *sortAggIter) Close() { it.in.Close() }

// aggTakesNull reports whether aggregate name sees NULL inputs (the others skip
// them).
func aggTakesNull(name string) bool {
	switch name {
	case "array_agg", "json_agg", "jsonb_agg", "json_object_agg", "jsonb_object_agg":
		return true
	}
	return false
}

// stepJSON adds an input of json(b)_agg (v) or json(b)_object_agg (key v,
// value val).
func (f *AggFunc) stepJSON(s *aggState, v, val types.Datum) error {
	jsonb := f.Name == "jsonb_agg" || f.Name == "jsonb_object_agg"
	if f.Name == "json_agg" || f.Name == "jsonb_agg" {
		if s.json == nil {
			s.json = types.NewJSONBuilder(jsonb, false)
		}
		return s.json.Add("", f.Arg.Type(), v)
	}
	if s.json == nil {
		s.json = types.NewObjectAggBuilder(jsonb)
	}
	kt := f.Arg.Type()
	if v == nil {
		return pgerr.New(pgerrcode.InvalidParameterValue, "field name must not be null")
	}
	if !types.KeyScalar(kt) {
		return pgerr.New(pgerrcode.InvalidParameterValue, "key value must be scalar, not array, composite, or json")
	}
	return s.json.Add(types.JSONKeyText(kt, v), f.Sep.Type(), val)
}
