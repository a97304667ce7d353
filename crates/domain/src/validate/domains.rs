//! Domains: the name (a type), the base type (a column's `dataType`
//! without enums, domains, arrays or serials), collation, default and the
//! checks over `VALUE`; and the lookups that resolve `"dataType": "domain"`.

use super::*;
use crate::document::{Column, Domain};
use crate::model::{DOMAIN_VALUE_ID, DomainCheckModel, DomainModel, NamespaceRef};
use crate::types::TypeLookup;

/// The document's enums and domains, as column types need them.
pub(super) struct DocTypes<'d> {
    pub(super) doc: &'d SchemaDocument,
    pub(super) enums: HashMap<&'d str, BaseType>,
    pub(super) domains: HashMap<&'d str, BaseType>,
    /// The valid composite types so far (each composite's attributes may
    /// use those before it).
    pub(super) composites: HashMap<&'d str, BaseType>,
}

impl<'d> DocTypes<'d> {
    /// The valid enums and domains of `doc` as column types (composite
    /// types are added as they are checked).
    pub(super) fn new(doc: &'d SchemaDocument, enums: &[Option<EnumModel>], domains: &[Option<DomainModel>]) -> Self {
        let schema = |n: &Option<NamespaceRef>| n.as_ref().map(|n| n.name.clone());
        Self {
            doc,
            enums: doc
                .enums
                .iter()
                .zip(enums)
                .filter_map(|(e, m)| {
                    let m = m.as_ref()?;
                    let ty = BaseType::Enum { id: m.id.clone(), name: m.name.clone(), schema: schema(&m.namespace) };
                    Some((e.id.as_str(), ty))
                })
                .collect(),
            domains: doc
                .domains
                .iter()
                .zip(domains)
                .filter_map(|(d, m)| {
                    let m = m.as_ref()?;
                    let ty = BaseType::Domain {
                        id: m.id.clone(),
                        name: m.name.clone(),
                        schema: schema(&m.namespace),
                        base: Box::new(m.base.clone()),
                        constrained: m.constrained(),
                    };
                    Some((d.id.as_str(), ty))
                })
                .collect(),
            composites: HashMap::new(),
        }
    }
}

impl TypeLookup for DocTypes<'_> {
    fn enum_type(&self, id: &str) -> Option<BaseType> {
        self.enums.get(id).cloned()
    }

    fn domain(&self, id: &str) -> Result<BaseType, bool> {
        self.domains.get(id).cloned().ok_or_else(|| self.doc.domains.iter().any(|d| d.id == id))
    }

    fn composite(&self, id: &str) -> Result<BaseType, bool> {
        self.composites.get(id).cloned().ok_or_else(|| self.doc.composites.iter().any(|c| c.id == id))
    }

    fn extension_schema(&self, name: &str) -> Option<Ident> {
        extension_schema(self.doc, name)
    }

    fn hint(&self, data_type: &str) -> Option<String> {
        if let Some(e) = self.doc.enums.iter().find(|e| e.name == data_type || e.id == data_type) {
            return Some(format!("to use the enum, write \"dataType\": \"enum\", \"enumId\": \"{}\"", e.id));
        }
        if let Some(d) = self.doc.domains.iter().find(|d| d.name == data_type || d.id == data_type) {
            return Some(format!("to use the domain, write \"dataType\": \"domain\", \"domainId\": \"{}\"", d.id));
        }
        let c = self.doc.composites.iter().find(|c| c.name == data_type || c.id == data_type)?;
        Some(format!("to use the composite type, write \"dataType\": \"composite\", \"compositeId\": \"{}\"", c.id))
    }
}

/// The namespace `doc` puts extension `name` in, if it is not public.
fn extension_schema(doc: &SchemaDocument, name: &str) -> Option<Ident> {
    let ns = doc.extensions.iter().find(|e| e.name == name)?.namespace_id.as_deref()?;
    Ident::parse(&doc.namespaces.iter().find(|n| n.id == ns)?.name).ok()
}

/// The base type of a domain: a column type without enums, domains,
/// arrays or serials.
fn base_type(ctx: &mut Ctx, doc: &SchemaDocument, d: &Domain, path: &dyn Fn(&str) -> String) -> Option<BaseType> {
    let mut col = Column::new(&d.id, &d.name, &d.data_type);
    col.length = d.length;
    col.precision = d.precision;
    col.scale = d.scale;
    let spelled = d.data_type.trim().to_lowercase();
    if matches!(spelled.as_str(), "enum" | "domain" | "composite") || is_serial(&spelled) {
        ctx.error(
            Code::UnsupportedDataType,
            path("dataType"),
            format!(
                "a domain's type is a built-in or extension type, not `{}` (a domain over an enum, another domain, a composite type or a serial is not supported)",
                d.data_type.escape_debug()
            ),
        );
        return None;
    }
    let ty = match resolve_column_type(&col, &NoTypes(doc)) {
        Ok(ty) => ty,
        Err(problems) => {
            for p in problems {
                ctx.error(p.code, path(p.field), p.message);
            }
            return None;
        }
    };
    if ty.array {
        ctx.error(
            Code::UnsupportedDataType,
            path("dataType"),
            format!(
                "a domain over an array (`{}`) is not supported; make the column an array of the domain instead",
                d.data_type.escape_debug()
            ),
        );
        return None;
    }
    Some(ty.base)
}

/// No enums or domains: a domain's base type is neither (an extension's
/// type is named with its namespace).
struct NoTypes<'d>(&'d SchemaDocument);

impl TypeLookup for NoTypes<'_> {
    fn enum_type(&self, _: &str) -> Option<BaseType> {
        None
    }
    fn domain(&self, _: &str) -> Result<BaseType, bool> {
        Err(false)
    }
    fn composite(&self, _: &str) -> Result<BaseType, bool> {
        Err(false)
    }
    fn hint(&self, _: &str) -> Option<String> {
        None
    }
    fn extension_schema(&self, name: &str) -> Option<Ident> {
        extension_schema(self.0, name)
    }
}

/// Check the document's domains; `None` in place of one with errors. Their
/// names join the type namespace.
pub(super) fn check_domains<'d>(
    ctx: &mut Ctx,
    doc: &'d SchemaDocument,
    type_names: &mut Scope<'d>,
    namespaces: &Namespaces<'d>,
) -> Vec<Option<DomainModel>> {
    let no_sequences = HashMap::new();
    doc.domains
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let path = |field: &str| ptr(&[&"domains", &i, &field]);
            let before = ctx.errors();
            let name = ctx.ident(&d.name, path("name"), "domain");
            if name.is_some() {
                if catalog::shadowed_type(&d.name) {
                    ctx.error(
                        Code::ReservedName,
                        path("name"),
                        format!("domain name \"{}\" is a PostgreSQL system type name, which would be found instead of the domain; choose another name", d.name),
                    );
                }
                type_names.add_in(ctx, scope_key(&d.namespace_id), &d.name, path("name"));
            }
            let namespace = namespaces.resolve(ctx, d.namespace_id.as_deref(), path("namespaceId"));
            let base = base_type(ctx, doc, d, &path);
            let ty = base.clone().map(|base| ColumnType { base, array: false });
            if let Some(ty) = &ty {
                extensions::check_type_extension(ctx, doc, ty, path("dataType"));
            }
            let collation = super::collations::collate(
                ctx,
                d.collation.as_deref(),
                d.collation_id.as_deref(),
                ty.as_ref(),
                &ptr(&[&"domains", &i]),
            );
            let default = match (&d.default, &ty) {
                (Some(ColumnDefault::Sequence(_)), _) => {
                    ctx.error(
                        Code::InvalidDefault,
                        path("default"),
                        "a domain's default cannot take a sequence's next value; give the columns that default",
                    );
                    None
                }
                (Some(default), Some(ty)) => match defaults::check_default(default, ty, None, &no_sequences) {
                    Ok((value, warning)) => {
                        if let Some((code, w)) = warning {
                            ctx.warn(code, path("default"), w);
                        }
                        Some(value)
                    }
                    Err((code, message)) => {
                        ctx.error(code, path("default"), message);
                        None
                    }
                },
                _ => None,
            };
            let checks = check_expressions(ctx, d, ty.as_ref(), i);
            ctx.text(d.comment.as_deref(), path("comment"), "the comment");
            let (name, base) = (name?, base?);
            (ctx.errors() == before).then(|| DomainModel {
                id: d.id.clone(),
                name,
                namespace,
                base,
                collation,
                not_null: d.not_null,
                default,
                checks,
                comment: d.comment.clone(),
            })
        })
        .collect()
}

/// The checks of domain `d` (the `i`th), each over `VALUE` of the base
/// type, with PostgreSQL's names for those without one
/// (`<domain>_check`, `<domain>_check1`, ...).
fn check_expressions(ctx: &mut Ctx, d: &Domain, ty: Option<&ColumnType>, i: usize) -> Vec<DomainCheckModel> {
    let value = Ident::parse("value").ok();
    let columns: Vec<ExprColumn<'_>> = value
        .iter()
        .map(|name| ExprColumn { id: DOMAIN_VALUE_ID, name, ty, enum_values: None, composites: &[] })
        .collect();
    let mut names = Scope::new("domain check");
    let mut taken = Namespace::default();
    for (ki, k) in d.checks.iter().enumerate() {
        if let Some(n) = &k.name {
            if ctx.ident(n, ptr(&[&"domains", &i, &"checks", &ki, &"name"]), "check constraint").is_some() {
                names.add(ctx, n, ptr(&[&"domains", &i, &"checks", &ki, &"name"]));
                taken.insert(n);
            }
        }
    }
    let mut out = Vec::new();
    for (ki, k) in d.checks.iter().enumerate() {
        let kpath = ptr(&[&"domains", &i, &"checks", &ki, &"expression"]);
        let expr = ctx.expression(&k.expression, &columns, ExprContext::Check, kpath);
        let name = match &k.name {
            Some(n) => Ident::parse(n).ok(),
            None => {
                let chosen = choose_name(&d.name, None, "check", &[&taken]);
                taken.insert(&chosen);
                Ident::parse(&chosen).ok()
            }
        };
        if let (Some(expr), Some(name)) = (expr, name) {
            out.push(DomainCheckModel { id: k.id.clone(), name, expr });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::validate::tests::codes_at;

    fn doc(domain: serde_json::Value, column: serde_json::Value) -> serde_json::Value {
        json!({"name": "d", "domains": [domain], "tables": [{"id": "t1", "name": "films", "columns": [
            {"id": "c1", "name": "id", "dataType": "integer", "primaryKey": true}, column]}]})
    }

    #[test]
    fn domains_are_checked() {
        let year = json!({"id": "d1", "name": "year", "dataType": "integer",
            "checks": [{"id": "k1", "expression": "VALUE >= 1901 AND VALUE <= 2155"}]});
        let col = json!({"id": "c2", "name": "released", "dataType": "domain", "domainId": "d1"});
        assert_eq!(codes_at(doc(year.clone(), col.clone())), Vec::<(String, &str)>::new());
        let bad = |d: serde_json::Value, c: serde_json::Value| codes_at(doc(d, c));
        assert_eq!(
            bad(
                json!({"id": "d1", "name": "year", "dataType": "integer", "checks": [{"id": "k1", "expression": "VALUE >= 'x'"}]}),
                col.clone()
            ),
            [("/domains/0/checks/0/expression".into(), "TYPE_MISMATCH")]
        );
        assert_eq!(
            bad(
                json!({"id": "d1", "name": "year", "dataType": "integer", "checks": [{"id": "k1", "expression": "released > 0"}]}),
                col.clone()
            ),
            [("/domains/0/checks/0/expression".into(), "UNKNOWN_REFERENCE")]
        );
        assert_eq!(
            bad(json!({"id": "d1", "name": "year", "dataType": "text[]"}), col.clone()),
            [("/domains/0/dataType".into(), "UNSUPPORTED_DATA_TYPE")]
        );
        assert_eq!(
            bad(json!({"id": "d1", "name": "year", "dataType": "serial"}), col.clone()),
            [("/domains/0/dataType".into(), "UNSUPPORTED_DATA_TYPE")]
        );
        assert_eq!(
            bad(json!({"id": "d1", "name": "year", "dataType": "integer", "collation": "C"}), col.clone()),
            [("/domains/0/collation".into(), "INVALID_TYPE_PARAMETER")]
        );
        assert_eq!(
            bad(json!({"id": "d1", "name": "year", "dataType": "integer", "default": "soon"}), col.clone()),
            [("/domains/0/default".into(), "INVALID_DEFAULT")]
        );
        assert_eq!(
            bad(json!({"id": "d1", "name": "films", "dataType": "integer"}), col.clone()),
            [("/tables/0/name".into(), "DUPLICATE_NAME")]
        );
        assert_eq!(
            bad(json!({"id": "d1", "name": "int4", "dataType": "integer"}), col.clone()),
            [("/domains/0/name".into(), "RESERVED_NAME")]
        );
        assert_eq!(
            bad(year.clone(), json!({"id": "c2", "name": "released", "dataType": "domain", "domainId": "d9"})),
            [("/tables/0/columns/1/domainId".into(), "UNKNOWN_REFERENCE")]
        );
        assert_eq!(
            bad(year.clone(), json!({"id": "c2", "name": "released", "dataType": "year"})),
            [("/tables/0/columns/1/dataType".into(), "UNSUPPORTED_DATA_TYPE")]
        );
        assert_eq!(
            bad(
                year.clone(),
                json!({"id": "c2", "name": "released", "dataType": "domain", "domainId": "d1", "autoIncrement": true})
            ),
            [("/tables/0/columns/1/autoIncrement".into(), "INVALID_AUTO_INCREMENT")]
        );
        // The column's values are the base type's: a literal default and
        // checks over it are checked against integer.
        assert_eq!(
            bad(
                year.clone(),
                json!({"id": "c2", "name": "released", "dataType": "domain", "domainId": "d1", "default": "x"})
            ),
            [("/tables/0/columns/1/default".into(), "INVALID_DEFAULT")]
        );
        assert_eq!(
            codes_at(doc(
                year,
                json!({"id": "c2", "name": "released", "dataType": "domain", "domainId": "d1", "default": 1999})
            )),
            Vec::<(String, &str)>::new()
        );
    }

    #[test]
    fn unnamed_checks_are_named_as_postgres_would() {
        let d = json!({"name": "d", "domains": [{"id": "d1", "name": "year", "dataType": "integer", "checks": [
            {"id": "k1", "expression": "VALUE > 0"}, {"id": "k2", "name": "year_check", "expression": "VALUE < 3000"},
            {"id": "k3", "expression": "VALUE <> 2000"}]}], "tables": []});
        let schema = crate::ValidSchema::parse(serde_json::from_value(d).unwrap()).unwrap();
        let names: Vec<&str> = schema.model().domains[0].checks.iter().map(|k| k.name.as_str()).collect();
        assert_eq!(names, ["year_check1", "year_check", "year_check2"]);
    }
}
