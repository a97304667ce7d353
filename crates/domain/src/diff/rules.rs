//! What changing a column's type does in PostgreSQL: whether it rewrites the
//! table, whether it can fail or lose data, and how the values convert.
//!
//! The rules follow PostgreSQL 13+ (`pg_cast`, the typmod "support"
//! functions that let a widening skip the rewrite, and the automatic I/O
//! conversions to and from the string types). `docs/migrations.md` has the
//! same table in prose.

use super::Safety;
use crate::model::{BaseType, ColumnType};

mod wider;

/// How values are cast to an element of the new type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cast {
    /// PostgreSQL's own assignment cast: no `USING` is needed, and a value
    /// that does not fit raises an error instead of being truncated.
    Automatic,
    /// An explicit cast to the new type (`USING col::new`).
    Explicit,
    /// Through an intermediate type, because no direct cast exists
    /// (`USING col::text::new`, or `col::integer::boolean`).
    Via(BaseType),
    /// A rebuilt composite type: each value made again attribute by
    /// attribute name (`jsonb_populate_record(NULL::new, to_jsonb(col))`).
    ByAttributeName,
}

/// How array-ness changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Scalar to scalar, or array to array (element by element).
    Same,
    /// Scalar to a one-element array (NULL stays NULL).
    WrapInArray,
    /// Array to its first element (the rest is lost).
    FirstElement,
}

/// How a column's values convert to its new type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversion {
    /// The element cast.
    pub cast: Cast,
    /// The array shape change.
    pub shape: Shape,
}

impl Conversion {
    /// Whether `ALTER COLUMN ... TYPE` needs a `USING` clause.
    pub fn needs_using(&self) -> bool {
        self.cast != Cast::Automatic || self.shape != Shape::Same
    }
}

/// The verdict on one type change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeChange {
    /// Worst outcome for existing rows.
    pub safety: Safety,
    /// How values convert.
    pub conversion: Conversion,
    /// Whether PostgreSQL rewrites the table (and its indexes).
    pub rewrites: bool,
    /// Whether checks, index predicates and foreign keys over the column
    /// survive the change untouched: true only within the integer or string
    /// families, or when only a length/precision changes, where PostgreSQL
    /// has cross-type operators and re-reads the stored expressions to the
    /// same meaning. Otherwise they are dropped and re-created around it.
    pub keeps_dependents: bool,
    /// Why, for people.
    pub explanation: String,
    /// A safer way, where one exists.
    pub alternative: Option<String>,
}

const REWRITE_ALTERNATIVE: &str = "on a big table, add a new column of the new type, backfill it in batches, then \
swap the columns in a short transaction";

/// Effective fractional-second precision (PostgreSQL's default is 6).
fn eff(p: Option<u32>) -> u32 {
    p.unwrap_or(6)
}

/// Characters in the longest text form of a type, where it is small and
/// known (`labels`: the labels of an enum).
fn max_text_len(base: &BaseType, labels: Option<&[String]>) -> Option<u32> {
    Some(match base {
        BaseType::SmallInt => 6,
        BaseType::Integer => 11,
        BaseType::BigInt => 20,
        BaseType::Boolean => 5,
        BaseType::Uuid => 36,
        BaseType::Macaddr => 17,
        BaseType::Char(n) | BaseType::Varchar(Some(n)) | BaseType::Bit(n) | BaseType::VarBit(Some(n)) => *n,
        BaseType::Named(crate::named_type::NamedType::Oid, _) => 10,
        BaseType::Named(crate::named_type::NamedType::Macaddr8, _) => 23,
        // Sign, point and a leading zero at most; NaN is shorter.
        BaseType::Numeric { precision: Some(p), .. } => p + 3,
        BaseType::Enum { .. } => labels?.iter().map(|l| u32::try_from(l.chars().count()).unwrap_or(u32::MAX)).max()?,
        _ => return None,
    })
}

/// Integer digits a type can hold.
fn int_digits(base: &BaseType) -> u32 {
    match base {
        BaseType::SmallInt => 5,
        BaseType::Integer => 10,
        _ => 19,
    }
}

struct Rule {
    safety: Safety,
    cast: Cast,
    rewrites: bool,
    why: String,
}

fn rule(safety: Safety, cast: Cast, rewrites: bool, why: impl Into<String>) -> Rule {
    Rule { safety, cast, rewrites, why: why.into() }
}

fn is_string(b: &BaseType) -> bool {
    matches!(b, BaseType::Char(_) | BaseType::Varchar(_) | BaseType::Text)
}

/// Significant decimal digits a float type keeps exactly (FLT_DIG, DBL_DIG):
/// a decimal of at most that many digits survives the trip through it, and
/// PostgreSQL rounds a float to that many digits when it makes a numeric.
fn float_digits(b: &BaseType) -> u32 {
    if matches!(b, BaseType::Real) { 6 } else { 15 }
}

/// Whether, with no cast between them, some values' text form parses as
/// the new type with another meaning (checked against PostgreSQL's input
/// functions by the conformance test).
fn misread(o: &BaseType, n: &BaseType) -> bool {
    use BaseType as B;
    let number = matches!(o, B::SmallInt | B::Integer | B::BigInt | B::Numeric { .. } | B::Real | B::DoublePrecision);
    let json = matches!(o, B::Json | B::Jsonb);
    // Prints 20240101, which reads as a date.
    let yyyymmdd = match o {
        B::Integer | B::BigInt | B::DoublePrecision => true,
        B::Numeric { precision, scale } => scale.unwrap_or(0) == 0 && precision.is_none_or(|p| p >= 8),
        _ => false,
    };
    match n {
        B::Time(_) | B::Cidr => number || json,
        // A cidr's text `::/0` reads as a zero interval (an inet's text
        // always carries its netmask, which no interval reads).
        B::Interval(_) => number || json || matches!(o, B::Cidr),
        B::Date | B::Timestamp(_) | B::Timestamptz(_) => yyyymmdd || json,
        // The JSON number 1 reads as true (numbers' 1 and 0 mean true and
        // false, so they keep their meaning).
        B::Boolean => matches!(o, B::Json),
        // 2024-02-29 reads as the MAC address 20:24:02:29:...
        B::Macaddr => matches!(o, B::Date),
        _ => false,
    }
}

/// The rule for one element type change (`o` != `n`, or a rebuilt enum).
fn element_rule(o: &BaseType, n: &BaseType, labels: Option<&[String]>) -> Rule {
    use BaseType as B;
    use Cast::{Automatic, Explicit};
    use Safety::{DataLoss, LocksTable, MayFail, Safe};
    // The rules hold wherever an extension's types live.
    let (o, n) = (&o.unqualified(), &n.unqualified());
    if let Some(r) = wider::rule_for(o, n) {
        return r;
    }
    let (od, nd) = (o.describe(), n.describe());
    match (o, n) {
        (B::Enum { id: a, .. }, B::Enum { id: b, .. }) if a == b => rule(
            LocksTable,
            Cast::Via(B::Text),
            true,
            format!("the column is converted to the rebuilt {nd} through its labels, rewriting the table"),
        ),
        // ------------------------------------------------ to the string types
        (B::Varchar(_) | B::Text, B::Text | B::Varchar(None)) => {
            rule(Safe, Automatic, false, format!("{od} to {nd} is binary compatible: no rewrite, no scan"))
        }
        (B::Varchar(Some(a)), B::Varchar(Some(b))) if b >= a => {
            rule(Safe, Automatic, false, "a longer limit only changes the catalog: no rewrite, no scan")
        }
        (B::Char(_), B::Text | B::Varchar(None)) => rule(
            LocksTable,
            Automatic,
            true,
            format!("{od} to {nd} rewrites the table; trailing blanks, which char ignores, are removed"),
        ),
        (_, B::Text | B::Varchar(None)) => {
            rule(LocksTable, Automatic, true, format!("{od} values are stored as their text form, rewriting the table"))
        }
        (B::Char(a), B::Char(b)) if b >= a => {
            rule(LocksTable, Automatic, true, format!("{od} to {nd} pads every value, rewriting the table"))
        }
        (B::Varchar(_) | B::Text, B::Char(m)) => rule(
            DataLoss,
            Automatic,
            true,
            format!(
                "{nd} ignores trailing blanks, so values that end in blanks lose them ('ab ' reads back as 'ab'), \
                 and values longer than {m} characters make the change fail; it rewrites the table"
            ),
        ),
        (_, B::Varchar(Some(m)) | B::Char(m)) => match max_text_len(o, labels) {
            Some(len) if len <= *m => {
                rule(LocksTable, Automatic, true, format!("every {od} value fits in {nd}, but the table is rewritten"))
            }
            _ => rule(
                MayFail,
                Automatic,
                true,
                format!(
                    "values longer than {m} characters make the change fail (nothing is truncated); it rewrites the table"
                ),
            ),
        },
        // ------------------------------------------------ from the string types
        (B::Char(_) | B::Varchar(_) | B::Text, _) => rule(
            MayFail,
            Explicit,
            true,
            format!(
                "each value is parsed as {nd}, keeping its meaning but not its spelling (' 007' becomes 7); a value \
                 that is not valid {nd} makes the change fail; it rewrites the table"
            ),
        ),
        // ------------------------------------------------ integers
        (B::SmallInt | B::Integer | B::BigInt, B::SmallInt | B::Integer | B::BigInt) => {
            if int_digits(n) >= int_digits(o) {
                rule(
                    LocksTable,
                    Automatic,
                    true,
                    format!("{od} to {nd} never fails but rewrites the table and its indexes"),
                )
            } else {
                rule(
                    MayFail,
                    Automatic,
                    true,
                    format!("values outside the range of {nd} make the change fail; it rewrites the table"),
                )
            }
        }
        (B::SmallInt | B::Integer | B::BigInt, B::Numeric { precision, scale }) => match precision {
            Some(p) if p.saturating_sub(scale.unwrap_or(0)) < int_digits(o) => rule(
                MayFail,
                Automatic,
                true,
                format!("{nd} holds fewer integer digits than {od}: larger values make the change fail"),
            ),
            _ => rule(LocksTable, Automatic, true, format!("every {od} value fits in {nd}; the table is rewritten")),
        },
        (B::SmallInt, B::Real | B::DoublePrecision) | (B::Integer, B::DoublePrecision) => {
            rule(LocksTable, Automatic, true, format!("every {od} value is exact in {nd}; the table is rewritten"))
        }
        (B::Integer | B::BigInt, B::Real) | (B::BigInt, B::DoublePrecision) => rule(
            DataLoss,
            Automatic,
            true,
            format!("{nd} cannot represent every {od} exactly: large values are rounded"),
        ),
        (B::Integer, B::Boolean) => {
            rule(DataLoss, Explicit, true, "every non-zero value becomes true; the numbers are lost")
        }
        (B::SmallInt | B::BigInt, B::Boolean) => {
            rule(DataLoss, Cast::Via(B::Integer), true, "every non-zero value becomes true; the numbers are lost")
        }
        (B::Boolean, B::Integer) => {
            rule(LocksTable, Explicit, true, "true becomes 1 and false 0; the table is rewritten")
        }
        (B::Boolean, B::SmallInt | B::BigInt) => {
            rule(LocksTable, Cast::Via(B::Integer), true, "true becomes 1 and false 0; the table is rewritten")
        }
        // ------------------------------------------------ numeric, real, double
        (B::Numeric { precision: p1, scale: s1 }, B::Numeric { precision: p2, scale: s2 }) => {
            let (s1, s2) = (s1.unwrap_or(0), s2.unwrap_or(0));
            match (p1, p2) {
                (_, None) => rule(Safe, Automatic, false, "an unconstrained numeric holds every value: no rewrite"),
                (None, Some(_)) => rule(
                    DataLoss,
                    Automatic,
                    true,
                    format!("values are rounded to {s2} decimal places, and larger ones make the change fail"),
                ),
                (Some(p1), Some(p2)) if s2 == s1 && p2 >= p1 => {
                    rule(Safe, Automatic, false, "a larger precision with the same scale only changes the catalog")
                }
                (Some(_), Some(_)) if s2 < s1 => rule(
                    DataLoss,
                    Automatic,
                    true,
                    format!("values are rounded to {s2} decimal places; the table is rewritten"),
                ),
                (Some(p1), Some(p2)) if p2 - s2 >= p1 - s1 => {
                    rule(LocksTable, Automatic, true, "every value fits, but a scale change rewrites the table")
                }
                _ => rule(
                    MayFail,
                    Automatic,
                    true,
                    format!("{nd} holds fewer integer digits than {od}: larger values make the change fail"),
                ),
            }
        }
        // numeric(p) can hold NaN, which no integer type can.
        (B::Numeric { precision: Some(p), scale }, B::SmallInt | B::Integer | B::BigInt) if scale.unwrap_or(0) == 0 => {
            let why = if *p < int_digits(n) {
                format!("every number of {od} fits in {nd}, but NaN makes the change fail; it rewrites the table")
            } else {
                format!("values outside the range of {nd}, and NaN, make the change fail; it rewrites the table")
            };
            rule(MayFail, Automatic, true, why)
        }
        (B::Numeric { .. } | B::Real | B::DoublePrecision, B::SmallInt | B::Integer | B::BigInt) => {
            rule(DataLoss, Automatic, true, "fractions are rounded away, and values out of range make the change fail")
        }
        (B::Real, B::DoublePrecision) => {
            rule(LocksTable, Automatic, true, "real to double precision is exact; the table is rewritten")
        }
        (B::Numeric { precision: Some(p), .. }, B::Real | B::DoublePrecision) if *p <= float_digits(n) => rule(
            LocksTable,
            Automatic,
            true,
            format!(
                "{nd} keeps {} significant digits, enough for every {od} value; the table is rewritten",
                float_digits(n)
            ),
        ),
        (B::Numeric { .. } | B::DoublePrecision, B::Real | B::DoublePrecision) => rule(
            DataLoss,
            Automatic,
            true,
            format!("{nd} keeps fewer significant digits than {od}: values are rounded"),
        ),
        (B::Real | B::DoublePrecision, B::Numeric { precision: None, .. }) => rule(
            DataLoss,
            Automatic,
            true,
            format!(
                "PostgreSQL rounds each value to {} significant digits (16777216 becomes 16777200); it rewrites the table",
                float_digits(o)
            ),
        ),
        (B::Real | B::DoublePrecision, B::Numeric { .. }) => rule(
            DataLoss,
            Automatic,
            true,
            format!(
                "values are rounded to {} significant digits and to the scale of {nd}, and larger ones and infinities \
                 make the change fail",
                float_digits(o)
            ),
        ),
        // ------------------------------------------------ dates and times
        (B::Timestamp(a), B::Timestamp(b))
        | (B::Timestamptz(a), B::Timestamptz(b))
        | (B::Time(a), B::Time(b))
        | (B::Interval(a), B::Interval(b)) => {
            if eff(*b) >= eff(*a) {
                rule(Safe, Automatic, false, "a finer precision only changes the catalog: no rewrite")
            } else {
                rule(DataLoss, Automatic, true, format!("fractional seconds are rounded to {} digits", eff(*b)))
            }
        }
        (B::Date, B::Timestamp(_) | B::Timestamptz(_)) => rule(
            MayFail,
            Automatic,
            true,
            "each date becomes midnight (in the session time zone for timestamptz); dates after 294276 AD do not \
             fit and make the change fail; the table is rewritten",
        ),
        (B::Timestamp(a), B::Timestamptz(b)) | (B::Timestamptz(a), B::Timestamp(b)) if eff(*b) < eff(*a) => rule(
            DataLoss,
            Automatic,
            true,
            format!(
                "fractional seconds are rounded to {} digits, and values are read in the session's TimeZone",
                eff(*b)
            ),
        ),
        (B::Timestamp(_), B::Timestamptz(_)) | (B::Timestamptz(_), B::Timestamp(_)) => rule(
            MayFail,
            Automatic,
            true,
            format!(
                "{od} to {nd} reads values in the session's TimeZone (set it explicitly; in a zone with daylight \
                 saving, times in the skipped hour move); values at the ends of the range (4714 BC, 294276 AD) that \
                 the zone's offset pushes out of range make the change fail; it rewrites the table unless TimeZone is UTC"
            ),
        ),
        (B::Timestamp(_) | B::Timestamptz(_), B::Date) => rule(DataLoss, Automatic, true, "the time of day is dropped"),
        (B::Timestamp(_) | B::Timestamptz(_), B::Time(_)) => rule(DataLoss, Automatic, true, "the date is dropped"),
        (B::Time(a), B::Interval(b)) if eff(*b) < eff(*a) => {
            rule(DataLoss, Automatic, true, format!("fractional seconds are rounded to {} digits", eff(*b)))
        }
        (B::Time(_), B::Interval(_)) => {
            rule(LocksTable, Automatic, true, "each time becomes the interval since midnight; the table is rewritten")
        }
        (B::Interval(_), B::Time(_)) => {
            rule(DataLoss, Automatic, true, "whole days, months and years of each interval are dropped")
        }
        // ------------------------------------------------ others with casts
        (B::Cidr, B::Inet) => rule(Safe, Automatic, false, "cidr is binary compatible with inet: no rewrite"),
        (B::Inet, B::Cidr) => rule(
            DataLoss,
            Automatic,
            true,
            "the host bits to the right of the netmask are cleared (10.0.0.1/8 becomes 10.0.0.0/8); it rewrites the table",
        ),
        (B::Json, B::Jsonb) => rule(
            MayFail,
            Automatic,
            true,
            "jsonb keeps neither whitespace, key order nor duplicate keys, and \\u0000 fails; it rewrites the table",
        ),
        (B::Jsonb, B::Json) => rule(LocksTable, Automatic, true, "jsonb to json rewrites the table"),
        (B::Json | B::Jsonb, B::Numeric { precision: None, .. }) => rule(
            MayFail,
            if matches!(o, B::Jsonb) { Explicit } else { Cast::Via(B::Text) },
            true,
            "JSON numbers convert exactly; anything else makes the change fail; it rewrites the table",
        ),
        (B::Jsonb, B::SmallInt | B::Integer | B::BigInt | B::Numeric { .. } | B::Real | B::DoublePrecision)
        | (B::Json, B::Numeric { .. } | B::Real | B::DoublePrecision) => rule(
            DataLoss,
            if matches!(o, B::Jsonb) { Explicit } else { Cast::Via(B::Text) },
            true,
            format!(
                "JSON numbers are rounded to what {nd} holds (1.5 becomes 2 in an integer, 0.125 becomes 0.13 in \
                 numeric(10,2)); anything else makes the change fail"
            ),
        ),
        (B::Jsonb, B::Boolean) => rule(
            MayFail,
            Explicit,
            true,
            format!("only JSON booleans convert to {nd}; anything else makes the change fail"),
        ),
        (_, B::Bytea) => rule(
            DataLoss,
            Cast::Via(B::Text),
            true,
            format!(
                "there is no cast from {od} to bytea: each value becomes the bytes of its text form, which the \
                 down script cannot turn back into {od}"
            ),
        ),
        (B::Enum { .. }, _) => rule(
            MayFail,
            Cast::Via(B::Text),
            true,
            format!("each label is parsed as {nd}; a label that is not valid {nd} makes the change fail"),
        ),
        // ------------------------------------------------ no cast at all
        _ if misread(o, n) => rule(
            DataLoss,
            Cast::Via(B::Text),
            true,
            format!(
                "there is no cast from {od} to {nd}: values go through their text form, where some read as a \
                 different {nd} (20240101 becomes a date, 123456 the time 12:34:56, 10 the network 10.0.0.0/8, \
                 1 true), others make the change fail, and the down script cannot turn them back"
            ),
        ),
        (B::SmallInt | B::Integer | B::BigInt | B::Boolean, B::Json | B::Jsonb) => rule(
            LocksTable,
            Cast::Via(B::Text),
            true,
            format!("every {od} value's text is a JSON scalar; the table is rewritten"),
        ),
        _ => rule(
            MayFail,
            Cast::Via(B::Text),
            true,
            format!(
                "there is no cast from {od} to {nd}: values go through their text form, and any that is not valid {nd} makes the change fail"
            ),
        ),
    }
}

/// What surrounds a column whose type changes, where it decides the class.
#[derive(Debug, Clone, Copy, Default)]
pub struct TypeContext<'a> {
    /// The labels of the old type, when it is an enum (they decide whether
    /// every value fits a `varchar(n)`).
    pub old_labels: Option<&'a [String]>,
    /// A check that stays in place reads the column: PostgreSQL re-checks it
    /// on every row.
    pub checked: bool,
    /// A partial index that stays in place has the column as a key or reads
    /// it in its predicate: PostgreSQL rebuilds it.
    pub in_partial_index: bool,
    /// An index or key that stays in place has the column as a key: rebuilt
    /// when the new type has another operator class, even without a rewrite.
    pub indexed: bool,
    /// The new type is the column's domain rebuilt with the constraints it
    /// had (or fewer): the values, which met them, are checked again
    /// (a rewrite) but only their conversion can fail.
    pub kept_constraints: bool,
}

/// Whether two types are one type with other parameters (a length, a
/// precision); named types only when they are the same one.
pub fn same_kind(a: &BaseType, b: &BaseType) -> bool {
    match (a, b) {
        (BaseType::Named(x, _), BaseType::Named(y, _)) => x == y,
        _ => std::mem::discriminant(a) == std::mem::discriminant(b),
    }
}

/// Whether a change PostgreSQL makes without a rewrite still rebuilds the
/// indexes over the column: the two types are binary compatible but have
/// different operator classes (integer and oid, the strings and citext, bit
/// and varbit).
fn rebuilds_indexes(o: &BaseType, n: &BaseType) -> bool {
    use crate::named_type::NamedType as N;
    let citext = |b: &BaseType| matches!(b, BaseType::Named(N::Citext, _));
    let oid = |b: &BaseType| matches!(b, BaseType::Named(N::Oid, _));
    citext(o) != citext(n)
        || oid(o) != oid(n)
        || matches!((o, n), (BaseType::Bit(_), BaseType::VarBit(_)) | (BaseType::VarBit(_), BaseType::Bit(_)))
}

/// Whether the type has no length or precision (`typmod` -1), so that an
/// array of it needs no element coercion.
fn unconstrained(b: &BaseType) -> bool {
    use BaseType as B;
    matches!(
        b,
        B::Varchar(None)
            | B::VarBit(None)
            | B::TimeTz(None)
            | B::Numeric { precision: None, .. }
            | B::Time(None)
            | B::Timestamp(None)
            | B::Timestamptz(None)
            | B::Interval(None)
    )
}

/// The rule for changing a column from `old` to `new` (or, when both are the
/// same enum, converting it to its rebuilt type), on a column with nothing
/// around it; see [`type_change_in`].
///
/// ```
/// use schemaforge_domain::{BaseType, ColumnType, Safety, diff::type_change};
///
/// let ty = |base| ColumnType { base, array: false };
/// let widen = type_change(&ty(BaseType::Varchar(Some(50))), &ty(BaseType::Varchar(Some(100))));
/// assert_eq!(widen.safety, Safety::Safe);
/// assert!(!widen.rewrites);
/// let int_to_big = type_change(&ty(BaseType::Integer), &ty(BaseType::BigInt));
/// assert_eq!(int_to_big.safety, Safety::LocksTable);
/// assert_eq!(type_change(&ty(BaseType::BigInt), &ty(BaseType::Integer)).safety, Safety::MayFail);
/// assert_eq!(type_change(&ty(BaseType::Inet), &ty(BaseType::Cidr)).safety, Safety::DataLoss);
/// ```
pub fn type_change(old: &ColumnType, new: &ColumnType) -> TypeChange {
    type_change_in(old, new, &TypeContext::default())
}

/// [`type_change`] for a column in `context`: a change that PostgreSQL makes
/// without a rewrite still scans the table when a check reads the column,
/// and rebuilds a partial index over it, under an exclusive lock.
///
/// ```
/// use schemaforge_domain::{BaseType, ColumnType, Safety, diff::{TypeContext, type_change_in}};
///
/// let ty = |base| ColumnType { base, array: false };
/// let (old, new) = (ty(BaseType::Varchar(Some(50))), ty(BaseType::Text));
/// assert_eq!(type_change_in(&old, &new, &TypeContext::default()).safety, Safety::Safe);
/// let checked = TypeContext { checked: true, ..TypeContext::default() };
/// assert_eq!(type_change_in(&old, &new, &checked).safety, Safety::LocksTable);
/// ```
pub fn type_change_in(old: &ColumnType, new: &ColumnType, context: &TypeContext<'_>) -> TypeChange {
    if matches!(old.base, BaseType::Domain { .. }) || matches!(new.base, BaseType::Domain { .. }) {
        return domain_change(old, new, context);
    }
    let r = element_rule(&old.base, &new.base, context.old_labels);
    let same_variant = same_kind(&old.base, &new.base) && !matches!(old.base, BaseType::Enum { .. });
    let family_keeps = matches!(
        (&old.base, &new.base),
        (
            BaseType::SmallInt | BaseType::Integer | BaseType::BigInt,
            BaseType::SmallInt | BaseType::Integer | BaseType::BigInt
        )
    ) || (is_string(&old.base) && is_string(&new.base));
    let (shape, mut safety, rewrites, mut why) = match (old.array, new.array) {
        (false, true) => (
            Shape::WrapInArray,
            r.safety.max(Safety::LocksTable),
            true,
            format!("each value becomes a one-element array; {}", r.why),
        ),
        (true, false) => (
            Shape::FirstElement,
            Safety::DataLoss,
            true,
            format!("only the first element of each array is kept; {}", r.why),
        ),
        (true, true) => {
            // Arrays are converted element by element, which rewrites, even
            // between binary-compatible element types (varchar[] to text[]);
            // only dropping the length or precision of the same element
            // type needs no conversion at all.
            let binary = !r.rewrites && same_variant && unconstrained(&new.base);
            let safety = if binary { r.safety } else { r.safety.max(Safety::LocksTable) };
            let why = if binary {
                format!("element by element: {}", r.why)
            } else {
                format!("element by element, rewriting the table: {}", r.why)
            };
            (Shape::Same, safety, !binary, why)
        }
        (false, false) => (Shape::Same, r.safety, r.rewrites, r.why),
    };
    // Arrays have no cross-type operators (no `text[] = varchar[]`): only the
    // same element type keeps its dependents.
    let keeps_dependents = old.array == new.array && (same_variant || (family_keeps && !old.array));
    let reindexed = context.indexed && rebuilds_indexes(&old.base, &new.base);
    if !rewrites && safety == Safety::Safe && (context.checked || context.in_partial_index || reindexed) {
        safety = Safety::LocksTable;
        let mut around = Vec::new();
        if context.checked {
            around.push("re-checks every row against the checks that read the column");
        }
        if context.in_partial_index {
            around.push("rebuilds the partial indexes over it");
        }
        if reindexed && !context.in_partial_index {
            around.push("rebuilds the indexes over it (the new type has another operator class)");
        }
        why = format!("{why}; but PostgreSQL {} under an exclusive lock", around.join(" and "));
    }
    let alternative = match safety {
        Safety::Safe => None,
        Safety::LocksTable if !rewrites => Some(
            "drop the check or partial index first and add it back afterwards (a check NOT VALID, then VALIDATE; \
             an index CONCURRENTLY)"
                .to_string(),
        ),
        Safety::LocksTable => Some(REWRITE_ALTERNATIVE.to_string()),
        Safety::MayFail | Safety::DataLoss => Some(
            "check the existing values first; or add a new column of the new type, backfill it with an explicit \
             conversion you control, then swap the columns"
                .to_string(),
        ),
    };
    TypeChange {
        safety,
        conversion: Conversion { cast: r.cast, shape },
        rewrites,
        keeps_dependents,
        explanation: why,
        alternative,
    }
}

/// A change to or from a domain (or to a rebuilt one): the values convert
/// as their base types do; into a domain with NOT NULL or a check,
/// PostgreSQL checks every value, which it does by rewriting the table
/// (`ATColumnChangeRequiresRewrite`), and a value the domain refuses fails
/// the migration. Out of a domain, or into one without constraints, the
/// values are relabelled: no rewrite.
fn domain_change(old: &ColumnType, new: &ColumnType, context: &TypeContext<'_>) -> TypeChange {
    let (from, to) = (old.underlying(), new.underlying());
    let mut change = if from == to {
        TypeChange {
            safety: Safety::Safe,
            conversion: Conversion { cast: Cast::Automatic, shape: Shape::Same },
            rewrites: false,
            keeps_dependents: true,
            explanation: format!("the values stay {}: PostgreSQL relabels them", from.describe()),
            alternative: None,
        }
    } else {
        type_change_in(&from, &to, context)
    };
    if let (BaseType::Domain { name, constrained: true, .. }, true) = (&new.base, context.kept_constraints) {
        change.rewrites = true;
        change.safety = change.safety.max(Safety::LocksTable);
        change.explanation = format!(
            "{}; every value is checked again against the constraints of domain {name}, which it met, rewriting \
             the table",
            change.explanation
        );
        change.alternative.get_or_insert_with(|| REWRITE_ALTERNATIVE.to_string());
    } else if let BaseType::Domain { name, constrained: true, .. } = &new.base {
        change.rewrites = true;
        change.safety = change.safety.max(Safety::MayFail);
        change.explanation = format!(
            "{}; every value is checked against the constraints of domain {name}, rewriting the table, and a value \
             they refuse fails the migration",
            change.explanation
        );
        if change.alternative.is_none() || change.safety == Safety::MayFail {
            change.alternative = Some(
                "check the existing values against the domain's constraints first; on a big table, add a column \
                 of the domain, backfill it in batches, then swap the columns"
                    .to_string(),
            );
        }
    }
    change
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(base: BaseType) -> ColumnType {
        ColumnType { base, array: false }
    }

    fn a(base: BaseType) -> ColumnType {
        ColumnType { base, array: true }
    }

    fn verdict(old: BaseType, new: BaseType) -> (Safety, bool, Cast) {
        let c = type_change(&t(old), &t(new));
        (c.safety, c.rewrites, c.conversion.cast)
    }

    fn num(p: u32, s: u32) -> BaseType {
        BaseType::Numeric { precision: Some(p), scale: Some(s) }
    }

    #[test]
    fn domain_rules() {
        use BaseType as B;
        let d = |constrained: bool, base: BaseType| B::Domain {
            id: "d".into(),
            name: crate::Ident::parse("year").unwrap(),
            schema: None,
            base: Box::new(base),
            constrained,
        };
        assert_eq!(verdict(B::Integer, d(false, B::Integer)), (Safety::Safe, false, Cast::Automatic));
        assert_eq!(verdict(d(true, B::Integer), B::Integer), (Safety::Safe, false, Cast::Automatic));
        assert_eq!(verdict(B::Integer, d(true, B::Integer)), (Safety::MayFail, true, Cast::Automatic));
        assert_eq!(verdict(B::Text, d(false, B::Integer)), (Safety::MayFail, true, Cast::Explicit));
        assert_eq!(verdict(d(false, B::Integer), B::BigInt), (Safety::LocksTable, true, Cast::Automatic));
        assert_eq!(verdict(d(true, B::BigInt), d(true, B::Integer)).0, Safety::MayFail);
    }

    #[test]
    fn string_rules() {
        use BaseType as B;
        assert_eq!(verdict(B::Varchar(Some(50)), B::Varchar(Some(100))), (Safety::Safe, false, Cast::Automatic));
        assert_eq!(verdict(B::Varchar(Some(50)), B::Text), (Safety::Safe, false, Cast::Automatic));
        assert_eq!(verdict(B::Text, B::Varchar(None)), (Safety::Safe, false, Cast::Automatic));
        assert_eq!(verdict(B::Varchar(Some(100)), B::Varchar(Some(50))), (Safety::MayFail, true, Cast::Automatic));
        assert_eq!(verdict(B::Text, B::Varchar(Some(5))), (Safety::MayFail, true, Cast::Automatic));
        assert_eq!(verdict(B::Char(3), B::Text), (Safety::LocksTable, true, Cast::Automatic));
        assert_eq!(verdict(B::Char(3), B::Char(5)).0, Safety::LocksTable);
        assert_eq!(verdict(B::Char(5), B::Char(3)).0, Safety::MayFail);
        assert_eq!(verdict(B::Text, B::Char(5)).0, Safety::DataLoss, "trailing blanks");
        assert_eq!(verdict(B::Integer, B::Varchar(Some(11))).0, Safety::LocksTable);
        assert_eq!(verdict(B::BigInt, B::Varchar(Some(11))).0, Safety::MayFail);
        assert_eq!(verdict(B::Uuid, B::Text), (Safety::LocksTable, true, Cast::Automatic));
        assert_eq!(verdict(B::Text, B::Integer), (Safety::MayFail, true, Cast::Explicit));
        assert_eq!(verdict(B::Text, B::Uuid), (Safety::MayFail, true, Cast::Explicit));
    }

    #[test]
    fn numeric_rules() {
        use BaseType as B;
        assert_eq!(verdict(B::Integer, B::BigInt), (Safety::LocksTable, true, Cast::Automatic));
        assert_eq!(verdict(B::SmallInt, B::Integer).0, Safety::LocksTable);
        assert_eq!(verdict(B::BigInt, B::Integer), (Safety::MayFail, true, Cast::Automatic));
        assert_eq!(verdict(num(10, 2), num(12, 2)), (Safety::Safe, false, Cast::Automatic));
        assert_eq!(verdict(num(10, 2), num(8, 2)).0, Safety::MayFail);
        assert_eq!(verdict(num(10, 2), num(10, 1)).0, Safety::DataLoss);
        assert_eq!(verdict(num(10, 2), num(11, 3)), (Safety::LocksTable, true, Cast::Automatic));
        assert_eq!(verdict(num(10, 2), num(10, 3)).0, Safety::MayFail);
        assert_eq!(verdict(num(10, 2), B::Numeric { precision: None, scale: None }).0, Safety::Safe);
        assert_eq!(verdict(B::Numeric { precision: None, scale: None }, num(10, 2)).0, Safety::DataLoss);
        assert_eq!(verdict(B::Integer, num(12, 2)).0, Safety::LocksTable);
        assert_eq!(verdict(B::Integer, num(5, 2)).0, Safety::MayFail);
        assert_eq!(verdict(B::Integer, B::Real).0, Safety::DataLoss);
        assert_eq!(verdict(B::Integer, B::DoublePrecision).0, Safety::LocksTable);
        assert_eq!(verdict(B::Real, B::Numeric { precision: None, scale: None }).0, Safety::DataLoss);
        assert_eq!(verdict(B::DoublePrecision, num(20, 2)).0, Safety::DataLoss);
        assert_eq!(verdict(num(10, 0), B::DoublePrecision).0, Safety::LocksTable);
        assert_eq!(verdict(num(15, 4), B::DoublePrecision).0, Safety::LocksTable);
        assert_eq!(verdict(num(16, 4), B::DoublePrecision).0, Safety::DataLoss);
        assert_eq!(verdict(num(6, 2), B::Real).0, Safety::LocksTable);
        assert_eq!(verdict(num(10, 0), B::BigInt).0, Safety::MayFail, "NaN");
        assert_eq!(verdict(B::Real, B::DoublePrecision).0, Safety::LocksTable);
        assert_eq!(verdict(B::DoublePrecision, B::Real).0, Safety::DataLoss);
        assert_eq!(verdict(num(10, 2), B::Integer).0, Safety::DataLoss);
        assert_eq!(verdict(num(10, 0), B::Integer).0, Safety::MayFail);
        assert_eq!(verdict(B::Integer, B::Boolean), (Safety::DataLoss, true, Cast::Explicit));
        assert_eq!(verdict(B::SmallInt, B::Boolean).2, Cast::Via(B::Integer));
        assert_eq!(verdict(B::Boolean, B::BigInt), (Safety::LocksTable, true, Cast::Via(B::Integer)));
    }

    #[test]
    fn time_and_other_rules() {
        use BaseType as B;
        assert_eq!(verdict(B::Timestamp(Some(3)), B::Timestamp(None)), (Safety::Safe, false, Cast::Automatic));
        assert_eq!(verdict(B::Timestamp(None), B::Timestamp(Some(3))).0, Safety::DataLoss);
        // At the ends of the range the zone's offset can push a value out.
        assert_eq!(verdict(B::Timestamp(None), B::Timestamptz(None)).0, Safety::MayFail);
        assert_eq!(verdict(B::Timestamp(None), B::Timestamptz(Some(3))).0, Safety::DataLoss);
        assert_eq!(verdict(B::Timestamptz(Some(3)), B::Timestamp(None)).0, Safety::MayFail);
        assert_eq!(verdict(B::Time(None), B::Interval(Some(3))).0, Safety::DataLoss);
        assert_eq!(verdict(B::Time(Some(3)), B::Interval(None)).0, Safety::LocksTable);
        assert_eq!(verdict(B::Timestamptz(None), B::Date).0, Safety::DataLoss);
        assert_eq!(verdict(B::Date, B::Timestamp(None)).0, Safety::MayFail, "dates after 294276 AD");
        assert_eq!(verdict(B::Interval(None), B::Time(None)).0, Safety::DataLoss);
        assert_eq!(verdict(B::Cidr, B::Inet), (Safety::Safe, false, Cast::Automatic));
        assert_eq!(verdict(B::Inet, B::Cidr).0, Safety::DataLoss, "host bits are cleared");
        assert_eq!(verdict(B::Integer, B::Date), (Safety::DataLoss, true, Cast::Via(B::Text)), "20240101");
        assert_eq!(verdict(B::SmallInt, B::Date).0, Safety::MayFail, "no smallint reads as a date");
        assert_eq!(verdict(B::Date, B::Macaddr).0, Safety::DataLoss);
        assert_eq!(verdict(B::Uuid, B::Bytea).0, Safety::DataLoss);
        assert_eq!(verdict(B::Integer, B::Jsonb).0, Safety::LocksTable);
        assert_eq!(verdict(B::Jsonb, B::Integer).0, Safety::DataLoss, "1.5 becomes 2");
        assert_eq!(verdict(B::Json, B::Jsonb).0, Safety::MayFail);
        assert_eq!(verdict(B::Jsonb, B::Json).0, Safety::LocksTable);
        assert_eq!(verdict(B::Uuid, B::Date), (Safety::MayFail, true, Cast::Via(B::Text)));
        let e = |id: &str| B::Enum { id: id.into(), name: crate::Ident::parse("e").unwrap(), schema: None };
        assert_eq!(verdict(e("a"), e("a")), (Safety::LocksTable, true, Cast::Via(B::Text)));
        assert_eq!(verdict(e("a"), e("b")), (Safety::MayFail, true, Cast::Via(B::Text)));
        assert_eq!(verdict(e("a"), B::Text), (Safety::LocksTable, true, Cast::Automatic));
        assert_eq!(verdict(B::Text, e("a")), (Safety::MayFail, true, Cast::Explicit));
    }

    #[test]
    fn arrays_and_foreign_keys() {
        use BaseType as B;
        let c = type_change(&t(B::Integer), &a(B::Integer));
        assert_eq!((c.safety, c.conversion.shape), (Safety::LocksTable, Shape::WrapInArray));
        let c = type_change(&a(B::Integer), &t(B::Integer));
        assert_eq!((c.safety, c.conversion.shape), (Safety::DataLoss, Shape::FirstElement));
        let c = type_change(&a(B::Varchar(Some(3))), &a(B::Text));
        assert_eq!((c.safety, c.rewrites), (Safety::LocksTable, true));
        let c = type_change(&a(B::Varchar(Some(3))), &a(B::Varchar(None)));
        assert_eq!((c.safety, c.rewrites), (Safety::Safe, false));
        let c = type_change(&a(B::Varchar(Some(3))), &a(B::Varchar(Some(9))));
        assert_eq!((c.safety, c.rewrites), (Safety::LocksTable, true));
        assert!(type_change(&t(B::Integer), &t(B::BigInt)).keeps_dependents);
        assert!(type_change(&t(B::Varchar(Some(3))), &t(B::Text)).keeps_dependents);
        assert!(type_change(&t(num(3, 1)), &t(num(5, 1))).keeps_dependents);
        assert!(!type_change(&t(B::Integer), &t(B::Text)).keeps_dependents);
        assert!(!type_change(&t(B::Integer), &t(num(12, 0))).keeps_dependents);
        assert!(!type_change(&t(B::Integer), &a(B::Integer)).keeps_dependents);
        // No text[] = varchar[] operator: a foreign key or check between the
        // old and the new array type cannot stand.
        assert!(!type_change(&a(B::Varchar(None)), &a(B::Text)).keeps_dependents);
        assert!(type_change(&a(B::Varchar(Some(3))), &a(B::Varchar(None))).keeps_dependents);
        assert!(!type_change(&t(B::Integer), &t(B::Integer)).conversion.needs_using());
    }
}
