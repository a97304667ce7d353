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

mod small;
use small::{Parser, lex};
use typecheck::TypeChecker;
mod typecheck;

#[cfg(test)]
mod tests;
