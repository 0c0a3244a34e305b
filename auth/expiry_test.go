package auth

import (
	"strings"
	"testing"
	"time"
)

func TestResolveExpiry(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	open := ExpiryPolicy{}
	tests := []struct {
		choice, date string
		pol          ExpiryPolicy
		want         time.Time
		err          string
	}{
		{"30", "", open, now.Add(30 * 24 * time.Hour), ""},
		{"7d", "", open, now.Add(7 * 24 * time.Hour), ""},
		{"365", "", open, now.Add(365 * 24 * time.Hour), ""},
		{"0", "", open, time.Time{}, "1 to 365 days"},
		{"366", "", open, time.Time{}, "1 to 365 days"},
		{"-5", "", open, time.Time{}, "1 to 365 days"},
		{"soon", "", open, time.Time{}, "Choose an expiry"},
		{"never", "", open, time.Time{}, "requires tokens of this kind to expire"},
		{"never", "", ExpiryPolicy{NeverAllowed: true}, time.Time{}, ""},
		{"custom", "2026-12-01", open, time.Date(2026, 12, 1, 23, 59, 59, 0, time.UTC), ""},
		{"custom", "2026-11-21", open, time.Time{}, "in the past"},
		{"custom", "2026-11-22", open, time.Time{}, "between 1 and 365"},
		{"custom", "2028-01-01", open, time.Time{}, "between 1 and 365"},
		{"custom", "12/01/2026", open, time.Time{}, "YYYY-MM-DD"},
		{"90", "", ExpiryPolicy{MaxDays: 60}, time.Time{}, "at most 60 days"},
		{"30", "2026-12-08", open, time.Time{}, "choose “On a date…” to use the date"},
		{"never", "2026-12-08", ExpiryPolicy{NeverAllowed: true}, time.Time{}, "or clear the date"},
	}
	for _, tt := range tests {
		got, msg := ResolveExpiry(tt.choice, tt.date, now, tt.pol)
		if tt.err != "" {
			if !strings.Contains(msg, tt.err) {
				t.Errorf("%s %s: msg %q, want %q", tt.choice, tt.date, msg, tt.err)
			}
			continue
		}
		if msg != "" || !got.Equal(tt.want) {
			t.Errorf("%s %s: got %v %q, want %v", tt.choice, tt.date, got, msg, tt.want)
		}
	}
}

func TestTokenNameAndQuota(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"", "  ", strings.Repeat("x", 101), "a\tb", "bad\xff"} {
		if ValidateTokenName(bad) == "" {
			t.Errorf("name %q accepted", bad)
		}
	}
	if msg := ValidateTokenName("CI <deploy> & co"); msg != "" {
		t.Errorf("plain name refused: %s", msg)
	}
	for _, bad := range []string{"abc", "-1", "0", "1.5", "99999999999"} {
		if _, msg := ParseQuota(bad); msg == "" {
			t.Errorf("quota %q accepted", bad)
		}
	}
	if n, msg := ParseQuota(" 1000 "); n != 1000 || msg != "" {
		t.Errorf("quota 1000: %d %q", n, msg)
	}
}
