//! Check constraints and partial-index predicates.
//!
//! Documents hold these as text, e.g. `price >= 0 AND status <> 'void'`. The
//! text is parsed into [`Expr`] in one of two ways:
//!
//! - the **small language** (`small.rs`, type-checked by `typecheck.rs`):
//!   comparisons, boolean logic, arithmetic, `IS [NOT] NULL`, `[NOT] IN`,
//!   `[NOT] BETWEEN`, `[NOT] LIKE/ILIKE`, regular-expression matches and a
//!   few immutable functions, with every column resolved and every type
//!   checked after PostgreSQL's rules;
//! - otherwise **PostgreSQL's own grammar** (`full.rs`, through
//!   `schemaforge-pgparse`): anything PostgreSQL accepts as one expression,
//!   with columns resolved to ids and what PostgreSQL refuses in these
//!   contexts (subqueries, aggregates, window and set-returning functions,
//!   parameters; non-immutable functions in index predicates) refused; what
//!   only a server can check is an `UNVERIFIED_EXPRESSION` warning.
//!
//! SQL is rendered from the tree, never from the text, so nothing the client
//! wrote reaches the database verbatim.
//!
//! Deliberately absent: other tables (qualified references), and comments
//! (they would vanish from the rendered SQL).

use crate::ident::Ident;
use crate::model::{BaseType, ColumnType, CompositeModel};
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
    /// A whole expression in PostgreSQL's full grammar (what the small
    /// language does not parse), parsed by PostgreSQL's own parser.
    Sql(SqlExpr),
}

/// An expression parsed by PostgreSQL's own grammar, with its column
/// references resolved to ids. Only [`check_expression`] makes one, so its
/// SQL is always PostgreSQL's printing of a checked tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlExpr {
    sql: String,
    /// A function in it may be volatile (a known volatile builtin, or one
    /// this validation does not know, which PostgreSQL makes volatile by
    /// default).
    volatile: bool,
    /// What the top node yields, where its shape tells (a comparison is a
    /// boolean whatever its operands).
    yields: Yields,
    /// The tree without locations, column references replaced by ids.
    canonical: String,
    columns: Vec<String>,
    strings: Vec<String>,
}

impl SqlExpr {
    /// The expression as PostgreSQL's deparser prints its tree (identifiers
    /// quoted where needed, literals escaped), for use inside parentheses.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// Whether two expressions are the same tree once columns are matched
    /// by id (spelling, spacing, parentheses and column names aside).
    pub fn same_modulo_names(&self, other: &SqlExpr) -> bool {
        self.canonical == other.canonical
    }
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
        self.walk(&mut |e| match e {
            Expr::Column { id, .. } => out.push(id.as_str()),
            Expr::Sql(s) => out.extend(s.columns.iter().map(String::as_str)),
            _ => {}
        });
        out
    }

    /// Whether evaluating it may give another value on each row (a
    /// volatile function): a column added with such a default is computed
    /// row by row, rewriting the table.
    pub fn volatile(&self) -> bool {
        let mut volatile = false;
        self.walk(&mut |e| volatile |= matches!(e, Expr::Sql(s) if s.volatile));
        volatile
    }

    /// The string literals of the expression, in order of appearance.
    pub fn string_literals(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.walk(&mut |e| match e {
            Expr::String(s) => out.push(s.as_str()),
            Expr::Sql(s) => out.extend(s.strings.iter().map(String::as_str)),
            _ => {}
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
            (Expr::Sql(a), Expr::Sql(b)) => a.same_modulo_names(b),
            (a, b) => a == b,
        }
    }

    /// The same expression over other columns: every column id `map` gives
    /// a new id for is replaced (a partition's columns seen as a table's of
    /// its own, say). Names stay.
    pub fn with_column_ids(&self, map: &dyn Fn(&str) -> Option<String>) -> Expr {
        let mut out = self.clone();
        out.walk_mut(&mut |e| match e {
            Expr::Column { id, .. } => {
                if let Some(new) = map(id) {
                    *id = new;
                }
            }
            Expr::Sql(s) => {
                for id in &mut s.columns {
                    let Some(new) = map(id) else { continue };
                    // Column references are `"ColumnRef":"<id>"` in the
                    // canonical tree (see pgparse's canonical form).
                    let key = |id: &str| format!("\"ColumnRef\":{}", serde_json::Value::String(id.to_string()));
                    s.canonical = s.canonical.replace(&key(id), &key(&new));
                    *id = new;
                }
            }
            _ => {}
        });
        out
    }

    fn walk_mut(&mut self, f: &mut impl FnMut(&mut Expr)) {
        f(self);
        match self {
            Expr::Not(e) | Expr::Neg(e) | Expr::IsNull { expr: e, .. } => e.walk_mut(f),
            Expr::Binary { left, right, .. } => {
                left.walk_mut(f);
                right.walk_mut(f);
            }
            Expr::InList { expr, list, .. } => {
                expr.walk_mut(f);
                list.iter_mut().for_each(|e| e.walk_mut(f));
            }
            Expr::Between { expr, low, high, .. } => {
                expr.walk_mut(f);
                low.walk_mut(f);
                high.walk_mut(f);
            }
            Expr::Call { args, .. } => args.iter_mut().for_each(|e| e.walk_mut(f)),
            Expr::Column { .. } | Expr::Number(_) | Expr::String(_) | Expr::Bool(_) | Expr::Null | Expr::Sql(_) => {}
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
            Expr::Column { .. } | Expr::Number(_) | Expr::String(_) | Expr::Bool(_) | Expr::Null | Expr::Sql(_) => {}
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
    /// The document's composite types, so that a field read from a
    /// composite column (`(home).street`) resolves to the attribute's id
    /// (empty: fields are left to PostgreSQL).
    pub composites: &'a [CompositeModel],
}

/// Where an expression is used; index predicates must be immutable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExprContext {
    /// A CHECK constraint.
    Check,
    /// The WHERE clause of a partial index: PostgreSQL requires every
    /// function and operator in it to be IMMUTABLE.
    IndexPredicate,
    /// An expression element of an index: immutable too, of any type.
    IndexExpression,
    /// The expression of a generated column: immutable, of any type.
    Generated,
    /// A column default: of any type, volatile allowed, no column.
    Default,
}

impl ExprContext {
    /// PostgreSQL requires the expression to be immutable.
    pub fn immutable(self) -> bool {
        matches!(self, Self::IndexPredicate | Self::IndexExpression | Self::Generated)
    }

    /// The expression must yield a boolean.
    pub fn boolean(self) -> bool {
        matches!(self, Self::Check | Self::IndexPredicate)
    }
}

/// A problem in an expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprProblem {
    /// INVALID_EXPRESSION, UNKNOWN_REFERENCE or TYPE_MISMATCH.
    pub code: Code,
    /// What is wrong.
    pub message: String,
}

/// An accepted expression, with what validation could not decide about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The parsed, resolved expression.
    pub expr: Expr,
    /// Warnings (`UNVERIFIED_EXPRESSION`): what only PostgreSQL can check.
    pub warnings: Vec<ExprProblem>,
}

/// Parse `source`, resolve its column names against `columns`, and check its
/// types. Returns every error found (a syntax error stops parsing); warnings
/// are dropped (see [`check_expression`]).
///
/// ```
/// use schemaforge_domain::{expr::{parse_expression, ExprColumn, ExprContext}, BaseType, ColumnType, Ident};
///
/// let name = Ident::parse("price").unwrap();
/// let ty = ColumnType { base: BaseType::Integer, array: false };
/// let cols = [ExprColumn { id: "c1", name: &name, ty: Some(&ty), enum_values: None, composites: &[] }];
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
    check_expression(source, columns, context).map(|c| c.expr)
}

/// [`parse_expression`] with its warnings.
///
/// The small language (comparisons, boolean logic, arithmetic, a closed list
/// of functions; fully type-checked) is tried first, so documents written in
/// it keep their exact rendering. What it does not parse is parsed with
/// PostgreSQL's own grammar (casts, `IS [NOT] DISTINCT FROM`, `= ANY
/// (ARRAY[...])`, `CASE`, subscripts, `SIMILAR TO`, any function, ...): its
/// column references and structure are checked, and what only a server can
/// check (operator and cast types, unknown functions) is one warning.
///
/// ```
/// use schemaforge_domain::{expr::{check_expression, ExprColumn, ExprContext}, BaseType, ColumnType, Expr, Ident};
///
/// let name = Ident::parse("price").unwrap();
/// let ty = ColumnType { base: BaseType::Integer, array: false };
/// let cols = [ExprColumn { id: "c1", name: &name, ty: Some(&ty), enum_values: None, composites: &[] }];
/// let checked = check_expression("(price >= (0)::numeric)", &cols, ExprContext::Check).unwrap();
/// let Expr::Sql(sql) = &checked.expr else { panic!() };
/// assert_eq!(sql.sql(), "price >= 0::numeric");
/// assert_eq!(checked.warnings[0].code.as_str(), "UNVERIFIED_EXPRESSION");
/// assert_eq!(checked.expr.column_ids(), ["c1"]);
/// ```
pub fn check_expression(
    source: &str,
    columns: &[ExprColumn<'_>],
    context: ExprContext,
) -> Result<Checked, Vec<ExprProblem>> {
    if source.trim().is_empty() {
        return Err(vec![invalid("the expression is empty")]);
    }
    if source.len() > MAX_EXPRESSION_BYTES {
        return Err(vec![invalid(format!(
            "the expression is {} bytes long; at most {MAX_EXPRESSION_BYTES} are allowed",
            source.len()
        ))]);
    }
    let mut problems = Vec::new();
    let expr = match parse_small(source, columns) {
        // The small language types only the core types: an expression over
        // another column type is PostgreSQL's to resolve.
        Small::Parsed(expr) if reads_uncharted(&expr, columns) => {
            if let Some(problem) = uncharted_misuse(&expr, columns, context) {
                return Err(vec![problem]);
            }
            return full::check(source, columns, context);
        }
        Small::Parsed(expr) => expr,
        Small::Refused(problem) => return Err(vec![problem]),
        // An unknown name in the small language may be a key word of
        // PostgreSQL's (`current_timestamp`); the full grammar resolves
        // columns too, so only that case gets through.
        Small::UnknownNames | Small::NotInLanguage => return full::check(source, columns, context),
    };
    // A default is computed from constants by design.
    if let Some(node) = constant_computation(&expr).filter(|_| context != ExprContext::Default) {
        problems.push(invalid(format!(
            "`{node}` computes with constants only; PostgreSQL evaluates that when the constraint is created, where it can fail (division by zero, overflow, a bad pattern): write the result instead"
        )));
    }
    if problems.is_empty() {
        let mut checker = TypeChecker { columns, problems: Vec::new(), not_immutable: None };
        let ty = checker.infer(&expr);
        if let (true, Some(reason)) = (context.immutable(), &checker.not_immutable) {
            checker.problems.push(invalid(format!(
                "PostgreSQL requires {} to be immutable, but {reason} depends on the session's time zone or settings",
                full::context_name(context)
            )));
        }
        if context.boolean() && !checker.accepts_bool(&ty) {
            checker
                .problems
                .push(mismatch(format!("the expression must be true or false, but it yields {}", ty.describe())));
        }
        problems = checker.problems;
    }
    if problems.is_empty() { Ok(Checked { expr, warnings: Vec::new() }) } else { Err(problems) }
}

/// Whether `expr` reads a column whose type the small language's checker
/// does not model (the named types, timetz, bit strings).
fn reads_uncharted(expr: &Expr, columns: &[ExprColumn<'_>]) -> bool {
    expr.column_ids()
        .iter()
        .any(|id| columns.iter().filter(|c| c.id == *id).filter_map(|c| c.ty).any(|ty| uncharted(&ty.base)))
}

/// The types the small language's checker does not model.
pub(super) fn uncharted(base: &BaseType) -> bool {
    matches!(
        base.underlying(),
        BaseType::Named(..) | BaseType::TimeTz(_) | BaseType::Bit(_) | BaseType::VarBit(_) | BaseType::Composite { .. }
    )
}

/// What an expression of the small language yields, coarsely: enough to
/// tell that a value cannot be assigned to a column's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Yields {
    /// A boolean.
    Bool,
    /// A number of any numeric type.
    Number,
    /// A string.
    Text,
    /// Something else, or an expression in PostgreSQL's full grammar.
    Unknown,
}

impl Yields {
    /// Whether a value the small language types as `yields` has an
    /// assignment cast to `ty` (where the language can tell; otherwise the
    /// server decides).
    pub(crate) fn fits(self, ty: &ColumnType) -> bool {
        use crate::named_type::NamedType as N;
        let b = &ty.base;
        let string =
            matches!(b, BaseType::Char(_) | BaseType::Varchar(_) | BaseType::Text | BaseType::Named(N::Citext, _));
        match self {
            Yields::Unknown => true,
            _ if ty.array => false,
            Yields::Bool => string || *b == BaseType::Boolean,
            Yields::Number => string || b.is_number() || matches!(b, BaseType::Named(N::Money | N::Oid, _)),
            Yields::Text => string,
        }
    }
}

/// What `expr` yields (see [`Yields`]).
pub(crate) fn yields(expr: &Expr, columns: &[ExprColumn<'_>]) -> Yields {
    if let Expr::Sql(s) = expr {
        return s.yields;
    }
    let mut checker = TypeChecker { columns, problems: Vec::new(), not_immutable: None };
    match checker.infer(expr) {
        typecheck::Ty::Bool => Yields::Bool,
        typecheck::Ty::Int(_) | typecheck::Ty::Num(_) => Yields::Number,
        typecheck::Ty::Text => Yields::Text,
        _ => Yields::Unknown,
    }
}

/// A comparison of a column of one of those types with a number literal:
/// PostgreSQL has no operator for it (no implicit cast makes a number a
/// `money`, `timetz`, bit string, range or extension type; `oid` is the
/// exception), which offline validation can tell.
/// Also one of those columns where a boolean is needed (an operand of AND,
/// OR or NOT, or a whole check): none of those types is a boolean.
fn uncharted_misuse(expr: &Expr, columns: &[ExprColumn<'_>], context: ExprContext) -> Option<ExprProblem> {
    use crate::named_type::NamedType;
    let column_type = |e: &Expr| match e {
        Expr::Column { id, .. } => columns.iter().find(|c| c.id == *id).and_then(|c| c.ty),
        _ => None,
    };
    let number =
        |e: &Expr| matches!(e, Expr::Number(_)) || matches!(e, Expr::Neg(inner) if matches!(**inner, Expr::Number(_)));
    let refuses_numbers =
        |ty: &ColumnType| !ty.array && uncharted(&ty.base) && !matches!(ty.base, BaseType::Named(NamedType::Oid, _));
    let not_boolean = |e: &Expr| {
        column_type(e)
            .filter(|ty| uncharted(&ty.base))
            .map(|ty| mismatch(format!("a {} column is not true or false", ty.describe())))
    };
    if context.boolean() {
        if let Some(p) = not_boolean(expr) {
            return Some(p);
        }
    }
    let mut found = None;
    expr.walk(&mut |e| {
        if found.is_some() {
            return;
        }
        match e {
            Expr::Not(inner) => found = not_boolean(inner),
            Expr::Binary { op: BinaryOp::And | BinaryOp::Or, left, right } => {
                found = not_boolean(left).or_else(|| not_boolean(right));
            }
            _ => {}
        }
        let Expr::Binary { op, left, right } = e else { return };
        if found.is_some() || !op.is_comparison() {
            return;
        }
        for (col, other) in [(left, right), (right, left)] {
            if let Some(ty) = column_type(col).filter(|ty| refuses_numbers(ty)) {
                if number(other) {
                    found = Some(mismatch(format!(
                        "PostgreSQL has no operator {} between {} and a number; compare with a string literal of the type (e.g. '12.34')",
                        op.sql(),
                        ty.describe()
                    )));
                }
            }
        }
    });
    found
}

/// What the small language makes of a text.
enum Small {
    /// Parsed, every name resolved.
    Parsed(Expr),
    /// Refused for a reason PostgreSQL shares (a builtin's argument count).
    Refused(ExprProblem),
    /// Parsed, but some names are not columns.
    UnknownNames,
    /// Not in the small language.
    NotInLanguage,
}

fn parse_small(source: &str, columns: &[ExprColumn<'_>]) -> Small {
    let Ok(tokens) = lex(source) else { return Small::NotInLanguage };
    let mut parser = Parser { tokens, pos: 0, depth: 0, operators: 0, columns, problems: Vec::new(), refused: false };
    match parser.parse_or() {
        Err(problem) if parser.refused => Small::Refused(problem),
        Err(_) => Small::NotInLanguage,
        Ok(_) if parser.peek().is_some() => Small::NotInLanguage,
        Ok(_) if !parser.problems.is_empty() => Small::UnknownNames,
        Ok(expr) => Small::Parsed(expr),
    }
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

mod full;
mod small;
use small::{Parser, lex};
use typecheck::TypeChecker;
mod typecheck;

#[cfg(test)]
mod tests;
