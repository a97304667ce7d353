//! One table: its name and namespace, columns (types, identity, defaults,
//! collations), primary key, unique constraints, generated columns, checks,
//! indexes and exclusions, as the walk over the document meets it.

use super::*;
use crate::document::Table;

/// What every table is checked against, from the rest of the document.
pub(super) struct Lookups<'a, 'd> {
    pub(super) doc: &'d SchemaDocument,
    pub(super) types: &'a domains::DocTypes<'d>,
    /// Each enum's labels, by enum id.
    pub(super) enum_values: &'a HashMap<&'d str, &'a [String]>,
    pub(super) sequence_names: &'a HashMap<&'d str, sequences::SequenceName>,
    pub(super) namespaces: &'a Namespaces<'d>,
    /// `btree_gist` is declared (gist then serves the scalar types).
    pub(super) btree_gist: bool,
    /// The valid composite types, for fields read in expressions.
    pub(super) composites: &'a [crate::model::CompositeModel],
}

/// The name scopes tables join: types (a table is a row type) and
/// relations (tables, indexes, keys, sequences).
pub(super) struct Names<'s, 'd> {
    pub(super) types: &'s mut Scope<'d>,
    pub(super) relations: &'s mut Scope<'d>,
}

/// Check table `t` (at `/tables/{ti}`).
pub(super) fn check_table<'d>(
    ctx: &mut Ctx,
    lk: &Lookups<'_, 'd>,
    names: &mut Names<'_, 'd>,
    t: &'d Table,
    ti: usize,
) -> TableInfo {
    let tpath = ptr(&[&"tables", &ti]);
    let name = ctx.ident(&t.name, format!("{tpath}/name"), "table");
    if name.is_some() && catalog::shadowed_relation(&t.name) {
        ctx.error(
            Code::ReservedName,
            format!("{tpath}/name"),
            format!("table name \"{}\" starts with pg_, the prefix of PostgreSQL's system catalogs, which would be found instead of the table", t.name),
        );
    }
    if name.is_some() {
        names.types.add_in(ctx, scope_key(&t.namespace_id), &t.name, format!("{tpath}/name"));
        // Table names share both namespaces; a clash between two tables
        // is reported once, by the type namespace above.
        names.relations.add_quiet_in(scope_key(&t.namespace_id), &t.name, format!("{tpath}/name"));
    }
    let namespace = lk.namespaces.resolve(ctx, t.namespace_id.as_deref(), format!("{tpath}/namespaceId"));
    ctx.text(t.comment.as_deref(), format!("{tpath}/comment"), "the comment");
    if t.columns.len() > MAX_COLUMNS {
        ctx.error(
            Code::TooManyColumns,
            format!("{tpath}/columns"),
            format!("table \"{}\" has {} columns; PostgreSQL allows at most {MAX_COLUMNS}", t.name, t.columns.len()),
        );
    } else if t.columns.len() > MANY_COLUMNS_WARNING {
        ctx.warn(
            Code::TooManyColumns,
            format!("{tpath}/columns"),
            format!("table \"{}\" has {} columns; consider splitting it", t.name, t.columns.len()),
        );
    }

    let mut col_names = Scope::new("column");
    let mut columns = Vec::new();
    for (ci, c) in t.columns.iter().enumerate() {
        columns.push(check_column(ctx, lk, c, &format!("{tpath}/columns/{ci}"), &mut col_names));
    }

    let primary_key = primary_key(ctx, t, &tpath, &mut columns);
    let primary_key_name = t.primary_key_name.as_ref().and_then(|n| {
        let path = format!("{tpath}/primaryKeyName");
        let name = ctx.ident(n, path.clone(), "primary key")?;
        if t.without_primary_key {
            ctx.warn(Code::IgnoredSetting, path.clone(), "the table has no primary key for this name to name");
        }
        // The key's index is a relation of the table's namespace.
        names.relations.add_in(ctx, scope_key(&t.namespace_id), n, path);
        Some(name)
    });

    let uniques = keys::uniques(ctx, &t.name, &t.uniques, &columns, primary_key.as_deref(), &tpath);
    for u in &uniques {
        if let (Some(_), Some(n)) = (&u.name, t.uniques.get(u.index).and_then(|x| x.name.as_ref())) {
            names.relations.add_in(ctx, scope_key(&t.namespace_id), n, format!("{tpath}/uniques/{}/name", u.index));
        }
    }

    let expr_columns: Vec<ExprColumn<'_>> = columns
        .iter()
        .filter_map(|c| {
            Some(ExprColumn {
                id: &c.id,
                name: c.name.as_ref()?,
                ty: c.ty.as_ref(),
                enum_values: match c.ty.as_ref().map(|t| &t.base) {
                    Some(BaseType::Enum { id, .. }) => lk.enum_values.get(id.as_str()).copied(),
                    _ => None,
                },
                composites: lk.composites,
            })
        })
        .collect();

    let generated = generated::expressions(ctx, t, &tpath, &expr_columns);

    // Checks.
    let mut checks = Vec::new();
    for (ki, k) in t.checks.iter().enumerate() {
        let kpath = format!("{tpath}/checks/{ki}");
        let kname = k.name.as_ref().and_then(|n| ctx.ident(n, format!("{kpath}/name"), "check constraint"));
        let expr = ctx.expression(&k.expression, &expr_columns, ExprContext::Check, format!("{kpath}/expression"));
        ctx.text(k.comment.as_deref(), format!("{kpath}/comment"), "the comment");
        checks.push(CheckInfo { id: k.id.clone(), name: kname, expr, comment: k.comment.clone() });
    }

    // Indexes.
    let mut indexes = Vec::new();
    for (xi, ix) in t.indexes.iter().enumerate() {
        let xpath = format!("{tpath}/indexes/{xi}");
        let xname = indexes::name(ctx, ix, &xpath);
        if let (Some(_), Some(n)) = (&xname, &ix.name) {
            names.relations.add_in(ctx, scope_key(&t.namespace_id), n, format!("{xpath}/name"));
        }
        let table =
            IndexTable { name: &t.name, columns: &columns, expr_columns: &expr_columns, btree_gist: lk.btree_gist };
        indexes.push(indexes::analyze(ctx, &table, ix, &xpath, xname));
    }
    let table = IndexTable { name: &t.name, columns: &columns, expr_columns: &expr_columns, btree_gist: lk.btree_gist };
    let exclusions = exclusions::exclusions(ctx, &table, &t.exclusions, &tpath);
    for (k, x) in t.exclusions.iter().enumerate() {
        if let (Some(Some(info)), Some(n)) = (exclusions.get(k), &x.name) {
            if info.name.is_some() {
                names.relations.add_in(ctx, scope_key(&t.namespace_id), n, format!("{tpath}/exclusions/{k}/name"));
            }
        }
    }
    let parent = partitions::Parent {
        table: t,
        path: &tpath,
        index_table: &table,
        enum_values: lk.enum_values,
        indexes: &indexes,
    };
    let (partition_by, partitions) = partitions::check_partitioning(ctx, &parent, names);
    for (c, g) in columns.iter_mut().zip(generated) {
        c.generated = g;
    }
    TableInfo {
        id: t.id.clone(),
        name,
        namespace,
        comment: t.comment.clone(),
        columns,
        primary_key,
        primary_key_name,
        without_primary_key: t.without_primary_key,
        checks,
        indexes,
        uniques,
        exclusions,
        partition_by,
        partitions,
        row_level_security: t.row_level_security,
    }
}

/// Check column `c` (at `cpath`): name, type (a domain read as its base
/// type), identity, collation, default.
fn check_column<'d>(
    ctx: &mut Ctx,
    lk: &Lookups<'_, 'd>,
    c: &'d crate::document::Column,
    cpath: &str,
    col_names: &mut Scope<'d>,
) -> ColInfo {
    let cname = ctx.ident(&c.name, format!("{cpath}/name"), "column");
    if cname.is_some() && catalog::SYSTEM_COLUMNS.contains(&c.name.as_str()) {
        ctx.error(
            Code::ReservedName,
            format!("{cpath}/name"),
            format!("column name \"{}\" is a PostgreSQL system column of every table", c.name),
        );
    }
    if cname.is_some() {
        col_names.add(ctx, &c.name, format!("{cpath}/name"));
    }
    let declared = match resolve_column_type(c, lk.types) {
        Ok(ty) => Some(ty),
        Err(ps) => {
            for p in ps {
                ctx.error(p.code, format!("{cpath}/{}", p.field), p.message);
            }
            None
        }
    };
    // Validation reads a domain column as its base type; the
    // model keeps the domain.
    let ty = declared.as_ref().map(ColumnType::underlying);
    let declared = declared.filter(|t| matches!(t.base, BaseType::Domain { .. }));
    if let Some(ty) = &ty {
        extensions::check_type_extension(ctx, lk.doc, ty, format!("{cpath}/dataType"));
    }
    let collation =
        super::collations::collate(ctx, c.collation.as_deref(), c.collation_id.as_deref(), ty.as_ref(), cpath);
    ctx.text(c.comment.as_deref(), format!("{cpath}/comment"), "the comment");
    let identity = c.auto_increment || c.identity.is_some() || is_serial(&c.data_type);
    let identity_settings = c.identity.as_ref().map(|spec| identity::settings(ctx, spec, ty.as_ref(), cpath));
    if identity && c.nullable == Some(true) && !c.primary_key {
        ctx.warn(
            Code::IgnoredSetting,
            format!("{cpath}/nullable"),
            format!("column \"{}\" auto-increments, so it is NOT NULL whatever nullable says", c.name),
        );
    }
    if identity {
        if let Some(ty) = declared.as_ref().or(ty.as_ref()) {
            if !ty.base.is_integer() || ty.array {
                ctx.error(
                    Code::InvalidAutoIncrement,
                    format!("{cpath}/autoIncrement"),
                    format!("auto-increment needs smallint, integer or bigint, not {}", ty.describe()),
                );
            }
        }
        if c.default.is_some() {
            ctx.error(
                Code::InvalidAutoIncrement,
                format!("{cpath}/default"),
                "an auto-increment (autoIncrement or serial) column cannot also have a default",
            );
        }
    }
    let mut default = None;
    if let (Some(d), Some(ty)) = (&c.default, &ty) {
        let labels = match &ty.base {
            BaseType::Enum { id, .. } => lk.enum_values.get(id.as_str()).copied(),
            _ => None,
        };
        match check_default(d, ty, labels, lk.sequence_names) {
            Ok((value, warning)) => {
                if let Some((code, w)) = warning {
                    ctx.warn(code, format!("{cpath}/default"), w);
                }
                default = Some(value);
            }
            Err((code, message)) => ctx.error(code, format!("{cpath}/default"), message),
        }
    }
    ColInfo {
        id: c.id.clone(),
        name: cname,
        ty,
        declared,
        nullable: c.nullable.unwrap_or(true) && !c.primary_key && !identity,
        identity,
        identity_settings,
        has_default: c.default.is_some(),
        default,
        primary_key: false,
        unique: c.unique,
        comment: c.comment.clone(),
        collation,
        generated: None,
    }
}

/// The primary key's column ids (`None` when the table has none or it is
/// wrong), with its columns marked NOT NULL; keys over types without
/// btree equality are refused.
fn primary_key(ctx: &mut Ctx, t: &Table, tpath: &str, columns: &mut [ColInfo]) -> Option<Vec<String>> {
    let flagged: Vec<String> = t.columns.iter().filter(|c| c.primary_key).map(|c| c.id.clone()).collect();
    let primary_key = match (&t.primary_key, flagged.is_empty()) {
        (Some(_), false) => {
            ctx.error(Code::InvalidPrimaryKey, format!("{tpath}/primaryKey"), format!("table \"{}\" declares its primary key both with primaryKey: true on columns and with a primaryKey list; use one", t.name));
            None
        }
        (None, true) if t.without_primary_key => {
            ctx.warn(Code::NoPrimaryKey, format!("{tpath}/withoutPrimaryKey"), format!("table \"{}\" has no primary key, as it says: rows can be told apart only by their values, other tables cannot reference it without a unique key, and logical replication cannot replicate its updates and deletes", t.name));
            None
        }
        (None, true) => {
            ctx.error(Code::MissingPrimaryKey, tpath.to_string(), format!("table \"{}\" has no primary key; mark a column with \"primaryKey\": true, list the key's column ids in \"primaryKey\", or say \"withoutPrimaryKey\": true", t.name));
            None
        }
        (_, _) if t.without_primary_key => {
            ctx.error(
                Code::InvalidPrimaryKey,
                format!("{tpath}/withoutPrimaryKey"),
                format!("table \"{}\" says withoutPrimaryKey but declares a primary key; use one", t.name),
            );
            None
        }
        (None, false) => Some(flagged),
        (Some(list), true) => {
            let mut ok = !list.is_empty();
            if list.is_empty() {
                ctx.error(
                    Code::MissingPrimaryKey,
                    format!("{tpath}/primaryKey"),
                    format!("the primary key of table \"{}\" lists no columns", t.name),
                );
            }
            let mut seen = HashSet::new();
            for (ki, id) in list.iter().enumerate() {
                let kpath = format!("{tpath}/primaryKey/{ki}");
                if !columns.iter().any(|c| &c.id == id) {
                    ctx.error(
                        Code::UnknownReference,
                        kpath,
                        format!("table \"{}\" has no column with id `{id}`", t.name),
                    );
                    ok = false;
                } else if !seen.insert(id) {
                    ctx.error(
                        Code::InvalidPrimaryKey,
                        kpath,
                        format!("column `{id}` appears twice in the primary key"),
                    );
                    ok = false;
                }
            }
            ok.then(|| list.clone())
        }
    };
    if let Some(pk) = &primary_key {
        for col in columns.iter_mut().filter(|c| pk.contains(&c.id)) {
            col.primary_key = true;
            col.nullable = false;
        }
        for (ci, c) in t.columns.iter().enumerate() {
            if pk.contains(&c.id) && c.nullable == Some(true) {
                ctx.warn(
                    Code::IgnoredSetting,
                    format!("{tpath}/columns/{ci}/nullable"),
                    format!(
                        "column \"{}\" is part of the primary key, so it is NOT NULL whatever nullable says",
                        c.name
                    ),
                );
            }
            if pk.contains(&c.id) {
                if let Some(ty) = columns[ci].ty.as_ref().filter(|ty| !ty.base.has_btree()) {
                    let hint = if ty.base == BaseType::Json { "; use jsonb" } else { "" };
                    ctx.error(
                        Code::InvalidPrimaryKey,
                        format!("{tpath}/columns/{ci}"),
                        format!(
                            "column \"{}\" is {}, which has no btree equality and cannot be in a primary key{hint}",
                            c.name,
                            ty.describe()
                        ),
                    );
                }
            }
            if c.unique && pk.len() == 1 && pk[0] == c.id {
                ctx.warn(
                    Code::IgnoredSetting,
                    format!("{tpath}/columns/{ci}/unique"),
                    format!("column \"{}\" is the primary key, which is already unique", c.name),
                );
                columns[ci].unique = false;
            }
        }
    }
    for (ci, c) in columns.iter().enumerate() {
        if let Some(ty) = c.ty.as_ref().filter(|ty| c.unique && !ty.base.has_btree()) {
            let hint = if ty.base == BaseType::Json { "; use jsonb" } else { "" };
            ctx.error(
                Code::InvalidIndex,
                format!("{tpath}/columns/{ci}/unique"),
                format!("{} has no btree equality and cannot be unique{hint}", ty.describe()),
            );
        }
    }
    primary_key
}
