SELECT coalesce(json_agg(x ORDER BY x.name), '[]')::text FROM (
    SELECT ns.nspname AS name, (SELECT ds.description FROM pg_catalog.pg_description ds WHERE ds.objoid = ns.oid AND ds.classoid = 'pg_catalog.pg_namespace'::regclass AND ds.objsubid = 0) AS comment,
           pg_catalog.has_schema_privilege(ns.oid, 'USAGE') AS usable,
           (SELECT coalesce(json_agg(g.entry), '[]') FROM (
                SELECT json_build_object('grantee', CASE WHEN a.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(a.grantee) END,
                                         'privilege', a.privilege_type, 'grantable', a.is_grantable) AS entry
                FROM pg_catalog.pg_namespace n2, pg_catalog.aclexplode(n2.nspacl) a
                WHERE n2.oid = ns.oid AND a.grantee <> n2.nspowner) g) AS privileges
    FROM ns
) x
