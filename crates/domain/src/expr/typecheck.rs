//! The small language's type checker, after PostgreSQL's resolution rules.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NumKind {
    Numeric,
    Real,
    Double,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Ty {
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
    pub(super) fn describe(&self) -> String {
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
        let base = match ty.base.underlying() {
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
            // Expressions over these go to the full grammar (`uncharted`).
            BaseType::TimeTz(_) | BaseType::Bit(_) | BaseType::VarBit(_) | BaseType::Named(..) => Ty::Any,
            BaseType::Enum { name, .. } => {
                Ty::Enum(name.to_string(), col.enum_values.map(<[String]>::to_vec).unwrap_or_default())
            }
            // `underlying` is never a domain; composites go to the full
            // grammar (`uncharted`).
            BaseType::Domain { .. } | BaseType::Composite { .. } => Ty::Any,
        };
        if ty.array { Ty::Array(Box::new(base)) } else { base }
    }
}

pub(super) struct TypeChecker<'c, 'a> {
    pub(super) columns: &'c [ExprColumn<'a>],
    pub(super) problems: Vec<ExprProblem>,
    /// Why the expression is not immutable, if it is not.
    pub(super) not_immutable: Option<String>,
}

impl TypeChecker<'_, '_> {
    pub(super) fn accepts_bool(&self, ty: &Ty) -> bool {
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

    pub(super) fn infer(&mut self, expr: &Expr) -> Ty {
        match expr {
            Expr::Column { id, .. } => self.column_ty(id),
            // Never inside a small-language tree; PostgreSQL types it.
            Expr::Sql(_) => Ty::Any,
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
