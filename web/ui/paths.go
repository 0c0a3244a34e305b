package ui

import (
	"net/url"
	"tokenward/auth"
	"tokenward/store"
	"tokenward/views"
	"tokenward/web/core"
)

// The dashboard's URLs and option lists, each defined once and passed to
// the views in their props.

func tabPath(org string, k auth.Kind) string { return "/orgs/" + org + "/settings/tokens/" + string(k) }

// tokenPath is a token's detail page, or one of its actions.
func tokenPath(org string, t store.Token, action string) string {
	p := "/orgs/" + org + "/settings/tokens/" + t.Kind + "/" + t.ID
	if action != "" {
		p += "/" + action
	}
	return p
}

// auditViewNames are the views a URL may name.
var auditViewNames = func() map[string]bool {
	m := map[string]bool{}
	for _, v := range auditViews[1:] {
		m[v.Value] = true
	}
	return m
}()

func auditPath(org string) string { return "/orgs/" + org + "/settings/audit" }

// withQuery is path with v as its query, when there is one.
func withQuery(path string, v url.Values) string {
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// searchPath is where a tab's search form posts.
func searchPath(org string, k auth.Kind) string { return tabPath(org, k) + "/search" }

// newTokenPath is a tab's create dialog.
func newTokenPath(org string, k auth.Kind) string { return tabPath(org, k) + "/new" }

// auditEventsPath is the audit page's Event log tab.
func auditEventsPath(org string) string { return auditPath(org) + "/events" }

// auditViews are the audit page's saved views, in the order its select
// shows them ("" is every token).
var auditViews = []views.Option{
	{Value: "", Label: "All tokens"},
	{Value: store.ViewNeverUsed, Label: "Never used"},
	{Value: store.ViewIdle90, Label: "Idle for 90 days"},
	{Value: store.ViewExpiring30, Label: "Expiring within 30 days"},
	{Value: store.ViewNoExpiry, Label: "No expiry"},
}

// creatorRoles are the API tab's creator-role filter: the roles that may
// create API tokens.
var creatorRoles = []views.Option{{Value: string(auth.RoleAdmin), Label: "Admin"}, {Value: string(auth.RoleMember), Label: "Member"}}

// graceOptions are the rotate dialog's choices, from core.Graces.
func graceOptions() []views.Option {
	out := make([]views.Option, len(core.Graces))
	for i, g := range core.Graces {
		out[i] = views.Option{Value: g.Value, Label: g.Label}
	}
	return out
}
