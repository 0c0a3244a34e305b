package ui

import (
	"time"

	"tokenward/views"
)

// moment describes t relative to now for a table cell, with the exact UTC
// time for the hover title. never is the text for the zero time.
func moment(t, now time.Time, never string) views.Moment {
	if t.IsZero() {
		return views.Moment{Text: never}
	}
	return views.Moment{Text: relative(t, now), Exact: t.UTC().Format("2006-01-02 15:04:05 UTC"), ISO: t.UTC().Format(time.RFC3339)}
}

// relative says how far t is from now in the largest whole unit, rounded
// to the nearest, so a token made to live 7 days reads "in 7 days" from
// its first second, not "in 6 days".
func relative(t, now time.Time) string {
	d := now.Sub(t)
	future := d < 0
	if future {
		d = -d
	}
	const day = 24 * time.Hour
	var unit time.Duration
	var name string
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour-30*time.Second:
		unit, name = time.Minute, "minute"
	case d < day-30*time.Minute:
		unit, name = time.Hour, "hour"
	case d < 60*day-12*time.Hour:
		unit, name = day, "day"
	case d < 365*day-15*day:
		unit, name = 30*day, "month"
	default:
		unit, name = 365*day, "year"
	}
	n := int((d + unit/2) / unit)
	if future {
		return "in " + unitCount(n, name)
	}
	return unitCount(n, name) + " ago"
}
