//! The rules for the wider types (`money`, `timetz`, the bit strings,
//! `macaddr8`, `oid`, `citext`, `xml` and the other named types), in
//! PostgreSQL's `pg_cast` terms: which casts exist, in which context, and
//! what they do to values. Pairs with no rule here fall to the general
//! ones of the parent module (strings, then the no-cast rules).

use super::{Cast, Rule, eff, rule};
use crate::diff::Safety;
use crate::model::BaseType;
use crate::named_type::NamedType;

use BaseType as B;
use Cast::{Automatic, Explicit};
use Safety::{DataLoss, LocksTable, MayFail, Safe};

const MONEY: B = B::Named(NamedType::Money, None);
const OID: B = B::Named(NamedType::Oid, None);
const CITEXT: B = B::Named(NamedType::Citext, None);
const XML: B = B::Named(NamedType::Xml, None);
const MACADDR8: B = B::Named(NamedType::Macaddr8, None);

/// Integer digits money holds (its range is about ±92 quadrillion, in
/// cents).
const MONEY_DIGITS: u32 = 17;

/// The rule for `o` → `n` where one of them is a wider type, if this module
/// has one.
pub(super) fn rule_for(o: &BaseType, n: &BaseType) -> Option<Rule> {
    let (od, nd) = (o.describe(), n.describe());
    let unconstrained_numeric = B::Numeric { precision: None, scale: None };
    Some(match (o, n) {
        // ------------------------------------------------ citext, a string
        (B::Varchar(_) | B::Text, n) if *n == CITEXT => {
            rule(Safe, Automatic, false, format!("{od} to citext is binary compatible: no rewrite, no scan"))
        }
        (o, B::Text | B::Varchar(None)) if *o == CITEXT => {
            rule(Safe, Automatic, false, format!("citext to {nd} is binary compatible: no rewrite, no scan"))
        }
        (B::Char(_), n) if *n == CITEXT => rule(
            LocksTable,
            Automatic,
            true,
            "char to citext rewrites the table; trailing blanks, which char ignores, are removed",
        ),
        (o, B::Char(m)) if *o == CITEXT => rule(
            DataLoss,
            Automatic,
            true,
            format!(
                "{nd} ignores trailing blanks, so values that end in blanks lose them, and values longer than {m} \
                 characters make the change fail; it rewrites the table"
            ),
        ),
        (o, B::Varchar(Some(m))) if *o == CITEXT => rule(
            MayFail,
            Automatic,
            true,
            format!(
                "values longer than {m} characters make the change fail (nothing is truncated); it rewrites the table"
            ),
        ),
        (_, n) if *n == CITEXT => {
            rule(LocksTable, Automatic, true, format!("{od} values are stored as their text form, rewriting the table"))
        }
        (o, _) if *o == CITEXT => rule(
            MayFail,
            Explicit,
            true,
            format!(
                "each value is parsed as {nd}, keeping its meaning but not its spelling; a value that is not valid \
                 {nd} makes the change fail; it rewrites the table"
            ),
        ),
        // ------------------------------------------------ xml
        (o, B::Text | B::Varchar(None)) if *o == XML => {
            rule(Safe, Automatic, false, "xml to text is binary compatible: no rewrite, no scan")
        }
        (B::Char(_) | B::Varchar(_) | B::Text, n) if *n == XML => rule(
            MayFail,
            Explicit,
            true,
            "each value is parsed as an XML document or content; text that is not well-formed XML (an unescaped \
             < or &) makes the change fail; it rewrites the table",
        ),
        // ------------------------------------------------ money
        (o, B::Numeric { precision, scale }) if *o == MONEY => match precision {
            None => rule(LocksTable, Automatic, true, "money converts to numeric exactly; the table is rewritten"),
            Some(p) if scale.unwrap_or(0) < 2 => rule(
                DataLoss,
                Automatic,
                true,
                format!(
                    "cents are rounded to {} decimal places, and amounts of more than {} integer digits make the \
                     change fail; the table is rewritten",
                    scale.unwrap_or(0),
                    p.saturating_sub(scale.unwrap_or(0))
                ),
            ),
            Some(p) if p.saturating_sub(scale.unwrap_or(0)) < MONEY_DIGITS => rule(
                MayFail,
                Automatic,
                true,
                format!("{nd} holds fewer integer digits than money: larger amounts make the change fail"),
            ),
            Some(_) => rule(LocksTable, Automatic, true, format!("every amount fits in {nd}; the table is rewritten")),
        },
        (o, B::SmallInt | B::Integer | B::BigInt | B::Real | B::DoublePrecision) if *o == MONEY => rule(
            DataLoss,
            Cast::Via(unconstrained_numeric),
            true,
            format!(
                "there is no cast from money to {nd}: amounts go through numeric, where {} and amounts out of range \
                 make the change fail",
                if n.is_integer() {
                    "cents are rounded away"
                } else {
                    "digits beyond the float's precision are rounded"
                }
            ),
        ),
        (B::Numeric { precision, scale }, n) if *n == MONEY => {
            let int_digits = precision.map(|p| p.saturating_sub(scale.unwrap_or(0)));
            let rounds = precision.is_none() || scale.unwrap_or(0) > 2;
            match (rounds, int_digits) {
                (true, _) => rule(
                    DataLoss,
                    Automatic,
                    true,
                    "amounts are rounded to cents, and NaN, infinities and amounts out of money's range make the \
                     change fail; it rewrites the table",
                ),
                (false, Some(d)) if d <= MONEY_DIGITS => rule(
                    MayFail,
                    Automatic,
                    true,
                    format!("every number of {od} fits in money, but NaN makes the change fail; it rewrites the table"),
                ),
                _ => rule(
                    MayFail,
                    Automatic,
                    true,
                    format!("{od} values out of money's range and NaN make the change fail; it rewrites the table"),
                ),
            }
        }
        (B::Integer, n) if *n == MONEY => {
            rule(LocksTable, Automatic, true, "every integer is an exact amount of money; the table is rewritten")
        }
        (B::SmallInt, n) if *n == MONEY => rule(
            LocksTable,
            Cast::Via(B::Integer),
            true,
            "every smallint is an exact amount of money (through integer); the table is rewritten",
        ),
        (B::BigInt, n) if *n == MONEY => rule(
            MayFail,
            Automatic,
            true,
            "bigints beyond money's range (about 92 quadrillion) make the change fail; it rewrites the table",
        ),
        (B::Real | B::DoublePrecision, n) if *n == MONEY => rule(
            DataLoss,
            Cast::Via(unconstrained_numeric),
            true,
            "there is no cast from a float to money: values go through numeric and are rounded to cents; \
             infinities, NaN and values out of range make the change fail",
        ),
        // ------------------------------------------------ timetz
        (B::TimeTz(a), B::TimeTz(b)) => {
            if eff(*b) >= eff(*a) {
                rule(Safe, Automatic, false, "a finer precision only changes the catalog: no rewrite")
            } else {
                rule(DataLoss, Automatic, true, format!("fractional seconds are rounded to {} digits", eff(*b)))
            }
        }
        (B::Time(a), B::TimeTz(b)) => rule(
            if eff(*b) < eff(*a) { DataLoss } else { LocksTable },
            Automatic,
            true,
            "each time of day gets the session TimeZone's current offset; the table is rewritten",
        ),
        (B::TimeTz(_), B::Time(_)) => rule(
            DataLoss,
            Automatic,
            true,
            "the time zone offset of each value is dropped (10:00+02 becomes 10:00), so the down script cannot \
             bring it back",
        ),
        (B::Timestamptz(_), B::TimeTz(_)) | (B::Timestamp(_), B::TimeTz(_)) => rule(
            DataLoss,
            if matches!(o, B::Timestamptz(_)) { Automatic } else { Cast::Via(B::Timestamptz(None)) },
            true,
            "the date is dropped; the time of day is kept with the session TimeZone's offset",
        ),
        // ------------------------------------------------ bit strings
        (B::Bit(a), B::Bit(b)) => rule(
            if a == b { Safe } else { MayFail },
            Automatic,
            true,
            format!("a bit({a}) value is not {nd}: every value of another length makes the change fail"),
        ),
        (B::VarBit(a), B::VarBit(b)) => match (a, b) {
            (_, None) => rule(Safe, Automatic, false, "an unbounded varbit holds every value: no rewrite"),
            (Some(a), Some(b)) if b >= a => {
                rule(Safe, Automatic, false, "a longer limit only changes the catalog: no rewrite, no scan")
            }
            _ => rule(
                MayFail,
                Automatic,
                true,
                format!("values longer than {} bits make the change fail (nothing is truncated)", b.unwrap_or(0)),
            ),
        },
        (B::Bit(_), B::VarBit(None)) => {
            rule(Safe, Automatic, false, "bit is binary compatible with an unbounded varbit: no rewrite")
        }
        (B::Bit(a), B::VarBit(Some(b))) if b >= a => {
            rule(LocksTable, Automatic, true, format!("every bit({a}) value fits in {nd}; the table is rewritten"))
        }
        (B::Bit(a), B::VarBit(Some(_))) => rule(
            MayFail,
            Automatic,
            true,
            format!("bit({a}) values are longer than {nd} allows: the change fails on any row"),
        ),
        (B::VarBit(_), B::Bit(b)) => rule(
            MayFail,
            Automatic,
            true,
            format!("values that are not exactly {b} bits long make the change fail; it rewrites the table"),
        ),
        (B::Bit(a), B::Integer | B::BigInt) => {
            let bits = if *n == B::Integer { 32 } else { 64 };
            rule(
                if *a <= bits { LocksTable } else { MayFail },
                Explicit,
                true,
                format!("each bit string becomes the number it encodes in binary (1010 is 10); {nd} holds {bits} bits"),
            )
        }
        (B::Bit(a), B::SmallInt) => rule(
            if *a < 16 { LocksTable } else { MayFail },
            Cast::Via(B::Integer),
            true,
            "each bit string becomes the number it encodes in binary (1010 is 10), through integer; smallint holds \
             15 bits and a sign",
        ),
        (B::SmallInt | B::Integer | B::BigInt, B::Bit(b)) => rule(
            DataLoss,
            if *o == B::SmallInt { Cast::Via(B::Integer) } else { Explicit },
            true,
            format!("each number keeps only its lowest {b} bits (15 is 1111 in bit(4), 16 is 0000)"),
        ),
        // ------------------------------------------------ macaddr8, oid
        (B::Macaddr, n) if *n == MACADDR8 => rule(
            LocksTable,
            Automatic,
            true,
            "each address becomes its EUI-64 form (FF:FE in the middle); the table is rewritten",
        ),
        (o, B::Macaddr) if *o == MACADDR8 => rule(
            MayFail,
            Automatic,
            true,
            "only addresses with FF:FE as their fourth and fifth bytes convert; others make the change fail",
        ),
        (B::Integer, n) if *n == OID => rule(
            Safe,
            Automatic,
            false,
            "integer is binary compatible with oid: no rewrite; negative numbers read as oids above 2147483647 \
             (-1 is 4294967295) and convert back unchanged",
        ),
        (o, B::Integer) if *o == OID => rule(
            Safe,
            Automatic,
            false,
            "oid is binary compatible with integer: no rewrite; oids above 2147483647 read as negative numbers \
             (4294967295 is -1) and convert back unchanged",
        ),
        (B::SmallInt, n) if *n == OID => {
            rule(LocksTable, Automatic, true, "every smallint converts (negative ones as oids above 2147483647)")
        }
        (B::BigInt, n) if *n == OID => rule(
            MayFail,
            Automatic,
            true,
            "bigints outside -2147483648 to 4294967295 make the change fail; it rewrites the table",
        ),
        (o, B::BigInt) if *o == OID => {
            rule(LocksTable, Automatic, true, "every oid is an exact bigint; the table is rewritten")
        }
        (o, B::SmallInt) if *o == OID => rule(
            MayFail,
            Cast::Via(B::Integer),
            true,
            "oids read as integers, and those outside smallint's range make the change fail",
        ),
        _ => return None,
    })
}
