//! Defaults as PostgreSQL prints them, back in the document's forms: the
//! next value of an imported sequence, a function of the closed list, a
//! constant of the column's own type, else the expression itself.

use schemaforge_domain::{ColumnDefault, ExpressionDefault, FunctionDefault, Literal, SequenceDefault};

use crate::Importer;
use crate::catalog::TypeRef;

/// The functions of the document's closed list, as PostgreSQL prints them.
const FUNCTIONS: &[(&str, &str)] = &[
    ("now()", "now"),
    ("CURRENT_TIMESTAMP", "current_timestamp"),
    ("CURRENT_DATE", "current_date"),
    ("LOCALTIMESTAMP", "localtimestamp"),
    ("LOCALTIME", "localtime"),
    ("clock_timestamp()", "clock_timestamp"),
    ("statement_timestamp()", "statement_timestamp"),
    ("transaction_timestamp()", "transaction_timestamp"),
    ("gen_random_uuid()", "gen_random_uuid"),
    ("CURRENT_USER", "current_user"),
    ("SESSION_USER", "session_user"),
];

/// Read a string literal at the start of `text` (`'it''s'`): its value
/// and the rest.
pub(crate) fn string_literal(text: &str) -> Option<(String, &str)> {
    let body = text.strip_prefix('\'')?;
    let mut value = String::new();
    let mut chars = body.char_indices().peekable();
    while let Some((i, ch)) = chars.next() {
        if ch == '\'' {
            if let Some((_, '\'')) = chars.peek() {
                chars.next();
                value.push('\'');
            } else {
                return Some((value, &body[i + 1..]));
            }
        } else {
            value.push(ch);
        }
    }
    None
}

/// The (namespace, name) a `regclass` literal names, as PostgreSQL prints
/// it: `orders_id_seq`, `sales.orders_id_seq`, `"Weird"."Seq"`.
pub(crate) fn qualified_name(text: &str) -> Option<(String, String)> {
    let mut parts = Vec::new();
    let mut rest = text;
    loop {
        let (part, after) = if let Some(body) = rest.strip_prefix('"') {
            let mut value = String::new();
            let mut end = None;
            let mut it = body.char_indices().peekable();
            while let Some((i, ch)) = it.next() {
                if ch == '"' {
                    if let Some((_, '"')) = it.peek() {
                        it.next();
                        value.push('"');
                    } else {
                        end = Some(i + 1);
                        break;
                    }
                } else {
                    value.push(ch);
                }
            }
            (value, &body[end?..])
        } else {
            let end = rest.find('.').unwrap_or(rest.len());
            let word = &rest[..end];
            if word.is_empty() {
                return None;
            }
            (word.to_lowercase(), &rest[end..])
        };
        parts.push(part);
        match after.strip_prefix('.') {
            Some(next) => rest = next,
            None if after.is_empty() => break,
            None => return None,
        }
    }
    match parts.len() {
        1 => Some(("public".into(), parts.remove(0))),
        2 => {
            let name = parts.remove(1);
            Some((parts.remove(0), name))
        }
        _ => None,
    }
}

impl Importer<'_> {
    /// The document's form of `printed`, a default of a column of `ty`.
    pub(crate) fn default_of(&self, printed: &str, ty: &TypeRef) -> ColumnDefault {
        let text = printed.trim();
        if let Some(id) = self.nextval(text) {
            return ColumnDefault::Sequence(SequenceDefault { sequence: id });
        }
        if let Some((_, function)) = FUNCTIONS.iter().find(|(sql, _)| *sql == text) {
            if !ty.array {
                return ColumnDefault::Function(FunctionDefault { function: (*function).to_string() });
            }
        }
        if let Some(literal) = literal(text, ty) {
            return ColumnDefault::Literal(literal);
        }
        ColumnDefault::Expression(ExpressionDefault { expression: crate::printed::restore_array_casts(text) })
    }

    /// `nextval('seq'::regclass)` of an imported standalone sequence: its id.
    fn nextval(&self, text: &str) -> Option<String> {
        let inner = text.strip_prefix("nextval(")?.strip_suffix("::regclass)")?;
        let (name, rest) = string_literal(inner)?;
        if !rest.is_empty() {
            return None;
        }
        let key = qualified_name(&name)?;
        self.sequence_ids.get(&key).cloned()
    }
}

/// A constant of the column's own type: `'x'::text`, `true`.
fn literal(text: &str, ty: &TypeRef) -> Option<Literal> {
    if ty.array {
        return None;
    }
    match text {
        "true" if ty.name == "bool" => return Some(Literal::Bool(true)),
        "false" if ty.name == "bool" => return Some(Literal::Bool(false)),
        _ => {}
    }
    let (value, rest) = string_literal(text)?;
    let cast = rest.strip_prefix("::")?;
    // Only a cast to the column's very type (with its modifiers) is what a
    // literal renders as: `''::character varying` on a `varchar(255)`
    // column is a cast to another type, kept as the expression it is.
    (cast == ty.sql).then_some(Literal::String(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_and_names_read_back() {
        assert_eq!(string_literal("'it''s'::text"), Some(("it's".to_string(), "::text")));
        assert_eq!(string_literal("'open"), None);
        assert_eq!(qualified_name("orders_id_seq"), Some(("public".into(), "orders_id_seq".into())));
        assert_eq!(qualified_name("\"Sales\".\"a.b\"\"c\""), Some(("Sales".into(), "a.b\"c".into())));
        assert_eq!(qualified_name("a.b.c"), None);
    }

    fn ty(name: &str, sql: &str) -> TypeRef {
        TypeRef {
            sql: sql.into(),
            oid: 1,
            kind: "b".into(),
            namespace: "pg_catalog".into(),
            name: name.into(),
            array: false,
        }
    }

    #[test]
    fn constants_of_the_columns_type_are_literals() {
        let vc = ty("varchar", "character varying(20)");
        assert_eq!(literal("'a'::character varying(20)", &vc), Some(Literal::String("a".into())));
        assert_eq!(literal("'a'::character varying", &vc), None);
        assert_eq!(literal("'a'::text", &vc), None);
        // A bare number is PostgreSQL's integer or numeric constant, coerced
        // to the column's type: kept as the expression it is.
        assert_eq!(literal("0", &ty("int2", "smallint")), None);
        assert_eq!(
            literal("'0.50'::numeric(5,2)", &ty("numeric", "numeric(5,2)")),
            Some(Literal::String("0.50".into()))
        );
        assert_eq!(literal("true", &ty("bool", "boolean")), Some(Literal::Bool(true)));
        assert_eq!(literal("1 + 1", &ty("int4", "integer")), None);
    }
}
