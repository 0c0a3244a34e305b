package auth

import "fmt"

// Role is a member's role in an organization.
type Role string

// The roles, from most to least privileged. RoleNone is a signed-in user who
// is not a member of the org in question.
const (
	RoleAdmin   Role = "admin"
	RoleMember  Role = "member"
	RoleAuditor Role = "auditor"
	RoleNone    Role = ""
)

// Roles lists the roles a membership may have, in the order forms show them.
var Roles = []Role{RoleAdmin, RoleMember, RoleAuditor}

// ParseRole turns a form or flag value into a Role.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return RoleNone, fmt.Errorf("unknown role %q: choose admin, member or auditor", s)
}

// Label is the role as people read it.
func (r Role) Label() string {
	switch r {
	case RoleAdmin:
		return "Admin"
	case RoleMember:
		return "Member"
	case RoleAuditor:
		return "Auditor"
	}
	return "None"
}
