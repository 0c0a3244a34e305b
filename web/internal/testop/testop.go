// Package testop runs a real OpenID Provider in-process for tests:
// zitadel/oidc's example OP (its login form and in-memory storage) on
// 127.0.0.1, signing real ID tokens, with the people and the one client a
// test needs. It also walks a browser-less client through the OP's login.
package testop

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// Password is every person's password at the OP.
const Password = "verysecure"

// Person is someone who can sign in at the OP.
type Person struct {
	ID       string // the subject
	Username string
	Email    string
	Verified bool
	First    string
	Last     string
}

// OP is a running OpenID Provider.
type OP struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	// IDTokenLifetime is how long the ID tokens it signs are valid.
	IDTokenLifetime time.Duration
	server          *httptest.Server
}

// people is the OP's user store.
type people map[string]*storage.User

func (p people) GetUserByID(id string) *storage.User { return p[id] }
func (p people) GetUserByUsername(name string) *storage.User {
	for _, u := range p {
		if u.Username == name {
			return u
		}
	}
	return nil
}
func (p people) ExampleClientID() string { return storage.ServiceUserID }

// opStorage is the example storage with the test's ID token lifetime.
type opStorage struct {
	*storage.Storage
	lifetime time.Duration
}

type shortLived struct {
	op.Client
	lifetime time.Duration
}

func (c shortLived) IDTokenLifetime() time.Duration { return c.lifetime }

func (s opStorage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.Storage.GetClientByClientID(ctx, id)
	if err != nil {
		return nil, err
	}
	return shortLived{Client: c, lifetime: s.lifetime}, nil
}

// Start runs an OP on 127.0.0.1 with one web client (id "tokenward",
// secret "client-secret") allowed to redirect to redirectURL, and the
// people given. It stops when the test ends.
func Start(t testing.TB, redirectURL string, ps ...Person) *OP {
	t.Helper()
	o := &OP{ClientID: "tokenward", ClientSecret: "client-secret", IDTokenLifetime: 5 * time.Minute}
	o.server = httptest.NewUnstartedServer(nil)
	o.Issuer = "http://" + o.server.Listener.Addr().String()
	users := people{}
	for _, p := range ps {
		users[p.ID] = &storage.User{ID: p.ID, Username: p.Username, Password: Password, FirstName: p.First, LastName: p.Last,
			Email: p.Email, EmailVerified: p.Verified, PreferredLanguage: language.English}
	}
	clients := map[string]*storage.Client{o.ClientID: storage.WebClient(o.ClientID, o.ClientSecret, redirectURL)}
	st := opStorage{Storage: storage.NewStorageWithClients(users, clients), lifetime: o.IDTokenLifetime}
	// The example OP logs every request through the default logger, which
	// it replaces with the one given: discarded, so test output stays
	// readable. Tokenward's servers in tests log through their own.
	o.server.Config.Handler = exampleop.SetupServer(o.Issuer, st, slog.New(slog.DiscardHandler), false)
	o.server.Start()
	t.Cleanup(o.server.Close)
	return o
}

var authRequestID = regexp.MustCompile(`name="id" value="([^"]+)"`)

// SignIn follows authURL (the OP's authorization endpoint, as Tokenward
// redirected to it) as a browser would, signs username in on the OP's
// login form, and returns the URL the OP sends the browser back to
// (Tokenward's callback with code and state), without visiting it.
func SignIn(authURL, username string) (string, error) {
	jar, _ := cookiejar.New(nil)
	start, err := url.Parse(authURL)
	if err != nil {
		return "", err
	}
	var back string
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if req.URL.Host != start.Host { // leaving the OP: back to the app
			back = req.URL.String()
			return http.ErrUseLastResponse
		}
		return nil
	}}
	res, err := c.Get(authURL)
	if err != nil {
		return "", err
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if back != "" {
		return back, nil // the OP answered at once, such as with an error
	}
	m := authRequestID.FindStringSubmatch(string(body))
	if m == nil {
		return "", fmt.Errorf("no login form at %s (status %d): %.300s", res.Request.URL, res.StatusCode, body)
	}
	form := url.Values{"id": {m[1]}, "username": {username}, "password": {Password}}
	res, err = c.PostForm(res.Request.URL.Scheme+"://"+res.Request.URL.Host+"/login/username", form)
	if err != nil {
		return "", err
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if back == "" {
		return "", fmt.Errorf("the OP did not send the browser back (status %d): %.300s", res.StatusCode, body)
	}
	return back, nil
}
