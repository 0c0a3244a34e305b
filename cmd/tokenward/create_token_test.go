package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/web/core"
)

// tokenData is a data dir with org acme (ada admin, max member, audra
// auditor), org globex (gus admin) and the service acme/payments.
func tokenData(t *testing.T) string {
	t.Helper()
	data := t.TempDir()
	for _, u := range []struct{ name, org, role string }{
		{"ada", "acme", "admin"}, {"max", "acme", "member"}, {"audra", "acme", "auditor"}, {"gus", "globex", "admin"},
	} {
		if out, err := runCmd(t, "a long enough password\n", "admin", "create-user", "--data", data, "--username", u.name,
			"--email", u.name+"@example.com", "--org", u.org, "--role", u.role); err != nil {
			t.Fatalf("create %s: %v\n%s", u.name, err, out)
		}
	}
	ctx := context.Background()
	db, key, err := (&dbFlags{data: data}).open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sealer, err := auth.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	org, err := db.OrgBySlug(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	ada, err := db.UserByUsername(ctx, "ada")
	if err != nil {
		t.Fatal(err)
	}
	_, _, errs, err := core.OnboardService(ctx, db, sealer, store.NewService{OrgID: org.ID, Name: "acme/payments"},
		core.TokenRequest{Org: org, Kind: auth.KindService, Name: "payments ci", CreatorID: ada.ID}, store.Actor{UserID: ada.ID, Label: "ada"})
	if err != nil || len(errs) > 0 {
		t.Fatalf("onboard: %v %v", errs, err)
	}
	return data
}

// createTokenIn runs `admin create-token --data data args...` and returns
// stdout and stderr apart.
func createTokenIn(data string, args ...string) (string, string, error) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), append([]string{"admin", "create-token", "--data", data}, args...), strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), err
}

// lifetime reports whether tok expires about days after its creation (the
// expiry is computed a moment before the row is written).
func lifetime(tok store.Token, days int) bool {
	d := tok.ExpiresAt.Sub(tok.CreatedAt) - time.Duration(days)*24*time.Hour
	return d > -time.Minute && d <= 0
}

var uuidLine = regexp.MustCompile(`^id: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func TestCreateToken(t *testing.T) {
	t.Parallel()
	data := tokenData(t)
	ctx := context.Background()
	db, err := store.Open(ctx, data+"/tokenward.db")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	tests := []struct {
		name  string
		args  []string
		check func(t *testing.T, tok store.Token)
	}{
		{"api token of an admin", []string{"--org", "acme", "--kind", "api", "--name", "deploy bot", "--scopes", "tokens:read,introspect",
			"--owner", "ada", "--visibility", "org", "--expires-in", "90d", "--quota", "1000"}, func(t *testing.T, tok store.Token) {
			if tok.Kind != "api" || tok.OwnerName != "ada" || tok.CreatorName != "ada" || strings.Join(tok.Scopes, " ") != "introspect tokens:read" ||
				tok.Visibility != "org" || tok.Sealed == nil || tok.QuotaMonthly != 1000 || !lifetime(tok, 90) {
				t.Errorf("token = %+v", tok)
			}
		}},
		{"cli token of a member, default scopes and expiry", []string{"--org", "acme", "--kind", "cli", "--name", "max-laptop", "--owner", "max"},
			func(t *testing.T, tok store.Token) {
				if tok.Kind != "cli" || tok.OwnerName != "max" || strings.Join(tok.Scopes, " ") != "findings:local" || !lifetime(tok, 30) {
					t.Errorf("token = %+v", tok)
				}
			}},
		{"service token, created by the first admin", []string{"--org", "acme", "--kind", "service", "--name", "payments deploy", "--service", "acme/payments"},
			func(t *testing.T, tok store.Token) {
				if tok.Kind != "service" || tok.ServiceName != "acme/payments" || tok.CreatorName != "ada" || tok.OwnerUserID != 0 || strings.Join(tok.Scopes, " ") != "ci" {
					t.Errorf("token = %+v", tok)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, err := createTokenIn(data, tt.args...)
			if err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
			if len(lines) != 2 || !uuidLine.MatchString(lines[1]) {
				t.Fatalf("stdout = %q, want the secret and the id line", stdout)
			}
			if _, err := auth.ParseToken(lines[0]); err != nil {
				t.Fatalf("first line is not a token: %v", err)
			}
			if strings.Contains(stderr, lines[0]) || !strings.Contains(stderr, "will not be shown again") {
				t.Errorf("stderr = %q", stderr)
			}
			h := auth.HashToken(lines[0])
			tok, _, err := db.TokenBySecretHash(ctx, h[:])
			if err != nil || "id: "+tok.ID != lines[1] {
				t.Fatalf("stored token: %+v, %v", tok, err)
			}
			tt.check(t, tok)
			events, err := db.TokenEvents(ctx, tok.OrgID, tok.ID, 5)
			if err != nil {
				t.Fatal(err)
			}
			if len(events) != 1 || events[0].Action != "token.created" || events[0].ActorLabel != "command line" {
				t.Errorf("events = %+v", events)
			}
			for _, e := range events {
				for _, v := range e.Details {
					if strings.Contains(v, lines[0]) {
						t.Error("the secret is in the audit trail")
					}
				}
			}
		})
	}
}

func TestCreateTokenErrors(t *testing.T) {
	t.Parallel()
	data := tokenData(t)
	api := func(extra ...string) []string {
		return append([]string{"--org", "acme", "--kind", "api", "--name", "bot", "--owner", "ada"}, extra...)
	}
	if _, stderr, err := createTokenIn(data, api("--name", "taken")...); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	tests := []struct {
		name    string
		args    []string
		wantErr []string
	}{
		{"unknown org", []string{"--org", "initech", "--kind", "api", "--name", "x", "--owner", "ada"}, []string{`--org: unknown organization "initech"`}},
		{"no org", []string{"--kind", "api", "--name", "x", "--owner", "ada"}, []string{"--org"}},
		{"unknown kind", api("--kind", "robot"), []string{`--kind: unknown token kind "robot"`, "api, cli, service"}},
		{"unknown scope lists the valid ones", api("--scopes", "report,admin"), []string{`--scopes: unknown scope "admin"`, "tokens:read", "introspect"}},
		{"scope the kind may not hold", api("--scopes", "ci"), []string{`scope "ci" is not allowed on API tokens`, "valid scopes for API tokens"}},
		{"bad expiry", api("--expires-in", "soon"), []string{"--expires-in:"}},
		{"expiry too long", api("--expires-in", "400d"), []string{"--expires-in:", "1 to 365 days"}},
		{"never where policy refuses", api("--expires-in", "never"), []string{"--expires-in:", "policy"}},
		{"bad quota", api("--quota", "-5"), []string{"--quota:"}},
		{"bad visibility", api("--visibility", "world"), []string{"--visibility:"}},
		{"no owner for api", []string{"--org", "acme", "--kind", "api", "--name", "x"}, []string{"--owner:", "belong to a person"}},
		{"unknown owner", api("--owner", "nobody"), []string{`--owner: no user named "nobody"`}},
		{"owner not a member", api("--owner", "gus"), []string{"--owner: gus is not a member of acme"}},
		{"member may not create api", api("--owner", "max"), []string{"--owner: max is member of acme", "only admins"}},
		{"auditor has no cli tokens", []string{"--org", "acme", "--kind", "cli", "--name", "x", "--owner", "audra"}, []string{"audra is auditor of acme"}},
		{"duplicate name", api("--name", "taken"), []string{"--name:", `"taken" already exists`}},
		{"empty name", api("--name", " "), []string{"--name:"}},
		{"service for an api token", api("--service", "acme/payments"), []string{"--service: only service tokens"}},
		{"unknown service lists the onboarded", []string{"--org", "acme", "--kind", "service", "--name", "x", "--service", "acme/nope"},
			[]string{`--service: acme has no service named "acme/nope"`, "acme/payments"}},
		{"service token without service", []string{"--org", "acme", "--kind", "service", "--name", "x"}, []string{"--service:"}},
		{"service token by a member", []string{"--org", "acme", "--kind", "service", "--name", "x", "--service", "acme/payments", "--owner", "max"},
			[]string{"only admins may create Service tokens"}},
		{"stray argument", api("extra"), []string{`unexpected argument "extra"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, _, err := createTokenIn(data, tt.args...)
			if err == nil {
				t.Fatalf("no error; stdout %q", stdout)
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("err = %v, want %q", err, want)
				}
			}
			if stdout != "" {
				t.Errorf("stdout = %q on failure", stdout)
			}
		})
	}
	db, err := store.Open(context.Background(), data+"/tokenward.db")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	org, err := db.OrgBySlug(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	page, err := db.Tokens(context.Background(), store.TokenQuery{OrgID: org.ID, Kind: "api", PerPage: 50})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 1 {
		t.Errorf("%d API tokens after refused commands, want only the first", page.Total)
	}
}
