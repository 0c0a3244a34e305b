package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tokenward/auth"
	"tokenward/web/core"
)

// After a rotation with a grace, the row and the detail page say until when
// the old secret works, and an admin can end the grace now.

func TestGraceShownAndEndedWithoutJS(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	issued := a.issue(t, core.TokenRequest{Kind: auth.KindAPI, Name: "deployer", Scopes: []string{"api"}, CreatorID: userID(t, a, "ada"), OwnerUserID: userID(t, a, "ada")})
	admin := a.signIn("ada")
	admin.get(tokenURL(issued.Token, "rotate"))
	if r := admin.post(tokenURL(issued.Token, "rotate"), url.Values{"grace": {"1d"}, "hint": {issued.Token.Hint}}); r.status != http.StatusOK {
		t.Fatalf("rotate: %d", r.status)
	}
	tok := mustToken(t, a, issued.Token.ID)
	until := "Old secret works until " + tok.PrevValidUntil.UTC().Format("Mon 2 Jan, 15:04 UTC")
	admin.get("/orgs/acme/settings/tokens/api").contains(t, until, `data-testid="action-end-grace"`)
	detail := admin.get(tokenURL(tok, ""))
	detail.contains(t, until, `data-testid="end-grace"`)
	if strings.Contains(detail.body, `data-testid="action-end-grace"`) {
		t.Error("the detail page offers End grace now twice")
	}
	a.signIn("max").get(tokenURL(tok, "")).lacks(t, `data-testid="end-grace"`)
	admin.get(tokenURL(tok, "end-grace")).contains(t, `data-testid="end-grace-dialog"`, "End the grace of deployer?")
	if r := a.call(t, "GET", "/api/v1/token", issued.Secret, "", ""); r.status != http.StatusOK {
		t.Fatalf("the old secret during its grace: %d", r.status)
	}
	r := admin.post(tokenURL(tok, "end-grace"), url.Values{"back": {tokenURL(tok, "")}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != tokenURL(tok, "") {
		t.Fatalf("end grace: %d to %q", r.status, r.header.Get("Location"))
	}
	admin.get(tokenURL(tok, "")).lacks(t, "Old secret works until", `data-testid="end-grace"`)
	if r := a.call(t, "GET", "/api/v1/token", issued.Secret, "", ""); r.status != http.StatusUnauthorized {
		t.Errorf("the old secret after ending its grace: %d, want 401", r.status)
	}
}

func TestJourneyEndGraceNow(t *testing.T) {
	bothWays(t, func(t *testing.T, j *journey) {
		ctx := j.ctx
		a := seededApp(t)
		adminCreates(t, a, "api", url.Values{"name": {"deployer"}, "scopes": {"api"}, "expiry": {"30"}})
		signInBrowser(t, ctx, a, "ada")
		visit(t, ctx, apiTab(a))
		row := rowSel("deployer")
		j.openDialog(row+" "+testid("action-rotate"), "rotate-dialog")
		run(t, ctx, chromedp.Click(testid("rotate-dialog")+" "+testid("grace-1d"), chromedp.ByQuery))
		if st := submit(t, ctx, testid("rotate-dialog")+" "+testid("rotate-submit")); st != http.StatusOK {
			t.Fatalf("rotate: status %d", st)
		}
		j.revealed()
		j.closeReveal()
		want := "Old secret works until " + time.Now().UTC().Add(24*time.Hour).Format("Mon 2 Jan")
		if got := textOf(t, ctx, row+" "+testid("grace-note")); !strings.HasPrefix(got, want) {
			t.Errorf("the row says %q, want %q…", got, want)
		}
		if st := submit(t, ctx, row+" "+testid("token-name")); st != http.StatusOK {
			t.Fatalf("detail: status %d", st)
		}
		if got := textOf(t, ctx, testid("grace-note")); !strings.HasPrefix(got, want) {
			t.Errorf("the detail page says %q, want %q…", got, want)
		}
		j.openDialog(testid("end-grace"), "end-grace-dialog")
		if st := submit(t, ctx, testid("end-grace-dialog")+" "+testid("confirm-submit")); st != http.StatusOK {
			t.Fatalf("end grace: status %d", st)
		}
		wantFlash(t, ctx, "success", "Ended the grace of deployer")
		if p := currentPath(t, ctx); !strings.HasPrefix(p, "/orgs/acme/settings/tokens/api/") {
			t.Errorf("after ending the grace the page is %s, want the token's page", p)
		}
		if exists(t, ctx, testid("grace-note")) {
			t.Error("the grace note is still shown after ending it")
		}
	})
}
