// Package views renders Tokenward's pages with templ. Components take typed
// props and decide nothing about permissions: the web package says what is
// allowed by what it puts in the props.
package views

import (
	"strconv"

	"tokenward/auth/fault"
)

// Shell is what every signed-in (or anonymous) page's layout needs.
type Shell struct {
	Title     string
	CSRF      string
	User      *UserMenu // nil when nobody is signed in
	Orgs      []OrgLink // the user's orgs; the switcher shows when there are two or more
	Org       *OrgLink  // the org the page is about, if any
	Nav       []NavLink // settings sections the viewer may open
	Flashes   []Flash
	RequestID string
	// Unread is the signed-in user's unread notifications, for the bell.
	Unread int
	// ContinueTo, when set, sends the browser on to this address at once
	// (a meta refresh): how a form's answer leaves for an identity
	// provider, which the CSP's form-action 'self' forbids a redirect to.
	ContinueTo string
}

// UserMenu is the signed-in user as the header shows them.
type UserMenu struct {
	Username    string
	DisplayName string
	SiteAdmin   bool
}

// OrgLink is an org in the switcher.
type OrgLink struct {
	Slug string
	Name string
	Role string
}

// NavLink is one section in the side navigation.
type NavLink struct {
	Label   string
	Href    string
	Current bool
}

// Flash is a one-time message shown after a redirect.
type Flash struct {
	Kind    string // success, error or info
	Message string
}

// FieldErrors maps a form field's name to the message shown beside it: the
// one field-message type, fault.Fields.
type FieldErrors = fault.Fields

// ariaInvalid gives the aria-invalid attribute value for a field.
func ariaInvalid(f FieldErrors, field string) string {
	if f.Has(field) {
		return "true"
	}
	return "false"
}

func (s Shell) hasOrgSwitcher() bool { return len(s.Orgs) > 1 }

func (s Shell) currentSlug() string {
	if s.Org == nil {
		return ""
	}
	return s.Org.Slug
}

func currentAttr(b bool) string {
	if b {
		return "page"
	}
	return ""
}

// bellLabel is the bell's accessible name, with the unread count.
func (s Shell) bellLabel() string {
	switch s.Unread {
	case 0:
		return "Notifications"
	case 1:
		return "Notifications: 1 unread"
	}
	return "Notifications: " + fmtInt(s.Unread) + " unread"
}

// strconvItoa is strconv.Itoa for templates.
func strconvItoa(n int) string { return strconv.Itoa(n) }
