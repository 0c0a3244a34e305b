package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/auth/fault"
	"tokenward/store"
	"tokenward/web/core"
	"tokenward/web/plumbing"
)

type apiService struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	URL        string    `json:"url"`
	CreatedAt  time.Time `json:"created_at"`
	CreatedBy  string    `json:"created_by"`
	LiveTokens int       `json:"live_tokens"`
}

func serviceJSON(sv store.Service) apiService {
	return apiService{ID: sv.ID, Name: sv.Name, URL: sv.URL, CreatedAt: sv.CreatedAt, CreatedBy: sv.CreatorName, LiveTokens: sv.LiveTokens}
}

// apiAllowed refuses unless the calling token may do a.
func apiAllowed(c echo.Context, a auth.Action, verb string) error {
	if me := plumbing.APIPrincipal(c); !auth.Authorize(me, a, nil) {
		return apiForbidden(me, verb)
	}
	return nil
}

// apiListServices is GET /api/v1/services.
func (s *Server) apiListServices(c echo.Context) error {
	if err := apiAllowed(c, auth.ViewServices, "list services"); err != nil {
		return err
	}
	svcs, err := s.DB.Services(c.Request().Context(), plumbing.Bearer(c).Org.ID)
	if err != nil {
		return err
	}
	out := struct {
		Services []apiService `json:"services"`
	}{Services: []apiService{}}
	for _, sv := range svcs {
		out.Services = append(out.Services, serviceJSON(sv))
	}
	return c.JSON(http.StatusOK, out)
}

// apiCreateService is POST /api/v1/services: onboard a service; its first
// token's secret is in the answer, once.
func (s *Server) apiCreateService(c echo.Context) error {
	if err := apiAllowed(c, auth.ManageServices, "onboard services"); err != nil {
		return err
	}
	var body struct {
		Name string `json:"name"`
		URL  string `json:"url"`
	}
	if err := plumbing.DecodeJSON(c, &body); err != nil {
		return err
	}
	f := store.NewService{Name: strings.TrimSpace(body.Name), URL: strings.TrimSpace(body.URL)}
	ct := plumbing.Bearer(c)
	svc, issued, errs, err := s.Core.Onboard(c.Request().Context(),
		core.ServiceRequest{Org: ct.Org, Name: f.Name, URL: f.URL, CreatorID: ct.Token.CreatorID}, plumbing.APIActor(c))
	if fault.Is(err, fault.Conflict) {
		return err // the name is taken: a conflict on "name"
	}
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return fault.InvalidFields(errs)
	}
	return sendSecret(c, http.StatusCreated, struct {
		Service apiService `json:"service"`
		issuedJSON
	}{serviceJSON(svc), issuedJSON{Token: s.tokenJSON(issued.Token, ct.Org, s.DB.Now()), Secret: issued.Secret, EnvVar: "TOKENWARD_TOKEN"}})
}

// apiDeleteService is DELETE /api/v1/services/{id}: remove it and revoke
// its tokens.
func (s *Server) apiDeleteService(c echo.Context) error {
	if err := apiAllowed(c, auth.ManageServices, "remove services"); err != nil {
		return err
	}
	id, err := plumbing.PathID(c, "id")
	if err != nil {
		return err
	}
	svc, n, err := s.DB.RemoveService(c.Request().Context(), plumbing.Bearer(c).Org.ID, id, plumbing.APIActor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, struct {
		Service       apiService `json:"service"`
		RevokedTokens int        `json:"revoked_tokens"`
	}{serviceJSON(svc), n})
}

type apiEvent struct {
	ID         int64             `json:"id"`
	At         time.Time         `json:"at"`
	Actor      string            `json:"actor"`
	ActorToken string            `json:"actor_token,omitempty"`
	Action     string            `json:"action"`
	TargetType string            `json:"target_type"`
	TargetID   string            `json:"target_id"`
	Target     string            `json:"target"`
	IP         string            `json:"ip"`
	Details    map[string]string `json:"details"`
}

// apiAudit is GET /api/v1/audit: the org's events, newest first (limit,
// default 100, at most 1000), with the event log's filters (actor, action,
// token, from, to, before). format=csv streams every match as the event
// log's CSV export instead (up to limit, when one is given).
func (s *Server) apiAudit(c echo.Context) error {
	if err := apiAllowed(c, auth.ViewAudit, "read the audit trail"); err != nil {
		return err
	}
	badQuery := func(msg string) error {
		return &fault.Error{Code: fault.Malformed, Title: "Invalid query", Message: msg}
	}
	format := c.QueryParam("format")
	if format != "" && format != "json" && format != "csv" {
		return badQuery("format is json (the default) or csv.")
	}
	limit := 100
	if format == "csv" {
		limit = 0
	}
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return badQuery("limit is a whole number from 1 to 1000.")
		}
		limit = n
	}
	org := plumbing.Bearer(c).Org
	q, problem, err := s.Core.ParseEventQuery(c.Request().Context(), org, c.QueryParams())
	if err != nil {
		return err
	}
	if problem != "" {
		return badQuery(problem)
	}
	if format == "csv" {
		return s.EventsCSV(c, &org, q, limit)
	}
	page, problem, err := s.Core.Events(c.Request().Context(), org.ID, &q, limit)
	if err != nil {
		return err
	}
	if problem != "" {
		return badQuery(problem)
	}
	out := struct {
		Events []apiEvent `json:"events"`
	}{Events: []apiEvent{}}
	names := core.NewActorNames(s.DB, org.ID, plumbing.APIPrincipal(c))
	for _, e := range page.Events {
		actor, err := names.Label(c.Request().Context(), e.ActorToken, e.ActorLabel)
		if err != nil {
			return err
		}
		d := e.Details
		if d == nil {
			d = map[string]string{}
		}
		out.Events = append(out.Events, apiEvent{ID: e.ID, At: e.At, Actor: actor, ActorToken: e.ActorToken, Action: e.Action,
			TargetType: e.TargetType, TargetID: e.TargetID, Target: e.TargetLabel, IP: e.IP, Details: d})
	}
	return c.JSON(http.StatusOK, out)
}
