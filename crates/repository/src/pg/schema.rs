//! Diesel table definitions, matching `migrations/` at the workspace root.

diesel::table! {
    users (id) {
        id -> Uuid,
        email -> Text,
        display_name -> Nullable<Text>,
        password_hash -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Uuid,
        user_id -> Uuid,
        family_id -> Uuid,
        token_hash -> Bytea,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    api_keys (id) {
        id -> Uuid,
        user_id -> Uuid,
        name -> Text,
        prefix -> Text,
        key_hash -> Bytea,
        created_at -> Timestamptz,
        last_used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    schemas (id) {
        id -> Uuid,
        owner_id -> Uuid,
        name -> Text,
        description -> Nullable<Text>,
        current_version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    schema_versions (schema_id, version) {
        schema_id -> Uuid,
        version -> Int4,
        document -> Jsonb,
        created_at -> Timestamptz,
        document_text -> Nullable<Text>,
    }
}

diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(api_keys -> users (user_id));
diesel::joinable!(schemas -> users (owner_id));
diesel::joinable!(schema_versions -> schemas (schema_id));

diesel::table! {
    schema_databases (schema_id) {
        schema_id -> Uuid,
        database_name -> Text,
        role_name -> Text,
        password_ciphertext -> Bytea,
        status -> Text,
        applied_version -> Nullable<Int4>,
        error_statement -> Nullable<Int4>,
        error_sql -> Nullable<Text>,
        error_message -> Nullable<Text>,
        error_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(schema_databases -> schemas (schema_id));
diesel::allow_tables_to_appear_in_same_query!(
    users,
    refresh_tokens,
    api_keys,
    schemas,
    schema_versions,
    schema_databases
);

diesel::table! {
    audit_log (id) {
        id -> Int8,
        user_id -> Uuid,
        action -> Text,
        target_type -> Text,
        target_id -> Nullable<Uuid>,
        target_name -> Nullable<Text>,
        outcome -> Text,
        error_code -> Nullable<Text>,
        detail -> Nullable<Jsonb>,
        request_id -> Nullable<Text>,
        api_key_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    jobs (id) {
        id -> Uuid,
        owner_id -> Uuid,
        schema_id -> Nullable<Uuid>,
        kind -> Text,
        target -> Text,
        params -> Jsonb,
        status -> Text,
        cancel_requested -> Bool,
        progress -> Jsonb,
        outcome -> Nullable<Jsonb>,
        attempts -> Int4,
        worker -> Nullable<Text>,
        lease_expires_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        started_at -> Nullable<Timestamptz>,
        finished_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    connections (id) {
        id -> Uuid,
        owner_id -> Uuid,
        name -> Text,
        host -> Text,
        port -> Int4,
        database_name -> Text,
        username -> Text,
        password_ciphertext -> Bytea,
        sslmode -> Text,
        namespaces -> Array<Text>,
        schema_id -> Nullable<Uuid>,
        schema_version -> Nullable<Int4>,
        last_test -> Nullable<Jsonb>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}
