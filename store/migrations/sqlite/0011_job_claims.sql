-- A claim on a background job (the expiry pass, the mail pass), so that
-- when several processes share the database each pass runs in one of them.
-- holder is the random id of the process holding the claim; the claim is
-- free again once until has passed.
CREATE TABLE job_claims (
	job    TEXT PRIMARY KEY,
	holder TEXT NOT NULL,
	until  TEXT NOT NULL
);
