-- Systems that send process.requested / snapshot.published through the broker or Kafka, where no API key travels:
-- each is registered by its id for the tenants it may act for and signs every event (cloudevents-schemas
-- EventSignatures). validate owns both tables.
CREATE TABLE event_senders (
    id           TEXT PRIMARY KEY,
    -- The signing secret is HMAC-SHA256(SNAPFLOW_API_KEY_PEPPER, id + salt), recomputed when needed: the table alone
    -- reveals no secret. A revoked id is never reused (a new registration needs a new id).
    secret_salt  TEXT        NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);

CREATE TABLE event_sender_tenants (
    sender_id TEXT NOT NULL REFERENCES event_senders (id),
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    PRIMARY KEY (sender_id, tenant_id)
);
