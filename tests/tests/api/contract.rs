//! The API keeps its contract: schemathesis (installed by
//! `scripts/ensure-schemathesis.sh`) fuzzes every operation of the served
//! OpenAPI document against the real server on a fresh database,
//! authenticated as a registered user who owns a schema with a database,
//! and must find no server error and no answer that the document does not
//! describe (status, content type, headers, body).
//!
//! `SCHEMATHESIS` names the command (scripts/test.sh sets it); without it
//! the test looks in `.tools/schemathesis`, and fails, saying how to
//! install it, when there is none. `SCHEMATHESIS_MAX_EXAMPLES` (default 25)
//! bounds the cases per operation, `SCHEMATHESIS_SEED` (default 20261202)
//! fixes them; the report lands in `target/schemathesis`.

use std::path::{Path, PathBuf};
use std::process::Command;

use awc::http::StatusCode;

use crate::helpers::{example, spawn_app};

fn schemathesis() -> PathBuf {
    if let Some(path) = std::env::var_os("SCHEMATHESIS") {
        return PathBuf::from(path);
    }
    let local = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools/schemathesis/bin/schemathesis");
    assert!(
        local.exists(),
        "schemathesis is not installed: run scripts/ensure-schemathesis.sh (scripts/test.sh does), \
         or set SCHEMATHESIS to its path"
    );
    local
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

#[actix_web::test]
async fn schemathesis_finds_no_server_error_and_no_undocumented_answer() {
    let command = schemathesis();
    let app = spawn_app().await;
    let (token, _) = app.register("fuzz@example.com").await;
    // Something to find: a schema with two versions and a live database.
    let created = app.call("POST", "/schemas", Some(&token), Some(&example("ecommerce"))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let id = created.json()["id"].as_str().unwrap().to_string();
    let provisioned = app.call("POST", &format!("/schemas/{id}/database"), Some(&token), None).await;
    assert_eq!(provisioned.status, StatusCode::CREATED, "{}", provisioned.text());

    let origin = app.base.trim_end_matches("/api/v1").to_string();
    let report = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/schemathesis");
    let args: Vec<String> = vec![
        "run".into(),
        format!("{origin}/api/v1/openapi.json"),
        "--url".into(),
        origin.clone(),
        "--checks".into(),
        std::env::var("SCHEMATHESIS_CHECKS").unwrap_or_else(|_| {
            [
                "not_a_server_error",
                "status_code_conformance",
                "content_type_conformance",
                "response_headers_conformance",
                "response_schema_conformance",
                "negative_data_rejection",
                "missing_required_header",
                "unsupported_method",
                "allow_header_conformance",
                "use_after_free",
                "ignored_auth",
                // Not `ensure_resource_availability`: it expects every GET below
                // a new schema to answer 200, but a schema's database exists only
                // once provisioned (`/database/connection` is a 404 before).
                // Not `positive_data_acceptance`: a document can match the JSON
                // Schema and still be invalid (a foreign key to a missing table).
            ]
            .join(",")
        }),
        "--phases".into(),
        env_or("SCHEMATHESIS_PHASES", "examples,coverage,fuzzing,stateful"),
        "--max-examples".into(),
        env_or("SCHEMATHESIS_MAX_EXAMPLES", "25"),
        "--seed".into(),
        env_or("SCHEMATHESIS_SEED", "20261202"),
        "--workers".into(),
        "2".into(),
        "--header".into(),
        format!("Authorization: Bearer {token}"),
        "--request-timeout".into(),
        "30".into(),
        "--report".into(),
        "junit".into(),
        "--report-dir".into(),
        report.display().to_string(),
        "--no-color".into(),
    ];
    let hooks = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemathesis");
    let output = actix_web::rt::task::spawn_blocking(move || {
        Command::new(&command)
            .args(&args)
            .env("SCHEMATHESIS_HOOKS", "schemaforge_hooks")
            .env("PYTHONPATH", hooks)
            .output()
    })
    .await
    .unwrap()
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(output.status.success(), "schemathesis found problems:\n{stdout}\n{stderr}");
    // It really ran every operation.
    assert!(stdout.contains("passed"), "{stdout}");
}
