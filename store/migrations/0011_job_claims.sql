-- A background job's pass runs once however many server processes share
-- the database: a process claims the job's row until a time, and renews
-- it while it keeps running; another takes it once the claim has run out.
CREATE TABLE job_claims (
	job TEXT PRIMARY KEY,
	holder TEXT NOT NULL,
	until TEXT NOT NULL
);
