-- Notifications to token owners, and the SMTP settings that email them.

-- A notification tells a user that something happened to one of their
-- tokens: someone else revoked, disabled or rotated it, it was reported
-- leaked, it expires soon, or it expired. message and link are a snapshot
-- taken when it was made; the message names the token, never its secret.
CREATE TABLE notifications (
	id             INTEGER PRIMARY KEY,
	user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	org_id         INTEGER NOT NULL REFERENCES organizations (id),
	token_id       TEXT NOT NULL REFERENCES tokens (id),
	kind           TEXT NOT NULL CHECK (kind IN ('revoked', 'disabled', 'rotated', 'leaked',
	                   'expires_30d', 'expires_7d', 'expires_1d', 'expired')),
	message        TEXT NOT NULL,
	link           TEXT NOT NULL,               -- the token's detail page, a local path
	created_at     TEXT NOT NULL,
	read_at        TEXT,
	emailed_at     TEXT,
	email_attempts INTEGER NOT NULL DEFAULT 0,  -- failed sends so far
	email_tried_at TEXT                         -- the last failed send
);
-- A user's list, newest first.
CREATE INDEX notifications_user ON notifications (user_id, id);
-- The bell's count reads only this index.
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;
-- Each expiry warning exists once per token, whatever re-runs or restarts
-- the job: the background job inserts with OR IGNORE against this key.
CREATE UNIQUE INDEX notifications_expiry_once ON notifications (token_id, kind)
	WHERE kind IN ('expires_30d', 'expires_7d', 'expires_1d', 'expired');
-- The mail queue: notifications not emailed yet, oldest first.
CREATE INDEX notifications_unsent ON notifications (created_at) WHERE emailed_at IS NULL;

-- The deployment's one outgoing mail server (site admin settings). The
-- password is encrypted with a key derived from the deployment key.
CREATE TABLE smtp_settings (
	id              INTEGER PRIMARY KEY CHECK (id = 1),
	host            TEXT NOT NULL,
	port            INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
	security        TEXT NOT NULL CHECK (security IN ('starttls', 'tls', 'none')),
	username        TEXT NOT NULL DEFAULT '',
	password_sealed BLOB,                        -- NULL: no password
	from_address    TEXT NOT NULL,
	updated_at      TEXT NOT NULL,
	updated_by      INTEGER REFERENCES users (id)
);
