-- User triggers on the relations read (not the clones on partitions).
SELECT coalesce(json_agg(x ORDER BY x.oid), '[]')::text FROM (
    SELECT t.oid::bigint AS oid, t.tgrelid::bigint AS rel, t.tgname AS name,
           pg_catalog.pg_get_triggerdef(t.oid) AS definition, t.tgconstraint <> 0 AS "constraint",
           t.tgenabled::text AS enabled, pg_catalog.obj_description(t.oid, 'pg_trigger') AS comment
    FROM pg_catalog.pg_trigger t
    JOIN rels r ON r.oid = t.tgrelid
    WHERE NOT t.tgisinternal AND coalesce((to_jsonb(t) ->> 'tgparentid')::oid, 0) = 0
) x
