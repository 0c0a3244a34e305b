-- Indexes for the audit page: every token of an org across kinds, and the
-- event log with its filters.

-- The audit page lists an org's tokens of every kind, newest first (the id
-- breaks ties). This index holds every column its filters test, so a page
-- is read in index order and its count from the index alone, without
-- visiting the table.
CREATE INDEX tokens_org_audit ON tokens
	(org_id, created_at, id, revoked_at, disabled_at, expires_at, last_used_at, creator_id, owner_user_id, kind, scopes);

-- The event log is newest first by time. Each filter's index ends in
-- (at, id), so it hands rows over in page order and a date range or the
-- keyset of the next page is a range of it.
CREATE INDEX audit_events_org_at ON audit_events (org_id, at, id);
CREATE INDEX audit_events_org_action ON audit_events (org_id, action, at, id);
CREATE INDEX audit_events_org_actor ON audit_events (org_id, actor_label, at, id);
CREATE INDEX audit_events_actor_token ON audit_events (actor_token_id, at, id) WHERE actor_token_id IS NOT NULL;

-- The audit trail is append-only (0001's triggers refuse UPDATE and
-- DELETE). REPLACE would still remove an event: it deletes the row it
-- replaces without firing delete triggers (unless recursive_triggers is
-- on). Refuse any insert that names an existing event.
CREATE TRIGGER audit_events_no_replace BEFORE INSERT ON audit_events
WHEN EXISTS (SELECT 1 FROM audit_events WHERE id = NEW.id)
BEGIN
	SELECT RAISE(ABORT, 'audit events are append-only');
END;
