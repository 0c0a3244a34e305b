package views

import (
	"encoding/json"
	"strconv"
	"strings"
)

// EndSentence is s closing a sentence: with a full stop added, unless s
// already ends with one (an org named "Acme Inc." gets no second).
func EndSentence(s string) string {
	for _, end := range []string{".", "!", "?", "…"} {
		if strings.HasSuffix(s, end) {
			return s
		}
	}
	return s + "."
}

func csrfHeaders(token string) string {
	b, _ := json.Marshal(map[string]string{"X-CSRF-Token": token})
	return string(b)
}

func userLabel(u *UserMenu) string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.Username
}

func shellClass(s Shell) string {
	if len(s.Nav) > 0 {
		return "shell"
	}
	return "shell shell-plain"
}

func roleBadge(role string) string { return "badge badge-" + role }

func roleLabel(role string) string {
	switch role {
	case "admin":
		return "Admin"
	case "member":
		return "Member"
	case "auditor":
		return "Auditor"
	}
	return role
}

func statusLabel(s string) string {
	switch s {
	case "active":
		return "Active"
	case "expired":
		return "Expired"
	case "disabled":
		return "Disabled"
	case "revoked":
		return "Revoked"
	}
	return s
}

func fmtInt(n int) string { return strconv.Itoa(n) }

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
