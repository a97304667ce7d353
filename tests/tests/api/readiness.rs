//! Sabotage: the database goes away under the running server and comes back.

use crate::helpers::spawn_app;
use awc::http::StatusCode;
use diesel::Connection;
use schemaforge_testdb::{execute, server_url};

fn admin(sql: &str) {
    let mut conn = diesel::PgConnection::establish(&server_url()).unwrap();
    execute(&mut conn, sql).unwrap();
}

#[actix_web::test]
async fn readiness_goes_503_and_back_when_the_database_is_lost_and_restored() {
    let app = spawn_app().await;
    let (token, _) = app.register("ada@example.com").await;
    let ready = app.get("/health/ready", None).await;
    assert_eq!(ready.status, StatusCode::OK);
    let shipped = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations")).unwrap().count();
    assert_eq!(ready.json()["migrations"].as_array().unwrap().len(), shipped, "every migration is applied");

    let db = app.db.name().to_string();
    admin(&format!(
        "ALTER DATABASE \"{db}\" ALLOW_CONNECTIONS false; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db}'"
    ));
    let down = app.get("/health/ready", None).await;
    assert_eq!((down.status, down.code().as_str()), (StatusCode::SERVICE_UNAVAILABLE, "DATABASE_UNAVAILABLE"));
    let list = app.get("/schemas", Some(&token)).await;
    assert_eq!(list.status, StatusCode::SERVICE_UNAVAILABLE, "{}", list.text());
    assert_eq!(app.get("/health", None).await.status, StatusCode::OK, "liveness does no I/O");

    admin(&format!("ALTER DATABASE \"{db}\" ALLOW_CONNECTIONS true"));
    let back = app.get("/health/ready", None).await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.text());
    assert_eq!(app.get("/schemas", Some(&token)).await.status, StatusCode::OK);
}
