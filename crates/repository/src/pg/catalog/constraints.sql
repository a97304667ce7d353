-- Table constraints declared on the relations read (not the copies
-- PostgreSQL makes on partitions).
SELECT coalesce(json_agg(x ORDER BY x.oid), '[]')::text FROM (
    SELECT con.oid::bigint AS oid, con.conrelid::bigint AS rel, con.conname AS name, con.contype::text AS kind,
           con.condeferrable AS deferrable, con.condeferred AS deferred, con.convalidated AS validated,
           con.conislocal AS local, con.connoinherit AS no_inherit,
           con.conkey::int[] AS columns, con.confrelid::bigint AS ref_rel, con.confkey::int[] AS ref_columns,
           con.confupdtype::text AS on_update, con.confdeltype::text AS on_delete, con.confmatchtype::text AS match,
           con.conindid::bigint AS index,
           CASE WHEN con.contype = 'c' THEN pg_catalog.pg_get_expr(con.conbin, con.conrelid, false) END AS expression,
           pg_catalog.pg_get_constraintdef(con.oid, false) AS definition,
           CASE WHEN con.contype = 'x' THEN (
               SELECT json_agg(o.oprname ORDER BY k.n)
               FROM unnest(con.conexclop) WITH ORDINALITY k(op, n) JOIN pg_catalog.pg_operator o ON o.oid = k.op)
           END AS operators,
           (SELECT ds.description FROM pg_catalog.pg_description ds WHERE ds.objoid = con.oid AND ds.classoid = 'pg_catalog.pg_constraint'::regclass AND ds.objsubid = 0) AS comment
    FROM pg_catalog.pg_constraint con
    JOIN rels r ON r.oid = con.conrelid
    WHERE con.conparentid = 0
) x
