package main

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"tokenward/auth"
)

func TestBadChecksumTokens(t *testing.T) {
	t.Parallel()
	tokens, err := badChecksumTokens(200)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range tokens {
		if _, err := auth.ParseToken(s); !errors.Is(err, auth.ErrTokenChecksum) {
			t.Fatalf("ParseToken(%q) = %v, want a checksum error", s, err)
		}
	}
}

func TestUnknownTokensAreWellFormed(t *testing.T) {
	t.Parallel()
	tokens, err := unknownTokens(50)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, s := range tokens {
		if _, err := auth.ParseToken(s); err != nil {
			t.Fatalf("ParseToken(%q) = %v", s, err)
		}
		if seen[s] {
			t.Fatalf("%q made twice", s)
		}
		seen[s] = true
	}
}

func TestCycleVisitsEveryItemBeforeRepeating(t *testing.T) {
	t.Parallel()
	list := []string{"a", "b", "c", "d", "e", "f", "g"}
	const workers = 3
	seen := map[string]int{}
	counters := make([]int, workers)
	for range len(list) {
		// Workers advance in turn, the way a steady load interleaves them.
		for w := range workers {
			seen[cycle(list, w, workers, &counters[w])]++
		}
	}
	for _, s := range list {
		if seen[s] != workers {
			t.Errorf("%q used %d times, want %d", s, seen[s], workers)
		}
	}
}

func TestPickScenarios(t *testing.T) {
	t.Parallel()
	got, err := pickScenarios("mixed, limit", []string{engineSQLite})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].name != "limit" || got[1].name != "mixed" {
		t.Errorf("got %v, want limit then mixed (run order)", got)
	}
	if all, err := pickScenarios("", []string{engineSQLite, enginePostgres}); err != nil {
		t.Fatal(err)
	} else if len(all) != len(scenarios) {
		t.Errorf("empty list picked %d scenarios, want all %d", len(all), len(scenarios))
	}
	if all, err := pickScenarios("all", []string{engineSQLite}); err != nil {
		t.Fatal(err)
	} else if slices.ContainsFunc(all, func(s scenario) bool { return s.name == "replicas" }) || len(all) != len(scenarios)-1 {
		t.Errorf("on SQLite alone, all picked %d scenarios (want every one but replicas)", len(all))
	}
	if _, err := pickScenarios("limit,nope", []string{engineSQLite}); err == nil {
		t.Error("an unknown scenario was accepted")
	}
	if _, err := pickScenarios("replicas", []string{engineSQLite}); err == nil || !strings.Contains(err.Error(), "-database") {
		t.Errorf("replicas on SQLite alone: %v, want an error naming -database", err)
	}
	if got, err := pickScenarios("replicas", []string{enginePostgres}); err != nil || len(got) != 1 {
		t.Errorf("replicas on PostgreSQL: %v, %v", got, err)
	}
}

func TestParseCSRF(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, page, want string }{
		{"templ order", `<form method="post"><input type="hidden" name="csrf_token" value="abc-_123"/><input name="username"></form>`, "abc-_123"},
		{"value first", `<input value="xyz" type="hidden" name="csrf_token">`, "xyz"},
		{"escaped", `<input type="hidden" name="csrf_token" value="a&amp;b">`, "a&b"},
		{"other inputs ignored", `<input name="next" value="/x"><input name="csrf_token" value="tok">`, "tok"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseCSRF(tc.page)
			if err != nil || got != tc.want {
				t.Errorf("parseCSRF = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	if _, err := parseCSRF(`<input name="username" value="ada">`); err == nil {
		t.Error("a page without the field gave a token")
	}
}

func TestCreatedToken(t *testing.T) {
	t.Parallel()
	secret, err := auth.NewToken(auth.KindAPI)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, body string }{
		{"flat", `{"id":"t-1","name":"x","secret":"` + secret + `","hint":"twa_abcd…wxyz"}`},
		{"nested token", `{"token":{"id":"t-1","owner":{"id":"u-9"}},"secret":"` + secret + `"}`},
		{"wrapped", `{"data":{"token":{"id":"t-1"},"token_secret":"` + secret + `"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, got, ok := createdToken([]byte(tc.body))
			if !ok || id != "t-1" || got != secret {
				t.Errorf("createdToken = %q, %q, %v; want t-1, the secret, true", id, got, ok)
			}
		})
	}
	for _, body := range []string{`{"id":"t-1"}`, `not json`, `{"secret":"` + secret + `"}`} {
		if _, _, ok := createdToken([]byte(body)); ok {
			t.Errorf("createdToken(%s) found a token", body)
		}
	}
}

func TestSeedSpreadsKindsAndStatesIndependently(t *testing.T) {
	t.Parallel()
	counts := map[string]int{}
	for i := range 1000 {
		counts[string(seedKind(i))+"/"+seedState(i)]++
	}
	for _, kind := range []string{"api", "cli", "service"} {
		for _, state := range []string{stateActive, stateExpired, stateDisabled, stateRevoked} {
			if counts[kind+"/"+state] == 0 {
				t.Errorf("no %s token is %s", kind, state)
			}
		}
	}
	if got, want := counts["api/"+stateActive], 560; got != want {
		t.Errorf("active api tokens = %d of 1000, want %d", got, want)
	}
}

func TestNeeds(t *testing.T) {
	t.Parallel()
	pick := func(list string, engines ...string) []scenario {
		t.Helper()
		s, err := pickScenarios(list, engines)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, tc := range []struct {
		name            string
		picked          []scenario
		engines         []string
		want            []string
		hello, replicas bool
	}{
		{"sqlite", pick("limit,token-valid", engineSQLite), []string{engineSQLite}, []string{engineSQLite}, true, false},
		{"limit alone starts no tokenward", pick("limit", engineSQLite), []string{engineSQLite}, nil, true, false},
		{"compare", pick("token-valid", engineSQLite, enginePostgres), []string{engineSQLite, enginePostgres},
			[]string{engineSQLite, enginePostgres}, false, false},
		{"replicas alone needs postgres only", pick("replicas", engineSQLite, enginePostgres), []string{engineSQLite, enginePostgres},
			[]string{enginePostgres}, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, hello, replicas := needs(tc.picked, tc.engines)
			if !slices.Equal(got, tc.want) || hello != tc.hello || replicas != tc.replicas {
				t.Errorf("needs = %v, hello %v, replicas %v; want %v, %v, %v", got, hello, replicas, tc.want, tc.hello, tc.replicas)
			}
		})
	}
}

func TestParseFlagsEngines(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		args    []string
		want    []string
		wantErr string
	}{
		{"default is sqlite", nil, []string{engineSQLite}, ""},
		{"database", []string{"-database", "postgres://u@db/tw"}, []string{enginePostgres}, ""},
		{"compare", []string{"-compare-postgres"}, []string{engineSQLite, enginePostgres}, ""},
		{"compare with a database", []string{"-compare-postgres", "-database", "postgresql://u@db/tw"}, []string{engineSQLite, enginePostgres}, ""},
		{"a file is not a database URL", []string{"-database", "/tmp/tw.db"}, nil, "postgres:// URL"},
		{"no revocations", []string{"-revocations", "0"}, nil, "-revocations"},
		{"rounds too short", []string{"-duration", "1s", "-rounds", "20"}, nil, "-rounds"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr strings.Builder
			cfg, err := parseFlags(tc.args, &stderr)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("parseFlags(%q) = %v, want an error containing %q", tc.args, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.engines(); !slices.Equal(got, tc.want) {
				t.Errorf("engines = %v, want %v", got, tc.want)
			}
		})
	}
}
