package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// TestLastFiveIPsKeepTheNewestOfABurst: six introspections passing
// client_ip 10.0.0.1…6 within one second leave the five most recent as the
// token's last IPs, .6 first, and drop .1.
func TestLastFiveIPsKeepTheNewestOfABurst(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	caller := a.adminToken(t, "introspect")
	target := a.adminToken(t)
	// The six take a few milliseconds: within one second, as a rule.
	for i := 1; i <= 6; i++ {
		r := a.call(t, "POST", "/oauth/introspect", caller.Secret, "application/x-www-form-urlencoded",
			url.Values{"token": {target.Secret}, "client_ip": {fmt.Sprintf("10.0.0.%d", i)}}.Encode())
		if r.status != 200 || r.json["active"] != true {
			t.Fatalf("introspection %d: %d %s", i, r.status, r.body)
		}
	}
	a.srv.Close() // writes the gathered uses
	ips, err := a.db.TokenIPs(context.Background(), target.Token.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ip := range ips {
		got = append(got, ip.IP)
	}
	if want := "10.0.0.6 10.0.0.5 10.0.0.4 10.0.0.3 10.0.0.2"; strings.Join(got, " ") != want {
		t.Errorf("last five IPs = %v, want %s", got, want)
	}
}
