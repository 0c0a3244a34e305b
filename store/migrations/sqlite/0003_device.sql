-- Device authorizations: `tokenward login` (RFC 8628). The CLI holds the
-- device code; only its SHA-256 is kept, so a copy of the database cannot
-- finish anyone's login. The user code is what a person types on /device,
-- stored without its dash; it is unique among pending requests.
CREATE TABLE device_authorizations (
	id               INTEGER PRIMARY KEY,
	device_code_hash BLOB NOT NULL UNIQUE,
	user_code        TEXT NOT NULL,
	client_id        TEXT NOT NULL,
	scopes           TEXT NOT NULL,                -- space-separated catalog names
	device_name      TEXT NOT NULL,
	org_hint         TEXT NOT NULL DEFAULT '',     -- the org slug the CLI asked for (--org), preselected
	ip               TEXT NOT NULL DEFAULT '',     -- the requesting client
	user_agent       TEXT NOT NULL DEFAULT '',
	created_at       TEXT NOT NULL,
	expires_at       TEXT NOT NULL,
	interval_seconds INTEGER NOT NULL,             -- the polling interval, raised by slow_down
	last_polled_at   TEXT,
	status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied', 'consumed')),
	user_id          INTEGER REFERENCES users (id),         -- who approved or denied
	org_id           INTEGER REFERENCES organizations (id), -- the org the token is for
	decided_at       TEXT,
	token_id         TEXT REFERENCES tokens (id)            -- the token made, once consumed
);
CREATE UNIQUE INDEX device_authorizations_pending_code ON device_authorizations (user_code) WHERE status = 'pending';
CREATE INDEX device_authorizations_ip ON device_authorizations (ip, status, expires_at);
CREATE INDEX device_authorizations_expires ON device_authorizations (expires_at);
