//! proptest strategies for schema documents.
//!
//! [`valid_document`] builds documents that are valid by construction and
//! full of hostile names (quotes, semicolons, comment markers, backslashes,
//! unicode, reserved words, 63-byte names); [`invalid_document`] breaks a
//! valid one in a known way and says which problem code must be reported.

use proptest::prelude::*;
use proptest::sample::select;
use schemaforge_domain::{
    Check, Column, ColumnDefault, Composite, CompositeAttribute, Domain, DomainCheck, EnumType, EnumValue,
    EnumValueSpec, ExclusionConstraint, ExclusionElement, ExpressionDefault, ForeignKey, FunctionDefault,
    GeneratedSpec, IdentitySpec, Index, IndexColumn, IndexColumnSpec, IndexMethod, Literal, MatchType, Namespace,
    NullsOrder, Position, ReferentialAction, SchemaDocument, Sequence, SequenceDefault, SequenceOwner, SortOrder,
    StorageValue, Table, UniqueConstraint,
};
use std::collections::HashSet;

/// Names chosen to break naive quoting.
pub const HOSTILE_NAMES: &[&str] = &[
    "\"",
    "a\"b",
    "\"\"",
    "'; DROP TABLE users; --",
    "O'Reilly",
    "back\\slash",
    "semi;colon",
    "/* comment */",
    "-- dashes",
    "日本語のテーブル",
    "Ünïcödé",
    "emoji 🚀",
    "select",
    "table",
    "user",
    "order",
    "Group",
    "$1",
    "%s",
    ":param",
    "?",
    "with space",
    "UPPER",
    "1leading_digit",
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "ééééééééééééééééééééééééééééééx",
    "🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀abc",
];

/// A plain or hostile identifier (never with PostgreSQL's reserved `pg_`
/// prefix, which validation refuses for relations and types).
pub fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-z][a-z0-9_]{0,15}",
        2 => select(HOSTILE_NAMES).prop_map(str::to_string),
        1 => "[A-Za-z][A-Za-z0-9 '\";]{0,10}[a-z]",
    ]
    .prop_filter("not pg_", |n| !n.to_lowercase().starts_with("pg_"))
}

/// Make `name` unique within `taken` by appending a number, staying within 63 bytes.
fn unique(name: &str, taken: &mut HashSet<String>) -> String {
    let mut candidate = name.to_string();
    let mut n = 1;
    while taken.contains(&candidate) {
        let suffix = format!("_{n}");
        let mut base = name.to_string();
        while base.len() + suffix.len() > 63 {
            base.pop();
        }
        candidate = format!("{}{suffix}", base.trim_end());
        n += 1;
    }
    taken.insert(candidate.clone());
    candidate
}

/// The column types the generator uses.
pub const TYPES: &[&str] = &[
    "smallint",
    "integer",
    "bigint",
    "numeric(10,2)",
    "numeric",
    "real",
    "double precision",
    "boolean",
    "char(3)",
    "varchar(20)",
    "text",
    "bytea",
    "date",
    "time",
    "timestamp(3)",
    "timestamptz",
    "interval",
    "uuid",
    "json",
    "jsonb",
    "inet",
    "cidr",
    "macaddr",
    "text[]",
    "integer[]",
    "enum",
    "money",
    "timetz",
    "bit(4)",
    "varbit",
    "macaddr8",
    "point",
    "int4range",
    "tsvector",
    "domain",
    "composite",
];

/// Whether a hash index can index the type.
fn hashable(data_type: &str) -> bool {
    !matches!(data_type, "json" | "point" | "money" | "bit(4)" | "varbit" | "tsvector" | "composite")
}

/// Whether a btree can index the type (so it can be a key or unique).
fn keyable(data_type: &str) -> bool {
    !matches!(data_type, "json" | "point" | "composite")
}

fn default_for(data_type: &str, enum_label: Option<&str>) -> Option<ColumnDefault> {
    let s = |v: &str| Some(ColumnDefault::Literal(Literal::String(v.to_string())));
    let f = |v: &str| Some(ColumnDefault::Function(FunctionDefault { function: v.to_string() }));
    let n = |v: i64| Some(ColumnDefault::Literal(Literal::Number(v.into())));
    match data_type {
        "smallint" => n(-32768),
        "integer" => n(2_147_483_647),
        "bigint" => s("9223372036854775807"),
        "numeric(10,2)" => s("12345678.99"),
        "numeric" => s("1e10"),
        "real" => Some(ColumnDefault::Literal(Literal::Number(serde_json::Number::from_f64(1.5)?))),
        "double precision" => s("NaN"),
        "boolean" => Some(ColumnDefault::Literal(Literal::Bool(true))),
        "char(3)" => s("a'b"),
        "varchar(20)" => s("it's \\ ok"),
        "text" => s("'; DROP TABLE x; -- \\ /* */ 日本"),
        "bytea" => s("\\xdeadbeef"),
        "date" => Some(ColumnDefault::Expression(ExpressionDefault { expression: "CURRENT_DATE + 7".into() })),
        "time" => s("23:59:59"),
        "timestamp(3)" => s("2024-01-01 10:00:00.123"),
        "timestamptz" => f("now()"),
        "interval" => Some(ColumnDefault::Expression(ExpressionDefault { expression: "'1 day'::interval * 2".into() })),
        "uuid" => f("gen_random_uuid"),
        "json" => s("{\"a\": [1, 2]}"),
        "jsonb" => s("{}"),
        "inet" => s("192.168.0.1/24"),
        "cidr" => s("10.0.0.0/8"),
        "macaddr" => s("08:00:2b:01:02:03"),
        "text[]" => Some(ColumnDefault::Literal(Literal::Array(vec![
            Literal::String("a".into()),
            Literal::Null,
            Literal::String("it's".into()),
        ]))),
        "integer[]" => Some(ColumnDefault::Literal(Literal::Array(vec![]))),
        "enum" => enum_label.and_then(s),
        "money" => s("12.34"),
        "timetz" => s("12:00:00+02"),
        "bit(4)" => s("1010"),
        "varbit" => s("x0F"),
        "macaddr8" => s("08:00:2b:01:02:03:04:05"),
        "point" => s("(1,2)"),
        "int4range" => s("[1,10)"),
        "tsvector" => s("a b"),
        _ => None,
    }
}

#[derive(Debug, Clone)]
struct ColSpec {
    name: String,
    ty: usize,
    nullable: bool,
    unique: bool,
    default: bool,
    comment: Option<String>,
}

#[derive(Debug, Clone)]
struct TableSpec {
    name: String,
    comment: Option<String>,
    columns: Vec<ColSpec>,
    composite_pk: bool,
    auto_increment: bool,
    checks: Vec<(usize, Option<String>)>,
    indexes: Vec<(Vec<usize>, Option<String>, bool, u8)>,
}

#[derive(Debug, Clone)]
struct FkSpec {
    source: usize,
    target: usize,
    nullable: bool,
    on_delete: usize,
    on_update: usize,
    name: Option<String>,
    column_name: String,
}

fn col_spec() -> impl Strategy<Value = ColSpec> {
    (
        name(),
        0..TYPES.len(),
        any::<bool>(),
        prop::bool::weighted(0.2),
        any::<bool>(),
        prop::option::weighted(0.2, name()),
    )
        .prop_map(|(name, ty, nullable, unique, default, comment)| ColSpec {
            name,
            ty,
            nullable,
            unique,
            default,
            comment,
        })
}

fn table_spec() -> impl Strategy<Value = TableSpec> {
    (
        name(),
        prop::option::weighted(0.3, name()),
        prop::collection::vec(col_spec(), 1..7),
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec((0usize..7, prop::option::weighted(0.3, name())), 0..3),
        prop::collection::vec(
            (prop::collection::vec(0usize..7, 1..3), prop::option::weighted(0.3, name()), any::<bool>(), 0u8..5),
            0..3,
        ),
    )
        .prop_map(|(name, comment, columns, composite_pk, auto_increment, checks, indexes)| TableSpec {
            name,
            comment,
            columns,
            composite_pk,
            auto_increment,
            checks,
            indexes,
        })
}

fn fk_spec() -> impl Strategy<Value = FkSpec> {
    (0usize..6, 0usize..6, any::<bool>(), 0usize..5, 0usize..5, prop::option::weighted(0.3, name()), name()).prop_map(
        |(source, target, nullable, on_delete, on_update, name, column_name)| FkSpec {
            source,
            target,
            nullable,
            on_delete,
            on_update,
            name,
            column_name,
        },
    )
}

const ACTIONS: [ReferentialAction; 5] = [
    ReferentialAction::NoAction,
    ReferentialAction::Restrict,
    ReferentialAction::Cascade,
    ReferentialAction::SetNull,
    ReferentialAction::SetDefault,
];

/// Documents that must validate without errors.
pub fn valid_document() -> impl Strategy<Value = SchemaDocument> {
    (
        prop::collection::vec((name(), prop::collection::vec(name(), 1..5)), 0..3),
        prop::collection::vec(table_spec(), 1..6),
        prop::collection::vec(fk_spec(), 0..6),
    )
        .prop_map(|(enums, tables, fks)| build(enums, tables, fks))
}

/// The longest prefix of `s` within `max` bytes.
fn clip(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn check_expression(column: &str, data_type: &str) -> String {
    let c = quote(column);
    match data_type {
        "smallint" | "integer" | "bigint" | "numeric(10,2)" | "numeric" | "real" | "double precision" => {
            format!("{c} >= -1000000 OR {c} IS NULL")
        }
        "char(3)" | "varchar(20)" | "text" => format!("length({c}) < 1000 AND {c} NOT LIKE '%''; --%'"),
        "boolean" => format!("{c} OR NOT {c}"),
        "text[]" | "integer[]" => format!("cardinality({c}) <= 100"),
        _ => format!("{c} IS NOT NULL OR TRUE"),
    }
}

fn build(enum_specs: Vec<(String, Vec<String>)>, specs: Vec<TableSpec>, fk_specs: Vec<FkSpec>) -> SchemaDocument {
    // One set for enum, table and index names: stricter than PostgreSQL needs.
    let mut relation_names = HashSet::new();
    let mut enums = Vec::new();
    for (i, (name, labels)) in enum_specs.into_iter().enumerate() {
        let mut seen = HashSet::new();
        // Every other enum gives its labels ids.
        let values: Vec<EnumValue> = labels
            .into_iter()
            .filter(|l| seen.insert(l.clone()))
            .enumerate()
            .map(|(k, value)| match i % 2 {
                1 => EnumValue::WithId(EnumValueSpec { id: format!("e{i}v{k}"), value }),
                _ => EnumValue::Label(value),
            })
            .collect();
        enums.push(EnumType {
            id: format!("e{i}"),
            name: unique(&name, &mut relation_names),
            namespace_id: (i == 1).then(|| "n1".to_string()),
            values,
            comment: (i % 2 == 0).then(|| "enum 'comment' \\ here".to_string()),
        });
    }

    let domains = domains(&mut relation_names);
    let composites = composites(&mut relation_names);
    let mut tables: Vec<Table> = Vec::new();
    for (ti, spec) in specs.iter().enumerate() {
        let name = unique(&spec.name, &mut relation_names);
        let mut col_names = HashSet::new();
        let mut columns: Vec<Column> = Vec::new();
        for (ci, cs) in spec.columns.iter().enumerate() {
            let mut data_type = TYPES[cs.ty];
            if data_type == "enum" && enums.is_empty() {
                data_type = "text";
            }
            let is_key = ci == 0 || (spec.composite_pk && ci == 1);
            if is_key && !keyable(data_type) {
                data_type = "jsonb";
            }
            let mut col = Column::new(format!("t{ti}c{ci}"), unique(&cs.name, &mut col_names), data_type);
            if data_type == "enum" {
                let e = &enums[ci % enums.len()];
                col.enum_id = Some(e.id.clone());
            }
            if data_type == "domain" {
                col.domain_id = Some(domains[ci % domains.len()].id.clone());
            }
            if data_type == "composite" {
                col.composite_id = Some(composites[0].id.clone());
            }
            let label =
                col.enum_id.as_ref().and_then(|id| enums.iter().find(|e| &e.id == id)).map(|e| e.values[0].label());
            if cs.default {
                col.default = default_for(data_type, label);
            }
            col.nullable = Some(cs.nullable);
            col.unique = cs.unique && keyable(data_type) && !is_key;
            // Every other text column of every third table is collated.
            if data_type == "text" && ti % 3 == 1 && ci % 2 == 1 {
                col.collation = Some("C".into());
            }
            col.comment = cs.comment.clone();
            columns.push(col);
        }
        let composite = spec.composite_pk && columns.len() >= 2;
        let primary_key = if composite {
            Some(vec![columns[0].id.clone(), columns[1].id.clone()])
        } else {
            columns[0].primary_key = true;
            if spec.auto_increment && matches!(columns[0].data_type.as_str(), "smallint" | "integer" | "bigint") {
                columns[0].auto_increment = true;
                columns[0].default = None;
                // Every other one with sequence options.
                if ti % 2 == 1 {
                    columns[0].identity = Some(IdentitySpec {
                        increment: Some(3),
                        cache: Some(4),
                        start: Some(10),
                        ..IdentitySpec::default()
                    });
                }
            }
            None
        };
        let mut constraint_names = HashSet::new();
        let checks = spec
            .checks
            .iter()
            .enumerate()
            .map(|(ki, (col, name))| {
                let c = &columns[col % columns.len()];
                Check {
                    id: format!("t{ti}k{ki}"),
                    name: name.as_ref().map(|n| unique(n, &mut constraint_names)),
                    expression: check_expression(&c.name, &c.data_type),
                    comment: (ki == 0 && ti % 2 == 0).then(|| "a check's 'comment' \\ here".to_string()),
                }
            })
            .collect();
        let mut indexes = Vec::new();
        for (xi, (cols, name, desc, kind)) in spec.indexes.iter().enumerate() {
            let mut ids: Vec<usize> = cols.iter().map(|c| c % columns.len()).collect();
            ids.dedup();
            let find = |pred: &dyn Fn(&str) -> bool| columns.iter().position(|c| pred(&c.data_type));
            let (method, ids) = match kind {
                1 => match find(&|t| t == "jsonb" || t.ends_with("[]")) {
                    Some(i) => (IndexMethod::Gin, vec![i]),
                    None => (IndexMethod::Btree, ids),
                },
                2 => match find(&|t| t == "timestamptz" || t == "date" || t == "integer") {
                    Some(i) => (IndexMethod::Brin, vec![i]),
                    None => (IndexMethod::Btree, ids),
                },
                3 => match find(&|t| t == "inet" || t == "cidr") {
                    Some(i) => (IndexMethod::Gist, vec![i]),
                    None => (IndexMethod::Btree, ids),
                },
                4 if hashable(&columns[ids[0]].data_type) => (IndexMethod::Hash, vec![ids[0]]),
                _ => (IndexMethod::Btree, ids),
            };
            let ids: Vec<usize> = ids.into_iter().filter(|i| keyable(&columns[*i].data_type)).collect();
            if ids.is_empty() {
                continue;
            }
            let btree = method == IndexMethod::Btree;
            let texty = |i: usize| ["text", "varchar(20)"].contains(&columns[i].data_type.as_str());
            // A btree index also gets, in turn, an expression element in
            // PostgreSQL's grammar with a collation, INCLUDE columns, and
            // NULLS NOT DISTINCT.
            let include: Vec<String> = match btree && !*desc {
                true => columns.iter().map(|c| c.id.clone()).filter(|id| *id != columns[ids[0]].id).take(1).collect(),
                false => Vec::new(),
            };
            indexes.push(Index {
                id: format!("t{ti}x{xi}"),
                name: name.as_ref().map(|n| unique(n, &mut relation_names)),
                column_ids: ids
                    .iter()
                    .map(|i| {
                        if btree && *desc && texty(*i) {
                            IndexColumn::Spec(IndexColumnSpec {
                                column_id: Some(columns[*i].id.clone()),
                                expression: None,
                                collation: Some("C".into()),
                                collation_id: None,
                                opclass: None,
                                order: Some(SortOrder::Desc),
                                nulls: Some(NullsOrder::Last),
                            })
                        } else if btree && *desc {
                            // PostgreSQL's grammar (IS NOT DISTINCT FROM),
                            // immutable for every type a change can give.
                            IndexColumn::Spec(IndexColumnSpec {
                                column_id: None,
                                expression: Some(format!("{} IS NOT DISTINCT FROM NULL", quote(&columns[*i].name))),
                                collation: None,
                                collation_id: None,
                                opclass: None,
                                order: Some(SortOrder::Desc),
                                nulls: None,
                            })
                        } else {
                            IndexColumn::Id(columns[*i].id.clone())
                        }
                    })
                    .collect(),
                unique: btree && *desc && xi == 0,
                method,
                predicate: (btree && !*desc).then(|| format!("{} IS NOT NULL", quote(&columns[ids[0]].name))),
                include,
                nulls_not_distinct: btree && *desc && xi == 0 && ti % 2 == 1,
                with: match (method, xi) {
                    (IndexMethod::Btree, 1) => [("fillfactor".to_string(), StorageValue::Integer(70))].into(),
                    (IndexMethod::Gin, _) => [("fastupdate".to_string(), StorageValue::Bool(false))].into(),
                    _ => Default::default(),
                },
                comment: (xi == 0).then(|| "an index's 'comment'".to_string()),
            });
        }
        // Every third table gets a two-column UNIQUE constraint, in turn
        // NULLS NOT DISTINCT and deferrable.
        let pair: Vec<String> = columns
            .iter()
            .filter(|c| {
                !c.primary_key && keyable(&c.data_type) && !primary_key.as_ref().is_some_and(|k| k.contains(&c.id))
            })
            .map(|c| c.id.clone())
            .take(2)
            .collect();
        let uniques = match (ti % 3 == 2, pair.len() == 2) {
            (true, true) => vec![UniqueConstraint {
                id: format!("t{ti}u0"),
                name: None,
                column_ids: pair,
                nulls_not_distinct: ti % 2 == 0,
                deferrable: ti % 2 == 1,
                initially_deferred: ti % 4 == 1,
                comment: Some("a key's comment".into()),
            }],
            _ => Vec::new(),
        };
        // Every fourth table gets a generated column reading its second one.
        if ti % 4 == 3 && columns.len() >= 2 {
            let mut g = Column::new(format!("t{ti}gen"), unique("gen", &mut col_names), "boolean");
            g.generated = Some(GeneratedSpec { expression: format!("{} IS NOT NULL", quote(&columns[1].name)) });
            g.comment = Some("generated".into());
            columns.push(g);
        }
        // Every fifth table excludes equal values of a plain keyable column
        // (btree, =), named in turn.
        let exclusions = match columns.iter().skip(1).find(|c| keyable(&c.data_type) && c.generated.is_none()) {
            Some(c) if ti % 5 == 4 => vec![ExclusionConstraint {
                id: format!("t{ti}e0"),
                name: (ti % 2 == 0).then(|| unique("excl", &mut relation_names)),
                method: IndexMethod::Btree,
                elements: vec![ExclusionElement {
                    column_id: Some(c.id.clone()),
                    expression: None,
                    collation: None,
                    collation_id: None,
                    opclass: None,
                    operator: "=".into(),
                }],
                include: Vec::new(),
                predicate: None,
                deferrable: false,
                initially_deferred: false,
                comment: Some("an exclusion's comment".into()),
            }],
            _ => Vec::new(),
        };
        tables.push(Table {
            id: format!("t{ti}"),
            name,
            // Every third table in each namespace.
            namespace_id: [None, Some("n0".to_string()), Some("n1".to_string())][ti % 3].clone(),
            comment: spec.comment.clone(),
            position: Some(Position { x: ti as f64 * 10.0, y: -1.5 }),
            columns,
            indexes,
            checks,
            uniques,
            exclusions,
            primary_key,
            without_primary_key: false,
            primary_key_name: None,
            row_level_security: false,
            partition_by: None,
            partitions: Vec::new(),
        });
    }

    // The second table takes the first one's name: it is in another
    // namespace, so it may.
    if let [first, second, ..] = tables.as_mut_slice() {
        second.name = first.name.clone();
    }
    let mut foreign_keys = Vec::new();
    for (fi, fk) in fk_specs.iter().enumerate() {
        let (s, t) = (fk.source % tables.len(), fk.target % tables.len());
        let target = &tables[t];
        let target_id = target.id.clone();
        let key: Vec<Column> = match &target.primary_key {
            Some(ids) => ids.iter().filter_map(|id| target.columns.iter().find(|c| &c.id == id)).cloned().collect(),
            None => target.columns.iter().filter(|c| c.primary_key).cloned().collect(),
        };
        let target_ids: Vec<String> = key.iter().map(|c| c.id.clone()).collect();
        let source = &mut tables[s];
        let mut col_names: HashSet<String> = source.columns.iter().map(|c| c.name.clone()).collect();
        let mut source_ids = Vec::new();
        for (k, key_col) in key.iter().enumerate() {
            let mut col =
                Column::new(format!("f{fi}c{k}"), unique(&fk.column_name, &mut col_names), key_col.data_type.clone());
            col.enum_id = key_col.enum_id.clone();
            col.domain_id = key_col.domain_id.clone();
            col.is_array = key_col.is_array;
            col.nullable = Some(fk.nullable);
            source_ids.push(col.id.clone());
            source.columns.push(col);
        }
        let fix = |a: ReferentialAction| {
            if a == ReferentialAction::SetNull && !fk.nullable { ReferentialAction::Cascade } else { a }
        };
        let single = source_ids.len() == 1 && fi % 2 == 1;
        foreign_keys.push(ForeignKey {
            id: format!("fk{fi}"),
            name: fk.name.as_ref().map(|n| format!("{}_{fi}", clip(n, 40).trim_end())),
            source_table_id: source.id.clone(),
            source_column_ids: (!single).then(|| source_ids.clone()),
            source_column_id: single.then(|| source_ids[0].clone()),
            target_table_id: target_id,
            target_column_ids: (!single).then(|| target_ids.clone()),
            target_column_id: single.then(|| target_ids[0].clone()),
            on_delete: fix(ACTIONS[fk.on_delete]),
            on_update: fix(ACTIONS[fk.on_update]),
            match_type: if source_ids.len() > 1 && fi % 2 == 0 { MatchType::Full } else { MatchType::Simple },
            deferrable: fi % 3 == 1,
            initially_deferred: fi % 6 == 1,
            comment: (fi % 2 == 0).then(|| "a foreign key's 'comment'".to_string()),
        });
    }
    // Foreign key names must be unique per source table, also against check names.
    let mut per_table: std::collections::HashMap<String, HashSet<String>> = std::collections::HashMap::new();
    for t in &tables {
        per_table.insert(t.id.clone(), t.checks.iter().filter_map(|k| k.name.clone()).collect());
    }
    for fk in &mut foreign_keys {
        if let Some(n) = &fk.name {
            let taken = per_table.entry(fk.source_table_id.clone()).or_default();
            fk.name = Some(unique(n, taken));
        }
    }

    // Serial kept as serial: every third table whose key is a single
    // integer column without a default gets an owned sequence for it.
    let mut sequences = Vec::new();
    for (ti, t) in tables.iter_mut().enumerate().filter(|(ti, _)| ti % 3 == 0) {
        let Some(c) = t.columns.first_mut() else { continue };
        if c.data_type != "integer"
            || c.default.is_some()
            || c.auto_increment
            || c.identity.is_some()
            || c.generated.is_some()
        {
            continue;
        }
        let id = format!("s{ti}");
        c.default = Some(ColumnDefault::Sequence(SequenceDefault { sequence: id.clone() }));
        sequences.push(Sequence {
            id,
            name: unique(&format!("{}_seq", clip(&t.name, 50)), &mut relation_names),
            data_type: Some("integer".into()),
            start: None,
            increment: (ti % 2 == 1).then_some(5),
            min_value: None,
            max_value: None,
            cache: None,
            cycle: false,
            owned_by: Some(SequenceOwner { table_id: t.id.clone(), column_id: c.id.clone() }),
            namespace_id: t.namespace_id.clone(),
            comment: None,
        });
    }
    tables.push(partitions::partitioned_table(&mut relation_names));
    let mut doc = SchemaDocument {
        collations: Vec::new(),
        text_search_configurations: Vec::new(),
        json_schema: None,
        name: "generated".into(),
        description: Some("a generated 'document' \\ with \"quotes\"".into()),
        tables,
        foreign_keys,
        enums,
        extensions: Vec::new(),
        sequences,
        domains,
        composites,
        namespaces: namespaces(),
        views: Vec::new(),
        functions: Vec::new(),
        triggers: Vec::new(),
        policies: Vec::new(),
        rules: Vec::new(),
        grants: Vec::new(),
    };
    doc.views = views::initial_views(&doc);
    views::refresh_views(&mut doc);
    carried::initial_carried(&mut doc);
    carried::refresh_carried(&mut doc);
    doc
}

/// A plain btree index of one column.
fn index(id: impl Into<String>, column: &str) -> Index {
    Index {
        id: id.into(),
        name: None,
        column_ids: vec![IndexColumn::Id(column.into())],
        unique: false,
        method: IndexMethod::Btree,
        predicate: None,
        include: Vec::new(),
        nulls_not_distinct: false,
        with: Default::default(),
        comment: None,
    }
}

/// The namespaces of every generated document: one with a hostile name.
pub fn namespaces() -> Vec<Namespace> {
    vec![
        Namespace { id: "n0".into(), name: "sales \"ns\"; --".into(), comment: Some("a 'namespace'".into()) },
        Namespace { id: "n1".into(), name: "ops".into(), comment: None },
    ]
}

/// The composite type of every generated document: a hostile attribute
/// name, an integer and a value of domain `d1`.
pub fn composites(relation_names: &mut HashSet<String>) -> Vec<Composite> {
    let mut code = CompositeAttribute::new("k0a2", "code", "domain");
    code.domain_id = Some("d1".into());
    vec![Composite {
        id: "k0".into(),
        name: unique("row 'type'", relation_names),
        namespace_id: Some("n1".into()),
        attributes: vec![
            CompositeAttribute::new("k0a0", "a \"b\"", "text"),
            CompositeAttribute::new("k0a1", "n", "integer"),
            code,
        ],
        comment: Some("a composite's comment".into()),
    }]
}

/// The domains of every generated document: `d0` over integer with a check
/// (the sample values pass it) and a comment, `d1` over varchar(20)
/// collated "C" with a default and a check, both full of quotes.
pub fn domains(relation_names: &mut HashSet<String>) -> Vec<Domain> {
    let mut d0 = Domain::new("d0", unique("amount", relation_names), "integer");
    d0.checks.push(DomainCheck { id: "d0k0".into(), name: None, expression: "VALUE > -1000000".into() });
    d0.comment = Some("a domain's 'comment' \\ here".into());
    let mut d1 = Domain::new("d1", unique("a \"label\"; --", relation_names), "varchar(20)");
    d1.namespace_id = Some("n0".into());
    d1.collation = Some("C".into());
    d1.default = Some(ColumnDefault::Literal(Literal::String("it's".into())));
    d1.checks.push(DomainCheck {
        id: "d1k0".into(),
        name: Some("no 'quotes' --".into()),
        expression: "VALUE NOT LIKE '%''%' OR VALUE = 'it''s'".into(),
    });
    vec![d0, d1]
}

mod breakage;
mod carried;
mod edits;
mod partitions;
mod views;
pub use breakage::{Breakage, invalid_document};
pub use edits::{Edit, edited_document};
