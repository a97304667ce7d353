-- Databases a user registered (not provisioned by Schemaforge), to compare
-- with a design and sync. The password is stored encrypted with the AEAD
-- key of provisioned roles' passwords (nonce || ciphertext, bound to the
-- connection's id).
CREATE TABLE connections (
    id uuid PRIMARY KEY,
    owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    host text NOT NULL,
    port integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
    database_name text NOT NULL,
    username text NOT NULL,
    password_ciphertext bytea NOT NULL,
    sslmode text NOT NULL CHECK (sslmode IN ('disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full')),
    -- The namespaces compared; empty: those of the bound design.
    namespaces text[] NOT NULL DEFAULT '{}',
    -- The design it is bound to, and its version (NULL: the current one).
    schema_id uuid REFERENCES schemas (id) ON DELETE SET NULL,
    schema_version integer CHECK (schema_version >= 1),
    -- The last test: {"ok", "testedAt", "serverVersion", "canRead", "canWrite", "message"}.
    last_test jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX connections_owner_name_key ON connections (owner_id, name);

-- A connection with a pending or running job is not deleted; a job is not
-- enqueued for a connection that is gone. The job's insert locks the
-- connection's row, so the two cannot pass each other.
CREATE FUNCTION connections_refuse_busy_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM jobs WHERE target = 'connection:' || OLD.id
               AND status IN ('pending', 'running')) THEN
        RAISE EXCEPTION 'connection % has a pending or running job', OLD.id
            USING ERRCODE = 'object_in_use', CONSTRAINT = 'connections_busy';
    END IF;
    RETURN OLD;
END $$;
CREATE TRIGGER connections_busy BEFORE DELETE ON connections
    FOR EACH ROW EXECUTE FUNCTION connections_refuse_busy_delete();

CREATE FUNCTION jobs_lock_connection() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.target LIKE 'connection:%' THEN
        PERFORM 1 FROM connections WHERE id = substr(NEW.target, 12)::uuid FOR KEY SHARE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'no connection %', NEW.target USING ERRCODE = 'foreign_key_violation',
                CONSTRAINT = 'jobs_connection';
        END IF;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER jobs_connection BEFORE INSERT ON jobs
    FOR EACH ROW EXECUTE FUNCTION jobs_lock_connection();
