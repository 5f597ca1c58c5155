package planner

import (
	"context"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/augurdb/augur/planner/copyfmt"
	"github.com/augurdb/augur/planner/pgdialect"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
)

// COPY FROM STDIN and COPY TO STDOUT.
//
// A COPY plan is two ordinary plans: COPY TO runs the query (SELECT columns
// FROM table, or the statement's query) and the session encodes its rows;
// COPY FROM prepares INSERT INTO table (columns) VALUES ($1, …) with the
// columns' types and runs it for each row decoded from the stream, so rows go
// through the normal insert path (defaults, NOT NULL, CHECK, unique and
// foreign keys, serial and identity columns) in the session's transaction.

// CopyInfo describes a COPY plan to the session.
type CopyInfo struct {
	From    bool
	Options copyfmt.Options
	// Columns are the columns copied, in order.
	Columns []Column
}

type copyPlan struct {
	info    CopyInfo
	stmt    *pgdialect.CopyStmt
	relname string // the table's name in error contexts
	query   *Plan  // COPY TO
	insert  *Plan  // COPY FROM
	refusal error  // reported at execution, as PostgreSQL checks it there
}

// Copy returns the description of a COPY plan; nil for any other plan.
func (pl *Plan) Copy() *CopyInfo {
	if pl.copy == nil {
		return nil
	}
	return &pl.copy.info
}

const copyHint = "Anyone can COPY to stdout or from stdin. psql's \\copy command also works for anyone."

func (p *Planner) prepareCopy(env Env, st *Statement, paramTypes []uint32) (*Plan, error) {
	cs := st.copy
	if len(paramTypes) > 0 {
		return nil, pgerr.New(pgerrcode.ProtocolViolation, "bind message supplies parameters, but COPY takes none")
	}
	cp := &copyPlan{stmt: cs, info: CopyInfo{From: cs.From}}
	pl := &Plan{Kind: KindCopy, stmt: st, planner: p, copy: cp}
	opts, nullSet, err := copyOptions(cs)
	if err != nil {
		return nil, err
	}
	if cs.Where != "" {
		return nil, pgerr.FeatureNotSupported("COPY FROM … WHERE is not supported yet")
	}
	// The columns: of the query, or of the table (checked against its list).
	var querySQL string
	if cs.Query != "" {
		querySQL = cs.Query
	} else {
		cp.relname = cs.Table.Name
		all, err := p.prepareInner(env, "SELECT * FROM "+qualSQL(cs.Table))
		if err != nil {
			return nil, err
		}
		cols := all.Columns
		if len(cs.Columns) > 0 {
			cols = nil
			seen := map[string]bool{}
			for _, name := range cs.Columns {
				var found *Column
				for i := range all.Columns {
					if all.Columns[i].Name == name {
						found = &all.Columns[i]
						break
					}
				}
				if found == nil {
					return nil, pgerr.New(pgerrcode.UndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", name, cs.Table.Name)
				}
				if seen[name] {
					return nil, pgerr.New(pgerrcode.DuplicateColumn, "column \"%s\" specified more than once", name)
				}
				seen[name] = true
				cols = append(cols, *found)
			}
		}
		names := make([]string, len(cols))
		for i, c := range cols {
			names[i] = quoteIdent(c.Name)
		}
		if cs.From {
			oids := make([]uint32, len(cols))
			ph := make([]string, len(cols))
			for i, c := range cols {
				oids[i] = c.Type.OID()
				ph[i] = "$" + itoa(i+1)
			}
			sql := "INSERT INTO " + qualSQL(cs.Table) + " (" + strings.Join(names, ", ") + ") VALUES (" + strings.Join(ph, ", ") + ")"
			if cp.insert, err = p.prepareInner(env, sql, oids...); err != nil {
				return nil, err
			}
			cp.info.Columns = cols
		} else {
			querySQL = "SELECT " + strings.Join(names, ", ") + " FROM " + qualSQL(cs.Table)
		}
	}
	if querySQL != "" {
		if cp.query, err = p.prepareInner(env, querySQL); err != nil {
			return nil, err
		}
		if cp.query.Kind != KindSelect {
			return nil, pgerr.FeatureNotSupported("COPY query must be a SELECT")
		}
		cp.info.Columns = cp.query.Columns
	}
	if err := forceColumns(&opts, cs, cp.info.Columns); err != nil {
		return nil, err
	}
	opts.Defaults(nullSet)
	cp.info.Options = opts
	switch {
	case cs.Program:
		cp.refusal = &pgerr.Error{Code: pgerrcode.InsufficientPrivilege,
			Message: "must be superuser or have privileges of the pg_execute_server_program role to COPY to or from an external program", Hint: copyHint}
	case cs.File != "" && !env.Superuser() && cs.From:
		cp.refusal = &pgerr.Error{Code: pgerrcode.InsufficientPrivilege,
			Message: "must be superuser or have privileges of the pg_read_server_files role to COPY from a file", Hint: copyHint}
	case cs.File != "" && !env.Superuser():
		cp.refusal = &pgerr.Error{Code: pgerrcode.InsufficientPrivilege,
			Message: "must be superuser or have privileges of the pg_write_server_files role to COPY to a file", Hint: copyHint}
	case cs.File != "":
		cp.refusal = pgerr.FeatureNotSupported("COPY to or from a file on the server is not supported; use COPY FROM STDIN / TO STDOUT (psql's \\copy)")
	}
	return pl, nil
}

// prepareInner parses and prepares one statement Augur builds itself.
func (p *Planner) prepareInner(env Env, sql string, paramTypes ...uint32) (*Plan, error) {
	stmts, err := p.Parse(sql)
	if err != nil {
		return nil, err
	}
	if len(stmts) != 1 {
		return nil, pgerr.Syntax(0, "COPY query must be a single statement")
	}
	pl, err := p.Prepare(env, stmts[0], paramTypes)
	if err != nil {
		// A position would point into the text Augur made, not the client's.
		if pe, ok := err.(*pgerr.Error); ok && pe.Position != 0 {
			e := *pe
			e.Position = 0
			return nil, &e
		}
	}
	return pl, err
}

func qualSQL(q pgdialect.QualName) string {
	s := quoteIdent(q.Name)
	if q.Schema != "" {
		s = quoteIdent(q.Schema) + "." + s
	}
	if q.Catalog != "" {
		s = quoteIdent(q.Catalog) + "." + s
	}
	return s
}

func itoa(i int) string { return strconv.Itoa(i) }

func copyConflict(o pgdialect.CopyOption) *pgerr.Error {
	e := pgerr.New(pgerrcode.SyntaxError, "conflicting or redundant options")
	e.Position = o.Pos
	return e
}

// copyBool reads a boolean option's value (none means true).
func copyBool(o pgdialect.CopyOption) (bool, error) {
	if !o.HasValue {
		return true, nil
	}
	switch strings.ToLower(o.Value) {
	case "true", "on", "1", "yes", "t", "y":
		return true, nil
	case "false", "off", "0", "no", "f", "n":
		return false, nil
	}
	return false, pgerr.New(pgerrcode.SyntaxError, "%s requires a Boolean value", o.Name)
}

// copyOptions checks the options as PostgreSQL's ProcessCopyOptions does.
func copyOptions(cs *pgdialect.CopyStmt) (copyfmt.Options, bool, error) {
	var o copyfmt.Options
	seen := map[string]bool{}
	var nullSet, quoteSet, escapeSet, delimSet bool
	var quote, escape, delim string
	for _, opt := range cs.Options {
		if seen[opt.Name] {
			return o, false, copyConflict(opt)
		}
		seen[opt.Name] = true
		switch opt.Name {
		case "format":
			switch strings.ToLower(opt.Value) {
			case "text":
				o.Format = copyfmt.Text
			case "csv":
				o.Format = copyfmt.CSV
			case "binary":
				o.Format = copyfmt.Binary
			default:
				e := pgerr.New(pgerrcode.InvalidParameterValue, "COPY format \"%s\" not recognized", opt.Value)
				e.Position = opt.Pos
				return o, false, e
			}
		case "freeze":
			if _, err := copyBool(opt); err != nil {
				return o, false, err
			}
			// Accepted: rows are visible to others once committed anyway.
		case "header":
			if strings.EqualFold(opt.Value, "match") {
				if !cs.From {
					return o, false, pgerr.New(pgerrcode.FeatureNotSupported, "cannot use \"match\" with HEADER in COPY TO")
				}
				o.Header = true
				continue
			}
			b, err := copyBool(opt)
			if err != nil {
				return o, false, pgerr.New(pgerrcode.SyntaxError, "header requires a Boolean value or \"match\"")
			}
			o.Header = b
		case "delimiter":
			delim, delimSet = opt.Value, true
		case "null":
			o.Null, nullSet = opt.Value, true
		case "quote":
			quote, quoteSet = opt.Value, true
		case "escape":
			escape, escapeSet = opt.Value, true
		case "encoding":
			if !strings.EqualFold(strings.ReplaceAll(opt.Value, "-", ""), "utf8") {
				return o, false, pgerr.New(pgerrcode.InvalidParameterValue, "argument to option \"encoding\" must be a valid encoding name")
			}
		case "force_quote", "force_not_null", "force_null":
			if !opt.Star && opt.List == nil {
				return o, false, pgerr.New(pgerrcode.SyntaxError, "argument to option \"%s\" must be a list of column names", opt.Name)
			}
		default:
			e := pgerr.New(pgerrcode.SyntaxError, "option \"%s\" not recognized", opt.Name)
			e.Position = opt.Pos
			return o, false, e
		}
	}
	csv, bin := o.Format == copyfmt.CSV, o.Format == copyfmt.Binary
	notSupported := func(msg string) (copyfmt.Options, bool, error) {
		return o, false, pgerr.New(pgerrcode.FeatureNotSupported, "%s", msg)
	}
	if bin && delimSet {
		return o, false, pgerr.New(pgerrcode.SyntaxError, "cannot specify DELIMITER in BINARY mode")
	}
	if bin && nullSet {
		return o, false, pgerr.New(pgerrcode.SyntaxError, "cannot specify NULL in BINARY mode")
	}
	if bin && o.Header {
		return notSupported("cannot specify HEADER in BINARY mode")
	}
	if delimSet {
		if len(delim) != 1 {
			return notSupported("COPY delimiter must be a single one-byte character")
		}
		if delim[0] == '\n' || delim[0] == '\r' {
			return o, false, pgerr.New(pgerrcode.InvalidParameterValue, "COPY delimiter cannot be newline or carriage return")
		}
		if !csv && strings.ContainsRune(`\.abcdefghijklmnopqrstuvwxyz0123456789`, rune(delim[0])) {
			return notSupported("COPY delimiter cannot be \"" + delim + "\"")
		}
		o.Delimiter = delim[0]
	}
	if nullSet && strings.ContainsAny(o.Null, "\r\n") {
		return o, false, pgerr.New(pgerrcode.InvalidParameterValue, "COPY null representation cannot use newline or carriage return")
	}
	if quoteSet {
		if !csv {
			return notSupported("COPY quote available only in CSV mode")
		}
		if len(quote) != 1 {
			return notSupported("COPY quote must be a single one-byte character")
		}
		o.Quote = quote[0]
	}
	if escapeSet {
		if !csv {
			return notSupported("COPY escape available only in CSV mode")
		}
		if len(escape) != 1 {
			return notSupported("COPY escape must be a single one-byte character")
		}
		o.Escape = escape[0]
	}
	if csv && delimSet && quoteSet && delim == quote {
		return o, false, pgerr.New(pgerrcode.InvalidParameterValue, "COPY delimiter and quote must be different")
	}
	if csv && delimSet && !quoteSet && delim == `"` {
		return o, false, pgerr.New(pgerrcode.InvalidParameterValue, "COPY delimiter and quote must be different")
	}
	if seen["force_quote"] && !csv {
		return notSupported("COPY force quote available only in CSV mode")
	}
	if seen["force_quote"] && cs.From {
		return notSupported("COPY force quote only available using COPY TO")
	}
	if seen["force_not_null"] && !csv {
		return notSupported("COPY force not null available only in CSV mode")
	}
	if seen["force_not_null"] && !cs.From {
		return notSupported("COPY force not null only available using COPY FROM")
	}
	if seen["force_null"] && !csv {
		return notSupported("COPY force null available only in CSV mode")
	}
	if seen["force_null"] && !cs.From {
		return notSupported("COPY force null only available using COPY FROM")
	}
	if nullSet && delimSet && strings.Contains(o.Null, delim) {
		return notSupported("COPY delimiter must not appear in the NULL specification")
	}
	return o, nullSet, nil
}

// forceColumns resolves the column lists of FORCE_QUOTE, FORCE_NOT_NULL and
// FORCE_NULL against the copied columns.
func forceColumns(o *copyfmt.Options, cs *pgdialect.CopyStmt, cols []Column) error {
	for _, opt := range cs.Options {
		var set *[]bool
		switch opt.Name {
		case "force_quote":
			if opt.Star {
				o.ForceQuoteAll = true
				continue
			}
			set = &o.ForceQuote
		case "force_not_null":
			set = &o.ForceNotNull
		case "force_null":
			set = &o.ForceNull
		default:
			continue
		}
		*set = make([]bool, len(cols))
		for _, name := range opt.List {
			found := false
			for i, c := range cols {
				if c.Name == name {
					(*set)[i], found = true, true
				}
			}
			if !found {
				return pgerr.New(pgerrcode.InvalidColumnReference, "%s column \"%s\" not referenced by COPY", strings.ToUpper(opt.Name), name)
			}
		}
	}
	return nil
}

// executeCopyTo runs a COPY TO plan's query.
func (pl *Plan) executeCopyTo(ctx context.Context, env Env) (Rows, error) {
	cp := pl.copy
	if cp.refusal != nil {
		return nil, cp.refusal
	}
	if cp.info.From {
		return nil, pgerr.New(pgerrcode.InternalError, "COPY FROM is run with BeginCopyIn")
	}
	return cp.query.Execute(ctx, env, nil)
}

// CopyIn is a running COPY FROM STDIN: the session feeds it the data of each
// CopyData message, and it inserts every complete row through the
// transaction as it arrives.
type CopyIn struct {
	cp     *copyPlan
	env    Env
	rd     *copyfmt.Reader
	params []types.Datum
	n      int64
}

// BeginCopyIn starts a COPY FROM plan.
func (pl *Plan) BeginCopyIn(ctx context.Context, env Env) (*CopyIn, error) {
	cp := pl.copy
	if cp == nil || !cp.info.From {
		return nil, pgerr.New(pgerrcode.InternalError, "not a COPY FROM plan")
	}
	if cp.refusal != nil {
		return nil, cp.refusal
	}
	txn, err := env.Txn(ctx)
	if err != nil {
		return nil, err
	}
	if txn.mode.ReadOnly {
		return nil, readOnlyError("COPY FROM")
	}
	return &CopyIn{cp: cp, env: env,
		rd:     copyfmt.NewReader(cp.info.Options, len(cp.info.Columns)),
		params: make([]types.Datum, len(cp.info.Columns))}, nil
}

// Count is the number of rows inserted so far.
func (ci *CopyIn) Count() int64 { return ci.n }

// Write inserts the complete rows of the next piece of the stream.
func (ci *CopyIn) Write(ctx context.Context, data []byte) error {
	ci.rd.Feed(data)
	return ci.drain(ctx, false)
}

// Done inserts what remains at the end of the stream (CopyDone) and returns
// the number of rows inserted.
func (ci *CopyIn) Done(ctx context.Context) (int64, error) {
	if err := ci.drain(ctx, true); err != nil {
		return 0, err
	}
	return ci.n, nil
}

func (ci *CopyIn) drain(ctx context.Context, final bool) error {
	for {
		fields, err := ci.rd.Next(final)
		if err != nil {
			return ci.context(err, "", nil, true)
		}
		if fields == nil {
			return nil
		}
		if err := ci.row(ctx, fields); err != nil {
			return err
		}
	}
}

func (ci *CopyIn) row(ctx context.Context, fields [][]byte) error {
	cols := ci.cp.info.Columns
	bin := ci.cp.info.Options.Format == copyfmt.Binary
	if !bin {
		if len(fields) > len(cols) {
			return ci.context(pgerr.New(pgerrcode.BadCopyFileFormat, "extra data after last expected column"), "", nil, true)
		}
		if len(fields) < len(cols) {
			if len(cols) == 0 && len(fields) == 1 && len(fields[0]) == 0 {
				fields = nil // an empty line for a table without columns
			} else {
				return ci.context(pgerr.New(pgerrcode.BadCopyFileFormat, "missing data for column \"%s\"", cols[len(fields)].Name), "", nil, true)
			}
		}
	}
	for i, f := range fields {
		if f == nil {
			ci.params[i] = types.Null
			continue
		}
		var d types.Datum
		var err error
		if bin {
			d, err = types.DecodeBinary(cols[i].Type, f)
			if err != nil && types.IsBinaryFormatError(err) {
				err = pgerr.New(pgerrcode.InvalidBinaryRepresentation, "incorrect binary data format")
			}
		} else {
			d, err = types.DecodeText(cols[i].Type, f)
		}
		if err != nil {
			pe := pgerr.From(err)
			if pe.Code == pgerrcode.InternalError {
				code := pgerrcode.InvalidTextRepresentation
				if bin {
					code = pgerrcode.InvalidBinaryRepresentation
				}
				pe = pgerr.New(code, "%s", err.Error())
			}
			return ci.context(pe, cols[i].Name, f, false)
		}
		ci.params[i] = d
	}
	rows, err := ci.cp.insert.Execute(ctx, ci.env, ci.params)
	if err == nil {
		for {
			if _, err = rows.Next(ctx); err != nil {
				break
			}
		}
		rows.Close()
		if err == io.EOF {
			err = nil
		}
	}
	if err != nil {
		// PostgreSQL finds duplicates when it flushes its buffered rows, when
		// the line's text is gone: the context of 23505 has no text.
		return ci.context(err, "", nil, pgerr.Code(err) != pgerrcode.UniqueViolation)
	}
	ci.n++
	return nil
}

// Interrupted adds PostgreSQL's context to an error that ends the COPY
// between lines (CopyFail, a message out of place): the line it was reading.
func (ci *CopyIn) Interrupted(err error) error {
	pe := *pgerr.From(err)
	pe.Where = "COPY " + ci.cp.relname + ", line " + itoa(int(ci.rd.Line())+1)
	return &pe
}

// context adds PostgreSQL's COPY context to an error: "COPY t, line N,
// column c: "value"" for a value the column's type refused, "COPY t, line N:
// "line"" for an error of the row.
func (ci *CopyIn) context(err error, column string, value []byte, line bool) error {
	pe := pgerr.From(err)
	if pe.Code == pgerrcode.QueryCanceled || pe.IsFatal() {
		return err
	}
	e := *pe
	where := "COPY " + ci.cp.relname + ", line " + itoa(int(ci.rd.Line()))
	bin := ci.cp.info.Options.Format == copyfmt.Binary
	switch {
	case column != "" && !bin:
		where += ", column " + column + ": \"" + limitPrintout(value) + "\""
	case column != "":
		where += ", column " + column
	case line && !bin && ci.rd.RawLine() != nil:
		where += ": \"" + limitPrintout(ci.rd.RawLine()) + "\""
	}
	if e.Where != "" {
		e.Where += "\n" + where
	} else {
		e.Where = where
	}
	return &e
}

// limitPrintout shortens a value to 100 bytes (at a character boundary) and
// marks the cut with "...", as PostgreSQL's limit_printout_length does.
func limitPrintout(b []byte) string {
	const max = 100
	if len(b) <= max {
		return string(b)
	}
	n := max
	for n > 0 && !utf8.RuneStart(b[n]) {
		n--
	}
	return string(b[:n]) + "..."
}
