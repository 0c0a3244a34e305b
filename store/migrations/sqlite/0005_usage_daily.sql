-- Requests per token per day (UTC), gathered with the last-use batch, for
-- the usage chart on a token's page and the sparklines in tables. A day
-- without requests has no row.
CREATE TABLE token_usage_daily (
	token_id TEXT NOT NULL REFERENCES tokens (id),
	day      TEXT NOT NULL,               -- 2026-11-22
	requests INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (token_id, day)
) WITHOUT ROWID;

-- "Your tokens expire soon" on the tokens page: a person's live tokens by
-- their own expiry, and by creation for the policy's maximum lifetime, so
-- the banner reads a few index entries even for someone who owns many.
CREATE INDEX tokens_owner_expires ON tokens (owner_user_id, org_id, expires_at) WHERE revoked_at IS NULL;
CREATE INDEX tokens_owner_created ON tokens (owner_user_id, org_id, created_at) WHERE revoked_at IS NULL;
