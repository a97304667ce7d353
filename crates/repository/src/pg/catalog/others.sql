-- Objects in the namespaces read that the document has no place for, to
-- report them: operators, operator classes and families, text
-- search objects, conversions, extended statistics.
SELECT coalesce(json_agg(x ORDER BY x.kind, x.namespace, x.name), '[]')::text FROM (
    SELECT 'operator' AS kind, ns.nspname AS namespace, o.oprname || '(' || coalesce(pg_catalog.format_type(o.oprleft, NULL), 'NONE') || ', '
           || coalesce(pg_catalog.format_type(o.oprright, NULL), 'NONE') || ')' AS name, NULL::text AS definition
    FROM pg_catalog.pg_operator o JOIN ns ON ns.oid = o.oprnamespace
    WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_operator'::regclass AND d.objid = o.oid AND d.deptype = 'e')
    UNION ALL
    SELECT 'operator class', ns.nspname, o.opcname, NULL
    FROM pg_catalog.pg_opclass o JOIN ns ON ns.oid = o.opcnamespace
    WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_opclass'::regclass AND d.objid = o.oid AND d.deptype = 'e')
    UNION ALL
    SELECT 'operator family', ns.nspname, o.opfname, NULL
    FROM pg_catalog.pg_opfamily o JOIN ns ON ns.oid = o.opfnamespace
    WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_opfamily'::regclass AND d.objid = o.oid AND d.deptype = 'e')
    UNION ALL
    SELECT 'text search dictionary', ns.nspname, c.dictname, NULL
    FROM pg_catalog.pg_ts_dict c JOIN ns ON ns.oid = c.dictnamespace
    WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_ts_dict'::regclass AND d.objid = c.oid AND d.deptype = 'e')
    UNION ALL
    SELECT 'conversion', ns.nspname, c.conname, NULL
    FROM pg_catalog.pg_conversion c JOIN ns ON ns.oid = c.connamespace
    WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_conversion'::regclass AND d.objid = c.oid AND d.deptype = 'e')
    UNION ALL
    SELECT 'statistics', ns.nspname, s.stxname, pg_catalog.pg_get_statisticsobjdef(s.oid)
    FROM pg_catalog.pg_statistic_ext s JOIN ns ON ns.oid = s.stxnamespace
    UNION ALL
    SELECT 'default privileges', n.nspname,
           pg_catalog.pg_get_userbyid(d.defaclrole) || ' on ' || o.objects,
           (SELECT string_agg(pg_catalog.format('ALTER DEFAULT PRIVILEGES FOR ROLE %I%s GRANT %s ON %s TO %s%s',
                       pg_catalog.pg_get_userbyid(d.defaclrole),
                       CASE WHEN n.nspname IS NULL THEN '' ELSE ' IN SCHEMA ' || pg_catalog.quote_ident(n.nspname) END,
                       a.privilege_type, o.objects,
                       CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END,
                       CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END), E';\n' ORDER BY a.grantee, a.privilege_type)
            FROM pg_catalog.aclexplode(d.defaclacl) a WHERE a.grantee <> d.defaclrole)
    FROM pg_catalog.pg_default_acl d LEFT JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace,
         LATERAL (SELECT CASE d.defaclobjtype WHEN 'r' THEN 'TABLES' WHEN 'S' THEN 'SEQUENCES' WHEN 'f' THEN 'FUNCTIONS'
                      WHEN 'T' THEN 'TYPES' ELSE 'SCHEMAS' END AS objects) o
    WHERE d.defaclnamespace = 0 OR d.defaclnamespace IN (SELECT oid FROM ns)
    UNION ALL
    SELECT 'event trigger', NULL, e.evtname, NULL
    FROM pg_catalog.pg_event_trigger e
    WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_event_trigger'::regclass AND d.objid = e.oid AND d.deptype = 'e')
) x
