-- A person dismissed the expiry warning of one of their tokens: the
-- warning stays away for that token while its expiry stays what it was
-- (expires_at, '' for none); a rotation that moves the expiry warns again.
CREATE TABLE expiry_dismissals (
	user_id      BIGINT NOT NULL REFERENCES users (id),
	token_id     TEXT NOT NULL REFERENCES tokens (id),
	expires_at   TEXT NOT NULL,
	dismissed_at TEXT NOT NULL,
	PRIMARY KEY (user_id, token_id)
);
