//! Domain changes: a column into and out of a domain, a domain's checks,
//! NOT NULL and default altered in place, a domain rebuilt, a column of a
//! constrained domain added (with a default it refuses, NOT NULL, and
//! NULL passing its check).

use serde_json::{Value, json};

use super::{Case, NULL_ROW, ROW, c, pair, t, with};

const NEGATIVE_ROW: &str = "INSERT INTO t (id, a) VALUES (1, -5)";

/// The document with domains `positive` (integer, `VALUE > 0`), `plain`
/// (integer) and, from `extra`, changes to them.
fn domains(v: Value, positive: Value) -> Value {
    with(v, |d| {
        d.insert("domains".into(), json!([positive, {"id": "dn", "name": "plain", "dataType": "integer"}]));
    })
}

fn positive(extra: Value) -> Value {
    let mut d = json!({"id": "dp", "name": "positive", "dataType": "integer",
        "checks": [{"id": "k1", "expression": "VALUE > 0"}]});
    if let (Some(d), Some(e)) = (d.as_object_mut(), extra.as_object()) {
        d.extend(e.clone());
    }
    d
}

pub(super) fn cases() -> Vec<Case> {
    let data: &[&[&str]] = &[&[ROW], &[NULL_ROW], &[NEGATIVE_ROW]];
    let of = |domain: &str| c("a", "domain", json!({"domainId": domain}));
    let plain = || t(vec![c("a", "integer", json!({}))], json!({}));
    let on = |col: Value| t(vec![col], json!({}));
    let doc = |v: Value| domains(v, positive(json!({})));
    let array_of = |domain: &str| c("b", "domain", json!({"domainId": domain, "isArray": true}));
    vec![
        pair("column into a domain", "without constraints", doc(plain()), doc(on(of("dn"))), data),
        pair("column into a domain", "with a check", doc(plain()), doc(on(of("dp"))), data),
        pair("column out of a domain", "with a check", doc(on(of("dp"))), doc(plain()), &[&[ROW], &[NULL_ROW]]),
        pair("column between domains", "into one with a check", doc(on(of("dn"))), doc(on(of("dp"))), data),
        pair(
            "add domain check",
            "a column of the domain",
            domains(on(of("dp")), positive(json!({"checks": []}))),
            doc(on(of("dp"))),
            data,
        ),
        pair(
            "drop domain check",
            "a column of the domain",
            doc(on(of("dp"))),
            domains(on(of("dp")), positive(json!({"checks": []}))),
            &[&[ROW], &[NULL_ROW]],
        ),
        pair(
            "set domain not null",
            "a column of the domain",
            doc(on(of("dp"))),
            domains(on(of("dp")), positive(json!({"notNull": true}))),
            &[&[ROW], &[NULL_ROW]],
        ),
        pair(
            "drop domain not null",
            "a column of the domain",
            domains(on(of("dp")), positive(json!({"notNull": true}))),
            doc(on(of("dp"))),
            &[&[ROW]],
        ),
        pair(
            "set domain default",
            "a column of the domain",
            doc(on(of("dp"))),
            domains(on(of("dp")), positive(json!({"default": 7}))),
            &[&[ROW], &[NULL_ROW]],
        ),
        pair(
            "rename domain",
            "a column of the domain",
            doc(on(of("dp"))),
            domains(on(of("dp")), positive(json!({"name": "above_zero"}))),
            &[&[ROW], &[NULL_ROW]],
        ),
        pair(
            "rebuild domain",
            "integer to bigint, with a check",
            doc(on(of("dp"))),
            domains(on(of("dp")), positive(json!({"dataType": "bigint"}))),
            &[&[ROW], &[NULL_ROW]],
        ),
        pair(
            "rebuild domain",
            "integer to smallint, with a check",
            doc(on(of("dp"))),
            domains(on(of("dp")), positive(json!({"dataType": "smallint"}))),
            &[&[ROW], &["INSERT INTO t (id, a) VALUES (1, 40000)"]],
        ),
        pair(
            "add domain check",
            "an array column of the domain (rebuilt)",
            domains(on(array_of("dp")), positive(json!({"checks": []}))),
            doc(on(array_of("dp"))),
            &[&["INSERT INTO t (id, b) VALUES (1, ARRAY[5])"], &["INSERT INTO t (id, b) VALUES (1, ARRAY[-5])"]],
        ),
        pair(
            "add column",
            "of a domain with a check, with a default it refuses",
            doc(plain()),
            doc(t(
                vec![c("a", "integer", json!({})), c("b", "domain", json!({"domainId": "dp", "default": -3}))],
                json!({}),
            )),
            &[&[ROW]],
        ),
        pair(
            "add column",
            "of a domain with a check, without a default (NULL passes the check)",
            doc(plain()),
            doc(t(vec![c("a", "integer", json!({})), c("b", "domain", json!({"domainId": "dp"}))], json!({}))),
            &[&[ROW], &[NULL_ROW]],
        ),
        pair(
            "add column",
            "of a NOT NULL domain, without a default",
            domains(plain(), positive(json!({"notNull": true}))),
            domains(
                t(vec![c("a", "integer", json!({})), c("b", "domain", json!({"domainId": "dp"}))], json!({})),
                positive(json!({"notNull": true})),
            ),
            &[&[ROW]],
        ),
    ]
}
