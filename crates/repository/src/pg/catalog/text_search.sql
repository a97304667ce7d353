-- Text search configurations of the namespaces read (not an extension's):
-- the parser, and per token type (by its alias) the dictionaries in the
-- order they are tried.
SELECT coalesce(json_agg(x ORDER BY x.namespace, x.name), '[]')::text FROM (
    SELECT ns.nspname AS namespace, c.cfgname AS name,
           pn.nspname AS parser_namespace, p.prsname AS parser,
           (SELECT coalesce(json_agg(json_build_object('token', tt.alias, 'dictionaries', m.dicts) ORDER BY m.maptokentype), '[]')
            FROM (SELECT mp.maptokentype,
                         json_agg(json_build_object('namespace', dn.nspname, 'name', d.dictname) ORDER BY mp.mapseqno) AS dicts
                  FROM pg_catalog.pg_ts_config_map mp
                  JOIN pg_catalog.pg_ts_dict d ON d.oid = mp.mapdict
                  JOIN pg_catalog.pg_namespace dn ON dn.oid = d.dictnamespace
                  WHERE mp.mapcfg = c.oid
                  GROUP BY mp.maptokentype) m
            JOIN pg_catalog.ts_token_type(c.cfgparser) tt ON tt.tokid = m.maptokentype) AS mappings,
           (SELECT ds.description FROM pg_catalog.pg_description ds WHERE ds.objoid = c.oid AND ds.classoid = 'pg_catalog.pg_ts_config'::regclass AND ds.objsubid = 0) AS comment
    FROM pg_catalog.pg_ts_config c
    JOIN ns ON ns.oid = c.cfgnamespace
    JOIN pg_catalog.pg_ts_parser p ON p.oid = c.cfgparser
    JOIN pg_catalog.pg_namespace pn ON pn.oid = p.prsnamespace
    WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                      WHERE d.classid = 'pg_catalog.pg_ts_config'::regclass AND d.objid = c.oid AND d.deptype = 'e')
) x
