package plumbing

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/auth/fault"
	"tokenward/store"
	"tokenward/views"
)

const (
	cookieName = "tokenward"
	stateKey   = "tokenward.state"
	csrfField  = "csrf_token"
	csrfHeader = "X-CSRF-Token"
	// touchEvery limits how often a session's last-seen time is written.
	touchEvery = time.Minute
)

// RequestState is what the middleware learns about a request: its cookie
// session, the signed-in user if any, and the org and role for org routes.
type RequestState struct {
	sess    *sessions.Session
	User    *store.User
	sidHash string
	CSRF    string
	Org     *store.Org
	Role    string
}

// State returns the request's state; the session middleware always sets it.
func State(c echo.Context) *RequestState {
	if st, ok := c.Get(stateKey).(*RequestState); ok {
		return st
	}
	return &RequestState{}
}

// sessionless reports whether a path is served without the browser session:
// static files, probes, metrics and the bearer-token API never use cookies,
// and setting one there would only add work.
func sessionless(path string) bool {
	for _, p := range []string{"/static/", "/api/", "/oauth/", "/.well-known/"} {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return path == "/healthz" || path == "/readyz" || path == "/metrics"
}

func NewSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashSessionID(sid string) string {
	sum := sha256.Sum256([]byte(sid))
	return hex.EncodeToString(sum[:])
}

// loadSession reads the signed, encrypted cookie, makes sure it holds a CSRF
// token, and resolves its session id to a user. An unreadable cookie is
// treated as no cookie.
func (s *Site) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if sessionless(c.Request().URL.Path) {
			return next(c)
		}
		sess, _ := s.Cookies.Get(c.Request(), cookieName)
		st := &RequestState{sess: sess}
		c.Set(stateKey, st)
		dirty := false
		st.CSRF, _ = sess.Values["csrf"].(string)
		if st.CSRF == "" {
			st.CSRF = NewSecret()
			sess.Values["csrf"] = st.CSRF
			dirty = true
		}
		if sid, _ := sess.Values["sid"].(string); sid != "" {
			h := hashSessionID(sid)
			row, u, err := s.DB.SessionUser(c.Request().Context(), h, SessionLimits)
			switch {
			case err == nil:
				st.User, st.sidHash = &u, h
				if s.Now().Sub(row.LastSeenAt) > touchEvery {
					if err := s.DB.TouchSession(c.Request().Context(), h); err != nil {
						return err
					}
				}
			case store.IsNotFound(err):
				delete(sess.Values, "sid")
				dirty = true
			default:
				return err
			}
		}
		if dirty {
			if err := s.saveSession(c); err != nil {
				return err
			}
		}
		return next(c)
	}
}

// saveSession writes the cookie, Secure whenever the browser came over TLS.
func (s *Site) saveSession(c echo.Context) error {
	st := State(c)
	opts := *s.Cookies.Options
	opts.Secure = s.secureRequest(c.Request())
	st.sess.Options = &opts
	return st.sess.Save(c.Request(), c.Response())
}

// checkCSRF refuses every unsafe request whose form field or X-CSRF-Token
// header does not carry the session's token. Unlike a fetch-metadata check
// alone, this holds for same-origin requests and old browsers too.
func (s *Site) checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		sent := c.Request().Header.Get(csrfHeader)
		if sent == "" {
			sent = c.FormValue(csrfField)
		}
		want := State(c).CSRF
		if sent == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(want)) != 1 {
			return &fault.Error{Code: fault.Forbidden, Title: "This form has expired",
				Message: "The form was missing its security token or came from another site. Go back, reload the page and try again."}
		}
		return next(c)
	}
}

// SignIn starts a new session for u: a fresh session id and CSRF token, so
// nothing from before sign-in (a planted cookie) carries over.
func (s *Site) SignIn(c echo.Context, u store.User) error {
	st := State(c)
	if st.sidHash != "" {
		if err := s.DB.DeleteSession(c.Request().Context(), st.sidHash); err != nil {
			return err
		}
	}
	sid := NewSecret()
	h := hashSessionID(sid)
	if err := s.DB.CreateSession(c.Request().Context(), h, u.ID, c.RealIP(), c.Request().UserAgent(), SessionLimits); err != nil {
		return err
	}
	st.CSRF = NewSecret()
	st.sess.Values = map[any]any{"sid": sid, "csrf": st.CSRF}
	st.User, st.sidHash = &u, h
	return s.saveSession(c)
}

// SignOut ends the session on the server and clears the cookie.
func (s *Site) SignOut(c echo.Context) error {
	st := State(c)
	if st.sidHash != "" {
		if err := s.DB.DeleteSession(c.Request().Context(), st.sidHash); err != nil {
			return err
		}
	}
	st.CSRF = NewSecret()
	st.sess.Values = map[any]any{"csrf": st.CSRF}
	st.User, st.sidHash = nil, ""
	return s.saveSession(c)
}

// The cookie holds at most maxFlashes messages of maxFlashBytes in all
// (each clipped to that), so that changes made without a page view in
// between (a script, several tabs, a client that does not follow
// redirects) never grow it past the 4 KB a browser keeps: the oldest give
// way, and the next page says how many did.
const (
	maxFlashes     = 3
	maxFlashBytes  = 1000
	flashKey       = "_flash" // gorilla/sessions' default flash key
	flashesDropped = "flashes_dropped"
)

// Flash queues a message for the next page the browser loads.
func (s *Site) Flash(c echo.Context, kind, msg string) error {
	sess := State(c).sess
	sess.AddFlash(kind + "|" + ClipText(msg, maxFlashBytes-len(kind)-1))
	queued, _ := sess.Values[flashKey].([]any)
	size := 0
	for _, f := range queued {
		str, _ := f.(string)
		size += len(str)
	}
	dropped := 0
	for len(queued) > maxFlashes || size > maxFlashBytes {
		str, _ := queued[0].(string)
		size -= len(str)
		queued = queued[1:]
		dropped++
	}
	if dropped > 0 {
		n, _ := sess.Values[flashesDropped].(int)
		sess.Values[flashKey], sess.Values[flashesDropped] = queued, n+dropped
	}
	return s.saveSession(c)
}

// takeFlashes removes and returns the queued messages, led by a note when
// older ones gave way.
func (s *Site) takeFlashes(c echo.Context) ([]views.Flash, error) {
	sess := State(c).sess
	raw := sess.Flashes()
	dropped, _ := sess.Values[flashesDropped].(int)
	delete(sess.Values, flashesDropped)
	if len(raw) == 0 && dropped == 0 {
		return nil, nil
	}
	out := make([]views.Flash, 0, len(raw)+1)
	if dropped > 0 {
		out = append(out, views.Flash{Kind: "info", Message: fmt.Sprintf(
			"Not shown: %d earlier message%s, from changes made without a page view in between. The newest follow.", dropped, Plural(dropped))})
	}
	for _, r := range raw {
		str, _ := r.(string)
		kind, msg, _ := strings.Cut(str, "|")
		out = append(out, views.Flash{Kind: kind, Message: msg})
	}
	return out, s.saveSession(c)
}

// SessionLimits are how long a browser session lasts: one hour without a
// request, twelve hours in all, after which the user signs in again.
var SessionLimits = store.SessionLimits{Idle: time.Hour, Absolute: 12 * time.Hour}

// RandomString returns n random bytes as unpadded base32, for codes and ids.
func RandomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
}

// NewCookieStore is the session cookie store, with keys derived from the
// deployment key: signed and encrypted, HTTP only, SameSite=Lax, and no
// longer-lived than a session.
func NewCookieStore(master []byte) *sessions.CookieStore {
	cs := sessions.NewCookieStore(
		auth.DeriveKey(master, "session cookie signing", 64),
		auth.DeriveKey(master, "session cookie encryption", 32),
	)
	cs.Options = &sessions.Options{
		Path:     "/",
		MaxAge:   int(SessionLimits.Absolute / time.Second),
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	}
	return cs
}
