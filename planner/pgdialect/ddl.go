package pgdialect

import (
	"strconv"
	"strings"
)

// DDLKind is the kind of a schema statement parsed by ParseDDL.
type DDLKind int

// DDL statement kinds.
const (
	DDLCreateTable DDLKind = iota + 1
	DDLCreateIndex
	DDLCreateView
	DDLCreateSequence
	DDLCreateDatabase
	DDLDrop
	DDLTruncate
	DDLAlterTable
	DDLAnalyze
	DDLAlterSequence
	DDLCreateSchema
	DDLAlterSchema
	DDLComment
	DDLVacuum
)

// DDL is a schema statement. The TiDB grammar reads MySQL's types and options
// (SERIAL, TEXT, BOOLEAN mean other things there), so these statements are parsed
// here, keeping PostgreSQL's type names and expression texts; expressions
// (DEFAULT, CHECK, a view's query) stay source text, bound when used.
type DDL struct {
	Kind        DDLKind
	IfNotExists bool
	IfExists    bool
	Cascade     bool
	Temp        bool
	Object      string   // DROP: "table", "index", "view", "sequence", "database", "schema"; COMMENT ON: the kind
	Names       []string // DROP and TRUNCATE: the objects; others: Names[0]
	// Quals are the qualified forms of Names (same order; Quals[i].Name == Names[i]).
	Quals []QualName
	// VacuumColumns are VACUUM's and ANALYZE's column lists, one per table of Quals
	// (nil when a table has none).
	VacuumColumns [][]string
	Table         string   // CREATE INDEX ... ON table
	TableQual     QualName // the qualified form of Table
	Columns       []ColumnDef
	Constraints   []Constraint
	// CREATE INDEX
	Unique     bool
	IndexCols  []string
	NoIndexKey bool // CREATE INDEX without a name
	// CREATE VIEW
	Query     string
	ViewCols  []string
	OrReplace bool
	// ALTER TABLE
	Actions []AlterAction
	// CREATE SEQUENCE
	Seq SeqOptions
	// CREATE SCHEMA … AUTHORIZATION, ALTER SCHEMA … OWNER TO: the role.
	Owner string
	// ALTER SCHEMA … RENAME TO
	NewName string
	// COMMENT ON: the text (nil for IS NULL) and, for a column, its name.
	Comment *string
	Column  string
	// CREATE TABLE: ON COMMIT ("preserve rows", "delete rows", "drop"; "" when
	// not given), the ( LIKE … ) clauses, and for CREATE TABLE … AS the query's
	// text, the column names given, and WITH [NO] DATA.
	OnCommit string
	Likes    []LikeClause
	AsQuery  string
	AsCols   []string
	NoData   bool
	// AsInto: the statement was SELECT … INTO (its tag is SELECT n as well).
	AsInto bool
}

// SeqOptions are CREATE/ALTER SEQUENCE's options (nil / false: not given).
type SeqOptions struct {
	Increment, Start, Min, Max *int64
	Cache                      *int64
	NoMin, NoMax               bool // NO MINVALUE, NO MAXVALUE
	Cycle, NoCycle             bool
	// As is the AS data type's text ("" when not given).
	As string
	// OwnedBy is "table.column", "none" for OWNED BY NONE, "" when not given.
	OwnedBy string
	// Restart is ALTER SEQUENCE's RESTART: Restart set, RestartWith its value
	// (nil: the start value).
	Restart     bool
	RestartWith *int64
	// RenameTo is ALTER SEQUENCE ... RENAME TO.
	RenameTo string
}

// ColumnDef is a column of CREATE TABLE or ALTER TABLE ADD COLUMN.
type ColumnDef struct {
	Name     string
	Type     string // PostgreSQL type text, normalised ("numeric(10,2)", "character varying(5)")
	Default  string // expression text
	NotNull  bool
	Null     bool
	Primary  bool
	Unique   bool
	Check    string
	Identity string // "always" / "by default"
	Serial   string // "serial", "bigserial", "smallserial": Type holds the integer type
	// IdentitySeq are the sequence options of GENERATED ... AS IDENTITY (...).
	IdentitySeq SeqOptions
	// PrimaryName, UniqueName, CheckName are the names given with CONSTRAINT
	// name to the column's PRIMARY KEY, UNIQUE and CHECK ("": generated).
	PrimaryName, UniqueName, CheckName string
	// References are the column's REFERENCES constraints (Kind "foreign",
	// Columns the column itself).
	References []Constraint
}

// Constraint is a table constraint.
type Constraint struct {
	Name    string
	Kind    string // "primary", "unique", "check", "foreign"
	Columns []string
	Check   string
	// FK is the REFERENCES part of a foreign key.
	FK *ForeignKeyDef
	// NotValid: NOT VALID (CHECK and FOREIGN KEY added by ALTER TABLE skip
	// the existing rows).
	NotValid bool
	// Deferrable and InitiallyDeferred are the constraint's timing.
	Deferrable, InitiallyDeferred bool
}

// AlterAction is one action of ALTER TABLE.
type AlterAction struct {
	Kind                  string // add_column, drop_column, rename_column, rename_table, add_constraint, set_default, drop_default, set_not_null, drop_not_null
	Column                ColumnDef
	Name                  string // column, new table name
	NewName               string
	Default               string
	Cons                  Constraint
	IfExists, IfNotExists bool
	// Cascade: DROP CONSTRAINT ... CASCADE.
	Cascade bool
	// Type and Using are ALTER COLUMN ... TYPE's type text and USING expression.
	Type, Using string
	// Seq are ALTER COLUMN ... RESTART / SET sequence options of an identity.
	Seq SeqOptions
}

// ParseDDL parses CREATE/DROP/ALTER/TRUNCATE statements of tables, indexes, views,
// sequences and databases. ok is false when toks is not such a statement.
func ParseDDL(src string, toks []Token) (*DDL, bool, error) {
	if len(toks) == 0 || len(toks) == 1 && !toks[0].Is("analyze") && !toks[0].Is("analyse") && !toks[0].Is("vacuum") {
		return nil, false, nil
	}
	if toks[0].Is("select") {
		return selectInto(src, toks)
	}
	u := &utilParser{src: src, toks: toks}
	d := &DDL{}
	var err error
	switch {
	case u.accept("create"):
		if u.accept("or", "replace") {
			d.OrReplace = true
		}
		if u.accept("temporary") || u.accept("temp") {
			d.Temp = true
		}
		u.accept("unlogged")
		switch {
		case u.accept("table"):
			d.Kind = DDLCreateTable
			if hasTopLevel(toks, "as") {
				err = u.createTableAs(d)
			} else {
				err = u.createTable(d)
			}
		case !d.Temp && !d.OrReplace && u.accept("schema"):
			d.Kind = DDLCreateSchema
			err = u.createSchema(d)
		case u.accept("unique", "index"):
			d.Kind, d.Unique = DDLCreateIndex, true
			err = u.createIndex(d)
		case u.accept("index"):
			d.Kind = DDLCreateIndex
			err = u.createIndex(d)
		case u.accept("view"):
			d.Kind = DDLCreateView
			err = u.createView(d)
		case u.accept("sequence"):
			d.Kind = DDLCreateSequence
			d.IfNotExists = u.accept("if", "not", "exists")
			if err = u.qualifiedName(d); err == nil {
				err = u.sequenceOptions(&d.Seq)
			}
		case u.accept("database"):
			d.Kind = DDLCreateDatabase
			var n string
			if n, err = u.name(); err == nil {
				d.Names = []string{n}
				for u.peek().Kind != EOF {
					u.next()
				}
			}
		default:
			return nil, false, nil
		}
	case u.accept("drop"):
		d.Kind = DDLDrop
		object, ok := u.acceptOneOf("table", "index", "view", "sequence", "database", "schema")
		if !ok {
			return nil, false, nil
		}
		d.Object = object
		d.IfExists = u.accept("if", "exists")
		if err = u.nameList(d); err != nil {
			break
		}
		if u.accept("cascade") {
			d.Cascade = true
		} else {
			u.accept("restrict")
		}
		err = u.done()
	case u.accept("truncate"):
		d.Kind = DDLTruncate
		u.accept("table")
		u.accept("only")
		if err = u.nameList(d); err != nil {
			break
		}
		for u.peek().Kind != EOF && err == nil {
			switch {
			case u.accept("restart", "identity"), u.accept("continue", "identity"), u.accept("restrict"):
			case u.accept("cascade"):
				d.Cascade = true
			default:
				err = u.fail()
			}
		}
	case u.accept("alter", "table"):
		d.Kind = DDLAlterTable
		err = u.alterTable(d)
	case u.accept("alter", "sequence"):
		d.Kind = DDLAlterSequence
		err = u.alterSequence(d)
	case u.accept("alter", "schema"):
		d.Kind = DDLAlterSchema
		err = u.alterSchema(d)
	case u.accept("comment", "on"):
		d.Kind = DDLComment
		err = u.comment(d)
	case u.accept("analyze") || u.accept("analyse"):
		d.Kind = DDLAnalyze
		err = u.maintenance(d)
	case u.accept("vacuum"):
		d.Kind = DDLVacuum
		err = u.maintenance(d)
	default:
		return nil, false, nil
	}
	if err != nil {
		return nil, true, err
	}
	return d, true, nil
}

func hasTopLevel(toks []Token, kw string) bool {
	depth := 0
	for _, t := range toks {
		switch {
		case t.IsPunct("("):
			depth++
		case t.IsPunct(")"):
			depth--
		case depth == 0 && t.Is(kw):
			return true
		}
	}
	return false
}

// name reads an identifier.
func (u *utilParser) name() (string, error) {
	t := u.peek()
	if t.Kind != Ident && t.Kind != QIdent {
		return "", u.fail()
	}
	u.i++
	return t.Val, nil
}

// QualName is an object name as written: [catalog.][schema.]name.
type QualName struct {
	Catalog, Schema, Name string
}

// String is the name as PostgreSQL quotes it in messages ("db.s.t").
func (q QualName) String() string {
	s := q.Name
	if q.Schema != "" {
		s = q.Schema + "." + s
	}
	if q.Catalog != "" {
		s = q.Catalog + "." + s
	}
	return s
}

// qualName reads name, schema.name or catalog.schema.name.
func (u *utilParser) qualName() (QualName, error) {
	var parts []string
	for {
		n, err := u.name()
		if err != nil {
			return QualName{}, err
		}
		parts = append(parts, n)
		if !u.peek().IsPunct(".") {
			break
		}
		if len(parts) == 3 {
			return QualName{}, u.fail()
		}
		u.i++
	}
	switch len(parts) {
	case 1:
		return QualName{Name: parts[0]}, nil
	case 2:
		return QualName{Schema: parts[0], Name: parts[1]}, nil
	}
	return QualName{Catalog: parts[0], Schema: parts[1], Name: parts[2]}, nil
}

// separatedNames reads name[<sep>name...]: the parts of a dotted name (sep
// ".") or a list of plain names (sep ",").
func (u *utilParser) separatedNames(sep string) ([]string, error) {
	var out []string
	for {
		n, err := u.name()
		if err != nil {
			return nil, err
		}
		out = append(out, n)
		if !u.peek().IsPunct(sep) {
			return out, nil
		}
		u.i++
	}
}

// qualifiedName reads a possibly qualified name into d.Names and d.Quals.
func (u *utilParser) qualifiedName(d *DDL) error {
	q, err := u.qualName()
	if err != nil {
		return err
	}
	d.Names = append(d.Names, q.Name)
	d.Quals = append(d.Quals, q)
	return nil
}

func (u *utilParser) nameList(d *DDL) error {
	for {
		if err := u.qualifiedName(d); err != nil {
			return err
		}
		if !u.peek().IsPunct(",") {
			return nil
		}
		u.i++
	}
}

// parenNames reads ( name, ... ), ignoring ASC/DESC and NULLS FIRST/LAST.
func (u *utilParser) parenNames() ([]string, error) {
	if !u.peek().IsPunct("(") {
		return nil, u.fail()
	}
	u.i++
	var out []string
	for {
		n, err := u.name()
		if err != nil {
			return nil, err
		}
		out = append(out, n)
		for u.accept("asc") || u.accept("desc") || u.accept("nulls", "first") || u.accept("nulls", "last") {
		}
		switch t := u.next(); {
		case t.IsPunct(","):
		case t.IsPunct(")"):
			return out, nil
		default:
			u.i--
			return nil, u.fail()
		}
	}
}

// until returns the source text from the current token up to (not including) the
// first token at depth 0 for which stop is true, and moves there.
func (u *utilParser) until(stop func(Token) bool) string {
	start := u.peek().Pos
	end := start
	depth := 0
	for u.i < len(u.toks) {
		t := u.toks[u.i]
		if depth == 0 && stop(t) {
			break
		}
		switch {
		case t.IsPunct("(") || t.IsPunct("["):
			depth++
		case t.IsPunct(")") || t.IsPunct("]"):
			depth--
		}
		end = t.End
		u.i++
	}
	return strings.TrimSpace(u.src[start:end])
}

// parenText reads ( ... ) and returns the text inside.
func (u *utilParser) parenText() (string, error) {
	if !u.peek().IsPunct("(") {
		return "", u.fail()
	}
	u.i++
	s := u.until(func(t Token) bool { return t.IsPunct(")") })
	if !u.peek().IsPunct(")") {
		return "", u.fail()
	}
	u.i++
	return s, nil
}

var constraintStart = map[string]bool{
	"constraint": true, "primary": true, "unique": true, "check": true, "foreign": true,
	"exclude": true,
}

var columnConstraintStart = map[string]bool{
	"constraint": true, "primary": true, "unique": true, "check": true, "not": true,
	"null": true, "default": true, "references": true, "generated": true, "collate": true,
}

func (u *utilParser) createTable(d *DDL) error {
	d.IfNotExists = u.accept("if", "not", "exists")
	if err := u.qualifiedName(d); err != nil {
		return err
	}
	if !u.peek().IsPunct("(") {
		return u.fail()
	}
	u.i++
	if u.peek().IsPunct(")") {
		u.i++
	} else {
		for {
			t := u.peek()
			if t.Kind == Ident && constraintStart[t.Val] {
				c, err := u.tableConstraint()
				if err != nil {
					return err
				}
				d.Constraints = append(d.Constraints, c)
			} else if t.Is("like") {
				u.i++
				l, err := u.likeClause()
				if err != nil {
					return err
				}
				l.Pos = len(d.Columns)
				d.Likes = append(d.Likes, l)
			} else {
				c, err := u.columnDef()
				if err != nil {
					return err
				}
				d.Columns = append(d.Columns, c)
			}
			switch t := u.next(); {
			case t.IsPunct(","):
				continue
			case t.IsPunct(")"):
			default:
				u.i--
				return u.fail()
			}
			break
		}
	}
	for u.peek().Kind != EOF {
		ok, err := u.tableOption(d)
		switch {
		case err != nil:
			return err
		case ok:
		case u.peek().Is("inherits"), u.peek().Is("partition"):
			return unsupported(strings.ToUpper(u.peek().Val))
		default:
			return u.fail()
		}
	}
	return nil
}

// tableOption reads one option of CREATE TABLE after the column list (WITH
// (...), WITHOUT OIDS, ON COMMIT ...) into d; ok is false, with nothing read,
// when the next tokens are none of them.
func (u *utilParser) tableOption(d *DDL) (ok bool, err error) {
	switch {
	case u.accept("with"):
		if _, err := u.parenText(); err != nil {
			return false, err
		}
	case u.accept("without", "oids"):
	case u.accept("on", "commit", "preserve", "rows"):
		d.OnCommit = "preserve rows"
	case u.accept("on", "commit", "delete", "rows"):
		d.OnCommit = "delete rows"
	case u.accept("on", "commit", "drop"):
		d.OnCommit = "drop"
	default:
		return false, nil
	}
	return true, nil
}

func (u *utilParser) tableConstraint() (Constraint, error) {
	var c Constraint
	if u.accept("constraint") {
		n, err := u.name()
		if err != nil {
			return c, err
		}
		c.Name = n
	}
	var err error
	switch {
	case u.accept("primary", "key"):
		c.Kind = "primary"
		c.Columns, err = u.parenNames()
	case u.accept("unique"):
		c.Kind = "unique"
		c.Columns, err = u.parenNames()
	case u.accept("check"):
		c.Kind = "check"
		c.Check, err = u.parenText()
	case u.accept("foreign", "key"):
		c.Kind = "foreign"
		if c.Columns, err = u.parenNames(); err != nil {
			return c, err
		}
		if !u.accept("references") {
			return c, u.fail()
		}
		err = u.references(&c)
	default:
		return c, u.fail()
	}
	if err != nil {
		return c, err
	}
	return c, u.constraintAttrs(&c)
}

func (u *utilParser) columnDef() (ColumnDef, error) {
	var c ColumnDef
	n, err := u.name()
	if err != nil {
		return c, err
	}
	c.Name = n
	typ := u.until(func(t Token) bool {
		return t.IsPunct(",") || t.IsPunct(")") || (t.Kind == Ident && columnConstraintStart[t.Val])
	})
	if typ == "" {
		return c, u.fail()
	}
	c.Type = NormalizeType(typ)
	switch c.Type {
	case "serial", "serial4":
		c.Serial, c.Type = "serial", "integer"
	case "bigserial", "serial8":
		c.Serial, c.Type = "bigserial", "bigint"
	case "smallserial", "serial2":
		c.Serial, c.Type = "smallserial", "smallint"
	}
	for {
		t := u.peek()
		if t.IsPunct(",") || t.IsPunct(")") || t.Kind == EOF {
			return c, nil
		}
		cname := ""
		if u.accept("constraint") {
			if cname, err = u.name(); err != nil {
				return c, err
			}
		}
		switch {
		case u.accept("deferrable"), u.accept("not", "deferrable"), u.accept("initially", "immediate"):
			// Timing of the constraint before (REFERENCES reads its own): the
			// immediate checks of UNIQUE and PRIMARY KEY are what they get.
		case u.accept("initially", "deferred"):
			return c, unsupported("INITIALLY DEFERRED for this constraint")
		case u.accept("not", "null"):
			c.NotNull = true
		case u.accept("null"):
			c.Null = true
		case u.accept("primary", "key"):
			c.Primary, c.PrimaryName = true, cname
		case u.accept("unique"):
			c.Unique, c.UniqueName = true, cname
		case u.accept("references"):
			r := Constraint{Name: cname, Kind: "foreign", Columns: []string{c.Name}}
			if err := u.references(&r); err != nil {
				return c, err
			}
			if err := u.constraintAttrs(&r); err != nil {
				return c, err
			}
			c.References = append(c.References, r)
		case u.accept("check"):
			c.CheckName = cname
			if c.Check, err = u.parenText(); err != nil {
				return c, err
			}
			u.accept("no", "inherit")
		case u.accept("default"):
			c.Default = u.until(func(t Token) bool {
				return t.IsPunct(",") || t.IsPunct(")") || (t.Kind == Ident && columnConstraintStart[t.Val] && !t.Is("null"))
			})
		case u.accept("generated", "always", "as", "identity"):
			c.Identity = "always"
			if err := u.identityOptions(&c.IdentitySeq); err != nil {
				return c, err
			}
		case u.accept("generated", "by", "default", "as", "identity"):
			c.Identity = "by default"
			if err := u.identityOptions(&c.IdentitySeq); err != nil {
				return c, err
			}
		case u.accept("collate"):
			u.next()
		default:
			return c, u.fail()
		}
	}
}

// identityOptions reads the optional ( sequence options ) of an identity column.
func (u *utilParser) identityOptions(o *SeqOptions) error {
	if !u.peek().IsPunct("(") {
		return nil
	}
	start := u.i + 1
	if _, err := u.parenText(); err != nil {
		return err
	}
	inner := &utilParser{src: u.src, toks: u.toks[start : u.i-1]}
	return inner.sequenceOptions(o)
}

// NormalizeType lower-cases a type's text and removes spaces around punctuation:
// "NUMERIC ( 10, 2 )" → "numeric(10,2)".
func NormalizeType(s string) string {
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	for _, p := range []string{"(", ")", ","} {
		s = strings.ReplaceAll(s, " "+p, p)
		s = strings.ReplaceAll(s, p+" ", p)
	}
	return s
}

func (u *utilParser) createIndex(d *DDL) error {
	u.accept("concurrently")
	d.IfNotExists = u.accept("if", "not", "exists")
	if !u.peek().Is("on") {
		// An index is created in its table's schema: the name cannot be qualified.
		n, err := u.name()
		if err != nil {
			return err
		}
		d.Names, d.Quals = []string{n}, []QualName{{Name: n}}
	} else {
		d.NoIndexKey = true
	}
	if !u.accept("on") {
		return u.fail()
	}
	u.accept("only")
	t, err := u.qualName()
	if err != nil {
		return err
	}
	d.Table, d.TableQual = t.Name, t
	if u.accept("using") {
		if _, err := u.name(); err != nil {
			return err
		}
	}
	if d.IndexCols, err = u.parenNames(); err != nil {
		return err
	}
	for u.peek().Kind != EOF {
		switch {
		case u.accept("with"):
			if _, err := u.parenText(); err != nil {
				return err
			}
		case u.peek().Is("where"):
			return unsupported("partial indexes")
		case u.peek().Is("include"):
			return unsupported("INCLUDE")
		default:
			return u.fail()
		}
	}
	return nil
}

func (u *utilParser) createView(d *DDL) error {
	err := u.qualifiedName(d)
	if err != nil {
		return err
	}
	if u.peek().IsPunct("(") {
		if d.ViewCols, err = u.parenNames(); err != nil {
			return err
		}
	}
	if !u.accept("as") {
		return u.fail()
	}
	if u.peek().Kind == EOF {
		return u.fail()
	}
	d.Query = strings.TrimSpace(u.src[u.peek().Pos:u.toks[len(u.toks)-1].End])
	u.i = len(u.toks)
	return nil
}

func (u *utilParser) alterTable(d *DDL) error {
	d.IfExists = u.accept("if", "exists")
	u.accept("only")
	err := u.qualifiedName(d)
	if err != nil {
		return err
	}
	for {
		var a AlterAction
		switch {
		case u.accept("add"):
			t := u.peek()
			if t.Kind == Ident && constraintStart[t.Val] {
				a.Kind = "add_constraint"
				if a.Cons, err = u.tableConstraint(); err != nil {
					return err
				}
				break
			}
			u.accept("column")
			a.Kind = "add_column"
			a.IfNotExists = u.accept("if", "not", "exists")
			if a.Column, err = u.columnDef(); err != nil {
				return err
			}
		case u.accept("drop", "constraint"):
			a.Kind = "drop_constraint"
			a.IfExists = u.accept("if", "exists")
			if a.Name, err = u.name(); err != nil {
				return err
			}
			if u.accept("cascade") {
				a.Cascade = true
			} else {
				u.accept("restrict")
			}
		case (u.peek().Is("set") || u.peek().Is("reset")) && u.i+1 < len(u.toks) && u.toks[u.i+1].IsPunct("("):
			// SET (storage_parameter = value, ...) and RESET (...): accepted
			// and ignored, as CREATE TABLE ... WITH (...) is.
			u.next()
			a.Kind = "storage_parameters"
			if _, err := u.parenText(); err != nil {
				return err
			}
		case u.accept("validate", "constraint"):
			a.Kind = "validate_constraint"
			if a.Name, err = u.name(); err != nil {
				return err
			}
		case u.accept("drop"):
			u.accept("column")
			a.Kind = "drop_column"
			a.IfExists = u.accept("if", "exists")
			if a.Name, err = u.name(); err != nil {
				return err
			}
			a.Cascade = u.accept("cascade")
			u.accept("restrict")
		case u.accept("rename", "to"):
			a.Kind = "rename_table"
			if a.NewName, err = u.name(); err != nil {
				return err
			}
		case u.accept("rename"):
			if u.accept("constraint") {
				a.Kind = "rename_constraint"
			} else {
				u.accept("column")
				a.Kind = "rename_column"
			}
			if err = u.renameFromTo(&a); err != nil {
				return err
			}
		case u.accept("alter"):
			u.accept("column")
			if a.Name, err = u.name(); err != nil {
				return err
			}
			switch {
			case u.accept("set", "default"):
				a.Kind = "set_default"
				a.Default = u.until(func(t Token) bool { return t.IsPunct(",") })
			case u.accept("drop", "default"):
				a.Kind = "drop_default"
			case u.accept("set", "not", "null"):
				a.Kind = "set_not_null"
			case u.accept("drop", "not", "null"):
				a.Kind = "drop_not_null"
			case u.accept("type"), u.accept("set", "data", "type"):
				a.Kind = "alter_type"
				err = u.alterColumnType(&a)
			case u.peek().Is("restart"):
				a.Kind = "identity_options"
				err = u.identityAlterOptions(&a.Seq)
			case u.peek().Is("type") || u.peek().Is("set"):
				return unsupported("ALTER TABLE ... ALTER COLUMN " + strings.ToUpper(u.peek().Val))
			default:
				return u.fail()
			}
			if err != nil {
				return err
			}
		default:
			return u.fail()
		}
		d.Actions = append(d.Actions, a)
		if !u.peek().IsPunct(",") {
			return u.done()
		}
		u.i++
	}
}

// renameFromTo reads "name TO new_name" of a RENAME into a.Name and a.NewName.
func (u *utilParser) renameFromTo(a *AlterAction) error {
	var err error
	if a.Name, err = u.name(); err != nil {
		return err
	}
	if !u.accept("to") {
		return u.fail()
	}
	a.NewName, err = u.name()
	return err
}

func (u *utilParser) integer() (int64, error) {
	neg := false
	if u.peek().IsOp("-") {
		neg = true
		u.i++
	} else if u.peek().IsOp("+") {
		u.i++
	}
	t := u.peek()
	if t.Kind != Integer {
		return 0, u.fail()
	}
	u.i++
	v, err := strconv.ParseInt(t.Val, 10, 64)
	if err != nil {
		return 0, u.fail()
	}
	if neg {
		v = -v
	}
	return v, nil
}

func (u *utilParser) sequenceOptions(o *SeqOptions) error {
	for u.peek().Kind != EOF && !u.peek().IsPunct(")") {
		if err := u.sequenceOption(o, false); err != nil {
			return err
		}
	}
	return nil
}
