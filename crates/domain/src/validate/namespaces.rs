//! Namespaces: PostgreSQL schemas besides `public`, and the `namespaceId`
//! by which tables, types, sequences and extensions say where they live.
//! Names of tables and types (and of relations: indexes, keys, sequences)
//! need only be unique within a namespace.

use super::*;
use crate::model::{NamespaceModel, NamespaceRef};

/// Names no document may give a namespace, with the reason.
fn reserved(name: &str) -> Option<&'static str> {
    if name == "public" {
        Some("is always there; leave namespaceId out to use it")
    } else if name.starts_with("pg_") {
        Some("starts with pg_, which PostgreSQL reserves for system schemas")
    } else if name == "information_schema" {
        Some("is PostgreSQL's own information schema")
    } else if name == "schemaforge" {
        Some("holds Schemaforge's bookkeeping in provisioned databases")
    } else {
        None
    }
}

/// The document's namespaces by id, for resolving `namespaceId`.
pub(super) struct Namespaces<'d> {
    by_id: HashMap<&'d str, Option<NamespaceRef>>,
}

impl Namespaces<'_> {
    /// Where an object whose `namespaceId` is `id` lives (`None`: public);
    /// an id no namespace has is an error at `path`.
    pub(super) fn resolve(&self, ctx: &mut Ctx, id: Option<&str>, path: String) -> Option<NamespaceRef> {
        let id = id?;
        match self.by_id.get(id) {
            Some(place) => place.clone(),
            None => {
                ctx.error(Code::UnknownReference, path, format!("no namespace has the id `{id}`"));
                None
            }
        }
    }
}

/// The SQL name of the namespace `id` names (`public` for none), as a
/// query or statement names it; `None` for an unknown id.
pub(super) fn namespace_name(doc: &SchemaDocument, id: &Option<String>) -> Option<String> {
    match id {
        None => Some("public".to_string()),
        Some(id) => doc.namespaces.iter().find(|n| &n.id == id).map(|n| n.name.clone()),
    }
}

/// The key under which names are unique: the namespace id, `""` for public.
pub(super) fn scope_key(id: &Option<String>) -> &str {
    id.as_deref().unwrap_or("")
}

/// Check the document's namespaces; the models of those without errors.
pub(super) fn check_namespaces<'d>(
    ctx: &mut Ctx,
    doc: &'d SchemaDocument,
) -> (Vec<Option<NamespaceModel>>, Namespaces<'d>) {
    let mut names = Scope::new("namespace");
    let mut models = Vec::new();
    let mut by_id = HashMap::new();
    for (i, n) in doc.namespaces.iter().enumerate() {
        let path = ptr(&[&"namespaces", &i, &"name"]);
        let mut name = ctx.ident(&n.name, path.clone(), "namespace");
        if let Some(why) = name.as_ref().and_then(|_| reserved(&n.name)) {
            ctx.error(Code::ReservedName, path.clone(), format!("namespace name \"{}\" {why}", n.name));
            name = None;
        }
        if name.is_some() {
            names.add(ctx, &n.name, path);
        }
        ctx.text(n.comment.as_deref(), ptr(&[&"namespaces", &i, &"comment"]), "the comment");
        // An object in a namespace with a bad name resolves to nothing (its
        // error is reported once, here).
        by_id.insert(n.id.as_str(), name.clone().map(|name| NamespaceRef { id: n.id.clone(), name }));
        models.push(name.map(|name| NamespaceModel { id: n.id.clone(), name, comment: n.comment.clone() }));
    }
    (models, Namespaces { by_id })
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::validate::tests::codes_at;

    fn doc(namespaces: Value, second_namespace: Value) -> Value {
        json!({"name": "n", "namespaces": namespaces, "tables": [
            {"id": "t1", "name": "orders", "columns": [{"id": "c1", "name": "id", "dataType": "integer", "primaryKey": true}]},
            {"id": "t2", "name": "orders", "namespaceId": second_namespace,
             "columns": [{"id": "c2", "name": "id", "dataType": "integer", "primaryKey": true}]}]})
    }

    #[test]
    fn names_are_unique_within_a_namespace_only() {
        let sales = json!([{"id": "n1", "name": "sales", "comment": "the team's"}]);
        assert_eq!(codes_at(doc(sales.clone(), json!("n1"))), Vec::<(String, &str)>::new());
        // Both in public: the second is a clash.
        let both_public = json!({"name": "n", "tables": [
            {"id": "t1", "name": "orders", "columns": [{"id": "c1", "name": "id", "dataType": "integer", "primaryKey": true}]},
            {"id": "t2", "name": "orders", "columns": [{"id": "c2", "name": "id", "dataType": "integer", "primaryKey": true}]}]});
        assert_eq!(codes_at(both_public), [("/tables/1/name".to_string(), "DUPLICATE_NAME")]);
        // An index named like a table clashes in the table's namespace only.
        let mut v = doc(sales, json!("n1"));
        v["tables"][1]["indexes"] = json!([{"id": "x1", "name": "orders", "columnIds": ["c2"]}]);
        assert_eq!(codes_at(v.clone()), [("/tables/1/indexes/0/name".to_string(), "DUPLICATE_NAME")]);
        v["tables"][1]["namespaceId"] = Value::Null;
        v["tables"][0]["namespaceId"] = json!("n1");
        v["tables"][1]["indexes"][0]["name"] = json!("orders_idx");
        assert_eq!(codes_at(v), Vec::<(String, &str)>::new());
    }

    #[test]
    fn namespaces_are_checked() {
        let code = |namespaces: Value, second: Value| codes_at(doc(namespaces, second));
        assert_eq!(code(json!([]), json!("n9")), [("/tables/1/namespaceId".to_string(), "UNKNOWN_REFERENCE")]);
        for reserved in ["public", "pg_temp", "pg_catalog", "information_schema", "schemaforge"] {
            let found = code(json!([{"id": "n1", "name": reserved}]), json!("n1"));
            assert_eq!(found, [("/namespaces/0/name".to_string(), "RESERVED_NAME")], "{reserved}");
        }
        assert_eq!(
            code(json!([{"id": "n1", "name": "a"}, {"id": "n2", "name": "a"}]), json!("n1")),
            [("/namespaces/1/name".to_string(), "DUPLICATE_NAME")]
        );
        assert_eq!(
            code(json!([{"id": "n1", "name": "a"}, {"id": "n1", "name": "b"}]), json!("n1")),
            [("/namespaces/1/id".to_string(), "DUPLICATE_ID")]
        );
        assert_eq!(
            code(json!([{"id": "n1", "name": ""}]), json!("n1")),
            [("/namespaces/0/name".to_string(), "INVALID_IDENTIFIER")]
        );
    }

    #[test]
    fn types_sequences_and_extensions_name_their_namespace() {
        let v = json!({"name": "n", "namespaces": [{"id": "n1", "name": "sales"}],
            "extensions": [{"id": "x1", "name": "citext", "namespaceId": "n1"}, {"id": "x2", "name": "hstore", "namespaceId": "n0"}],
            "enums": [{"id": "e1", "name": "mood", "namespaceId": "n1", "values": ["ok"]}, {"id": "e2", "name": "mood", "values": ["ok"]}],
            "domains": [{"id": "d1", "name": "mood", "namespaceId": "n1", "dataType": "integer"}],
            "sequences": [{"id": "s1", "name": "t_id_seq", "ownedBy": {"tableId": "t1", "columnId": "c1"}}],
            "tables": [{"id": "t1", "name": "t", "namespaceId": "n1", "columns": [
                {"id": "c1", "name": "id", "dataType": "integer", "primaryKey": true},
                {"id": "c2", "name": "email", "dataType": "citext"}]}]});
        assert_eq!(
            codes_at(v),
            [
                ("/extensions/1/namespaceId".to_string(), "UNKNOWN_REFERENCE"),
                ("/domains/0/name".to_string(), "DUPLICATE_NAME"),
                ("/sequences/0/namespaceId".to_string(), "NAMESPACE_MISMATCH"),
            ]
        );
    }
}
