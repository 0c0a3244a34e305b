package auth

import (
	"fmt"
	"slices"
	"strings"
	"tokenward/auth/fault"
	"unicode"
)

// Scope names one thing a token may do, such as "tokens:read".
type Scope string

// The scopes in the catalog.
const (
	ScopeAPI            Scope = "api"
	ScopeTokensRead     Scope = "tokens:read"
	ScopeTokensWrite    Scope = "tokens:write"
	ScopeServicesRead   Scope = "services:read"
	ScopeServicesWrite  Scope = "services:write"
	ScopeAuditRead      Scope = "audit:read"
	ScopeMembersRead    Scope = "members:read"
	ScopeMembersWrite   Scope = "members:write"
	ScopeIntrospect     Scope = "introspect"
	ScopeCI             Scope = "ci"
	ScopeFindingsRemote Scope = "findings:remote"
	ScopeFindingsLocal  Scope = "findings:local"
	ScopeReport         Scope = "report"
	ScopeReportList     Scope = "report:list"
	ScopeReportRead     Scope = "report:read"
	ScopeReportWrite    Scope = "report:write"
	ScopeRepo           Scope = "repo"
	ScopeRepoList       Scope = "repo:list"
)

// ScopeInfo describes one scope of the catalog.
type ScopeInfo struct {
	// Name is the scope's name as tokens carry it.
	Name Scope
	// Description says what the scope allows, short enough for a checkbox label.
	Description string
	// Parent is the scope that grants this one too, or "" for a top-level scope.
	Parent Scope
	// Kinds are the token kinds that may hold the scope.
	Kinds []Kind
	// DefaultFor are the token kinds that get the scope when none are chosen.
	DefaultFor []Kind
}

var (
	allKinds = []Kind{KindAPI, KindCLI, KindService, KindPersonal}
	// Personal tokens may hold what API tokens may: they act as their owner,
	// whose role in each org bounds them further.
	apiKinds       = []Kind{KindAPI, KindService, KindPersonal}
	onlyService    = []Kind{KindService}
	cliAndService  = []Kind{KindCLI, KindService}
	defaultAPI     = []Kind{KindAPI, KindPersonal}
	defaultCLI     = []Kind{KindCLI}
	defaultService = []Kind{KindService}
)

// catalog is the one list of scopes, in display order: each parent followed by its
// children. It follows the table in DESIGN.md, "Scopes".
var catalog = []ScopeInfo{
	{ScopeAPI, "Use the REST API, with every scope below", "", apiKinds, defaultAPI},
	{ScopeTokensRead, "List and read tokens", ScopeAPI, apiKinds, nil},
	{ScopeTokensWrite, "Create, edit, rotate and revoke tokens", ScopeAPI, apiKinds, nil},
	{ScopeServicesRead, "List services", ScopeAPI, apiKinds, nil},
	{ScopeServicesWrite, "Onboard and remove services", ScopeAPI, apiKinds, nil},
	{ScopeAuditRead, "Read the audit trail", ScopeAPI, apiKinds, nil},
	{ScopeMembersRead, "List the organization's members", ScopeAPI, apiKinds, nil},
	{ScopeMembersWrite, "Add members, change roles and remove members", ScopeAPI, apiKinds, nil},
	{ScopeIntrospect, "Ask whether another token is active", ScopeAPI, apiKinds, nil},
	{ScopeCI, "Act as a CI agent and send findings", "", onlyService, defaultService},
	{ScopeFindingsRemote, "Send findings from a remote repository", ScopeCI, onlyService, nil},
	{ScopeFindingsLocal, "Send findings from a local repository", ScopeCI, cliAndService, defaultCLI},
	{ScopeReport, "List, read and write reports", "", allKinds, nil},
	{ScopeReportList, "List reports", ScopeReport, allKinds, nil},
	{ScopeReportRead, "Read reports", ScopeReport, allKinds, nil},
	{ScopeReportWrite, "Write reports", ScopeReport, allKinds, nil},
	{ScopeRepo, "Work with git repositories", "", allKinds, nil},
	{ScopeRepoList, "List git repositories", ScopeRepo, allKinds, nil},
}

// Catalog returns every scope in display order, parents followed by their children.
// The result is a copy the caller may change.
func Catalog() []ScopeInfo {
	out := make([]ScopeInfo, len(catalog))
	for i, info := range catalog {
		out[i] = info.clone()
	}
	return out
}

// clone copies info so that the catalog's own slices never leave the package.
func (info ScopeInfo) clone() ScopeInfo {
	info.Kinds = slices.Clone(info.Kinds)
	info.DefaultFor = slices.Clone(info.DefaultFor)
	return info
}

// ScopesFor returns, in display order, the scopes a token of this kind may hold.
func ScopesFor(kind Kind) []ScopeInfo {
	var out []ScopeInfo
	for _, info := range catalog {
		if slices.Contains(info.Kinds, kind) {
			out = append(out, info.clone())
		}
	}
	return out
}

// DefaultScopes returns, in display order, the scopes a new token of this kind gets unless
// other scopes are chosen.
func DefaultScopes(kind Kind) []Scope {
	var out []Scope
	for _, info := range catalog {
		if slices.Contains(info.DefaultFor, kind) {
			out = append(out, info.Name)
		}
	}
	return out
}

// lookupScope returns the catalog entry for name.
func lookupScope(name Scope) (ScopeInfo, bool) {
	for _, info := range catalog {
		if info.Name == name {
			return info, true
		}
	}
	return ScopeInfo{}, false
}

// ScopeSet is a sorted set of scopes without duplicates, as a token holds them.
type ScopeSet []Scope

// scopeError explains why a list of scopes was refused, in words a person
// can act on: an Invalid fault on "scopes" whose Reason is the offending
// scope name as given ("" when the problem is the whole list).
func scopeError(scope, msg string) error {
	e := fault.Field(fault.Invalid, "scopes", msg)
	e.Reason = scope
	return e
}

// ParseScopes turns scope names, as typed in a form, flag or request, into the set a token of
// this kind may hold. Each element may itself hold several names separated by commas or
// spaces. Unknown names, names the kind may not hold and an empty list are refused with an
// Invalid fault (see scopeError).
func ParseScopes(kind Kind, names []string) (ScopeSet, error) {
	if kind.Prefix() == "" {
		return nil, scopeError("", fmt.Sprintf("unknown token kind %q; valid kinds: api, cli, service", kind))
	}
	var set ScopeSet
	for _, element := range names {
		for _, name := range strings.FieldsFunc(element, isScopeSeparator) {
			scope := Scope(strings.ToLower(name))
			info, ok := lookupScope(scope)
			if !ok {
				return nil, scopeError(name, fmt.Sprintf("unknown scope %q; %s", name, validScopesText(kind)))
			}
			if !slices.Contains(info.Kinds, kind) {
				return nil, scopeError(name, fmt.Sprintf("scope %q is not allowed on %s tokens; %s", name, kind.Label(), validScopesText(kind)))
			}
			set = append(set, scope)
		}
	}
	if len(set) == 0 {
		return nil, scopeError("", "choose at least one scope")
	}
	slices.Sort(set)
	return slices.Compact(set), nil
}

// isScopeSeparator reports whether r separates scope names in a list.
func isScopeSeparator(r rune) bool {
	return r == ',' || unicode.IsSpace(r)
}

// validScopesText lists the scopes a kind may hold, for error messages.
func validScopesText(kind Kind) string {
	var names []string
	for _, info := range ScopesFor(kind) {
		names = append(names, string(info.Name))
	}
	return fmt.Sprintf("valid scopes for %s tokens: %s", kind.Label(), strings.Join(names, ", "))
}

// Grants reports whether the set allows want: it holds want itself or a scope above it
// (so "api" grants "tokens:read" and "report" grants "report:read").
func (s ScopeSet) Grants(want Scope) bool {
	// The catalog is two levels deep today; the bound only guards against a cycle.
	for range len(catalog) + 1 {
		if want == "" {
			return false
		}
		if slices.Contains(s, want) {
			return true
		}
		info, ok := lookupScope(want)
		if !ok {
			return false
		}
		want = info.Parent
	}
	return false
}

// String returns the scopes separated by spaces, as OAuth 2.0 writes them.
func (s ScopeSet) String() string {
	return strings.Join(s.Strings(), " ")
}

// Strings returns the scope names as plain strings.
// WithoutCovered is s less the scopes that a parent in s already grants:
// api with tokens:read is api alone.
func (s ScopeSet) WithoutCovered() ScopeSet {
	out := ScopeSet{}
	for _, sc := range s {
		if info, ok := lookupScope(sc); ok && info.Parent != "" && slices.Contains(s, info.Parent) {
			continue
		}
		out = append(out, sc)
	}
	return out
}

// StartingScopes are the kind's least powerful defaults, which the create
// dialog starts with ticked: its default scopes that grant no others (api
// is the API default but grants every API scope, so none is ticked; a CLI
// token starts with findings:local).
func StartingScopes(kind Kind) []Scope {
	var out []Scope
	for _, sc := range DefaultScopes(kind) {
		parent := false
		for _, info := range catalog {
			parent = parent || info.Parent == sc
		}
		if !parent {
			out = append(out, sc)
		}
	}
	return out
}

func (s ScopeSet) Strings() []string {
	out := make([]string, len(s))
	for i, scope := range s {
		out[i] = string(scope)
	}
	return out
}
