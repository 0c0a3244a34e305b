-- The fingerprint of the deployment key the database was made with, written
-- by the first process to open it. A process holding another key refuses
-- to start rather than fail to open sealed secrets and sign sessions that
-- the other processes reject.
CREATE TABLE deployment (
	id              BIGINT PRIMARY KEY CHECK (id = 1),
	key_fingerprint TEXT NOT NULL,
	created_at      TEXT NOT NULL
);
