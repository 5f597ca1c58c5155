package planner

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	"github.com/augurdb/augur/planner/exec"
	"github.com/augurdb/augur/planner/pgdialect"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
)

// explainOpts are EXPLAIN's options.
type explainOpts struct {
	analyze bool
	costs   bool
}

// parseExplain reads EXPLAIN [ANALYZE] [VERBOSE] stmt and EXPLAIN (option, ...)
// stmt; the inner statement is parsed like any other.
func (p *Planner) parseExplain(s *Statement, all []pgdialect.Token) error {
	toks := s.toks[1:]
	opts := &explainOpts{costs: true}
	if len(toks) > 0 && toks[0].IsPunct("(") {
		i := 1
		for i < len(toks) && !toks[i].IsPunct(")") {
			name := toks[i].Val
			i++
			val := true
			if i < len(toks) && !toks[i].IsPunct(",") && !toks[i].IsPunct(")") {
				switch strings.ToLower(toks[i].Val) {
				case "off", "false", "0":
					val = false
				}
				i++
			}
			switch name {
			case "analyze":
				opts.analyze = val
			case "costs":
				opts.costs = val
			case "verbose", "buffers", "timing", "summary", "settings", "wal":
			case "format":
			default:
				return pgerr.Syntax(pgdialect.CharPos(s.src, toks[i-1].Pos), "unrecognized EXPLAIN option %q", name)
			}
			if i < len(toks) && toks[i].IsPunct(",") {
				i++
			}
		}
		toks = toks[min(i+1, len(toks)):]
	} else {
		for len(toks) > 0 && (toks[0].Is("analyze") || toks[0].Is("analyse") || toks[0].Is("verbose")) {
			opts.analyze = opts.analyze || !toks[0].Is("verbose")
			toks = toks[1:]
		}
	}
	if len(toks) == 0 {
		return pgerr.Syntax(pgdialect.CharPos(s.src, len(s.src)), "syntax error at end of input")
	}
	inner := &Statement{SQL: s.src[toks[0].Pos:toks[len(toks)-1].End], src: s.src, toks: toks}
	if err := p.parseOne(inner, all); err != nil {
		return err
	}
	s.Kind, s.explain, s.inner = KindSelect, opts, inner
	return nil
}

func (p *Planner) prepareExplain(env Env, st *Statement, paramTypes []uint32) (*Plan, error) {
	inner, err := p.Prepare(env, st.inner, paramTypes)
	if err != nil {
		return nil, err
	}
	if inner.root == nil && (inner.prep == nil || inner.prep.target == nil) {
		return nil, pgerr.FeatureNotSupported("EXPLAIN of %s is not supported", strings.ToUpper(firstWord(st.inner)))
	}
	return &Plan{Kind: KindSelect, Params: inner.Params, Columns: []Column{{Name: "QUERY PLAN", Type: types.Text, Typmod: -1}},
		explain: st.explain, inner: inner, planner: p, stmt: st, declared: paramTypes, version: inner.version}, nil
}

func (pl *Plan) executeExplain(ctx context.Context, env Env, params []types.Datum) (Rows, error) {
	in := pl.inner
	if in.prep != nil {
		// EXPLAIN EXECUTE: the prepared statement's plan, run with the arguments.
		target, args, err := in.resolveExecute(ctx, env, params)
		if err != nil {
			return nil, err
		}
		if target.root == nil {
			return nil, pgerr.FeatureNotSupported("EXPLAIN of %s is not supported", strings.ToUpper(firstWord(target.stmt)))
		}
		in, params = target, args
	}
	var stats map[exec.Node]*nodeStats
	var took time.Duration
	if pl.explain.analyze {
		stats = map[exec.Node]*nodeStats{}
		root := instrument(in.root, stats)
		run := *in
		run.root = root
		start := time.Now()
		rows, err := run.Execute(ctx, env, params)
		if err != nil {
			return nil, err
		}
		for {
			if _, err := rows.Next(ctx); err != nil {
				rows.Close()
				if err != io.EOF {
					return nil, err
				}
				break
			}
		}
		took = time.Since(start)
	}
	lines := explainLines(in.root, stats, pl.explain.costs)
	if pl.explain.analyze {
		lines = append(lines, fmt.Sprintf("Execution Time: %.3f ms", took.Seconds()*1000))
	}
	out := make([][]types.Datum, len(lines))
	for i, l := range lines {
		out[i] = []types.Datum{l}
	}
	return &exec.Values{Rows: out, TagText: "EXPLAIN"}, nil
}

// instrument returns a copy of the plan tree whose nodes record, in stats (keyed
// by the original nodes), the rows, loops and time of EXPLAIN ANALYZE.
func instrument(n exec.Node, stats map[exec.Node]*nodeStats) exec.Node {
	st := &nodeStats{}
	stats[n] = st
	v := reflect.ValueOf(n)
	copied := n
	if v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Struct {
		nv := reflect.New(v.Elem().Type())
		nv.Elem().Set(v.Elem())
		nodeType := reflect.TypeOf((*exec.Node)(nil)).Elem()
		for i := 0; i < nv.Elem().NumField(); i++ {
			f := nv.Elem().Field(i)
			if nv.Elem().Type().Field(i).IsExported() && f.Kind() == reflect.Interface && f.Type() == nodeType && !f.IsNil() {
				f.Set(reflect.ValueOf(instrument(f.Interface().(exec.Node), stats)))
			}
		}
		copied = nv.Interface().(exec.Node)
	}
	return &measured{Node: copied, st: st}
}

// measured counts what one node of an EXPLAIN ANALYZE produces.
type measured struct {
	exec.Node
	st *nodeStats
}

func (m *measured) Open(c *exec.Ctx) (exec.Iter, error) {
	start := time.Now()
	m.st.loops++
	it, err := m.Node.Open(c)
	m.st.total += time.Since(start)
	if err != nil {
		return nil, err
	}
	return &measuredIter{it: it, st: m.st, first: m.st.loops == 1}, nil
}

// OpenWith keeps an index nested loop's inner side parameterised.
func (m *measured) OpenWith(c *exec.Ctx, row []types.Datum) (exec.Iter, error) {
	pn, ok := m.Node.(exec.ParamNode)
	if !ok {
		return m.Open(c)
	}
	start := time.Now()
	m.st.loops++
	it, err := pn.OpenWith(c, row)
	m.st.total += time.Since(start)
	if err != nil {
		return nil, err
	}
	return &measuredIter{it: it, st: m.st}, nil
}

type measuredIter struct {
	it    exec.Iter
	st    *nodeStats
	first bool
}

func (m *measuredIter) Next() ([]types.Datum, error) {
	start := time.Now()
	row, err := m.it.Next()
	d := time.Since(start)
	m.st.total += d
	if err == nil {
		m.st.rows++
		if m.first && m.st.rows == 1 {
			m.st.first = m.st.total
		}
	}
	return row, err
}

func (m *measuredIter) Close() { m.it.Close() }
