//! Hints from a document's model, so that importing a database built from
//! that document gives its elements the document's ids: each element named
//! as the importer names it ([`NameKey`]: its kind's prefix and qualified
//! name), with the model's generated names where the document leaves them
//! out.

use std::collections::{HashMap, HashSet};

use schemaforge_domain::{CarriedKind, Model, NamespaceRef};

use crate::catalog::Catalog;
use crate::ids::{CatalogKey, IdHints, NameKey};

fn ns(namespace: &Option<NamespaceRef>) -> String {
    namespace.as_ref().map_or_else(|| "public".to_string(), |n| n.name.as_str().to_string())
}

/// Name hints for every element of `model` that the importer gives an id
/// by name: namespaces, extensions, collations, text search
/// configurations, types and their parts, sequences, tables and their
/// columns, constraints and indexes, foreign keys, partitions, views and
/// their indexes, triggers, policies and rules. (Functions and grants are
/// named by their signature, which the model does not print the
/// importer's way: they keep ids from names.)
pub fn name_hints(model: &Model) -> IdHints {
    let mut by_name: HashMap<NameKey, String> = HashMap::new();
    let mut put = |kind: &'static str, parts: Vec<String>, id: &str| {
        by_name.insert(NameKey { kind, parts }, id.to_string());
    };
    for n in &model.namespaces {
        put("ns", vec![n.name.as_str().to_string()], &n.id);
    }
    for e in &model.extensions {
        put("ext", vec![e.name.as_str().to_string()], &e.id);
    }
    for c in &model.collations {
        put("co", vec![ns(&c.namespace), c.name.as_str().to_string()], &c.id);
    }
    for c in &model.text_search {
        put("ts", vec![ns(&c.namespace), c.name.as_str().to_string()], &c.id);
    }
    for e in &model.enums {
        put("e", vec![ns(&e.namespace), e.name.as_str().to_string()], &e.id);
    }
    for d in &model.domains {
        let (space, name) = (ns(&d.namespace), d.name.as_str().to_string());
        for c in &d.checks {
            put("dk", vec![space.clone(), name.clone(), c.name.as_str().to_string()], &c.id);
        }
        put("d", vec![space, name], &d.id);
    }
    for c in &model.composites {
        let (space, name) = (ns(&c.namespace), c.name.as_str().to_string());
        for a in &c.attributes {
            put("ca", vec![space.clone(), name.clone(), a.name.as_str().to_string()], &a.id);
        }
        put("ct", vec![space, name], &c.id);
    }
    for s in &model.sequences {
        put("s", vec![ns(&s.namespace), s.name.as_str().to_string()], &s.id);
    }
    let mut tables: HashMap<&str, (String, String)> = HashMap::new();
    for t in &model.tables {
        let (space, name) = (ns(&t.namespace), t.name.as_str().to_string());
        tables.insert(t.id.as_str(), (space.clone(), name.clone()));
        let within = |child: &str| vec![space.clone(), name.clone(), child.to_string()];
        for c in &t.columns {
            put("c", within(c.name.as_str()), &c.id);
        }
        for u in &t.uniques {
            if let Some(id) = &u.id {
                put("u", within(u.name.as_str()), id);
            }
        }
        for c in &t.checks {
            put("k", within(c.name.as_str()), &c.id);
        }
        for x in &t.exclusions {
            put("ex", within(x.name.as_str()), &x.id);
        }
        for i in &t.indexes {
            put("i", vec![space.clone(), i.name.as_str().to_string()], &i.id);
        }
        for p in &t.partitions {
            put("p", vec![space.clone(), p.name.as_str().to_string()], &p.id);
            for i in &p.indexes {
                put("i", vec![space.clone(), i.name.as_str().to_string()], &i.id);
            }
        }
        put("t", vec![space, name], &t.id);
    }
    for f in &model.foreign_keys {
        if let Some((space, table)) = tables.get(f.source_table_id.as_str()) {
            put("f", vec![space.clone(), table.clone(), f.name.as_str().to_string()], &f.id);
        }
    }
    for v in &model.views {
        let space = ns(&v.namespace);
        tables.insert(v.id.as_str(), (space.clone(), v.name.as_str().to_string()));
        for i in &v.indexes {
            put("i", vec![space.clone(), i.name.as_str().to_string()], &i.id);
        }
        put("v", vec![space, v.name.as_str().to_string()], &v.id);
    }
    for c in &model.carried {
        let kind = match c.kind {
            CarriedKind::Trigger => "tg",
            CarriedKind::Policy => "pol",
            CarriedKind::Rule => "r",
            _ => continue,
        };
        if let Some((space, table)) = c.table_id.as_deref().and_then(|t| tables.get(t)) {
            put(kind, vec![space.clone(), table.clone(), c.name.clone()], &c.id);
        }
    }
    IdHints { by_key: HashMap::new(), by_name }
}

/// Every catalog identity `cat` holds (to tell a recorded identity that
/// still exists from one dropped since).
pub(crate) fn catalog_keys(cat: &Catalog) -> HashSet<CatalogKey> {
    let mut keys = HashSet::new();
    keys.extend(cat.relations.iter().map(|r| CatalogKey::Relation { oid: r.oid }));
    keys.extend(cat.sequences.iter().map(|s| CatalogKey::Relation { oid: s.oid }));
    keys.extend(cat.columns.iter().map(|c| CatalogKey::Column { relation: c.rel, attnum: c.num }));
    keys.extend(cat.constraints.iter().map(|c| CatalogKey::Constraint { oid: c.oid }));
    keys.extend(cat.indexes.iter().map(|i| CatalogKey::Index { oid: i.oid }));
    keys.extend(cat.types.iter().map(|t| CatalogKey::Type { oid: t.oid }));
    keys
}
