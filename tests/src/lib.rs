//! Shared helpers for Schemaforge's cross-crate tests: document generators
//! for property tests and a way to run scripts against PostgreSQL.

pub mod conformance;
pub mod generate;
pub mod sized;
pub mod timing;

use diesel::PgConnection;
use proptest::strategy::Strategy;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use schemaforge_sqlgen::Script;
use schemaforge_testdb::{TestDb, TestDbError, execute};

/// Where a script stopped.
#[derive(Debug)]
pub struct ScriptFailure {
    /// 1-based number of the failing statement.
    pub statement: usize,
    /// Its SQL.
    pub sql: String,
    /// PostgreSQL's message.
    pub error: TestDbError,
}

impl std::fmt::Display for ScriptFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "statement {} failed: {}\n{}", self.statement, self.error, self.sql)
    }
}

/// Run a script's statements one by one, reporting the first that fails.
pub fn run_script(conn: &mut PgConnection, script: &Script) -> Result<(), ScriptFailure> {
    for (i, s) in script.statements().iter().enumerate() {
        execute(conn, &s.sql).map_err(|error| ScriptFailure { statement: i + 1, sql: s.sql.clone(), error })?;
    }
    Ok(())
}

/// The valid schema of a document given as JSON, or a panic listing every
/// problem (for tests whose documents must be valid).
#[allow(clippy::panic)] // a test helper: failing loudly is its job
pub fn valid_json(doc: &serde_json::Value) -> schemaforge_domain::ValidSchema {
    let parsed = schemaforge_domain::parse_document(&doc.to_string()).unwrap_or_else(|e| panic!("{e}\n{doc:#}"));
    schemaforge_domain::ValidSchema::parse(parsed).unwrap_or_else(|e| panic!("{:#?}\n{doc:#}", e.report.problems))
}

/// Quote an identifier for hand-written test SQL.
pub fn qi(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Quote a literal for hand-written test SQL.
pub fn ql(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Run a property test whose cases need PostgreSQL: one fresh database for
/// the whole run, each case inside a transaction that is rolled back.
/// `PROPTEST_CASES` overrides `default_cases`; `PROPTEST_RNG_SEED` fixes the seed.
pub fn run_on_postgres<S: Strategy>(
    default_cases: u32,
    strategy: S,
    test: impl Fn(&mut PgConnection, S::Value) -> Result<(), TestCaseError>,
) -> Result<(), String> {
    let db = TestDb::create().map_err(|e| e.to_string())?;
    let conn = std::cell::RefCell::new(db.connect().map_err(|e| e.to_string())?);
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default_cases);
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    runner
        .run(&strategy, |value| {
            let mut guard = conn.borrow_mut();
            let conn = &mut *guard;
            // A case writes rows and alters tables in one transaction;
            // rows written under an INITIALLY DEFERRED key would leave
            // trigger events pending, which PostgreSQL refuses ALTER and
            // DROP over. Checking every key at once keeps cases meaningful
            // (a deployed migration runs in a transaction of its own).
            execute(conn, "BEGIN; SET CONSTRAINTS ALL IMMEDIATE").map_err(|e| TestCaseError::fail(e.to_string()))?;
            let outcome = test(conn, value);
            execute(conn, "ROLLBACK").map_err(|e| TestCaseError::fail(e.to_string()))?;
            outcome
        })
        .map_err(|e| e.to_string())
}

#[derive(diesel::QueryableByName)]
struct Line {
    #[diesel(sql_type = diesel::sql_types::Text)]
    t: String,
}

/// Run a query returning one text column named `t`.
pub fn lines(conn: &mut PgConnection, sql: &str) -> Result<Vec<String>, diesel::result::Error> {
    use diesel::RunQueryDsl;
    Ok(diesel::sql_query(sql).load::<Line>(conn)?.into_iter().map(|l| l.t).collect())
}

/// Everything about the objects of `schema` that a migration must get
/// right, one sorted line per fact: tables, columns (type, NOT NULL,
/// default, identity, comment; not their order), constraints, indexes,
/// sequences, enums (labels in order) and comments. Definitions are
/// PostgreSQL's own deparsed text, read with `schema` first on the search
/// path so they are unqualified.
pub fn describe_schema(conn: &mut PgConnection, schema: &str) -> Result<Vec<String>, diesel::result::Error> {
    describe_schema_from(conn, schema, schema)
}

/// [`describe_schema`] with `search_path` set to `seen_from`: names in
/// other schemas print qualified.
pub fn describe_schema_from(
    conn: &mut PgConnection,
    schema: &str,
    seen_from: &str,
) -> Result<Vec<String>, diesel::result::Error> {
    // regnamespace reads an identifier: quoted, any name works.
    let s = ql(&qi(schema));
    let sn = ql(schema);
    // pg_get_indexdef qualifies the table whatever the search path says.
    let qualified = format!(" ON {}.", qi(schema));
    let plain = format!(" ON {schema}.");
    let saved = lines(conn, "SELECT current_setting('search_path') AS t")?.concat();
    lines(conn, &format!("SELECT set_config('search_path', {}, false) AS t", ql(&qi(seen_from))))?;
    let facts = lines(
        conn,
        &format!(
            "SELECT t FROM (
            SELECT 'relation ' || c.relkind::text || ' ' || c.relname || ' comment=' || coalesce(obj_description(c.oid, 'pg_class'), '-') AS t
              FROM pg_class c WHERE c.relnamespace = {s}::regnamespace
            UNION ALL
            SELECT 'view ' || c.relname || ' ' || pg_get_viewdef(c.oid)
              FROM pg_class c WHERE c.relnamespace = {s}::regnamespace AND c.relkind IN ('v', 'm')
            UNION ALL
            SELECT 'routine ' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') returns '
                || coalesce(pg_get_function_result(p.oid), '-') || ' ' || p.prokind::text || ' ' || l.lanname
                || ' ' || p.provolatile::text || ' ' || p.prosrc
              FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
             WHERE p.pronamespace = {s}::regnamespace AND p.prokind IN ('f', 'p')
               AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
            UNION ALL
            SELECT 'trigger ' || c.relname || '.' || g.tgname || ' ' || pg_get_triggerdef(g.oid)
              FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid WHERE c.relnamespace = {s}::regnamespace AND NOT g.tgisinternal
            UNION ALL
            SELECT 'policy ' || c.relname || '.' || y.polname || ' ' || y.polcmd::text || ' ' || y.polpermissive::text
                || ' using=' || coalesce(pg_get_expr(y.polqual, y.polrelid), '-') || ' check=' || coalesce(pg_get_expr(y.polwithcheck, y.polrelid), '-')
              FROM pg_policy y JOIN pg_class c ON c.oid = y.polrelid WHERE c.relnamespace = {s}::regnamespace
            UNION ALL
            SELECT 'row security ' || c.relname FROM pg_class c WHERE c.relnamespace = {s}::regnamespace AND c.relrowsecurity
            UNION ALL
            SELECT 'rule ' || r.tablename || '.' || r.rulename || ' ' || replace(r.definition, ' TO ' || quote_ident(r.schemaname) || '.', ' TO ')
              FROM pg_rules r WHERE r.schemaname = {sn}
            UNION ALL
            SELECT 'grant ' || c.relname || ' ' || coalesce(nullif(a.grantee, 0)::regrole::text, 'PUBLIC') || ' ' || a.privilege_type
              FROM pg_class c, aclexplode(c.relacl) a
             WHERE c.relnamespace = {s}::regnamespace AND a.grantee <> c.relowner
            UNION ALL
            SELECT 'partitioned ' || c.relname || ' ' || pg_get_partkeydef(c.oid)
              FROM pg_class c WHERE c.relnamespace = {s}::regnamespace AND c.relkind = 'p'
            UNION ALL
            SELECT 'partition ' || c.relname || ' of ' || p.relname || ' ' || pg_get_expr(c.relpartbound, c.oid)
              FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
             WHERE c.relnamespace = {s}::regnamespace AND c.relkind IN ('r', 'p')
            UNION ALL
            SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                || coalesce((SELECT ' collate=' || k.collname FROM pg_collation k JOIN pg_type ty ON ty.oid = a.atttypid
                     WHERE k.oid = a.attcollation AND a.attcollation <> ty.typcollation), '')
                || ' notnull=' || a.attnotnull::text || ' default=' || coalesce(pg_get_expr(d.adbin, d.adrelid), '-')
                || ' identity=' || a.attidentity::text || ' comment=' || coalesce(col_description(c.oid, a.attnum), '-')
              FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
              LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
             WHERE c.relnamespace = {s}::regnamespace AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
            UNION ALL
            SELECT 'constraint ' || c.relname || '.' || k.conname || ' ' || pg_get_constraintdef(k.oid)
                || ' comment=' || coalesce(obj_description(k.oid, 'pg_constraint'), '-')
              FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid WHERE c.relnamespace = {s}::regnamespace
            UNION ALL
            SELECT 'index ' || i.relname || ' ' || pg_get_indexdef(i.oid)
              FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid WHERE i.relnamespace = {s}::regnamespace
            UNION ALL
            SELECT 'sequence ' || c.relname || ' ' || format_type(q.seqtypid, NULL) || ' start=' || q.seqstart
                || ' inc=' || q.seqincrement || ' min=' || q.seqmin || ' max=' || q.seqmax || ' cache=' || q.seqcache
                || ' cycle=' || q.seqcycle::text
                || ' owner=' || coalesce((SELECT o.relname || '.' || a.attname FROM pg_depend dp
                     JOIN pg_class o ON o.oid = dp.refobjid
                     JOIN pg_attribute a ON a.attrelid = dp.refobjid AND a.attnum = dp.refobjsubid
                    WHERE dp.objid = c.oid AND dp.classid = 'pg_class'::regclass AND dp.deptype IN ('a', 'i')), '-')
              FROM pg_sequence q JOIN pg_class c ON c.oid = q.seqrelid WHERE c.relnamespace = {s}::regnamespace
            UNION ALL
            SELECT 'enum ' || t.typname || ' (' || (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
                FROM pg_enum e WHERE e.enumtypid = t.oid) || ') comment=' || coalesce(obj_description(t.oid, 'pg_type'), '-')
              FROM pg_type t WHERE t.typnamespace = {s}::regnamespace AND t.typtype = 'e'
            UNION ALL
            SELECT 'domain ' || t.typname || ' ' || format_type(t.typbasetype, t.typtypmod)
                || coalesce((SELECT ' collate=' || k.collname FROM pg_collation k JOIN pg_type b ON b.oid = t.typbasetype
                     WHERE k.oid = t.typcollation AND t.typcollation <> b.typcollation), '')
                || ' notnull=' || t.typnotnull::text || ' default=' || coalesce(t.typdefault, '-')
                || ' comment=' || coalesce(obj_description(t.oid, 'pg_type'), '-')
              FROM pg_type t WHERE t.typnamespace = {s}::regnamespace AND t.typtype = 'd'
            UNION ALL
            SELECT 'domain constraint ' || t.typname || '.' || k.conname || ' ' || pg_get_constraintdef(k.oid)
              FROM pg_constraint k JOIN pg_type t ON t.oid = k.contypid WHERE t.typnamespace = {s}::regnamespace
               AND k.contype = 'c'
            UNION ALL
            SELECT 'composite ' || t.typname || ' (' || (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                    || coalesce((SELECT ' collate=' || k.collname FROM pg_collation k JOIN pg_type ty ON ty.oid = a.atttypid
                     WHERE k.oid = a.attcollation AND a.attcollation <> ty.typcollation), ''), ', ' ORDER BY a.attnum)
                FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped)
                || ') comment=' || coalesce(obj_description(t.oid, 'pg_type'), '-')
              FROM pg_type t JOIN pg_class c ON c.oid = t.typrelid
             WHERE t.typnamespace = {s}::regnamespace AND t.typtype = 'c' AND c.relkind = 'c'
            UNION ALL
            SELECT 'extension ' || x.extname || ' ' || x.extversion || ' comment='
                || coalesce(obj_description(x.oid, 'pg_extension'), '-')
              FROM pg_extension x WHERE x.extnamespace = {s}::regnamespace
            ) facts ORDER BY t COLLATE \"C\""
        ),
    );
    lines(conn, &format!("SELECT set_config('search_path', {}, false) AS t", ql(&saved)))?;
    Ok(facts?.into_iter().map(|f| f.replace(&qualified, " ON ").replace(&plain, " ON ")).collect())
}

/// [`describe_schema`] of `main` (where the document's `public` objects
/// are) and of each namespace of `model`, seen from `main`, each fact of
/// a namespace prefixed with its name.
#[allow(clippy::unwrap_used)] // a test helper: failing loudly is its job
pub fn describe_document(conn: &mut PgConnection, main: &str, model: &schemaforge_domain::Model) -> Vec<String> {
    // Every schema of the database, so one left behind shows too.
    let mut out = lines(
        conn,
        "SELECT 'schemas ' || string_agg(nspname, ', ' ORDER BY nspname COLLATE \"C\") AS t FROM pg_namespace
          WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'",
    )
    .unwrap();
    out.extend(describe_schema(conn, main).unwrap());
    for n in &model.namespaces {
        let facts = describe_schema_from(conn, n.name.as_str(), main).unwrap();
        out.extend(facts.into_iter().map(|f| format!("{}: {f}", n.name)));
    }
    out
}

/// Drop `model`'s namespaces and everything in them.
#[allow(clippy::unwrap_used)] // a test helper: failing loudly is its job
pub fn drop_namespaces(conn: &mut PgConnection, model: &schemaforge_domain::Model) {
    for n in &model.namespaces {
        execute(conn, &format!("DROP SCHEMA IF EXISTS {} CASCADE", qi(n.name.as_str()))).unwrap();
    }
}

/// A table's name as SQL: qualified when it is in a namespace.
pub fn table_sql(t: &schemaforge_domain::TableModel) -> String {
    match &t.namespace {
        Some(n) => format!("{}.{}", qi(n.name.as_str()), qi(t.name.as_str())),
        None => qi(t.name.as_str()),
    }
}

/// Assert that the database's `public` schema has the structure of a
/// fresh build of `schema` (built in a schema `fresh`, replaced each time;
/// a document with namespaces in a database of its own).
#[allow(clippy::unwrap_used, clippy::panic)] // a test helper: failing loudly is its job
pub fn assert_fresh_build_equals(conn: &mut PgConnection, schema: &schemaforge_domain::ValidSchema) {
    if !schema.model().namespaces.is_empty() {
        // A document's namespaces are schemas of their own: the fresh build
        // gets a database of its own.
        let db = TestDb::create().unwrap();
        let mut fresh = db.connect().unwrap();
        run_script(&mut fresh, &schemaforge_sqlgen::create_script(schema)).unwrap();
        let expected = describe_document(&mut fresh, "public", schema.model());
        assert_eq!(describe_document(conn, "public", schema.model()), expected);
        return;
    }
    execute(conn, "DROP SCHEMA IF EXISTS fresh CASCADE; CREATE SCHEMA fresh; SET search_path TO fresh").unwrap();
    run_script(conn, &schemaforge_sqlgen::create_script(schema)).unwrap();
    execute(conn, "SET search_path TO public").unwrap();
    let fresh: Vec<String> = describe_schema(conn, "fresh").unwrap();
    assert_eq!(describe_schema(conn, "public").unwrap(), fresh);
}

/// Migrate from `from` to `to` with the rows in place (the structure must
/// equal a fresh `to`), then down (equal to a fresh `from`, and `rows` as
/// before). Returns the changes' kinds and `rows` as they were at `to`.
#[allow(clippy::unwrap_used, clippy::panic)] // a test helper: failing loudly is its job
pub fn migrate_and_back(
    conn: &mut PgConnection,
    from: &schemaforge_domain::ValidSchema,
    to: &schemaforge_domain::ValidSchema,
    rows: impl Fn(&mut PgConnection) -> Vec<String>,
) -> (Vec<schemaforge_domain::ChangeKind>, Vec<String>) {
    let before = rows(conn);
    let m = schemaforge_sqlgen::migration(from, to);
    run_script(conn, &m.up).unwrap_or_else(|e| panic!("{e}\n{}", m.up.to_sql()));
    assert_fresh_build_equals(conn, to);
    let after = rows(conn);
    run_script(conn, &m.down).unwrap_or_else(|e| panic!("{e}\n{}", m.down.to_sql()));
    assert_fresh_build_equals(conn, from);
    assert_eq!(rows(conn), before);
    (m.changes.changes().iter().map(|c| c.kind.clone()).collect(), after)
}

/// Two sample values (row 0 and row 1) of each named type, in text input
/// form; distinct, so they can be unique.
pub fn named_sample(t: schemaforge_domain::NamedType, row: usize) -> &'static str {
    use schemaforge_domain::NamedType as N;
    let pair: [&'static str; 2] = match t {
        N::Money => ["12.34", "-0.01"],
        N::Xml => ["<a>1</a>", "text &amp; more"],
        N::TsVector => ["'fat':2 'rat':3", "a b"],
        N::TsQuery => ["fat & rat", "!cat"],
        N::Point => ["(1,2)", "(-1.5,0)"],
        N::Line => ["{1,-1,0}", "{0,1,2}"],
        N::Lseg => ["[(0,0),(1,1)]", "[(1,2),(3,4)]"],
        N::Box => ["(1,1),(0,0)", "(3,4),(1,2)"],
        N::Path => ["[(0,0),(1,1)]", "((0,0),(1,1),(2,0))"],
        N::Polygon => ["((0,0),(1,1),(1,0))", "((0,0),(2,2),(2,0))"],
        N::Circle => ["<(0,0),1>", "<(1,1),2.5>"],
        N::Macaddr8 => ["08:00:2b:01:02:03:04:05", "08:00:2b:ff:fe:01:02:03"],
        N::Oid => ["1", "4294967295"],
        N::PgLsn => ["0/0", "16/B374D848"],
        N::Int4Range => ["[1,10)", "empty"],
        N::Int8Range => ["[1,9007199254740993)", "(,0]"],
        N::NumRange => ["[0.5,1.5]", "(,)"],
        N::TsRange => ["[2024-01-01 10:00,2024-01-02)", "empty"],
        N::TsTzRange => ["[2024-01-01 10:00+00,)", "empty"],
        N::DateRange => ["[2024-01-01,2024-02-01)", "[2024-02-29,infinity)"],
        N::Int4Multirange => ["{[1,3),[5,7)}", "{}"],
        N::Int8Multirange => ["{[1,3)}", "{}"],
        N::NumMultirange => ["{[0.5,1)}", "{}"],
        N::TsMultirange => ["{[2024-01-01,2024-01-02)}", "{}"],
        N::TsTzMultirange => ["{[2024-01-01 00:00+00,2024-01-02 00:00+00)}", "{}"],
        N::DateMultirange => ["{[2024-01-01,2024-01-05)}", "{}"],
        N::Citext => ["Mixed Case", "other"],
        N::Hstore => ["a=>1, b=>NULL", ""],
        N::Ltree => ["top.science.astronomy", "top"],
        N::Lquery => ["*.science.*", "top.*"],
        N::Ltxtquery => ["science & astro*", "top"],
        N::Cube => ["(1,2),(3,4)", "(0)"],
        N::Seg => ["1.5 .. 2.5", "<10"],
        N::Isbn => ["0-306-40615-2", "0-19-853453-1"],
        N::Isbn13 => ["978-0-306-40615-7", "978-0-19-853453-2"],
        N::Ismn => ["979-0-2600-0043-8", "979-0-3452-4680-5"],
        N::Ismn13 => ["979-0-2600-0043-8", "979-0-3452-4680-5"],
        N::Issn => ["1436-4522", "0317-8471"],
        N::Issn13 => ["977-1436-452-00-8", "977-0317-847-00-1"],
        N::Ean13 => ["022-035648348-1", "978-0-306-40615-7"],
        N::Upc => ["220356483481", "036000291452"],
    };
    pair[row % 2]
}
