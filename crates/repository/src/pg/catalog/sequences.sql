-- Standalone sequences (identity sequences are read with their columns).
SELECT coalesce(json_agg(x ORDER BY x.oid), '[]')::text FROM (
    SELECT r.oid::bigint AS oid, r.nspname AS namespace, r.relname AS name,
           pg_catalog.format_type(s.seqtypid, NULL) AS data_type,
           s.seqstart AS start, s.seqincrement AS increment, s.seqmin AS min_value, s.seqmax AS max_value,
           s.seqcache AS cache, s.seqcycle AS cycle,
           (SELECT ds.description FROM pg_catalog.pg_description ds WHERE ds.objoid = r.oid AND ds.classoid = 'pg_catalog.pg_class'::regclass AND ds.objsubid = 0) AS comment,
           (SELECT json_build_object('table', d.refobjid::bigint, 'column', d.refobjsubid)
            FROM pg_catalog.pg_depend d
            WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = r.oid
              AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.deptype = 'a' AND d.refobjsubid > 0
            LIMIT 1) AS owned_by,
           (SELECT coalesce(json_agg(json_build_object(
                       'grantee', CASE WHEN a.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(a.grantee) END,
                       'privilege', a.privilege_type, 'grantable', a.is_grantable)
                       ORDER BY a.grantee, a.privilege_type), '[]')
            FROM pg_catalog.pg_class c, pg_catalog.aclexplode(c.relacl) a
            WHERE c.oid = r.oid AND a.grantee <> c.relowner) AS privileges
    FROM rels r
    JOIN pg_catalog.pg_sequence s ON s.seqrelid = r.oid
    WHERE r.relkind = 'S'
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                      WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = r.oid AND d.deptype = 'i')
) x
