-- Collations of the namespaces read (not an extension's). Before
-- PostgreSQL 15 an ICU collation's locale is in collcollate; from 15 it is
-- colliculocale, from 17 colllocale (read through to_jsonb, so that every
-- version answers).
SELECT coalesce(json_agg(x ORDER BY x.namespace, x.name), '[]')::text FROM (
    SELECT ns.nspname AS namespace, c.collname AS name, c.collprovider::text AS provider,
           c.collcollate AS lc_collate, c.collctype AS lc_ctype,
           coalesce(to_jsonb(c) ->> 'colliculocale', to_jsonb(c) ->> 'colllocale',
                    CASE WHEN c.collprovider = 'i' THEN c.collcollate END) AS icu_locale,
           c.collisdeterministic AS deterministic,
           (SELECT ds.description FROM pg_catalog.pg_description ds WHERE ds.objoid = c.oid AND ds.classoid = 'pg_catalog.pg_collation'::regclass AND ds.objsubid = 0) AS comment
    FROM pg_catalog.pg_collation c JOIN ns ON ns.oid = c.collnamespace
    WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                      WHERE d.classid = 'pg_catalog.pg_collation'::regclass AND d.objid = c.oid AND d.deptype = 'e')
) x
