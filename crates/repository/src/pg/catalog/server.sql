SELECT json_build_object(
    'version_num', current_setting('server_version_num')::int,
    'version', current_setting('server_version'),
    'database', current_database(),
    'database_oid', (SELECT d.oid::bigint FROM pg_catalog.pg_database d WHERE d.datname = current_database()))::text
