package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
)

// personTokenActions checks that a page lists max's API tokens with
// rotate, hand over and revoke, and says he may still hold their secrets.
func (rc *removalCase) personTokenActions(t *testing.T, r response) {
	t.Helper()
	for _, name := range []string{"max api 1", "max api 2"} {
		tok := rc.toks[name]
		r.contains(t, `data-testid="person-token-`+name+`"`, tokenURL(tok, "rotate"), tokenURL(tok, "revoke"),
			"/orgs/acme/settings/members/"+itoa(rc.max.ID)+"/tokens/"+tok.ID+"/handover")
	}
	r.contains(t, "max may still hold it. Rotate it as well")
	r.lacks(t, `data-testid="person-token-max-laptop"`)
}

func TestRemovalOffersRotateHandOverAndRevokeForAPITokens(t *testing.T) {
	t.Parallel()
	rc := newRemovalCase(t)
	r := rc.c.get(rc.path)
	rc.personTokenActions(t, r)
	r.contains(t, "max may still hold their secrets: rotate them too")
	if r := rc.c.post(rc.path, url.Values{"api_tokens": {"transfer"}, "transfer_to": {itoa(rc.ada.ID)}}); r.status != http.StatusSeeOther {
		t.Fatalf("remove: %d", r.status)
	}
	rc.c.get("/orgs/acme/settings/members").contains(t, "Handed 2 API tokens to ada. max may still hold their secrets: rotate them so those copies stop working.")
}

func TestDemotedAdminsAPITokensAreShownWithActions(t *testing.T) {
	t.Parallel()
	rc := newRemovalCase(t)
	rc.c.get("/orgs/acme/settings/members")
	r := rc.c.post("/orgs/acme/settings/members/"+itoa(rc.max.ID)+"/role", url.Values{"role": {"member"}})
	page := "/orgs/acme/settings/members/" + itoa(rc.max.ID) + "/tokens"
	if r.status != http.StatusSeeOther || r.header.Get("Location") != page {
		t.Fatalf("demote: %d, Location %q", r.status, r.header.Get("Location"))
	}
	r = rc.c.get(page)
	r.contains(t, "max is now member. Their 2 API tokens keep working as the organization&#39;s; max may still hold the secrets.")
	rc.personTokenActions(t, r)

	t.Run("hand over says the secret may still be held", func(t *testing.T) {
		tok := rc.toks["max api 1"]
		r := rc.c.post(page+"/"+tok.ID+"/handover", url.Values{"transfer_to": {itoa(rc.ada.ID)}, "back": {page}})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != page {
			t.Fatalf("hand over: %d, Location %q", r.status, r.header.Get("Location"))
		}
		rc.c.get(page).contains(t, "Handed API token &#34;max api 1&#34; to ada. max may still hold its secret: rotate it so that copy stops working.")
		if got := rc.token("max api 1"); got.OwnerUserID != rc.ada.ID || got.CreatorID != rc.max.ID {
			t.Errorf("owner %d creator %d, want ada and max", got.OwnerUserID, got.CreatorID)
		}
		events, err := rc.a.db.TokenEvents(context.Background(), rc.a.org.ID, tok.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 1 || events[0].Action != "token.transferred" {
			t.Errorf("events = %+v", events)
		}
	})
	t.Run("not to a non-admin", func(t *testing.T) {
		audra := rc.a.user(t, "audra")
		rc.c.post(page+"/"+rc.toks["max api 2"].ID+"/handover", url.Values{"transfer_to": {itoa(audra.ID)}})
		rc.c.get(page).contains(t, "Not handed over: API tokens can be handed only to another admin")
		if got := rc.token("max api 2"); got.OwnerUserID != rc.max.ID {
			t.Errorf("handed to a non-admin: owner %d", got.OwnerUserID)
		}
	})
}

func TestDisableConfirmationListsAPITokensWithActions(t *testing.T) {
	t.Parallel()
	rc := newRemovalCase(t)
	path := "/admin/users/" + itoa(rc.max.ID) + "/disable"
	rc.c.get("/admin").contains(t, `href="`+path+`"`)
	r := rc.c.get(path)
	if r.status != http.StatusOK {
		t.Fatalf("status %d", r.status)
	}
	rc.personTokenActions(t, r)
	r.contains(t, "Their CLI tokens (1) are refused from the next request on", `action="`+path+`"`)

	t.Run("a site admin outside the org sees them without actions", func(t *testing.T) {
		r := rc.a.signIn("gus").get(path)
		r.contains(t, "max api 1", "Only an admin of Acme can act on it.")
		r.lacks(t, tokenURL(rc.toks["max api 1"], "rotate"))
	})
}
