//! proptest strategies for schema documents.
//!
//! [`valid_document`] builds documents that are valid by construction and
//! full of hostile names (quotes, semicolons, comment markers, backslashes,
//! unicode, reserved words, 63-byte names); [`invalid_document`] breaks a
//! valid one in a known way and says which problem code must be reported.

use proptest::prelude::*;
use proptest::sample::select;
use schemaforge_domain::{
    Check, Column, ColumnDefault, EnumType, EnumValue, EnumValueSpec, ExclusionConstraint, ExclusionElement,
    ExpressionDefault, ForeignKey, FunctionDefault, GeneratedSpec, IdentitySpec, Index, IndexColumn, IndexColumnSpec,
    IndexMethod, Literal, MatchType, NullsOrder, Position, ReferentialAction, SchemaDocument, SortOrder, StorageValue,
    Table, UniqueConstraint,
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

/// A plain or hostile identifier.
pub fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-z][a-z0-9_]{0,15}",
        2 => select(HOSTILE_NAMES).prop_map(str::to_string),
        1 => "[A-Za-z][A-Za-z0-9 '\";]{0,10}[a-z]",
    ]
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
];

/// Whether a hash index can index the type.
fn hashable(data_type: &str) -> bool {
    !matches!(data_type, "json" | "point" | "money" | "bit(4)" | "varbit" | "tsvector")
}

/// Whether a btree can index the type (so it can be a key or unique).
fn keyable(data_type: &str) -> bool {
    !matches!(data_type, "json" | "point")
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
            values,
            comment: (i % 2 == 0).then(|| "enum 'comment' \\ here".to_string()),
        });
    }

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
            comment: spec.comment.clone(),
            position: Some(Position { x: ti as f64 * 10.0, y: -1.5 }),
            columns,
            indexes,
            checks,
            uniques,
            exclusions,
            primary_key,
            without_primary_key: false,
        });
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

    SchemaDocument {
        json_schema: None,
        name: "generated".into(),
        description: Some("a generated 'document' \\ with \"quotes\"".into()),
        tables,
        foreign_keys,
        enums,
        extensions: Vec::new(),
    }
}

/// How [`invalid_document`] broke a document, and the code it must produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breakage {
    /// A table name is empty.
    EmptyTableName,
    /// A column name is 64 bytes long.
    LongColumnName,
    /// A column name holds a control character.
    ControlCharacterName,
    /// Two tables share a name.
    DuplicateTableName,
    /// A column reuses its table's id.
    DuplicateId,
    /// A table lost its primary key.
    NoPrimaryKey,
    /// A column has an unknown type.
    UnknownType,
    /// varchar(0).
    ZeroLength,
    /// autoIncrement on text.
    AutoIncrementText,
    /// An integer default that is not a number.
    BadDefault,
    /// A function default outside the closed list.
    ForbiddenFunction,
    /// A check that does not parse.
    BrokenCheck,
    /// A check naming a missing column.
    CheckUnknownColumn,
    /// A foreign key to a missing table.
    DanglingForeignKey,
    /// An enum without values.
    EmptyEnum,
}

impl Breakage {
    /// Every kind.
    pub const ALL: [Breakage; 15] = [
        Self::EmptyTableName,
        Self::LongColumnName,
        Self::ControlCharacterName,
        Self::DuplicateTableName,
        Self::DuplicateId,
        Self::NoPrimaryKey,
        Self::UnknownType,
        Self::ZeroLength,
        Self::AutoIncrementText,
        Self::BadDefault,
        Self::ForbiddenFunction,
        Self::BrokenCheck,
        Self::CheckUnknownColumn,
        Self::DanglingForeignKey,
        Self::EmptyEnum,
    ];

    /// The problem code validation must report.
    pub fn expected_code(self) -> &'static str {
        match self {
            Self::EmptyTableName | Self::LongColumnName | Self::ControlCharacterName => "INVALID_IDENTIFIER",
            Self::DuplicateTableName => "DUPLICATE_NAME",
            Self::DuplicateId => "DUPLICATE_ID",
            Self::NoPrimaryKey => "MISSING_PRIMARY_KEY",
            Self::UnknownType => "UNSUPPORTED_DATA_TYPE",
            Self::ZeroLength => "INVALID_TYPE_PARAMETER",
            Self::AutoIncrementText => "INVALID_AUTO_INCREMENT",
            Self::BadDefault | Self::ForbiddenFunction => "INVALID_DEFAULT",
            Self::BrokenCheck => "INVALID_EXPRESSION",
            Self::CheckUnknownColumn | Self::DanglingForeignKey => "UNKNOWN_REFERENCE",
            Self::EmptyEnum => "INVALID_ENUM",
        }
    }

    /// Break `doc` in this way.
    pub fn apply(self, doc: &mut SchemaDocument, salt: usize) {
        let ti = salt % doc.tables.len();
        let extra = |id: &str, name: &str, ty: &str| Column::new(format!("broken_{id}"), format!("broken_{name}"), ty);
        let table = &mut doc.tables[ti];
        match self {
            Self::EmptyTableName => table.name = String::new(),
            Self::LongColumnName => table.columns[0].name = "c".repeat(64),
            Self::ControlCharacterName => table.columns[0].name = "bell\u{7}name".into(),
            Self::DuplicateTableName => {
                let mut copy = table.clone();
                copy.id = format!("{}_copy", copy.id);
                for c in &mut copy.columns {
                    c.id = format!("{}_copy", c.id);
                }
                for x in &mut copy.indexes {
                    x.id = format!("{}_copy", x.id);
                    x.name = None;
                    for ic in &mut x.column_ids {
                        // Expression elements read names, which the copy keeps.
                        if let IndexColumn::Id(id) | IndexColumn::Spec(IndexColumnSpec { column_id: Some(id), .. }) = ic
                        {
                            *id = format!("{id}_copy");
                        }
                    }
                    for id in &mut x.include {
                        *id = format!("{id}_copy");
                    }
                }
                for k in &mut copy.checks {
                    k.id = format!("{}_copy", k.id);
                }
                for u in &mut copy.uniques {
                    u.id = format!("{}_copy", u.id);
                    u.name = None;
                    u.column_ids = u.column_ids.iter().map(|i| format!("{i}_copy")).collect();
                }
                copy.primary_key = copy.primary_key.map(|ids| ids.iter().map(|i| format!("{i}_copy")).collect());
                doc.tables.push(copy);
            }
            Self::DuplicateId => table.columns[0].id = table.id.clone(),
            Self::NoPrimaryKey => {
                table.primary_key = None;
                table.columns.iter_mut().for_each(|c| c.primary_key = false);
            }
            Self::UnknownType => table.columns.push(extra("t", "geography", "geography")),
            Self::ZeroLength => {
                let mut c = extra("z", "zero", "varchar");
                c.length = Some(0);
                table.columns.push(c);
            }
            Self::AutoIncrementText => {
                let mut c = extra("a", "auto", "text");
                c.auto_increment = true;
                table.columns.push(c);
            }
            Self::BadDefault => {
                let mut c = extra("d", "default", "integer");
                c.default = Some(ColumnDefault::Literal(Literal::String("12; DROP TABLE x".into())));
                table.columns.push(c);
            }
            Self::ForbiddenFunction => {
                let mut c = extra("f", "function", "timestamptz");
                c.default = Some(ColumnDefault::Function(FunctionDefault { function: "pg_sleep(10)".into() }));
                table.columns.push(c);
            }
            Self::BrokenCheck => table.checks.push(Check {
                id: "broken_check".into(),
                name: None,
                expression: "1 + ) OR (".into(),
                comment: None,
            }),
            Self::CheckUnknownColumn => table.checks.push(Check {
                id: "broken_check".into(),
                name: None,
                expression: "\"no such column\" > 0".into(),
                comment: None,
            }),
            Self::DanglingForeignKey => {
                let col = table.columns[0].id.clone();
                let tid = table.id.clone();
                doc.foreign_keys.push(ForeignKey {
                    id: "broken_fk".into(),
                    name: None,
                    source_table_id: tid,
                    source_column_ids: None,
                    source_column_id: Some(col.clone()),
                    target_table_id: "no such table".into(),
                    target_column_ids: None,
                    target_column_id: Some(col),
                    on_delete: ReferentialAction::NoAction,
                    on_update: ReferentialAction::NoAction,
                    match_type: MatchType::Simple,
                    deferrable: false,
                    initially_deferred: false,
                    comment: None,
                });
            }
            Self::EmptyEnum => doc.enums.push(EnumType {
                id: "broken_enum".into(),
                name: "broken_enum".into(),
                values: vec![],
                comment: None,
            }),
        }
    }
}

/// A valid document broken in one known way.
pub fn invalid_document() -> impl Strategy<Value = (SchemaDocument, Breakage)> {
    (valid_document(), select(Breakage::ALL.to_vec()), any::<usize>()).prop_map(|(mut doc, breakage, salt)| {
        breakage.apply(&mut doc, salt);
        (doc, breakage)
    })
}

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
}

impl Edit {
    /// Every kind.
    pub const ALL: [Edit; 24] = [
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
                    comment: None,
                    position: None,
                    columns: vec![key, note],
                    indexes: vec![],
                    checks: vec![],
                    uniques: vec![],
                    exclusions: vec![],
                    without_primary_key: false,
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
                    table.indexes.push(Index {
                        id: format!("new_x{salt}"),
                        name: None,
                        column_ids: vec![IndexColumn::Id(id)],
                        unique: false,
                        method: IndexMethod::Btree,
                        predicate: None,
                        include: Vec::new(),
                        nulls_not_distinct: false,
                        with: Default::default(),
                        comment: None,
                    });
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
                if schemaforge_domain::validate(&candidate).valid {
                    new = candidate;
                    applied.push(edit);
                }
            }
            (old, new, applied)
        },
    )
}
