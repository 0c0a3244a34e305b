package auth

import "testing"

// TestAuthorizeDesignTable checks Authorize against DESIGN.md's "Who may do
// what", written out here independently of the rules map.
func TestAuthorizeDesignTable(t *testing.T) {
	t.Parallel()
	const me, other = 7, 8
	admin := Principal{UserID: me, Role: RoleAdmin}
	member := Principal{UserID: me, Role: RoleMember}
	auditor := Principal{UserID: me, Role: RoleAuditor}
	outsider := Principal{UserID: me, Role: RoleNone, SiteAdmin: true}

	apiAdmins := &TokenFacts{Kind: KindAPI, Visibility: VisibilityAdmins, OwnerUserID: other}
	apiOrg := &TokenFacts{Kind: KindAPI, Visibility: VisibilityOrg, OwnerUserID: other}
	svcAdmins := &TokenFacts{Kind: KindService, Visibility: VisibilityAdmins}
	svcOrg := &TokenFacts{Kind: KindService, Visibility: VisibilityOrg}
	cliMine := &TokenFacts{Kind: KindCLI, Visibility: VisibilityAdmins, OwnerUserID: me}
	cliOther := &TokenFacts{Kind: KindCLI, Visibility: VisibilityAdmins, OwnerUserID: other}
	newAPI := &TokenFacts{Kind: KindAPI, OwnerUserID: me}
	newCLIMine := &TokenFacts{Kind: KindCLI, OwnerUserID: me}
	newCLIOther := &TokenFacts{Kind: KindCLI, OwnerUserID: other}
	newService := &TokenFacts{Kind: KindService}

	type want struct{ admin, member, auditor, outsider bool }
	tests := []struct {
		name   string
		action Action
		token  *TokenFacts
		want   want
	}{
		{"see admins-only API token", ViewToken, apiAdmins, want{true, false, true, false}},
		{"see org-visible API token", ViewToken, apiOrg, want{true, true, true, false}},
		{"see admins-only service token", ViewToken, svcAdmins, want{true, false, true, false}},
		{"see org-visible service token", ViewToken, svcOrg, want{true, true, true, false}},
		{"see own CLI token", ViewToken, cliMine, want{true, true, true, false}},
		{"see another's CLI token", ViewToken, cliOther, want{true, false, true, false}},
		{"create API token", CreateToken, newAPI, want{true, false, false, false}},
		{"create own CLI token", CreateToken, newCLIMine, want{true, true, false, false}},
		{"create someone else's CLI token", CreateToken, newCLIOther, want{false, false, false, false}},
		{"onboard a service", ManageServices, nil, want{true, false, false, false}},
		{"create service token", CreateToken, newService, want{true, false, false, false}},
		{"edit", EditToken, apiOrg, want{true, false, false, false}},
		{"rotate", RotateToken, apiOrg, want{true, false, false, false}},
		{"disable", DisableToken, apiOrg, want{true, false, false, false}},
		{"revoke API token", RevokeToken, apiOrg, want{true, false, false, false}},
		{"revoke own CLI token", RevokeToken, cliMine, want{true, true, false, false}},
		{"revoke another's CLI token", RevokeToken, cliOther, want{true, false, false, false}},
		{"reveal org-visible", RevealToken, apiOrg, want{true, true, false, false}},
		{"reveal admins-only", RevealToken, apiAdmins, want{false, false, false, false}},
		{"bulk actions", BulkTokens, nil, want{true, false, false, false}},
		{"members and roles", ManageMembers, nil, want{true, false, false, false}},
		{"token policy", ManagePolicy, nil, want{true, false, false, false}},
		{"list services", ViewServices, nil, want{true, false, true, false}},
		{"audit trail", ViewAudit, nil, want{true, false, true, false}},
		{"open a token tab", ViewTokens, nil, want{true, true, true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range []struct {
				who  string
				p    Principal
				want bool
			}{{"admin", admin, tt.want.admin}, {"member", member, tt.want.member}, {"auditor", auditor, tt.want.auditor}, {"outsider", outsider, tt.want.outsider}} {
				if got := Authorize(c.p, tt.action, tt.token); got != c.want {
					t.Errorf("%s: got %v, want %v", c.who, got, c.want)
				}
			}
		})
	}
}

// TestListFilterAgreesWithViewToken checks that the list filter a query
// applies admits exactly the tokens ViewToken allows.
func TestListFilterAgreesWithViewToken(t *testing.T) {
	t.Parallel()
	const me, other = 7, 8
	for _, role := range []Role{RoleAdmin, RoleMember, RoleAuditor, RoleNone} {
		p := Principal{UserID: me, Role: role}
		for _, k := range Kinds {
			f := TokenListFilter(p, k)
			for _, vis := range []string{VisibilityAdmins, VisibilityOrg} {
				for _, owner := range []int64{me, other} {
					tok := &TokenFacts{Kind: k, Visibility: vis, OwnerUserID: owner}
					listed := !f.Nothing && (!f.OnlyOrgVisible || vis == VisibilityOrg) && (f.OwnerUserID == 0 || f.OwnerUserID == owner)
					if listed != Authorize(p, ViewToken, tok) {
						t.Errorf("%s %s %s owner=%d: listed=%v, ViewToken=%v", role, k, vis, owner, listed, !listed)
					}
				}
			}
		}
	}
}

func TestSealer(t *testing.T) {
	t.Parallel()
	key := make([]byte, MasterKeySize)
	s, err := NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	sealed := s.Seal("id-1", "twa_secret")
	if got, err := s.Open("id-1", sealed); err != nil || got != "twa_secret" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := s.Open("id-2", sealed); err == nil {
		t.Error("opened with another token's id")
	}
	other, err := NewSealer(append([]byte{1}, key[1:]...))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Open("id-1", sealed); err == nil {
		t.Error("opened with another key")
	}
	if _, err := s.Open("id-1", sealed[:10]); err == nil {
		t.Error("opened a truncated value")
	}
	first, second := s.Seal("id-1", "x"), s.Seal("id-1", "x")
	if string(first) == string(second) {
		t.Error("nonce reused: sealing twice gave the same bytes")
	}
}
