-- Only notifications made after mail was set up are emailed (the
-- PostgreSQL form of SQLite's 0009).
ALTER TABLE smtp_settings ADD COLUMN mail_after BIGINT;
