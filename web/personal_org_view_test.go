package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestPersonalTokensAsTheOrgSeesThem: a personal token granted to an org is
// on that org's audit page (and its CSV) with the rest, may be opened by
// the org's admins and auditors, and is its owner's to change: the org's
// admins may only remove their org from it.
func TestPersonalTokensAsTheOrgSeesThem(t *testing.T) {
	t.Parallel()
	g := newGrantsCase(t)
	a := g.a
	ada := a.signIn("ada")
	maxID, adaID := g.maxToken.Token.ID, g.adaToken.Token.ID
	t.Run("both orgs' audit pages list the tokens granted to them", func(t *testing.T) {
		for _, org := range []string{"acme", "initech"} {
			page := ada.get("/orgs/" + org + "/settings/audit")
			page.contains(t, "max everywhere", "ada everywhere")
			csv := ada.get("/orgs/" + org + "/settings/audit/tokens.csv")
			csv.contains(t, maxID, adaID)
		}
		only := ada.get("/orgs/initech/settings/audit?kind=personal")
		only.contains(t, "max everywhere", "ada everywhere")
	})
	t.Run("a kind the audit page does not know is refused by name", func(t *testing.T) {
		r := ada.get("/orgs/acme/settings/audit?kind=twp")
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, "Kind is api, cli, service or personal.") {
			t.Errorf("status %d\n%.2000s", r.status, r.body)
		}
	})
	t.Run("an org admin opens one and may only remove the org from it", func(t *testing.T) {
		page := ada.get("/orgs/initech/settings/tokens/personal/" + maxID)
		if page.status != http.StatusOK {
			t.Fatalf("status %d\n%.2000s", page.status, page.body)
		}
		page.contains(t, "max everywhere", `data-testid="action-remove-org"`, `href="/orgs/initech/settings/tokens/api"`)
		page.lacks(t, `data-testid="action-edit"`, `data-testid="action-rotate"`, `data-testid="action-revoke"`, `data-testid="action-disable"`, "Revoke all tokens of")
		audra := a.signIn("audra")
		seen := audra.get("/orgs/acme/settings/tokens/personal/" + maxID)
		seen.contains(t, "max everywhere")
		seen.lacks(t, `data-testid="action-remove-org"`)
		if r := a.signIn("max").get("/orgs/acme/settings/tokens/personal/" + adaID); r.status != http.StatusNotFound {
			t.Errorf("a member opening another's personal token: %d", r.status)
		}
	})
	t.Run("an org admin's API token cannot change a member's personal token", func(t *testing.T) {
		r := a.call(t, "PATCH", "/api/v1/tokens/"+maxID, g.acmeAdmin, "application/json", `{"name":"taken over"}`)
		if r.status != http.StatusNotFound {
			t.Errorf("PATCH by the org's admin token: %d %s", r.status, r.body)
		}
		wantStatus(t, a.call(t, "POST", "/api/v1/tokens/"+maxID+"/revoke", g.acmeAdmin, "application/json", `{}`), r.status)
		got, err := a.db.PersonalToken(t.Context(), maxID)
		if err != nil || got.Name != "max everywhere" || !got.RevokedAt.IsZero() {
			t.Errorf("after the attempts: %+v %v", got, err)
		}
	})
	t.Run("the API lists them when asked, and refuses a type it does not know", func(t *testing.T) {
		wantStatus(t, a.call(t, "GET", "/api/v1/tokens?type=personal", g.acmeAdmin, "", ""), 200, `"max everywhere"`, `"kind":"personal"`)
		all := a.call(t, "GET", "/api/v1/tokens?type=all", g.acmeAdmin, "", "")
		wantStatus(t, all, 200, `"max everywhere"`, `"ada everywhere"`)
		if r := a.call(t, "GET", "/api/v1/tokens", g.acmeAdmin, "", ""); strings.Contains(r.body, "max everywhere") {
			t.Errorf("the default list holds personal tokens: %s", r.body)
		}
		wantStatus(t, a.call(t, "GET", "/api/v1/tokens?type=<b>", g.acmeAdmin, "", ""), 400, "Type is all, team or personal")
		wantStatus(t, a.call(t, "GET", "/api/v1/tokens?kind=cli&type=personal", g.acmeAdmin, "", ""), 400, "on API tokens only")
	})
	t.Run("once its org is removed, it leaves that org's pages", func(t *testing.T) {
		// initech from max's token, and acme (its first grant) from ada's.
		wantStatus(t, a.call(t, "DELETE", "/api/v1/orgs/initech/tokens/"+maxID+"/access", g.initechAdmin, "", ""), 204)
		wantStatus(t, a.call(t, "DELETE", "/api/v1/orgs/acme/tokens/"+adaID+"/access", g.acmeAdmin, "", ""), 204)
		ada.get("/orgs/initech/settings/audit").lacks(t, "max everywhere")
		ada.get("/orgs/initech/settings/audit").contains(t, "ada everywhere")
		ada.get("/orgs/acme/settings/audit").lacks(t, "ada everywhere")
		ada.get("/orgs/acme/settings/audit").contains(t, "max everywhere")
		ada.get("/orgs/acme/settings/audit/tokens.csv").lacks(t, adaID)
		if r := ada.get("/orgs/initech/settings/tokens/personal/" + maxID); r.status != http.StatusNotFound {
			t.Errorf("opening a token whose grant was removed: %d", r.status)
		}
	})
}
