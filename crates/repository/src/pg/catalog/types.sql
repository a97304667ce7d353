-- Enums, domains and composite types (and, to report them, every other
-- user-defined type: base, range and multirange types).
SELECT coalesce(json_agg(x ORDER BY x.oid), '[]')::text FROM (
    SELECT t.oid::bigint AS oid, ns.nspname AS namespace, t.typname AS name, t.typtype::text AS kind,
           (SELECT ds.description FROM pg_catalog.pg_description ds WHERE ds.objoid = t.oid AND ds.classoid = 'pg_catalog.pg_type'::regclass AND ds.objsubid = 0) AS comment,
           (SELECT coalesce(json_agg(json_build_object(
                       'grantee', CASE WHEN a.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(a.grantee) END,
                       'privilege', a.privilege_type, 'grantable', a.is_grantable)
                       ORDER BY a.grantee, a.privilege_type), '[]')
            FROM pg_catalog.aclexplode(t.typacl) a WHERE a.grantee <> t.typowner) AS privileges,
           CASE WHEN t.typtype = 'e' THEN
               (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid)
           END AS labels,
           CASE WHEN t.typtype = 'd' THEN json_build_object(
               'sql', pg_catalog.format_type(bet.oid, t.typtypmod), 'oid', bet.oid::bigint, 'kind', bet.typtype::text,
               'namespace', betn.nspname, 'name', bet.typname, 'array', bt.oid <> bet.oid)
           END AS base,
           t.typnotnull AS not_null,
           pg_catalog.pg_get_expr(t.typdefaultbin, 0) AS "default",
           CASE WHEN t.typcollation <> 0 AND t.typcollation <> bt.typcollation
                THEN (SELECT c.collname FROM pg_catalog.pg_collation c WHERE c.oid = t.typcollation) END AS collation,
           CASE WHEN t.typcollation <> 0 AND t.typcollation <> bt.typcollation
                THEN (SELECT cn.nspname FROM pg_catalog.pg_collation c JOIN pg_catalog.pg_namespace cn ON cn.oid = c.collnamespace
                      WHERE c.oid = t.typcollation) END AS collation_namespace,
           CASE WHEN t.typtype = 'd' THEN (
               SELECT coalesce(json_agg(json_build_object(
                          'name', con.conname, 'definition', pg_catalog.pg_get_constraintdef(con.oid, false),
                          'validated', con.convalidated) ORDER BY con.oid), '[]')
               FROM pg_catalog.pg_constraint con WHERE con.contypid = t.oid AND con.contype = 'c')
           END AS checks,
           CASE WHEN t.typtype = 'c' THEN (
               SELECT json_agg(json_build_object(
                          'name', a.attname, 'type', json_build_object(
                              'sql', pg_catalog.format_type(aet.oid, a.atttypmod), 'oid', aet.oid::bigint,
                              'kind', aet.typtype::text, 'namespace', aetn.nspname, 'name', aet.typname,
                              'array', at.oid <> aet.oid),
                          'collation', CASE WHEN a.attcollation <> 0 AND a.attcollation <> at.typcollation
                              THEN (SELECT c.collname FROM pg_catalog.pg_collation c WHERE c.oid = a.attcollation) END,
                          'collation_namespace', CASE WHEN a.attcollation <> 0 AND a.attcollation <> at.typcollation
                              THEN (SELECT cn.nspname FROM pg_catalog.pg_collation c JOIN pg_catalog.pg_namespace cn ON cn.oid = c.collnamespace
                                    WHERE c.oid = a.attcollation) END)
                      ORDER BY a.attnum)
               FROM pg_catalog.pg_attribute a
               JOIN pg_catalog.pg_type at ON at.oid = a.atttypid
               JOIN pg_catalog.pg_type aet ON aet.oid = CASE WHEN at.typcategory = 'A' AND at.typelem <> 0 THEN at.typelem ELSE at.oid END
               JOIN pg_catalog.pg_namespace aetn ON aetn.oid = aet.typnamespace
               WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped)
           END AS attributes
    FROM pg_catalog.pg_type t
    JOIN ns ON ns.oid = t.typnamespace
    LEFT JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype
    LEFT JOIN pg_catalog.pg_type bet ON bet.oid = CASE WHEN bt.typcategory = 'A' AND bt.typelem <> 0 THEN bt.typelem ELSE bt.oid END
    LEFT JOIN pg_catalog.pg_namespace betn ON betn.oid = bet.typnamespace
    WHERE (t.typtype IN ('e', 'd', 'r', 'm')
           OR (t.typtype = 'c' AND (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid) = 'c')
           OR (t.typtype = 'b' AND t.typcategory <> 'A'))
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                      WHERE d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
      -- A range's multirange is reported with its range.
      AND NOT (t.typtype = 'm' AND EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                      WHERE d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'i'))
) x
