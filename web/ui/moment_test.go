package ui

import (
	"testing"
	"time"
)

func TestRelativeRounds(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{7*day - 5*time.Second, "in 7 days"}, // a 7-day token, seconds after it was made
		{30*day - time.Minute, "in 30 days"},
		{6*day + 13*time.Hour, "in 7 days"},
		{6*day + 11*time.Hour, "in 6 days"},
		{-(3*day - time.Hour), "3 days ago"},
		{20*time.Hour - time.Minute, "in 20 hours"},
		{23*time.Hour + 40*time.Minute, "in 1 day"},
		{59*time.Minute + 50*time.Second, "in 1 hour"},
		{-30 * time.Second, "just now"},
		{-90 * time.Second, "2 minutes ago"},
		{100 * day, "in 3 months"},
		{-400 * day, "1 year ago"},
	} {
		if got := relative(now.Add(c.d), now); got != c.want {
			t.Errorf("relative(now%+v) = %q, want %q", c.d, got, c.want)
		}
	}
}
