-- Identity providers (site-wide) and the identities linked to users.
-- A provider is an OpenID Connect issuer (found by discovery) or GitHub's
-- OAuth app. Its client secret is sealed with the deployment key by the web
-- layer; the store never sees it in plain text. A user created by joining
-- through a provider has an empty password_hash: no password sign-in.

CREATE TABLE identity_providers (
	id                   INTEGER PRIMARY KEY,
	kind                 TEXT NOT NULL CHECK (kind IN ('oidc', 'github')),
	name                 TEXT NOT NULL UNIQUE COLLATE NOCASE,
	-- issuer is the OIDC issuer URL, or GitHub's web address (github.com or
	-- an Enterprise server); api_url is GitHub's API, empty for OIDC.
	issuer               TEXT NOT NULL,
	api_url              TEXT NOT NULL DEFAULT '',
	client_id            TEXT NOT NULL,
	client_secret_sealed BLOB NOT NULL,
	-- allowed_domains: lowercase email domains separated by spaces.
	allowed_domains      TEXT NOT NULL DEFAULT '',
	-- join_org_id set: people with a verified email in allowed_domains may
	-- join that org with join_role on their first sign-in.
	join_org_id          INTEGER REFERENCES organizations (id) ON DELETE SET NULL,
	join_role            TEXT NOT NULL DEFAULT '' CHECK (join_role IN ('', 'admin', 'member', 'auditor')),
	created_at           TEXT NOT NULL,
	updated_at           TEXT NOT NULL,
	UNIQUE (issuer, client_id)
);

-- A user's identity at a provider: the provider's subject (OIDC "sub", or
-- GitHub's numeric user id). One identity per user and provider.
CREATE TABLE linked_identities (
	provider_id     INTEGER NOT NULL REFERENCES identity_providers (id) ON DELETE CASCADE,
	subject         TEXT NOT NULL,
	user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	email           TEXT NOT NULL DEFAULT '',
	linked_at       TEXT NOT NULL,
	last_sign_in_at TEXT,
	PRIMARY KEY (provider_id, subject),
	UNIQUE (provider_id, user_id)
);
CREATE INDEX linked_identities_user ON linked_identities (user_id);

-- When and how each user last signed in: 'password' or a provider's name.
ALTER TABLE users ADD COLUMN last_sign_in_at TEXT;
ALTER TABLE users ADD COLUMN last_sign_in_via TEXT NOT NULL DEFAULT '';
