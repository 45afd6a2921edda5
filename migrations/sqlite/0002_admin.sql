-- Admin data (issue 5): tenant and account settings with versions for
-- optimistic concurrency, tenant quotas with their usage counters, aliases,
-- app passwords, API tokens, the audit log and tenant purge progress.
-- SQLite twin of migrations/postgres. Booleans are BIGINT 0/1 (the store decodes integers as BIGINT only).

ALTER TABLE tenants ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE tenants ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tenants ADD COLUMN default_quota_bytes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tenants ADD COLUMN default_quota_messages BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tenants ADD COLUMN quota_bytes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tenants ADD COLUMN quota_messages BIGINT NOT NULL DEFAULT 0;

ALTER TABLE accounts ADD COLUMN display_name TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN app_passwords_only BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE accounts ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;

-- The sum of the usage rows of a tenant's accounts, moved in the same
-- transaction as them, so a tenant quota is enforced like an account quota.
CREATE TABLE tenant_usage (
    tenant_id  TEXT PRIMARY KEY REFERENCES tenants (id),
    bytes      BIGINT NOT NULL DEFAULT 0,
    messages   BIGINT NOT NULL DEFAULT 0
);

INSERT INTO tenant_usage (tenant_id, bytes, messages)
SELECT t.id, CAST(COALESCE(SUM(u.bytes), 0) AS BIGINT), CAST(COALESCE(SUM(u.messages), 0) AS BIGINT)
FROM tenants t LEFT JOIN accounts a ON a.tenant_id = t.id LEFT JOIN usage u ON u.account_id = a.id
GROUP BY t.id;

-- Extra local parts of a tenant delivering to an account; never equal to an
-- account's local part in the same tenant.
CREATE TABLE aliases (
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    local_part  TEXT NOT NULL,
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, local_part)
);

CREATE INDEX aliases_by_account ON aliases (account_id);

-- secret_hash: lower-case hex SHA-256 of the secret.
CREATE TABLE app_passwords (
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    id            TEXT NOT NULL,
    name          TEXT NOT NULL,
    secret_hash   TEXT NOT NULL,
    -- Scope names joined by ','.
    scopes        TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, id),
    UNIQUE (account_id, name)
);

CREATE INDEX app_passwords_by_secret ON app_passwords (account_id, secret_hash);

CREATE TABLE api_tokens (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    role           TEXT NOT NULL,
    tenant_domain  TEXT NOT NULL DEFAULT '',
    secret_hash    TEXT NOT NULL UNIQUE,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL DEFAULT 0,
    revoked_at     BIGINT NOT NULL DEFAULT 0
);

-- Progress of a tenant's two-step deletion; the row outlives the tenant.
CREATE TABLE tenant_purges (
    tenant_id         TEXT PRIMARY KEY,
    domain            TEXT NOT NULL,
    state             TEXT NOT NULL,
    accounts_removed  BIGINT NOT NULL DEFAULT 0,
    messages_removed  BIGINT NOT NULL DEFAULT 0,
    started_at        BIGINT NOT NULL,
    finished_at       BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX tenant_purges_by_domain ON tenant_purges (domain, started_at);

CREATE TABLE audit_log (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    at             BIGINT NOT NULL,
    actor_id       TEXT NOT NULL,
    actor_name     TEXT NOT NULL,
    action         TEXT NOT NULL,
    tenant_domain  TEXT NOT NULL,
    target         TEXT NOT NULL,
    source_ip      TEXT NOT NULL,
    request_id     TEXT NOT NULL,
    result_code    BIGINT NOT NULL
);

CREATE INDEX audit_log_by_tenant ON audit_log (tenant_domain, id);
