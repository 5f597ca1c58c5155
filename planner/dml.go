package planner

import (
	"github.com/augurdb/augur/planner/exec"
	"github.com/augurdb/augur/storage/catalog"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"strings"
)

// targetTable resolves the table an INSERT, UPDATE or DELETE writes.
func (b *binder) targetTable(refs *ast.TableRefsClause) (*catalog.Table, *ast.TableSource, error) {
	if refs == nil || refs.TableRefs == nil || refs.TableRefs.Right != nil {
		return nil, nil, pgerr.FeatureNotSupported("this DML target is not supported yet")
	}
	ts, ok := refs.TableRefs.Left.(*ast.TableSource)
	if !ok {
		return nil, nil, pgerr.FeatureNotSupported("this DML target is not supported yet")
	}
	tn, ok := ts.Source.(*ast.TableName)
	if !ok {
		return nil, nil, pgerr.FeatureNotSupported("this DML target is not supported yet")
	}
	t, err := b.tableName(tn)
	if err != nil {
		return nil, nil, err
	}
	b.home = t.Schema
	if t.IsView() {
		return nil, nil, pgerr.New(pgerrcode.ObjectNotInPrerequisiteState, "cannot change view %q", t.Name).
			WithDetail("Views that do not select from a single table or view are not automatically updatable.")
	}
	return t, ts, nil
}

// assign coerces a value for a column with PostgreSQL's assignment rules.
func (b *binder) assign(e exec.Expr, col *catalog.Column) (exec.Expr, error) {
	from := e.Type()
	if from == types.Unknown {
		ce, err := b.coerce(e, col.Type, "")
		if err != nil {
			return nil, err
		}
		return &exec.Cast{X: ce, T: col.Type, Typmod: col.Typmod, Assignment: true}, nil
	}
	if from == col.Type && col.Typmod < 0 {
		return e, nil
	}
	ok := from == col.Type || implicit(from, col.Type) || types.ImplicitCast(from, col.Type) ||
		(numericRank(from) > 0 && numericRank(col.Type) > 0) || col.Type.IsString() || assignableArray(from, col.Type) ||
		assignmentDatetime(from, col.Type)
	if !ok {
		return nil, pgerr.New(pgerrcode.DatatypeMismatch, "column %q is of type %s but expression is of type %s", col.Name, col.Type.SQLName(), from.SQLName()).
			WithHint("You will need to rewrite or cast the expression.")
	}
	return &exec.Cast{X: e, T: col.Type, Typmod: col.Typmod, Assignment: true}, nil
}

// assignmentDatetime reports whether PostgreSQL's pg_cast has an assignment
// cast between two date/time types: the ones that drop a part of the value
// (CURRENT_TIMESTAMP into a timestamp column, as pgbench inserts it).
func assignmentDatetime(from, to types.T) bool {
	switch [2]types.T{from, to} {
	case [2]types.T{types.TimestampTZT, types.TimestampT}, [2]types.T{types.TimestampTZT, types.DateT},
		[2]types.T{types.TimestampTZT, types.TimeT}, [2]types.T{types.TimestampT, types.DateT},
		[2]types.T{types.TimestampT, types.TimeT}, [2]types.T{types.IntervalT, types.TimeT}:
		return true
	}
	return false
}

// assignableArray reports whether an array of type from may be assigned to a
// column of array type to: when its elements may (int4[] to int8[], text[] to
// varchar(3)[]).
func assignableArray(from, to types.T) bool {
	if !from.IsArray() || !to.IsArray() {
		return false
	}
	f, t := from.Elem(), to.Elem()
	return f == t || implicit(f, t) || types.ImplicitCast(f, t) || numericRank(f) > 0 && numericRank(t) > 0 || t.IsString()
}

// defaultExpr binds a column's default (NULL when it has none).
func (b *binder) defaultExpr(col *catalog.Column) (exec.Expr, error) {
	if col.Default == "" {
		return &exec.Const{T: col.Type, Typmod: -1}, nil
	}
	e, err := b.planner.bindText(b, col.Default)
	if err != nil {
		return nil, err
	}
	return b.assign(e, col)
}

// checkWriter binds a writer of t with its CHECK constraints (writer adds the
// foreign keys).
func (b *binder) checkWriter(t *catalog.Table) (*exec.TableWriter, error) {
	w := &exec.TableWriter{Table: t}
	if len(t.Checks) > 0 {
		saved := b.sc
		b.sc = tableScope(t)
		defer func() { b.sc = saved }()
		for _, ch := range t.Checks {
			e, err := b.planner.bindText(b, ch.Expr)
			if err != nil {
				return nil, err
			}
			if e, err = b.coerce(e, types.Bool, "argument of CHECK"); err != nil {
				return nil, err
			}
			w.Checks = append(w.Checks, exec.CheckExpr{Name: ch.Name, Expr: e})
		}
	}
	return w, nil
}

// tableScope is a scope over one table's row.
func tableScope(t *catalog.Table) *scope {
	s := &scope{width: len(t.Columns)}
	s.rels = []*relation{{name: t.Name, schema: t.Schema, table: t, width: len(t.Columns), est: 1000}}
	for i := range t.Columns {
		c := &t.Columns[i]
		if c.Dropped {
			continue
		}
		s.cols = append(s.cols, scopeCol{rel: t.Name, schema: t.Schema, name: c.Name, t: c.Type, typmod: c.Typmod, idx: i, hidden: c.Hidden, system: c.Hidden})
	}
	return s
}

func (b *binder) insert(ins *ast.InsertStmt, pl *Plan) error {
	if ins.IsReplace || ins.OnDuplicate != nil || ins.Setlist {
		return pgerr.FeatureNotSupported("this form of INSERT is not supported yet")
	}
	t, _, err := b.targetTable(ins.Table)
	if err != nil {
		return err
	}
	var targets []*catalog.Column
	if len(ins.Columns) == 0 {
		targets = t.Visible()
	} else {
		seen := map[int]bool{}
		for _, cn := range ins.Columns {
			c, ok := t.Column(cn.Name.O)
			if !ok || c.Hidden {
				return pgerr.New(pgerrcode.UndefinedColumn, "column %q of relation %q does not exist", cn.Name.O, t.Name).WithPosition(b.identPos(cn.Name.O))
			}
			if seen[c.Num] {
				return pgerr.New(pgerrcode.DuplicateColumn, "column %q specified more than once", c.Name).WithPosition(b.identPos(c.Name))
			}
			seen[c.Num] = true
			targets = append(targets, c)
		}
	}
	for i, c := range targets {
		if c.Identity == "always" && !insertsDefaultsOnly(ins, i) {
			return identityAlways(c, "cannot insert a non-DEFAULT value into column %q")
		}
	}
	// full builds a table row from the values given for targets.
	full := func(vals []exec.Expr) ([]exec.Expr, error) {
		row := make([]exec.Expr, len(t.Columns))
		for i, c := range targets {
			row[c.Num-1] = vals[i]
		}
		for i := range row {
			if row[i] != nil {
				continue
			}
			c := &t.Columns[i]
			if c.Hidden || c.Dropped {
				row[i] = &exec.Const{T: c.Type, Typmod: -1}
				continue
			}
			d, err := b.defaultExpr(c)
			if err != nil {
				return nil, err
			}
			row[i] = d
		}
		return row, nil
	}
	var input exec.Node
	est := 1.0
	if ins.Select != nil {
		p, err := b.query(ins.Select, nil)
		if err != nil {
			return err
		}
		if len(p.cols) > len(targets) {
			return pgerr.Syntax(0, "INSERT has more expressions than target columns")
		}
		if len(p.cols) < len(targets) {
			return pgerr.Syntax(0, "INSERT has more target columns than expressions")
		}
		vals := make([]exec.Expr, len(targets))
		for i, c := range targets {
			if vals[i], err = b.assign(&exec.ColRef{Idx: i, T: p.cols[i].Type}, c); err != nil {
				return err
			}
		}
		row, err := full(vals)
		if err != nil {
			return err
		}
		input = &exec.Projection{Input: p.node, Exprs: row, Info: exec.NodeInfo{Name: "Projection", Rows: p.est}}
		est = p.est
	} else {
		var rows [][]exec.Expr
		for _, l := range ins.Lists {
			if len(l) > len(targets) {
				return pgerr.Syntax(b.nodePos(l[len(targets)]), "INSERT has more expressions than target columns")
			}
			if len(l) < len(targets) && len(ins.Columns) > 0 {
				return pgerr.Syntax(0, "INSERT has more target columns than expressions")
			}
			vals := make([]exec.Expr, len(l))
			tg := targets[:len(l)]
			for i, v := range l {
				if _, isDefault := v.(*ast.DefaultExpr); isDefault {
					d, err := b.defaultExpr(tg[i])
					if err != nil {
						return err
					}
					vals[i] = d
					continue
				}
				e, err := b.expr(v)
				if err != nil {
					return err
				}
				if vals[i], err = b.assign(e, tg[i]); err != nil {
					return err
				}
			}
			saved := targets
			targets = tg
			row, err := full(vals)
			targets = saved
			if err != nil {
				return err
			}
			rows = append(rows, row)
		}
		input = &exec.ValuesNode{Rows: rows, Info: exec.NodeInfo{Name: "Values Scan", Rows: float64(len(rows))}}
		est = float64(len(rows))
		for _, r := range rows {
			b.fold = append(b.fold, r...)
		}
	}
	w, err := b.writer(t)
	if err != nil {
		return err
	}
	m := &exec.Modify{Kind: exec.DMLInsert, Writer: w, Input: input,
		Info: exec.NodeInfo{Name: "Insert on " + t.Name, Rows: est, Children: []exec.Node{input}}}
	if cl := b.st.clauses; cl != nil && cl.conflict != nil {
		if m.OnConflict, err = b.onConflict(t, cl.conflict); err != nil {
			return err
		}
	}
	return b.finishModify(t, m, pl)
}

// finishModify binds RETURNING and sets the plan's root.
func (b *binder) finishModify(t *catalog.Table, m *exec.Modify, pl *Plan) error {
	pl.writes = t
	pl.root = m
	cl := b.st.clauses
	if cl == nil || cl.returning == nil {
		return nil
	}
	saved := b.sc
	b.sc = tableScope(t)
	defer func() { b.sc = saved }()
	for _, f := range cl.returning.Fields {
		if f.WildCard != nil {
			es, cs, err := b.star(f.WildCard)
			if err != nil {
				return err
			}
			m.Returning, pl.Columns = append(m.Returning, es...), append(pl.Columns, cs...)
			continue
		}
		e, err := b.expr(f.Expr)
		if err != nil {
			return err
		}
		if e.Type() == types.Unknown {
			if e, err = b.coerce(e, types.Text, ""); err != nil {
				return err
			}
		}
		name := f.AsName.O
		if name == "" {
			name, _ = colName(f.Expr)
			name = strings.TrimPrefix(name, SequenceFuncPrefix)
		}
		m.Returning = append(m.Returning, e)
		pl.Columns = append(pl.Columns, Column{Name: name, Type: e.Type(), Typmod: b.colTypmod(e)})
	}
	return nil
}

// onConflict binds ON CONFLICT: the arbiter index and DO UPDATE's assignments,
// evaluated over the existing row followed by the proposed one (EXCLUDED).
func (b *binder) onConflict(t *catalog.Table, c *conflictClause) (*exec.OnConflict, error) {
	oc := &exec.OnConflict{DoNothing: c.doNothing}
	if len(c.cols) > 0 {
		nums, err := columnNums(t, c.cols)
		if err != nil {
			return nil, err
		}
		for i := range t.Indexes {
			ix := &t.Indexes[i]
			if ix.Unique && sameSet(ix.Columns, nums) && (ix.Primary == t.HasPrimaryKey() || !ix.Primary) {
				oc.Index = ix
				break
			}
		}
		if oc.Index == nil {
			return nil, pgerr.New(pgerrcode.InvalidColumnReference, "there is no unique or exclusion constraint matching the ON CONFLICT specification")
		}
	} else if !c.doNothing {
		return nil, pgerr.Syntax(0, "ON CONFLICT DO UPDATE requires inference specification or constraint name").
			WithHint("For example, ON CONFLICT (column_name).")
	}
	if c.doNothing {
		return oc, nil
	}
	saved := b.sc
	defer func() { b.sc = saved }()
	sc := tableScope(t)
	w := len(t.Columns)
	sc.rels = append(sc.rels, &relation{name: "excluded", table: t, offset: w, width: w})
	for _, col := range tableScope(t).cols {
		col.rel, col.idx = "excluded", col.idx+w
		sc.cols = append(sc.cols, col)
	}
	sc.width = 2 * w
	b.sc = sc
	oc.Sets = map[int]exec.Expr{}
	for _, a := range c.sets {
		col, ok := t.Column(a.Column.Name.O)
		if !ok || col.Hidden {
			return nil, pgerr.New(pgerrcode.UndefinedColumn, "column %q of relation %q does not exist", a.Column.Name.O, t.Name)
		}
		e, err := b.expr(a.Expr)
		if err == nil {
			e, err = b.assign(e, col)
		}
		if err != nil {
			return nil, err
		}
		oc.Sets[col.Num-1] = e
	}
	if c.where != nil {
		w, err := b.boolExpr(c.where, "argument of WHERE")
		if err != nil {
			return nil, err
		}
		oc.Where = w
	}
	return oc, nil
}

func sameSet(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[int]bool{}
	for _, x := range a {
		m[x] = true
	}
	for _, x := range b {
		if !m[x] {
			return false
		}
	}
	return true
}

// modifyScan binds the FROM and WHERE of UPDATE/DELETE: the target's rows to change.
// modifyScan binds the target and FROM/USING list of an UPDATE or DELETE and
// returns the scan of the rows to change and its conditions (the row re-check
// of READ COMMITTED evaluates them again).
func (b *binder) modifyScan(refs *ast.TableRefsClause, where ast.ExprNode) (*catalog.Table, exec.Node, []exec.Expr, error) {
	t, ts, err := b.targetTable(refs)
	if err != nil {
		return nil, nil, nil, err
	}
	b.sc = &scope{}
	if _, err := b.tableSource(ts); err != nil {
		return nil, nil, nil, err
	}
	var conds []exec.Expr
	if cl := b.st.clauses; cl != nil && cl.from != nil {
		spec, err := b.joinTree(cl.from)
		if err != nil {
			return nil, nil, nil, err
		}
		if !allInner(spec) {
			return nil, nil, nil, pgerr.FeatureNotSupported("outer joins in UPDATE ... FROM and DELETE ... USING are not supported yet")
		}
		collectInner(spec, &conds)
	}
	if where != nil {
		w, err := b.boolExpr(where, "argument of WHERE")
		if err != nil {
			return nil, nil, nil, err
		}
		conds = conjuncts(w, conds)
	}
	n, _, err := b.innerJoin(b.sc.rels, conds)
	return t, n, conds, err
}

func (b *binder) update(up *ast.UpdateStmt, pl *Plan) error {
	if up.Order != nil || up.Limit != nil {
		return pgerr.Syntax(0, "syntax error at or near \"ORDER\"")
	}
	t, scan, recheck, err := b.modifyScan(up.TableRefs, up.Where)
	if err != nil {
		return err
	}
	sets := map[int]exec.Expr{}
	for _, a := range up.List {
		c, ok := t.Column(a.Column.Name.O)
		if !ok || c.Hidden {
			return pgerr.New(pgerrcode.UndefinedColumn, "column %q of relation %q does not exist", a.Column.Name.O, t.Name).WithPosition(b.identPos(a.Column.Name.O))
		}
		if _, dup := sets[c.Num-1]; dup {
			return pgerr.Syntax(0, "multiple assignments to same column %q", c.Name)
		}
		var e exec.Expr
		_, isDefault := a.Expr.(*ast.DefaultExpr)
		if c.Identity == "always" && !isDefault {
			return identityAlways(c, "column %q can only be updated to DEFAULT")
		}
		if isDefault {
			e, err = b.defaultExpr(c)
		} else if e, err = b.expr(a.Expr); err == nil {
			e, err = b.assign(e, c)
		}
		if err != nil {
			return err
		}
		sets[c.Num-1] = e
	}
	w, err := b.writer(t)
	if err != nil {
		return err
	}
	return b.finishModify(t, &exec.Modify{Kind: exec.DMLUpdate, Writer: w, Input: scan, Sets: sets, Recheck: recheck,
		Info: exec.NodeInfo{Name: "Update on " + t.Name, Children: []exec.Node{scan}}}, pl)
}

func (b *binder) delete(del *ast.DeleteStmt, pl *Plan) error {
	if del.Order != nil || del.Limit != nil {
		return pgerr.Syntax(0, "syntax error at or near \"ORDER\"")
	}
	t, scan, recheck, err := b.modifyScan(del.TableRefs, del.Where)
	if err != nil {
		return err
	}
	w, err := b.writer(t)
	if err != nil {
		return err
	}
	return b.finishModify(t, &exec.Modify{Kind: exec.DMLDelete, Writer: w, Input: scan, Recheck: recheck,
		Info: exec.NodeInfo{Name: "Delete on " + t.Name, Children: []exec.Node{scan}}}, pl)
}

// identityAlways is the error for a value given to a GENERATED ALWAYS column.
func identityAlways(c *catalog.Column, format string) error {
	return pgerr.New(pgerrcode.GeneratedAlways, format, c.Name).
		WithDetail("Column %q is an identity column defined as GENERATED ALWAYS.", c.Name).
		WithHint("Use OVERRIDING SYSTEM VALUE to override.")
}

// insertsDefaultsOnly reports whether every value an INSERT gives for column
// position col (0-based in its column list) is DEFAULT.
func insertsDefaultsOnly(ins *ast.InsertStmt, col int) bool {
	if ins.Select != nil {
		return false
	}
	for _, l := range ins.Lists {
		if col < len(l) {
			if _, ok := l[col].(*ast.DefaultExpr); !ok {
				return false
			}
		}
	}
	return true
}
