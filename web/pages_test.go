package web_test

import (
	"net/http"
	"net/url"
	"testing"
)

// TestSharedTokenRevealSaysAnEncryptedCopyIsKept: the reveal of an
// org-visible token says what is kept (an encrypted copy members can reveal
// again, each reveal audited); an admins-only token's still says only its
// hash is kept.
func TestSharedTokenRevealSaysAnEncryptedCopyIsKept(t *testing.T) {
	a := seededApp(t)
	admin := a.signIn("ada")
	const kept, hashOnly = "Tokenward keeps an encrypted copy of this token", "keeps only its hash"

	admin.get("/orgs/acme/settings/tokens/api")
	r := admin.post("/orgs/acme/settings/tokens/api", url.Values{"name": {"shared"}, "scopes": {"report:read"}, "visibility": {"org"}})
	if r.status != http.StatusCreated {
		t.Fatalf("create shared: %d", r.status)
	}
	r.contains(t, kept, "members of the organization can reveal it again", "Every reveal is recorded in the audit log")
	r.lacks(t, hashOnly)

	r = admin.post("/orgs/acme/settings/tokens/api", url.Values{"name": {"hidden"}, "scopes": {"api"}})
	if r.status != http.StatusCreated {
		t.Fatalf("create admins-only: %d", r.status)
	}
	r.contains(t, "It will not be shown again: Tokenward "+hashOnly)
	r.lacks(t, kept)

	_, id := admin.createToken(t, "api", url.Values{"name": {"shared too"}, "scopes": {"report:read"}, "visibility": {"org"}})
	tok := mustToken(t, a, id)
	rotated := admin.post(tokenURL(tok, "rotate"), url.Values{"grace": {"now"}, "hint": {tok.Hint}})
	rotated.contains(t, kept)
	rotated.lacks(t, hashOnly)

	member := a.signIn("max")
	member.get("/orgs/acme/settings/tokens/api")
	revealed := member.post(tokenURL(tok, "reveal"), url.Values{})
	if revealed.status != http.StatusOK {
		t.Fatalf("member reveal: %d", revealed.status)
	}
	revealed.contains(t, kept, "Every reveal is recorded in the audit log")
	revealed.lacks(t, hashOnly)
}
