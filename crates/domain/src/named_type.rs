//! Types without parameters beyond the core set: PostgreSQL's built-in
//! `money`, `xml`, text search, geometric, network, range and multirange
//! types, and the types of the contrib extensions (usable once the document
//! declares the extension).
//!
//! Each type's facts are in one table ([`NamedType::info`]): its SQL name,
//! the extension that brings it, which index methods have a default
//! operator class for it (checked against `pg_opclass` by an integration
//! test), whether it has an equality operator, and the first PostgreSQL
//! version that has it.

use crate::document::IndexMethod;

/// A parameterless type, built in or brought by an extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NamedType {
    /// `money`: a fixed-point amount in the locale's currency (`lc_monetary`).
    Money,
    /// `xml`.
    Xml,
    /// `tsvector`: a document for full-text search.
    TsVector,
    /// `tsquery`: a full-text query.
    TsQuery,
    /// `point`.
    Point,
    /// `line`.
    Line,
    /// `lseg`: a line segment.
    Lseg,
    /// `box`.
    Box,
    /// `path`.
    Path,
    /// `polygon`.
    Polygon,
    /// `circle`.
    Circle,
    /// `macaddr8`: an EUI-64 MAC address.
    Macaddr8,
    /// `oid`: an object identifier.
    Oid,
    /// `pg_lsn`: a write-ahead log position.
    PgLsn,
    /// `int4range`.
    Int4Range,
    /// `int8range`.
    Int8Range,
    /// `numrange`.
    NumRange,
    /// `tsrange`.
    TsRange,
    /// `tstzrange`.
    TsTzRange,
    /// `daterange`.
    DateRange,
    /// `int4multirange` (PostgreSQL 14+).
    Int4Multirange,
    /// `int8multirange` (PostgreSQL 14+).
    Int8Multirange,
    /// `nummultirange` (PostgreSQL 14+).
    NumMultirange,
    /// `tsmultirange` (PostgreSQL 14+).
    TsMultirange,
    /// `tstzmultirange` (PostgreSQL 14+).
    TsTzMultirange,
    /// `datemultirange` (PostgreSQL 14+).
    DateMultirange,
    /// `citext` (extension `citext`): case-insensitive text.
    Citext,
    /// `hstore` (extension `hstore`): key/value pairs.
    Hstore,
    /// `ltree` (extension `ltree`): a label path.
    Ltree,
    /// `lquery` (extension `ltree`): a pattern over label paths.
    Lquery,
    /// `ltxtquery` (extension `ltree`): a full-text pattern over label paths.
    Ltxtquery,
    /// `cube` (extension `cube`).
    Cube,
    /// `seg` (extension `seg`): a line segment or floating-point interval.
    Seg,
    /// `isbn` (extension `isn`).
    Isbn,
    /// `isbn13` (extension `isn`).
    Isbn13,
    /// `ismn` (extension `isn`).
    Ismn,
    /// `ismn13` (extension `isn`).
    Ismn13,
    /// `issn` (extension `isn`).
    Issn,
    /// `issn13` (extension `isn`).
    Issn13,
    /// `ean13` (extension `isn`).
    Ean13,
    /// `upc` (extension `isn`).
    Upc,
}

/// The facts about one [`NamedType`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NamedInfo {
    /// The type's name in SQL (and in documents).
    pub sql: &'static str,
    /// The extension that brings it, if it is not built in.
    pub extension: Option<&'static str>,
    /// Index methods with a default operator class for the type.
    pub methods: &'static [IndexMethod],
    /// Whether the type has an `=` operator (what `DISTINCT`, comparisons
    /// and set operations need).
    pub equality: bool,
    /// The first PostgreSQL major version that has the type.
    pub since: u32,
    /// Whether the type has a collation (`COLLATE` applies to it).
    pub collatable: bool,
}

use IndexMethod::{Brin, Btree, Gin, Gist, Hash};

const RANGE: &[IndexMethod] = &[Btree, Hash, Gist, Brin];
const MULTIRANGE: &[IndexMethod] = &[Btree, Hash, Gist];
const NONE: &[IndexMethod] = &[];

const fn info(sql: &'static str, methods: &'static [IndexMethod], equality: bool) -> NamedInfo {
    NamedInfo { sql, extension: None, methods, equality, since: 13, collatable: false }
}

const fn ext(sql: &'static str, extension: &'static str, methods: &'static [IndexMethod], equality: bool) -> NamedInfo {
    NamedInfo { sql, extension: Some(extension), methods, equality, since: 13, collatable: false }
}

const fn since14(i: NamedInfo) -> NamedInfo {
    NamedInfo { since: 14, ..i }
}

impl NamedType {
    /// Every named type, in declaration order.
    pub const ALL: &'static [NamedType] = &[
        Self::Money,
        Self::Xml,
        Self::TsVector,
        Self::TsQuery,
        Self::Point,
        Self::Line,
        Self::Lseg,
        Self::Box,
        Self::Path,
        Self::Polygon,
        Self::Circle,
        Self::Macaddr8,
        Self::Oid,
        Self::PgLsn,
        Self::Int4Range,
        Self::Int8Range,
        Self::NumRange,
        Self::TsRange,
        Self::TsTzRange,
        Self::DateRange,
        Self::Int4Multirange,
        Self::Int8Multirange,
        Self::NumMultirange,
        Self::TsMultirange,
        Self::TsTzMultirange,
        Self::DateMultirange,
        Self::Citext,
        Self::Hstore,
        Self::Ltree,
        Self::Lquery,
        Self::Ltxtquery,
        Self::Cube,
        Self::Seg,
        Self::Isbn,
        Self::Isbn13,
        Self::Ismn,
        Self::Ismn13,
        Self::Issn,
        Self::Issn13,
        Self::Ean13,
        Self::Upc,
    ];

    /// The type's facts.
    pub const fn info(self) -> NamedInfo {
        match self {
            Self::Money => info("money", &[Btree], true),
            Self::Xml => info("xml", NONE, false),
            Self::TsVector => info("tsvector", &[Btree, Gin, Gist], true),
            Self::TsQuery => info("tsquery", &[Btree, Gist], true),
            Self::Point => info("point", &[Gist], false),
            Self::Line => info("line", NONE, true),
            Self::Lseg => info("lseg", NONE, true),
            Self::Box => info("box", &[Gist, Brin], true),
            Self::Path => info("path", NONE, true),
            Self::Polygon => info("polygon", &[Gist], false),
            Self::Circle => info("circle", &[Gist], true),
            Self::Macaddr8 => info("macaddr8", &[Btree, Hash, Brin], true),
            Self::Oid => info("oid", &[Btree, Hash, Brin], true),
            Self::PgLsn => info("pg_lsn", &[Btree, Hash, Brin], true),
            Self::Int4Range => info("int4range", RANGE, true),
            Self::Int8Range => info("int8range", RANGE, true),
            Self::NumRange => info("numrange", RANGE, true),
            Self::TsRange => info("tsrange", RANGE, true),
            Self::TsTzRange => info("tstzrange", RANGE, true),
            Self::DateRange => info("daterange", RANGE, true),
            Self::Int4Multirange => since14(info("int4multirange", MULTIRANGE, true)),
            Self::Int8Multirange => since14(info("int8multirange", MULTIRANGE, true)),
            Self::NumMultirange => since14(info("nummultirange", MULTIRANGE, true)),
            Self::TsMultirange => since14(info("tsmultirange", MULTIRANGE, true)),
            Self::TsTzMultirange => since14(info("tstzmultirange", MULTIRANGE, true)),
            Self::DateMultirange => since14(info("datemultirange", MULTIRANGE, true)),
            // Binary coercible to text: text's brin class serves it too.
            Self::Citext => NamedInfo { collatable: true, ..ext("citext", "citext", &[Btree, Hash, Brin], true) },
            Self::Hstore => ext("hstore", "hstore", &[Btree, Hash, Gin, Gist], true),
            Self::Ltree => ext("ltree", "ltree", &[Btree, Gist], true),
            Self::Lquery => ext("lquery", "ltree", NONE, false),
            Self::Ltxtquery => ext("ltxtquery", "ltree", NONE, false),
            Self::Cube => ext("cube", "cube", &[Btree, Gist], true),
            Self::Seg => ext("seg", "seg", &[Btree, Gist], true),
            Self::Isbn => ext("isbn", "isn", &[Btree, Hash], true),
            Self::Isbn13 => ext("isbn13", "isn", &[Btree, Hash], true),
            Self::Ismn => ext("ismn", "isn", &[Btree, Hash], true),
            Self::Ismn13 => ext("ismn13", "isn", &[Btree, Hash], true),
            Self::Issn => ext("issn", "isn", &[Btree, Hash], true),
            Self::Issn13 => ext("issn13", "isn", &[Btree, Hash], true),
            Self::Ean13 => ext("ean13", "isn", &[Btree, Hash], true),
            Self::Upc => ext("upc", "isn", &[Btree, Hash], true),
        }
    }

    /// The type's name in SQL.
    pub const fn sql_name(self) -> &'static str {
        self.info().sql
    }

    /// The type spelled `name` (lower case).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|t| t.sql_name() == name)
    }

    /// Whether a btree (and so UNIQUE, a primary key, a foreign key) can
    /// index the type.
    pub fn has_btree(self) -> bool {
        self.info().methods.contains(&Btree)
    }

    /// Whether the type is a range or multirange over a subtype.
    pub fn is_range(self) -> bool {
        self.sql_name().ends_with("range")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_distinct() {
        let mut seen = std::collections::HashSet::new();
        for t in NamedType::ALL {
            assert_eq!(NamedType::from_name(t.sql_name()), Some(*t));
            assert!(seen.insert(t.sql_name()));
            // A type without equality cannot have a btree or hash index.
            assert!(t.info().equality || !t.info().methods.iter().any(|m| matches!(m, Btree | Hash)), "{t:?}");
        }
        assert_eq!(NamedType::from_name("citext").and_then(|t| t.info().extension), Some("citext"));
        assert!(NamedType::Int4Multirange.is_range() && !NamedType::Point.is_range());
    }
}
