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
            ("Status", BaseType::Enum { id: "e1".into(), name: Ident::parse("status").unwrap(), schema: None }, false),
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
                composites: &[],
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
        "qty > /* note */ 0",
        "qty > (SELECT 1)",
        "EXISTS (SELECT 1 FROM users)",
        "qty > 0 FROM users",
        "qty > $1",
        "count(*) > 0",
        "sum(qty) > 0",
        "row_number() OVER () > 1",
        "unnest(tags) = 'x'",
        "users.qty > 0",
        "t.* IS NULL",
        "qty > 0)",
        "(qty > 0",
        "'unterminated",
        "",
        "   ",
        "qty >",
        "qty IS 5",
        "1 < qty < 3",
        "lower(name, name) = 'x'",
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
fn postgresql_grammar_is_accepted_with_a_warning() {
    let c = Cols::new();
    let cols = c.cols();
    for (src, sql) in [
        ("qty::text = '1'", "qty::text = '1'"),
        ("(price >= (0)::numeric)", "price >= 0::numeric"),
        ("(name)::text = ANY (ARRAY['a'::text, 'b'::text])", "name::text = ANY(ARRAY['a'::text, 'b'::text])"),
        ("active IS FALSE", "active IS FALSE"),
        ("qty IS DISTINCT FROM 3", "qty IS DISTINCT FROM 3"),
        ("CASE WHEN qty > 0 THEN price > 0 ELSE true END", "CASE WHEN qty > 0 THEN price > 0 ELSE true END"),
        ("tags[1] SIMILAR TO '[a-z]+'", "tags[1] SIMILAR TO '[a-z]+'"),
        ("starts_at < ends_at + interval '1 day'", "starts_at < (ends_at + '1 day'::interval)"),
        ("my_func(qty)", "my_func(qty)"),
        ("\"Status\" <> 'draft'::status", "\"Status\" <> 'draft'::status"),
    ] {
        let checked = check_expression(src, &cols, ExprContext::Check).unwrap_or_else(|e| panic!("{src}: {e:?}"));
        let Expr::Sql(e) = &checked.expr else { panic!("{src}: not the full grammar") };
        assert_eq!(e.sql(), sql);
        assert_eq!(checked.warnings.len(), 1, "{src}");
        assert_eq!(checked.warnings[0].code, Code::UnverifiedExpression);
    }
    let unknown = check_expression("my_func(qty)", &cols, ExprContext::Check).unwrap();
    assert!(unknown.warnings[0].message.contains("`my_func`"), "{:?}", unknown.warnings);
    // Volatile functions: a warning in a check, an error in an index predicate.
    for src in ["now() > starts_at", "starts_at < current_timestamp", "pg_sleep(1) IS NULL"] {
        let checked = check_expression(src, &cols, ExprContext::Check).unwrap();
        assert!(checked.warnings.iter().any(|w| w.message.contains("not immutable")), "{src}");
        let err = check_expression(src, &cols, ExprContext::IndexPredicate).unwrap_err();
        assert_eq!(err[0].code, Code::InvalidExpression, "{src}");
    }
    // Column references resolve (exactly: the grammar folds unquoted names).
    let err = check_expression("Status::text = 'x'", &cols, ExprContext::Check).unwrap_err();
    assert_eq!(err[0].code, Code::UnknownReference);
    assert!(err[0].message.contains("did you mean \"Status\""), "{}", err[0].message);
    assert_eq!(
        check_expression("nope::int > 0", &cols, ExprContext::Check).unwrap_err()[0].code,
        Code::UnknownReference
    );
    // What can be decided without a server still is.
    for src in ["qty::int", "'x'::text", "42::numeric", "name::varchar"] {
        assert_eq!(check_expression(src, &cols, ExprContext::Check).unwrap_err()[0].code, Code::TypeMismatch, "{src}");
    }
    assert!(check_expression("active::boolean", &cols, ExprContext::Check).is_ok());
}

#[test]
fn full_grammar_ignores_spelling_and_renames() {
    let c = Cols::new();
    let cols = c.cols();
    let a = check_expression("(qty)::numeric > 0::numeric", &cols, ExprContext::Check).unwrap().expr;
    let b = check_expression("qty::numeric>(0)::numeric", &cols, ExprContext::Check).unwrap().expr;
    assert!(a.same_modulo_names(&b));
    let renamed_name = Ident::parse("quantity").unwrap();
    let ty = ColumnType { base: BaseType::Integer, array: false };
    let renamed =
        [ExprColumn { id: cols[1].id, name: &renamed_name, ty: Some(&ty), enum_values: None, composites: &[] }];
    let r = check_expression("quantity::numeric > 0::numeric", &renamed, ExprContext::Check).unwrap().expr;
    assert!(a.same_modulo_names(&r), "a column rename is no change");
    let other = check_expression("qty::numeric >= 0::numeric", &cols, ExprContext::Check).unwrap().expr;
    assert!(!a.same_modulo_names(&other));
    assert_eq!(a.column_ids(), [cols[1].id]);
    let strings = check_expression("name::text = ANY (ARRAY['a', 'b'])", &cols, ExprContext::Check).unwrap().expr;
    assert_eq!(strings.string_literals(), ["a", "b"]);
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

#[test]
fn wider_types_are_not_compared_with_numbers() {
    use crate::named_type::NamedType;
    let money = ColumnType { base: BaseType::Named(NamedType::Money, None), array: false };
    let oid = ColumnType { base: BaseType::Named(NamedType::Oid, None), array: false };
    let (m, o) = (Ident::parse("fee").unwrap(), Ident::parse("ref").unwrap());
    let columns = [
        ExprColumn { id: "m", name: &m, ty: Some(&money), enum_values: None, composites: &[] },
        ExprColumn { id: "o", name: &o, ty: Some(&oid), enum_values: None, composites: &[] },
    ];
    let codes = |s: &str| match check_expression(s, &columns, ExprContext::Check) {
        Ok(c) => c.warnings.iter().map(|w| w.code).collect::<Vec<_>>(),
        Err(ps) => ps.iter().map(|p| p.code).collect(),
    };
    assert_eq!(codes("fee >= -5"), [Code::TypeMismatch]);
    assert_eq!(codes("fee >= '5.00'"), [Code::UnverifiedExpression]);
    assert_eq!(codes("ref > 5"), [Code::UnverifiedExpression]);
    assert_eq!(codes("fee OR NOT fee"), [Code::TypeMismatch]);
    assert_eq!(codes("fee"), [Code::TypeMismatch]);
}
