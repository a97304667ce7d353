//! Carried SQL objects (issue 12) on a real server: functions, a
//! procedure, a trigger that calls a function and a policy that calls one,
//! with row-level security; built as the document says (`pg_get_functiondef`,
//! `pg_get_triggerdef`, `pg_policy`, `pg_depend`), dropped cleanly, and
//! migrated by id: a new body replaced in place under its trigger, a new
//! signature dropped and created again with its dependents, a column type
//! change under a policy, with rows kept.

use schemaforge_domain::{ChangeKind, Safety, ValidSchema};
use schemaforge_sqlgen::{create_script, drop_script, migration};
use schemaforge_testdb::{TestDb, execute};
use schemaforge_tests::{lines, migrate_and_back, run_script, valid_json};
use serde_json::{Value, json};

const TOUCH: &str =
    "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$";

fn document(edit: impl FnOnce(&mut Value)) -> ValidSchema {
    let mut doc = json!({"name": "shop", "tables": [
        {"id": "t1", "name": "orders", "rowLevelSecurity": true, "columns": [
          {"id": "c1", "name": "id", "dataType": "integer", "primaryKey": true},
          {"id": "c2", "name": "owner", "dataType": "text", "nullable": false},
          {"id": "c3", "name": "total", "dataType": "numeric"},
          {"id": "c4", "name": "updated_at", "dataType": "timestamptz"}]}],
      "functions": [
        {"id": "f1", "definition": TOUCH},
        {"id": "f2", "definition": "CREATE FUNCTION allowed(who text) RETURNS boolean LANGUAGE sql STABLE AS $$ SELECT who = current_user $$"},
        {"id": "f3", "definition": "CREATE PROCEDURE tidy() LANGUAGE sql AS $$ DELETE FROM orders WHERE total < 0 $$"}],
      "triggers": [{"id": "g1", "definition": "CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch()"}],
      "policies": [{"id": "p1", "definition": "CREATE POLICY own ON orders USING (allowed(owner))"}]});
    edit(&mut doc);
    valid_json(&doc)
}

fn rows(conn: &mut diesel::PgConnection) -> Vec<String> {
    lines(
        conn,
        "SELECT string_agg(id || ':' || owner || ':' || coalesce(total::text, '-'), ' ' ORDER BY id) AS t FROM orders",
    )
    .unwrap()
}

fn seed(conn: &mut diesel::PgConnection) {
    execute(conn, "INSERT INTO orders (id, owner, total) VALUES (1, 'ann', 10), (2, 'bob', -1)").unwrap();
}

#[test]
fn carried_objects_build_in_dependency_order_work_and_drop_cleanly() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let v1 = document(|_| {});
    let kinds: Vec<&str> = create_script(&v1).statements().iter().map(|s| s.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            // Bodies are checked when they run (as pg_dump's scripts do),
            // so routines whose signatures name no table come first.
            "setting",
            "create_routine",
            "create_routine",
            "create_routine",
            "create_table",
            "row_security",
            "setting",
            "create_trigger",
            "create_policy"
        ]
    );
    run_script(&mut conn, &create_script(&v1)).unwrap();
    let defs = lines(&mut conn, "SELECT p.proname || ' ' || p.prokind::text || ' ' || regexp_replace(pg_get_functiondef(p.oid), '\\s+', ' ', 'g') AS t FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace ORDER BY 1").unwrap();
    assert_eq!(
        defs,
        [
            "allowed f CREATE OR REPLACE FUNCTION public.allowed(who text) RETURNS boolean LANGUAGE sql STABLE AS $function$ SELECT who = current_user $function$ ",
            "tidy p CREATE OR REPLACE PROCEDURE public.tidy() LANGUAGE sql AS $procedure$ DELETE FROM orders WHERE total < 0 $procedure$ ",
            "touch f CREATE OR REPLACE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $function$ BEGIN NEW.updated_at := now(); RETURN NEW; END $function$ ",
        ]
    );
    assert_eq!(
        lines(&mut conn, "SELECT pg_get_triggerdef(oid) AS t FROM pg_trigger WHERE NOT tgisinternal").unwrap(),
        ["CREATE TRIGGER orders_touch BEFORE UPDATE ON public.orders FOR EACH ROW EXECUTE FUNCTION touch()"]
    );
    assert_eq!(
        lines(&mut conn, "SELECT polname || ' ' || pg_get_expr(polqual, polrelid) || ' ' || (SELECT relrowsecurity::text FROM pg_class WHERE oid = polrelid) AS t FROM pg_policy").unwrap(),
        ["own allowed(owner) true"]
    );
    // The trigger depends on its function (pg_depend), and works.
    assert_eq!(
        lines(&mut conn, "SELECT p.proname::text AS t FROM pg_depend d JOIN pg_trigger g ON g.oid = d.objid JOIN pg_proc p ON p.oid = d.refobjid WHERE d.classid = 'pg_trigger'::regclass AND d.refclassid = 'pg_proc'::regclass").unwrap(),
        ["touch"]
    );
    seed(&mut conn);
    execute(&mut conn, "UPDATE orders SET total = 11 WHERE id = 1").unwrap();
    assert_eq!(
        lines(&mut conn, "SELECT (updated_at IS NOT NULL)::text AS t FROM orders WHERE id = 1").unwrap(),
        ["true"]
    );
    execute(&mut conn, "CALL tidy()").unwrap();
    assert_eq!(rows(&mut conn), ["1:ann:11"]);
    run_script(&mut conn, &drop_script(&v1)).unwrap();
    assert_eq!(
        lines(&mut conn, "SELECT count(*)::text AS t FROM pg_proc WHERE pronamespace = 'public'::regnamespace")
            .unwrap(),
        ["0"]
    );
    assert_eq!(
        lines(&mut conn, "SELECT count(*)::text AS t FROM pg_class WHERE relnamespace = 'public'::regnamespace")
            .unwrap(),
        ["0"]
    );
}

#[test]
fn a_new_body_is_replaced_in_place_and_a_new_signature_takes_its_dependents_along() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let v1 = document(|_| {});
    run_script(&mut conn, &create_script(&v1)).unwrap();
    seed(&mut conn);
    let trigger = |conn: &mut diesel::PgConnection| {
        lines(conn, "SELECT g.oid::text AS t FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid WHERE NOT g.tgisinternal AND c.relnamespace = 'public'::regnamespace").unwrap()
    };
    let before = trigger(&mut conn);

    let body = document(|d| {
        d["functions"][0]["definition"] = json!(TOUCH.replace("now()", "clock_timestamp()"));
    });
    let m = migration(&v1, &body);
    let kinds: Vec<&ChangeKind> = m.changes.changes().iter().map(|c| &c.kind).collect();
    assert_eq!(kinds, [&ChangeKind::ReplaceRoutine { object_id: "f1".into() }]);
    assert!(m.up.to_sql().contains("CREATE OR REPLACE FUNCTION touch()"));
    migrate_and_back(&mut conn, &v1, &body, rows);
    assert_eq!(trigger(&mut conn), before, "the trigger stays");

    // allowed() takes another argument type: dropped and created again,
    // with the policy that calls it.
    let signature = document(|d| {
        d["functions"][1]["definition"] = json!(
            "CREATE FUNCTION allowed(who varchar) RETURNS boolean LANGUAGE sql STABLE AS $$ SELECT who = current_user $$"
        );
    });
    let m = migration(&v1, &signature);
    let described: Vec<&str> = m.changes.changes().iter().map(|c| c.description.as_str()).collect();
    assert_eq!(
        described,
        [
            "drop policy own (created again below: routine allowed it calls is created again)",
            "drop function allowed (created again below: its signature or result changes)",
            "create again function allowed",
            "create again policy own",
        ]
    );
    assert_eq!(m.changes.worst(), Some(Safety::Safe));
    migrate_and_back(&mut conn, &v1, &signature, rows);
}

#[test]
fn changes_under_triggers_and_policies_migrate_with_rows_kept() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let v1 = document(|_| {});
    run_script(&mut conn, &create_script(&v1)).unwrap();
    seed(&mut conn);
    for (what, edit) in [
        (
            "a column type change under the policy",
            Box::new(|d: &mut Value| d["tables"][0]["columns"][1]["dataType"] = json!("varchar(40)"))
                as Box<dyn Fn(&mut Value)>,
        ),
        (
            "the table renamed (the statements name it anew)",
            Box::new(|d: &mut Value| {
                d["tables"][0]["name"] = json!("purchases");
                d["triggers"][0]["definition"] = json!(
                    "CREATE TRIGGER orders_touch BEFORE UPDATE ON purchases FOR EACH ROW EXECUTE FUNCTION touch()"
                );
                d["policies"][0]["definition"] = json!("CREATE POLICY own ON purchases USING (allowed(owner))");
                d["functions"][2]["definition"] =
                    json!("CREATE PROCEDURE tidy() LANGUAGE sql AS $$ DELETE FROM purchases WHERE total < 0 $$");
            }),
        ),
        (
            "row-level security off, a trigger and a procedure dropped",
            Box::new(|d: &mut Value| {
                d["tables"][0]["rowLevelSecurity"] = json!(false);
                d["triggers"] = json!([]);
                d["functions"].as_array_mut().unwrap().remove(2);
            }),
        ),
    ] {
        let to = document(edit);
        let m = migration(&v1, &to);
        assert!(!m.changes.is_empty(), "{what}");
        let rows_of = |conn: &mut diesel::PgConnection| {
            let table = if lines(conn, "SELECT (to_regclass('purchases') IS NULL)::text AS t").unwrap() == ["true"] {
                "orders"
            } else {
                "purchases"
            };
            lines(conn, &format!("SELECT string_agg(id || ':' || owner, ' ' ORDER BY id) AS t FROM {table}")).unwrap()
        };
        migrate_and_back(&mut conn, &v1, &to, rows_of);
    }
    // The renamed table keeps its trigger and policy (the same objects).
    let renamed = document(|d| {
        d["tables"][0]["name"] = json!("purchases");
        d["triggers"][0]["definition"] =
            json!("CREATE TRIGGER orders_touch BEFORE UPDATE ON purchases FOR EACH ROW EXECUTE FUNCTION touch()");
        d["policies"][0]["definition"] = json!("CREATE POLICY own ON purchases USING (allowed(owner))");
        d["functions"][2]["definition"] =
            json!("CREATE PROCEDURE tidy() LANGUAGE sql AS $$ DELETE FROM purchases WHERE total < 0 $$");
    });
    let kinds: Vec<ChangeKind> = migration(&v1, &renamed).changes.changes().iter().map(|c| c.kind.clone()).collect();
    assert!(
        !kinds.iter().any(|k| matches!(k, ChangeKind::DropCarried { object_id } if object_id != "f3")),
        "{kinds:#?}"
    );
}

#[test]
fn rules_and_grants_follow_their_view_and_migrate() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let doc = |edit: &dyn Fn(&mut Value)| {
        let mut d = json!({"name": "shop", "tables": [
            {"id": "t1", "name": "orders", "columns": [
              {"id": "c1", "name": "id", "dataType": "integer", "primaryKey": true},
              {"id": "c2", "name": "owner", "dataType": "text", "nullable": false}]}],
          "views": [{"id": "v1", "name": "mine", "query": "SELECT id, owner FROM orders"}],
          "rules": [{"id": "r1", "definition": "CREATE RULE mine_insert AS ON INSERT TO mine DO INSTEAD INSERT INTO orders (id, owner) VALUES (new.id, new.owner)"}],
          "grants": [{"id": "a1", "definition": "GRANT SELECT ON mine TO PUBLIC"},
                     {"id": "a2", "definition": "GRANT SELECT, INSERT ON orders TO PUBLIC"}]});
        edit(&mut d);
        valid_json(&d)
    };
    let v1 = doc(&|_| {});
    run_script(&mut conn, &create_script(&v1)).unwrap();
    execute(&mut conn, "INSERT INTO mine VALUES (1, 'ann')").unwrap();
    assert_eq!(
        lines(&mut conn, "SELECT string_agg(id || ':' || owner, ' ') AS t FROM orders").unwrap(),
        ["1:ann"],
        "the rule works"
    );
    assert_eq!(
        lines(&mut conn, "SELECT c.relname || ' ' || string_agg(a.privilege_type, ',' ORDER BY a.privilege_type) AS t FROM pg_class c, aclexplode(c.relacl) a WHERE a.grantee = 0 AND c.relnamespace = 'public'::regnamespace GROUP BY c.relname ORDER BY 1").unwrap(),
        ["mine SELECT", "orders INSERT,SELECT"]
    );
    let rows = |conn: &mut diesel::PgConnection| {
        lines(conn, "SELECT string_agg(id || ':' || owner, ' ' ORDER BY id) AS t FROM orders").unwrap()
    };
    // A type change under the view: the view is created again, and its
    // rule and grant with it.
    let retyped = doc(&|d| d["tables"][0]["columns"][1]["dataType"] = json!("varchar(40)"));
    let m = migration(&v1, &retyped);
    let described: Vec<&str> = m.changes.changes().iter().map(|c| c.description.as_str()).collect();
    assert!(
        described.contains(&"drop rule mine_insert (created again below: view mine it is on is created again)"),
        "{described:#?}"
    );
    assert!(described.contains(&"create again grant on mine"), "{described:#?}");
    migrate_and_back(&mut conn, &v1, &retyped, rows);
    // Fewer privileges: revoked and granted again; the rule goes.
    let narrower = doc(&|d| {
        d["grants"][1]["definition"] = json!("GRANT SELECT ON orders TO PUBLIC");
        d["rules"] = json!([]);
    });
    let m = migration(&v1, &narrower);
    assert!(m.up.to_sql().contains("REVOKE select, insert ON orders FROM public"), "{}", m.up.to_sql());
    migrate_and_back(&mut conn, &v1, &narrower, rows);
    run_script(&mut conn, &drop_script(&v1)).unwrap();
    assert_eq!(
        lines(&mut conn, "SELECT count(*)::text AS t FROM pg_class WHERE relnamespace = 'public'::regnamespace")
            .unwrap(),
        ["0"]
    );
}

#[test]
fn a_view_that_calls_a_routine_is_created_again_around_its_new_signature() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let with_view = |signature: &str| {
        document(|d| {
            d["functions"][1]["definition"] = json!(format!(
                "CREATE FUNCTION allowed(who {signature}) RETURNS boolean LANGUAGE sql STABLE AS $$ SELECT who = current_user $$"
            ));
            d["views"] =
                json!([{"id": "v1", "name": "visible", "query": "SELECT id FROM orders WHERE allowed(owner)"}]);
        })
    };
    let (v1, v2) = (with_view("text"), with_view("varchar"));
    assert_eq!(v1.model().views[0].calls, ["f2"]);
    run_script(&mut conn, &create_script(&v1)).unwrap();
    seed(&mut conn);
    let m = migration(&v1, &v2);
    let described: Vec<&str> = m.changes.changes().iter().map(|c| c.description.as_str()).collect();
    assert!(
        described.contains(&"drop view visible (re-created below: routine allowed it calls is created again)"),
        "{described:#?}"
    );
    migrate_and_back(&mut conn, &v1, &v2, rows);
}

#[test]
fn a_routine_that_returns_a_view_s_rows_is_created_after_the_view() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let doc = document(|d| {
        d["views"] =
            json!([{"id": "v1", "name": "big_orders", "query": "SELECT id, total FROM orders WHERE total > 100"}]);
        d["functions"].as_array_mut().unwrap().push(json!({"id": "f4", "definition":
            "CREATE FUNCTION biggest() RETURNS SETOF big_orders LANGUAGE sql STABLE AS $$ SELECT * FROM big_orders ORDER BY total DESC $$"}));
    });
    let script = create_script(&doc);
    let targets: Vec<&str> = script.statements().iter().map(|s| s.target.as_str()).collect();
    let at = |needle: &str| {
        targets.iter().position(|t| t.contains(needle)).unwrap_or_else(|| panic!("{needle}: {targets:?}"))
    };
    assert!(at("big_orders") < at("biggest"), "{targets:?}");
    assert!(at("biggest") < at("orders_touch"), "{targets:?}");
    run_script(&mut conn, &script).unwrap();
    execute(&mut conn, "INSERT INTO orders (id, owner, total) VALUES (1, 'ann', 500), (2, 'bob', 5)").unwrap();
    assert_eq!(lines(&mut conn, "SELECT string_agg(id::text, ',') AS t FROM biggest()").unwrap(), ["1"]);
    run_script(&mut conn, &drop_script(&doc)).unwrap();
    // A migration that adds both creates the view first, and back.
    let other = TestDb::create().unwrap();
    let mut conn = other.connect().unwrap();
    let before = document(|_| {});
    run_script(&mut conn, &create_script(&before)).unwrap();
    seed(&mut conn);
    migrate_and_back(&mut conn, &before, &doc, rows);
}
