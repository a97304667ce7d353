//! Repository tests against a real PostgreSQL database, fresh per test.

use super::*;
use crate::{SchemaQuery, SchemaSort};
use schemaforge_testdb::TestDb;

fn repo() -> (TestDb, PgRepository) {
    let db = TestDb::create().unwrap();
    let repo = PgRepository::new(db.url(), &PoolSettings::default()).unwrap();
    let applied = repo.run_migrations().unwrap();
    assert_eq!(applied.len(), 2);
    (db, repo)
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
    assert_eq!(repo.applied_migrations().unwrap().len(), 2);
    let settings = PoolSettings { max_size: 1, connection_timeout: Duration::from_millis(300) };
    let down = PgRepository::new("postgres://postgres@127.0.0.1:1/nowhere", &settings).unwrap();
    assert!(matches!(down.applied_migrations(), Err(RepoError::Unavailable(_))));
}
