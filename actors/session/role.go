package session

import (
	"strings"

	"github.com/jackc/pgerrcode"

	"github.com/augurdb/augur/config"
	"github.com/augurdb/augur/planner"
	"github.com/augurdb/augur/storage/pgerr"
)

// The session's roles and its SQL-level prepared statements.
//
// The session user (SET SESSION AUTHORIZATION) and the current role (SET ROLE)
// are the parameters session_authorization and role, so that a transaction
// block's ROLLBACK and SET LOCAL undo them like any setting. Both are read-only
// to the generic SET path and to the startup packet: only setRoleVar changes
// them, after checking the catalog's roles.

// User is the current user: the role of SET ROLE, else the session user.
func (s *Session) User() string {
	if r, err := s.vars.Get("role"); err == nil && r != "" && r != "none" {
		return r
	}
	return s.SessionUser()
}

// SessionUser is the session user: the authenticated user, or the one SET
// SESSION AUTHORIZATION chose.
func (s *Session) SessionUser() string {
	if v, err := s.vars.Get("session_authorization"); err == nil && v != "" {
		return v
	}
	return s.opts.Startup.User
}

// Superuser reports whether the current user is a superuser now.
func (s *Session) Superuser() bool {
	user := s.User()
	if r, ok := s.Schema().RoleByName(user); ok {
		return r.Superuser
	}
	// A catalog without the role (no storage): what the handshake saw.
	return user == s.opts.Startup.User && s.opts.Startup.Role.Superuser
}

// Warning implements planner.WarningEnv.
func (s *Session) Warning(msg string) {
	s.notices = append(s.notices, warning(pgerrcode.Warning, msg))
}

// setRoleVar handles SET/RESET of role and session_authorization; handled is
// false for other parameters. nil values mean DEFAULT (RESET).
func (s *Session) setRoleVar(name string, values []string, local bool) (handled bool, err error) {
	var value string
	if len(values) > 0 {
		value = strings.Join(values, ", ")
	}
	switch strings.ToLower(name) {
	case "role":
		if values == nil || value == "none" {
			return true, s.assignVar("role", "none", local)
		}
		schema := s.Schema()
		target, ok := schema.RoleByName(value)
		if !ok {
			return true, pgerr.New(pgerrcode.InvalidParameterValue, "role %q does not exist", value)
		}
		su, ok := schema.RoleByName(s.SessionUser())
		if !ok || !su.Superuser && !schema.IsMember(su.ID, target.ID) {
			return true, pgerr.New(pgerrcode.InsufficientPrivilege, "permission denied to set role %q", value)
		}
		return true, s.assignVar("role", value, local)
	case "session_authorization":
		if values == nil {
			value = s.opts.Startup.User
		} else {
			if _, ok := s.Schema().RoleByName(value); !ok {
				return true, pgerr.New(pgerrcode.InvalidParameterValue, "role %q does not exist", value)
			}
			if !s.opts.Startup.Role.Superuser && value != s.opts.Startup.User {
				return true, pgerr.New(pgerrcode.InsufficientPrivilege, "permission denied to set session authorization")
			}
		}
		if err := s.assignVar("session_authorization", value, local); err != nil {
			return true, err
		}
		return true, s.assignVar("role", "none", local)
	}
	return false, nil
}

// assignVar sets a parameter the session checked itself, keeping SET LOCAL's
// undo record as SetVar does.
func (s *Session) assignVar(name, value string, local bool) error {
	if local && s.txStatus == 'I' {
		s.notices = append(s.notices, warning(pgerrcode.NoActiveSQLTransaction, "SET LOCAL can only be used in transaction blocks"))
		return nil
	}
	prev, prevErr := s.vars.Get(name)
	s.vars.Assign(name, value)
	if s.localUndo == nil {
		return nil
	}
	if local {
		if _, seen := s.localUndo[name]; !seen && prevErr == nil {
			s.localUndo[name] = prev
		}
	} else {
		delete(s.localUndo, name)
	}
	return nil
}

// AddPrepared implements planner.PreparedStatements: PREPARE shares the
// namespace of the protocol's named statements.
func (s *Session) AddPrepared(name string, st *planner.Statement, plan *planner.Plan) error {
	if _, ok := s.stmts[name]; ok {
		return pgerr.New(pgerrcode.DuplicatePreparedStatement, "prepared statement %q already exists", name)
	}
	s.stmts[name] = &prepared{name: name, stmt: st, plan: plan}
	return nil
}

// Prepared implements planner.PreparedStatements.
func (s *Session) Prepared(name string) (*planner.Plan, bool) {
	p, ok := s.stmts[name]
	if !ok || name == "" || p.plan == nil {
		return nil, false
	}
	return p.plan, true
}

// Deallocate implements planner.PreparedStatements.
func (s *Session) Deallocate(name string) bool {
	if _, ok := s.stmts[name]; !ok || name == "" {
		return false
	}
	delete(s.stmts, name)
	return true
}

// DeallocateAll implements planner.PreparedStatements. The unnamed statement is
// not a named one and stays.
func (s *Session) DeallocateAll() {
	for name := range s.stmts {
		if name != "" {
			delete(s.stmts, name)
		}
	}
}

// Discard implements planner.PreparedStatements. Plans are planned again by
// themselves when the schema changes, so DISCARD PLANS has nothing to drop.
// DISCARD TEMP (and ALL) drops the session's temporary objects in a
// transaction of its own, as the session's end does; inside a transaction
// block, whose writes may hold those objects, it is refused.
func (s *Session) Discard(what string) error {
	switch what {
	case "all":
		s.vars.Assign("session_authorization", s.opts.Startup.User)
		s.vars.Assign("role", "none")
		s.vars.ResetAll()
		s.DeallocateAll()
		s.SequenceState.Discard()
		s.discardTemp()
	case "sequences":
		s.SequenceState.Discard()
	case "temp":
		if s.InTransactionBlock() {
			return pgerr.FeatureNotSupported("DISCARD TEMP inside a transaction block is not supported yet")
		}
		s.discardTemp()
	}
	return nil
}

// discardTemp drops the session's temporary objects now; the next CREATE TEMP
// starts a temp schema of a new name.
func (s *Session) discardTemp() {
	s.dropTemp()
	s.temp = ""
}

// roleDefaults lays the role's ALTER ROLE ... SET values over the server's
// session defaults; the client's startup parameters override both, as in
// PostgreSQL. A value that no longer checks is skipped rather than refusing
// the login.
func roleDefaults(server map[string]string, roleConfig []string) map[string]string {
	if len(roleConfig) == 0 {
		return server
	}
	out := make(map[string]string, len(server)+len(roleConfig))
	for k, v := range server {
		out[strings.ToLower(k)] = v
	}
	for _, c := range roleConfig {
		name, value, ok := strings.Cut(c, "=")
		if !ok {
			continue
		}
		if v, err := config.CheckParam(name, value); err == nil {
			out[strings.ToLower(name)] = v
		}
	}
	return out
}
