-- Secrets that a rotation replaced (the PostgreSQL form of SQLite's 0008).
CREATE TABLE retired_secrets (
	secret_hash BYTEA PRIMARY KEY,
	token_id    TEXT NOT NULL REFERENCES tokens (id),
	rotated_at  TEXT NOT NULL
);
CREATE INDEX retired_secrets_token ON retired_secrets (token_id);
