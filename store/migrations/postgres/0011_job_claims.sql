-- A claim on a background job (the PostgreSQL form of SQLite's 0011).
CREATE TABLE job_claims (
	job    TEXT PRIMARY KEY,
	holder TEXT NOT NULL,
	until  TEXT NOT NULL
);
