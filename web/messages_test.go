package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
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

// TestDeviceCodeNamesTheLettersCodesNeverUse: a code with letters outside
// the alphabet is refused with those letters named, not "letters only".
func TestDeviceCodeNamesTheLettersCodesNeverUse(t *testing.T) {
	a := seededApp(t)
	member := a.signIn("max")
	for typed, want := range map[string][]string{
		"ABCD-EFGH": {"Codes never use “A” and “E”", "no vowels, no L or Y, no digits"},
		"bcdf-ghj0": {"Codes never use “0”"},
		"BCDL-LGHY": {"Codes never use “L” and “Y”"},
		"BCDF-GHJ":  {"A code has 8 letters; this has 7."},
	} {
		r := member.get("/device?code=" + url.QueryEscape(typed))
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("code %q: status %d", typed, r.status)
		}
		r.contains(t, append([]string{"8-letter code"}, want...)...)
		if strings.Contains(r.body, "letters only") {
			t.Errorf("code %q: still says letters only", typed)
		}
	}
}
