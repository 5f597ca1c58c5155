package planner

import (
	"fmt"
	"io"
	"strings"

	"github.com/augurdb/augur/planner/exec"
	"github.com/augurdb/augur/planner/pgdialect"
	"github.com/augurdb/augur/storage/catalog"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
)

// CREATE TABLE … AS, SELECT … INTO and CREATE TABLE (LIKE …): tables whose
// columns come from another relation. Both become an ordinary CREATE TABLE
// (pgdialect.DDL with the columns spelled out as type texts), so a table
// made this way is the same as one declared by hand.

// createTableAs runs CREATE TABLE … AS query and SELECT … INTO: the query's
// result columns (renamed by the column list) become the table's, and, unless
// WITH NO DATA, its rows are inserted. The tag is SELECT n, or CREATE TABLE AS
// without data.
func (x *ddlExec) createTableAs(d *pgdialect.DDL) (string, error) {
	stmts, err := x.p.Parse(d.AsQuery)
	if err != nil {
		return "", err
	}
	if len(stmts) != 1 || stmts[0].Kind != KindSelect || stmts[0].node == nil {
		return "", pgerr.Syntax(0, "CREATE TABLE AS requires a query")
	}
	b := &binder{st: stmts[0], planner: x.p, schema: x.schema, db: x.db.Name, ns: x.ns, stats: x.env.RowEstimate}
	x.p.ctes = nil
	locks, done := x.p.collectRelations()
	q, err := b.query(stmts[0].node, nil)
	done()
	if err != nil {
		return "", err
	}
	if _, err := x.txn.lockAll(x.ctx, x.db.Name, locks.list); err != nil {
		return "", err
	}
	if len(d.AsCols) > len(q.cols) {
		return "", pgerr.Syntax(0, "too many column names were specified")
	}
	nd := *d
	nd.AsQuery, nd.Likes, nd.Columns = "", nil, nil
	for i, c := range q.cols {
		name := c.Name
		if i < len(d.AsCols) {
			name = d.AsCols[i]
		}
		t, typmod := c.Type, c.Typmod
		if t == types.Unknown {
			t, typmod = types.Text, -1
		}
		nd.Columns = append(nd.Columns, pgdialect.ColumnDef{Name: name, Type: types.FormatType(t, typmod)})
	}
	schema, err := x.creationSchema(d.Quals[0], d.Temp)
	if err != nil {
		return "", err
	}
	if x.exists(schema, d.Names[0]) && d.IfNotExists {
		x.notices = append(x.notices, fmt.Sprintf("relation %q already exists, skipping", d.Names[0]))
		return "CREATE TABLE AS", nil
	}
	if _, err := x.createTable(&nd); err != nil {
		return "", err
	}
	t := x.db.Tables[catalog.Name{Schema: schema, Name: d.Names[0]}]
	if d.NoData {
		return "CREATE TABLE AS", nil
	}
	wb := &binder{planner: x.p, schema: x.schema, db: x.db.Name, ns: x.ns, home: t.Schema, st: &Statement{}}
	w, err := wb.writer(t)
	if err != nil {
		return "", err
	}
	c := exec.NewCtx(x.ctx, x.txn.KV, nil, x.env)
	c.RowID = func() (int64, error) { return x.txn.e.NextRowID(x.ctx) }
	it, err := q.node.Open(c)
	if err != nil {
		return "", err
	}
	defer it.Close()
	var n int64
	for {
		r, err := it.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
		row := make([]types.Datum, len(t.Columns))
		copy(row, r[:len(q.cols)])
		if _, _, err := w.Insert(c, row, false); err != nil {
			return "", err
		}
		n++
	}
	if t.OnCommit == catalog.OnCommitDeleteRows {
		x.txn.emptyAtCommit(t)
	}
	return fmt.Sprintf("SELECT %d", n), nil
}

// expandLikes replaces CREATE TABLE's LIKE clauses by the columns (and, as
// their INCLUDING options ask, the defaults, identity, CHECK constraints,
// primary key and unique constraints, and comments) of the relations they
// name. It returns the plain indexes to create too (INCLUDING INDEXES), as
// column name lists.
func (x *ddlExec) expandLikes(d *pgdialect.DDL) (*pgdialect.DDL, [][]string, map[string]string, error) {
	nd := *d
	nd.Columns, nd.Likes = nil, nil
	nd.Constraints = append([]pgdialect.Constraint(nil), d.Constraints...)
	var indexes [][]string
	comments := map[string]string{}
	next := 0
	for _, l := range d.Likes {
		nd.Columns = append(nd.Columns, d.Columns[next:l.Pos]...)
		next = l.Pos
		src, err := x.relation(l.Source)
		if err != nil {
			return nil, nil, nil, err
		}
		if src == nil {
			return nil, nil, nil, pgerr.New(pgerrcode.UndefinedTable, "relation %q does not exist", l.Source.String())
		}
		names := func(nums []int) []string {
			var out []string
			for _, n := range nums {
				out = append(out, src.ColumnByNum(n).Name)
			}
			return out
		}
		for _, c := range src.Visible() {
			cd := pgdialect.ColumnDef{Name: c.Name, Type: types.FormatType(c.Type, c.Typmod), NotNull: c.NotNull}
			if c.Identity != "" && l.Including["identity"] {
				cd.Identity = c.Identity
			} else if c.Identity == "" && l.Including["defaults"] {
				cd.Default = c.Default
			}
			if l.Including["comments"] && c.Comment != "" {
				comments[c.Name] = c.Comment
			}
			nd.Columns = append(nd.Columns, cd)
		}
		if src.IsView() {
			continue
		}
		if l.Including["constraints"] {
			for _, ch := range src.Checks {
				nd.Constraints = append(nd.Constraints, pgdialect.Constraint{Kind: "check", Name: ch.Name, Check: ch.Expr})
			}
		}
		if l.Including["indexes"] {
			for _, ix := range src.Indexes {
				switch {
				case ix.Primary && src.HasPrimaryKey():
					nd.Constraints = append(nd.Constraints, pgdialect.Constraint{Kind: "primary", Columns: names(ix.Columns)})
				case ix.Primary:
				case ix.Constraint:
					nd.Constraints = append(nd.Constraints, pgdialect.Constraint{Kind: "unique", Columns: names(ix.Columns)})
				default:
					indexes = append(indexes, names(ix.Columns))
				}
			}
		}
	}
	nd.Columns = append(nd.Columns, d.Columns[next:]...)
	return &nd, indexes, comments, nil
}

// addLikeIndexes adds the plain indexes and column comments LIKE … INCLUDING
// copies to the new table t (empty: nothing to build).
func (x *ddlExec) addLikeIndexes(t *catalog.Table, indexes [][]string, comments map[string]string) error {
	for _, cols := range indexes {
		nums, err := columnNums(t, cols)
		if err != nil {
			return err
		}
		name := x.uniqueName(t.Name+"_"+strings.Join(cols, "_")+"_idx", t)
		t.Indexes = append(t.Indexes, catalog.Index{ID: t.NextIndexID, Name: name, Columns: nums})
		t.NextIndexID++
	}
	for name, text := range comments {
		if c, ok := t.Column(name); ok {
			c.Comment = text
		}
	}
	return nil
}
