//! Text search configurations: a parser and, per token type, the
//! dictionaries that turn its tokens into lexemes.

use super::*;
use crate::model::{QualifiedName, TextSearchConfigModel, TextSearchMappingModel};

/// `name` or `schema.name`, each part an identifier (PostgreSQL's own
/// objects are found in `pg_catalog` without one).
fn qualified(ctx: &mut Ctx, text: &str, path: String, what: &str) -> Option<QualifiedName> {
    let parts: Vec<&str> = text.split('.').collect();
    let parse = |ctx: &mut Ctx, part: &str| match Ident::parse(part) {
        Ok(i) => Some(i),
        Err(e) => {
            ctx.error(Code::InvalidIdentifier, path.clone(), format!("{what} \"{}\" {e}", text.escape_debug()));
            None
        }
    };
    match parts.as_slice() {
        [name] => Some(QualifiedName { schema: None, name: parse(ctx, name)? }),
        [schema, name] => {
            let schema = parse(ctx, schema)?;
            Some(QualifiedName { schema: Some(schema), name: parse(ctx, name)? })
        }
        _ => {
            ctx.error(
                Code::InvalidIdentifier,
                path,
                format!("{what} \"{}\" is not name or schema.name", text.escape_debug()),
            );
            None
        }
    }
}

/// Check the document's text search configurations; `None` in place of
/// one with errors.
pub(super) fn check_text_search(
    ctx: &mut Ctx,
    doc: &SchemaDocument,
    namespaces: &Namespaces<'_>,
) -> Vec<Option<TextSearchConfigModel>> {
    let mut names = Scope::new("text search configuration");
    let mut out = Vec::new();
    for (i, c) in doc.text_search_configurations.iter().enumerate() {
        let path = |field: &str| ptr(&[&"textSearchConfigurations", &i, &field]);
        let before = ctx.errors();
        let name = ctx.ident(&c.name, path("name"), "text search configuration");
        if name.is_some() {
            names.add_in(ctx, scope_key(&c.namespace_id), &c.name, path("name"));
        }
        let namespace = namespaces.resolve(ctx, c.namespace_id.as_deref(), path("namespaceId"));
        let parser = match c.parser.as_deref() {
            None => QualifiedName::pg_catalog("default"),
            Some(p) => qualified(ctx, p, path("parser"), "parser"),
        };
        let mut mappings = Vec::new();
        let mut tokens_seen: HashMap<&str, String> = HashMap::new();
        for (m, mapping) in c.mappings.iter().enumerate() {
            let mpath = |field: &str| ptr(&[&"textSearchConfigurations", &i, &"mappings", &m, &field]);
            if mapping.token_types.is_empty() || mapping.dictionaries.is_empty() {
                ctx.error(
                    Code::InvalidTypeParameter,
                    ptr(&[&"textSearchConfigurations", &i, &"mappings", &m]),
                    "a mapping needs at least one token type and one dictionary",
                );
            }
            let mut token_types = Vec::new();
            for (t, token) in mapping.token_types.iter().enumerate() {
                let tpath = format!("{}/{t}", mpath("tokenTypes"));
                if let Some(first) = tokens_seen.insert(token.as_str(), tpath.clone()) {
                    ctx.error(
                        Code::DuplicateName,
                        tpath.clone(),
                        format!("token type \"{token}\" is already mapped at {first}"),
                    );
                }
                match Ident::parse(token) {
                    Ok(ident) => token_types.push(ident),
                    Err(e) => ctx.error(
                        Code::InvalidIdentifier,
                        tpath,
                        format!("token type \"{}\" {e}", token.escape_debug()),
                    ),
                }
            }
            let mut dictionaries = Vec::new();
            for (d, dict) in mapping.dictionaries.iter().enumerate() {
                if let Some(q) = qualified(ctx, dict, format!("{}/{d}", mpath("dictionaries")), "dictionary") {
                    dictionaries.push(q);
                }
            }
            mappings.push(TextSearchMappingModel { token_types, dictionaries });
        }
        if !c.mappings.is_empty() {
            ctx.warn(
                Code::UnverifiedReference,
                path("mappings"),
                "the parser's token types and the dictionaries must exist on the server; PostgreSQL checks them",
            );
        }
        ctx.text(c.comment.as_deref(), path("comment"), "the comment");
        let (Some(name), Some(parser)) = (name, parser) else {
            out.push(None);
            continue;
        };
        out.push((ctx.errors() == before).then(|| TextSearchConfigModel {
            id: c.id.clone(),
            name,
            namespace,
            parser,
            mappings,
            comment: c.comment.clone(),
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::validate::tests::codes_at;

    fn doc(config: Value) -> Value {
        json!({"name": "x", "textSearchConfigurations": [config], "tables": [{"id": "t", "name": "t", "columns": [
            {"id": "k", "name": "k", "dataType": "integer", "primaryKey": true}]}]})
    }

    fn errors(v: Value) -> Vec<(String, &'static str)> {
        codes_at(v).into_iter().filter(|(_, c)| *c != "UNVERIFIED_REFERENCE").collect()
    }

    #[test]
    fn configurations_are_checked() {
        let good = json!({"id": "ts", "name": "mine", "mappings": [
            {"tokenTypes": ["word", "asciiword"], "dictionaries": ["public.unaccent", "simple"]}]});
        assert_eq!(errors(doc(good)), vec![]);
        let at = |p: &str| format!("/textSearchConfigurations/0/{p}");
        for (config, path, code) in [
            (
                json!({"id": "ts", "name": "m", "mappings": [{"tokenTypes": [], "dictionaries": ["simple"]}]}),
                at("mappings/0"),
                "INVALID_TYPE_PARAMETER",
            ),
            (
                json!({"id": "ts", "name": "m", "mappings": [{"tokenTypes": ["word"], "dictionaries": ["a.b.c"]}]}),
                at("mappings/0/dictionaries/0"),
                "INVALID_IDENTIFIER",
            ),
            (json!({"id": "ts", "name": "m", "parser": "", "mappings": []}), at("parser"), "INVALID_IDENTIFIER"),
            (
                json!({"id": "ts", "name": "m", "mappings": [{"tokenTypes": ["word"], "dictionaries": ["simple"]},
                                                             {"tokenTypes": ["word"], "dictionaries": ["simple"]}]}),
                at("mappings/1/tokenTypes/0"),
                "DUPLICATE_NAME",
            ),
        ] {
            assert_eq!(errors(doc(config.clone())), vec![(path, code)], "{config}");
        }
    }
}
