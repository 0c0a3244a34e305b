package auth

// This file is DESIGN.md's "Whose power a token carries", the one place
// that decides who a token acts as when it makes a request.

// Bearer is what deciding a token's power needs to know about the token
// making a request: its kind, who made it, who owns it and that owner's
// standing in the token's org now.
type Bearer struct {
	Kind          Kind
	CreatorID     int64
	OwnerUserID   int64 // 0 for service tokens, which a service owns
	OwnerRole     Role  // the owner's current role in the org the request is for
	OwnerDisabled bool  // the owner's account is disabled
}

// OwnerDisabledMessage is why a person's token is refused while its
// owner's account is disabled.
const OwnerDisabledMessage = "the owner's account is disabled"

// TokenPrincipal is who a token acts as, and whether it may act at all.
//
// API and service tokens are the org's credentials: only admins make or
// edit them, so they act with admin power in their org, limited by their
// scopes (which each API route requires), whatever later happens to the
// person who made them. They act under their owner's (or, for service
// tokens, their creator's) id, which is who the record names.
//
// CLI and personal tokens are a person's: they act as their owner with the
// owner's current role in the org a request is for (for a personal token,
// one of the orgs granted to it), capped by their scopes, and not at all while
// the owner's account is disabled (ok is false; the refusal says
// OwnerDisabledMessage).
func TokenPrincipal(b Bearer) (p Principal, ok bool) {
	switch b.Kind {
	case KindAPI, KindService:
		id := b.OwnerUserID
		if id == 0 {
			id = b.CreatorID
		}
		return Principal{UserID: id, Role: RoleAdmin, OrgCredential: true}, true
	case KindCLI, KindPersonal:
		if b.OwnerDisabled {
			return Principal{}, false
		}
		return Principal{UserID: b.OwnerUserID, Role: b.OwnerRole}, true
	}
	return Principal{}, false
}
