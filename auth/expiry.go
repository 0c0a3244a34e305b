package auth

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Token lifetime limits: every token the dashboard makes lives 1 to 365 days
// unless the org's policy allows it never to expire.
const (
	MinExpiryDays = 1
	MaxExpiryDays = 365
	MaxTokenName  = 100
)

// ExpiryPresets are the choices the create dialog offers, in days.
var ExpiryPresets = []int{7, 30, 60, 90, 180, 365}

// ExpiryNever is the expiry choice for a token without an expiry.
const ExpiryNever = "never"

// ExpiryPolicy is what the org's policy says about a kind's expiry.
type ExpiryPolicy struct {
	MaxDays      int  // 0: no maximum
	NeverAllowed bool // tokens of this kind may have no expiry
}

// ResolveExpiry turns the dialog's choice into an expiry time: a number of
// days ("30", also "30d"), "custom" with a date (YYYY-MM-DD, the token
// expires at the end of that day, UTC), or "never". It returns the zero
// time for never, or a message a person can act on.
func ResolveExpiry(choice, customDate string, now time.Time, pol ExpiryPolicy) (time.Time, string) {
	choice = strings.TrimSpace(strings.ToLower(choice))
	now = now.UTC()
	if choice != "custom" && strings.TrimSpace(customDate) != "" {
		// Without JavaScript the date field stays beside the other choices:
		// a date typed there must not be dropped without a word.
		return time.Time{}, "You entered a date but chose another expiry: choose “On a date…” to use the date, or clear the date."
	}
	var exp time.Time
	switch {
	case choice == ExpiryNever:
		if !pol.NeverAllowed {
			return time.Time{}, "This organization's policy requires tokens of this kind to expire: choose a number of days."
		}
		return time.Time{}, ""
	case choice == "custom":
		d, err := time.Parse("2006-01-02", strings.TrimSpace(customDate))
		if err != nil {
			return time.Time{}, "Enter the expiry date as YYYY-MM-DD."
		}
		exp = d.Add(24*time.Hour - time.Second)
		if !exp.After(now) {
			return time.Time{}, "The expiry date is in the past: choose a date from tomorrow on."
		}
		today := now.Truncate(24 * time.Hour)
		if days := int(d.Sub(today).Hours() / 24); days < MinExpiryDays || days > MaxExpiryDays {
			return time.Time{}, fmt.Sprintf("Choose a date between %d and %d days from today.", MinExpiryDays, MaxExpiryDays)
		}
	default:
		days, err := strconv.Atoi(strings.TrimSuffix(choice, "d"))
		if err != nil {
			return time.Time{}, "Choose an expiry: a number of days, a date, or never."
		}
		if days < MinExpiryDays || days > MaxExpiryDays {
			return time.Time{}, fmt.Sprintf("Tokens expire after %d to %d days.", MinExpiryDays, MaxExpiryDays)
		}
		exp = now.Add(time.Duration(days) * 24 * time.Hour).Truncate(time.Second)
	}
	if pol.MaxDays > 0 && exp.After(now.Add(time.Duration(pol.MaxDays)*24*time.Hour)) {
		return time.Time{}, fmt.Sprintf("This organization's policy lets tokens live at most %d days.", pol.MaxDays)
	}
	return exp, ""
}

// ValidateTokenName returns "" for a good token name, or a message.
func ValidateTokenName(s string) string {
	switch {
	case strings.TrimSpace(s) == "":
		return "Enter a name, such as the integration it is for."
	case !utf8.ValidString(s):
		return "The name must be plain text."
	case utf8.RuneCountInString(s) > MaxTokenName:
		return fmt.Sprintf("Use at most %d characters.", MaxTokenName)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "Names cannot contain control characters such as tabs or line breaks."
	}
	return ""
}

// ParseQuota reads an optional monthly request quota: "" is none, otherwise
// a whole number from 1 to a billion.
func ParseQuota(s string) (int64, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, ""
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 || n > 1_000_000_000 {
		return 0, "Enter a whole number of requests per month from 1 to 1,000,000,000, or leave it empty for no quota."
	}
	return n, ""
}
