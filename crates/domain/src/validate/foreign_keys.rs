//! Foreign keys: references, column pairs, types, and NOT NULL cycles.

use super::*;

pub(super) fn check_foreign_key(
    ctx: &mut Ctx,
    fk: &crate::document::ForeignKey,
    fpath: &str,
    tables: &HashMap<&str, &TableInfo>,
    name: Option<Ident>,
) -> Option<FkInfo> {
    let src = tables.get(fk.source_table_id.as_str());
    let dst = tables.get(fk.target_table_id.as_str());
    if src.is_none() {
        ctx.error(
            Code::UnknownReference,
            format!("{fpath}/sourceTableId"),
            format!("no table has the id `{}`", fk.source_table_id),
        );
    }
    if dst.is_none() {
        ctx.error(
            Code::UnknownReference,
            format!("{fpath}/targetTableId"),
            format!("no table has the id `{}`", fk.target_table_id),
        );
    }
    let side = |ctx: &mut Ctx,
                list: &Option<Vec<String>>,
                single: &Option<String>,
                which: &str|
     -> Option<(Vec<String>, &'static str)> {
        let (list_field, single_field) = if which == "source" {
            ("sourceColumnIds", "sourceColumnId")
        } else {
            ("targetColumnIds", "targetColumnId")
        };
        match (list, single) {
            (Some(l), Some(s)) if l.as_slice() != std::slice::from_ref(s) => {
                ctx.error(
                    Code::InvalidForeignKey,
                    format!("{fpath}/{single_field}"),
                    format!("{single_field} contradicts {list_field}; give one of them"),
                );
                None
            }
            (Some(l), _) if !l.is_empty() => Some((l.clone(), list_field)),
            (_, Some(s)) => Some((vec![s.clone()], single_field)),
            _ => {
                ctx.error(
                    Code::InvalidForeignKey,
                    fpath.to_string(),
                    format!("the foreign key names no {which} columns; give {list_field} or {single_field}"),
                );
                None
            }
        }
    };
    let source = side(ctx, &fk.source_column_ids, &fk.source_column_id, "source");
    let target = side(ctx, &fk.target_column_ids, &fk.target_column_id, "target");
    let (Some(src), Some(dst), Some((scols, sfield)), Some((tcols, tfield))) = (src, dst, source, target) else {
        return None;
    };
    let mut ok = true;
    let resolve = |ctx: &mut Ctx, table: &TableInfo, cols: &[String], field: &str| -> Vec<Option<ColInfo>> {
        let mut seen = HashSet::new();
        cols.iter()
            .enumerate()
            .map(|(i, id)| {
                let path =
                    if field.ends_with('s') { format!("{fpath}/{field}/{i}") } else { format!("{fpath}/{field}") };
                match table.column(id) {
                    None => {
                        ctx.error(
                            Code::UnknownReference,
                            path,
                            format!("{} has no column with id `{id}`", table.label()),
                        );
                        None
                    }
                    Some(_) if !seen.insert(id) => {
                        ctx.error(
                            Code::InvalidForeignKey,
                            path,
                            format!("column `{id}` appears twice in the foreign key"),
                        );
                        None
                    }
                    Some(c) => Some(c.clone()),
                }
            })
            .collect()
    };
    let s_resolved = resolve(ctx, src, &scols, sfield);
    let t_resolved = resolve(ctx, dst, &tcols, tfield);
    if s_resolved.iter().chain(&t_resolved).any(Option::is_none) {
        ok = false;
    }
    if scols.len() != tcols.len() {
        ctx.error(
            Code::InvalidForeignKey,
            fpath.to_string(),
            format!("the foreign key has {} source column(s) but {} target column(s)", scols.len(), tcols.len()),
        );
        return None;
    }
    if ok {
        let want: HashSet<&str> = tcols.iter().map(String::as_str).collect();
        let keys = dst.unique_keys();
        if !keys.iter().any(|k| k.len() == want.len() && k.iter().copied().collect::<HashSet<_>>() == want) {
            ctx.error(
                Code::InvalidForeignKey,
                format!("{fpath}/{tfield}"),
                format!(
                    "the referenced columns of {} are not its primary key or a unique key; PostgreSQL requires one",
                    dst.label()
                ),
            );
            ok = false;
        }
        for (i, (s, t)) in s_resolved.iter().zip(&t_resolved).enumerate() {
            let (Some(s), Some(t)) = (s, t) else { continue };
            let (Some(sty), Some(tty)) = (&s.ty, &t.ty) else { continue };
            let path =
                if sfield.ends_with('s') { format!("{fpath}/{sfield}/{i}") } else { format!("{fpath}/{sfield}") };
            if !foreign_key_compatible(sty, tty) {
                ctx.error(
                    Code::TypeMismatch,
                    path,
                    format!(
                        "column \"{}\" ({}) cannot reference \"{}\" ({}); the types must be comparable",
                        s.name.as_ref().map_or("?", Ident::as_str),
                        sty.describe(),
                        t.name.as_ref().map_or("?", Ident::as_str),
                        tty.describe()
                    ),
                );
                ok = false;
            }
        }
        if let Some(c) = s_resolved.iter().flatten().find(|c| c.generated.is_some()) {
            if let Some(field) = super::generated::refused_action(fk.on_delete, fk.on_update) {
                ctx.error(
                    Code::InvalidForeignKey,
                    format!("{fpath}/{field}"),
                    format!(
                        "column \"{}\" is generated, and PostgreSQL refuses an action that would write into it \
                         (ON DELETE SET NULL/SET DEFAULT, ON UPDATE CASCADE/SET NULL/SET DEFAULT)",
                        c.name.as_ref().map_or("?", Ident::as_str)
                    ),
                );
                ok = false;
            }
        }
        let fields = [(fk.on_delete, "onDelete"), (fk.on_update, "onUpdate")];
        for (action, field) in fields {
            if action == ReferentialAction::SetNull {
                if let Some(c) = s_resolved.iter().flatten().find(|c| !c.nullable) {
                    ctx.error(
                        Code::InvalidForeignKey,
                        format!("{fpath}/{field}"),
                        format!(
                            "SET NULL cannot work: column \"{}\" is NOT NULL",
                            c.name.as_ref().map_or("?", Ident::as_str)
                        ),
                    );
                    ok = false;
                }
            }
            if action == ReferentialAction::SetDefault {
                if let Some(c) = s_resolved.iter().flatten().find(|c| !c.nullable && !c.has_default && !c.identity) {
                    ctx.warn(
                        Code::IgnoredSetting,
                        format!("{fpath}/{field}"),
                        format!(
                            "SET DEFAULT will fail: column \"{}\" is NOT NULL and has no default",
                            c.name.as_ref().map_or("?", Ident::as_str)
                        ),
                    );
                }
            }
        }
    }
    let name_ok = fk.name.is_none() || name.is_some();
    match ok && name_ok {
        true => Some(FkInfo {
            id: fk.id.clone(),
            name,
            source_table_id: src.id.clone(),
            source_column_ids: scols,
            target_table_id: dst.id.clone(),
            target_column_ids: tcols,
            on_delete: fk.on_delete,
            on_update: fk.on_update,
            match_full: fk.match_type == crate::document::MatchType::Full,
            deferral: keys::deferral(ctx, fk.deferrable, fk.initially_deferred, fpath),
            comment: {
                ctx.text(fk.comment.as_deref(), format!("{fpath}/comment"), "the comment");
                fk.comment.clone()
            },
        }),
        _ => None,
    }
}

/// Whether PostgreSQL can build a foreign key from `src` to `dst`: it needs
/// an equality operator between them and an implicit cast of the source type
/// to the key type (`real -> numeric`, for one, has none). Checked against
/// PostgreSQL 15 for every pair of supported scalar types.
pub(super) fn foreign_key_compatible(src: &ColumnType, dst: &ColumnType) -> bool {
    use crate::model::TypeFamily as F;
    if src.array != dst.array || !src.base.has_btree() || !dst.base.has_btree() {
        return false;
    }
    if src.array {
        // PostgreSQL 15 builds array foreign keys only between identical
        // element types without a type modifier (varchar(5)[] fails).
        let no_typmod = !matches!(
            src.base,
            BaseType::Numeric { precision: Some(_), .. }
                | BaseType::Char(_)
                | BaseType::Varchar(Some(_))
                | BaseType::Time(Some(_))
                | BaseType::Timestamp(Some(_))
                | BaseType::Timestamptz(Some(_))
                | BaseType::Interval(Some(_))
                | BaseType::TimeTz(Some(_))
                | BaseType::Bit(_)
                | BaseType::VarBit(Some(_))
        );
        return src.base == dst.base && no_typmod;
    }
    match (src.base.family(), dst.base.family()) {
        (F::Integer, F::Integer | F::Numeric) => true,
        (F::Numeric, F::Numeric) => {
            !(matches!(src.base, BaseType::Real | BaseType::DoublePrecision)
                && matches!(dst.base, BaseType::Numeric { .. }))
        }
        (a, b) => a == b,
    }
}

pub(super) fn report_uninsertable_cycles(ctx: &mut Ctx, doc: &SchemaDocument, tables: &[TableInfo]) {
    let index: HashMap<&str, usize> = tables.iter().enumerate().map(|(i, t)| (t.id.as_str(), i)).collect();
    let mut edges: Vec<(usize, usize, usize)> = Vec::new();
    for (fi, fk) in doc.foreign_keys.iter().enumerate() {
        let (Some(&s), Some(&t)) = (index.get(fk.source_table_id.as_str()), index.get(fk.target_table_id.as_str()))
        else {
            continue;
        };
        let cols: Vec<String> = match (&fk.source_column_ids, &fk.source_column_id) {
            (Some(l), _) if !l.is_empty() => l.clone(),
            (_, Some(c)) => vec![c.clone()],
            _ => continue,
        };
        let all_not_null = cols.iter().all(|c| tables[s].column(c).is_some_and(|c| !c.nullable));
        if all_not_null && s != t {
            edges.push((s, t, fi));
        }
    }
    let adjacency: Vec<Vec<usize>> =
        (0..tables.len()).map(|i| edges.iter().filter(|(s, _, _)| *s == i).map(|(_, t, _)| *t).collect()).collect();
    for component in crate::summary::strongly_connected(&adjacency) {
        if component.len() < 2 {
            continue;
        }
        let members: HashSet<usize> = component.iter().copied().collect();
        let Some(&(_, _, fi)) = edges.iter().find(|(s, t, _)| members.contains(s) && members.contains(t)) else {
            continue;
        };
        let mut names: Vec<String> = component.iter().map(|&i| tables[i].label()).collect();
        names.sort();
        ctx.warn(
            Code::UninsertableCycle,
            ptr(&[&"foreignKeys", &fi]),
            format!(
                "NOT NULL foreign keys form a cycle through {}: no first row can be inserted into any of them; make one of the columns nullable",
                names.join(", ")
            ),
        );
    }
}

/// A checked foreign key whose name may still have to be generated.
#[derive(Debug, Clone)]
pub(super) struct FkInfo {
    pub(super) id: String,
    pub(super) name: Option<Ident>,
    pub(super) source_table_id: String,
    pub(super) source_column_ids: Vec<String>,
    pub(super) target_table_id: String,
    pub(super) target_column_ids: Vec<String>,
    pub(super) on_delete: ReferentialAction,
    pub(super) on_update: ReferentialAction,
    pub(super) match_full: bool,
    pub(super) deferral: Deferral,
    pub(super) comment: Option<String>,
}
