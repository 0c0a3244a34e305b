package web_test

import (
	"context"
	"mime"
	"net/url"
	"strings"
	"testing"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/web/core"
)

// TestOrgRemovedEmail: an admin removing their org from max's personal
// token emails max, naming the org and linking to /me/tokens.
func TestOrgRemovedEmail(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	sink, _ := startSMTP(t, "none")
	ada := a.signIn("ada")
	saveSMTP(t, ada, sink, "none", nil)
	max := a.user(t, "max")
	is := a.issue(t, core.TokenRequest{Kind: auth.KindPersonal, Name: "max automation", Orgs: []store.Org{a.org}, CreatorID: max.ID, OwnerUserID: max.ID})
	ada.get("/orgs/acme/settings/tokens/api")
	if r := ada.post("/orgs/acme/settings/tokens/personal/"+is.Token.ID+"/remove-org", url.Values{}); r.status != 303 {
		t.Fatalf("remove: status %d %s", r.status, r.body)
	}
	if _, err := a.srv.RunMailPass(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := sink.messages()
	if len(got) != 1 || strings.Join(got[0].to, ",") != "max@example.com" {
		t.Fatalf("messages %+v", got)
	}
	p := parseMail(t, got[0].data)
	subject, _ := new(mime.WordDecoder).DecodeHeader(p.header.Get("Subject"))
	if !strings.Contains(subject, `an organization was removed from your personal token "max automation"`) {
		t.Errorf("subject %q", subject)
	}
	if !strings.Contains(p.text, "removed the organization Acme") || !strings.Contains(p.text, a.ts.URL+"/me/tokens") {
		t.Errorf("text part:\n%s", p.text)
	}
	if strings.Contains(string(got[0].data), is.Secret) {
		t.Error("the email holds the secret")
	}
}
