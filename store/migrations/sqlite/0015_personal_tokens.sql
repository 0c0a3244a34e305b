-- rebuild: foreign keys off
-- Personal tokens (kind personal, twp_): a person's token that reaches
-- the orgs granted to it in token_org_grants. SQLite changes a CHECK only by
-- rebuilding the table, so tokens is made again with the new kind, keeping
-- every rowid (token_search follows it), then its indexes and triggers.
-- A personal token's org_id is the first org granted: the row needs one, but
-- what the token may reach is its grants.
CREATE TABLE tokens_new (
	id               TEXT PRIMARY KEY,            -- public UUID, safe to log and show
	org_id           INTEGER NOT NULL REFERENCES organizations (id), -- personal: the first org granted
	kind             TEXT NOT NULL CHECK (kind IN ('api', 'cli', 'service', 'personal')),
	name             TEXT NOT NULL,
	creator_id       INTEGER NOT NULL REFERENCES users (id),
	owner_user_id    INTEGER REFERENCES users (id), -- api, cli and personal tokens
	service_id       INTEGER REFERENCES services (id), -- service tokens
	scopes           TEXT NOT NULL,               -- space-separated catalog names
	visibility       TEXT NOT NULL DEFAULT 'admins' CHECK (visibility IN ('admins', 'org')),
	secret_hash      BLOB NOT NULL UNIQUE,        -- SHA-256 of the whole token
	secret_sealed    BLOB,                        -- org-visible only: XChaCha20-Poly1305, AAD = id
	hint             TEXT NOT NULL,               -- twa_7Hq2…9xKd
	device_name      TEXT NOT NULL DEFAULT '',    -- cli tokens made by `tokenward login`
	created_at       TEXT NOT NULL,
	expires_at       TEXT,                        -- NULL: no expiry of its own
	disabled_at      TEXT,
	disabled_by      INTEGER REFERENCES users (id),
	revoked_at       TEXT,
	revoked_by       INTEGER REFERENCES users (id),
	revoked_reason   TEXT NOT NULL DEFAULT '',
	rotated_at       TEXT,
	prev_secret_hash BLOB,                        -- the secret before the last rotation
	prev_valid_until TEXT,                        -- ... and until when it still works
	last_used_at     TEXT,
	last_used_ip     TEXT NOT NULL DEFAULT '',
	last_used_ua     TEXT NOT NULL DEFAULT '',
	last_used_what   TEXT NOT NULL DEFAULT '',
	quota_monthly    INTEGER,                     -- NULL: no quota
	quota_used       INTEGER NOT NULL DEFAULT 0,
	quota_month      TEXT NOT NULL DEFAULT ''     -- 2026-11: the month quota_used counts
);

INSERT INTO tokens_new (rowid, id, org_id, kind, name, creator_id, owner_user_id, service_id, scopes, visibility, secret_hash, secret_sealed, hint, device_name, created_at, expires_at, disabled_at, disabled_by, revoked_at, revoked_by, revoked_reason, rotated_at, prev_secret_hash, prev_valid_until, last_used_at, last_used_ip, last_used_ua, last_used_what, quota_monthly, quota_used, quota_month)
	SELECT rowid, id, org_id, kind, name, creator_id, owner_user_id, service_id, scopes, visibility, secret_hash, secret_sealed, hint, device_name, created_at, expires_at, disabled_at, disabled_by, revoked_at, revoked_by, revoked_reason, rotated_at, prev_secret_hash, prev_valid_until, last_used_at, last_used_ip, last_used_ua, last_used_what, quota_monthly, quota_used, quota_month FROM tokens;
DROP TABLE tokens;
ALTER TABLE tokens_new RENAME TO tokens;
CREATE INDEX tokens_org_kind_created ON tokens (org_id, kind, created_at);
CREATE INDEX tokens_org_kind_name ON tokens (org_id, kind, name);
CREATE INDEX tokens_org_kind_last_used ON tokens (org_id, kind, last_used_at);
CREATE INDEX tokens_org_kind_expires ON tokens (org_id, kind, expires_at);
CREATE INDEX tokens_org_kind_state ON tokens (org_id, kind, revoked_at, disabled_at, expires_at, created_at, creator_id);
CREATE INDEX tokens_creator ON tokens (creator_id);
CREATE INDEX tokens_owner ON tokens (owner_user_id);
CREATE INDEX tokens_service ON tokens (service_id);
CREATE INDEX tokens_prev_hash ON tokens (prev_secret_hash) WHERE prev_secret_hash IS NOT NULL;
CREATE UNIQUE INDEX tokens_live_name ON tokens
	(org_id, kind, CASE WHEN kind IN ('cli', 'personal') THEN owner_user_id ELSE 0 END, name) WHERE revoked_at IS NULL;
CREATE TRIGGER tokens_search_insert AFTER INSERT ON tokens
BEGIN
	INSERT INTO token_search (rowid, body) VALUES (new.rowid,
		new.name || ' ' || new.hint || ' ' || new.scopes || ' ' || new.id
		|| ' ' || COALESCE((SELECT username FROM users WHERE id = new.creator_id), '')
		|| ' ' || COALESCE((SELECT username FROM users WHERE id = new.owner_user_id), '')
		|| ' ' || COALESCE((SELECT name FROM services WHERE id = new.service_id), ''));
END;
CREATE TRIGGER tokens_search_update AFTER UPDATE OF name, hint, scopes, owner_user_id ON tokens
BEGIN
	UPDATE token_search SET body =
		new.name || ' ' || new.hint || ' ' || new.scopes || ' ' || new.id
		|| ' ' || COALESCE((SELECT username FROM users WHERE id = new.creator_id), '')
		|| ' ' || COALESCE((SELECT username FROM users WHERE id = new.owner_user_id), '')
		|| ' ' || COALESCE((SELECT name FROM services WHERE id = new.service_id), '')
	WHERE rowid = new.rowid;
END;
CREATE INDEX tokens_owner_expires ON tokens (owner_user_id, org_id, expires_at) WHERE revoked_at IS NULL;
CREATE INDEX tokens_owner_created ON tokens (owner_user_id, org_id, created_at) WHERE revoked_at IS NULL;
CREATE INDEX tokens_org_audit ON tokens
	(org_id, created_at, id, revoked_at, disabled_at, expires_at, last_used_at, creator_id, owner_user_id, kind, scopes);

-- Which orgs a personal token may reach. A removal keeps the row (removed_at,
-- removed_by, why); re-adding the org clears it and records the new grant.
CREATE TABLE token_org_grants (
	token_id       TEXT NOT NULL REFERENCES tokens (id),
	org_id         INTEGER NOT NULL REFERENCES organizations (id),
	granted_at     TEXT NOT NULL,
	granted_by     INTEGER REFERENCES users (id),
	removed_at     TEXT,
	removed_by     INTEGER REFERENCES users (id),
	removed_reason TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (token_id, org_id)
);
CREATE INDEX token_org_grants_org ON token_org_grants (org_id, token_id) WHERE removed_at IS NULL;

-- A new notification kind, org_removed: an org's admin removed that org from
-- a personal token (the same rebuild, for the kind's CHECK).
CREATE TABLE notifications_new (
	id             INTEGER PRIMARY KEY,
	user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	org_id         INTEGER NOT NULL REFERENCES organizations (id),
	token_id       TEXT NOT NULL REFERENCES tokens (id),
	kind           TEXT NOT NULL CHECK (kind IN ('revoked', 'disabled', 'rotated', 'leaked',
	                   'expires_30d', 'expires_7d', 'expires_1d', 'expired', 'org_removed')),
	message        TEXT NOT NULL,
	link           TEXT NOT NULL,               -- the token's detail page, a local path
	created_at     TEXT NOT NULL,
	read_at        TEXT,
	emailed_at     TEXT,
	email_attempts INTEGER NOT NULL DEFAULT 0,  -- failed sends so far
	email_tried_at TEXT                         -- the last failed send
, actor_token_id TEXT, actor_label TEXT NOT NULL DEFAULT '', email_claimed_until TEXT);

INSERT INTO notifications_new (id, user_id, org_id, token_id, kind, message, link, created_at, read_at, emailed_at, email_attempts, email_tried_at, actor_token_id, actor_label, email_claimed_until)
	SELECT id, user_id, org_id, token_id, kind, message, link, created_at, read_at, emailed_at, email_attempts, email_tried_at, actor_token_id, actor_label, email_claimed_until FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;
CREATE UNIQUE INDEX notifications_expiry_once ON notifications (token_id, kind)
	WHERE kind IN ('expires_30d', 'expires_7d', 'expires_1d', 'expired');
CREATE INDEX notifications_unsent ON notifications (created_at) WHERE emailed_at IS NULL;
