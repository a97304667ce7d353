//! Table-level UNIQUE constraints, and the deferral flags they share with
//! foreign keys.

use std::collections::HashSet;

use super::{ColInfo, Ctx};
use crate::document::UniqueConstraint;
use crate::ident::Ident;
use crate::model::{BaseType, Deferral};
use crate::problem::Code;

/// A checked UNIQUE constraint whose name may still have to be generated.
#[derive(Debug, Clone)]
pub(super) struct UniqueInfo {
    /// Position in the table's `uniques` (refused entries are left out).
    pub index: usize,
    pub id: String,
    pub name: Option<Ident>,
    pub column_ids: Vec<String>,
    pub nulls_not_distinct: bool,
    pub deferral: Deferral,
    pub comment: Option<String>,
}

/// `initiallyDeferred` needs `deferrable`.
pub(super) fn deferral(ctx: &mut Ctx, deferrable: bool, initially_deferred: bool, path: &str) -> Deferral {
    if initially_deferred && !deferrable {
        ctx.error(
            Code::InvalidConstraint,
            format!("{path}/initiallyDeferred"),
            "initiallyDeferred needs deferrable: a constraint that is not deferrable is checked after every statement",
        );
    }
    Deferral::from_flags(deferrable, initially_deferred)
}

/// Check a table's `uniques`. `flagged` are the column ids with
/// `unique: true`, `primary_key` the key's columns, so a constraint that
/// repeats one of them is refused.
pub(super) fn uniques(
    ctx: &mut Ctx,
    table: &str,
    uniques: &[UniqueConstraint],
    columns: &[ColInfo],
    primary_key: Option<&[String]>,
    tpath: &str,
) -> Vec<UniqueInfo> {
    let mut keys: Vec<(HashSet<&str>, String)> = Vec::new();
    if let Some(pk) = primary_key {
        keys.push((pk.iter().map(String::as_str).collect(), "the primary key".into()));
    }
    for c in columns.iter().filter(|c| c.unique) {
        keys.push((HashSet::from([c.id.as_str()]), format!("unique: true on column `{}`", c.id)));
    }
    let mut out = Vec::new();
    for (ui, u) in uniques.iter().enumerate() {
        let upath = format!("{tpath}/uniques/{ui}");
        let name = u.name.as_ref().and_then(|n| ctx.ident(n, format!("{upath}/name"), "unique constraint"));
        let deferral = deferral(ctx, u.deferrable, u.initially_deferred, &upath);
        let mut ok = !u.column_ids.is_empty();
        if !ok {
            ctx.error(
                Code::InvalidConstraint,
                format!("{upath}/columnIds"),
                "a unique constraint needs at least one column",
            );
        }
        let mut seen = HashSet::new();
        for (k, id) in u.column_ids.iter().enumerate() {
            let path = format!("{upath}/columnIds/{k}");
            match columns.iter().find(|c| c.id == *id) {
                None => {
                    ctx.error(Code::UnknownReference, path, format!("table \"{table}\" has no column with id `{id}`"));
                    ok = false;
                }
                Some(_) if !seen.insert(id.as_str()) => {
                    ctx.error(Code::InvalidConstraint, path, format!("column `{id}` appears twice in the key"));
                    ok = false;
                }
                Some(c) => {
                    if let Some(ty) = c.ty.as_ref().filter(|t| !t.base.has_btree()) {
                        ctx.error(
                            Code::InvalidConstraint,
                            path,
                            format!(
                                "a {} column has no btree equality, so it cannot be part of a unique key{}",
                                ty.describe(),
                                if ty.base == BaseType::Json { "; use jsonb" } else { "" }
                            ),
                        );
                        ok = false;
                    }
                }
            }
        }
        if !ok {
            continue;
        }
        let set: HashSet<&str> = u.column_ids.iter().map(String::as_str).collect();
        if let Some((_, what)) = keys.iter().find(|(k, _)| *k == set) {
            ctx.error(
                Code::InvalidConstraint,
                format!("{upath}/columnIds"),
                format!("the same columns are already a key ({what}); a second one would only cost writes"),
            );
            continue;
        }
        keys.push((set, format!("uniques/{ui}")));
        out.push(UniqueInfo {
            index: ui,
            id: u.id.clone(),
            name,
            column_ids: u.column_ids.clone(),
            nulls_not_distinct: u.nulls_not_distinct,
            deferral,
            comment: {
                ctx.text(u.comment.as_deref(), format!("{upath}/comment"), "the comment");
                u.comment.clone()
            },
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::document::parse_document;
    use crate::model::Deferral;
    use crate::validate::{ValidSchema, validate};
    use serde_json::{Value, json};

    fn doc(uniques: Value, fk: Value) -> Value {
        json!({"name": "x", "tables": [
            {"id": "t", "name": "t", "columns": [
                {"id": "id", "name": "id", "dataType": "integer", "primaryKey": true},
                {"id": "a", "name": "a", "dataType": "text"},
                {"id": "b", "name": "b", "dataType": "integer", "unique": true},
                {"id": "j", "name": "j", "dataType": "json"}
            ], "uniques": uniques},
            {"id": "r", "name": "r", "columns": [
                {"id": "r_id", "name": "id", "dataType": "integer", "primaryKey": true},
                {"id": "r_a", "name": "a", "dataType": "text"},
                {"id": "r_b", "name": "b", "dataType": "integer"}
            ]}
        ], "foreignKeys": [fk]})
    }

    fn fk(extra: Value) -> Value {
        let mut fk = json!({"id": "fk", "sourceTableId": "r", "sourceColumnIds": ["r_a", "r_b"],
                            "targetTableId": "t", "targetColumnIds": ["a", "b"]});
        fk.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        fk
    }

    fn problems(v: Value) -> Vec<(String, &'static str)> {
        validate(&parse_document(&v.to_string()).unwrap())
            .problems
            .into_iter()
            .map(|p| (p.path, p.code.as_str()))
            .collect()
    }

    #[test]
    fn a_multi_column_unique_is_a_key_foreign_keys_can_reference() {
        let v = doc(
            json!([{"id": "u", "columnIds": ["a", "b"], "nullsNotDistinct": true}]),
            fk(json!({"match": "full", "deferrable": true, "initiallyDeferred": true})),
        );
        let schema = ValidSchema::parse(parse_document(&v.to_string()).unwrap()).unwrap();
        let t = &schema.model().tables[0];
        let u = t.uniques.iter().find(|u| u.id.as_deref() == Some("u")).unwrap();
        assert_eq!(u.name.as_str(), "t_a_b_key");
        assert!(u.nulls_not_distinct);
        let f = &schema.model().foreign_keys[0];
        assert!(f.match_full);
        assert_eq!(f.deferral, Deferral::InitiallyDeferred);
    }

    #[test]
    fn malformed_uniques_and_deferral() {
        for (uniques, path, code) in [
            (json!([{"id": "u", "columnIds": []}]), "/tables/0/uniques/0/columnIds", "INVALID_CONSTRAINT"),
            (json!([{"id": "u", "columnIds": ["a", "a"]}]), "/tables/0/uniques/0/columnIds/1", "INVALID_CONSTRAINT"),
            (json!([{"id": "u", "columnIds": ["nope"]}]), "/tables/0/uniques/0/columnIds/0", "UNKNOWN_REFERENCE"),
            (json!([{"id": "u", "columnIds": ["j"]}]), "/tables/0/uniques/0/columnIds/0", "INVALID_CONSTRAINT"),
            (json!([{"id": "u", "columnIds": ["b"]}]), "/tables/0/uniques/0/columnIds", "INVALID_CONSTRAINT"),
            (json!([{"id": "u", "columnIds": ["id"]}]), "/tables/0/uniques/0/columnIds", "INVALID_CONSTRAINT"),
            (
                json!([{"id": "u", "columnIds": ["a"]}, {"id": "v", "columnIds": ["a"]}]),
                "/tables/0/uniques/1/columnIds",
                "INVALID_CONSTRAINT",
            ),
            (
                json!([{"id": "u", "columnIds": ["a"], "initiallyDeferred": true}]),
                "/tables/0/uniques/0/initiallyDeferred",
                "INVALID_CONSTRAINT",
            ),
            (json!([{"id": "u", "name": "r", "columnIds": ["a"]}]), "/tables/0/uniques/0/name", "DUPLICATE_NAME"),
            (json!([{"id": "t", "columnIds": ["a"]}]), "/tables/0/uniques/0/id", "DUPLICATE_ID"),
        ] {
            let got = problems(doc(
                uniques.clone(),
                fk(json!({"targetColumnIds": ["id", "b"], "sourceColumnIds": ["r_b", "r_b"]})),
            ));
            assert!(got.contains(&(path.to_string(), code)), "{uniques}: {got:?}");
        }
        let got = problems(doc(
            json!([]),
            fk(json!({"targetColumnIds": ["id"], "sourceColumnIds": ["r_b"], "initiallyDeferred": true})),
        ));
        assert!(got.contains(&("/foreignKeys/0/initiallyDeferred".to_string(), "INVALID_CONSTRAINT")), "{got:?}");
    }

    #[test]
    fn a_refused_unique_does_not_shift_the_names_of_the_next() {
        // The first constraint is refused; the second one's name still
        // clashes with the table `r`, at its own path.
        let v = doc(
            json!([{"id": "u", "name": "fine", "columnIds": []}, {"id": "v", "name": "r", "columnIds": ["a"]}]),
            fk(json!({"targetColumnIds": ["id"], "sourceColumnIds": ["r_b"]})),
        );
        let got = problems(v);
        assert!(got.contains(&("/tables/0/uniques/1/name".to_string(), "DUPLICATE_NAME")), "{got:?}");
    }

    #[test]
    fn a_deferrable_unique_is_no_target_for_a_foreign_key() {
        let v = doc(json!([{"id": "u", "columnIds": ["a", "b"], "deferrable": true}]), fk(json!({})));
        let got = problems(v);
        assert!(got.iter().any(|(p, c)| p.starts_with("/foreignKeys/0") && *c == "INVALID_FOREIGN_KEY"), "{got:?}");
    }
}
