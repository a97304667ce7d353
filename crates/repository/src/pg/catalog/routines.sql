-- Functions, procedures, aggregates and window functions no extension owns.
SELECT coalesce(json_agg(x ORDER BY x.oid), '[]')::text FROM (
    SELECT p.oid::bigint AS oid, ns.nspname AS namespace, p.proname AS name, p.prokind::text AS kind,
           pg_catalog.pg_get_function_identity_arguments(p.oid) AS arguments,
           CASE WHEN p.prokind IN ('f', 'p') THEN pg_catalog.pg_get_functiondef(p.oid) END AS definition,
           (SELECT ds.description FROM pg_catalog.pg_description ds WHERE ds.objoid = p.oid AND ds.classoid = 'pg_catalog.pg_proc'::regclass AND ds.objsubid = 0) AS comment,
           CASE WHEN p.prokind = 'a' THEN (
               SELECT json_build_object('sfunc', a.aggtransfn::regproc::text,
                   'stype', pg_catalog.format_type(a.aggtranstype, NULL),
                   'finalfunc', nullif(a.aggfinalfn::regproc::text, '-'),
                   'combinefunc', nullif(a.aggcombinefn::regproc::text, '-'),
                   'initcond', a.agginitval,
                   'sortop', CASE WHEN a.aggsortop <> 0 THEN a.aggsortop::regoperator::text END,
                   'kind', a.aggkind::text)
               FROM pg_catalog.pg_aggregate a WHERE a.aggfnoid = p.oid)
           END AS aggregate,
           (SELECT coalesce(json_agg(json_build_object(
                       'grantee', CASE WHEN a.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(a.grantee) END,
                       'privilege', a.privilege_type, 'grantable', a.is_grantable)
                       ORDER BY a.grantee, a.privilege_type), '[]')
            FROM pg_catalog.aclexplode(p.proacl) a WHERE a.grantee <> p.proowner) AS privileges,
           p.proacl IS NOT NULL AND NOT EXISTS (
               SELECT 1 FROM pg_catalog.aclexplode(p.proacl) a WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE'
           ) AS public_revoked
    FROM pg_catalog.pg_proc p
    JOIN ns ON ns.oid = p.pronamespace
    WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                      WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
) x
