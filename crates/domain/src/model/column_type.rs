//! Column types: [`ColumnType`], [`BaseType`] and the families PostgreSQL
//! compares within.

use crate::ident::Ident;
use crate::named_type::NamedType;

/// A column type: a base type, possibly as an array.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ColumnType {
    /// The element type.
    pub base: BaseType,
    /// `base[]`.
    pub array: bool,
}

/// The supported base types, with their parameters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BaseType {
    /// `smallint` (2 bytes).
    SmallInt,
    /// `integer` (4 bytes).
    Integer,
    /// `bigint` (8 bytes).
    BigInt,
    /// `numeric(precision, scale)`; both absent means unconstrained.
    Numeric {
        /// Total significant digits (1 to 1000).
        precision: Option<u32>,
        /// Digits after the point (0 to precision).
        scale: Option<u32>,
    },
    /// `real` (4-byte float).
    Real,
    /// `double precision` (8-byte float).
    DoublePrecision,
    /// `boolean`.
    Boolean,
    /// `char(n)`, blank-padded; n defaults to 1 as in PostgreSQL.
    Char(u32),
    /// `varchar(n)`, or unbounded `varchar` without a length.
    Varchar(Option<u32>),
    /// `text`.
    Text,
    /// `bytea`.
    Bytea,
    /// `date`.
    Date,
    /// `time(p)` without time zone.
    Time(Option<u32>),
    /// `timestamp(p)` without time zone.
    Timestamp(Option<u32>),
    /// `timestamptz(p)`.
    Timestamptz(Option<u32>),
    /// `interval(p)`.
    Interval(Option<u32>),
    /// `uuid`.
    Uuid,
    /// `json` (text, kept as written; no equality operator).
    Json,
    /// `jsonb`.
    Jsonb,
    /// `inet`.
    Inet,
    /// `cidr`.
    Cidr,
    /// `macaddr`.
    Macaddr,
    /// `timetz(p)`: time of day with a time zone offset.
    TimeTz(Option<u32>),
    /// `bit(n)`: exactly n bits (n defaults to 1 as in PostgreSQL).
    Bit(u32),
    /// `varbit(n)`, or unbounded `varbit` without a length.
    VarBit(Option<u32>),
    /// A built-in or extension type without parameters (`money`, `xml`,
    /// `point`, `int4range`, `citext`, ...). The second field is the namespace of the extension that brings the
    /// type, when it is not `public` (the type is then named with it).
    Named(NamedType, Option<Ident>),
    /// One of the document's enums.
    Enum {
        /// Stable id of the enum.
        id: String,
        /// SQL name of the enum type.
        name: Ident,
        /// Its namespace's name (`None`: `public`).
        schema: Option<Ident>,
    },
    /// One of the document's domains: its values are its base type's.
    Domain {
        /// Stable id of the domain.
        id: String,
        /// SQL name of the domain.
        name: Ident,
        /// Its namespace's name (`None`: `public`).
        schema: Option<Ident>,
        /// The base type (never an enum, a domain or an array).
        base: Box<BaseType>,
        /// The domain has NOT NULL or a check ([`DomainModel::constrained`]).
        constrained: bool,
    },
    /// One of the document's composite types.
    Composite {
        /// Stable id of the type.
        id: String,
        /// SQL name of the type.
        name: Ident,
        /// Its namespace's name (`None`: `public`).
        schema: Option<Ident>,
    },
}

/// Groups of types that PostgreSQL can compare with each other (used for
/// foreign keys and expressions).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TypeFamily {
    /// smallint, integer, bigint.
    Integer,
    /// numeric, real, double precision (integers convert implicitly).
    Numeric,
    /// boolean.
    Boolean,
    /// char, varchar, text.
    Text,
    /// bytea.
    Bytes,
    /// date, timestamp, timestamptz.
    DateTime,
    /// time.
    Time,
    /// interval.
    Interval,
    /// uuid.
    Uuid,
    /// json (not comparable at all).
    Json,
    /// jsonb.
    Jsonb,
    /// inet, cidr.
    Network,
    /// macaddr.
    Macaddr,
    /// timetz.
    TimeTz,
    /// bit, varbit.
    Bits,
    /// One named type; each is only comparable with itself.
    Named(NamedType),
    /// One enum (by id); enums are only comparable with themselves.
    Enum(String),
    /// One composite type (by id), only comparable with itself.
    Composite(String),
}

impl BaseType {
    /// The comparison family of the type.
    pub fn family(&self) -> TypeFamily {
        match self {
            Self::SmallInt | Self::Integer | Self::BigInt => TypeFamily::Integer,
            Self::Numeric { .. } | Self::Real | Self::DoublePrecision => TypeFamily::Numeric,
            Self::Boolean => TypeFamily::Boolean,
            Self::Char(_) | Self::Varchar(_) | Self::Text => TypeFamily::Text,
            Self::Bytea => TypeFamily::Bytes,
            Self::Date | Self::Timestamp(_) | Self::Timestamptz(_) => TypeFamily::DateTime,
            Self::Time(_) => TypeFamily::Time,
            Self::Interval(_) => TypeFamily::Interval,
            Self::Uuid => TypeFamily::Uuid,
            Self::Json => TypeFamily::Json,
            Self::Jsonb => TypeFamily::Jsonb,
            Self::Inet | Self::Cidr => TypeFamily::Network,
            Self::Macaddr => TypeFamily::Macaddr,
            Self::TimeTz(_) => TypeFamily::TimeTz,
            Self::Bit(_) | Self::VarBit(_) => TypeFamily::Bits,
            Self::Named(n, _) => TypeFamily::Named(*n),
            Self::Enum { id, .. } => TypeFamily::Enum(id.clone()),
            Self::Domain { base, .. } => base.family(),
            Self::Composite { id, .. } => TypeFamily::Composite(id.clone()),
        }
    }

    /// The type whose values this one holds: a domain's base type, the
    /// type itself otherwise. Type checks, literals, operator classes and
    /// key compatibility are decided on it.
    pub fn underlying(&self) -> &BaseType {
        match self {
            Self::Domain { base, .. } => base,
            other => other,
        }
    }

    /// The type without the namespace of the extension it comes from: the
    /// rules of type changes hold wherever an extension's types live.
    pub fn unqualified(&self) -> BaseType {
        match self {
            Self::Named(n, Some(_)) => Self::Named(*n, None),
            other => other.clone(),
        }
    }

    /// Whether a btree can index the type, so that it can be in a primary
    /// key, a unique key or a foreign key (`json`, `xml`, `point`,
    /// `polygon`, `lquery` and others have no btree operator class).
    pub fn has_btree(&self) -> bool {
        match self.underlying() {
            // Rows compare attribute by attribute, which fails at run time
            // for an attribute without btree equality: keys and btree
            // indexes over them are not offered.
            Self::Json | Self::Composite { .. } => false,
            Self::Named(n, _) => n.has_btree(),
            _ => true,
        }
    }

    /// Whether the type is one of the number types: the integers,
    /// `numeric`, `real` and `double precision`.
    pub fn is_number(&self) -> bool {
        let b = self.underlying();
        b.is_integer() || matches!(b, Self::Numeric { .. } | Self::Real | Self::DoublePrecision)
    }

    /// Whether the type is one of the integer types (the only ones that may
    /// auto-increment).
    pub fn is_integer(&self) -> bool {
        matches!(self, Self::SmallInt | Self::Integer | Self::BigInt)
    }

    /// A short name for messages, e.g. `varchar(50)`.
    pub fn describe(&self) -> String {
        fn p(name: &str, n: Option<u32>) -> String {
            n.map_or_else(|| name.to_string(), |n| format!("{name}({n})"))
        }
        match self {
            Self::SmallInt => "smallint".into(),
            Self::Integer => "integer".into(),
            Self::BigInt => "bigint".into(),
            Self::Numeric { precision: Some(pr), scale: Some(s) } => format!("numeric({pr},{s})"),
            Self::Numeric { precision, .. } => p("numeric", *precision),
            Self::Real => "real".into(),
            Self::DoublePrecision => "double precision".into(),
            Self::Boolean => "boolean".into(),
            Self::Char(n) => format!("char({n})"),
            Self::Varchar(n) => p("varchar", *n),
            Self::Text => "text".into(),
            Self::Bytea => "bytea".into(),
            Self::Date => "date".into(),
            Self::Time(n) => p("time", *n),
            Self::Timestamp(n) => p("timestamp", *n),
            Self::Timestamptz(n) => p("timestamptz", *n),
            Self::Interval(n) => p("interval", *n),
            Self::Uuid => "uuid".into(),
            Self::Json => "json".into(),
            Self::Jsonb => "jsonb".into(),
            Self::Inet => "inet".into(),
            Self::Cidr => "cidr".into(),
            Self::Macaddr => "macaddr".into(),
            Self::TimeTz(n) => p("timetz", *n),
            Self::Bit(n) => format!("bit({n})"),
            Self::VarBit(n) => p("varbit", *n),
            Self::Named(n, _) => n.sql_name().into(),
            Self::Enum { name, .. } => format!("enum {name}"),
            Self::Domain { name, .. } => format!("domain {name}"),
            Self::Composite { name, .. } => format!("composite {name}"),
        }
    }
}

impl ColumnType {
    /// The type whose values this one holds ([`BaseType::underlying`]),
    /// array or not as this one.
    pub fn underlying(&self) -> ColumnType {
        ColumnType { base: self.base.underlying().clone(), array: self.array }
    }

    /// A short name for messages, e.g. `text[]`.
    pub fn describe(&self) -> String {
        let base = self.base.describe();
        if self.array { format!("{base}[]") } else { base }
    }
}
