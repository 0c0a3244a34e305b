package auth

import "testing"

// TestWhosePowerATokenCarries checks TokenPrincipal against DESIGN.md's
// "Whose power a token carries".
func TestWhosePowerATokenCarries(t *testing.T) {
	t.Parallel()
	const creator, owner = 7, 8
	tests := []struct {
		name   string
		b      Bearer
		want   Principal
		wantOK bool
	}{
		{"API token of an admin", Bearer{Kind: KindAPI, CreatorID: creator, OwnerUserID: creator, OwnerRole: RoleAdmin},
			Principal{UserID: creator, Role: RoleAdmin, OrgCredential: true}, true},
		{"API token whose creator left", Bearer{Kind: KindAPI, CreatorID: creator, OwnerUserID: creator, OwnerRole: RoleNone},
			Principal{UserID: creator, Role: RoleAdmin, OrgCredential: true}, true},
		{"API token whose owner is disabled", Bearer{Kind: KindAPI, CreatorID: creator, OwnerUserID: owner, OwnerRole: RoleMember, OwnerDisabled: true},
			Principal{UserID: owner, Role: RoleAdmin, OrgCredential: true}, true},
		{"service token", Bearer{Kind: KindService, CreatorID: creator},
			Principal{UserID: creator, Role: RoleAdmin, OrgCredential: true}, true},
		{"CLI token of a member", Bearer{Kind: KindCLI, CreatorID: owner, OwnerUserID: owner, OwnerRole: RoleMember},
			Principal{UserID: owner, Role: RoleMember}, true},
		{"CLI token of a demoted admin", Bearer{Kind: KindCLI, CreatorID: owner, OwnerUserID: owner, OwnerRole: RoleAuditor},
			Principal{UserID: owner, Role: RoleAuditor}, true},
		{"CLI token of a disabled user", Bearer{Kind: KindCLI, CreatorID: owner, OwnerUserID: owner, OwnerRole: RoleAdmin, OwnerDisabled: true},
			Principal{}, false},
		{"unknown kind", Bearer{Kind: "nope"}, Principal{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := TokenPrincipal(tt.b)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("got %+v %v, want %+v %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
