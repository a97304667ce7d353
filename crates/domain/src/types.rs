//! Resolving a column's `dataType` (and its parameters) into a [`ColumnType`].

use crate::document::Column;
use crate::ident::Ident;
use crate::model::{BaseType, ColumnType};
use crate::named_type::NamedType;
use crate::problem::Code;

/// Largest `varchar`/`char` length PostgreSQL accepts.
pub const MAX_CHAR_LENGTH: u32 = 10_485_760;
/// Largest `numeric` precision PostgreSQL accepts.
pub const MAX_NUMERIC_PRECISION: u32 = 1000;
/// Largest `bit`/`varbit` length PostgreSQL accepts.
pub const MAX_BIT_LENGTH: u32 = 83_886_080;
/// Largest fractional-seconds precision of time types.
pub const MAX_TIME_PRECISION: u32 = 6;

/// The type names accepted in `dataType` (aliases are listed in docs/schema-format.md).
pub const SUPPORTED_TYPES: &str = "smallint, integer, bigint, serial, bigserial, smallserial, numeric, decimal, real, \
double precision, boolean, char, varchar, text, bytea, date, time, timestamp, timestamptz, interval, uuid, json, jsonb, \
inet, cidr, macaddr, timetz, bit, varbit, enum, and the named types (money, xml, tsvector, tsquery, point, line, lseg, \
box, path, polygon, circle, macaddr8, oid, pg_lsn, the range and multirange types, and with their extension citext, \
hstore, ltree, lquery, ltxtquery, cube, seg and the isn types)";

/// A problem with a column's type, naming the offending field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TypeProblem {
    pub field: &'static str,
    pub code: Code,
    pub message: String,
}

fn problem(field: &'static str, code: Code, message: impl Into<String>) -> TypeProblem {
    TypeProblem { field, code, message: message.into() }
}

enum Kind {
    SmallInt,
    Integer,
    BigInt,
    Numeric,
    Real,
    Double,
    Boolean,
    Char,
    Varchar,
    Text,
    Bytea,
    Date,
    Time,
    Timestamp,
    Timestamptz,
    Interval,
    Uuid,
    Json,
    Jsonb,
    Inet,
    Cidr,
    Macaddr,
    Enum,
    Domain,
    Composite,
    TimeTz,
    Bit,
    VarBit,
    Named(NamedType),
    Serial(BaseType),
}

/// Whether a `dataType` spelling is one of the serial types (which imply
/// `autoIncrement`).
pub(crate) fn is_serial(data_type: &str) -> bool {
    split_inline(data_type).is_ok_and(|(name, _, _)| matches!(kind(&name), Ok(Kind::Serial(_))))
}

fn kind(name: &str) -> Result<Kind, String> {
    Ok(match name {
        "smallint" | "int2" => Kind::SmallInt,
        "integer" | "int" | "int4" => Kind::Integer,
        "bigint" | "int8" => Kind::BigInt,
        "numeric" | "decimal" => Kind::Numeric,
        "real" | "float4" => Kind::Real,
        "double precision" | "double" | "float8" => Kind::Double,
        "boolean" | "bool" => Kind::Boolean,
        "char" | "character" | "bpchar" => Kind::Char,
        "varchar" | "character varying" => Kind::Varchar,
        "text" => Kind::Text,
        "bytea" => Kind::Bytea,
        "date" => Kind::Date,
        "time" | "time without time zone" => Kind::Time,
        "timestamp" | "timestamp without time zone" => Kind::Timestamp,
        "timestamptz" | "timestamp with time zone" => Kind::Timestamptz,
        "interval" => Kind::Interval,
        "uuid" => Kind::Uuid,
        "json" => Kind::Json,
        "jsonb" => Kind::Jsonb,
        "inet" => Kind::Inet,
        "cidr" => Kind::Cidr,
        "macaddr" => Kind::Macaddr,
        "enum" => Kind::Enum,
        "domain" => Kind::Domain,
        "composite" => Kind::Composite,
        // PostgreSQL's serial types are a notation for an auto-incrementing
        // integer; Schemaforge renders them as identity columns.
        "serial" | "serial4" => Kind::Serial(BaseType::Integer),
        "bigserial" | "serial8" => Kind::Serial(BaseType::BigInt),
        "smallserial" | "serial2" => Kind::Serial(BaseType::SmallInt),
        "timetz" | "time with time zone" => Kind::TimeTz,
        "bit" => Kind::Bit,
        "varbit" | "bit varying" => Kind::VarBit,
        "float" => return Err("use \"real\" or \"double precision\"".into()),
        "string" => return Err("use \"text\" or \"varchar\"".into()),
        "datetime" => return Err("use \"timestamp\" or \"timestamptz\"".into()),
        other => match NamedType::from_name(other) {
            Some(named) => Kind::Named(named),
            None => return Err(format!("supported types: {SUPPORTED_TYPES}")),
        },
    })
}

/// Split `varchar(255)[]` into ("varchar", [255], array). Any number of
/// dimensions, with or without sizes (`integer[3][3]`), is one array type:
/// PostgreSQL enforces neither, and prints every array type as `name[]`.
fn split_inline(data_type: &str) -> Result<(String, Vec<u32>, bool), String> {
    let mut t = data_type.trim().to_lowercase();
    let mut array = false;
    while let Some(open) = t.strip_suffix(']').and_then(|rest| rest.rfind('[')) {
        let size = t[open + 1..t.len() - 1].trim();
        if !size.is_empty() && size.parse::<u32>().is_err() {
            return Err(format!("array size `{size}` is not a non-negative whole number"));
        }
        t = t[..open].trim_end().to_string();
        array = true;
    }
    let normalized: String = t.split_whitespace().collect::<Vec<_>>().join(" ");
    match normalized.find('(') {
        None => Ok((normalized, Vec::new(), array)),
        Some(open) => {
            // `time(3) with time zone` puts the words after the parameters.
            let close = normalized.find(')').filter(|c| *c > open);
            let Some((inner, after)) = close.map(|c| (&normalized[open + 1..c], normalized[c + 1..].trim())) else {
                return Err("parameters must be written as name(n) or name(p,s)".into());
            };
            if after.contains(['(', ')']) {
                return Err("parameters must be written as name(n) or name(p,s)".into());
            }
            let params = inner
                .split(',')
                .map(|p| {
                    p.trim().parse::<u32>().map_err(|_| format!("`{}` is not a non-negative whole number", p.trim()))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let name = normalized[..open].trim_end();
            let name = if after.is_empty() { name.to_string() } else { format!("{name} {after}") };
            Ok((name, params, array))
        }
    }
}

/// The document's named types, as [`resolve_column_type`] needs them.
pub(crate) trait TypeLookup {
    /// The type ([`BaseType::Enum`]) of the enum with this id.
    fn enum_type(&self, id: &str) -> Option<BaseType>;
    /// The type ([`BaseType::Domain`]) of the domain with this id: `Err`
    /// with whether the document has such a domain (with errors of its
    /// own, reported there) when there is none to use.
    fn domain(&self, id: &str) -> Result<BaseType, bool>;
    /// The type ([`BaseType::Composite`]) of the composite type with this
    /// id, as [`TypeLookup::domain`].
    fn composite(&self, id: &str) -> Result<BaseType, bool>;
    /// How to use the enum or domain that `data_type` names or is the id
    /// of, for the message about an unsupported type.
    fn hint(&self, data_type: &str) -> Option<String>;
    /// The namespace the document puts extension `name` in (`None`:
    /// public, or not declared).
    fn extension_schema(&self, _name: &str) -> Option<Ident> {
        None
    }
}

/// Resolve `col`'s type, finding its enum or domain through `types`.
pub(crate) fn resolve_column_type(col: &Column, types: &dyn TypeLookup) -> Result<ColumnType, Vec<TypeProblem>> {
    let (name, inline, inline_array) = split_inline(&col.data_type).map_err(|m| {
        vec![problem("dataType", Code::UnsupportedDataType, format!("cannot read data type `{}`: {m}", col.data_type))]
    })?;
    if name.is_empty() {
        return Err(vec![problem("dataType", Code::UnsupportedDataType, "the data type is empty")]);
    }
    let kind = kind(&name).map_err(|hint| {
        let hint = types.hint(col.data_type.trim()).unwrap_or(hint);
        vec![problem(
            "dataType",
            Code::UnsupportedDataType,
            format!("unsupported data type `{}`; {hint}", col.data_type),
        )]
    })?;
    let mut problems = Vec::new();
    let array = match (inline_array, col.is_array) {
        (true, Some(false)) => {
            problems.push(problem(
                "isArray",
                Code::InvalidTypeParameter,
                format!("`{}` is an array type but isArray is false", col.data_type),
            ));
            true
        }
        (inline, explicit) => inline || explicit.unwrap_or(false),
    };

    // Merge inline parameters with the explicit fields; both given must agree.
    let mut merge = |field: &'static str, explicit: Option<u32>, inline: Option<u32>| -> Option<u32> {
        match (explicit, inline) {
            (Some(e), Some(i)) if e != i => {
                problems.push(problem(
                    field,
                    Code::InvalidTypeParameter,
                    format!("{field} {e} contradicts `{}`", col.data_type),
                ));
                Some(e)
            }
            (e, i) => e.or(i),
        }
    };
    let takes = |n: usize| inline.len() <= n;
    let first = inline.first().copied();
    let second = inline.get(1).copied();

    let base = match kind {
        Kind::Bit | Kind::VarBit => {
            let length = merge("length", col.length, first);
            match length {
                Some(0) => problems.push(problem("length", Code::InvalidTypeParameter, "length must be at least 1")),
                Some(n) if n > MAX_BIT_LENGTH => problems.push(problem(
                    "length",
                    Code::InvalidTypeParameter,
                    format!("length {n} exceeds PostgreSQL's maximum of {MAX_BIT_LENGTH} bits"),
                )),
                _ => {}
            }
            if matches!(kind, Kind::Bit) { BaseType::Bit(length.unwrap_or(1)) } else { BaseType::VarBit(length) }
        }
        Kind::Char | Kind::Varchar => {
            let length = merge("length", col.length, first);
            match length {
                Some(0) => problems.push(problem("length", Code::InvalidTypeParameter, "length must be at least 1")),
                Some(n) if n > MAX_CHAR_LENGTH => problems.push(problem(
                    "length",
                    Code::InvalidTypeParameter,
                    format!("length {n} exceeds PostgreSQL's maximum of {MAX_CHAR_LENGTH}; use text"),
                )),
                _ => {}
            }
            if matches!(kind, Kind::Char) { BaseType::Char(length.unwrap_or(1)) } else { BaseType::Varchar(length) }
        }
        Kind::Numeric => {
            let precision = merge("precision", col.precision, first);
            let scale = merge("scale", col.scale, second);
            match (precision, scale) {
                (Some(p), _) if p == 0 || p > MAX_NUMERIC_PRECISION => problems.push(problem(
                    "precision",
                    Code::InvalidTypeParameter,
                    format!("numeric precision must be between 1 and {MAX_NUMERIC_PRECISION}, not {p}"),
                )),
                (Some(p), Some(s)) if s > p => problems.push(problem(
                    "scale",
                    Code::InvalidTypeParameter,
                    format!("numeric scale {s} must not exceed the precision {p}"),
                )),
                (None, Some(_)) => {
                    problems.push(problem("scale", Code::InvalidTypeParameter, "a numeric scale needs a precision"))
                }
                _ => {}
            }
            BaseType::Numeric { precision, scale }
        }
        Kind::Time | Kind::TimeTz | Kind::Timestamp | Kind::Timestamptz | Kind::Interval => {
            let p = merge("precision", col.precision, first);
            if let Some(p) = p.filter(|p| *p > MAX_TIME_PRECISION) {
                problems.push(problem(
                    "precision",
                    Code::InvalidTypeParameter,
                    format!("fractional-second precision must be between 0 and {MAX_TIME_PRECISION}, not {p}"),
                ));
            }
            match kind {
                Kind::Time => BaseType::Time(p),
                Kind::TimeTz => BaseType::TimeTz(p),
                Kind::Timestamp => BaseType::Timestamp(p),
                Kind::Timestamptz => BaseType::Timestamptz(p),
                _ => BaseType::Interval(p),
            }
        }
        Kind::Enum => match col.enum_id.as_deref() {
            None => {
                problems.push(problem("enumId", Code::UnknownReference, "an enum column needs an enumId"));
                return Err(problems);
            }
            Some(id) => match types.enum_type(id) {
                Some(ty) => ty,
                None => {
                    problems.push(problem("enumId", Code::UnknownReference, format!("no enum has the id `{id}`")));
                    return Err(problems);
                }
            },
        },
        Kind::Domain => match col.domain_id.as_deref() {
            None => {
                problems.push(problem("domainId", Code::UnknownReference, "a domain column needs a domainId"));
                return Err(problems);
            }
            Some(id) => match types.domain(id) {
                Ok(domain) => domain,
                Err(exists) => {
                    if !exists {
                        problems.push(problem(
                            "domainId",
                            Code::UnknownReference,
                            format!("no domain has the id `{id}`"),
                        ));
                    }
                    return Err(problems);
                }
            },
        },
        Kind::Composite => match col.composite_id.as_deref() {
            None => {
                problems.push(problem("compositeId", Code::UnknownReference, "a composite column needs a compositeId"));
                return Err(problems);
            }
            Some(id) => match types.composite(id) {
                Ok(composite) => composite,
                Err(exists) => {
                    if !exists {
                        problems.push(problem(
                            "compositeId",
                            Code::UnknownReference,
                            format!("no composite type has the id `{id}`"),
                        ));
                    }
                    return Err(problems);
                }
            },
        },
        Kind::Serial(base) => base,
        Kind::SmallInt => BaseType::SmallInt,
        Kind::Integer => BaseType::Integer,
        Kind::BigInt => BaseType::BigInt,
        Kind::Real => BaseType::Real,
        Kind::Double => BaseType::DoublePrecision,
        Kind::Boolean => BaseType::Boolean,
        Kind::Text => BaseType::Text,
        Kind::Bytea => BaseType::Bytea,
        Kind::Date => BaseType::Date,
        Kind::Uuid => BaseType::Uuid,
        Kind::Json => BaseType::Json,
        Kind::Jsonb => BaseType::Jsonb,
        Kind::Inet => BaseType::Inet,
        Kind::Cidr => BaseType::Cidr,
        Kind::Macaddr => BaseType::Macaddr,
        Kind::Named(named) => BaseType::Named(named, named.info().extension.and_then(|e| types.extension_schema(e))),
    };

    // Parameters that the type does not take.
    let takes_length =
        matches!(base, BaseType::Char(_) | BaseType::Varchar(_) | BaseType::Bit(_) | BaseType::VarBit(_));
    let takes_precision = matches!(
        base,
        BaseType::Numeric { .. }
            | BaseType::Time(_)
            | BaseType::TimeTz(_)
            | BaseType::Timestamp(_)
            | BaseType::Timestamptz(_)
            | BaseType::Interval(_)
    );
    let takes_scale = matches!(base, BaseType::Numeric { .. });
    let max_inline = if takes_scale { 2 } else { usize::from(takes_length || takes_precision) };
    if !takes(max_inline) {
        problems.push(problem(
            "dataType",
            Code::InvalidTypeParameter,
            format!("`{}` has more parameters than {} takes", col.data_type, base.describe()),
        ));
    }
    for (field, given, allowed) in [
        ("length", col.length, takes_length),
        ("precision", col.precision, takes_precision),
        ("scale", col.scale, takes_scale),
    ] {
        if given.is_some() && !allowed {
            problems.push(problem(
                field,
                Code::InvalidTypeParameter,
                format!("{} does not take a {field}", base.describe()),
            ));
        }
    }
    if col.enum_id.is_some() && !matches!(base, BaseType::Enum { .. }) {
        problems.push(problem(
            "enumId",
            Code::InvalidTypeParameter,
            format!("enumId is only allowed with \"dataType\": \"enum\", not {}", base.describe()),
        ));
    }
    if col.composite_id.is_some() && !matches!(base, BaseType::Composite { .. }) {
        problems.push(problem(
            "compositeId",
            Code::InvalidTypeParameter,
            format!("compositeId is only allowed with \"dataType\": \"composite\", not {}", base.describe()),
        ));
    }
    if col.domain_id.is_some() && !matches!(base, BaseType::Domain { .. }) {
        problems.push(problem(
            "domainId",
            Code::InvalidTypeParameter,
            format!("domainId is only allowed with \"dataType\": \"domain\", not {}", base.describe()),
        ));
    }
    if problems.is_empty() { Ok(ColumnType { base, array }) } else { Err(problems) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(data_type: &str, f: impl FnOnce(&mut Column)) -> Result<ColumnType, Vec<(&'static str, Code)>> {
        let mut col = Column::new("c", "c", data_type);
        f(&mut col);
        resolve_column_type(&col, &Fixture(Ident::parse("status").unwrap()))
            .map_err(|ps| ps.into_iter().map(|p| (p.field, p.code)).collect())
    }

    /// One enum `status` (id e1) and one domain `year` (id d1) over integer.
    struct Fixture(Ident);

    impl TypeLookup for Fixture {
        fn enum_type(&self, id: &str) -> Option<BaseType> {
            (id == "e1").then(|| BaseType::Enum { id: id.into(), name: self.0.clone(), schema: None })
        }
        fn domain(&self, id: &str) -> Result<BaseType, bool> {
            (id == "d1")
                .then(|| BaseType::Domain {
                    id: "d1".into(),
                    name: Ident::parse("year").unwrap(),
                    schema: None,
                    base: Box::new(BaseType::Integer),
                    constrained: true,
                })
                .ok_or(false)
        }
        fn composite(&self, _: &str) -> Result<BaseType, bool> {
            Err(false)
        }
        fn hint(&self, data_type: &str) -> Option<String> {
            (data_type == "status").then(|| "use the enum".into())
        }
    }

    #[test]
    fn domains_resolve_by_id() {
        let t = resolve("domain", |c| c.domain_id = Some("d1".into())).unwrap();
        assert_eq!(t.base.underlying(), &BaseType::Integer);
        assert!(t.base.is_number() && !t.base.is_integer());
        assert_eq!(resolve("domain", |_| ()), Err(vec![("domainId", Code::UnknownReference)]));
        assert_eq!(
            resolve("domain", |c| c.domain_id = Some("d2".into())),
            Err(vec![("domainId", Code::UnknownReference)])
        );
        assert_eq!(
            resolve("integer", |c| c.domain_id = Some("d1".into())),
            Err(vec![("domainId", Code::InvalidTypeParameter)])
        );
    }

    #[test]
    fn aliases_and_inline_parameters() {
        assert_eq!(resolve("INT4", |_| ()).unwrap().base, BaseType::Integer);
        assert_eq!(resolve("BIGSERIAL", |_| ()).unwrap().base, BaseType::BigInt);
        assert!(is_serial("serial") && is_serial("Serial8") && !is_serial("integer"));
        assert_eq!(resolve("Character  Varying(20)", |_| ()).unwrap().base, BaseType::Varchar(Some(20)));
        assert_eq!(
            resolve("decimal(10, 2)", |_| ()).unwrap().base,
            BaseType::Numeric { precision: Some(10), scale: Some(2) }
        );
        let t = resolve("text[]", |_| ()).unwrap();
        assert!(t.array);
        assert_eq!(resolve("char", |_| ()).unwrap().base, BaseType::Char(1));
        assert_eq!(
            resolve("timestamp with time zone", |c| c.precision = Some(3)).unwrap().base,
            BaseType::Timestamptz(Some(3))
        );
        assert!(matches!(resolve("enum", |c| c.enum_id = Some("e1".into())).unwrap().base, BaseType::Enum { .. }));
        assert_eq!(resolve("Time(3) With Time Zone", |_| ()).unwrap().base, BaseType::TimeTz(Some(3)));
        assert_eq!(resolve("timestamp(0) without time zone", |_| ()).unwrap().base, BaseType::Timestamp(Some(0)));
        assert_eq!(resolve("bit", |_| ()).unwrap().base, BaseType::Bit(1));
        assert_eq!(resolve("bit varying(8)", |_| ()).unwrap().base, BaseType::VarBit(Some(8)));
        assert_eq!(resolve("MONEY", |_| ()).unwrap().base, BaseType::Named(NamedType::Money, None));
        let t = resolve("integer[3][3]", |_| ()).unwrap();
        assert!(t.array && t.base == BaseType::Integer);
        assert!(resolve("tstzmultirange []", |_| ()).unwrap().array);
    }

    #[test]
    fn rejects_bad_types_and_parameters() {
        assert_eq!(resolve("moolah", |_| ()), Err(vec![("dataType", Code::UnsupportedDataType)]));
        assert_eq!(resolve("bit(0)", |_| ()), Err(vec![("length", Code::InvalidTypeParameter)]));
        assert_eq!(resolve("point(2)", |_| ()), Err(vec![("dataType", Code::InvalidTypeParameter)]));
        assert_eq!(resolve("integer[x]", |_| ()), Err(vec![("dataType", Code::UnsupportedDataType)]));
        assert_eq!(resolve("status", |_| ()), Err(vec![("dataType", Code::UnsupportedDataType)]));
        assert_eq!(resolve("varchar", |c| c.length = Some(0)), Err(vec![("length", Code::InvalidTypeParameter)]));
        assert_eq!(resolve("varchar(10)", |c| c.length = Some(20)), Err(vec![("length", Code::InvalidTypeParameter)]));
        assert_eq!(resolve("numeric", |c| c.scale = Some(2)), Err(vec![("scale", Code::InvalidTypeParameter)]));
        assert_eq!(resolve("numeric(2,5)", |_| ()), Err(vec![("scale", Code::InvalidTypeParameter)]));
        assert_eq!(resolve("numeric(1001)", |_| ()), Err(vec![("precision", Code::InvalidTypeParameter)]));
        assert_eq!(resolve("integer", |c| c.length = Some(5)), Err(vec![("length", Code::InvalidTypeParameter)]));
        assert_eq!(resolve("integer(5)", |_| ()), Err(vec![("dataType", Code::InvalidTypeParameter)]));
        assert_eq!(resolve("timestamp(7)", |_| ()), Err(vec![("precision", Code::InvalidTypeParameter)]));
        assert_eq!(resolve("enum", |_| ()), Err(vec![("enumId", Code::UnknownReference)]));
        assert_eq!(resolve("enum", |c| c.enum_id = Some("zz".into())), Err(vec![("enumId", Code::UnknownReference)]));
        assert_eq!(
            resolve("text", |c| c.enum_id = Some("e1".into())),
            Err(vec![("enumId", Code::InvalidTypeParameter)])
        );
        assert_eq!(resolve("text[]", |c| c.is_array = Some(false)), Err(vec![("isArray", Code::InvalidTypeParameter)]));
        assert_eq!(resolve("varchar(x)", |_| ()), Err(vec![("dataType", Code::UnsupportedDataType)]));
        assert_eq!(resolve("", |_| ()), Err(vec![("dataType", Code::UnsupportedDataType)]));
    }
}
