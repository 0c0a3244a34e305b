package plumbing

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// jsonTypeProblem says which field of a request body into target (a pointer
// to its struct) holds the wrong kind of JSON value, in JSON's words: "a
// whole number", "a list of strings", never Go's ("a int64").
func jsonTypeProblem(e *json.UnmarshalTypeError, target reflect.Type) string {
	got := jsonValueWords(e.Value)
	if e.Field == "" {
		return fmt.Sprintf("The body must be %s, not %s.", jsonTypeWords(e.Type), got)
	}
	want := jsonTypeWords(e.Type)
	if f := jsonFieldType(target, e.Field); f != nil && f.Kind() == reflect.Slice && f.Elem() == e.Type {
		return fmt.Sprintf("Each item of the field %q must be %s, not %s.", e.Field, want, got)
	}
	if isInt(e.Type) && strings.HasPrefix(e.Value, "number ") {
		want += fmt.Sprintf(" (at most %d)", maxOfInt(e.Type))
	}
	return fmt.Sprintf("The field %q must be %s, not %s.", e.Field, want, got)
}

// jsonTypeWords names the JSON value a Go type is read from.
func jsonTypeWords(t reflect.Type) string {
	switch {
	case t.Kind() == reflect.Pointer:
		return jsonTypeWords(t.Elem())
	case isInt(t):
		return "a whole number"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list of " + strings.TrimPrefix(strings.TrimPrefix(jsonTypeWords(t.Elem()), "a "), "an ") + "s"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "a JSON value"
}

// jsonValueWords names what the body held: the decoder's "string",
// "number", "number 1.5", "bool", "array" or "object".
func jsonValueWords(v string) string {
	if n, ok := strings.CutPrefix(v, "number "); ok {
		return n
	}
	switch v {
	case "bool":
		return "true or false"
	case "array":
		return "a list"
	case "object":
		return "an object"
	case "null":
		return "null"
	}
	return "a " + v
}

func isInt(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

func maxOfInt(t reflect.Type) uint64 {
	if t.Kind() >= reflect.Uint && t.Kind() <= reflect.Uint64 {
		return 1<<t.Bits() - 1
	}
	return 1<<(t.Bits()-1) - 1
}

// jsonFieldType follows a dotted JSON field path ("sub.x") through struct
// tags to the Go type of that field; nil when it cannot be found.
func jsonFieldType(t reflect.Type, path string) reflect.Type {
	for _, name := range strings.Split(path, ".") {
		for t != nil && t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t == nil || t.Kind() != reflect.Struct {
			return nil
		}
		var next reflect.Type
		for i := range t.NumField() {
			f := t.Field(i)
			tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if tag == name || (tag == "" && strings.EqualFold(f.Name, name)) {
				next = f.Type
				break
			}
		}
		t = next
	}
	return t
}
