package auth

// Action is something a person asks to do; Authorize decides whether they may.
type Action string

// The actions Tokenward checks. Every route names one (see web/routes.go).
const (
	// ViewOrg is opening any page of an org one belongs to.
	ViewOrg Action = "org.view"
	// ManageMembers is listing members, adding them, changing roles, removing.
	ManageMembers Action = "members.manage"
	// ManageSite is the site admin's work: orgs and users across the deployment.
	ManageSite Action = "site.manage"
)

// Principal is who asks: their role in the org at hand (RoleNone outside
// one) and whether they are a site admin.
type Principal struct {
	UserID    int64
	Role      Role
	SiteAdmin bool
}

// rule decides one action for a principal.
type rule func(p Principal) bool

// rules is the design's "who may do what" table. An action missing here is
// refused, so a new action cannot slip through without a rule.
var rules = map[Action]rule{
	ViewOrg:       func(p Principal) bool { return p.Role != RoleNone },
	ManageMembers: func(p Principal) bool { return p.Role == RoleAdmin },
	ManageSite:    func(p Principal) bool { return p.SiteAdmin },
}

// Authorize reports whether p may do a. It is the one place permissions are
// decided; handlers and navigation both ask it.
func Authorize(p Principal, a Action) bool {
	r, ok := rules[a]
	return ok && r(p)
}

// Known reports whether a has a rule, so tests can prove every route names
// a real action.
func Known(a Action) bool {
	_, ok := rules[a]
	return ok
}
