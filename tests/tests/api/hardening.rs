//! HEAD, 405 with `Allow`, and the security headers, over HTTP.

use awc::http::StatusCode;

use crate::helpers::spawn_app;

#[actix_web::test]
async fn head_is_answered_wherever_get_is() {
    let app = spawn_app().await;
    let (token, _) = app.register("ada@example.com").await;
    for path in ["/health", "/schemas", "/auth/me", "/nope"] {
        let get = app.call("GET", path, Some(&token), None).await;
        let head = app.call("HEAD", path, Some(&token), None).await;
        assert_eq!(head.status, get.status, "{path}");
        assert!(head.body.is_empty(), "HEAD {path} sent a body");
        assert!(!get.body.is_empty(), "GET {path}");
        assert_eq!(head.header("content-type"), get.header("content-type"), "{path}");
    }
    // Without credentials HEAD fails as GET does.
    assert_eq!(app.call("HEAD", "/schemas", None, None).await.status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn a_wrong_method_gets_405_naming_the_allowed_ones() {
    let app = spawn_app().await;
    let (token, _) = app.register("ada@example.com").await;
    let id = uuid::Uuid::new_v4();
    for (method, path, allow) in [
        ("DELETE", "/health".to_string(), "GET, HEAD"),
        ("GET", "/auth/login".to_string(), "POST"),
        ("POST", format!("/schemas/{id}"), "GET, HEAD, PUT, PATCH, DELETE"),
        ("PUT", format!("/schemas/{id}/database"), "POST, GET, HEAD, DELETE"),
    ] {
        let r = app.call(method, &path, Some(&token), None).await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert_eq!(r.code(), "METHOD_NOT_ALLOWED", "{method} {path}");
        assert_eq!(r.header("allow").as_deref(), Some(allow), "{method} {path}");
    }
}

#[actix_web::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    let (token, _) = app.register("ada@example.com").await;
    let replies = [
        app.get("/health", None).await,
        app.get("/nope", None).await,
        app.get("/schemas", None).await,
        app.get("/schemas", Some(&token)).await,
        app.call("DELETE", "/health", None, None).await,
    ];
    for r in &replies {
        assert_eq!(r.header("x-content-type-options").as_deref(), Some("nosniff"), "{}", r.status);
        assert_eq!(r.header("referrer-policy").as_deref(), Some("no-referrer"));
        assert_eq!(r.header("content-security-policy").as_deref(), Some("default-src 'none'; frame-ancestors 'none'"));
        assert_eq!(r.header("x-frame-options").as_deref(), Some("DENY"));
    }
    // Authenticated answers are not cached; public ones may be.
    assert_eq!(replies[3].header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(replies[0].header("cache-control"), None);
}
