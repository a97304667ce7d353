//! Validation problems: stable codes, JSON-pointer paths, severities.

use serde::Serialize;
use std::fmt;

/// How bad a problem is. Errors make a document invalid; warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The document cannot be turned into SQL.
    Error,
    /// Worth a designer's attention; SQL is still generated.
    Warning,
}

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $text:literal, )*) => {
        /// Stable machine-readable problem codes. Clients may match on the
        /// string form; new codes may be added, existing ones never change.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema)]
        pub enum Code {
            $( $(#[$doc])* #[serde(rename = $text)] $variant, )*
        }

        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code's stable string form, e.g. `DUPLICATE_NAME`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }
        }
    };
}

codes! {
    /// The input is not well-formed JSON, or does not have the document's shape.
    InvalidJson = "INVALID_JSON",
    /// A name is empty, too long, or contains forbidden characters.
    InvalidIdentifier = "INVALID_IDENTIFIER",
    /// A name PostgreSQL reserves or shadows: `pg_` relations and types,
    /// built-in type names for enums, system column names.
    ReservedName = "RESERVED_NAME",
    /// A name is a PostgreSQL reserved word (allowed because we quote; warning).
    ReservedWord = "RESERVED_WORD",
    /// Two objects in one namespace have the same name.
    DuplicateName = "DUPLICATE_NAME",
    /// Two names differ only in letter case (warning).
    CaseCollision = "CASE_COLLISION",
    /// Two elements share an id.
    DuplicateId = "DUPLICATE_ID",
    /// An id is empty.
    InvalidId = "INVALID_ID",
    /// A reference (id or column name) does not resolve.
    UnknownReference = "UNKNOWN_REFERENCE",
    /// A table has no primary key.
    MissingPrimaryKey = "MISSING_PRIMARY_KEY",
    /// A table has no primary key, as it says (`withoutPrimaryKey`; warning).
    NoPrimaryKey = "NO_PRIMARY_KEY",
    /// A UNIQUE constraint is malformed (no columns, repeated columns, the
    /// columns of another key), or `initiallyDeferred` lacks `deferrable`.
    InvalidConstraint = "INVALID_CONSTRAINT",
    /// A primary key is declared twice, repeats a column, or uses an unindexable type.
    InvalidPrimaryKey = "INVALID_PRIMARY_KEY",
    /// A data type is not in the supported set.
    UnsupportedDataType = "UNSUPPORTED_DATA_TYPE",
    /// A length, precision or scale is missing, out of range, or not applicable.
    InvalidTypeParameter = "INVALID_TYPE_PARAMETER",
    /// autoIncrement on a non-integer column, an array, or together with a default.
    InvalidAutoIncrement = "INVALID_AUTO_INCREMENT",
    /// A default is not a valid value of the column type, or not an allowed function.
    InvalidDefault = "INVALID_DEFAULT",
    /// A default literal is evaluated once at creation ('now', 'today'; warning).
    FrozenDefault = "FROZEN_DEFAULT",
    /// Types that must match do not.
    TypeMismatch = "TYPE_MISMATCH",
    /// A foreign key is malformed or cannot reference its target.
    InvalidForeignKey = "INVALID_FOREIGN_KEY",
    /// An index is malformed or its method does not support its columns.
    InvalidIndex = "INVALID_INDEX",
    /// A check or index predicate does not parse or is not allowed.
    InvalidExpression = "INVALID_EXPRESSION",
    /// An expression in PostgreSQL's full grammar holds what only a server
    /// can check: operator and cast types, unknown or non-immutable
    /// functions (warning).
    UnverifiedExpression = "UNVERIFIED_EXPRESSION",
    /// A name only the server can resolve: a collation or operator class
    /// outside the built-in ones this validation knows (warning).
    UnverifiedReference = "UNVERIFIED_REFERENCE",
    /// A column's type comes with an extension the document does not declare.
    MissingExtension = "MISSING_EXTENSION",
    /// An extension is malformed: a bad version, or one every database has.
    InvalidExtension = "INVALID_EXTENSION",
    /// An enum has no values, or an empty, too long or repeated value.
    InvalidEnum = "INVALID_ENUM",
    /// A table has more columns than is wise (warning) or than PostgreSQL allows.
    TooManyColumns = "TOO_MANY_COLUMNS",
    /// A foreign key's columns are not the leading columns of any index (warning).
    UnindexedForeignKey = "UNINDEXED_FOREIGN_KEY",
    /// NOT NULL foreign keys form a cycle, so no first row can be inserted (warning).
    UninsertableCycle = "UNINSERTABLE_CYCLE",
    /// A setting is ignored (e.g. nullable on a primary key column; warning).
    IgnoredSetting = "IGNORED_SETTING",
    /// The document's name or a comment is not acceptable text.
    InvalidText = "INVALID_TEXT",
    /// A development server refused the create script (`validate
    /// --dev-url`); the path is the element of the failing statement.
    RejectedByPostgresql = "REJECTED_BY_POSTGRESQL",
    /// Validation was to try the create script on a server, which could
    /// not be reached: only the offline checks ran (warning).
    NotTriedOnServer = "NOT_TRIED_ON_SERVER",
    /// Two objects that PostgreSQL keeps in one schema are in different
    /// namespaces (a sequence and the table that owns it).
    NamespaceMismatch = "NAMESPACE_MISMATCH",
    /// Objects depend on each other in a cycle, so none can be created
    /// first (views that read each other).
    DependencyCycle = "DEPENDENCY_CYCLE",
    /// A partitioned table or partition is malformed: a key, a bound, a
    /// key or constraint PostgreSQL refuses on a partitioned table.
    InvalidPartition = "INVALID_PARTITION",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Problem {
    /// Stable machine code.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// JSON pointer to the offending element, e.g. `/tables/0/columns/2/dataType`.
    pub path: String,
    /// Human explanation, naming the elements involved.
    pub message: String,
}

impl Problem {
    /// Whether this problem makes the document invalid.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let path = if self.path.is_empty() { "/" } else { &self.path };
        write!(f, "{sev}[{}] {path}: {}", self.code, self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_screaming_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "duplicate {s}");
            assert!(s.chars().all(|c| c.is_ascii_uppercase() || c == '_'), "{s}");
            assert_eq!(serde_json::to_value(code).unwrap(), serde_json::json!(s));
        }
    }

    #[test]
    fn display_shows_code_and_path() {
        let p = Problem {
            code: Code::DuplicateName,
            severity: Severity::Error,
            path: "/tables/1/name".into(),
            message: "x".into(),
        };
        assert_eq!(p.to_string(), "error[DUPLICATE_NAME] /tables/1/name: x");
    }
}
