package ui

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/auth/fault"
	"tokenward/store"
	"tokenward/views"
	"tokenward/web/plumbing"
)

// devicePage is GET /device: the form for the code `tokenward login` shows,
// or, with ?code= (verification_uri_complete, or the form itself), the
// confirm screen of that login.
func (s *Server) devicePage(c echo.Context) error {
	raw := c.QueryParam("code")
	if raw == "" {
		return s.renderDeviceEntry(c, http.StatusOK, "", "")
	}
	d, err := s.pendingDevice(c, raw)
	if err != nil {
		return s.entryProblem(c, raw, err)
	}
	return s.renderDeviceConfirm(c, d)
}

// deviceDecide is POST /device: Activate or Deny, from the confirm screen.
func (s *Server) deviceDecide(c echo.Context) error {
	d, err := s.pendingDevice(c, c.FormValue("code"))
	if err != nil {
		return s.entryProblem(c, c.FormValue("code"), err)
	}
	ctx := c.Request().Context()
	st := plumbing.State(c)
	switch c.FormValue("decision") {
	case "approve":
		org, err := s.deviceOrg(c, c.FormValue("org"))
		if err != nil {
			return err
		}
		if _, err := s.DB.ApproveDeviceAuthorization(ctx, d.UserCode, org.ID, s.actor(c)); err != nil {
			return s.decidedElsewhere(c, err)
		}
		return s.renderDeviceDone(c, views.DeviceDoneProps{Approved: true, DeviceName: d.DeviceName, OrgName: org.Name,
			TokensURL: tabPath(org.Slug, auth.KindCLI)})
	case "deny":
		// The denial is filed under the chosen org when the person is in it.
		var orgID int64
		if org, err := s.DB.OrgBySlug(ctx, c.FormValue("org")); err == nil {
			if _, err := s.DB.Membership(ctx, org.ID, st.User.ID); err == nil {
				orgID = org.ID
			}
		}
		if _, err := s.DB.DenyDeviceAuthorization(ctx, d.UserCode, orgID, s.actor(c)); err != nil {
			return s.decidedElsewhere(c, err)
		}
		return s.renderDeviceDone(c, views.DeviceDoneProps{DeviceName: d.DeviceName})
	}
	return &fault.Error{Code: fault.Malformed, Title: "Choose Activate or Deny",
		Message: "Use the Activate or Deny button on the confirmation page."}
}

// entryProblem shows why a typed code led nowhere on the entry form again,
// with raw kept: a malformed, unknown or throttled code. Other errors go to
// the error handler.
func (s *Server) entryProblem(c echo.Context, raw string, err error) error {
	fe := fault.As(err)
	if fe == nil || fe.Code == fault.Internal {
		return err
	}
	if fe.RetryAfter > 0 {
		plumbing.SetRetryAfter(c, fe.RetryAfter)
	}
	return s.renderDeviceEntry(c, plumbing.Status(fe.Code), raw, fe.Message)
}

// decidedElsewhere shows a login that stopped being pending between the
// confirm screen and the click (decided in another tab, expired) on the
// entry form; other errors go to the error handler.
func (s *Server) decidedElsewhere(c echo.Context, err error) error {
	if store.IsNotFound(err) {
		return s.entryProblem(c, "", fault.New(fault.Conflict,
			"This login was decided elsewhere or has expired. Run tokenward login again if you still need it."))
	}
	return err
}

// pendingDevice reads a typed user code and finds its pending login. Each
// code is counted per user and per client IP before it is looked up, and a
// right one is given back; past the allowance the answer is 429 until the
// bucket refills. A malformed code is not a guess and is not counted.
func (s *Server) pendingDevice(c echo.Context, raw string) (store.DeviceAuthorization, error) {
	code, ok := auth.NormalizeUserCode(raw)
	if !ok {
		return store.DeviceAuthorization{}, fault.New(fault.Invalid,
			"Enter the 8-letter code your terminal shows, such as BCDF-GHJK (the dash is optional). "+auth.UserCodeProblem(raw))
	}
	user, ip := strconv.FormatInt(plumbing.State(c).User.ID, 10), c.RealIP()
	wait, err := s.Devices.Take(user, ip)
	if err != nil {
		return store.DeviceAuthorization{}, err
	}
	if wait > 0 {
		return store.DeviceAuthorization{}, fault.Wait(wait, "Too many wrong codes", throttledMessage("Too many wrong codes.", wait, s.Now()))
	}
	d, err := s.DB.PendingDeviceAuthorization(c.Request().Context(), code)
	if store.IsNotFound(err) { // a wrong code: the attempt stays spent
		return store.DeviceAuthorization{}, fault.New(fault.NotFound,
			"No login is waiting for the code "+auth.FormatUserCode(code)+". Codes work once and expire after 10 minutes: check the code in your terminal, or run tokenward login again.")
	}
	if err != nil {
		s.Devices.Refund(user, ip)
		return store.DeviceAuthorization{}, err
	}
	s.Devices.Succeed(user, ip)
	return d, nil
}

// deviceOrg is the org chosen on the confirm screen, which must be one
// where the person may create their own CLI token. An org they are not in
// is a 404, as everywhere; one where their role forbids it, a 403.
func (s *Server) deviceOrg(c echo.Context, slug string) (store.Org, error) {
	if auth.ValidateSlug(slug) != "" {
		return store.Org{}, plumbing.NotFound()
	}
	ctx := c.Request().Context()
	user := plumbing.State(c).User
	org, err := s.DB.OrgBySlug(ctx, slug)
	if err != nil {
		return store.Org{}, err
	}
	m, err := s.DB.Membership(ctx, org.ID, user.ID)
	if err != nil {
		return store.Org{}, err
	}
	me := auth.Principal{UserID: user.ID, Role: auth.Role(m.Role), SiteAdmin: user.SiteAdmin}
	if !auth.Authorize(me, auth.CreateToken, &auth.TokenFacts{Kind: auth.KindCLI, OwnerUserID: user.ID}) {
		return store.Org{}, plumbing.Forbidden()
	}
	return org, nil
}

func (s *Server) renderDeviceEntry(c echo.Context, status int, code, msg string) error {
	shell, err := s.PageShell(c, "Activate a device", "")
	if err != nil {
		return err
	}
	return s.Render(c, status, views.DeviceEntryPage(views.DeviceEntryProps{Shell: shell, Code: plumbing.PlainText(code), Error: msg}))
}

// renderDeviceConfirm shows what the login asks for, with the orgs where
// the person may take a CLI token: the one the CLI asked for (--org) is
// chosen when it is among them.
func (s *Server) renderDeviceConfirm(c echo.Context, d store.DeviceAuthorization) error {
	shell, err := s.PageShell(c, "Activate "+d.DeviceName, "")
	if err != nil {
		return err
	}
	user := plumbing.State(c).User
	orgs, err := s.DB.UserOrgs(c.Request().Context(), user.ID)
	if err != nil {
		return err
	}
	p := views.DeviceConfirmProps{Shell: shell, Code: auth.FormatUserCode(d.UserCode), DeviceName: d.DeviceName, IP: d.IP,
		UserAgent: d.UserAgent, Requested: moment(d.CreatedAt, s.DB.Now(), "")}
	for _, o := range orgs {
		me := auth.Principal{UserID: user.ID, Role: auth.Role(o.Role)}
		if auth.Authorize(me, auth.CreateToken, &auth.TokenFacts{Kind: auth.KindCLI, OwnerUserID: user.ID}) {
			p.Orgs = append(p.Orgs, views.Option{Value: o.Slug, Label: o.Name})
			if o.Slug == d.OrgHint || p.Org == "" {
				p.Org = o.Slug
			}
		}
	}
	descriptions := map[string]string{}
	for _, info := range auth.Catalog() {
		descriptions[string(info.Name)] = info.Description
	}
	for _, sc := range d.Scopes {
		p.Scopes = append(p.Scopes, views.DeviceScope{Name: sc, Description: descriptions[sc]})
	}
	return s.Render(c, http.StatusOK, views.DeviceConfirmPage(p))
}

func (s *Server) renderDeviceDone(c echo.Context, p views.DeviceDoneProps) error {
	title := "Device activated"
	if !p.Approved {
		title = "Request denied"
	}
	shell, err := s.PageShell(c, title, "")
	if err != nil {
		return err
	}
	p.Shell = shell
	return s.Render(c, http.StatusOK, views.DeviceDonePage(p))
}
