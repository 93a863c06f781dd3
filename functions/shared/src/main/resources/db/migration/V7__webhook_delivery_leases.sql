-- Webhook deliveries run on callback's worker pool, outside any transaction: a worker claims a due row with a
-- lease (claims use FOR UPDATE SKIP LOCKED, so replicas never claim the same row) and finishes it with its lease
-- token; a row whose worker died becomes due again when its lease runs out.
ALTER TABLE webhook_deliveries
    ADD COLUMN leased_until TIMESTAMPTZ,
    ADD COLUMN lease_token  UUID;

-- the fair pick: per tenant, its due rows in order (and how many it has in flight)
CREATE INDEX webhook_deliveries_due_per_tenant ON webhook_deliveries (tenant_id, next_attempt_at)
    WHERE delivered_at IS NULL AND gave_up_at IS NULL;
-- replaced by the per-tenant index: no query picks due rows across all tenants by time any more
DROP INDEX webhook_deliveries_due;
