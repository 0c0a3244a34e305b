package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"tokenward/auth"
)

// inFlight sends the prepared requests all at once, each from its own
// goroutine released together, and counts the answers by status.
func inFlight(t *testing.T, clients []*http.Client, reqs []*http.Request) (map[int]int, time.Duration) {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	counts := map[int]int{}
	release := make(chan struct{})
	for i, req := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-release
			res, err := clients[i%len(clients)].Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			mu.Lock()
			counts[res.StatusCode]++
			mu.Unlock()
		}()
	}
	start := time.Now()
	close(release)
	wg.Wait()
	return counts, time.Since(start)
}

// allowance is how many attempts a bucket of burst refilling one per every
// may let through within elapsed.
func allowance(burst int, every, elapsed time.Duration) int {
	return burst + int(elapsed/every)
}

// checkThrottled fails unless got attempts (of 100) passed, no more than
// limit, and every other answer is a 429.
func checkThrottled(t *testing.T, counts map[int]int, passed, limit int) {
	t.Helper()
	got := counts[passed]
	if got == 0 || got > limit || got+counts[http.StatusTooManyRequests] != 100 {
		t.Errorf("100 at once: %d answered %d (limit %d), answers %v", got, passed, limit, counts)
	}
}

// signInRequests are 100 sign-in posts, each from its own fresh browser
// session (with its CSRF token), for the username i gives.
func signInRequests(a *app, username func(i int) string) ([]*http.Client, []*http.Request) {
	var clients []*http.Client
	var reqs []*http.Request
	for i := range 100 {
		c := a.client()
		c.get("/login")
		body := url.Values{"username": {username(i)}, "password": {"wrong password!"}, "csrf_token": {c.csrf}}.Encode()
		clients = append(clients, c.http)
		reqs = append(reqs, c.request(http.MethodPost, "/login", strings.NewReader(body), formType))
	}
	return clients, reqs
}

// TestSignInThrottleHoldsWithManyGuessesInFlight: 100 wrong passwords sent
// at once check at most 5 passwords for one username and at most 20 from
// one address; every other answer is 429. (Checked passwords answer 401.)
func TestSignInThrottleHoldsWithManyGuessesInFlight(t *testing.T) {
	t.Parallel()
	t.Run("one username", func(t *testing.T) {
		a := seededApp(t)
		clients, reqs := signInRequests(a, func(int) string { return "ada" })
		counts, elapsed := inFlight(t, clients, reqs)
		checkThrottled(t, counts, http.StatusUnauthorized, allowance(5, time.Minute, elapsed))
		// Ada herself is held back too, until the bucket refills.
		c := a.client()
		c.get("/login")
		if r := c.post("/login", url.Values{"username": {"ada"}, "password": {testPassword}}); r.status != http.StatusTooManyRequests {
			t.Errorf("right password after the guesses: %d", r.status)
		}
	})
	t.Run("one address", func(t *testing.T) {
		a := seededApp(t)
		clients, reqs := signInRequests(a, func(i int) string { return fmt.Sprintf("guess%d", i) })
		counts, elapsed := inFlight(t, clients, reqs)
		checkThrottled(t, counts, http.StatusUnauthorized, allowance(20, 10*time.Second, elapsed))
	})
}

// TestDeviceCodeThrottleHoldsWithManyCodesInFlight: 100 wrong codes typed
// on /device at once get at most 10 looked up for one person and at most 20
// from one address.
func TestDeviceCodeThrottleHoldsWithManyCodesInFlight(t *testing.T) {
	t.Parallel()
	codes := func(c *client, n int) []*http.Request {
		var reqs []*http.Request
		for range n {
			reqs = append(reqs, c.request(http.MethodGet, "/device?code="+auth.FormatUserCode(auth.NewUserCode()), nil, ""))
		}
		return reqs
	}
	t.Run("one person", func(t *testing.T) {
		a := seededApp(t)
		max := a.signIn("max")
		counts, elapsed := inFlight(t, []*http.Client{max.http}, codes(max, 100))
		checkThrottled(t, counts, http.StatusNotFound, allowance(10, 30*time.Second, elapsed))
	})
	t.Run("one address", func(t *testing.T) {
		a := seededApp(t)
		var clients []*http.Client
		var reqs []*http.Request
		for _, name := range []string{"ada", "max", "audra", "gus"} {
			c := a.signIn(name)
			clients = append(clients, c.http)
			reqs = append(reqs, codes(c, 25)...)
		}
		// inFlight sends request i with client i%4: interleave so each
		// person's requests go out with their own session.
		ordered := make([]*http.Request, 0, 100)
		for i := range 25 {
			for p := range 4 {
				ordered = append(ordered, reqs[p*25+i])
			}
		}
		counts, elapsed := inFlight(t, clients, ordered)
		checkThrottled(t, counts, http.StatusNotFound, allowance(20, 10*time.Second, elapsed))
	})
}

// TestBearerFailureThrottleHoldsWithManyTokensInFlight: 100 unknown tokens
// sent at once get at most 50 answers of 401 (the failure allowance of an
// address, refilling ten a second); the rest are 429.
func TestBearerFailureThrottleHoldsWithManyTokensInFlight(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	var reqs []*http.Request
	for range 100 {
		req, err := http.NewRequest(http.MethodGet, a.ts.URL+"/api/v1/token", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+newSecret(t))
		reqs = append(reqs, req)
	}
	counts, elapsed := inFlight(t, []*http.Client{http.DefaultClient}, reqs)
	checkThrottled(t, counts, http.StatusUnauthorized, allowance(50, 100*time.Millisecond, elapsed))
}

// TestLeakReportThrottleHoldsWithManyReportsInFlight: 100 revocation
// requests at once from one address get at most 20 handled.
func TestLeakReportThrottleHoldsWithManyReportsInFlight(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	var reqs []*http.Request
	for range 100 {
		req, _ := http.NewRequest(http.MethodPost, a.ts.URL+"/oauth/revoke",
			strings.NewReader(url.Values{"token": {newSecret(t)}}.Encode()))
		req.Header.Set("Content-Type", formType)
		reqs = append(reqs, req)
	}
	counts, elapsed := inFlight(t, []*http.Client{http.DefaultClient}, reqs)
	checkThrottled(t, counts, http.StatusOK, allowance(20, 3*time.Second, elapsed))
}

// newSecret is a well-formed token that Tokenward never issued.
func newSecret(t *testing.T) string {
	t.Helper()
	s, err := auth.NewToken(auth.KindAPI)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestGoodSignInsGiveBackTheirAttempt: a sign-in takes from the address's
// allowance before its password is checked and gives it back when the
// password is right, so people signing in behind one NAT do not use up
// the 20 failures the address may have.
func TestGoodSignInsGiveBackTheirAttempt(t *testing.T) {
	// Serial: the sign-in allowance refills on the wall clock, so under the
	// load of parallel tests an attempt can come back before the 21st try.
	a := seededApp(t)
	try := func(user, pass string) int {
		c := a.client()
		c.get("/login")
		return c.post("/login", url.Values{"username": {user}, "password": {pass}}).status
	}
	for i := range 19 {
		if st := try(fmt.Sprintf("guess%d", i), "wrong password!"); st != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d", i+1, st)
		}
	}
	for _, name := range []string{"ada", "max", "audra", "gus"} {
		if st := try(name, testPassword); st != http.StatusSeeOther {
			t.Fatalf("%s signing in after 19 failures: %d", name, st)
		}
	}
	if st := try("guess19", "wrong password!"); st != http.StatusUnauthorized {
		t.Errorf("20th failure: %d, want 401", st)
	}
	if st := try("ada", testPassword); st != http.StatusTooManyRequests {
		t.Errorf("after 20 failures: %d, want 429", st)
	}
}
