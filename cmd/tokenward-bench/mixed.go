package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"tokenward/auth"
)

// writers is how many of the mixed scenario's workers create and revoke
// tokens; the rest verify.
func writers(concurrency int) int { return max(1, concurrency/8) }

// mixed runs verifications from most workers while a few create a token,
// check it works, revoke it and check it is refused on the very next
// request. A revoked token that is accepted is a violation, counted apart.
func (b *bench) mixed(context.Context) ([]workerFunc, error) {
	run := make([]byte, 4)
	rand.Read(run)
	nw := writers(b.concurrency)
	return b.each(func(w int) workerFunc {
		n := 0
		if w >= nw {
			return func(ctx context.Context, t *tally) {
				secret := cycle(b.seed.valid, w, b.concurrency, &n)
				status, body := t.exchange(b.client, get(ctx, b.tokenward+"/api/v1/token", secret))
				expect(t, "verify: ", status, body, http.StatusOK)
			}
		}
		writer := b.seed.valid[w%len(b.seed.valid)]
		return func(ctx context.Context, t *tally) {
			n++
			b.createAndRevoke(ctx, t, writer, fmt.Sprintf("bench-mixed-%x-%d-%d", run, w, n))
		}
	}), nil
}

// createAndRevoke is one writer iteration: create, use, revoke, use again.
func (b *bench) createAndRevoke(ctx context.Context, t *tally, writer, name string) {
	body, _ := json.Marshal(map[string]any{"name": name, "scopes": []string{"report:read"}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.tokenward+"/api/v1/tokens", strings.NewReader(string(body)))
	if err != nil {
		panic(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+writer)
	status, answer := t.exchange(b.client, req)
	if !expect(t, "create: ", status, answer, http.StatusCreated) {
		return
	}
	id, secret, ok := createdToken(answer)
	if !ok {
		t.fail("create: 201 without a token id and secret")
		return
	}
	t.count("created")
	status, answer = t.exchange(b.client, get(ctx, b.tokenward+"/api/v1/token", secret))
	expect(t, "use new: ", status, answer, http.StatusOK)

	req, err = http.NewRequestWithContext(ctx, http.MethodDelete, b.tokenward+"/api/v1/tokens/"+url.PathEscape(id), nil)
	if err != nil {
		panic(err)
	}
	req.Header.Set("Authorization", "Bearer "+writer)
	status, answer = t.exchange(b.client, req)
	if !expect(t, "revoke: ", status, answer, http.StatusNoContent, http.StatusOK) {
		return
	}
	t.count("revoked")
	status, answer = t.exchange(b.client, get(ctx, b.tokenward+"/api/v1/token", secret))
	switch status {
	case 0:
	case http.StatusUnauthorized:
		t.count("revoked-refused-401")
	case http.StatusTooManyRequests:
		t.count("revoked-refused-429")
	case http.StatusOK:
		t.count(counterRevokedAccepted)
		t.fail("use revoked: accepted")
	default:
		expect(t, "use revoked: ", status, answer, http.StatusUnauthorized)
	}
}

// createdToken finds the new token's id and secret in a create answer,
// whatever its shape: the secret is the one string that parses as a token,
// the id the "id" nearest the top.
func createdToken(body []byte) (id, secret string, ok bool) {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return "", "", false
	}
	level := []any{v}
	for len(level) > 0 && (id == "" || secret == "") {
		var next []any
		for _, node := range level {
			switch n := node.(type) {
			case map[string]any:
				if s, isString := n["id"].(string); isString && id == "" && s != "" {
					id = s
				}
				for _, child := range n {
					next = append(next, child)
				}
			case []any:
				next = append(next, n...)
			case string:
				if _, err := auth.ParseToken(n); err == nil && secret == "" {
					secret = n
				}
			}
		}
		level = next
	}
	return id, secret, id != "" && secret != ""
}
