//! Namespaces (issue 11) on a real server: a document in several schemas
//! builds what it says (`pg_namespace`, `pg_class`, `pg_constraint`,
//! `pg_depend`), drops to nothing, and migrates by id (namespaces renamed,
//! swapped, dropped and recreated; tables, types and sequences moved,
//! tables of one name trading schemas) with rows kept, equal to a fresh
//! build, and back down.

use schemaforge_domain::diff::MovedObject;
use schemaforge_domain::{ChangeKind, ValidSchema};
use schemaforge_sqlgen::{create_script, drop_script};
use schemaforge_testdb::TestDb;
use schemaforge_tests::{lines, migrate_and_back, run_script, valid_json};
use serde_json::{Value, json};

/// Users in `auth`, orders in `sales` (with an enum and a sequence there)
/// and another `orders` in public; `edit` changes the JSON first.
fn document(edit: impl FnOnce(&mut Value)) -> ValidSchema {
    let mut doc = json!({"name": "shop",
        "namespaces": [{"id": "n1", "name": "sales", "comment": "the sales team's"}, {"id": "n2", "name": "auth"}],
        "enums": [{"id": "e1", "name": "mood", "namespaceId": "n1", "values": ["ok", "bad"]}],
        "sequences": [{"id": "s1", "name": "ticket_seq", "namespaceId": "n1", "start": 100}],
        "tables": [
          {"id": "t1", "name": "users", "namespaceId": "n2", "columns": [
            {"id": "c1", "name": "id", "dataType": "bigint", "primaryKey": true, "autoIncrement": true},
            {"id": "c2", "name": "email", "dataType": "text"}],
           "indexes": [{"id": "x1", "name": "by_email", "columnIds": ["c2"], "comment": "find by email"}]},
          {"id": "t2", "name": "orders", "namespaceId": "n1", "columns": [
            {"id": "c3", "name": "id", "dataType": "integer", "primaryKey": true, "default": {"sequence": "s1"}},
            {"id": "c4", "name": "user_id", "dataType": "bigint"},
            {"id": "c5", "name": "mood", "dataType": "enum", "enumId": "e1", "default": "ok"}],
           "indexes": [{"id": "x2", "name": "by_user", "columnIds": ["c4"]}]},
          {"id": "t3", "name": "orders", "columns": [
            {"id": "c6", "name": "id", "dataType": "integer", "primaryKey": true},
            {"id": "c7", "name": "note", "dataType": "text"}],
           "indexes": [{"id": "x3", "name": "by_user", "columnIds": ["c7"]}]}],
        "foreignKeys": [{"id": "f1", "sourceTableId": "t2", "sourceColumnIds": ["c4"],
                         "targetTableId": "t1", "targetColumnIds": ["c1"], "onDelete": "cascade"}]});
    edit(&mut doc);
    valid_json(&doc)
}

/// Every table's rows, by table id, found where one of `docs` puts it
/// (the place whose columns are the table's there: two tables may trade
/// places).
fn rows(conn: &mut diesel::PgConnection, docs: [&ValidSchema; 2]) -> Vec<String> {
    let mut out = Vec::new();
    for t in &docs[0].model().tables {
        let found = docs.iter().filter_map(|d| d.model().table(&t.id)).find_map(|place| {
            let name = schemaforge_tests::table_sql(place);
            let mut columns: Vec<&str> = place.columns.iter().map(|c| c.name.as_str()).collect();
            columns.sort();
            let there = lines(
                conn,
                &format!(
                    "SELECT string_agg(attname, ',' ORDER BY attname COLLATE \"C\") AS t FROM pg_attribute
                      WHERE attrelid = {}::regclass AND attnum > 0 AND NOT attisdropped",
                    schemaforge_tests::ql(&name)
                ),
            )
            .ok()?;
            (there == [columns.join(",")]).then_some(name)
        });
        let name = found.unwrap_or_else(|| panic!("table {} is nowhere", t.id));
        let sql = format!("SELECT '{} ' || string_agg(r::text, ';' ORDER BY r::text) AS t FROM {name} r", t.id);
        out.extend(lines(conn, &sql).unwrap());
    }
    out.sort();
    out
}

fn insert_rows(conn: &mut diesel::PgConnection) {
    run_sql(
        conn,
        "INSERT INTO auth.users (email) VALUES ('a@x'), ('b@x');
         INSERT INTO sales.orders (user_id, mood) VALUES (1, 'bad'), (2, DEFAULT);
         INSERT INTO public.orders VALUES (1, 'kept');",
    );
}

fn run_sql(conn: &mut diesel::PgConnection, sql: &str) {
    schemaforge_testdb::execute(conn, sql).unwrap();
}

#[test]
fn a_document_in_several_namespaces_builds_what_it_says_and_drops_to_nothing() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let v1 = document(|_| {});
    run_script(&mut conn, &create_script(&v1)).unwrap();
    insert_rows(&mut conn);
    let facts = lines(
        &mut conn,
        "SELECT t FROM (
           SELECT 'schema ' || n.nspname || ' ' || coalesce(obj_description(n.oid, 'pg_namespace'), '-') AS t
             FROM pg_namespace n WHERE n.nspname IN ('sales', 'auth')
           UNION ALL
           SELECT c.relkind::text || ' ' || c.relnamespace::regnamespace::text || '.' || c.relname
             FROM pg_class c WHERE c.relnamespace::regnamespace::text IN ('sales', 'auth', 'public')
           UNION ALL
           SELECT 'fk ' || k.conrelid::regclass::text || ' -> ' || k.confrelid::regclass::text
             FROM pg_constraint k WHERE k.contype = 'f'
           UNION ALL
           SELECT 'type ' || t.typnamespace::regnamespace::text || '.' || t.typname
             FROM pg_type t WHERE t.typtype = 'e'
           UNION ALL
           SELECT 'default ' || pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d
           UNION ALL
           SELECT 'owner ' || s.relnamespace::regnamespace::text || '.' || s.relname || ' of ' || dp.refobjid::regclass::text
             FROM pg_depend dp JOIN pg_class s ON s.oid = dp.objid
            WHERE dp.classid = 'pg_class'::regclass AND dp.deptype = 'i' AND s.relkind = 'S'
         ) facts ORDER BY t COLLATE \"C\"",
    )
    .unwrap();
    assert_eq!(
        facts,
        [
            "S auth.users_id_seq",
            "S sales.ticket_seq",
            "default 'ok'::sales.mood",
            "default nextval('sales.ticket_seq'::regclass)",
            "fk sales.orders -> auth.users",
            "i auth.by_email",
            "i auth.users_pkey",
            "i public.by_user",
            "i public.orders_pkey1",
            "i sales.by_user",
            "i sales.orders_pkey",
            "owner auth.users_id_seq of auth.users",
            "r auth.users",
            "r public.orders",
            "r sales.orders",
            "schema auth -",
            "schema sales the sales team's",
            "type sales.mood",
        ]
    );
    assert_eq!(
        rows(&mut conn, [&v1, &v1]),
        ["t1 (1,a@x);(2,b@x)", "t2 (100,1,bad);(101,2,ok)", "t3 (1,kept)"],
        "the sequence in sales numbers the orders there"
    );
    run_script(&mut conn, &drop_script(&v1)).unwrap();
    let left = lines(
        &mut conn,
        "SELECT n.nspname || ' ' || count(c.oid) AS t FROM pg_namespace n LEFT JOIN pg_class c ON c.relnamespace = n.oid
          WHERE n.nspname IN ('sales', 'auth', 'public') GROUP BY n.nspname ORDER BY 1",
    )
    .unwrap();
    assert_eq!(left, ["public 0"]);
}

#[test]
fn namespaces_and_what_is_in_them_migrate_by_id_with_rows() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let v1 = document(|_| {});
    run_script(&mut conn, &create_script(&v1)).unwrap();
    insert_rows(&mut conn);

    // sales becomes shop, users move to public as accounts, the enum and
    // the sequence move to auth, and public.orders moves to auth too.
    let v2 = document(|d| {
        d["namespaces"][0]["name"] = json!("shop");
        d["tables"][0]["namespaceId"] = Value::Null;
        d["tables"][0]["name"] = json!("accounts");
        d["tables"][2]["namespaceId"] = json!("n2");
        d["enums"][0]["namespaceId"] = json!("n2");
        d["sequences"][0]["namespaceId"] = json!("n2");
    });
    // Moves and renames touch the catalog only: every table and index
    // keeps its file.
    let files = |conn: &mut diesel::PgConnection| {
        lines(
            conn,
            "SELECT c.oid::text || ' ' || c.relfilenode::text AS t FROM pg_class c
              WHERE c.relkind IN ('r', 'i') AND c.relnamespace::regnamespace::text NOT LIKE 'pg\\_%'
                AND c.relnamespace::regnamespace::text <> 'information_schema' ORDER BY 1",
        )
        .unwrap()
    };
    let before = files(&mut conn);
    run_script(&mut conn, &schemaforge_sqlgen::migration(&v1, &v2).up).unwrap();
    assert_eq!(files(&mut conn), before, "a move or rename rewrote a table or index");
    run_script(&mut conn, &schemaforge_sqlgen::migration(&v2, &v1).up).unwrap();
    let kinds = round_trip(&mut conn, &v1, &v2);
    assert!(
        kinds
            .iter()
            .any(|k| matches!(k, ChangeKind::RenameNamespace { from, to, .. } if from == "sales" && to == "shop"))
    );
    let moved: Vec<MovedObject> = kinds
        .iter()
        .filter_map(|k| match k {
            ChangeKind::MoveObject { object, staging: None, .. } => Some(*object),
            _ => None,
        })
        .collect();
    assert_eq!(moved, [MovedObject::Table, MovedObject::Table, MovedObject::Enum, MovedObject::Sequence]);

    // The two orders tables trade schemas: same table name, same index
    // name, so each goes through a staging schema of its own.
    let v3 = document(|d| {
        d["tables"][1]["namespaceId"] = Value::Null;
        d["tables"][2]["namespaceId"] = json!("n1");
    });
    let kinds = round_trip(&mut conn, &v1, &v3);
    let staged = kinds.iter().filter(|k| matches!(k, ChangeKind::MoveObject { staging: Some(_), .. })).count();
    assert_eq!(staged, 2, "{kinds:#?}");

    // auth goes (users and its index to public), sales is dropped and made
    // again under its name (kept: nothing moves), and a new one appears.
    let v4 = document(|d| {
        d["namespaces"] = json!([{"id": "n9", "name": "sales"}, {"id": "n3", "name": "archive"}]);
        d["tables"][0]["namespaceId"] = Value::Null;
        d["tables"][1]["namespaceId"] = json!("n9");
        d["enums"][0]["namespaceId"] = json!("n9");
        d["sequences"][0]["namespaceId"] = json!("n3");
    });
    let kinds = round_trip(&mut conn, &v1, &v4);
    assert!(kinds.iter().any(|k| matches!(k, ChangeKind::DropNamespace { name, .. } if name == "auth")));
    assert!(kinds.iter().any(|k| matches!(k, ChangeKind::CreateNamespace { namespace_id } if namespace_id == "n3")));
    assert!(!kinds.iter().any(|k| matches!(k, ChangeKind::MoveObject { object: MovedObject::Enum, .. })));
}

/// Up (equal to a fresh `to`, the same rows), then down (equal to a
/// fresh `from`, the same rows).
fn round_trip(conn: &mut diesel::PgConnection, from: &ValidSchema, to: &ValidSchema) -> Vec<ChangeKind> {
    let before = rows(conn, [from, to]);
    let (kinds, after) = migrate_and_back(conn, from, to, |c| rows(c, [from, to]));
    assert_eq!(after, before);
    kinds
}

#[test]
fn an_extension_goes_into_its_namespace_and_moves_with_the_document() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let doc = |ns: Value| {
        valid_json(&json!({"name": "x", "namespaces": [{"id": "n1", "name": "ext"}],
            "extensions": [{"id": "x1", "name": "pg_trgm", "namespaceId": ns}],
            "tables": [{"id": "t1", "name": "t", "columns": [{"id": "c1", "name": "id", "dataType": "integer", "primaryKey": true}]}]}))
    };
    let place = |conn: &mut diesel::PgConnection| {
        lines(conn, "SELECT extnamespace::regnamespace::text AS t FROM pg_extension WHERE extname = 'pg_trgm'").unwrap()
    };
    let (v1, v2) = (doc(json!("n1")), doc(Value::Null));
    run_script(&mut conn, &create_script(&v1)).unwrap();
    assert_eq!(place(&mut conn), ["ext"]);
    // Its functions are where it is.
    assert_eq!(lines(&mut conn, "SELECT ext.similarity('abc', 'abd')::text AS t").unwrap(), ["0.33333334"]);
    let m = schemaforge_sqlgen::migration(&v1, &v2);
    assert_eq!(m.changes.worst(), Some(schemaforge_domain::Safety::MayFail));
    run_script(&mut conn, &m.up).unwrap();
    assert_eq!(place(&mut conn), ["public"]);
    run_script(&mut conn, &m.down).unwrap();
    assert_eq!(place(&mut conn), ["ext"]);
    run_script(&mut conn, &drop_script(&v1)).unwrap();
    assert!(place(&mut conn).is_empty());
}

#[test]
fn an_extensions_types_are_named_with_its_namespace() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let doc = |ns: Value| {
        valid_json(&json!({"name": "x", "namespaces": [{"id": "n1", "name": "ext"}],
            "extensions": [{"id": "x1", "name": "citext", "namespaceId": ns}],
            // An explicit cast: citext's own operators are found only on
            // the search path (docs/schema-format.md, 8.3).
            "domains": [{"id": "d1", "name": "email", "dataType": "citext", "checks": [{"id": "k1", "expression": "VALUE::text LIKE '%@%'"}]}],
            "tables": [{"id": "t1", "name": "people", "columns": [
                {"id": "c1", "name": "id", "dataType": "integer", "primaryKey": true},
                {"id": "c2", "name": "nick", "dataType": "citext", "unique": true, "default": "Anon"},
                {"id": "c3", "name": "mail", "dataType": "domain", "domainId": "d1"},
                {"id": "c4", "name": "tags", "dataType": "citext[]"}]}]}))
    };
    let (v1, v2) = (doc(json!("n1")), doc(Value::Null));
    let script = create_script(&v1).to_sql();
    assert!(script.contains(r#""nick" "ext".citext DEFAULT 'Anon'::"ext".citext"#), "{script}");
    assert!(script.contains(r#"CREATE DOMAIN "email" AS "ext".citext"#), "{script}");
    run_script(&mut conn, &create_script(&v1)).unwrap();
    // The search path (public) does not hold citext, yet everything works.
    run_sql(&mut conn, "INSERT INTO people (id, nick, mail, tags) VALUES (1, 'Ann', 'a@x', '{A,b}')");
    assert!(schemaforge_testdb::execute(&mut conn, "INSERT INTO people (id, nick) VALUES (2, 'ANN')").is_err());
    let types = lines(
        &mut conn,
        "SELECT a.attname || ' ' || format_type(a.atttypid, a.atttypmod) AS t FROM pg_attribute a
          WHERE a.attrelid = 'people'::regclass AND a.attnum > 0 ORDER BY a.attnum",
    )
    .unwrap();
    assert_eq!(types, ["id integer", "nick ext.citext", "mail email", "tags ext.citext[]"]);
    // Moving the extension moves its types: no column or domain changes.
    let m = schemaforge_sqlgen::migration(&v1, &v2);
    let kinds: Vec<&ChangeKind> = m.changes.changes().iter().map(|c| &c.kind).collect();
    assert!(matches!(&kinds[..], [ChangeKind::MoveObject { object: MovedObject::Extension, .. }]), "{kinds:#?}");
    let before = rows(&mut conn, [&v1, &v2]);
    run_script(&mut conn, &m.up).unwrap();
    schemaforge_tests::assert_fresh_build_equals(&mut conn, &v2);
    assert_eq!(rows(&mut conn, [&v1, &v2]), before);
    run_script(&mut conn, &m.down).unwrap();
    schemaforge_tests::assert_fresh_build_equals(&mut conn, &v1);
}
