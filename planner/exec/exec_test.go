package exec

import (
	"math"
	"testing"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
)

func c(t types.T, v types.Datum) Expr { return &Const{T: t, Val: v, Typmod: -1} }

func TestIntegerArithmetic(t *testing.T) {
	cases := []struct {
		op   string
		t    types.T
		l, r int64
		want int64
		code string
	}{
		{"+", types.Int4, math.MaxInt32, 1, 0, "22003"},
		{"+", types.Int8, math.MaxInt32, 1, math.MaxInt32 + 1, ""},
		{"-", types.Int2, math.MinInt16, 1, 0, "22003"},
		{"*", types.Int8, math.MaxInt64, 2, 0, "22003"},
		{"*", types.Int8, math.MinInt64, -1, 0, "22003"},
		{"*", types.Int4, -46341, 46341, 0, "22003"},
		{"/", types.Int4, -7, 2, -3, ""},
		{"/", types.Int4, 7, -2, -3, ""},
		{"/", types.Int4, math.MinInt32, -1, 0, "22003"},
		{"/", types.Int8, 1, 0, 0, "22012"},
		{"%", types.Int4, -7, 3, -1, ""},
		{"%", types.Int8, math.MinInt64, -1, 0, ""},
		{"%", types.Int2, 1, 0, 0, "22012"},
	}
	for _, tc := range cases {
		e, ok := NewBinOp(tc.op, tc.t, c(tc.t, tc.l), c(tc.t, tc.r))
		if !ok {
			t.Fatalf("no operator %s for %s", tc.op, tc.t)
		}
		v, err := e.Eval(&Ctx{})
		if tc.code != "" {
			if pgerr.Code(err) != tc.code {
				t.Errorf("%d %s %d (%s): %v, want %s", tc.l, tc.op, tc.r, tc.t, err, tc.code)
			}
			continue
		}
		if err != nil || v != tc.want {
			t.Errorf("%d %s %d (%s) = %v, %v; want %d", tc.l, tc.op, tc.r, tc.t, v, err, tc.want)
		}
	}
}

func TestThreeValuedLogic(t *testing.T) {
	vals := []types.Datum{true, false, nil}
	for _, l := range vals {
		for _, r := range vals {
			and, _ := (&And{L: c(types.Bool, l), R: c(types.Bool, r)}).Eval(&Ctx{})
			or, _ := (&Or{L: c(types.Bool, l), R: c(types.Bool, r)}).Eval(&Ctx{})
			var wantAnd, wantOr types.Datum
			switch {
			case l == false || r == false:
				wantAnd = false
			case l == nil || r == nil:
				wantAnd = nil
			default:
				wantAnd = true
			}
			switch {
			case l == true || r == true:
				wantOr = true
			case l == nil || r == nil:
				wantOr = nil
			default:
				wantOr = false
			}
			if and != wantAnd || or != wantOr {
				t.Errorf("%v AND/OR %v = %v/%v, want %v/%v", l, r, and, or, wantAnd, wantOr)
			}
		}
	}
}

func TestFloatSemantics(t *testing.T) {
	if types.FloatCmp(math.NaN(), math.Inf(1)) != 1 || types.FloatCmp(math.NaN(), math.NaN()) != 0 || types.FloatCmp(math.Copysign(0, -1), 0) != 0 {
		t.Error("NaN must sort above everything and equal itself")
	}
	e, _ := NewBinOp("/", types.Float8, c(types.Float8, 1.0), c(types.Float8, 0.0))
	if _, err := e.Eval(&Ctx{}); pgerr.Code(err) != "22012" {
		t.Errorf("1/0.0: %v", err)
	}
	e, _ = NewBinOp("*", types.Float8, c(types.Float8, 1e308), c(types.Float8, 10.0))
	if _, err := e.Eval(&Ctx{}); pgerr.Code(err) != "22003" {
		t.Errorf("overflow: %v", err)
	}
	e, _ = NewBinOp("*", types.Float8, c(types.Float8, 1e-308), c(types.Float8, 1e-308))
	if _, err := e.Eval(&Ctx{}); pgerr.Code(err) != "22003" {
		t.Errorf("underflow: %v", err)
	}
}
