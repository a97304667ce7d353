//! Defaults: literals and functions checked against the column type.

use super::*;
use crate::named_type::NamedType;

/// A problem code with its message.
type Finding = (Code, String);

/// Check a default against the column type. Returns the normalized value and
/// an optional warning (FROZEN_DEFAULT, or UNVERIFIED_EXPRESSION for a
/// literal of a type whose input only the server reads).
pub(super) fn check_default(
    default: &ColumnDefault,
    ty: &ColumnType,
    labels: Option<&[String]>,
    sequences: &HashMap<&str, sequences::SequenceName>,
) -> Result<(DefaultValue, Option<Finding>), Finding> {
    match default {
        ColumnDefault::Sequence(s) => super::sequences::sequence_default(&s.sequence, ty, sequences).map(|d| (d, None)),
        ColumnDefault::Expression(e) => expression_default(&e.expression, ty),
        ColumnDefault::Function(f) => {
            let Some(func) = DefaultFunction::from_name(&f.function) else {
                let allowed: Vec<&str> = DefaultFunction::ALL.iter().map(|f| f.name()).collect();
                return Err((
                    Code::InvalidDefault,
                    format!(
                        "function `{}` is not an allowed default; allowed: {}",
                        f.function.escape_debug(),
                        allowed.join(", ")
                    ),
                ));
            };
            if func.fits(ty) {
                Ok((DefaultValue::Function(func), None))
            } else {
                Err((
                    Code::TypeMismatch,
                    format!("{}() does not produce a value for a {} column", func.name(), ty.describe()),
                ))
            }
        }
        ColumnDefault::Literal(Literal::Array(items)) => {
            if !ty.array {
                return Err((Code::TypeMismatch, format!("an array default does not fit a {} column", ty.describe())));
            }
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match item {
                    Literal::Null => out.push(None),
                    Literal::Array(_) => {
                        return Err((Code::InvalidDefault, "nested arrays are not supported in defaults".to_string()));
                    }
                    scalar => {
                        let v = scalar_literal(scalar, &ty.base, labels)
                            .map_err(|(c, m)| (c, format!("element {i}: {m}")))?;
                        out.push(Some(v));
                    }
                }
            }
            let warning = unverified_input(&ty.base).map(|w| (Code::UnverifiedExpression, w));
            Ok((DefaultValue::Array(out), warning))
        }
        ColumnDefault::Literal(Literal::Null) => {
            Err((Code::InvalidDefault, "a null default is the same as no default; omit it".to_string()))
        }
        ColumnDefault::Literal(lit) => {
            if ty.array {
                return Err((
                    Code::TypeMismatch,
                    format!("a {} column needs a JSON array as its default", ty.describe()),
                ));
            }
            let value = scalar_literal(lit, &ty.base, labels)?;
            let frozen = matches!(
                ty.base,
                BaseType::Date | BaseType::Time(_) | BaseType::Timestamp(_) | BaseType::Timestamptz(_)
            ) && values::is_frozen_time_literal(&value);
            let warning = frozen
                .then(|| {
                    (Code::FrozenDefault, format!(
                        "'{value}' is evaluated once, when the table is created, so every row would get that same moment; use {{\"function\": \"now\"}} or {{\"function\": \"current_date\"}}"
                    ))
                })
                .or_else(|| unverified_input(&ty.base).map(|w| (Code::UnverifiedExpression, w)));
            Ok((DefaultValue::Literal(value), warning))
        }
    }
}

/// An expression default: no column of the row (PostgreSQL refuses them),
/// a value the column's type takes where the small language can tell.
fn expression_default(source: &str, ty: &ColumnType) -> Result<(DefaultValue, Option<Finding>), Finding> {
    let checked = expr::check_expression(source, &[], ExprContext::Default).map_err(|problems| {
        let first = problems.into_iter().next();
        match first {
            Some(p) if p.code == Code::UnknownReference => (
                Code::InvalidDefault,
                format!(
                    "a default cannot read the row's columns: {}",
                    p.message.replace("the table has no column named", "no constant or function")
                ),
            ),
            Some(p) => (p.code, p.message),
            None => (Code::InvalidDefault, "the expression is not accepted".to_string()),
        }
    })?;
    if !expr::yields(&checked.expr, &[]).fits(ty) {
        return Err((Code::TypeMismatch, format!("the expression's value does not fit a {} column", ty.describe())));
    }
    let warning = checked.warnings.into_iter().next().map(|w| (w.code, w.message));
    Ok((DefaultValue::Expression(checked.expr), warning))
}

/// Validate one scalar literal against a base type; returns PostgreSQL's text input form.
pub(super) fn scalar_literal(
    lit: &Literal,
    base: &BaseType,
    labels: Option<&[String]>,
) -> Result<String, (Code, String)> {
    let base = base.underlying();
    let mismatch = |what: &str| Err((Code::TypeMismatch, format!("{what} does not fit a {} column", base.describe())));
    let invalid = |v: &str, expect: &str| {
        Err((Code::InvalidDefault, format!("'{}' is not a valid {}: {expect}", v.escape_debug(), base.describe())))
    };
    let text = match lit {
        Literal::Null | Literal::Array(_) => return mismatch("this value"),
        Literal::Bool(b) => {
            return if matches!(base, BaseType::Boolean) { Ok(b.to_string()) } else { mismatch("a boolean") };
        }
        Literal::Number(n) => {
            if !(base.is_number() || matches!(base, BaseType::Named(NamedType::Money | NamedType::Oid, _))) {
                return mismatch("a number");
            }
            n.to_string()
        }
        Literal::String(s) => s.clone(),
    };
    if text.contains('\0') {
        return Err((Code::InvalidDefault, "defaults must not contain NUL characters".to_string()));
    }
    let ok = match base {
        BaseType::SmallInt | BaseType::Integer | BaseType::BigInt => {
            let (lo, hi): (i128, i128) = match base {
                BaseType::SmallInt => (i16::MIN.into(), i16::MAX.into()),
                BaseType::Integer => (i32::MIN.into(), i32::MAX.into()),
                _ => (i64::MIN.into(), i64::MAX.into()),
            };
            match values::parse_integer(&text) {
                Some(v) if (lo..=hi).contains(&v) => return Ok(v.to_string()),
                Some(_) => return invalid(&text, &format!("out of range {lo} to {hi}")),
                None => return invalid(&text, "expected a whole number"),
            }
        }
        BaseType::Numeric { precision, scale } => match values::parse_decimal(&text) {
            None if values::is_special_float(&text) && text.trim().eq_ignore_ascii_case("nan") => true,
            None => return invalid(&text, "expected a decimal number"),
            Some(_) => {
                if let Some(p) = precision {
                    let scale = scale.unwrap_or(0);
                    // PostgreSQL rounds to the scale first: 9999.995 becomes 10000.00.
                    let int_digits = values::integer_digits_after_rounding(&text, scale as usize).unwrap_or(usize::MAX);
                    let max_int = p.saturating_sub(scale) as usize;
                    if int_digits > max_int {
                        return invalid(
                            &text,
                            &format!("it has {int_digits} digit(s) before the point, the type allows {max_int}"),
                        );
                    }
                }
                true
            }
        },
        BaseType::Real => values::is_special_float(&text) || values::float_in_range(&text, false),
        BaseType::DoublePrecision => values::is_special_float(&text) || values::float_in_range(&text, true),
        BaseType::Boolean => match values::parse_bool(&text) {
            Some(b) => return Ok(b.to_string()),
            None => return invalid(&text, "expected true or false"),
        },
        BaseType::Char(n) | BaseType::Varchar(Some(n)) => {
            let len = text.chars().count();
            if len > *n as usize {
                return invalid(&text, &format!("it is {len} characters long, the column holds {n}"));
            }
            true
        }
        BaseType::Varchar(None) | BaseType::Text => true,
        BaseType::Bytea => values::is_bytea(&text),
        BaseType::Date => values::is_date(&text) || values::is_frozen_time_literal(&text),
        BaseType::Time(_) => values::is_time(&text) || text.trim().eq_ignore_ascii_case("now"),
        BaseType::Timestamp(_) => values::is_timestamp(&text, false) || values::is_frozen_time_literal(&text),
        BaseType::Timestamptz(_) => values::is_timestamp(&text, true) || values::is_frozen_time_literal(&text),
        BaseType::Interval(_) => values::is_interval(&text),
        BaseType::Uuid => values::is_uuid(&text),
        BaseType::Json => serde_json::from_str::<serde_json::Value>(&text).is_ok(),
        // jsonb cannot store \u0000.
        BaseType::Jsonb => serde_json::from_str::<serde_json::Value>(&text).is_ok_and(|v| !values::json_has_nul(&v)),
        BaseType::Inet => values::is_network(&text, false),
        BaseType::Cidr => values::is_network(&text, true),
        BaseType::Macaddr => values::is_macaddr(&text),
        BaseType::TimeTz(_) => values::is_timetz(&text),
        BaseType::Bit(n) => values::bit_length(&text).is_some_and(|len| len == u64::from(*n)),
        BaseType::VarBit(n) => values::bit_length(&text).is_some_and(|len| n.is_none_or(|n| len <= u64::from(n))),
        BaseType::Named(NamedType::Money, _) => !text.trim().is_empty(),
        BaseType::Named(NamedType::Oid, _) => {
            values::parse_integer(&text).is_some_and(|v| (0..=i128::from(u32::MAX)).contains(&v))
        }
        BaseType::Named(NamedType::Macaddr8, _) => values::is_macaddr8(&text),
        BaseType::Named(NamedType::PgLsn, _) => values::is_pg_lsn(&text),
        // Read by the server's input function (see `unverified_input`).
        BaseType::Named(_, _) => true,
        BaseType::Enum { name, .. } => {
            let labels = labels.unwrap_or_default();
            if !labels.contains(&text) {
                return Err((
                    Code::InvalidDefault,
                    format!(
                        "'{}' is not a value of enum \"{name}\" (values: {})",
                        text.escape_debug(),
                        labels.join(", ")
                    ),
                ));
            }
            true
        }
        // `underlying` is never a domain; a row literal is the server's
        // to read (`unverified_input`).
        BaseType::Domain { .. } | BaseType::Composite { .. } => true,
    };
    if ok { Ok(text) } else { invalid(&text, expected_form(base)) }
}

fn expected_form(base: &BaseType) -> &'static str {
    match base {
        BaseType::Real | BaseType::DoublePrecision => "expected a number within the type's range, NaN or Infinity",
        BaseType::Bytea => "expected hex format like \\x0a1b, or text without backslashes",
        BaseType::Date => "expected YYYY-MM-DD",
        BaseType::Time(_) => "expected HH:MM[:SS[.ffffff]]",
        BaseType::Timestamp(_) => "expected YYYY-MM-DD[ HH:MM[:SS]] without a time zone",
        BaseType::Timestamptz(_) => "expected YYYY-MM-DD[ HH:MM[:SS]][+HH:MM|Z]",
        BaseType::Interval(_) => "expected e.g. '1 day 02:00:00' or ISO 8601 'P1DT2H'",
        BaseType::Uuid => "expected 8-4-4-4-12 hexadecimal digits",
        BaseType::Json | BaseType::Jsonb => "expected JSON text, e.g. \"{}\"",
        BaseType::Inet => "expected an IPv4 or IPv6 address, optionally with /prefix",
        BaseType::Cidr => "expected a network address with no bits set right of the /prefix",
        BaseType::Macaddr => "expected six hex pairs, e.g. 08:00:2b:01:02:03",
        BaseType::TimeTz(_) => "expected HH:MM[:SS[.ffffff]] with an optional offset, e.g. 12:00:00+02",
        BaseType::Bit(_) => "expected exactly the column's number of bits, as 0s and 1s (or x and hex digits)",
        BaseType::VarBit(_) => "expected at most the column's number of bits, as 0s and 1s (or x and hex digits)",
        BaseType::Named(NamedType::Oid, _) => "expected a whole number from 0 to 4294967295",
        BaseType::Named(NamedType::Macaddr8, _) => "expected six or eight hex pairs, e.g. 08:00:2b:01:02:03:04:05",
        BaseType::Named(NamedType::PgLsn, _) => "expected two hexadecimal numbers separated by /, e.g. 16/B374D848",
        _ => "not accepted",
    }
}

/// Why a literal of this type is accepted unread: its input function is the
/// server's (geometry, ranges, text search, xml, money's locale, the
/// extensions' types). `None` where validation reads the literal itself.
fn unverified_input(base: &BaseType) -> Option<String> {
    match base {
        BaseType::Named(NamedType::Oid | NamedType::Macaddr8 | NamedType::PgLsn, _) => None,
        BaseType::Named(n, _) => Some(format!(
            "PostgreSQL reads this literal as {} when the script runs; validation does not parse that type's input",
            n.sql_name()
        )),
        BaseType::Composite { name, .. } => Some(format!(
            "PostgreSQL reads this literal as a row of {name} when the script runs; validation does not parse row literals"
        )),
        _ => None,
    }
}
