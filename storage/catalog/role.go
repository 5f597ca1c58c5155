package catalog

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// Roles and privileges are cluster-wide, like databases: their descriptors live
// under the database name "" (KindRole by role name, KindACL by object key), and
// the Schema holds them beside the databases, so role DDL and GRANT commit, roll
// back and recover with everything else. The handshake does not read the catalog:
// after each commit that changed roles the server writes them to the data
// directory's global.json (see docs/architecture.md, "Roles").

// Descriptor kinds of cluster-wide objects.
const (
	KindRole = "role"
	KindACL  = "acl"
)

// BootstrapSuperuserID is the OID of the bootstrap superuser, as in PostgreSQL.
const BootstrapSuperuserID = 10

// Role is a role (pg_authid). Other descriptors refer to roles by ID, so a
// rename touches only the role's own descriptor.
type Role struct {
	ID          uint32
	Name        string
	Superuser   bool `json:",omitempty"`
	NoInherit   bool `json:",omitempty"` // stored negated: INHERIT is the default
	CreateRole  bool `json:",omitempty"`
	CreateDB    bool `json:",omitempty"`
	CanLogin    bool `json:",omitempty"`
	Replication bool `json:",omitempty"`
	BypassRLS   bool `json:",omitempty"`
	// ConnLimit is the connection limit; -1 means none.
	ConnLimit int
	// Password is the stored secret in PostgreSQL's rolpassword format: a
	// SCRAM-SHA-256 verifier, or an MD5 hash a client supplied; "" means none.
	Password string `json:",omitempty"`
	// ValidUntil is the password's expiry in PostgreSQL timestamptz
	// microseconds; nil means it never expires.
	ValidUntil *int64 `json:",omitempty"`
	// MemberOf are the roles this role is a member of (pg_auth_members).
	MemberOf []Membership `json:",omitempty"`
	// Config holds "name=value" session defaults from ALTER ROLE ... SET.
	Config []string `json:",omitempty"`
}

// Inherit reports whether the role inherits its roles' privileges.
func (r *Role) Inherit() bool { return !r.NoInherit }

// Membership is one grant of a role to a member.
type Membership struct {
	Role    uint32 // the role granted
	Grantor uint32
	Admin   bool `json:",omitempty"`
}

// Clone returns a deep copy.
func (r *Role) Clone() *Role {
	c := *r
	c.MemberOf = append([]Membership(nil), r.MemberOf...)
	c.Config = append([]string(nil), r.Config...)
	if r.ValidUntil != nil {
		v := *r.ValidUntil
		c.ValidUntil = &v
	}
	return &c
}

// pgEpoch is where PostgreSQL's timestamps count from.
var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// Expires returns when the role's password expires; ok is false when it never
// does (no VALID UNTIL, or 'infinity').
func (r *Role) Expires() (t time.Time, ok bool) {
	switch {
	case r.ValidUntil == nil || *r.ValidUntil == math.MaxInt64:
		return time.Time{}, false
	case *r.ValidUntil == math.MinInt64:
		return time.Unix(0, 0).UTC(), true
	}
	v := *r.ValidUntil
	return time.Unix(pgEpoch.Unix()+v/1e6, v%1e6*1e3).UTC(), true
}

// Member returns the membership of r in role id.
func (r *Role) Member(id uint32) (*Membership, bool) {
	for i := range r.MemberOf {
		if r.MemberOf[i].Role == id {
			return &r.MemberOf[i], true
		}
	}
	return nil, false
}

// ACLItem is one privilege grant on an object (an aclitem). Grantee 0 is PUBLIC.
// Privs and Grantable hold PostgreSQL's privilege letters (arwdDxt for tables,
// rwU for sequences, UC for schemas, CTc for databases).
type ACLItem struct {
	Grantee   uint32
	Grantor   uint32
	Privs     string
	Grantable string `json:",omitempty"`
}

// ACL object keys: what an ACL descriptor is about.

// TableACLKey is the ACL key of a table or view of database db.
func TableACLKey(db string, id uint32) string { return fmt.Sprintf("table/%s/%d", db, id) }

// ColumnACLKey is the ACL key of a column of a table of database db.
func ColumnACLKey(db string, id uint32, column string) string {
	return fmt.Sprintf("column/%s/%d/%s", db, id, column)
}

// SequenceACLKey is the ACL key of a sequence of database db.
func SequenceACLKey(db string, id uint32) string { return fmt.Sprintf("sequence/%s/%d", db, id) }

// SchemaACLKey is the ACL key of a schema of database db.
func SchemaACLKey(db, name string) string { return "schema/" + db + "/" + name }

// DatabaseACLKey is the ACL key of a database.
func DatabaseACLKey(name string) string { return "database/" + name }

// ParseACLKey splits an ACL key into the object's kind, database and name or id.
func ParseACLKey(key string) (kind, db, name string) {
	parts := strings.SplitN(key, "/", 3)
	switch len(parts) {
	case 2:
		return parts[0], parts[1], ""
	case 3:
		return parts[0], parts[1], parts[2]
	}
	return key, "", ""
}

// RoleByName returns the role named name.
func (s *Schema) RoleByName(name string) (*Role, bool) {
	r, ok := s.Roles[name]
	return r, ok
}

// RoleByID returns the role with id.
func (s *Schema) RoleByID(id uint32) (*Role, bool) {
	for _, r := range s.Roles {
		if r.ID == id {
			return r, true
		}
	}
	return nil, false
}

// RoleIDFree reports whether no role has id.
func (s *Schema) RoleIDFree(id uint32) bool {
	_, taken := s.RoleByID(id)
	return !taken
}

// SortedRoles returns the roles ordered by name.
func (s *Schema) SortedRoles() []*Role {
	out := make([]*Role, 0, len(s.Roles))
	for _, r := range s.Roles {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// IsMember reports whether role member is role id or a member of it, directly or
// through other roles (PostgreSQL's is_member_of_role, which ignores INHERIT).
// Superusers are not special here.
func (s *Schema) IsMember(member, id uint32) bool {
	seen := map[uint32]bool{}
	var walk func(uint32) bool
	walk = func(m uint32) bool {
		if m == id {
			return true
		}
		if seen[m] {
			return false
		}
		seen[m] = true
		r, ok := s.RoleByID(m)
		if !ok {
			return false
		}
		for _, g := range r.MemberOf {
			if walk(g.Role) {
				return true
			}
		}
		return false
	}
	return walk(member)
}

// cloneGlobal copies the cluster-wide maps of s into c.
func (s *Schema) cloneGlobal(c *Schema) {
	c.Roles = make(map[string]*Role, len(s.Roles))
	for k, r := range s.Roles {
		c.Roles[k] = r
	}
	c.ACLs = make(map[string][]ACLItem, len(s.ACLs))
	for k, a := range s.ACLs {
		c.ACLs[k] = a
	}
}

// loadGlobal reads a cluster-wide descriptor into s; ok is false for other kinds.
func (s *Schema) loadGlobal(kind, name string, value []byte) (bool, error) {
	switch kind {
	case KindRole:
		r := &Role{}
		if err := json.Unmarshal(value, r); err != nil {
			return true, fmt.Errorf("catalog: role %s: %w", name, err)
		}
		s.Roles[r.Name] = r
		return true, nil
	case KindACL:
		var acl []ACLItem
		if err := json.Unmarshal(value, &acl); err != nil {
			return true, fmt.Errorf("catalog: privileges of %s: %w", name, err)
		}
		s.ACLs[name] = acl
		return true, nil
	}
	return false, nil
}

// PutRole writes r's descriptor.
func PutRole(w Writer, r *Role) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("catalog: encode role %s: %w", r.Name, err)
	}
	return w.Put(DescriptorKey("", KindRole, "", r.Name), b)
}

// DeleteRole removes the descriptor of the role named name.
func DeleteRole(w Writer, name string) error {
	return w.Delete(DescriptorKey("", KindRole, "", name))
}

// PutACL writes the privileges of the object key (none: the descriptor goes).
func PutACL(w Writer, key string, acl []ACLItem) error {
	if len(acl) == 0 {
		return w.Delete(DescriptorKey("", KindACL, "", key))
	}
	b, err := json.Marshal(acl)
	if err != nil {
		return fmt.Errorf("catalog: encode privileges of %s: %w", key, err)
	}
	return w.Put(DescriptorKey("", KindACL, "", key), b)
}
