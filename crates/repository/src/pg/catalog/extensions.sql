SELECT coalesce(json_agg(x ORDER BY x.name), '[]')::text FROM (
    SELECT e.extname AS name, n.nspname AS namespace, e.extversion AS version,
           a.default_version AS default_version, a.comment AS default_comment,
           (SELECT ds.description FROM pg_catalog.pg_description ds WHERE ds.objoid = e.oid AND ds.classoid = 'pg_catalog.pg_extension'::regclass AND ds.objsubid = 0) AS comment
    FROM pg_catalog.pg_extension e
    JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
    LEFT JOIN pg_catalog.pg_available_extensions a ON a.name = e.extname
    WHERE e.extname <> 'plpgsql'
) x
