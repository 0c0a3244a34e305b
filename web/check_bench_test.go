package web_test

import (
	"net/http"
	"net/http/httptest"
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
	for _, sc := range []struct{ name, header string }{
		{"valid", "Bearer " + tok.Secret},
		{"malformed", "Bearer " + unknown},
	} {
		b.Run(sc.name, func(b *testing.B) {
			h := a.srv.Handler()
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, "/api/v1/token", nil)
				req.Header.Set("Authorization", sc.header)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
			}
		})
	}
}
