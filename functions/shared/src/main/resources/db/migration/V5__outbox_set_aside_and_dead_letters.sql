-- Poison is bounded (issue 13): outbox rows the broker refuses for good are set aside instead of stopping the
-- relay, published rows are removed after a retention period, and dead-lettered events are kept in a table
-- operators can list, show and replay.

ALTER TABLE outbox
    ADD COLUMN set_aside_at     TIMESTAMPTZ,
    ADD COLUMN set_aside_reason TEXT;

-- the relay's work list: pending rows that are not set aside
DROP INDEX outbox_pending;
CREATE INDEX outbox_pending ON outbox (id) WHERE published_at IS NULL AND set_aside_at IS NULL;
CREATE INDEX outbox_set_aside ON outbox (set_aside_at) WHERE set_aside_at IS NOT NULL;
-- retention deletes the oldest published rows in small batches
CREATE INDEX outbox_published ON outbox (published_at) WHERE published_at IS NOT NULL;

CREATE TABLE dead_letters (
    id               BIGSERIAL PRIMARY KEY,
    -- where the dead letter was read: '<dead-letter topic>/<partition>@<offset>', so a redelivery is recorded once
    origin           TEXT        NOT NULL UNIQUE,
    -- the CloudEvent's attributes when the record was a valid CloudEvent; NULL for a malformed one
    event_id         TEXT,
    event_type       TEXT,
    partition_key    TEXT,
    -- topic the event was consumed from and the consumer group (function) that gave up on it
    source_topic     TEXT,
    consumer_group   TEXT,
    reason           TEXT        NOT NULL,
    -- the whole CloudEvent, structured JSON mode (replayable), or the raw record value when not a CloudEvent
    event            BYTEA       NOT NULL,
    -- size and SHA-256 of the original value; truncated = the dead letter kept only a prefix (not replayable)
    original_size    INTEGER     NOT NULL,
    sha256           TEXT        NOT NULL,
    truncated        BOOLEAN     NOT NULL,
    dead_lettered_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    replayed_at      TIMESTAMPTZ
);
CREATE INDEX dead_letters_recent ON dead_letters (dead_lettered_at DESC);
