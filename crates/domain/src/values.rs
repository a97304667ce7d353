//! Offline checks of literal values against PostgreSQL's input syntax.
//!
//! These are deliberately conservative: a value PostgreSQL would reject is
//! always rejected here; a few exotic spellings PostgreSQL accepts (e.g.
//! `'Jan 1 2024'::date` or `'08002b:010203'::macaddr`) are rejected too, with
//! a message naming the accepted forms, because a default that fails at
//! `CREATE TABLE` time is worse than asking for the canonical spelling.

/// An integer literal (optional sign, digits), as i128.
pub(crate) fn parse_integer(s: &str) -> Option<i128> {
    let t = s.trim();
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    if digits.is_empty() || digits.len() > 38 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

/// A decimal literal: returns (digits before the point, digits after the point)
/// after applying the exponent, ignoring leading zeros of the integer part.
pub(crate) fn parse_decimal(s: &str) -> Option<(usize, usize)> {
    let t = s.trim();
    let t = t.strip_prefix(['-', '+']).unwrap_or(t);
    let (mantissa, exp) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], t[i + 1..].parse::<i32>().ok()?),
        None => (t, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if (int.is_empty() && frac.is_empty())
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || !(-1000..=1000).contains(&exp)
    {
        return None;
    }
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    let int_len = int.len() as i64 + i64::from(exp);
    let frac_len = frac.len() as i64 - i64::from(exp);
    Some((int_len.max(0) as usize, frac_len.max(0) as usize))
}

/// How many digits a decimal literal has before the point once rounded
/// (half away from zero, as PostgreSQL does) to `scale` fractional digits.
pub(crate) fn integer_digits_after_rounding(s: &str, scale: usize) -> Option<usize> {
    parse_decimal(s)?;
    let t = s.trim();
    let t = t.strip_prefix(['-', '+']).unwrap_or(t);
    let (mantissa, exp) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], t[i + 1..].parse::<i64>().ok()?),
        None => (t, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits: Vec<u8> = int.bytes().chain(frac.bytes()).map(|b| b - b'0').collect();
    // Position of the decimal point within `digits`.
    let point = int.len() as i64 + exp;
    let keep = point + scale as i64; // digits kept after rounding
    if keep < 0 {
        return Some(0);
    }
    let keep = keep as usize;
    let mut kept: Vec<u8> = (0..keep).map(|i| digits.get(i).copied().unwrap_or(0)).collect();
    if digits.get(keep).is_some_and(|d| *d >= 5) {
        let mut i = kept.len();
        loop {
            if i == 0 {
                kept.insert(0, 1);
                break;
            }
            i -= 1;
            if kept[i] == 9 {
                kept[i] = 0;
            } else {
                kept[i] += 1;
                break;
            }
        }
    }
    let int_len = kept.len().saturating_sub(scale);
    let int_part = &kept[..int_len];
    Some(int_part.iter().skip_while(|d| **d == 0).count())
}

pub(crate) fn is_special_float(s: &str) -> bool {
    matches!(
        s.trim().to_ascii_lowercase().as_str(),
        "nan" | "infinity" | "+infinity" | "-infinity" | "inf" | "+inf" | "-inf"
    )
}

/// A decimal literal that `real` (or `double precision`) can hold: it must
/// not overflow, and a non-zero value must not underflow to zero (PostgreSQL
/// reports both as errors; it rounds like Rust's parser, and accepts
/// subnormal values).
pub(crate) fn float_in_range(s: &str, double: bool) -> bool {
    if parse_decimal(s).is_none() {
        return false;
    }
    let t = s.trim();
    let (finite, zero) = if double {
        t.parse::<f64>().map_or((false, false), |v| (v.is_finite(), v == 0.0))
    } else {
        t.parse::<f32>().map_or((false, false), |v| (v.is_finite(), v == 0.0))
    };
    finite && (!zero || is_zero_text(s))
}

/// The elements of a one-dimensional array literal such as `{1,"a b",NULL}`
/// (`None` for NULL), or `None` if it is malformed or nested.
pub(crate) fn array_elements(s: &str) -> Option<Vec<Option<String>>> {
    let inner = s.trim().strip_prefix('{')?.strip_suffix('}')?;
    if inner.trim().is_empty() {
        return Some(Vec::new());
    }
    let mut out = Vec::new();
    let mut chars = inner.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut item = String::new();
        let quoted = chars.peek() == Some(&'"');
        if quoted {
            chars.next();
            loop {
                match chars.next()? {
                    '"' => break,
                    '\\' => item.push(chars.next()?),
                    c => item.push(c),
                }
            }
            while chars.peek().is_some_and(|c| c.is_whitespace()) {
                chars.next();
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                if matches!(c, '{' | '}' | '"' | '\\') {
                    return None;
                }
                item.push(c);
                chars.next();
            }
            item = item.trim().to_string();
            if item.is_empty() {
                return None;
            }
        }
        out.push(if !quoted && item.eq_ignore_ascii_case("null") { None } else { Some(item) });
        match chars.next() {
            None => return Some(out),
            Some(',') => {}
            Some(_) => return None,
        }
    }
}

/// Whether a JSON value holds a NUL character, which `jsonb` refuses.
pub(crate) fn json_has_nul(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(items) => items.iter().any(json_has_nul),
        serde_json::Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || json_has_nul(v)),
        _ => false,
    }
}

fn is_zero_text(s: &str) -> bool {
    let t = s.trim().trim_start_matches(['-', '+']);
    let mantissa = t.split(['e', 'E']).next().unwrap_or("");
    mantissa.chars().all(|c| c == '0' || c == '.')
}

/// PostgreSQL's boolean input spellings (case-insensitive, surrounding blanks ignored).
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "t" | "true" | "y" | "yes" | "on" | "1" => Some(true),
        "f" | "false" | "n" | "no" | "off" | "0" => Some(false),
        _ => None,
    }
}

/// 32 hex digits, optionally in the canonical 8-4-4-4-12 grouping and braces.
pub(crate) fn is_uuid(s: &str) -> bool {
    let t = s.trim();
    let t = t.strip_prefix('{').and_then(|x| x.strip_suffix('}')).unwrap_or(t);
    let hex: String = t.chars().filter(|c| *c != '-').collect();
    let grouped_ok = !t.contains('-') || {
        let parts: Vec<usize> = t.split('-').map(str::len).collect();
        parts == [8, 4, 4, 4, 12]
    };
    hex.len() == 32 && hex.chars().all(|c| c.is_ascii_hexdigit()) && grouped_ok
}

fn digits(s: &str, n: usize) -> Option<u32> {
    (s.len() == n && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
}

/// `YYYY-MM-DD` with a real calendar day, or ±infinity.
pub(crate) fn is_date(s: &str) -> bool {
    let t = s.trim();
    if matches!(t.to_ascii_lowercase().as_str(), "infinity" | "-infinity" | "+infinity") {
        return true;
    }
    let parts: Vec<&str> = t.split('-').collect();
    let [y, m, d] = parts.as_slice() else { return false };
    let (Some(y), Some(m), Some(d)) = (digits(y, 4), digits(m, 2), digits(d, 2)) else { return false };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    y >= 1 && (1..=days).contains(&d)
}

/// `HH:MM[:SS[.ffffff]]`, hours 0-24.
pub(crate) fn is_time(s: &str) -> bool {
    let parts: Vec<&str> = s.trim().split(':').collect();
    let (h, m, sec) = match parts.as_slice() {
        [h, m] => (*h, *m, None),
        [h, m, s] => (*h, *m, Some(*s)),
        _ => return false,
    };
    let (Some(h), Some(m)) = (digits(h, 2), digits(m, 2)) else { return false };
    let (secs, frac_zero) = match sec {
        None => (0, true),
        Some(sec) => {
            let (whole, frac) = sec.split_once('.').unwrap_or((sec, "0"));
            if frac.is_empty() || frac.len() > 6 || !frac.bytes().all(|b| b.is_ascii_digit()) {
                return false;
            }
            let Some(whole) = digits(whole, 2) else { return false };
            (whole, frac.bytes().all(|b| b == b'0'))
        }
    };
    // 24:00:00 is the only time with hour 24; second 60 (a leap second) has no fraction.
    let end_of_day = h == 24 && m == 0 && secs == 0 && frac_zero;
    (h < 24 || end_of_day) && m <= 59 && (secs < 60 || (secs == 60 && frac_zero))
}

/// A time-zone suffix: `Z`, `UTC`, or `±HH[:MM]`.
fn strip_zone(s: &str) -> (&str, bool) {
    let t = s.trim_end();
    for suffix in ["Z", "z", " UTC", "UTC"] {
        if let Some(rest) = t.strip_suffix(suffix) {
            return (rest.trim_end(), true);
        }
    }
    if let Some(i) = t.rfind(['+', '-']) {
        let (time, zone) = t.split_at(i);
        let zone = &zone[1..];
        // PostgreSQL accepts offsets up to 15:59.
        let in_range = |h: Option<u32>, m: Option<u32>| h.is_some_and(|h| h <= 15) && m.is_some_and(|m| m <= 59);
        let ok = match zone.split_once(':') {
            Some((h, m)) => in_range(digits(h, 2), digits(m, 2)),
            None if zone.len() == 2 => in_range(digits(zone, 2), Some(0)),
            None if zone.len() == 4 => in_range(digits(&zone[..2], 2), digits(&zone[2..], 2)),
            None => false,
        };
        if ok && time.contains(':') {
            return (time.trim_end(), true);
        }
    }
    (t, false)
}

/// ISO 8601 `YYYY-MM-DD[( |T)HH:MM[:SS[.f]]][zone]`, or ±infinity.
pub(crate) fn is_timestamp(s: &str, with_zone: bool) -> bool {
    let t = s.trim();
    if matches!(t.to_ascii_lowercase().as_str(), "infinity" | "-infinity" | "+infinity") {
        return true;
    }
    let (rest, has_zone) = strip_zone(t);
    if has_zone && !with_zone {
        // PostgreSQL silently ignores a zone for timestamp without time zone;
        // that is almost always a mistake in a default.
        return false;
    }
    match rest.split_once(['T', ' ']) {
        Some((date, time)) => is_date(date) && is_time(time),
        None => is_date(rest),
    }
}

const INTERVAL_UNITS: &[&str] = &[
    "microsecond",
    "microseconds",
    "us",
    "millisecond",
    "milliseconds",
    "ms",
    "second",
    "seconds",
    "sec",
    "secs",
    "s",
    "minute",
    "minutes",
    "min",
    "mins",
    "m",
    "hour",
    "hours",
    "hr",
    "hrs",
    "h",
    "day",
    "days",
    "d",
    "week",
    "weeks",
    "w",
    "month",
    "months",
    "mon",
    "mons",
    "year",
    "years",
    "yr",
    "yrs",
    "y",
    "decade",
    "decades",
    "century",
    "centuries",
    "millennium",
    "millennia",
];

/// PostgreSQL's `N unit [N unit ...] [HH:MM[:SS]] [ago]` form, or ISO 8601 `P...`.
pub(crate) fn is_interval(s: &str) -> bool {
    let t = s.trim().to_ascii_lowercase();
    if t.is_empty() {
        return false;
    }
    if let Some(iso) = t.strip_prefix('p') {
        return is_iso_duration(iso);
    }
    let mut words = t.split_whitespace().peekable();
    let mut any = false;
    // PostgreSQL refuses a field given twice ("1 day 2 days", two hh:mm parts).
    let mut seen: Vec<&'static str> = Vec::new();
    let mut once = |field: &'static str| {
        if seen.contains(&field) {
            false
        } else {
            seen.push(field);
            true
        }
    };
    while let Some(w) = words.next() {
        if w == "ago" && words.peek().is_none() && any {
            return true;
        }
        if w.contains(':') {
            let w = w.strip_prefix(['-', '+']).unwrap_or(w);
            let parts: Vec<&str> = w.split(':').collect();
            let last = parts.len().saturating_sub(1);
            let ok = (2..=3).contains(&parts.len())
                && parts.iter().enumerate().all(|(i, p)| {
                    let whole =
                        if i == last && parts.len() == 3 { p.split_once('.').map_or(*p, |(a, _)| a) } else { p };
                    !whole.is_empty() && whole.len() <= 6 && whole.bytes().all(|b| b.is_ascii_digit())
                });
            if !ok || !once("hour") || !once("minute") || !once("second") {
                return false;
            }
            any = true;
            continue;
        }
        // number, optionally glued to its unit ("3days")
        let split = w.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(w.len());
        let (num, glued_unit) = w.split_at(split);
        if parse_decimal(num).is_none() {
            return false;
        }
        let unit = if glued_unit.is_empty() { words.next().unwrap_or("second") } else { glued_unit };
        if !INTERVAL_UNITS.contains(&unit) || !interval_quantity_in_range(num, unit) || !once(interval_field(unit)) {
            return false;
        }
        any = true;
    }
    any
}

/// The field a unit sets.
fn interval_field(unit: &str) -> &'static str {
    match unit {
        "microsecond" | "microseconds" | "us" => "microsecond",
        "millisecond" | "milliseconds" | "ms" => "millisecond",
        "second" | "seconds" | "sec" | "secs" | "s" => "second",
        "minute" | "minutes" | "min" | "mins" | "m" => "minute",
        "hour" | "hours" | "hr" | "hrs" | "h" => "hour",
        "day" | "days" | "d" => "day",
        "week" | "weeks" | "w" => "week",
        "month" | "months" | "mon" | "mons" => "month",
        "year" | "years" | "yr" | "yrs" | "y" => "year",
        "decade" | "decades" => "decade",
        "century" | "centuries" => "century",
        _ => "millennium",
    }
}

/// PostgreSQL keeps months and days in 32 bits and time in 64-bit
/// microseconds; these bounds stay well inside both.
fn interval_quantity_in_range(num: &str, unit: &str) -> bool {
    let limit = if unit.starts_with("dec") || unit.starts_with("cent") || unit.starts_with("millenni") {
        1_000.0
    } else {
        100_000.0
    };
    num.parse::<f64>().is_ok_and(|v| v.abs() <= limit)
}

fn is_iso_duration(s: &str) -> bool {
    let (date, time) = s.split_once('t').unwrap_or((s, ""));
    let ok = |part: &str, units: &str| {
        let mut num = String::new();
        let mut seen = false;
        for c in part.chars() {
            if c.is_ascii_digit() || c == '.' {
                num.push(c);
            } else if units.contains(c) && !num.is_empty() && interval_quantity_in_range(&num, "") {
                num.clear();
                seen = true;
            } else {
                return None;
            }
        }
        num.is_empty().then_some(seen)
    };
    match (ok(date, "ymwd"), ok(time, "hms")) {
        (Some(a), Some(b)) => a || b,
        _ => false,
    }
}

/// IPv4 or IPv6 address with an optional `/prefix`. For `cidr`, the bits
/// right of the prefix must be zero, as PostgreSQL requires.
pub(crate) fn is_network(s: &str, cidr: bool) -> bool {
    use std::net::IpAddr;
    let t = s.trim();
    let (addr, prefix) = match t.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (t, None),
    };
    let Ok(ip) = addr.parse::<IpAddr>() else { return false };
    let bits: u32 = if ip.is_ipv4() { 32 } else { 128 };
    let prefix = match prefix {
        None => bits,
        Some(p) => match digits(p, p.len()) {
            Some(v) if !p.is_empty() && v <= bits => v,
            _ => return false,
        },
    };
    if !cidr || prefix == bits {
        return true;
    }
    let value: u128 = match ip {
        IpAddr::V4(v4) => u128::from(u32::from(v4)),
        IpAddr::V6(v6) => u128::from(v6),
    };
    let host_bits = bits - prefix;
    value & ((1u128 << host_bits) - 1) == 0
}

/// `08:00:2b:01:02:03`, `08-00-2b-01-02-03` or `08002b010203`.
/// Whether `s` is a `timetz` literal: a time of day, then an optional
/// numeric offset (`+02`, `-08:00`) or `Z`.
pub(crate) fn is_timetz(s: &str) -> bool {
    let t = s.trim();
    let t = t.strip_suffix(['Z', 'z']).unwrap_or(t).trim_end();
    match t.rfind(['+', '-']) {
        Some(at) => {
            let (time, zone) = (&t[..at], &t[at + 1..]);
            let zone_ok = !zone.is_empty()
                && zone.split(':').count() <= 3
                && zone.split(':').all(|p| !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()));
            zone_ok && is_time(time)
        }
        None => is_time(t),
    }
}

/// The number of bits of a `bit`/`varbit` literal: binary digits, or `x`
/// and hexadecimal digits (four bits each); `None` when it is neither.
pub(crate) fn bit_length(s: &str) -> Option<u64> {
    let t = s.trim();
    if let Some(hex) = t.strip_prefix(['x', 'X']) {
        return hex.bytes().all(|b| b.is_ascii_hexdigit()).then(|| hex.len() as u64 * 4);
    }
    let t = t.strip_prefix(['b', 'B']).unwrap_or(t);
    t.bytes().all(|b| b == b'0' || b == b'1').then_some(t.len() as u64)
}

/// Whether `s` is a `macaddr8` literal: 6 or 8 bytes of hexadecimal digits,
/// in pairs separated by `:`, `-` or `.`, or not separated at all.
pub(crate) fn is_macaddr8(s: &str) -> bool {
    let t = s.trim();
    let digits: String = t.chars().filter(|c| !matches!(c, ':' | '-' | '.')).collect();
    let pairs_ok = t.split([':', '-', '.']).all(|p| !p.is_empty() && p.len() % 2 == 0);
    pairs_ok && digits.chars().all(|c| c.is_ascii_hexdigit()) && matches!(digits.len(), 12 | 16)
}

/// Whether `s` is a `pg_lsn` literal: two hexadecimal numbers of at most 8
/// digits separated by `/`.
pub(crate) fn is_pg_lsn(s: &str) -> bool {
    let hex = |p: &str| !p.is_empty() && p.len() <= 8 && p.bytes().all(|b| b.is_ascii_hexdigit());
    s.trim().split_once('/').is_some_and(|(a, b)| hex(a) && hex(b))
}

pub(crate) fn is_macaddr(s: &str) -> bool {
    let t = s.trim();
    let hex_pair = |p: &str| p.len() == 2 && p.chars().all(|c| c.is_ascii_hexdigit());
    if t.len() == 12 {
        return t.chars().all(|c| c.is_ascii_hexdigit());
    }
    [':', '-'].iter().any(|sep| {
        let parts: Vec<&str> = t.split(*sep).collect();
        parts.len() == 6 && parts.iter().all(|p| hex_pair(p))
    })
}

/// bytea input: hex format `\x..` or plain text without backslashes.
pub(crate) fn is_bytea(s: &str) -> bool {
    match s.strip_prefix("\\x") {
        Some(hex) => hex.len() % 2 == 0 && hex.chars().all(|c| c.is_ascii_hexdigit()),
        None => !s.contains('\\'),
    }
}

/// Literals that PostgreSQL evaluates once, when the default is created,
/// instead of on every insert.
pub(crate) fn is_frozen_time_literal(s: &str) -> bool {
    matches!(s.trim().to_ascii_lowercase().as_str(), "now" | "today" | "tomorrow" | "yesterday")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_and_decimals() {
        assert_eq!(parse_integer("-42"), Some(-42));
        assert_eq!(parse_integer("4.2"), None);
        assert_eq!(parse_integer(""), None);
        assert_eq!(parse_decimal("123.450"), Some((3, 2)));
        assert_eq!(parse_decimal("-0.001"), Some((0, 3)));
        assert_eq!(parse_decimal("1.5e3"), Some((4, 0)));
        assert_eq!(parse_decimal("15e-3"), Some((0, 3)));
        assert_eq!(parse_decimal("abc"), None);
        assert_eq!(parse_decimal("."), None);
        assert_eq!(parse_decimal("1e99999"), None);
        assert_eq!(integer_digits_after_rounding("9999.995", 2), Some(5));
        assert_eq!(integer_digits_after_rounding("9999.994", 2), Some(4));
        assert_eq!(integer_digits_after_rounding("-0.5", 0), Some(1));
        assert_eq!(integer_digits_after_rounding("0.0049", 2), Some(0));
        assert_eq!(integer_digits_after_rounding("1.5e3", 0), Some(4));
        assert_eq!(integer_digits_after_rounding("95e-1", 0), Some(2));
        assert_eq!(integer_digits_after_rounding("00012.3", 1), Some(2));
    }

    #[test]
    fn dates_and_times() {
        assert!(is_date("2024-02-29"));
        assert!(!is_date("2023-02-29"));
        assert!(!is_date("2024-13-01"));
        assert!(!is_date("24-01-01"));
        assert!(is_time("23:59:59.123456"));
        assert!(!is_time("25:00"));
        assert!(is_time("24:00:00"));
        assert!(!is_time("24:30"));
        assert!(!is_time("24:00:00.5"));
        assert!(is_time("23:59:60"));
        assert!(!is_time("23:59:60.5"));
        assert!(is_timestamp("2024-01-01 10:00:00", false));
        assert!(is_timestamp("2024-01-01T10:00:00+02:00", true));
        assert!(!is_timestamp("2024-01-01T10:00:00Z", false));
        assert!(is_timestamp("infinity", false));
        assert!(!is_timestamp("tomorrow-ish", true));
        for bad in ["2024-01-01 10:00+99", "2024-01-01 10:00+16:00", "2024-01-01 10:00+05:99", "2024-01-01 10:00-9999"]
        {
            assert!(!is_timestamp(bad, true), "{bad}");
        }
        assert!(is_timestamp("2024-01-01 10:00+0530", true));
        assert!(is_timestamp("2024-01-01 10:00-15:59", true));
    }

    #[test]
    fn intervals() {
        for ok in
            ["1 day", "3 days 04:05:06", "1 year 2 months", "P1Y2M3DT4H5M6S", "PT30M", "2 hours ago", "90", "10min"]
        {
            assert!(is_interval(ok), "{ok}");
        }
        for bad in [
            "1 day 2 days",
            "01:00 02:00",
            "1 second 1",
            "1d 1 day",
            "",
            "forever",
            "1 fortnight",
            "P",
            "PT",
            "P1X",
            "ago",
            "9223372036854775808",
            "P99999999Y",
            "1.5:00",
            "5000 millennia",
        ] {
            assert!(!is_interval(bad), "{bad}");
        }
    }

    #[test]
    fn network_values() {
        assert!(is_network("192.168.0.1", false));
        assert!(is_network("10.0.0.0/8", true));
        assert!(!is_network("10.0.0.1/8", true));
        assert!(is_network("10.0.0.1/8", false));
        assert!(is_network("2001:db8::/32", true));
        assert!(!is_network("300.1.1.1", false));
        assert!(!is_network("10.0.0.0/33", true));
        assert!(is_macaddr("08:00:2b:01:02:03"));
        assert!(is_macaddr("08002b010203"));
        assert!(!is_macaddr("08:00:2b:01:02"));
    }

    #[test]
    fn floats_round_like_postgres() {
        assert!(float_in_range("3.4028235e38", false));
        assert!(!float_in_range("3.5e38", false));
        assert!(float_in_range("1e-45", false));
        assert!(!float_in_range("1e-46", false));
        assert!(float_in_range("0.0", false));
        assert!(float_in_range("1e308", true));
        assert!(!float_in_range("1e309", true));
    }

    #[test]
    fn array_literals() {
        assert_eq!(array_elements("{}"), Some(vec![]));
        assert_eq!(array_elements("{1, 2,NULL}"), Some(vec![Some("1".into()), Some("2".into()), None]));
        assert_eq!(array_elements(r#"{"a,b","c\"d"}"#), Some(vec![Some("a,b".into()), Some("c\"d".into())]));
        for bad in ["{}}", "{{1}}", "1,2", "{1,}", "{,1}", "{\"a}"] {
            assert_eq!(array_elements(bad), None, "{bad}");
        }
    }

    #[test]
    fn misc() {
        assert!(is_uuid("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
        assert!(is_uuid("{a0eebc999c0b4ef8bb6d6bb9bd380a11}"));
        assert!(!is_uuid("a0eebc99-9c0b-4ef8-bb6d"));
        assert_eq!(parse_bool(" Yes "), Some(true));
        assert_eq!(parse_bool("maybe"), None);
        assert!(is_bytea("\\xDEADBEEF"));
        assert!(!is_bytea("\\x1"));
        assert!(!is_bytea("a\\b"));
        assert!(is_frozen_time_literal("Now"));
    }
}
