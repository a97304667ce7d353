-- Columns of the relations read, with their types, defaults, identity
-- sequences and collations.
SELECT coalesce(json_agg(x ORDER BY x.rel, x.num), '[]')::text FROM (
    SELECT a.attrelid::bigint AS rel, a.attnum AS num, a.attname AS name,
           json_build_object('sql', pg_catalog.format_type(et.oid, a.atttypmod), 'oid', et.oid::bigint,
                             'kind', et.typtype::text, 'namespace', etn.nspname, 'name', et.typname,
                             'array', t.oid <> et.oid) AS type,
           a.attnotnull AS not_null, a.attislocal AS local,
           pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS "default",
           a.attidentity::text AS identity, a.attgenerated::text AS generated,
           CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation
                THEN (SELECT c.collname FROM pg_catalog.pg_collation c WHERE c.oid = a.attcollation) END AS collation,
           CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation
                THEN (SELECT cn.nspname FROM pg_catalog.pg_collation c JOIN pg_catalog.pg_namespace cn ON cn.oid = c.collnamespace
                      WHERE c.oid = a.attcollation) END AS collation_namespace,
           (SELECT ds.description FROM pg_catalog.pg_description ds WHERE ds.objoid = a.attrelid AND ds.classoid = 'pg_catalog.pg_class'::regclass AND ds.objsubid = a.attnum) AS comment,
           CASE WHEN a.attidentity <> '' THEN (
               SELECT json_build_object('name', sc.relname, 'start', s.seqstart, 'increment', s.seqincrement,
                                        'min_value', s.seqmin, 'max_value', s.seqmax, 'cache', s.seqcache,
                                        'cycle', s.seqcycle, 'data_type', pg_catalog.format_type(s.seqtypid, NULL))
               FROM pg_catalog.pg_depend dep
               JOIN pg_catalog.pg_class sc ON sc.oid = dep.objid
               JOIN pg_catalog.pg_sequence s ON s.seqrelid = sc.oid
               WHERE dep.refclassid = 'pg_catalog.pg_class'::regclass AND dep.refobjid = a.attrelid
                 AND dep.classid = 'pg_catalog.pg_class'::regclass
                 AND dep.refobjsubid = a.attnum AND dep.deptype = 'i' LIMIT 1)
           END AS identity_sequence,
           CASE WHEN a.attacl IS NOT NULL THEN (SELECT coalesce(json_agg(json_build_object(
                       'grantee', CASE WHEN acl.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(acl.grantee) END,
                       'privilege', acl.privilege_type, 'grantable', acl.is_grantable)
                       ORDER BY acl.grantee, acl.privilege_type), '[]')
            FROM pg_catalog.aclexplode(a.attacl) acl WHERE acl.grantee <> (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = a.attrelid)) ELSE '[]' END AS privileges,
           nullif(a.attstattarget, -1) AS statistics, a.attoptions AS options, a.attstorage::text AS storage, t.typstorage::text AS type_storage
    FROM rels r
    JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid
    JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
    JOIN pg_catalog.pg_type et ON et.oid = CASE WHEN t.typcategory = 'A' AND t.typelem <> 0 THEN t.typelem ELSE t.oid END
    JOIN pg_catalog.pg_namespace etn ON etn.oid = et.typnamespace
    LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE r.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped
) x
