package auth

import (
	"slices"
	"strings"
	"testing"
	"tokenward/auth/fault"
)

func TestCatalogShape(t *testing.T) {
	t.Parallel()
	cat := Catalog()
	byName := make(map[Scope]ScopeInfo)
	for i, info := range cat {
		if _, dup := byName[info.Name]; dup {
			t.Errorf("scope %q listed twice", info.Name)
		}
		byName[info.Name] = info
		if info.Description == "" {
			t.Errorf("scope %q has no description", info.Name)
		}
		if len(info.Kinds) == 0 {
			t.Errorf("scope %q is allowed on no kind", info.Name)
		}
		for _, k := range info.DefaultFor {
			if !slices.Contains(info.Kinds, k) {
				t.Errorf("scope %q is a default for %s tokens but not allowed on them", info.Name, k)
			}
		}
		if info.Parent != "" {
			// Display order: a child comes after its parent and its parent's other children.
			j := slices.IndexFunc(cat, func(p ScopeInfo) bool { return p.Name == info.Parent })
			if j < 0 {
				t.Errorf("scope %q has parent %q, which is not in the catalog", info.Name, info.Parent)
				continue
			}
			for _, between := range cat[j+1 : i] {
				if between.Parent != info.Parent {
					t.Errorf("scope %q is separated from its parent %q by %q", info.Name, info.Parent, between.Name)
				}
			}
		}
	}
	t.Run("NoCycles", func(t *testing.T) {
		for _, info := range cat {
			seen := map[Scope]bool{info.Name: true}
			for p := info.Parent; p != ""; p = byName[p].Parent {
				if seen[p] {
					t.Fatalf("scope %q is its own ancestor through %q", info.Name, p)
				}
				seen[p] = true
			}
		}
	})
	t.Run("CatalogIsACopy", func(t *testing.T) {
		cat[0].Name = "changed"
		cat[0].Kinds[0] = "changed"
		again := Catalog()
		if again[0].Name != ScopeAPI || again[0].Kinds[0] != KindAPI {
			t.Error("changing Catalog's result changed the catalog")
		}
	})
}

// TestCatalogMatchesDesign pins the table in DESIGN.md, "Scopes".
func TestCatalogMatchesDesign(t *testing.T) {
	t.Parallel()
	// For each scope: parent, then api, cli, service, personal as "d" default, "y" allowed, "-" not.
	want := map[Scope]string{
		"api": "- d - y d", "tokens:read": "api y - y y", "tokens:write": "api y - y y",
		"services:read": "api y - y y", "services:write": "api y - y y", "audit:read": "api y - y y",
		"members:read": "api y - y y", "members:write": "api y - y y",
		"introspect": "api y - y y", "ci": "- - - d -", "findings:remote": "ci - - y -",
		"findings:local": "ci - d y -", "report": "- y y y y", "report:list": "report y y y y",
		"report:read": "report y y y y", "report:write": "report y y y y", "repo": "- y y y y",
		"repo:list": "repo y y y y",
	}
	cat := Catalog()
	if got, want := len(cat), len(want); got != want {
		t.Errorf("catalog has %d scopes, want %d", got, want)
	}
	for _, info := range cat {
		parent := string(info.Parent)
		if parent == "" {
			parent = "-"
		}
		row := []string{parent}
		for _, k := range append(slices.Clone(Kinds), KindPersonal) {
			switch {
			case slices.Contains(info.DefaultFor, k):
				row = append(row, "d")
			case slices.Contains(info.Kinds, k):
				row = append(row, "y")
			default:
				row = append(row, "-")
			}
		}
		if got := strings.Join(row, " "); got != want[info.Name] {
			t.Errorf("scope %q: got %q, want %q", info.Name, got, want[info.Name])
		}
	}
}

func TestScopesForAndDefaults(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		kind     Kind
		defaults []Scope
		count    int
	}{
		{KindAPI, []Scope{ScopeAPI}, 15},
		{KindCLI, []Scope{ScopeFindingsLocal}, 7},
		{KindService, []Scope{ScopeCI}, 18},
	} {
		t.Run(string(tt.kind), func(t *testing.T) {
			got := DefaultScopes(tt.kind)
			if !slices.Equal(got, tt.defaults) {
				t.Errorf("DefaultScopes: got %v, want %v", got, tt.defaults)
			}
			if n := len(ScopesFor(tt.kind)); n != tt.count {
				t.Errorf("ScopesFor: got %d scopes, want %d", n, tt.count)
			}
			var names []string
			for _, s := range got {
				names = append(names, string(s))
			}
			if _, err := ParseScopes(tt.kind, names); err != nil {
				t.Errorf("defaults are not allowed on their own kind: %v", err)
			}
		})
	}
	if got := ScopesFor("user"); len(got) != 0 {
		t.Errorf("ScopesFor(user): got %v, want none", got)
	}
}

func TestParseScopes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		kind  Kind
		input []string
		want  string
	}{
		{"One", KindAPI, []string{"tokens:read"}, "tokens:read"},
		{"SortedAndDeduplicated", KindAPI, []string{"tokens:write", "api", "tokens:write"}, "api tokens:write"},
		{"CommaSeparated", KindCLI, []string{"report:read,repo:list"}, "repo:list report:read"},
		{"SpaceSeparated", KindService, []string{"ci findings:local"}, "ci findings:local"},
		{"MixedAndTrimmed", KindService, []string{"  report , repo\t", "", " api"}, "api repo report"},
		{"UpperCase", KindAPI, []string{"Audit:Read"}, "audit:read"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseScopes(tt.kind, tt.input)
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != tt.want {
				t.Errorf("got %q, want %q", got.String(), tt.want)
			}
		})
	}
}

func TestParseScopesErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		kind  Kind
		input []string
		scope string
		want  []string // substrings of the message
	}{
		{"Unknown", KindAPI, []string{"api", "foo"}, "foo",
			[]string{`unknown scope "foo"`, "valid scopes for API tokens: api, tokens:read, tokens:write,", "repo:list"}},
		{"NotAllowed", KindAPI, []string{"ci"}, "ci",
			[]string{`scope "ci" is not allowed on API tokens`, "valid scopes for API tokens: api,"}},
		{"NotAllowedOnCLI", KindCLI, []string{"report,api"}, "api",
			[]string{`scope "api" is not allowed on CLI tokens`, "valid scopes for CLI tokens: findings:local, report,"}},
		{"Empty", KindService, nil, "", []string{"choose at least one scope"}},
		{"OnlySeparators", KindService, []string{" , ", ""}, "", []string{"choose at least one scope"}},
		{"UnknownKind", "user", []string{"api"}, "", []string{`unknown token kind "user"`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			set, err := ParseScopes(tt.kind, tt.input)
			se := fault.As(err)
			if se == nil || se.Code != fault.Invalid || !se.Fields.Has("scopes") {
				t.Fatalf("got %v, %v, want an invalid-scopes fault", set, err)
			}
			if se.Reason != tt.scope {
				t.Errorf("offending scope: got %q, want %q", se.Reason, tt.scope)
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("message %q lacks %q", err.Error(), want)
				}
			}
			// The list in the message is exactly the scopes the kind may hold.
			if _, list, found := strings.Cut(err.Error(), " tokens: "); found {
				var allowed []string
				for _, info := range ScopesFor(tt.kind) {
					allowed = append(allowed, string(info.Name))
				}
				if got := strings.Split(list, ", "); !slices.Equal(got, allowed) {
					t.Errorf("message lists %v, want %v", got, allowed)
				}
			}
		})
	}
}

func TestGrants(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		set  ScopeSet
		want Scope
		ok   bool
	}{
		{ScopeSet{ScopeAPI}, ScopeTokensRead, true},
		{ScopeSet{ScopeAPI}, ScopeIntrospect, true},
		{ScopeSet{ScopeAPI}, ScopeAPI, true},
		{ScopeSet{ScopeAPI}, ScopeReportRead, false},
		{ScopeSet{ScopeReport}, ScopeReportRead, true},
		{ScopeSet{ScopeReport}, ScopeReportWrite, true},
		{ScopeSet{ScopeReport}, ScopeRepoList, false},
		{ScopeSet{ScopeCI}, ScopeFindingsLocal, true},
		{ScopeSet{ScopeCI}, ScopeFindingsRemote, true},
		{ScopeSet{ScopeFindingsLocal}, ScopeCI, false},
		{ScopeSet{ScopeFindingsLocal}, ScopeFindingsRemote, false},
		{ScopeSet{ScopeTokensRead}, ScopeTokensWrite, false},
		{ScopeSet{ScopeTokensRead}, ScopeAPI, false},
		{ScopeSet{ScopeTokensRead, ScopeRepo}, ScopeRepoList, true},
		{ScopeSet{ScopeAPI}, "nonsense", false},
		{ScopeSet{ScopeAPI}, "", false},
		{nil, ScopeTokensRead, false},
	} {
		if got := tt.set.Grants(tt.want); got != tt.ok {
			t.Errorf("%v.Grants(%q): got %v, want %v", tt.set, tt.want, got, tt.ok)
		}
	}
}

func TestScopeSetStrings(t *testing.T) {
	t.Parallel()
	set := ScopeSet{ScopeAPI, ScopeReportRead}
	if got, want := set.String(), "api report:read"; got != want {
		t.Errorf("String: got %q, want %q", got, want)
	}
	if got, want := set.Strings(), []string{"api", "report:read"}; !slices.Equal(got, want) {
		t.Errorf("Strings: got %v, want %v", got, want)
	}
	if got := ScopeSet(nil).String(); got != "" {
		t.Errorf("empty String: got %q, want \"\"", got)
	}
}

func TestWithoutCoveredAndStartingScopes(t *testing.T) {
	t.Parallel()
	set, err := ParseScopes(KindAPI, []string{"api", "tokens:read", "report:read", "report", "repo:list"})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(set.WithoutCovered().Strings(), " "); got != "api repo:list report" {
		t.Errorf("WithoutCovered = %q, want api repo:list report", got)
	}
	for kind, want := range map[Kind]string{KindAPI: "", KindCLI: "findings:local", KindService: ""} {
		var got []string
		for _, s := range StartingScopes(kind) {
			got = append(got, string(s))
		}
		if strings.Join(got, " ") != want {
			t.Errorf("StartingScopes(%s) = %q, want %q", kind, got, want)
		}
	}
}
