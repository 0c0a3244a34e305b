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

	// ViewTokens is opening a kind's tab; what the list then holds is
	// narrowed by ListFilter.
	ViewTokens Action = "tokens.view"
	// ViewToken is seeing one token's row or detail (never its secret).
	ViewToken Action = "token.view"
	// CreateToken is making a token of the given kind for the given owner.
	CreateToken Action = "token.create"
	// EditToken is changing name, scopes and visibility.
	EditToken Action = "token.edit"
	// RotateToken, DisableToken (and enable) change a token's life.
	RotateToken  Action = "token.rotate"
	DisableToken Action = "token.disable"
	// RevokeToken ends a token for good.
	RevokeToken Action = "token.revoke"
	// RevealToken is showing and copying an org-visible token's secret.
	RevealToken Action = "token.reveal"
	// RemoveTokenOrg is "Remove organization from token": ending the org's
	// grant on someone's personal token.
	RemoveTokenOrg Action = "token.remove_org"
	// BulkTokens is selecting many tokens to revoke or disable together, and
	// revoking all of a user's or a service's tokens.
	BulkTokens Action = "tokens.bulk"

	// ViewServices lists onboarded services; ManageServices onboards and
	// removes them.
	ViewServices   Action = "services.view"
	ManageServices Action = "services.manage"
	// ManagePolicy is the org's token policy page.
	ManagePolicy Action = "policy.manage"
	// ViewOwnTokens is /me/tokens: anyone signed in sees their own tokens.
	ViewOwnTokens Action = "me.tokens"
	// ViewAudit is the audit trail: admins and auditors.
	ViewAudit Action = "audit.view"
)

// Principal is who asks: their role in the org at hand (RoleNone outside
// one) and whether they are a site admin. A token's principal comes from
// TokenPrincipal.
type Principal struct {
	UserID    int64
	Role      Role
	SiteAdmin bool
	// OrgCredential marks the org acting through one of its API or service
	// tokens, with the power the token's scopes grant, rather than a person.
	OrgCredential bool
}

// TokenFacts is what a decision needs to know about the token at hand. For
// CreateToken, Kind and OwnerUserID describe the token to be made.
type TokenFacts struct {
	Kind        Kind
	Visibility  string // "admins" or "org"
	OwnerUserID int64
}

// Visibility values.
const (
	VisibilityAdmins = "admins"
	VisibilityOrg    = "org"
)

// rule decides one action for a principal and, for token actions, a token
// (nil when the question is about tokens in general).
type rule func(p Principal, t *TokenFacts) bool

func isAdmin(p Principal, _ *TokenFacts) bool { return p.Role == RoleAdmin }

// adminNotPersonal is an org admin's power over the org's tokens, which
// stops at its members' personal tokens.
func adminNotPersonal(p Principal, t *TokenFacts) bool {
	return p.Role == RoleAdmin && (t == nil || t.Kind != KindPersonal)
}

func adminOrAuditor(p Principal, _ *TokenFacts) bool {
	return p.Role == RoleAdmin || p.Role == RoleAuditor
}

// ownCLI reports whether t is a CLI token of p's.
func ownCLI(p Principal, t *TokenFacts) bool {
	return t != nil && t.Kind == KindCLI && t.OwnerUserID == p.UserID && p.UserID != 0
}

// rules is the design's "who may do what" table. An action missing here is
// refused, so a new action cannot slip through without a rule.
var rules = map[Action]rule{
	ViewOrg:       func(p Principal, _ *TokenFacts) bool { return p.Role != RoleNone },
	ManageMembers: isAdmin,
	ManageSite:    func(p Principal, _ *TokenFacts) bool { return p.SiteAdmin },

	ViewTokens: func(p Principal, _ *TokenFacts) bool { return p.Role != RoleNone },
	ViewToken: func(p Principal, t *TokenFacts) bool {
		switch p.Role {
		case RoleAdmin, RoleAuditor:
			return true
		case RoleMember:
			return t != nil && (ownCLI(p, t) || (t.Kind != KindCLI && t.Visibility == VisibilityOrg))
		}
		return false
	},
	CreateToken: func(p Principal, t *TokenFacts) bool {
		if t == nil {
			return false
		}
		switch t.Kind {
		case KindCLI: // one's own, from the dashboard or `tokenward login`
			return (p.Role == RoleAdmin || p.Role == RoleMember) && t.OwnerUserID == p.UserID
		case KindAPI, KindService:
			return p.Role == RoleAdmin
		case KindPersonal: // one's own, granted to an org one belongs to
			return p.Role != RoleNone && t.OwnerUserID == p.UserID && p.UserID != 0
		}
		return false
	},
	// A personal token is its owner's to change, from /me/tokens; an org's
	// admins may only remove their org from it (RemoveTokenOrg).
	EditToken:    adminNotPersonal,
	RotateToken:  adminNotPersonal,
	DisableToken: adminNotPersonal,
	RevokeToken: func(p Principal, t *TokenFacts) bool {
		return adminNotPersonal(p, t) || (p.Role == RoleMember && ownCLI(p, t))
	},
	RevealToken: func(p Principal, t *TokenFacts) bool {
		return t != nil && t.Visibility == VisibilityOrg && t.Kind != KindCLI &&
			(p.Role == RoleAdmin || p.Role == RoleMember)
	},
	BulkTokens: isAdmin,
	// Asked about no token (the route's guard), then about the one at hand.
	RemoveTokenOrg: func(p Principal, t *TokenFacts) bool {
		return p.Role == RoleAdmin && (t == nil || t.Kind == KindPersonal)
	},

	ViewServices:   adminOrAuditor,
	ManageServices: isAdmin,
	ManagePolicy:   isAdmin,
	ViewOwnTokens:  func(p Principal, _ *TokenFacts) bool { return p.UserID != 0 },
	ViewAudit:      adminOrAuditor,
}

// Authorize reports whether p may do a (to t, for token actions). It is the
// one place permissions are decided; handlers and navigation both ask it.
func Authorize(p Principal, a Action, t *TokenFacts) bool {
	r, ok := rules[a]
	return ok && r(p, t)
}

// Known reports whether a has a rule, so tests can prove every route names
// a real action.
func Known(a Action) bool {
	_, ok := rules[a]
	return ok
}

// ListFilter narrows a token list to what p may see of a kind: the same
// decision as ViewToken, in a form a database query can apply.
type ListFilter struct {
	OnlyOrgVisible bool  // only tokens with visibility org
	OwnerUserID    int64 // only tokens owned by this user
	Nothing        bool  // p sees none of this kind
}

// TokenListFilter returns the filter that makes a list of kind k hold
// exactly the tokens ViewToken allows p to see.
func TokenListFilter(p Principal, k Kind) ListFilter {
	switch p.Role {
	case RoleAdmin, RoleAuditor:
		return ListFilter{}
	case RoleMember:
		if k == KindCLI {
			return ListFilter{OwnerUserID: p.UserID}
		}
		return ListFilter{OnlyOrgVisible: true}
	}
	return ListFilter{Nothing: true}
}
