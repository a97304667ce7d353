//! Import (`schemaforge-introspect` fed by `repository::pg::introspect`)
//! against real databases: real-world schemas of `tests/fixtures/import/`,
//! databases built from Schemaforge's own create scripts, random valid
//! documents, and the server's errors.
//!
//! The round trip, for a database A: import A into a document and a
//! report; build B from the document's create script followed by the
//! report's statements; `pg_dump --schema-only --no-owner` of A and B are
//! equal (owners are not in the document format; comment lines, blank
//! lines and psql's `\restrict` lines, whose key is random, are dropped);
//! importing B gives the same document and report.

use std::process::Command;

use proptest::test_runner::{Config, TestCaseError, TestRunner};
use schemaforge_domain::{SchemaDocument, ValidSchema};
use schemaforge_introspect::{ImportOptions, Imported, Outcome, import};
use schemaforge_repository::IntrospectError;
use schemaforge_repository::pg::{IntrospectOptions, LoadOptions, introspect, load_sql};
use schemaforge_sqlgen::create_script;
use schemaforge_testdb::TestDb;

fn fixture_path(name: &str) -> String {
    format!("{}/fixtures/import/{name}/schema.sql", env!("CARGO_MANIFEST_DIR"))
}

/// `pg_dump --schema-only` of `db`, normalised as the module says.
fn dump(db: &TestDb) -> Vec<String> {
    let out = Command::new("pg_dump")
        .args(["--schema-only", "--no-owner", "--dbname", db.url()])
        .output()
        .expect("pg_dump runs (it comes with PostgreSQL's client: scripts/ensure-postgres.sh)");
    assert!(out.status.success(), "pg_dump failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| {
            !l.starts_with("--")
                && !l.trim().is_empty()
                && !l.starts_with("\\restrict")
                && !l.starts_with("\\unrestrict")
        })
        .map(str::to_string)
        .collect()
}

/// Load `file` into `db` as psql does: one transaction, stop at the first error.
fn psql_load(db: &TestDb, file: &str) {
    let out = Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-1", "-f", file, db.url()])
        .output()
        .expect("psql runs");
    assert!(out.status.success(), "loading {file}: {}", String::from_utf8_lossy(&out.stderr));
}

fn read(db: &TestDb) -> Imported {
    let catalog = introspect(db.url(), &IntrospectOptions::default()).expect("introspection");
    let imported = import(&catalog, &ImportOptions { name: Some("imported".into()), ..ImportOptions::default() });
    assert!(imported.report.remaining_errors.is_empty(), "{:#?}", imported.report.remaining_errors);
    imported
}

/// The create script of `doc` and then the report's statements.
fn rebuild(doc: &SchemaDocument, imported: &Imported) -> TestDb {
    let schema = ValidSchema::parse(doc.clone()).expect("the imported document is valid");
    let mut sql = create_script(&schema).to_sql();
    for item in imported.report.items.iter().filter(|i| i.outcome != Outcome::Skipped) {
        if let Some(s) = &item.statement {
            sql.push_str(&format!("\n{s};"));
        }
    }
    let b = TestDb::create().unwrap();
    b.execute(&format!("BEGIN;\n{sql}\nCOMMIT;")).unwrap_or_else(|e| panic!("building B: {e}"));
    b
}

fn first_difference(a: &[String], b: &[String]) -> String {
    let at = a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
    let show = |v: &[String]| v.iter().skip(at.saturating_sub(2)).take(6).cloned().collect::<Vec<_>>().join("\n");
    format!("A ({} lines) at line {at}:\n{}\n--- B ({} lines):\n{}", a.len(), show(a), b.len(), show(b))
}

/// The round trip of the module's documentation, on database `a`.
fn round_trip(a: &TestDb) -> Imported {
    let first = read(a);
    let b = rebuild(&first.document, &first);
    let (dump_a, dump_b) = (dump(a), dump(&b));
    assert!(dump_a == dump_b, "A and B differ: {}", first_difference(&dump_a, &dump_b));
    let second = read(&b);
    let json = |d: &SchemaDocument| serde_json::to_string_pretty(d).unwrap();
    assert_eq!(json(&second.document), json(&first.document), "importing B gives another document");
    if let Some((x, y)) = second.report.items.iter().zip(&first.report.items).find(|(x, y)| x != y) {
        panic!("importing B gives another report item: {x:#?}\ninstead of {y:#?}");
    }
    assert_eq!(second.report.items.len(), first.report.items.len(), "importing B gives another report");
    first
}

fn fixture_round_trip(name: &str) -> Imported {
    let a = TestDb::create().unwrap();
    psql_load(&a, &fixture_path(name));
    let imported = round_trip(&a);
    // The same database twice: the same bytes.
    let again = read(&a);
    assert_eq!(serde_json::to_string(&again.document).unwrap(), serde_json::to_string(&imported.document).unwrap());
    imported
}

#[test]
fn chinook_round_trips() {
    let i = fixture_round_trip("chinook");
    assert_eq!(i.report.counts.tables, 11);
    assert!(i.report.items.is_empty(), "{:#?}", i.report.items);
}

#[test]
fn chinook_with_identity_columns_round_trips() {
    let i = fixture_round_trip("chinook_identity");
    assert!(i.document.tables.iter().flat_map(|t| &t.columns).any(|c| c.identity.is_some()));
}

#[test]
fn northwind_round_trips() {
    let i = fixture_round_trip("northwind");
    assert!(i.report.counts.tables >= 14 && i.report.counts.foreign_keys >= 10);
}

#[test]
fn pagila_round_trips_with_partitions_triggers_functions_and_views() {
    let i = fixture_round_trip("pagila");
    let c = i.report.counts;
    assert!(c.partitions >= 50 && c.triggers >= 10 && c.functions >= 8 && c.views >= 5, "{c:?}");
    // The custom aggregate and the views that call it are in the report,
    // with the statements that recreate them.
    let omitted: Vec<_> = i.report.with_outcome(Outcome::Omitted).map(|i| i.kind.as_str()).collect();
    assert!(omitted.contains(&"aggregate") && omitted.contains(&"view"), "{omitted:?}");
    assert!(i.report.with_outcome(Outcome::Omitted).all(|i| i.statement.is_some()));
}

#[test]
fn synapse_round_trips() {
    let i = fixture_round_trip("synapse");
    assert!(i.report.counts.tables >= 130, "{:?}", i.report.counts);
}

#[test]
fn musicbrainz_round_trips_with_five_hundred_tables_a_collation_and_a_text_search_configuration() {
    let i = fixture_round_trip("musicbrainz");
    let c = i.report.counts;
    assert!(c.tables >= 500 && c.foreign_keys >= 880 && c.triggers >= 300 && c.functions >= 130, "{c:?}");
    assert_eq!(i.document.collations.len(), 1);
    assert_eq!(i.document.text_search_configurations.len(), 1);
    // The 147 constraint triggers, the aggregate and the table with a
    // "char" column (with its indexes and its sequence's ownership) are
    // in the report, each with its statement.
    let omitted = |kind: &str| i.report.with_outcome(Outcome::Omitted).filter(|x| x.kind == kind).count();
    assert!(omitted("trigger") >= 140 && omitted("aggregate") == 1 && omitted("table") == 1, "{:#?}", i.report.items);
    assert!(i.report.items.iter().all(|x| x.statement.is_some()), "{:#?}", i.report.items);
}

#[test]
fn chado_round_trips_with_hundreds_of_tables_and_thousands_of_views() {
    let i = fixture_round_trip("chado");
    let c = i.report.counts;
    assert!(c.tables >= 210 && c.views >= 1800 && c.foreign_keys >= 500 && c.functions >= 100, "{c:?}");
    // What the document cannot hold is in the report with its statement:
    // the aggregate, the too-deep views, the comments on constraint indexes.
    let kinds: Vec<_> = i.report.items.iter().map(|i| (i.kind.as_str(), i.outcome)).collect();
    assert!(
        kinds.contains(&("aggregate", Outcome::Omitted)) && kinds.contains(&("index", Outcome::Adjusted)),
        "{kinds:?}"
    );
    assert!(i.report.items.iter().all(|i| i.statement.is_some()), "{:#?}", i.report.items);
}

#[test]
fn adventureworks_round_trips_with_namespaces_domains_and_views() {
    let i = fixture_round_trip("adventureworks");
    let c = i.report.counts;
    assert!(c.namespaces >= 5 && c.domains >= 5 && c.views >= 20, "{c:?}");
    // Its primary keys' own names (`PK_Person_BusinessEntityID`) are in the
    // document, not renames in the report.
    let named =
        i.document.tables.iter().filter(|t| t.primary_key_name.as_deref().is_some_and(|n| n.starts_with("PK_")));
    assert!(named.count() >= 60);
    assert!(!i.report.items.iter().any(|x| x.kind == "primary key"), "{:#?}", i.report.items);
}

#[test]
fn openstreetmap_round_trips() {
    let i = fixture_round_trip("openstreetmap");
    assert!(i.report.counts.enums >= 5, "{:?}", i.report.counts);
}

#[test]
fn graphile_starter_round_trips_with_policies() {
    let i = fixture_round_trip("graphile_starter");
    assert!(i.report.counts.policies >= 5 && i.report.counts.functions >= 10, "{:?}", i.report.counts);
}

/// (kind, target) of every statement of a create script, sorted: the
/// objects and their names, whatever the ids.
fn objects(doc: &SchemaDocument) -> Vec<(String, String)> {
    let schema = ValidSchema::parse(doc.clone()).unwrap();
    let mut out: Vec<_> =
        // A carried routine's name is as its statement writes it: the
        // catalog's printing qualifies `public`, a document may not.
        create_script(&schema)
            .statements()
            .iter()
            .map(|s| (s.kind.as_str().to_string(), s.target.replace("\"public.", "\"").replace("on public.", "on ")))
            .collect();
    out.sort();
    out
}

/// What only one of the two documents creates, when anything.
fn object_difference(got: &SchemaDocument, want: &SchemaDocument) -> Option<String> {
    let (got, want) = (objects(got), objects(want));
    let only = |a: &[(String, String)], b: &[(String, String)]| {
        a.iter().filter(|x| !b.contains(x)).cloned().collect::<Vec<_>>()
    };
    (got != want).then(|| format!("imported only: {:#?}\noriginal only: {:#?}", only(&got, &want), only(&want, &got)))
}

fn built_from(doc: &SchemaDocument) -> TestDb {
    let schema = ValidSchema::parse(doc.clone()).unwrap();
    let a = TestDb::create().unwrap();
    a.execute(&format!("BEGIN;\n{}\nCOMMIT;", create_script(&schema).to_sql())).unwrap();
    a
}

#[test]
fn databases_built_by_schemaforge_import_as_their_documents() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    for file in [
        "examples/blog.json",
        "examples/clinic.json",
        "examples/ecommerce.json",
        "examples/events.json",
        "examples/reports.json",
        "tests/fixtures/everything.json",
    ] {
        let text = std::fs::read_to_string(format!("{root}/{file}")).unwrap();
        let original = schemaforge_domain::parse_document(&text).unwrap();
        let a = built_from(&original);
        let imported = round_trip(&a);
        if let Some(d) = object_difference(&imported.document, &original) {
            panic!("{file}: {d}");
        }
        let positions = imported.document.tables.iter().filter(|t| t.position.is_some()).count();
        assert_eq!(positions, imported.document.tables.len(), "{file}: every table is placed");
    }
}

#[test]
fn random_valid_documents_come_back_from_their_databases() {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(12);
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    runner
        .run(&schemaforge_tests::generate::valid_document(), |doc| {
            let a = built_from(&doc);
            let imported = round_trip(&a);
            if let Some(d) = object_difference(&imported.document, &doc) {
                return Err(TestCaseError::fail(format!("{d}\ndocument: {}", serde_json::to_string(&doc).unwrap())));
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn sql_files_load_in_a_scratch_database_and_refusals_name_their_line() {
    let server = schemaforge_testdb::server_url();
    let sql = "\\restrict k\nCREATE TABLE t (id int PRIMARY KEY, note text DEFAULT ';');\nALTER TABLE t OWNER TO nobody_here;\n";
    let loaded = load_sql(&server, sql, &LoadOptions::default()).unwrap();
    let imported = import(&loaded.catalog, &ImportOptions::default());
    assert_eq!(imported.document.tables[0].name, "t");
    assert_eq!(loaded.skipped.iter().map(|s| s.line).collect::<Vec<_>>(), vec![1, 3]);
    let bad = "CREATE TABLE a (id int);\n\nCREATE TABLE b (\n  id int,\n  x nosuchtype\n);\n";
    match load_sql(&server, bad, &LoadOptions::default()) {
        Err(schemaforge_repository::LoadError::Statement { line, message, .. }) => {
            assert_eq!(line, 5, "{message}");
            assert!(message.contains("nosuchtype"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn server_errors_are_told_apart_and_never_show_the_password() {
    let server = schemaforge_testdb::server_url();
    let opts = IntrospectOptions { connect_timeout_secs: 2, ..Default::default() };
    let unreachable = introspect("postgres://someone:s3cret-pw@127.0.0.1:1/db", &opts).unwrap_err();
    assert!(matches!(unreachable, IntrospectError::Unreachable(_)), "{unreachable:?}");
    assert!(!unreachable.to_string().contains("s3cret-pw"));
    let missing = introspect(&schemaforge_testdb::with_database(&server, "sf_no_such_db_here"), &opts).unwrap_err();
    assert!(matches!(missing, IntrospectError::NoDatabase(_)), "{missing:?}");
    let db = TestDb::create().unwrap();
    let role = format!("sf_imp_{}", &db.name()[8..20]);
    db.execute(&format!("CREATE ROLE {role} LOGIN; REVOKE CONNECT ON DATABASE {} FROM PUBLIC", db.name())).unwrap();
    let url = db.url().replacen("postgres://postgres@", &format!("postgres://{role}:s3cret-pw@"), 1);
    let denied = introspect(&url, &opts).unwrap_err();
    let unknown =
        introspect(&db.url().replacen("postgres://postgres@", "postgres://sf_no_such_role@", 1), &opts).unwrap_err();
    db.execute(&format!("DROP ROLE {role}")).unwrap();
    assert!(matches!(denied, IntrospectError::Privileges(_)), "{denied:?}");
    assert!(!denied.to_string().contains("s3cret-pw"));
    assert!(matches!(unknown, IntrospectError::Authentication(_)), "{unknown:?}");
    let no_schema = introspect(db.url(), &IntrospectOptions { namespaces: vec!["nope".into()], ..opts }).unwrap_err();
    assert_eq!(no_schema, IntrospectError::NoNamespace("nope".into()));
}

/// The fenced blocks of `lang` in `text`, in order.
fn blocks(text: &str, lang: &str) -> Vec<String> {
    let fence = format!("```{lang}\n");
    text.split(&fence).skip(1).filter_map(|rest| rest.split_once("\n```").map(|(b, _)| b.to_string())).collect()
}

#[test]
fn the_example_of_docs_import_md_gives_its_document_and_report() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/import.md")).unwrap();
    let sql = blocks(&text, "sql").remove(0);
    let json = blocks(&text, "json");
    let loaded = load_sql(&schemaforge_testdb::server_url(), &sql, &LoadOptions::default()).unwrap();
    let imported = import(&loaded.catalog, &ImportOptions { name: Some("shop".into()), ..ImportOptions::default() });
    assert_eq!(
        serde_json::to_string_pretty(&imported.document).unwrap(),
        json[1],
        "docs/import.md shows another document"
    );
    let report: serde_json::Value = serde_json::from_str(&json[0]).unwrap();
    let ours = serde_json::to_value(&imported.report).unwrap();
    assert_eq!(ours["items"], report["items"], "docs/import.md shows another report");
    assert_eq!(ours["counts"], report["counts"]);
    assert!(loaded.skipped.is_empty());
}

#[test]
fn collations_of_the_database_come_in_as_the_document_s_own_and_round_trip() {
    let a = TestDb::create().unwrap();
    a.execute(
        "CREATE SCHEMA app;
         CREATE COLLATION app.ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
         COMMENT ON COLLATION app.ci IS 'Ignores case.';
         CREATE COLLATION german (provider = icu, locale = 'de-DE');
         CREATE COLLATION posix_too (lc_collate = 'C', lc_ctype = 'POSIX');
         CREATE DOMAIN app.handle AS text COLLATE app.ci;
         CREATE TABLE people (
             id integer PRIMARY KEY,
             email text COLLATE app.ci UNIQUE,
             name text COLLATE \"C\",
             sort_key text COLLATE posix_too,
             handle app.handle);
         CREATE INDEX people_name_de ON people (name COLLATE german);",
    )
    .unwrap();
    let i = round_trip(&a);
    let names: Vec<&str> = i.document.collations.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["ci", "german", "posix_too"]);
    let ci = &i.document.collations[0];
    assert_eq!((ci.deterministic, ci.comment.as_deref()), (Some(false), Some("Ignores case.")));
    assert_eq!(i.document.collations[2].lc_ctype.as_deref(), Some("POSIX"));
    let people = i.document.tables.iter().find(|t| t.name == "people").unwrap();
    let column = |n: &str| people.columns.iter().find(|c| c.name == n).unwrap();
    assert_eq!(column("email").collation_id.as_deref(), Some(ci.id.as_str()));
    assert_eq!((column("name").collation.as_deref(), column("name").collation_id.as_deref()), (Some("C"), None));
    assert_eq!(i.document.domains[0].collation_id.as_deref(), Some(ci.id.as_str()));
    assert!(!i.report.items.iter().any(|x| x.kind == "collation"), "{:#?}", i.report.items);
}

#[test]
fn text_search_configurations_come_in_as_the_document_s_own_and_round_trip() {
    let a = TestDb::create().unwrap();
    a.execute(
        "CREATE EXTENSION unaccent;
         CREATE SCHEMA app;
         CREATE TEXT SEARCH CONFIGURATION app.plain (COPY = pg_catalog.simple);
         ALTER TEXT SEARCH CONFIGURATION app.plain ALTER MAPPING FOR word, hword, hword_part WITH unaccent, simple;
         ALTER TEXT SEARCH CONFIGURATION app.plain DROP MAPPING FOR email, url;
         COMMENT ON TEXT SEARCH CONFIGURATION app.plain IS 'Unaccented.';
         CREATE TABLE notes (id integer PRIMARY KEY, body text);
         CREATE INDEX notes_body ON notes USING gin (to_tsvector('app.plain'::regconfig, body));",
    )
    .unwrap();
    let i = round_trip(&a);
    let ts = &i.document.text_search_configurations;
    assert_eq!(ts.len(), 1);
    assert_eq!(
        (ts[0].name.as_str(), ts[0].parser.as_deref(), ts[0].comment.as_deref()),
        ("plain", None, Some("Unaccented."))
    );
    let words = ts[0].mappings.iter().find(|m| m.token_types.contains(&"word".to_string())).unwrap();
    assert_eq!(words.dictionaries, ["public.unaccent", "simple"]);
    assert!(!ts[0].mappings.iter().any(|m| m.token_types.contains(&"email".to_string())));
    assert!(!i.report.items.iter().any(|x| x.kind == "text search configuration"), "{:#?}", i.report.items);
}
