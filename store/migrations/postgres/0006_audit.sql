-- Indexes for the audit page (the PostgreSQL form of SQLite's 0006). The
-- no-replace trigger SQLite needs has no counterpart: PostgreSQL has no
-- REPLACE, and ON CONFLICT DO UPDATE fires 0001's update trigger.
CREATE INDEX tokens_org_audit ON tokens
	(org_id, created_at, id, revoked_at, disabled_at, expires_at, last_used_at, creator_id, owner_user_id, kind, scopes);
CREATE INDEX audit_events_org_at ON audit_events (org_id, at, id);
CREATE INDEX audit_events_org_action ON audit_events (org_id, action, at, id);
CREATE INDEX audit_events_org_actor ON audit_events (org_id, actor_label, at, id);
CREATE INDEX audit_events_actor_token ON audit_events (actor_token_id, at, id) WHERE actor_token_id IS NOT NULL;
