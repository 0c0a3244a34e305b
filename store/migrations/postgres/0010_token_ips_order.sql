-- The order of a token's recent IPs in Unix nanoseconds (the PostgreSQL
-- form of SQLite's 0010). Rows from before carry their second.
ALTER TABLE token_ips ADD COLUMN last_seen_ns BIGINT NOT NULL DEFAULT 0;
UPDATE token_ips SET last_seen_ns = CAST(extract(epoch FROM CAST(last_seen_at AS timestamptz)) AS bigint) * 1000000000;
