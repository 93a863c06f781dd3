-- The steps holding a job slot (enqueue counts a tenant's on every dispatch). Few rows at any time, so the count
-- reads these and joins their processes, instead of walking the tenant's whole history of processes.
CREATE INDEX steps_active ON steps (process_id) WHERE state IN ('LAUNCHING', 'RUNNING');
