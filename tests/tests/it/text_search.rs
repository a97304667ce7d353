//! Text search configurations on a real server: one built from a parser and
//! mappings (with a dictionary from an extension), used by an expression
//! index, dropped cleanly, its mappings migrated token type by token type
//! with rows kept, and imported back.

use schemaforge_domain::{ChangeKind, ValidSchema};
use schemaforge_sqlgen::{create_script, drop_script};
use schemaforge_testdb::{TestDb, execute};
use schemaforge_tests::{lines, migrate_and_back, run_script, valid_json};
use serde_json::{Value, json};

fn document(edit: impl FnOnce(&mut Value)) -> ValidSchema {
    let mut doc = json!({"name": "search",
        "namespaces": [{"id": "n_app", "name": "app"}],
        "extensions": [{"id": "x_unaccent", "name": "unaccent"}],
        "textSearchConfigurations": [{"id": "ts", "name": "plain", "namespaceId": "n_app", "comment": "Unaccented words.",
            "mappings": [{"tokenTypes": ["word", "hword", "hword_part"], "dictionaries": ["public.unaccent", "simple"]},
                         {"tokenTypes": ["asciiword", "asciihword", "hword_asciipart"], "dictionaries": ["simple"]}]}],
        "tables": [{"id": "t", "name": "notes", "columns": [
            {"id": "c_id", "name": "id", "dataType": "integer", "primaryKey": true},
            {"id": "c_body", "name": "body", "dataType": "text"}],
          "indexes": [{"id": "i_body", "method": "gin",
                       "columnIds": [{"expression": "to_tsvector('app.plain'::regconfig, body)"}]}]}]});
    edit(&mut doc);
    valid_json(&doc)
}

/// The rows that match `creme`, computed afresh (not from the index, which
/// keeps what the mappings gave when it was built).
fn matches(conn: &mut diesel::PgConnection) -> Vec<String> {
    lines(
        conn,
        "SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '-') AS t FROM notes \
         WHERE to_tsvector('app.plain', body || '') @@ to_tsquery('app.plain', 'creme')",
    )
    .unwrap()
}

#[test]
fn a_configuration_builds_searches_and_drops_cleanly() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let doc = document(|_| {});
    let script = create_script(&doc);
    let sql = script.to_sql();
    assert!(
        sql.contains("CREATE TEXT SEARCH CONFIGURATION \"app\".\"plain\" (PARSER = \"pg_catalog\".\"default\")"),
        "{sql}"
    );
    assert!(
        sql.contains("ADD MAPPING FOR \"word\", \"hword\", \"hword_part\" WITH \"public\".\"unaccent\", \"simple\""),
        "{sql}"
    );
    run_script(&mut conn, &script).unwrap();
    execute(&mut conn, "INSERT INTO notes VALUES (1, 'Crème brûlée'), (2, 'plain text')").unwrap();
    assert_eq!(matches(&mut conn), ["1"]);
    run_script(&mut conn, &drop_script(&doc)).unwrap();
    assert_eq!(
        lines(&mut conn, "SELECT count(*)::text AS t FROM pg_ts_config WHERE cfgname = 'plain'").unwrap(),
        ["0"]
    );
}

#[test]
fn mappings_and_names_migrate_by_id_with_rows_kept() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let v1 = document(|_| {});
    run_script(&mut conn, &create_script(&v1)).unwrap();
    execute(&mut conn, "INSERT INTO notes VALUES (1, 'Crème brûlée'), (2, 'plain text')").unwrap();
    // Accents no longer folded for `word`; a token type dropped; renamed.
    let v2 = document(|d| {
        let ts = &mut d["textSearchConfigurations"][0];
        ts["mappings"] = json!([{"tokenTypes": ["word", "hword"], "dictionaries": ["simple"]},
                                {"tokenTypes": ["asciiword", "asciihword", "hword_asciipart"], "dictionaries": ["simple"]}]);
    });
    let up = schemaforge_sqlgen::migration(&v1, &v2).up.to_sql();
    assert!(up.contains("ALTER MAPPING FOR \"word\" WITH \"simple\""), "{up}");
    let (kinds, after) = migrate_and_back(&mut conn, &v1, &v2, matches);
    assert!(kinds.iter().all(|k| matches!(k, ChangeKind::AlterTextSearchMappings { .. })), "{kinds:?}");
    assert_eq!(after, ["-"], "crème no longer matches creme");
    // Renamed (without the index, whose expression names the old name).
    let other = TestDb::create().unwrap();
    let mut conn = other.connect().unwrap();
    let unindexed = |name: &str| {
        let name = name.to_string();
        document(move |d| {
            d["tables"][0]["indexes"] = json!([]);
            d["textSearchConfigurations"][0]["name"] = json!(name);
        })
    };
    let (w1, w3) = (unindexed("plain"), unindexed("unaccented"));
    run_script(&mut conn, &create_script(&w1)).unwrap();
    let names = |c: &mut diesel::PgConnection| {
        lines(c, "SELECT string_agg(cfgname, ',') AS t FROM pg_ts_config WHERE cfgnamespace = 'app'::regnamespace")
            .unwrap()
    };
    let (kinds, after) = migrate_and_back(&mut conn, &w1, &w3, names);
    assert_eq!(kinds.len(), 1, "{kinds:?}");
    assert!(matches!(kinds[0], ChangeKind::RenameTextSearchConfig { .. }), "{kinds:?}");
    assert_eq!(after, ["unaccented"]);
}
