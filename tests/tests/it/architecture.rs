//! Dependencies point inwards (see ARCHITECTURE.md). This reads
//! `cargo metadata` and fails on a forbidden edge.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

/// Internal crates each crate may depend on (normal dependencies).
const ALLOWED_INTERNAL: &[(&str, &[&str])] = &[
    ("schemaforge-pgparse", &[]),
    ("schemaforge-domain", &["schemaforge-pgparse"]),
    ("schemaforge-sqlgen", &["schemaforge-domain"]),
    // Import: the mapping from the catalog (rows the repository reads), and
    // the statement splitter for SQL files.
    ("schemaforge-introspect", &["schemaforge-pgparse", "schemaforge-domain", "schemaforge-sqlgen"]),
    // Drift: the design as printed and the live database, compared.
    ("schemaforge-drift", &["schemaforge-domain", "schemaforge-sqlgen", "schemaforge-introspect"]),
    ("schemaforge-repository", &["schemaforge-domain", "schemaforge-sqlgen", "schemaforge-introspect"]),
    // Import maps a catalog to a document with the pure introspect crate;
    // drift compares a provisioned database with its design.
    (
        "schemaforge-services",
        &[
            "schemaforge-domain",
            "schemaforge-sqlgen",
            "schemaforge-repository",
            "schemaforge-introspect",
            "schemaforge-drift",
        ],
    ),
    ("schemaforge-http", &["schemaforge-domain", "schemaforge-services", "schemaforge-repository"]),
    ("schemaforge-server", &["schemaforge-services", "schemaforge-http", "schemaforge-repository"]),
    // `validate --dev-url` tries the create script through the repository.
    // `inspect` and `import` read databases through it too.
    // `drift`, `apply` and `advise` too.
    (
        "schemaforge-cli",
        &[
            "schemaforge-domain",
            "schemaforge-sqlgen",
            "schemaforge-repository",
            "schemaforge-introspect",
            "schemaforge-drift",
        ],
    ),
    ("schemaforge-testdb", &[]),
    ("schemaforge-tests", &["schemaforge-domain", "schemaforge-sqlgen", "schemaforge-testdb"]),
];

/// Third-party crates that only some members may name.
const RESTRICTED: &[(&str, &[&str])] = &[
    ("diesel", &["schemaforge-repository", "schemaforge-testdb", "schemaforge-tests"]),
    ("diesel_migrations", &["schemaforge-repository", "schemaforge-server"]),
    ("r2d2", &["schemaforge-repository"]),
    // PostgreSQL's C parser is built in one place, behind a safe API.
    ("pg_query", &["schemaforge-pgparse"]),
    (
        "chrono",
        &[
            "schemaforge-repository",
            "schemaforge-services",
            "schemaforge-http",
            "schemaforge-server",
            "schemaforge-tests",
        ],
    ),
    ("actix-web", &["schemaforge-http", "schemaforge-server", "schemaforge-tests"]),
    ("actix-cors", &["schemaforge-server"]),
    // Secrets at rest are the services' business; SCRAM verifiers are PostgreSQL's.
    ("chacha20poly1305", &["schemaforge-services"]),
    ("pbkdf2", &["schemaforge-repository"]),
    ("hmac", &["schemaforge-repository"]),
    ("tokio", &["schemaforge-http", "schemaforge-server", "schemaforge-services", "schemaforge-tests"]),
];

fn metadata() -> serde_json::Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn dependencies() -> BTreeMap<String, BTreeSet<(String, bool)>> {
    let meta = metadata();
    let mut out = BTreeMap::new();
    for pkg in meta["packages"].as_array().unwrap() {
        let name = pkg["name"].as_str().unwrap().to_string();
        let deps = pkg["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| (d["name"].as_str().unwrap().to_string(), d["kind"].as_str() == Some("dev")))
            .collect();
        out.insert(name, deps);
    }
    out
}

#[test]
fn internal_dependencies_point_inwards() {
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED_INTERNAL.iter().copied().collect();
    for (pkg, deps) in dependencies() {
        let Some(allowed) = allowed.get(pkg.as_str()) else {
            panic!("{pkg} is not listed in ALLOWED_INTERNAL; decide where it sits and add it");
        };
        for (dep, dev) in deps {
            if dep.starts_with("schemaforge-") && !dev {
                assert!(allowed.contains(&dep.as_str()), "{pkg} must not depend on {dep}");
            }
        }
    }
}

#[test]
fn restricted_crates_stay_in_their_layer() {
    let deps = dependencies();
    for (krate, owners) in RESTRICTED {
        for (pkg, pkg_deps) in &deps {
            if pkg_deps.iter().any(|(d, _)| d == krate) {
                assert!(owners.contains(&pkg.as_str()), "{pkg} must not name {krate}");
            }
        }
    }
}

#[test]
fn services_see_only_the_repository_traits() {
    let meta = metadata();
    let services = meta["packages"].as_array().unwrap().iter().find(|p| p["name"] == "schemaforge-services").unwrap();
    let repo =
        services["dependencies"].as_array().unwrap().iter().find(|d| d["name"] == "schemaforge-repository").unwrap();
    assert_eq!(repo["uses_default_features"], false, "services must not enable the Diesel implementation");
    assert!(repo["features"].as_array().unwrap().is_empty());
}

#[test]
fn the_core_crates_do_no_io() {
    let deps = dependencies();
    for pkg in [
        "schemaforge-pgparse",
        "schemaforge-domain",
        "schemaforge-sqlgen",
        "schemaforge-introspect",
        "schemaforge-drift",
    ] {
        for (dep, dev) in &deps[pkg] {
            if *dev {
                continue;
            }
            assert!(
                [
                    "schemaforge-domain",
                    "schemaforge-sqlgen",
                    // PostgreSQL's parser, compiled in: it reads text and
                    // builds trees, nothing else.
                    "schemaforge-pgparse",
                    "schemaforge-introspect",
                    "pg_query",
                    "serde",
                    "serde_json",
                    "serde_path_to_error",
                    "schemars",
                    "thiserror",
                ]
                .contains(&dep.as_str()),
                "{pkg} gained the dependency {dep}; the core crates stay pure (see ARCHITECTURE.md)"
            );
        }
    }
}
