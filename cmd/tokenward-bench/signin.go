package main

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

var (
	inputTag  = regexp.MustCompile(`(?is)<input\b[^>]*>`)
	csrfName  = regexp.MustCompile(`(?i)\bname\s*=\s*"csrf_token"`)
	valueAttr = regexp.MustCompile(`(?i)\bvalue\s*=\s*"([^"]*)"`)
)

// parseCSRF finds the hidden csrf_token field of a page's form.
func parseCSRF(page string) (string, error) {
	for _, tag := range inputTag.FindAllString(page, -1) {
		if !csrfName.MatchString(tag) {
			continue
		}
		if m := valueAttr.FindStringSubmatch(tag); m != nil && m[1] != "" {
			return html.UnescapeString(m[1]), nil
		}
	}
	return "", errors.New("the sign-in page has no csrf_token field")
}

// cookies keeps the latest value of each cookie a server set, for one
// host, the way a browser's jar would.
type cookies map[string]string

func (j cookies) take(resp *http.Response) {
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 {
			delete(j, c.Name)
		} else {
			j[c.Name] = c.Value
		}
	}
}

// header is the Cookie request header for the jar's cookies.
func (j cookies) header() string {
	parts := make([]string, 0, len(j))
	for k, v := range j {
		parts = append(parts, k+"="+v)
	}
	return strings.Join(parts, "; ")
}

// signIn signs in through the real form, as a browser does: GET /login for
// the session cookie and the CSRF token, POST the form, then check that the
// dashboard answers. It returns the Cookie header the signed-in requests
// carry.
func signIn(ctx context.Context, c *http.Client, base, username, password string) (string, error) {
	jar := cookies{}
	page, status, err := fetch(ctx, c, jar, http.MethodGet, base+"/login", nil)
	if err != nil {
		return "", err
	}
	if status != http.StatusOK {
		return "", fmt.Errorf("GET /login answered %d", status)
	}
	csrf, err := parseCSRF(page)
	if err != nil {
		return "", err
	}
	form := url.Values{"username": {username}, "password": {password}, "csrf_token": {csrf}}
	if _, status, err = fetch(ctx, c, jar, http.MethodPost, base+"/login", form); err != nil {
		return "", err
	}
	if status != http.StatusSeeOther && status != http.StatusFound {
		return "", fmt.Errorf("POST /login answered %d, not a redirect: the sign-in failed", status)
	}
	if _, status, err = fetch(ctx, c, jar, http.MethodGet, base+"/orgs/"+orgSlug+"/settings/tokens/api", nil); err != nil {
		return "", err
	}
	if status != http.StatusOK {
		return "", fmt.Errorf("signed in, but the API tab answered %d", status)
	}
	return jar.header(), nil
}

// fetch makes one request with the jar's cookies and keeps the ones the
// answer sets. A form, when given, is posted url-encoded.
func fetch(ctx context.Context, c *http.Client, jar cookies, method, target string, form url.Values) (string, int, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return "", 0, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if len(jar) > 0 {
		req.Header.Set("Cookie", jar.header())
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return "", 0, err
	}
	jar.take(resp)
	return string(b), resp.StatusCode, nil
}
