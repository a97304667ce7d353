-- Tables, partitions, views, materialized views and foreign tables.
SELECT coalesce(json_agg(x ORDER BY x.oid), '[]')::text FROM (
    SELECT r.oid::bigint AS oid, r.nspname AS namespace, r.relname AS name, r.relkind::text AS kind,
           c.relpersistence::text AS persistence, c.relrowsecurity AS row_security,
           c.relforcerowsecurity AS force_row_security, c.relreplident::text AS replica_identity,
           c.reloptions AS options, c.reloftype <> 0 AS typed,
           (SELECT ds.description FROM pg_catalog.pg_description ds WHERE ds.objoid = r.oid AND ds.classoid = 'pg_catalog.pg_class'::regclass AND ds.objsubid = 0) AS comment,
           CASE WHEN r.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(r.oid) END AS partition_key,
           CASE WHEN r.relkind = 'p' THEN (
               SELECT json_build_object('strategy', pt.partstrat::text, 'columns', pt.partattrs::int2[]::int[],
                   'opclasses', (SELECT json_agg(json_build_object('name', o.opcname, 'default', o.opcdefault) ORDER BY k.n)
                                 FROM unnest(pt.partclass::oid[]) WITH ORDINALITY k(opc, n)
                                 JOIN pg_catalog.pg_opclass o ON o.oid = k.opc))
               FROM pg_catalog.pg_partitioned_table pt WHERE pt.partrelid = r.oid)
           END AS partitioning,
           CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, r.oid) END AS bound,
           (SELECT coalesce(json_agg(i.inhparent::bigint ORDER BY i.inhseqno), '[]')
            FROM pg_catalog.pg_inherits i WHERE i.inhrelid = r.oid) AS parents,
           c.relispartition AS is_partition,
           CASE WHEN r.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(r.oid, false) END AS query,
           (SELECT coalesce(json_agg(json_build_object(
                       'grantee', CASE WHEN a.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(a.grantee) END,
                       'privilege', a.privilege_type, 'grantable', a.is_grantable)
                       ORDER BY a.grantee, a.privilege_type), '[]')
            FROM pg_catalog.aclexplode(c.relacl) a WHERE a.grantee <> c.relowner) AS privileges
    FROM rels r
    JOIN pg_catalog.pg_class c ON c.oid = r.oid
    WHERE r.relkind <> 'S'
) x
