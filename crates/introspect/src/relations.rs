//! The relations in oid order: tables, then their partitions, views and
//! materialized views; foreign tables are reported.

use schemaforge_domain::{
    IndexColumn, IndexColumnSpec, Literal, Partition, PartitionBound, PartitionBy, PartitionStrategy, View, ViewIndex,
};

use crate::catalog::RelationRow;
use crate::defaults::string_literal;
use crate::ids::CatalogKey;
use crate::objects::lost_comment;
use crate::sql::{add_constraint, create_table, grants, qi, qn};
use crate::tables::index_method;
use crate::{Importer, Origin, Outcome, display};

/// Split `text` at the commas outside parentheses and quotes.
pub(crate) fn split_top_level(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut current = String::new();
    for ch in text.chars() {
        match quote {
            Some(q) if ch == q => quote = None,
            Some(_) => {}
            None => match ch {
                '\'' | '"' => quote = Some(ch),
                '(' => depth += 1,
                ')' => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(current.trim().to_string());
                    current.clear();
                    continue;
                }
                _ => {}
            },
        }
        current.push(ch);
    }
    if !current.trim().is_empty() {
        parts.push(current.trim().to_string());
    }
    parts
}

/// The text inside the first balanced parentheses after `prefix`.
fn parenthesized<'t>(text: &'t str, prefix: &str) -> Option<(&'t str, &'t str)> {
    let rest = text.strip_prefix(prefix)?.trim_start().strip_prefix('(')?;
    let mut depth = 1i32;
    let mut quote = false;
    for (i, ch) in rest.char_indices() {
        match ch {
            '\'' => quote = !quote,
            '(' if !quote => depth += 1,
            ')' if !quote => {
                depth -= 1;
                if depth == 0 {
                    return Some((&rest[..i], rest[i + 1..].trim_start()));
                }
            }
            _ => {}
        }
    }
    None
}

/// One value of a bound as PostgreSQL prints it.
fn bound_value(text: &str) -> Option<Literal> {
    let t = text.trim();
    match t {
        "MINVALUE" | "MAXVALUE" => return Some(Literal::String(t.to_string())),
        "NULL" => return Some(Literal::Null),
        "true" => return Some(Literal::Bool(true)),
        "false" => return Some(Literal::Bool(false)),
        _ => {}
    }
    if let Some((value, rest)) = string_literal(t) {
        return (rest.is_empty() || rest.starts_with("::")).then_some(Literal::String(value));
    }
    let number = t.strip_prefix('-').unwrap_or(t);
    (!number.is_empty() && number.chars().all(|c| c.is_ascii_digit() || c == '.'))
        .then(|| Literal::String(t.to_string()))
}

/// A partition bound as `pg_get_expr(relpartbound)` prints it.
pub(crate) fn parse_bound(text: &str) -> Option<PartitionBound> {
    let t = text.trim();
    if t == "DEFAULT" {
        return Some(PartitionBound { default: true, ..Default::default() });
    }
    let rest = t.strip_prefix("FOR VALUES")?.trim_start();
    let values = |inner: &str| split_top_level(inner).iter().map(|v| bound_value(v)).collect::<Option<Vec<_>>>();
    if let Some((from, after)) = parenthesized(rest, "FROM") {
        let (to, tail) = parenthesized(after, "TO")?;
        if !tail.is_empty() {
            return None;
        }
        return Some(PartitionBound { from: Some(values(from)?), to: Some(values(to)?), ..Default::default() });
    }
    if let Some((list, tail)) = parenthesized(rest, "IN") {
        return tail
            .is_empty()
            .then_some(())
            .and_then(|()| Some(PartitionBound { values: Some(values(list)?), ..Default::default() }));
    }
    let (with, tail) = parenthesized(rest, "WITH")?;
    if !tail.is_empty() {
        return None;
    }
    let mut bound = PartitionBound::default();
    for part in split_top_level(with) {
        let (key, value) = part.split_once(' ')?;
        let n: u32 = value.trim().parse().ok()?;
        match key.to_ascii_lowercase().as_str() {
            "modulus" => bound.modulus = Some(n),
            "remainder" => bound.remainder = Some(n),
            _ => return None,
        }
    }
    Some(bound)
}

impl<'a> Importer<'a> {
    /// The first routine or view the query calls or reads that the import
    /// left out (aggregates, and the views over them), by name.
    fn calls_omitted(&self, query: &str) -> Option<String> {
        let parsed = schemaforge_pgparse::parse_query(query).ok()?;
        let key = |parts: &[String]| match parts {
            [name] => Some(("public".to_string(), name.clone())),
            [ns, name] => Some((ns.clone(), name.clone())),
            _ => None,
        };
        for node in parsed.nodes() {
            if let schemaforge_pgparse::Node::Function { name, .. } = node {
                if key(&name).is_some_and(|k| self.omitted_routines.contains(&k)) {
                    return Some(name.join("."));
                }
            }
        }
        parsed.relations().iter().find(|r| key(r).is_some_and(|k| self.omitted_views.contains(&k))).map(|r| r.join("."))
    }

    pub(crate) fn relations(&mut self) {
        let cat = self.cat;
        for rel in &cat.relations {
            let name = display(&rel.namespace, &rel.name);
            match rel.kind.as_str() {
                "r" | "p" if !rel.is_partition => {
                    if let Some(mut table) = self.table(rel) {
                        table.partition_by = self.partition_by(rel);
                        self.table_at.insert(rel.oid, self.doc.tables.len());
                        self.doc.tables.push(table);
                        self.relation_grants(rel);
                    }
                }
                "f" => self.note(
                    "foreign table",
                    &name,
                    Outcome::Omitted,
                    "foreign tables are not in the document format",
                    None,
                ),
                _ => {}
            }
        }
        for rel in cat.relations.iter().filter(|r| r.is_partition) {
            self.partition(rel);
        }
        for rel in cat.relations.iter().filter(|r| r.kind == "v" || r.kind == "m") {
            self.view(rel);
        }
        self.foreign_keys();
        self.sequence_list();
    }

    fn relation_grants(&mut self, rel: &RelationRow) {
        let object = format!("TABLE {}", qn(&rel.namespace, &rel.name));
        for (grantee, statement) in grants(&object, &rel.privileges) {
            self.grant(&rel.namespace, &rel.name, &grantee, statement);
        }
    }

    fn partition_by(&mut self, rel: &RelationRow) -> Option<PartitionBy> {
        let p = rel.partitioning.as_ref()?;
        let strategy = match p.strategy.as_str() {
            "r" => PartitionStrategy::Range,
            "l" => PartitionStrategy::List,
            _ => PartitionStrategy::Hash,
        };
        let key = rel.partition_key.as_deref().unwrap_or_default();
        let inner = key.find('(').and_then(|i| key.get(i + 1..key.len().saturating_sub(1))).unwrap_or_default();
        let texts = split_top_level(inner);
        let mut columns = Vec::new();
        for (i, num) in p.columns.iter().enumerate() {
            let opclass = p.opclasses.as_ref().and_then(|o| o.get(i)).filter(|o| !o.default).map(|o| o.name.clone());
            let column_id = (*num > 0).then(|| self.column_ids.get(&(rel.oid, *num)).cloned()).flatten();
            let expression = (*num == 0).then(|| texts.get(i).cloned()).flatten();
            columns.push(match (&column_id, &opclass) {
                (Some(id), None) => IndexColumn::Id(id.clone()),
                _ => IndexColumn::Spec(IndexColumnSpec {
                    column_id,
                    expression,
                    collation: None,
                    collation_id: None,
                    opclass,
                    order: None,
                    nulls: None,
                }),
            });
        }
        Some(PartitionBy { strategy, columns })
    }

    fn partition(&mut self, rel: &'a RelationRow) {
        let name = display(&rel.namespace, &rel.name);
        let columns = self.columns_of.get(&rel.oid).cloned().unwrap_or_default();
        let constraints = self.constraints_of(rel.oid);
        let parent = rel.parents.first().copied();
        let parent_at = parent.and_then(|p| self.table_at.get(&p).copied());
        let of = parent
            .and_then(|p| self.rel_rows.get(&p))
            .map(|p| format!(" PARTITION OF {}", qn(&p.namespace, &p.name)))
            .unwrap_or_default();
        let create =
            format!("CREATE TABLE {}{of} {}", qn(&rel.namespace, &rel.name), rel.bound.clone().unwrap_or_default());
        let statement = || create.clone();
        let (Some(at), Some(bound)) = (parent_at, rel.bound.as_deref().and_then(parse_bound)) else {
            let why = if parent_at.is_none() {
                "its parent is not imported (or is itself a partition: sub-partitioning is not in the document format)"
            } else {
                "its bound could not be read"
            };
            self.note("partition", &name, Outcome::Omitted, why, Some(statement()));
            return;
        };
        if rel.kind == "p" {
            self.note(
                "partition",
                &name,
                Outcome::Omitted,
                "sub-partitioning is not in the document format",
                Some(create_table(rel, &columns, &constraints)),
            );
            return;
        }
        if self.doc.tables[at].partition_by.is_none() {
            self.note(
                "partition",
                &name,
                Outcome::Omitted,
                "its parent's partition key could not be read",
                Some(statement()),
            );
            return;
        }
        // The parent's column ids stand for the partition's columns.
        let parent_oid = parent.unwrap_or_default();
        let parent_columns = self.columns_of.get(&parent_oid).cloned().unwrap_or_default();
        for c in &columns {
            if let Some(pc) = parent_columns.iter().find(|p| p.name == c.name) {
                if let Some(id) = self.column_ids.get(&(parent_oid, pc.num)).cloned() {
                    self.column_ids.insert((rel.oid, c.num), id);
                }
            }
            if let Some(s) =
                lost_comment(&format!("COLUMN {}.{}", qn(&rel.namespace, &rel.name), qi(&c.name)), &c.comment)
            {
                self.note(
                    "comment",
                    format!("{name}.{}", c.name),
                    Outcome::Omitted,
                    "comments on a partition's columns are not in the document format",
                    Some(s),
                );
            }
        }
        for con in constraints.iter().filter(|c| c.local && c.kind != "f" && c.kind != "t") {
            let cname = format!("{name}.{}", con.name);
            self.note(
                "constraint",
                cname,
                Outcome::Omitted,
                "constraints of a partition alone are not in the document format",
                Some(add_constraint(rel, con)),
            );
        }
        let id = self.ids.make_keyed("p", &[&rel.namespace, &rel.name], Some(CatalogKey::Relation { oid: rel.oid }));
        self.rels.insert(rel.oid, id.clone());
        self.origins.insert(id.clone(), Origin { kind: "partition", name, statement: Some(statement()) });
        let indexes = self.table_indexes(rel);
        self.relation_grants(rel);
        self.doc.tables[at].partitions.push(Partition {
            id,
            name: rel.name.clone(),
            bound,
            indexes,
            comment: rel.comment.clone(),
        });
    }

    fn view(&mut self, rel: &'a RelationRow) {
        let name = display(&rel.namespace, &rel.name);
        let materialized = rel.kind == "m";
        let what = if materialized { "MATERIALIZED VIEW" } else { "VIEW" };
        let q = qn(&rel.namespace, &rel.name);
        let query = rel.query.as_deref().unwrap_or_default().trim();
        let query = crate::printed::restore_array_casts(query.strip_suffix(';').unwrap_or(query).trim());
        // Output columns PostgreSQL printed without a name keep `?column?`
        // (read back, `NULL::integer` would be named `int4`).
        let query = schemaforge_pgparse::pin_unnamed_outputs(&query).ok().flatten().unwrap_or(query);
        let create = format!("CREATE {what} {q} AS {query}");
        if let Some(called) = self.calls_omitted(&query) {
            let why = format!("it calls {called}, which is not in the document");
            self.note("view", &name, Outcome::Omitted, why, Some(create));
            self.omitted_views.insert((rel.namespace.clone(), rel.name.clone()));
            return;
        }
        let id = self.ids.make_keyed("v", &[&rel.namespace, &rel.name], Some(CatalogKey::Relation { oid: rel.oid }));
        self.rels.insert(rel.oid, id.clone());
        self.origins.insert(id.clone(), Origin { kind: "view", name: name.clone(), statement: Some(create) });
        if let Some(options) = rel.options.as_ref().filter(|o| !o.is_empty()) {
            let s = Some(format!("ALTER {what} {q} SET ({})", options.join(", ")));
            self.note("view", &name, Outcome::Adjusted, "view options are not in the document format", s);
        }
        let columns = self.columns_of.get(&rel.oid).cloned().unwrap_or_default();
        for c in &columns {
            if let Some(s) = lost_comment(&format!("COLUMN {q}.{}", qi(&c.name)), &c.comment) {
                self.note(
                    "comment",
                    format!("{name}.{}", c.name),
                    Outcome::Omitted,
                    "comments on a view's columns are not in the document format",
                    Some(s),
                );
            }
            if let Some(d) = &c.default {
                let s = Some(format!("ALTER VIEW {q} ALTER COLUMN {} SET DEFAULT {d}", qi(&c.name)));
                self.note(
                    "view column",
                    format!("{name}.{}", c.name),
                    Outcome::Omitted,
                    "defaults of a view's columns are not in the document format",
                    s,
                );
            }
        }
        let mut indexes = Vec::new();
        for index in self.indexes_of(rel.oid) {
            let iname = display(&rel.namespace, &index.name);
            if index.clustered {
                let s = Some(format!("ALTER {what} {q} CLUSTER ON {}", qi(&index.name)));
                self.note("index", &iname, Outcome::Adjusted, "CLUSTER ON is not in the document format", s);
            }
            let names: Option<Vec<String>> = index
                .elements
                .iter()
                .map(|e| {
                    let plain = e.column > 0
                        && e.collation.is_none()
                        && e.opclass_default != Some(false)
                        && e.option.unwrap_or(0) == 0;
                    plain.then(|| columns.iter().find(|c| c.num == e.column).map(|c| c.name.clone())).flatten()
                })
                .collect();
            let method = index_method(&index.method);
            let simple = index.predicate.is_none()
                && index.key_count as usize == index.elements.len()
                && index.options.is_none();
            match (names, method, simple) {
                (Some(columns), Some(method), true) => {
                    let index_id = self.ids.make_keyed(
                        "i",
                        &[&rel.namespace, &index.name],
                        Some(CatalogKey::Index { oid: index.oid }),
                    );
                    self.origins.insert(
                        index_id.clone(),
                        Origin { kind: "index", name: iname, statement: Some(index.definition.clone()) },
                    );
                    indexes.push(ViewIndex {
                        id: index_id,
                        name: Some(index.name.clone()),
                        columns,
                        unique: index.unique,
                        method,
                        comment: index.comment.clone(),
                    });
                }
                _ => self.note(
                    "index",
                    &iname,
                    Outcome::Omitted,
                    "an index of a materialized view holds only plain columns in the document format",
                    Some(index.definition.clone()),
                ),
            }
        }
        let object = format!("TABLE {q}");
        for (grantee, statement) in grants(&object, &rel.privileges) {
            self.grant(&rel.namespace, &rel.name, &grantee, statement);
        }
        self.doc.views.push(View {
            id,
            name: rel.name.clone(),
            namespace_id: self.namespace_id(&rel.namespace),
            materialized,
            query,
            indexes,
            comment: rel.comment.clone(),
            position: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_read_back() {
        let b = parse_bound("FOR VALUES FROM ('2022-01-01 00:00:00+00') TO (MAXVALUE)").unwrap();
        assert_eq!(b.from, Some(vec![Literal::String("2022-01-01 00:00:00+00".into())]));
        assert_eq!(b.to, Some(vec![Literal::String("MAXVALUE".into())]));
        let b = parse_bound("FOR VALUES IN ('a', NULL, 'it''s')").unwrap();
        assert_eq!(b.values, Some(vec![Literal::String("a".into()), Literal::Null, Literal::String("it's".into())]));
        let b = parse_bound("FOR VALUES WITH (modulus 4, remainder 3)").unwrap();
        assert_eq!((b.modulus, b.remainder), (Some(4), Some(3)));
        assert!(parse_bound("DEFAULT").unwrap().default);
        assert_eq!(
            parse_bound("FOR VALUES FROM (1, -5) TO (10, 20)").unwrap().from.unwrap()[1],
            Literal::String("-5".into())
        );
        assert!(parse_bound("FOR VALUES FROM (1) TO (2) junk").is_none());
    }

    #[test]
    fn commas_split_outside_brackets_and_quotes() {
        assert_eq!(split_top_level("a, lower(b, c), 'x,y'"), vec!["a", "lower(b, c)", "'x,y'"]);
    }
}
