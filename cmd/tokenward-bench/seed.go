package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"

	"tokenward/auth"
	"tokenward/store"
)

// The seeded org and its people. The passwords are known so the dashboard
// scenario can sign in, and printed with -keep so a person can too.
const (
	orgSlug        = "bench"
	adminUser      = "bench-admin"
	adminPassword  = "bench-admin-password"
	memberUser     = "bench-member"
	memberPassword = "bench-member-password"
)

// maxValid is how many secrets of valid tokens the load keeps in memory.
const maxValid = 4096

// nameWords start the seeded tokens' names, so searches find some and not all.
var nameWords = []string{"deploy", "billing", "grafana", "backup", "metrics", "webhook", "sync", "nightly"}

// seeded is what the scenarios need to know about the data the tool filled.
type seeded struct {
	// valid are secrets of active API tokens holding the api scope, made by
	// the admin, so they may call every endpoint.
	valid []string
	// introspector is an active token holding introspect, the caller of
	// the introspection scenario.
	introspector string
	// fragments are parts of seeded token names, for searches.
	fragments []string
	byKind    map[string]int
	byState   map[string]int
}

// Token states the seed spreads tokens across.
const (
	stateActive   = "active"
	stateExpired  = "expired"
	stateDisabled = "disabled"
	stateRevoked  = "revoked"
)

// seedState is the state of the i-th seeded token: 70 % active, then 10 %
// each expired, disabled and revoked.
func seedState(i int) string {
	switch i % 10 {
	case 7:
		return stateExpired
	case 8:
		return stateDisabled
	case 9:
		return stateRevoked
	}
	return stateActive
}

// seedKind is the kind of the i-th seeded token: 80 % api, 10 % each cli
// and service, independent of the state.
func seedKind(i int) auth.Kind {
	switch (i / 10) % 10 {
	case 8:
		return auth.KindCLI
	case 9:
		return auth.KindService
	}
	return auth.KindAPI
}

// seedName is the i-th seeded token's name, such as "billing-004213".
func seedName(i int) string { return fmt.Sprintf("%s-%06d", nameWords[i%len(nameWords)], i) }

// seedScopes are the i-th API token's scopes: half hold the whole api scope.
func seedScopes(i int) []string {
	switch (i / 100) % 4 {
	case 0, 1:
		return []string{"api"}
	case 2:
		return []string{"tokens:read"}
	}
	return []string{"report:read", "repo:list"}
}

// seedData fills the database at location (an SQLite file, created here,
// or an empty PostgreSQL database) through the store: the org, an admin and
// a member, a service and n tokens.
func seedData(ctx context.Context, location string, n int) (*seeded, error) {
	db, err := store.Open(ctx, location)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	adminHash, err := auth.HashPassword(adminPassword)
	if err != nil {
		return nil, err
	}
	memberHash, err := auth.HashPassword(memberPassword)
	if err != nil {
		return nil, err
	}
	admin, org, err := db.SetupFirstAdmin(ctx, store.NewUser{Username: adminUser, Email: adminUser + "@example.com",
		DisplayName: "Bench Admin", PasswordHash: adminHash}, store.NewOrg{Slug: orgSlug, Name: "Bench"}, "127.0.0.1")
	if err != nil {
		return nil, fmt.Errorf("seed %s: %w (the tool fills a new, empty database)", db.Path(), err)
	}
	actor := store.Actor{UserID: admin.ID, Label: "tokenward-bench"}
	member, err := db.CreateMember(ctx, org.ID, store.NewUser{Username: memberUser, Email: memberUser + "@example.com",
		DisplayName: "Bench Member", PasswordHash: memberHash}, "member", actor)
	if err != nil {
		return nil, err
	}
	first, _, err := newSeedToken(auth.KindService)
	if err != nil {
		return nil, err
	}
	nt := first.NewToken
	nt.OrgID, nt.Kind, nt.Name, nt.CreatorID = org.ID, string(auth.KindService), "bench ci first", admin.ID
	nt.Scopes, nt.Visibility, nt.ExpiresAt = []string{"ci"}, auth.VisibilityAdmins, db.Now().AddDate(1, 0, 0)
	svc, _, err := db.CreateService(ctx, store.NewService{OrgID: org.ID, Name: "bench/ci", URL: "https://example.com/bench/ci"}, nt, actor)
	if err != nil {
		return nil, err
	}
	fill := filler{db: db, org: org.ID, admin: admin.ID, member: member.User.ID, service: svc.ID, actor: actor,
		now: db.Now().UTC().Truncate(time.Second), out: &seeded{byKind: map[string]int{}, byState: map[string]int{}}}
	if err := fill.run(ctx, n); err != nil {
		return nil, err
	}
	if len(fill.out.valid) == 0 {
		return nil, fmt.Errorf("no valid tokens among %d: use -tokens 1000 or more", n)
	}
	fill.out.fragments = searchFragments(n)
	return fill.out, nil
}

// filler writes the seeded tokens in batches.
type filler struct {
	db                          *store.DB
	org, admin, member, service int64
	actor                       store.Actor
	now                         time.Time
	out                         *seeded
	batch                       []store.ImportedToken
}

func (f *filler) run(ctx context.Context, n int) error {
	f.batch = make([]store.ImportedToken, 0, 5000)
	intro, secret, err := newSeedToken(auth.KindAPI)
	if err != nil {
		return err
	}
	intro.OrgID, intro.Kind, intro.Name, intro.CreatorID, intro.OwnerUserID = f.org, string(auth.KindAPI), "bench-introspector", f.admin, f.admin
	intro.Scopes, intro.Visibility, intro.ExpiresAt = []string{"introspect"}, auth.VisibilityAdmins, f.now.AddDate(1, 0, 0)
	f.batch = append(f.batch, intro)
	f.out.introspector = secret
	for i := range n {
		if err := f.add(ctx, i); err != nil {
			return err
		}
	}
	return f.flush(ctx)
}

func (f *filler) add(ctx context.Context, i int) error {
	kind, state := seedKind(i), seedState(i)
	t, secret, err := newSeedToken(kind)
	if err != nil {
		return err
	}
	creator := f.admin
	if i%3 == 2 {
		creator = f.member
	}
	t.OrgID, t.Kind, t.Name, t.CreatorID, t.Visibility = f.org, string(kind), seedName(i), creator, auth.VisibilityAdmins
	switch kind {
	case auth.KindAPI:
		t.OwnerUserID, t.Scopes = creator, seedScopes(i)
	case auth.KindCLI:
		t.OwnerUserID, t.Scopes, t.DeviceName = creator, []string{"findings:local"}, fmt.Sprintf("bench-laptop-%d", i%50)
	case auth.KindService:
		t.CreatorID, t.ServiceID, t.Scopes = f.admin, f.service, []string{"ci"}
	}
	// Created within the last 60 days; active ones expire in 30 to 330 days.
	t.CreatedAt = f.now.Add(-time.Duration(i%(60*24*60)) * time.Minute)
	t.ExpiresAt = f.now.AddDate(0, 0, 30+i%300)
	switch state {
	case stateExpired:
		t.CreatedAt = f.now.AddDate(0, 0, -90).Add(-time.Duration(i%1440) * time.Minute)
		t.ExpiresAt = t.CreatedAt.AddDate(0, 0, 30)
	case stateDisabled:
		t.DisabledAt = f.now.Add(-time.Hour)
	case stateRevoked:
		t.RevokedAt = f.now.Add(-time.Hour)
	}
	if t.CreatedAt.After(f.now.Add(-2 * time.Hour)) {
		t.CreatedAt = f.now.Add(-2 * time.Hour) // before any disable or revoke
	}
	if kind == auth.KindAPI && state == stateActive && creator == f.admin && t.Scopes[0] == "api" && len(f.out.valid) < maxValid {
		f.out.valid = append(f.out.valid, secret)
	}
	f.out.byKind[string(kind)]++
	f.out.byState[state]++
	f.batch = append(f.batch, t)
	if len(f.batch) == cap(f.batch) {
		return f.flush(ctx)
	}
	return nil
}

func (f *filler) flush(ctx context.Context) error {
	if len(f.batch) == 0 {
		return nil
	}
	if err := f.db.ImportTokens(ctx, f.org, f.batch, f.actor); err != nil {
		return err
	}
	f.batch = f.batch[:0]
	return nil
}

// newSeedToken makes a token of kind with a fresh secret: its id, hash and
// hint filled in, the rest left to the caller.
func newSeedToken(kind auth.Kind) (store.ImportedToken, string, error) {
	secret, err := auth.NewToken(kind)
	if err != nil {
		return store.ImportedToken{}, "", err
	}
	h := auth.HashToken(secret)
	return store.ImportedToken{NewToken: store.NewToken{ID: uuid.NewString(), SecretHash: h[:], Hint: auth.TokenHint(secret)}}, secret, nil
}

// searchFragments picks parts of seeded names for searches, alternately
// narrow ("deploy-0421": a hundred numbers, an eighth of them with that word)
// and wide ("deploy-04": ten thousand numbers), from a fixed seed so runs
// search alike.
func searchFragments(n int) []string {
	rng := rand.New(rand.NewPCG(4, 2))
	out := make([]string, 0, 64)
	for j := range cap(out) {
		name := seedName(rng.IntN(n))
		cut := 2
		if j%2 == 1 {
			cut = 4
		}
		out = append(out, name[:len(name)-cut])
	}
	return out
}
