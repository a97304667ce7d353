//! Sign-up, login, tokens, profile and API keys over HTTP.

use crate::helpers::spawn_app;
use awc::http::StatusCode;
use serde_json::json;

#[actix_web::test]
async fn register_login_refresh_logout() {
    let app = spawn_app().await;
    let (access, refresh) = app.register("Ada@Example.com").await;

    let me = app.get("/auth/me", Some(&access)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["email"], "ada@example.com");
    assert!(me.json().get("passwordHash").is_none(), "never show the hash");

    let dup = app
        .call(
            "POST",
            "/auth/register",
            None,
            Some(&json!({"email": "ada@example.com", "password": "another long one"})),
        )
        .await;
    assert_eq!((dup.status, dup.code().as_str()), (StatusCode::CONFLICT, "DUPLICATE_EMAIL"));

    let bad = app
        .call("POST", "/auth/login", None, Some(&json!({"email": "ada@example.com", "password": "wrong password"})))
        .await;
    assert_eq!((bad.status, bad.code().as_str()), (StatusCode::UNAUTHORIZED, "UNAUTHORIZED"));
    let login = app
        .call(
            "POST",
            "/auth/login",
            None,
            Some(&json!({"email": "ada@example.com", "password": "correct horse battery"})),
        )
        .await;
    assert_eq!(login.status, StatusCode::OK);

    let rotated = app.call("POST", "/auth/refresh", None, Some(&json!({"refreshToken": refresh}))).await;
    assert_eq!(rotated.status, StatusCode::OK);
    let next = rotated.json()["refreshToken"].as_str().unwrap().to_string();
    // reuse of the rotated token: refused, and the whole family is revoked
    let reuse = app.call("POST", "/auth/refresh", None, Some(&json!({"refreshToken": refresh}))).await;
    assert_eq!(reuse.status, StatusCode::UNAUTHORIZED);
    let after = app.call("POST", "/auth/refresh", None, Some(&json!({"refreshToken": next}))).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);

    let session = login.json();
    let out = app.call("POST", "/auth/logout", None, Some(&json!({"refreshToken": session["refreshToken"]}))).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let gone = app.call("POST", "/auth/refresh", None, Some(&json!({"refreshToken": session["refreshToken"]}))).await;
    assert_eq!(gone.status, StatusCode::UNAUTHORIZED);

    let patched = app.call("PATCH", "/auth/me", Some(&access), Some(&json!({"displayName": "Ada L."}))).await;
    assert_eq!(patched.json()["displayName"], "Ada L.");
    let cleared = app.call("PATCH", "/auth/me", Some(&access), Some(&json!({"displayName": null}))).await;
    assert_eq!(cleared.json()["displayName"], serde_json::Value::Null);
}

#[actix_web::test]
async fn api_keys_work_as_bearer_tokens_until_revoked() {
    let app = spawn_app().await;
    let (access, _) = app.register("ci@example.com").await;
    let created = app.call("POST", "/auth/api-keys", Some(&access), Some(&json!({"name": "ci"}))).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let key = created.json();
    let secret = key["key"].as_str().unwrap().to_string();
    assert!(secret.starts_with("sfk_"));

    let listed = app.get("/auth/api-keys", Some(&access)).await.json();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert!(listed["items"][0].get("key").is_none(), "the secret is shown once");

    let me = app.get("/auth/me", Some(&secret)).await;
    assert_eq!((me.status, me.json()["email"].as_str()), (StatusCode::OK, Some("ci@example.com")));
    // a key cannot mint more keys (a leaked key must not outlive its revocation)
    let minted = app.call("POST", "/auth/api-keys", Some(&secret), Some(&json!({"name": "more"}))).await;
    assert_eq!((minted.status, minted.code().as_str()), (StatusCode::FORBIDDEN, "FORBIDDEN"));

    let id = key["id"].as_str().unwrap();
    let revoked = app.call("DELETE", &format!("/auth/api-keys/{id}"), Some(&access), None).await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/auth/me", Some(&secret)).await.status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn weak_passwords_and_bad_emails_are_refused() {
    let app = spawn_app().await;
    let r =
        app.call("POST", "/auth/register", None, Some(&json!({"email": "x@example.com", "password": "short"}))).await;
    assert_eq!((r.status, r.code().as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "INVALID_INPUT"));
    let r = app
        .call("POST", "/auth/register", None, Some(&json!({"email": "not-an-email", "password": "long enough pw"})))
        .await;
    assert_eq!((r.status, r.code().as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "INVALID_INPUT"));
}
