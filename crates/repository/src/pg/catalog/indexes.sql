-- Indexes of the relations read, element by element.
SELECT coalesce(json_agg(x ORDER BY x.oid), '[]')::text FROM (
    SELECT i.indexrelid::bigint AS oid, i.indrelid::bigint AS rel, ic.relname AS name, am.amname AS method,
           i.indisunique AS "unique", i.indisprimary AS "primary", i.indisexclusion AS exclusion,
           i.indisvalid AS valid, i.indisclustered AS clustered, i.indnkeyatts AS key_count,
           (to_jsonb(i) ->> 'indnullsnotdistinct')::boolean AS nulls_not_distinct,
           ic.relispartition AS inherited,
           (SELECT json_agg(json_build_object(
                       'column', k.attnum,
                       'expression', CASE WHEN k.attnum = 0 THEN pg_catalog.pg_get_indexdef(i.indexrelid, k.n::int, false) END,
                       'opclass', opc.opcname, 'opclass_default', opc.opcdefault,
                       'collation', CASE WHEN i.indcollation[k.n - 1] <> 0 AND i.indcollation[k.n - 1] IS DISTINCT FROM att.attcollation
                                         THEN coll.collname END,
                       'option', i.indoption[k.n - 1]) ORDER BY k.n)
            FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, n)
            LEFT JOIN pg_catalog.pg_opclass opc ON opc.oid = i.indclass[k.n - 1]
            LEFT JOIN pg_catalog.pg_collation coll ON coll.oid = i.indcollation[k.n - 1]
            LEFT JOIN pg_catalog.pg_attribute att ON att.attrelid = i.indrelid AND att.attnum = k.attnum AND k.attnum > 0
           ) AS elements,
           pg_catalog.pg_get_expr(i.indpred, i.indrelid, false) AS predicate,
           ic.reloptions AS options,
           EXISTS (SELECT 1 FROM pg_catalog.pg_constraint con
                   WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')) AS constraint_backed,
           pg_catalog.pg_get_indexdef(i.indexrelid) AS definition,
           pg_catalog.obj_description(i.indexrelid, 'pg_class') AS comment
    FROM pg_catalog.pg_index i
    JOIN rels r ON r.oid = i.indrelid
    JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
    JOIN pg_catalog.pg_am am ON am.oid = ic.relam
) x
