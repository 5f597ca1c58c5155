package pgdialect

import (
	"fmt"
	"testing"

	"github.com/augurdb/augur/storage/pgerr"
)

func TestParseRole(t *testing.T) {
	for _, c := range []struct {
		sql  string
		want string // summary, or "ERR <sqlstate>"
	}{
		{"CREATE ROLE r", "1 r [] CREATE ROLE"},
		{"CREATE USER r WITH PASSWORD 'p' NOLOGIN", "1 r [password:p login:false] CREATE ROLE"},
		{"CREATE USER r", "1 r [login:true] CREATE ROLE"},
		{"CREATE ROLE r ENCRYPTED PASSWORD 'p' VALID UNTIL 'infinity' CONNECTION LIMIT -1", "1 r [password:p validuntil:infinity connectionlimit:-1] CREATE ROLE"},
		{"CREATE ROLE r IN ROLE a, b ROLE c ADMIN d", "1 r [addroleto:a,b rolemembers:c adminmembers:d] CREATE ROLE"},
		{"CREATE ROLE r LOGIN NOLOGIN", "ERR 42601"},
		{"CREATE ROLE r ENCRYPTED PASSWORD NULL", "ERR 42601"},
		{"CREATE ROLE r UNENCRYPTED PASSWORD 'x'", "ERR 0A000"},
		{"CREATE ROLE public", "ERR 42939"},
		{"CREATE ROLE session_user", "ERR 42939"},
		{"CREATE ROLE r BOGUS", "ERR 42601"},
		{"ALTER ROLE r WITH SUPERUSER", "2 r [superuser:true] ALTER ROLE"},
		{"ALTER ROLE current_user PASSWORD NULL", "2 current_user [password:<null>] ALTER ROLE"},
		{"ALTER ROLE r RENAME TO s", "3 r s ALTER ROLE"},
		{"ALTER ROLE current_user RENAME TO s", "ERR 42939"},
		{"ALTER ROLE r SET search_path TO a, b", "4 r search_path=a, b ALTER ROLE"},
		{"ALTER ROLE r RESET ALL", "4 r reset all ALTER ROLE"},
		{"ALTER ROLE ALL SET x = 1", "ERR 0A000"},
		{"DROP ROLE IF EXISTS a, b", "5 a,b ifexists DROP ROLE"},
		{"DROP USER a", "5 a DROP ROLE"},
		{"GRANT SELECT, INSERT ON t, public.u TO a, PUBLIC WITH GRANT OPTION", "6 table [SELECT INSERT] [t public.u] -> a,public option GRANT"},
		{"GRANT ALL PRIVILEGES ON SEQUENCE s TO a", "6 sequence all [s] -> a GRANT"},
		{"GRANT SELECT (a, b) ON t TO r", "6 table [SELECT(a,b)] [t] -> r GRANT"},
		{"GRANT USAGE ON ALL TABLES IN SCHEMA public TO r", "6 table in-schema [USAGE] [public] -> r GRANT"},
		{"REVOKE GRANT OPTION FOR SELECT ON t FROM r CASCADE", "7 table [SELECT] [t] -> r option cascade REVOKE"},
		{"GRANT a, b TO c WITH ADMIN OPTION", "8 a,b -> c option GRANT ROLE"},
		{"REVOKE ADMIN OPTION FOR a FROM c", "9 a -> c option REVOKE ROLE"},
		{"ALTER GROUP g ADD USER u", "8 g -> u ALTER ROLE"},
		{"GRANT EXECUTE ON FUNCTION f() TO r", "ERR 0A000"},
		{"GRANT BOGUS ON t TO r", "ERR 42601"},
	} {
		toks, err := Lex(c.sql)
		if err != nil {
			t.Fatal(err)
		}
		st, ok, err := ParseRole(c.sql, toks)
		var got string
		switch {
		case !ok:
			got = "not a role statement"
		case err != nil:
			got = "ERR " + pgerr.Code(err)
		default:
			got = summarize(st)
		}
		if got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.sql, got, c.want)
		}
	}
	for _, sql := range []string{"CREATE TABLE t (a int)", "CREATE USER MAPPING FOR r SERVER s", "SELECT 1"} {
		toks, _ := Lex(sql)
		if _, ok, _ := ParseRole(sql, toks); ok {
			t.Errorf("%s: taken for a role statement", sql)
		}
	}
}

func summarize(st *RoleStmt) string {
	names := func(rs []RoleSpec) string {
		s := ""
		for i, r := range rs {
			if i > 0 {
				s += ","
			}
			if r.Special != "" {
				s += r.Special
			} else {
				s += r.Name
			}
		}
		return s
	}
	flag := func(b bool, s string) string {
		if b {
			return " " + s
		}
		return ""
	}
	switch st.Kind {
	case RoleCreate, RoleAlter:
		var opts []string
		for _, o := range st.Options {
			v := ""
			switch {
			case o.Null:
				v = "<null>"
			case o.Name == "password" || o.Name == "validuntil":
				v = o.Text
			case o.Name == "connectionlimit":
				v = fmt.Sprint(o.Int)
			case o.Roles != nil:
				v = names(o.Roles)
			default:
				v = fmt.Sprint(o.Bool)
			}
			opts = append(opts, o.Name+":"+v)
		}
		return fmt.Sprintf("%d %s %v %s", st.Kind, names([]RoleSpec{st.Role}), opts, st.Tag)
	case RoleRename:
		return fmt.Sprintf("%d %s %s %s", st.Kind, st.Role.Name, st.NewName, st.Tag)
	case RoleSetConfig:
		if st.ConfigReset != "" {
			return fmt.Sprintf("%d %s reset %s %s", st.Kind, st.Role.Name, st.ConfigReset, st.Tag)
		}
		return fmt.Sprintf("%d %s %s %s", st.Kind, st.Role.Name, st.Config, st.Tag)
	case RoleDrop:
		return fmt.Sprintf("%d %s%s %s", st.Kind, names(st.Names), flag(st.IfExists, "ifexists"), st.Tag)
	case GrantRoles, RevokeRoles:
		return fmt.Sprintf("%d %s -> %s%s %s", st.Kind, names(st.Names), names(st.Grantees), flag(st.GrantOption, "option"), st.Tag)
	}
	var privs []string
	for _, p := range st.Privileges {
		s := p.Name
		if p.Columns != nil {
			s += "("
			for i, c := range p.Columns {
				if i > 0 {
					s += ","
				}
				s += c
			}
			s += ")"
		}
		privs = append(privs, s)
	}
	what := fmt.Sprint(privs)
	if st.AllPrivileges {
		what = "all"
	}
	return fmt.Sprintf("%d %s%s %s %v -> %s%s%s %s", st.Kind, st.ObjectType, flag(st.AllInSchema, "in-schema"), what, st.Objects,
		names(st.Grantees), flag(st.GrantOption, "option"), flag(st.Cascade, "cascade"), st.Tag)
}
