//! Repository tests against a real PostgreSQL database, fresh per test.

use super::*;
use crate::{
    Applied, ApplyError, Beat, DatabaseAdmin, JobEnd, JobError, JobProgress, JobQuery, JobRepository, JobStatus, Lease,
    NewJob, SchemaQuery, SchemaSort, ScriptRun,
};
use diesel::connection::SimpleConnection;
use schemaforge_testdb::TestDb;
use std::time::Duration;

fn repo() -> (TestDb, PgRepository) {
    let db = TestDb::create().unwrap();
    let repo = PgRepository::new(db.url(), &PoolSettings::default()).unwrap();
    let applied = repo.run_migrations().unwrap();
    assert_eq!(applied.len(), shipped_migrations());
    (db, repo)
}

/// Migrations in `migrations/`.
fn shipped_migrations() -> usize {
    std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations")).unwrap().count()
}

fn user(repo: &PgRepository, email: &str) -> User {
    repo.create_user(NewUser {
        id: Uuid::new_v4(),
        email: email.into(),
        display_name: Some("Ada".into()),
        password_hash: "$argon2id$fake".into(),
    })
    .unwrap()
}

fn doc(name: &str) -> SchemaDocument {
    schemaforge_domain::parse_document(&format!(
        r#"{{"name": "{name}", "description": "about {name}", "tables": [{{"id": "t", "name": "t", "columns": [
            {{"id": "c", "name": "id", "dataType": "int", "primaryKey": true}}]}}]}}"#
    ))
    .unwrap()
}

fn schema(repo: &PgRepository, owner: Uuid, name: &str) -> SchemaRecord {
    repo.create_schema(NewSchema { id: Uuid::new_v4(), owner_id: owner, document: doc(name) }).unwrap()
}

#[test]
fn users_are_unique_by_email_and_updatable() {
    let (_db, repo) = repo();
    let u = user(&repo, "ada@example.com");
    assert_eq!(repo.find_user_by_email("ada@example.com").unwrap().unwrap().id, u.id);
    assert!(repo.find_user_by_email("bob@example.com").unwrap().is_none());
    let dup = repo.create_user(NewUser {
        id: Uuid::new_v4(),
        email: "ada@example.com".into(),
        display_name: None,
        password_hash: "x".into(),
    });
    assert!(matches!(dup, Err(RepoError::Conflict(Conflict::DuplicateEmail))));
    let cleared = repo.update_user(u.id, UserChanges { display_name: Some(None), password_hash: None }).unwrap();
    assert_eq!(cleared.display_name, None);
    assert_eq!(cleared.password_hash, u.password_hash);
    let missing = repo.update_user(Uuid::new_v4(), UserChanges::default());
    assert!(matches!(missing, Err(RepoError::NotFound)));
}

#[test]
fn refresh_tokens_are_used_once_and_revoked_by_family() {
    let (_db, repo) = repo();
    let u = user(&repo, "ada@example.com");
    let family = Uuid::new_v4();
    let t = repo
        .create_refresh_token(NewRefreshToken {
            id: Uuid::new_v4(),
            user_id: u.id,
            family_id: family,
            token_hash: vec![1, 2, 3],
            expires_at: Utc::now() + chrono::Duration::days(1),
        })
        .unwrap();
    assert_eq!(repo.find_refresh_token(&[1, 2, 3]).unwrap().unwrap().id, t.id);
    assert!(repo.mark_refresh_token_used(t.id).unwrap());
    assert!(!repo.mark_refresh_token_used(t.id).unwrap(), "a token is used once");
    assert_eq!(repo.revoke_refresh_family(family).unwrap(), 1);
    assert!(repo.find_refresh_token(&[1, 2, 3]).unwrap().unwrap().revoked_at.is_some());
}

#[test]
fn api_keys_are_scoped_to_their_owner() {
    let (_db, repo) = repo();
    let ada = user(&repo, "ada@example.com");
    let bob = user(&repo, "bob@example.com");
    let key = repo
        .create_api_key(NewApiKey {
            id: Uuid::new_v4(),
            user_id: ada.id,
            name: "ci".into(),
            prefix: "sfk_abcd".into(),
            key_hash: vec![9; 32],
        })
        .unwrap();
    let used = repo.use_api_key(&[9; 32]).unwrap().unwrap();
    assert!(used.last_used_at.is_some());
    assert!(matches!(repo.revoke_api_key(bob.id, key.id), Err(RepoError::NotFound)));
    assert_eq!(repo.list_api_keys(bob.id).unwrap(), vec![]);
    repo.revoke_api_key(ada.id, key.id).unwrap();
    assert!(repo.use_api_key(&[9; 32]).unwrap().is_none(), "a revoked key no longer works");
    assert_eq!(repo.list_api_keys(ada.id).unwrap().len(), 1);
}

#[test]
fn schemas_are_versioned_and_isolated() {
    let (_db, repo) = repo();
    let ada = user(&repo, "ada@example.com");
    let bob = user(&repo, "bob@example.com");
    let s = schema(&repo, ada.id, "shop");
    assert_eq!(s.version, 1);
    assert_eq!(s.description.as_deref(), Some("about shop"));
    // isolation: Bob sees nothing, cannot change or delete it
    assert!(repo.get_schema(bob.id, s.id).unwrap().is_none());
    assert!(matches!(repo.update_schema(bob.id, s.id, None, doc("x")), Err(RepoError::NotFound)));
    assert!(matches!(repo.delete_schema(bob.id, s.id, None), Err(RepoError::NotFound)));
    assert!(matches!(repo.list_versions(bob.id, s.id), Err(RepoError::NotFound)));
    assert!(repo.get_version(bob.id, s.id, 1).unwrap().is_none());
    // Bob may use the same name
    schema(&repo, bob.id, "shop");
    let dup = repo.create_schema(NewSchema { id: Uuid::new_v4(), owner_id: ada.id, document: doc("shop") });
    assert!(matches!(dup, Err(RepoError::Conflict(Conflict::DuplicateName))));

    let v2 = repo.update_schema(ada.id, s.id, Some(1), doc("shop2")).unwrap();
    assert_eq!((v2.version, v2.name.as_str()), (2, "shop2"));
    let stale = repo.update_schema(ada.id, s.id, Some(1), doc("shop3"));
    assert!(matches!(stale, Err(RepoError::Conflict(Conflict::StaleVersion { expected: 1, current: 2 }))));
    assert_eq!(repo.get_schema(ada.id, s.id).unwrap().unwrap().name, "shop2", "a stale write changes nothing");
    let versions = repo.list_versions(ada.id, s.id).unwrap();
    assert_eq!(versions.iter().map(|v| v.version).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(repo.get_version(ada.id, s.id, 1).unwrap().unwrap().document.name, "shop");
    assert!(repo.get_version(ada.id, s.id, 3).unwrap().is_none());

    assert!(matches!(repo.delete_schema(ada.id, s.id, Some(1)), Err(RepoError::Conflict(_))));
    repo.delete_schema(ada.id, s.id, Some(2)).unwrap();
    assert!(repo.get_schema(ada.id, s.id).unwrap().is_none());
    schema(&repo, ada.id, "shop2"); // the name is free again
}

#[test]
fn listing_searches_sorts_and_pages() {
    let (_db, repo) = repo();
    let ada = user(&repo, "ada@example.com");
    for name in ["beta", "alpha", "gamma", "100%_sure"] {
        schema(&repo, ada.id, name);
    }
    let q =
        |search: Option<&str>, sort, offset, limit| SchemaQuery { search: search.map(Into::into), sort, offset, limit };
    let page = repo.list_schemas(ada.id, &q(None, SchemaSort::NameAsc, 0, 2)).unwrap();
    assert_eq!(page.total, 4);
    assert_eq!(page.items.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["100%_sure", "alpha"]);
    let page = repo.list_schemas(ada.id, &q(None, SchemaSort::NameAsc, 2, 2)).unwrap();
    assert_eq!(page.items.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["beta", "gamma"]);
    let page = repo.list_schemas(ada.id, &q(Some("ALPH"), SchemaSort::UpdatedDesc, 0, 10)).unwrap();
    assert_eq!((page.total, page.items[0].name.as_str()), (1, "alpha"));
    // LIKE wildcards in the search are literal
    let page = repo.list_schemas(ada.id, &q(Some("%_"), SchemaSort::NameDesc, 0, 10)).unwrap();
    assert_eq!(page.total, 1);
    // the description is searched too
    let page = repo.list_schemas(ada.id, &q(Some("about gam"), SchemaSort::NameDesc, 0, 10)).unwrap();
    assert_eq!(page.total, 1);
}

#[test]
fn concurrent_writers_never_both_win() {
    let (_db, repo) = repo();
    let ada = user(&repo, "ada@example.com");
    let s = schema(&repo, ada.id, "shop");
    let results: Vec<RepoResult<SchemaRecord>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|i| {
                let repo = repo.clone();
                scope.spawn(move || repo.update_schema(ada.id, s.id, Some(1), doc(&format!("w{i}"))))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
    assert!(results.iter().filter(|r| r.is_err()).all(|r| matches!(r, Err(RepoError::Conflict(_)))));
    assert_eq!(repo.list_versions(ada.id, s.id).unwrap().len(), 2);
}

#[test]
fn an_unreadable_document_is_an_error_naming_the_row() {
    let (db, repo) = repo();
    let ada = user(&repo, "ada@example.com");
    let s = schema(&repo, ada.id, "shop");
    db.execute(&format!("UPDATE schema_versions SET document = '{{\"oops\": 1}}' WHERE schema_id = '{}'", s.id))
        .unwrap();
    match repo.get_schema(ada.id, s.id) {
        Err(RepoError::Corrupt { table, id, .. }) => {
            assert_eq!(table, "schema_versions");
            assert_eq!(id, format!("{}/1", s.id));
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

#[test]
fn readiness_reports_migrations_and_an_unreachable_database() {
    let (_db, repo) = repo();
    assert_eq!(repo.applied_migrations().unwrap().len(), shipped_migrations());
    let settings = PoolSettings { max_size: 1, connection_timeout: Duration::from_millis(300) };
    let down = PgRepository::new("postgres://postgres@127.0.0.1:1/nowhere", &settings).unwrap();
    assert!(matches!(down.applied_migrations(), Err(RepoError::Unavailable(_))));
}

#[test]
fn connections_lost_at_once_are_replaced_before_they_are_used_again() {
    let (db, repo) = repo();
    // Four connections, all used a moment ago: none would be checked again.
    let held: Vec<_> = (0..4).map(|_| repo.conn().unwrap()).collect();
    drop(held);
    let backends = format!("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = '{}'", db.name());
    server_count(&format!(
        "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = '{}'",
        db.name()
    ));
    let started = std::time::Instant::now();
    while server_count(&backends) > 0 {
        assert!(started.elapsed() < Duration::from_secs(10), "the backends did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
    // The first use may meet its dead connection (and says so as
    // unavailable); it marks every other connection for a check, so no
    // later request meets one.
    if let Err(e) = repo.applied_migrations() {
        assert!(matches!(e, RepoError::Unavailable(_)), "{e:?}");
    }
    for _ in 0..8 {
        assert_eq!(repo.applied_migrations().unwrap().len(), shipped_migrations());
    }
    // Let r2d2's background threads finish refilling the pool: libpq must
    // not be connecting while the process exits.
    let started = std::time::Instant::now();
    while repo.pool_stats().connections < repo.pool_stats().max_size {
        assert!(started.elapsed() < Duration::from_secs(10), "the pool did not refill");
        std::thread::sleep(Duration::from_millis(20));
    }
}

// ------------------------------------------------------------------ provisioned databases

fn record(schema_id: Uuid, status: DatabaseStatus) -> DatabaseRecord {
    DatabaseRecord {
        schema_id,
        database_name: format!("sf_db_{}", schema_id.simple()),
        role_name: format!("sf_role_{}", schema_id.simple()),
        password_ciphertext: vec![1, 2, 3],
        status,
        applied_version: None,
        failure: None,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

#[test]
fn database_records_are_upserted_and_scoped_to_the_owner() {
    let (_db, repo) = repo();
    let ada = user(&repo, "ada@example.com");
    let bob = user(&repo, "bob@example.com");
    let s = schema(&repo, ada.id, "shop");
    assert_eq!(repo.get_database_record(ada.id, s.id).unwrap(), None);
    let first = repo.put_database_record(&record(s.id, DatabaseStatus::Provisioning)).unwrap();
    assert_eq!(first.status, DatabaseStatus::Provisioning);
    let failure = OperationFailure {
        statement: Some(3),
        sql: Some("CREATE TABLE \"x\" ()".into()),
        message: "relation \"x\" already exists".into(),
        at: Utc::now(),
    };
    let failed = repo
        .put_database_record(&DatabaseRecord {
            status: DatabaseStatus::Failed,
            failure: Some(failure.clone()),
            ..record(s.id, DatabaseStatus::Failed)
        })
        .unwrap();
    assert_eq!(failed.created_at, first.created_at, "created_at is kept");
    let read = repo.get_database_record(ada.id, s.id).unwrap().unwrap();
    assert_eq!(
        read.failure.as_ref().map(|f| (f.statement, f.message.as_str())),
        Some((Some(3), failure.message.as_str()))
    );
    // Success clears the failure.
    let ready = repo
        .put_database_record(&DatabaseRecord { applied_version: Some(1), ..record(s.id, DatabaseStatus::Ready) })
        .unwrap();
    assert_eq!((ready.status, ready.applied_version, ready.failure), (DatabaseStatus::Ready, Some(1), None));
    assert_eq!(repo.get_database_record(bob.id, s.id).unwrap(), None, "another user's record is invisible");
    // Only deleted schemas' unfinished drops are orphans.
    repo.put_database_record(&record(s.id, DatabaseStatus::Dropping)).unwrap();
    assert!(repo.orphaned_drops().unwrap().is_empty(), "a live schema's drop can be retried by its owner");
    repo.delete_schema(ada.id, s.id, None).unwrap();
    assert_eq!(repo.orphaned_drops().unwrap().iter().map(|r| r.schema_id).collect::<Vec<_>>(), [s.id]);
    repo.put_database_record(&record(s.id, DatabaseStatus::Ready)).unwrap();
    assert!(repo.orphaned_drops().unwrap().is_empty(), "a kept database is no orphan");
    repo.delete_database_record(s.id).unwrap();
    repo.delete_database_record(s.id).unwrap();
    assert_eq!(repo.get_database_record(ada.id, s.id).unwrap(), None);
}

#[test]
fn the_operation_lock_excludes_other_sessions_until_dropped() {
    let (db, repo) = repo();
    // A second repository over the same database stands for another server process.
    let other = PgRepository::new(db.url(), &PoolSettings::default()).unwrap();
    let id = Uuid::new_v4();
    let held = repo.try_lock_schema(id).unwrap();
    assert!(held.is_some());
    assert!(other.try_lock_schema(id).unwrap().is_none(), "a second process is refused");
    assert!(repo.try_lock_schema(id).unwrap().is_none(), "so is a second operation in this process");
    assert!(other.try_lock_schema(Uuid::new_v4()).unwrap().is_some(), "other schemas are independent");
    drop(held);
    assert!(other.try_lock_schema(id).unwrap().is_some(), "dropping the lock releases it");
}

const PASSWORD: &str = "s3cret-password";

/// Names unique to one test, cleaned up on drop.
struct Provisioned {
    admin: PgDatabaseAdmin,
    database: String,
    role: String,
}

impl Provisioned {
    fn new(template: Option<String>) -> Self {
        let id = Uuid::new_v4().simple().to_string();
        Self {
            admin: PgDatabaseAdmin::new(
                &schemaforge_testdb::server_url(),
                AdminSettings { template, role_connection_limit: Some(5), ..AdminSettings::default() },
            ),
            database: format!("sf_admin_test_{id}"),
            role: format!("sf_admin_test_{id}_owner"),
        }
    }
}

impl Drop for Provisioned {
    fn drop(&mut self) {
        let _ = self.admin.drop_database(&self.database);
        let _ = self.admin.drop_role(&self.role);
    }
}

impl Provisioned {
    /// Apply `sql` as version `version` (kind `create` for 1, else `migrate`).
    fn apply(&self, version: i32, sql: &[&str]) -> Result<Applied, ApplyError> {
        let script = statements(sql);
        let kind = if version == 1 { "create" } else { "migrate" };
        let checksum = format!("checksum-{version}");
        self.admin.apply_script(
            &self.database,
            &self.role,
            PASSWORD,
            ScriptRun {
                statements: &script,
                version,
                checksum: &checksum,
                kind,
                lock_timeout_ms: None,
                statement_timeout_ms: None,
            },
        )
    }

    /// Role, database, and `sql` applied as version 1.
    fn built(template: Option<String>, sql: &[&str]) -> Self {
        let p = Self::new(template);
        p.admin.create_role(&p.role, PASSWORD).unwrap();
        p.admin.create_database(&p.database, &p.role).unwrap();
        p.apply(1, sql).unwrap();
        p
    }
}

fn server_count(sql: &str) -> i64 {
    let mut conn = PgConnection::establish(&schemaforge_testdb::server_url()).unwrap();
    schemaforge_testdb::count(&mut conn, sql).unwrap()
}

fn statements(sql: &[&str]) -> Vec<String> {
    sql.iter().map(ToString::to_string).collect()
}

#[test]
fn scripts_are_applied_as_the_role_and_recorded_in_the_history() {
    let p = Provisioned::new(None);
    let a = &p.admin;
    a.create_role(&p.role, PASSWORD).unwrap();
    assert!(matches!(a.create_role(&p.role, "x"), Err(RepoError::Conflict(Conflict::ObjectExists))));
    a.create_database(&p.database, &p.role).unwrap();
    assert!(matches!(a.create_database(&p.database, &p.role), Err(RepoError::Conflict(Conflict::ObjectExists))));
    let script = statements(&["CREATE TABLE \"t\" (\"id\" integer PRIMARY KEY)", "CREATE INDEX ON \"t\" (\"id\")"]);
    let run = ScriptRun {
        statements: &script,
        version: 1,
        checksum: "abc",
        kind: "create",
        lock_timeout_ms: None,
        statement_timeout_ms: None,
    };
    a.apply_script(&p.database, &p.role, PASSWORD, run).unwrap();
    let history = a.history(&p.database).unwrap();
    assert_eq!(
        history.iter().map(|h| (h.version, h.checksum.as_str(), h.kind.as_str())).collect::<Vec<_>>(),
        [(1, "abc", "create")]
    );
    let health = a.health(&p.database).unwrap();
    assert_eq!((health.table_count, health.applied_version(), health.open_connections), (1, Some(1), 0));
    assert!(health.size_bytes > 0);
    let owner = server_count(&format!(
        "SELECT count(*) AS n FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE d.datname = '{}' AND r.rolname = '{}'",
        p.database, p.role
    ));
    assert_eq!(owner, 1, "the role owns the database");
    let mut conn = PgConnection::establish(&with_database(&schemaforge_testdb::server_url(), &p.database)).unwrap();
    assert_eq!(
        schemaforge_testdb::count(
            &mut conn,
            &format!("SELECT count(*) AS n FROM pg_tables WHERE tablename = 't' AND tableowner = '{}'", p.role)
        )
        .unwrap(),
        1,
        "the role owns the tables"
    );
    assert_eq!(
        schemaforge_testdb::count(&mut conn, "SELECT count(*) AS n FROM pg_database WHERE datname = current_database() AND has_database_privilege('public', datname, 'CONNECT')").unwrap(),
        0,
        "PUBLIC cannot connect"
    );
    // The password never reached the server in clear: a SCRAM verifier did.
    assert_eq!(
        server_count(&format!(
            "SELECT count(*) AS n FROM pg_authid WHERE rolname = '{}' AND rolpassword LIKE 'SCRAM-SHA-256$4096:%' AND rolconnlimit = 5 AND NOT rolsuper AND NOT rolcreatedb AND NOT rolcreaterole",
            p.role
        )),
        1
    );
    drop(conn);
    a.drop_database(&p.database).unwrap();
    a.drop_role(&p.role).unwrap();
    a.drop_database(&p.database).unwrap();
    a.drop_role(&p.role).unwrap();
    assert_eq!(server_count(&format!("SELECT count(*) AS n FROM pg_database WHERE datname = '{}'", p.database)), 0);
    assert_eq!(server_count(&format!("SELECT count(*) AS n FROM pg_roles WHERE rolname = '{}'", p.role)), 0);
    assert!(matches!(a.health(&p.database), Err(RepoError::Unavailable(_))));
}

#[test]
fn a_failing_statement_is_reported_and_nothing_of_the_script_remains() {
    let p = Provisioned::new(None);
    let a = &p.admin;
    a.create_role(&p.role, PASSWORD).unwrap();
    a.create_database(&p.database, &p.role).unwrap();
    let script = statements(&["CREATE TABLE a (id int)", "CREATE TABLE b (id int)", "CREATE TABLE a (id int)"]);
    let run = ScriptRun {
        statements: &script,
        version: 1,
        checksum: "c",
        kind: "create",
        lock_timeout_ms: None,
        statement_timeout_ms: None,
    };
    match a.apply_script(&p.database, &p.role, PASSWORD, run) {
        Err(ApplyError::Statement { statement, sql, message }) => {
            assert_eq!((statement, sql.as_str()), (3, "CREATE TABLE a (id int)"));
            assert!(message.contains("\"a\" already exists"), "{message}");
        }
        other => panic!("expected a statement failure, got {other:?}"),
    }
    let health = a.health(&p.database).unwrap();
    assert_eq!((health.table_count, health.applied_version()), (0, None), "rolled back, history included");
}

#[test]
fn scram_verifiers_match_postgresql_s_own() {
    let mut conn = PgConnection::establish(&schemaforge_testdb::server_url()).unwrap();
    let role = format!("sf_scram_test_{}", Uuid::new_v4().simple());
    conn.batch_execute(&format!(
        "SET password_encryption = 'scram-sha-256'; CREATE ROLE {role} PASSWORD 'correct horse'"
    ))
    .unwrap();
    #[derive(QueryableByName)]
    struct Secret {
        #[diesel(sql_type = diesel::sql_types::Text)]
        rolpassword: String,
    }
    let theirs: Secret = diesel::sql_query(format!("SELECT rolpassword FROM pg_authid WHERE rolname = '{role}'"))
        .get_result(&mut conn)
        .unwrap();
    conn.batch_execute(&format!("DROP ROLE {role}")).unwrap();
    // SCRAM-SHA-256$<iterations>:<salt>$<stored>:<server>
    let (_, rest) = theirs.rolpassword.split_once('$').unwrap();
    let (iterations, rest) = rest.split_once(':').unwrap();
    let (salt, _) = rest.split_once('$').unwrap();
    use base64::Engine;
    let salt = base64::engine::general_purpose::STANDARD.decode(salt).unwrap();
    assert_eq!(scram::verifier_with("correct horse", &salt, iterations.parse().unwrap()), theirs.rolpassword);
    assert_ne!(scram::verifier("correct horse"), scram::verifier("correct horse"), "salts are random");
}

#[test]
fn databases_can_be_made_from_a_configured_template() {
    let template = TestDb::create().unwrap();
    template.execute("CREATE TABLE from_template (id int)").unwrap();
    let name = template.name().to_string();
    let p = Provisioned::new(Some(name));
    p.admin.create_role(&p.role, PASSWORD).unwrap();
    // The template must have no other session while it is copied.
    drop(template.connect().unwrap());
    p.admin.create_database(&p.database, &p.role).unwrap();
    assert_eq!(p.admin.health(&p.database).unwrap().table_count, 1);
}

#[test]
fn a_role_cannot_make_the_admin_run_its_functions() {
    let p = Provisioned::built(None, &["CREATE TABLE t (id int)"]);
    let a = &p.admin;
    // As the role: a trap named like pg_catalog's functions, first in the
    // database's default search_path.
    let mut conn = PgConnection::establish(&with_database(&schemaforge_testdb::server_url(), &p.database)).unwrap();
    conn.batch_execute(&format!(
        "SET ROLE \"{role}\";
         CREATE SCHEMA trap;
         CREATE TABLE trap.victims (who name);
         GRANT INSERT ON trap.victims TO PUBLIC;
         GRANT USAGE ON SCHEMA trap TO PUBLIC;
         CREATE FUNCTION trap.current_database() RETURNS name LANGUAGE sql VOLATILE
             AS 'INSERT INTO trap.victims VALUES (current_user) RETURNING pg_catalog.current_database()';
         CREATE FUNCTION trap.clock_timestamp() RETURNS timestamptz LANGUAGE sql VOLATILE
             AS 'INSERT INTO trap.victims VALUES (current_user) RETURNING pg_catalog.now()';
         ALTER DATABASE \"{db}\" SET search_path = trap, pg_catalog, public",
        role = p.role,
        db = p.database
    ))
    .unwrap();
    drop(conn);
    a.health(&p.database).unwrap();
    a.history(&p.database).unwrap();
    p.apply(2, &["CREATE TABLE u (id int)"]).unwrap();
    let mut conn = PgConnection::establish(&with_database(&schemaforge_testdb::server_url(), &p.database)).unwrap();
    assert_eq!(schemaforge_testdb::count(&mut conn, "SELECT count(*) AS n FROM trap.victims").unwrap(), 0);
    assert_eq!(
        schemaforge_testdb::count(
            &mut conn,
            "SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public' AND tablename = 'u'"
        )
        .unwrap(),
        1,
        "the script still lands in public"
    );
}

#[test]
fn code_the_role_plants_never_runs_with_the_admins_rights() {
    let p = Provisioned::new(None);
    let a = &p.admin;
    a.create_role(&p.role, PASSWORD).unwrap();
    assert_eq!(
        server_count(&format!("SELECT count(*) AS n FROM pg_roles WHERE rolname = '{}' AND NOT rolcanlogin", p.role)),
        1,
        "no login before its database is ready"
    );
    a.create_database(&p.database, &p.role).unwrap();
    p.apply(1, &["CREATE TABLE t (qty int)", "INSERT INTO t VALUES (1)"]).unwrap();
    // The role plants a function that tries to leave its role when someone
    // else runs it, and makes a table rewrite call it.
    let url = with_credentials(&with_database(&schemaforge_testdb::server_url(), &p.database), &p.role, PASSWORD);
    let mut conn = PgConnection::establish(&url).unwrap();
    conn.batch_execute(&format!(
        "CREATE FUNCTION escape(x anyelement) RETURNS boolean LANGUAGE plpgsql AS $$
         BEGIN
             BEGIN
                 RESET ROLE;
                 ALTER ROLE \"{role}\" SUPERUSER;
             EXCEPTION WHEN OTHERS THEN NULL;
             END;
             RETURN true;
         END $$;
         ALTER TABLE t ADD CONSTRAINT t_escape CHECK (escape(qty))",
        role = p.role
    ))
    .unwrap();
    drop(conn);
    p.apply(2, &["ALTER TABLE t ALTER COLUMN qty TYPE bigint"]).unwrap();
    assert_eq!(
        server_count(&format!("SELECT count(*) AS n FROM pg_roles WHERE rolname = '{}' AND rolsuper", p.role)),
        0,
        "the role is still no superuser"
    );
    assert_eq!(a.history(&p.database).unwrap().last().map(|h| h.version), Some(2));
    // The role may append to its history (it owns its data anyway) but not rewrite it.
    let mut conn = PgConnection::establish(&url).unwrap();
    assert!(conn.batch_execute("DELETE FROM schemaforge.history").is_err());
    assert!(conn.batch_execute("UPDATE schemaforge.history SET version = 9").is_err());
    assert!(conn.batch_execute("DROP SCHEMA schemaforge CASCADE").is_err());
}

fn audit(user: Uuid, action: &'static str, outcome: crate::AuditOutcome) -> crate::NewAuditEntry {
    crate::NewAuditEntry {
        user_id: user,
        api_key_id: None,
        action,
        target_type: "schema",
        target_id: Some(Uuid::new_v4()),
        target_name: Some("shop".into()),
        outcome,
        error_code: (outcome == crate::AuditOutcome::Failure).then_some("schema_not_found"),
        detail: Some(serde_json::json!({"version": 2})),
        request_id: Some("req-1".into()),
    }
}

#[test]
fn the_audit_log_pages_newest_first_per_user_and_refuses_changes() {
    use crate::{AuditOutcome, AuditRepository};
    let (db, repo) = repo();
    let ada = user(&repo, "ada@example.com").id;
    let bob = user(&repo, "bob@example.com").id;
    for action in ["schema.create", "schema.update", "database.provision"] {
        repo.append_audit(audit(ada, action, AuditOutcome::Success)).unwrap();
    }
    repo.append_audit(audit(bob, "schema.delete", AuditOutcome::Failure)).unwrap();
    let page = repo.list_audit(ada, 0, 2).unwrap();
    assert_eq!(page.total, 3);
    let actions: Vec<&str> = page.items.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["database.provision", "schema.update"]);
    assert_eq!(page.items[0].request_id.as_deref(), Some("req-1"));
    assert_eq!(page.items[0].detail, Some(serde_json::json!({"version": 2})));
    let rest = repo.list_audit(ada, 2, 2).unwrap();
    assert_eq!(rest.items.len(), 1);
    assert_eq!(rest.items[0].action, "schema.create");
    let bobs = repo.list_audit(bob, 0, 10).unwrap();
    assert_eq!((bobs.total, bobs.items[0].outcome.as_str()), (1, "failure"));
    assert_eq!(bobs.items[0].error_code.as_deref(), Some("schema_not_found"));

    let mut conn = db.connect().unwrap();
    for sql in ["UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"] {
        let err = conn.batch_execute(sql).unwrap_err().to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(repo.list_audit(ada, 0, 10).unwrap().total, 3);
}

#[test]
fn json_reads_answer_with_the_serialized_document_in_one_statement_and_old_rows_are_backfilled() {
    let (db, repo) = repo();
    let ada = user(&repo, "ada@example.com").id;
    let bob = user(&repo, "bob@example.com").id;
    let s = schema(&repo, ada, "shop");
    let v2 = repo.update_schema(ada, s.id, None, doc("shop2")).unwrap();
    let got = repo.get_schema_json(ada, s.id, None).unwrap().unwrap();
    assert_eq!(got.document.as_deref(), Some(serde_json::to_string(&v2.document).unwrap().as_str()));
    assert_eq!((got.summary.version, got.summary.name.as_str()), (2, "shop2"));
    // A caller that holds version 2's text is told the version, not sent the
    // text; one that holds an older version is sent it.
    let held = repo.get_schema_json(ada, s.id, Some(2)).unwrap().unwrap();
    assert_eq!((held.summary.version, held.document), (2, None));
    assert_eq!(repo.get_schema_json(ada, s.id, Some(1)).unwrap().unwrap().document, got.document);
    let first = repo.get_version_json(ada, s.id, 1, true).unwrap().unwrap();
    let first_text = first.document.clone().unwrap();
    assert_eq!(first_text, serde_json::to_string(&doc("shop")).unwrap());
    let bare = repo.get_version_json(ada, s.id, 1, false).unwrap().unwrap();
    assert_eq!((bare.version, bare.created_at, bare.document), (1, first.created_at, None));
    assert!(repo.get_schema_json(bob, s.id, None).unwrap().is_none(), "another owner's schema is not found");
    assert!(repo.get_schema_json(bob, s.id, Some(2)).unwrap().is_none(), "even when the version is guessed");
    assert!(repo.get_version_json(bob, s.id, 1, true).unwrap().is_none());
    assert!(repo.get_version_json(bob, s.id, 1, false).unwrap().is_none());
    assert!(repo.get_version_json(ada, s.id, 3, true).unwrap().is_none());

    // A version written before the text was stored.
    let mut conn = db.connect().unwrap();
    conn.batch_execute("UPDATE schema_versions SET document_text = NULL").unwrap();
    let fallback = repo.get_version_json(ada, s.id, 1, true).unwrap().unwrap().document.unwrap();
    let as_value = |t: &str| serde_json::from_str::<serde_json::Value>(t).unwrap();
    assert_eq!(as_value(&fallback), as_value(&first_text), "the JSONB's text means the same");
    assert_eq!(repo.backfill_document_text().unwrap(), 2);
    assert_eq!(repo.get_version_json(ada, s.id, 1, true).unwrap().unwrap().document, Some(first_text));
    assert_eq!(repo.backfill_document_text().unwrap(), 0);

    repo.delete_schema(ada, s.id, None).unwrap();
    assert!(repo.get_schema_json(ada, s.id, Some(2)).unwrap().is_none());
    assert!(repo.get_version_json(ada, s.id, 1, false).unwrap().is_none());
}

// ------------------------------------------------------------------ jobs

fn new_job(owner: Uuid, target: &str) -> NewJob {
    NewJob {
        id: Uuid::new_v4(),
        owner_id: owner,
        schema_id: None,
        kind: "sync".into(),
        target: target.into(),
        params: serde_json::json!({"direction": "to-live"}),
    }
}

const LEASE: Lease = Lease { duration: Duration::from_secs(30), max_attempts: 2 };

#[test]
fn one_active_job_per_target_and_cancel_by_owner_only() {
    let (_db, repo) = repo();
    let (ada, bob) = (user(&repo, "ada@example.com"), user(&repo, "bob@example.com"));
    let first = repo.enqueue_job(new_job(ada.id, "db:1")).unwrap();
    assert_eq!((first.status, first.attempts, first.progress.clone()), (JobStatus::Pending, 0, JobProgress::default()));
    match repo.enqueue_job(new_job(ada.id, "db:1")) {
        Err(RepoError::Conflict(Conflict::ActiveJob(id))) => assert_eq!(id, first.id),
        other => panic!("expected ActiveJob, got {other:?}"),
    }
    repo.enqueue_job(new_job(ada.id, "db:2")).unwrap();
    assert!(repo.get_job(bob.id, first.id).unwrap().is_none(), "another user's job is not found");
    assert!(matches!(repo.cancel_job(bob.id, first.id), Err(RepoError::NotFound)));
    let cancelled = repo.cancel_job(ada.id, first.id).unwrap();
    assert_eq!(cancelled.status, JobStatus::Cancelled);
    assert!(cancelled.finished_at.is_some());
    // Its target is free again; the cancelled job is never claimed.
    let again = repo.enqueue_job(new_job(ada.id, "db:1")).unwrap();
    let claimed = repo.claim_job("w1", LEASE).unwrap().unwrap();
    assert_ne!(claimed.id, first.id);
    let page = repo.list_jobs(ada.id, &JobQuery { limit: 10, ..Default::default() }).unwrap();
    assert_eq!(page.total, 3);
    let only = JobQuery { status: Some(JobStatus::Cancelled), limit: 10, ..Default::default() };
    assert_eq!(repo.list_jobs(ada.id, &only).unwrap().items.iter().map(|j| j.id).collect::<Vec<_>>(), [first.id]);
    let on = JobQuery { target: Some("db:1".into()), limit: 10, ..Default::default() };
    assert_eq!(repo.list_jobs(ada.id, &on).unwrap().total, 2);
    assert_eq!(repo.list_jobs(bob.id, &JobQuery { limit: 10, ..Default::default() }).unwrap().total, 0);
    // A running job is only marked; its worker ends it.
    let running = if claimed.id == again.id { claimed } else { repo.claim_job("w1", LEASE).unwrap().unwrap() };
    let marked = repo.cancel_job(ada.id, running.id).unwrap();
    assert_eq!((marked.status, marked.cancel_requested), (JobStatus::Running, true));
    let beat = repo.heartbeat_job(running.id, "w1", LEASE, &JobProgress::default()).unwrap();
    assert_eq!(beat, Beat { held: true, cancel_requested: true });
    assert!(repo.finish_job(running.id, "w1", JobEnd::Cancelled).unwrap());
    assert_eq!(repo.cancel_job(ada.id, running.id).unwrap().status, JobStatus::Cancelled, "an ended job stays");
}

#[test]
fn a_lost_lease_is_taken_over_then_failed_after_the_attempts_allowed() {
    let (db, repo) = repo();
    let ada = user(&repo, "ada@example.com");
    let job = repo.enqueue_job(new_job(ada.id, "db:1")).unwrap();
    let short = Lease { duration: Duration::from_millis(200), max_attempts: 2 };
    let first = repo.claim_job("w1", short).unwrap().unwrap();
    assert_eq!((first.id, first.attempts, first.worker.as_deref()), (job.id, 1, Some("w1")));
    let progress = JobProgress { done: 1, total: 3, current: Some("applying".into()) };
    assert!(repo.heartbeat_job(job.id, "w1", short, &progress).unwrap().held);
    assert!(repo.claim_job("w2", short).unwrap().is_none(), "a held lease is not taken");
    std::thread::sleep(Duration::from_millis(300));
    let second = repo.claim_job("w2", short).unwrap().unwrap();
    assert_eq!((second.attempts, second.worker.as_deref(), second.progress), (2, Some("w2"), progress));
    // The first worker learns it lost the job and cannot end it.
    assert!(!repo.heartbeat_job(job.id, "w1", short, &JobProgress::default()).unwrap().held);
    assert!(!repo.finish_job(job.id, "w1", JobEnd::Succeeded(serde_json::json!({}))).unwrap());
    std::thread::sleep(Duration::from_millis(300));
    assert!(repo.claim_job("w3", short).unwrap().is_none(), "two attempts were allowed");
    let failed = repo.get_job(ada.id, job.id).unwrap().unwrap();
    assert_eq!(failed.status, JobStatus::Failed);
    assert_eq!(failed.error.map(|e| e.code).as_deref(), Some("WORKER_LOST"));
    // The stored outcome holds the statement that failed, when one did.
    let other = repo.enqueue_job(new_job(ada.id, "db:2")).unwrap();
    repo.claim_job("w1", LEASE).unwrap().unwrap();
    let error = JobError { code: "X".into(), message: "m".into(), statement: Some(2), sql: Some("SELECT 1".into()) };
    assert!(repo.finish_job(other.id, "w1", JobEnd::Failed(error.clone(), None)).unwrap());
    assert_eq!(repo.get_job(ada.id, other.id).unwrap().unwrap().error, Some(error));
    drop(db);
}

#[test]
fn a_hundred_jobs_claimed_by_four_workers_each_run_exactly_once() {
    let (_db, repo) = repo();
    let ada = user(&repo, "ada@example.com");
    let ids: std::collections::HashSet<Uuid> =
        (0..100).map(|i| repo.enqueue_job(new_job(ada.id, &format!("db:{i}"))).unwrap().id).collect();
    let runs: Vec<Vec<Uuid>> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..4)
            .map(|w| {
                let repo = &repo;
                s.spawn(move || {
                    let name = format!("w{w}");
                    let mut ran = Vec::new();
                    while let Some(job) = repo.claim_job(&name, LEASE).unwrap() {
                        assert!(repo.finish_job(job.id, &name, JobEnd::Succeeded(serde_json::json!({}))).unwrap());
                        ran.push(job.id);
                    }
                    ran
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let all: Vec<Uuid> = runs.iter().flatten().copied().collect();
    assert_eq!(all.len(), 100, "each job ran once: {:?}", runs.iter().map(Vec::len).collect::<Vec<_>>());
    assert_eq!(all.iter().copied().collect::<std::collections::HashSet<_>>(), ids);
    let done = JobQuery { status: Some(JobStatus::Succeeded), limit: 1, ..Default::default() };
    assert_eq!(repo.list_jobs(ada.id, &done).unwrap().total, 100);
}
