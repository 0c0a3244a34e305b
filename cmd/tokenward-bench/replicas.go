package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// propagationGiveUp is how long the probe polls replica B for a refusal
// before it counts the revocation as missed.
const propagationGiveUp = 5 * time.Second

// propagationPoll is the pause between two polls of replica B that still
// accept the token. Without it the probe spins on one of the machine's two
// CPUs, against both replicas and PostgreSQL, and delays the very
// notification it waits for: p99 went from about 17 ms to 100-170 ms here.
const propagationPoll = time.Millisecond

// replicas checks valid tokens with each worker alternating between the two
// replicas, request by request.
func (b *bench) replicas(context.Context) ([]workerFunc, error) {
	if b.replica == "" {
		return nil, errors.New("no second replica was started")
	}
	bases := []string{b.tokenward, b.replica}
	return b.each(func(w int) workerFunc {
		n := 0
		return func(ctx context.Context, t *tally) {
			base := bases[(w+n)%2]
			secret := cycle(b.seed.valid, w, b.concurrency, &n)
			status, body := t.exchange(b.client, get(ctx, base+"/api/v1/token", secret))
			expect(t, "", status, body, http.StatusOK)
		}
	}), nil
}

// propagation times b.revocations revocations from replica A to replica B,
// one at a time with no other load: a token is made on A and used on B
// (so B has it in its cache), revoked on A, and B is polled every
// propagationPoll until it refuses it. The time runs from A's
// acknowledgement of the revoke to B's first refusal; a refusal by B's
// first poll counts the one round trip it took.
func (b *bench) propagation(ctx context.Context, r *Result) {
	run := make([]byte, 4)
	rand.Read(run)
	writer := b.seed.valid[0]
	p := &Propagation{}
	var times []time.Duration
	for i := range b.revocations {
		if ctx.Err() != nil {
			break
		}
		d, err := b.propagateOne(ctx, writer, fmt.Sprintf("bench-replicas-%x-%d", run, i))
		switch {
		case ctx.Err() != nil:
		case errors.Is(err, errNotRefused):
			p.Missed++
		case err != nil:
			p.Failures++
			if p.FirstFailure == "" {
				p.FirstFailure = err.Error()
			}
		default:
			times = append(times, d)
		}
	}
	slices.Sort(times)
	p.Revocations = len(times) + p.Missed
	if n := len(times); n > 0 {
		p.P50ms, p.P99ms, p.Maxms = ms(percentile(times, 50)), ms(percentile(times, 99)), ms(times[n-1])
	}
	r.Propagation = p
}

// errNotRefused is a revoked token replica B still accepted after
// propagationGiveUp.
var errNotRefused = errors.New("replica B still accepts the revoked token")

// propagateOne makes, uses, revokes and polls one token and returns the
// time from the revoke's acknowledgement to B's first refusal.
func (b *bench) propagateOne(ctx context.Context, writer, name string) (time.Duration, error) {
	body, _ := json.Marshal(map[string]any{"name": name, "scopes": []string{"report:read"}})
	status, answer, err := b.call(ctx, http.MethodPost, b.tokenward+"/api/v1/tokens", writer, string(body))
	if err != nil {
		return 0, err
	}
	if status != http.StatusCreated {
		return 0, fmt.Errorf("create on A: status %d", status)
	}
	id, secret, ok := createdToken(answer)
	if !ok {
		return 0, errors.New("create on A: 201 without a token id and secret")
	}
	// Twice: the first check reads the token, the second is a cache hit,
	// which is what the revoke must overturn.
	for range 2 {
		if status, _, err = b.call(ctx, http.MethodGet, b.replica+"/api/v1/token", secret, ""); err != nil {
			return 0, err
		}
		if status != http.StatusOK {
			return 0, fmt.Errorf("a token made on A: B answered %d", status)
		}
	}
	if status, _, err = b.call(ctx, http.MethodDelete, b.tokenward+"/api/v1/tokens/"+url.PathEscape(id), writer, ""); err != nil {
		return 0, err
	}
	if status != http.StatusNoContent && status != http.StatusOK {
		return 0, fmt.Errorf("revoke on A: status %d", status)
	}
	acked := time.Now()
	for time.Since(acked) < propagationGiveUp {
		status, _, err := b.call(ctx, http.MethodGet, b.replica+"/api/v1/token", secret, "")
		if err != nil {
			return 0, err
		}
		switch status {
		case http.StatusOK:
			time.Sleep(propagationPoll)
		case http.StatusUnauthorized, http.StatusTooManyRequests: // 429: refused, and B's failure allowance for 127.0.0.1 spent
			return time.Since(acked), nil
		default:
			return 0, fmt.Errorf("a revoked token: B answered %d", status)
		}
	}
	return 0, errNotRefused
}

// call makes one request outside any tally and returns its status and body.
func (b *bench) call(ctx context.Context, method, target, bearer, jsonBody string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, target, strings.NewReader(jsonBody))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+bearer)
	if jsonBody != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	t := newTally()
	t.recording = true
	status, body := t.exchange(b.client, req)
	if status == 0 {
		return 0, nil, fmt.Errorf("%s %s: %s", method, req.URL.Path, joinCounts(t.errors))
	}
	return status, slices.Clone(body), nil
}

// propagationNote is the progress line's mention of a propagation figure.
func propagationNote(r Result) string {
	if r.Propagation == nil {
		return ""
	}
	return fmt.Sprintf("  propagation p50 %s p99 %s", fmtMS(r.Propagation.P50ms), fmtMS(r.Propagation.P99ms))
}
