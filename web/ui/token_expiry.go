package ui

import (
	"strconv"
	"time"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/views"
	"tokenward/web/core"
)

// expiryField is the expiry control of the create and rotate dialogs for a
// kind's token under org's policy at now, with choice (and date, for
// "custom") selected. Each option carries what it gives, and the line under
// the control says it for the choice made, all from auth.ResolveExpiry.
func expiryField(label string, org store.Org, kind auth.Kind, now time.Time, choice, date string) views.ExpiryField {
	pol := core.ExpiryPolicyOf(org, kind)
	f := views.ExpiryField{Label: label, Choice: choice, Date: date, MaxDays: pol.MaxDays}
	for _, d := range auth.ExpiryPresets {
		if pol.MaxDays > 0 && d > pol.MaxDays {
			continue // the policy would refuse it
		}
		v := strconv.Itoa(d)
		f.Choices = append(f.Choices, views.ExpiryChoice{Value: v, Label: presetLabel(d), Result: expiryResult(v, "", now, pol)})
	}
	f.Choices = append(f.Choices, views.ExpiryChoice{Value: "custom", Label: "On a date…", Result: pickDate})
	if pol.NeverAllowed {
		f.Choices = append(f.Choices, views.ExpiryChoice{Value: auth.ExpiryNever, Label: "Never", Result: expiresOn(time.Time{})})
	}
	longest := auth.MaxExpiryDays
	if pol.MaxDays > 0 && pol.MaxDays < longest {
		longest = pol.MaxDays
	}
	f.MinDate = now.UTC().AddDate(0, 0, auth.MinExpiryDays).Format(time.DateOnly)
	f.MaxDate = now.UTC().AddDate(0, 0, longest).Format(time.DateOnly)
	f.Result = expiryResult(choice, date, now, pol)
	return f
}

// pickDate is the result line of "On a date…" before a date is picked.
const pickDate = "Pick the date it expires on."

// expiryResult says what choice gives, or what is wrong with it.
func expiryResult(choice, date string, now time.Time, pol auth.ExpiryPolicy) string {
	if choice == "custom" && date == "" {
		return pickDate
	}
	exp, msg := auth.ResolveExpiry(choice, date, now, pol)
	if msg != "" {
		return msg
	}
	return expiresOn(exp)
}

// expiresOn says when a token expires, as a date: "Expires on Tue 8 Dec
// 2026" (UTC), or "Never expires" for the zero time.
func expiresOn(exp time.Time) string {
	if exp.IsZero() {
		return "Never expires"
	}
	return "Expires on " + exp.UTC().Format("Mon 2 Jan 2006")
}

func presetLabel(days int) string {
	switch days {
	case 7:
		return "7 days"
	case 365:
		return "1 year"
	}
	return strconv.Itoa(days) + " days"
}
