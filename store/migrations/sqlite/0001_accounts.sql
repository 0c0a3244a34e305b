-- Organizations, users, memberships, browser sessions and the audit trail.
-- Timestamps are UTC text in the layout 2006-01-02T15:04:05Z, so they sort.

CREATE TABLE organizations (
	id         INTEGER PRIMARY KEY,
	slug       TEXT NOT NULL UNIQUE,
	name       TEXT NOT NULL,
	created_at TEXT NOT NULL
);

CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
	email         TEXT NOT NULL,
	display_name  TEXT NOT NULL DEFAULT '',
	password_hash TEXT NOT NULL,
	site_admin    INTEGER NOT NULL DEFAULT 0 CHECK (site_admin IN (0, 1)),
	disabled_at   TEXT,
	created_at    TEXT NOT NULL
);
CREATE INDEX users_site_admin ON users (site_admin) WHERE site_admin = 1;

CREATE TABLE memberships (
	org_id     INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	role       TEXT NOT NULL CHECK (role IN ('admin', 'member', 'auditor')),
	created_at TEXT NOT NULL,
	PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

-- A browser session: only the SHA-256 of its id is stored, so a copy of the
-- database does not let anyone sign in as a user.
CREATE TABLE sessions (
	id_hash      TEXT PRIMARY KEY,
	user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at   TEXT NOT NULL,
	last_seen_at TEXT NOT NULL,
	ip           TEXT NOT NULL DEFAULT '',
	user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

-- The audit trail is append-only: the triggers below refuse any UPDATE or
-- DELETE, whatever code path tries one. It never holds a secret.
CREATE TABLE audit_events (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	at             TEXT NOT NULL,
	org_id         INTEGER REFERENCES organizations (id),
	actor_user_id  INTEGER REFERENCES users (id),
	actor_token_id TEXT,
	actor_label    TEXT NOT NULL DEFAULT '',
	action         TEXT NOT NULL,
	target_type    TEXT NOT NULL DEFAULT '',
	target_id      TEXT NOT NULL DEFAULT '',
	target_label   TEXT NOT NULL DEFAULT '',
	ip             TEXT NOT NULL DEFAULT '',
	details        TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_org ON audit_events (org_id, id);
CREATE INDEX audit_events_actor ON audit_events (actor_user_id, id);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
	SELECT RAISE(ABORT, 'audit events are append-only');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
	SELECT RAISE(ABORT, 'audit events are append-only');
END;
