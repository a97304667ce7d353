-- Indexes of the relations read, element by element.
SELECT coalesce(json_agg(x ORDER BY x.oid), '[]')::text FROM (
    SELECT i.indexrelid::bigint AS oid, i.indrelid::bigint AS rel, ic.relname AS name, am.amname AS method,
           i.indisunique AS "unique", i.indisprimary AS "primary", i.indisexclusion AS exclusion,
           i.indisvalid AS valid, i.indisclustered AS clustered, i.indnkeyatts AS key_count,
           (to_jsonb(i) ->> 'indnullsnotdistinct')::boolean AS nulls_not_distinct,
           ic.relispartition AS inherited,
           -- Elements: `index_elements.sql`, one flat query for all indexes.
           pg_catalog.pg_get_expr(i.indpred, i.indrelid, false) AS predicate,
           ic.reloptions AS options,
           EXISTS (SELECT 1 FROM pg_catalog.pg_constraint con
                   WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')) AS constraint_backed,
           pg_catalog.pg_get_indexdef(i.indexrelid) AS definition,
           (SELECT ds.description FROM pg_catalog.pg_description ds WHERE ds.objoid = i.indexrelid AND ds.classoid = 'pg_catalog.pg_class'::regclass AND ds.objsubid = 0) AS comment
    FROM pg_catalog.pg_index i
    JOIN rels r ON r.oid = i.indrelid
    JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
    JOIN pg_catalog.pg_am am ON am.oid = ic.relam
) x
