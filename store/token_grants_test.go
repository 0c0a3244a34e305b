package store_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"tokenward/auth/fault"
	"tokenward/store"
)

// livePersonalOrgs lists the slugs of a personal token's standing grants.
func liveGrantSlugs(t *testing.T, w *world, id string) string {
	t.Helper()
	grants, err := w.db.TokenGrants(w.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, g := range grants {
		if g.Live() {
			out = append(out, g.OrgSlug+":"+g.OwnerRole)
		}
	}
	return strings.Join(out, " ")
}

func wantInvalidOn(t *testing.T, err error, field, text string) {
	t.Helper()
	var fe *fault.Error
	if !errors.As(err, &fe) || !strings.Contains(fault.FieldsOf(err)[field], text) {
		t.Fatalf("err = %v (%+v), want a message on %s saying %q", err, fault.FieldsOf(err), field, text)
	}
}

func TestPersonalTokenGrants(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	nt := store.NewToken{Name: "laptop", Kind: "personal", Scopes: []string{"api"}, GrantOrgIDs: []int64{w.org.ID, w.other.ID}}
	tok, _ := w.mint(nt)

	t.Run("the token reaches each org granted, with the owner's role there", func(t *testing.T) {
		if got, want := liveGrantSlugs(t, w, tok.ID), "acme:admin globex:admin"; got != want {
			t.Errorf("grants = %q, want %q", got, want)
		}
		if _, err := w.db.GrantedToken(w.ctx, w.other.ID, tok.ID); err != nil {
			t.Errorf("GrantedToken(globex): %v", err)
		}
	})
	t.Run("an org the owner is not a member of is refused, nothing written", func(t *testing.T) {
		bad := store.NewToken{Name: "mia's", Kind: "personal", CreatorID: w.mia.ID, OwnerUserID: w.mia.ID, Scopes: []string{"api"},
			GrantOrgIDs: []int64{w.org.ID, w.other.ID}}
		w.prepare(&bad)
		_, err := w.db.CreateToken(w.ctx, bad, w.actor)
		wantInvalidOn(t, err, "orgs", "mia is not a member of globex")
		if page, err := w.db.Tokens(w.ctx, store.TokenQuery{OrgID: w.org.ID, Kind: "personal", Search: "mia's", PerPage: 10}); err != nil {
			t.Fatal(err)
		} else if page.Total != 0 {
			t.Errorf("refused token was stored: %+v", page.Tokens)
		}
	})
	t.Run("an empty org list is refused", func(t *testing.T) {
		bad := store.NewToken{Name: "nowhere", Kind: "personal", Scopes: []string{"api"}}
		w.prepare(&bad)
		_, err := w.db.CreateToken(w.ctx, bad, w.actor)
		wantInvalidOn(t, err, "orgs", "at least one organization")
	})
	t.Run("removing an org ends only that grant, notifies the owner and audits it", func(t *testing.T) {
		gen := w.db.TokenGeneration()
		admin := store.Actor{UserID: w.mia.ID, Label: "mia"}
		if _, err := w.db.RemoveTokenOrg(w.ctx, w.other.ID, tok.ID, store.GrantRemovedByAdmin, admin); err != nil {
			t.Fatal(err)
		}
		if w.db.TokenGeneration() == gen {
			t.Error("removing a grant did not move the token generation")
		}
		if got, want := liveGrantSlugs(t, w, tok.ID), "acme:admin"; got != want {
			t.Errorf("grants = %q, want %q", got, want)
		}
		if _, err := w.db.GrantedToken(w.ctx, w.other.ID, tok.ID); !store.IsNotFound(err) {
			t.Errorf("GrantedToken(globex) after removal: %v", err)
		}
		notes, err := w.db.Notifications(w.ctx, w.root.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(notes) == 0 || notes[0].Kind != store.NoticeOrgRemoved || !strings.Contains(notes[0].Message, "Globex") {
			t.Errorf("notifications = %+v", notes)
		}
		events, err := w.db.OrgEvents(w.ctx, w.other.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 1 || events[0].Action != "token.org_removed" || events[0].Details["owner"] != "root" {
			t.Errorf("globex events = %+v", events)
		}
		if _, err := w.db.RemoveTokenOrg(w.ctx, w.other.ID, tok.ID, store.GrantRemovedByAdmin, admin); !store.IsNotFound(err) {
			t.Errorf("second removal: %v, want not found", err)
		}
	})
	t.Run("the owner re-adds the org", func(t *testing.T) {
		if _, err := w.db.AddTokenOrg(w.ctx, w.root.ID, tok.ID, w.other.ID, w.actor); err != nil {
			t.Fatal(err)
		}
		if got, want := liveGrantSlugs(t, w, tok.ID), "acme:admin globex:admin"; got != want {
			t.Errorf("grants = %q, want %q", got, want)
		}
		if _, err := w.db.AddTokenOrg(w.ctx, w.root.ID, tok.ID, w.other.ID, w.actor); err == nil {
			t.Error("adding a standing grant again succeeded")
		}
		if _, err := w.db.AddTokenOrg(w.ctx, w.mia.ID, tok.ID, w.other.ID, w.actor); !store.IsNotFound(err) {
			t.Errorf("someone else adding an org: %v, want not found", err)
		}
	})
	t.Run("a member cannot re-add an org they have left", func(t *testing.T) {
		mias := store.NewToken{Name: "mia laptop", Kind: "personal", CreatorID: w.mia.ID, OwnerUserID: w.mia.ID, Scopes: []string{"api"},
			GrantOrgIDs: []int64{w.org.ID}}
		mt, _ := w.mint(mias)
		r, err := w.db.RemoveMember(w.ctx, w.org.ID, w.mia.ID, store.RemoveOptions{}, w.actor)
		if err != nil {
			t.Fatal(err)
		}
		if r.GrantsEnded != 1 || liveGrantSlugs(t, w, mt.ID) != "" {
			t.Errorf("removal %+v, grants %q", r, liveGrantSlugs(t, w, mt.ID))
		}
		_, err = w.db.AddTokenOrg(w.ctx, w.mia.ID, mt.ID, w.org.ID, store.Actor{UserID: w.mia.ID, Label: "mia"})
		wantInvalidOn(t, err, "orgs", "not a member of acme")
	})
}

// TestAuditListsGrantedPersonalTokens: an org's audit list holds the
// personal tokens its grants stand on, whichever org the token's row names,
// and drops one once its grant is removed.
func TestAuditListsGrantedPersonalTokens(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	both, _ := w.mint(store.NewToken{Name: "laptop", Kind: "personal", Scopes: []string{"api"}, GrantOrgIDs: []int64{w.org.ID, w.other.ID}})
	w.mint(store.NewToken{Name: "deploy", Kind: "api", Scopes: []string{"api"}})
	names := func(orgID int64, kind string) string {
		t.Helper()
		page, err := w.db.AuditTokens(w.ctx, store.AuditTokenQuery{OrgID: orgID, Kind: kind, PerPage: 50})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, tok := range page.Tokens {
			out = append(out, tok.Name)
		}
		if len(out) != page.Total {
			t.Errorf("total %d for %d listed", page.Total, len(out))
		}
		var exported []string
		if err := w.db.EachAuditToken(w.ctx, store.AuditTokenQuery{OrgID: orgID, Kind: kind}, func(tok store.AuditToken) error {
			exported = append(exported, tok.Name)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if strings.Join(exported, " ") != strings.Join(out, " ") {
			t.Errorf("export %q, list %q", exported, out)
		}
		slices.Sort(out) // made at the same instant, so their order is the ids'
		return strings.Join(out, " ")
	}
	if got := names(w.other.ID, ""); got != "laptop" {
		t.Errorf("globex lists %q, want its grant's laptop", got)
	}
	if got := names(w.org.ID, ""); got != "deploy laptop" {
		t.Errorf("acme lists %q", got)
	}
	if got := names(w.org.ID, "personal"); got != "laptop" {
		t.Errorf("acme's personal tokens: %q", got)
	}
	if _, err := w.db.RemoveTokenOrg(w.ctx, w.org.ID, both.ID, store.GrantRemovedByAdmin, w.actor); err != nil {
		t.Fatal(err)
	}
	if got := names(w.org.ID, ""); got != "deploy" {
		t.Errorf("acme after removing its grant lists %q", got)
	}
	if got := names(w.other.ID, ""); got != "laptop" {
		t.Errorf("globex after acme's removal lists %q", got)
	}
}

// TestAPIListWithGrantedPersonalTokens: an API list holds the personal
// tokens granted to the org when asked, beside the org's own or alone,
// whichever org the token's row names.
func TestAPIListWithGrantedPersonalTokens(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.mint(store.NewToken{Name: "deploy", Kind: "api", Scopes: []string{"api"}})
	names := func(orgID int64, granted string) string {
		t.Helper()
		page, err := w.db.Tokens(w.ctx, store.TokenQuery{OrgID: orgID, Kind: "api", Granted: granted, PerPage: 50})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, tok := range page.Tokens {
			out = append(out, tok.Name)
		}
		if len(out) != page.Total {
			t.Errorf("total %d for %d listed", page.Total, len(out))
		}
		slices.Sort(out)
		return strings.Join(out, " ")
	}
	if got := names(w.org.ID, store.GrantedToo); got != "deploy" {
		t.Errorf("before any grant: %q", got)
	}
	laptop, _ := w.mint(store.NewToken{Name: "laptop", Kind: "personal", Scopes: []string{"api"}, GrantOrgIDs: []int64{w.other.ID, w.org.ID}})
	for _, tt := range []struct{ granted, want string }{{"", "deploy"}, {store.GrantedToo, "deploy laptop"}, {store.GrantedOnly, "laptop"}} {
		if got := names(w.org.ID, tt.granted); got != tt.want {
			t.Errorf("Granted %q: %q, want %q", tt.granted, got, tt.want)
		}
	}
	if got := names(w.other.ID, store.GrantedToo); got != "laptop" {
		t.Errorf("globex: %q", got)
	}
	if _, err := w.db.RemoveTokenOrg(w.ctx, w.org.ID, laptop.ID, store.GrantRemovedByAdmin, w.actor); err != nil {
		t.Fatal(err)
	}
	if got := names(w.org.ID, store.GrantedToo); got != "deploy" {
		t.Errorf("after removing acme's grant: %q", got)
	}
}
