package planner

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/augurdb/augur/config"
	"github.com/augurdb/augur/planner/exec"
	"github.com/augurdb/augur/planner/pgdialect"
	"github.com/augurdb/augur/protocol/scramsecret"
	"github.com/augurdb/augur/storage/catalog"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/store"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
)

// Roles: CREATE/ALTER/DROP ROLE and GRANT/REVOKE, with PostgreSQL 15's rules for
// who may do what. Roles and privileges are cluster-wide catalog objects
// (storage/catalog/role.go) changed by the statement's transaction like any DDL;
// after a commit that changed roles the engine hands them to RolesChanged, which
// the server writes where the handshake reads them. Privileges are recorded but
// not yet checked when tables are read or written.

// SessionUserEnv is implemented by sessions that tell their session user (SET
// SESSION AUTHORIZATION) apart from the current user (SET ROLE); without it the
// current user is the session user.
type SessionUserEnv interface {
	SessionUser() string
}

// WarningEnv is implemented by sessions that can send a WARNING (else a NOTICE
// is sent).
type WarningEnv interface {
	Warning(msg string)
}

func sessionUser(env Env) string {
	if s, ok := env.(SessionUserEnv); ok {
		return s.SessionUser()
	}
	return env.User()
}

func warn(env Env, msg string) {
	if w, ok := env.(WarningEnv); ok {
		w.Warning(msg)
		return
	}
	env.Notice(msg)
}

// BootstrapRole is a role of the data directory's bootstrap state.
type BootstrapRole struct {
	Name                string
	Superuser, CanLogin bool
	Password            string // SCRAM verifier
}

// BootstrapRoles writes the bootstrap roles into a catalog that has none yet;
// from then on the catalog is their source. The first superuser gets the OID of
// PostgreSQL's bootstrap superuser.
func (e *Engine) BootstrapRoles(ctx context.Context, roles []BootstrapRole) error {
	if len(e.Catalog.Current().Roles) > 0 || len(roles) == 0 {
		return nil
	}
	txn := e.Begin(store.TxnOptions{})
	defer txn.Abort()
	s, err := txn.forDDL(ctx)
	if err != nil {
		return err
	}
	if len(s.Roles) > 0 {
		return nil
	}
	for _, br := range roles {
		r := &catalog.Role{Name: br.Name, Superuser: br.Superuser, CanLogin: br.CanLogin, Password: br.Password, ConnLimit: -1}
		if br.Superuser && s.RoleIDFree(catalog.BootstrapSuperuserID) {
			r.ID = catalog.BootstrapSuperuserID
			r.CreateRole, r.CreateDB, r.Replication, r.BypassRLS = true, true, true, true
		} else {
			r.ID = s.NewID()
		}
		s.Roles[r.Name] = r
		if err := catalog.PutRole(txn.KV, r); err != nil {
			return err
		}
	}
	if err := catalog.PutMeta(txn.KV, s); err != nil {
		return err
	}
	e.Catalog.Changed(s)
	return txn.Commit(ctx)
}

// recordRoles hands the committed roles to RolesChanged. It is serialized, and
// reads the catalog under the lock, so the last call records the latest roles.
func (e *Engine) recordRoles() error {
	if e.RolesChanged == nil {
		return nil
	}
	e.rolesMu.Lock()
	defer e.rolesMu.Unlock()
	if err := e.RolesChanged(e.Catalog.Current().SortedRoles()); err != nil {
		return fmt.Errorf("planner: record roles: %w", err)
	}
	return nil
}

// RecordRoles hands the committed roles to RolesChanged (at start).
func (e *Engine) RecordRoles() error { return e.recordRoles() }

// roleExec runs one role statement.
type roleExec struct {
	env Env
	txn *Txn
	s   *catalog.Schema
	// cur is the current user's role (nil when the catalog does not know it);
	// super and createRole are its powers.
	cur        *catalog.Role
	super      bool
	createRole bool
}

func (p *Planner) execRole(ctx context.Context, env Env, st *pgdialect.RoleStmt) (string, error) {
	txn, err := env.Txn(ctx)
	if err != nil {
		return "", err
	}
	s, err := txn.forDDL(ctx)
	if err != nil {
		return "", err
	}
	x := &roleExec{env: env, txn: txn, s: s, super: env.Superuser()}
	x.cur, _ = s.RoleByName(env.User())
	x.createRole = x.super || x.cur != nil && x.cur.CreateRole
	switch st.Kind {
	case pgdialect.RoleCreate:
		err = x.create(st)
	case pgdialect.RoleAlter:
		err = x.alter(st)
	case pgdialect.RoleRename:
		err = x.rename(st)
	case pgdialect.RoleSetConfig:
		err = x.setConfig(st)
	case pgdialect.RoleDrop:
		err = x.drop(st)
	case pgdialect.GrantRoles, pgdialect.RevokeRoles:
		err = x.grantRoles(st)
	case pgdialect.GrantPrivileges, pgdialect.RevokePrivileges:
		err = x.grantPrivileges(st)
	default:
		err = fmt.Errorf("planner: unknown role statement %d", st.Kind)
	}
	if err != nil {
		return "", err
	}
	txn.rolesChanged = true
	txn.e.Catalog.Changed(s)
	return st.Tag, catalog.PutMeta(txn.KV, s)
}

func (x *roleExec) curID() uint32 {
	if x.cur != nil {
		return x.cur.ID
	}
	return catalog.BootstrapSuperuserID
}

func undefinedRole(name string) error {
	return pgerr.New(pgerrcode.UndefinedObject, "role %q does not exist", name)
}

func insufficient(format string, args ...any) error {
	return pgerr.New(pgerrcode.InsufficientPrivilege, format, args...)
}

// resolve finds the role a RoleSpec names.
func (x *roleExec) resolve(rs pgdialect.RoleSpec) (*catalog.Role, error) {
	name := rs.Name
	switch rs.Special {
	case "current_user", "current_role":
		name = x.env.User()
	case "session_user":
		name = sessionUser(x.env)
	case "public":
		return nil, undefinedRole("public")
	}
	r, ok := x.s.RoleByName(name)
	if !ok {
		return nil, undefinedRole(name)
	}
	return r, nil
}

// put writes a changed role.
func (x *roleExec) put(r *catalog.Role) error {
	x.s.Roles[r.Name] = r
	return catalog.PutRole(x.txn.KV, r)
}

// options are CREATE/ALTER ROLE's options by kind.
type options map[string]pgdialect.RoleOption

func optionMap(opts []pgdialect.RoleOption) (options, error) {
	m := options{}
	for _, o := range opts {
		m[o.Name] = o
		if o.Name == "connectionlimit" && o.Int < -1 {
			return nil, pgerr.New(pgerrcode.InvalidParameterValue, "invalid connection limit: %d", o.Int)
		}
	}
	return m, nil
}

// apply sets the role's attributes from the options.
func (x *roleExec) apply(r *catalog.Role, m options) error {
	for name, o := range m {
		switch name {
		case "superuser":
			r.Superuser = o.Bool
		case "createdb":
			r.CreateDB = o.Bool
		case "createrole":
			r.CreateRole = o.Bool
		case "inherit":
			r.NoInherit = !o.Bool
		case "login":
			r.CanLogin = o.Bool
		case "replication":
			r.Replication = o.Bool
		case "bypassrls":
			r.BypassRLS = o.Bool
		case "connectionlimit":
			r.ConnLimit = int(o.Int)
		case "password":
			switch {
			case o.Null:
				r.Password = ""
			case o.Text == "":
				x.env.Notice("empty string is not a valid password, clearing password")
				r.Password = ""
			default:
				secret, err := scramsecret.Secret(o.Text)
				if err != nil {
					return pgerr.Wrap(err, pgerrcode.InternalError, "could not encrypt the password")
				}
				r.Password = secret
			}
		case "validuntil":
			v, err := types.ParseTimestamp([]byte(o.Text), true)
			if err != nil {
				return err
			}
			r.ValidUntil = &v
		}
	}
	return nil
}

func (x *roleExec) create(st *pgdialect.RoleStmt) error {
	m, err := optionMap(st.Options)
	if err != nil {
		return err
	}
	name := st.Role.Name
	switch {
	case m["superuser"].Bool && !x.super:
		return insufficient("must be superuser to create superusers")
	case m["replication"].Bool && !x.super:
		return insufficient("must be superuser to create replication users")
	case m["bypassrls"].Bool && !x.super:
		return insufficient("must be superuser to create bypassrls users")
	case !x.createRole:
		return insufficient("permission denied to create role")
	}
	if strings.HasPrefix(name, "pg_") {
		return pgerr.New(pgerrcode.ReservedName, "role name %q is reserved", name).
			WithDetail("Role names starting with \"pg_\" are reserved.")
	}
	if _, ok := x.s.RoleByName(name); ok {
		return pgerr.New(pgerrcode.DuplicateObject, "role %q already exists", name)
	}
	if _, ok := m["sysid"]; ok {
		x.env.Notice("SYSID can no longer be specified")
	}
	r := &catalog.Role{ID: x.s.NewID(), Name: name, ConnLimit: -1}
	if err := x.apply(r, m); err != nil {
		return err
	}
	if err := x.put(r); err != nil {
		return err
	}
	// IN ROLE: the new role joins those roles; ROLE / ADMIN: those roles join it.
	for _, rs := range m["addroleto"].Roles {
		g, err := x.resolve(rs)
		if err != nil {
			return err
		}
		if err := x.addMember(g, r, false); err != nil {
			return err
		}
	}
	for _, kind := range []string{"rolemembers", "adminmembers"} {
		for _, rs := range m[kind].Roles {
			mem, err := x.resolve(rs)
			if err != nil {
				return err
			}
			if err := x.addMember(x.s.Roles[name], mem, kind == "adminmembers"); err != nil {
				return err
			}
		}
	}
	return nil
}

func (x *roleExec) alter(st *pgdialect.RoleStmt) error {
	m, err := optionMap(st.Options)
	if err != nil {
		return err
	}
	old, err := x.resolve(st.Role)
	if err != nil {
		return err
	}
	_, dsuper := m["superuser"]
	_, drepl := m["replication"]
	_, dbypass := m["bypassrls"]
	_, dpassword := m["password"]
	switch {
	case old.Superuser || dsuper:
		if !x.super {
			return insufficient("must be superuser to alter superuser roles or change superuser attribute")
		}
	case old.Replication || drepl:
		if !x.super {
			return insufficient("must be superuser to alter replication roles or change replication attribute")
		}
	case dbypass:
		if !x.super {
			return insufficient("must be superuser to change bypassrls attribute")
		}
	case !x.createRole:
		// Without CREATEROLE a role may change only its own password.
		if len(m) != 1 || !dpassword || old.Name != x.env.User() {
			return insufficient("permission denied")
		}
	}
	r := old.Clone()
	if err := x.apply(r, m); err != nil {
		return err
	}
	return x.put(r)
}

func (x *roleExec) rename(st *pgdialect.RoleStmt) error {
	old, err := x.resolve(st.Role)
	if err != nil {
		return err
	}
	switch old.Name {
	case sessionUser(x.env):
		return pgerr.FeatureNotSupported("session user cannot be renamed")
	case x.env.User():
		return pgerr.FeatureNotSupported("current user cannot be renamed")
	}
	if _, ok := x.s.RoleByName(st.NewName); ok {
		return pgerr.New(pgerrcode.DuplicateObject, "role %q already exists", st.NewName)
	}
	if strings.HasPrefix(st.NewName, "pg_") {
		return pgerr.New(pgerrcode.ReservedName, "role name %q is reserved", st.NewName).
			WithDetail("Role names starting with \"pg_\" are reserved.")
	}
	if old.Superuser {
		if !x.super {
			return insufficient("must be superuser to rename superusers")
		}
	} else if !x.createRole {
		return insufficient("permission denied to rename role")
	}
	r := old.Clone()
	r.Name = st.NewName
	if scramsecret.IsMD5(r.Password) {
		// MD5 hashes are salted with the role name: PostgreSQL clears them.
		r.Password = ""
		x.env.Notice("MD5 password cleared because of role rename")
	}
	delete(x.s.Roles, old.Name)
	if err := catalog.DeleteRole(x.txn.KV, old.Name); err != nil {
		return err
	}
	if err := x.put(r); err != nil {
		return err
	}
	// Database owners are recorded by name.
	for name, db := range x.s.Databases {
		if db.Owner == old.Name {
			c := *db
			c.Owner = r.Name
			x.s.Databases[name] = &c
			if err := catalog.PutDatabase(x.txn.KV, name, r.Name); err != nil {
				return err
			}
			x.txn.dbsChanged = true
		}
	}
	return nil
}

func (x *roleExec) setConfig(st *pgdialect.RoleStmt) error {
	old, err := x.resolve(st.Role)
	if err != nil {
		return err
	}
	if old.Superuser && !x.super {
		return insufficient("must be superuser to alter superusers")
	}
	if !x.createRole && old.Name != x.env.User() {
		return insufficient("permission denied")
	}
	setName, setValue, _ := strings.Cut(st.Config, "=")
	if st.Config != "" {
		// The value must be one SET would take; it is stored normalised.
		v, err := config.CheckParam(setName, setValue)
		if err != nil {
			return err
		}
		st = &pgdialect.RoleStmt{Kind: st.Kind, Role: st.Role, Config: config.CanonicalName(setName) + "=" + v}
	} else if st.ConfigReset != "all" {
		if _, ok := config.LookupParam(st.ConfigReset); !ok && !strings.Contains(st.ConfigReset, ".") {
			return pgerr.New(pgerrcode.UndefinedObject, "unrecognized configuration parameter %q", st.ConfigReset)
		}
	}
	r := old.Clone()
	var keep []string
	for _, c := range r.Config {
		n, _, _ := strings.Cut(c, "=")
		switch {
		case st.ConfigReset == "all":
		case strings.EqualFold(n, st.ConfigReset), st.Config != "" && strings.EqualFold(n, setName):
		default:
			keep = append(keep, c)
		}
	}
	if st.Config != "" {
		keep = append(keep, st.Config)
	}
	r.Config = keep
	return x.put(r)
}

func (x *roleExec) drop(st *pgdialect.RoleStmt) error {
	if !x.createRole {
		return insufficient("permission denied to drop role")
	}
	for _, rs := range st.Names {
		r, err := x.resolve(rs)
		if err != nil {
			if st.IfExists && pgerr.Code(err) == pgerrcode.UndefinedObject {
				x.env.Notice(fmt.Sprintf("role %q does not exist, skipping", rs.Name))
				continue
			}
			return err
		}
		switch r.Name {
		case x.env.User():
			return pgerr.New(pgerrcode.ObjectInUse, "current user cannot be dropped")
		case sessionUser(x.env):
			return pgerr.New(pgerrcode.ObjectInUse, "session user cannot be dropped")
		}
		if r.Superuser && !x.super {
			return insufficient("must be superuser to drop superusers")
		}
		if r.ID == catalog.BootstrapSuperuserID {
			return pgerr.New(pgerrcode.DependentObjectsStillExist, "cannot drop role %s because it is required by the database system", r.Name)
		}
		if deps := x.dependents(r); len(deps) > 0 {
			return pgerr.New(pgerrcode.DependentObjectsStillExist, "role %q cannot be dropped because some objects depend on it", r.Name).
				WithDetail("%s", strings.Join(deps, "\n"))
		}
		delete(x.s.Roles, r.Name)
		if err := catalog.DeleteRole(x.txn.KV, r.Name); err != nil {
			return err
		}
		// Its memberships go with it, and privileges left on objects that no
		// longer exist.
		for _, o := range x.s.SortedRoles() {
			if _, ok := o.Member(r.ID); ok {
				c := o.Clone()
				c.MemberOf = removeMembership(c.MemberOf, r.ID)
				if err := x.put(c); err != nil {
					return err
				}
			}
		}
		for key, acl := range x.s.ACLs {
			var kept []catalog.ACLItem
			for _, it := range acl {
				if it.Grantee != r.ID {
					kept = append(kept, it)
				}
			}
			if len(kept) != len(acl) {
				if err := x.putACL(key, kept); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func removeMembership(ms []catalog.Membership, id uint32) []catalog.Membership {
	var out []catalog.Membership
	for _, m := range ms {
		if m.Role != id {
			out = append(out, m)
		}
	}
	return out
}

// dependents lists what keeps role r from being dropped, as DROP ROLE's detail
// words it: databases it owns and objects it holds privileges on.
func (x *roleExec) dependents(r *catalog.Role) []string {
	var out []string
	var dbs []string
	for name, db := range x.s.Databases {
		if db.Owner == r.Name {
			dbs = append(dbs, name)
		}
	}
	sort.Strings(dbs)
	for _, name := range dbs {
		out = append(out, "owner of database "+name)
	}
	keys := make([]string, 0, len(x.s.ACLs))
	for k := range x.s.ACLs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, it := range x.s.ACLs[k] {
			if it.Grantee == r.ID {
				if what, ok := x.describeACLKey(k); ok {
					out = append(out, "privileges for "+what)
				}
				break
			}
		}
	}
	return out
}

// describeACLKey names the object of an ACL key, if it still exists.
func (x *roleExec) describeACLKey(key string) (string, bool) {
	kind, db, rest := catalog.ParseACLKey(key)
	switch kind {
	case "database":
		_, ok := x.s.Databases[db]
		return "database " + db, ok
	case "schema":
		_, ok := x.s.Databases[db]
		return "schema " + rest, ok
	case "table", "column":
		idText, col, _ := strings.Cut(rest, "/")
		var id uint32
		if _, err := fmt.Sscan(idText, &id); err != nil {
			return "", false
		}
		t, ok := x.s.TableByID(db, id)
		if !ok {
			return "", false
		}
		what := "table " + t.Name
		if t.IsView() {
			what = "view " + t.Name
		}
		if kind == "column" {
			return "column " + col + " of " + what, true
		}
		return what, true
	case "sequence":
		var id uint32
		if _, err := fmt.Sscan(rest, &id); err != nil {
			return "", false
		}
		if d, ok := x.s.Databases[db]; ok {
			for _, q := range d.Sequences {
				if q.ID == id {
					return "sequence " + q.Name, true
				}
			}
		}
	}
	return "", false
}

// addMember makes mem a member of role g.
func (x *roleExec) addMember(g, mem *catalog.Role, admin bool) error {
	if g.Superuser {
		if !x.super {
			return insufficient("must be superuser to alter superusers")
		}
	} else if !x.createRole && !x.hasAdmin(g) {
		return insufficient("must have admin option on role %q", g.Name)
	}
	mem = x.s.Roles[mem.Name] // the latest version
	if mem.ID == g.ID || x.s.IsMember(g.ID, mem.ID) {
		return pgerr.New(pgerrcode.InvalidGrantOperation, "role %q is a member of role %q", g.Name, mem.Name)
	}
	if m, ok := mem.Member(g.ID); ok && (m.Admin || !admin) {
		x.env.Notice(fmt.Sprintf("role %q is already a member of role %q", mem.Name, g.Name))
		return nil
	}
	c := mem.Clone()
	if m, ok := c.Member(g.ID); ok {
		m.Admin = true
	} else {
		c.MemberOf = append(c.MemberOf, catalog.Membership{Role: g.ID, Grantor: x.curID(), Admin: admin})
	}
	return x.put(c)
}

// hasAdmin reports whether the current user holds g WITH ADMIN OPTION.
func (x *roleExec) hasAdmin(g *catalog.Role) bool {
	if x.cur == nil {
		return false
	}
	m, ok := x.cur.Member(g.ID)
	return ok && m.Admin
}

func (x *roleExec) grantRoles(st *pgdialect.RoleStmt) error {
	var granted, members []*catalog.Role
	for _, rs := range st.Names {
		r, err := x.resolve(rs)
		if err != nil {
			return err
		}
		granted = append(granted, r)
	}
	for _, rs := range st.Grantees {
		r, err := x.resolve(rs)
		if err != nil {
			return err
		}
		members = append(members, r)
	}
	if st.GrantedBy != nil {
		if _, err := x.resolve(*st.GrantedBy); err != nil {
			return err
		}
	}
	for _, g := range granted {
		if st.Kind == pgdialect.GrantRoles {
			for _, m := range members {
				if err := x.addMember(g, m, st.GrantOption); err != nil {
					return err
				}
			}
			continue
		}
		if g.Superuser {
			if !x.super {
				return insufficient("must be superuser to alter superusers")
			}
		} else if !x.createRole && !x.hasAdmin(g) {
			return insufficient("must have admin option on role %q", g.Name)
		}
		for _, m := range members {
			m = x.s.Roles[m.Name]
			if _, ok := m.Member(g.ID); !ok {
				warn(x.env, fmt.Sprintf("role %q is not a member of role %q", m.Name, g.Name))
				continue
			}
			c := m.Clone()
			if st.GrantOption {
				ms, _ := c.Member(g.ID)
				ms.Admin = false
			} else {
				c.MemberOf = removeMembership(c.MemberOf, g.ID)
			}
			if err := x.put(c); err != nil {
				return err
			}
		}
	}
	return nil
}

// Privilege letters of aclitem, per object type.
var privilegeLetters = map[string]map[string]string{
	"table":    {"INSERT": "a", "SELECT": "r", "UPDATE": "w", "DELETE": "d", "TRUNCATE": "D", "REFERENCES": "x", "TRIGGER": "t"},
	"sequence": {"SELECT": "r", "UPDATE": "w", "USAGE": "U"},
	"schema":   {"USAGE": "U", "CREATE": "C"},
	"database": {"CREATE": "C", "TEMPORARY": "T", "CONNECT": "c"},
	"column":   {"INSERT": "a", "SELECT": "r", "UPDATE": "w", "REFERENCES": "x"},
}

var allPrivileges = map[string]string{"table": "arwdDxt", "sequence": "rwU", "schema": "UC", "database": "CTc"}

// letters returns the privilege letters of privs on an object of kind, or
// 0LP01 for a privilege the kind does not have.
func letters(kind string, privs []pgdialect.Privilege, all bool, what string) (string, error) {
	if all {
		return allPrivileges[kind], nil
	}
	var b strings.Builder
	for _, p := range privs {
		l, ok := privilegeLetters[kind][p.Name]
		if !ok {
			return "", pgerr.New(pgerrcode.InvalidGrantOperation, "invalid privilege type %s for %s", p.Name, what)
		}
		if !strings.Contains(b.String(), l) {
			b.WriteString(l)
		}
	}
	return b.String(), nil
}

// aclTarget is one object a GRANT or REVOKE is about.
type aclTarget struct {
	key     string
	letters string
}

func (x *roleExec) grantPrivileges(st *pgdialect.RoleStmt) error {
	var grantees []uint32
	for _, rs := range st.Grantees {
		if rs.Special == "public" {
			grantees = append(grantees, 0)
			continue
		}
		r, err := x.resolve(rs)
		if err != nil {
			return err
		}
		grantees = append(grantees, r.ID)
	}
	if st.GrantedBy != nil {
		if _, err := x.resolve(*st.GrantedBy); err != nil {
			return err
		}
	}
	// The privileges must exist for the object type (tables take sequence
	// privileges too: GRANT ... ON TABLE names sequences as well).
	var tablePrivs, colPrivs []pgdialect.Privilege
	for _, p := range st.Privileges {
		kind := st.ObjectType
		if len(p.Columns) > 0 {
			kind = "column"
		}
		_, ok := privilegeLetters[kind][p.Name]
		if !ok && kind == "table" {
			_, ok = privilegeLetters["sequence"][p.Name]
		}
		if !ok {
			what := kind
			if kind == "table" {
				what = "relation"
			}
			return pgerr.New(pgerrcode.InvalidGrantOperation, "invalid privilege type %s for %s", p.Name, what)
		}
		if len(p.Columns) > 0 {
			colPrivs = append(colPrivs, p)
		} else {
			tablePrivs = append(tablePrivs, p)
		}
	}
	targets, err := x.targets(st, tablePrivs, colPrivs)
	if err != nil {
		return err
	}
	if st.Kind == pgdialect.RevokePrivileges {
		// Revoking a table's privilege revokes it from its columns too.
		for _, t := range targets {
			kind, db, id := catalog.ParseACLKey(t.key)
			if kind != "table" {
				continue
			}
			prefix := "column/" + db + "/" + id + "/"
			for key := range x.s.ACLs {
				if strings.HasPrefix(key, prefix) {
					targets = append(targets, aclTarget{key, t.letters})
				}
			}
		}
	}
	for _, t := range targets {
		acl := append([]catalog.ACLItem(nil), x.s.ACLs[t.key]...)
		for _, g := range grantees {
			acl = changeACL(acl, g, x.curID(), t.letters, st.Kind == pgdialect.GrantPrivileges, st.GrantOption)
		}
		if err := x.putACL(t.key, acl); err != nil {
			return err
		}
	}
	return nil
}

func (x *roleExec) putACL(key string, acl []catalog.ACLItem) error {
	if len(acl) == 0 {
		delete(x.s.ACLs, key)
	} else {
		x.s.ACLs[key] = acl
	}
	return catalog.PutACL(x.txn.KV, key, acl)
}

// changeACL grants (or revokes) the privilege letters to grantee.
func changeACL(acl []catalog.ACLItem, grantee, grantor uint32, letters string, grant, option bool) []catalog.ACLItem {
	if grant {
		for i := range acl {
			if acl[i].Grantee == grantee && acl[i].Grantor == grantor {
				acl[i].Privs = addLetters(acl[i].Privs, letters)
				if option {
					acl[i].Grantable = addLetters(acl[i].Grantable, letters)
				}
				return acl
			}
		}
		it := catalog.ACLItem{Grantee: grantee, Grantor: grantor, Privs: letters}
		if option {
			it.Grantable = letters
		}
		return append(acl, it)
	}
	var out []catalog.ACLItem
	for _, it := range acl {
		if it.Grantee == grantee {
			it.Grantable = removeLetters(it.Grantable, letters)
			if !option {
				it.Privs = removeLetters(it.Privs, letters)
			}
			if it.Privs == "" {
				continue
			}
		}
		out = append(out, it)
	}
	return out
}

func addLetters(have, add string) string {
	for _, c := range add {
		if !strings.ContainsRune(have, c) {
			have += string(c)
		}
	}
	return have
}

func removeLetters(have, drop string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(drop, r) {
			return -1
		}
		return r
	}, have)
}

// schemaExists reports whether schema name exists in database db.
func schemaExists(s *catalog.Schema, db, name string) bool {
	d, ok := s.Databases[db]
	return ok && (d.Schemas[name] != nil || catalog.IsSystemSchema(name))
}

func undefinedSchema(name string) error {
	return pgerr.New(pgerrcode.InvalidSchemaName, "schema %q does not exist", name)
}

// relation finds a table, view or sequence by a name as the parser returns it
// ("name", "schema.name", "db.schema.name"), along the search path when
// unqualified.
func (x *roleExec) relation(name string) (*catalog.Table, *catalog.Sequence, error) {
	ns := newNames(x.env, x.s)
	parts := strings.Split(name, ".")
	schema := ""
	if len(parts) == 3 {
		if err := ns.checkCatalog(parts[0], name); err != nil {
			return nil, nil, err
		}
		parts = parts[1:]
	}
	if len(parts) == 2 {
		schema = parts[0]
		if !schemaExists(x.s, x.env.Database(), ns.schemaOf(schema)) {
			return nil, nil, undefinedSchema(schema)
		}
	}
	rel := parts[len(parts)-1]
	t, err := ns.relation(schema, rel)
	if err != nil {
		return nil, nil, err
	}
	if t != nil {
		return t, nil, nil
	}
	if q := ns.sequence(schema, rel); q != nil {
		return nil, q, nil
	}
	return nil, nil, pgerr.New(pgerrcode.UndefinedTable, "relation %q does not exist", name)
}

// targets resolves the objects of a GRANT or REVOKE and the letters each gets.
func (x *roleExec) targets(st *pgdialect.RoleStmt, tablePrivs, colPrivs []pgdialect.Privilege) ([]aclTarget, error) {
	db := x.env.Database()
	var out []aclTarget
	switch st.ObjectType {
	case "database":
		l, err := letters("database", st.Privileges, st.AllPrivileges, "database")
		if err != nil {
			return nil, err
		}
		for _, n := range st.Objects {
			if _, ok := x.s.Databases[n]; !ok {
				return nil, pgerr.New(pgerrcode.InvalidCatalogName, "database %q does not exist", n)
			}
			out = append(out, aclTarget{catalog.DatabaseACLKey(n), l})
		}
		return out, nil
	case "schema":
		l, err := letters("schema", st.Privileges, st.AllPrivileges, "schema")
		if err != nil {
			return nil, err
		}
		for _, n := range st.Objects {
			if !schemaExists(x.s, db, n) {
				return nil, undefinedSchema(n)
			}
			out = append(out, aclTarget{catalog.SchemaACLKey(db, n), l})
		}
		return out, nil
	}
	var tables []*catalog.Table
	var seqs []*catalog.Sequence
	if st.AllInSchema {
		for _, n := range st.Objects {
			if !schemaExists(x.s, db, n) {
				return nil, undefinedSchema(n)
			}
			d := x.s.Databases[db]
			if d == nil {
				continue
			}
			ts, qs := d.InSchema(n)
			if st.ObjectType == "table" {
				tables = append(tables, ts...)
			} else {
				seqs = append(seqs, qs...)
			}
		}
	} else {
		for _, n := range st.Objects {
			t, q, err := x.relation(n)
			if err != nil {
				return nil, err
			}
			if st.ObjectType == "sequence" && q == nil {
				return nil, pgerr.New(pgerrcode.WrongObjectType, "%q is not a sequence", n)
			}
			if t != nil {
				tables = append(tables, t)
			} else {
				seqs = append(seqs, q)
			}
		}
	}
	for _, t := range tables {
		what := "table"
		if len(tablePrivs) > 0 || st.AllPrivileges {
			l, err := letters("table", tablePrivs, st.AllPrivileges, what)
			if err != nil {
				return nil, err
			}
			out = append(out, aclTarget{catalog.TableACLKey(db, t.ID), l})
		}
		for _, p := range colPrivs {
			l, err := letters("column", []pgdialect.Privilege{p}, false, "column")
			if err != nil {
				return nil, err
			}
			for _, c := range p.Columns {
				if _, ok := t.Column(c); !ok {
					return nil, pgerr.New(pgerrcode.UndefinedColumn, "column %q of relation %q does not exist", c, t.Name)
				}
				out = append(out, aclTarget{catalog.ColumnACLKey(db, t.ID, c), l})
			}
		}
	}
	for _, q := range seqs {
		var l string
		if st.AllPrivileges {
			l = allPrivileges["sequence"]
		} else {
			var ok []pgdialect.Privilege
			for _, p := range tablePrivs {
				if _, valid := privilegeLetters["sequence"][p.Name]; valid {
					ok = append(ok, p)
				} else if st.ObjectType == "sequence" {
					return nil, pgerr.New(pgerrcode.InvalidGrantOperation, "invalid privilege type %s for sequence", p.Name)
				}
			}
			if len(ok) < len(tablePrivs) {
				warn(x.env, fmt.Sprintf("sequence %q only supports USAGE, SELECT, and UPDATE privileges", q.Name))
			}
			l, _ = letters("sequence", ok, false, "sequence")
		}
		if l != "" {
			out = append(out, aclTarget{catalog.SequenceACLKey(db, q.ID), l})
		}
	}
	return out, nil
}

// checkCreateDB refuses CREATE DATABASE to a current user without CREATEDB.
func checkCreateDB(env Env) error {
	if env.Superuser() {
		return nil
	}
	if r, ok := env.Schema().RoleByName(env.User()); ok && r.CreateDB {
		return nil
	}
	return insufficient("permission denied to create database")
}

// checkDropDB refuses DROP DATABASE to anyone but the owner and superusers.
func checkDropDB(env Env, db *catalog.Database) error {
	if env.Superuser() || db.Owner == env.User() {
		return nil
	}
	return insufficient("must be owner of database %s", db.Name)
}

// sessionUserFunc is current_user (user, current_role) or session_user.
func sessionUserFunc(name string) exec.Expr {
	if name != "session_user" {
		name = "current_user"
	}
	return &exec.Func{Name: name, T: types.Name, Fn: func(c *exec.Ctx, _ []types.Datum) (types.Datum, error) {
		if s, ok := c.Session.(SessionUserEnv); ok && name == "session_user" {
			return s.SessionUser(), nil
		}
		return c.Session.User(), nil
	}}
}
