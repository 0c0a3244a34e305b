package core

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"tokenward/auth"
	"tokenward/store"
)

// PerPage is how many tokens a tab shows at once.
const PerPage = 25

// TokenQuery is a tab's URL query, parsed and checked.
type TokenQuery struct {
	Q    string
	Hash [32]byte // set when the search was a whole token
	// Pasted says the search was a whole token: Q is then its hint, so the
	// secret is never shown back or pushed into the browser's history.
	Pasted bool
	Role   string
	// Type narrows an API list to the org's own tokens ("team"), the
	// personal tokens granted to it ("personal"), or holds both ("all").
	// Left empty it is the org's own; the dashboard's API tab asks for all.
	Type     string
	Service  int64
	Statuses []string
	Sort     string
	Desc     bool
	Page     int
	// PageSize is how many tokens a page of a tab holds: one of PageSizes.
	PageSize int
}

// PageSizes are the page sizes a tab offers.
var PageSizes = []int{10, 25, 50, 100}

// ValidStatuses are the statuses a filter may name: store.Statuses.
var ValidStatuses = func() map[string]bool {
	m := map[string]bool{}
	for _, s := range store.Statuses {
		m[s] = true
	}
	return m
}()

// ParseTokenQuery reads q, role, service, status, sort, dir and page. A bad
// value is an error message for the person, and the rest still parses.
func ParseTokenQuery(v url.Values, kind auth.Kind) (TokenQuery, string) {
	q := TokenQuery{Q: strings.TrimSpace(v.Get("q")), Sort: "created", Desc: true, Page: 1, PageSize: PerPage}
	var problems []string
	if !utf8Text(q.Q) || len(q.Q) > 200 {
		q.Q = ""
		problems = append(problems, "The search must be plain text of at most 200 characters.")
	}
	switch r := v.Get("role"); {
	case r == "":
	case kind == auth.KindAPI && (r == "admin" || r == "member"):
		q.Role = r
	default:
		problems = append(problems, "Filter by creator role Admin or Member, on API tokens only.")
	}
	switch t := v.Get("type"); {
	case t == "":
	case kind == auth.KindAPI && (t == "all" || t == "team" || t == "personal"):
		q.Type = t
	default:
		problems = append(problems, "Type is all, team or personal, on API tokens only.")
	}
	if s := v.Get("service"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 || kind != auth.KindService {
			problems = append(problems, "Choose a service from the list.")
		} else {
			q.Service = id
		}
	}
	for _, s := range v["status"] {
		if !ValidStatuses[s] {
			problems = append(problems, "Status is active, expired, disabled or revoked.")
			continue
		}
		q.Statuses = append(q.Statuses, s)
	}
	if s := v.Get("sort"); s != "" {
		if s != "name" && s != "created" && s != "last_used" && s != "expires" {
			problems = append(problems, "Sort by name, created, last used or expires.")
		} else {
			q.Sort = s
		}
	}
	switch d := v.Get("dir"); d {
	case "", "desc":
	case "asc":
		q.Desc = false
	default:
		problems = append(problems, "Sort direction is asc or desc.")
	}
	if p := v.Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 1_000_000 {
			problems = append(problems, "Page is a whole number from 1.")
		} else {
			q.Page = n
		}
	}
	if p := v.Get("size"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || !slices.Contains(PageSizes, n) {
			problems = append(problems, "Show 10, 25, 50 or 100 tokens a page.")
		} else {
			q.PageSize = n
		}
	}
	if _, err := auth.ParseToken(q.Q); err == nil {
		q.Hash, q.Q, q.Pasted = auth.HashToken(q.Q), auth.TokenHint(q.Q), true
	}
	return q, strings.Join(problems, " ")
}

// Values is the query as URL values, for links that keep the view.
func (q TokenQuery) Values() url.Values {
	v := url.Values{}
	if q.Q != "" {
		v.Set("q", q.Q)
	}
	if q.Role != "" {
		v.Set("role", q.Role)
	}
	if q.Type != "" {
		v.Set("type", q.Type)
	}
	if q.Service != 0 {
		v.Set("service", fmt.Sprint(q.Service))
	}
	for _, s := range q.Statuses {
		v.Add("status", s)
	}
	if q.Sort != "created" {
		v.Set("sort", q.Sort)
	}
	if !q.Desc {
		v.Set("dir", "asc")
	}
	if q.PageSize != 0 && q.PageSize != PerPage {
		v.Set("size", fmt.Sprint(q.PageSize))
	}
	return v
}

// PageCount is how many pages of per rows total fills: at least one.
func PageCount(total, per int) int { return max(1, (total+per-1)/per) }

// TokenFacts is what the authorization function needs of a token.
func TokenFacts(t store.Token) *auth.TokenFacts {
	return &auth.TokenFacts{Kind: auth.Kind(t.Kind), Visibility: t.Visibility, OwnerUserID: t.OwnerUserID}
}

// TokenBearer is what auth.TokenPrincipal needs to know about t.
func TokenBearer(t store.Token) auth.Bearer {
	return auth.Bearer{Kind: auth.Kind(t.Kind), CreatorID: t.CreatorID, OwnerUserID: t.OwnerUserID,
		OwnerRole: auth.Role(t.OwnerRole), OwnerDisabled: t.OwnerDisabled}
}

func Scopes(t store.Token) []auth.Scope {
	out := make([]auth.Scope, len(t.Scopes))
	for i, s := range t.Scopes {
		out[i] = auth.Scope(s)
	}
	return out
}

func DefaultScopeNames(kind auth.Kind) []string {
	var out []string
	for _, sc := range auth.DefaultScopes(kind) {
		out = append(out, string(sc))
	}
	return out
}

// Grace is one choice of how long a rotated token's old secret keeps
// working.
type Grace struct {
	Value string // as the form and the API send it
	Label string
	Wait  time.Duration
}

// Graces are the choices, in the order the rotate dialog shows them; the
// first is the default.
var Graces = []Grace{
	{"now", "Now", 0},
	{"1h", "After 1 hour", time.Hour},
	{"1d", "After 1 day", 24 * time.Hour},
	{"7d", "After 7 days", 7 * 24 * time.Hour},
}

// GraceChoices are Graces by value.
var GraceChoices = func() map[string]time.Duration {
	m := map[string]time.Duration{}
	for _, g := range Graces {
		m[g.Value] = g.Wait
	}
	return m
}()

// RotateSecret makes a new secret for t (sealed when it is to be shared)
// and stores it; the old one works until oldUntil (zero: it stops now). The
// expiry stays as it is.
func (s *Core) RotateSecret(ctx context.Context, t store.Token, visibility string, oldUntil time.Time, actor store.Actor) (store.Token, string, error) {
	return s.rotate(ctx, t, store.Rotation{Visibility: visibility, OldValidUntil: oldUntil}, actor)
}

// rotate makes a new secret for t and stores it with r's other changes.
func (s *Core) rotate(ctx context.Context, t store.Token, r store.Rotation, actor store.Actor) (store.Token, string, error) {
	secret, err := auth.NewToken(auth.Kind(t.Kind))
	if err != nil {
		return store.Token{}, "", err
	}
	h := auth.HashToken(secret)
	r.SecretHash, r.Hint, r.Sealed = h[:], auth.TokenHint(secret), nil
	if r.Visibility == auth.VisibilityOrg {
		r.Sealed = s.Sealer.Seal(t.ID, secret)
	}
	rotated, err := s.DB.RotateToken(ctx, t.OrgID, t.ID, r, actor)
	return rotated, secret, err
}
