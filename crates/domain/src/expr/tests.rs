use super::*;

struct Cols {
    names: Vec<Ident>,
    types: Vec<ColumnType>,
    labels: Vec<String>,
}

impl Cols {
    fn new() -> Self {
        let spec = [
            ("price", BaseType::Numeric { precision: Some(10), scale: Some(2) }, false),
            ("qty", BaseType::Integer, false),
            ("name", BaseType::Varchar(Some(50)), false),
            ("Status", BaseType::Enum { id: "e1".into(), name: Ident::parse("status").unwrap() }, false),
            ("starts_at", BaseType::Timestamptz(None), false),
            ("ends_at", BaseType::Timestamptz(None), false),
            ("tags", BaseType::Text, true),
            ("doc", BaseType::Json, false),
            ("active", BaseType::Boolean, false),
            ("day", BaseType::Date, false),
            ("due", BaseType::Date, false),
        ];
        Cols {
            names: spec.iter().map(|(n, _, _)| Ident::parse(n).unwrap()).collect(),
            types: spec.iter().map(|(_, b, a)| ColumnType { base: b.clone(), array: *a }).collect(),
            labels: vec!["draft".into(), "paid".into()],
        }
    }

    fn cols(&self) -> Vec<ExprColumn<'_>> {
        let ids = ["c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10"];
        (0..self.names.len())
            .map(|i| ExprColumn {
                id: ids[i],
                name: &self.names[i],
                ty: Some(&self.types[i]),
                enum_values: matches!(self.types[i].base, BaseType::Enum { .. }).then_some(self.labels.as_slice()),
            })
            .collect()
    }
}

fn check(src: &str) -> Result<Expr, Vec<ExprProblem>> {
    let c = Cols::new();
    parse_expression(src, &c.cols(), ExprContext::Check)
}

#[test]
fn index_predicates_must_be_immutable() {
    let c = Cols::new();
    let cols = c.cols();
    for src in ["starts_at > day", "name || qty = 'x'", "starts_at + '1 day' > ends_at", "ends_at - day > '1 day'"] {
        assert!(parse_expression(src, &cols, ExprContext::Check).is_ok(), "{src}");
        let err = parse_expression(src, &cols, ExprContext::IndexPredicate).unwrap_err();
        assert_eq!(err[0].code, Code::InvalidExpression, "{src}");
    }
    for src in ["starts_at > ends_at", "name || 'x' = 'y'", "day + 1 > due", "qty > 0"] {
        assert!(parse_expression(src, &cols, ExprContext::IndexPredicate).is_ok(), "{src}");
    }
}

fn codes(src: &str) -> Vec<&'static str> {
    check(src).err().unwrap_or_default().iter().map(|p| p.code.as_str()).collect()
}

#[test]
fn accepts_typical_checks() {
    for src in [
        "price >= 0",
        "price > 0 AND qty BETWEEN 1 AND 100",
        "status IN ('draft', 'paid')",
        "\"Status\" <> 'draft' OR qty IS NOT NULL",
        "starts_at < ends_at",
        "ends_at - starts_at <= '7 days'",
        "ends_at > starts_at + '1 day'",
        "starts_at >= '2024-01-01T00:00:00Z'",
        "due - day >= 0",
        "day + 1 > day",
        "day - '2024-01-01' > 0",
        "ends_at - starts_at > '00:30'",
        "day < starts_at",
        "length(trim(name)) > 0",
        "name ~ '^[A-Z]' AND name NOT LIKE '%x%'",
        "cardinality(tags) <= 10",
        "NOT active OR qty > 0",
        "coalesce(qty, 0) >= 0",
        "qty % 2 = 0",
        "-qty < 5",
        "price * 1.2e3 < 1e9",
        "name || 'x' <> 'yx'",
        "active",
        "qty <> 1",
        "qty != 1",
        "NULL IN ('a', 'b')",
    ] {
        assert!(check(src).is_ok(), "{src}: {:?}", check(src));
    }
}

#[test]
fn resolves_names_like_postgres_with_friendly_fallback() {
    // unquoted folds to lower case; "Status" only matches case-insensitively
    let expr = check("STATUS = 'paid'").unwrap();
    assert_eq!(expr.column_ids(), vec!["c3"]);
    assert_eq!(codes("\"status\" = 'paid'"), vec!["UNKNOWN_REFERENCE"]);
    assert_eq!(codes("nope > 1 AND other < 2"), vec!["UNKNOWN_REFERENCE", "UNKNOWN_REFERENCE"]);
}

#[test]
fn rejects_injection_and_unsupported_syntax() {
    for src in [
        "qty > 0; DROP TABLE users",
        "qty > 0 -- comment",
        "qty::text = '1'",
        "pg_sleep(10) IS NULL",
        "qty > (SELECT 1)",
        "qty > 0)",
        "(qty > 0",
        "'unterminated",
        "",
        "   ",
        "qty >",
        "1 < qty < 3",
        "now() > starts_at",
        "qty IS 5",
        "\"\" = 1",
        "12abc > 1",
        "qty > 1 / 0",
        "name ~ ('(' || 'x')",
        "qty > abs(-5)",
    ] {
        let codes = codes(src);
        assert!(!codes.is_empty(), "{src} was accepted");
        assert!(codes.iter().all(|c| *c == "INVALID_EXPRESSION"), "{src}: {codes:?}");
    }
}

#[test]
fn type_errors() {
    for src in [
        "qty > 'many'",
        "name > 5",
        "status = 'shipped'",
        "doc = doc",
        "qty",
        "name LIKE 5",
        "price + name > 1",
        "active AND qty",
        "cardinality(qty) > 1",
        "starts_at > 5",
        "starts_at + 1 > ends_at",
        "ends_at - starts_at > 5",
        "day + '1 day' > day",
        "day >= 'garbage'",
        "starts_at >= '2024-02-30'",
        "ends_at - starts_at < 'forever'",
        "starts_at - '1 day' > ends_at",
        "NULL IN ('1 day', 0)",
    ] {
        assert_eq!(codes(src), vec!["TYPE_MISMATCH"], "{src}");
    }
}

#[test]
fn limits_depth_and_size_without_overflowing_the_stack() {
    let deep = format!("{}qty > 0{}", "(".repeat(10_000), ")".repeat(10_000));
    assert_eq!(codes(&deep), vec!["INVALID_EXPRESSION"]);
    let nots = format!("{} active", "NOT ".repeat(1000));
    assert_eq!(codes(&nots), vec!["INVALID_EXPRESSION"]);
    let minus = format!("{}qty > 0", "-".repeat(1000));
    assert_eq!(codes(&minus), vec!["INVALID_EXPRESSION"]);
    let chain = format!("{} > 0", vec!["qty"; 2040].join(" + "));
    assert_eq!(codes(&chain), vec!["INVALID_EXPRESSION"]);
    let long = format!("qty > {}", "1".repeat(5000));
    assert_eq!(codes(&long), vec!["INVALID_EXPRESSION"]);
}

#[test]
fn string_escapes() {
    let expr = check("name <> 'it''s'").unwrap();
    let Expr::Binary { right, .. } = expr else { panic!("not binary") };
    assert_eq!(*right, Expr::String("it's".into()));
}
