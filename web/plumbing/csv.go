package plumbing

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"tokenward/auth"
	"tokenward/auth/fault"
	"tokenward/store"
	"tokenward/web/core"

	"github.com/labstack/echo/v4"
)

// csvFlushRows is how many rows an export writes between flushes: the
// download starts at once and the buffer never grows.
const csvFlushRows = 500

// csvExport streams a CSV download row by row. Nothing is sent before the
// first row (or the end), so an error found before then still gets its
// own status.
type csvExport struct {
	c        echo.Context
	filename string
	header   []string
	w        *csv.Writer
	rows     int
}

func NewCSV(c echo.Context, filename string, header []string) *csvExport {
	return &csvExport{c: c, filename: filename, header: header}
}

// start sends the headers of a CSV attachment and its header row, once.
func (x *csvExport) start() error {
	if x.w != nil {
		return nil
	}
	h := x.c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s"`, x.filename))
	h.Set("Cache-Control", "no-store")
	x.c.Response().WriteHeader(http.StatusOK)
	x.w = csv.NewWriter(x.c.Response())
	return x.w.Write(x.header)
}

// Write writes one row, each cell neutralised, flushing every csvFlushRows.
func (x *csvExport) Write(cells []string) error {
	if err := x.start(); err != nil {
		return err
	}
	for i, cell := range cells {
		cells[i] = neutralise(cell)
	}
	if err := x.w.Write(cells); err != nil {
		return err
	}
	if x.rows++; x.rows%csvFlushRows == 0 {
		return x.flush()
	}
	return nil
}

func (x *csvExport) flush() error {
	x.w.Flush()
	if err := x.w.Error(); err != nil {
		return err
	}
	// A client gone away shows up as a write error above; a writer that
	// cannot flush simply sends later.
	_ = http.NewResponseController(x.c.Response().Writer).Flush()
	return nil
}

// neutralise keeps a spreadsheet from reading a cell as a formula: a cell
// starting with =, +, -, @, a tab or a carriage return gets a leading
// apostrophe (OWASP, "CSV Injection").
func neutralise(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}

// IsoTime is t as ISO 8601 in UTC, or "" for the zero time.
func IsoTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// csvName is an export's file name: org, what, and the day, UTC.
func CSVName(org, what string, now time.Time) string {
	return fmt.Sprintf("%s-%s-%s.csv", org, what, now.UTC().Format(time.DateOnly))
}

// FinishCSV ends an export. An error before anything was sent is answered
// as usual; after that the status is gone, so it is logged and the file
// stops short.
func (s *Site) FinishCSV(x *csvExport, err error) error {
	if err != nil && x.w == nil {
		return err
	}
	if err == nil {
		if err = x.start(); err == nil {
			err = x.flush()
		}
	}
	if err != nil {
		s.Log.Error("csv export stopped", "request_id", x.c.Response().Header().Get(echo.HeaderXRequestID),
			"path", x.c.Request().URL.Path, "rows", x.rows, "error", err)
	}
	return nil
}

var eventCSVHeader = []string{"id", "at", "actor", "actor_token_id", "action", "target_type", "target_id", "target", "ip", "details"}

// EventsCSV streams the events q selects (at most limit; 0: all), newest
// first, naming acting tokens as the viewer may see them.
func (s *Site) EventsCSV(c echo.Context, org *store.Org, q core.EventQuery, limit int) error {
	x := NewCSV(c, CSVName(org.Slug, "audit-events", s.DB.Now()), eventCSVHeader)
	ctx := c.Request().Context()
	names := core.NewActorNames(s.DB, org.ID, s.csvViewer(c))
	err := s.DB.EachEvent(ctx, q.StoreQuery(org.ID, limit), func(e store.LogEvent) error {
		actor, err := names.Label(ctx, e.ActorToken, e.ActorLabel)
		if err != nil {
			return err
		}
		return x.Write([]string{strconv.FormatInt(e.ID, 10), IsoTime(e.At), actor, e.ActorToken, e.Action,
			e.TargetType, e.TargetID, e.TargetLabel, e.IP, e.DetailsJSON})
	})
	if fault.FieldsOf(err).Has("before") {
		return &fault.Error{Code: fault.Malformed, Title: "Invalid filter", Message: "Before is the id of an event in this organization's log."}
	}
	return s.FinishCSV(x, err)
}

// csvViewer is who asks for an export: the calling token on the API, the
// signed-in person on a page.
func (s *Site) csvViewer(c echo.Context) auth.Principal {
	if Bearer(c) != nil {
		return APIPrincipal(c)
	}
	return Principal(State(c))
}
