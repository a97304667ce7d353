-- Rules on the relations read (not the ones that make a view a view).
SELECT coalesce(json_agg(x ORDER BY x.oid), '[]')::text FROM (
    SELECT ru.oid::bigint AS oid, ru.ev_class::bigint AS rel, ru.rulename AS name,
           pg_catalog.pg_get_ruledef(ru.oid) AS definition, ru.ev_enabled::text AS enabled,
           (SELECT ds.description FROM pg_catalog.pg_description ds WHERE ds.objoid = ru.oid AND ds.classoid = 'pg_catalog.pg_rewrite'::regclass AND ds.objsubid = 0) AS comment
    FROM pg_catalog.pg_rewrite ru
    JOIN rels r ON r.oid = ru.ev_class
    WHERE ru.rulename <> '_RETURN'
) x
