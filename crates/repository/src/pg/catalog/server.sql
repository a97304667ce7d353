SELECT json_build_object(
    'version_num', current_setting('server_version_num')::int,
    'version', current_setting('server_version'),
    'database', current_database())::text
