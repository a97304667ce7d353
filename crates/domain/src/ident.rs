//! SQL identifiers.

use std::fmt;

/// PostgreSQL keeps at most this many bytes of an identifier (NAMEDATALEN - 1)
/// and silently truncates longer ones, which is how two long names collide.
pub const MAX_IDENTIFIER_BYTES: usize = 63;

/// A valid SQL identifier: 1 to 63 bytes of UTF-8, no control characters, no
/// leading or trailing whitespace. Any other character is allowed because
/// Schemaforge always quotes identifiers; the name is used exactly as written
/// (case-sensitive).
///
/// ```
/// use schemaforge_domain::Ident;
///
/// let id = Ident::parse("Order \"Items\"; --").unwrap();
/// assert_eq!(id.as_str(), "Order \"Items\"; --");
/// assert!(Ident::parse("").is_err());
/// assert!(Ident::parse(&"x".repeat(64)).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ident(String);

/// Why a string is not a valid identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentError {
    /// The name is empty.
    #[error("must not be empty")]
    Empty,
    /// The name is longer than 63 bytes.
    #[error("is {0} bytes long; PostgreSQL keeps only {MAX_IDENTIFIER_BYTES} bytes of a name")]
    TooLong(usize),
    /// The name contains a control character (including NUL and newlines).
    #[error("contains the control character U+{0:04X}")]
    ControlCharacter(u32),
    /// The name starts or ends with whitespace.
    #[error("must not start or end with whitespace")]
    SurroundingWhitespace,
}

impl Ident {
    /// Check `name` against the identifier rules.
    pub fn parse(name: &str) -> Result<Self, IdentError> {
        if name.is_empty() {
            return Err(IdentError::Empty);
        }
        if let Some(c) = name.chars().find(|c| c.is_control()) {
            return Err(IdentError::ControlCharacter(c as u32));
        }
        if name.starts_with(char::is_whitespace) || name.ends_with(char::is_whitespace) {
            return Err(IdentError::SurroundingWhitespace);
        }
        if name.len() > MAX_IDENTIFIER_BYTES {
            return Err(IdentError::TooLong(name.len()));
        }
        Ok(Self(name.to_owned()))
    }

    /// The name exactly as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the name, folded to lower case as PostgreSQL folds unquoted
    /// names, is one of PostgreSQL's reserved key words.
    ///
    /// ```
    /// assert!(schemaforge_domain::Ident::parse("User").unwrap().is_reserved_word());
    /// assert!(!schemaforge_domain::Ident::parse("users").unwrap().is_reserved_word());
    /// ```
    pub fn is_reserved_word(&self) -> bool {
        is_reserved_word(&self.0)
    }
}

impl fmt::Display for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Ident {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// PostgreSQL's reserved key words ("reserved" and "reserved (can be function
/// or type)" in the SQL Key Words appendix of the PostgreSQL 17 manual).
const RESERVED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "binary",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "group",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "intersect",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "natural",
    "not",
    "notnull",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "overlaps",
    "placing",
    "primary",
    "references",
    "returning",
    "right",
    "select",
    "session_user",
    "similar",
    "some",
    "symmetric",
    "system_user",
    "table",
    "tablesample",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
];

pub(crate) fn is_reserved_word(name: &str) -> bool {
    let lower = name.to_lowercase();
    RESERVED.binary_search(&lower.as_str()).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_list_is_sorted_for_binary_search() {
        let mut sorted = RESERVED.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, RESERVED);
    }

    #[test]
    fn boundaries() {
        assert!(Ident::parse(&"é".repeat(31)).is_ok()); // 62 bytes
        assert_eq!(Ident::parse(&"é".repeat(32)), Err(IdentError::TooLong(64)));
        assert!(Ident::parse(&"a".repeat(63)).is_ok());
        assert_eq!(Ident::parse("a\nb"), Err(IdentError::ControlCharacter(10)));
        assert_eq!(Ident::parse("a\0"), Err(IdentError::ControlCharacter(0)));
        assert_eq!(Ident::parse(" a"), Err(IdentError::SurroundingWhitespace));
        assert!(Ident::parse("a b").is_ok());
        assert!(Ident::parse("\"; DROP TABLE x; --").is_ok());
    }

    #[test]
    fn reserved_words_fold_case() {
        assert!(is_reserved_word("SELECT"));
        assert!(is_reserved_word("Order"));
        assert!(!is_reserved_word("orders"));
        assert!(!is_reserved_word("name"));
    }
}
