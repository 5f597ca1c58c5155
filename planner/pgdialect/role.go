package pgdialect

import (
	"strings"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/jackc/pgerrcode"
)

// RoleStmtKind is the kind of a statement parsed by ParseRole.
type RoleStmtKind int

// Role statement kinds.
const (
	RoleCreate    RoleStmtKind = iota + 1
	RoleAlter                  // ALTER ROLE name [WITH] options
	RoleRename                 // ALTER ROLE name RENAME TO new
	RoleSetConfig              // ALTER ROLE name SET / RESET
	RoleDrop
	GrantPrivileges
	RevokePrivileges
	GrantRoles
	RevokeRoles
)

// RoleSpec names a role where PostgreSQL's grammar takes a RoleSpec: a name, or
// one of CURRENT_USER, CURRENT_ROLE, SESSION_USER and PUBLIC written unquoted
// (Special holds it, lower case).
type RoleSpec struct {
	Name    string
	Special string
	Pos     int32 // character position, for errors
}

// RoleOption is one option of CREATE ROLE / ALTER ROLE.
type RoleOption struct {
	// Name is the option's kind: superuser, createdb, createrole, inherit,
	// login, replication, bypassrls (Bool holds the value), connectionlimit
	// (Int), password (Text, or Null), validuntil (Text), addroleto,
	// rolemembers, adminmembers (Roles), sysid.
	Name  string
	Bool  bool
	Int   int64
	Text  string
	Null  bool
	Roles []RoleSpec
}

// Privilege is one privilege of GRANT/REVOKE, upper case, with its columns.
type Privilege struct {
	Name    string
	Columns []string
}

// RoleStmt is a role statement: CREATE/ALTER/DROP ROLE (USER, GROUP), GRANT and
// REVOKE of privileges or role memberships.
type RoleStmt struct {
	Kind     RoleStmtKind
	Role     RoleSpec   // CREATE, ALTER: the role
	NewName  string     // RENAME TO
	Names    []RoleSpec // DROP: the roles; GRANT/REVOKE of roles: the roles granted
	IfExists bool
	Options  []RoleOption
	// ALTER ROLE ... SET/RESET: Config is "name=value" to set, ConfigReset the
	// parameter to reset ("all" for RESET ALL).
	Config      string
	ConfigReset string
	// GRANT/REVOKE of privileges.
	AllPrivileges bool
	Privileges    []Privilege
	ObjectType    string // "table", "sequence", "schema", "database"
	AllInSchema   bool   // ON ALL TABLES|SEQUENCES IN SCHEMA: Objects are schemas
	Objects       []string
	Grantees      []RoleSpec
	// GrantOption: WITH GRANT OPTION / WITH ADMIN OPTION, or for REVOKE the
	// GRANT OPTION FOR / ADMIN OPTION FOR form.
	GrantOption bool
	GrantedBy   *RoleSpec
	Cascade     bool
	// Tag is the command tag.
	Tag string
}

// ParseRole parses the role statements. ok is false when toks is not one.
func ParseRole(src string, toks []Token) (*RoleStmt, bool, error) {
	if len(toks) < 2 {
		return nil, false, nil
	}
	u := &utilParser{src: src, toks: toks}
	isRoleWord := func(t Token) bool { return t.Is("role") || t.Is("user") || t.Is("group") }
	var st *RoleStmt
	var err error
	switch {
	case toks[0].Is("create") && isRoleWord(toks[1]):
		if toks[1].Is("user") && len(toks) > 2 && toks[2].Is("mapping") {
			return nil, false, nil
		}
		u.i = 2
		st, err = u.createRole(toks[1].Val)
	case toks[0].Is("alter") && isRoleWord(toks[1]):
		if toks[1].Is("user") && len(toks) > 2 && toks[2].Is("mapping") {
			return nil, false, nil
		}
		u.i = 2
		st, err = u.alterRole(toks[1].Val)
	case toks[0].Is("drop") && isRoleWord(toks[1]):
		if toks[1].Is("user") && len(toks) > 2 && toks[2].Is("mapping") {
			return nil, false, nil
		}
		u.i = 2
		st, err = u.dropRole()
	case toks[0].Is("grant"):
		u.i = 1
		st, err = u.grant(false)
	case toks[0].Is("revoke"):
		u.i = 1
		st, err = u.grant(true)
	default:
		return nil, false, nil
	}
	if err != nil {
		return nil, true, err
	}
	return st, true, nil
}

func (u *utilParser) charPos(t Token) int32 { return CharPos(u.src, t.Pos) }

// roleName reads a role name where a new role is named (CREATE ROLE, RENAME TO):
// PUBLIC and NONE are reserved, CURRENT_USER and the like are refused.
func (u *utilParser) roleName() (string, error) {
	t := u.peek()
	if t.Kind != Ident && t.Kind != QIdent {
		return "", u.fail()
	}
	u.i++
	if t.Kind == Ident {
		switch t.Val {
		case "public":
			return "", pgerr.New(pgerrcode.ReservedName, "role name \"public\" is reserved").WithPosition(u.charPos(t))
		case "current_user", "current_role", "session_user":
			return "", pgerr.New(pgerrcode.ReservedName, "%s cannot be used as a role name here", strings.ToUpper(t.Val)).WithPosition(u.charPos(t))
		case "user", "all", "with", "in", "role":
			u.i--
			return "", u.fail()
		}
	}
	if t.Val == "none" {
		return "", pgerr.New(pgerrcode.ReservedName, "role name \"none\" is reserved").WithPosition(u.charPos(t))
	}
	return t.Val, nil
}

// roleSpec reads a RoleSpec; public says whether PUBLIC is allowed.
func (u *utilParser) roleSpec(public bool) (RoleSpec, error) {
	t := u.peek()
	if t.Kind != Ident && t.Kind != QIdent {
		return RoleSpec{}, u.fail()
	}
	u.i++
	rs := RoleSpec{Name: t.Val, Pos: u.charPos(t)}
	if t.Kind == Ident {
		switch t.Val {
		case "current_user", "current_role", "session_user":
			rs.Special = t.Val
		case "public":
			if public {
				rs.Special = "public"
			} else {
				return RoleSpec{}, pgerr.New(pgerrcode.ReservedName, "role name \"public\" is reserved").WithPosition(rs.Pos)
			}
		case "user", "all", "to", "from", "with", "on", "granted", "cascade", "restrict":
			u.i--
			return RoleSpec{}, u.fail()
		}
	}
	return rs, nil
}

func (u *utilParser) roleSpecs(public bool) ([]RoleSpec, error) {
	var out []RoleSpec
	for {
		rs, err := u.roleSpec(public)
		if err != nil {
			return nil, err
		}
		out = append(out, rs)
		if !u.peek().IsPunct(",") {
			return out, nil
		}
		u.next()
	}
}

func (u *utilParser) createRole(word string) (*RoleStmt, error) {
	name, err := u.roleName()
	if err != nil {
		return nil, err
	}
	st := &RoleStmt{Kind: RoleCreate, Role: RoleSpec{Name: name}, Tag: "CREATE ROLE"}
	u.accept("with")
	if st.Options, err = u.roleOptions(true); err != nil {
		return nil, err
	}
	if word == "user" && !hasOption(st.Options, "login") {
		st.Options = append(st.Options, RoleOption{Name: "login", Bool: true})
	}
	return st, u.done()
}

func hasOption(opts []RoleOption, name string) bool {
	for _, o := range opts {
		if o.Name == name {
			return true
		}
	}
	return false
}

// roleOptions reads CREATE ROLE's (create) or ALTER ROLE's options up to the end.
func (u *utilParser) roleOptions(create bool) ([]RoleOption, error) {
	var opts []RoleOption
	flags := []string{"superuser", "createdb", "createrole", "inherit", "login", "replication", "bypassrls"}
	for u.peek().Kind != EOF {
		start := u.peek()
		var o RoleOption
		matched := false
		for _, f := range flags {
			if u.accept(f) {
				o, matched = RoleOption{Name: f, Bool: true}, true
			} else if u.accept("no" + f) {
				o, matched = RoleOption{Name: f}, true
			}
			if matched {
				break
			}
		}
		switch {
		case matched:
		case u.accept("connection", "limit"):
			n, err := u.integer()
			if err != nil {
				return nil, err
			}
			o = RoleOption{Name: "connectionlimit", Int: n}
		case u.accept("unencrypted", "password"):
			return nil, pgerr.FeatureNotSupported("UNENCRYPTED PASSWORD is no longer supported").
				WithHint("Remove UNENCRYPTED to store the password in encrypted form instead.").WithPosition(u.charPos(start))
		case u.accept("encrypted", "password"), u.accept("password"):
			o = RoleOption{Name: "password"}
			encrypted := u.toks[u.i-2].Is("encrypted")
			t := u.next()
			switch {
			case t.Kind == String:
				o.Text = t.Val
			case t.Is("null") && !encrypted:
				o.Null = true
			default:
				u.i--
				return nil, u.fail()
			}
		case u.accept("valid", "until"):
			t := u.next()
			if t.Kind != String {
				u.i--
				return nil, u.fail()
			}
			o = RoleOption{Name: "validuntil", Text: t.Val}
		case create && (u.accept("in", "role") || u.accept("in", "group")):
			rs, err := u.roleSpecs(false)
			if err != nil {
				return nil, err
			}
			o = RoleOption{Name: "addroleto", Roles: rs}
		case create && (u.accept("role") || u.accept("user")):
			rs, err := u.roleSpecs(false)
			if err != nil {
				return nil, err
			}
			o = RoleOption{Name: "rolemembers", Roles: rs}
		case create && u.accept("admin"):
			rs, err := u.roleSpecs(false)
			if err != nil {
				return nil, err
			}
			o = RoleOption{Name: "adminmembers", Roles: rs}
		case create && u.accept("sysid"):
			if _, err := u.integer(); err != nil {
				return nil, err
			}
			o = RoleOption{Name: "sysid"}
		default:
			t := u.peek()
			if t.Kind == Ident {
				return nil, pgerr.Syntax(u.charPos(t), "unrecognized role option %q", t.Val)
			}
			return nil, u.fail()
		}
		if o.Name != "sysid" && hasOption(opts, o.Name) {
			return nil, pgerr.Syntax(u.charPos(start), "conflicting or redundant options")
		}
		opts = append(opts, o)
	}
	return opts, nil
}

func (u *utilParser) alterRole(word string) (*RoleStmt, error) {
	if u.peek().Is("all") {
		return nil, unsupported("ALTER ROLE ALL")
	}
	rs, err := u.roleSpec(false)
	if err != nil {
		return nil, err
	}
	st := &RoleStmt{Role: rs, Tag: "ALTER ROLE"}
	switch {
	case u.accept("rename", "to"):
		st.Kind = RoleRename
		if rs.Special != "" {
			return nil, pgerr.New(pgerrcode.ReservedName, "%s cannot be used as a role name here", strings.ToUpper(rs.Special)).WithPosition(rs.Pos)
		}
		if st.NewName, err = u.roleName(); err != nil {
			return nil, err
		}
		return st, u.done()
	case u.peek().Is("in") && u.i+1 < len(u.toks) && u.toks[u.i+1].Is("database"):
		return nil, unsupported("ALTER ROLE ... IN DATABASE")
	case u.accept("set"):
		st.Kind = RoleSetConfig
		set, err := u.set()
		if err != nil {
			return nil, err
		}
		if set.Values == nil {
			st.ConfigReset = set.Name
		} else {
			st.Config = set.Name + "=" + strings.Join(set.Values, ", ")
		}
		return st, nil
	case u.accept("reset"):
		st.Kind = RoleSetConfig
		if u.accept("all") {
			st.ConfigReset = "all"
			return st, u.done()
		}
		name, err := u.paramName()
		if err != nil {
			return nil, err
		}
		st.ConfigReset = name
		return st, u.done()
	case word == "group" && (u.peek().Is("add") || u.peek().Is("drop")):
		// ALTER GROUP g ADD|DROP USER u, ...: role membership, tagged ALTER ROLE.
		st.Kind = GrantRoles
		if u.next().Is("drop") {
			st.Kind = RevokeRoles
		}
		if !u.accept("user") {
			return nil, u.fail()
		}
		st.Names = []RoleSpec{rs}
		if st.Grantees, err = u.roleSpecs(false); err != nil {
			return nil, err
		}
		return st, u.done()
	}
	st.Kind = RoleAlter
	u.accept("with")
	if st.Options, err = u.roleOptions(false); err != nil {
		return nil, err
	}
	return st, nil
}

func (u *utilParser) dropRole() (*RoleStmt, error) {
	st := &RoleStmt{Kind: RoleDrop, Tag: "DROP ROLE"}
	st.IfExists = u.accept("if", "exists")
	var err error
	if st.Names, err = u.roleSpecs(false); err != nil {
		return nil, err
	}
	return st, u.done()
}

// privilege names GRANT and REVOKE know.
var privilegeWords = map[string]bool{"select": true, "insert": true, "update": true, "delete": true,
	"truncate": true, "references": true, "trigger": true, "usage": true, "create": true,
	"connect": true, "temporary": true, "temp": true, "execute": true, "maintain": false}

func (u *utilParser) grant(revoke bool) (*RoleStmt, error) {
	st := &RoleStmt{Kind: GrantPrivileges, Tag: "GRANT"}
	if revoke {
		st.Kind, st.Tag = RevokePrivileges, "REVOKE"
		if u.accept("grant", "option", "for") {
			st.GrantOption = true
		} else if u.accept("admin", "option", "for") {
			st.GrantOption = true
			st.Kind = RevokeRoles
		}
	}
	// Role memberships: GRANT role, ... TO; there is no ON.
	if st.Kind == RevokeRoles || !hasTopLevel(u.toks, "on") {
		if st.Kind == RevokePrivileges && st.GrantOption {
			return nil, u.fail()
		}
		return u.grantRoles(st, revoke)
	}
	if u.accept("all") {
		u.accept("privileges")
		st.AllPrivileges = true
		if u.peek().IsPunct("(") {
			cols, err := u.parenNames()
			if err != nil {
				return nil, err
			}
			st.AllPrivileges = false
			for _, p := range []string{"SELECT", "INSERT", "UPDATE", "REFERENCES"} {
				st.Privileges = append(st.Privileges, Privilege{Name: p, Columns: cols})
			}
		}
	} else {
		for {
			t := u.next()
			if t.Kind != Ident || !privilegeWords[t.Val] {
				u.i--
				return nil, u.fail()
			}
			p := Privilege{Name: strings.ToUpper(t.Val)}
			if p.Name == "TEMP" {
				p.Name = "TEMPORARY"
			}
			if u.peek().IsPunct("(") {
				cols, err := u.parenNames()
				if err != nil {
					return nil, err
				}
				p.Columns = cols
			}
			st.Privileges = append(st.Privileges, p)
			if !u.peek().IsPunct(",") {
				break
			}
			u.next()
		}
	}
	if !u.accept("on") {
		return nil, u.fail()
	}
	object, named := u.acceptOneOf("table", "sequence", "schema", "database")
	switch {
	case named:
		st.ObjectType = object
	case u.accept("all", "tables", "in", "schema"):
		st.ObjectType, st.AllInSchema = "table", true
	case u.accept("all", "sequences", "in", "schema"):
		st.ObjectType, st.AllInSchema = "sequence", true
	case u.peek().Is("function") || u.peek().Is("procedure") || u.peek().Is("routine") || u.peek().Is("type") ||
		u.peek().Is("domain") || u.peek().Is("language") || u.peek().Is("foreign") || u.peek().Is("large") ||
		u.peek().Is("tablespace") || u.peek().Is("parameter") || u.peek().Is("all"):
		return nil, unsupported(st.Tag + " ON " + strings.ToUpper(u.peek().Val))
	default:
		st.ObjectType = "table"
	}
	var err error
	if st.ObjectType == "table" || st.ObjectType == "sequence" {
		if st.AllInSchema {
			st.Objects, err = u.separatedNames(",")
		} else {
			var d DDL
			if err = u.nameList(&d); err == nil {
				for _, q := range d.Quals {
					st.Objects = append(st.Objects, q.String())
				}
			}
		}
	} else {
		st.Objects, err = u.separatedNames(",")
	}
	if err != nil {
		return nil, err
	}
	if err := u.granteeClause(st, revoke); err != nil {
		return nil, err
	}
	if !revoke && u.accept("with", "grant", "option") {
		st.GrantOption = true
	}
	return st, u.grantTail(st, revoke)
}

func (u *utilParser) granteeClause(st *RoleStmt, revoke bool) error {
	word := "to"
	if revoke {
		word = "from"
	}
	if !u.accept(word) {
		return u.fail()
	}
	var err error
	for {
		u.accept("group")
		rs, e := u.roleSpec(true)
		if e != nil {
			return e
		}
		st.Grantees = append(st.Grantees, rs)
		if !u.peek().IsPunct(",") {
			break
		}
		u.next()
	}
	return err
}

// grantTail reads GRANTED BY and, for REVOKE, CASCADE/RESTRICT.
func (u *utilParser) grantTail(st *RoleStmt, revoke bool) error {
	if u.accept("granted", "by") {
		rs, err := u.roleSpec(false)
		if err != nil {
			return err
		}
		st.GrantedBy = &rs
	}
	if revoke {
		if u.accept("cascade") {
			st.Cascade = true
		} else {
			u.accept("restrict")
		}
	}
	return u.done()
}

func (u *utilParser) grantRoles(st *RoleStmt, revoke bool) (*RoleStmt, error) {
	st.Kind, st.Tag = GrantRoles, "GRANT ROLE"
	if revoke {
		st.Kind, st.Tag = RevokeRoles, "REVOKE ROLE"
	}
	var err error
	if st.Names, err = u.roleSpecs(false); err != nil {
		return nil, err
	}
	if err := u.granteeClause(st, revoke); err != nil {
		return nil, err
	}
	if !revoke && u.accept("with", "admin", "option") {
		st.GrantOption = true
	}
	return st, u.grantTail(st, revoke)
}
