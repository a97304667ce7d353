//! Random edits of valid documents, for the migration property test.

use super::*;

/// One edit a designer might make; [`edited_document`] applies a few.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// Rename a table.
    RenameTable,
    /// Rename a column (expressions that name it follow).
    RenameColumn,
    /// Rename an enum.
    RenameEnum,
    /// Name a check, index or foreign key explicitly (or rename it).
    RenameConstraint,
    /// Add a small table.
    AddTable,
    /// Drop a table and the foreign keys that touch it.
    DropTable,
    /// Add a column.
    AddColumn,
    /// Drop a column and what uses it.
    DropColumn,
    /// Change a column's type (its default goes).
    ChangeType,
    /// Flip nullability.
    ToggleNullable,
    /// Set or remove a default.
    ToggleDefault,
    /// Flip a column's UNIQUE flag.
    ToggleUnique,
    /// Add or drop an index.
    ToggleIndex,
    /// Add or drop a check.
    ToggleCheck,
    /// Add or drop a foreign key.
    ToggleForeignKey,
    /// Add an enum label (at a position).
    AddEnumValue,
    /// Drop an enum label.
    DropEnumValue,
    /// Reverse an enum's labels.
    ReorderEnum,
    /// Change a table, column or enum comment.
    Comment,
    /// Flip autoIncrement of a single-column integer primary key.
    ToggleIdentity,
    /// Drop a table's primary key (the table then says
    /// `withoutPrimaryKey`), or give a keyless table one on its first column.
    TogglePrimaryKey,
    /// Give an enum label a new text, or swap the texts of its first two
    /// labels; labels with ids keep them (so it is a rename by id), and
    /// defaults that name a label follow it.
    RelabelEnum,
    /// Collate a string column "C", or drop its collation.
    ToggleCollation,
    /// Give a generated column another expression or make it plain, or make
    /// a plain boolean column generated.
    ToggleGenerated,
    /// Change a domain: rename it, rename or add a check, drop its checks,
    /// set or drop NOT NULL or its default, or change its base type.
    EditDomain,
    /// Change the composite type: rename it or an attribute, add one at the
    /// end, drop the last, swap the first two (a rebuild), or retype one.
    EditComposite,
    /// Move a table (with its owned sequences), an enum, a domain or the
    /// composite type to another namespace (or public).
    MoveToNamespace,
    /// Two tables in different namespaces trade namespaces (tables of the
    /// same name then pass each other).
    TradePlaces,
    /// Rename a namespace, swap two namespaces' names, add one with a
    /// table in it, drop one (its objects go to public), give one a new id
    /// (a drop and a create of the same name), or change its comment.
    EditNamespace,
    /// Change a view: rename an output column or the view, change a query,
    /// make the view over a view materialized (or not), drop one, or bring
    /// the pool back and change a comment.
    EditView,
    /// Change the partitioned table's partitions: add one, drop one,
    /// rename one, widen a bound, toggle an own index or a comment.
    EditPartitions,
    /// Change the carried objects: a function's body or argument type, the
    /// trigger's name or timing, drop the trigger (or bring the pool back),
    /// the policy's expression, row-level security.
    EditCarried,
}

impl Edit {
    /// Every kind.
    pub const ALL: [Edit; 32] = [
        Self::RenameTable,
        Self::RenameColumn,
        Self::RenameEnum,
        Self::RenameConstraint,
        Self::AddTable,
        Self::DropTable,
        Self::AddColumn,
        Self::DropColumn,
        Self::ChangeType,
        Self::ToggleNullable,
        Self::ToggleDefault,
        Self::ToggleUnique,
        Self::ToggleIndex,
        Self::ToggleCheck,
        Self::ToggleForeignKey,
        Self::AddEnumValue,
        Self::DropEnumValue,
        Self::ReorderEnum,
        Self::Comment,
        Self::ToggleIdentity,
        Self::TogglePrimaryKey,
        Self::RelabelEnum,
        Self::ToggleCollation,
        Self::ToggleGenerated,
        Self::EditDomain,
        Self::EditComposite,
        Self::MoveToNamespace,
        Self::TradePlaces,
        Self::EditNamespace,
        Self::EditView,
        Self::EditPartitions,
        Self::EditCarried,
    ];

    /// Apply the edit to `doc`, picking targets with `salt`; the result may
    /// be invalid (the caller validates and discards those).
    pub fn apply(self, doc: &mut SchemaDocument, salt: usize, new_name: &str) {
        let ti = salt % doc.tables.len().max(1);
        let Some(table) = doc.tables.get_mut(ti) else { return };
        let ci = (salt / 7) % table.columns.len().max(1);
        let fresh = format!("{}_{salt}", clip(new_name, 40).trim_end());
        match self {
            Self::RenameTable => table.name = fresh,
            Self::RenameColumn => {
                let old = quote(&table.columns[ci].name);
                table.columns[ci].name = fresh.clone();
                let new = quote(&fresh);
                for k in &mut table.checks {
                    k.expression = k.expression.replace(&old, &new);
                }
                for x in &mut table.indexes {
                    x.predicate = x.predicate.as_ref().map(|p| p.replace(&old, &new));
                    for ic in &mut x.column_ids {
                        if let IndexColumn::Spec(IndexColumnSpec { expression: Some(e), .. }) = ic {
                            *e = e.replace(&old, &new);
                        }
                    }
                }
            }
            Self::RenameEnum => {
                let n = doc.enums.len();
                if let Some(e) = doc.enums.get_mut(salt % n.max(1)) {
                    e.name = fresh;
                }
            }
            Self::RenameConstraint => match salt % 3 {
                0 => {
                    if let Some(k) = table.checks.first_mut() {
                        k.name = Some(fresh);
                    }
                }
                1 => {
                    if let Some(x) = table.indexes.first_mut() {
                        x.name = Some(fresh);
                    }
                }
                _ => {
                    let n = doc.foreign_keys.len();
                    if let Some(fk) = doc.foreign_keys.get_mut(salt % n.max(1)) {
                        fk.name = Some(fresh);
                    }
                }
            },
            Self::AddTable => {
                let id = format!("new_t{salt}");
                let mut key = Column::new(format!("{id}_c0"), "id", "integer");
                key.primary_key = true;
                let mut note = Column::new(format!("{id}_c1"), "note", "text");
                note.comment = Some("added".into());
                doc.tables.push(Table {
                    id,
                    name: fresh,
                    namespace_id: None,
                    comment: None,
                    position: None,
                    columns: vec![key, note],
                    indexes: vec![],
                    checks: vec![],
                    uniques: vec![],
                    exclusions: vec![],
                    without_primary_key: false,
                    primary_key_name: None,
                    row_level_security: false,
                    partition_by: None,
                    partitions: Vec::new(),
                    primary_key: None,
                });
            }
            Self::DropTable => {
                let id = doc.tables.remove(ti).id;
                doc.foreign_keys.retain(|fk| fk.source_table_id != id && fk.target_table_id != id);
            }
            Self::AddColumn => {
                let ty = TYPES[salt % TYPES.len()];
                let mut col = Column::new(format!("new_c{salt}"), fresh, ty);
                if ty == "enum" {
                    match doc.enums.first() {
                        Some(e) => col.enum_id = Some(e.id.clone()),
                        None => col.data_type = "text".into(),
                    }
                }
                let label =
                    col.enum_id.as_ref().and_then(|_| doc.enums.first()).map(|e| e.values[0].label().to_string());
                if salt % 2 == 0 {
                    col.default = default_for(&col.data_type, label.as_deref());
                }
                col.nullable = Some(salt % 3 != 0);
                doc.tables[ti].columns.push(col);
            }
            // A table keeps at least one column.
            Self::DropColumn if table.columns.len() < 2 => {}
            Self::DropColumn => {
                let col = table.columns.remove(ci);
                let q = quote(&col.name);
                // A generated column that reads it becomes plain.
                for c in &mut table.columns {
                    if c.generated.as_ref().is_some_and(|g| g.expression.contains(&q)) {
                        c.generated = None;
                    }
                }
                table.checks.retain(|k| !k.expression.contains(&q));
                table.indexes.retain(|x| {
                    x.column_ids.iter().all(|c| c.column_id() != Some(col.id.as_str()))
                        && !x.column_ids.iter().any(|c| c.expression().is_some_and(|e| e.contains(&q)))
                        && !x.include.contains(&col.id)
                        && !x.predicate.as_ref().is_some_and(|p| p.contains(&q))
                });
                table.uniques.retain(|u| !u.column_ids.contains(&col.id));
                table.exclusions.retain(|x| x.elements.iter().all(|e| e.column_id.as_ref() != Some(&col.id)));
                let tid = table.id.clone();
                doc.foreign_keys.retain(|fk| {
                    let uses = |t: &str, one: &Option<String>, many: &Option<Vec<String>>| {
                        t == tid
                            && (one.as_ref() == Some(&col.id) || many.as_ref().is_some_and(|m| m.contains(&col.id)))
                    };
                    !uses(&fk.source_table_id, &fk.source_column_id, &fk.source_column_ids)
                        && !uses(&fk.target_table_id, &fk.target_column_id, &fk.target_column_ids)
                });
            }
            Self::ChangeType => {
                let col = &mut table.columns[ci];
                let ty = TYPES[(salt / 3) % TYPES.len()];
                col.data_type = ty.into();
                col.length = None;
                col.precision = None;
                col.scale = None;
                col.is_array = None;
                col.default = None;
                col.auto_increment = false;
                col.identity = None;
                col.enum_id = if ty == "enum" { doc.enums.first().map(|e| e.id.clone()) } else { None };
                col.domain_id = if ty == "domain" { doc.domains.get(salt % 2).map(|d| d.id.clone()) } else { None };
                col.composite_id = if ty == "composite" { doc.composites.first().map(|c| c.id.clone()) } else { None };
                if ty == "composite" {
                    col.unique = false;
                }
                if !matches!(ty, "text" | "varchar(20)" | "char(3)") {
                    col.collation = None;
                }
                // Offline validation cannot tell which operators and
                // functions the wider types have (the server does, with
                // --dev-url): a check written for the old type goes, as a
                // designer would rewrite it.
                if TYPES.iter().position(|t| *t == ty) >= TYPES.iter().position(|t| *t == "money") {
                    let q = quote(&col.name);
                    table.checks.retain(|k| !k.expression.contains(&q));
                }
            }
            Self::ToggleNullable => {
                let col = &mut table.columns[ci];
                col.nullable = Some(!col.nullable.unwrap_or(true));
            }
            Self::ToggleDefault => {
                let enum_label = table.columns[ci]
                    .enum_id
                    .as_ref()
                    .and_then(|id| doc.enums.iter().find(|e| &e.id == id))
                    .and_then(|e| e.values.last().map(|v| v.label().to_string()));
                let col = &mut doc.tables[ti].columns[ci];
                col.default = match col.default {
                    Some(_) => None,
                    None => default_for(&col.data_type, enum_label.as_deref()),
                };
            }
            Self::ToggleUnique => {
                let col = &mut table.columns[ci];
                col.unique = !col.unique;
            }
            Self::ToggleGenerated => {
                let other = table
                    .columns
                    .iter()
                    .enumerate()
                    .find(|(i, c)| *i != ci && c.generated.is_none())
                    .map(|(_, c)| quote(&c.name));
                let col = &mut table.columns[ci];
                match (&mut col.generated, other) {
                    (Some(g), _) if salt % 2 == 0 => {
                        g.expression = match g.expression.strip_suffix(" IS NOT NULL") {
                            Some(base) => format!("{base} IS NULL"),
                            None => g.expression.replace(" IS NULL", " IS NOT NULL"),
                        }
                    }
                    (Some(_), _) => col.generated = None,
                    (None, Some(other)) if col.data_type == "boolean" => {
                        col.default = None;
                        col.generated = Some(GeneratedSpec { expression: format!("{other} IS NOT NULL") });
                    }
                    _ => {}
                }
            }
            Self::ToggleCollation => {
                let col = &mut table.columns[ci];
                if matches!(col.data_type.as_str(), "text" | "varchar(20)" | "char(3)") {
                    col.collation = match col.collation {
                        Some(_) => None,
                        None => Some(if salt % 2 == 0 { "C" } else { "POSIX" }.into()),
                    };
                }
            }
            Self::ToggleIndex => {
                if table.indexes.is_empty() {
                    let id = table.columns[ci].id.clone();
                    table.indexes.push(super::index(format!("new_x{salt}"), &id));
                } else {
                    table.indexes.remove(salt % table.indexes.len());
                }
            }
            Self::ToggleCheck => {
                if table.checks.is_empty() {
                    let col = &table.columns[ci];
                    let expression = check_expression(&col.name, &col.data_type);
                    table.checks.push(Check {
                        id: format!("new_k{salt}"),
                        name: None,
                        expression,
                        comment: Some(format!("added {salt}")),
                    });
                } else {
                    table.checks.remove(salt % table.checks.len());
                }
            }
            Self::ToggleForeignKey => {
                if doc.foreign_keys.is_empty() || salt % 2 == 0 {
                    // Reference a single-column primary key with a new column.
                    let targets: Vec<(String, Column)> = doc
                        .tables
                        .iter()
                        .filter_map(|t| {
                            let keys: Vec<&Column> = t.columns.iter().filter(|c| c.primary_key).collect();
                            (keys.len() == 1 && t.primary_key.is_none()).then(|| (t.id.clone(), keys[0].clone()))
                        })
                        .collect();
                    let Some((target_id, key)) = targets.get(salt % targets.len().max(1)).cloned() else { return };
                    let mut col = Column::new(format!("new_f{salt}"), fresh, key.data_type.clone());
                    col.enum_id = key.enum_id.clone();
                    col.domain_id = key.domain_id.clone();
                    col.is_array = key.is_array;
                    col.length = key.length;
                    col.precision = key.precision;
                    col.scale = key.scale;
                    let source = &mut doc.tables[ti];
                    let source_id = source.id.clone();
                    let col_id = col.id.clone();
                    source.columns.push(col);
                    doc.foreign_keys.push(ForeignKey {
                        id: format!("new_fk{salt}"),
                        name: None,
                        source_table_id: source_id,
                        source_column_ids: None,
                        source_column_id: Some(col_id),
                        target_table_id: target_id,
                        target_column_ids: None,
                        target_column_id: Some(key.id),
                        on_delete: ACTIONS[salt % 3],
                        on_update: ReferentialAction::NoAction,
                        match_type: MatchType::Simple,
                        deferrable: salt % 2 == 0,
                        initially_deferred: false,
                        comment: None,
                    });
                } else {
                    let n = doc.foreign_keys.len();
                    doc.foreign_keys.remove(salt % n);
                }
            }
            Self::AddEnumValue => {
                let n = doc.enums.len();
                if let Some(e) = doc.enums.get_mut(salt % n.max(1)) {
                    let at = salt % (e.values.len() + 1);
                    if !e.values.iter().any(|v| v.label() == fresh) {
                        // With an id where the enum's labels have them.
                        let value = match e.values.iter().any(|v| v.id().is_some()) {
                            true => EnumValue::WithId(EnumValueSpec { id: format!("new_v{salt}"), value: fresh }),
                            false => EnumValue::Label(fresh),
                        };
                        e.values.insert(at, value);
                    }
                }
            }
            Self::DropEnumValue => {
                let n = doc.enums.len();
                if let Some(e) = doc.enums.get_mut(salt % n.max(1)) {
                    if e.values.len() > 1 {
                        let gone = e.values.remove(salt % e.values.len());
                        let id = e.id.clone();
                        // Defaults that used the label go too.
                        for t in &mut doc.tables {
                            for c in &mut t.columns {
                                let uses = matches!(&c.default, Some(ColumnDefault::Literal(Literal::String(s))) if s == gone.label());
                                if c.enum_id.as_deref() == Some(id.as_str()) && uses {
                                    c.default = None;
                                }
                            }
                        }
                    }
                }
            }
            Self::RelabelEnum => {
                let n = doc.enums.len();
                let Some(e) = doc.enums.get_mut(salt % n.max(1)) else { return };
                let relabel = |v: &mut EnumValue, text: String| match v {
                    EnumValue::Label(l) => *l = text,
                    EnumValue::WithId(spec) => spec.value = text,
                };
                let mut moves: Vec<(String, String)> = Vec::new();
                if salt % 2 == 0 || e.values.len() < 2 {
                    let k = salt % e.values.len().max(1);
                    if e.values.iter().any(|v| v.label() == new_name) || e.values.is_empty() {
                        return;
                    }
                    moves.push((e.values[k].label().to_string(), new_name.to_string()));
                    relabel(&mut e.values[k], new_name.to_string());
                } else {
                    let (a, b) = (e.values[0].label().to_string(), e.values[1].label().to_string());
                    relabel(&mut e.values[0], b.clone());
                    relabel(&mut e.values[1], a.clone());
                    moves.push((a.clone(), b.clone()));
                    moves.push((b, a));
                }
                let id = e.id.clone();
                for t in &mut doc.tables {
                    for c in t.columns.iter_mut().filter(|c| c.enum_id.as_deref() == Some(id.as_str())) {
                        if let Some(ColumnDefault::Literal(Literal::String(s))) = &mut c.default {
                            if let Some((_, to)) = moves.iter().find(|(from, _)| from == s) {
                                *s = to.clone();
                            }
                        }
                    }
                }
            }
            Self::ReorderEnum => {
                let n = doc.enums.len();
                if let Some(e) = doc.enums.get_mut(salt % n.max(1)) {
                    e.values.reverse();
                }
            }
            Self::Comment => match salt % 6 {
                0 => table.comment = if table.comment.is_some() { None } else { Some(fresh) },
                1 => {
                    let c = &mut table.columns[ci];
                    c.comment = if c.comment.is_some() { None } else { Some(fresh) };
                }
                2 => {
                    if let Some(k) = table.checks.first_mut() {
                        k.comment = if k.comment.is_some() { None } else { Some(fresh) };
                    }
                }
                3 => {
                    if let Some(x) = table.indexes.first_mut() {
                        x.comment = if x.comment.is_some() { None } else { Some(fresh) };
                    }
                }
                4 => {
                    let n = doc.foreign_keys.len();
                    if let Some(fk) = doc.foreign_keys.get_mut(salt % n.max(1)) {
                        fk.comment = if fk.comment.is_some() { None } else { Some(fresh) };
                    }
                }
                _ => {
                    let n = doc.enums.len();
                    if let Some(e) = doc.enums.get_mut(salt % n.max(1)) {
                        e.comment = if e.comment.is_some() { None } else { Some(fresh) };
                    }
                }
            },
            Self::ToggleIdentity => {
                if let Some(col) = table.columns.iter_mut().find(|c| c.primary_key) {
                    if matches!(col.data_type.as_str(), "smallint" | "integer" | "bigint") {
                        // Off -> on -> on with other sequence options -> off.
                        match (col.auto_increment || col.identity.is_some(), col.identity.is_some()) {
                            (false, _) => col.auto_increment = true,
                            (true, false) => {
                                col.identity = Some(IdentitySpec {
                                    increment: Some(2),
                                    max_value: Some(30_000),
                                    cycle: true,
                                    ..IdentitySpec::default()
                                })
                            }
                            (true, true) => {
                                col.auto_increment = false;
                                col.identity = None;
                            }
                        }
                        col.default = None;
                    }
                }
            }
            Self::EditDomain => {
                let n = doc.domains.len();
                let Some(d) = doc.domains.get_mut(salt % n.max(1)) else { return };
                match (salt / 5) % 7 {
                    0 => d.name = fresh,
                    1 => {
                        if let Some(k) = d.checks.first_mut() {
                            k.name = Some(fresh);
                        }
                    }
                    2 => d.checks.push(DomainCheck {
                        id: format!("{}k{salt}", d.id),
                        name: None,
                        expression: "VALUE IS NOT NULL OR VALUE IS NULL".into(),
                    }),
                    3 => d.checks.clear(),
                    4 => d.not_null = !d.not_null,
                    5 => {
                        d.default = match d.default {
                            Some(_) => None,
                            None if d.data_type.ends_with("int") || d.data_type.contains("integer") => {
                                Some(ColumnDefault::Literal(Literal::Number(7.into())))
                            }
                            None => Some(ColumnDefault::Literal(Literal::String("d".into()))),
                        }
                    }
                    _ => {
                        d.data_type = match d.data_type.as_str() {
                            "integer" => "bigint",
                            "bigint" => "integer",
                            "varchar(20)" => "text",
                            _ => "varchar(20)",
                        }
                        .into();
                        // A default that no longer fits goes.
                        d.default = d.default.take().filter(|_| d.data_type != "integer");
                    }
                }
            }
            Self::EditComposite => {
                let Some(c) = doc.composites.first_mut() else { return };
                match (salt / 5) % 6 {
                    0 => c.name = fresh,
                    1 => {
                        if let Some(a) = c.attributes.first_mut() {
                            a.name = fresh;
                        }
                    }
                    2 => {
                        let mut a = c.attributes[0].clone();
                        a.id = format!("k0a{salt}");
                        a.name = fresh;
                        c.attributes.push(a);
                    }
                    3 if c.attributes.len() > 1 => {
                        c.attributes.pop();
                    }
                    4 if c.attributes.len() > 1 => c.attributes.swap(0, 1),
                    _ => {
                        if let Some(a) = c.attributes.iter_mut().find(|a| a.data_type.contains("int")) {
                            a.data_type = if a.data_type == "integer" { "bigint" } else { "integer" }.into();
                        }
                    }
                }
            }
            Self::MoveToNamespace => {
                let mut places: Vec<Option<String>> = vec![None];
                places.extend(doc.namespaces.iter().map(|n| Some(n.id.clone())));
                let to = places[(salt / 3) % places.len()].clone();
                match salt % 4 {
                    0 => move_table(doc, ti, to),
                    1 => {
                        let n = doc.enums.len().max(1);
                        if let Some(e) = doc.enums.get_mut(salt / 5 % n) {
                            e.namespace_id = to;
                        }
                    }
                    2 => {
                        let n = doc.domains.len().max(1);
                        if let Some(d) = doc.domains.get_mut(salt / 5 % n) {
                            d.namespace_id = to;
                        }
                    }
                    _ => {
                        if let Some(c) = doc.composites.first_mut() {
                            c.namespace_id = to;
                        }
                    }
                }
            }
            Self::TradePlaces => {
                let other = (salt / 3) % doc.tables.len().max(1);
                let (a, b) = (doc.tables[ti].namespace_id.clone(), doc.tables[other].namespace_id.clone());
                move_table(doc, ti, b);
                move_table(doc, other, a);
            }
            Self::EditNamespace => {
                let n = doc.namespaces.len();
                let ni = (salt / 3) % n.max(1);
                match salt % 6 {
                    0 if n > 0 => doc.namespaces[ni].name = fresh,
                    1 if n > 1 => {
                        let first = doc.namespaces[0].name.clone();
                        doc.namespaces[0].name = std::mem::replace(&mut doc.namespaces[1].name, first);
                    }
                    2 => {
                        let id = format!("n_new{salt}");
                        doc.namespaces.push(Namespace { id: id.clone(), name: fresh, comment: None });
                        move_table(doc, ti, Some(id));
                    }
                    3 if n > 0 => {
                        let gone = doc.namespaces.remove(ni).id;
                        rehome(doc, &gone, None);
                    }
                    4 if n > 0 => {
                        let id = format!("n_re{salt}");
                        let old = std::mem::replace(&mut doc.namespaces[ni].id, id.clone());
                        rehome(doc, &old, Some(id));
                    }
                    _ if n > 0 => {
                        let ns = &mut doc.namespaces[ni];
                        ns.comment = if ns.comment.is_some() { None } else { Some(fresh) };
                    }
                    _ => {}
                }
            }
            Self::EditView => super::views::edit_views(doc, salt, &fresh),
            Self::EditPartitions => super::partitions::edit_partitions(doc, salt, &fresh),
            Self::EditCarried => super::carried::edit_carried(doc, salt),
            Self::TogglePrimaryKey => {
                if table.without_primary_key {
                    table.without_primary_key = false;
                    if let Some(col) = table.columns.first_mut() {
                        col.primary_key = true;
                    }
                } else {
                    // Invalid (and discarded) when a foreign key needs the key.
                    table.primary_key = None;
                    table.columns.iter_mut().for_each(|c| c.primary_key = false);
                    table.without_primary_key = true;
                }
            }
        }
    }
}

/// Move table `ti` and the sequences it owns to namespace `to`.
fn move_table(doc: &mut SchemaDocument, ti: usize, to: Option<String>) {
    let Some(t) = doc.tables.get_mut(ti) else { return };
    t.namespace_id = to.clone();
    let id = t.id.clone();
    for s in doc.sequences.iter_mut().filter(|s| s.owned_by.as_ref().is_some_and(|o| o.table_id == id)) {
        s.namespace_id = to.clone();
    }
}

/// Everything in namespace `from` goes to `to`.
fn rehome(doc: &mut SchemaDocument, from: &str, to: Option<String>) {
    let moves = |ns: &mut Option<String>| {
        if ns.as_deref() == Some(from) {
            *ns = to.clone();
        }
    };
    doc.tables.iter_mut().for_each(|t| moves(&mut t.namespace_id));
    doc.enums.iter_mut().for_each(|e| moves(&mut e.namespace_id));
    doc.domains.iter_mut().for_each(|d| moves(&mut d.namespace_id));
    doc.composites.iter_mut().for_each(|c| moves(&mut c.namespace_id));
    doc.sequences.iter_mut().for_each(|s| moves(&mut s.namespace_id));
    doc.extensions.iter_mut().for_each(|x| moves(&mut x.namespace_id));
    doc.views.iter_mut().for_each(|v| moves(&mut v.namespace_id));
}

/// A valid document and a valid edit of it: one to five [`Edit`]s, each
/// kept only when the result still validates, listed in the order applied.
pub fn edited_document() -> impl Strategy<Value = (SchemaDocument, SchemaDocument, Vec<Edit>)> {
    // The base generator's random names can, rarely, be refused (a `pg_`
    // prefix); such a case is not a migration case.
    let base = valid_document().prop_filter("the base document validates", |d| schemaforge_domain::validate(d).valid);
    (base, prop::collection::vec((select(Edit::ALL.to_vec()), any::<usize>(), name()), 1..6)).prop_map(
        |(old, edits)| {
            let mut new = old.clone();
            let mut applied = Vec::new();
            for (edit, salt, name) in edits {
                let mut candidate = new.clone();
                edit.apply(&mut candidate, salt, &name);
                super::views::refresh_views(&mut candidate);
                super::carried::refresh_carried(&mut candidate);
                if schemaforge_domain::validate(&candidate).valid {
                    new = candidate;
                    applied.push(edit);
                }
            }
            (old, new, applied)
        },
    )
}
