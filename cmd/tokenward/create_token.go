package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"tokenward/auth"
	"tokenward/auth/fault"
	"tokenward/store"
	"tokenward/web/core"
)

// tokenFlags are the flags of `tokenward admin create-token`.
type tokenFlags struct {
	db                                                                          dbFlags
	org, orgs, kind, name, scopes, owner, service, visibility, expiresIn, quota string
}

// createToken is `tokenward admin create-token`: it makes a token for
// bootstrap automation through the dashboard's own path (core.IssueToken),
// then prints the secret and the token's id, one a line, and nothing else on
// stdout, so `TOKEN=$(tokenward admin create-token ... | head -1)` works.
func createToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseTokenFlags(args, stderr)
	if err != nil {
		return err
	}
	kind, err := auth.ParseKind(f.kind)
	if err != nil {
		return fmt.Errorf("--kind: %w", err)
	}
	if kind == auth.KindPersonal {
		if strings.TrimSpace(f.org) != "" {
			return errors.New("--org: a personal token reaches several organizations: give them with --orgs a,b instead")
		}
		if len(splitList(f.orgs)) == 0 {
			return errors.New("--orgs: give the slugs of the organizations the personal token may reach, such as --orgs acme,globex")
		}
	} else if strings.TrimSpace(f.orgs) != "" {
		return fmt.Errorf("--orgs: only personal tokens reach several organizations; %s tokens belong to one, given with --org", kind.Label())
	} else if strings.TrimSpace(f.org) == "" {
		return errors.New("--org: give the organization's slug")
	}
	if kind != auth.KindService && f.service != "" {
		return fmt.Errorf("--service: only service tokens belong to a service; %s tokens belong to --owner", kind.Label())
	}

	db, key, err := f.db.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	sealer, err := auth.NewSealer(key)
	if err != nil {
		return err
	}
	var req core.TokenRequest
	if kind == auth.KindPersonal {
		req, err = personalRequest(ctx, db, f)
	} else {
		req, err = orgTokenRequest(ctx, db, kind, f)
	}
	if err != nil {
		return err
	}
	org := req.Org
	issued, errs, err := core.IssueToken(ctx, db, sealer, req, store.Actor{Label: "command line"})
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return fieldErrors(errs)
	}
	fmt.Fprintln(stdout, issued.Secret)
	fmt.Fprintln(stdout, "id:", issued.Token.ID)
	expires := "never expires"
	if !issued.Token.ExpiresAt.IsZero() {
		expires = "expires " + issued.Token.ExpiresAt.Format("2006-01-02 15:04 UTC")
	}
	where := org.Slug
	if kind == auth.KindPersonal {
		where = "for " + strings.Join(splitList(f.orgs), ", ")
	} else {
		where = "in " + where
	}
	fmt.Fprintf(stderr, "Created %s token %q %s (%s). Store it now: it will not be shown again.\n",
		kind.Label(), issued.Token.Name, where, expires)
	return nil
}

// orgTokenRequest is the request for a token of one org, --org.
func orgTokenRequest(ctx context.Context, db *store.DB, kind auth.Kind, f tokenFlags) (core.TokenRequest, error) {
	org, err := orgNamed(ctx, db, "--org", f.org)
	if err != nil {
		return core.TokenRequest{}, err
	}
	return tokenRequest(ctx, db, org, kind, f)
}

// personalRequest is the request for a personal token of --owner reaching
// each of --orgs, of which the owner must be a member.
func personalRequest(ctx context.Context, db *store.DB, f tokenFlags) (core.TokenRequest, error) {
	if strings.TrimSpace(f.owner) == "" {
		return core.TokenRequest{}, errors.New("--owner: a personal token belongs to a person: give their username")
	}
	if f.service != "" {
		return core.TokenRequest{}, errors.New("--service: only service tokens belong to a service")
	}
	var orgs []store.Org
	for _, slug := range splitList(f.orgs) {
		org, err := orgNamed(ctx, db, "--orgs", slug)
		if err != nil {
			return core.TokenRequest{}, err
		}
		orgs = append(orgs, org)
	}
	req, err := tokenRequest(ctx, db, orgs[0], auth.KindPersonal, f)
	if err != nil {
		return core.TokenRequest{}, err
	}
	for _, org := range orgs[1:] {
		if _, err := member(ctx, db, org, f.owner); err != nil {
			return core.TokenRequest{}, err
		}
	}
	req.Orgs = orgs
	return req, nil
}

// orgNamed finds the org a flag names by slug.
func orgNamed(ctx context.Context, db *store.DB, flag, slug string) (store.Org, error) {
	org, err := db.OrgBySlug(ctx, strings.ToLower(strings.TrimSpace(slug)))
	if store.IsNotFound(err) {
		return store.Org{}, fmt.Errorf("%s: unknown organization %q", flag, slug)
	}
	return org, err
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// parseTokenFlags reads create-token's flags.
func parseTokenFlags(args []string, stderr io.Writer) (tokenFlags, error) {
	var f tokenFlags
	fs := newFlagSet("admin create-token", stderr)
	f.db.register(fs)
	fs.StringVar(&f.org, "org", "", "organization slug (required, but for personal tokens)")
	fs.StringVar(&f.orgs, "orgs", "", "comma-separated organization slugs a personal token may reach (personal tokens, instead of --org)")
	fs.StringVar(&f.kind, "kind", "", "token kind: api, cli, service or personal (required)")
	fs.StringVar(&f.name, "name", "", "token name (required)")
	fs.StringVar(&f.scopes, "scopes", "", "comma-separated scopes (default: the kind's defaults)")
	fs.StringVar(&f.owner, "owner", "", "username of the creator and owner (required for api and cli; service: default the org's first admin)")
	fs.StringVar(&f.service, "service", "", "onboarded service the token belongs to (service tokens)")
	fs.StringVar(&f.visibility, "visibility", "", "admins (default) or org")
	fs.StringVar(&f.expiresIn, "expires-in", "", "lifetime such as 30d (1-365 days), or never where policy allows (default: the org's default)")
	fs.StringVar(&f.quota, "quota", "", "monthly request quota (default: none)")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if fs.NArg() > 0 {
		return f, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return f, nil
}

// tokenRequest resolves the creator, owner and service the flags name and
// checks that the creator may make this token.
func tokenRequest(ctx context.Context, db *store.DB, org store.Org, kind auth.Kind, f tokenFlags) (core.TokenRequest, error) {
	req := core.TokenRequest{Org: org, Kind: kind, Name: f.name, Expiry: f.expiresIn,
		Visibility: strings.TrimSpace(f.visibility), Quota: f.quota}
	if strings.TrimSpace(f.scopes) != "" {
		req.Scopes = []string{f.scopes}
	}
	if req.Expiry == "" {
		req.Expiry = strconv.Itoa(org.Policy.DefaultDays)
	}
	var creator store.Member
	var err error
	switch {
	case f.owner != "":
		if creator, err = member(ctx, db, org, f.owner); err != nil {
			return core.TokenRequest{}, err
		}
	case kind == auth.KindService:
		if creator, err = firstAdmin(ctx, db, org); err != nil {
			return core.TokenRequest{}, err
		}
	default:
		return core.TokenRequest{}, fmt.Errorf("--owner: %s tokens belong to a person: give the username of a member of %s", kind.Label(), org.Slug)
	}
	req.CreatorID = creator.User.ID
	facts := &auth.TokenFacts{Kind: kind}
	if kind == auth.KindService {
		svc, err := serviceNamed(ctx, db, org, f.service)
		if err != nil {
			return core.TokenRequest{}, err
		}
		req.ServiceID = svc.ID
	} else {
		req.OwnerUserID, facts.OwnerUserID = creator.User.ID, creator.User.ID
	}
	p := auth.Principal{UserID: creator.User.ID, Role: auth.Role(creator.Role)}
	if !auth.Authorize(p, auth.CreateToken, facts) {
		who := fmt.Sprintf("%s is %s of %s", creator.User.Username, strings.ToLower(auth.Role(creator.Role).Label()), org.Slug)
		if kind == auth.KindCLI {
			return core.TokenRequest{}, fmt.Errorf("--owner: %s; only admins and members have CLI tokens", who)
		}
		return core.TokenRequest{}, fmt.Errorf("--owner: %s; only admins may create %s tokens", who, kind.Label())
	}
	return req, nil
}

// member finds a user by username and their membership of org.
func member(ctx context.Context, db *store.DB, org store.Org, username string) (store.Member, error) {
	u, err := db.UserByUsername(ctx, auth.NormalizeUsername(username))
	if store.IsNotFound(err) {
		return store.Member{}, fmt.Errorf("--owner: no user named %q", username)
	}
	if err != nil {
		return store.Member{}, err
	}
	m, err := db.Membership(ctx, org.ID, u.ID)
	if store.IsNotFound(err) {
		return store.Member{}, fmt.Errorf("--owner: %s is not a member of %s", u.Username, org.Slug)
	}
	return m, err
}

// firstAdmin is the org's admin first by username, who creates service
// tokens when --owner is not given.
func firstAdmin(ctx context.Context, db *store.DB, org store.Org) (store.Member, error) {
	members, err := db.Members(ctx, org.ID) // by username
	if err != nil {
		return store.Member{}, err
	}
	for _, m := range members {
		if m.Role == string(auth.RoleAdmin) {
			return m, nil
		}
	}
	return store.Member{}, fmt.Errorf("%s has no admin to create the token: give --owner", org.Slug)
}

// serviceNamed finds an onboarded service by name, listing the others when
// there is none.
func serviceNamed(ctx context.Context, db *store.DB, org store.Org, name string) (store.Service, error) {
	services, err := db.Services(ctx, org.ID)
	if err != nil {
		return store.Service{}, err
	}
	var names []string
	for _, s := range services {
		if s.Name == strings.TrimSpace(name) {
			return s, nil
		}
		names = append(names, s.Name)
	}
	onboarded := "none is onboarded yet: add one on the Services page"
	if len(names) > 0 {
		onboarded = "onboarded services: " + strings.Join(names, ", ")
	}
	if strings.TrimSpace(name) == "" {
		return store.Service{}, fmt.Errorf("--service: service tokens belong to a service: name one (%s)", onboarded)
	}
	return store.Service{}, fmt.Errorf("--service: %s has no service named %q (%s)", org.Slug, name, onboarded)
}

// flagOf names the flag a TokenRequest field comes from.
var flagOf = map[string]string{"name": "--name", "scopes": "--scopes", "expiry": "--expires-in",
	"visibility": "--visibility", "quota": "--quota"}

// fieldErrors turns IssueToken's field errors into one error, in flag order.
func fieldErrors(errs fault.Fields) error {
	var fields []string
	for f := range errs {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	var msgs []string
	for _, f := range fields {
		flag := flagOf[f]
		if flag == "" {
			flag = f
		}
		msgs = append(msgs, flag+": "+errs[f])
	}
	return errors.New(strings.Join(msgs, "\n"))
}
