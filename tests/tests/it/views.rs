//! Views and materialized views (issue 12) on a real server: the create
//! script builds what the document says (`pg_class`, `pg_get_viewdef`,
//! `pg_depend`, indexes, comments), in dependency order, and drops cleanly;
//! migrations keep a view under renames (same OID: PostgreSQL's view
//! follows by identity), re-create it around a column type change it
//! could not survive, and keep every row.

use schemaforge_domain::{ChangeKind, Safety, ValidSchema};
use schemaforge_sqlgen::{create_script, drop_script, migration};
use schemaforge_testdb::{TestDb, execute};
use schemaforge_tests::{assert_fresh_build_equals, lines, migrate_and_back, run_script, valid_json};
use serde_json::{Value, json};

/// Users and orders, a view over users, a view over that view (in namespace
/// `reports`), and a materialized view of totals with two indexes.
fn document(edit: impl FnOnce(&mut Value)) -> ValidSchema {
    let mut doc = json!({"name": "shop", "namespaces": [{"id": "ns1", "name": "reports"}],
      "tables": [
        {"id": "t1", "name": "users", "columns": [
          {"id": "c1", "name": "id", "dataType": "integer", "primaryKey": true},
          {"id": "c2", "name": "name", "dataType": "text"},
          {"id": "c3", "name": "active", "dataType": "boolean", "nullable": false, "default": true}]},
        {"id": "t2", "name": "orders", "columns": [
          {"id": "o1", "name": "id", "dataType": "integer", "primaryKey": true},
          {"id": "o2", "name": "user_id", "dataType": "integer"},
          {"id": "o3", "name": "total", "dataType": "numeric", "precision": 10, "scale": 2}],
         "indexes": [{"id": "oi1", "columnIds": ["o2"]}]}],
      "foreignKeys": [{"id": "f1", "sourceTableId": "t2", "sourceColumnIds": ["o2"], "targetTableId": "t1", "targetColumnIds": ["c1"]}],
      "views": [
        {"id": "v2", "name": "big_spenders", "namespaceId": "ns1", "comment": "over 100",
         "query": "SELECT a.id, a.name FROM active_users a JOIN orders o ON o.user_id = a.id GROUP BY a.id, a.name HAVING sum(o.total) > 100"},
        {"id": "v1", "name": "active_users", "query": "SELECT id, name FROM users WHERE active"},
        {"id": "v3", "name": "user_totals", "materialized": true,
         "query": "SELECT u.id AS user_id, coalesce(sum(o.total), 0) AS total FROM users u LEFT JOIN orders o ON o.user_id = u.id GROUP BY u.id",
         "indexes": [{"id": "vi1", "columns": ["user_id"], "unique": true}, {"id": "vi2", "columns": ["total"], "comment": "by total"}]}]});
    edit(&mut doc);
    valid_json(&doc)
}

fn seed(conn: &mut diesel::PgConnection) {
    execute(conn, "INSERT INTO users (id, name, active) VALUES (1, 'ann', true), (2, 'bob', true), (3, 'cy', false)")
        .unwrap();
    execute(conn, "INSERT INTO orders (id, user_id, total) VALUES (1, 1, 80), (2, 1, 40), (3, 2, 5), (4, 3, 500)")
        .unwrap();
}

/// Every row of both tables (the users table under either of its names).
fn rows(conn: &mut diesel::PgConnection) -> Vec<String> {
    let renamed = lines(conn, "SELECT (to_regclass('people') IS NOT NULL)::text AS t").unwrap() == ["true"];
    let users = if renamed { "people" } else { "users" };
    lines(
        conn,
        &format!(
            "SELECT (SELECT string_agg(u::text, ';' ORDER BY 1) FROM {users} u) || ' | ' ||
                    (SELECT string_agg(o::text, ';' ORDER BY 1) FROM orders o) AS t"
        ),
    )
    .unwrap()
}

fn oid(conn: &mut diesel::PgConnection, relation: &str) -> String {
    lines(conn, &format!("SELECT '{relation}'::regclass::oid::text AS t")).unwrap().concat()
}

#[test]
fn views_build_in_dependency_order_read_right_and_drop_cleanly() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let v1 = document(|_| {});
    // big_spenders comes first in the document but reads active_users.
    let order: Vec<String> =
        create_script(&v1).statements().iter().filter(|s| s.sql.contains(" VIEW ")).map(|s| s.target.clone()).collect();
    assert_eq!(order[..3], ["view \"active_users\"", "view \"big_spenders\"", "materialized view \"user_totals\""]);
    run_script(&mut conn, &create_script(&v1)).unwrap();
    let facts = lines(
        &mut conn,
        "SELECT n.nspname || '.' || c.relname || ' ' || c.relkind::text || ' ' || coalesce(obj_description(c.oid, 'pg_class'), '-')
                || ' ' || btrim(regexp_replace(pg_get_viewdef(c.oid), '\\s+', ' ', 'g')) AS t
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind IN ('v', 'm') AND n.nspname IN ('public', 'reports') ORDER BY 1",
    )
    .unwrap();
    assert_eq!(
        facts,
        [
            "public.active_users v - SELECT users.id, users.name FROM users WHERE users.active;",
            "public.user_totals m - SELECT u.id AS user_id, COALESCE(sum(o.total), (0)::numeric) AS total FROM (users u LEFT JOIN orders o ON ((o.user_id = u.id))) GROUP BY u.id;",
            "reports.big_spenders v over 100 SELECT a.id, a.name FROM (active_users a JOIN orders o ON ((o.user_id = a.id))) GROUP BY a.id, a.name HAVING (sum(o.total) > (100)::numeric);",
        ]
    );
    // pg_depend (through each view's rewrite rule) has what the model reads.
    let depends = lines(
        &mut conn,
        "SELECT DISTINCT v.relname || ' -> ' || t.relname AS t FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
           JOIN pg_class v ON v.oid = r.ev_class JOIN pg_class t ON t.oid = d.refobjid
          WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass AND t.oid <> v.oid
            AND v.relnamespace IN ('public'::regnamespace, 'reports'::regnamespace) ORDER BY 1",
    )
    .unwrap();
    assert_eq!(
        depends,
        [
            "active_users -> users",
            "big_spenders -> active_users",
            "big_spenders -> orders",
            "user_totals -> orders",
            "user_totals -> users"
        ]
    );
    let model = v1.model();
    let reads: Vec<String> = model.views.iter().map(|v| format!("{} {}", v.name, v.reads.join(","))).collect();
    assert_eq!(reads, ["active_users t1", "big_spenders v1,t2", "user_totals t1,t2"]);
    assert_eq!(
        lines(&mut conn, "SELECT indexname || ' ' || indexdef || ' ' || coalesce(obj_description(indexname::regclass, 'pg_class'), '-') AS t FROM pg_indexes WHERE tablename = 'user_totals' ORDER BY 1").unwrap(),
        [
            "user_totals_total_idx CREATE INDEX user_totals_total_idx ON public.user_totals USING btree (total) by total",
            "user_totals_user_id_idx CREATE UNIQUE INDEX user_totals_user_id_idx ON public.user_totals USING btree (user_id) -",
        ]
    );
    seed(&mut conn);
    execute(&mut conn, "REFRESH MATERIALIZED VIEW user_totals").unwrap();
    assert_eq!(
        lines(&mut conn, "SELECT string_agg(b::text, ';' ORDER BY id) AS t FROM reports.big_spenders b").unwrap(),
        ["(1,ann)"]
    );
    assert_eq!(
        lines(&mut conn, "SELECT string_agg(t::text, ';' ORDER BY user_id) AS t FROM user_totals t").unwrap(),
        ["(1,120.00);(2,5.00);(3,500.00)"]
    );
    run_script(&mut conn, &drop_script(&v1)).unwrap();
    assert_eq!(
        lines(&mut conn, "SELECT count(*)::text AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('public', 'reports')").unwrap(),
        ["0"]
    );
}

#[test]
fn renames_under_a_view_keep_it_and_a_type_change_re_creates_it_with_rows_kept() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let v1 = document(|_| {});
    run_script(&mut conn, &create_script(&v1)).unwrap();
    seed(&mut conn);
    let before =
        [oid(&mut conn, "active_users"), oid(&mut conn, "reports.big_spenders"), oid(&mut conn, "user_totals")];

    // Table and column renames (the queries name them anew), a view rename,
    // an output column renamed with AS: the views stay (same OIDs).
    let renamed = document(|d| {
        d["tables"][0]["name"] = json!("people");
        d["tables"][0]["columns"][1]["name"] = json!("full_name");
        d["views"][0]["query"] = json!(
            "SELECT a.id, a.name FROM live_people a JOIN orders o ON o.user_id = a.id GROUP BY a.id, a.name HAVING sum(o.total) > 100"
        );
        d["views"][1]["name"] = json!("live_people");
        d["views"][1]["query"] = json!("SELECT id, full_name AS name FROM people WHERE active");
        d["views"][2]["query"] = json!(
            "SELECT u.id AS person_id, coalesce(sum(o.total), 0) AS total FROM people u LEFT JOIN orders o ON o.user_id = u.id GROUP BY u.id"
        );
        d["views"][2]["indexes"][0]["columns"] = json!(["person_id"]);
    });
    let m = migration(&v1, &renamed);
    let kinds: Vec<&ChangeKind> = m.changes.changes().iter().map(|c| &c.kind).collect();
    assert!(
        !kinds.iter().any(|k| matches!(k, ChangeKind::DropView { .. } | ChangeKind::CreateView { .. })),
        "{kinds:#?}"
    );
    assert!(kinds.contains(&&ChangeKind::RenameView {
        view_id: "v1".into(),
        from: "active_users".into(),
        to: "live_people".into()
    }));
    assert!(kinds.contains(&&ChangeKind::RenameViewColumn {
        view_id: "v3".into(),
        from: "user_id".into(),
        to: "person_id".into()
    }));
    assert_eq!(m.changes.worst(), Some(Safety::Safe));
    let (_, after) = migrate_and_back(&mut conn, &v1, &renamed, rows);
    assert_eq!(after, rows(&mut conn));
    assert_eq!(
        [oid(&mut conn, "active_users"), oid(&mut conn, "reports.big_spenders"), oid(&mut conn, "user_totals")],
        before
    );

    // A type change of a column the views read: PostgreSQL refuses ALTER
    // COLUMN TYPE under a view, so they are dropped and re-created around it.
    let widened = document(|d| d["tables"][0]["columns"][0]["dataType"] = json!("bigint"));
    let m = migration(&v1, &widened);
    let described: Vec<&str> = m.changes.changes().iter().map(|c| c.description.as_str()).collect();
    assert_eq!(
        described[..3],
        [
            "drop materialized view user_totals (re-created below: table users changes a column type or loses a column it may read)",
            "drop view reports.big_spenders (re-created below: view active_users it reads is re-created)",
            "drop view active_users (re-created below: table users changes a column type or loses a column it may read)",
        ]
    );
    assert_eq!(m.changes.worst(), Some(Safety::MayFail), "a materialized view runs its query");
    migrate_and_back(&mut conn, &v1, &widened, rows);
    assert_eq!(
        lines(&mut conn, "SELECT string_agg(t::text, ';' ORDER BY user_id) AS t FROM user_totals t").unwrap(),
        ["(1,120.00);(2,5.00);(3,500.00)"]
    );
}

#[test]
fn view_edits_migrate_by_id_and_back() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let v1 = document(|_| {});
    run_script(&mut conn, &create_script(&v1)).unwrap();
    seed(&mut conn);
    for (what, edit) in [
        (
            "a new query",
            Box::new(|d: &mut Value| d["views"][1]["query"] = json!("SELECT id, name FROM users WHERE NOT active"))
                as Box<dyn Fn(&mut Value)>,
        ),
        (
            "a new view and index",
            Box::new(|d: &mut Value| {
                d["views"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"id": "v4", "name": "names", "query": "SELECT name FROM reports.big_spenders"}));
                d["views"][2]["indexes"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"id": "vi3", "name": "totals_both", "columns": ["total", "user_id"]}));
            }),
        ),
        (
            "a view dropped, an index dropped, comments changed",
            Box::new(|d: &mut Value| {
                d["views"].as_array_mut().unwrap().remove(0);
                d["views"][1]["indexes"].as_array_mut().unwrap().remove(1);
                d["views"][0]["comment"] = json!("only the active ones");
                d["views"][1]["indexes"][0]["comment"] = json!("one row per user");
            }),
        ),
        ("materialized", Box::new(|d: &mut Value| d["views"][1]["materialized"] = json!(true))),
        ("moved to a namespace", Box::new(|d: &mut Value| d["views"][2]["namespaceId"] = json!("ns1"))),
        (
            "a column dropped that a view does not read",
            Box::new(|d: &mut Value| {
                d["tables"][1]["columns"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"id": "o4", "name": "note", "dataType": "text"}));
            }),
        ),
    ] {
        let to = document(edit);
        let m = migration(&v1, &to);
        assert!(!m.changes.is_empty(), "{what}");
        migrate_and_back(&mut conn, &v1, &to, rows);
        assert_fresh_build_equals(&mut conn, &v1);
    }
}
