//! The cases of the conformance test: every change kind, column type
//! changes in every context, each with edge data of the old structure.
//!
//! [`Scope::Ci`] keeps the run to a few minutes on two cores: every type
//! pair on a bare column, the pairs that PostgreSQL converts without a
//! rewrite (where the context decides the class) and a sample of the others
//! in every context, with the first seven edge values of each type.
//! [`Scope::Full`] is every pair in every context with every edge value.

use serde_json::{Value, json};

use super::Case;

mod composites;
mod domains;
mod objects;
use schemaforge_domain::diff::type_change;
use schemaforge_domain::{ColumnType, ValidSchema, parse_document};

/// How much to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The matrix of the test command.
    Ci,
    /// Every type pair, context and edge value.
    Full,
}

impl Scope {
    /// `SCHEMAFORGE_CONFORMANCE=full` asks for the whole matrix.
    pub fn from_env() -> Self {
        match std::env::var("SCHEMAFORGE_CONFORMANCE").as_deref() {
            Ok("full") => Self::Full,
            _ => Self::Ci,
        }
    }

    fn values<'a>(self, all: &'a [&'a str]) -> &'a [&'a str] {
        match self {
            Self::Ci => &all[..all.len().min(7)],
            Self::Full => all,
        }
    }
}

/// The column types of the matrix, as documents spell them (`enum` is the
/// enum `mood`, `enum2` the enum `size`).
pub const TYPES: &[&str] = &[
    "smallint",
    "integer",
    "bigint",
    "numeric",
    "numeric(10,2)",
    "numeric(12,2)",
    "numeric(10,0)",
    "numeric(10,3)",
    "real",
    "double precision",
    "boolean",
    "char(5)",
    "varchar(5)",
    "varchar(10)",
    "varchar",
    "text",
    "bytea",
    "date",
    "time",
    "time(3)",
    "timestamp",
    "timestamp(3)",
    "timestamptz",
    "timestamptz(3)",
    "interval",
    "interval(3)",
    "uuid",
    "json",
    "jsonb",
    "inet",
    "cidr",
    "macaddr",
    "enum",
    "enum2",
    "integer[]",
    "varchar(5)[]",
    "varchar[]",
    "text[]",
    "timestamp(3)[]",
    "timestamp[]",
    "numeric(10,2)[]",
    "numeric[]",
    "money",
    "timetz",
    "timetz(3)",
    "bit(4)",
    "bit(8)",
    "varbit",
    "varbit(4)",
    "macaddr8",
    "oid",
    "point",
    "int4range",
    "citext",
    "bit(4)[]",
    "citext[]",
];

/// The wider types of the matrix (issue 11) are the tail of [`TYPES`], from
/// `money` on. A pair with one of them runs only where the two are related:
/// a string type on either side, a cast between them in `pg_cast`, or one
/// group of types. Between unrelated types PostgreSQL has no cast and the
/// values go through their text form; the general rule classes that
/// `may_fail`.
const FIRST_WIDER: &str = "money";

/// Whether `t` is one of the wider types (see [`FIRST_WIDER`]).
fn wider(t: &str) -> bool {
    let at = |x: &str| TYPES.iter().position(|y| *y == x);
    matches!((at(t), at(FIRST_WIDER)), (Some(i), Some(first)) if i >= first)
}

/// Groups of related types; see [`FIRST_WIDER`].
const RELATED: &[&[&str]] = &[
    &[
        "money",
        "numeric",
        "numeric(10,2)",
        "numeric(12,2)",
        "numeric(10,0)",
        "numeric(10,3)",
        "smallint",
        "integer",
        "bigint",
        "real",
        "double precision",
    ],
    &["timetz", "timetz(3)", "time", "time(3)", "timestamptz", "timestamptz(3)", "timestamp"],
    &["bit(4)", "bit(8)", "varbit", "varbit(4)", "integer", "bigint", "smallint"],
    &["bit(4)[]", "integer[]"],
    &["macaddr8", "macaddr"],
    &["oid", "smallint", "integer", "bigint"],
];

/// Whether a pair is in the matrix (see [`FIRST_WIDER`]).
fn related(from: &str, to: &str) -> bool {
    let stringy = |t: &str| {
        matches!(t, "char(5)" | "varchar(5)" | "varchar(10)" | "varchar" | "text" | "citext")
            || matches!(t, "varchar(5)[]" | "varchar[]" | "text[]" | "citext[]")
    };
    !wider(from) && !wider(to)
        || (stringy(from) || stringy(to)) && from.ends_with("[]") == to.ends_with("[]")
        || RELATED.iter().any(|g| g.contains(&from) && g.contains(&to))
}

/// Edge values of a base type in text input form, the most telling first.
pub fn edge_values(base: &str) -> &'static [&'static str] {
    match base {
        "smallint" => &["32767", "-32768", "0", "1231", "1"],
        "integer" => &["-2147483648", "2147483647", "0", "20240101", "123456", "1"],
        "bigint" => &["-9223372036854775808", "9007199254740993", "0", "20240101", "123456"],
        "numeric" => &["-12345678.0123456789012345", "0.5", "NaN", "123456.7891", "20240101", "1", "Infinity", "1e-20"],
        "numeric(10,2)" => &["99999999.99", "-0.01", "NaN", "123456.70", "0"],
        "numeric(12,2)" => &["-9999999999.99", "0.01", "NaN", "123456.70"],
        "numeric(10,0)" => &["-9999999999", "1", "NaN", "0", "20240101", "123456"],
        "numeric(10,3)" => &["-9999999.999", "0.001", "NaN", "123456.789"],
        "real" => &["123456.7", "NaN", "1.5", "16777217", "1", "-Infinity", "3.4e38", "1e-45"],
        "double precision" => &[
            "0.1234",
            "123456789012345678",
            "NaN",
            "20240101",
            "123456.7",
            "1",
            "Infinity",
            "0.1",
            "1.7976931348623157e308",
        ],
        "boolean" => &["true", "false"],
        "char(5)" => &["ab", "abcde", "", "a\\b"],
        "varchar(5)" => &["abcde", "ab ", "", "a\\b"],
        "varchar(10)" => &["abcdefghij", " 42 ", "", "a\\b"],
        "varchar" | "text" => &["a text longer than ten characters", "ab ", "C:\\new", "007", "true", "ünïcødé ✓", ""],
        "bytea" => &["\\x000102030405", "\\x00ff", "\\x"],
        "date" => &["2024-02-29", "5874897-12-31", "4713-01-01 BC", "infinity", "2024-01-01"],
        "time" => &["23:59:59.999999", "12:34:56.789123", "24:00:00", "00:00"],
        "time(3)" => &["12:34:56.789", "24:00:00"],
        "timestamp" => {
            &["2024-01-01 12:34:56.789123", "294276-12-31 23:59:59.999999", "4714-11-24 00:00:00 BC", "infinity"]
        }
        "timestamp(3)" => {
            &["2024-01-01 12:34:56.789", "294276-12-31 23:59:59.999", "4714-11-24 00:00:00 BC", "infinity"]
        }
        "timestamptz" => &["2024-01-01 12:34:56.789123+00", "294276-12-31 23:59:59.999999+00", "-infinity"],
        "timestamptz(3)" => &["2024-01-01 12:34:56.789+00", "294276-12-31 23:59:59.999+00", "infinity"],
        "interval" => &["1 year 2 mons 3 days 04:05:06.789123", "-178000000 years", "00:00:00.000001"],
        "interval(3)" => &["3 days 04:05:06.789", "1 day"],
        "uuid" => &["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "00000000-0000-0000-0000-000000000000"],
        "json" => &[
            r#"{"a": 1, "a": 2}"#,
            r#""\u0000""#,
            "1",
            "0.1234",
            "20240101",
            "123456",
            "123456789012345678",
            "  [1, 2]  ",
            "null",
        ],
        "jsonb" => &[
            r#"{"key": "a longer value"}"#,
            "123456",
            "1",
            "0.1234",
            "20240101",
            "123456789012345678",
            "null",
            "true",
            r#""x""#,
        ],
        "inet" => &["10.0.0.1/8", "::1", "192.168.0.0/16"],
        "cidr" => &["10.0.0.0/8", "2001:db8::/32", "::/0"],
        "macaddr" => &["08:00:2b:01:02:03"],
        "enum" => &["a label longer than ten", "happy", "true"],
        "enum2" => &["s", "m"],
        "money" => &["92233720368547758.07", "-92233720368547758.08", "-0.01", "12.34", "0", "1"],
        "timetz" => &["23:59:59.999999+14", "12:34:56.789123-08", "00:00+00", "24:00:00+05:30"],
        "timetz(3)" => &["12:34:56.789+02", "24:00:00-01"],
        "bit(4)" => &["1010", "0000", "1111"],
        "bit(8)" => &["10100101", "00000000", "11111111"],
        "varbit" => &["1010101010101010101010101010101010101010", "", "1"],
        "varbit(4)" => &["1010", "1", ""],
        "macaddr8" => &["08:00:2b:01:02:03:04:05", "08:00:2b:ff:fe:01:02:03"],
        "oid" => &["4294967295", "0", "2147483648", "1"],
        "point" => &["(1,2)", "(-1.5,1e-300)", "(NaN,Infinity)"],
        "int4range" => &["[-2147483648,2147483647)", "empty", "(,5]"],
        "citext" => &["a text longer than ten characters", "ab ", "C:\\new", "007", "true", "ünïcødé ✓", ""],
        _ => &[],
    }
}

/// SQL expressions of type `ty` for the edge values of the scope.
fn edge_sql(scope: Scope, ty: &str) -> Vec<String> {
    let (base, array) = match ty.strip_suffix("[]") {
        Some(b) => (b, true),
        None => (ty, false),
    };
    let sql_type = match base {
        "enum" => "mood",
        "enum2" => "size",
        other => other,
    };
    let scalar: Vec<String> =
        scope.values(edge_values(base)).iter().map(|v| format!("{}::{sql_type}", crate::ql(v))).collect();
    if !array {
        return scalar;
    }
    let mut out = vec![format!("ARRAY[{}]::{sql_type}[]", scalar.join(", ")), format!("'{{}}'::{sql_type}[]")];
    // One element each too: a failing element would hide another's change.
    out.extend(scalar.iter().map(|v| format!("ARRAY[{v}, NULL]")));
    out
}

/// Where the changed column sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// No constraint or index reads it.
    Bare,
    /// `CHECK (c IS NULL OR c IS NOT NULL)`: reads the column, never fails.
    Check,
    /// A btree index on it.
    Index,
    /// A partial index with it as the key (`WHERE id > 0`).
    PartialKey,
    /// A partial index whose predicate reads it (`ON (id) WHERE c IS NOT NULL`).
    PartialPredicate,
    /// Both ends of a foreign key: `t.c` (unique) and `u.r` referencing it
    /// change together.
    ForeignKey,
}

impl Context {
    /// Every context.
    pub const ALL: [Self; 6] =
        [Self::Bare, Self::Check, Self::Index, Self::PartialKey, Self::PartialPredicate, Self::ForeignKey];

    fn label(self) -> &'static str {
        match self {
            Self::Bare => "bare column",
            Self::Check => "read by a check",
            Self::Index => "in a plain index",
            Self::PartialKey => "key of a partial index",
            Self::PartialPredicate => "in a partial index's predicate",
            Self::ForeignKey => "both ends of a foreign key",
        }
    }

    /// Table fields (checks, indexes) of the context.
    fn fields(self) -> Value {
        match self {
            Self::Bare => json!({}),
            Self::Check => json!({"checks": [{"id": "k1", "expression": "c IS NULL OR c IS NOT NULL"}]}),
            Self::Index => json!({"indexes": [{"id": "x1", "columnIds": ["c"]}]}),
            Self::PartialKey => json!({"indexes": [{"id": "x1", "columnIds": ["c"], "where": "id > 0"}]}),
            Self::PartialPredicate => json!({"indexes": [{"id": "x1", "columnIds": ["id"], "where": "c IS NOT NULL"}]}),
            Self::ForeignKey => json!({}),
        }
    }

    /// Whether a column of type `ty` can be in the context (json has no
    /// btree operator class).
    fn fits(self, ty: &str) -> bool {
        !matches!(self, Self::Index | Self::PartialKey | Self::ForeignKey) || column_type(ty).base.has_btree()
    }
}

/// A column of the test documents; `enum`/`enum2` become the enums.
pub fn column(id: &str, name: &str, ty: &str) -> Value {
    let (base, array) = match ty.strip_suffix("[]") {
        Some(b) => (b, "[]"),
        None => (ty, ""),
    };
    match base {
        "enum" => json!({"id": id, "name": name, "dataType": format!("enum{array}"), "enumId": "e1"}),
        "enum2" => json!({"id": id, "name": name, "dataType": format!("enum{array}"), "enumId": "e2"}),
        _ => json!({"id": id, "name": name, "dataType": ty}),
    }
}

/// A document with the two enums, the tables and foreign keys.
pub fn document(tables: Vec<Value>, foreign_keys: Vec<Value>) -> Value {
    // citext comes with its extension, declared where a column uses it.
    let extensions = if Value::Array(tables.clone()).to_string().contains("\"citext") {
        json!([{"id": "x_citext", "name": "citext"}])
    } else {
        json!([])
    };
    json!({
        "extensions": extensions,
        "name": "conformance",
        "enums": [
            {"id": "e1", "name": "mood", "values": ["happy", "sad", "true", "a label longer than ten"]},
            {"id": "e2", "name": "size", "values": ["s", "m", "l"]}
        ],
        "tables": tables,
        "foreignKeys": foreign_keys
    })
}

/// Table `t` with `id integer` as its primary key, the columns and fields.
pub fn table(columns: Vec<Value>, fields: Value) -> Value {
    let mut all = vec![json!({"id": "id", "name": "id", "dataType": "integer", "primaryKey": true})];
    all.extend(columns);
    let mut t = json!({"id": "t", "name": "t", "columns": all});
    if let (Some(t), Some(extra)) = (t.as_object_mut(), fields.as_object()) {
        t.extend(extra.clone());
    }
    t
}

/// Parse a test document; a case that is not valid is a bug of the case.
pub fn schema(v: &Value) -> ValidSchema {
    let doc = parse_document(&v.to_string()).unwrap_or_else(|e| panic!("{e}\n{v}"));
    ValidSchema::parse(doc).unwrap_or_else(|e| panic!("{:#?}\n{v}", e.report.problems))
}

fn type_case(scope: Scope, from: &str, to: &str, context: Context) -> Option<Case> {
    let doc = |ty: &str| {
        if context != Context::ForeignKey {
            return document(vec![table(vec![column("c", "c", ty)], context.fields())], vec![]);
        }
        let mut key = column("c", "c", ty);
        key["unique"] = json!(true);
        let child = json!({"id": "u", "name": "u", "columns": [
            {"id": "uid", "name": "id", "dataType": "integer", "primaryKey": true}, column("r", "r", ty)]});
        let fk = json!({"id": "f1", "sourceTableId": "u", "sourceColumnId": "r", "targetTableId": "t", "targetColumnId": "c"});
        document(vec![table(vec![key], json!({})), child], vec![fk])
    };
    // Some types cannot be keys: those pairs have no foreign key case.
    let parse = |v: Value| ValidSchema::parse(parse_document(&v.to_string()).ok()?).ok();
    // At a foreign key: the key referenced, and alone (where a change of
    // its value cannot break the reference).
    let data = edge_sql(scope, from).into_iter().flat_map(|v| {
        let key = format!("INSERT INTO t (id, c) VALUES (1, {v})");
        match context {
            Context::ForeignKey => vec![vec![key.clone(), format!("INSERT INTO u (id, r) VALUES (1, {v})")], vec![key]],
            _ => vec![vec![key]],
        }
    });
    Some(Case {
        change: format!("{from} -> {to}"),
        context: context.label().to_string(),
        old: parse(doc(from))?,
        new: parse(doc(to))?,
        data: data.collect(),
    })
}

fn column_type(t: &str) -> ColumnType {
    schema(&document(vec![table(vec![column("c", "c", t)], json!({}))], vec![])).model().tables[0].columns[1].ty.clone()
}

/// Whether PostgreSQL converts without a rewrite (by the rules): there the
/// context, not the types, decides the class.
fn binary_compatible(from: &str, to: &str) -> bool {
    !type_change(&column_type(from), &column_type(to)).rewrites
}

/// Whether a foreign key can hold between the two types (one family, both
/// arrays or neither): where a key between the old and the new type must
/// work in the middle of the migration.
fn comparable(from: &str, to: &str) -> bool {
    let (a, b) = (column_type(from), column_type(to));
    a.array == b.array && a.base.family() == b.base.family()
}

/// Column type changes: on a bare column (`contexts` false) or in the
/// other contexts.
pub fn type_changes(scope: Scope, contexts: bool) -> Vec<Case> {
    let mut cases = Vec::new();
    for (i, from) in TYPES.iter().enumerate() {
        for (j, to) in TYPES.iter().enumerate() {
            if from == to || !related(from, to) {
                continue;
            }
            // CI: a sample of the rewriting pairs in the other contexts, and
            // every pair of one family at the ends of a foreign key.
            let every_context = scope == Scope::Full || binary_compatible(from, to) || (i + j) % 17 == 0;
            for context in Context::ALL {
                let wanted = match context {
                    Context::Bare => !contexts,
                    Context::ForeignKey => contexts && (every_context || comparable(from, to)),
                    _ => contexts && every_context,
                };
                if wanted && context.fits(from) && context.fits(to) {
                    cases.extend(type_case(scope, from, to, context));
                }
            }
        }
    }
    cases
}

/// One table `t` (id plus `columns`), before and after.
fn pair(change: &str, context: &str, old: Value, new: Value, data: &[&[&str]]) -> Case {
    Case {
        change: change.to_string(),
        context: context.to_string(),
        old: schema(&old),
        new: schema(&new),
        data: data.iter().map(|set| set.iter().map(|s| s.to_string()).collect()).collect(),
    }
}

fn t(columns: Vec<Value>, fields: Value) -> Value {
    document(vec![table(columns, fields)], vec![])
}

fn with(mut v: Value, f: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Value {
    if let Some(o) = v.as_object_mut() {
        f(o);
    }
    v
}

fn c(id: &str, ty: &str, extra: Value) -> Value {
    let mut col = column(id, id, ty);
    if let (Some(o), Some(e)) = (col.as_object_mut(), extra.as_object()) {
        o.extend(e.clone());
    }
    col
}

fn without_enums(v: Value) -> Value {
    with(v, |d| {
        d.insert("enums".into(), json!([]));
    })
}

/// A second table `u` referencing `t`.
fn parent_child(child_columns: Vec<Value>, fks: Vec<Value>) -> Value {
    let mut cols = vec![json!({"id": "uid", "name": "id", "dataType": "integer", "primaryKey": true})];
    cols.extend(child_columns);
    document(
        vec![table(vec![c("a", "integer", json!({}))], json!({})), json!({"id": "u", "name": "u", "columns": cols})],
        fks,
    )
}

fn fk(on_delete: &str) -> Value {
    json!({"id": "f1", "sourceTableId": "u", "sourceColumnId": "ref", "targetTableId": "t", "targetColumnId": "id",
           "onDelete": on_delete})
}

const ROW: &str = "INSERT INTO t (id, a) VALUES (1, 5)";
const TWO_ROWS: &str = "INSERT INTO t (id, a) VALUES (1, 5), (2, 5)";
const DISTINCT_ROWS: &str = "INSERT INTO t (id, a) VALUES (1, 5), (2, 6)";
const NULL_ROW: &str = "INSERT INTO t (id, a) VALUES (1, NULL)";

/// Every change kind other than a type change, in its contexts.
pub fn other_changes() -> Vec<Case> {
    let a = || c("a", "integer", json!({}));
    let base = || t(vec![a()], json!({}));
    let plus = |col: Value| t(vec![a(), col], json!({}));
    let fields = |f: Value| t(vec![a()], f);
    let data: &[&[&str]] = &[&[ROW], &[TWO_ROWS], &[NULL_ROW]];
    let mut cases = vec![
        pair("add column", "nullable", base(), plus(c("b", "text", json!({}))), data),
        pair(
            "add column",
            "NOT NULL with a constant default",
            base(),
            plus(c("b", "integer", json!({"nullable": false, "default": 7}))),
            data,
        ),
        pair(
            "add column",
            "volatile default",
            base(),
            plus(c("b", "uuid", json!({"default": {"function": "gen_random_uuid"}}))),
            data,
        ),
        pair("add column", "identity", base(), plus(c("b", "bigint", json!({"autoIncrement": true}))), data),
        pair(
            "add column",
            "NOT NULL without default",
            base(),
            plus(c("b", "integer", json!({"nullable": false}))),
            data,
        ),
        pair("drop column", "with values", base(), t(vec![], json!({})), data),
        pair(
            "rename column",
            "bare",
            base(),
            t(vec![json!({"id": "a", "name": "renamed", "dataType": "integer"})], json!({})),
            data,
        ),
        pair("set NOT NULL", "bare", base(), t(vec![c("a", "integer", json!({"nullable": false}))], json!({})), data),
        pair(
            "drop NOT NULL",
            "bare",
            t(vec![c("a", "integer", json!({"nullable": false}))], json!({})),
            base(),
            &[&[ROW]],
        ),
        pair("set default", "bare", base(), t(vec![c("a", "integer", json!({"default": 3}))], json!({})), data),
        pair("drop default", "bare", t(vec![c("a", "integer", json!({"default": 3}))], json!({})), base(), data),
        pair(
            "set comment",
            "column and table",
            base(),
            t(vec![c("a", "integer", json!({"comment": "x"}))], json!({"comment": "y"})),
            data,
        ),
        pair(
            "add identity",
            "column without an index",
            t(vec![c("a", "integer", json!({"nullable": false}))], json!({})),
            t(vec![c("a", "integer", json!({"autoIncrement": true}))], json!({})),
            &[&[ROW], &[TWO_ROWS]],
        ),
        pair(
            "add identity",
            "primary key column",
            t(vec![a()], json!({})),
            with(t(vec![a()], json!({})), |d| {
                d["tables"][0]["columns"][0]["autoIncrement"] = json!(true);
            }),
            data,
        ),
        pair(
            "add identity",
            "column with a unique key",
            t(vec![c("a", "integer", json!({"nullable": false, "unique": true}))], json!({})),
            t(vec![c("a", "integer", json!({"autoIncrement": true, "unique": true}))], json!({})),
            &[&[ROW], &[DISTINCT_ROWS]],
        ),
        pair(
            "drop identity",
            "bare",
            t(vec![c("a", "integer", json!({"autoIncrement": true}))], json!({})),
            t(vec![c("a", "integer", json!({"nullable": false}))], json!({})),
            &[&[ROW]],
        ),
        pair(
            "rename table",
            "with its key and sequence",
            t(vec![c("a", "integer", json!({"autoIncrement": true}))], json!({})),
            with(t(vec![c("a", "integer", json!({"autoIncrement": true}))], json!({})), |d| {
                d["tables"][0]["name"] = json!("renamed");
            }),
            &[&[ROW]],
        ),
        pair("drop table", "with rows", t(vec![a()], json!({})), document(vec![], vec![]), data),
        pair(
            "create table",
            "new",
            document(vec![], vec![]),
            t(
                vec![a()],
                json!({"indexes": [{"id": "x1", "columnIds": ["a"], "unique": true}], "checks": [{"id": "k1", "expression": "a > 0"}]}),
            ),
            &[],
        ),
        pair(
            "add unique",
            "existing column",
            base(),
            t(vec![c("a", "integer", json!({"unique": true}))], json!({})),
            data,
        ),
        pair("add unique", "new nullable column", base(), plus(c("b", "integer", json!({"unique": true}))), data),
        pair("drop unique", "bare", t(vec![c("a", "integer", json!({"unique": true}))], json!({})), base(), &[&[ROW]]),
        pair(
            "add check",
            "existing column",
            base(),
            fields(json!({"checks": [{"id": "k1", "expression": "a > 5"}]})),
            data,
        ),
        pair(
            "add check",
            "new nullable column, passes on NULL",
            base(),
            t(vec![a(), c("b", "integer", json!({}))], json!({"checks": [{"id": "k1", "expression": "b > 5"}]})),
            data,
        ),
        pair(
            "add check",
            "new nullable column, fails on NULL",
            base(),
            t(
                vec![a(), c("b", "integer", json!({}))],
                json!({"checks": [{"id": "k1", "expression": "b IS NOT NULL"}]}),
            ),
            data,
        ),
        pair("drop check", "bare", fields(json!({"checks": [{"id": "k1", "expression": "a > 0"}]})), base(), &[&[ROW]]),
        pair(
            "change check",
            "new expression",
            fields(json!({"checks": [{"id": "k1", "expression": "a > 0"}]})),
            fields(json!({"checks": [{"id": "k1", "expression": "a > 4"}]})),
            &[&[ROW], &["INSERT INTO t (id, a) VALUES (1, 3)"]],
        ),
        pair(
            "create index",
            "existing table",
            base(),
            fields(json!({"indexes": [{"id": "x1", "columnIds": ["a"]}]})),
            data,
        ),
        pair(
            "create unique index",
            "existing column",
            base(),
            fields(json!({"indexes": [{"id": "x1", "columnIds": ["a"], "unique": true}]})),
            data,
        ),
        pair(
            "create unique index",
            "new nullable column",
            base(),
            t(
                vec![a(), c("b", "integer", json!({}))],
                json!({"indexes": [{"id": "x1", "columnIds": ["b", "a"], "unique": true}]}),
            ),
            data,
        ),
        pair(
            "create index",
            "new column",
            base(),
            t(vec![a(), c("b", "integer", json!({}))], json!({"indexes": [{"id": "x1", "columnIds": ["b"]}]})),
            data,
        ),
        pair("drop index", "bare", fields(json!({"indexes": [{"id": "x1", "columnIds": ["a"]}]})), base(), data),
        pair(
            "rename index",
            "bare",
            fields(json!({"indexes": [{"id": "x1", "columnIds": ["a"]}]})),
            fields(json!({"indexes": [{"id": "x1", "name": "renamed_idx", "columnIds": ["a"]}]})),
            data,
        ),
        pair(
            "re-create index",
            "method changes",
            fields(json!({"indexes": [{"id": "x1", "columnIds": ["a"]}]})),
            fields(json!({"indexes": [{"id": "x1", "columnIds": ["a"], "method": "hash"}]})),
            data,
        ),
        pair(
            "re-create index",
            "becomes unique",
            fields(json!({"indexes": [{"id": "x1", "columnIds": ["a"]}]})),
            fields(json!({"indexes": [{"id": "x1", "columnIds": ["a"], "unique": true}]})),
            data,
        ),
        pair(
            "re-create index",
            "becomes partial",
            fields(json!({"indexes": [{"id": "x1", "columnIds": ["a"]}]})),
            fields(json!({"indexes": [{"id": "x1", "columnIds": ["a"], "where": "a > 0"}]})),
            data,
        ),
        pair(
            "change primary key",
            "to another column",
            t(vec![c("a", "integer", json!({"nullable": false}))], json!({})),
            with(t(vec![c("a", "integer", json!({"primaryKey": true}))], json!({})), |d| {
                d["tables"][0]["columns"][0]["primaryKey"] = json!(false);
            }),
            &[&[ROW], &[TWO_ROWS]],
        ),
    ];
    // Foreign keys: u.ref -> t.id.
    let child = |extra: Value| c("ref", "integer", extra);
    let fk_rows: &[&[&str]] =
        &[&[ROW, "INSERT INTO u (id, ref) VALUES (1, 1)"], &[ROW, "INSERT INTO u (id, ref) VALUES (1, 2)"]];
    cases.extend([
        pair(
            "add foreign key",
            "existing column",
            parent_child(vec![child(json!({}))], vec![]),
            parent_child(vec![child(json!({}))], vec![fk("NO ACTION")]),
            fk_rows,
        ),
        pair(
            "add foreign key",
            "new nullable column",
            parent_child(vec![], vec![]),
            parent_child(vec![child(json!({}))], vec![fk("NO ACTION")]),
            &[&[ROW, "INSERT INTO u (id) VALUES (1)"]],
        ),
        pair(
            "change foreign key",
            "ON DELETE only",
            parent_child(vec![child(json!({}))], vec![fk("NO ACTION")]),
            parent_child(vec![child(json!({}))], vec![fk("CASCADE")]),
            &[&[ROW, "INSERT INTO u (id, ref) VALUES (1, 1)"]],
        ),
        pair(
            "drop foreign key",
            "bare",
            parent_child(vec![child(json!({}))], vec![fk("NO ACTION")]),
            parent_child(vec![child(json!({}))], vec![]),
            &[&[ROW, "INSERT INTO u (id, ref) VALUES (1, 1)"]],
        ),
    ]);
    // Enums, on a column of `mood`.
    let mood = |labels: Value| {
        with(t(vec![c("m", "enum", json!({}))], json!({})), |d| {
            d["enums"][0]["values"] = labels;
        })
    };
    let moods: &[&[&str]] =
        &[&["INSERT INTO t (id, m) VALUES (1, 'sad')"], &["INSERT INTO t (id, m) VALUES (1, 'happy')"]];
    cases.extend([
        pair("create enum", "new", without_enums(document(vec![], vec![])), document(vec![], vec![]), &[]),
        pair(
            "add enum label",
            "at the end",
            mood(json!(["happy", "sad"])),
            mood(json!(["happy", "sad", "meh"])),
            moods,
        ),
        pair(
            "add enum label",
            "in the middle",
            mood(json!(["happy", "sad"])),
            mood(json!(["happy", "meh", "sad"])),
            moods,
        ),
        pair(
            "rename enum label",
            "same position",
            mood(json!(["happy", "sad"])),
            mood(json!(["happy", "blue"])),
            moods,
        ),
        pair("reorder enum labels", "rebuild", mood(json!(["happy", "sad"])), mood(json!(["sad", "happy"])), moods),
        pair(
            "remove enum label",
            "rebuild",
            mood(json!(["happy", "sad", "meh"])),
            mood(json!(["happy", "meh"])),
            moods,
        ),
        pair(
            "rename enum",
            "bare",
            mood(json!(["happy", "sad"])),
            with(mood(json!(["happy", "sad"])), |d| {
                d["enums"][0]["name"] = json!("feeling");
            }),
            moods,
        ),
        pair("drop enum", "with its column", mood(json!(["happy", "sad"])), without_enums(t(vec![], json!({}))), moods),
    ]);
    // Collations (issue 11): the catalog alone on a bare column; the index
    // is rebuilt where one reads it.
    let text_rows: &[&[&str]] = &[&["INSERT INTO t (id, a, b) VALUES (1, 5, 'b'), (2, 6, 'B')"]];
    let collated = |k: Option<&str>, indexed: bool| {
        let mut col = c("b", "text", json!({}));
        if let Some(k) = k {
            col["collation"] = json!(k);
        }
        let fields = if indexed { json!({"indexes": [{"id": "xb", "columnIds": ["b"]}]}) } else { json!({}) };
        t(vec![a(), col], fields)
    };
    cases.extend([
        pair("set collation", "bare column", collated(None, false), collated(Some("C"), false), text_rows),
        pair("set collation", "in a plain index", collated(None, true), collated(Some("C"), true), text_rows),
        pair("drop collation", "in a plain index", collated(Some("POSIX"), true), collated(None, true), text_rows),
    ]);
    // Extensions: created and dropped around the tables, touching none.
    let with_extension = with(base(), |d| {
        d.insert("extensions".into(), json!([{"id": "x1", "name": "hstore"}]));
    });
    cases.extend([
        pair("create extension", "unused", base(), with_extension.clone(), data),
        pair("drop extension", "unused", with_extension, base(), data),
    ]);
    // Generated columns (issue 11): added (computed for every row), made
    // plain (values kept), given a new expression or made generated
    // (dropped and added again), dropped; and a type change under one.
    let gen_rows: &[&[&str]] = &[&[ROW], &[DISTINCT_ROWS], &[NULL_ROW]];
    let generated = |expr: &str, ty: &str| c("g", ty, json!({"generated": {"expression": expr}}));
    let plain_g = || c("g", "integer", json!({}));
    cases.extend([
        pair("add generated column", "", base(), plus(generated("a * 2", "integer")), gen_rows),
        pair("drop generated column", "", plus(generated("a * 2", "integer")), base(), gen_rows),
        pair(
            "change generation expression",
            "",
            plus(generated("a * 2", "integer")),
            plus(generated("a + 1", "integer")),
            gen_rows,
        ),
        pair(
            "change generation expression",
            "under a unique index and a check",
            t(
                vec![a(), generated("a * 2", "integer")],
                json!({"indexes": [{"id": "xg", "columnIds": ["g"], "unique": true}],
                "checks": [{"id": "kg", "expression": "g IS NULL OR g > -1000"}]}),
            ),
            t(
                vec![a(), generated("a / 2", "integer")],
                json!({"indexes": [{"id": "xg", "columnIds": ["g"], "unique": true}],
                "checks": [{"id": "kg", "expression": "g IS NULL OR g > -1000"}]}),
            ),
            // 5 and 4 are distinct doubled, not halved.
            &[&[ROW], &[DISTINCT_ROWS], &["INSERT INTO t (id, a) VALUES (1, 5), (2, 4)"]],
        ),
        pair("make generated column plain", "", plus(generated("a * 2", "integer")), plus(plain_g()), gen_rows),
        pair(
            "make column generated",
            "",
            plus(plain_g()),
            plus(generated("a * 2", "integer")),
            &[&["INSERT INTO t (id, a, g) VALUES (1, 5, 7)"]],
        ),
        pair(
            "change type of a column a generated column reads",
            "integer -> bigint",
            plus(generated("a * 2", "bigint")),
            t(vec![c("a", "bigint", json!({})), generated("a * 2", "bigint")], json!({})),
            gen_rows,
        ),
    ]);
    // Index storage parameters: the catalog alone.
    let with_storage = |with: Value| fields(json!({"indexes": [{"id": "xa", "columnIds": ["a"], "with": with}]}));
    cases.push(pair(
        "set index storage parameters",
        "fillfactor, deduplicate_items",
        with_storage(json!({})),
        with_storage(json!({"fillfactor": 70, "deduplicate_items": false})),
        data,
    ));
    // Exclusion constraints: added (conflicting rows fail), dropped.
    let excluded = || {
        fields(
            json!({"exclusions": [{"id": "xe", "method": "btree", "elements": [{"columnId": "a", "operator": "="}]}]}),
        )
    };
    cases.extend([
        pair("add exclusion constraint", "btree, =", base(), excluded(), data),
        pair("drop exclusion constraint", "btree, =", excluded(), base(), &[&[ROW], &[DISTINCT_ROWS]]),
    ]);
    // Expression defaults: a stable one is stored once (no rewrite), a
    // volatile one is computed row by row (rewrite).
    cases.extend([
        pair(
            "add column",
            "stable expression default",
            base(),
            plus(c("b", "timestamptz", json!({"default": {"expression": "now() + '1 day'::interval"}}))),
            data,
        ),
        pair(
            "add column",
            "volatile expression default",
            base(),
            plus(c("b", "double precision", json!({"default": {"expression": "random() * 10"}}))),
            data,
        ),
        pair(
            "set default",
            "expression",
            plus(c("b", "text", json!({}))),
            plus(c("b", "text", json!({"default": {"expression": "upper(md5('x'))"}}))),
            data,
        ),
    ]);
    // Standalone sequences: created (nothing touched), a default taking
    // their numbers set (later rows only), a column added with one (every
    // row gets its own number: a rewrite).
    let with_sequence = |v: Value| {
        with(v, |d| {
            d.insert("sequences".into(), json!([{"id": "s1", "name": "t_b_seq", "dataType": "integer"}]));
        })
    };
    cases.extend([
        pair("create sequence", "unused", base(), with_sequence(base()), data),
        pair(
            "set default",
            "a sequence's next value",
            with_sequence(plus(c("b", "integer", json!({})))),
            with_sequence(plus(c("b", "integer", json!({"default": {"sequence": "s1"}})))),
            data,
        ),
        pair(
            "add column",
            "a sequence's next value as default",
            with_sequence(base()),
            with_sequence(plus(c("b", "integer", json!({"default": {"sequence": "s1"}})))),
            data,
        ),
    ]);
    cases.extend(domains::cases());
    cases.extend(composites::cases());
    cases.extend(objects::cases());
    cases
}
