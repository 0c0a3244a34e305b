package web_test

import (
	"context"
	"net/http"
	"testing"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/web/core"
)

func TestMyTokens(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	ctx := context.Background()
	adaID, maxID := userID(t, a, "ada"), userID(t, a, "max")
	globex, err := a.db.OrgBySlug(ctx, "globex")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.db.AddMember(ctx, globex.ID, adaID, "member", store.Actor{UserID: userID(t, a, "gus")}); err != nil {
		t.Fatal(err)
	}
	adaAPI := mintToken(t, a, core.TokenRequest{Kind: auth.KindAPI, Name: "ada-api"})
	adaCLI := mintToken(t, a, core.TokenRequest{Kind: auth.KindCLI, Name: "ada-laptop"})
	adaGlobex := mintToken(t, a, core.TokenRequest{Org: globex, Kind: auth.KindCLI, Name: "ada-globex", CreatorID: adaID})
	adaOld := mintToken(t, a, core.TokenRequest{Kind: auth.KindCLI, Name: "ada-old"})
	if _, err := a.db.RevokeToken(ctx, a.org.ID, adaOld.ID, "", store.Actor{UserID: adaID}); err != nil {
		t.Fatal(err)
	}
	maxCLI := mintToken(t, a, core.TokenRequest{Kind: auth.KindCLI, Name: "max-laptop", CreatorID: maxID})
	svc := mintToken(t, a, core.TokenRequest{Kind: auth.KindService, Name: "ada-made-service"})

	t.Run("ada sees her own live tokens in every org", func(t *testing.T) {
		r := a.signIn("ada").get("/me/tokens")
		if r.status != http.StatusOK {
			t.Fatalf("status = %d\n%.1000s", r.status, r.body)
		}
		for _, tok := range []store.Token{adaAPI, adaCLI, adaGlobex} {
			r.contains(t, `data-testid="my-token-`+tok.ID+`"`, tok.Name, tok.Hint)
		}
		r.contains(t, "Acme", "Globex", "Never", "Active",
			`href="/orgs/acme/settings/tokens/cli?q=`+adaCLI.ID+`"`,
			`href="/orgs/acme/settings/tokens/api?q=`+adaAPI.ID+`"`,
			`href="/orgs/globex/settings/tokens/cli?q=`+adaGlobex.ID+`"`,
			`href="/me/tokens"`)
		for _, tok := range []store.Token{adaOld, maxCLI, svc} {
			r.lacks(t, tok.ID, tok.Name)
		}
	})
	t.Run("max sees only his", func(t *testing.T) {
		r := a.signIn("max").get("/me/tokens")
		r.contains(t, "max-laptop", "findings:local")
		r.lacks(t, "ada-api", "ada-laptop", "ada-globex", "ada-made-service")
	})
	t.Run("empty state", func(t *testing.T) {
		r := a.signIn("audra").get("/me/tokens")
		if r.status != http.StatusOK {
			t.Fatalf("status = %d", r.status)
		}
		r.contains(t, "You have no tokens yet. Create a CLI token on your organization's Tokens page, or run <code>tokenward login</code>.")
	})
	t.Run("anonymous is sent to sign in", func(t *testing.T) {
		if r := a.client().get("/me/tokens"); r.status != http.StatusSeeOther {
			t.Fatalf("status = %d", r.status)
		}
	})
}
