package ui

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/auth/fault"
	"tokenward/store"
	"tokenward/views"
	"tokenward/web/identity"
	"tokenward/web/plumbing"
)

// providerForm is the add or edit provider form as posted.
type providerForm struct {
	Kind, Name, Issuer, APIURL, ClientID, Secret, Domains, JoinOrg, JoinRole string
	Join                                                                     bool
}

func parseProviderForm(c echo.Context) providerForm {
	return providerForm{Kind: c.FormValue("kind"), Name: plumbing.FormText(c, "name"),
		Issuer: plumbing.FormText(c, "issuer"), APIURL: plumbing.FormText(c, "api_url"),
		ClientID: plumbing.FormText(c, "client_id"), Secret: strings.TrimSpace(c.FormValue("client_secret")),
		Domains: plumbing.FormText(c, "domains"), Join: c.FormValue("join") == "1",
		JoinOrg: c.FormValue("join_org"), JoinRole: c.FormValue("join_role")}
}

// Validate checks the form and returns what to save (the secret still in
// plain text in Secret). adding says a secret is required.
func (f *providerForm) Validate(adding bool, orgs map[string]int64) (store.ProviderInput, views.FieldErrors) {
	in := store.ProviderInput{Kind: f.Kind, Name: f.Name, Issuer: f.Issuer, APIURL: f.APIURL, ClientID: f.ClientID}
	msgs := map[string]string{}
	f.checkAddresses(&in, msgs)
	switch {
	case f.Name == "":
		msgs["name"] = "Enter the name shown on the sign-in page, such as GitLab."
	case len([]rune(f.Name)) > 60 || plumbing.HasControl(f.Name):
		msgs["name"] = "Use plain text of at most 60 characters."
	}
	if f.ClientID == "" || len(f.ClientID) > 255 || plumbing.HasControl(f.ClientID) {
		msgs["client_id"] = "Enter the client id the provider gave you (at most 255 characters)."
	}
	if adding && f.Secret == "" {
		msgs["client_secret"] = "Enter the client secret the provider gave you."
	} else if len(f.Secret) > 1024 || plumbing.HasControl(f.Secret) {
		msgs["client_secret"] = "The client secret is plain text of at most 1024 characters: paste it again."
	}
	in.Domains, msgs["domains"] = auth.ParseDomains(f.Domains)
	if f.Join {
		in.JoinOrgID = orgs[f.JoinOrg]
		if in.JoinOrgID == 0 {
			msgs["join_org"] = "Choose the organization people join."
		}
		if _, err := auth.ParseRole(f.JoinRole); err != nil {
			msgs["join_role"] = "Choose Admin, Member or Auditor."
		}
		if len(in.Domains) == 0 && msgs["domains"] == "" {
			msgs["domains"] = "Joining needs at least one allowed domain, so that not everyone with an account there can join."
		}
		in.JoinRole = f.JoinRole
	}
	return in, collectErrors(msgs)
}

// checkAddresses checks the kind and its addresses: an OIDC issuer, or
// GitHub's web and API addresses (github.com's when left empty).
func (f *providerForm) checkAddresses(in *store.ProviderInput, msgs map[string]string) {
	switch f.Kind {
	case store.ProviderOIDC:
		in.APIURL = ""
		if in.Issuer == "" {
			msgs["issuer"] = "Enter the issuer URL, such as https://gitlab.com."
		}
	case store.ProviderGitHub:
		in.Issuer = strings.TrimRight(cmpOr(in.Issuer, identity.GitHubURL), "/")
		in.APIURL = strings.TrimRight(cmpOr(in.APIURL, identity.GitHubAPIURL), "/")
		msgs["api_url"] = identity.CheckURL(in.APIURL)
	default:
		msgs["kind"] = "Choose OpenID Connect or GitHub."
	}
	if msgs["issuer"] == "" && msgs["kind"] == "" {
		msgs["issuer"] = identity.CheckURL(in.Issuer)
	}
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// view is the form for re-rendering, values kept, never the secret.
func (f providerForm) view(id int64, hasSecret bool, errs views.FieldErrors) views.ProviderForm {
	return views.ProviderForm{ID: id, Kind: f.Kind, Name: plumbing.PlainText(f.Name), Issuer: plumbing.PlainText(f.Issuer),
		APIURL: plumbing.PlainText(f.APIURL), ClientID: plumbing.PlainText(f.ClientID), Domains: plumbing.PlainText(f.Domains),
		Join: f.Join, JoinOrg: f.JoinOrg, JoinRole: f.JoinRole, HasSecret: hasSecret, Errors: errs}
}

// formOf is a saved provider's edit form.
func formOf(p store.IdentityProvider) providerForm {
	return providerForm{Kind: p.Kind, Name: p.Name, Issuer: p.Issuer, APIURL: p.APIURL, ClientID: p.ClientID,
		Domains: strings.Join(p.Domains, " "), Join: p.JoinOrgID != 0, JoinOrg: p.JoinOrgSlug, JoinRole: p.JoinRole}
}

// orgChoices fills the form's org and role choices; it returns the orgs by slug.
func (s *Server) orgChoices(ctx context.Context, f *views.ProviderForm) (map[string]int64, error) {
	orgs, err := s.DB.Orgs(ctx)
	if err != nil {
		return nil, err
	}
	bySlug := map[string]int64{}
	for _, o := range orgs {
		f.Orgs = append(f.Orgs, views.OrgChoice{Slug: o.Slug, Name: o.Name})
		bySlug[o.Slug] = o.ID
	}
	for _, r := range auth.Roles {
		f.Roles = append(f.Roles, string(r))
	}
	if f.JoinRole == "" {
		f.JoinRole = string(auth.RoleMember)
	}
	return bySlug, nil
}

// checkProvider asks the provider, before saving, whether it can be used
// (an OIDC issuer's discovery); a failure is a message on the issuer field.
func (s *Server) checkProvider(c echo.Context, in store.ProviderInput) string {
	ctx, cancel := context.WithTimeout(c.Request().Context(), s.providerTimeout())
	defer cancel()
	err := identity.Check(ctx, identity.Provider{Kind: in.Kind, Issuer: in.Issuer, APIURL: in.APIURL, ClientID: in.ClientID})
	if e, ok := err.(*identity.Error); ok {
		return e.Message
	}
	if err != nil {
		return "The issuer could not be checked: " + plumbing.ClipText(err.Error(), 200)
	}
	return ""
}

// saveProvider validates, checks and saves the form; it returns the errors
// to show, or none once saved.
func (s *Server) saveProvider(c echo.Context, f *providerForm, id int64) (views.FieldErrors, error) {
	var scratch views.ProviderForm
	orgs, err := s.orgChoices(c.Request().Context(), &scratch)
	if err != nil {
		return nil, err
	}
	in, errs := f.Validate(id == 0, orgs)
	if errs.Any() {
		return errs, nil
	}
	if msg := s.checkProvider(c, in); msg != "" {
		return views.FieldErrors{"issuer": msg}, nil
	}
	if f.Secret != "" {
		in.SecretSealed = s.Sealer.Seal(secretAAD, f.Secret)
	}
	if id == 0 {
		_, err = s.DB.CreateProvider(c.Request().Context(), in, s.actor(c))
	} else {
		_, err = s.DB.UpdateProvider(c.Request().Context(), id, in, s.actor(c))
	}
	if fields := fault.FieldsOf(err); fields.Any() {
		return fields, nil
	}
	return nil, err
}

// redirectURL is the callback to register at every provider.
func (s *Server) redirectURL() string { return s.Public + CallbackPath }

// providerStatus is the status for a refused form: 409 for a taken name, 422 else.
func providerStatus(errs views.FieldErrors) int {
	if strings.Contains(errs["name"], "exists already") || strings.Contains(errs["client_id"], "added already") {
		return http.StatusConflict
	}
	return http.StatusUnprocessableEntity
}

// describeJoin says who may join through p.
func describeJoin(p store.IdentityProvider) string {
	if p.JoinOrgID == 0 {
		return "No joining"
	}
	return fmt.Sprintf("Joins %s as %s", p.JoinOrgSlug, p.JoinRole)
}
