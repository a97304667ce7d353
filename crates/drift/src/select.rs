//! Taking some elements of one document into another, by id: what a sync
//! of chosen elements builds. `merge(base, source, chosen)` is `base` with
//! every chosen element as `source` has it: its own fields replaced (its
//! place on the diagram kept), added where only `source` has it, removed
//! where only `base` has it. Elements not chosen stay as `base` has them,
//! and an element's children are elements of their own, chosen or not.

use std::collections::{HashMap, HashSet};

use schemaforge_domain::SchemaDocument;
use serde_json::{Map, Value};

use crate::elements::{Field, LISTS};

/// Fields of an element that stay `base`'s: its id and its place.
const KEPT: &[&str] = &["id", "position"];

/// `base` with the `chosen` elements (by id) as `source` has them.
pub fn merge(
    base: &SchemaDocument,
    source: &SchemaDocument,
    chosen: &HashSet<String>,
) -> Result<SchemaDocument, serde_json::Error> {
    let mut merged = serde_json::to_value(base)?;
    let source = serde_json::to_value(source)?;
    if let (Value::Object(b), Value::Object(s)) = (&mut merged, &source) {
        for (field, _, children) in LISTS {
            merge_list(b, s, field, children, chosen);
        }
    }
    serde_json::from_value(merged)
}

/// The ids of every element of `doc` (its children's included).
pub fn element_ids(doc: &SchemaDocument) -> HashSet<String> {
    let mut ids = HashSet::new();
    if let Ok(Value::Object(root)) = serde_json::to_value(doc) {
        for (field, _, children) in LISTS {
            for item in list(&root, field) {
                ids.extend(id_of(item).map(str::to_string));
                for (child, _) in *children {
                    let items = item.as_object().map(|o| list(o, child)).unwrap_or_default();
                    ids.extend(items.iter().filter_map(|c| id_of(c)).map(str::to_string));
                }
            }
        }
    }
    ids
}

fn list<'a>(o: &'a Map<String, Value>, field: &str) -> &'a [Value] {
    o.get(field).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn id_of(v: &Value) -> Option<&str> {
    v.get("id").and_then(Value::as_str)
}

fn merge_list(
    base: &mut Map<String, Value>,
    source: &Map<String, Value>,
    field: &str,
    children: &[Field],
    chosen: &HashSet<String>,
) {
    let from = list(source, field);
    let by_id: HashMap<&str, &Map<String, Value>> =
        from.iter().filter_map(|v| Some((id_of(v)?, v.as_object()?))).collect();
    let had = base.contains_key(field);
    let items = match base.remove(field) {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    };
    let in_base: HashSet<String> = items.iter().filter_map(id_of).map(str::to_string).collect();
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let Some(id) = id_of(&item).map(str::to_string) else {
            out.push(item);
            continue;
        };
        let Value::Object(mut o) = item else { continue };
        let take = chosen.contains(&id);
        match by_id.get(id.as_str()) {
            None if take => {}
            None => out.push(Value::Object(o)),
            Some(s) => {
                if take {
                    take_fields(&mut o, s, children);
                }
                for (child, _) in children {
                    merge_list(&mut o, s, child, &[], chosen);
                }
                out.push(Value::Object(o));
            }
        }
    }
    for item in from {
        if id_of(item).is_some_and(|id| chosen.contains(id) && !in_base.contains(id)) {
            out.push(item.clone());
        }
    }
    if had || !out.is_empty() {
        base.insert(field.to_string(), Value::Array(out));
    }
}

/// `o`'s own fields replaced by `s`'s, but for its id, its place and its
/// lists of children.
fn take_fields(o: &mut Map<String, Value>, s: &Map<String, Value>, children: &[Field]) {
    let stays = |k: &str| KEPT.contains(&k) || children.iter().any(|(c, _)| *c == k);
    o.retain(|k, _| stays(k));
    for (k, v) in s {
        if !stays(k) {
            o.insert(k.clone(), v.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use schemaforge_domain::parse_document;

    fn doc(json: &str) -> SchemaDocument {
        parse_document(json).unwrap()
    }

    const DESIGN: &str = r#"{"name": "shop", "tables": [{"id": "t", "name": "orders", "position": {"x": 1, "y": 2},
        "columns": [{"id": "c1", "name": "id", "dataType": "int", "primaryKey": true},
                    {"id": "c2", "name": "note", "dataType": "text"}],
        "indexes": [{"id": "i1", "name": "orders_note_idx", "columnIds": ["c2"]}]}]}"#;
    const LIVE: &str = r#"{"name": "shop", "tables": [{"id": "t", "name": "orders",
        "columns": [{"id": "c1", "name": "id", "dataType": "int", "primaryKey": true},
                    {"id": "c2", "name": "remark", "dataType": "text"},
                    {"id": "c3", "name": "total", "dataType": "bigint"}],
        "indexes": [{"id": "i2", "name": "orders_total_idx", "columnIds": ["c3"]}]},
        {"id": "t2", "name": "extra", "columns": [{"id": "x", "name": "id", "dataType": "int"}]}]}"#;

    fn names(d: &SchemaDocument) -> serde_json::Value {
        let v = serde_json::to_value(d).unwrap();
        let tables = v["tables"].as_array().unwrap();
        serde_json::json!(
            tables
                .iter()
                .map(|t| {
                    let cols: Vec<_> = t["columns"].as_array().unwrap().iter().map(|c| c["name"].clone()).collect();
                    let idx: Vec<_> = t.get("indexes").and_then(|i| i.as_array()).cloned().unwrap_or_default();
                    let idx: Vec<_> = idx.iter().map(|i| i["name"].clone()).collect();
                    serde_json::json!([t["name"], cols, idx])
                })
                .collect::<Vec<_>>()
        )
    }

    #[test]
    fn chosen_elements_are_taken_added_and_removed_and_the_rest_stays() {
        let (design, live) = (doc(DESIGN), doc(LIVE));
        let all: HashSet<String> = ["c2", "c3", "i1", "i2", "t2"].map(String::from).into();
        let adopted = merge(&design, &live, &all).unwrap();
        assert_eq!(
            names(&adopted),
            serde_json::json!([["orders", ["id", "remark", "total"], ["orders_total_idx"]], ["extra", ["id"], []]])
        );
        // The renamed column keeps its id; the table keeps its place.
        let v = serde_json::to_value(&adopted).unwrap();
        assert_eq!(v["tables"][0]["columns"][1]["id"], "c2");
        assert_eq!(v["tables"][0]["position"], serde_json::json!({"x": 1.0, "y": 2.0}));
        assert_eq!(merge(&live, &live, &all).unwrap(), live, "merging a document into itself changes nothing");

        // Only the indexes, the other way: the live columns stay.
        let indexes: HashSet<String> = ["i1", "i2"].map(String::from).into();
        let partial = merge(&live, &design, &indexes).unwrap();
        assert_eq!(
            names(&partial),
            serde_json::json!([["orders", ["id", "remark", "total"], ["orders_note_idx"]], ["extra", ["id"], []]])
        );
        assert_eq!(merge(&design, &live, &HashSet::new()).unwrap(), design, "nothing chosen: nothing changes");
        assert_eq!(element_ids(&live), ["t", "c1", "c2", "c3", "i2", "t2", "x"].map(String::from).into());
    }
}
