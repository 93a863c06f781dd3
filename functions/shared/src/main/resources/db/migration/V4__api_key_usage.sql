-- API keys get a public, stable id (the admin API lists and revokes keys by it; the hash is never shown) and the
-- time they were last used. validate updates last_used_at at most once a minute per key, not per request.
ALTER TABLE api_keys ADD COLUMN id UUID NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE api_keys ADD CONSTRAINT api_keys_id_unique UNIQUE (id);
ALTER TABLE api_keys ADD COLUMN last_used_at TIMESTAMPTZ;
