//! Index advice on a live database: foreign keys no index supports,
//! duplicate indexes, indexes that are a prefix of another, indexes left
//! invalid by a failed concurrent build, and (with the server's usage
//! statistics) indexes never scanned; each with the statement that fixes
//! it, to run by hand (`CONCURRENTLY`: outside a transaction, without
//! blocking writes).

use std::collections::HashMap;

use schemaforge_introspect::Catalog;
use schemaforge_introspect::catalog::IndexRow;
use schemaforge_sqlgen::{Dialect, Postgres};
use serde::Serialize;

/// What the advice is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AdviceKind {
    /// A foreign key whose columns lead no index: deleting or updating a
    /// referenced row scans the whole referencing table.
    UnindexedForeignKey,
    /// Two indexes with the same elements: one is enough.
    DuplicateIndex,
    /// An index whose elements begin another index's: the longer one
    /// serves its queries.
    PrefixIndex,
    /// Left invalid by a failed `CREATE INDEX CONCURRENTLY`: maintained on
    /// every write, used by no query.
    InvalidIndex,
    /// Never scanned since the statistics began.
    UnusedIndex,
}

/// One piece of advice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Advice {
    /// What it is about.
    pub kind: AdviceKind,
    /// The table, `namespace.name`.
    pub table: String,
    /// The index it is about (absent for an unindexed foreign key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<String>,
    /// One line for people.
    pub detail: String,
    /// The statement that fixes it.
    pub statement: String,
}

/// The server's index usage statistics (`pg_stat_user_indexes`).
#[derive(Debug, Clone, Default)]
pub struct UsageStats {
    /// Scans by index oid.
    pub scans: HashMap<i64, i64>,
    /// When the statistics began (`pg_stat_database.stats_reset`, else the
    /// server's start), as PostgreSQL prints it.
    pub since: Option<String>,
}

fn q(name: &str) -> String {
    Postgres.quote_ident(name)
}

/// One index element as a comparable key: column (0: expression),
/// expression, operator class, collation and order.
type ElementKey<'a> = (i64, Option<&'a str>, Option<&'a str>, Option<&'a str>, Option<i64>);

/// An index's first `count` elements as comparable keys.
fn elements(index: &IndexRow, count: usize) -> Vec<ElementKey<'_>> {
    index
        .elements
        .iter()
        .take(count)
        .map(|e| (e.column, e.expression.as_deref(), e.opclass.as_deref(), e.collation.as_deref(), e.option))
        .collect()
}

fn keys(index: &IndexRow) -> usize {
    usize::try_from(index.key_count).unwrap_or(0)
}

/// Advice on the indexes of `cat`; with `usage`, unused indexes too.
pub fn advise(cat: &Catalog, usage: Option<&UsageStats>) -> Vec<Advice> {
    let rels: HashMap<i64, (&str, &str)> =
        cat.relations.iter().map(|r| (r.oid, (r.namespace.as_str(), r.name.as_str()))).collect();
    let columns: HashMap<(i64, i64), &str> = cat.columns.iter().map(|c| ((c.rel, c.num), c.name.as_str())).collect();
    let mut by_rel: HashMap<i64, Vec<&IndexRow>> = HashMap::new();
    for i in cat.indexes.iter().filter(|i| !i.inherited) {
        by_rel.entry(i.rel).or_default().push(i);
    }
    let table = |rel: i64| rels.get(&rel).map_or_else(|| rel.to_string(), |(n, t)| format!("{n}.{t}"));
    let qualified = |rel: i64, name: &str| match rels.get(&rel) {
        Some((n, _)) => format!("{}.{}", q(n), q(name)),
        None => q(name),
    };
    let mut out = Vec::new();

    for fk in cat.constraints.iter().filter(|c| c.kind == "f") {
        let Some(cols) = fk.columns.as_ref().filter(|c| !c.is_empty()) else { continue };
        let mut wanted = cols.clone();
        wanted.sort_unstable();
        let supported = by_rel.get(&fk.rel).into_iter().flatten().any(|i| {
            let lead: Option<Vec<i64>> =
                i.elements.iter().take(cols.len()).map(|e| (e.column != 0).then_some(e.column)).collect();
            i.valid
                && i.predicate.is_none()
                && lead.is_some_and(|mut l| {
                    l.sort_unstable();
                    l == wanted
                })
        });
        if supported || !rels.contains_key(&fk.rel) {
            continue;
        }
        let names: Vec<String> = cols.iter().map(|n| q(columns.get(&(fk.rel, *n)).copied().unwrap_or("?"))).collect();
        let (ns, t) = rels[&fk.rel];
        out.push(Advice {
            kind: AdviceKind::UnindexedForeignKey,
            table: table(fk.rel),
            index: None,
            detail: format!(
                "foreign key {} ({}) has no index leading with its columns: a delete or key update on the referenced table scans {}",
                fk.name,
                names.join(", "),
                table(fk.rel)
            ),
            statement: format!("CREATE INDEX CONCURRENTLY ON {}.{} ({})", q(ns), q(t), names.join(", ")),
        });
    }

    for (rel, list) in &by_rel {
        let mut sorted: Vec<&IndexRow> = list.clone();
        // The one kept of equal indexes: a constraint's, then a unique
        // one, then the oldest.
        sorted.sort_by_key(|i| (!i.constraint_backed, !i.unique, i.oid));
        let mut dropped: Vec<i64> = Vec::new();
        for (n, a) in sorted.iter().enumerate() {
            if a.constraint_backed || !a.valid || dropped.contains(&a.oid) {
                continue;
            }
            let same =
                |b: &IndexRow| b.method == a.method && b.predicate == a.predicate && b.options == a.options && b.valid;
            let kept = sorted[..n].iter().find(|b| {
                !dropped.contains(&b.oid)
                    && same(b)
                    && elements(b, b.elements.len()) == elements(a, a.elements.len())
                    && keys(b) == keys(a)
            });
            if let Some(b) = kept {
                dropped.push(a.oid);
                out.push(Advice {
                    kind: AdviceKind::DuplicateIndex,
                    table: table(*rel),
                    index: Some(a.name.clone()),
                    detail: format!("{} has the same elements as {}", a.name, b.name),
                    statement: format!("DROP INDEX CONCURRENTLY {}", qualified(*rel, &a.name)),
                });
                continue;
            }
            if a.unique || a.method != "btree" || keys(a) != a.elements.len() {
                continue;
            }
            let longer = sorted.iter().find(|b| {
                b.oid != a.oid
                    && !dropped.contains(&b.oid)
                    && same(b)
                    && keys(b) > keys(a)
                    && elements(b, keys(a)) == elements(a, keys(a))
            });
            if let Some(b) = longer {
                dropped.push(a.oid);
                out.push(Advice {
                    kind: AdviceKind::PrefixIndex,
                    table: table(*rel),
                    index: Some(a.name.clone()),
                    detail: format!("the elements of {} begin {}, which serves the same queries", a.name, b.name),
                    statement: format!("DROP INDEX CONCURRENTLY {}", qualified(*rel, &a.name)),
                });
            }
        }
        for i in list.iter().filter(|i| !i.valid) {
            out.push(Advice {
                kind: AdviceKind::InvalidIndex,
                table: table(*rel),
                index: Some(i.name.clone()),
                detail: format!(
                    "{} is invalid (a failed concurrent build): written on every change, read by no query",
                    i.name
                ),
                statement: format!("DROP INDEX CONCURRENTLY {}", qualified(*rel, &i.name)),
            });
        }
        if let Some(usage) = usage {
            for i in list.iter().filter(|i| i.valid && !i.unique && !i.constraint_backed && !dropped.contains(&i.oid)) {
                if usage.scans.get(&i.oid) != Some(&0) {
                    continue;
                }
                let since = usage.since.as_deref().unwrap_or("the statistics began");
                out.push(Advice {
                    kind: AdviceKind::UnusedIndex,
                    table: table(*rel),
                    index: Some(i.name.clone()),
                    detail: format!("{} has not been scanned since {since}", i.name),
                    statement: format!("DROP INDEX CONCURRENTLY {}", qualified(*rel, &i.name)),
                });
            }
        }
    }
    out.sort_by(|a, b| (&a.table, a.kind, &a.index).cmp(&(&b.table, b.kind, &b.index)));
    out
}
