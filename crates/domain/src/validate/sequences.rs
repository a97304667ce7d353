//! Standalone sequences: names (relations), type and options (checked as
//! identity sequences' are), the owning column; and `{"sequence": id}`
//! defaults.

use super::*;
use crate::document::IdentitySpec;
use crate::model::SequenceModel;

/// Check the document's sequences; `None` in place of one with errors.
pub(super) fn check_sequences<'d>(
    ctx: &mut Ctx,
    doc: &'d SchemaDocument,
    relation_names: &mut Scope<'d>,
    namespaces: &Namespaces<'d>,
) -> Vec<Option<SequenceModel>> {
    let tables: HashMap<&str, &crate::document::Table> = doc.tables.iter().map(|t| (t.id.as_str(), t)).collect();
    doc.sequences
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let path = |field: &str| ptr(&[&"sequences", &i, &field]);
            let before = ctx.errors();
            let name = ctx.ident(&s.name, path("name"), "sequence");
            if name.is_some() {
                if catalog::shadowed_relation(&s.name) {
                    ctx.error(
                        Code::ReservedName,
                        path("name"),
                        format!(
                            "sequence name \"{}\" starts with pg_, the prefix of PostgreSQL's system catalogs",
                            s.name
                        ),
                    );
                }
                relation_names.add_in(ctx, scope_key(&s.namespace_id), &s.name, path("name"));
            }
            let namespace = namespaces.resolve(ctx, s.namespace_id.as_deref(), path("namespaceId"));
            let ty = match s.data_type.as_deref().map(|t| t.trim().to_lowercase()).as_deref() {
                None | Some("bigint" | "int8") => BaseType::BigInt,
                Some("integer" | "int" | "int4") => BaseType::Integer,
                Some("smallint" | "int2") => BaseType::SmallInt,
                Some(other) => {
                    ctx.error(
                        Code::InvalidTypeParameter,
                        path("dataType"),
                        format!("a sequence is smallint, integer or bigint, not `{}`", other.escape_debug()),
                    );
                    BaseType::BigInt
                }
            };
            let spec = IdentitySpec {
                generated: Default::default(),
                start: s.start,
                increment: s.increment,
                min_value: s.min_value,
                max_value: s.max_value,
                cache: s.cache,
                cycle: s.cycle,
            };
            let column_type = ColumnType { base: ty.clone(), array: false };
            let prefix = ptr(&[&"sequences", &i]);
            let (_, options) = identity::options(ctx, &spec, Some(&column_type), &prefix, Code::InvalidTypeParameter);
            let owned_by = s.owned_by.as_ref().and_then(|o| {
                let column =
                    tables.get(o.table_id.as_str()).and_then(|t| t.columns.iter().find(|c| c.id == o.column_id));
                if column.is_none() {
                    ctx.error(
                        Code::UnknownReference,
                        path("ownedBy"),
                        format!("no table `{}` with a column `{}`", o.table_id, o.column_id),
                    );
                }
                if let Some(t) = tables.get(o.table_id.as_str()).filter(|t| t.namespace_id != s.namespace_id) {
                    ctx.error(
                        Code::NamespaceMismatch,
                        path("namespaceId"),
                        format!(
                            "sequence \"{}\" is owned by a column of table \"{}\", so it must be in that table's namespace (PostgreSQL moves them together)",
                            s.name, t.name
                        ),
                    );
                }
                column.map(|_| (o.table_id.clone(), o.column_id.clone()))
            });
            ctx.text(s.comment.as_deref(), path("comment"), "the comment");
            let name = name.filter(|_| ctx.errors() == before)?;
            Some(SequenceModel { id: s.id.clone(), name, namespace, ty, options, owned_by, comment: s.comment.clone() })
        })
        .collect()
}

/// A `{"sequence": id}` default: the sequence exists, and the column takes
/// its numbers.
pub(super) fn sequence_default(
    id: &str,
    ty: &ColumnType,
    sequences: &HashMap<&str, SequenceName>,
) -> Result<DefaultValue, (Code, String)> {
    let Some((name, schema)) = sequences.get(id) else {
        return Err((Code::UnknownReference, format!("no sequence has the id `{id}`")));
    };
    if ty.array || !(ty.base.is_number() || matches!(ty.base, BaseType::Named(crate::named_type::NamedType::Oid, _))) {
        return Err((Code::TypeMismatch, format!("a sequence's numbers do not fit a {} column", ty.describe())));
    }
    Ok(DefaultValue::NextVal { sequence_id: id.to_string(), name: name.clone(), schema: schema.clone() })
}

/// A sequence's name and its namespace's name (`None`: public).
pub(super) type SequenceName = (Ident, Option<Ident>);

/// Every sequence with a readable name (one with other errors is
/// reported where it is declared, not again at each default).
pub(super) fn sequence_names(doc: &SchemaDocument) -> HashMap<&str, SequenceName> {
    let namespaces: HashMap<&str, Ident> =
        doc.namespaces.iter().filter_map(|n| Some((n.id.as_str(), Ident::parse(&n.name).ok()?))).collect();
    doc.sequences
        .iter()
        .filter_map(|s| {
            let schema = s.namespace_id.as_deref().and_then(|id| namespaces.get(id).cloned());
            Some((s.id.as_str(), (Ident::parse(&s.name).ok()?, schema)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::validate::tests::codes_at;

    fn doc(sequence: Value, default: Value) -> Value {
        json!({"name": "x", "sequences": [sequence], "tables": [{"id": "t", "name": "orders", "columns": [
            {"id": "id", "name": "id", "dataType": "integer", "primaryKey": true, "default": default}]}]})
    }

    #[test]
    fn sequences_are_checked() {
        let serial = json!({"id": "s", "name": "orders_id_seq", "dataType": "integer",
            "ownedBy": {"tableId": "t", "columnId": "id"}});
        assert!(codes_at(doc(serial.clone(), json!({"sequence": "s"}))).is_empty());
        assert_eq!(
            codes_at(doc(serial.clone(), json!({"sequence": "nope"}))),
            vec![("/tables/0/columns/0/default".to_string(), "UNKNOWN_REFERENCE")]
        );
        assert_eq!(
            codes_at(doc(json!({"id": "s", "name": "orders"}), json!({"sequence": "s"}))),
            vec![("/sequences/0/name".to_string(), "DUPLICATE_NAME")]
        );
        assert_eq!(
            codes_at(doc(json!({"id": "s", "name": "q", "dataType": "text"}), json!(1))),
            vec![("/sequences/0/dataType".to_string(), "INVALID_TYPE_PARAMETER")]
        );
        assert_eq!(
            codes_at(doc(json!({"id": "s", "name": "q", "dataType": "smallint", "maxValue": 40000}), json!(1))),
            vec![("/sequences/0/maxValue".to_string(), "INVALID_TYPE_PARAMETER")]
        );
        assert_eq!(
            codes_at(doc(json!({"id": "s", "name": "q", "ownedBy": {"tableId": "t", "columnId": "x"}}), json!(1))),
            vec![("/sequences/0/ownedBy".to_string(), "UNKNOWN_REFERENCE")]
        );
    }
}
