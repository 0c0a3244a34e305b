package views

import "strconv"

// presetLabel names a preset lifetime in days in the personal token form.
func presetLabel(days int) string {
	switch days {
	case 7:
		return "7 days"
	case 365:
		return "1 year"
	}
	return strconv.Itoa(days) + " days"
}
