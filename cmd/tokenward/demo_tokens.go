package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"tokenward/auth"
	"tokenward/auth/fault"
	"tokenward/store"
	"tokenward/web/core"
)

// demoToken is one token of the demo org: made age days ago, then left in
// a state, and used uses times over the last 30 days from ips addresses.
type demoToken struct {
	kind       auth.Kind
	name       string
	owner      string // api and cli tokens
	service    string // service tokens; the first token of a service onboards it
	scopes     string // "" for the kind's defaults
	visibility string
	expiry     string // days
	quota      string
	age        int // days
	state      string
	uses, ips  int
}

// Demo states beyond active and expired (which follows from age and expiry).
const (
	demoDisabled = "disabled"
	demoRevoked  = "revoked"
	demoRotated  = "rotated" // with a 7-day grace for the old secret
)

var demoTokens = []demoToken{
	{kind: auth.KindAPI, name: "Grafana exporter", owner: "ada", scopes: "tokens:read,audit:read", visibility: auth.VisibilityOrg, expiry: "90", age: 12, uses: 400, ips: 2},
	{kind: auth.KindAPI, name: "Billing sync", owner: "ada", scopes: "api", expiry: "365", quota: "5000", age: 50, uses: 900, ips: 3},
	{kind: auth.KindAPI, name: "Partner API", owner: "ada", scopes: "report:read,repo:list", visibility: auth.VisibilityOrg, expiry: "180", age: 25, state: demoRotated, uses: 150, ips: 7},
	{kind: auth.KindAPI, name: "Slack bot", owner: "ada", scopes: "report:read", expiry: "30", age: 3},
	{kind: auth.KindAPI, name: "Staging deploy", owner: "ada", scopes: "tokens:write", expiry: "30", age: 40, uses: 60, ips: 1},
	{kind: auth.KindAPI, name: "Legacy webhook", owner: "ada", scopes: "report:write", expiry: "365", age: 200, state: demoDisabled, uses: 30, ips: 1},
	{kind: auth.KindAPI, name: "Old CI token", owner: "ada", scopes: "api", expiry: "90", age: 60, state: demoRevoked, uses: 80, ips: 2},
	{kind: auth.KindCLI, name: "ada-laptop", owner: "ada", expiry: "90", age: 20, uses: 120, ips: 2},
	{kind: auth.KindCLI, name: "ada-build-vm", owner: "ada", expiry: "60", age: 15, state: demoDisabled},
	{kind: auth.KindCLI, name: "max-laptop", owner: "max", expiry: "30", age: 6, uses: 40, ips: 2},
	{kind: auth.KindCLI, name: "max-desktop", owner: "max", expiry: "30", age: 45, uses: 10, ips: 1},
	{kind: auth.KindCLI, name: "max-old-laptop", owner: "max", expiry: "90", age: 70, state: demoRevoked, uses: 20, ips: 1},
	{kind: auth.KindService, name: "payments ci", service: "acme/payments", visibility: auth.VisibilityOrg, expiry: "90", age: 45, uses: 600, ips: 3},
	{kind: auth.KindService, name: "payments canary", service: "acme/payments", expiry: "90", age: 10, state: demoDisabled},
	{kind: auth.KindService, name: "web deploy", service: "acme/web", scopes: "ci,report", expiry: "90", age: 20, uses: 300, ips: 2},
	{kind: auth.KindService, name: "web nightly", service: "acme/web", expiry: "30", age: 35, uses: 30, ips: 1},
	{kind: auth.KindService, name: "web preview", service: "acme/web", expiry: "60", age: 30, state: demoRevoked, uses: 15, ips: 1},
}

// demoClients are the user agents and requests each kind's uses show.
var demoClients = map[auth.Kind]struct{ agents, whats []string }{
	auth.KindAPI: {[]string{"python-requests/2.32.3", "Grafana/11.2.0", "curl/8.9.1"},
		[]string{"GET /api/v1/token", "GET /api/v1/tokens", "GET /api/v1/audit", "POST /oauth/introspect"}},
	auth.KindCLI: {[]string{"tokenward-cli/0.1 (linux; amd64)", "tokenward-cli/0.1 (darwin; arm64)"},
		[]string{"GET /api/v1/token", "GET /api/v1/quota"}},
	auth.KindService: {[]string{"Buildkite-Agent/3.81.0", "GitHub-Actions-Runner/2.319"},
		[]string{"introspected by acme/payments", "GET /api/v1/token", "POST /oauth/introspect"}},
}

// seedDemoTokens makes the demo org's services and tokens through the
// dashboard's own paths, with the store's clock set back to each token's
// creation, then writes their usage history. It returns how many tokens it
// made.
func seedDemoTokens(ctx context.Context, db *store.DB, key []byte, clock *store.ManualClock, org store.Org) (int, error) {
	sealer, err := auth.NewSealer(key)
	if err != nil {
		return 0, err
	}
	defer clock.Release()
	now := clock.Now().Truncate(time.Second)
	rng := rand.New(rand.NewPCG(1, 2)) // the same demo every time
	members, err := db.Members(ctx, org.ID)
	if err != nil {
		return 0, err
	}
	users := map[string]store.User{}
	for _, m := range members {
		users[m.User.Username] = m.User
	}
	services := map[string]int64{}
	var uses []store.Use
	for i, d := range demoTokens {
		created := now.Add(-time.Duration(d.age)*24*time.Hour - time.Duration(i)*37*time.Minute)
		clock.Set(created)
		tok, err := issueDemoToken(ctx, db, sealer, org, d, users, services)
		if err != nil {
			return 0, fmt.Errorf("demo token %s: %w", d.name, err)
		}
		end := now
		if !tok.ExpiresAt.IsZero() && tok.ExpiresAt.Before(end) {
			end = tok.ExpiresAt
		}
		if d.state != "" {
			at := created.Add(now.Sub(created) * 2 / 3)
			clock.Set(at)
			if err := settleDemoToken(ctx, db, clock, sealer, tok, d, now); err != nil {
				return 0, fmt.Errorf("demo token %s: %w", d.name, err)
			}
			if d.state != demoRotated {
				end = at
			}
		}
		from := now.Add(-30 * 24 * time.Hour)
		if created.After(from) {
			from = created
		}
		uses = append(uses, demoUses(rng, tok, d, 10*(i+1), from, end)...)
	}
	clock.Release()
	return len(demoTokens), db.RecordUses(ctx, uses)
}

// issueDemoToken makes one demo token, onboarding its service first when
// the service is new.
func issueDemoToken(ctx context.Context, db *store.DB, sealer *auth.Sealer, org store.Org, d demoToken,
	users map[string]store.User, services map[string]int64) (store.Token, error) {
	creator := users["ada"]
	if d.owner != "" {
		creator = users[d.owner]
	}
	r := core.TokenRequest{Org: org, Kind: d.kind, Name: d.name, Expiry: d.expiry, Visibility: d.visibility,
		Quota: d.quota, CreatorID: creator.ID}
	if d.scopes != "" {
		r.Scopes = []string{d.scopes}
	}
	if d.kind == auth.KindCLI {
		r.DeviceName = d.name
	}
	if d.kind != auth.KindService {
		r.OwnerUserID = creator.ID
	}
	actor := store.Actor{UserID: creator.ID, Label: creator.Username}
	var issued core.Issued
	var errs fault.Fields
	var err error
	if id, ok := services[d.service]; ok || d.kind != auth.KindService {
		r.ServiceID = id
		issued, errs, err = core.IssueToken(ctx, db, sealer, r, actor)
	} else {
		var svc store.Service
		svc, issued, errs, err = core.OnboardService(ctx, db, sealer,
			store.NewService{OrgID: org.ID, Name: d.service, URL: "https://github.com/" + d.service}, r, actor)
		services[d.service] = svc.ID
	}
	if err == nil && len(errs) > 0 {
		err = fmt.Errorf("%v", errs)
	}
	return issued.Token, err
}

// settleDemoToken disables, revokes or rotates a demo token.
func settleDemoToken(ctx context.Context, db *store.DB, clock *store.ManualClock, sealer *auth.Sealer, t store.Token, d demoToken, now time.Time) error {
	actor := store.Actor{UserID: t.CreatorID, Label: t.CreatorName}
	var err error
	switch d.state {
	case demoDisabled:
		_, err = db.SetTokenDisabled(ctx, t.OrgID, t.ID, true, actor)
	case demoRevoked:
		_, err = db.RevokeToken(ctx, t.OrgID, t.ID, "no longer needed", actor)
	case demoRotated:
		secret, serr := auth.NewToken(auth.Kind(t.Kind))
		if serr != nil {
			return serr
		}
		h := auth.HashToken(secret)
		r := store.Rotation{SecretHash: h[:], Hint: auth.TokenHint(secret), Visibility: t.Visibility,
			OldValidUntil: now.Add(6 * 24 * time.Hour)}
		if t.Visibility == auth.VisibilityOrg {
			r.Sealed = sealer.Seal(t.ID, secret)
		}
		// Rotated yesterday: the old secret works for 7 days from then.
		at := now.Add(-24 * time.Hour)
		clock.Set(at)
		_, err = db.RotateToken(ctx, t.OrgID, t.ID, r, actor)
	}
	return err
}

// demoUses spreads d.uses requests between from and to over d.ips client
// addresses, numbered from ipBase.
func demoUses(rng *rand.Rand, t store.Token, d demoToken, ipBase int, from, to time.Time) []store.Use {
	if d.uses == 0 || !to.After(from) {
		return nil
	}
	client := demoClients[d.kind]
	out := make([]store.Use, 0, d.uses)
	for range d.uses {
		ip := rng.IntN(d.ips)
		out = append(out, store.Use{TokenID: t.ID,
			At:        from.Add(time.Duration(rng.Int64N(int64(to.Sub(from))))),
			IP:        fmt.Sprintf("203.0.113.%d", ipBase+ip),
			UserAgent: client.agents[ip%len(client.agents)],
			What:      client.whats[rng.IntN(len(client.whats))]})
	}
	return out
}
