package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"tokenward/store"
	"tokenward/views"
)

// TestOrgNameEndingInFullStopGetsNoSecond: "Acme Inc." closes a sentence
// with its own full stop, not "Acme Inc..".
func TestOrgNameEndingInFullStopGetsNoSecond(t *testing.T) {
	a := seededApp(t)
	ada := a.signIn("ada")
	ada.get("/admin")
	if r := ada.post("/admin/orgs", url.Values{"slug": {"initech"}, "name": {"Initech Inc."}}); r.status != http.StatusSeeOther {
		t.Fatalf("create org: %d\n%.1000s", r.status, r.body)
	}
	page := ada.get("/admin")
	page.contains(t, "Created Initech Inc. You are its first admin.")
	page.lacks(t, "Inc..")

	ctx := context.Background()
	org, err := a.db.OrgBySlug(ctx, "initech")
	if err != nil {
		t.Fatal(err)
	}
	m, err := a.db.CreateMember(ctx, org.ID, store.NewUser{Username: "milton", Email: "milton@example.com", PasswordHash: "x"},
		"member", store.Actor{Label: "test"})
	if err != nil {
		t.Fatal(err)
	}
	path := "/orgs/initech/settings/members/" + itoa(m.User.ID) + "/remove"
	ada.get(path)
	if r := ada.post(path, url.Values{"api_tokens": {"keep"}}); r.status != http.StatusSeeOther {
		t.Fatalf("remove member: %d\n%.1000s", r.status, r.body)
	}
	page = ada.get("/orgs/initech/settings/members")
	page.contains(t, "Removed milton from Initech Inc.")
	page.lacks(t, "Inc..")

	for in, want := range map[string]string{"Acme": "Acme.", "Acme Inc.": "Acme Inc.", "Yes!": "Yes!", "Who?": "Who?", "Etc…": "Etc…"} {
		if got := views.EndSentence(in); got != want {
			t.Errorf("EndSentence(%q) = %q, want %q", in, got, want)
		}
	}
}
