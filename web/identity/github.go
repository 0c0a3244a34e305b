package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"golang.org/x/oauth2"
)

// gitHubClaims reads the person from GitHub's API: /user for the id (the
// subject), login and name, /user/emails for the addresses and whether
// GitHub verified them.
func gitHubClaims(ctx context.Context, p Provider, tok *oauth2.Token) (Claims, error) {
	var user struct {
		ID    int64  `json:"id"`
		Login string `json:"login"`
		Name  string `json:"name"`
	}
	if err := gitHubGet(ctx, p, tok, "/user", &user); err != nil {
		return Claims{}, err
	}
	if user.ID == 0 {
		return Claims{}, &Error{Message: "GitHub's /user answer has no user id."}
	}
	var emails []struct {
		Email    string `json:"email"`
		Verified bool   `json:"verified"`
		Primary  bool   `json:"primary"`
	}
	if err := gitHubGet(ctx, p, tok, "/user/emails", &emails); err != nil {
		return Claims{}, err
	}
	c := Claims{Subject: fmt.Sprint(user.ID), Login: user.Login, Name: user.Name}
	for _, e := range emails {
		c.Emails = append(c.Emails, Email{Address: e.Email, Verified: e.Verified, Primary: e.Primary})
	}
	return c, nil
}

// gitHubGet reads one JSON document from GitHub's API into v.
func gitHubGet(ctx context.Context, p Provider, tok *oauth2.Token, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(p.APIURL, "/")+path, nil)
	if err != nil {
		return &Error{Message: "GitHub's API address is not usable.", Err: err}
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	res, err := Client().Do(req)
	if err != nil {
		return fail("GitHub's API did not answer "+path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return fail("GitHub's API answer to "+path+" was cut off", err)
	}
	if res.StatusCode != http.StatusOK {
		return &Error{Message: fmt.Sprintf("GitHub's API answered %s to %s.", res.Status, path)}
	}
	if err := json.Unmarshal(body, v); err != nil {
		return &Error{Message: "GitHub's API answer to " + path + " is not the JSON expected.", Err: err}
	}
	return nil
}
