package store_test

import (
	"slices"
	"testing"
	"time"

	"tokenward/auth"
	"tokenward/store"
)

// listWorld holds API tokens in every state, CLI tokens of two people and
// service tokens of two services. The clock ends 100 days after start.
type listWorld struct {
	*world
	tokens     map[string]store.Token // by name
	secrets    map[string]string
	svcA, svcB store.Service
}

func newListWorld(t *testing.T) *listWorld {
	w := &listWorld{world: newWorld(t), tokens: map[string]store.Token{}, secrets: map[string]string{}}
	day := 24 * time.Hour
	add := func(nt store.NewToken) store.Token {
		if nt.Scopes == nil {
			nt.Scopes = []string{"repo:list"}
		}
		tok, secret := w.mint(nt)
		w.tokens[nt.Name], w.secrets[nt.Name] = tok, secret
		return tok
	}
	// Made 100 days before "now": expires after 365 days, so only a
	// policy maximum under 100 days expires it.
	w.at(0)
	add(store.NewToken{Name: "ancient", ExpiresAt: w.start.Add(365 * day)})
	w.at(60 * day)
	add(store.NewToken{Name: "lapsed", ExpiresAt: w.start.Add(90 * day)})
	w.at(99 * day)
	add(store.NewToken{Name: "alpha deploy", Scopes: []string{"api"}, Visibility: auth.VisibilityOrg, ExpiresAt: w.start.Add(130 * day)})
	add(store.NewToken{Name: "beta_ci", Scopes: []string{"report"}, ExpiresAt: w.start.Add(110 * day)})
	add(store.NewToken{Name: "gamma%100", Scopes: []string{"repo", "report:read"}})
	add(store.NewToken{Name: "delta", CreatorID: w.mia.ID, ExpiresAt: w.start.Add(120 * day)})
	off := add(store.NewToken{Name: "epsilon"})
	gone := add(store.NewToken{Name: "zeta"})
	add(store.NewToken{Name: "mine", Kind: "cli"})
	add(store.NewToken{Name: "hers", Kind: "cli", CreatorID: w.mia.ID})
	w.at(100 * day)
	if _, err := w.db.SetTokenDisabled(w.ctx, w.org.ID, off.ID, true, w.actor); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.RevokeToken(w.ctx, w.org.ID, gone.ID, "", w.actor); err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"acme/payments", "acme/web"} {
		nt := store.NewToken{Name: name + " token", Kind: "service", Scopes: []string{"ci"}}
		w.prepare(&nt)
		svc, tok, err := w.db.CreateService(w.ctx, store.NewService{OrgID: w.org.ID, Name: name}, nt, w.actor)
		if err != nil {
			t.Fatal(err)
		}
		w.tokens[nt.Name] = tok
		if i == 0 {
			w.svcA = svc
		} else {
			w.svcB = svc
		}
	}
	// Last use: delta most recently, alpha before it; the rest never.
	if err := w.db.RecordUses(w.ctx, []store.Use{
		{TokenID: w.tokens["alpha deploy"].ID, At: w.start.Add(99*day + time.Hour), IP: "10.0.0.1"},
		{TokenID: w.tokens["delta"].ID, At: w.start.Add(99*day + 2*time.Hour), IP: "10.0.0.2"},
	}); err != nil {
		t.Fatal(err)
	}
	return w
}

// list runs q (org and kind api unless set) and returns the names in order.
func (w *listWorld) list(q store.TokenQuery) ([]string, int) {
	w.t.Helper()
	if q.OrgID == 0 {
		q.OrgID = w.org.ID
	}
	if q.Kind == "" {
		q.Kind = "api"
	}
	if q.PerPage == 0 {
		q.PerPage = 50
	}
	page, err := w.db.Tokens(w.ctx, q)
	if err != nil {
		w.t.Fatal(err)
	}
	var names []string
	for _, t := range page.Tokens {
		names = append(names, t.Name)
	}
	return names, page.Total
}

func sorted(names []string) []string { return slices.Sorted(slices.Values(names)) }

func TestTokensFilters(t *testing.T) {
	t.Parallel()
	w := newListWorld(t)
	live := []string{"alpha deploy", "ancient", "beta_ci", "delta", "epsilon", "gamma%100", "lapsed"}
	tests := []struct {
		name string
		q    store.TokenQuery
		want []string
	}{
		{"default hides revoked", store.TokenQuery{}, live},
		{"name in part, any case", store.TokenQuery{Search: "DEPLOY"}, []string{"alpha deploy"}},
		{"creator", store.TokenQuery{Search: "mia"}, []string{"delta"}},
		{"scope and its children", store.TokenQuery{Search: "report"}, []string{"beta_ci", "gamma%100"}},
		{"child scope", store.TokenQuery{Search: "report:read"}, []string{"gamma%100"}},
		{"hint start", store.TokenQuery{Search: w.tokens["delta"].Hint[:8]}, []string{"delta"}},
		{"hint end", store.TokenQuery{Search: w.tokens["beta_ci"].Hint[len(w.tokens["beta_ci"].Hint)-4:]}, []string{"beta_ci"}},
		{"exact id", store.TokenQuery{Search: w.tokens["ancient"].ID}, []string{"ancient"}},
		{"part of an id finds nothing", store.TokenQuery{Search: w.tokens["ancient"].ID[:13] + "x"}, nil},
		{"percent is literal", store.TokenQuery{Search: "%"}, []string{"gamma%100"}},
		{"underscore is literal", store.TokenQuery{Search: "ha_d"}, nil}, // as a wildcard: "alpha deploy"
		{"underscore matches itself", store.TokenQuery{Search: "ta_c"}, []string{"beta_ci"}},
		{"backslash is literal", store.TokenQuery{Search: `\`}, nil},
		{"revoked by name when asked", store.TokenQuery{Search: "zeta", Statuses: []string{store.StatusRevoked}}, []string{"zeta"}},
		{"revoked hidden from search", store.TokenQuery{Search: "zeta"}, nil},
		{"whole secret", store.TokenQuery{SecretHash: hashOf(w.secrets["beta_ci"])}, []string{"beta_ci"}},
		{"creator role member", store.TokenQuery{CreatorRole: "member"}, []string{"delta"}},
		{"creator role admin", store.TokenQuery{CreatorRole: "admin", Statuses: []string{store.StatusActive}},
			[]string{"alpha deploy", "ancient", "beta_ci", "gamma%100"}},
		{"org-visible only", store.TokenQuery{OnlyOrgVisible: true}, []string{"alpha deploy"}},
		{"active", store.TokenQuery{Statuses: []string{store.StatusActive}}, []string{"alpha deploy", "ancient", "beta_ci", "delta", "gamma%100"}},
		{"expired", store.TokenQuery{Statuses: []string{store.StatusExpired}}, []string{"lapsed"}},
		{"disabled", store.TokenQuery{Statuses: []string{store.StatusDisabled}}, []string{"epsilon"}},
		{"revoked", store.TokenQuery{Statuses: []string{store.StatusRevoked}}, []string{"zeta"}},
		{"two states", store.TokenQuery{Statuses: []string{store.StatusDisabled, store.StatusRevoked}}, []string{"epsilon", "zeta"}},
		{"policy maximum expires old tokens", store.TokenQuery{MaxDays: 90, Statuses: []string{store.StatusExpired}}, []string{"ancient", "lapsed"}},
		{"policy maximum, active", store.TokenQuery{MaxDays: 90, Statuses: []string{store.StatusActive}},
			[]string{"alpha deploy", "beta_ci", "delta", "gamma%100"}},
		{"CLI of one owner", store.TokenQuery{Kind: "cli", OwnerUserID: w.mia.ID}, []string{"hers"}},
		{"CLI of all", store.TokenQuery{Kind: "cli"}, []string{"hers", "mine"}},
		{"service filter", store.TokenQuery{Kind: "service", ServiceID: w.svcB.ID}, []string{"acme/web token"}},
		{"service name", store.TokenQuery{Kind: "service", Search: "payments"}, []string{"acme/payments token"}},
		{"another org sees none", store.TokenQuery{OrgID: w.other.ID}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, total := w.list(tt.q)
			if !slices.Equal(sorted(got), sorted(tt.want)) || total != len(tt.want) {
				t.Errorf("got %q (total %d), want %q", got, total, tt.want)
			}
		})
	}
	t.Run("list status agrees with TokenStatus", func(t *testing.T) {
		for _, maxDays := range []int{0, 90} {
			for _, status := range []string{store.StatusActive, store.StatusExpired, store.StatusDisabled, store.StatusRevoked} {
				page, err := w.db.Tokens(w.ctx, store.TokenQuery{OrgID: w.org.ID, Kind: "api", PerPage: 50, MaxDays: maxDays, Statuses: []string{status}})
				if err != nil {
					t.Fatal(err)
				}
				for _, tok := range page.Tokens {
					if got := store.TokenStatus(tok, w.db.Now(), maxDays); got != status {
						t.Errorf("max %d: %s listed as %s, TokenStatus says %s", maxDays, tok.Name, status, got)
					}
				}
			}
		}
	})
}

func TestTokensSortAndPages(t *testing.T) {
	t.Parallel()
	w := newListWorld(t)
	tests := []struct {
		sort string
		desc bool
		want []string
	}{
		{"name", false, []string{"alpha deploy", "ancient", "beta_ci", "delta", "epsilon", "gamma%100", "lapsed"}},
		{"name", true, []string{"lapsed", "gamma%100", "epsilon", "delta", "beta_ci", "ancient", "alpha deploy"}},
		{"last_used", true, []string{"delta", "alpha deploy"}}, // then the never used
		{"expires", false, []string{"lapsed", "beta_ci", "delta", "alpha deploy", "ancient"}},
		{"expires", true, []string{"ancient", "alpha deploy", "delta", "beta_ci", "lapsed"}},
		{"created", false, []string{"ancient", "lapsed"}},
	}
	for _, tt := range tests {
		got, _ := w.list(store.TokenQuery{Sort: tt.sort, Desc: tt.desc})
		if !slices.Equal(got[:len(tt.want)], tt.want) {
			t.Errorf("sort %s desc=%v: got %q, want it to start %q", tt.sort, tt.desc, got, tt.want)
		}
	}
	t.Run("never used is the oldest use", func(t *testing.T) {
		got, _ := w.list(store.TokenQuery{Sort: "last_used"})
		if tail := got[len(got)-2:]; !slices.Equal(tail, []string{"alpha deploy", "delta"}) {
			t.Errorf("oldest use first: got %q, want the never used first, then alpha deploy, delta", got)
		}
	})
	t.Run("no expiry sorts last either way", func(t *testing.T) {
		for _, desc := range []bool{false, true} {
			got, _ := w.list(store.TokenQuery{Sort: "expires", Desc: desc})
			if tail := sorted(got[len(got)-2:]); !slices.Equal(tail, []string{"epsilon", "gamma%100"}) {
				t.Errorf("desc=%v: %q", desc, got)
			}
		}
	})
	t.Run("pages do not overlap", func(t *testing.T) {
		all, total := w.list(store.TokenQuery{Statuses: []string{store.StatusActive, store.StatusExpired, store.StatusDisabled, store.StatusRevoked}})
		for _, sort := range []string{"created", "name", "last_used", "expires"} {
			var seen []string
			for page := 1; page <= 4; page++ {
				got, n := w.list(store.TokenQuery{Sort: sort, Page: page, PerPage: 3,
					Statuses: []string{store.StatusActive, store.StatusExpired, store.StatusDisabled, store.StatusRevoked}})
				if n != total {
					t.Errorf("total %d on page %d, want %d", n, page, total)
				}
				if page < 3 && len(got) != 3 {
					t.Errorf("%s page %d has %d rows", sort, page, len(got))
				}
				seen = append(seen, got...)
			}
			if !slices.Equal(sorted(seen), sorted(all)) {
				t.Errorf("%s: pages hold %q, want each of %q once", sort, seen, all)
			}
		}
	})
}
