-- The elements of every index of the relations read, in order (one flat
-- query: a subquery per index costs three times as much).
SELECT coalesce(json_agg(x ORDER BY x.index, x.n), '[]')::text FROM (
    SELECT i.indexrelid::bigint AS index, k.n AS n, k.attnum AS column,
           CASE WHEN k.attnum = 0 THEN pg_catalog.pg_get_indexdef(i.indexrelid, k.n::int, false) END AS expression,
           opc.opcname AS opclass, opc.opcdefault AS opclass_default,
           CASE WHEN i.indcollation[k.n - 1] <> 0 AND i.indcollation[k.n - 1] IS DISTINCT FROM att.attcollation THEN coll.collname END AS collation,
           CASE WHEN i.indcollation[k.n - 1] <> 0 AND i.indcollation[k.n - 1] IS DISTINCT FROM att.attcollation
                THEN (SELECT cn.nspname FROM pg_catalog.pg_namespace cn WHERE cn.oid = coll.collnamespace) END AS collation_namespace,
           i.indoption[k.n - 1] AS option
    FROM pg_catalog.pg_index i
    JOIN rels r ON r.oid = i.indrelid
    CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, n)
    LEFT JOIN pg_catalog.pg_opclass opc ON opc.oid = i.indclass[k.n - 1]
    LEFT JOIN pg_catalog.pg_collation coll ON coll.oid = i.indcollation[k.n - 1]
    LEFT JOIN pg_catalog.pg_attribute att ON att.attrelid = i.indrelid AND att.attnum = k.attnum AND k.attnum > 0
) x
