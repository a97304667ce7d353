//! The wider types, collations and extensions (issue 11), on a real server:
//! every named type, `timetz`, `bit` and `varbit` builds as the catalog
//! prints it (`format_type`), holds its sample values, and takes exactly the
//! indexes and keys validation allows (checked against `CREATE INDEX` and
//! `UNIQUE` themselves, method by method); collations and extensions build
//! and migrate as the catalog shows.

use schemaforge_domain::{IndexMethod, NamedType, ValidSchema, parse_document};
use schemaforge_sqlgen::{create_script, drop_script, migration};
use schemaforge_testdb::{TestDb, execute};
use schemaforge_tests::{describe_schema, lines, named_sample, run_script, valid_json};
use serde_json::{Value, json};

/// Every extension a named type needs.
fn all_extensions() -> Value {
    let mut names: Vec<&str> = NamedType::ALL.iter().filter_map(|t| t.info().extension).collect();
    names.sort_unstable();
    names.dedup();
    Value::Array(names.iter().map(|n| json!({"id": format!("x_{n}"), "name": n})).collect())
}

/// The spellings under test with the type PostgreSQL prints for each.
fn spellings() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> =
        NamedType::ALL.iter().map(|t| (t.sql_name().to_string(), t.sql_name().to_string())).collect();
    out.extend(
        [
            ("timetz(3)", "time(3) with time zone"),
            ("time with time zone", "time with time zone"),
            ("bit(8)", "bit(8)"),
            ("bit", "bit(1)"),
            ("varbit(5)", "bit varying(5)"),
            ("bit varying", "bit varying"),
            ("integer[][]", "integer[]"),
            ("text[3][3]", "text[]"),
            ("point[]", "point[]"),
            ("int4range[]", "int4range[]"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string())),
    );
    out
}

fn table_of(columns: Vec<Value>, extra: Value) -> Value {
    let mut cols = vec![json!({"id": "id", "name": "id", "dataType": "integer", "primaryKey": true})];
    cols.extend(columns);
    let mut t = json!({"id": "t", "name": "t", "columns": cols});
    if let (Some(t), Some(e)) = (t.as_object_mut(), extra.as_object()) {
        t.extend(e.clone());
    }
    json!({"name": "types", "extensions": all_extensions(), "tables": [t]})
}

fn parse(v: &Value) -> Option<ValidSchema> {
    ValidSchema::parse(parse_document(&v.to_string()).ok()?).ok()
}

#[test]
fn every_type_builds_as_the_catalog_prints_it_and_holds_its_values() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let spellings = spellings();
    let columns: Vec<Value> = spellings
        .iter()
        .enumerate()
        .map(|(i, (t, _))| json!({"id": format!("c{i}"), "name": format!("c{i}"), "dataType": t}))
        .collect();
    let schema = valid_json(&table_of(columns, json!({})));
    run_script(&mut conn, &create_script(&schema)).unwrap();
    for (i, (spelled, printed)) in spellings.iter().enumerate() {
        let got = lines(
            &mut conn,
            &format!("SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'c{i}'"),
        )
        .unwrap();
        assert_eq!(got, std::slice::from_ref(printed), "{spelled}");
    }
    // Both sample values of each named type go in and read back unchanged.
    for (row, id) in [(0, 1), (1, 2)] {
        let cols: Vec<String> = (0..NamedType::ALL.len()).map(|i| format!("c{i}")).collect();
        let values: Vec<String> = NamedType::ALL
            .iter()
            .map(|t| format!("{}::{}", schemaforge_tests::ql(named_sample(*t, row)), t.sql_name()))
            .collect();
        execute(&mut conn, &format!("INSERT INTO t (id, {}) VALUES ({id}, {})", cols.join(", "), values.join(", ")))
            .unwrap();
    }
    for (i, t) in NamedType::ALL.iter().enumerate() {
        let same = lines(
            &mut conn,
            &format!(
                "SELECT (c{i}::text = ({}::{})::text)::text AS t FROM t WHERE id = 1",
                schemaforge_tests::ql(named_sample(*t, 0)),
                t.sql_name()
            ),
        )
        .unwrap();
        assert_eq!(same, ["true"], "{t:?}");
    }
    // The drop script leaves nothing behind, extensions included.
    run_script(&mut conn, &drop_script(&schema)).unwrap();
    let left = lines(&mut conn, "SELECT count(*)::text AS t FROM pg_extension WHERE extname <> 'plpgsql'").unwrap();
    assert_eq!(left, ["0"]);
}

/// A value of the spelled type for row 0 or 1.
fn sample_sql(ty: &str, row: usize) -> String {
    let (base, array) = match ty.strip_suffix("[]") {
        Some(b) => (b, true),
        None => (ty, false),
    };
    let element = match NamedType::from_name(base) {
        Some(t) => format!("{}::{base}", schemaforge_tests::ql(named_sample(t, row))),
        None => match base {
            "timetz" => format!("'10:00:0{row}+02'::timetz"),
            "bit(4)" => format!("'{}'::bit(4)", if row == 0 { "1010" } else { "0101" }),
            "varbit" => format!("'1{row}'::varbit"),
            other => panic!("no sample for {other}"),
        },
    };
    if array { format!("ARRAY[{element}]") } else { element }
}

#[test]
fn indexes_and_keys_are_allowed_exactly_where_postgresql_builds_them() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let methods = [IndexMethod::Btree, IndexMethod::Hash, IndexMethod::Gin, IndexMethod::Gist, IndexMethod::Brin];
    let mut mismatches = Vec::new();
    let mut types: Vec<String> = NamedType::ALL.iter().map(|t| t.sql_name().to_string()).collect();
    types.extend(["timetz", "bit(4)", "varbit", "point[]", "int4range[]", "citext[]"].map(String::from));
    for ty in &types {
        let column = json!({"id": "c", "name": "c", "dataType": ty});
        // The table alone, built once per type.
        let bare = valid_json(&table_of(vec![column.clone()], json!({})));
        execute(&mut conn, "BEGIN").unwrap();
        run_script(&mut conn, &create_script(&bare)).unwrap();
        // Two distinct rows: an index build then compares values, which is
        // where a type without the operators fails.
        for row in 0..2 {
            execute(&mut conn, &format!("INSERT INTO t VALUES ({row}, {})", sample_sql(ty, row))).unwrap();
        }
        let mut attempts: Vec<(String, Value, String)> = methods
            .iter()
            .map(|m| {
                let method = m.sql().to_lowercase();
                (
                    format!("{ty} USING {method}"),
                    json!({"indexes": [{"id": "x", "columnIds": ["c"], "method": method}]}),
                    format!("CREATE INDEX ON t USING {method} (c)"),
                )
            })
            .collect();
        attempts.push((
            format!("{ty} UNIQUE"),
            json!({"uniques": [{"id": "u", "columnIds": ["c"]}]}),
            "ALTER TABLE t ADD UNIQUE (c)".into(),
        ));
        for (label, fields, sql) in attempts {
            let schema = parse(&table_of(vec![column.clone()], fields));
            let allowed = schema.is_some();
            // What validation allows is built with the generated statement.
            let generated = schema.as_ref().and_then(|s| {
                let script = create_script(s);
                script.statements().iter().find(|st| st.sql.starts_with("CREATE INDEX")).map(|st| st.sql.clone())
            });
            let sql = generated.unwrap_or(sql);
            execute(&mut conn, "SAVEPOINT s").unwrap();
            let built = execute(&mut conn, &sql).is_ok();
            execute(&mut conn, "ROLLBACK TO SAVEPOINT s").unwrap();
            if allowed != built {
                mismatches.push(format!("{label}: validation allows it: {allowed}, PostgreSQL builds it: {built}"));
            }
        }
        execute(&mut conn, "ROLLBACK").unwrap();
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn named_type_defaults_build_and_fill_new_rows() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let columns: Vec<Value> = NamedType::ALL
        .iter()
        .enumerate()
        .map(|(i, t)| json!({"id": format!("c{i}"), "name": format!("c{i}"), "dataType": t.sql_name(), "default": named_sample(*t, 1)}))
        .chain([
            json!({"id": "tz", "name": "tz", "dataType": "timetz", "default": "12:30:00+05:30"}),
            json!({"id": "b", "name": "b", "dataType": "bit(4)", "default": "1010"}),
            json!({"id": "vb", "name": "vb", "dataType": "varbit(8)", "default": "x0F"}),
        ])
        .collect();
    let schema = valid_json(&table_of(columns, json!({})));
    run_script(&mut conn, &create_script(&schema)).unwrap();
    execute(&mut conn, "INSERT INTO t (id) VALUES (1)").unwrap();
    assert_eq!(
        lines(&mut conn, "SELECT concat_ws(' ', tz, b, vb) AS t FROM t").unwrap(),
        ["12:30:00+05:30 1010 00001111"]
    );
    // A literal validation can read is checked offline.
    let bad = table_of(vec![json!({"id": "b", "name": "b", "dataType": "bit(4)", "default": "101"})], json!({}));
    assert!(parse(&bad).is_none());
}

#[test]
fn collations_build_and_change_in_place_with_rows_kept() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let doc = |collation: Option<&str>, ty: &str| {
        let mut c = json!({"id": "c", "name": "name", "dataType": ty});
        if let Some(k) = collation {
            c["collation"] = json!(k);
        }
        valid_json(&json!({"name": "coll", "tables": [{"id": "t", "name": "t", "columns": [
            {"id": "id", "name": "id", "dataType": "integer", "primaryKey": true}, c],
            "indexes": [{"id": "x", "columnIds": ["c"]}]}]}))
    };
    let collation = |conn: &mut diesel::PgConnection| {
        lines(
            conn,
            "SELECT coalesce(k.collname, '-') AS t FROM pg_attribute a LEFT JOIN pg_collation k ON k.oid = a.attcollation \
             WHERE a.attrelid = 't'::regclass AND a.attname = 'name'",
        )
        .unwrap()
        .concat()
    };
    let plain = doc(None, "text");
    let c = doc(Some("C"), "text");
    run_script(&mut conn, &create_script(&c)).unwrap();
    assert_eq!(collation(&mut conn), "C");
    execute(&mut conn, "INSERT INTO t VALUES (1, 'b'), (2, 'B'), (3, 'a')").unwrap();
    let m = migration(&c, &plain);
    let [change] = m.changes.changes() else { panic!("{:?}", m.changes) };
    assert_eq!(change.safety, schemaforge_domain::Safety::LocksTable, "the index is rebuilt");
    run_script(&mut conn, &m.up).unwrap();
    assert_eq!(collation(&mut conn), "default");
    run_script(&mut conn, &m.down).unwrap();
    assert_eq!(collation(&mut conn), "C");
    // A type change keeps the collation the document gives.
    let m = migration(&c, &doc(Some("C"), "varchar(20)"));
    run_script(&mut conn, &m.up).unwrap();
    assert_eq!(collation(&mut conn), "C");
    assert_eq!(lines(&mut conn, "SELECT string_agg(name, '' ORDER BY name) AS t FROM t").unwrap(), ["Bab"]);
}

#[test]
fn extensions_are_created_updated_and_dropped_by_id() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let doc = |extensions: Value, ty: &str| {
        valid_json(&json!({"name": "ext", "extensions": extensions, "tables": [{"id": "t", "name": "t", "columns": [
            {"id": "id", "name": "id", "dataType": "integer", "primaryKey": true},
            {"id": "c", "name": "c", "dataType": ty}]}]}))
    };
    let installed = |conn: &mut diesel::PgConnection| {
        lines(conn, "SELECT coalesce(string_agg(extname || ' ' || extversion, ', ' ORDER BY extname), '') AS t FROM pg_extension WHERE extname <> 'plpgsql'")
            .unwrap()
            .concat()
    };
    let plain = doc(json!([]), "text");
    let citext = doc(json!([{"id": "x1", "name": "citext", "comment": "case-insensitive"}]), "citext");
    let old = doc(json!([{"id": "x1", "name": "citext", "version": "1.5", "comment": "case-insensitive"}]), "citext");
    run_script(&mut conn, &create_script(&plain)).unwrap();
    execute(&mut conn, "INSERT INTO t VALUES (1, 'Hello')").unwrap();
    // Adding the extension (an old version) and moving the column onto its type.
    let m = migration(&plain, &old);
    run_script(&mut conn, &m.up).unwrap();
    assert_eq!(installed(&mut conn), "citext 1.5");
    assert_eq!(lines(&mut conn, "SELECT count(*)::text AS t FROM t WHERE c = 'HELLO'").unwrap(), ["1"]);
    let described = describe_schema(&mut conn, "public").unwrap();
    assert!(described.iter().any(|l| l.starts_with("extension citext ") && l.ends_with("comment=case-insensitive")));
    // Unpinned, it updates in place to the server's default version.
    let m = migration(&old, &citext);
    run_script(&mut conn, &m.up).unwrap();
    let default =
        lines(&mut conn, "SELECT default_version AS t FROM pg_available_extensions WHERE name = 'citext'").unwrap();
    assert_eq!(installed(&mut conn), format!("citext {}", default.concat()));
    // Going down has no update path: classified may_fail, and it fails.
    assert!(m.changes.changes().iter().any(|c| c.safety == schemaforge_domain::Safety::MayFail));
    assert!(run_script(&mut conn, &m.down).is_err());
    // And back to text and no extension, rows kept.
    let m = migration(&citext, &plain);
    run_script(&mut conn, &m.up).unwrap();
    assert_eq!(installed(&mut conn), "");
    assert_eq!(lines(&mut conn, "SELECT c AS t FROM t").unwrap(), ["Hello"]);
    run_script(&mut conn, &m.down).unwrap();
    assert!(installed(&mut conn).starts_with("citext "));
}
