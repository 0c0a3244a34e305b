package store_test

import (
	"errors"
	"testing"

	"tokenward/store"
)

func TestServices(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	onboard := func(name, tokenName string) (store.Service, store.Token, error) {
		nt := store.NewToken{Name: tokenName, Kind: "service", Scopes: []string{"ci"}}
		w.prepare(&nt)
		return w.db.CreateService(w.ctx, store.NewService{OrgID: w.org.ID, Name: name, URL: "https://git.example/" + name}, nt, w.actor)
	}
	svc, tok, err := onboard("acme/payments", "payments ci")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the token is made with the service", func(t *testing.T) {
		if tok.ServiceID != svc.ID || tok.ServiceName != "acme/payments" || tok.OwnerUserID != 0 || svc.LiveTokens != 1 {
			t.Errorf("service %+v, token %+v", svc, tok)
		}
		events, err := w.db.OrgEvents(w.ctx, w.org.ID, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 2 || events[0].Action != "token.created" || events[1].Action != "service.added" {
			t.Errorf("events = %+v", events)
		}
	})
	t.Run("a live name is taken, and nothing is written", func(t *testing.T) {
		_, _, err := onboard("acme/payments", "another")
		wantConflictOn(t, err, "name")
		if page, err := w.db.Tokens(w.ctx, store.TokenQuery{OrgID: w.org.ID, Kind: "service", Search: "another", PerPage: 10}); err != nil {
			t.Fatal(err)
		} else if page.Total != 0 {
			t.Errorf("token of the refused service was stored: %+v", page.Tokens)
		}
	})
	t.Run("a taken token name leaves no service behind", func(t *testing.T) {
		_, _, err := onboard("acme/web", "payments ci")
		wantConflictOn(t, err, "name")
		services, err := w.db.Services(w.ctx, w.org.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(services) != 1 {
			t.Errorf("services = %+v", services)
		}
	})
	t.Run("another org's service is not found", func(t *testing.T) {
		if _, err := w.db.ServiceByID(w.ctx, w.other.ID, svc.ID); !store.IsNotFound(err) {
			t.Errorf("err = %v", err)
		}
		if _, _, err := w.db.RemoveService(w.ctx, w.other.ID, svc.ID, w.actor); !store.IsNotFound(err) {
			t.Errorf("remove: err = %v", err)
		}
	})
	t.Run("removing revokes its tokens and frees the name", func(t *testing.T) {
		second, _ := w.mint(store.NewToken{Name: "payments deploy", Kind: "service", ServiceID: svc.ID, Scopes: []string{"ci"}})
		_, n, err := w.db.RemoveService(w.ctx, w.org.ID, svc.ID, w.actor)
		if err != nil || n != 2 {
			t.Fatalf("removed: %d tokens, %v", n, err)
		}
		for _, id := range []string{tok.ID, second.ID} {
			got, err := w.db.TokenByID(w.ctx, w.org.ID, id)
			if err != nil {
				t.Fatal(err)
			}
			if got.RevokedAt.IsZero() || got.RevokedReason != "service removed" {
				t.Errorf("token %s: %+v", got.Name, got)
			}
		}
		if _, err := w.db.ServiceByID(w.ctx, w.org.ID, svc.ID); !store.IsNotFound(err) {
			t.Errorf("removed service still found: %v", err)
		}
		again, _, err := onboard("acme/payments", "payments ci")
		if err != nil || again.ID == svc.ID {
			t.Errorf("onboard again: %+v, %v", again, err)
		}
	})
}

func TestRemoveMemberTokens(t *testing.T) {
	t.Parallel()
	setupMember := func(t *testing.T) (*world, map[string]store.Token) {
		w := newWorld(t)
		if _, err := w.db.ChangeRole(w.ctx, w.org.ID, w.mia.ID, "admin", w.actor); err != nil {
			t.Fatal(err)
		}
		toks := map[string]store.Token{}
		for _, nt := range []store.NewToken{
			{Name: "mia api 1", CreatorID: w.mia.ID},
			{Name: "mia api 2", CreatorID: w.mia.ID},
			{Name: "laptop", Kind: "cli", CreatorID: w.mia.ID},
			{Name: "desktop", Kind: "cli", CreatorID: w.mia.ID},
			{Name: "root laptop", Kind: "cli"},
			{Name: "elsewhere", Kind: "cli", CreatorID: w.mia.ID, OrgID: w.other.ID},
		} {
			toks[nt.Name], _ = w.mint(nt)
		}
		if _, err := w.db.RevokeToken(w.ctx, w.org.ID, toks["desktop"].ID, "", w.actor); err != nil {
			t.Fatal(err)
		}
		live, err := w.db.LiveTokensOf(w.ctx, w.org.ID, w.mia.ID)
		if err != nil || live.Counts["api"] != 2 || live.Counts["cli"] != 1 || len(live.Tokens) != 3 || live.Tokens[0].Name != "mia api 1" {
			t.Fatalf("live tokens = %+v, %v", live, err)
		}
		return w, toks
	}
	state := func(w *world, tok store.Token) store.Token {
		got, err := w.db.TokenByID(w.ctx, tok.OrgID, tok.ID)
		if err != nil {
			w.t.Fatal(err)
		}
		return got
	}
	checkCLI := func(t *testing.T, w *world, toks map[string]store.Token, r store.Removal) {
		t.Helper()
		if r.CLIRevoked != 1 || state(w, toks["laptop"]).RevokedReason != "member removed" {
			t.Errorf("CLI tokens: revoked %d, laptop %+v", r.CLIRevoked, state(w, toks["laptop"]))
		}
		if !state(w, toks["root laptop"]).RevokedAt.IsZero() || !state(w, toks["elsewhere"]).RevokedAt.IsZero() {
			t.Error("revoked CLI tokens of someone else or of another org")
		}
		if _, err := w.db.Membership(w.ctx, w.org.ID, w.mia.ID); !store.IsNotFound(err) {
			t.Errorf("still a member: %v", err)
		}
	}

	t.Run("keep", func(t *testing.T) {
		w, toks := setupMember(t)
		r, err := w.db.RemoveMember(w.ctx, w.org.ID, w.mia.ID, store.RemoveOptions{}, w.actor)
		if err != nil || r.APIKept != 2 || r.User.ID != w.mia.ID {
			t.Fatalf("removal = %+v, %v", r, err)
		}
		checkCLI(t, w, toks, r)
		if got := state(w, toks["mia api 1"]); !got.RevokedAt.IsZero() || got.OwnerUserID != w.mia.ID || got.CreatorRole != "" {
			t.Errorf("kept API token: %+v", got)
		}
	})
	t.Run("revoke", func(t *testing.T) {
		w, toks := setupMember(t)
		r, err := w.db.RemoveMember(w.ctx, w.org.ID, w.mia.ID, store.RemoveOptions{APITokens: store.RevokeAPITokens}, w.actor)
		if err != nil || r.APIRevoked != 2 {
			t.Fatalf("removal = %+v, %v", r, err)
		}
		checkCLI(t, w, toks, r)
		if got := state(w, toks["mia api 2"]); got.RevokedAt.IsZero() {
			t.Errorf("API token not revoked: %+v", got)
		}
	})
	t.Run("transfer", func(t *testing.T) {
		w, toks := setupMember(t)
		r, err := w.db.RemoveMember(w.ctx, w.org.ID, w.mia.ID,
			store.RemoveOptions{APITokens: store.TransferAPITokens, TransferTo: w.root.ID}, w.actor)
		if err != nil || r.APITransferred != 2 || r.TransferredTo != "root" {
			t.Fatalf("removal = %+v, %v", r, err)
		}
		checkCLI(t, w, toks, r)
		got := state(w, toks["mia api 1"])
		if !got.RevokedAt.IsZero() || got.OwnerUserID != w.root.ID || got.CreatorID != w.mia.ID {
			t.Errorf("transferred token: %+v", got)
		}
		events, err := w.db.TokenEvents(w.ctx, w.org.ID, got.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 1 || events[0].Action != "token.transferred" || events[0].Details["to"] != "root" {
			t.Errorf("events = %+v", events)
		}
	})
	t.Run("transfer to a non-admin, oneself or nobody writes nothing", func(t *testing.T) {
		w, toks := setupMember(t)
		bob, err := w.db.CreateMember(w.ctx, w.org.ID, store.NewUser{Username: "bob", Email: "b@example.com", PasswordHash: "x"}, "member", w.actor)
		if err != nil {
			t.Fatal(err)
		}
		for _, to := range []int64{bob.User.ID, w.mia.ID, 0, 99999} {
			_, err := w.db.RemoveMember(w.ctx, w.org.ID, w.mia.ID,
				store.RemoveOptions{APITokens: store.TransferAPITokens, TransferTo: to}, w.actor)
			var se *store.Error
			if store.ErrorCode(err) != store.EInvalid || !errors.As(err, &se) || !se.Fields.Has("transfer_to") {
				t.Errorf("to %d: err = %v", to, err)
			}
		}
		if _, err := w.db.RemoveMember(w.ctx, w.org.ID, w.mia.ID, store.RemoveOptions{APITokens: "give away"}, w.actor); store.ErrorCode(err) != store.EInvalid {
			t.Errorf("unknown choice: err = %v", err)
		}
		if _, err := w.db.Membership(w.ctx, w.org.ID, w.mia.ID); err != nil {
			t.Errorf("membership gone: %v", err)
		}
		if !state(w, toks["laptop"]).RevokedAt.IsZero() {
			t.Error("CLI token revoked by a refused removal")
		}
	})
}
