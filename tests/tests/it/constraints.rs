//! UNIQUE constraints over several columns and the details of foreign keys
//! (issue 11), on a real server: NULLS NOT DISTINCT, DEFERRABLE [INITIALLY
//! DEFERRED] and MATCH FULL build as `pg_get_constraintdef` prints them and
//! behave as PostgreSQL promises; migrations match them by id, and the
//! classes hold on data that breaks them.

use schemaforge_domain::{ChangeKind, Safety, ValidSchema, parse_document};
use schemaforge_sqlgen::{create_script, migration};
use schemaforge_testdb::{TestDb, execute};
use schemaforge_tests::{lines, run_script, valid_json};
use serde_json::{Value, json};

fn document(unique: Value, fk: Value) -> Value {
    let mut fk_obj = json!({"id": "fk", "name": "items_order_fk", "sourceTableId": "items",
        "sourceColumnIds": ["i_shop", "i_no"], "targetTableId": "orders", "targetColumnIds": ["o_shop", "o_no"]});
    fk_obj.as_object_mut().unwrap().extend(fk.as_object().unwrap().clone());
    let mut u = json!({"id": "u_orders", "columnIds": ["o_shop", "o_no"]});
    u.as_object_mut().unwrap().extend(unique.as_object().unwrap().clone());
    json!({
        "name": "constraints",
        "tables": [
            {"id": "orders", "name": "orders", "columns": [
                {"id": "o_id", "name": "id", "dataType": "integer", "primaryKey": true},
                {"id": "o_shop", "name": "shop", "dataType": "integer"},
                {"id": "o_no", "name": "no", "dataType": "integer"},
                {"id": "o_code", "name": "code", "dataType": "text"}
            ], "uniques": [u, {"id": "u_code", "columnIds": ["o_code"], "nullsNotDistinct": true}]},
            {"id": "items", "name": "items", "columns": [
                {"id": "i_id", "name": "id", "dataType": "integer", "primaryKey": true},
                {"id": "i_shop", "name": "shop", "dataType": "integer"},
                {"id": "i_no", "name": "no", "dataType": "integer"}
            ], "indexes": [{"id": "x_items", "columnIds": ["i_shop", "i_no"]}]}
        ],
        "foreignKeys": [fk_obj]
    })
}

fn valid(v: &Value) -> ValidSchema {
    valid_json(v)
}

fn defs(conn: &mut diesel::PgConnection) -> Vec<String> {
    lines(
        conn,
        "SELECT conname || ' ' || pg_get_constraintdef(oid) AS t FROM pg_constraint WHERE contype IN ('u', 'f') AND connamespace = 'public'::regnamespace ORDER BY conname",
    )
    .unwrap()
}

#[test]
fn keys_build_as_postgresql_prints_them_and_behave() {
    let v = document(
        json!({"name": "orders_shop_no", "deferrable": true}),
        json!({"match": "full", "onDelete": "CASCADE"}),
    );
    // A deferrable key cannot be a foreign key's target (PostgreSQL refuses it).
    assert!(ValidSchema::parse(parse_document(&v.to_string()).unwrap()).is_err());
    let v = document(
        json!({"name": "orders_shop_no"}),
        json!({"match": "full", "deferrable": true, "initiallyDeferred": true}),
    );
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    run_script(&mut conn, &create_script(&valid(&v))).unwrap();
    assert_eq!(
        defs(&mut conn),
        [
            "items_order_fk FOREIGN KEY (shop, no) REFERENCES orders(shop, no) MATCH FULL DEFERRABLE INITIALLY DEFERRED",
            "orders_code_key UNIQUE NULLS NOT DISTINCT (code)",
            "orders_shop_no UNIQUE (shop, no)",
        ]
    );
    // Deferred: a child may come before its parent within a transaction.
    execute(&mut conn, "BEGIN; INSERT INTO items VALUES (1, 1, 1); INSERT INTO orders VALUES (1, 1, 1, 'a'); COMMIT")
        .unwrap();
    // MATCH FULL: a key that is partly NULL is refused.
    assert!(execute(&mut conn, "INSERT INTO items VALUES (2, 1, NULL)").is_err());
    execute(&mut conn, "INSERT INTO items VALUES (2, NULL, NULL)").unwrap();
    // NULLS NOT DISTINCT: one NULL code only.
    execute(&mut conn, "INSERT INTO orders VALUES (2, 2, 2, NULL)").unwrap();
    assert!(execute(&mut conn, "INSERT INTO orders VALUES (3, 3, 3, NULL)").is_err());
}

#[test]
fn migrations_match_keys_by_id_and_classify_them() {
    let base = document(json!({}), json!({}));
    // A new name alone is a rename of the constraint (and its index).
    let renamed = document(json!({"name": "orders_natural_key"}), json!({}));
    let m = migration(&valid(&base), &valid(&renamed));
    let kinds: Vec<_> = m.changes.changes().iter().map(|c| &c.kind).collect();
    assert!(
        matches!(kinds.as_slice(), [ChangeKind::RenameConstraint { to, .. }] if to == "orders_natural_key"),
        "{kinds:?}"
    );

    // Deferral of a foreign key: re-created, the rows still satisfy it.
    let deferred = document(json!({}), json!({"deferrable": true}));
    let m = migration(&valid(&base), &valid(&deferred));
    let add = m.changes.changes().iter().find(|c| matches!(c.kind, ChangeKind::AddForeignKey { .. })).unwrap();
    assert_eq!(add.safety, Safety::LocksTable);

    // MATCH FULL added: may fail on a partly NULL key, and does.
    let full = document(json!({}), json!({"match": "full"}));
    let m = migration(&valid(&base), &valid(&full));
    let add = m.changes.changes().iter().find(|c| matches!(c.kind, ChangeKind::AddForeignKey { .. })).unwrap();
    assert_eq!(add.safety, Safety::MayFail);
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    run_script(&mut conn, &create_script(&valid(&base))).unwrap();
    execute(&mut conn, "INSERT INTO orders VALUES (1, 1, 1, 'a'); INSERT INTO items VALUES (1, 1, NULL)").unwrap();
    execute(&mut conn, "BEGIN").unwrap();
    assert!(run_script(&mut conn, &m.up).is_err(), "the partly NULL key breaks MATCH FULL");
    execute(&mut conn, "ROLLBACK").unwrap();
    execute(&mut conn, "UPDATE items SET no = 1").unwrap();
    run_script(&mut conn, &m.up).unwrap();
    assert!(defs(&mut conn).iter().any(|d| d.contains("MATCH FULL")));
    run_script(&mut conn, &m.down).unwrap();
    assert!(!defs(&mut conn).iter().any(|d| d.contains("MATCH FULL")));

    // NULLS NOT DISTINCT added to a key: may fail on two NULLs, and does.
    let strict = document(json!({"nullsNotDistinct": true}), json!({}));
    let m = migration(&valid(&base), &valid(&strict));
    let add = m.changes.changes().iter().find(|c| matches!(c.kind, ChangeKind::AddUnique { .. })).unwrap();
    assert_eq!(add.safety, Safety::MayFail);
    execute(&mut conn, "INSERT INTO orders VALUES (2, NULL, 5, 'b'), (3, NULL, 5, 'c')").unwrap();
    execute(&mut conn, "BEGIN").unwrap();
    assert!(run_script(&mut conn, &m.up).is_err(), "two rows with (NULL, 5) collide under NULLS NOT DISTINCT");
    execute(&mut conn, "ROLLBACK").unwrap();
    assert_eq!(lines(&mut conn, "SELECT count(*)::text AS t FROM orders").unwrap(), ["3"]);
}

/// Comments on checks, unique constraints, foreign keys and indexes are
/// built, changed in place, and set again when their object is re-created.
#[test]
fn comments_on_constraints_and_indexes_follow_their_objects() {
    let commented = |check: &str, comment: &str| {
        let mut v =
            document(json!({"comment": format!("key: {comment}")}), json!({"comment": format!("fk: {comment}")}));
        v["tables"][0]["checks"] = json!([{"id": "k", "name": "orders_no_check", "expression": check, "comment": format!("check: {comment}")}]);
        v["tables"][1]["indexes"][0]["comment"] = json!(format!("index: {comment}"));
        valid(&v)
    };
    let comments = |conn: &mut diesel::PgConnection| {
        lines(
            conn,
            "SELECT string_agg(d, ' | ' ORDER BY d) AS t FROM (
               SELECT obj_description(oid, 'pg_constraint') AS d FROM pg_constraint WHERE connamespace = 'public'::regnamespace
               UNION ALL SELECT obj_description('items_shop_no_idx'::regclass, 'pg_class')) c WHERE d IS NOT NULL",
        )
        .unwrap()
    };
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let v1 = commented("no > 0", "it's one");
    run_script(&mut conn, &create_script(&v1)).unwrap();
    assert_eq!(comments(&mut conn), ["check: it's one | fk: it's one | index: it's one | key: it's one"]);

    // New texts on kept objects, and a re-created check (new expression).
    let v2 = commented("no > 1", "two");
    let m = migration(&v1, &v2);
    let sets = m
        .changes
        .changes()
        .iter()
        .filter(|c| matches!(c.kind, ChangeKind::SetConstraintComment { .. } | ChangeKind::SetIndexComment { .. }))
        .count();
    assert_eq!(sets, 4, "{:?}", m.changes.changes());
    run_script(&mut conn, &m.up).unwrap();
    assert_eq!(comments(&mut conn), ["check: two | fk: two | index: two | key: two"]);
    run_script(&mut conn, &m.down).unwrap();
    assert_eq!(comments(&mut conn), ["check: it's one | fk: it's one | index: it's one | key: it's one"]);
}

#[test]
fn a_named_primary_key_builds_under_its_name_and_a_new_name_is_a_rename() {
    let doc = |pk_name: Option<&str>, table: &str| {
        let mut t = json!({"id": "t", "name": table, "columns": [
            {"id": "c_id", "name": "id", "dataType": "integer", "primaryKey": true},
            {"id": "c_x", "name": "x", "dataType": "text"}]});
        if let Some(n) = pk_name {
            t["primaryKeyName"] = json!(n);
        }
        valid_json(&json!({"name": "named keys", "tables": [t]}))
    };
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let v1 = doc(Some("PK Orders"), "orders");
    run_script(&mut conn, &create_script(&v1)).unwrap();
    let keys = |conn: &mut diesel::PgConnection| {
        lines(conn, "SELECT conname || '/' || conindid::regclass::text AS t FROM pg_constraint WHERE contype = 'p' AND connamespace = 'public'::regnamespace")
            .unwrap()
    };
    assert_eq!(keys(&mut conn), ["PK Orders/\"PK Orders\""]);
    execute(&mut conn, "INSERT INTO orders VALUES (1, 'a')").unwrap();
    // A new name, the table renamed under a kept name, and back to the
    // generated name: renames only, rows kept.
    let mut at = v1;
    for (to, expected) in [
        (doc(Some("pk_orders"), "orders"), "pk_orders"),
        (doc(Some("pk_orders"), "purchases"), "pk_orders"),
        (doc(None, "purchases"), "purchases_pkey"),
    ] {
        let m = migration(&at, &to);
        let kinds: Vec<&ChangeKind> = m.changes.changes().iter().map(|c| &c.kind).collect();
        assert!(
            kinds.iter().all(|k| matches!(k, ChangeKind::RenameConstraint { .. } | ChangeKind::RenameTable { .. })),
            "{kinds:?}"
        );
        assert!(m.changes.changes().iter().all(|c| c.safety == Safety::Safe));
        run_script(&mut conn, &m.up).unwrap();
        assert_eq!(keys(&mut conn)[0].split('/').next(), Some(expected));
        let table = to.model().tables[0].name.to_string();
        let rows = lines(&mut conn, &format!("SELECT string_agg(id || x, ',') AS t FROM {table}")).unwrap();
        assert_eq!(rows, ["1a"]);
        at = to;
    }
}
