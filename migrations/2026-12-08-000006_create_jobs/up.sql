-- Durable jobs (syncs of live databases with their designs): the queue is
-- this table. Any server process claims a job with FOR UPDATE SKIP LOCKED
-- and holds it by a lease that its heartbeat renews; a job whose lease ran
-- out (its process died) is taken over by another process, or failed once
-- it has been tried max_attempts times.
CREATE TABLE jobs (
    id uuid PRIMARY KEY,
    owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    schema_id uuid REFERENCES schemas (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('sync', 'database', 'import')),
    -- The database the job works on ('schema-database:<schema id>'): at
    -- most one active job per target (the partial unique index below).
    target text NOT NULL,
    params jsonb NOT NULL,
    status text NOT NULL CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'cancelled')),
    cancel_requested boolean NOT NULL DEFAULT false,
    -- {"done": steps done, "total": steps in all, "current": the step now}
    progress jsonb NOT NULL DEFAULT '{"done": 0, "total": 0}',
    -- {"result": what it produced or found, "error": {"code", "message",
    -- "statement", "sql"}}, once it ended.
    outcome jsonb,
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    worker text,
    lease_expires_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz,
    finished_at timestamptz,
    CHECK ((status IN ('succeeded', 'failed', 'cancelled')) = (finished_at IS NOT NULL))
);
CREATE UNIQUE INDEX jobs_one_active_per_target ON jobs (target) WHERE status IN ('pending', 'running');
CREATE INDEX jobs_queue ON jobs (created_at) WHERE status IN ('pending', 'running');
CREATE INDEX jobs_owner ON jobs (owner_id, created_at DESC, id);
CREATE INDEX jobs_schema ON jobs (schema_id, created_at DESC);
