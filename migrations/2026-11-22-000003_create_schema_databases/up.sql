-- The live database provisioned for a schema (at most one per schema).
-- No row means "none". The role's password is stored encrypted with an AEAD
-- key from configuration (nonce || ciphertext, bound to the schema id).
CREATE TABLE schema_databases (
    schema_id uuid PRIMARY KEY REFERENCES schemas (id) ON DELETE CASCADE,
    database_name text NOT NULL,
    role_name text NOT NULL,
    password_ciphertext bytea NOT NULL,
    status text NOT NULL CHECK (status IN ('provisioning', 'ready', 'failed', 'dropping')),
    -- The schema version the database was built or migrated to.
    applied_version integer CHECK (applied_version >= 1),
    -- The last failure: the 1-based statement of the script that failed (if
    -- a statement did), its SQL, and PostgreSQL's message.
    error_statement integer,
    error_sql text,
    error_message text,
    error_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX schema_databases_database_name_key ON schema_databases (database_name);
CREATE UNIQUE INDEX schema_databases_role_name_key ON schema_databases (role_name);
