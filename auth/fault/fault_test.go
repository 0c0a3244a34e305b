package fault_test

import (
	"fmt"
	"testing"
	"time"

	"tokenward/auth/fault"
)

func TestCodesSurviveWrapping(t *testing.T) {
	t.Parallel()
	err := fmt.Errorf("saving: %w", fault.Field(fault.Conflict, "name", "the name is taken"))
	if got := fault.CodeOf(err); got != fault.Conflict {
		t.Errorf("code %q, want conflict", got)
	}
	if !fault.FieldsOf(err).Has("name") {
		t.Errorf("fields %v, want name", fault.FieldsOf(err))
	}
	if got := fault.CodeOf(fmt.Errorf("disk full")); got != fault.Internal {
		t.Errorf("a plain error's code is %q, want internal", got)
	}
	if fault.CodeOf(nil) != "" || fault.Is(nil, fault.Internal) {
		t.Error("nil is no fault")
	}
}

func TestRetrySecondsNeverTooEarly(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		wait time.Duration
		want int
	}{{0, 1}, {300 * time.Millisecond, 1}, {time.Second, 2}, {59500 * time.Millisecond, 60}, {time.Hour, 3601}} {
		if got := fault.RetrySeconds(tt.wait); got != tt.want || time.Duration(got)*time.Second <= tt.wait {
			t.Errorf("RetrySeconds(%v) = %d, want %d", tt.wait, got, tt.want)
		}
	}
}
