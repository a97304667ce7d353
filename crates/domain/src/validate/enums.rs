//! Enums: the name (a type), the labels (1 to 63 bytes, no NUL, unique,
//! with or without ids).

use super::*;

/// Check the document's enums; `None` in place of one with errors. Their
/// names join the type namespace.
pub(super) fn check_enums<'d>(
    ctx: &mut Ctx,
    doc: &'d SchemaDocument,
    type_names: &mut Scope<'d>,
    namespaces: &Namespaces<'d>,
) -> Vec<Option<EnumModel>> {
    let mut enum_models: Vec<Option<EnumModel>> = Vec::new();
    for (ei, e) in doc.enums.iter().enumerate() {
        let name = ctx.ident(&e.name, ptr(&[&"enums", &ei, &"name"]), "enum");
        if name.is_some() && catalog::shadowed_type(&e.name) {
            ctx.error(
                Code::ReservedName,
                ptr(&[&"enums", &ei, &"name"]),
                format!("enum name \"{}\" is a PostgreSQL system type name, which would be found instead of the enum; choose another name", e.name),
            );
        }
        if name.is_some() {
            type_names.add_in(ctx, scope_key(&e.namespace_id), &e.name, ptr(&[&"enums", &ei, &"name"]));
        }
        let namespace = namespaces.resolve(ctx, e.namespace_id.as_deref(), ptr(&[&"enums", &ei, &"namespaceId"]));
        let mut ok = true;
        if e.values.is_empty() {
            ctx.error(
                Code::InvalidEnum,
                ptr(&[&"enums", &ei, &"values"]),
                format!("enum \"{}\" has no values", e.name),
            );
            ok = false;
        }
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (vi, v) in e.values.iter().map(EnumValue::label).enumerate() {
            let path = ptr(&[&"enums", &ei, &"values", &vi]);
            if v.is_empty() || v.len() > MAX_IDENTIFIER_BYTES {
                ctx.error(
                    Code::InvalidEnum,
                    path,
                    format!("enum value \"{}\" must be 1 to {MAX_IDENTIFIER_BYTES} bytes long", v.escape_debug()),
                );
                ok = false;
            } else if v.contains('\0') {
                ctx.error(Code::InvalidEnum, path, "enum values must not contain NUL characters");
                ok = false;
            } else if let Some(first) = seen.insert(v, vi) {
                ctx.error(Code::InvalidEnum, path, format!("enum value \"{v}\" repeats value {first}"));
                ok = false;
            }
        }
        ctx.text(e.comment.as_deref(), ptr(&[&"enums", &ei, &"comment"]), "the comment");
        enum_models.push(match (name, ok) {
            (Some(name), true) => Some(EnumModel {
                id: e.id.clone(),
                name,
                namespace,
                values: e.values.iter().map(|v| v.label().to_string()).collect(),
                value_ids: e.values.iter().map(|v| v.id().map(str::to_string)).collect(),
                comment: e.comment.clone(),
            }),
            _ => None,
        });
    }
    enum_models
}
