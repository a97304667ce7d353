//! Schema evolution end to end: a provisioned database holding rows is
//! migrated in place through a series of edits made over the API, and keeps
//! its data; data loss needs consent; a failing change leaves the database
//! exactly as it was; rollback goes back.

use awc::http::StatusCode;
use diesel::{Connection, PgConnection};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

fn v1() -> Value {
    json!({
        "name": "crm",
        "tables": [
            {"id": "customers", "name": "customers", "columns": [
                {"id": "c_id", "name": "id", "dataType": "bigint", "primaryKey": true, "autoIncrement": true},
                {"id": "c_name", "name": "name", "dataType": "varchar(50)", "nullable": false},
                {"id": "c_nick", "name": "nickname", "dataType": "text"},
                {"id": "c_legacy", "name": "legacy_code", "dataType": "text"}
            ]},
            {"id": "orders", "name": "orders", "columns": [
                {"id": "o_id", "name": "id", "dataType": "bigint", "primaryKey": true, "autoIncrement": true},
                {"id": "o_customer", "name": "customer_id", "dataType": "bigint", "nullable": false},
                {"id": "o_total", "name": "total", "dataType": "numeric(10,2)", "nullable": false}
            ], "indexes": [{"id": "ix_customer", "columnIds": ["o_customer"]}]}
        ],
        "foreignKeys": [{"id": "fk_customer", "sourceTableId": "orders", "sourceColumnId": "o_customer",
                         "targetTableId": "customers", "targetColumnId": "c_id", "onDelete": "CASCADE"}]
    })
}

fn column<'a>(doc: &'a mut Value, table: usize, id: &str) -> &'a mut Value {
    doc["tables"][table]["columns"].as_array_mut().unwrap().iter_mut().find(|c| c["id"] == id).unwrap()
}

struct Session<'a> {
    app: &'a TestApp,
    token: String,
    id: String,
    version: i64,
    doc: Value,
}

impl Session<'_> {
    /// Save the edited document as the next version.
    async fn save(&mut self) {
        let etag = format!("\"{}\"", self.version);
        let r = self
            .app
            .call_with(
                "PUT",
                &format!("/schemas/{}", self.id),
                Some(&self.token),
                Some(&self.doc),
                &[("If-Match", &etag)],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        self.version = r.json()["version"].as_i64().unwrap();
    }

    async fn post(&self, path: &str) -> crate::helpers::Reply {
        self.app.call("POST", &format!("/schemas/{}{path}", self.id), Some(&self.token), None).await
    }

    /// Migrate; must succeed and reach the current version.
    async fn migrate(&self) -> Value {
        let r = self.post("/database/migrate").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let body = r.json();
        assert_eq!(body["to"].as_i64(), Some(self.version));
        assert_eq!(body["database"]["appliedVersion"].as_i64(), Some(self.version));
        assert_eq!(body["database"]["upToDate"], true);
        body
    }

    async fn diff(&self) -> Value {
        let r = self.app.get(&format!("/schemas/{}/diff", self.id), Some(&self.token)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        r.json()
    }
}

fn query_text(conn: &mut PgConnection, sql: &str) -> Vec<String> {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        v: String,
    }
    diesel::sql_query(sql).load::<Row>(conn).unwrap().into_iter().map(|r| r.v).collect()
}

/// The database's structure as `pg_dump --schema-only` prints it.
fn dump(url: &str) -> String {
    let out = std::process::Command::new("pg_dump")
        .args(["--schema-only", "--no-owner", "--no-privileges", "--schema=public", "-d", url])
        .output()
        .expect("pg_dump on PATH");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // `\restrict` lines carry a random key per run (pg_dump 15.14+).
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("\\restrict") && !l.starts_with("\\unrestrict"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[actix_web::test]
async fn edits_are_migrated_in_place_and_the_data_stays() {
    let app = spawn_app().await;
    let (token, _) = app.register("ada@example.com").await;
    let r = app.call("POST", "/schemas", Some(&token), Some(&v1())).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_string();
    let mut s = Session { app: &app, token, id, version: 1, doc: v1() };
    assert_eq!(s.post("/database").await.status, StatusCode::CREATED);
    let r = app.get(&format!("/schemas/{}/database/connection", s.id), Some(&s.token)).await;
    let url = r.json()["url"].as_str().unwrap().to_string();
    let mut conn = PgConnection::establish(&url).unwrap();
    schemaforge_testdb::execute(
        &mut conn,
        "INSERT INTO customers (name, legacy_code) VALUES ('Ada Lovelace', 'L-1'), ('Grace Hopper', NULL);
         INSERT INTO orders (customer_id, total) SELECT id, 12.50 FROM customers;",
    )
    .unwrap();
    let nothing = s.post("/database/migrate").await.json();
    assert_eq!((nothing["applied"].clone(), nothing["changes"].as_array().unwrap().len()), (json!(false), 0));

    // 1. Rename a column: a RENAME by id, the data stays.
    column(&mut s.doc, 0, "c_name")["name"] = json!("full_name");
    s.save().await;
    let d = s.diff().await;
    assert_eq!((d["from"].as_i64(), d["to"].as_i64()), (Some(1), Some(2)));
    assert_eq!(d["changes"][0]["kind"]["type"], "rename_column");
    assert_eq!(d["summary"]["worst"], "safe");
    assert!(d["up"].as_str().unwrap().contains("RENAME COLUMN \"name\" TO \"full_name\""), "{}", d["up"]);
    assert!(d["down"].as_str().unwrap().contains("RENAME COLUMN \"full_name\" TO \"name\""));
    s.migrate().await;
    let names = query_text(&mut conn, "SELECT full_name AS v FROM customers ORDER BY id");
    assert_eq!(names, ["Ada Lovelace", "Grace Hopper"]);

    // 2. A NOT NULL column with a default: existing rows get it.
    s.doc["tables"][0]["columns"].as_array_mut().unwrap().push(
        json!({"id": "c_status", "name": "status", "dataType": "varchar(20)", "nullable": false, "default": "active"}),
    );
    s.save().await;
    s.migrate().await;
    assert_eq!(query_text(&mut conn, "SELECT status AS v FROM customers ORDER BY id"), ["active", "active"]);

    // 3. An index.
    s.doc["tables"][1]["indexes"].as_array_mut().unwrap().push(json!({"id": "ix_total", "columnIds": ["o_total"]}));
    s.save().await;
    s.migrate().await;
    assert_eq!(
        query_text(&mut conn, "SELECT indexname::text AS v FROM pg_indexes WHERE indexname = 'orders_total_idx'"),
        ["orders_total_idx"]
    );

    // 4. varchar(50) -> text: widening, the data stays.
    column(&mut s.doc, 0, "c_name")["dataType"] = json!("text");
    s.save().await;
    s.migrate().await;
    assert_eq!(
        query_text(
            &mut conn,
            "SELECT data_type::text AS v FROM information_schema.columns WHERE table_name = 'customers' AND column_name = 'full_name'"
        ),
        ["text"]
    );
    assert_eq!(
        query_text(&mut conn, "SELECT full_name AS v FROM customers ORDER BY id"),
        ["Ada Lovelace", "Grace Hopper"]
    );

    // 5. Dropping a column loses data: refused without consent, nothing applied.
    let before_drop = s.version;
    s.doc["tables"][0]["columns"].as_array_mut().unwrap().retain(|c| c["id"] != "c_legacy");
    s.save().await;
    let d = s.diff().await;
    assert_eq!((d["summary"]["dataLoss"].as_u64(), &d["summary"]["worst"]), (Some(1), &json!("data_loss")));
    let r = s.post("/database/migrate").await;
    assert_eq!((r.status, r.code().as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "DATA_LOSS_REFUSED"), "{}", r.text());
    assert_eq!(r.json()["error"]["details"][0]["target"], "customers.legacy_code");
    assert_eq!(query_text(&mut conn, "SELECT legacy_code AS v FROM customers WHERE legacy_code IS NOT NULL"), ["L-1"]);
    let r = s.post("/database/migrate?allowDataLoss=maybe").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = s.post("/database/migrate?allowDataLoss=true").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        query_text(
            &mut conn,
            "SELECT column_name::text AS v FROM information_schema.columns WHERE table_name = 'customers' ORDER BY ordinal_position"
        ),
        ["id", "full_name", "nickname", "status"]
    );

    // 6. A may_fail change that fails on the rows (NULL nicknames) rolls
    //    back whole: the structure is exactly what it was.
    let structure = dump(&url);
    let at = s.version;
    column(&mut s.doc, 0, "c_nick")["nullable"] = json!(false);
    s.doc["tables"][1]["indexes"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "ix_total2", "columnIds": ["o_total", "o_id"]}));
    s.save().await;
    let d = s.diff().await;
    assert_eq!(d["summary"]["mayFail"].as_u64(), Some(1), "{d}");
    let r = s.post("/database/migrate").await;
    assert_eq!((r.status, r.code().as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "MIGRATION_FAILED"), "{}", r.text());
    let details = &r.json()["error"]["details"][0];
    assert!(details["sql"].as_str().unwrap().contains("SET NOT NULL"), "{details}");
    assert!(details["message"].as_str().unwrap().contains("null values"), "{details}");
    assert!(details["statement"].as_u64().is_some());
    assert_eq!(dump(&url), structure, "nothing was half applied");
    let state = app.get(&format!("/schemas/{}/database/status", s.id), Some(&s.token)).await.json();
    assert_eq!((state["status"].clone(), state["appliedVersion"].as_i64()), (json!("ready"), Some(at)));
    assert_eq!(state["lastError"]["statement"], details["statement"]);

    // Fix the data, and the same migration goes through.
    schemaforge_testdb::execute(&mut conn, "UPDATE customers SET nickname = 'n/a' WHERE nickname IS NULL").unwrap();
    s.migrate().await;

    // 7. Rollback to before the drop: the column comes back (empty).
    let r = s.post(&format!("/database/rollback?to={before_drop}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let body = r.json();
    assert_eq!((body["from"].as_i64(), body["to"].as_i64()), (Some(s.version), Some(before_drop)));
    assert_eq!(body["database"]["appliedVersion"].as_i64(), Some(before_drop));
    assert_eq!(body["database"]["upToDate"], false);
    assert_eq!(
        query_text(
            &mut conn,
            "SELECT column_name::text AS v FROM information_schema.columns WHERE table_name = 'customers' ORDER BY ordinal_position"
        ),
        ["id", "full_name", "nickname", "status", "legacy_code"]
    );
    assert_eq!(
        query_text(&mut conn, "SELECT full_name AS v FROM customers ORDER BY id"),
        ["Ada Lovelace", "Grace Hopper"]
    );
    let kinds = query_text(&mut conn, "SELECT kind || ':' || version AS v FROM schemaforge.history ORDER BY id");
    assert_eq!(kinds.first().map(String::as_str), Some("create:1"));
    assert_eq!(kinds.last().map(String::as_str), Some(format!("rollback:{before_drop}").as_str()));
    // The diff now defaults to the database's version.
    let d = s.diff().await;
    assert_eq!((d["from"].as_i64(), d["to"].as_i64()), (Some(before_drop), Some(s.version)));
    // Rolling back further than the database is at, or up, is refused.
    let r = s.post(&format!("/database/rollback?to={}", s.version)).await;
    assert_eq!((r.status, r.code().as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "INVALID_INPUT"));
    let r = s.post("/database/rollback").await;
    assert_eq!((r.status, r.code().as_str()), (StatusCode::BAD_REQUEST, "INVALID_PARAMETER"));
}

#[actix_web::test]
async fn a_table_in_use_fails_the_migration_after_the_lock_timeout_instead_of_blocking() {
    let app = crate::helpers::spawn_app_with(|s| s.provisioning.lock_timeout_secs = 1).await;
    let (token, _) = app.register("ada@example.com").await;
    let r = app.call("POST", "/schemas", Some(&token), Some(&v1())).await;
    let id = r.json()["id"].as_str().unwrap().to_string();
    let mut s = Session { app: &app, token, id, version: 1, doc: v1() };
    assert_eq!(s.post("/database").await.status, StatusCode::CREATED);
    let url = app.get(&format!("/schemas/{}/database/connection", s.id), Some(&s.token)).await.json()["url"]
        .as_str()
        .unwrap()
        .to_string();
    // A client in the middle of a transaction that read the table.
    let mut client = PgConnection::establish(&url).unwrap();
    schemaforge_testdb::execute(&mut client, "BEGIN; SELECT count(*) FROM customers").unwrap();

    column(&mut s.doc, 0, "c_name")["name"] = json!("full_name");
    s.save().await;
    let started = std::time::Instant::now();
    let r = s.post("/database/migrate").await;
    assert_eq!((r.status, r.code().as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "MIGRATION_FAILED"), "{}", r.text());
    assert!(r.json()["error"]["details"][0]["message"].as_str().unwrap().contains("lock timeout"), "{}", r.text());
    assert!(started.elapsed() < std::time::Duration::from_secs(10));

    schemaforge_testdb::execute(&mut client, "COMMIT").unwrap();
    s.migrate().await;
}
