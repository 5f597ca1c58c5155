package exec

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
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
	// Variadic overloads take PostgreSQL's VARIADIC "any": a call passes the
	// len(Args) arguments Args describes, then any number of further arguments of
	// any types. The binder converts each further argument to its text output
	// (types.EncodeText; NULL stays nil), so Fn receives len(args) >= len(Args)
	// datums and every one past len(Args) is a string or nil. Variadic functions
	// are never Strict: concat skips NULLs rather than returning NULL.
	// PostgreSQL requires at least one argument in the variadic part (concat()
	// and concat_ws(',') are 42883); the functions here also accept none.
	Variadic bool
	// NeedsTxn: the function takes transaction-level locks, so a statement
	// calling it runs in a transaction (whose end releases them) even when it
	// reads no table.
	NeedsTxn bool
	Fn       func(c *Ctx, args []types.Datum) (types.Datum, error)
}

// Builtins lists the built-in functions by name; the binder picks an overload.
// Files add theirs with register in init; the map does not change afterwards.
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
	"pg_typeof":            nil, // bound specially: depends on the argument's type, not its value
}

// register adds overloads of a built-in function, from an init function: files
// that implement functions register them (funcs_math.go, funcs_string.go). Two
// overloads of one name must differ in their parameter types.
func register(name string, overloads ...Builtin) {
	for _, o := range overloads {
		for _, have := range Builtins[name] {
			if slices.Equal(have.Args, o.Args) && have.Variadic == o.Variadic {
				panic(fmt.Sprintf("exec: built-in %s%v registered twice", name, o.Args))
			}
		}
		Builtins[name] = append(Builtins[name], o)
	}
}

// alias registers name with the overloads of of, which must be registered.
func alias(name, of string) {
	o, ok := Builtins[of]
	if !ok {
		panic("exec: alias " + name + " of unregistered function " + of)
	}
	register(name, o...)
}

// pureFn is a function of its argument values alone.
type pureFn func(a []types.Datum) (types.Datum, error)

// strict is an immutable overload that returns NULL on a NULL argument.
func strict(args []types.T, result types.T, f pureFn) Builtin {
	return Builtin{Args: args, Result: result, Strict: true, Fn: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return f(a)
	}}
}

// nonStrict is an immutable overload that sees NULL arguments.
func nonStrict(args []types.T, result types.T, f pureFn) Builtin {
	b := strict(args, result, f)
	b.Strict = false
	return b
}

// variadic is an overload taking VARIADIC "any" after args (see Builtin.Variadic).
func variadic(args []types.T, result types.T, f pureFn) Builtin {
	b := nonStrict(args, result, f)
	b.Variadic = true
	return b
}

// TextOut converts the value of x to its text output (types.EncodeText), as
// PostgreSQL passes the arguments of VARIADIC "any" to concat and format; NULL
// stays NULL.
func TextOut(x Expr) Expr {
	t := x.Type()
	return &Func{Name: "textout", T: types.Text, Args: []Expr{x}, Strict: true, Fn: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return string(types.EncodeText(t, a[0])), nil
	}}
}

// sig lists parameter types.
func sig(args ...types.T) []types.T { return args }

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
