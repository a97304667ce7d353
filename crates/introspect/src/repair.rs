//! Validate what the mapping built and take out what validation refuses,
//! an element at a time (a table whose column PostgreSQL allows but the
//! format does not, a check the expression reader refuses, ...), until
//! the document is valid. Each element taken out is reported with the
//! validation's reason and the statement that recreates it; its
//! dependents (a foreign key to a table taken out) follow in the next
//! round, for the same reason in their own words.

use std::collections::{BTreeMap, HashSet};

use schemaforge_domain::{ColumnDefault, ExpressionDefault, SchemaDocument, ValidSchema};

use crate::sql::{qi, qn};
use crate::{Importer, Outcome};

/// Rounds of validation at most: each round takes out at least one
/// element, and dependents are at most a few levels deep.
const MAX_ROUNDS: usize = 25;

/// What one error asks for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Fix {
    /// Take the element with this id out.
    Remove(String),
    /// A column's default: back to PostgreSQL's printing, or out.
    ColumnDefault(usize, usize),
    /// A domain's default, likewise.
    DomainDefault(usize),
    /// A sequence's `ownedBy`: dropped (the sequence stays).
    Owner(usize),
}

fn index(segment: Option<&&str>) -> Option<usize> {
    segment.and_then(|s| s.parse().ok())
}

/// The fix for an error at `path`.
fn fix_for(doc: &SchemaDocument, path: &str) -> Option<Fix> {
    let seg: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let i = index(seg.get(1));
    let j = index(seg.get(3));
    let list = *seg.first()?;
    let id = |s: Option<&String>| s.cloned().map(Fix::Remove);
    match list {
        "tables" => {
            let t = doc.tables.get(i?)?;
            let part = seg.get(2).copied();
            match (part, j) {
                (Some("columns"), Some(j)) if seg.get(4) == Some(&"default") => Some(Fix::ColumnDefault(i?, j)),
                (Some("checks"), Some(j)) => id(t.checks.get(j).map(|x| &x.id)),
                (Some("uniques"), Some(j)) => id(t.uniques.get(j).map(|x| &x.id)),
                (Some("exclusions"), Some(j)) => id(t.exclusions.get(j).map(|x| &x.id)),
                (Some("indexes"), Some(j)) => id(t.indexes.get(j).map(|x| &x.id)),
                (Some("partitions"), Some(j)) => {
                    let p = t.partitions.get(j)?;
                    match (seg.get(4), index(seg.get(5))) {
                        (Some(&"indexes"), Some(k)) => id(p.indexes.get(k).map(|x| &x.id)),
                        _ => Some(Fix::Remove(p.id.clone())),
                    }
                }
                _ => Some(Fix::Remove(t.id.clone())),
            }
        }
        "views" => {
            let v = doc.views.get(i?)?;
            match (seg.get(2), j) {
                (Some(&"indexes"), Some(j)) => id(v.indexes.get(j).map(|x| &x.id)),
                _ => Some(Fix::Remove(v.id.clone())),
            }
        }
        "domains" => {
            let d = doc.domains.get(i?)?;
            match (seg.get(2), j) {
                (Some(&"default"), _) => Some(Fix::DomainDefault(i?)),
                (Some(&"checks"), Some(j)) => id(d.checks.get(j).map(|x| &x.id)),
                _ => Some(Fix::Remove(d.id.clone())),
            }
        }
        "sequences" if seg.get(2) == Some(&"ownedBy") => Some(Fix::Owner(i?)),
        "sequences" => id(doc.sequences.get(i?).map(|x| &x.id)),
        "foreignKeys" => id(doc.foreign_keys.get(i?).map(|x| &x.id)),
        "enums" => id(doc.enums.get(i?).map(|x| &x.id)),
        "composites" => id(doc.composites.get(i?).map(|x| &x.id)),
        "extensions" => id(doc.extensions.get(i?).map(|x| &x.id)),
        "functions" => id(doc.functions.get(i?).map(|x| &x.id)),
        "triggers" => id(doc.triggers.get(i?).map(|x| &x.id)),
        "policies" => id(doc.policies.get(i?).map(|x| &x.id)),
        "rules" => id(doc.rules.get(i?).map(|x| &x.id)),
        "grants" => id(doc.grants.get(i?).map(|x| &x.id)),
        _ => None,
    }
}

/// Take every element whose id is in `gone` out of `doc`.
fn remove(doc: &mut SchemaDocument, gone: &HashSet<String>) {
    let keep = |id: &String| !gone.contains(id);
    doc.tables.retain(|t| keep(&t.id));
    for t in &mut doc.tables {
        t.checks.retain(|x| keep(&x.id));
        t.uniques.retain(|x| keep(&x.id));
        t.exclusions.retain(|x| keep(&x.id));
        t.indexes.retain(|x| keep(&x.id));
        t.partitions.retain(|x| keep(&x.id));
        for p in &mut t.partitions {
            p.indexes.retain(|x| keep(&x.id));
        }
    }
    doc.views.retain(|v| keep(&v.id));
    for v in &mut doc.views {
        v.indexes.retain(|x| keep(&x.id));
    }
    doc.domains.retain(|d| keep(&d.id));
    for d in &mut doc.domains {
        d.checks.retain(|x| keep(&x.id));
    }
    doc.sequences.retain(|x| keep(&x.id));
    doc.foreign_keys.retain(|x| keep(&x.id));
    doc.enums.retain(|x| keep(&x.id));
    doc.composites.retain(|x| keep(&x.id));
    doc.extensions.retain(|x| keep(&x.id));
    doc.functions.retain(|x| keep(&x.id));
    doc.triggers.retain(|x| keep(&x.id));
    doc.policies.retain(|x| keep(&x.id));
    doc.rules.retain(|x| keep(&x.id));
    doc.grants.retain(|x| keep(&x.id));
}

impl Importer<'_> {
    /// Make the document valid: the valid schema, or the errors left.
    pub(crate) fn repair(&mut self) -> Result<ValidSchema, Vec<String>> {
        for _ in 0..MAX_ROUNDS {
            let report = match ValidSchema::parse(self.doc.clone()) {
                Ok(schema) => return Ok(schema),
                Err(invalid) => invalid.report,
            };
            let errors: Vec<_> = report.problems.iter().filter(|p| p.is_error()).collect();
            let mut fixes: BTreeMap<Fix, String> = BTreeMap::new();
            for e in &errors {
                if let Some(fix) = fix_for(&self.doc, &e.path) {
                    fixes.entry(fix).or_insert_with(|| format!("{}: {}", e.code.as_str(), e.message));
                }
            }
            if fixes.is_empty() {
                break;
            }
            let mut gone = HashSet::new();
            for (fix, reason) in fixes {
                match fix {
                    Fix::Remove(id) => {
                        self.removed(&id, reason);
                        gone.insert(id);
                    }
                    Fix::ColumnDefault(t, c) => self.column_default(t, c, reason),
                    Fix::DomainDefault(d) => self.domain_default(d, reason),
                    Fix::Owner(s) => {
                        if let Some(seq) = self.doc.sequences.get_mut(s) {
                            seq.owned_by = None;
                            let name = seq.name.clone();
                            self.note("sequence", name, Outcome::Adjusted, format!("OWNED BY dropped: {reason}"), None);
                        }
                    }
                }
            }
            remove(&mut self.doc, &gone);
        }
        ValidSchema::parse(self.doc.clone()).map_err(|invalid| {
            invalid
                .report
                .problems
                .iter()
                .filter(|p| p.is_error())
                .map(|p| format!("{} {}: {}", p.path, p.code.as_str(), p.message))
                .collect()
        })
    }

    fn removed(&mut self, id: &str, reason: String) {
        let origin = self.origins.get(id).cloned();
        let (kind, name, statement) = match origin {
            Some(o) => (o.kind.to_string(), o.name, o.statement),
            None => ("object".to_string(), id.to_string(), None),
        };
        self.note(&kind, name, Outcome::Omitted, reason, statement);
    }

    fn column_default(&mut self, t: usize, c: usize, reason: String) {
        let Some(table) = self.doc.tables.get(t) else { return };
        let Some(column) = table.columns.get(c) else { return };
        let printed = self.printed_defaults.get(&column.id).cloned();
        let statement = printed.as_ref().map(|p| {
            let ns = table.namespace_id.as_ref().and_then(|id| self.doc.namespaces.iter().find(|n| &n.id == id));
            let ns = ns.map_or("public", |n| n.name.as_str());
            format!("ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {p}", qn(ns, &table.name), qi(&column.name))
        });
        let name = format!("{}.{}", table.name, column.name);
        let already = matches!(column.default, Some(ColumnDefault::Expression(_)));
        let next = match (&printed, already) {
            (Some(p), false) => Some(ColumnDefault::Expression(ExpressionDefault { expression: p.clone() })),
            _ => None,
        };
        if next.is_none() {
            self.note("default", name, Outcome::Omitted, reason, statement);
        }
        if let Some(column) = self.doc.tables.get_mut(t).and_then(|t| t.columns.get_mut(c)) {
            column.default = next;
        }
    }

    fn domain_default(&mut self, d: usize, reason: String) {
        let Some(domain) = self.doc.domains.get(d) else { return };
        let printed = self.printed_defaults.get(&domain.id).cloned();
        let already = matches!(domain.default, Some(ColumnDefault::Expression(_)));
        let name = domain.name.clone();
        let next = match (&printed, already) {
            (Some(p), false) => Some(ColumnDefault::Expression(ExpressionDefault { expression: p.clone() })),
            _ => None,
        };
        if next.is_none() {
            let statement = printed.map(|p| format!("ALTER DOMAIN {} SET DEFAULT {p}", qi(&name)));
            self.note("default", name, Outcome::Omitted, reason, statement);
        }
        if let Some(domain) = self.doc.domains.get_mut(d) {
            domain.default = next;
        }
    }
}
