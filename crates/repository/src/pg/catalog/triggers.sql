-- User triggers on the relations read (not the clones on partitions).
SELECT coalesce(json_agg(x ORDER BY x.oid), '[]')::text FROM (
    SELECT t.oid::bigint AS oid, t.tgrelid::bigint AS rel, t.tgname AS name,
           pg_catalog.pg_get_triggerdef(t.oid) AS definition, t.tgconstraint <> 0 AS "constraint",
           t.tgenabled::text AS enabled, (SELECT ds.description FROM pg_catalog.pg_description ds WHERE ds.objoid = t.oid AND ds.classoid = 'pg_catalog.pg_trigger'::regclass AND ds.objsubid = 0) AS comment
    FROM pg_catalog.pg_trigger t
    JOIN rels r ON r.oid = t.tgrelid
    WHERE NOT t.tgisinternal AND coalesce((to_jsonb(t) ->> 'tgparentid')::oid, 0) = 0
) x
