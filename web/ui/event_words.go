package ui

import (
	"slices"
	"sort"
	"strings"

	"tokenward/views"
)

// eventVerbs word the actions whose last part does not read as a verb on
// its own; every other action reads as its last part ("token.revealed":
// "revealed").
var eventVerbs = map[string]string{
	"token.updated":       "edited",
	"token.grace_ended":   "ended the grace of",
	"token.org_removed":   "removed the organization from",
	"token.org_readded":   "added the organization again to",
	"token.org_granted":   "granted the organization to",
	"member.role_changed": "changed the role of",
}

// eventVerb is how the log words an action in its sentence:
// "max revealed Grafana exporter".
func eventVerb(action string) string {
	if v, ok := eventVerbs[action]; ok {
		return v
	}
	last := action[strings.LastIndex(action, ".")+1:]
	return strings.ReplaceAll(last, "_", " ")
}

// eventTarget is the object of an event's sentence: a token by its name,
// anything else with what it is ("member max", "service acme/payments").
func eventTarget(targetType, label string) string {
	if targetType == "token" || targetType == "" {
		return label
	}
	return targetType + " " + label
}

// eventFields are an event's details as labelled fields, in key order:
// "old_secret_until" is labelled "Old secret until".
func eventFields(d map[string]string) []views.Field {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]views.Field, 0, len(keys))
	for _, k := range keys {
		label := strings.ReplaceAll(k, "_", " ")
		if label != "" {
			label = strings.ToUpper(label[:1]) + label[1:]
		}
		out = append(out, views.Field{Label: label, Value: d[k]})
	}
	return out
}

// appendGrouped adds r to rows, folding it into the row before when it is
// the same event again (same actor, action, target and details from the
// same address), so seven reveals in a row read as one row, "7 times",
// with the time of the newest and the oldest.
func appendGrouped(rows []views.EventRow, r views.EventRow) []views.EventRow {
	if n := len(rows); n > 0 {
		last := &rows[n-1]
		if last.Actor == r.Actor && last.Action == r.Action && last.Target == r.Target && last.IP == r.IP &&
			slices.Equal(last.Details, r.Details) {
			last.Count = max(last.Count, 1) + 1
			last.Oldest = r.When
			return rows
		}
	}
	return append(rows, r)
}
