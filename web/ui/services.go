package ui

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/auth/fault"
	"tokenward/store"
	"tokenward/views"
	"tokenward/web/core"
	"tokenward/web/plumbing"
)

// serviceForm is the add-service form as posted.
type serviceForm struct {
	Name string
	URL  string
}

func parseServiceForm(c echo.Context) serviceForm {
	return serviceForm{Name: plumbing.FormText(c, "name"), URL: plumbing.FormText(c, "url")}
}

// Validate checks the form and returns a message per bad field.
func (f serviceForm) Validate() views.FieldErrors {
	return collectErrors(map[string]string{"name": core.ValidateServiceName(f.Name), "url": core.ValidateServiceURL(f.URL)})
}

func (f serviceForm) view(errs views.FieldErrors) views.AddServiceForm {
	return views.AddServiceForm{Name: plumbing.PlainText(f.Name), URL: plumbing.PlainText(f.URL), Errors: errs}
}

func servicesPath(org string) string { return "/orgs/" + org + "/settings/services" }

// nTokens says how many tokens, in words: "1 token", "3 tokens".
func nTokens(n int) string {
	if n == 1 {
		return "1 token"
	}
	return fmt.Sprintf("%d tokens", n)
}

func (s *Server) services(c echo.Context) error {
	return s.renderServices(c, http.StatusOK, views.AddServiceForm{}, nil)
}

// renderServices renders the services page with the add form as given and,
// right after onboarding, the new token's one-time reveal.
func (s *Server) renderServices(c echo.Context, status int, add views.AddServiceForm, reveal *views.Reveal) error {
	st := plumbing.State(c)
	shell, err := s.PageShell(c, "Services", "services")
	if err != nil {
		return err
	}
	list, err := s.DB.Services(c.Request().Context(), st.Org.ID)
	if err != nil {
		return err
	}
	p := views.ServicesProps{Shell: shell, OrgSlug: st.Org.Slug, Add: add, Reveal: reveal,
		CanManage: auth.Authorize(plumbing.Principal(st), auth.ManageServices, nil)}
	now := s.DB.Now()
	for _, sv := range list {
		p.Services = append(p.Services, views.ServiceRow{Name: sv.Name, URL: sv.URL, Creator: sv.CreatorName,
			Onboarded:  moment(sv.CreatedAt, now, ""),
			LiveTokens: liveTokensText(sv.LiveTokens),
			TokensHref: fmt.Sprintf("/orgs/%s/settings/tokens/service?service=%d", st.Org.Slug, sv.ID),
			RemovePath: fmt.Sprintf("%s/%d/remove", servicesPath(st.Org.Slug), sv.ID),
			Confirm:    removeServiceConfirm(sv)})
	}
	if reveal != nil {
		// The page holds a secret: no cache may keep it.
		c.Response().Header().Set("Cache-Control", "no-store")
	}
	return s.Render(c, status, views.ServicesPage(p))
}

// removeServiceConfirm is what the remove button asks, naming the service
// and how many live tokens go with it.
func removeServiceConfirm(sv store.Service) string {
	if sv.LiveTokens == 0 {
		return fmt.Sprintf("Remove %s? It has no live tokens.", sv.Name)
	}
	return fmt.Sprintf("Remove %s? Its %s will be revoked.", sv.Name, liveTokensText(sv.LiveTokens))
}

func liveTokensText(n int) string {
	switch n {
	case 0:
		return "no live tokens"
	case 1:
		return "1 live token"
	}
	return fmt.Sprintf("%d live tokens", n)
}

// addService onboards a service and reveals its first token once.
func (s *Server) addService(c echo.Context) error {
	f := parseServiceForm(c)
	if errs := f.Validate(); errs.Any() {
		return s.renderServices(c, http.StatusUnprocessableEntity, f.view(errs), nil)
	}
	st := plumbing.State(c)
	svc, issued, errs, err := s.Core.Onboard(c.Request().Context(),
		core.ServiceRequest{Org: *st.Org, Name: f.Name, URL: f.URL, CreatorID: st.User.ID}, s.actor(c))
	if fault.Is(err, fault.Conflict) {
		return s.renderServices(c, http.StatusConflict, f.view(fault.FieldsOf(err)), nil)
	}
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		// The name passed the form's own checks; what is left is the policy.
		msgs := views.FieldErrors{}
		for field, msg := range errs {
			if field == "name" {
				msgs["name"] = msg
			} else {
				msgs["token"] = "Its first token cannot be made: " + msg
			}
		}
		return s.renderServices(c, http.StatusUnprocessableEntity, f.view(msgs), nil)
	}
	return s.renderServices(c, http.StatusOK, views.AddServiceForm{}, &views.Reveal{
		Title: "Service token for " + svc.Name, TokenID: issued.Token.ID, Name: issued.Token.Name,
		Secret: issued.Secret, Once: true, Close: servicesPath(st.Org.Slug)})
}

// removeService removes a service and revokes its live tokens.
func (s *Server) removeService(c echo.Context) error {
	id, err := plumbing.PathID(c, "id")
	if err != nil {
		return err
	}
	org := plumbing.State(c).Org
	svc, n, err := s.DB.RemoveService(c.Request().Context(), org.ID, id, s.actor(c))
	if err != nil {
		return err // another org's or an unknown service is 404
	}
	if err := s.Flash(c, "success", fmt.Sprintf("Removed %s and revoked %s.", svc.Name, nTokens(n))); err != nil {
		return err
	}
	return plumbing.Redirect(c, servicesPath(org.Slug))
}
