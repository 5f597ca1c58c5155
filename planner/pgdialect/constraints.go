package pgdialect

import "github.com/augurdb/augur/storage/pgerr"

// ForeignKeyDef is the REFERENCES part of a FOREIGN KEY constraint.
type ForeignKeyDef struct {
	Table string
	// TableQual is the qualified form of Table.
	TableQual QualName
	// Columns are the referenced columns (nil: the referenced table's primary key).
	Columns []string
	// MatchFull is MATCH FULL (MATCH SIMPLE, the default, otherwise).
	MatchFull bool
	// OnDelete and OnUpdate are the referential actions: "no action",
	// "restrict", "cascade", "set null", "set default".
	OnDelete, OnUpdate string
	// SetColumns are the columns of ON DELETE SET NULL / SET DEFAULT (cols).
	SetColumns []string
}

// references reads what follows REFERENCES: table [(cols)] [MATCH ...]
// [ON DELETE action] [ON UPDATE action].
func (u *utilParser) references(c *Constraint) error {
	fk := &ForeignKeyDef{OnDelete: "no action", OnUpdate: "no action"}
	c.FK = fk
	var err error
	if fk.TableQual, err = u.qualName(); err != nil {
		return err
	}
	fk.Table = fk.TableQual.Name
	if u.peek().IsPunct("(") {
		if fk.Columns, err = u.parenNames(); err != nil {
			return err
		}
	}
	for {
		switch {
		case u.accept("match", "full"):
			fk.MatchFull = true
		case u.accept("match", "simple"):
		case u.accept("match", "partial"):
			return unsupported("MATCH PARTIAL")
		case u.accept("on", "delete"):
			if fk.OnDelete, err = u.referentialAction(&fk.SetColumns, true); err != nil {
				return err
			}
		case u.accept("on", "update"):
			if fk.OnUpdate, err = u.referentialAction(nil, false); err != nil {
				return err
			}
		default:
			return nil
		}
	}
}

func (u *utilParser) referentialAction(cols *[]string, delete bool) (string, error) {
	var action string
	switch {
	case u.accept("no", "action"):
		return "no action", nil
	case u.accept("restrict"):
		return "restrict", nil
	case u.accept("cascade"):
		return "cascade", nil
	case u.accept("set", "null"):
		action = "set null"
	case u.accept("set", "default"):
		action = "set default"
	default:
		return "", u.fail()
	}
	if u.peek().IsPunct("(") {
		if !delete {
			return "", pgerr.FeatureNotSupported("a column list with %s is only supported for ON DELETE actions", map[string]string{"set null": "SET NULL", "set default": "SET DEFAULT"}[action]).WithPosition(CharPos(u.src, u.peek().Pos))
		}
		names, err := u.parenNames()
		if err != nil {
			return "", err
		}
		*cols = names
	}
	return action, nil
}

// constraintAttrs reads a constraint's trailing attributes: [NOT] DEFERRABLE,
// INITIALLY DEFERRED | IMMEDIATE, NOT VALID, NO INHERIT.
func (u *utilParser) constraintAttrs(c *Constraint) error {
	notDeferrable := false
	for {
		switch {
		case u.accept("deferrable"):
			c.Deferrable = true
		case u.accept("not", "deferrable"):
			c.Deferrable, notDeferrable = false, true
		case u.accept("initially", "deferred"):
			c.InitiallyDeferred = true
			if !notDeferrable {
				c.Deferrable = true
			}
		case u.accept("initially", "immediate"):
			c.InitiallyDeferred = false
		case u.accept("not", "valid"):
			c.NotValid = true
		case u.accept("no", "inherit"):
		default:
			if c.InitiallyDeferred && !c.Deferrable {
				return syntaxAt(u.src, u.peek().Pos, "constraint declared INITIALLY DEFERRED must be DEFERRABLE")
			}
			return nil
		}
	}
}

// alterColumnType reads ALTER COLUMN c [SET DATA] TYPE t [COLLATE x] [USING expr].
func (u *utilParser) alterColumnType(a *AlterAction) error {
	typ := u.until(func(t Token) bool { return t.IsPunct(",") || t.Is("using") || t.Is("collate") })
	if typ == "" {
		return u.fail()
	}
	a.Type = NormalizeType(typ)
	if u.accept("collate") {
		if _, err := u.name(); err != nil {
			return err
		}
	}
	if u.accept("using") {
		a.Using = u.until(func(t Token) bool { return t.IsPunct(",") })
		if a.Using == "" {
			return u.fail()
		}
	}
	return nil
}

// identityAlterOptions reads ALTER COLUMN c RESTART [WITH n] and SET options of
// an identity column.
func (u *utilParser) identityAlterOptions(o *SeqOptions) error {
	for u.peek().Is("restart") || u.peek().Is("set") {
		u.accept("set")
		if err := u.sequenceOption(o, true); err != nil {
			return err
		}
	}
	return nil
}

// sequenceOption reads one sequence option; alter allows ALTER SEQUENCE's
// RESTART.
func (u *utilParser) sequenceOption(o *SeqOptions, alter bool) error {
	var err error
	num := func() *int64 {
		var v int64
		v, err = u.integer()
		return &v
	}
	switch {
	case u.accept("increment"):
		u.accept("by")
		o.Increment = num()
	case u.accept("start"):
		u.accept("with")
		o.Start = num()
	case u.accept("minvalue"):
		o.Min = num()
	case u.accept("maxvalue"):
		o.Max = num()
	case u.accept("no", "minvalue"):
		o.NoMin = true
	case u.accept("no", "maxvalue"):
		o.NoMax = true
	case u.accept("no", "cycle"):
		o.NoCycle, o.Cycle = true, false
	case u.accept("cycle"):
		o.Cycle, o.NoCycle = true, false
	case u.accept("cache"):
		o.Cache = num()
	case u.accept("as"):
		o.As = NormalizeType(u.until(func(t Token) bool {
			return t.Kind == Ident && seqOptionStart[t.Val] || t.IsPunct(")")
		}))
		if o.As == "" {
			return u.fail()
		}
	case u.accept("owned", "by"):
		if u.accept("none") {
			o.OwnedBy = "none"
			break
		}
		parts, err := u.separatedNames(".")
		if err != nil {
			return err
		}
		if len(parts) < 2 {
			return syntaxAt(u.src, u.peek().Pos, "invalid OWNED BY option")
		}
		if len(parts) == 3 && parts[0] == "public" {
			parts = parts[1:]
		}
		o.OwnedBy = joinDot(parts)
	case alter && u.accept("restart"):
		o.Restart = true
		if u.accept("with") || u.peek().Kind == Integer || u.peek().IsOp("-") || u.peek().IsOp("+") {
			o.RestartWith = num()
		}
	default:
		return u.fail()
	}
	return err
}

var seqOptionStart = map[string]bool{
	"increment": true, "start": true, "minvalue": true, "maxvalue": true, "no": true,
	"cycle": true, "cache": true, "as": true, "owned": true, "restart": true,
}

func joinDot(parts []string) string {
	s := parts[0]
	for _, p := range parts[1:] {
		s += "." + p
	}
	return s
}

// alterSequence reads ALTER SEQUENCE [IF EXISTS] name options | RENAME TO n.
func (u *utilParser) alterSequence(d *DDL) error {
	d.IfExists = u.accept("if", "exists")
	err := u.qualifiedName(d)
	if err != nil {
		return err
	}
	if u.accept("rename", "to") {
		if d.Seq.RenameTo, err = u.name(); err != nil {
			return err
		}
		return u.done()
	}
	if u.peek().Kind == EOF {
		return u.fail()
	}
	for u.peek().Kind != EOF {
		if err := u.sequenceOption(&d.Seq, true); err != nil {
			return err
		}
	}
	return nil
}
