//! Drift of a provisioned database end to end: edits made by hand (as the
//! database's own role, as a user with psql would) show element by element,
//! a column renamed outside is a rename (matched by the catalog identity
//! recorded at the build), and the drift's script restores the design with
//! the rows intact.

use awc::http::StatusCode;
use diesel::{Connection, PgConnection};
use serde_json::{Value, json};

use crate::helpers::spawn_app;

pub(crate) fn design() -> Value {
    json!({
        "name": "shop",
        "tables": [
            {"id": "customers", "name": "customers", "columns": [
                {"id": "c_id", "name": "id", "dataType": "bigint", "primaryKey": true, "autoIncrement": true},
                {"id": "c_name", "name": "full_name", "dataType": "varchar(50)", "nullable": false},
                {"id": "c_points", "name": "points", "dataType": "smallint", "nullable": false, "default": 0}
            ], "checks": [{"id": "ck_points", "name": "points_positive", "expression": "points >= 0"}]},
            {"id": "orders", "name": "orders", "columns": [
                {"id": "o_id", "name": "id", "dataType": "bigint", "primaryKey": true, "autoIncrement": true},
                {"id": "o_customer", "name": "customer_id", "dataType": "bigint", "nullable": false},
                {"id": "o_total", "name": "total", "dataType": "numeric(10,2)", "nullable": false}
            ], "indexes": [{"id": "ix_customer", "name": "orders_customer_idx", "columnIds": ["o_customer"]}]}
        ],
        "foreignKeys": [{"id": "fk_customer", "sourceTableId": "orders", "sourceColumnId": "o_customer",
                         "targetTableId": "customers", "targetColumnId": "c_id", "onDelete": "CASCADE"}]
    })
}

/// Edits made by hand: an added index, a dropped index, a renamed
/// column, a changed default, a new table, a dropped check, a new function
/// and trigger.
pub(crate) const EDITS: &str = "CREATE INDEX orders_total_idx ON orders (total);
     DROP INDEX orders_customer_idx;
     ALTER TABLE customers RENAME COLUMN full_name TO name;
     ALTER TABLE customers ALTER COLUMN points SET DEFAULT 10;
     CREATE TABLE notes (id int PRIMARY KEY, body text);
     ALTER TABLE customers DROP CONSTRAINT points_positive;
     CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
     CREATE TRIGGER customers_touch BEFORE UPDATE ON customers FOR EACH ROW EXECUTE FUNCTION touch();";

/// Rows in both tables.
pub(crate) const ROWS: &str =
    "INSERT INTO customers (full_name, points) VALUES ('Ada Lovelace', 3), ('Grace Hopper', 5);
     INSERT INTO orders (customer_id, total) SELECT id, 12.50 FROM customers;";

fn element<'a>(drift: &'a Value, id: &str) -> &'a Value {
    drift["elements"].as_array().unwrap().iter().find(|e| e["id"] == id).unwrap_or_else(|| panic!("{id} in {drift:#}"))
}

#[actix_web::test]
async fn hand_made_edits_are_drift_by_element_and_the_script_restores_the_design() {
    let app = spawn_app().await;
    let (token, _) = app.register("drift@example.com").await;
    let r = app.call("POST", "/schemas", Some(&token), Some(&design())).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_string();
    assert_eq!(
        app.call("POST", &format!("/schemas/{id}/database"), Some(&token), None).await.status,
        StatusCode::CREATED
    );
    let url = app.get(&format!("/schemas/{id}/database/connection"), Some(&token)).await.json()["url"]
        .as_str()
        .unwrap()
        .to_string();
    let mut conn = PgConnection::establish(&url).unwrap();
    schemaforge_testdb::execute(&mut conn, ROWS).unwrap();
    let drift_path = format!("/schemas/{id}/database/drift");

    // Just built: in step, matched by the recorded identities.
    let r = app.get(&drift_path, Some(&token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let d = r.json();
    assert_eq!((d["inStep"].clone(), d["matching"].clone()), (json!(true), json!("identity")), "{d:#}");
    assert!(d["elements"].as_array().unwrap().is_empty(), "{d:#}");

    // Edits by hand, as the database's own role.
    schemaforge_testdb::execute(&mut conn, EDITS).unwrap();
    let d = app.get(&drift_path, Some(&token)).await.json();
    assert_eq!(d["inStep"], false, "{d:#}");
    let renamed = element(&d, "c_name");
    assert_eq!(
        (&renamed["status"], &renamed["name"], &renamed["liveName"]),
        (&json!("renamed"), &json!("customers.full_name"), &json!("customers.name")),
        "{d:#}"
    );
    assert_eq!(element(&d, "ix_customer")["status"], "missing");
    assert_eq!(element(&d, "ck_points")["status"], "missing");
    let points = element(&d, "c_points");
    assert_eq!(points["status"], "different");
    assert_eq!(points["attributes"][0]["attribute"], "default", "{points:#}");
    let redundant: Vec<&str> = d["elements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["status"] == "redundant")
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for kind in ["index", "table", "function", "trigger"] {
        assert!(redundant.contains(&kind), "{kind} not redundant in {d:#}");
    }
    // A rename is a rename: no column is missing or redundant.
    assert!(
        !d["elements"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "column" && e["status"] != "renamed" && e["status"] != "different"),
        "{d:#}"
    );

    let sql = app.get(&format!("{drift_path}?format=sql"), Some(&token)).await;
    assert_eq!(sql.status, StatusCode::OK);
    assert!(sql.header("content-type").unwrap().starts_with("application/sql"));
    assert!(sql.text().contains(r#"RENAME COLUMN "name" TO "full_name""#), "{}", sql.text());

    // The drift's script (what a to-live sync applies), as the role, in one
    // transaction: back in step, with the rows and their values.
    let statements: Vec<String> =
        d["toDesign"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect();
    schemaforge_repository::pg::live::apply_statements(
        &url,
        &statements,
        schemaforge_repository::pg::live::LiveTimeouts::default(),
    )
    .unwrap();
    let d = app.get(&drift_path, Some(&token)).await.json();
    assert_eq!(d["inStep"], true, "{d:#}");
    assert_eq!(
        schemaforge_testdb::count(
            &mut conn,
            "SELECT count(*) AS n FROM customers WHERE full_name IN ('Ada Lovelace', 'Grace Hopper')"
        )
        .unwrap(),
        2
    );
    assert_eq!(schemaforge_testdb::count(&mut conn, "SELECT count(*) AS n FROM orders").unwrap(), 2);

    // Another user sees nothing.
    let (other, _) = app.register("other@example.com").await;
    assert_eq!(app.get(&drift_path, Some(&other)).await.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn the_ecommerce_example_is_in_step_once_built() {
    let app = spawn_app().await;
    let (token, _) = app.register("ecommerce@example.com").await;
    let r = app.call("POST", "/schemas", Some(&token), Some(&crate::helpers::example("ecommerce"))).await;
    let id = r.json()["id"].as_str().unwrap().to_string();
    assert_eq!(
        app.call("POST", &format!("/schemas/{id}/database"), Some(&token), None).await.status,
        StatusCode::CREATED
    );
    let r = app.get(&format!("/schemas/{id}/database/drift"), Some(&token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let d = r.json();
    assert_eq!((d["inStep"].clone(), d["matching"].clone()), (json!(true), json!("identity")), "{d:#}");
    // Schemaforge's bookkeeping schema is not listed as unmanaged.
    assert_eq!(d["unmanaged"], json!([]), "{d:#}");
}
