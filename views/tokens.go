package views

import (
	"fmt"
	"net/url"

	"github.com/a-h/templ"
)

// TokensProps is one kind's tab of Settings > Tokens.
type TokensProps struct {
	Shell   Shell
	OrgSlug string
	Kind    string // api, cli or service
	Tabs    []NavLink
	Filter  TokenFilter
	Table   TokenTable
	// CanCreate shows the "Create token" button; CreateLabel names it.
	CanCreate   bool
	CreateLabel string
	NewURL      string // the create dialog
	// ExportURL is the tab's tokens as CSV, for those who may export the
	// audit trail; "" for others.
	ExportURL string
	// Dialog is rendered open in the dialog slot: a reveal after create or
	// rotate, or an action's dialog on its own page without JavaScript.
	Dialog templ.Component
	// Expiring are the viewer's own live tokens that expire within 7 days,
	// soonest first, named in a banner above the tabs; Back is the page's
	// URL, where a dismissal returns.
	Expiring []ExpiringToken
	Back     string
}

// ExpiringToken is one of the viewer's tokens named in the expiry banner.
type ExpiringToken struct {
	Name      string
	KindLabel string // API, CLI
	URL       string // its detail page; "" when the viewer may not open it
	Expires   Moment
	Badge     string // "expires in 3 days"
	// DismissURL is where the viewer's Dismiss posts: the warning stays
	// away for them until the token's expiry moves.
	DismissURL string
}

// expiringHeadline opens the expiry banner.
func expiringHeadline(n int) string {
	if n == 1 {
		return "One of your tokens expires within 7 days."
	}
	return fmt.Sprintf("%d of your tokens expire within 7 days.", n)
}

// bannerShown is how many tokens the expiry banner names before "and N more".
const bannerShown = 5

// TokenFilter is the search form's state, which is also the URL's query.
type TokenFilter struct {
	Q        string
	Role     string // creator's role, API tab
	Type     string // all, team or personal, API tab
	Service  string // service id, service tab
	Statuses []string
	Sort     string
	Dir      string
	Services []Option // for the service filter
	// URL is the tab's URL, which holds the query; SearchURL is where the
	// form posts it (a secret pasted in must never ride in a URL).
	URL       string
	SearchURL string
	CSRF      string
	// StatusChoices and RoleChoices are the status and creator-role filters' values.
	StatusChoices []string
	RoleChoices   []Option
	ShowRole      bool   // the API tab's creator-role and type filters
	Error         string // a bad query parameter, shown above the table
}

// Option is one choice of a select.
type Option struct {
	Value string
	Label string
}

// HasStatus reports whether the filter shows tokens of status s.
func (f TokenFilter) HasStatus(s string) bool {
	for _, x := range f.Statuses {
		if x == s {
			return true
		}
	}
	return false
}

// TokenTable is the swappable part of a tab: rows, pagination, empty state.
type TokenTable struct {
	Kind      string
	Rows      []TokenRow
	Total     int
	Page      int
	Pages     int
	PageLinks PageLinks
	Empty     string // what to say when there are no rows
	// EmptyAction is the button that fills an empty table: create a token,
	// onboard a service, or clear the search; Dialog when it opens the
	// create dialog through htmx.
	EmptyAction NavLink
	EmptyDialog bool
	Bulk        bool // show checkboxes and bulk actions
	BulkURL     string
	Searched    bool
	ColOwner    string // header of the creator/owner/service column
	CSRF        string
	// Sorts are the sortable headers by sort key (name, created, expires,
	// last_used): each a link that sorts by it, with the current order.
	Sorts map[string]SortHeader
	// PageSize is how many rows a page holds, one of PageSizes.
	PageSize  int
	PageSizes []int
}

// SortHeader is a table header that sorts: a link to the view sorted by its
// column (the other way round when it already is), and Dir "ascending" or
// "descending" on the column the view is sorted by (its aria-sort).
type SortHeader struct {
	URL string
	Dir string
}

// sortArrow is the indicator of a header's direction.
func sortArrow(dir string) string {
	switch dir {
	case "ascending":
		return "▲"
	case "descending":
		return "▼"
	}
	return ""
}

// ariaSort is the aria-sort attribute of a header: none on headers the view
// is not sorted by.
func ariaSort(dir string) templ.Attributes {
	if dir == "" {
		return templ.Attributes{}
	}
	return templ.Attributes{"aria-sort": dir}
}

// PageLinks are the previous and next page URLs ("" when none), and the
// last page's when the page asked for is past the end.
type PageLinks struct {
	Prev  string
	Next  string
	Last  string
	First string // the first page, from a later one
	End   string // the last page, from an earlier one
}

// pastEndMessage says that page is past the end of total rows on pages.
func pastEndMessage(page, pages, total int, noun string) string {
	return fmt.Sprintf("Page %d is past the end: the %d %s%s fit on %d page%s.", page, total, noun, plural(total), pages, plural(pages))
}

// TokenRow is one token in a table.
type TokenRow struct {
	ID         string
	Name       string
	DeviceName string
	Hint       string
	Scopes     []string
	Who        string // creator (API), owner (CLI) or service name
	WhoRole    string // creator's role for API tokens
	Created    Moment
	Expires    Moment
	LastUsed   Moment
	Status     string
	OrgVisible bool
	// Personal marks a member's personal token granted to the org: its
	// owner's, so not in bulk actions.
	Personal  bool
	Expiring  bool // within 30 days
	DetailURL string
	Actions   []RowAction

	// Grace is until when the secret before the last rotation still works
	// (Exact empty when no grace runs); GraceText says so in words.
	Grace     Moment
	GraceText string
}

// RowAction is a button in a row: it loads its dialog with htmx, or opens
// the dialog's own page without JavaScript.
type RowAction struct {
	Label string
	URL   string
	Post  bool // a form post (reveal) rather than a link
	Class string
	ID    string // data-testid
}

func pageLabel(t TokenTable) string {
	if t.Total == 0 || t.Page > t.Pages {
		return ""
	}
	return fmt.Sprintf("Page %d of %d · %d token%s", t.Page, t.Pages, t.Total, plural(t.Total))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// rowTestID names a row for tests by its token's name.
func rowTestID(name string) string { return "token-row-" + url.PathEscape(name) }
