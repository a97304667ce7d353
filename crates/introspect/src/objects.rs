//! Namespaces, extensions, enums, domains, composite types and standalone
//! sequences.

use schemaforge_domain::{
    Collation, CollationProvider, Composite, CompositeAttribute, Domain, DomainCheck, EnumType, EnumValue, Extension,
    Namespace, Sequence, SequenceOwner, TextSearchConfiguration, TextSearchMapping,
};

use crate::catalog::{SequenceOptionsRow, TypeRow};
use crate::ids::CatalogKey;
use crate::sql::{comment_on, grants, qi, qn};
use crate::{BOOKKEEPING_SCHEMA, Importer, Origin, Outcome, display};

impl Importer<'_> {
    pub(crate) fn namespaces(&mut self) {
        for n in &self.cat.namespaces {
            if n.name == BOOKKEEPING_SCHEMA {
                self.note("namespace", &n.name, Outcome::Skipped, "Schemaforge's bookkeeping schema", None);
                continue;
            }
            self.read.insert(n.name.clone());
            // Every database's `public` lets everyone use it (and, before
            // PostgreSQL 15, create in it): not a grant of the schema's.
            let public = n.name == "public";
            let default_public = |p: &crate::catalog::PrivilegeRow| {
                public
                    && p.grantee.is_none()
                    && !p.grantable
                    && (p.privilege == "USAGE" || (p.privilege == "CREATE" && self.cat.server.version_num < 150000))
            };
            let privileges: Vec<_> = n.privileges.iter().filter(|p| !default_public(p)).cloned().collect();
            if public && !n.privileges.iter().any(|p| p.grantee.is_none() && p.privilege == "USAGE") {
                let s = Some("REVOKE USAGE ON SCHEMA \"public\" FROM PUBLIC".to_string());
                self.note(
                    "privilege",
                    "public",
                    Outcome::Omitted,
                    "privileges on schemas are not in the document format",
                    s,
                );
            }
            for (_, statement) in grants(&format!("SCHEMA {}", qi(&n.name)), &privileges) {
                self.note(
                    "privilege",
                    &n.name,
                    Outcome::Omitted,
                    "privileges on schemas are not in the document format",
                    Some(statement),
                );
            }
            if n.name == "public" {
                continue;
            }
            let id = self.ids.make("ns", &[&n.name]);
            self.namespace_ids.insert(n.name.clone(), id.clone());
            self.doc.namespaces.push(Namespace { id, name: n.name.clone(), comment: n.comment.clone() });
        }
    }

    pub(crate) fn extensions(&mut self) {
        for e in &self.cat.extensions {
            if !self.is_read(&e.namespace) {
                self.note(
                    "extension",
                    &e.name,
                    Outcome::Skipped,
                    format!("its objects are in namespace {}, which was not read", e.namespace),
                    None,
                );
                continue;
            }
            let id = self.ids.make("ext", &[&e.name]);
            let version = (e.default_version.as_deref() != Some(e.version.as_str())).then(|| e.version.clone());
            let namespace_id = self.namespace_id(&e.namespace);
            self.origins.insert(
                id.clone(),
                Origin {
                    kind: "extension",
                    name: e.name.clone(),
                    statement: Some(format!("CREATE EXTENSION {} SCHEMA {}", qi(&e.name), qi(&e.namespace))),
                },
            );
            let comment = e.comment.clone().filter(|c| Some(c) != e.default_comment.as_ref());
            self.doc.extensions.push(Extension { id, name: e.name.clone(), namespace_id, version, comment });
        }
    }

    /// The collations of the namespaces read. A provider the document does
    /// not know (PostgreSQL 17's builtin) is reported.
    pub(crate) fn collations(&mut self) {
        for c in &self.cat.collations {
            let name = display(&c.namespace, &c.name);
            let provider = match c.provider.as_str() {
                "i" => CollationProvider::Icu,
                "c" => CollationProvider::Libc,
                other => {
                    self.note(
                        "collation",
                        name,
                        Outcome::Omitted,
                        format!("collation provider `{other}` is not in the document format"),
                        None,
                    );
                    continue;
                }
            };
            let (locale, lc_collate, lc_ctype) = match provider {
                CollationProvider::Icu => (c.icu_locale.clone(), None, None),
                CollationProvider::Libc if c.lc_collate == c.lc_ctype => (c.lc_collate.clone(), None, None),
                CollationProvider::Libc => (None, c.lc_collate.clone(), c.lc_ctype.clone()),
            };
            let id = self.ids.make("co", &[&c.namespace, &c.name]);
            self.collation_ids.insert((c.namespace.clone(), c.name.clone()), id.clone());
            self.origins.insert(id.clone(), Origin { kind: "collation", name, statement: None });
            self.doc.collations.push(Collation {
                id,
                name: c.name.clone(),
                namespace_id: self.namespace_id(&c.namespace),
                provider: Some(provider),
                locale,
                lc_collate,
                lc_ctype,
                deterministic: (!c.deterministic).then_some(false),
                comment: c.comment.clone(),
            });
        }
    }

    /// The text search configurations of the namespaces read; tokens with
    /// the same dictionaries in a row share a mapping.
    pub(crate) fn text_search(&mut self) {
        let written = |q: &crate::catalog::QualifiedRow| {
            if q.namespace == "pg_catalog" { q.name.clone() } else { format!("{}.{}", q.namespace, q.name) }
        };
        for c in &self.cat.text_search {
            let mut mappings: Vec<TextSearchMapping> = Vec::new();
            for m in &c.mappings {
                let dictionaries: Vec<String> = m.dictionaries.iter().map(written).collect();
                match mappings.last_mut() {
                    Some(last) if last.dictionaries == dictionaries => last.token_types.push(m.token.clone()),
                    _ => mappings.push(TextSearchMapping { token_types: vec![m.token.clone()], dictionaries }),
                }
            }
            let parser = crate::catalog::QualifiedRow { namespace: c.parser_namespace.clone(), name: c.parser.clone() };
            let parser = (!(c.parser_namespace == "pg_catalog" && c.parser == "default")).then(|| written(&parser));
            let id = self.ids.make("ts", &[&c.namespace, &c.name]);
            let name = display(&c.namespace, &c.name);
            self.origins.insert(id.clone(), Origin { kind: "text search configuration", name, statement: None });
            self.doc.text_search_configurations.push(TextSearchConfiguration {
                id,
                name: c.name.clone(),
                namespace_id: self.namespace_id(&c.namespace),
                parser,
                mappings,
                comment: c.comment.clone(),
            });
        }
    }

    /// A collation as the document names it: `(collation, collationId)`,
    /// one of the document's by id, else the server's by name.
    pub(crate) fn collate(
        &self,
        name: &Option<String>,
        namespace: &Option<String>,
    ) -> (Option<String>, Option<String>) {
        let Some(name) = name else { return (None, None) };
        let own = namespace.as_ref().and_then(|ns| self.collation_ids.get(&(ns.clone(), name.clone())));
        match own {
            Some(id) => (None, Some(id.clone())),
            None => (Some(name.clone()), None),
        }
    }

    pub(crate) fn types(&mut self) {
        // Ids first: a composite's attribute or a domain may use a type
        // that comes later in oid order.
        for t in &self.cat.types {
            let (kind, prefix) = match t.kind.as_str() {
                "e" => ('e', "e"),
                "d" => ('d', "d"),
                "c" => ('c', "ct"),
                _ => continue,
            };
            let id = self.ids.make_keyed(prefix, &[&t.namespace, &t.name], Some(CatalogKey::Type { oid: t.oid }));
            self.type_ids.insert(t.oid, (kind, id));
        }
        for t in &self.cat.types {
            // Every type is usable by PUBLIC unless revoked: that default
            // is not a grant; anything else is reported.
            let privileges: Vec<_> =
                t.privileges.iter().filter(|p| !(p.grantee.is_none() && p.privilege == "USAGE")).cloned().collect();
            for (_, s) in grants(&format!("TYPE {}", qn(&t.namespace, &t.name)), &privileges) {
                self.note(
                    "privilege",
                    display(&t.namespace, &t.name),
                    Outcome::Omitted,
                    "privileges on types are not in the document format",
                    Some(s),
                );
            }
            match t.kind.as_str() {
                "e" => self.enum_type(t),
                "d" => self.domain(t),
                "c" => self.composite(t),
                other => {
                    let what = match other {
                        "r" => "range type",
                        "m" => "multirange type",
                        _ => "base type",
                    };
                    self.note(
                        what,
                        display(&t.namespace, &t.name),
                        Outcome::Omitted,
                        format!("user-defined {what}s are not in the document format (recreate it with pg_dump --schema-only)"),
                        None,
                    );
                }
            }
        }
    }

    fn type_id(&self, t: &TypeRow) -> String {
        self.type_ids.get(&t.oid).map(|(_, id)| id.clone()).unwrap_or_default()
    }

    fn enum_type(&mut self, t: &TypeRow) {
        let values = t.labels.clone().unwrap_or_default().into_iter().map(EnumValue::Label).collect();
        self.doc.enums.push(EnumType {
            id: self.type_id(t),
            name: t.name.clone(),
            namespace_id: self.namespace_id(&t.namespace),
            values,
            comment: t.comment.clone(),
        });
    }

    fn domain(&mut self, t: &TypeRow) {
        let id = self.type_id(t);
        let Some(base) = &t.base else { return };
        let name = display(&t.namespace, &t.name);
        let ty = match self.doc_type(base) {
            Ok(ty) if ty.is_array.is_none() && ty.data_type != "enum" && ty.data_type != "domain" => ty,
            Ok(_) | Err(_) => {
                self.note(
                    "domain",
                    &name,
                    Outcome::Omitted,
                    format!("its base type {} is not one a domain of the document format can have", base.sql),
                    None,
                );
                return;
            }
        };
        let mut checks = Vec::new();
        for c in t.checks.iter().flatten() {
            let expression = crate::printed::restore_array_casts(&check_expression(&c.definition));
            if !c.validated {
                self.note(
                    "domain check",
                    format!("{name}.{}", c.name),
                    Outcome::Adjusted,
                    "NOT VALID: a database built from the document validates it",
                    None,
                );
            }
            let check_id = self.ids.make("dk", &[&t.namespace, &t.name, &c.name]);
            checks.push(DomainCheck { id: check_id, name: Some(c.name.clone()), expression });
        }
        let default = t.default.as_deref().map(|d| self.default_of(d, base));
        if let Some(d) = &t.default {
            self.printed_defaults.insert(id.clone(), d.clone());
        }
        self.origins.insert(id.clone(), Origin { kind: "domain", name, statement: None });
        let (collation, collation_id) = self.collate(&t.collation, &t.collation_namespace);
        self.doc.domains.push(Domain {
            id,
            name: t.name.clone(),
            namespace_id: self.namespace_id(&t.namespace),
            data_type: ty.data_type,
            length: None,
            precision: None,
            scale: None,
            collation,
            collation_id,
            not_null: t.not_null,
            default,
            checks,
            comment: t.comment.clone(),
        });
    }

    fn composite(&mut self, t: &TypeRow) {
        let id = self.type_id(t);
        let name = display(&t.namespace, &t.name);
        let mut attributes = Vec::new();
        for a in t.attributes.iter().flatten() {
            let ty = match self.doc_type(&a.ty) {
                Ok(ty) => ty,
                Err(why) => {
                    self.note("composite type", &name, Outcome::Omitted, format!("attribute {}: {why}", a.name), None);
                    return;
                }
            };
            let mut attr =
                CompositeAttribute::new(self.ids.make("ca", &[&t.namespace, &t.name, &a.name]), &a.name, ty.data_type);
            attr.enum_id = ty.enum_id;
            attr.domain_id = ty.domain_id;
            attr.composite_id = ty.composite_id;
            attr.is_array = ty.is_array;
            (attr.collation, attr.collation_id) = self.collate(&a.collation, &a.collation_namespace);
            attributes.push(attr);
        }
        self.origins.insert(id.clone(), Origin { kind: "composite type", name, statement: None });
        self.doc.composites.push(Composite {
            id,
            name: t.name.clone(),
            namespace_id: self.namespace_id(&t.namespace),
            attributes,
            comment: t.comment.clone(),
        });
    }

    pub(crate) fn sequences(&mut self) {
        for s in &self.cat.sequences {
            let id = self.ids.make_keyed("s", &[&s.namespace, &s.name], Some(CatalogKey::Relation { oid: s.oid }));
            self.sequence_ids.insert((s.namespace.clone(), s.name.clone()), id);
        }
    }

    /// The sequences, once the tables (which own some) have ids.
    pub(crate) fn sequence_list(&mut self) {
        for s in &self.cat.sequences {
            let Some(id) = self.sequence_ids.get(&(s.namespace.clone(), s.name.clone())).cloned() else { continue };
            let owned_by = s.owned_by.and_then(|o| {
                let table = self.rels.get(&o.table)?.clone();
                let column = self.column_ids.get(&(o.table, o.column))?.clone();
                Some(SequenceOwner { table_id: table, column_id: column })
            });
            if let (Some(o), None) = (&s.owned_by, &owned_by) {
                // The owner's table is in the report, created after the
                // document's script: ownership can follow it.
                let owner = self.rel_rows.get(&o.table).and_then(|rel| {
                    let column = self.columns_of.get(&o.table)?.iter().find(|c| c.num == o.column)?;
                    Some(format!("{}.{}", qn(&rel.namespace, &rel.name), qi(&column.name)))
                });
                self.note(
                    "sequence",
                    display(&s.namespace, &s.name),
                    Outcome::Adjusted,
                    "it is owned by a column that is not imported; a database built from the document has it standalone",
                    owner.map(|owner| format!("ALTER SEQUENCE {} OWNED BY {owner}", qn(&s.namespace, &s.name))),
                );
            }
            let (start, min_value, max_value) = sequence_options(&s.options);
            let o = &s.options;
            let object = format!("SEQUENCE {}", qn(&s.namespace, &s.name));
            for (grantee, statement) in grants(&object, &s.privileges) {
                self.grant(&s.namespace, &s.name, &grantee, statement);
            }
            self.doc.sequences.push(Sequence {
                id,
                name: s.name.clone(),
                namespace_id: self.namespace_id(&s.namespace),
                data_type: (o.data_type != "bigint").then(|| o.data_type.clone()),
                start,
                increment: (o.increment != 1).then_some(o.increment),
                min_value,
                max_value,
                cache: (o.cache != 1).then_some(o.cache),
                cycle: o.cycle,
                owned_by,
                comment: s.comment.clone(),
            });
        }
    }
}

/// START, MINVALUE and MAXVALUE of a sequence, each where it differs from
/// what PostgreSQL chooses for its type and direction (standalone and
/// identity sequences alike).
pub(crate) fn sequence_options(s: &SequenceOptionsRow) -> (Option<i64>, Option<i64>, Option<i64>) {
    let (type_min, type_max) = match s.data_type.as_str() {
        "smallint" => (i64::from(i16::MIN), i64::from(i16::MAX)),
        "integer" => (i64::from(i32::MIN), i64::from(i32::MAX)),
        _ => (i64::MIN, i64::MAX),
    };
    let (default_min, default_max) = if s.increment > 0 { (1, type_max) } else { (type_min, -1) };
    let default_start = if s.increment > 0 { s.min_value } else { s.max_value };
    (
        (s.start != default_start).then_some(s.start),
        (s.min_value != default_min).then_some(s.min_value),
        (s.max_value != default_max).then_some(s.max_value),
    )
}

/// The expression inside `CHECK (...)` as `pg_get_constraintdef` prints it.
pub(crate) fn check_expression(definition: &str) -> String {
    let text = definition.trim();
    let text = text.strip_suffix(" NOT VALID").unwrap_or(text);
    let text = text.strip_suffix(" NO INHERIT").unwrap_or(text);
    match text.strip_prefix("CHECK (").and_then(|t| t.strip_suffix(')')) {
        Some(inner) => inner.to_string(),
        None => text.to_string(),
    }
}

/// The comment statement of an object the document holds no comment for.
pub(crate) fn lost_comment(what: &str, comment: &Option<String>) -> Option<String> {
    comment.as_deref().map(|c| comment_on(what, c))
}
