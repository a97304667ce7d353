//! Composite type changes: attributes added, renamed, dropped and retyped
//! in place, the type rebuilt while a column holds it (reordered, retyped),
//! a column into a composite type.

use serde_json::{Value, json};

use super::{Case, c, pair, t, with};

const ROW: &str = "INSERT INTO t (id, a) VALUES (1, ('x', 5))";
const NULL_ROW: &str = "INSERT INTO t (id, a) VALUES (1, NULL)";
const EMPTY_ROW: &str = "INSERT INTO t (id, a) VALUES (1, (NULL, NULL))";
const WIDE_ROW: &str = "INSERT INTO t (id, a) VALUES (1, ('x', 70000))";

/// The document with composite type `pair` (label text, n integer) made
/// of `attributes` (or those), column `a` of it.
fn doc(attributes: Option<Value>, array: bool) -> Value {
    let attributes = attributes.unwrap_or_else(
        || json!([{"id": "p1", "name": "label", "dataType": "text"}, {"id": "p2", "name": "n", "dataType": "integer"}]),
    );
    with(t(vec![c("a", "composite", json!({"compositeId": "k", "isArray": array}))], json!({})), |d| {
        d.insert("composites".into(), json!([{"id": "k", "name": "pair", "attributes": attributes}]));
    })
}

pub(super) fn cases() -> Vec<Case> {
    let data: &[&[&str]] = &[&[ROW], &[NULL_ROW], &[EMPTY_ROW]];
    let arrays: &[&[&str]] = &[
        &["INSERT INTO t (id, a) VALUES (1, ARRAY[('x', 5)::pair, NULL])"],
        &["INSERT INTO t (id, a) VALUES (1, '{}')"],
        &["INSERT INTO t (id, a) VALUES (1, ARRAY[('x', 70000)::pair])"],
    ];
    let label = json!({"id": "p1", "name": "label", "dataType": "text"});
    let n = |ty: &str| json!({"id": "p2", "name": "n", "dataType": ty});
    vec![
        pair(
            "add attribute",
            "a column of the type",
            doc(None, false),
            doc(Some(json!([label, n("integer"), {"id": "p3", "name": "more", "dataType": "date"}])), false),
            data,
        ),
        pair(
            "rename attribute",
            "a column of the type",
            doc(None, false),
            doc(Some(json!([{"id": "p1", "name": "title", "dataType": "text"}, n("integer")])), false),
            data,
        ),
        pair("drop attribute", "a column of the type", doc(None, false), doc(Some(json!([label])), false), data),
        pair(
            "rebuild composite type",
            "reordered, a column of the type",
            doc(None, false),
            doc(Some(json!([n("integer"), label])), false),
            data,
        ),
        pair(
            "rebuild composite type",
            "an attribute widened, an array column of the type",
            doc(None, true),
            doc(Some(json!([label, n("bigint")])), true),
            arrays,
        ),
        pair(
            "rebuild composite type",
            "an attribute narrowed, a column of the type",
            doc(None, false),
            doc(Some(json!([label, n("smallint")])), false),
            &[&[ROW], &[WIDE_ROW]],
        ),
        pair(
            "alter attribute type",
            "nothing holds the type",
            with(doc(None, false), |d| {
                d.insert(
                    "tables".into(),
                    json!([{"id": "t", "name": "t", "columns": [
                    {"id": "id", "name": "id", "dataType": "integer", "primaryKey": true}]}]),
                );
            }),
            with(doc(Some(json!([label, n("bigint")])), false), |d| {
                d.insert(
                    "tables".into(),
                    json!([{"id": "t", "name": "t", "columns": [
                    {"id": "id", "name": "id", "dataType": "integer", "primaryKey": true}]}]),
                );
            }),
            &[&["INSERT INTO t (id) VALUES (1)"]],
        ),
    ]
}
