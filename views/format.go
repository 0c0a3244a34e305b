package views

import "encoding/json"

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
