//! The `schemaforge` binary: exit codes, output formats, stdin.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::io::Write;
use std::process::{Command, Output, Stdio};

const VALID: &str = r#"{"name": "cli", "tables": [{"id": "t1", "name": "users", "columns": [
    {"id": "c1", "name": "id", "dataType": "bigint", "primaryKey": true, "autoIncrement": true},
    {"id": "c2", "name": "email", "dataType": "varchar(255)", "nullable": false, "unique": true}
]}]}"#;

const INVALID: &str = r#"{"name": "cli", "tables": [{"id": "t1", "name": "users", "columns": [
    {"id": "c1", "name": "id", "dataType": "geography"}
]}]}"#;

fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_schemaforge"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    // A command refused before it reads its input (`diff - -`) may exit
    // first: its closed pipe is no failure of the test.
    if let Err(e) = pipe.write_all(stdin.unwrap_or("").as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    drop(pipe);
    child.wait_with_output().unwrap()
}

fn file(name: &str, content: &str) -> String {
    let path = std::env::temp_dir().join(format!("schemaforge-cli-{}-{name}.json", std::process::id()));
    std::fs::write(&path, content).unwrap();
    path.to_string_lossy().into_owned()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn validate_accepts_a_valid_file() {
    let path = file("valid", VALID);
    let out = run(&["validate", &path], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("valid (0 error(s), 0 warning(s))"), "{stdout}");
    assert!(stdout.contains("summary: 1 tables, 2 columns"), "{stdout}");
}

#[test]
fn validate_reports_problems_with_paths_and_exits_1() {
    let path = file("invalid", INVALID);
    let out = run(&["validate", &path], None);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("error[UNSUPPORTED_DATA_TYPE] /tables/0/columns/0/dataType"), "{stdout}");
    assert!(stdout.contains("error[MISSING_PRIMARY_KEY] /tables/0"), "{stdout}");
}

#[test]
fn validate_json_output_is_machine_readable() {
    let out = run(&["validate", "--format", "json", "-"], Some(INVALID));
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["valid"], false);
    let codes: Vec<&str> = report["problems"].as_array().unwrap().iter().map(|p| p["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["UNSUPPORTED_DATA_TYPE", "MISSING_PRIMARY_KEY"]);
    assert_eq!(report["problems"][0]["severity"], "error");
    assert_eq!(report["summary"]["tables"], 1);
}

#[test]
fn malformed_json_is_reported_with_its_location() {
    let out = run(&["validate", "-"], Some(r#"{"name": "x", "tables": [{"id": 5}]}"#));
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("error[INVALID_JSON] /tables/0/id"), "{stdout}");
    let out = run(&["validate", "-"], Some(r#"{"name": "x", "tables": [{"id": "t", "nmae": "y"}]}"#));
    assert!(text(&out.stdout).contains("unknown field `nmae`"), "{}", text(&out.stdout));
    let out = run(&["validate", "-"], Some("{not json"));
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("INVALID_JSON"));
}

#[test]
fn sql_prints_create_and_drop_scripts() {
    let out = run(&["sql", "-"], Some(VALID));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let sql = text(&out.stdout);
    assert!(sql.starts_with("-- Schemaforge create script"), "{sql}");
    assert!(sql.contains("CREATE TABLE \"users\" ("), "{sql}");
    let out = run(&["sql", "--drop", "-"], Some(VALID));
    assert_eq!(text(&out.stdout).lines().filter(|l| l.starts_with("DROP TABLE")).count(), 1);
}

#[test]
fn sql_json_lists_statements() {
    let out = run(&["sql", "--format", "json", "-"], Some(VALID));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &v["statements"][0];
    assert_eq!(first["kind"], "create_table");
    assert_eq!(first["target"], "table \"users\"");
    assert!(first["sql"].as_str().unwrap().starts_with("CREATE TABLE"));
}

#[test]
fn sql_refuses_invalid_documents_on_stderr() {
    let out = run(&["sql", "-"], Some(INVALID));
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).contains("UNSUPPORTED_DATA_TYPE"));
}

#[test]
fn io_and_usage_errors_exit_2() {
    let out = run(&["validate", "/no/such/file.json"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read /no/such/file.json"));
    let out = run(&["frobnicate"], None);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn json_schema_command_prints_the_schema() {
    let out = run(&["json-schema"], None);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["title"], "Schemaforge schema document");
}

#[test]
fn sql_json_reports_invalid_documents_as_json() {
    let out = run(&["sql", "--format", "json", "-"], Some(INVALID));
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["valid"], false);
    let out = run(&["validate", "-"], Some(r#"[null, "x"]"#));
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("must be a JSON object"));
}

const V2: &str = r#"{"name": "cli", "tables": [{"id": "t1", "name": "accounts", "columns": [
    {"id": "c1", "name": "id", "dataType": "bigint", "primaryKey": true, "autoIncrement": true},
    {"id": "c3", "name": "age", "dataType": "integer", "nullable": false}
]}]}"#;

#[test]
fn diff_summarizes_changes_with_safety_classes() {
    let (old, new) = (file("diff-old", VALID), file("diff-new", V2));
    let out = run(&["diff", &old, &new], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("6 change(s): 4 safe, 1 may_fail, 1 data_loss\n"), "{stdout}");
    assert!(stdout.contains("  [safe] rename table users to accounts\n"), "{stdout}");
    assert!(stdout.contains("  [data_loss] drop column users.email\n      why: "), "{stdout}");
    assert!(stdout.contains("  [may_fail] add column accounts.age integer\n"), "{stdout}");
    let same = run(&["diff", &old, "-"], Some(VALID));
    assert_eq!(text(&same.stdout), "no changes\n");
}

#[test]
fn diff_prints_scripts_and_json() {
    let (old, new) = (file("diff-old2", VALID), file("diff-new2", V2));
    let up = text(&run(&["diff", &old, &new, "--sql", "up"], None).stdout);
    assert!(up.starts_with("-- Schemaforge migration (up) for PostgreSQL: 6 changes"), "{up}");
    assert!(up.contains("ALTER TABLE \"users\" DROP COLUMN \"email\";\n"), "{up}");
    assert!(up.contains("ALTER TABLE \"users\" RENAME TO \"accounts\";\n"), "{up}");
    let down = text(&run(&["diff", &old, &new, "--sql", "down"], None).stdout);
    assert!(down.contains("-- cannot be undone: the up script's \"drop column users.email\""), "{down}");
    assert!(down.contains("ADD COLUMN \"email\" varchar(255) NOT NULL"), "{down}");
    let out = run(&["diff", &old, &new, "--format", "json"], None);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["worst"], "data_loss");
    assert_eq!(json["changes"][0]["kind"]["type"], "drop_unique");
    assert_eq!(json["changes"][0]["safety"], "safe");
    assert!(json["up"].as_array().unwrap().iter().any(|s| s["kind"] == "drop_column"));
    assert!(!json["down"].as_array().unwrap().is_empty());
}

#[test]
fn diff_exit_codes() {
    let (old, new, bad) = (file("diff-old3", VALID), file("diff-new3", V2), file("diff-bad", INVALID));
    let out = run(&["diff", &old, &new, "--deny-data-loss"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("loses data"), "{}", text(&out.stderr));
    assert_eq!(run(&["diff", &old, &old, "--deny-data-loss"], None).status.code(), Some(0));
    let out = run(&["diff", &old, &bad], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("error[UNSUPPORTED_DATA_TYPE] /tables/0/columns/0/dataType"));
    let out = run(&["diff", &old, &bad, "--format", "json"], None);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["valid"], false);
    assert_eq!(run(&["diff", &old, "/no/such/file.json"], None).status.code(), Some(2));
    assert_eq!(run(&["diff", &old], None).status.code(), Some(2));
    assert_eq!(run(&["diff", "-", "-"], Some(VALID)).status.code(), Some(2));
    assert_eq!(run(&["diff", &old, &new, "--sql", "sideways"], None).status.code(), Some(2));
}

/// The fenced blocks of one language in a markdown file, in order.
fn fenced(markdown: &str, language: &str) -> Vec<String> {
    let fence = format!("```{language}");
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, open) if open == fence => current = Some(String::new()),
            (Some(block), "```") => {
                out.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    out
}

#[test]
fn docs_migrations_example_shows_the_real_output() {
    let markdown = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/migrations.md")).unwrap();
    let docs = fenced(&markdown, "json");
    let (v1, v2) = (file("docs-v1", &docs[0]), file("docs-v2", &docs[1]));
    let summary = run(&["diff", &v1, &v2], None);
    assert_eq!(fenced(&markdown, "text")[1], text(&summary.stdout), "the summary in docs/migrations.md is stale");
    let up = run(&["diff", &v1, &v2, "--sql", "up"], None);
    assert_eq!(fenced(&markdown, "sql")[0], text(&up.stdout), "the up script in docs/migrations.md is stale");
    assert_eq!(run(&["diff", &v1, &v2, "--deny-data-loss"], None).status.code(), Some(1));
}

/// `validate --dev-url`: what offline validation leaves to PostgreSQL is
/// tried on a real server, reported at the element, and nothing is kept.
#[test]
fn validate_tries_the_script_on_a_development_server() {
    let db = schemaforge_testdb::TestDb::create().unwrap();
    let doc = |check: &str, opclass: &str| {
        serde_json::json!({"name": "dev", "tables": [{"id": "t", "name": "items", "columns": [
            {"id": "c_id", "name": "id", "dataType": "integer", "primaryKey": true},
            {"id": "c_qty", "name": "qty", "dataType": "integer"},
            {"id": "c_name", "name": "name", "dataType": "text"}],
            "checks": [{"id": "k", "expression": check}],
            "indexes": [{"id": "x", "columnIds": [{"columnId": "c_name", "opclass": opclass}]}]}]})
        .to_string()
    };
    let cases = [
        ("no_such_function(qty) > 0", "text_pattern_ops", Some("/tables/0/checks/0/expression")),
        ("qty::text > 0::numeric", "text_pattern_ops", Some("/tables/0/checks/0/expression")),
        ("qty::numeric > 0::numeric", "no_such_ops", Some("/tables/0/indexes/0")),
        ("qty::numeric > 0::numeric", "text_pattern_ops", None),
    ];
    for (i, (check, opclass, failing)) in cases.into_iter().enumerate() {
        let path = file(&format!("dev{i}"), &doc(check, opclass));
        // Offline: valid, with what is left to PostgreSQL said as warnings.
        assert_eq!(run(&["validate", &path], None).status.code(), Some(0), "{check}");
        let out = run(&["validate", &path, "--dev-url", db.url(), "--format", "json"], None);
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        match failing {
            Some(at) => {
                assert_eq!(out.status.code(), Some(1), "{check} {opclass}: {report}");
                let errors: Vec<_> = report["problems"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|p| p["severity"] == "error")
                    .map(|p| (p["code"].as_str().unwrap(), p["path"].as_str().unwrap()))
                    .collect();
                assert_eq!(errors, [("REJECTED_BY_POSTGRESQL", at)], "{report}");
            }
            None => assert_eq!(out.status.code(), Some(0), "{report}"),
        }
    }
    // Nothing was kept.
    let mut conn = db.connect().unwrap();
    let kept = schemaforge_testdb::execute(&mut conn, "SELECT 1 FROM items");
    assert!(kept.is_err(), "the tried script left a table behind");
    // An unreachable server is a usage error, not an invalid document.
    let path = file("dev-ok", &doc("qty > 0", "text_pattern_ops"));
    let out = run(&["validate", &path, "--dev-url", "postgres://nobody@127.0.0.1:1/none?connect_timeout=2"], None);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("cannot use the development server"), "{}", text(&out.stderr));
}

/// `drift`, `apply` and `advise` on a database Schemaforge did not build
/// (matched by name): edits made by hand are drift (exit 2), a dry run
/// applies nothing, data loss needs consent, and apply converges with the
/// rows of the kept tables intact.
#[test]
fn drift_apply_and_advise_on_a_live_database() {
    let db = schemaforge_testdb::TestDb::create().unwrap();
    let doc = r#"{"name": "cli", "tables": [
      {"id": "t_users", "name": "users", "columns": [
        {"id": "c_id", "name": "id", "dataType": "bigint", "primaryKey": true, "autoIncrement": true},
        {"id": "c_email", "name": "email", "dataType": "varchar(255)", "nullable": false, "unique": true},
        {"id": "c_score", "name": "score", "dataType": "integer", "nullable": false, "default": 0}]},
      {"id": "t_posts", "name": "posts", "columns": [
        {"id": "p_id", "name": "id", "dataType": "bigint", "primaryKey": true, "autoIncrement": true},
        {"id": "p_author", "name": "author_id", "dataType": "bigint", "nullable": false}]}],
      "foreignKeys": [{"id": "fk_author", "sourceTableId": "t_posts", "sourceColumnId": "p_author",
        "targetTableId": "t_users", "targetColumnId": "c_id"}]}"#;
    let path = file("drift", doc);
    let sql = run(&["sql", &path], None);
    db.execute(&text(&sql.stdout)).unwrap();
    db.execute("INSERT INTO users (email) VALUES ('a@example.com'), ('b@example.com')").unwrap();

    let url = db.url().to_string();
    let out = run(&["drift", &path, &url], None);
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).starts_with("in step (matched by name"), "{}", text(&out.stdout));

    // The foreign key has no index: advice says so, with the statement.
    let advice = run(&["advise", &url, "--json"], None);
    assert_eq!(advice.status.code(), Some(0), "{}", text(&advice.stderr));
    let advice: serde_json::Value = serde_json::from_slice(&advice.stdout).unwrap();
    assert_eq!(advice[0]["kind"], "unindexed_foreign_key", "{advice:#}");
    assert_eq!(advice[0]["statement"], r#"CREATE INDEX CONCURRENTLY ON "public"."posts" ("author_id")"#);

    db.execute(
        "ALTER TABLE users ALTER COLUMN score SET DEFAULT 5;
         CREATE TABLE scratch (id int);
         CREATE INDEX users_score_idx ON users (score);",
    )
    .unwrap();
    let out = run(&["drift", &path, &url, "--format", "json"], None);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let drift: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(drift["matching"], "names");
    let status =
        |id: &str| drift["elements"].as_array().unwrap().iter().find(|e| e["id"] == id).unwrap()["status"].clone();
    assert_eq!(status("c_score"), "different");
    assert_eq!(status("t:public.scratch"), "redundant");
    assert_eq!(status("i:public.users_score_idx"), "redundant");

    let dry = run(&["apply", &path, &url, "--dry-run"], None);
    assert_eq!(dry.status.code(), Some(2));
    assert!(text(&dry.stdout).contains("[data_loss] drop table scratch"), "{}", text(&dry.stdout));
    let refused = run(&["apply", &path, &url], None);
    assert_eq!(refused.status.code(), Some(1));
    assert!(text(&refused.stderr).contains("--allow-data-loss"), "{}", text(&refused.stderr));
    assert_eq!(db.count("SELECT count(*) AS n FROM pg_class WHERE relname = 'scratch'").unwrap(), 1);

    let applied = run(&["apply", &path, &url, "--allow-data-loss"], None);
    assert_eq!(applied.status.code(), Some(0), "{}{}", text(&applied.stdout), text(&applied.stderr));
    assert!(text(&applied.stdout).ends_with("in step\n"), "{}", text(&applied.stdout));
    assert_eq!(run(&["drift", &path, &url], None).status.code(), Some(0));
    assert_eq!(db.count("SELECT count(*) AS n FROM users").unwrap(), 2);

    // An unreachable database is an error (1), not drift.
    let out = run(&["drift", &path, "postgres://nobody:x@127.0.0.1:1/none"], None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
}
