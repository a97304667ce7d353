//! What changing a column's type does in PostgreSQL: whether it rewrites the
//! table, whether it can fail or lose data, and how the values convert.
//!
//! The rules follow PostgreSQL 13+ (`pg_cast`, the typmod "support"
//! functions that let a widening skip the rewrite, and the automatic I/O
//! conversions to and from the string types). `docs/migrations.md` has the
//! same table in prose.

use super::Safety;
use crate::model::{BaseType, ColumnType};

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

/// Characters in the longest text form of a type, where it is small and known.
fn max_text_len(base: &BaseType) -> Option<u32> {
    Some(match base {
        BaseType::SmallInt => 6,
        BaseType::Integer => 11,
        BaseType::BigInt => 20,
        BaseType::Boolean => 5,
        BaseType::Uuid => 36,
        BaseType::Macaddr => 17,
        BaseType::Char(n) | BaseType::Varchar(Some(n)) => *n,
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

/// The rule for one element type change (`o` != `n`, or a rebuilt enum).
fn element_rule(o: &BaseType, n: &BaseType) -> Rule {
    use BaseType as B;
    use Cast::{Automatic, Explicit};
    use Safety::{DataLoss, LocksTable, MayFail, Safe};
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
        (_, B::Varchar(Some(m)) | B::Char(m)) => match max_text_len(o) {
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
                "each value is parsed as {nd}; a value that is not valid {nd} makes the change fail; it rewrites the table"
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
        (B::Numeric { scale, .. }, B::SmallInt | B::Integer | B::BigInt) if *scale == Some(0) => rule(
            MayFail,
            Automatic,
            true,
            format!("values outside the range of {nd} make the change fail; it rewrites the table"),
        ),
        (B::Numeric { .. } | B::Real | B::DoublePrecision, B::SmallInt | B::Integer | B::BigInt) => {
            rule(DataLoss, Automatic, true, "fractions are rounded away, and values out of range make the change fail")
        }
        (B::Real, B::DoublePrecision) => {
            rule(LocksTable, Automatic, true, "real to double precision is exact; the table is rewritten")
        }
        (B::Numeric { .. } | B::DoublePrecision, B::Real | B::DoublePrecision) => rule(
            DataLoss,
            Automatic,
            true,
            format!("{nd} keeps fewer significant digits than {od}: values are rounded"),
        ),
        (B::Real | B::DoublePrecision, B::Numeric { precision: None, .. }) => rule(
            MayFail,
            Automatic,
            true,
            "values are converted exactly, but infinities fail before PostgreSQL 14; the table is rewritten",
        ),
        (B::Real | B::DoublePrecision, B::Numeric { .. }) => rule(
            DataLoss,
            Automatic,
            true,
            format!("values are rounded to the scale of {nd}, and larger ones make the change fail"),
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
            LocksTable,
            Automatic,
            true,
            "each date becomes midnight (in the session time zone for timestamptz); the table is rewritten",
        ),
        (B::Timestamp(_), B::Timestamptz(_)) | (B::Timestamptz(_), B::Timestamp(_)) => rule(
            LocksTable,
            Automatic,
            true,
            format!(
                "{od} to {nd} interprets values in the session's TimeZone (set it explicitly); it rewrites the table unless TimeZone is UTC"
            ),
        ),
        (B::Timestamp(_) | B::Timestamptz(_), B::Date) => rule(DataLoss, Automatic, true, "the time of day is dropped"),
        (B::Timestamp(_) | B::Timestamptz(_), B::Time(_)) => rule(DataLoss, Automatic, true, "the date is dropped"),
        (B::Time(_), B::Interval(_)) => {
            rule(LocksTable, Automatic, true, "each time becomes the interval since midnight; the table is rewritten")
        }
        (B::Interval(_), B::Time(_)) => {
            rule(DataLoss, Automatic, true, "whole days, months and years of each interval are dropped")
        }
        // ------------------------------------------------ others with casts
        (B::Cidr, B::Inet) => rule(Safe, Automatic, false, "cidr is binary compatible with inet: no rewrite"),
        (B::Inet, B::Cidr) => rule(
            MayFail,
            Automatic,
            true,
            "addresses with bits set to the right of the netmask make the change fail; it rewrites the table",
        ),
        (B::Json, B::Jsonb) => rule(
            MayFail,
            Automatic,
            true,
            "jsonb keeps neither whitespace, key order nor duplicate keys, and \\u0000 fails; it rewrites the table",
        ),
        (B::Jsonb, B::Json) => rule(LocksTable, Automatic, true, "jsonb to json rewrites the table"),
        (
            B::Jsonb,
            B::SmallInt | B::Integer | B::BigInt | B::Numeric { .. } | B::Real | B::DoublePrecision | B::Boolean,
        ) => rule(
            MayFail,
            Explicit,
            true,
            format!("only jsonb scalars convert to {nd}; anything else makes the change fail"),
        ),
        (B::Enum { .. }, _) => rule(
            MayFail,
            Cast::Via(B::Text),
            true,
            format!("each label is parsed as {nd}; a label that is not valid {nd} makes the change fail"),
        ),
        // ------------------------------------------------ no cast at all
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

/// The rule for changing a column from `old` to `new` (or, when both are the
/// same enum, converting it to its rebuilt type).
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
/// ```
pub fn type_change(old: &ColumnType, new: &ColumnType) -> TypeChange {
    let r = element_rule(&old.base, &new.base);
    let same_variant = std::mem::discriminant(&old.base) == std::mem::discriminant(&new.base)
        && !matches!(old.base, BaseType::Enum { .. });
    let family_keeps = matches!(
        (&old.base, &new.base),
        (
            BaseType::SmallInt | BaseType::Integer | BaseType::BigInt,
            BaseType::SmallInt | BaseType::Integer | BaseType::BigInt
        )
    ) || (is_string(&old.base) && is_string(&new.base));
    let (shape, safety, rewrites, why) = match (old.array, new.array) {
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
            // Arrays are converted element by element, which always rewrites,
            // except between the binary-compatible string types.
            let binary = !r.rewrites && matches!(new.base, BaseType::Text | BaseType::Varchar(None));
            let safety = if binary { r.safety } else { r.safety.max(Safety::LocksTable) };
            (Shape::Same, safety, !binary, format!("element by element: {}", r.why))
        }
        (false, false) => (Shape::Same, r.safety, r.rewrites, r.why),
    };
    let alternative = match safety {
        Safety::Safe => None,
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
        keeps_dependents: old.array == new.array && (same_variant || family_keeps),
        explanation: why,
        alternative,
    }
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
        assert_eq!(verdict(B::Timestamp(None), B::Timestamptz(None)).0, Safety::LocksTable);
        assert_eq!(verdict(B::Timestamptz(None), B::Date).0, Safety::DataLoss);
        assert_eq!(verdict(B::Date, B::Timestamp(None)).0, Safety::LocksTable);
        assert_eq!(verdict(B::Interval(None), B::Time(None)).0, Safety::DataLoss);
        assert_eq!(verdict(B::Cidr, B::Inet), (Safety::Safe, false, Cast::Automatic));
        assert_eq!(verdict(B::Inet, B::Cidr).0, Safety::MayFail);
        assert_eq!(verdict(B::Json, B::Jsonb).0, Safety::MayFail);
        assert_eq!(verdict(B::Jsonb, B::Json).0, Safety::LocksTable);
        assert_eq!(verdict(B::Uuid, B::Date), (Safety::MayFail, true, Cast::Via(B::Text)));
        let e = |id: &str| B::Enum { id: id.into(), name: crate::Ident::parse("e").unwrap() };
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
        assert_eq!((c.safety, c.rewrites), (Safety::Safe, false));
        let c = type_change(&a(B::Varchar(Some(3))), &a(B::Varchar(Some(9))));
        assert_eq!((c.safety, c.rewrites), (Safety::LocksTable, true));
        assert!(type_change(&t(B::Integer), &t(B::BigInt)).keeps_dependents);
        assert!(type_change(&t(B::Varchar(Some(3))), &t(B::Text)).keeps_dependents);
        assert!(type_change(&t(num(3, 1)), &t(num(5, 1))).keeps_dependents);
        assert!(!type_change(&t(B::Integer), &t(B::Text)).keeps_dependents);
        assert!(!type_change(&t(B::Integer), &t(num(12, 0))).keeps_dependents);
        assert!(!type_change(&t(B::Integer), &a(B::Integer)).keeps_dependents);
        assert!(!type_change(&t(B::Integer), &t(B::Integer)).conversion.needs_using());
    }
}
