-- The reconciler (callback, docs/state-machine.md "Reconciliation") looks at every LAUNCHING or RUNNING attempt
-- whose deadline for its next sign of life passed, and at processes still ACCEPTED long after they were accepted.

-- When the attempt must next be heard of (job.launched, a report, launch's answer to a re-sent job.requested);
-- set and extended by the Ledger on every sign of life.
ALTER TABLE attempts ADD COLUMN deadline_at TIMESTAMPTZ;
-- How often the reconciler re-sent the attempt's job.requested since its last sign of life (bounded).
ALTER TABLE attempts ADD COLUMN redrives INTEGER NOT NULL DEFAULT 0;
-- Attempts active before this version get a deadline now, so that those already stuck are looked at too.
UPDATE attempts SET deadline_at = now() WHERE state IN ('LAUNCHING', 'RUNNING');
-- Serves only a query whose predicate is literally this one (the overdue sweep).
CREATE INDEX attempts_overdue ON attempts (deadline_at) WHERE state IN ('LAUNCHING', 'RUNNING');

-- How often the reconciler re-sent the process's process.accepted (bounded); updated_at is when it last did.
ALTER TABLE processes ADD COLUMN redrives INTEGER NOT NULL DEFAULT 0;
CREATE INDEX processes_unqueued ON processes (updated_at) WHERE state = 'ACCEPTED';
