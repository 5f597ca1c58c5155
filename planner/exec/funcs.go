package exec

import (
	"context"
	"errors"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/cockroachdb/apd/v3"
	"github.com/jackc/pgerrcode"
)

// Canceled turns a context error into the client's 57014.
func Canceled(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return pgerr.New(pgerrcode.QueryCanceled, "canceling statement due to statement timeout")
	}
	return pgerr.QueryCanceled()
}

func forcePanic(c *Ctx, args []types.Datum) (types.Datum, error) {
	if !c.Session.Superuser() {
		return nil, pgerr.New(pgerrcode.InsufficientPrivilege, "must be superuser to use pg_augur_force_panic")
	}
	panic("pg_augur_force_panic: " + args[0].(string))
}

// Builtin is one overload of a built-in function.
type Builtin struct {
	Args   []types.T
	Result types.T
	Strict bool
	// Volatile functions (PostgreSQL's VOLATILE: side effects, or a different
	// answer at each call) are never evaluated at planning time.
	Volatile bool
	Fn       func(c *Ctx, args []types.Datum) (types.Datum, error)
}

// Builtins lists the built-in functions by name; the binder picks an overload.
var Builtins = map[string][]Builtin{
	"version": {{Result: types.Text, Fn: func(c *Ctx, _ []types.Datum) (types.Datum, error) {
		return c.Session.Version(), nil
	}}},
	"current_database": {{Result: types.Name, Fn: func(c *Ctx, _ []types.Datum) (types.Datum, error) {
		return c.Session.Database(), nil
	}}},
	"current_schema": {{Result: types.Name, Fn: func(*Ctx, []types.Datum) (types.Datum, error) {
		return "public", nil
	}}},
	"pg_sleep": {{Args: []types.T{types.Float8}, Result: types.Void, Strict: true, Volatile: true, Fn: pgSleep}},
	// pg_augur_force_panic panics inside the running statement, for superusers only:
	// the operator's (and the test suite's) way to check that a failing statement
	// hurts nobody but its own client (compare CockroachDB's crdb_internal.force_panic).
	"pg_augur_force_panic": {{Args: []types.T{types.Text}, Result: types.Void, Strict: true, Volatile: true, Fn: forcePanic}},
	"abs": {
		{Args: []types.T{types.Int2}, Result: types.Int2, Strict: true, Fn: absInt(types.Int2)},
		{Args: []types.T{types.Int4}, Result: types.Int4, Strict: true, Fn: absInt(types.Int4)},
		{Args: []types.T{types.Int8}, Result: types.Int8, Strict: true, Fn: absInt(types.Int8)},
		{Args: []types.T{types.Numeric}, Result: types.Numeric, Strict: true, Fn: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			return types.NumericAbs(a[0].(*apd.Decimal)), nil
		}},
		{Args: []types.T{types.Float8}, Result: types.Float8, Strict: true, Fn: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			return math.Abs(a[0].(float64)), nil
		}},
	},
	"length": {{Args: []types.T{types.Text}, Result: types.Int4, Strict: true, Fn: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return int64(utf8.RuneCountInString(a[0].(string))), nil
	}}},
	"char_length":      nil, // filled in init
	"character_length": nil,
	"lower": {{Args: []types.T{types.Text}, Result: types.Text, Strict: true, Fn: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return strings.ToLower(a[0].(string)), nil
	}}},
	"upper": {{Args: []types.T{types.Text}, Result: types.Text, Strict: true, Fn: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return strings.ToUpper(a[0].(string)), nil
	}}},
	"pg_typeof": nil, // bound specially: depends on the argument's type, not its value
}

func init() {
	Builtins["char_length"] = Builtins["length"]
	Builtins["character_length"] = Builtins["length"]
}

func absInt(t types.T) func(*Ctx, []types.Datum) (types.Datum, error) {
	return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		v := a[0].(int64)
		if v < 0 {
			if (t == types.Int2 && v == math.MinInt16) || (t == types.Int4 && v == math.MinInt32) || v == math.MinInt64 {
				return nil, intOutOfRange(t)
			}
			return -v, nil
		}
		return v, nil
	}
}

// pgSleep waits, ending early with 57014 when the statement's context is cancelled.
func pgSleep(c *Ctx, a []types.Datum) (types.Datum, error) {
	secs := a[0].(float64)
	if math.IsNaN(secs) || secs <= 0 {
		return "", nil
	}
	d := time.Duration(math.Min(secs, 1e9) * float64(time.Second))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return "", nil
	case <-c.Context.Done():
		return nil, Canceled(c.Context.Err())
	}
}
