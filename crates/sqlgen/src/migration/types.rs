//! Statements for enums, domains and composite types.

use schemaforge_domain::{ChangeKind, ColumnType};

use super::Cx;
use crate::Dialect;
use crate::postgres::Postgres;
use crate::script::{Statement, StatementKind};

impl Postgres {
    /// The statements of a change to enums, domains and composite types; `None` for another kind
    /// of change.
    pub(super) fn types_statements(&self, cx: &Cx<'_>) -> Option<Option<Vec<Statement>>> {
        let (from, to) = (cx.from, cx.to);
        Some(match &cx.change.kind {
            ChangeKind::CreateEnum { enum_id } => to.enum_type(enum_id).map(|e| vec![self.create_enum(e)]),
            ChangeKind::DropEnum { enum_id, name } => Some(cx.drop_type(
                StatementKind::DropEnum,
                "TYPE",
                name,
                to.enum_type(enum_id).map(|e| &e.namespace),
                from.enum_type(enum_id).map(|e| &e.namespace),
            )),
            ChangeKind::RenameEnum { enum_id, from: a, to: b } => {
                let schema = cx.during(
                    enum_id,
                    to.enum_type(enum_id).map(|e| &e.namespace),
                    from.enum_type(enum_id).map(|e| &e.namespace),
                );
                Some(cx.rename("TYPE", schema, a, b))
            }
            ChangeKind::AddEnumValue { enum_id, value, before, after } => to.enum_type(enum_id).map(|e| {
                let place = match (before, after) {
                    (Some(b), _) => format!(" BEFORE {}", self.quote_literal(b)),
                    (None, Some(a)) => format!(" AFTER {}", self.quote_literal(a)),
                    (None, None) => String::new(),
                };
                cx.st(
                    StatementKind::AlterEnum,
                    format!(
                        "ALTER TYPE {} ADD VALUE {}{place}",
                        self.qn(&e.namespace, e.name.as_str()),
                        self.quote_literal(value)
                    ),
                )
            }),
            ChangeKind::RenameEnumValue { enum_id, from: a, to: b } => to.enum_type(enum_id).map(|e| {
                let schema = cx.during(enum_id, Some(&e.namespace), None);
                cx.st(
                    StatementKind::AlterEnum,
                    format!(
                        "ALTER TYPE {} RENAME VALUE {} TO {}",
                        self.qualified(schema.as_deref(), e.name.as_str()),
                        self.quote_literal(a),
                        self.quote_literal(b)
                    ),
                )
            }),
            ChangeKind::RebuildEnum { enum_id, old_name } => to.enum_type(enum_id).map(|e| {
                let mut out = cx.rename_aside("TYPE", &e.namespace, e.name.as_str(), old_name);
                out.push(self.create_enum(e));
                out
            }),
            ChangeKind::CreateDomain { domain_id } => to.domain(domain_id).map(|d| vec![self.create_domain(d)]),
            ChangeKind::DropDomain { domain_id, name } => Some(cx.drop_type(
                StatementKind::DropDomain,
                "DOMAIN",
                name,
                to.domain(domain_id).map(|d| &d.namespace),
                from.domain(domain_id).map(|d| &d.namespace),
            )),
            ChangeKind::RenameDomain { domain_id, from: a, to: b } => {
                let schema = cx.during(
                    domain_id,
                    to.domain(domain_id).map(|d| &d.namespace),
                    from.domain(domain_id).map(|d| &d.namespace),
                );
                Some(cx.rename("DOMAIN", schema, a, b))
            }
            ChangeKind::RebuildDomain { domain_id, old_name } => to.domain(domain_id).map(|d| {
                let mut out = cx.rename_aside("DOMAIN", &d.namespace, d.name.as_str(), old_name);
                out.push(self.create_domain(d));
                out
            }),
            ChangeKind::AddDomainCheck { domain_id, check_id } => to.domain(domain_id).and_then(|d| {
                let k = d.check(check_id)?;
                Some(cx.st(
                    StatementKind::AlterDomain,
                    format!(
                        "ALTER DOMAIN {} ADD {}",
                        self.qn(&d.namespace, d.name.as_str()),
                        self.domain_check_clause(k)
                    ),
                ))
            }),
            ChangeKind::DropDomainCheck { domain_id, domain, name } => {
                // Before the renames: the domain is where it was.
                let schema = from.domain(domain_id).and_then(|d| d.namespace.as_ref()).map(|n| n.name.as_str());
                Some(cx.st(
                    StatementKind::AlterDomain,
                    format!("ALTER DOMAIN {} DROP CONSTRAINT {}", self.qualified(schema, domain), self.qi(name)),
                ))
            }
            ChangeKind::RenameDomainCheck { domain_id, from: a, to: b } => to.domain(domain_id).map(|d| {
                let schema = cx.during(domain_id, Some(&d.namespace), None);
                cx.st(
                    StatementKind::Rename,
                    format!(
                        "ALTER DOMAIN {} RENAME CONSTRAINT {} TO {}",
                        self.qualified(schema.as_deref(), d.name.as_str()),
                        self.qi(a),
                        self.qi(b)
                    ),
                )
            }),
            ChangeKind::SetDomainNotNull { domain_id, not_null } => {
                // Dropped before the renames (the old name), set after.
                let model = if *not_null { to } else { from };
                model.domain(domain_id).map(|d| {
                    let what = if *not_null { "SET" } else { "DROP" };
                    cx.st(
                        StatementKind::AlterDomain,
                        format!("ALTER DOMAIN {} {what} NOT NULL", self.qn(&d.namespace, d.name.as_str())),
                    )
                })
            }
            ChangeKind::SetDomainDefault { domain_id } => to.domain(domain_id).map(|d| {
                let action = match &d.default {
                    Some(default) => {
                        let base = ColumnType { base: d.base.clone(), array: false };
                        format!("SET DEFAULT {}", self.default_value_sql(default, &base))
                    }
                    None => "DROP DEFAULT".to_string(),
                };
                cx.st(
                    StatementKind::AlterDomain,
                    format!("ALTER DOMAIN {} {action}", self.qn(&d.namespace, d.name.as_str())),
                )
            }),
            ChangeKind::SetDomainComment { domain_id } => to.domain(domain_id).map(|d| vec![self.domain_comment(d)]),
            ChangeKind::CreateComposite { composite_id } => {
                to.composite(composite_id).map(|c| vec![self.create_composite(c)])
            }
            ChangeKind::DropComposite { composite_id, name } => Some(cx.drop_type(
                StatementKind::DropComposite,
                "TYPE",
                name,
                to.composite(composite_id).map(|c| &c.namespace),
                from.composite(composite_id).map(|c| &c.namespace),
            )),
            ChangeKind::RenameComposite { composite_id, from: a, to: b } => {
                let schema = cx.during(
                    composite_id,
                    to.composite(composite_id).map(|c| &c.namespace),
                    from.composite(composite_id).map(|c| &c.namespace),
                );
                Some(cx.rename("TYPE", schema, a, b))
            }
            ChangeKind::RebuildComposite { composite_id, old_name } => to.composite(composite_id).map(|c| {
                let mut out = cx.rename_aside("TYPE", &c.namespace, c.name.as_str(), old_name);
                out.push(self.create_composite(c));
                out
            }),
            ChangeKind::AddAttribute { composite_id, attribute_id } => to.composite(composite_id).and_then(|c| {
                let a = c.attribute(attribute_id)?;
                Some(cx.st(
                    StatementKind::AlterComposite,
                    format!(
                        "ALTER TYPE {} ADD ATTRIBUTE {}",
                        self.qn(&c.namespace, c.name.as_str()),
                        self.attribute_sql(a)
                    ),
                ))
            }),
            ChangeKind::DropAttribute { composite_id, composite, name } => {
                // Before the renames: the type is where it was.
                let schema = from.composite(composite_id).and_then(|c| c.namespace.as_ref()).map(|n| n.name.as_str());
                Some(cx.st(
                    StatementKind::AlterComposite,
                    format!("ALTER TYPE {} DROP ATTRIBUTE {}", self.qualified(schema, composite), self.qi(name)),
                ))
            }
            ChangeKind::RenameAttribute { composite_id, from: a, to: b } => to.composite(composite_id).map(|c| {
                let schema = cx.during(composite_id, Some(&c.namespace), None);
                cx.st(
                    StatementKind::Rename,
                    format!(
                        "ALTER TYPE {} RENAME ATTRIBUTE {} TO {}",
                        self.qualified(schema.as_deref(), c.name.as_str()),
                        self.qi(a),
                        self.qi(b)
                    ),
                )
            }),
            ChangeKind::AlterAttributeType { composite_id, attribute_id } => to.composite(composite_id).and_then(|c| {
                let a = c.attribute(attribute_id)?;
                let collation =
                    a.collation.as_ref().map(|k| format!(" COLLATE {}", self.collate_sql(k))).unwrap_or_default();
                Some(cx.st(
                    StatementKind::AlterComposite,
                    format!(
                        "ALTER TYPE {} ALTER ATTRIBUTE {} TYPE {}{collation}",
                        self.qn(&c.namespace, c.name.as_str()),
                        self.qi(a.name.as_str()),
                        self.render_type(&a.ty)
                    ),
                ))
            }),
            ChangeKind::SetCompositeComment { composite_id } => {
                to.composite(composite_id).map(|c| vec![self.composite_comment(c)])
            }
            ChangeKind::SetEnumComment { enum_id } => to.enum_type(enum_id).map(|e| vec![self.enum_comment(e)]),
            _ => return None,
        })
    }
}
