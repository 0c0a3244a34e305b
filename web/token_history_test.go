package web_test

import (
	"net/url"
	"testing"

	"tokenward/auth"
	"tokenward/web/core"
)

// TestTokenHistoryInWords: a token's history says what happened in words
// ("disabled"), not as raw ids, with details as labelled fields.
func TestTokenHistoryInWords(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	tok := mintToken(t, a, core.TokenRequest{Kind: auth.KindAPI, Name: "history", Scopes: []string{"report"}})
	admin := a.signIn("ada")
	admin.get(tokenURL(tok, "disable"))
	admin.post(tokenURL(tok, "disable"), url.Values{})
	r := admin.get(tokenURL(tok, ""))
	r.contains(t, `data-action="token.created">created</td>`, `data-action="token.disabled">disabled</td>`)
	r.lacks(t, `>token.created<`, `>token.disabled<`)
}
