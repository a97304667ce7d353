//! The OpenAPI document is the routes' own description, and the committed
//! copy (`docs/openapi.json`) is current. `SCHEMAFORGE_UPDATE_OPENAPI=1`
//! rewrites the copy instead of failing.

use std::collections::BTreeSet;

use schemaforge_repository::pg::PgRepository;

#[test]
fn the_document_lists_exactly_the_routes() {
    let doc = schemaforge_http::openapi::document();
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| item.as_object().unwrap().keys().map(move |m| (path.clone(), m.to_uppercase())))
        .collect();
    let routed: BTreeSet<(String, String)> = schemaforge_http::route_table::<PgRepository>()
        .into_iter()
        .flat_map(|(path, methods)| methods.into_iter().map(move |m| (path.clone(), m.to_string())))
        .collect();
    let missing: Vec<_> = routed.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&routed).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "undocumented routes: {missing:?}; documented but not routed: {extra:?}"
    );
    assert!(routed.len() >= 33);
}

#[test]
fn the_committed_copy_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/openapi.json");
    let current = schemaforge_http::openapi::document_text();
    if std::env::var_os("SCHEMAFORGE_UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &current).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == current,
        "docs/openapi.json is stale: run `SCHEMAFORGE_UPDATE_OPENAPI=1 cargo nextest run -p schemaforge-tests openapi` and commit it"
    );
}
