package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestBrowserExactTimeOnFocus: a date in the tokens table is focusable, and
// focus shows its exact moment in the viewer's own time zone (the title
// says the same on hover); on a phone the exact moment is visible text. A
// token made to live 7 days reads "in 7 days", said once.
func TestBrowserExactTimeOnFocus(t *testing.T) {
	ctx := newTab(t)
	a := layoutApp(t)
	run(t, ctx, emulation.SetTimezoneOverride("Asia/Tokyo"), emulation.SetLocaleOverride().WithLocale("en-GB"), viewport(1366, 900))
	signInBrowser(t, ctx, a, "ada")
	visit(t, ctx, apiTab(a))
	expires := rowSel("CI deploy") + ` [data-label="Expires"]`
	if got := textOf(t, ctx, expires); got != "in 7 days" {
		t.Errorf("a fresh 7-day token's Expires cell says %q, want just %q", got, "in 7 days")
	}
	sel := expires + " time"
	var got struct {
		ISO, Title, Before, After string
		Focused                   bool
	}
	run(t, ctx, chromedp.Evaluate(`(() => {
		const el = document.querySelector(`+jsString(sel)+`);
		const before = getComputedStyle(el, '::after').content;
		el.focus();
		return {ISO: el.getAttribute('datetime'), Title: el.title, Before: before,
			After: getComputedStyle(el, '::after').content, Focused: document.activeElement === el};
	})()`, &got))
	at, err := time.Parse(time.RFC3339, got.ISO)
	if err != nil {
		t.Fatal(err)
	}
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	local := at.In(tokyo).Format("15:04")
	if !got.Focused {
		t.Error("the date takes no focus: the keyboard cannot reach its exact time")
	}
	if !strings.Contains(got.Title, local) || strings.Contains(got.Title, "UTC") {
		t.Errorf("title %q, want the local time %s (Asia/Tokyo)", got.Title, local)
	}
	if got.Before != "none" || !strings.Contains(got.After, local) {
		t.Errorf("::after is %q before focus and %q on focus; want nothing, then the local time %s", got.Before, got.After, local)
	}

	run(t, ctx, viewport(390, 844))
	visit(t, ctx, apiTab(a))
	var shown string
	run(t, ctx, chromedp.Evaluate(`getComputedStyle(document.querySelector(`+jsString(sel)+`), '::after').content`, &shown))
	if !strings.Contains(shown, local) {
		t.Errorf("on a phone the exact time is not shown: ::after is %q, want %s in it", shown, local)
	}
}
