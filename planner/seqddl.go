package planner

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/augurdb/augur/planner/pgdialect"
	"github.com/augurdb/augur/storage/catalog"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
)

// seqTypeRange is the range of a sequence data type.
func seqTypeRange(t types.T) (lo, hi int64) {
	switch t {
	case types.Int2:
		return -1 << 15, 1<<15 - 1
	case types.Int4:
		return -1 << 31, 1<<31 - 1
	}
	return -1 << 63, 1<<63 - 1
}

// seqType returns a sequence's data type.
func seqType(q *catalog.Sequence) types.T {
	if t, ok := types.ByOID(q.TypeOID); ok && q.TypeOID != 0 {
		return t
	}
	return types.Int8
}

func invalidParam(format string, args ...any) error {
	return pgerr.New(pgerrcode.InvalidParameterValue, format, args...)
}

// newSequence creates sequence name of data type typ (AS in o overrides it)
// with CREATE SEQUENCE's options, checked as PostgreSQL's init_params does.
func (x *ddlExec) newSequence(schema, name string, o pgdialect.SeqOptions, typ types.T) (*catalog.Sequence, error) {
	q := &catalog.Sequence{ID: x.schema.NewID(), Schema: schema, Name: name, Increment: 1, TypeOID: typ.OID()}
	if err := applySeqOptions(q, o, true); err != nil {
		return nil, err
	}
	// The id is new to the committed catalog, but a rolled-back CREATE may
	// have used it and left state behind (values are not transactional).
	ctx := x.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	if err := x.txn.e.resetSeq(ctx, q.ID); err != nil {
		return nil, err
	}
	x.db.Sequences[q.QName()] = q
	return q, nil
}

// applySeqOptions applies o to q (create: q is new, so bounds and start take
// their defaults).
func applySeqOptions(q *catalog.Sequence, o pgdialect.SeqOptions, create bool) error {
	oldType := seqType(q)
	typ := oldType
	if o.As != "" {
		t, _, err := parseTypeText(o.As)
		if err != nil {
			return err
		}
		if !t.IsInteger() {
			return invalidParam("sequence type must be smallint, integer, or bigint")
		}
		typ = t
	}
	if o.Increment != nil {
		if *o.Increment == 0 {
			return invalidParam("INCREMENT must not be zero")
		}
		q.Increment = *o.Increment
	}
	lo, hi := seqTypeRange(typ)
	oldLo, oldHi := seqTypeRange(oldType)
	// MAXVALUE and MINVALUE: given, or reset to the default (NO ..., or a new
	// AS type's bound when they were the old type's).
	switch {
	case o.Max != nil:
		q.Max = *o.Max
	case create || o.NoMax || o.As != "" && q.Max == oldHi:
		q.Max = hi
		if q.Increment < 0 {
			q.Max = -1
		}
	}
	switch {
	case o.Min != nil:
		q.Min = *o.Min
	case create || o.NoMin || o.As != "" && q.Min == oldLo:
		q.Min = 1
		if q.Increment < 0 {
			q.Min = lo
		}
	}
	if q.Max > hi || q.Max < lo {
		return invalidParam("MAXVALUE (%d) is out of range for sequence data type %s", q.Max, typ.SQLName())
	}
	if q.Min > hi || q.Min < lo {
		return invalidParam("MINVALUE (%d) is out of range for sequence data type %s", q.Min, typ.SQLName())
	}
	if q.Min >= q.Max {
		return invalidParam("MINVALUE (%d) must be less than MAXVALUE (%d)", q.Min, q.Max)
	}
	switch {
	case o.Start != nil:
		q.Start = *o.Start
	case create:
		q.Start = q.Min
		if q.Increment < 0 {
			q.Start = q.Max
		}
	}
	if q.Start < q.Min {
		return invalidParam("START value (%d) cannot be less than MINVALUE (%d)", q.Start, q.Min)
	}
	if q.Start > q.Max {
		return invalidParam("START value (%d) cannot be greater than MAXVALUE (%d)", q.Start, q.Max)
	}
	if o.Restart {
		r := q.Start
		if o.RestartWith != nil {
			r = *o.RestartWith
		}
		if r < q.Min {
			return invalidParam("RESTART value (%d) cannot be less than MINVALUE (%d)", r, q.Min)
		}
		if r > q.Max {
			return invalidParam("RESTART value (%d) cannot be greater than MAXVALUE (%d)", r, q.Max)
		}
	}
	if o.Cache != nil {
		if *o.Cache <= 0 {
			return invalidParam("CACHE (%d) must be greater than zero", *o.Cache)
		}
		q.Cache = *o.Cache
		if q.Cache == 1 {
			q.Cache = 0
		}
	}
	if o.Cycle {
		q.Cycle = true
	} else if o.NoCycle {
		q.Cycle = false
	}
	q.TypeOID = typ.OID()
	if typ == types.Int8 {
		q.TypeOID = 0
	}
	return nil
}

// setOwnedBy applies OWNED BY table.column | NONE ("" changes nothing).
func (x *ddlExec) setOwnedBy(q *catalog.Sequence, owner string) error {
	switch owner {
	case "":
		return nil
	case "none":
		q.OwnedBy = ""
		return nil
	}
	parts := strings.Split(owner, ".")
	if len(parts) == 3 && x.ns.schemaOf(parts[0]) != q.Schema {
		return pgerr.New(pgerrcode.FeatureNotSupported, "sequence must be in same schema as table it is linked to")
	}
	tname, cname := parts[len(parts)-2], parts[len(parts)-1]
	t, ok := x.db.Tables[catalog.Name{Schema: q.Schema, Name: tname}]
	if !ok {
		return pgerr.New(pgerrcode.UndefinedTable, "relation %q does not exist", tname)
	}
	if t.IsView() {
		return pgerr.New(pgerrcode.WrongObjectType, "sequence cannot be owned by relation %q", tname).
			WithDetail("This operation is not supported for views.")
	}
	if c, ok := t.Column(cname); !ok || c.Hidden {
		return pgerr.New(pgerrcode.UndefinedColumn, "column %q of relation %q does not exist", cname, tname)
	}
	q.OwnedBy = tname + "." + cname
	return nil
}

// ownedSequence returns the sequence owned by column col of table t, or nil.
func (x *ddlExec) ownedSequence(t *catalog.Table, col string) *catalog.Sequence {
	for _, q := range x.db.Sequences {
		if q.Schema == t.Schema && q.OwnedBy == t.Name+"."+col {
			return q
		}
	}
	return nil
}

// renameOwner keeps OWNED BY in step when a table (col "") or a column is renamed.
func (x *ddlExec) renameOwner(schema, t, col, newT, newCol string) error {
	for name, q := range x.db.Sequences {
		tn, cn, _ := strings.Cut(q.OwnedBy, ".")
		if q.Schema != schema || tn != t || col != "" && cn != col {
			continue
		}
		c := *q
		if col == "" {
			c.OwnedBy = newT + "." + cn
		} else {
			c.OwnedBy = newT + "." + newCol
		}
		x.db.Sequences[name] = &c
		if err := catalog.PutSequence(x.txn.KV, x.db.Name, &c); err != nil {
			return err
		}
	}
	return nil
}

func (x *ddlExec) alterSequence(ctx context.Context, d *pgdialect.DDL) (string, error) {
	name := d.Names[0]
	if err := x.ns.checkCatalog(d.Quals[0].Catalog, d.Quals[0].String()); err != nil {
		return "", err
	}
	q := x.ns.sequence(d.Quals[0].Schema, name)
	if q == nil {
		if d.IfExists {
			x.notices = append(x.notices, fmt.Sprintf("relation %q does not exist, skipping", name))
			return "ALTER SEQUENCE", nil
		}
		return "", pgerr.New(pgerrcode.UndefinedTable, "relation %q does not exist", name)
	}
	if to := d.Seq.RenameTo; to != "" {
		if x.exists(q.Schema, to) {
			return "", pgerr.New(pgerrcode.DuplicateTable, "relation %q already exists", to)
		}
		c := *q
		c.Name = to
		delete(x.db.Sequences, q.QName())
		x.db.Sequences[c.QName()] = &c
		if err := catalog.DeleteSequence(x.txn.KV, x.db.Name, q.QName()); err != nil {
			return "", err
		}
		if err := catalog.PutSequence(x.txn.KV, x.db.Name, &c); err != nil {
			return "", err
		}
		// Defaults name their sequence in text: they follow the rename.
		return "ALTER SEQUENCE", x.rewriteSequenceDefaults(q, to)
	}
	return "ALTER SEQUENCE", x.alterSequenceOptions(ctx, q, d.Seq)
}

// alterSequenceOptions applies ALTER SEQUENCE's options to q. RESTART (and
// the end of the value reservation every ALTER makes) takes effect at once,
// and a rollback puts the sequence's state back as it was, as PostgreSQL's
// rewrite of the sequence relation is undone.
func (x *ddlExec) alterSequenceOptions(ctx context.Context, q *catalog.Sequence, o pgdialect.SeqOptions) error {
	undo, err := x.txn.e.saveSeq(q)
	if err != nil {
		return err
	}
	x.txn.onAbort = append(x.txn.onAbort, undo)
	c := *q
	if err := applySeqOptions(&c, o, false); err != nil {
		return err
	}
	if err := x.setOwnedBy(&c, o.OwnedBy); err != nil {
		return err
	}
	x.db.Sequences[c.QName()] = &c
	if err := catalog.PutSequence(x.txn.KV, x.db.Name, &c); err != nil {
		return err
	}
	if o.Restart {
		v := c.Start
		if o.RestartWith != nil {
			v = *o.RestartWith
		}
		return x.txn.e.Restart(ctx, &c, v)
	}
	return x.txn.e.ResetLog(ctx, &c)
}

// sequenceDefaults returns the tables and columns whose default calls
// nextval of sequence q.
func (x *ddlExec) sequenceDefaults(q *catalog.Sequence) []tableColumn {
	var out []tableColumn
	names := make([]catalog.Name, 0, len(x.db.Tables))
	for n := range x.db.Tables {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return names[i].String() < names[j].String() })
	for _, n := range names {
		t := x.db.Tables[n]
		for _, c := range t.Columns {
			if !c.Dropped && x.defaultUses(t, c.Default, q) {
				out = append(out, tableColumn{n, c.Name})
			}
		}
	}
	return out
}

// tableColumn names a column of a table.
type tableColumn struct {
	table  catalog.Name
	column string
}

// defaultUses reports whether a default expression of table t names sequence
// q in a string literal (nextval('q'), nextval('s.q'::regclass)).
func (x *ddlExec) defaultUses(t *catalog.Table, expr string, q *catalog.Sequence) bool {
	return len(x.seqLiterals(t, expr, q)) > 0
}

// seqLiterals returns the string tokens of expr that name sequence q (an
// unqualified name along the path with the table's schema first, as the
// default is bound).
func (x *ddlExec) seqLiterals(t *catalog.Table, expr string, q *catalog.Sequence) []pgdialect.Token {
	if expr == "" {
		return nil
	}
	toks, err := pgdialect.Lex(expr)
	if err != nil {
		return nil
	}
	ns := x.ns.first(t.Schema)
	var out []pgdialect.Token
	for _, tok := range toks {
		if tok.Kind != pgdialect.String {
			continue
		}
		if found, err := resolveSequence(ns, tok.Val); err == nil && found.ID == q.ID {
			out = append(out, tok)
		}
	}
	return out
}

// rewriteSequenceDefaults makes the defaults that name sequence q name it as to.
func (x *ddlExec) rewriteSequenceDefaults(q *catalog.Sequence, to string) error {
	for _, tc := range x.sequenceDefaults(q) {
		t := x.db.Tables[tc.table].Clone()
		c, _ := t.Column(tc.column)
		var b strings.Builder
		last := 0
		for _, tok := range x.seqLiterals(t, c.Default, q) {
			b.WriteString(c.Default[last:tok.Pos])
			b.WriteString("'" + strings.ReplaceAll(quoteIdent(q.Schema)+"."+quoteIdent(to), "'", "''") + "'")
			last = tok.End
		}
		b.WriteString(c.Default[last:])
		c.Default = b.String()
		x.db.Tables[t.QName()] = t
		if err := catalog.PutTable(x.txn.KV, x.db.Name, t); err != nil {
			return err
		}
	}
	return nil
}

// dropSequenceDefaults refuses DROP SEQUENCE while column defaults use the
// sequence (2BP01), or with CASCADE drops those defaults. An identity column's
// sequence cannot be dropped at all.
func (x *ddlExec) dropSequenceDefaults(q *catalog.Sequence, cascade bool) error {
	if tn, cn, ok := strings.Cut(q.OwnedBy, "."); ok {
		if t, ok := x.db.Tables[catalog.Name{Schema: q.Schema, Name: tn}]; ok {
			if c, ok := t.Column(cn); ok && c.Identity != "" {
				return pgerr.New(pgerrcode.DependentObjectsStillExist, "cannot drop sequence %s because column %s of table %s requires it", q.Name, cn, tn).
					WithHint("You can drop column %s of table %s instead.", cn, tn)
			}
		}
	}
	deps := x.sequenceDefaults(q)
	if len(deps) == 0 {
		return nil
	}
	var lines []string
	for _, tc := range deps {
		lines = append(lines, fmt.Sprintf("default value for column %s of table %s", tc.column, tc.table.Name))
	}
	if !cascade {
		for i := range lines {
			lines[i] += " depends on sequence " + q.Name
		}
		return pgerr.New(pgerrcode.DependentObjectsStillExist, "cannot drop sequence %s because other objects depend on it", q.Name).
			WithDetail("%s", strings.Join(lines, "\n")).WithHint("Use DROP ... CASCADE to drop the dependent objects too.")
	}
	if len(lines) == 1 {
		x.notices = append(x.notices, "drop cascades to "+lines[0])
	} else {
		x.notices = append(x.notices, fmt.Sprintf("drop cascades to %d other objects", len(lines)))
	}
	for _, tc := range deps {
		t := x.db.Tables[tc.table].Clone()
		c, _ := t.Column(tc.column)
		c.Default = ""
		x.db.Tables[t.QName()] = t
		if err := catalog.PutTable(x.txn.KV, x.db.Name, t); err != nil {
			return err
		}
	}
	return nil
}
