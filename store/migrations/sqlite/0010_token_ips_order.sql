-- token_ips.last_seen_at holds the second of a use, like every timestamp, so
-- the uses of a burst within one second all tied and pruning to five kept
-- the lowest addresses, not the newest. last_seen_ns is the use's time in
-- Unix nanoseconds: it orders the list and its pruning. Rows from before
-- carry their second.
ALTER TABLE token_ips ADD COLUMN last_seen_ns INTEGER NOT NULL DEFAULT 0;
UPDATE token_ips SET last_seen_ns = COALESCE(unixepoch(last_seen_at), 0) * 1000000000;
