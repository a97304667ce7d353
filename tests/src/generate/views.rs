//! The views of generated documents, from a fixed pool. Each view's id says
//! what it reads (`vw{k}|{table id}|{column id}`), and [`refresh_views`]
//! writes its query again from the document's current names after every
//! edit, so renames and moves under a view keep its definition by id.

use super::*;
use schemaforge_domain::{View, ViewIndex};

const LABEL: &str = "label";
const OTHER_LABEL: &str = "label_b";

/// The pool's three views over `doc`'s first and last tables: a view, a
/// view over it (in namespace `n1` when there is one) and a materialized
/// view with a unique index.
pub fn initial_views(doc: &SchemaDocument) -> Vec<View> {
    let mut out = Vec::new();
    let Some(first) = doc.tables.first() else { return out };
    let Some(key) = first.columns.iter().find(|c| c.primary_key).or(first.columns.first()) else { return out };
    let other = first.columns.iter().find(|c| c.id != key.id).unwrap_or(key);
    let view = |id: String, name: &str, materialized: bool| View {
        id,
        name: name.into(),
        namespace_id: None,
        materialized,
        query: String::new(),
        indexes: Vec::new(),
        comment: None,
        position: None,
    };
    out.push(view(format!("vw0|{}|{}|{}", first.id, key.id, other.id), "report \"v\"", false));
    let mut over = view("vw1".into(), "by label", false);
    over.namespace_id = doc.namespaces.iter().find(|n| n.id == "n1").map(|n| n.id.clone());
    over.comment = Some("a 'view' over a view".into());
    out.push(over);
    if let Some(last) = doc.tables.last() {
        if let Some(pk) = last.columns.iter().find(|c| c.primary_key) {
            let mut m = view(format!("vw2|{}|{}|{}", last.id, pk.id, pk.id), "totals", true);
            m.indexes = vec![
                ViewIndex {
                    id: "vw2i0".into(),
                    name: None,
                    columns: vec!["k".into()],
                    unique: true,
                    method: IndexMethod::Btree,
                    comment: None,
                },
                ViewIndex {
                    id: "vw2i1".into(),
                    name: Some("totals by n".into()),
                    columns: vec!["n".into()],
                    unique: false,
                    method: IndexMethod::Btree,
                    comment: Some("counts".into()),
                },
            ];
            out.push(m);
        }
    }
    out
}

fn qualified(doc: &SchemaDocument, namespace_id: &Option<String>, name: &str) -> String {
    match namespace_id.as_ref().and_then(|id| doc.namespaces.iter().find(|n| &n.id == id)) {
        Some(ns) => format!("{}.{}", quote(&ns.name), quote(name)),
        None => quote(name),
    }
}

/// Write every view's query again from the current names; drop the views
/// whose table or columns are gone (and the views over them).
pub fn refresh_views(doc: &mut SchemaDocument) {
    let mut views = std::mem::take(&mut doc.views);
    let mut kept: Vec<View> = Vec::new();
    for mut v in views.drain(..) {
        if v.namespace_id.as_ref().is_some_and(|id| !doc.namespaces.iter().any(|n| &n.id == id)) {
            v.namespace_id = None;
        }
        let label = if v.query.contains(OTHER_LABEL) { OTHER_LABEL } else { LABEL };
        let test = if v.query.contains(" IS NULL") { "IS NULL" } else { "IS NOT NULL" };
        let parts: Vec<&str> = v.id.split('|').collect();
        let query = match parts.as_slice() {
            ["vw0", table, key, other] | ["vw2", table, key, other] => {
                let Some(t) = doc.tables.iter().find(|t| t.id == *table) else { continue };
                let col = |id: &str| t.columns.iter().find(|c| c.id == id).map(|c| quote(&c.name));
                let (Some(k), Some(o)) = (col(key), col(other)) else { continue };
                let from = qualified(doc, &t.namespace_id, &t.name);
                if parts[0] == "vw0" {
                    format!("SELECT x.{k} AS {label}, x.{o} FROM {from} x WHERE x.{k} {test}")
                } else {
                    format!("SELECT {k} AS k, count(*) AS n FROM {from} GROUP BY {k}")
                }
            }
            ["vw1"] => {
                let Some(base) = kept.iter().find(|b| b.id.starts_with("vw0|")) else { continue };
                let base_label = if base.query.contains(OTHER_LABEL) { OTHER_LABEL } else { LABEL };
                let from = qualified(doc, &base.namespace_id, &base.name);
                format!(
                    "SELECT {base_label} AS grp, count(*) AS n FROM {from} WHERE {base_label} {test} GROUP BY {base_label}"
                )
            }
            _ => continue,
        };
        v.query = query;
        kept.push(v);
    }
    doc.views = kept;
}

/// Edit a view: rename an output column or the view, change a query,
/// make one materialized (or not), drop one or bring the pool back.
pub fn edit_views(doc: &mut SchemaDocument, salt: usize, fresh: &str) {
    let n = doc.views.len();
    match salt % 6 {
        0 => {
            if let Some(v) = doc.views.iter_mut().find(|v| v.id.starts_with("vw0|")) {
                v.query = if v.query.contains(OTHER_LABEL) {
                    v.query.replace(OTHER_LABEL, LABEL)
                } else {
                    v.query.replace(LABEL, OTHER_LABEL)
                };
            }
        }
        1 if n > 0 => {
            let v = &mut doc.views[(salt / 6) % n];
            v.query = if v.query.contains(" IS NULL") {
                v.query.replace(" IS NULL", " IS NOT NULL")
            } else {
                v.query.replace(" IS NOT NULL", " IS NULL")
            };
        }
        2 if n > 0 => doc.views[(salt / 6) % n].name = fresh.to_string(),
        3 => {
            if let Some(v) = doc.views.iter_mut().find(|v| v.id == "vw1") {
                v.materialized = !v.materialized;
            }
        }
        4 if n > 0 => {
            doc.views.remove((salt / 6) % n);
        }
        _ => {
            let mut pool = initial_views(doc);
            pool.retain(|p| !doc.views.iter().any(|v| v.id == p.id));
            doc.views.extend(pool);
            doc.views.sort_by_key(|v| v.id.clone());
            if let Some(v) = doc.views.iter_mut().find(|v| v.materialized) {
                v.comment = if v.comment.is_some() { None } else { Some(fresh.to_string()) };
            }
        }
    }
}
