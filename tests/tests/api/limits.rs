//! Rate limits and login back-off over HTTP: 429 with `Retry-After` and
//! the error envelope, before any work is done.

use awc::http::StatusCode;
use serde_json::json;

use crate::helpers::{Reply, spawn_app, spawn_app_with};

fn assert_limited(r: &Reply) {
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text());
    assert_eq!(r.code(), "RATE_LIMITED");
    let wait: u64 = r.header("retry-after").expect("Retry-After").parse().unwrap();
    assert!((1..=900).contains(&wait), "{wait}");
    assert_eq!(r.json()["error"]["details"][0]["retryAfterSeconds"], wait);
    assert!(r.header("x-request-id").is_some());
}

#[actix_web::test]
async fn auth_endpoints_are_limited_per_client_address() {
    let app = spawn_app_with(|s| {
        s.rate_limit.auth_per_minute = 2;
        s.rate_limit.auth_burst = 3;
    })
    .await;
    let wrong = json!({"email": "nobody@example.com", "password": "not this one"});
    for _ in 0..3 {
        let r = app.call("POST", "/auth/login", None, Some(&wrong)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = app.call("POST", "/auth/login", None, Some(&wrong)).await;
    assert_limited(&r);
    assert!(r.header("retry-after").unwrap().parse::<u64>().unwrap() >= 20, "one request per 30 s comes back");
    // Registration shares the address's budget; other routes do not.
    assert_limited(&app.call("POST", "/auth/register", None, Some(&wrong)).await);
    assert_eq!(app.get("/health", None).await.status, StatusCode::OK);
}

#[actix_web::test]
async fn authenticated_requests_are_limited_per_account() {
    let app = spawn_app_with(|s| {
        s.rate_limit.account_per_minute = 60;
        s.rate_limit.account_burst = 5;
    })
    .await;
    let (ada, _) = app.register("ada@example.com").await;
    let (bob, _) = app.register("bob@example.com").await;
    for _ in 0..5 {
        assert_eq!(app.get("/schemas", Some(&ada)).await.status, StatusCode::OK);
    }
    assert_limited(&app.get("/schemas", Some(&ada)).await);
    assert_limited(&app.get("/auth/me", Some(&ada)).await);
    // Another account from the same address is not slowed down.
    assert_eq!(app.get("/schemas", Some(&bob)).await.status, StatusCode::OK);
}

#[actix_web::test]
async fn failed_logins_back_off_per_account_alike_for_unknown_emails() {
    let app = spawn_app().await;
    app.register("ada@example.com").await;
    for email in ["ada@example.com", "nobody@example.com"] {
        let wrong = json!({"email": email, "password": "not the password"});
        for _ in 0..5 {
            assert_eq!(app.call("POST", "/auth/login", None, Some(&wrong)).await.status, StatusCode::UNAUTHORIZED);
        }
        // The sixth failure starts the wait.
        assert_eq!(app.call("POST", "/auth/login", None, Some(&wrong)).await.status, StatusCode::UNAUTHORIZED);
        let right = json!({"email": email, "password": "correct horse battery"});
        let r = app.call("POST", "/auth/login", None, Some(&right)).await;
        assert_limited(&r);
    }
    // Other accounts log in as usual.
    app.register("bob@example.com").await;
    let bob = json!({"email": "bob@example.com", "password": "correct horse battery"});
    assert_eq!(app.call("POST", "/auth/login", None, Some(&bob)).await.status, StatusCode::OK);
}
