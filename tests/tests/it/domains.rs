//! Domains (issue 11) on a real server: the create script builds what the
//! document says (`pg_type`, `pg_constraint`), the domain's constraints
//! hold, PostgreSQL's printing of a domain check reads back to the same
//! text, and every kind of edit migrates by id with rows kept, equal to a
//! fresh build, and back down.

use schemaforge_domain::{ChangeKind, Safety, ValidSchema};
use schemaforge_sqlgen::{create_script, migration};
use schemaforge_testdb::{TestDb, execute};
use schemaforge_tests::{assert_fresh_build_equals, describe_schema, lines, migrate_and_back, run_script, valid_json};
use serde_json::{Value, json};

/// Films with a `year` domain (d1), a `code` domain (d2) held as an array,
/// and `rating` (d3); `edit` changes the JSON before it is validated.
fn document(edit: impl FnOnce(&mut Value)) -> ValidSchema {
    let mut doc = json!({"name": "films", "domains": [
        {"id": "d1", "name": "year", "dataType": "integer", "comment": "a year",
         "checks": [{"id": "k1", "expression": "VALUE >= 1901 AND VALUE <= 2155"}]},
        {"id": "d2", "name": "code", "dataType": "varchar(10)", "collation": "C", "default": "x",
         "checks": [{"id": "k2", "name": "code_letters", "expression": "VALUE ~ '^[A-Za-z]+$'"}]},
        {"id": "d3", "name": "rating", "dataType": "numeric(3,1)", "notNull": true}
    ], "tables": [{"id": "t1", "name": "film", "columns": [
        {"id": "c1", "name": "id", "dataType": "integer", "primaryKey": true},
        {"id": "c2", "name": "released", "dataType": "domain", "domainId": "d1", "default": 2000},
        {"id": "c3", "name": "codes", "dataType": "domain", "domainId": "d2", "isArray": true},
        {"id": "c4", "name": "score", "dataType": "domain", "domainId": "d3", "default": 5},
        {"id": "c5", "name": "length", "dataType": "integer"}
    ], "checks": [{"id": "k3", "expression": "released > 1950"}],
       "indexes": [{"id": "i1", "columnIds": ["c2"]}]}]});
    edit(&mut doc);
    valid_json(&doc)
}

fn rows(conn: &mut diesel::PgConnection) -> Vec<String> {
    lines(conn, "SELECT string_agg(f::text, ';' ORDER BY id) AS t FROM film f").unwrap()
}

/// Migrate `from` → `to` with the rows in place (equal to a fresh `to`),
/// then down (equal to a fresh `from`, the rows as they were).
fn round_trip(conn: &mut diesel::PgConnection, from: &ValidSchema, to: &ValidSchema) -> Vec<ChangeKind> {
    migrate_and_back(conn, from, to, rows).0
}

/// Whether `script` fails, run in a transaction that is rolled back.
fn fails(conn: &mut diesel::PgConnection, script: &schemaforge_sqlgen::Script) -> bool {
    execute(conn, "BEGIN").unwrap();
    let failed = run_script(conn, script).is_err();
    execute(conn, "ROLLBACK").unwrap();
    failed
}

#[test]
fn domains_build_as_the_document_says_and_hold() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let v1 = document(|_| {});
    run_script(&mut conn, &create_script(&v1)).unwrap();
    let facts: Vec<String> =
        describe_schema(&mut conn, "public").unwrap().into_iter().filter(|f| f.starts_with("domain")).collect();
    assert_eq!(
        facts,
        [
            "domain code character varying(10) collate=C notnull=false default='x'::character varying(10) comment=-",
            "domain constraint code.code_letters CHECK (((VALUE)::text ~ '^[A-Za-z]+$'::text))",
            "domain constraint year.year_check CHECK (((VALUE >= 1901) AND (VALUE <= 2155)))",
            "domain rating numeric(3,1) notnull=true default=- comment=-",
            "domain year integer notnull=false default=- comment=a year",
        ]
    );
    assert_eq!(
        lines(&mut conn, "SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = 'film'::regclass AND attnum > 0 ORDER BY attnum").unwrap(),
        ["integer", "year", "code[]", "rating", "integer"]
    );
    execute(&mut conn, "INSERT INTO film (id, released, codes) VALUES (1, 1980, ARRAY['AB', 'x'])").unwrap();
    assert_eq!(rows(&mut conn), [r#"(1,1980,"{AB,x}",5.0,)"#]);
    for refused in [
        "INSERT INTO film (id, released) VALUES (2, 1800)",
        "INSERT INTO film (id, codes) VALUES (2, ARRAY['A1'])",
        "INSERT INTO film (id, score) VALUES (2, NULL)",
    ] {
        let err = execute(&mut conn, refused).unwrap_err().to_string();
        assert!(err.contains("domain"), "{refused}: {err}");
    }
}

#[test]
fn printed_domain_checks_read_back_to_the_same_text() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let v1 = document(|_| {});
    run_script(&mut conn, &create_script(&v1)).unwrap();
    let printed = |conn: &mut diesel::PgConnection| {
        lines(
            conn,
            "SELECT pg_get_constraintdef(oid) AS t FROM pg_constraint WHERE contypid <> 0 \
             AND contypid IN ('year'::regtype, 'code'::regtype) ORDER BY conname",
        )
        .unwrap()
    };
    let first = printed(&mut conn);
    let inner = |def: &str| def.strip_prefix("CHECK (").and_then(|d| d.strip_suffix(')')).unwrap().to_string();
    let v2 = document(|doc| {
        doc["domains"][1]["checks"][0]["expression"] = json!(inner(&first[0]));
        doc["domains"][0]["checks"][0]["expression"] = json!(inner(&first[1]));
    });
    execute(&mut conn, "DROP SCHEMA public CASCADE; CREATE SCHEMA public").unwrap();
    run_script(&mut conn, &create_script(&v2)).unwrap();
    assert_eq!(printed(&mut conn), first);
}

#[test]
fn domain_edits_migrate_by_id_with_rows_kept() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let v1 = document(|_| {});
    run_script(&mut conn, &create_script(&v1)).unwrap();
    execute(&mut conn, "INSERT INTO film VALUES (1, 1980, ARRAY['AB', 'x'], 7.5, 90), (2, 2001, NULL, 5, 120)")
        .unwrap();

    // Renamed, its check renamed, a comment changed: renames by id.
    let v2 = document(|d| {
        d["domains"][0]["name"] = json!("film_year");
        d["domains"][0]["checks"][0]["name"] = json!("year_range");
        d["domains"][0]["comment"] = json!("the year it came out");
    });
    let kinds = round_trip(&mut conn, &v1, &v2);
    assert!(
        matches!(
            kinds.as_slice(),
            [
                ChangeKind::RenameDomain { .. },
                ChangeKind::RenameDomainCheck { .. },
                ChangeKind::SetDomainComment { .. }
            ]
        ),
        "{kinds:?}"
    );

    // A check the rows satisfy: may_fail, and it passes; NOT NULL and a
    // new default in place.
    let v3 = document(|d| {
        d["domains"][0]["checks"].as_array_mut().unwrap().push(json!({"id": "k4", "expression": "VALUE <> 1999"}));
        d["domains"][0]["notNull"] = json!(true);
        d["domains"][2]["default"] = json!(1);
    });
    let m = migration(&v1, &v3);
    assert_eq!(m.changes.worst(), Some(Safety::MayFail));
    let kinds = round_trip(&mut conn, &v1, &v3);
    assert!(kinds.iter().any(|k| matches!(k, ChangeKind::AddDomainCheck { .. })), "{kinds:?}");
    assert!(kinds.iter().any(|k| matches!(k, ChangeKind::SetDomainNotNull { not_null: true, .. })), "{kinds:?}");
    assert!(kinds.iter().any(|k| matches!(k, ChangeKind::SetDomainDefault { .. })), "{kinds:?}");

    // A check the rows break: the migration fails, as may_fail says.
    let v4 = document(|d| d["domains"][0]["checks"][0]["expression"] = json!("VALUE >= 1990"));
    assert!(fails(&mut conn, &migration(&v1, &v4).up));
    assert_fresh_build_equals(&mut conn, &v1);
    assert_eq!(rows(&mut conn), [r#"(1,1980,"{AB,x}",7.5,90);(2,2001,,5.0,120)"#]);

    // A new base type: rebuilt, the column converted, rows kept.
    let v5 = document(|d| d["domains"][0]["dataType"] = json!("bigint"));
    let kinds = round_trip(&mut conn, &v1, &v5);
    assert!(kinds.iter().any(|k| matches!(k, ChangeKind::RebuildDomain { .. })), "{kinds:?}");

    // A new check over a domain an array column holds: ALTER DOMAIN would
    // refuse it, so the domain is rebuilt.
    let v6 = document(|d| {
        d["domains"][1]["checks"].as_array_mut().unwrap().push(json!({"id": "k5", "expression": "length(VALUE) < 5"}))
    });
    let kinds = round_trip(&mut conn, &v1, &v6);
    assert!(kinds.iter().any(|k| matches!(k, ChangeKind::RebuildDomain { .. })), "{kinds:?}");

    // A new collation: rebuilt too.
    let v7 = document(|d| d["domains"][1]["collation"] = json!("POSIX"));
    round_trip(&mut conn, &v1, &v7);

    // A plain column into a domain, and a domain column out of it; a new
    // column of a constrained domain is may_fail (checked row by row).
    let v8 = document(|d| {
        d["tables"][0]["columns"][4] = json!({"id": "c5", "name": "length", "dataType": "domain", "domainId": "d1"});
        d["tables"][0]["columns"][1] = json!({"id": "c2", "name": "released", "dataType": "integer", "default": 2000});
        d["tables"][0]["columns"]
            .as_array_mut()
            .unwrap()
            .push(json!({"id": "c6", "name": "remade", "dataType": "domain", "domainId": "d1", "default": 2020}));
    });
    let m = migration(&v1, &v8);
    let add = m.changes.changes().iter().find(|c| matches!(c.kind, ChangeKind::AddColumn { .. })).unwrap();
    assert_eq!(add.safety, Safety::MayFail);
    // 90 and 120 are no years: converting `length` fails.
    assert!(fails(&mut conn, &m.up));
    execute(&mut conn, "UPDATE film SET length = 1990 + id").unwrap();
    round_trip(&mut conn, &v1, &v8);

    // A domain that goes away (its column back to the base type), and a
    // new one under its name.
    let v9 = document(|d| {
        d["domains"].as_array_mut().unwrap().remove(2);
        d["tables"][0]["columns"][3] = json!({"id": "c4", "name": "score", "dataType": "numeric(3,1)", "default": 5});
        d["domains"].as_array_mut().unwrap().push(json!({"id": "d4", "name": "rating", "dataType": "real"}));
    });
    let kinds = round_trip(&mut conn, &v1, &v9);
    assert!(kinds.iter().any(|k| matches!(k, ChangeKind::DropDomain { .. })), "{kinds:?}");
    assert!(kinds.iter().any(|k| matches!(k, ChangeKind::CreateDomain { .. })), "{kinds:?}");
}
