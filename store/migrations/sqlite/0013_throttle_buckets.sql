-- Throttle buckets shared by the processes of one database: sign-in and
-- device-code attempts per username and per client IP. used is how many
-- attempts the bucket lacked at last_ns (Unix nanoseconds); it refills with
-- time. A bucket without a row is full.
CREATE TABLE throttle_buckets (
	name    TEXT NOT NULL,
	key     TEXT NOT NULL,
	used    REAL NOT NULL,
	last_ns INTEGER NOT NULL,
	PRIMARY KEY (name, key)
);
CREATE INDEX throttle_buckets_last ON throttle_buckets (last_ns);
