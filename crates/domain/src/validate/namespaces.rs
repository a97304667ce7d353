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
