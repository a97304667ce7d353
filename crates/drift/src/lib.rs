//! # schemaforge-drift
//!
//! A live database compared with its design, element by element, and the
//! script that makes the database match. Pure: catalogs in (as the
//! repository reads them), a [`Drift`] out.
//!
//! Both sides are compared as PostgreSQL prints them, so values are
//! compared, not spellings (`DEFAULT 0` and `DEFAULT '0'::smallint` are
//! equal): the design is built on a scratch database and read back
//! ([`desired_as_printed`]), the live database is read ([`live_matched`]),
//! and both go through the same import.
//!
//! Elements are matched by id: the design's ids are given to what the
//! scratch build made of them by name, and to the live database's elements
//! by their recorded catalog identity first ([`IdentityRecord`]: oids and
//! column numbers written after every build and migration Schemaforge
//! made), so a rename done outside is a rename; then by name; an index by
//! its key signature too ([`indexes`]). What stays unmatched is missing or
//! redundant.

pub mod advice;
mod elements;
pub mod indexes;
mod record;
mod select;

use std::collections::{BTreeMap, BTreeSet};

use schemaforge_domain::diff::ChangeSet;
use schemaforge_domain::{SchemaDocument, ValidSchema};
use schemaforge_introspect::{Catalog, ImportOptions, Imported, ReportItem, import, name_hints};
use serde::Serialize;

pub use elements::{AttributeDiff, ElementDrift, Status};
pub use record::IdentityRecord;
pub use select::{element_ids, merge};

/// How the live database's elements were matched to the design's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Matching {
    /// By the catalog identities recorded when Schemaforge built or
    /// migrated the database, then by name.
    Identity,
    /// By name only: the database has no record of Schemaforge's (or one
    /// made in another database, such as a restored copy's).
    Names,
}

/// The design as PostgreSQL prints it: `built` is the catalog of a scratch
/// database built from `desired`'s create script; its elements get
/// `desired`'s ids by name.
pub fn desired_as_printed(desired: &ValidSchema, built: &Catalog) -> Imported {
    let options = ImportOptions { name: Some(desired.document().name.clone()), hints: name_hints(desired.model()) };
    import(built, &options)
}

/// The live database read with the design's ids: by `record` first (when
/// it was made in this database), then by name.
pub fn live_matched(desired: &ValidSchema, live: &Catalog, record: Option<&IdentityRecord>) -> (Imported, Matching) {
    let mut hints = name_hints(desired.model());
    let matching = match record {
        Some(r) if r.database_oid == live.server.database_oid && live.server.database_oid != 0 => {
            hints.by_key = r.elements.iter().map(|(id, key)| (*key, id.clone())).collect();
            Matching::Identity
        }
        _ => Matching::Names,
    };
    let options = ImportOptions { name: Some(desired.document().name.clone()), hints };
    (import(live, &options), matching)
}

/// A live database compared with its design.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Drift {
    /// Whether the database matches the design (no change to make).
    pub in_step: bool,
    /// How elements were matched.
    pub matching: Matching,
    /// How many elements have each status.
    pub counts: BTreeMap<Status, usize>,
    /// Every element of either side that is not simply matched, in the
    /// design's order, then the live database's.
    pub elements: Vec<ElementDrift>,
    /// Live objects the design does not cover (kinds the format has no
    /// place for): listed, never counted as drift, never dropped.
    pub unmanaged: Vec<ReportItem>,
    /// What the migration to the design does, with safety classes.
    pub changes: ChangeSet,
    /// The statements that make the live database match the design (the
    /// migration engine's script), empty when in step.
    pub to_design: Vec<String>,
    /// The reverse: statements that would make the design's database look
    /// like the live one (what a person would run by hand).
    pub to_live: Vec<String>,
    /// Why there is no script, when one side could not be made a valid
    /// document (its validation errors).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    /// The live database as a document, with the design's ids where
    /// elements matched (what adopting the live database would store).
    #[serde(skip)]
    pub live_document: SchemaDocument,
    /// The design as PostgreSQL prints it, with its ids.
    #[serde(skip)]
    pub desired_document: SchemaDocument,
}

/// Compare the design as printed (`desired`, from [`desired_as_printed`])
/// with the live database (`live`, from [`live_matched`]).
pub fn compare(desired: &Imported, live: &Imported, matching: Matching) -> Drift {
    let mut live_doc = live.document.clone();
    indexes::match_signatures(&desired.document, &mut live_doc);
    let mut elements = elements::compare(&desired.document, &live_doc, matching);
    let mut counts = BTreeMap::new();
    for e in &elements {
        *counts.entry(e.status).or_insert(0) += 1;
    }
    elements.retain(|e| e.status != Status::Matched);
    let unmanaged: Vec<ReportItem> = {
        let known: std::collections::HashSet<(&str, &str)> =
            desired.report.items.iter().map(|i| (i.kind.as_str(), i.name.as_str())).collect();
        live.report.items.iter().filter(|i| !known.contains(&(i.kind.as_str(), i.name.as_str()))).cloned().collect()
    };
    let mut errors: Vec<String> = Vec::new();
    errors.extend(desired.report.remaining_errors.iter().map(|e| format!("design: {e}")));
    errors.extend(live.report.remaining_errors.iter().map(|e| format!("live database: {e}")));
    // Every element matched (and no error): in step, with no script to
    // make, so neither document is validated again. Debug builds (every
    // test) check that the migration diff agrees.
    let all_matched = elements.is_empty() && errors.is_empty();
    let (changes, to_design, to_live) = if all_matched && !cfg!(debug_assertions) {
        (ChangeSet::default(), Vec::new(), Vec::new())
    } else {
        let script = script(&live_doc, &desired.document, &mut errors);
        debug_assert!(
            !all_matched || script.0.is_empty(),
            "every element matched, yet the migration diff finds {:?}",
            script.0.changes().iter().map(|c| &c.description).collect::<Vec<_>>()
        );
        script
    };
    let in_step = errors.is_empty() && changes.is_empty();
    Drift {
        in_step,
        matching,
        counts,
        elements,
        unmanaged,
        changes,
        to_design,
        to_live,
        errors,
        live_document: live_doc,
        desired_document: desired.document.clone(),
    }
}

/// The changes from `live` to `desired` and both scripts (or, when either
/// document is not valid, nothing and the problems in `errors`).
fn script(
    live: &SchemaDocument,
    desired: &SchemaDocument,
    errors: &mut Vec<String>,
) -> (ChangeSet, Vec<String>, Vec<String>) {
    match (ValidSchema::parse(live.clone()), ValidSchema::parse(desired.clone())) {
        (Ok(l), Ok(d)) => {
            let m = schemaforge_sqlgen::migration(&l, &d);
            let sql = |s: &schemaforge_sqlgen::Script| s.statements().iter().map(|st| st.sql.clone()).collect();
            (m.changes.clone(), sql(&m.up), sql(&m.down))
        }
        (l, d) => {
            for (side, r) in [("live database", l.err()), ("design", d.err())] {
                if let Some(invalid) = r {
                    errors.extend(
                        invalid.report.problems.iter().filter(|p| p.is_error()).map(|p| format!("{side}: {p}")),
                    );
                }
            }
            (ChangeSet::default(), Vec::new(), Vec::new())
        }
    }
}

/// The namespaces a design manages: `public` and its own. Live objects in
/// any other namespace are not compared (listed as unmanaged).
pub fn managed_namespaces(desired: &ValidSchema) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = desired.model().namespaces.iter().map(|n| n.name.as_str().to_string()).collect();
    names.insert("public".into());
    names
}

/// Read the live catalog of the managed namespaces that exist through
/// `read` (which reads the namespaces it is given; none: every one): once
/// when the database has no other namespace, else twice, the second time
/// restricted by the catalog queries themselves. Gives the catalog and
/// the other namespaces' names.
pub fn read_managed<E>(
    managed: &BTreeSet<String>,
    mut read: impl FnMut(Vec<String>) -> Result<Catalog, E>,
) -> Result<(Catalog, Vec<String>), E> {
    let all = read(Vec::new())?;
    let (present, mut others): (Vec<String>, Vec<String>) =
        all.namespaces.iter().map(|n| n.name.clone()).partition(|n| managed.contains(n));
    if others.is_empty() {
        return Ok((all, others));
    }
    // Schemaforge's own bookkeeping is neither compared nor listed.
    others.retain(|n| n != schemaforge_introspect::BOOKKEEPING_SCHEMA);
    if present.is_empty() {
        return Ok((Catalog { server: all.server, ..Catalog::default() }, others));
    }
    Ok((read(present)?, others))
}

/// The whole comparison once the I/O is done: `built` is the catalog of
/// the design's scratch build, `live` the live catalog of the managed
/// namespaces, `others` the namespaces not compared (from
/// [`read_managed`]), `record` the database's record of identities.
pub fn assess(
    desired: &ValidSchema,
    built: &Catalog,
    live: &Catalog,
    others: Vec<String>,
    record: Option<&IdentityRecord>,
) -> Drift {
    assess_printed(desired, &desired_as_printed(desired, built), live, others, record)
}

/// [`assess`] with the design as printed already imported (from
/// [`desired_as_printed`]; a version's never changes, so callers keep it).
pub fn assess_printed(
    desired: &ValidSchema,
    printed: &Imported,
    live: &Catalog,
    others: Vec<String>,
    record: Option<&IdentityRecord>,
) -> Drift {
    let (live, matching) = live_matched(desired, live, record);
    let mut drift = compare(printed, &live, matching);
    note_unmanaged(&mut drift, others);
    drift
}

impl Drift {
    /// The statements that make the database match the design, as one
    /// SQL transaction.
    pub fn script_sql(&self) -> String {
        let mut text = String::from("-- statements that make the live database match the design (one transaction)\n");
        for c in self.changes.changes() {
            text.push_str(&format!("-- [{}] {}\n", c.safety, c.description));
        }
        if !self.to_design.is_empty() {
            text.push_str("BEGIN;\n");
            for s in &self.to_design {
                text.push_str(s);
                text.push_str(";\n");
            }
            text.push_str("COMMIT;\n");
        }
        text
    }
}

/// Add the namespaces not compared to `drift`'s unmanaged objects.
fn note_unmanaged(drift: &mut Drift, namespaces: Vec<String>) {
    drift.unmanaged.extend(namespaces.into_iter().map(|name| ReportItem {
        kind: "schema".into(),
        name,
        outcome: schemaforge_introspect::Outcome::Omitted,
        reason: "not a namespace of the design: not compared".into(),
        statement: None,
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(names: &[&str]) -> Catalog {
        let namespaces = names
            .iter()
            .map(|n| serde_json::from_value(serde_json::json!({"name": n, "comment": null, "usable": true})).unwrap())
            .collect();
        Catalog { namespaces, ..Catalog::default() }
    }

    #[test]
    fn only_managed_namespaces_are_read_and_the_bookkeeping_is_not_listed() {
        let managed: BTreeSet<String> = ["public".to_string(), "sales".to_string()].into();
        let mut asked: Vec<Vec<String>> = Vec::new();
        let (read, others) = read_managed(&managed, |n: Vec<String>| -> Result<Catalog, ()> {
            asked.push(n.clone());
            Ok(if n.is_empty() { catalog(&["public", "schemaforge", "audit"]) } else { catalog(&["public"]) })
        })
        .unwrap();
        // Read again, restricted: the bookkeeping schema is never compared.
        assert_eq!(asked, vec![Vec::<String>::new(), vec!["public".to_string()]]);
        assert_eq!(read.namespaces.len(), 1);
        assert_eq!(others, vec!["audit".to_string()]);
        // Everything managed: one read.
        let mut reads = 0;
        read_managed(&managed, |_| -> Result<Catalog, ()> {
            reads += 1;
            Ok(catalog(&["public", "sales"]))
        })
        .unwrap();
        assert_eq!(reads, 1);
    }
}
