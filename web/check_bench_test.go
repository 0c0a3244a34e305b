package web_test

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkBearerCheck serves GET /api/v1/token in process (no network),
// to profile what one authenticated request costs the server:
//
//	go test -run '^$' -bench BearerCheck -cpuprofile /tmp/cpu.out ./web/
func BenchmarkBearerCheck(b *testing.B) {
	a := seededApp(b)
	tok := a.adminToken(b)
	unknown := "twa_" + "0000000000000000000000000000000000000000000000000"
	form := "token=" + a.adminToken(b).Secret
	for _, sc := range []struct{ name, method, path, header, body string }{
		{"valid", "GET", "/api/v1/token", "Bearer " + tok.Secret, ""},
		{"malformed", "GET", "/api/v1/token", "Bearer " + unknown, ""},
		{"introspect", "POST", "/oauth/introspect", "Bearer " + tok.Secret, form},
	} {
		b.Run(sc.name, func(b *testing.B) {
			h := a.srv.Handler()
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(sc.method, sc.path, strings.NewReader(sc.body))
				if sc.body != "" {
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				req.Header.Set("Authorization", sc.header)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
			}
		})
	}
}
