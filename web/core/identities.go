package core

import (
	"context"
	"strings"

	"tokenward/auth"
	"tokenward/auth/fault"
	"tokenward/store"
	"tokenward/web/identity"
)

// refused is a sign-in through a provider turned away, with why.
func refused(title, msg string) *fault.Error {
	return &fault.Error{Code: fault.Forbidden, Title: title, Message: msg}
}

// ProviderError turns a failure talking to provider p into the page a
// person sees: what went wrong, and that nothing was changed.
func ProviderError(p store.IdentityProvider, err error) *fault.Error {
	msg := "The sign-in could not be completed."
	if e, ok := err.(*identity.Error); ok {
		msg = e.Message
	}
	return &fault.Error{Code: fault.Forbidden, Title: "Sign-in with " + p.Name + " failed",
		Message: msg + " Nothing was changed. Go back to the sign-in page and try again.", Err: err}
}

// joiningEmail is the address a person joins with: a verified one in the
// provider's allowed domains, the primary first. The message says why
// there is none.
func joiningEmail(p store.IdentityProvider, c identity.Claims) (string, *fault.Error) {
	verified := false
	for _, primary := range []bool{true, false} {
		for _, e := range c.Emails {
			if !e.Verified || e.Primary != primary {
				continue
			}
			verified = true
			if auth.DomainAllowed(e.Address, p.Domains) {
				return e.Address, nil
			}
		}
	}
	if !verified {
		return "", refused("Email not verified",
			"Your email address at "+p.Name+" is not verified, so it cannot be used to join. Verify it there and sign in again, or ask an admin for an invitation.")
	}
	return "", refused("Email domain not allowed",
		"Only people with a verified email address at "+strings.Join(p.Domains, ", ")+" may join through "+p.Name+". Ask an admin for an invitation.")
}

// primaryEmail is the address a linked identity is noted with.
func primaryEmail(c identity.Claims) string {
	for _, e := range c.Emails {
		if e.Primary {
			return e.Address
		}
	}
	if len(c.Emails) > 0 {
		return c.Emails[0].Address
	}
	return ""
}

// ProviderSignIn decides who signs in with claims from provider p: the user
// the identity is linked to, or a new user who joins p's org when p lets
// people with a verified email in its domains join. It never links an
// identity to an existing account by email, and never lets a disabled user
// in. The caller starts the session.
func (s *Core) ProviderSignIn(ctx context.Context, p store.IdentityProvider, c identity.Claims, actor store.Actor) (store.User, error) {
	if c.Subject == "" {
		return store.User{}, refused("Sign-in with "+p.Name+" failed", p.Name+" did not say who you are (no subject). Nothing was changed.")
	}
	u, err := s.DB.IdentityUser(ctx, p.ID, c.Subject)
	switch {
	case err == nil && u.Disabled():
		return store.User{}, refused("Account disabled", "Your account is disabled. Ask a site admin to enable it.")
	case err == nil:
		return u, nil
	case !store.IsNotFound(err):
		return store.User{}, err
	}
	if p.JoinOrgID == 0 {
		return store.User{}, refused("No account for this identity", "No Tokenward account is linked to this "+p.Name+
			" identity. If you have an account, sign in with your password and link "+p.Name+" under Sign-in methods; otherwise ask an admin for an invitation.")
	}
	email, ferr := joiningEmail(p, c)
	if ferr != nil {
		return store.User{}, ferr
	}
	u, err = s.DB.JoinThroughProvider(ctx, store.Join{Usernames: auth.UsernameCandidates(c.Login, email), Email: email,
		DisplayName: auth.ClipDisplayName(c.Name), Identity: store.Identity{ProviderID: p.ID, Subject: c.Subject, Email: email},
		Provider: p.Name, OrgID: p.JoinOrgID, Role: p.JoinRole}, actor)
	if fault.FieldsOf(err).Has("email") {
		return store.User{}, refused("Sign in to your account first", "An account with the email "+email+
			" exists already. Sign in to it with your password, then link "+p.Name+" under Sign-in methods.")
	}
	return u, err
}

// LinkProvider links the identity in claims to the signed-in user u, who
// asked for it. An identity linked to someone else is refused.
func (s *Core) LinkProvider(ctx context.Context, u store.User, p store.IdentityProvider, c identity.Claims, actor store.Actor) error {
	if c.Subject == "" {
		return refused("Link failed", p.Name+" did not say who you are (no subject). Nothing was changed.")
	}
	err := s.DB.LinkIdentity(ctx, u.ID, store.Identity{ProviderID: p.ID, Subject: c.Subject, Email: primaryEmail(c)}, p.Name, actor)
	if msg := fault.FieldsOf(err)["identity"]; msg != "" {
		return refused("Link failed", "Could not link "+p.Name+": "+msg+".")
	}
	return err
}

// ProviderAcceptInvitation accepts the invitation of code for the person
// behind claims at p: the account the identity is linked to accepts it (as
// a password sign-in would); an identity linked to nobody gets a new account
// with the invitation's address (and its rules: an address that has an
// account is refused, its owner signs in to accept), and is linked to it.
// Only the invitation decides who joins: the provider's email plays no part.
func (s *Core) ProviderAcceptInvitation(ctx context.Context, code string, p store.IdentityProvider, c identity.Claims, ip string) (store.Acceptance, error) {
	if c.Subject == "" {
		return store.Acceptance{}, refused("Sign-in with "+p.Name+" failed", p.Name+" did not say who you are (no subject). Nothing was changed.")
	}
	u, err := s.DB.IdentityUser(ctx, p.ID, c.Subject)
	switch {
	case err == nil && u.Disabled():
		return store.Acceptance{}, refused("Account disabled", "Your account is disabled. Ask a site admin to enable it.")
	case err == nil:
		return s.AcceptInvitation(ctx, code, u.ID, ip)
	case !store.IsNotFound(err):
		return store.Acceptance{}, err
	}
	inv, err := s.pendingInvitation(ctx, code)
	if err != nil {
		return store.Acceptance{}, err
	}
	var a store.Acceptance
	link := &store.IdentityLink{Identity: store.Identity{ProviderID: p.ID, Subject: c.Subject, Email: primaryEmail(c)}, ProviderName: p.Name}
	for _, name := range auth.UsernameCandidates(c.Login, inv.Email) {
		a, err = s.joinAsNewUser(ctx, code, store.NewUser{Username: name, DisplayName: auth.ClipDisplayName(c.Name)}, ip, link)
		if !fault.FieldsOf(err).Has("username") {
			break
		}
	}
	return a, err
}
