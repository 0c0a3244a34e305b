package core

import (
	"context"
	"fmt"
	"strings"

	"tokenward/auth"
	"tokenward/store"
)

// ActorNames words who did something, for one viewer in one org. A change
// made with a token names that token only when auth.Authorize lets the
// viewer see it (ViewToken); anyone else reads "an API token (created by
// ada)", so a member never learns an admins-only token's name from an
// event, a notification, an email or an export.
type ActorNames struct {
	db     *store.DB
	orgID  int64
	viewer auth.Principal
	hidden map[string]string // token id → how the viewer reads it; "" names it
	// seesAll is set when the viewer may see every token of the org (the
	// list filter of every kind is empty), so no token need be looked up.
	seesAll bool
}

func NewActorNames(db *store.DB, orgID int64, viewer auth.Principal) *ActorNames {
	n := &ActorNames{db: db, orgID: orgID, viewer: viewer, hidden: map[string]string{}, seesAll: true}
	for _, k := range auth.Kinds {
		if auth.TokenListFilter(viewer, k) != (auth.ListFilter{}) {
			n.seesAll = false
		}
	}
	return n
}

// Label is how the viewer reads an actor recorded as label: as recorded
// when a person acted or the token is one they may see.
func (n *ActorNames) Label(ctx context.Context, tokenID, label string) (string, error) {
	if tokenID == "" || n.seesAll {
		return label, nil
	}
	h, ok := n.hidden[tokenID]
	if !ok {
		t, err := n.db.TokenByID(ctx, n.orgID, tokenID)
		switch {
		case store.IsNotFound(err):
			h = "a token" // not this org's: say nothing of it
		case err != nil:
			return "", err
		case !auth.Authorize(n.viewer, auth.ViewToken, TokenFacts(t)):
			h = unnamedToken(t)
		}
		n.hidden[tokenID] = h
	}
	if h == "" {
		return label, nil
	}
	return h, nil
}

// unnamedToken names a token without its name: "an API token (created by
// ada)".
func unnamedToken(t store.Token) string {
	what := map[string]string{"api": "an API token", "cli": "a CLI token", "service": "a service token"}[t.Kind]
	if what == "" {
		what = "a token"
	}
	return what + " (created by " + t.CreatorName + ")"
}

// Notice is a notification's message as its recipient reads it.
func (n *ActorNames) Notice(ctx context.Context, no store.Notification) (string, error) {
	if no.ActorTokenID == "" || no.ActorLabel == "" {
		return no.Message, nil
	}
	l, err := n.Label(ctx, no.ActorTokenID, no.ActorLabel)
	return strings.Replace(no.Message, no.ActorLabel, l, 1), err
}

// MemberPrincipal is a user as a principal of an org: their role there now
// (RoleNone once they left).
func MemberPrincipal(ctx context.Context, db *store.DB, orgID, userID int64) (auth.Principal, error) {
	m, err := db.Membership(ctx, orgID, userID)
	if err != nil && !store.IsNotFound(err) {
		return auth.Principal{}, err
	}
	return auth.Principal{UserID: userID, Role: auth.Role(m.Role)}, nil
}

// IntrospectedPrefix starts the last use of a token another token asked
// about; the asking token's id follows (ids are safe to show, names are
// not), and pages put its name back for viewers who may see it.
const IntrospectedPrefix = "introspected by token "

// LastUseWhat is what a token's last use did, as the viewer may read it:
// the token that introspected it named only if the viewer may see it.
func (n *ActorNames) LastUseWhat(ctx context.Context, what string) (string, error) {
	id, ok := strings.CutPrefix(what, IntrospectedPrefix)
	if !ok {
		if strings.HasPrefix(what, "introspected by ") && !n.seesAll {
			return "introspected by a token", nil // recorded by name, before ids
		}
		return what, nil
	}
	t, err := n.db.TokenByID(ctx, n.orgID, id)
	switch {
	case store.IsNotFound(err):
		return "introspected by a token", nil
	case err != nil:
		return "", err
	case auth.Authorize(n.viewer, auth.ViewToken, TokenFacts(t)):
		return fmt.Sprintf("introspected by %s (%s)", t.Name, t.Kind), nil
	}
	return "introspected by " + unnamedToken(t), nil
}
