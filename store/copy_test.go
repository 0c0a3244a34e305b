package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"tokenward/auth"
	"tokenward/store"
)

// deployment is an embedded deployment made through the store, with rows
// in every table Copy moves, and what a test checks on the other side.
type deployment struct {
	*world
	key     []byte
	sealer  *auth.Sealer
	secrets map[string]string // token id -> secret
	shared  store.Token       // org-visible, with its secret sealed
	rotated store.Token       // rotated with an hour's grace
	oldOf   string            // the rotated token's old secret
	session string            // a session's id hash
	device  string            // a pending device login's user code
}

// smtpAAD stands in for the web layer's additional data of the sealed SMTP
// password: the store only keeps the bytes.
const smtpAAD = "smtp password"

// newDeployment makes the embedded deployment in a temp dir, opened with a
// deployment key, so that Copy finds its fingerprint.
func newDeployment(t *testing.T) *deployment {
	t.Helper()
	key := bytes.Repeat([]byte{7}, auth.MasterKeySize)
	sealer, err := auth.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	clock := &store.ManualClock{}
	clock.Set(time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC))
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "tokenward.db"),
		store.WithClock(clock.Now), store.WithKeyFingerprint(auth.KeyFingerprint(key)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	d := &deployment{world: worldOn(t, db, clock), key: key, sealer: sealer, secrets: map[string]string{}}
	d.fill()
	return d
}

func (d *deployment) mintAt(nt store.NewToken) store.Token {
	d.t.Helper()
	secret := d.prepare(&nt)
	if nt.Visibility == auth.VisibilityOrg {
		nt.Sealed = d.sealer.Seal(nt.ID, secret)
	}
	tok, err := d.db.CreateToken(d.ctx, nt, d.actor)
	if err != nil {
		d.t.Fatalf("create %q: %v", nt.Name, err)
	}
	d.secrets[tok.ID] = secret
	return tok
}

// fill writes the deployment's rows, a minute apart.
func (d *deployment) fill() {
	t, ctx := d.t, d.ctx
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	d.at(time.Minute)
	d.shared = d.mintAt(store.NewToken{Name: "shared deploy", Visibility: auth.VisibilityOrg, Quota: 1000})
	d.mintAt(store.NewToken{Name: "globex bot", OrgID: d.other.ID})
	laptop := d.mintAt(store.NewToken{Kind: "cli", Name: "mia-laptop", CreatorID: d.mia.ID, Scopes: []string{"findings:local"}})
	d.rotated = d.mintAt(store.NewToken{Name: "rotated"})
	d.mintAt(store.NewToken{Kind: "personal", Name: "root everywhere", Scopes: []string{"api"}, GrantOrgIDs: []int64{d.org.ID, d.other.ID}})
	d.at(2 * time.Minute)
	next := rotation(d.world, d.db.Now().Add(time.Hour))
	d.oldOf = d.secrets[d.rotated.ID]
	rotated, err := d.db.RotateToken(ctx, d.org.ID, d.rotated.ID, next.Rotation, d.actor)
	must(err)
	d.rotated, d.secrets[d.rotated.ID] = rotated, next.secret
	_, err = d.db.DismissExpiryWarning(ctx, d.org.ID, d.root.ID, d.shared.ID)
	must(err)
	// root changing mia's token notifies mia.
	_, err = d.db.SetTokenDisabled(ctx, d.org.ID, laptop.ID, true, d.actor)
	must(err)
	gone := d.mintAt(store.NewToken{Name: "revoked"})
	_, err = d.db.RevokeToken(ctx, d.org.ID, gone.ID, "leaked", d.actor)
	must(err)

	svcToken := store.NewToken{Kind: "service", Name: "payments ci", Scopes: []string{"ci"}}
	secret := d.prepare(&svcToken)
	_, tok, err := d.db.CreateService(ctx, store.NewService{OrgID: d.org.ID, Name: "acme/payments"}, svcToken, d.actor)
	must(err)
	d.secrets[tok.ID] = secret

	d.at(3 * time.Minute)
	must(d.db.RecordUses(ctx, []store.Use{
		{TokenID: d.shared.ID, At: d.db.Now(), IP: "10.0.0.1", UserAgent: "curl/8", What: "GET /api/v1/token"},
		{TokenID: d.shared.ID, At: d.db.Now().Add(-25 * time.Hour), IP: "10.0.0.2", UserAgent: "curl/7", What: "GET /api/v1/quota"},
		{TokenID: tok.ID, At: d.db.Now(), IP: "10.0.0.3", What: "introspected by acme/payments"},
	}))
	d.session = "session-hash-of-root"
	must(d.db.CreateSession(ctx, d.session, d.root.ID, "10.0.0.9", "Firefox", store.SessionLimits{Idle: time.Hour, Absolute: 12 * time.Hour}))
	must(d.db.SaveSMTPSettings(ctx, store.SMTPSettings{Host: "smtp.example.com", Port: 587, Security: store.SMTPStartTLS,
		Username: "tw", PasswordSealed: d.sealer.Seal(smtpAAD, "mail password"), From: "tw@example.com"}, false, d.actor))
	idp, err := d.db.CreateProvider(ctx, store.ProviderInput{Kind: store.ProviderOIDC, Name: "Okta", Issuer: "https://okta.example.com",
		ClientID: "tokenward", SecretSealed: d.sealer.Seal("identity-provider", "client secret"), Domains: []string{"example.com"},
		JoinOrgID: d.org.ID, JoinRole: "member"}, d.actor)
	must(err)
	must(d.db.LinkIdentity(ctx, d.mia.ID, store.Identity{ProviderID: idp.ID, Subject: "okta|mia", Email: "mia@example.com"}, idp.Name, d.actor))

	// A login that was activated and made a token, and one still pending.
	_, hash := d.startLogin("BCDFGHJK", "203.0.113.5")
	_, err = d.db.ApproveDeviceAuthorization(ctx, "BCDFGHJK", d.org.ID, store.Actor{UserID: d.mia.ID, Label: "mia"})
	must(err)
	cli := d.cliToken("mia-desktop")
	_, err = d.db.ConsumeDeviceAuthorization(ctx, hash, cli, store.Actor{UserID: d.mia.ID, Label: "mia"})
	must(err)
	d.device = "CDFGHJKL"
	d.startLogin(d.device, "203.0.113.6")

	// An invitation accepted (which notifies root about no token) and one pending.
	for _, email := range []string{"nia@example.com", "ole@example.com"} {
		_, hash := auth.NewInviteCode()
		inv, err := d.db.CreateInvitation(ctx, store.NewInvitation{OrgID: d.org.ID, Email: email, Role: "member", LinkHash: hash,
			InvitedBy: d.root.ID, TTL: auth.InvitationTTL}, d.actor)
		must(err)
		if email == "nia@example.com" {
			_, err = d.db.AcceptInvitationAsNewUser(ctx, inv.ID, store.NewUser{Username: "nia", Email: email, PasswordHash: "x"}, "203.0.113.7")
			must(err)
		}
	}
}

// copyTarget is a new PostgreSQL database opened with key's fingerprint.
func copyTarget(t *testing.T, key []byte, opts ...store.Option) (*store.DB, string) {
	t.Helper()
	u, err := pg.NewDatabase(context.Background(), template)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), u, append(opts, store.WithKeyFingerprint(auth.KeyFingerprint(key)))...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, u
}

// needsBothEngines skips t in the SQLite round: Copy goes from SQLite to
// PostgreSQL, which the PostgreSQL round has.
func needsBothEngines(t *testing.T) {
	t.Helper()
	if pg == nil {
		t.Skip("copies into PostgreSQL: runs in the PostgreSQL round")
	}
}

func TestCopyToPostgres(t *testing.T) {
	needsBothEngines(t)
	t.Parallel()
	d := newDeployment(t)
	ctx := d.ctx
	dst, _ := copyTarget(t, d.key, store.WithClock(d.clock.Now)) // the grace and the login's expiry count on it
	counts, err := store.Copy(ctx, d.db, dst)
	if err != nil {
		t.Fatalf("copy: %v (%+v)", err, counts)
	}
	for _, c := range counts {
		if !c.OK() || c.Source == 0 {
			t.Errorf("%s: %d rows in the source, %d in the target (the fixture fills every table)", c.Table, c.Source, c.Target)
		}
	}

	t.Run("every secret finds its token, the old one within its grace", func(t *testing.T) {
		for id, secret := range d.secrets {
			tok, prev, err := dst.TokenBySecretHash(ctx, hashOf(secret))
			if err != nil || tok.ID != id || prev {
				t.Errorf("secret of %s: %s, prev %v, %v", id, tok.ID, prev, err)
			}
			want, _ := d.db.TokenByID(ctx, tok.OrgID, id)
			if !reflect.DeepEqual(tok, want) {
				t.Errorf("token %s after the copy:\n%+v\nbefore:\n%+v", id, tok, want)
			}
		}
		tok, prev, err := dst.TokenBySecretHash(ctx, hashOf(d.oldOf))
		if err != nil || tok.ID != d.rotated.ID || !prev {
			t.Errorf("rotated token's old secret: %s, prev %v, %v", tok.ID, prev, err)
		}
	})
	t.Run("the sealed secrets open with the same key", func(t *testing.T) {
		tok, err := dst.TokenByID(ctx, d.org.ID, d.shared.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := d.sealer.Open(tok.ID, tok.Sealed); err != nil || got != d.secrets[tok.ID] {
			t.Errorf("shared secret: %v", err)
		}
		s, err := dst.SMTPSettings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := d.sealer.Open(smtpAAD, s.PasswordSealed); err != nil || got != "mail password" {
			t.Errorf("SMTP password: %q, %v", got, err)
		}
	})
	t.Run("the audit trail in the same order", func(t *testing.T) {
		for _, org := range []int64{d.org.ID, d.other.ID} {
			before, err := d.db.OrgEvents(ctx, org, 1000)
			if err != nil {
				t.Fatal(err)
			}
			after, err := dst.OrgEvents(ctx, org, 1000)
			if err != nil {
				t.Fatal(err)
			}
			if len(before) < 5 && org == d.org.ID || !reflect.DeepEqual(after, before) {
				t.Errorf("org %d: %d events before, %d after; equal %v", org, len(before), len(after), reflect.DeepEqual(after, before))
			}
		}
	})
	t.Run("search, usage, notifications, sessions and logins come along", func(t *testing.T) {
		page, err := dst.Tokens(ctx, store.TokenQuery{OrgID: d.org.ID, Kind: "api", Search: "shared dep", PerPage: 10})
		if err != nil || page.Total != 1 || page.Tokens[0].ID != d.shared.ID {
			t.Errorf("search: %+v, %v", page, err)
		}
		for name, get := range map[string]func(*store.DB) (any, error){
			"recent IPs": func(db *store.DB) (any, error) { return db.TokenIPs(ctx, d.shared.ID) },
			"usage by day": func(db *store.DB) (any, error) {
				return db.UsageByDay(ctx, d.shared.ID, d.db.Now().AddDate(0, 0, -3), d.db.Now())
			},
			"notifications": func(db *store.DB) (any, error) { return db.Notifications(ctx, d.mia.ID, 100) },
			"session": func(db *store.DB) (any, error) {
				s, u, err := db.SessionUser(ctx, d.session, store.SessionLimits{Idle: 1000 * time.Hour, Absolute: 1000 * time.Hour})
				return []any{s, u}, err
			},
			"pending login": func(db *store.DB) (any, error) { return db.PendingDeviceAuthorization(ctx, d.device) },
			"services":      func(db *store.DB) (any, error) { return db.Services(ctx, d.org.ID) },
			"members":       func(db *store.DB) (any, error) { return db.Members(ctx, d.org.ID) },
		} {
			before, err := get(d.db)
			if err != nil {
				t.Fatalf("%s before: %v", name, err)
			}
			after, err := get(dst)
			if err != nil || !reflect.DeepEqual(after, before) {
				t.Errorf("%s after the copy (%v):\n%+v\nbefore:\n%+v", name, err, after, before)
			}
		}
	})
	t.Run("new rows after the copy get new ids", func(t *testing.T) {
		actor := store.Actor{UserID: d.root.ID, Label: "root"}
		u, err := dst.CreateUser(ctx, store.NewUser{Username: "newcomer", Email: "n@example.com", PasswordHash: "x"}, actor)
		if err != nil || u.ID <= d.mia.ID {
			t.Errorf("new user %d (mia is %d): %v", u.ID, d.mia.ID, err)
		}
		o, err := dst.CreateOrg(ctx, store.NewOrg{Slug: "initech", Name: "Initech"}, d.root.ID, actor)
		if err != nil || o.ID <= d.other.ID {
			t.Errorf("new org %d: %v", o.ID, err)
		}
		nt := store.NewToken{Name: "after the copy"}
		secret := d.prepare(&nt)
		if _, err := dst.CreateToken(ctx, nt, actor); err != nil {
			t.Fatalf("new token: %v", err)
		}
		page, err := dst.Tokens(ctx, store.TokenQuery{OrgID: d.org.ID, Kind: "api", Search: "after the copy", PerPage: 10})
		if err != nil || page.Total != 1 {
			t.Errorf("new token in search: %+v, %v", page, err)
		}
		if tok, _, err := dst.TokenBySecretHash(ctx, hashOf(secret)); err != nil || tok.Name != "after the copy" {
			t.Errorf("new token: %+v, %v", tok, err)
		}
		svcToken := store.NewToken{Kind: "service", Name: "web ci", Scopes: []string{"ci"}}
		d.prepare(&svcToken)
		if _, _, err := dst.CreateService(ctx, store.NewService{OrgID: d.org.ID, Name: "acme/web"}, svcToken, actor); err != nil {
			t.Errorf("new service: %v", err)
		}
		if _, err := dst.RevokeToken(ctx, d.org.ID, d.rotated.ID, "", store.Actor{UserID: d.mia.ID, Label: "mia"}); err != nil {
			t.Errorf("revoke (an audit event and a notification): %v", err)
		}
		events, err := dst.OrgEvents(ctx, d.org.ID, 1)
		if err != nil || len(events) != 1 || events[0].Action != "token.revoked" {
			t.Errorf("newest event: %+v, %v", events, err)
		}
	})
}

func TestCopyRefuses(t *testing.T) {
	needsBothEngines(t)
	t.Parallel()
	d := newDeployment(t)
	ctx := d.ctx
	// nothingIn checks that a refused copy left the target without data.
	nothingIn := func(t *testing.T, db *store.DB) {
		t.Helper()
		if orgs, err := db.Orgs(ctx); err != nil || len(orgs) != 0 {
			t.Errorf("the refused copy wrote %d orgs (%v)", len(orgs), err)
		}
	}

	t.Run("a target with data", func(t *testing.T) {
		dst, _ := copyTarget(t, d.key)
		if _, _, err := dst.SetupFirstAdmin(ctx, store.NewUser{Username: "someone", Email: "s@example.com", PasswordHash: "x"},
			store.NewOrg{Slug: "theirs", Name: "Theirs"}, ""); err != nil {
			t.Fatal(err)
		}
		_, err := store.Copy(ctx, d.db, dst)
		if err == nil || !strings.Contains(err.Error(), "already holds data (organizations has 1 row)") {
			t.Fatalf("err = %v", err)
		}
		if orgs, _ := dst.Orgs(ctx); len(orgs) != 1 || orgs[0].Slug != "theirs" {
			t.Errorf("target's orgs now %+v", orgs)
		}
	})
	t.Run("a target of another key", func(t *testing.T) {
		dst, _ := copyTarget(t, bytes.Repeat([]byte{8}, auth.MasterKeySize))
		_, err := store.Copy(ctx, d.db, dst)
		if !errors.Is(err, store.ErrOtherKey) || !strings.Contains(err.Error(), "--key-file") {
			t.Fatalf("err = %v", err)
		}
		nothingIn(t, dst)
	})
	t.Run("a second copy into the same target", func(t *testing.T) {
		dst, _ := copyTarget(t, d.key)
		if _, err := store.Copy(ctx, d.db, dst); err != nil {
			t.Fatal(err)
		}
		if _, err := store.Copy(ctx, d.db, dst); err == nil || !strings.Contains(err.Error(), "already holds data") {
			t.Fatalf("second copy: err = %v", err)
		}
	})
	t.Run("a table copy does not know", func(t *testing.T) {
		other := newDeployment(t)
		if err := other.db.ExecForTest(ctx, "CREATE TABLE webhooks (id INTEGER PRIMARY KEY, url TEXT)"); err != nil {
			t.Fatal(err)
		}
		dst, _ := copyTarget(t, other.key)
		_, err := store.Copy(ctx, other.db, dst)
		if err == nil || !strings.Contains(err.Error(), "table webhooks that this version of copy does not know") {
			t.Fatalf("err = %v", err)
		}
		nothingIn(t, dst)
	})
}

// TestCopyKnowsEveryTable fails when a migration adds a table that Copy
// neither moves nor names as left out (on each engine in its round).
func TestCopyKnowsEveryTable(t *testing.T) {
	t.Parallel()
	if err := MustOpen(t).CheckCopyTables(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkCopy100k copies an embedded deployment of 100,000 tokens, with
// as many audit events and usage rows, into PostgreSQL.
//
//	go test -run '^$' -bench Copy100k -benchtime 1x ./store/
func BenchmarkCopy100k(b *testing.B) {
	if pg == nil {
		b.Skip("copies into PostgreSQL: runs in the PostgreSQL round")
	}
	ctx := context.Background()
	key := bytes.Repeat([]byte{7}, auth.MasterKeySize)
	src, err := store.Open(ctx, filepath.Join(b.TempDir(), "tokenward.db"), store.WithKeyFingerprint(auth.KeyFingerprint(key)))
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	u, o, err := src.SetupFirstAdmin(ctx, store.NewUser{Username: "ada", Email: "a@example.com", PasswordHash: "x"}, store.NewOrg{Slug: "acme", Name: "Acme"}, "")
	if err != nil {
		b.Fatal(err)
	}
	const n = 100_000
	tokens := make([]store.ImportedToken, n)
	events := make([]store.Event, n)
	var uses []store.Use
	for i := range n {
		h := sha256.Sum256([]byte(fmt.Sprint(i)))
		id := fmt.Sprintf("id-%06d", i)
		tokens[i] = store.ImportedToken{NewToken: store.NewToken{ID: id, Kind: "api", Name: fmt.Sprintf("deploy-%06d", i),
			CreatorID: u.ID, OwnerUserID: u.ID, Scopes: []string{"api"}, Visibility: "admins", SecretHash: h[:], Hint: "twa_…abcd"}}
		events[i] = store.Event{At: src.Now(), OrgID: o.ID, ActorUserID: u.ID, ActorLabel: "ada", Action: "token.created",
			TargetType: "token", TargetID: id, TargetLabel: tokens[i].Name, Details: map[string]string{"kind": "api"}}
		uses = append(uses, store.Use{TokenID: id, At: src.Now(), IP: "10.0.0.1", What: "GET /api/v1/token"})
	}
	if err := src.ImportTokens(ctx, o.ID, tokens, store.Actor{}); err != nil {
		b.Fatal(err)
	}
	if err := src.ImportEvents(ctx, events); err != nil {
		b.Fatal(err)
	}
	if err := src.RecordUses(ctx, uses); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		dbURL, err := pg.NewDatabase(ctx, template)
		if err != nil {
			b.Fatal(err)
		}
		dst, err := store.Open(ctx, dbURL, store.WithKeyFingerprint(auth.KeyFingerprint(key)))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := store.Copy(ctx, src, dst); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		dst.Close()
	}
}
