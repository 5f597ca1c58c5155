package exec

import (
	"math"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/cockroachdb/apd/v3"
	"github.com/jackc/pgerrcode"
)

// BinOp is an operator of two arguments of the same type T (the binder inserts the
// casts), strict: NULL in gives NULL out.
type BinOp struct {
	Op   string  // "+", "-", "*", "/", "%", "^", "=", "<>", "<", "<=", ">", ">=", "||"
	T    types.T // result type
	L, R Expr
	fn   func(l, r types.Datum) (types.Datum, error)
}

// NewBinOp builds the operator for operand type arg. ok is false when Augur has no
// such operator for that type.
func NewBinOp(op string, arg types.T, l, r Expr) (*BinOp, bool) {
	e := &BinOp{Op: op, L: l, R: r}
	switch op {
	case "=", "<>", "<", "<=", ">", ">=":
		cmp := comparer(arg)
		if cmp == nil {
			return nil, false
		}
		e.T = types.Bool
		e.fn = func(a, b types.Datum) (types.Datum, error) {
			c := cmp(a, b)
			switch op {
			case "=":
				return c == 0, nil
			case "<>":
				return c != 0, nil
			case "<":
				return c < 0, nil
			case "<=":
				return c <= 0, nil
			case ">":
				return c > 0, nil
			}
			return c >= 0, nil
		}
		return e, true
	case "||":
		e.T = types.Text
		lt, rt := l.Type(), r.Type()
		e.fn = func(a, b types.Datum) (types.Datum, error) {
			return textOf(lt, a) + textOf(rt, b), nil
		}
		return e, true
	}
	e.T = arg
	switch {
	case arg.IsInteger():
		e.fn = intOp(op, arg)
	case arg == types.Float8 || arg == types.Float4:
		e.fn = floatOp(op)
	case arg == types.Numeric:
		e.fn = numericOp(op)
	}
	if e.fn == nil {
		return nil, false
	}
	return e, true
}

func textOf(t types.T, d types.Datum) string {
	if s, ok := d.(string); ok {
		return s
	}
	v, _ := types.Cast(d, t, types.Text, -1)
	return v.(string)
}

// Type implements Expr.
func (e *BinOp) Type() types.T { return e.T }

// Eval implements Expr.
func (e *BinOp) Eval(c *Ctx) (types.Datum, error) {
	l, err := e.L.Eval(c)
	if err != nil {
		return nil, err
	}
	r, err := e.R.Eval(c)
	if err != nil {
		return nil, err
	}
	if l == nil || r == nil {
		return nil, nil
	}
	return e.fn(l, r)
}

// comparer returns a three-way comparison for values of type t (types.Compare:
// text bytewise as PostgreSQL's C collation, bpchar without trailing spaces), nil
// if t has no ordering (json).
func comparer(t types.T) func(a, b types.Datum) int {
	if !types.Comparable(t) {
		return nil
	}
	return func(a, b types.Datum) int { return types.Compare(t, a, b) }
}

func intOutOfRange(t types.T) error {
	return pgerr.New(pgerrcode.NumericValueOutOfRange, "%s out of range", t.SQLName())
}

func divByZero() error { return pgerr.New(pgerrcode.DivisionByZero, "division by zero") }

func intOp(op string, t types.T) func(a, b types.Datum) (types.Datum, error) {
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	switch t {
	case types.Int2:
		lo, hi = math.MinInt16, math.MaxInt16
	case types.Int4:
		lo, hi = math.MinInt32, math.MaxInt32
	}
	check := func(v int64, overflow bool) (types.Datum, error) {
		if overflow || v < lo || v > hi {
			return nil, intOutOfRange(t)
		}
		return v, nil
	}
	switch op {
	case "+":
		return func(a, b types.Datum) (types.Datum, error) {
			x, y := a.(int64), b.(int64)
			s := x + y
			return check(s, (x > 0 && y > 0 && s < 0) || (x < 0 && y < 0 && s >= 0))
		}
	case "-":
		return func(a, b types.Datum) (types.Datum, error) {
			x, y := a.(int64), b.(int64)
			s := x - y
			return check(s, (x >= 0 && y < 0 && s < 0) || (x < 0 && y > 0 && s >= 0))
		}
	case "*":
		return func(a, b types.Datum) (types.Datum, error) {
			x, y := a.(int64), b.(int64)
			if x == 0 || y == 0 {
				return int64(0), nil
			}
			p := x * y
			return check(p, p/y != x || (x == -1 && y == math.MinInt64) || (y == -1 && x == math.MinInt64))
		}
	case "/":
		return func(a, b types.Datum) (types.Datum, error) {
			x, y := a.(int64), b.(int64)
			if y == 0 {
				return nil, divByZero()
			}
			if y == -1 {
				if x == lo {
					return nil, intOutOfRange(t)
				}
				return -x, nil
			}
			return x / y, nil // Go truncates toward zero, as PostgreSQL does
		}
	case "%":
		return func(a, b types.Datum) (types.Datum, error) {
			x, y := a.(int64), b.(int64)
			if y == 0 {
				return nil, divByZero()
			}
			if y == -1 {
				return int64(0), nil
			}
			return x % y, nil
		}
	}
	return nil
}

func checkFloat(r float64, inf bool, zero bool) (types.Datum, error) {
	if math.IsInf(r, 0) && !inf {
		return nil, pgerr.New(pgerrcode.NumericValueOutOfRange, "value out of range: overflow")
	}
	if r == 0 && !zero {
		return nil, pgerr.New(pgerrcode.NumericValueOutOfRange, "value out of range: underflow")
	}
	return r, nil
}

func floatOp(op string) func(a, b types.Datum) (types.Datum, error) {
	anyInf := func(x, y float64) bool { return math.IsInf(x, 0) || math.IsInf(y, 0) }
	switch op {
	case "+":
		return func(a, b types.Datum) (types.Datum, error) {
			x, y := a.(float64), b.(float64)
			return checkFloat(x+y, anyInf(x, y), true)
		}
	case "-":
		return func(a, b types.Datum) (types.Datum, error) {
			x, y := a.(float64), b.(float64)
			return checkFloat(x-y, anyInf(x, y), true)
		}
	case "*":
		return func(a, b types.Datum) (types.Datum, error) {
			x, y := a.(float64), b.(float64)
			return checkFloat(x*y, anyInf(x, y), x == 0 || y == 0)
		}
	case "/":
		return func(a, b types.Datum) (types.Datum, error) {
			x, y := a.(float64), b.(float64)
			if y == 0 && !math.IsNaN(x) {
				return nil, divByZero()
			}
			return checkFloat(x/y, math.IsInf(x, 0), x == 0 || math.IsInf(y, 0))
		}
	case "^":
		return func(a, b types.Datum) (types.Datum, error) {
			x, y := a.(float64), b.(float64)
			if x == 0 && y < 0 {
				return nil, pgerr.New(pgerrcode.InvalidArgumentForPowerFunction, "zero raised to a negative power is undefined")
			}
			if x < 0 && y != math.Trunc(y) && !math.IsInf(y, 0) {
				return nil, pgerr.New(pgerrcode.InvalidArgumentForPowerFunction, "a negative number raised to a non-integer power yields a complex result")
			}
			return checkFloat(math.Pow(x, y), anyInf(x, y), x == 0)
		}
	}
	return nil
}

func numericOp(op string) func(a, b types.Datum) (types.Datum, error) {
	wrap := func(f func(x, y *apd.Decimal) (*apd.Decimal, error)) func(a, b types.Datum) (types.Datum, error) {
		return func(a, b types.Datum) (types.Datum, error) {
			r, err := f(a.(*apd.Decimal), b.(*apd.Decimal))
			if err != nil {
				return nil, err
			}
			return r, nil
		}
	}
	switch op {
	case "+":
		return wrap(types.NumericAdd)
	case "-":
		return wrap(types.NumericSub)
	case "*":
		return wrap(types.NumericMul)
	case "/":
		return wrap(types.NumericDiv)
	case "%":
		return wrap(types.NumericMod)
	case "^":
		return wrap(types.NumericPow)
	}
	return nil
}

// Neg is unary minus.
type Neg struct{ X Expr }

// Type implements Expr.
func (e *Neg) Type() types.T { return e.X.Type() }

// Eval implements Expr.
func (e *Neg) Eval(c *Ctx) (types.Datum, error) {
	v, err := e.X.Eval(c)
	if err != nil || v == nil {
		return nil, err
	}
	switch t := e.X.Type(); {
	case t.IsInteger():
		x := v.(int64)
		if (t == types.Int2 && x == math.MinInt16) || (t == types.Int4 && x == math.MinInt32) || x == math.MinInt64 {
			return nil, intOutOfRange(t)
		}
		return -x, nil
	case t == types.Float8 || t == types.Float4:
		return -v.(float64), nil
	case t == types.Numeric:
		return types.NumericNeg(v.(*apd.Decimal)), nil
	}
	return nil, pgerr.New(pgerrcode.UndefinedFunction, "operator does not exist: - %s", e.X.Type().SQLName())
}

// Distinct is a IS [NOT] DISTINCT FROM b: NULLs compare as equal values.
type Distinct struct {
	L, R Expr
	Not  bool
	cmp  func(a, b types.Datum) int
}

// NewDistinct builds IS [NOT] DISTINCT FROM for operands of type t.
func NewDistinct(t types.T, l, r Expr, not bool) (*Distinct, bool) {
	c := comparer(t)
	if c == nil {
		return nil, false
	}
	return &Distinct{L: l, R: r, Not: not, cmp: c}, true
}

// Type implements Expr.
func (e *Distinct) Type() types.T { return types.Bool }

// Eval implements Expr.
func (e *Distinct) Eval(c *Ctx) (types.Datum, error) {
	l, err := e.L.Eval(c)
	if err != nil {
		return nil, err
	}
	r, err := e.R.Eval(c)
	if err != nil {
		return nil, err
	}
	var d bool
	switch {
	case l == nil && r == nil:
		d = false
	case l == nil || r == nil:
		d = true
	default:
		d = e.cmp(l, r) != 0
	}
	return d != e.Not, nil
}

// In is x [NOT] IN (list) with SQL NULL semantics.
type In struct {
	X    Expr
	List []Expr
	Not  bool
	cmp  func(a, b types.Datum) int
}

// NewIn builds x IN (list) for operands of type t.
func NewIn(t types.T, x Expr, list []Expr, not bool) (*In, bool) {
	c := comparer(t)
	if c == nil {
		return nil, false
	}
	return &In{X: x, List: list, Not: not, cmp: c}, true
}

// Type implements Expr.
func (e *In) Type() types.T { return types.Bool }

// Eval implements Expr.
func (e *In) Eval(c *Ctx) (types.Datum, error) {
	x, err := e.X.Eval(c)
	if err != nil || x == nil {
		return nil, err
	}
	sawNull := false
	for _, it := range e.List {
		v, err := it.Eval(c)
		if err != nil {
			return nil, err
		}
		if v == nil {
			sawNull = true
			continue
		}
		if e.cmp(x, v) == 0 {
			return !e.Not, nil
		}
	}
	if sawNull {
		return nil, nil
	}
	return e.Not, nil
}
