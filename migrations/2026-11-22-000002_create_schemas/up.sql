-- Schemas belong to one owner; every saved definition is an immutable
-- version. `current_version` is the optimistic-concurrency token (ETag).
CREATE TABLE schemas (
    id uuid PRIMARY KEY,
    owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name text NOT NULL,
    description text,
    current_version integer NOT NULL CHECK (current_version >= 1),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);
-- Names are unique per owner among live schemas.
CREATE UNIQUE INDEX schemas_owner_name_key ON schemas (owner_id, name) WHERE deleted_at IS NULL;
CREATE INDEX schemas_owner_updated_idx ON schemas (owner_id, updated_at DESC) WHERE deleted_at IS NULL;

CREATE TABLE schema_versions (
    schema_id uuid NOT NULL REFERENCES schemas (id) ON DELETE CASCADE,
    version integer NOT NULL CHECK (version >= 1),
    document jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (schema_id, version)
);
