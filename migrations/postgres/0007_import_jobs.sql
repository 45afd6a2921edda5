-- IMAP migration jobs (issue 7): a background pull of another server's mail
-- into an account. Every table carries account_id, and deleting the account
-- (or purging its tenant) deletes its rows. Booleans are BIGINT 0/1.

-- source_key: "host:port/username", lower-cased; one queued or running job
-- per account and source. password: the source password sealed with
-- AES-256-GCM under the service's secrets_key (the job id is the associated
-- data); NULL once the job has ended.
CREATE TABLE import_jobs (
    id                       TEXT PRIMARY KEY,
    account_id               TEXT NOT NULL REFERENCES accounts (id),
    source_key               TEXT NOT NULL,
    state                    TEXT NOT NULL,
    host                     TEXT NOT NULL,
    port                     BIGINT NOT NULL,
    tls                      TEXT NOT NULL,
    username                 TEXT NOT NULL,
    password                 BYTEA,
    accept_invalid_certs     BIGINT NOT NULL DEFAULT 0,
    date_since               BIGINT NOT NULL DEFAULT 0,
    date_before              BIGINT NOT NULL DEFAULT 0,
    max_messages_per_second  BIGINT NOT NULL,
    messages_total           BIGINT NOT NULL DEFAULT 0,
    messages_imported        BIGINT NOT NULL DEFAULT 0,
    messages_skipped         BIGINT NOT NULL DEFAULT 0,
    messages_failed          BIGINT NOT NULL DEFAULT 0,
    bytes_imported           BIGINT NOT NULL DEFAULT 0,
    error                    TEXT NOT NULL DEFAULT '',
    created_at               BIGINT NOT NULL,
    started_at               BIGINT NOT NULL DEFAULT 0,
    updated_at               BIGINT NOT NULL,
    finished_at              BIGINT NOT NULL DEFAULT 0,
    attempts                 BIGINT NOT NULL DEFAULT 0,
    worker_id                TEXT NOT NULL DEFAULT '',
    lease_until              BIGINT NOT NULL DEFAULT 0
);

CREATE UNIQUE INDEX import_jobs_one_active_per_source ON import_jobs (account_id, source_key)
    WHERE state IN ('queued', 'running');
-- What ClaimImportJob scans: the oldest queued or lease-expired running job.
CREATE INDEX import_jobs_claimable ON import_jobs (state, created_at, id);
CREATE INDEX import_jobs_by_account ON import_jobs (account_id, created_at);

-- The explicit folder mapping of a job, in the order given.
CREATE TABLE import_job_rules (
    account_id  TEXT NOT NULL,
    job_id      TEXT NOT NULL,
    position    BIGINT NOT NULL,
    source      TEXT NOT NULL,
    target      TEXT NOT NULL,
    PRIMARY KEY (account_id, job_id, position)
);

-- Per-folder progress of a job.
CREATE TABLE import_job_folders (
    account_id      TEXT NOT NULL,
    job_id          TEXT NOT NULL,
    source          TEXT NOT NULL,
    target          TEXT NOT NULL,
    uidvalidity     BIGINT NOT NULL,
    last_uid        BIGINT NOT NULL,
    messages_total  BIGINT NOT NULL,
    messages_done   BIGINT NOT NULL,
    done            BIGINT NOT NULL,
    PRIMARY KEY (account_id, job_id, source)
);

-- The most recent errors of a job (the store keeps the last 50).
CREATE TABLE import_job_errors (
    account_id  TEXT NOT NULL,
    job_id      TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    message     TEXT NOT NULL,
    PRIMARY KEY (account_id, job_id, seq)
);

-- Durable resume points, across jobs: every source message of the folder
-- with a UID <= last_uid under this UIDVALIDITY is stored in the account.
CREATE TABLE import_checkpoints (
    account_id   TEXT NOT NULL REFERENCES accounts (id),
    source_key   TEXT NOT NULL,
    folder       TEXT NOT NULL,
    uidvalidity  BIGINT NOT NULL,
    last_uid     BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (account_id, source_key, folder)
);
