-- Append-only record of every schema and database operation: who, what, on
-- which target, how it ended, under which request id, when. No secrets:
-- never a password, token, key or connection string.
CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     uuid        NOT NULL,
    action      text        NOT NULL,
    target_type text        NOT NULL,
    target_id   uuid,
    target_name text,
    outcome     text        NOT NULL CHECK (outcome IN ('success', 'failure')),
    error_code  text,
    detail      jsonb,
    request_id  text,
    api_key_id  uuid,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- The owner's entries, newest first.
CREATE INDEX audit_log_user_newest ON audit_log (user_id, id DESC);

-- Rows are written once: updates, deletes and truncation are refused, even
-- to the service's own role.
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();

CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
