-- Requests per token per day (the PostgreSQL form of SQLite's 0005).
CREATE TABLE token_usage_daily (
	token_id TEXT NOT NULL REFERENCES tokens (id),
	day      TEXT NOT NULL,
	requests BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (token_id, day)
);
CREATE INDEX tokens_owner_expires ON tokens (owner_user_id, org_id, expires_at) WHERE revoked_at IS NULL;
CREATE INDEX tokens_owner_created ON tokens (owner_user_id, org_id, created_at) WHERE revoked_at IS NULL;
