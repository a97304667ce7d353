//! Partitioned tables (issue 12) on a real server: the create script
//! builds what the document says (`pg_partitioned_table`, `pg_inherits`,
//! bounds, propagated and own indexes) and drops cleanly; partitions are
//! added, dropped, renamed, re-bound (detached and attached again) and
//! indexed by id with rows kept; a table whose partitioning changes is
//! dropped and created again, as its class says.

use schemaforge_domain::{ChangeKind, Safety, ValidSchema};
use schemaforge_sqlgen::{create_script, drop_script, migration};
use schemaforge_testdb::{TestDb, execute};
use schemaforge_tests::{assert_fresh_build_equals, lines, migrate_and_back, run_script, valid_json};
use serde_json::{Value, json};

/// Events partitioned by range of a date (in namespace `audit`, with a
/// default partition and an index of one partition's own), tags by list,
/// shards by hash; an order table references the shards.
fn document(edit: impl FnOnce(&mut Value)) -> ValidSchema {
    let mut doc = json!({"name": "events", "namespaces": [{"id": "ns", "name": "audit"}],
     "tables": [
      {"id": "t1", "name": "events", "namespaceId": "ns", "columns": [
        {"id": "c1", "name": "id", "dataType": "bigint", "autoIncrement": true},
        {"id": "c2", "name": "at", "dataType": "date", "nullable": false},
        {"id": "c3", "name": "kind", "dataType": "text"}],
       "primaryKey": ["c1", "c2"],
       "indexes": [{"id": "i1", "name": "events_by_kind", "columnIds": ["c3"]}],
       "partitionBy": {"strategy": "range", "columns": ["c2"]},
       "partitions": [
         {"id": "p1", "name": "events_2024", "bound": {"from": ["2024-01-01"], "to": ["2025-01-01"]},
          "indexes": [{"id": "pi1", "columnIds": ["c3", "c1"]}], "comment": "2024"},
         {"id": "p2", "name": "events_2025", "bound": {"from": ["2025-01-01"], "to": ["2026-01-01"]}},
         {"id": "p3", "name": "events_rest", "bound": {"default": true}}]},
      {"id": "t2", "name": "tags", "withoutPrimaryKey": true, "columns": [
        {"id": "g1", "name": "region", "dataType": "text"}, {"id": "g2", "name": "n", "dataType": "integer"}],
       "partitionBy": {"strategy": "list", "columns": ["g1"]},
       "partitions": [{"id": "q1", "name": "tags_eu", "bound": {"in": ["de", "fr", null]}},
                      {"id": "q2", "name": "tags_us", "bound": {"in": ["us"]}}]},
      {"id": "t3", "name": "shards", "columns": [{"id": "h1", "name": "id", "dataType": "integer", "primaryKey": true}],
       "partitionBy": {"strategy": "hash", "columns": ["h1"]},
       "partitions": [{"id": "s0", "name": "shards_0", "bound": {"modulus": 2, "remainder": 0}},
                      {"id": "s1", "name": "shards_1", "bound": {"modulus": 2, "remainder": 1}}]},
      {"id": "t4", "name": "orders", "columns": [
        {"id": "o1", "name": "id", "dataType": "integer", "primaryKey": true},
        {"id": "o2", "name": "shard_id", "dataType": "integer"}], "indexes": [{"id": "oi", "columnIds": ["o2"]}]}],
     "foreignKeys": [{"id": "f1", "sourceTableId": "t4", "sourceColumnIds": ["o2"], "targetTableId": "t3", "targetColumnIds": ["h1"]}]});
    edit(&mut doc);
    valid_json(&doc)
}

/// An edit of the document's JSON.
type Edit = Box<dyn Fn(&mut Value)>;

fn seed(conn: &mut diesel::PgConnection) {
    execute(
        conn,
        "INSERT INTO audit.events (at, kind) VALUES ('2024-03-01', 'a'), ('2025-06-01', 'b'), ('2030-01-01', 'c')",
    )
    .unwrap();
    execute(conn, "INSERT INTO tags VALUES ('de', 1), ('us', 2), (NULL, 3)").unwrap();
    execute(conn, "INSERT INTO shards VALUES (1), (2), (3)").unwrap();
    execute(conn, "INSERT INTO orders VALUES (1, 1), (2, 3)").unwrap();
}

/// Every row, with the partition that holds it.
fn rows(conn: &mut diesel::PgConnection) -> Vec<String> {
    // A detached partition's rows are read from it.
    let detached = lines(
        conn,
        "SELECT (NOT EXISTS (SELECT FROM pg_inherits WHERE inhrelid = 'audit.events_2025'::regclass))::text AS t",
    )
    .unwrap()
        == ["true"];
    let extra = if detached { "UNION ALL SELECT 'audit.events_2025:' || d::text FROM audit.events_2025 d" } else { "" };
    lines(
        conn,
        &format!(
            "SELECT string_agg(t, ' ' ORDER BY t) AS t FROM (
           SELECT tableoid::regclass::text || ':' || e::text AS t FROM audit.events e {extra}
           UNION ALL SELECT tableoid::regclass::text || ':' || g::text FROM tags g
           UNION ALL SELECT tableoid::regclass::text || ':' || s::text FROM shards s
           UNION ALL SELECT 'orders:' || o::text FROM orders o) x"
        ),
    )
    .unwrap()
}

#[test]
fn partitions_build_as_the_document_says_and_drop_cleanly() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let v1 = document(|_| {});
    run_script(&mut conn, &create_script(&v1)).unwrap();
    assert_eq!(
        lines(&mut conn, "SELECT c.relname || ' ' || p.partstrat::text || ' ' || pg_get_partkeydef(c.oid) AS t FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid ORDER BY 1").unwrap(),
        ["events r RANGE (at)", "shards h HASH (id)", "tags l LIST (region)"]
    );
    assert_eq!(
        lines(&mut conn, "SELECT p.relname || ' <- ' || c.relname || ' ' || pg_get_expr(c.relpartbound, c.oid) AS t FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE c.relkind = 'r' ORDER BY 1").unwrap(),
        [
            "events <- events_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
            "events <- events_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
            "events <- events_rest DEFAULT",
            "shards <- shards_0 FOR VALUES WITH (modulus 2, remainder 0)",
            "shards <- shards_1 FOR VALUES WITH (modulus 2, remainder 1)",
            "tags <- tags_eu FOR VALUES IN ('de', 'fr', NULL)",
            "tags <- tags_us FOR VALUES IN ('us')",
        ]
    );
    // The parent's key and index are on every partition (PostgreSQL's
    // names); events_2024 has one of its own, which the model named.
    assert_eq!(
        lines(
            &mut conn,
            "SELECT string_agg(indexname, ' ' ORDER BY indexname) AS t FROM pg_indexes WHERE tablename = 'events_2024'"
        )
        .unwrap(),
        ["events_2024_kind_id_idx events_2024_kind_idx events_2024_pkey"]
    );
    assert_eq!(v1.model().tables[0].partitions[0].indexes[0].name.as_str(), "events_2024_kind_id_idx");
    assert_eq!(
        lines(&mut conn, "SELECT obj_description('audit.events_2024'::regclass, 'pg_class') AS t").unwrap(),
        ["2024"]
    );
    seed(&mut conn);
    assert_eq!(
        rows(&mut conn),
        [
            "audit.events_2024:(1,2024-03-01,a) audit.events_2025:(2,2025-06-01,b) audit.events_rest:(3,2030-01-01,c) orders:(1,1) orders:(2,3) shards_0:(1) shards_0:(2) shards_1:(3) tags_eu:(,3) tags_eu:(de,1) tags_us:(us,2)"
        ]
    );
    run_script(&mut conn, &drop_script(&v1)).unwrap();
    assert_eq!(
        lines(&mut conn, "SELECT count(*)::text AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('public', 'audit')").unwrap(),
        ["0"]
    );
}

#[test]
fn partition_edits_migrate_by_id_with_rows_kept_and_back() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let v1 = document(|_| {});
    run_script(&mut conn, &create_script(&v1)).unwrap();
    seed(&mut conn);
    let cases: Vec<(&str, Edit, Safety)> = vec![
        (
            "a new partition beside a default one",
            Box::new(|d: &mut Value| {
                d["tables"][0]["partitions"].as_array_mut().unwrap().push(
                    json!({"id": "p4", "name": "events_2026", "bound": {"from": ["2026-01-01"], "to": ["2027-01-01"]}}),
                );
            }),
            Safety::MayFail,
        ),
        (
            "a renamed partition and its own index",
            Box::new(|d: &mut Value| {
                d["tables"][0]["partitions"][0]["name"] = json!("events_y2024");
                d["tables"][0]["partitions"][0]["indexes"][0]["name"] = json!("y2024_kind");
                d["tables"][0]["partitions"][0]["comment"] = json!("the year 2024");
            }),
            Safety::Safe,
        ),
        (
            "a wider bound: detached and attached again",
            Box::new(|d: &mut Value| {
                d["tables"][0]["partitions"][1]["bound"] = json!({"from": ["2025-01-01"], "to": ["2028-01-01"]});
                d["tables"][1]["partitions"][1]["bound"] = json!({"in": ["us", "ca"]});
            }),
            Safety::MayFail,
        ),
        (
            "a new own index, a new column and a new parent index",
            Box::new(|d: &mut Value| {
                d["tables"][0]["partitions"][1]["indexes"] = json!([{"id": "pi2", "columnIds": ["c1"]}]);
                d["tables"][0]["columns"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"id": "c4", "name": "note", "dataType": "text"}));
                d["tables"][0]["indexes"].as_array_mut().unwrap().push(json!({"id": "i2", "columnIds": ["c4"]}));
            }),
            Safety::LocksTable,
        ),
        (
            "the table moves to public with its partitions",
            Box::new(|d: &mut Value| {
                d["tables"][0].as_object_mut().unwrap().remove("namespaceId");
            }),
            Safety::Safe,
        ),
    ];
    for (what, edit, worst) in cases {
        let to = document(edit);
        let m = migration(&v1, &to);
        assert_eq!(m.changes.worst(), Some(worst), "{what}: {:#?}", m.changes);
        let rows_of = |conn: &mut diesel::PgConnection| {
            // The moved table is read where it is.
            let at = if lines(conn, "SELECT (to_regclass('audit.events') IS NULL)::text AS t").unwrap() == ["true"] {
                "public"
            } else {
                "audit"
            };
            let mut out =
                lines(conn, &format!("SELECT string_agg(e::text, ' ' ORDER BY e::text) AS t FROM {at}.events e"))
                    .unwrap();
            out.extend(lines(conn, "SELECT string_agg(g::text, ' ' ORDER BY g::text) AS t FROM tags g").unwrap());
            out
        };
        migrate_and_back(&mut conn, &v1, &to, rows_of);
    }
}

#[test]
fn a_new_partition_fails_on_rows_the_default_partition_holds_for_it() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let v1 = document(|_| {});
    run_script(&mut conn, &create_script(&v1)).unwrap();
    seed(&mut conn);
    let to = document(|d| {
        d["tables"][0]["partitions"]
            .as_array_mut()
            .unwrap()
            .push(json!({"id": "p4", "name": "events_2030", "bound": {"from": ["2030-01-01"], "to": ["2031-01-01"]}}));
    });
    let m = migration(&v1, &to);
    assert_eq!(m.changes.worst(), Some(Safety::MayFail));
    execute(&mut conn, "BEGIN").unwrap();
    let failure = run_script(&mut conn, &m.up).unwrap_err();
    execute(&mut conn, "ROLLBACK").unwrap();
    assert!(failure.to_string().contains("default partition"), "{failure}");
}

#[test]
fn dropping_and_repartitioning_lose_rows_as_their_class_says() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let v1 = document(|_| {});
    run_script(&mut conn, &create_script(&v1)).unwrap();
    seed(&mut conn);
    // shards goes from hash to range; orders references it (its foreign key
    // is dropped and added again around the new table).
    let to = document(|d| {
        d["tables"][2]["partitionBy"]["strategy"] = json!("range");
        d["tables"][2]["partitions"] =
            json!([{"id": "s0", "name": "shards_low", "bound": {"from": ["MINVALUE"], "to": [100]}}]);
        d["tables"][0]["partitions"].as_array_mut().unwrap().remove(1);
    });
    let m = migration(&v1, &to);
    let kinds: Vec<&ChangeKind> = m.changes.changes().iter().map(|c| &c.kind).collect();
    assert!(kinds.contains(&&ChangeKind::DropTable { table_id: "t3".into() }), "{kinds:#?}");
    assert!(kinds.contains(&&ChangeKind::DropPartition { table_id: "t1".into(), partition_id: "p2".into() }));
    assert_eq!(m.changes.worst(), Some(Safety::DataLoss));
    execute(&mut conn, "DELETE FROM orders").unwrap();
    run_script(&mut conn, &m.up).unwrap_or_else(|e| panic!("{e}\n{}", m.up.to_sql()));
    assert_fresh_build_equals(&mut conn, &to);
    assert_eq!(lines(&mut conn, "SELECT count(*)::text AS t FROM shards").unwrap(), ["0"]);
    run_script(&mut conn, &m.down).unwrap_or_else(|e| panic!("{e}\n{}", m.down.to_sql()));
    assert_fresh_build_equals(&mut conn, &v1);
}

#[test]
fn a_detached_partition_becomes_a_table_with_its_rows_and_attaches_again() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let v1 = document(|_| {});
    run_script(&mut conn, &create_script(&v1)).unwrap();
    seed(&mut conn);
    // events_2025 leaves events and is a table of its own, of the same id,
    // with an identity and a comment of its own now.
    let detached = document(|d| {
        d["tables"][0]["partitions"].as_array_mut().unwrap().remove(1);
        d["tables"].as_array_mut().unwrap().push(json!({"id": "p2", "name": "events_2025", "namespaceId": "ns",
            "comment": "2025, kept apart",
            "columns": [
              {"id": "d1", "name": "id", "dataType": "bigint", "nullable": false},
              {"id": "d2", "name": "at", "dataType": "date", "nullable": false},
              {"id": "d3", "name": "kind", "dataType": "text", "comment": "what happened"}],
            "primaryKey": ["d1", "d2"], "indexes": [{"id": "dx", "columnIds": ["d3"]}]}));
    });
    let m = migration(&v1, &detached);
    let kinds: Vec<&ChangeKind> = m.changes.changes().iter().map(|c| &c.kind).collect();
    assert_eq!(kinds[0], &ChangeKind::DetachPartitionAsTable { table_id: "t1".into(), partition_id: "p2".into() });
    assert!(
        !kinds.iter().any(|k| matches!(k, ChangeKind::DropPartition { .. } | ChangeKind::AddTable { .. })),
        "{kinds:#?}"
    );
    assert_eq!(m.changes.worst(), Some(Safety::Safe), "{:#?}", m.changes);
    assert_eq!(migration(&detached, &v1).changes.worst(), Some(Safety::MayFail), "attaching it scans it");
    let oid =
        |conn: &mut diesel::PgConnection| lines(conn, "SELECT 'audit.events_2025'::regclass::oid::text AS t").unwrap();
    let before = oid(&mut conn);
    let (_, after) = migrate_and_back(&mut conn, &v1, &detached, rows);
    assert_eq!(oid(&mut conn), before, "the same table throughout");
    assert!(after[0].contains("audit.events_2025:(2,2025-06-01,b)"), "{after:?}");
}
