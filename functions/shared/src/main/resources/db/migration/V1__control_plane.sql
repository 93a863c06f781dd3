-- Snapflow control plane, schema v1. Large data never lives here: only processes, their steps and attempts,
-- the outbox of events not yet acknowledged by the broker, tenants, subscriptions and webhook deliveries.

CREATE TABLE tenants (
    id                  TEXT PRIMARY KEY,
    display_name        TEXT        NOT NULL,
    -- Standard Webhooks signing secret, 'whsec_' + base64 of 32 random bytes.
    webhook_secret      TEXT        NOT NULL,
    -- Jobs of this tenant that may run at once; NULL means the function's default.
    max_concurrent_jobs INTEGER CHECK (max_concurrent_jobs IS NULL OR max_concurrent_jobs > 0),
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
    -- hex HMAC-SHA256(pepper, key): a leaked table does not reveal keys, and without the pepper it cannot be
    -- brute-forced offline.
    key_hash   TEXT PRIMARY KEY,
    tenant_id  TEXT        NOT NULL REFERENCES tenants (id),
    key_prefix TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at TIMESTAMPTZ
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id);

CREATE TABLE processes (
    id                UUID PRIMARY KEY,
    tenant_id         TEXT        NOT NULL REFERENCES tenants (id),
    entity            TEXT        NOT NULL,
    data_version      TEXT        NOT NULL,
    requested_version TEXT        NOT NULL,
    -- the action or pipeline name as requested
    target            TEXT        NOT NULL,
    target_kind       TEXT        NOT NULL CHECK (target_kind IN ('action', 'pipeline')),
    params            JSONB       NOT NULL,
    input_manifest    TEXT        NOT NULL,
    webhook_url       TEXT,
    idempotency_key   TEXT,
    request_hash      TEXT        NOT NULL,
    origin            TEXT        NOT NULL CHECK (origin IN ('api', 'event', 'subscription')),
    state             TEXT        NOT NULL CHECK (state IN ('ACCEPTED', 'QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
    error_class       TEXT,
    error_message     TEXT,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at       TIMESTAMPTZ,
    UNIQUE (tenant_id, idempotency_key)
);
-- keyset pagination of GET /v1/processes (newest first)
CREATE INDEX processes_listing ON processes (tenant_id, created_at DESC, id DESC);
CREATE INDEX processes_entity ON processes (tenant_id, entity, created_at DESC, id DESC);

CREATE TABLE steps (
    process_id      UUID        NOT NULL REFERENCES processes (id),
    step_no         INTEGER     NOT NULL CHECK (step_no >= 1),
    action          TEXT        NOT NULL,
    params          JSONB       NOT NULL,
    state           TEXT        NOT NULL CHECK (state IN ('PENDING', 'QUEUED', 'LAUNCHING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'SKIPPED')),
    max_attempts    INTEGER     NOT NULL,
    current_attempt INTEGER     NOT NULL DEFAULT 0,
    -- known once the previous step committed its output (step 1: the raw snapshot manifest)
    input_manifest  TEXT,
    output_manifest TEXT,
    -- a retry waits until then
    not_before      TIMESTAMPTZ,
    queued_at       TIMESTAMPTZ,
    started_at      TIMESTAMPTZ,
    finished_at     TIMESTAMPTZ,
    error_class     TEXT,
    error_message   TEXT,
    PRIMARY KEY (process_id, step_no)
);
CREATE INDEX steps_queued ON steps (state, queued_at) WHERE state = 'QUEUED';

CREATE TABLE attempts (
    job_id          TEXT PRIMARY KEY,
    process_id      UUID        NOT NULL,
    step_no         INTEGER     NOT NULL,
    attempt         INTEGER     NOT NULL CHECK (attempt >= 1),
    state           TEXT        NOT NULL CHECK (state IN ('LAUNCHING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
    -- highest JobStatusReport.sequence applied; older or repeated reports change nothing
    last_sequence   BIGINT      NOT NULL DEFAULT -1,
    output_prefix   TEXT        NOT NULL,
    requested_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    launched_at     TIMESTAMPTZ,
    backend         TEXT,
    backend_ref     TEXT,
    started_at      TIMESTAMPTZ,
    finished_at     TIMESTAMPTZ,
    progress        JSONB,
    metrics         JSONB,
    output_manifest TEXT,
    cached          BOOLEAN,
    error_class     TEXT,
    error_message   TEXT,
    FOREIGN KEY (process_id, step_no) REFERENCES steps (process_id, step_no),
    UNIQUE (process_id, step_no, attempt)
);

-- Events written in the same transaction as the state they announce; a relay publishes what a crash left.
CREATE TABLE outbox (
    id           BIGSERIAL PRIMARY KEY,
    event_id     TEXT        NOT NULL UNIQUE,
    event_type   TEXT        NOT NULL,
    -- the whole CloudEvent, structured JSON mode
    event        BYTEA       NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    published_at TIMESTAMPTZ
);
CREATE INDEX outbox_pending ON outbox (id) WHERE published_at IS NULL;

CREATE TABLE subscriptions (
    id          UUID PRIMARY KEY,
    tenant_id   TEXT        NOT NULL REFERENCES tenants (id),
    entity      TEXT        NOT NULL,
    target      TEXT        NOT NULL,
    params      JSONB       NOT NULL,
    webhook_url TEXT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, entity, target)
);

CREATE TABLE webhook_deliveries (
    -- the Standard Webhooks webhook-id ('msg_' + process id + event), stable across retries
    id              TEXT PRIMARY KEY,
    process_id      UUID        NOT NULL REFERENCES processes (id),
    tenant_id       TEXT        NOT NULL REFERENCES tenants (id),
    url             TEXT        NOT NULL,
    event_type      TEXT        NOT NULL,
    payload         TEXT        NOT NULL,
    attempts        INTEGER     NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    delivered_at    TIMESTAMPTZ,
    gave_up_at      TIMESTAMPTZ,
    last_status     INTEGER,
    last_error      TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE delivered_at IS NULL AND gave_up_at IS NULL;
