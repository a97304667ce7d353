//! Check constraints and partial-index predicates.
//!
//! Documents hold these as text, e.g. `price >= 0 AND status <> 'void'`. The
//! text is parsed into [`Expr`] with a small grammar (comparisons, boolean
//! logic, arithmetic, `IS [NOT] NULL`, `[NOT] IN`, `[NOT] BETWEEN`,
//! `[NOT] LIKE/ILIKE`, regular-expression matches and a few immutable
//! functions), every column name is resolved against the table's own columns,
//! and the types are checked. SQL is later rendered from the tree, never from
//! the text, so nothing the client wrote reaches the database verbatim.
//!
//! Deliberately absent: casts (`::`), subqueries, other tables, arbitrary
//! functions, and anything non-immutable (`now()`), which PostgreSQL forbids in
//! index predicates and which make checks unreliable.

use crate::ident::Ident;
use crate::model::{BaseType, ColumnType};
use crate::problem::Code;

/// Longest expression text accepted, in bytes.
pub const MAX_EXPRESSION_BYTES: usize = 4096;
/// Deepest nesting accepted (parentheses and operators).
pub const MAX_EXPRESSION_DEPTH: usize = 64;
/// Most binary operators in one expression.
pub const MAX_OPERATORS: usize = 256;

/// A parsed, resolved expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// A column of the table.
    Column {
        /// Stable column id.
        id: String,
        /// Column name.
        name: Ident,
    },
    /// A numeric literal as digits, an optional fraction and exponent.
    Number(String),
    /// A string literal (unescaped content).
    String(String),
    /// TRUE or FALSE.
    Bool(bool),
    /// NULL.
    Null,
    /// NOT e.
    Not(Box<Expr>),
    /// -e.
    Neg(Box<Expr>),
    /// left op right.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Left operand.
        left: Box<Expr>,
        /// Right operand.
        right: Box<Expr>,
    },
    /// e IS [NOT] NULL.
    IsNull {
        /// Operand.
        expr: Box<Expr>,
        /// IS NOT NULL.
        negated: bool,
    },
    /// e [NOT] IN (list).
    InList {
        /// Operand.
        expr: Box<Expr>,
        /// Candidates (at least one).
        list: Vec<Expr>,
        /// NOT IN.
        negated: bool,
    },
    /// e [NOT] BETWEEN low AND high.
    Between {
        /// Operand.
        expr: Box<Expr>,
        /// Lower bound.
        low: Box<Expr>,
        /// Upper bound.
        high: Box<Expr>,
        /// NOT BETWEEN.
        negated: bool,
    },
    /// An allowed function call.
    Call {
        /// The function.
        func: Func,
        /// Arguments.
        args: Vec<Expr>,
    },
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// OR
    Or,
    /// AND
    And,
    /// =
    Eq,
    /// <>
    NotEq,
    /// <
    Lt,
    /// <=
    LtEq,
    /// >
    Gt,
    /// >=
    GtEq,
    /// LIKE
    Like,
    /// NOT LIKE
    NotLike,
    /// ILIKE
    ILike,
    /// NOT ILIKE
    NotILike,
    /// ~ (regex match)
    RegexMatch,
    /// ~* (case-insensitive regex match)
    RegexIMatch,
    /// !~
    NotRegexMatch,
    /// !~*
    NotRegexIMatch,
    /// ||
    Concat,
    /// +
    Add,
    /// -
    Sub,
    /// *
    Mul,
    /// /
    Div,
    /// %
    Mod,
}

impl BinaryOp {
    /// The operator in SQL.
    pub fn sql(self) -> &'static str {
        match self {
            Self::Or => "OR",
            Self::And => "AND",
            Self::Eq => "=",
            Self::NotEq => "<>",
            Self::Lt => "<",
            Self::LtEq => "<=",
            Self::Gt => ">",
            Self::GtEq => ">=",
            Self::Like => "LIKE",
            Self::NotLike => "NOT LIKE",
            Self::ILike => "ILIKE",
            Self::NotILike => "NOT ILIKE",
            Self::RegexMatch => "~",
            Self::RegexIMatch => "~*",
            Self::NotRegexMatch => "!~",
            Self::NotRegexIMatch => "!~*",
            Self::Concat => "||",
            Self::Add => "+",
            Self::Sub => "-",
            Self::Mul => "*",
            Self::Div => "/",
            Self::Mod => "%",
        }
    }

    fn is_comparison(self) -> bool {
        matches!(self, Self::Eq | Self::NotEq | Self::Lt | Self::LtEq | Self::Gt | Self::GtEq)
    }

    fn is_pattern(self) -> bool {
        matches!(
            self,
            Self::Like
                | Self::NotLike
                | Self::ILike
                | Self::NotILike
                | Self::RegexMatch
                | Self::RegexIMatch
                | Self::NotRegexMatch
                | Self::NotRegexIMatch
        )
    }
}

/// The functions an expression may call (all immutable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Func {
    /// lower(text)
    Lower,
    /// upper(text)
    Upper,
    /// length(text)
    Length,
    /// char_length(text)
    CharLength,
    /// btrim(text), written `trim(x)`
    Trim,
    /// abs(number)
    Abs,
    /// coalesce(a, b, ...)
    Coalesce,
    /// nullif(a, b)
    Nullif,
    /// greatest(a, b, ...)
    Greatest,
    /// least(a, b, ...)
    Least,
    /// cardinality(array)
    Cardinality,
}

impl Func {
    /// The function's name in SQL.
    pub fn sql(self) -> &'static str {
        match self {
            Self::Lower => "lower",
            Self::Upper => "upper",
            Self::Length => "length",
            Self::CharLength => "char_length",
            Self::Trim => "btrim",
            Self::Abs => "abs",
            Self::Coalesce => "COALESCE",
            Self::Nullif => "NULLIF",
            Self::Greatest => "GREATEST",
            Self::Least => "LEAST",
            Self::Cardinality => "cardinality",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "lower" => Self::Lower,
            "upper" => Self::Upper,
            "length" => Self::Length,
            "char_length" | "character_length" => Self::CharLength,
            "trim" | "btrim" => Self::Trim,
            "abs" => Self::Abs,
            "coalesce" => Self::Coalesce,
            "nullif" => Self::Nullif,
            "greatest" => Self::Greatest,
            "least" => Self::Least,
            "cardinality" => Self::Cardinality,
            _ => return None,
        })
    }

    /// Allowed argument counts (min, max).
    fn arity(self) -> (usize, usize) {
        match self {
            Self::Coalesce | Self::Greatest | Self::Least => (1, 100),
            Self::Nullif => (2, 2),
            _ => (1, 1),
        }
    }
}

impl Expr {
    /// Ids of the columns the expression reads, in order of appearance.
    pub fn column_ids(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.walk(&mut |e| {
            if let Expr::Column { id, .. } = e {
                out.push(id.as_str());
            }
        });
        out
    }

    /// The string literals of the expression, in order of appearance.
    pub fn string_literals(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.walk(&mut |e| {
            if let Expr::String(s) = e {
                out.push(s.as_str());
            }
        });
        out
    }

    /// Whether two expressions are the same when columns are matched by id,
    /// so renaming a column does not change an expression that uses it.
    ///
    /// ```
    /// use schemaforge_domain::{Expr, Ident};
    /// let col = |name: &str| Expr::Column { id: "c1".into(), name: Ident::parse(name).unwrap() };
    /// assert!(col("price").same_modulo_names(&col("cost")));
    /// assert_ne!(col("price"), col("cost"));
    /// ```
    pub fn same_modulo_names(&self, other: &Expr) -> bool {
        fn all(a: &[Expr], b: &[Expr]) -> bool {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_modulo_names(y))
        }
        match (self, other) {
            (Expr::Column { id: a, .. }, Expr::Column { id: b, .. }) => a == b,
            (Expr::Not(a), Expr::Not(b)) | (Expr::Neg(a), Expr::Neg(b)) => a.same_modulo_names(b),
            (Expr::Binary { op: o1, left: l1, right: r1 }, Expr::Binary { op: o2, left: l2, right: r2 }) => {
                o1 == o2 && l1.same_modulo_names(l2) && r1.same_modulo_names(r2)
            }
            (Expr::IsNull { expr: a, negated: n1 }, Expr::IsNull { expr: b, negated: n2 }) => {
                n1 == n2 && a.same_modulo_names(b)
            }
            (Expr::InList { expr: a, list: l1, negated: n1 }, Expr::InList { expr: b, list: l2, negated: n2 }) => {
                n1 == n2 && a.same_modulo_names(b) && all(l1, l2)
            }
            (
                Expr::Between { expr: a, low: lo1, high: hi1, negated: n1 },
                Expr::Between { expr: b, low: lo2, high: hi2, negated: n2 },
            ) => n1 == n2 && a.same_modulo_names(b) && lo1.same_modulo_names(lo2) && hi1.same_modulo_names(hi2),
            (Expr::Call { func: f1, args: a1 }, Expr::Call { func: f2, args: a2 }) => f1 == f2 && all(a1, a2),
            (a, b) => a == b,
        }
    }

    fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        f(self);
        match self {
            Expr::Not(e) | Expr::Neg(e) | Expr::IsNull { expr: e, .. } => e.walk(f),
            Expr::Binary { left, right, .. } => {
                left.walk(f);
                right.walk(f);
            }
            Expr::InList { expr, list, .. } => {
                expr.walk(f);
                list.iter().for_each(|e| e.walk(f));
            }
            Expr::Between { expr, low, high, .. } => {
                expr.walk(f);
                low.walk(f);
                high.walk(f);
            }
            Expr::Call { args, .. } => args.iter().for_each(|e| e.walk(f)),
            Expr::Column { .. } | Expr::Number(_) | Expr::String(_) | Expr::Bool(_) | Expr::Null => {}
        }
    }
}

/// A column an expression may refer to.
#[derive(Debug, Clone)]
pub struct ExprColumn<'a> {
    /// Stable id.
    pub id: &'a str,
    /// Name (valid identifier).
    pub name: &'a Ident,
    /// Resolved type; `None` when the column's own type is invalid (the
    /// expression is then not type-checked against it).
    pub ty: Option<&'a ColumnType>,
    /// Labels, when the type is an enum.
    pub enum_values: Option<&'a [String]>,
}

/// Where an expression is used; index predicates must be immutable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExprContext {
    /// A CHECK constraint.
    Check,
    /// The WHERE clause of a partial index: PostgreSQL requires every
    /// function and operator in it to be IMMUTABLE.
    IndexPredicate,
}

/// A problem in an expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprProblem {
    /// INVALID_EXPRESSION, UNKNOWN_REFERENCE or TYPE_MISMATCH.
    pub code: Code,
    /// What is wrong.
    pub message: String,
}

/// Parse `source`, resolve its column names against `columns`, and check its
/// types. Returns every problem found (a syntax error stops parsing).
///
/// ```
/// use schemaforge_domain::{expr::{parse_expression, ExprColumn, ExprContext}, BaseType, ColumnType, Ident};
///
/// let name = Ident::parse("price").unwrap();
/// let ty = ColumnType { base: BaseType::Integer, array: false };
/// let cols = [ExprColumn { id: "c1", name: &name, ty: Some(&ty), enum_values: None }];
/// assert!(parse_expression("price >= 0", &cols, ExprContext::Check).is_ok());
/// let err = parse_expression("price >= 'cheap'", &cols, ExprContext::Check).unwrap_err();
/// assert_eq!(err[0].code.as_str(), "TYPE_MISMATCH");
/// assert!(parse_expression("price >= 0; DROP TABLE t", &cols, ExprContext::Check).is_err());
/// ```
pub fn parse_expression(
    source: &str,
    columns: &[ExprColumn<'_>],
    context: ExprContext,
) -> Result<Expr, Vec<ExprProblem>> {
    if source.trim().is_empty() {
        return Err(vec![invalid("the expression is empty")]);
    }
    if source.len() > MAX_EXPRESSION_BYTES {
        return Err(vec![invalid(format!(
            "the expression is {} bytes long; at most {MAX_EXPRESSION_BYTES} are allowed",
            source.len()
        ))]);
    }
    let tokens = lex(source).map_err(|e| vec![e])?;
    let mut parser = Parser { tokens, pos: 0, depth: 0, operators: 0, columns, problems: Vec::new() };
    let expr = parser.parse_or().map_err(|e| vec![e])?;
    if let Some(tok) = parser.peek() {
        return Err(vec![invalid(format!("found {} after the end of the expression", tok.describe()))]);
    }
    let mut problems = parser.problems;
    if let Some(node) = constant_computation(&expr) {
        problems.push(invalid(format!(
            "`{node}` computes with constants only; PostgreSQL evaluates that when the constraint is created, where it can fail (division by zero, overflow, a bad pattern): write the result instead"
        )));
    }
    if problems.is_empty() {
        let mut checker = TypeChecker { columns, problems: Vec::new(), not_immutable: None };
        let ty = checker.infer(&expr);
        if let (ExprContext::IndexPredicate, Some(reason)) = (context, &checker.not_immutable) {
            checker.problems.push(invalid(format!(
                "PostgreSQL requires index predicates to be immutable, but {reason} depends on the session's time zone or settings"
            )));
        }
        if !checker.accepts_bool(&ty) {
            checker
                .problems
                .push(mismatch(format!("the expression must be true or false, but it yields {}", ty.describe())));
        }
        problems = checker.problems;
    }
    if problems.is_empty() { Ok(expr) } else { Err(problems) }
}

/// The first operator or function applied to constants only, described.
fn constant_computation(expr: &Expr) -> Option<String> {
    let mut found = None;
    expr.walk(&mut |e| {
        if found.is_some() {
            return;
        }
        let computing = match e {
            Expr::Binary { op, .. } => !op.is_comparison() && !matches!(op, BinaryOp::And | BinaryOp::Or),
            Expr::Call { .. } => true,
            _ => false,
        };
        if computing && e.column_ids().is_empty() {
            found = Some(match e {
                Expr::Binary { op, .. } => op.sql().to_string(),
                Expr::Call { func, .. } => format!("{}()", func.sql().to_lowercase()),
                _ => String::new(),
            });
        }
    });
    found
}

fn invalid(message: impl Into<String>) -> ExprProblem {
    ExprProblem { code: Code::InvalidExpression, message: message.into() }
}

fn mismatch(message: impl Into<String>) -> ExprProblem {
    ExprProblem { code: Code::TypeMismatch, message: message.into() }
}

// ---------------------------------------------------------------- lexer

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident { text: String, quoted: bool },
    Number(String),
    Str(String),
    Op(&'static str),
    LParen,
    RParen,
    Comma,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Ident { text, .. } => format!("`{text}`"),
            Tok::Number(n) => format!("number {n}"),
            Tok::Str(_) => "a string".into(),
            Tok::Op(op) => format!("`{op}`"),
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::Comma => "`,`".into(),
        }
    }

    fn is_keyword(&self, kw: &str) -> bool {
        matches!(self, Tok::Ident { text, quoted: false } if text.eq_ignore_ascii_case(kw))
    }
}

const OPERATORS: &[&str] =
    &["<>", "!=", "<=", ">=", "||", "!~*", "!~", "~*", "=", "<", ">", "+", "-", "*", "/", "%", "~"];

fn lex(src: &str) -> Result<Vec<Tok>, ExprProblem> {
    let mut out = Vec::new();
    let chars: Vec<char> = src.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' {
            out.push(Tok::LParen);
            i += 1;
        } else if c == ')' {
            out.push(Tok::RParen);
            i += 1;
        } else if c == ',' {
            out.push(Tok::Comma);
            i += 1;
        } else if c == '\'' || c == '"' {
            let quote = c;
            let mut text = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => {
                        let what = if quote == '\'' { "string" } else { "quoted name" };
                        return Err(invalid(format!("unterminated {what}")));
                    }
                    Some(&ch) if ch == quote => {
                        if chars.get(i + 1) == Some(&quote) {
                            text.push(quote);
                            i += 2;
                        } else {
                            i += 1;
                            break;
                        }
                    }
                    Some('\0') => return Err(invalid("NUL characters are not allowed")),
                    Some(&ch) => {
                        text.push(ch);
                        i += 1;
                    }
                }
            }
            if quote == '\'' {
                out.push(Tok::Str(text));
            } else {
                if text.is_empty() {
                    return Err(invalid("empty quoted name"));
                }
                out.push(Tok::Ident { text, quoted: true });
            }
        } else if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            let start = i;
            while chars.get(i).is_some_and(char::is_ascii_digit) {
                i += 1;
            }
            if chars.get(i) == Some(&'.') {
                i += 1;
                while chars.get(i).is_some_and(char::is_ascii_digit) {
                    i += 1;
                }
            }
            if matches!(chars.get(i), Some('e' | 'E')) {
                let mut j = i + 1;
                if matches!(chars.get(j), Some('+' | '-')) {
                    j += 1;
                }
                if chars.get(j).is_some_and(char::is_ascii_digit) {
                    i = j;
                    while chars.get(i).is_some_and(char::is_ascii_digit) {
                        i += 1;
                    }
                }
            }
            if chars.get(i).is_some_and(|ch| ch.is_alphanumeric() || *ch == '_') {
                return Err(invalid(format!(
                    "malformed number near `{}`",
                    chars[start..=i].iter().collect::<String>()
                )));
            }
            out.push(Tok::Number(chars[start..i].iter().collect()));
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while chars.get(i).is_some_and(|ch| ch.is_alphanumeric() || *ch == '_' || *ch == '$') {
                i += 1;
            }
            out.push(Tok::Ident { text: chars[start..i].iter().collect(), quoted: false });
        } else {
            let rest: String = chars[i..chars.len().min(i + 3)].iter().collect();
            if rest.starts_with("::") {
                return Err(invalid("casts (`::`) are not supported; compare with a literal of the column's type"));
            }
            if c == ';' {
                return Err(invalid("`;` is not allowed: an expression is a single expression, not statements"));
            }
            if rest.starts_with("--") || rest.starts_with("/*") {
                return Err(invalid("comments are not allowed in expressions"));
            }
            match OPERATORS.iter().find(|op| rest.starts_with(**op)) {
                Some(op) => {
                    out.push(Tok::Op(if *op == "!=" { "<>" } else { op }));
                    i += op.chars().count();
                }
                None => return Err(invalid(format!("unexpected character `{c}`"))),
            }
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------- parser

struct Parser<'c, 'a> {
    tokens: Vec<Tok>,
    pos: usize,
    depth: usize,
    operators: usize,
    columns: &'c [ExprColumn<'a>],
    problems: Vec<ExprProblem>,
}

type PResult = Result<Expr, ExprProblem>;

impl Parser<'_, '_> {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos)
    }

    fn peek_keyword(&self, kw: &str) -> bool {
        self.peek().is_some_and(|t| t.is_keyword(kw))
    }

    fn peek_keyword_at(&self, offset: usize, kw: &str) -> bool {
        self.tokens.get(self.pos + offset).is_some_and(|t| t.is_keyword(kw))
    }

    fn eat_keyword(&mut self, kw: &str) -> bool {
        let hit = self.peek_keyword(kw);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn eat(&mut self, tok: &Tok) -> bool {
        let hit = self.peek() == Some(tok);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn expect(&mut self, tok: &Tok) -> Result<(), ExprProblem> {
        if self.eat(tok) {
            Ok(())
        } else {
            Err(invalid(format!("expected {} but found {}", tok.describe(), self.found())))
        }
    }

    fn found(&self) -> String {
        self.peek().map_or_else(|| "the end of the expression".to_string(), Tok::describe)
    }

    fn enter(&mut self) -> Result<(), ExprProblem> {
        self.depth += 1;
        if self.depth > MAX_EXPRESSION_DEPTH {
            Err(invalid(format!("the expression is nested more than {MAX_EXPRESSION_DEPTH} levels deep")))
        } else {
            Ok(())
        }
    }

    /// Build a binary node, counting operators: a long flat chain such as
    /// `a + a + ... + a` nests as deeply as parentheses would, and later
    /// passes recurse over it.
    fn binary(&mut self, op: BinaryOp, left: Expr, right: Expr) -> PResult {
        self.operators += 1;
        if self.operators > MAX_OPERATORS {
            return Err(invalid(format!("the expression has more than {MAX_OPERATORS} operators")));
        }
        Ok(Expr::Binary { op, left: Box::new(left), right: Box::new(right) })
    }

    fn parse_or(&mut self) -> PResult {
        self.enter()?;
        let mut left = self.parse_and()?;
        while self.eat_keyword("or") {
            let right = self.parse_and()?;
            left = self.binary(BinaryOp::Or, left, right)?;
        }
        self.depth -= 1;
        Ok(left)
    }

    fn parse_and(&mut self) -> PResult {
        let mut left = self.parse_not()?;
        while self.eat_keyword("and") {
            let right = self.parse_not()?;
            left = self.binary(BinaryOp::And, left, right)?;
        }
        Ok(left)
    }

    fn parse_not(&mut self) -> PResult {
        if self.eat_keyword("not") {
            self.enter()?;
            let inner = self.parse_not()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.parse_is()
    }

    fn parse_is(&mut self) -> PResult {
        let mut expr = self.parse_comparison()?;
        while self.eat_keyword("is") {
            let negated = self.eat_keyword("not");
            if !self.eat_keyword("null") {
                return Err(invalid(format!(
                    "expected NULL after IS{} but found {}",
                    if negated { " NOT" } else { "" },
                    self.found()
                )));
            }
            expr = Expr::IsNull { expr: Box::new(expr), negated };
        }
        Ok(expr)
    }

    fn parse_comparison(&mut self) -> PResult {
        let left = self.parse_predicate()?;
        let op = match self.peek() {
            Some(Tok::Op("=")) => BinaryOp::Eq,
            Some(Tok::Op("<>")) => BinaryOp::NotEq,
            Some(Tok::Op("<")) => BinaryOp::Lt,
            Some(Tok::Op("<=")) => BinaryOp::LtEq,
            Some(Tok::Op(">")) => BinaryOp::Gt,
            Some(Tok::Op(">=")) => BinaryOp::GtEq,
            _ => return Ok(left),
        };
        self.pos += 1;
        let right = self.parse_predicate()?;
        if matches!(self.peek(), Some(Tok::Op("=" | "<>" | "<" | "<=" | ">" | ">="))) {
            return Err(invalid("comparisons cannot be chained; combine them with AND"));
        }
        self.binary(op, left, right)
    }

    fn parse_predicate(&mut self) -> PResult {
        let left = self.parse_other()?;
        let negated =
            self.peek_keyword("not") && ["like", "ilike", "between", "in"].iter().any(|kw| self.peek_keyword_at(1, kw));
        if negated {
            self.pos += 1;
        }
        if self.eat_keyword("like") {
            let right = self.parse_other()?;
            self.binary(if negated { BinaryOp::NotLike } else { BinaryOp::Like }, left, right)
        } else if self.eat_keyword("ilike") {
            let right = self.parse_other()?;
            self.binary(if negated { BinaryOp::NotILike } else { BinaryOp::ILike }, left, right)
        } else if self.eat_keyword("between") {
            let low = self.parse_other()?;
            if !self.eat_keyword("and") {
                return Err(invalid(format!("expected AND in BETWEEN but found {}", self.found())));
            }
            let high = self.parse_other()?;
            Ok(Expr::Between { expr: Box::new(left), low: Box::new(low), high: Box::new(high), negated })
        } else if self.eat_keyword("in") {
            self.expect(&Tok::LParen)?;
            let mut list = vec![self.parse_or()?];
            while self.eat(&Tok::Comma) {
                list.push(self.parse_or()?);
            }
            self.expect(&Tok::RParen)?;
            Ok(Expr::InList { expr: Box::new(left), list, negated })
        } else {
            Ok(left)
        }
    }

    fn parse_other(&mut self) -> PResult {
        let mut left = self.parse_additive()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Op("||")) => BinaryOp::Concat,
                Some(Tok::Op("~")) => BinaryOp::RegexMatch,
                Some(Tok::Op("~*")) => BinaryOp::RegexIMatch,
                Some(Tok::Op("!~")) => BinaryOp::NotRegexMatch,
                Some(Tok::Op("!~*")) => BinaryOp::NotRegexIMatch,
                _ => return Ok(left),
            };
            self.pos += 1;
            let right = self.parse_additive()?;
            left = self.binary(op, left, right)?;
        }
    }

    fn parse_additive(&mut self) -> PResult {
        let mut left = self.parse_multiplicative()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Op("+")) => BinaryOp::Add,
                Some(Tok::Op("-")) => BinaryOp::Sub,
                _ => return Ok(left),
            };
            self.pos += 1;
            let right = self.parse_multiplicative()?;
            left = self.binary(op, left, right)?;
        }
    }

    fn parse_multiplicative(&mut self) -> PResult {
        let mut left = self.parse_unary()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Op("*")) => BinaryOp::Mul,
                Some(Tok::Op("/")) => BinaryOp::Div,
                Some(Tok::Op("%")) => BinaryOp::Mod,
                _ => return Ok(left),
            };
            self.pos += 1;
            let right = self.parse_unary()?;
            left = self.binary(op, left, right)?;
        }
    }

    fn parse_unary(&mut self) -> PResult {
        if self.eat(&Tok::Op("-")) {
            self.enter()?;
            let inner = self.parse_unary()?;
            self.depth -= 1;
            return Ok(Expr::Neg(Box::new(inner)));
        }
        if self.eat(&Tok::Op("+")) {
            return self.parse_unary();
        }
        self.parse_primary()
    }

    fn parse_primary(&mut self) -> PResult {
        let Some(tok) = self.peek().cloned() else {
            return Err(invalid("the expression ends too early"));
        };
        self.pos += 1;
        match tok {
            Tok::Number(n) => Ok(Expr::Number(n)),
            Tok::Str(s) => Ok(Expr::String(s)),
            Tok::LParen => {
                let inner = self.parse_or()?;
                self.expect(&Tok::RParen)?;
                Ok(inner)
            }
            Tok::Ident { text, quoted } => {
                if self.peek() == Some(&Tok::LParen) && !quoted {
                    return self.parse_call(&text);
                }
                if !quoted {
                    match text.to_ascii_lowercase().as_str() {
                        "true" => return Ok(Expr::Bool(true)),
                        "false" => return Ok(Expr::Bool(false)),
                        "null" => return Ok(Expr::Null),
                        kw
                        @ ("and" | "or" | "not" | "is" | "in" | "like" | "ilike" | "between" | "select" | "from") => {
                            return Err(invalid(format!("unexpected key word `{}`", kw.to_uppercase())));
                        }
                        _ => {}
                    }
                }
                Ok(self.resolve_column(&text, quoted))
            }
            other => Err(invalid(format!("unexpected {}", other.describe()))),
        }
    }

    fn parse_call(&mut self, name: &str) -> PResult {
        let lower = name.to_lowercase();
        let Some(func) = Func::from_name(&lower) else {
            return Err(invalid(format!(
                "function `{name}` is not allowed; allowed: lower, upper, length, char_length, trim, abs, coalesce, nullif, greatest, least, cardinality"
            )));
        };
        self.expect(&Tok::LParen)?;
        let mut args = Vec::new();
        if !self.eat(&Tok::RParen) {
            args.push(self.parse_or()?);
            while self.eat(&Tok::Comma) {
                args.push(self.parse_or()?);
            }
            self.expect(&Tok::RParen)?;
        }
        let (min, max) = func.arity();
        if args.len() < min || args.len() > max {
            let want = if min == max { min.to_string() } else { format!("{min} to {max}") };
            return Err(invalid(format!("{lower}() takes {want} argument(s), not {}", args.len())));
        }
        Ok(Expr::Call { func, args })
    }

    /// Quoted names match exactly. Unquoted names fold to lower case as in
    /// PostgreSQL; when that finds nothing, a unique case-insensitive match
    /// is accepted (the output quotes the real name, so this is unambiguous).
    fn resolve_column(&mut self, text: &str, quoted: bool) -> Expr {
        let found = if quoted {
            self.columns.iter().find(|c| c.name.as_str() == text)
        } else {
            let folded = text.to_lowercase();
            self.columns.iter().find(|c| c.name.as_str() == folded).or_else(|| {
                let mut it = self.columns.iter().filter(|c| c.name.as_str().to_lowercase() == folded);
                match (it.next(), it.next()) {
                    (Some(one), None) => Some(one),
                    _ => None,
                }
            })
        };
        match found {
            Some(c) => Expr::Column { id: c.id.to_string(), name: c.name.clone() },
            None => {
                let hint = self
                    .columns
                    .iter()
                    .find(|c| c.name.as_str().eq_ignore_ascii_case(text))
                    .map(|c| format!(" (did you mean \"{}\"?)", c.name))
                    .unwrap_or_default();
                self.problems.push(ExprProblem {
                    code: Code::UnknownReference,
                    message: format!("the table has no column named `{text}`{hint}"),
                });
                Expr::Null
            }
        }
    }
}

// ---------------------------------------------------------------- types

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumKind {
    Numeric,
    Real,
    Double,
}

#[derive(Debug, Clone, PartialEq)]
enum Ty {
    /// An integer of 16, 32 or 64 bits.
    Int(u8),
    Num(NumKind),
    Bool,
    Text,
    Bytes,
    Date,
    Timestamp,
    Timestamptz,
    Time,
    Interval,
    Uuid,
    Json,
    Jsonb,
    Net,
    Mac,
    Enum(String, Vec<String>),
    Array(Box<Ty>),
    /// A string literal: PostgreSQL types it from context.
    Unknown(String),
    Null,
    /// Not tracked precisely; accepted anywhere.
    Any,
}

impl Ty {
    fn describe(&self) -> String {
        match self {
            Ty::Int(16) => "a smallint".into(),
            Ty::Int(32) => "an integer".into(),
            Ty::Int(_) => "a bigint".into(),
            Ty::Num(NumKind::Numeric) => "a numeric".into(),
            Ty::Num(NumKind::Real) => "a real".into(),
            Ty::Num(NumKind::Double) => "a double precision".into(),
            Ty::Bool => "a boolean".into(),
            Ty::Text => "text".into(),
            Ty::Bytes => "bytea".into(),
            Ty::Date => "a date".into(),
            Ty::Timestamp => "a timestamp".into(),
            Ty::Timestamptz => "a timestamptz".into(),
            Ty::Time => "a time".into(),
            Ty::Interval => "an interval".into(),
            Ty::Uuid => "a uuid".into(),
            Ty::Json => "json".into(),
            Ty::Jsonb => "jsonb".into(),
            Ty::Net => "a network address".into(),
            Ty::Mac => "a MAC address".into(),
            Ty::Enum(name, _) => format!("enum {name}"),
            Ty::Array(inner) => format!("an array of {}", inner.describe()),
            Ty::Unknown(s) => format!("the string '{s}'"),
            Ty::Null => "NULL".into(),
            Ty::Any => "a value".into(),
        }
    }

    fn is_numeric(&self) -> bool {
        matches!(self, Ty::Int(_) | Ty::Num(_))
    }

    /// date, timestamp and timestamptz compare with each other.
    fn is_datetime(&self) -> bool {
        matches!(self, Ty::Date | Ty::Timestamp | Ty::Timestamptz)
    }

    fn from_column(col: &ExprColumn<'_>) -> Ty {
        let Some(ty) = col.ty else { return Ty::Any };
        let base = match &ty.base {
            BaseType::SmallInt => Ty::Int(16),
            BaseType::Integer => Ty::Int(32),
            BaseType::BigInt => Ty::Int(64),
            BaseType::Numeric { .. } => Ty::Num(NumKind::Numeric),
            BaseType::Real => Ty::Num(NumKind::Real),
            BaseType::DoublePrecision => Ty::Num(NumKind::Double),
            BaseType::Boolean => Ty::Bool,
            BaseType::Char(_) | BaseType::Varchar(_) | BaseType::Text => Ty::Text,
            BaseType::Bytea => Ty::Bytes,
            BaseType::Date => Ty::Date,
            BaseType::Timestamp(_) => Ty::Timestamp,
            BaseType::Timestamptz(_) => Ty::Timestamptz,
            BaseType::Time(_) => Ty::Time,
            BaseType::Interval(_) => Ty::Interval,
            BaseType::Uuid => Ty::Uuid,
            BaseType::Json => Ty::Json,
            BaseType::Jsonb => Ty::Jsonb,
            BaseType::Inet | BaseType::Cidr => Ty::Net,
            BaseType::Macaddr => Ty::Mac,
            BaseType::Enum { name, .. } => {
                Ty::Enum(name.to_string(), col.enum_values.map(<[String]>::to_vec).unwrap_or_default())
            }
        };
        if ty.array { Ty::Array(Box::new(base)) } else { base }
    }
}

struct TypeChecker<'c, 'a> {
    columns: &'c [ExprColumn<'a>],
    problems: Vec<ExprProblem>,
    /// Why the expression is not immutable, if it is not.
    not_immutable: Option<String>,
}

impl TypeChecker<'_, '_> {
    fn accepts_bool(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Bool | Ty::Null | Ty::Any => true,
            Ty::Unknown(s) => crate::values::parse_bool(s).is_some(),
            _ => false,
        }
    }

    /// Whether a string literal is a valid value of `ty`; types we cannot
    /// check offline are accepted.
    fn literal_fits(&self, lit: &str, ty: &Ty) -> Result<(), String> {
        use crate::values;
        let ok = match ty {
            Ty::Int(bits) => values::parse_integer(lit).is_some_and(|v| {
                let max = (1i128 << (bits - 1)) - 1;
                (-max - 1..=max).contains(&v)
            }),
            Ty::Num(NumKind::Numeric) => values::parse_decimal(lit).is_some() || lit.trim().eq_ignore_ascii_case("nan"),
            Ty::Num(NumKind::Real) => values::is_special_float(lit) || values::float_in_range(lit, false),
            Ty::Num(NumKind::Double) => values::is_special_float(lit) || values::float_in_range(lit, true),
            Ty::Bool => values::parse_bool(lit).is_some(),
            Ty::Uuid => values::is_uuid(lit),
            Ty::Date => values::is_date(lit) || values::is_timestamp(lit, true),
            Ty::Timestamp | Ty::Timestamptz => values::is_timestamp(lit, true),
            Ty::Time => values::is_time(lit),
            Ty::Interval => values::is_interval(lit),
            Ty::Net => values::is_network(lit, false),
            Ty::Mac => values::is_macaddr(lit),
            Ty::Bytes => values::is_bytea(lit),
            Ty::Jsonb => serde_json::from_str::<serde_json::Value>(lit).is_ok_and(|v| !values::json_has_nul(&v)),
            Ty::Array(inner) => match values::array_elements(lit) {
                Some(items) => {
                    for item in items.into_iter().flatten() {
                        self.literal_fits(&item, inner)
                            .map_err(|m| format!("'{lit}' is not {}: element {m}", ty.describe()))?;
                    }
                    true
                }
                None => false,
            },
            Ty::Enum(name, labels) => {
                if labels.iter().any(|l| l == lit) {
                    true
                } else {
                    return Err(format!("'{lit}' is not a value of enum {name} (values: {})", labels.join(", ")));
                }
            }
            Ty::Json => return Err("json values have no comparison operators; use jsonb".into()),
            Ty::Text | Ty::Unknown(_) | Ty::Null | Ty::Any => true,
        };
        if ok { Ok(()) } else { Err(format!("'{lit}' is not {}", ty.describe())) }
    }

    fn comparable(&mut self, a: &Ty, b: &Ty, context: &str) {
        let result = match (a, b) {
            (Ty::Json, _) | (_, Ty::Json) => Err("json values have no comparison operators; use jsonb".to_string()),
            (Ty::Null | Ty::Any, _) | (_, Ty::Null | Ty::Any) => Ok(()),
            (Ty::Unknown(_), Ty::Unknown(_)) => Ok(()),
            (Ty::Unknown(lit), other) | (other, Ty::Unknown(lit)) => self.literal_fits(lit, other),
            (x, y) if x.is_numeric() && y.is_numeric() => Ok(()),
            (x, y) if x.is_datetime() && y.is_datetime() => {
                if (*x == Ty::Timestamptz) != (*y == Ty::Timestamptz) {
                    self.not_immutable
                        .get_or_insert_with(|| format!("comparing {} with {}", x.describe(), y.describe()));
                }
                Ok(())
            }
            (Ty::Enum(x, _), Ty::Enum(y, _)) if x == y => Ok(()),
            // Arrays compare only with arrays of the same element type
            // (integer[] = bigint[] has no operator).
            (Ty::Array(x), Ty::Array(y)) => {
                let same = x == y || (**x == Ty::Text && **y == Ty::Text);
                if same {
                    Ok(())
                } else {
                    Err(format!("cannot compare {} with {} in {context}", a.describe(), b.describe()))
                }
            }
            (x, y) if std::mem::discriminant(x) == std::mem::discriminant(y) && !matches!(x, Ty::Enum(..)) => Ok(()),
            (x, y) => Err(format!("cannot compare {} with {} in {context}", x.describe(), y.describe())),
        };
        if let Err(message) = result {
            self.problems.push(mismatch(message));
        }
    }

    fn require_bool(&mut self, ty: &Ty, context: &str) {
        if !self.accepts_bool(ty) {
            self.problems.push(mismatch(format!("{context} needs a boolean operand, not {}", ty.describe())));
        }
    }

    fn require_text(&mut self, ty: &Ty, context: &str) {
        if !matches!(ty, Ty::Text | Ty::Unknown(_) | Ty::Null | Ty::Any) {
            self.problems.push(mismatch(format!("{context} needs text, not {}", ty.describe())));
        }
    }

    fn require_numeric(&mut self, ty: &Ty, context: &str) -> Ty {
        match ty {
            Ty::Int(_) | Ty::Num(_) => ty.clone(),
            Ty::Any | Ty::Null => Ty::Any,
            Ty::Unknown(lit) => {
                if crate::values::parse_decimal(lit).is_none() {
                    self.problems.push(mismatch(format!("{context} needs a number, not '{lit}'")));
                    return Ty::Any;
                }
                Ty::Num(NumKind::Numeric)
            }
            other => {
                self.problems.push(mismatch(format!("{context} needs a number, not {}", other.describe())));
                Ty::Any
            }
        }
    }

    fn column_ty(&self, id: &str) -> Ty {
        self.columns.iter().find(|c| c.id == id).map_or(Ty::Any, Ty::from_column)
    }

    fn infer(&mut self, expr: &Expr) -> Ty {
        match expr {
            Expr::Column { id, .. } => self.column_ty(id),
            // As PostgreSQL types numeric constants: int4, else int8, else numeric.
            Expr::Number(n) => match n.parse::<i64>() {
                _ if n.contains(['.', 'e', 'E']) => Ty::Num(NumKind::Numeric),
                Ok(v) if i32::try_from(v).is_ok() => Ty::Int(32),
                Ok(_) => Ty::Int(64),
                Err(_) => Ty::Num(NumKind::Numeric),
            },
            Expr::String(s) => Ty::Unknown(s.clone()),
            Expr::Bool(_) => Ty::Bool,
            Expr::Null => Ty::Null,
            Expr::Not(inner) => {
                let ty = self.infer(inner);
                self.require_bool(&ty, "NOT");
                Ty::Bool
            }
            Expr::Neg(inner) => {
                let ty = self.infer(inner);
                match ty {
                    Ty::Interval => Ty::Interval,
                    Ty::Null | Ty::Unknown(_) => {
                        self.problems.push(mismatch(
                            "unary minus of an untyped value is ambiguous in PostgreSQL; write the number itself",
                        ));
                        Ty::Any
                    }
                    other => self.require_numeric(&other, "unary minus"),
                }
            }
            Expr::IsNull { expr, .. } => {
                self.infer(expr);
                Ty::Bool
            }
            Expr::InList { expr, list, .. } => {
                // PostgreSQL resolves the operand and the list to one common
                // type (the first typed element's), so every untyped literal
                // in the list must be a value of that type.
                let tys: Vec<Ty> = std::iter::once(&**expr).chain(list).map(|e| self.infer(e)).collect();
                let common = tys.iter().find(|t| !matches!(t, Ty::Null | Ty::Unknown(_))).unwrap_or(&tys[0]).clone();
                for t in &tys {
                    self.comparable(&common, t, "IN");
                }
                // With columns in the list, PostgreSQL compares the operand
                // with each item on its own instead; both must work.
                let before = self.problems.len();
                for t in &tys[1..] {
                    if self.problems.len() == before {
                        self.comparable(&tys[0], t, "IN");
                    }
                }
                Ty::Bool
            }
            Expr::Between { expr, low, high, .. } => {
                let ty = self.infer(expr);
                let lo = self.infer(low);
                let hi = self.infer(high);
                self.comparable(&ty, &lo, "BETWEEN");
                self.comparable(&ty, &hi, "BETWEEN");
                Ty::Bool
            }
            Expr::Binary { op, left, right } => self.infer_binary(*op, left, right),
            Expr::Call { func, args } => self.infer_call(*func, args),
        }
    }

    fn infer_binary(&mut self, op: BinaryOp, left: &Expr, right: &Expr) -> Ty {
        let l = self.infer(left);
        let r = self.infer(right);
        let ctx = format!("`{}`", op.sql());
        match op {
            BinaryOp::And | BinaryOp::Or => {
                self.require_bool(&l, &ctx);
                self.require_bool(&r, &ctx);
                Ty::Bool
            }
            _ if op.is_comparison() => {
                self.comparable(&l, &r, &format!("a `{}` comparison", op.sql()));
                Ty::Bool
            }
            _ if op.is_pattern() => {
                self.require_text(&l, &ctx);
                self.require_text(&r, &ctx);
                Ty::Bool
            }
            BinaryOp::Concat => match (&l, &r) {
                (Ty::Array(_), _) | (_, Ty::Array(_)) => {
                    self.comparable(&l, &r, "`||`");
                    l
                }
                (Ty::Text | Ty::Unknown(_) | Ty::Null, Ty::Text | Ty::Unknown(_) | Ty::Null) => Ty::Text,
                (Ty::Text | Ty::Unknown(_), other) | (other, Ty::Text | Ty::Unknown(_)) => {
                    self.not_immutable.get_or_insert_with(|| format!("concatenating {} to text", other.describe()));
                    Ty::Text
                }
                _ => {
                    self.problems.push(mismatch(format!(
                        "`||` needs text on one side, not {} and {}",
                        l.describe(),
                        r.describe()
                    )));
                    Ty::Any
                }
            },
            _ => self.infer_arithmetic(op, l, r),
        }
    }

    /// Date/time arithmetic follows PostgreSQL's operator tables. An untyped
    /// operand (a string literal or NULL) is resolved the way PostgreSQL
    /// resolves it (first as the other operand's type); two untyped operands,
    /// or any other ambiguity PostgreSQL would refuse, are refused here.
    fn infer_arithmetic(&mut self, op: BinaryOp, l: Ty, r: Ty) -> Ty {
        use BinaryOp::{Add, Div, Mul, Sub};
        use Ty::*;
        let ctx = format!("`{}`", op.sql());
        let untyped = |t: &Ty| matches!(t, Null | Unknown(_));
        if matches!(l, Any) || matches!(r, Any) {
            return Any;
        }
        if untyped(&l) && untyped(&r) {
            self.problems.push(mismatch(format!(
                "{ctx} between two untyped values is ambiguous in PostgreSQL; one side must be a column or a number"
            )));
            return Any;
        }
        // An untyped operand must be readable as `expected`.
        let fits = |this: &mut Self, t: &Ty, expected: &Ty| -> bool {
            match t {
                Unknown(lit) => match this.literal_fits(lit, expected) {
                    Ok(()) => true,
                    Err(m) => {
                        this.problems.push(mismatch(format!("{m} (in {ctx})")));
                        false
                    }
                },
                _ => true,
            }
        };
        match (op, &l, &r) {
            // + : shifting points in time
            (Add | Sub, Date, Int(64)) | (Add, Int(64), Date) => {
                self.problems.push(mismatch("date ± bigint has no operator in PostgreSQL (only date ± integer)"));
                Any
            }
            (Add, Date, Int(_)) | (Add, Int(_), Date) => Date,
            (Add, Date, Interval) | (Add, Interval, Date) | (Add, Date, Time) | (Add, Time, Date) => Timestamp,
            (Add | Sub, Timestamptz, Interval) | (Add, Interval, Timestamptz) => {
                self.not_immutable.get_or_insert_with(|| "timestamptz ± interval".to_string());
                Timestamptz
            }
            (Add, Timestamp | Time, Interval) => l,
            (Add, Interval, Timestamp | Time) => r,
            (Add, Interval, Interval) => Interval,
            (Add, Timestamp | Timestamptz | Time | Interval, u)
            | (Add, u, Timestamp | Timestamptz | Time | Interval)
                if untyped(u) =>
            {
                let typed = if untyped(&l) { r.clone() } else { l.clone() };
                if typed == Timestamptz {
                    self.not_immutable.get_or_insert_with(|| "timestamptz + interval".to_string());
                }
                if fits(self, u, &Interval) { typed } else { Any }
            }
            (Add, Date, u) | (Add, u, Date) if untyped(u) => {
                self.problems.push(mismatch(
                    "date + an untyped value is ambiguous in PostgreSQL; add a whole number of days instead"
                        .to_string(),
                ));
                Any
            }
            // - : differences and shifts
            (Sub, Date, Int(_)) => Date,
            (Sub, Date, Date) => Int(32),
            (Sub, Date, Interval) => Timestamp,
            (Sub, Timestamp | Time, Interval) => l,
            (Sub, Interval, Interval) => Interval,
            (Sub, Time, Time) => Interval,
            (Sub, x, y) if x.is_datetime() && y.is_datetime() => {
                if (*x == Timestamptz) != (*y == Timestamptz) {
                    self.not_immutable.get_or_insert_with(|| format!("{} - {}", x.describe(), y.describe()));
                }
                Interval
            }
            // PostgreSQL reads the untyped right operand as the left operand's type.
            (Sub, Date | Timestamp | Timestamptz | Time | Interval, u) if untyped(u) => {
                if !fits(self, u, &l) {
                    Any
                } else if l == Date {
                    Int(32)
                } else {
                    Interval
                }
            }
            // * and / : scaling intervals
            (Mul | Div, Interval, x) if x.is_numeric() || untyped(x) => {
                if fits(self, x, &Num(NumKind::Double)) {
                    Interval
                } else {
                    Any
                }
            }
            (Mul, x, Interval) if x.is_numeric() || untyped(x) => {
                if fits(self, x, &Num(NumKind::Double)) {
                    Interval
                } else {
                    Any
                }
            }
            // PostgreSQL reads NULL or a string as the other operand's type.
            (_, Null | Unknown(_), x) | (_, x, Null | Unknown(_)) if x.is_numeric() => {
                let untyped = if matches!(l, Null | Unknown(_)) { &l } else { &r };
                if !fits(self, untyped, x) {
                    return Any;
                }
                if op == BinaryOp::Mod && matches!(x, Num(NumKind::Real | NumKind::Double)) {
                    self.problems.push(mismatch("`%` is not defined for real or double precision in PostgreSQL"));
                    return Any;
                }
                x.clone()
            }
            (_, Null, x) | (_, x, Null) => self.require_numeric(x, &ctx),
            _ => {
                let a = self.require_numeric(&l, &ctx);
                let b = self.require_numeric(&r, &ctx);
                if op == BinaryOp::Mod && [&a, &b].iter().any(|t| matches!(t, Num(NumKind::Real | NumKind::Double))) {
                    self.problems.push(mismatch("`%` is not defined for real or double precision in PostgreSQL"));
                    return Any;
                }
                match (a, b) {
                    (Any, _) | (_, Any) => Any, // already reported
                    (Int(x), Int(y)) => Int(x.max(y)),
                    (Num(NumKind::Double), _) | (_, Num(NumKind::Double)) => Num(NumKind::Double),
                    (Num(NumKind::Real), _) | (_, Num(NumKind::Real)) => Num(NumKind::Real),
                    _ => Num(NumKind::Numeric),
                }
            }
        }
    }

    fn infer_call(&mut self, func: Func, args: &[Expr]) -> Ty {
        let tys: Vec<Ty> = args.iter().map(|a| self.infer(a)).collect();
        let ctx = format!("{}()", func.sql().to_lowercase());
        match func {
            Func::Lower | Func::Upper | Func::Trim => {
                tys.iter().for_each(|t| self.require_text(t, &ctx));
                Ty::Text
            }
            Func::Length | Func::CharLength => {
                for t in &tys {
                    if !matches!(t, Ty::Bytes) || func == Func::CharLength {
                        self.require_text(t, &ctx);
                    }
                }
                Ty::Int(32)
            }
            Func::Abs => tys.first().map_or(Ty::Any, |t| self.require_numeric(t, &ctx)),
            Func::Cardinality => {
                if let Some(t) = tys.first() {
                    if !matches!(t, Ty::Array(_) | Ty::Any) {
                        self.problems.push(mismatch(format!("{ctx} needs an array, not {}", t.describe())));
                    }
                }
                Ty::Int(32)
            }
            Func::Coalesce | Func::Nullif | Func::Greatest | Func::Least => {
                let first = tys.iter().find(|t| !matches!(t, Ty::Null | Ty::Unknown(_))).cloned();
                match first {
                    Some(first) => {
                        for t in &tys {
                            self.comparable(&first, t, &ctx);
                        }
                        first
                    }
                    // PostgreSQL resolves all-untyped arguments as text.
                    None => Ty::Text,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
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
        for src in ["starts_at > day", "name || qty = 'x'", "starts_at + '1 day' > ends_at", "ends_at - day > '1 day'"]
        {
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
}
