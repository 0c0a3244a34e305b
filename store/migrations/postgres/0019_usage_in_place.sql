-- The usage flush rewrites every used token's last use each second. PostgreSQL
-- can only do that in place (a HOT update: no new index entries) when no index
-- holds a column the update changes and the row's page has room. Two indexes
-- held last_used_at, so each flush wrote a new entry into all sixteen of the
-- table's indexes for every used token, while holding the write lock every
-- replica's writes wait on.
--
-- Sorting a tab by last use now sorts the org's tokens of that kind instead of
-- reading an index in order; the audit page still finds its page through
-- tokens_org_audit's order and reads last use from the row.
DROP INDEX tokens_org_kind_last_used;
DROP INDEX tokens_org_audit;
CREATE INDEX tokens_org_audit ON tokens
	(org_id, created_at, id, revoked_at, disabled_at, expires_at, creator_id, owner_user_id, kind, scopes);
-- Leave a fifth of each page free so the updated row fits beside the old one.
-- This holds for pages written from now on; VACUUM FULL tokens applies it to
-- a table that already has rows (README, "Running several replicas").
ALTER TABLE tokens SET (fillfactor = 80);
