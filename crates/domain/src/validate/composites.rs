//! Composite types: the name (a type), the attributes (typed as columns
//! are, an earlier composite type allowed, names unique, collations
//! checked).

use super::*;
use crate::document::{Column, Composite};
use crate::model::{AttributeModel, CompositeModel};
use domains::DocTypes;

/// Check the document's composite types, in order, adding each valid one
/// to `types` so that the later ones (and the columns) can use it; `None`
/// in place of one with errors. Their names join the type namespace.
pub(super) fn check_composites<'d>(
    ctx: &mut Ctx,
    doc: &'d SchemaDocument,
    type_names: &mut Scope<'d>,
    namespaces: &Namespaces<'d>,
    types: &mut DocTypes<'d>,
) -> Vec<Option<CompositeModel>> {
    let mut out = Vec::new();
    for (i, c) in doc.composites.iter().enumerate() {
        let namespace = namespaces.resolve(ctx, c.namespace_id.as_deref(), ptr(&[&"composites", &i, &"namespaceId"]));
        let model = composite(ctx, doc, c, i, type_names, types).map(|m| CompositeModel { namespace, ..m });
        if let Some(m) = &model {
            let schema = m.namespace.as_ref().map(|n| n.name.clone());
            types.composites.insert(&c.id, BaseType::Composite { id: m.id.clone(), name: m.name.clone(), schema });
        }
        out.push(model);
    }
    out
}

fn composite<'d>(
    ctx: &mut Ctx,
    doc: &'d SchemaDocument,
    c: &'d Composite,
    i: usize,
    type_names: &mut Scope<'d>,
    types: &DocTypes<'d>,
) -> Option<CompositeModel> {
    let path = |field: &str| ptr(&[&"composites", &i, &field]);
    let before = ctx.errors();
    let name = ctx.ident(&c.name, path("name"), "composite type");
    if name.is_some() {
        if catalog::shadowed_type(&c.name) {
            ctx.error(
                Code::ReservedName,
                path("name"),
                format!("composite type name \"{}\" is a PostgreSQL system type name, which would be found instead of it; choose another name", c.name),
            );
        }
        type_names.add_in(ctx, scope_key(&c.namespace_id), &c.name, path("name"));
    }
    if c.attributes.is_empty() {
        ctx.error(
            Code::InvalidTypeParameter,
            path("attributes"),
            format!("composite type \"{}\" has no attributes", c.name),
        );
    } else if c.attributes.len() > MAX_COLUMNS {
        ctx.error(
            Code::TooManyColumns,
            path("attributes"),
            format!(
                "composite type \"{}\" has {} attributes; PostgreSQL allows at most {MAX_COLUMNS}",
                c.name,
                c.attributes.len()
            ),
        );
    }
    let mut names = Scope::new("attribute");
    let mut attributes = Vec::new();
    for (ai, a) in c.attributes.iter().enumerate() {
        let apath = ptr(&[&"composites", &i, &"attributes", &ai]);
        let aname = ctx.ident(&a.name, format!("{apath}/name"), "attribute");
        if aname.is_some() {
            names.add(ctx, &a.name, format!("{apath}/name"));
        }
        if is_serial(&a.data_type) {
            ctx.error(
                Code::UnsupportedDataType,
                format!("{apath}/dataType"),
                format!("an attribute cannot be `{}`: serials are columns with a sequence", a.data_type.escape_debug()),
            );
            continue;
        }
        let mut col = Column::new(&a.id, &a.name, &a.data_type);
        col.length = a.length;
        col.precision = a.precision;
        col.scale = a.scale;
        col.enum_id = a.enum_id.clone();
        col.domain_id = a.domain_id.clone();
        col.composite_id = a.composite_id.clone();
        col.is_array = a.is_array;
        // A composite type that comes later is not there yet.
        if let Some(id) = a.composite_id.as_ref().filter(|id| doc.composites.iter().skip(i).any(|x| &x.id == *id)) {
            ctx.error(
                Code::UnknownReference,
                format!("{apath}/compositeId"),
                format!("composite type `{id}` comes at or after this one in `composites`: an attribute can only use one listed before"),
            );
            continue;
        }
        let ty = match resolve_column_type(&col, types) {
            Ok(ty) => ty,
            Err(problems) => {
                for p in problems {
                    ctx.error(p.code, format!("{apath}/{}", p.field), p.message);
                }
                continue;
            }
        };
        extensions::check_type_extension(ctx, doc, &ty.underlying(), format!("{apath}/dataType"));
        let collation = super::collations::collate(
            ctx,
            a.collation.as_deref(),
            a.collation_id.as_deref(),
            Some(&ty.underlying()),
            &apath,
        );
        if let Some(name) = aname {
            attributes.push(AttributeModel { id: a.id.clone(), name, ty, collation });
        }
    }
    ctx.text(c.comment.as_deref(), path("comment"), "the comment");
    let name = name?;
    (ctx.errors() == before).then(|| CompositeModel {
        id: c.id.clone(),
        name,
        namespace: None,
        attributes,
        comment: c.comment.clone(),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::validate::tests::codes_at;

    fn doc(composites: serde_json::Value) -> serde_json::Value {
        json!({"name": "c", "enums": [{"id": "e1", "name": "mood", "values": ["ok"]}], "composites": composites,
            "tables": [{"id": "t1", "name": "people", "columns": [
            {"id": "c1", "name": "id", "dataType": "integer", "primaryKey": true},
            {"id": "c2", "name": "home", "dataType": "composite", "compositeId": "k1"}]}]})
    }

    fn address(attributes: serde_json::Value) -> serde_json::Value {
        json!([{"id": "k1", "name": "address", "attributes": attributes}])
    }

    #[test]
    fn composites_are_checked() {
        let ok = address(json!([{"id": "a1", "name": "street", "dataType": "text", "collation": "C"},
            {"id": "a2", "name": "zip", "dataType": "varchar(10)"}, {"id": "a3", "name": "mood", "dataType": "enum", "enumId": "e1"}]));
        assert_eq!(codes_at(doc(ok)), Vec::<(String, &str)>::new());
        assert_eq!(
            codes_at(doc(address(json!([])))),
            [("/composites/0/attributes".to_string(), "INVALID_TYPE_PARAMETER")]
        );
        assert_eq!(
            codes_at(doc(address(
                json!([{"id": "a1", "name": "x", "dataType": "text"}, {"id": "a2", "name": "x", "dataType": "text"}])
            ))),
            [("/composites/0/attributes/1/name".to_string(), "DUPLICATE_NAME")]
        );
        assert_eq!(
            codes_at(doc(address(json!([{"id": "a1", "name": "x", "dataType": "serial"}])))),
            [("/composites/0/attributes/0/dataType".to_string(), "UNSUPPORTED_DATA_TYPE")]
        );
        assert_eq!(
            codes_at(doc(address(json!([{"id": "a1", "name": "x", "dataType": "integer", "collation": "C"}])))),
            [("/composites/0/attributes/0/collation".to_string(), "INVALID_TYPE_PARAMETER")]
        );
        // Only an earlier composite type.
        let nested = json!([{"id": "k1", "name": "address", "attributes": [{"id": "a1", "name": "at", "dataType": "composite", "compositeId": "k2"}]},
            {"id": "k2", "name": "point2", "attributes": [{"id": "a2", "name": "x", "dataType": "integer"}]}]);
        assert_eq!(
            codes_at(doc(nested)),
            [("/composites/0/attributes/0/compositeId".to_string(), "UNKNOWN_REFERENCE")]
        );
        let nested = json!([{"id": "k2", "name": "point2", "attributes": [{"id": "a2", "name": "x", "dataType": "integer"}]},
            {"id": "k1", "name": "address", "attributes": [{"id": "a1", "name": "at", "dataType": "composite", "compositeId": "k2", "isArray": true}]}]);
        assert_eq!(codes_at(doc(nested)), Vec::<(String, &str)>::new());
        let clash =
            json!([{"id": "k1", "name": "people", "attributes": [{"id": "a1", "name": "x", "dataType": "text"}]}]);
        assert_eq!(codes_at(doc(clash)), [("/tables/0/name".to_string(), "DUPLICATE_NAME")]);
    }

    #[test]
    fn composite_columns_are_neither_keys_nor_compared_offline() {
        let mut d = doc(address(json!([{"id": "a1", "name": "street", "dataType": "text"}])));
        d["tables"][0]["columns"][1]["unique"] = json!(true);
        assert_eq!(codes_at(d.clone()), [("/tables/0/columns/1/unique".to_string(), "INVALID_INDEX")]);
        d["tables"][0]["columns"][1]["unique"] = json!(false);
        d["tables"][0]["checks"] = json!([{"id": "ch", "expression": "(home).street <> ''"}]);
        d["tables"][0]["columns"][1]["default"] = json!("(\"Main St\")");
        let codes: Vec<&str> = codes_at(d).into_iter().map(|(_, c)| c).collect();
        assert_eq!(codes, ["UNVERIFIED_EXPRESSION", "UNVERIFIED_EXPRESSION"]);
    }
}
