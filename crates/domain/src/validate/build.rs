//! The model of an error-free document, with every generated name chosen.

use super::*;
use crate::model::SequenceModel;

/// Build the model of an error-free document, choosing generated names.
pub(super) fn build_model(
    tables: &[TableInfo],
    enums: Vec<Option<EnumModel>>,
    extensions: Vec<Option<ExtensionModel>>,
    sequences: Vec<Option<SequenceModel>>,
    fks: Vec<Option<FkInfo>>,
    relations: &mut Namespace,
    all_constraints: &mut Namespace,
) -> Option<Model> {
    let enums: Vec<EnumModel> = enums.into_iter().collect::<Option<_>>()?;
    let extensions: Vec<ExtensionModel> = extensions.into_iter().collect::<Option<_>>()?;
    let sequences: Vec<SequenceModel> = sequences.into_iter().collect::<Option<_>>()?;
    let fk_infos: Vec<FkInfo> = fks.into_iter().collect::<Option<_>>()?;
    let mut out = Vec::new();
    // Generated names per table, chosen in a fixed order: primary key,
    // unique constraints, checks, then (below) foreign keys and indexes.
    for t in tables {
        let tname = t.name.clone()?;
        let space = &mut *all_constraints;
        let col_name = |id: &str| t.column(id).and_then(|c| c.name.as_ref()).map(Ident::as_str);
        let mut pick = |name2: Option<&str>, label: &str, relation: bool| -> Option<Ident> {
            let name = if relation {
                choose_name(tname.as_str(), name2, label, &[relations, space])
            } else {
                choose_name(tname.as_str(), name2, label, &[space])
            };
            space.insert(&name);
            if relation {
                relations.insert(&name);
            }
            Ident::parse(&name).ok()
        };
        // A table without a key has none only when it says so; otherwise a
        // missing key was reported and there is no model.
        let primary_key = match t.primary_key.clone() {
            Some(column_ids) => {
                let name = match &t.primary_key_name {
                    Some(n) => n.clone(),
                    None => pick(None, "pkey", true)?,
                };
                Some(KeyConstraint::new(name, column_ids))
            }
            None if t.without_primary_key => None,
            None => return None,
        };
        let mut uniques = Vec::new();
        for c in t.columns.iter().filter(|c| c.unique) {
            uniques.push(KeyConstraint::new(pick(col_name(&c.id), "key", true)?, vec![c.id.clone()]));
        }
        for u in &t.uniques {
            let name = match &u.name {
                Some(n) => n.clone(),
                None => {
                    let cols: Vec<&str> = u.column_ids.iter().filter_map(|id| col_name(id)).collect();
                    pick(Some(&cols.join("_")), "key", true)?
                }
            };
            uniques.push(KeyConstraint {
                id: Some(u.id.clone()),
                name,
                column_ids: u.column_ids.clone(),
                nulls_not_distinct: u.nulls_not_distinct,
                deferral: u.deferral,
                comment: u.comment.clone(),
            });
        }
        // Identity sequences are relations too; naming them explicitly keeps
        // a later table or index of the same name from colliding.
        let mut sequences = HashMap::new();
        for c in t.columns.iter().filter(|c| c.identity) {
            sequences.insert(c.id.clone(), pick(col_name(&c.id), "seq", true)?);
        }
        let mut checks = Vec::new();
        for CheckInfo { id, name, expr, comment } in &t.checks {
            let expr = expr.clone()?;
            let name = match name {
                Some(n) => n.clone(),
                None => {
                    let cols = expr.column_ids();
                    let single =
                        cols.first().filter(|first| cols.iter().all(|c| c == *first)).and_then(|c| col_name(c));
                    pick(single, "check", false)?
                }
            };
            checks.push(CheckModel { id: id.clone(), name, expr, comment: comment.clone() });
        }
        let columns = t
            .columns
            .iter()
            .map(|c| {
                Some(ColumnModel {
                    id: c.id.clone(),
                    name: c.name.clone()?,
                    ty: c.declared.clone().or_else(|| c.ty.clone())?,
                    nullable: c.nullable,
                    identity: sequences.get(&c.id).cloned().map(|sequence| {
                        let (always, options) = c.identity_settings.unwrap_or_default();
                        Identity { sequence, always, options }
                    }),
                    default: c.default.clone(),
                    comment: c.comment.clone(),
                    collation: c.collation.clone(),
                    generated: c.generated.clone(),
                })
            })
            .collect::<Option<Vec<_>>>()?;
        out.push(TableModel {
            id: t.id.clone(),
            name: tname,
            namespace: t.namespace.clone(),
            comment: t.comment.clone(),
            columns,
            primary_key,
            uniques,
            checks,
            indexes: Vec::new(),
            exclusions: Vec::new(),
            row_level_security: t.row_level_security,
            partition_by: t.partition_by.clone(),
            partitions: Vec::new(),
        });
    }
    // Foreign keys without a name (tables looked up by id: linear in the
    // number of foreign keys, not their product with the tables).
    let by_id: HashMap<&str, usize> = out.iter().enumerate().map(|(i, t)| (t.id.as_str(), i)).collect();
    let mut fks = Vec::new();
    for fk in fk_infos {
        let table = out.get(*by_id.get(fk.source_table_id.as_str())?)?;
        let name = match fk.name {
            Some(name) => name,
            None => {
                let cols: Vec<&str> =
                    fk.source_column_ids.iter().filter_map(|id| table.column(id)).map(|c| c.name.as_str()).collect();
                let space = &mut *all_constraints;
                let name = choose_name(table.name.as_str(), Some(&cols.join("_")), "fkey", &[space]);
                space.insert(&name);
                Ident::parse(&name).ok()?
            }
        };
        fks.push(ForeignKeyModel {
            id: fk.id,
            name,
            source_table_id: fk.source_table_id,
            source_column_ids: fk.source_column_ids,
            target_table_id: fk.target_table_id,
            target_column_ids: fk.target_column_ids,
            on_delete: fk.on_delete,
            on_update: fk.on_update,
            match_full: fk.match_full,
            deferral: fk.deferral,
            comment: fk.comment,
        });
    }
    // Indexes.
    for (t, info) in out.iter_mut().zip(tables) {
        for ix in &info.indexes {
            let name = match &ix.name {
                Some(n) => n.clone(),
                None => {
                    let cols = column_names(t, ix.columns.iter().flat_map(IndexColumnModel::column_ids));
                    let name = choose_name(t.name.as_str(), Some(&cols), "idx", &[relations]);
                    relations.insert(&name);
                    Ident::parse(&name).ok()?
                }
            };
            t.indexes.push(index_model(ix, name));
        }
    }
    // Exclusion constraints last, so that the names generated before them
    // stay what they were before the element existed.
    for (t, info) in out.iter_mut().zip(tables) {
        for x in &info.exclusions {
            let x = x.as_ref()?;
            let name = match &x.name {
                Some(n) => n.clone(),
                None => {
                    let cols = column_names(t, x.elements.iter().flat_map(|(e, _)| e.column_ids()));
                    let name = choose_name(t.name.as_str(), Some(&cols), "excl", &[relations, all_constraints]);
                    relations.insert(&name);
                    all_constraints.insert(&name);
                    Ident::parse(&name).ok()?
                }
            };
            t.exclusions.push(ExclusionModel {
                id: x.id.clone(),
                name,
                method: x.method,
                elements: x.elements.clone(),
                include: x.include.clone(),
                predicate: x.predicate.clone(),
                deferral: x.deferral,
                comment: x.comment.clone(),
            });
        }
    }
    // Partitions last, for the same reason.
    for (t, info) in out.iter_mut().zip(tables) {
        t.partitions = partition_models(t, &info.partitions, relations)?;
    }
    Some(Model {
        enums,
        tables: out,
        foreign_keys: fks,
        extensions,
        sequences,
        domains: Vec::new(),
        composites: Vec::new(),
        namespaces: Vec::new(),
        collations: Vec::new(),
        text_search: Vec::new(),
        views: Vec::new(),
        carried: Vec::new(),
    })
}

/// The names generated ones must avoid: relations (tables, sequences,
/// indexes, keys) and every constraint of the schema, as PostgreSQL's
/// ChooseConstraintName does; user-chosen constraint names are checked to
/// be unique per table on the way.
pub(super) fn name_spaces<'d>(
    ctx: &mut Ctx,
    doc: &'d SchemaDocument,
    tables: &'d [TableInfo],
    sequence_models: &'d [Option<SequenceModel>],
    fk_names: &'d [Option<Ident>],
    table_by_id: &HashMap<&str, &TableInfo>,
) -> (Namespace, Namespace) {
    // Names of constraints and indexes: user-chosen ones must be unique in
    // their namespaces; the rest are generated around them.
    let mut relations = Namespace::default();
    for s in sequence_models.iter().flatten() {
        relations.insert(s.name.as_str());
    }
    for t in tables {
        if let Some(n) = &t.name {
            relations.insert(n.as_str());
        }
        for x in t.exclusions.iter().flatten() {
            if let Some(n) = &x.name {
                relations.insert(n.as_str());
            }
        }
        for ix in &t.indexes {
            if let Some(n) = &ix.name {
                relations.insert(n.as_str());
            }
        }
        for u in &t.uniques {
            if let Some(n) = &u.name {
                relations.insert(n.as_str());
            }
        }
        if let Some(n) = &t.primary_key_name {
            relations.insert(n.as_str());
        }
    }
    // Generated constraint names avoid every constraint name in the schema,
    // as PostgreSQL's ChooseConstraintName does; user-chosen names need only
    // be unique per table.
    let mut all_constraints = Namespace::default();
    for x in tables.iter().flat_map(|t| t.exclusions.iter().flatten()) {
        if let Some(n) = &x.name {
            all_constraints.insert(n.as_str());
        }
    }
    let mut constraint_scopes: HashMap<&str, Scope<'_>> = HashMap::new();
    for (ti, (t, doc_t)) in tables.iter().zip(&doc.tables).enumerate() {
        let scope = constraint_scopes.entry(t.id.as_str()).or_insert_with(|| Scope::new("constraint"));
        if let (Some(n), Some(raw)) = (&t.primary_key_name, &doc_t.primary_key_name) {
            all_constraints.insert(n.as_str());
            scope.add(ctx, raw, ptr(&[&"tables", &ti, &"primaryKeyName"]));
        }
        for (CheckInfo { name, .. }, (ki, k)) in t.checks.iter().zip(doc_t.checks.iter().enumerate()) {
            if let (Some(n), Some(raw)) = (name, &k.name) {
                all_constraints.insert(n.as_str());
                scope.add(ctx, raw, ptr(&[&"tables", &ti, &"checks", &ki, &"name"]));
            }
        }
        for u in &t.uniques {
            let ui = u.index;
            if let (Some(n), Some(raw)) = (&u.name, doc_t.uniques.get(ui).and_then(|x| x.name.as_ref())) {
                all_constraints.insert(n.as_str());
                scope.add(ctx, raw, ptr(&[&"tables", &ti, &"uniques", &ui, &"name"]));
            }
        }
    }
    for (fi, (fk, name)) in doc.foreign_keys.iter().zip(fk_names).enumerate() {
        if let (Some(n), Some(raw)) = (name, &fk.name) {
            if table_by_id.contains_key(fk.source_table_id.as_str()) {
                all_constraints.insert(n.as_str());
                constraint_scopes.entry(fk.source_table_id.as_str()).or_insert_with(|| Scope::new("constraint")).add(
                    ctx,
                    raw,
                    ptr(&[&"foreignKeys", &fi, &"name"]),
                );
            }
        }
    }
    (relations, all_constraints)
}

/// The partitions of `t`, with their indexes' names chosen after the names
/// PostgreSQL gives the parent's keys and indexes on each partition
/// (`<partition>_pkey`, `<partition>_<columns>_key`, `_idx`), which it
/// creates first.
fn partition_models(
    t: &TableModel,
    infos: &[Option<super::partitions::PartitionInfo>],
    relations: &mut Namespace,
) -> Option<Vec<crate::model::PartitionModel>> {
    let mut out = Vec::new();
    for p in infos {
        let p = p.as_ref()?;
        let mut inherited = Vec::new();
        let mut reserve = |key: String, name2: Option<String>, label: &str| -> Option<()> {
            let name = choose_name(p.name.as_str(), name2.as_deref(), label, &[relations]);
            relations.insert(&name);
            inherited.push((key, Ident::parse(&name).ok()?));
            Some(())
        };
        if t.primary_key.is_some() {
            reserve("pkey".into(), None, "pkey")?;
        }
        for u in &t.uniques {
            let key = format!("unique:{}", u.column_ids.join(","));
            reserve(key, Some(column_names(t, u.column_ids.iter().map(String::as_str))), "key")?;
        }
        for x in &t.indexes {
            reserve(format!("index:{}", x.id), Some(index_column_names(t, &x.columns)), "idx")?;
        }
        let mut indexes = Vec::new();
        for ix in &p.indexes {
            let name = match &ix.name {
                Some(n) => n.clone(),
                None => {
                    let name =
                        choose_name(p.name.as_str(), Some(&index_column_names(t, &ix.columns)), "idx", &[relations]);
                    relations.insert(&name);
                    Ident::parse(&name).ok()?
                }
            };
            indexes.push(index_model(ix, name));
        }
        out.push(crate::model::PartitionModel {
            id: p.id.clone(),
            name: p.name.clone(),
            bound: p.bound.clone(),
            indexes,
            inherited,
            comment: p.comment.clone(),
        });
    }
    Some(out)
}

/// The model of a checked index under its chosen name.
fn index_model(ix: &IndexInfo, name: Ident) -> IndexModel {
    IndexModel {
        id: ix.id.clone(),
        name,
        unique: ix.unique,
        method: ix.method,
        columns: ix.columns.clone(),
        predicate: ix.predicate.clone(),
        include: ix.include.clone(),
        nulls_not_distinct: ix.nulls_not_distinct,
        storage: ix.storage.clone(),
        comment: ix.comment.clone(),
    }
}

/// PostgreSQL's name part for index elements: column names, `expr` for an
/// expression.
fn index_column_names(t: &TableModel, columns: &[IndexColumnModel]) -> String {
    columns
        .iter()
        .map(|c| match c.column_id() {
            Some(id) => t.column(id).map_or_else(String::new, |c| c.name.to_string()),
            None => "expr".to_string(),
        })
        .collect::<Vec<_>>()
        .join("_")
}

/// The names of the columns `ids` (of `t`) joined by `_`, for a generated
/// index or constraint name.
fn column_names<'a>(t: &TableModel, ids: impl Iterator<Item = &'a str>) -> String {
    ids.filter_map(|id| t.column(id)).map(|c| c.name.as_str()).collect::<Vec<_>>().join("_")
}
