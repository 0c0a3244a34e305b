-- Secrets that a rotation replaced, by their SHA-256 only (as tokens keep
-- theirs), so a request with an old secret can be told that its token was
-- rotated, rather than that the secret is unknown.
CREATE TABLE retired_secrets (
	secret_hash BLOB PRIMARY KEY,
	token_id    TEXT NOT NULL REFERENCES tokens (id),
	rotated_at  TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX retired_secrets_token ON retired_secrets (token_id);
