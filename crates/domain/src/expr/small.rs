//! The small expression language: lexer and recursive-descent parser.

use super::*;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    Ident { text: String, quoted: bool },
    Number(String),
    Str(String),
    Op(&'static str),
    LParen,
    RParen,
    Comma,
}

impl Tok {
    pub(super) fn describe(&self) -> String {
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

pub(super) fn lex(src: &str) -> Result<Vec<Tok>, ExprProblem> {
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

pub(super) struct Parser<'c, 'a> {
    pub(super) tokens: Vec<Tok>,
    pub(super) pos: usize,
    pub(super) depth: usize,
    pub(super) operators: usize,
    pub(super) columns: &'c [ExprColumn<'a>],
    pub(super) problems: Vec<ExprProblem>,
    /// Set when the parse failed on a fact about PostgreSQL rather than on
    /// syntax the small language lacks (a builtin's argument count): then
    /// PostgreSQL's grammar is not asked, as PostgreSQL would refuse it too.
    pub(super) refused: bool,
}

type PResult = Result<Expr, ExprProblem>;

impl Parser<'_, '_> {
    pub(super) fn peek(&self) -> Option<&Tok> {
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

    pub(super) fn parse_or(&mut self) -> PResult {
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
            self.refused = true;
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
            self.refused = true;
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
