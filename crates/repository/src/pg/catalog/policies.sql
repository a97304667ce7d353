-- Row-level security policies on the relations read.
SELECT coalesce(json_agg(x ORDER BY x.oid), '[]')::text FROM (
    SELECT pol.oid::bigint AS oid, pol.polrelid::bigint AS rel, pol.polname AS name, pol.polcmd::text AS command,
           pol.polpermissive AS permissive,
           (SELECT json_agg(CASE WHEN k.role = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(k.role) END ORDER BY k.n)
            FROM unnest(pol.polroles) WITH ORDINALITY k(role, n)) AS roles,
           pg_catalog.pg_get_expr(pol.polqual, pol.polrelid) AS "using",
           pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid) AS "check",
           (SELECT ds.description FROM pg_catalog.pg_description ds WHERE ds.objoid = pol.oid AND ds.classoid = 'pg_catalog.pg_policy'::regclass AND ds.objsubid = 0) AS comment
    FROM pg_catalog.pg_policy pol
    JOIN rels r ON r.oid = pol.polrelid
) x
