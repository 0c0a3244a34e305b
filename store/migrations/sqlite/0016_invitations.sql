-- rebuild: foreign keys off
-- Invitations: an org's admin invites an email address with a role; the
-- invitee opens a single-use link and joins by signing in or by creating an
-- account. Only the SHA-256 of the link's code is stored, so a copy of the
-- database lets nobody join. A resend replaces the code (the old link stops
-- working) and starts a fresh 7 days.
CREATE TABLE invitations (
	id          INTEGER PRIMARY KEY,
	org_id      INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
	email       TEXT NOT NULL,
	role        TEXT NOT NULL CHECK (role IN ('admin', 'member', 'auditor')),
	link_hash   TEXT NOT NULL UNIQUE,        -- hex SHA-256 of the link's code
	invited_by  INTEGER REFERENCES users (id), -- shown to the invitee, notified on acceptance
	created_at  TEXT NOT NULL,
	sent_at     TEXT NOT NULL,               -- the current link's issue (created or resent)
	expires_at  TEXT NOT NULL,
	resent      INTEGER NOT NULL DEFAULT 0,
	accepted_at TEXT,
	accepted_by INTEGER REFERENCES users (id),
	revoked_at  TEXT,
	revoked_by  INTEGER REFERENCES users (id)
);
-- The members page's pending list, and the per-org pending count.
CREATE INDEX invitations_org_open ON invitations (org_id, expires_at) WHERE accepted_at IS NULL AND revoked_at IS NULL;

-- A notification may now be about an invitation rather than a token (the
-- inviter hears that it was accepted): token_id becomes nullable and the
-- kind invitation_accepted is added, which SQLite does only by rebuilding.
CREATE TABLE notifications_new (
	id             INTEGER PRIMARY KEY,
	user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	org_id         INTEGER NOT NULL REFERENCES organizations (id),
	token_id       TEXT REFERENCES tokens (id), -- NULL: not about a token
	kind           TEXT NOT NULL CHECK (kind IN ('revoked', 'disabled', 'rotated', 'leaked',
	                   'expires_30d', 'expires_7d', 'expires_1d', 'expired', 'org_removed', 'invitation_accepted')),
	message        TEXT NOT NULL,
	link           TEXT NOT NULL,               -- a local path
	created_at     TEXT NOT NULL,
	read_at        TEXT,
	emailed_at     TEXT,
	email_attempts INTEGER NOT NULL DEFAULT 0,
	email_tried_at TEXT,
	actor_token_id TEXT,
	actor_label    TEXT NOT NULL DEFAULT '',
	email_claimed_until TEXT
);
INSERT INTO notifications_new (id, user_id, org_id, token_id, kind, message, link, created_at, read_at, emailed_at, email_attempts, email_tried_at, actor_token_id, actor_label, email_claimed_until)
	SELECT id, user_id, org_id, token_id, kind, message, link, created_at, read_at, emailed_at, email_attempts, email_tried_at, actor_token_id, actor_label, email_claimed_until FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;
CREATE UNIQUE INDEX notifications_expiry_once ON notifications (token_id, kind)
	WHERE kind IN ('expires_30d', 'expires_7d', 'expires_1d', 'expired');
CREATE INDEX notifications_unsent ON notifications (created_at) WHERE emailed_at IS NULL;
