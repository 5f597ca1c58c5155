package pgdialect

// Schema statements (CREATE/DROP/ALTER SCHEMA), COMMENT ON, and the pieces of
// CREATE TABLE that name other relations (AS query, LIKE).

// LikeClause is CREATE TABLE's ( LIKE source [INCLUDING … | EXCLUDING …] ).
type LikeClause struct {
	Source QualName
	// Including lists the options in effect after INCLUDING/EXCLUDING in order:
	// "defaults", "constraints", "indexes", "identity", "comments" (ALL sets
	// them all; options PostgreSQL has that Augur does not keep are accepted).
	Including map[string]bool
	// Pos is the number of columns defined before the clause: its columns come
	// before Columns[Pos].
	Pos int
}

// likeOptions are the INCLUDING options ALL turns on.
var likeOptions = []string{"comments", "compression", "constraints", "defaults", "generated", "identity", "indexes", "statistics", "storage"}

// createSchema parses CREATE SCHEMA [IF NOT EXISTS] name [AUTHORIZATION role]
// and CREATE SCHEMA [IF NOT EXISTS] AUTHORIZATION role.
func (u *utilParser) createSchema(d *DDL) error {
	d.IfNotExists = u.accept("if", "not", "exists")
	if u.accept("authorization") {
		n, err := u.name()
		if err != nil {
			return err
		}
		d.Owner = n
		d.Names, d.Quals = []string{n}, []QualName{{Name: n}}
		return u.schemaElements()
	}
	n, err := u.name()
	if err != nil {
		return err
	}
	d.Names, d.Quals = []string{n}, []QualName{{Name: n}}
	if u.accept("authorization") {
		if d.Owner, err = u.name(); err != nil {
			return err
		}
	}
	return u.schemaElements()
}

func (u *utilParser) schemaElements() error {
	if u.peek().Kind != EOF {
		if u.peek().Is("create") || u.peek().Is("grant") {
			return unsupported("CREATE SCHEMA with schema elements")
		}
		return u.fail()
	}
	return nil
}

// alterSchema parses ALTER SCHEMA name RENAME TO new | OWNER TO role.
func (u *utilParser) alterSchema(d *DDL) error {
	n, err := u.name()
	if err != nil {
		return err
	}
	d.Names, d.Quals = []string{n}, []QualName{{Name: n}}
	switch {
	case u.accept("rename", "to"):
		if d.NewName, err = u.name(); err != nil {
			return err
		}
	case u.accept("owner", "to"):
		if d.Owner, err = u.name(); err != nil {
			return err
		}
	default:
		return u.fail()
	}
	return u.done()
}

// comment parses COMMENT ON kind object IS 'text' | NULL.
func (u *utilParser) comment(d *DDL) error {
	kinds := []string{"table", "column", "index", "view", "sequence", "schema"}
	for _, k := range kinds {
		if u.accept(k) {
			d.Object = k
		}
	}
	if d.Object == "" {
		if u.peek().Kind == Ident {
			return unsupported("COMMENT ON " + u.peek().Val)
		}
		return u.fail()
	}
	parts, err := u.separatedNames(".")
	if err != nil {
		return err
	}
	if d.Object == "column" {
		if len(parts) < 2 {
			// PostgreSQL: column name must be qualified
			return u.fail()
		}
		d.Column = parts[len(parts)-1]
		parts = parts[:len(parts)-1]
	}
	var q QualName
	switch len(parts) {
	case 1:
		q = QualName{Name: parts[0]}
	case 2:
		q = QualName{Schema: parts[0], Name: parts[1]}
	case 3:
		q = QualName{Catalog: parts[0], Schema: parts[1], Name: parts[2]}
	default:
		return u.fail()
	}
	if d.Object == "schema" && len(parts) != 1 {
		return u.fail()
	}
	d.Names, d.Quals = []string{q.Name}, []QualName{q}
	if !u.accept("is") {
		return u.fail()
	}
	t := u.next()
	switch {
	case t.Kind == String:
		if err := checkUTF8(u.src, t); err != nil {
			return err
		}
		v := t.Val
		d.Comment = &v
	case t.Is("null"):
	default:
		u.i--
		return u.fail()
	}
	return u.done()
}

// likeClause parses LIKE source [INCLUDING | EXCLUDING option]... inside CREATE
// TABLE's element list.
func (u *utilParser) likeClause() (LikeClause, error) {
	l := LikeClause{Including: map[string]bool{}}
	q, err := u.qualName()
	if err != nil {
		return l, err
	}
	l.Source = q
	for {
		var on bool
		switch {
		case u.accept("including"):
			on = true
		case u.accept("excluding"):
		default:
			return l, nil
		}
		t := u.next()
		if t.Kind != Ident {
			u.i--
			return l, u.fail()
		}
		if t.Val == "all" {
			for _, o := range likeOptions {
				l.Including[o] = on
			}
			continue
		}
		known := false
		for _, o := range likeOptions {
			known = known || o == t.Val
		}
		if !known {
			u.i--
			return l, u.fail()
		}
		l.Including[t.Val] = on
	}
}

// createTableAs parses the rest of CREATE [TEMP] TABLE [IF NOT EXISTS] name
// [(column, ...)] [ON COMMIT …] AS query [WITH [NO] DATA].
func (u *utilParser) createTableAs(d *DDL) error {
	d.IfNotExists = u.accept("if", "not", "exists")
	if err := u.qualifiedName(d); err != nil {
		return err
	}
	if u.peek().IsPunct("(") {
		cols, err := u.parenNames()
		if err != nil {
			return err
		}
		d.AsCols = cols
	}
	for !u.peek().Is("as") {
		ok, err := u.tableOption(d)
		if err != nil {
			return err
		}
		if !ok {
			return u.fail()
		}
	}
	u.i++ // AS
	end := len(u.toks)
	for end > u.i && u.toks[end-1].Kind == EOF {
		end--
	}
	// A trailing WITH [NO] DATA belongs to CREATE TABLE AS, not to the query.
	tail := func(words ...string) bool {
		if end-u.i <= len(words) {
			return false
		}
		for k, w := range words {
			if !u.toks[end-len(words)+k].Is(w) {
				return false
			}
		}
		return true
	}
	switch {
	case tail("with", "no", "data"):
		d.NoData = true
		end -= 3
	case tail("with", "data"):
		end -= 2
	}
	if end <= u.i {
		return u.fail()
	}
	first := u.toks[u.i]
	if !first.Is("select") && !first.Is("with") && !first.Is("values") && !first.Is("table") && !first.IsPunct("(") {
		if first.Is("execute") {
			return unsupported("CREATE TABLE AS EXECUTE")
		}
		return u.fail()
	}
	d.AsQuery = u.src[first.Pos:u.toks[end-1].End]
	u.i = len(u.toks)
	return nil
}

// selectInto parses SELECT … INTO [TEMP | TEMPORARY | UNLOGGED] [TABLE] name
// FROM …, PostgreSQL's older spelling of CREATE TABLE AS. ok is false when
// toks is a SELECT without a top-level INTO.
func selectInto(src string, toks []Token) (*DDL, bool, error) {
	depth, into := 0, -1
	for i, t := range toks {
		switch {
		case t.IsPunct("("):
			depth++
		case t.IsPunct(")"):
			depth--
		case depth == 0 && t.Is("into"):
			into = i
		case depth == 0 && (t.Is("union") || t.Is("intersect") || t.Is("except")) && into < 0:
			return nil, false, nil
		}
		if into >= 0 {
			break
		}
	}
	if into < 0 {
		return nil, false, nil
	}
	u := &utilParser{src: src, toks: toks, i: into + 1}
	d := &DDL{Kind: DDLCreateTable, AsInto: true}
	if u.accept("temporary") || u.accept("temp") {
		d.Temp = true
	} else {
		u.accept("unlogged")
	}
	u.accept("table")
	if err := u.qualifiedName(d); err != nil {
		return nil, true, err
	}
	end := toks[len(toks)-1].End
	for k := len(toks) - 1; k >= 0 && toks[k].Kind == EOF; k-- {
		if k > 0 {
			end = toks[k-1].End
		}
	}
	rest := ""
	if u.i < len(toks) && toks[u.i].Kind != EOF {
		rest = " " + src[toks[u.i].Pos:end]
	}
	d.AsQuery = src[toks[0].Pos:toks[into-1].End] + rest
	return d, true, nil
}
