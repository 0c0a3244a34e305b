package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// apiClient talks to one Tokenward server for the command-line client.
type apiClient struct {
	server string
	hc     *http.Client
}

func newAPIClient(server string) *apiClient {
	return &apiClient{server: server, hc: &http.Client{Timeout: 30 * time.Second, Transport: userAgent{http.DefaultTransport}}}
}

// userAgent names the client in the token's last use.
type userAgent struct{ base http.RoundTripper }

func (t userAgent) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("User-Agent", "tokenward-cli")
	return t.base.RoundTrip(r)
}

// httpError is a non-2xx answer, with the detail of its RFC 9457 problem
// document when it has one.
type httpError struct {
	method, url string
	status      int
	detail      string
}

func (e *httpError) Error() string {
	msg := fmt.Sprintf("%s %s answered %d %s", e.method, e.url, e.status, http.StatusText(e.status))
	if e.detail != "" {
		msg += ": " + e.detail
	}
	return msg
}

// call sends a request, with the token as a bearer token when there is one
// and form as a form-encoded body when it is not nil, and decodes a 2xx JSON
// answer into out.
func (c *apiClient) call(ctx context.Context, method, target, token string, form url.Values, out any) error {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return c.netError(err)
	}
	defer res.Body.Close()
	if res.StatusCode < 200 || res.StatusCode > 299 {
		var p struct {
			Title  string `json:"title"`
			Detail string `json:"detail"`
		}
		_ = decodeJSON(res.Body, &p)
		detail := p.Detail
		if detail == "" {
			detail = p.Title
		}
		return &httpError{method: method, url: target, status: res.StatusCode, detail: printable(detail)}
	}
	if out == nil {
		return nil
	}
	if err := decodeJSON(res.Body, out); err != nil {
		return fmt.Errorf("%s %s answered something that is not the expected JSON (%v): is %s a Tokenward server?", method, target, err, c.server)
	}
	return nil
}

// unreachableError is a request that got no answer.
type unreachableError struct {
	server string
	cause  error
}

func (e *unreachableError) Error() string {
	return fmt.Sprintf("cannot reach the Tokenward server at %s: %v\n(check --server or TOKENWARD_SERVER, and that the server is running)", e.server, e.cause)
}

// netError explains a request that got no answer.
func (c *apiClient) netError(err error) error {
	cause := err
	var ue *url.Error
	if errors.As(err, &ue) {
		cause = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		cause = errors.New("no answer in time")
	}
	return &unreachableError{server: c.server, cause: cause}
}

// printable drops control characters from text a server sent, so that it
// cannot move the cursor or recolour the terminal.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) {
			return -1
		}
		return r
	}, s)
}

// decodeJSON reads a JSON answer of at most 1 MiB.
func decodeJSON(r io.Reader, out any) error {
	return json.NewDecoder(io.LimitReader(r, 1<<20)).Decode(out)
}
