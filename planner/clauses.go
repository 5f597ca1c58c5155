package planner

import (
	"github.com/augurdb/augur/planner/pgdialect"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// dmlClauses are the parts of INSERT/UPDATE/DELETE that the TiDB grammar lacks,
// cut from the statement's tokens and parsed on their own: RETURNING (as a SELECT
// list) and ON CONFLICT (its DO UPDATE as an UPDATE's SET and WHERE).
type dmlClauses struct {
	returning *ast.FieldList
	conflict  *conflictClause
	// from is UPDATE's FROM list or DELETE's USING list.
	from *ast.Join
}

type conflictClause struct {
	cols      []string
	doNothing bool
	sets      []*ast.Assignment
	where     ast.ExprNode
}

// splitDML removes RETURNING and ON CONFLICT from s.toks (top level only) and
// parses them; the remaining tokens are the statement the TiDB grammar reads.
func (p *Planner) splitDML(s *Statement) (*dmlClauses, []pgdialect.Token, error) {
	toks := s.toks
	if len(toks) == 0 || !(toks[0].Is("insert") || toks[0].Is("update") || toks[0].Is("delete")) {
		return nil, toks, nil
	}
	depth, ret, conflict, from, fromEnd := 0, -1, -1, -1, -1
	sawSet := false
	for i, t := range toks {
		switch {
		case depth == 0 && t.Is("set"):
			sawSet = true
		case depth == 0 && from < 0 && ((toks[0].Is("update") && sawSet && t.Is("from")) || (toks[0].Is("delete") && t.Is("using"))):
			from = i
		case depth == 0 && from >= 0 && fromEnd < 0 && (t.Is("where") || t.Is("returning")):
			fromEnd = i
		case t.IsPunct("(") || t.IsPunct("["):
			depth++
		case t.IsPunct(")") || t.IsPunct("]"):
			depth--
		case depth == 0 && t.Is("returning") && ret < 0:
			ret = i
		case depth == 0 && t.Is("on") && i+1 < len(toks) && toks[i+1].Is("conflict") && toks[0].Is("insert") && conflict < 0:
			conflict = i
		}
	}
	if ret < 0 && conflict < 0 && from < 0 {
		return nil, toks, nil
	}
	c := &dmlClauses{}
	end := len(toks)
	if from >= 0 {
		if fromEnd < 0 {
			fromEnd = len(toks)
		}
		sel := append([]pgdialect.Token{{Kind: pgdialect.Ident, Val: "select", Pos: toks[from].Pos, End: toks[from].End},
			{Kind: pgdialect.Op, Val: "*", Pos: toks[from].Pos, End: toks[from].End},
			{Kind: pgdialect.Ident, Val: "from", Pos: toks[from].Pos, End: toks[from].End}}, toks[from+1:fromEnd]...)
		node, err := p.parseTokens(s.src, sel)
		if err != nil {
			return nil, nil, err
		}
		sn, ok := node.(*ast.SelectStmt)
		if !ok || sn.From == nil {
			return nil, nil, pgerr.Syntax(pgdialect.CharPos(s.src, toks[from].Pos), "syntax error at or near %q", toks[from].Val)
		}
		c.from = sn.From.TableRefs
		rest := append(append([]pgdialect.Token(nil), toks[:from]...), toks[fromEnd:]...)
		if ret >= 0 {
			ret -= fromEnd - from
		}
		toks = rest
		end = len(toks)
	}
	if ret >= 0 {
		if ret == len(toks)-1 {
			return nil, nil, pgerr.Syntax(pgdialect.CharPos(s.src, len(s.src)), "syntax error at end of input")
		}
		sel := append([]pgdialect.Token{{Kind: pgdialect.Ident, Val: "select", Pos: toks[ret].Pos, End: toks[ret].End}}, toks[ret+1:]...)
		node, err := p.parseTokens(s.src, sel)
		if err != nil {
			return nil, nil, err
		}
		sn, ok := node.(*ast.SelectStmt)
		if !ok || sn.From != nil || sn.Where != nil {
			return nil, nil, pgerr.Syntax(pgdialect.CharPos(s.src, toks[ret].Pos), "syntax error in RETURNING list")
		}
		c.returning = sn.Fields
		end = ret
	}
	if conflict >= 0 && conflict < end {
		cc, err := p.parseConflict(s.src, toks[conflict+2:end])
		if err != nil {
			return nil, nil, err
		}
		c.conflict = cc
		end = conflict
	}
	return c, toks[:end], nil
}

func (p *Planner) parseTokens(src string, toks []pgdialect.Token) (ast.StmtNode, error) {
	rw, err := pgdialect.Rewrite(src, toks)
	if err != nil {
		return nil, err
	}
	node, err := p.tidb.ParseOneStmt(rw.SQL, "", "")
	if err != nil {
		st := &Statement{src: src, toks: toks, rw: rw}
		return nil, syntaxError(st, toks, err)
	}
	return node, nil
}

func (p *Planner) parseConflict(src string, toks []pgdialect.Token) (*conflictClause, error) {
	c := &conflictClause{}
	i := 0
	fail := func() error {
		pos := len(src)
		if i < len(toks) {
			pos = toks[i].Pos
		}
		return pgerr.Syntax(pgdialect.CharPos(src, pos), "syntax error in ON CONFLICT")
	}
	if i < len(toks) && toks[i].IsPunct("(") {
		i++
		for i < len(toks) && !toks[i].IsPunct(")") {
			if toks[i].Kind != pgdialect.Ident && toks[i].Kind != pgdialect.QIdent {
				return nil, fail()
			}
			c.cols = append(c.cols, toks[i].Val)
			i++
			if i < len(toks) && toks[i].IsPunct(",") {
				i++
			}
		}
		i++
	} else if i+2 < len(toks) && toks[i].Is("on") && toks[i+1].Is("constraint") {
		return nil, pgerr.FeatureNotSupported("ON CONFLICT ON CONSTRAINT is not supported yet")
	}
	if i >= len(toks) || !toks[i].Is("do") {
		return nil, fail()
	}
	i++
	switch {
	case i < len(toks) && toks[i].Is("nothing") && i == len(toks)-1:
		c.doNothing = true
		return c, nil
	case i+1 < len(toks) && toks[i].Is("update") && toks[i+1].Is("set"):
		up := append([]pgdialect.Token{toks[i], {Kind: pgdialect.Ident, Val: "augur_conflict", Pos: toks[i].Pos, End: toks[i].End}}, toks[i+1:]...)
		node, err := p.parseTokens(src, up)
		if err != nil {
			return nil, err
		}
		u, ok := node.(*ast.UpdateStmt)
		if !ok {
			return nil, fail()
		}
		c.sets, c.where = u.List, u.Where
		return c, nil
	}
	return nil, fail()
}
