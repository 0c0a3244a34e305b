-- Token policy per org, services, tokens and their recent client IPs.

-- policy_max_days: the longest a token may live, counted from creation and
-- enforced when a token is checked (NULL: no maximum).
-- policy_default_days: the expiry preselected in the create dialog.
-- policy_never_*: whether tokens of that kind may be made without expiry.
ALTER TABLE organizations ADD COLUMN policy_max_days INTEGER;
ALTER TABLE organizations ADD COLUMN policy_default_days INTEGER NOT NULL DEFAULT 30;
ALTER TABLE organizations ADD COLUMN policy_never_api INTEGER NOT NULL DEFAULT 0;
ALTER TABLE organizations ADD COLUMN policy_never_cli INTEGER NOT NULL DEFAULT 0;
ALTER TABLE organizations ADD COLUMN policy_never_service INTEGER NOT NULL DEFAULT 0;

-- A repository or agent onboarded for CI scans. Removing one keeps the row
-- (its tokens and audit events refer to it) and frees the name.
CREATE TABLE services (
	id         INTEGER PRIMARY KEY,
	org_id     INTEGER NOT NULL REFERENCES organizations (id),
	name       TEXT NOT NULL,
	url        TEXT NOT NULL DEFAULT '',
	created_by INTEGER NOT NULL REFERENCES users (id),
	created_at TEXT NOT NULL,
	removed_at TEXT
);
CREATE UNIQUE INDEX services_live_name ON services (org_id, name) WHERE removed_at IS NULL;

CREATE TABLE tokens (
	id               TEXT PRIMARY KEY,            -- public UUID, safe to log and show
	org_id           INTEGER NOT NULL REFERENCES organizations (id),
	kind             TEXT NOT NULL CHECK (kind IN ('api', 'cli', 'service')),
	name             TEXT NOT NULL,
	creator_id       INTEGER NOT NULL REFERENCES users (id),
	owner_user_id    INTEGER REFERENCES users (id), -- api and cli tokens
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
-- The tabs list one org's tokens of one kind, newest first by default.
CREATE INDEX tokens_org_kind_created ON tokens (org_id, kind, created_at);
CREATE INDEX tokens_org_kind_name ON tokens (org_id, kind, name);
CREATE INDEX tokens_org_kind_last_used ON tokens (org_id, kind, last_used_at);
CREATE INDEX tokens_org_kind_expires ON tokens (org_id, kind, expires_at);
-- Covers every status condition and the creator role filter, so counting a
-- tab reads only this index.
CREATE INDEX tokens_org_kind_state ON tokens (org_id, kind, revoked_at, disabled_at, expires_at, created_at, creator_id);
CREATE INDEX tokens_creator ON tokens (creator_id);
CREATE INDEX tokens_owner ON tokens (owner_user_id);
CREATE INDEX tokens_service ON tokens (service_id);
CREATE INDEX tokens_prev_hash ON tokens (prev_secret_hash) WHERE prev_secret_hash IS NOT NULL;
-- Names are unique among an org's live (not revoked) tokens of a kind; CLI
-- tokens are personal, so theirs are unique per owner (two people may both
-- have a "laptop").
CREATE UNIQUE INDEX tokens_live_name ON tokens
	(org_id, kind, CASE WHEN kind = 'cli' THEN owner_user_id ELSE 0 END, name) WHERE revoked_at IS NULL;

-- The last five distinct client IPs of each token, with their user agents.
CREATE TABLE token_ips (
	token_id     TEXT NOT NULL REFERENCES tokens (id),
	ip           TEXT NOT NULL,
	user_agent   TEXT NOT NULL DEFAULT '',
	last_seen_at TEXT NOT NULL,
	PRIMARY KEY (token_id, ip)
);
CREATE INDEX token_ips_ip ON token_ips (ip);

-- Substring search over what the search box matches: name, hint, scopes,
-- id, creator, owner and service. A trigram index answers "contains" for
-- three or more characters without reading every token. Rows follow the
-- tokens table through triggers (usernames and service names never change).
CREATE VIRTUAL TABLE token_search USING fts5 (body, tokenize = 'trigram');

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

CREATE INDEX audit_events_target ON audit_events (target_type, target_id, id);
