-- Personal tokens (kind personal, twp_): a person's token that reaches
-- the orgs granted to it in token_org_grants (the PostgreSQL form of
-- SQLite's 0015). A personal token's org_id is the first org granted.
ALTER TABLE tokens DROP CONSTRAINT tokens_kind_check;
ALTER TABLE tokens ADD CONSTRAINT tokens_kind_check CHECK (kind IN ('api', 'cli', 'service', 'personal'));
DROP INDEX tokens_live_name;
CREATE UNIQUE INDEX tokens_live_name ON tokens
	(org_id, kind, (CASE WHEN kind IN ('cli', 'personal') THEN owner_user_id ELSE 0 END), name) WHERE revoked_at IS NULL;

CREATE TABLE token_org_grants (
	token_id       TEXT NOT NULL REFERENCES tokens (id),
	org_id         BIGINT NOT NULL REFERENCES organizations (id),
	granted_at     TEXT NOT NULL,
	granted_by     BIGINT REFERENCES users (id),
	removed_at     TEXT,
	removed_by     BIGINT REFERENCES users (id),
	removed_reason TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (token_id, org_id)
);
CREATE INDEX token_org_grants_org ON token_org_grants (org_id, token_id) WHERE removed_at IS NULL;

-- A new notification kind: an org's admin removed that org from a personal token.
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('revoked', 'disabled', 'rotated', 'leaked',
	'expires_30d', 'expires_7d', 'expires_1d', 'expired', 'org_removed'));
