//! The element-by-element comparison: both documents (the design as
//! printed and the live database, with the design's ids where elements
//! matched) walked as JSON, element by element, each compared by id
//! attribute by attribute (its own fields, not its children's, which are
//! elements of their own; not its place on the diagram).

use std::collections::{HashMap, HashSet};

use schemaforge_domain::SchemaDocument;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::Matching;

/// An element's state in the live database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// In the design, not in the live database.
    Missing,
    /// In both, equal.
    Matched,
    /// In the live database, not in the design.
    Redundant,
    /// In both, with attributes that differ.
    Different,
    /// In both, renamed outside (matched by its recorded catalog identity);
    /// other attributes may differ too.
    Renamed,
}

impl Status {
    /// `missing`, `matched`, `redundant`, `different`, `renamed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::Matched => "matched",
            Self::Redundant => "redundant",
            Self::Different => "different",
            Self::Renamed => "renamed",
        }
    }
}

/// One attribute that differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttributeDiff {
    /// The document's field, e.g. `default`, `nullable`, `expression`.
    pub attribute: String,
    /// The design's value as PostgreSQL prints it (`null`: absent).
    pub desired: Value,
    /// The live database's value (`null`: absent).
    pub live: Value,
}

/// One element that is not simply matched.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ElementDrift {
    /// `table`, `column`, `index`, `check`, `foreign key`, ...
    pub kind: &'static str,
    /// Its id: the design's, or for a redundant element one made from its name.
    pub id: String,
    /// Its name, within its table where it has one (`orders.total`).
    pub name: String,
    /// What it is in the live database.
    pub status: Status,
    /// Its live name, when renamed outside.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live_name: Option<String>,
    /// The attributes that differ (for `different` and `renamed`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<AttributeDiff>,
}

/// A list field of the document and the kind of its elements.
pub(crate) type Field = (&'static str, &'static str);

/// The document's lists of elements: (field, kind, the fields of each
/// element that are lists of elements of their own).
pub(crate) const LISTS: &[(&str, &str, &[Field])] = &[
    ("namespaces", "namespace", &[]),
    ("extensions", "extension", &[]),
    ("collations", "collation", &[]),
    ("textSearchConfigurations", "text search configuration", &[]),
    ("enums", "enum", &[]),
    ("domains", "domain", &[("checks", "domain check")]),
    ("composites", "composite type", &[("attributes", "attribute")]),
    ("sequences", "sequence", &[]),
    (
        "tables",
        "table",
        &[
            ("columns", "column"),
            ("uniques", "unique constraint"),
            ("checks", "check"),
            ("exclusions", "exclusion constraint"),
            ("indexes", "index"),
            ("partitions", "partition"),
        ],
    ),
    ("foreignKeys", "foreign key", &[]),
    ("views", "view", &[("indexes", "view index")]),
    ("functions", "function", &[]),
    ("triggers", "trigger", &[]),
    ("policies", "policy", &[]),
    ("rules", "rule", &[]),
    ("grants", "grant", &[]),
];

/// Fields that are not the element's definition.
const IGNORED: &[&str] = &["id", "position"];

struct Entry {
    kind: &'static str,
    id: String,
    name: String,
    own_name: Option<String>,
    parent: Option<(&'static str, String)>,
    fields: Map<String, Value>,
}

fn entries(doc: &SchemaDocument) -> Vec<Entry> {
    let Ok(Value::Object(root)) = serde_json::to_value(doc) else { return Vec::new() };
    let namespaces: HashMap<&str, &str> = root
        .get("namespaces")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|n| Some((n.get("id")?.as_str()?, n.get("name")?.as_str()?)))
        .collect();
    let qualified = |o: &Map<String, Value>, name: &str| match o
        .get("namespaceId")
        .and_then(Value::as_str)
        .and_then(|id| namespaces.get(id))
    {
        Some(ns) => format!("{ns}.{name}"),
        None => name.to_string(),
    };
    let mut out = Vec::new();
    for (field, kind, children) in LISTS {
        for item in root.get(*field).and_then(Value::as_array).into_iter().flatten() {
            let Value::Object(o) = item else { continue };
            let Some(id) = o.get("id").and_then(Value::as_str) else { continue };
            let own_name = o.get("name").and_then(Value::as_str).map(str::to_string);
            let name = own_name.as_deref().map_or_else(|| id.to_string(), |n| qualified(o, n));
            let mut fields = o.clone();
            for f in IGNORED {
                fields.remove(*f);
            }
            let mut kids = Vec::new();
            for (child_field, child_kind) in *children {
                let Some(Value::Array(list)) = fields.remove(*child_field) else { continue };
                for child in list {
                    let Value::Object(mut c) = child else { continue };
                    let Some(child_id) = c.get("id").and_then(Value::as_str).map(str::to_string) else { continue };
                    let child_own = c.get("name").and_then(Value::as_str).map(str::to_string);
                    let child_name = format!("{name}.{}", child_own.as_deref().unwrap_or(&child_id));
                    for f in IGNORED {
                        c.remove(*f);
                    }
                    kids.push(Entry {
                        kind: child_kind,
                        id: child_id,
                        name: child_name,
                        own_name: child_own,
                        parent: Some((kind, id.to_string())),
                        fields: c,
                    });
                }
            }
            out.push(Entry { kind, id: id.to_string(), name, own_name, parent: None, fields });
            out.extend(kids);
        }
    }
    out
}

fn differences(desired: &Map<String, Value>, live: &Map<String, Value>) -> Vec<AttributeDiff> {
    let keys: Vec<&String> = desired.keys().chain(live.keys().filter(|k| !desired.contains_key(*k))).collect();
    keys.into_iter()
        .filter(|k| k.as_str() != "name")
        .filter_map(|k| {
            let (d, l) = (desired.get(k).cloned().unwrap_or(Value::Null), live.get(k).cloned().unwrap_or(Value::Null));
            (d != l).then(|| AttributeDiff { attribute: k.clone(), desired: d, live: l })
        })
        .collect()
}

/// Every element of either document that is not simply matched (a
/// missing or redundant element's children are not listed apart), and
/// for counting, one entry per matched element too.
pub(crate) fn compare(desired: &SchemaDocument, live: &SchemaDocument, matching: Matching) -> Vec<ElementDrift> {
    let desired = entries(desired);
    let live = entries(live);
    let live_by_id: HashMap<(&str, &str), &Entry> = live.iter().map(|e| ((e.kind, e.id.as_str()), e)).collect();
    let desired_ids: HashSet<(&str, &str)> = desired.iter().map(|e| (e.kind, e.id.as_str())).collect();
    let mut out = Vec::new();
    let mut missing: HashSet<(&str, &str)> = HashSet::new();
    // A missing table's columns are not listed one by one.
    for e in desired.iter().filter(|e| e.parent.is_none()) {
        if !live_by_id.contains_key(&(e.kind, e.id.as_str())) {
            missing.insert((e.kind, e.id.as_str()));
        }
    }
    for e in &desired {
        let Some(l) = live_by_id.get(&(e.kind, e.id.as_str())) else {
            let parent_missing = e.parent.as_ref().is_some_and(|(k, id)| missing.contains(&(*k, id.as_str())));
            if !parent_missing {
                out.push(drift(e, Status::Missing, None, Vec::new()));
            }
            continue;
        };
        let attributes = differences(&e.fields, &l.fields);
        let renamed = e.own_name != l.own_name && matching == Matching::Identity;
        let status = match (renamed, attributes.is_empty(), e.own_name == l.own_name) {
            (true, _, _) => Status::Renamed,
            (false, true, true) => Status::Matched,
            _ => Status::Different,
        };
        let mut attributes = attributes;
        if !renamed && e.own_name != l.own_name {
            attributes.insert(
                0,
                AttributeDiff {
                    attribute: "name".into(),
                    desired: e.own_name.clone().map_or(Value::Null, Value::String),
                    live: l.own_name.clone().map_or(Value::Null, Value::String),
                },
            );
        }
        let live_name = renamed.then(|| l.name.clone());
        out.push(drift(e, status, live_name, attributes));
    }
    let redundant_parents: HashSet<(&str, &str)> = live
        .iter()
        .filter(|e| e.parent.is_none() && !desired_ids.contains(&(e.kind, e.id.as_str())))
        .map(|e| (e.kind, e.id.as_str()))
        .collect();
    for e in &live {
        if desired_ids.contains(&(e.kind, e.id.as_str())) {
            continue;
        }
        if e.parent.as_ref().is_some_and(|(k, id)| redundant_parents.contains(&(*k, id.as_str()))) {
            continue;
        }
        out.push(drift(e, Status::Redundant, None, Vec::new()));
    }
    out
}

fn drift(e: &Entry, status: Status, live_name: Option<String>, attributes: Vec<AttributeDiff>) -> ElementDrift {
    ElementDrift { kind: e.kind, id: e.id.clone(), name: e.name.clone(), status, live_name, attributes }
}
