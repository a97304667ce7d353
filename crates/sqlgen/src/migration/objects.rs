//! Statements for namespaces, moves between them, extensions, collations
//! and standalone sequences.

use schemaforge_domain::diff::MovedObject;
use schemaforge_domain::{ChangeKind, ColumnType};

use super::{Cx, sequence_changes};
use crate::Dialect;
use crate::postgres::Postgres;
use crate::script::{Statement, StatementKind};

impl Postgres {
    /// The mapping statements that turn `o`'s mappings into `n`'s, token
    /// type by token type: dropped, altered, added.
    fn text_search_mapping_changes(
        &self,
        o: &schemaforge_domain::TextSearchConfigModel,
        n: &schemaforge_domain::TextSearchConfigModel,
    ) -> Vec<Statement> {
        let (old, new) = (o.dictionaries_by_token(), n.dictionaries_by_token());
        let mut out = Vec::new();
        let gone: Vec<&str> = old.keys().filter(|t| !new.contains_key(*t)).copied().collect();
        if !gone.is_empty() {
            let tokens: Vec<String> = gone.iter().map(|t| self.qi(t)).collect();
            out.push(Statement {
                kind: StatementKind::AlterTextSearch,
                target: format!("text search configuration \"{}\"", n.name),
                sql: format!(
                    "ALTER TEXT SEARCH CONFIGURATION {} DROP MAPPING IF EXISTS FOR {}",
                    self.qn(&n.namespace, n.name.as_str()),
                    tokens.join(", ")
                ),
            });
        }
        for (token, dictionaries) in &new {
            match old.get(token) {
                Some(d) if d == dictionaries => {}
                Some(_) => out.push(self.text_search_mapping(n, "ALTER", &[token], dictionaries)),
                None => out.push(self.text_search_mapping(n, "ADD", &[token], dictionaries)),
            }
        }
        out
    }

    /// The statements of a change to namespaces, moves, extensions and standalone sequences; `None` for another kind
    /// of change.
    pub(super) fn objects_statements(&self, cx: &Cx<'_>) -> Option<Option<Vec<Statement>>> {
        let (from, to) = (cx.from, cx.to);
        Some(match &cx.change.kind {
            ChangeKind::CreateNamespace { namespace_id } => {
                to.namespace(namespace_id).map(|n| vec![self.create_schema(n)])
            }
            ChangeKind::DropNamespace { name, .. } => {
                Some(cx.st(StatementKind::DropSchema, format!("DROP SCHEMA {}", self.qi(name))))
            }
            ChangeKind::RenameNamespace { from: a, to: b, .. } => {
                Some(cx.st(StatementKind::Rename, format!("ALTER SCHEMA {} RENAME TO {}", self.qi(a), self.qi(b))))
            }
            ChangeKind::SetNamespaceComment { namespace_id } => {
                to.namespace(namespace_id).map(|n| vec![self.schema_comment(n)])
            }
            ChangeKind::MoveObject { object, object_id, name, from_namespace_id, to_namespace_id, staging } => {
                let schema_to = to_namespace_id
                    .as_deref()
                    .and_then(|id| to.namespace(id))
                    .map_or_else(|| self.qi("public"), |n| self.qi(n.name.as_str()));
                let kw = object.keyword();
                if *object == MovedObject::Extension {
                    return Some(Some(cx.st(
                        StatementKind::SetSchema,
                        format!("ALTER EXTENSION {} SET SCHEMA {schema_to}", self.qi(name)),
                    )));
                }
                let old = from_namespace_id.as_deref().and_then(|id| from.namespace(id));
                let old_schema = old.map(|n| cx.renamed(n.id.as_str()).unwrap_or(n.name.as_str()));
                let here = self.qualified(old_schema, name);
                // A table's partitions are tables of their own: they move
                // with it, straight to its new namespace.
                let partitions: Vec<Statement> = match object {
                    MovedObject::Table => from
                        .table(object_id)
                        .into_iter()
                        .flat_map(|t| &t.partitions)
                        .flat_map(|p| {
                            let at = self.qualified(old_schema, p.name.as_str());
                            cx.st(StatementKind::SetSchema, format!("ALTER TABLE {at} SET SCHEMA {schema_to}"))
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                let mut moved = match staging {
                    Some(staging) => {
                        let mut out = cx.st(StatementKind::CreateSchema, format!("CREATE SCHEMA {}", self.qi(staging)));
                        out.extend(cx.st(
                            StatementKind::SetSchema,
                            format!("ALTER {kw} {here} SET SCHEMA {}", self.qi(staging)),
                        ));
                        out
                    }
                    None => cx.st(StatementKind::SetSchema, format!("ALTER {kw} {here} SET SCHEMA {schema_to}")),
                };
                moved.extend(partitions);
                Some(moved)
            }
            ChangeKind::FinishMove { object, object_id, staging } => {
                let placed = match object {
                    MovedObject::Table => to.table(object_id).map(|t| (&t.namespace, t.name.as_str())),
                    MovedObject::Enum => to.enum_type(object_id).map(|e| (&e.namespace, e.name.as_str())),
                    MovedObject::Domain => to.domain(object_id).map(|d| (&d.namespace, d.name.as_str())),
                    MovedObject::Composite => to.composite(object_id).map(|c| (&c.namespace, c.name.as_str())),
                    MovedObject::Sequence => to.sequence(object_id).map(|s| (&s.namespace, s.name.as_str())),
                    MovedObject::Collation => to.collation(object_id).map(|c| (&c.namespace, c.name.as_str())),
                    MovedObject::TextSearchConfig => to.text_search(object_id).map(|c| (&c.namespace, c.name.as_str())),
                    MovedObject::Extension => None,
                };
                placed.map(|(ns, name)| {
                    let schema_to = ns.as_ref().map_or_else(|| self.qi("public"), |n| self.qi(n.name.as_str()));
                    let mut out = cx.st(
                        StatementKind::SetSchema,
                        format!(
                            "ALTER {} {} SET SCHEMA {schema_to}",
                            object.keyword(),
                            self.qualified(Some(staging), name)
                        ),
                    );
                    out.extend(cx.st(StatementKind::DropSchema, format!("DROP SCHEMA {}", self.qi(staging))));
                    out
                })
            }
            ChangeKind::ReleaseSequence { sequence_id } => from.sequence(sequence_id).map(|s| {
                cx.st(
                    StatementKind::SetSequence,
                    format!("ALTER SEQUENCE {} OWNED BY NONE", self.qn(&s.namespace, s.name.as_str())),
                )
            }),
            ChangeKind::CreateExtension { extension_id } => {
                to.extension(extension_id).map(|e| vec![self.create_extension(e)])
            }
            ChangeKind::DropExtension { name, .. } => {
                Some(cx.st(StatementKind::DropExtension, format!("DROP EXTENSION {}", self.qi(name))))
            }
            ChangeKind::UpdateExtension { extension_id, to: version, .. } => to.extension(extension_id).map(|e| {
                let version = version.as_deref().map(|v| format!(" TO {}", self.quote_literal(v))).unwrap_or_default();
                cx.st(
                    StatementKind::AlterExtension,
                    format!("ALTER EXTENSION {} UPDATE{version}", self.qi(e.name.as_str())),
                )
            }),
            ChangeKind::SetExtensionComment { extension_id } => {
                to.extension(extension_id).map(|e| vec![self.extension_comment(e)])
            }
            ChangeKind::CreateCollation { collation_id } => {
                to.collation(collation_id).map(|c| vec![self.create_collation(c)])
            }
            // In the namespace's name at drop time (it may have been renamed).
            ChangeKind::DropCollation { collation_id, name } => from
                .collation(collation_id)
                .map(|c| cx.drop_type(StatementKind::DropCollation, "COLLATION", name, None, Some(&c.namespace))),
            ChangeKind::RenameCollation { collation_id, from: a, to: b } => {
                let schema = cx.during(
                    collation_id,
                    to.collation(collation_id).map(|c| &c.namespace),
                    from.collation(collation_id).map(|c| &c.namespace),
                );
                Some(cx.rename("COLLATION", schema, a, b))
            }
            ChangeKind::RecreateCollation { collation_id } => {
                to.collation(collation_id).map(|c| vec![self.drop_collation(c), self.create_collation(c)])
            }
            ChangeKind::SetCollationComment { collation_id } => {
                to.collation(collation_id).map(|c| vec![self.collation_comment(c)])
            }
            ChangeKind::CreateTextSearchConfig { config_id } => {
                to.text_search(config_id).map(|c| self.create_text_search(c))
            }
            ChangeKind::DropTextSearchConfig { config_id, name } => from.text_search(config_id).map(|c| {
                let what = "TEXT SEARCH CONFIGURATION";
                cx.drop_type(StatementKind::DropTextSearch, what, name, None, Some(&c.namespace))
            }),
            ChangeKind::RenameTextSearchConfig { config_id, from: a, to: b } => {
                let schema = cx.during(
                    config_id,
                    to.text_search(config_id).map(|c| &c.namespace),
                    from.text_search(config_id).map(|c| &c.namespace),
                );
                Some(cx.rename("TEXT SEARCH CONFIGURATION", schema, a, b))
            }
            ChangeKind::RecreateTextSearchConfig { config_id } => to.text_search(config_id).map(|c| {
                let mut out = vec![self.drop_text_search(c)];
                out.extend(self.create_text_search(c));
                out
            }),
            ChangeKind::AlterTextSearchMappings { config_id } => {
                let (o, n) = (from.text_search(config_id), to.text_search(config_id));
                o.zip(n).map(|(o, n)| self.text_search_mapping_changes(o, n))
            }
            ChangeKind::SetTextSearchConfigComment { config_id } => {
                to.text_search(config_id).map(|c| vec![self.text_search_comment(c)])
            }
            ChangeKind::CreateSequence { sequence_id } => {
                to.sequence(sequence_id).map(|s| vec![self.create_sequence(s)])
            }
            // An owned one may be gone with its column already.
            ChangeKind::DropSequence { sequence_id, name } => Some(cx.drop_type(
                StatementKind::DropSequence,
                "SEQUENCE IF EXISTS",
                name,
                None,
                from.sequence(sequence_id).map(|s| &s.namespace),
            )),
            ChangeKind::RenameStandaloneSequence { sequence_id, from: a, to: b } => {
                let schema = cx.during(
                    sequence_id,
                    to.sequence(sequence_id).map(|s| &s.namespace),
                    from.sequence(sequence_id).map(|s| &s.namespace),
                );
                Some(cx.rename("SEQUENCE", schema, a, b))
            }
            ChangeKind::AlterStandaloneSequence { sequence_id } => {
                let old = from.sequence(sequence_id);
                to.sequence(sequence_id).and_then(|n| {
                    let o = old?;
                    let mut clauses = Vec::new();
                    if o.ty != n.ty {
                        clauses
                            .push(format!("AS {}", self.render_type(&ColumnType { base: n.ty.clone(), array: false })));
                    }
                    clauses.extend(sequence_changes(&o.options, &n.options));
                    Some(cx.st(
                        StatementKind::SetSequence,
                        format!("ALTER SEQUENCE {} {}", self.qn(&n.namespace, n.name.as_str()), clauses.join(" ")),
                    ))
                })
            }
            ChangeKind::SetSequenceOwner { sequence_id } => {
                to.sequence(sequence_id).map(|s| vec![self.sequence_owner(to, s)])
            }
            ChangeKind::SetSequenceComment { sequence_id } => {
                to.sequence(sequence_id).map(|s| vec![self.sequence_comment(s)])
            }
            _ => return None,
        })
    }
}
