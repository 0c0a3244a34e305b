package auth

import (
	"strings"
	"testing"
)

func TestValidateAccountNames(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 257)
	tests := []struct {
		name  string
		check func(string) string
		good  []string
		bad   []string
	}{
		{"username", ValidateUsername, []string{"ana", "ana.b-c_1", "0x"},
			[]string{"", long, "Ana", "<script>", "a b", "\xff\xfe", ".ana", "ana@x"}},
		{"email", ValidateEmail, []string{"ana@example.com", "a.b+c@sub.example.org"},
			[]string{"", "ana", long + "@example.com", "Ana <ana@example.com>", "<b>@x.com", "\xffa@example.com"}},
		{"slug", ValidateSlug, []string{"acme", "acme-2", "a"},
			[]string{"", "-acme", "acme-", "Acme", "ac me", "<i>", long, "\xff"}},
		{"display name", ValidateDisplayName, []string{"", "Ana Lopez", "O'Brien & Sons", "José"},
			[]string{"<script>alert(1)</script>", "a\tb", "line\nbreak", long, "\xff"}},
		{"org name", ValidateOrgName, []string{"Acme Inc.", "R&D"},
			[]string{"", "<b>x</b>", long, "\x00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, s := range tt.good {
				if msg := tt.check(s); msg != "" {
					t.Errorf("%q refused: %s", s, msg)
				}
			}
			for _, s := range tt.bad {
				if msg := tt.check(s); msg == "" {
					t.Errorf("%q accepted", s)
				}
			}
		})
	}
}

func TestAuthorizeUnknownActionRefused(t *testing.T) {
	t.Parallel()
	p := Principal{Role: RoleAdmin, SiteAdmin: true}
	if Authorize(p, Action("no.such.action"), nil) {
		t.Fatal("an action without a rule was allowed")
	}
	if !Authorize(p, ManageMembers, nil) || Authorize(Principal{Role: RoleMember}, ManageMembers, nil) {
		t.Fatal("members rule wrong")
	}
}
