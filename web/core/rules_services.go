package core

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"tokenward/auth"
	"tokenward/auth/fault"
	"tokenward/store"
	"unicode"
	"unicode/utf8"
)

// Limits of the add-service form.
const (
	maxServiceName = 100
	maxServiceURL  = 2048
)

// serviceNamePattern is owner/repository: two segments of letters, digits,
// dots, dashes and underscores around one slash.
var serviceNamePattern = regexp.MustCompile(`^[A-Za-z0-9._-]+/[A-Za-z0-9._-]+$`)

func ValidateServiceName(s string) string {
	switch {
	case s == "":
		return "Enter the repository's name, such as acme/payments."
	case !utf8.ValidString(s):
		return "The name must be plain text."
	case utf8.RuneCountInString(s) > maxServiceName:
		return fmt.Sprintf("Use at most %d characters.", maxServiceName)
	case !serviceNamePattern.MatchString(s):
		return "Write the name as owner/repository, such as acme/payments: letters, digits, dots, dashes and underscores, with one slash between them."
	}
	for _, part := range strings.Split(s, "/") {
		if part == "." || part == ".." {
			return "Neither the owner nor the repository may be . or .. alone."
		}
	}
	return ""
}

func ValidateServiceURL(s string) string {
	const how = "Enter a web address starting with https:// or http://, such as https://github.com/acme/payments, or leave it empty."
	switch {
	case s == "":
		return ""
	case !utf8.ValidString(s):
		return "The URL must be plain text."
	case len(s) > maxServiceURL:
		return fmt.Sprintf("Use at most %d characters.", maxServiceURL)
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) >= 0,
		strings.ContainsAny(s, `<>"'`):
		return "A URL cannot contain spaces, quotes, < or >. " + how
	}
	u, err := url.Parse(s)
	switch {
	case err != nil, u.Scheme != "http" && u.Scheme != "https", u.Hostname() == "":
		return how
	case u.User != nil:
		return "Leave user names and passwords out of the URL: everyone who can see services sees it."
	}
	return ""
}

// OnboardService validates the request for a service's first token as
// IssueToken does, then stores the service and that token, with their audit
// events, in one transaction. Field errors of the token request come back as
// fault.Fields; a service name already onboarded is a store error on "name".
func OnboardService(ctx context.Context, db *store.DB, sealer *auth.Sealer, ns store.NewService, r TokenRequest, actor store.Actor) (store.Service, Issued, fault.Fields, error) {
	nt, errs := r.validate(db.Now())
	if bad := validateService(ns.Name, ns.URL); len(bad) > 0 {
		errs = bad // the service's own messages say more than its token's
	}
	if len(errs) > 0 {
		return store.Service{}, Issued{}, errs, nil
	}
	secret, err := newTokenSecret(&nt, sealer)
	if err != nil {
		return store.Service{}, Issued{}, nil, err
	}
	svc, t, err := db.CreateService(ctx, ns, nt, actor)
	if err != nil {
		return store.Service{}, Issued{}, nil, err
	}
	return svc, Issued{Token: t, Secret: secret}, nil, nil
}

// validateService checks a service's name and URL, a message per bad field.
func validateService(name, url string) fault.Fields {
	errs := fault.Fields{}
	if msg := ValidateServiceName(name); msg != "" {
		errs["name"] = msg
	}
	if msg := ValidateServiceURL(url); msg != "" {
		errs["url"] = msg
	}
	return errs
}

// ServiceRequest is a service to onboard as asked: its repository name and
// URL, in org, by the creator.
type ServiceRequest struct {
	Org       store.Org
	Name, URL string
	CreatorID int64
}

// Onboard stores a service and its first token, a service token named as
// the service, expiring after the org policy's default days: what the
// services page and POST /api/v1/services both do.
func (s *Core) Onboard(ctx context.Context, r ServiceRequest, actor store.Actor) (store.Service, Issued, fault.Fields, error) {
	req := TokenRequest{Org: r.Org, Kind: auth.KindService, Name: r.Name, Expiry: strconv.Itoa(r.Org.Policy.DefaultDays), CreatorID: r.CreatorID}
	return OnboardService(ctx, s.DB, s.Sealer, store.NewService{OrgID: r.Org.ID, Name: r.Name, URL: r.URL}, req, actor)
}
