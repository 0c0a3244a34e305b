package identity

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// discover reads the issuer's discovery document. go-oidc refuses one that
// names another issuer; the message says which.
func discover(ctx context.Context, issuer string) (*oidc.Provider, error) {
	op, err := oidc.NewProvider(oidc.ClientContext(ctx, Client()), issuer)
	var mismatch *oidc.IssuerMismatchError
	switch {
	case errors.As(err, &mismatch):
		return nil, &Error{Message: "The discovery document at this address is for another issuer (" + mismatch.Discovered +
			"): enter the issuer exactly as the provider names it.", Err: err}
	case err != nil:
		return nil, fail("No OpenID Connect discovery document at "+strings.TrimRight(issuer, "/")+
			"/.well-known/openid-configuration: check the issuer address", err)
	}
	return op, nil
}

// oidcClaims checks the ID token that came with tok and reads its claims.
func oidcClaims(ctx context.Context, p Provider, f Flow, tok *oauth2.Token, now func() time.Time) (Claims, error) {
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Claims{}, &Error{Message: "The identity provider sent no ID token."}
	}
	op, err := discover(ctx, p.Issuer)
	if err != nil {
		return Claims{}, err
	}
	verifier := op.VerifierContext(oidc.ClientContext(ctx, Client()), &oidc.Config{ClientID: p.ClientID, Now: now})
	idt, err := verifier.Verify(ctx, raw)
	var expired *oidc.TokenExpiredError
	switch {
	case errors.As(err, &expired):
		return Claims{}, &Error{Message: "The identity provider's ID token has expired. Sign in again.", Err: err}
	case err != nil:
		return Claims{}, &Error{Message: "The identity provider's ID token did not check out (signature, issuer or audience).", Err: err}
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(f.Nonce)) != 1 {
		return Claims{}, &Error{Message: "The ID token is not for this sign-in (its nonce does not match). Sign in again."}
	}
	var c struct {
		Email         string `json:"email"`
		EmailVerified *bool  `json:"-"`
		Name          string `json:"name"`
		Preferred     string `json:"preferred_username"`
	}
	var v struct {
		Verified stringBool `json:"email_verified"`
	}
	if err := idt.Claims(&c); err != nil || idt.Claims(&v) != nil {
		return Claims{}, &Error{Message: "The identity provider's ID token could not be read.", Err: err}
	}
	c.EmailVerified = (*bool)(&v.Verified)
	if c.Email == "" {
		// Many providers put the email in the userinfo answer only.
		info, err := op.UserInfo(oidc.ClientContext(ctx, Client()), oauth2.StaticTokenSource(tok))
		if err != nil {
			return Claims{}, fail("The identity provider's userinfo endpoint did not answer", err)
		}
		if info.Subject != idt.Subject {
			return Claims{}, &Error{Message: "The identity provider's userinfo is about someone else than its ID token."}
		}
		verified := info.EmailVerified // go-oidc also reads "true" written as a string
		if err := info.Claims(&c); err != nil {
			return Claims{}, &Error{Message: "The identity provider's userinfo could not be read.", Err: err}
		}
		c.Email, c.EmailVerified = info.Email, &verified
	}
	out := Claims{Subject: idt.Subject, Name: c.Name, Login: c.Preferred}
	if c.Email != "" {
		out.Emails = []Email{{Address: c.Email, Verified: c.EmailVerified != nil && *c.EmailVerified, Primary: true}}
	}
	return out, nil
}

// stringBool reads a JSON boolean, or one written as the string "true" or
// "false", as some providers do.
type stringBool bool

func (b *stringBool) UnmarshalJSON(data []byte) error {
	switch string(data) {
	case "true", `"true"`:
		*b = true
	case "false", `"false"`, "null":
		*b = false
	default:
		return fmt.Errorf("email_verified is %s, not a boolean", data)
	}
	return nil
}
