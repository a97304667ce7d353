//! One carried SQL statement (a function, procedure, trigger or policy),
//! parsed and printed by PostgreSQL's own grammar, with what it names.

use serde_json::Value;

use crate::{Error, collect, from_pg, message, names, scan_tokens, strip_locations};

/// What a carried statement creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatementKind {
    /// `CREATE FUNCTION`.
    Function,
    /// `CREATE PROCEDURE`.
    Procedure,
    /// `CREATE TRIGGER`.
    Trigger,
    /// `CREATE POLICY`.
    Policy,
    /// `CREATE RULE`.
    Rule,
    /// `GRANT` privileges on one table, view or sequence.
    Grant,
}

impl StatementKind {
    /// `function`, `procedure`, `trigger`, `policy`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Function => "function",
            Self::Procedure => "procedure",
            Self::Trigger => "trigger",
            Self::Policy => "policy",
            Self::Rule => "rule",
            Self::Grant => "grant",
        }
    }
}

/// One parsed statement.
#[derive(Debug, Clone)]
pub struct Statement {
    kind: StatementKind,
    tree: Value,
    sql: String,
    replace_sql: Option<String>,
    drop_sql: Option<String>,
}

/// Parse `text` as one `CREATE FUNCTION`, `CREATE PROCEDURE`, `CREATE
/// TRIGGER` or `CREATE POLICY` (without `OR REPLACE`).
///
/// ```
/// let s = schemaforge_pgparse::parse_statement(
///     "create function touch() returns trigger language plpgsql as $$ begin return new; end $$").unwrap();
/// assert_eq!(s.sql(), "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ begin return new; end $$");
/// assert_eq!(s.drop_sql(), Some("DROP FUNCTION touch()"));
/// assert!(schemaforge_pgparse::parse_statement("DROP TABLE t").is_err());
/// ```
pub fn parse_statement(text: &str) -> Result<Statement, Error> {
    if scan_tokens(text, "statements")? > crate::query::MAX_QUERY_NESTING_TOKENS {
        return Err(Error::TooDeep);
    }
    let parsed = pg_query::parse(text).map_err(from_pg)?;
    let tree = serde_json::to_value(&parsed.protobuf).map_err(|e| Error::Printer(e.to_string()))?;
    let (kind, tree) = single_statement(tree)?;
    let sql = parsed.deparse().map_err(|e| Error::Printer(message(&e)))?;
    let again = pg_query::parse(&sql).map_err(|e| Error::Printer(message(&e)))?;
    let again = serde_json::to_value(&again.protobuf).map_err(|e| Error::Printer(e.to_string()))?;
    if single_statement(again)?.1 != tree {
        return Err(Error::Printer(format!("`{sql}` does not parse back to the same tree")));
    }
    let (replace_sql, drop_sql) = match kind {
        StatementKind::Function | StatementKind::Procedure => {
            (Some(or_replace(&sql, &tree)?), Some(drop_routine(&parsed.protobuf, kind)?))
        }
        StatementKind::Grant => (None, Some(revoke(&parsed.protobuf)?)),
        _ => (None, None),
    };
    Ok(Statement { kind, tree, sql, replace_sql, drop_sql })
}

/// The statement's node, location-free, and what it creates.
fn single_statement(mut tree: Value) -> Result<(StatementKind, Value), Error> {
    strip_locations(&mut tree);
    let stmts = tree.get_mut("stmts").and_then(Value::as_array_mut).map(std::mem::take).unwrap_or_default();
    let [stmt] =
        <[Value; 1]>::try_from(stmts).map_err(|_| Error::NotAnExpression("one statement, not several (`;`)".into()))?;
    let node = stmt.pointer("/stmt/node").and_then(Value::as_object).and_then(|m| m.iter().next());
    let (kind, inner) = match node {
        Some((k, inner)) if k == "CreateFunctionStmt" => {
            let procedure = inner.get("is_procedure").and_then(Value::as_bool).unwrap_or(false);
            (if procedure { StatementKind::Procedure } else { StatementKind::Function }, inner)
        }
        Some((k, inner)) if k == "CreateTrigStmt" => (StatementKind::Trigger, inner),
        Some((k, inner)) if k == "CreatePolicyStmt" => (StatementKind::Policy, inner),
        Some((k, inner)) if k == "RuleStmt" => (StatementKind::Rule, inner),
        Some((k, inner)) if k == "GrantStmt" => {
            if !inner.get("is_grant").and_then(Value::as_bool).unwrap_or(false) {
                return Err(Error::NotAnExpression("write the GRANT the database should have, not a REVOKE".into()));
            }
            let one_table = inner.get("targtype").and_then(Value::as_i64) == Some(1)
                && inner.get("objtype").and_then(Value::as_i64) == Some(OBJECT_TABLE)
                && inner.get("objects").and_then(Value::as_array).is_some_and(|o| o.len() == 1);
            if !one_table {
                return Err(Error::NotAnExpression(
                    "a grant is carried on one table, view or sequence (`GRANT ... ON name TO ...`)".into(),
                ));
            }
            (StatementKind::Grant, inner)
        }
        _ => {
            return Err(Error::NotAnExpression(
                "only CREATE FUNCTION, CREATE PROCEDURE, CREATE TRIGGER, CREATE POLICY, CREATE RULE or GRANT is carried here"
                    .into(),
            ));
        }
    };
    if inner.get("replace").and_then(Value::as_bool).unwrap_or(false) {
        return Err(Error::NotAnExpression(
            "write CREATE, not CREATE OR REPLACE: migrations replace what changes themselves".into(),
        ));
    }
    if kind == StatementKind::Trigger && inner.get("isconstraint").and_then(Value::as_bool).unwrap_or(false) {
        return Err(Error::NotAnExpression("constraint triggers are not carried yet".into()));
    }
    Ok((kind, inner.clone()))
}

/// `OBJECT_TABLE` in the protobuf's `ObjectType` (tables, views and
/// sequences alike for GRANT).
const OBJECT_TABLE: i64 = 42;

/// `CREATE OR REPLACE ...` of a printed `CREATE FUNCTION` or `CREATE
/// PROCEDURE`, proven to parse to the same tree with `replace` set.
fn or_replace(sql: &str, tree: &Value) -> Result<String, Error> {
    let rest = sql.strip_prefix("CREATE ").ok_or_else(|| Error::Printer(format!("unexpected output `{sql}`")))?;
    let replaced = format!("CREATE OR REPLACE {rest}");
    let parsed = pg_query::parse(&replaced).map_err(|e| Error::Printer(message(&e)))?;
    let value = serde_json::to_value(&parsed.protobuf).map_err(|e| Error::Printer(e.to_string()))?;
    let (_, mut again) = single_statement_any(value)?;
    if let Some(r) = again.get_mut("replace") {
        *r = Value::Bool(false);
    }
    if &again != tree {
        return Err(Error::Printer(format!("`{replaced}` is not the same routine")));
    }
    Ok(replaced)
}

/// [`single_statement`] without its refusals (for the OR REPLACE proof).
fn single_statement_any(mut tree: Value) -> Result<(String, Value), Error> {
    strip_locations(&mut tree);
    let node = tree.pointer("/stmts/0/stmt/node").and_then(Value::as_object).and_then(|m| m.iter().next());
    node.map(|(k, v)| (k.clone(), v.clone())).ok_or_else(|| Error::Printer("no statement".into()))
}

/// `DROP FUNCTION name(argument types)` (or `PROCEDURE`), printed by
/// PostgreSQL's deparser from the routine's own name and parameter types.
fn drop_routine(parsed: &pg_query::protobuf::ParseResult, kind: StatementKind) -> Result<String, Error> {
    use pg_query::NodeEnum;
    use pg_query::protobuf::{DropBehavior, FunctionParameterMode as Mode, Node, ObjectType, RawStmt};
    let Some(NodeEnum::CreateFunctionStmt(f)) =
        parsed.stmts.first().and_then(|s| s.stmt.as_ref()).and_then(|n| n.node.as_ref())
    else {
        return Err(Error::Printer("not a routine".into()));
    };
    let args: Vec<Node> = f
        .parameters
        .iter()
        .filter_map(|p| match &p.node {
            Some(NodeEnum::FunctionParameter(p))
                if ![Mode::FuncParamOut as i32, Mode::FuncParamTable as i32].contains(&p.mode) =>
            {
                p.arg_type.clone().map(|t| Node { node: Some(NodeEnum::TypeName(t)) })
            }
            _ => None,
        })
        .collect();
    let object = pg_query::protobuf::ObjectWithArgs {
        objname: f.funcname.clone(),
        objargs: args,
        objfuncargs: Vec::new(),
        args_unspecified: false,
    };
    let remove_type =
        if kind == StatementKind::Procedure { ObjectType::ObjectProcedure } else { ObjectType::ObjectFunction };
    let drop = pg_query::protobuf::DropStmt {
        objects: vec![Node { node: Some(NodeEnum::ObjectWithArgs(object)) }],
        remove_type: remove_type as i32,
        behavior: DropBehavior::DropRestrict as i32,
        missing_ok: false,
        concurrent: false,
    };
    let result = pg_query::protobuf::ParseResult {
        version: parsed.version,
        stmts: vec![RawStmt {
            stmt: Some(Box::new(Node { node: Some(NodeEnum::DropStmt(drop)) })),
            stmt_location: 0,
            stmt_len: 0,
        }],
    };
    pg_query::deparse(&result).map_err(|e| Error::Printer(message(&e)))
}

/// The `REVOKE` of a `GRANT`, printed by PostgreSQL's deparser from the
/// grant's own tree.
fn revoke(parsed: &pg_query::protobuf::ParseResult) -> Result<String, Error> {
    use pg_query::NodeEnum;
    let mut result = parsed.clone();
    let node = result.stmts.first_mut().and_then(|s| s.stmt.as_mut()).and_then(|n| n.node.as_mut());
    let Some(NodeEnum::GrantStmt(g)) = node else { return Err(Error::Printer("not a grant".into())) };
    g.is_grant = false;
    g.grant_option = false;
    pg_query::deparse(&result).map_err(|e| Error::Printer(message(&e)))
}

fn range_var(v: Option<&Value>) -> Option<Vec<String>> {
    let r = v?;
    let parts: Vec<String> = ["schemaname", "relname"]
        .iter()
        .filter_map(|k| r.get(*k).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string))
        .collect();
    (!parts.is_empty()).then_some(parts)
}

impl Statement {
    /// What it creates.
    pub fn kind(&self) -> StatementKind {
        self.kind
    }

    /// The statement as PostgreSQL's deparser prints its tree.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// `CREATE OR REPLACE ...` of a function or procedure.
    pub fn replace_sql(&self) -> Option<&str> {
        self.replace_sql.as_deref()
    }

    /// `DROP FUNCTION name(types)` (or `PROCEDURE`) of a routine; the
    /// `REVOKE` of a grant.
    pub fn drop_sql(&self) -> Option<&str> {
        self.drop_sql.as_deref()
    }

    /// The name it creates, as written: a routine's dotted name, a
    /// trigger's or policy's own name.
    pub fn name(&self) -> Vec<String> {
        match self.kind {
            StatementKind::Function | StatementKind::Procedure => names(self.tree.get("funcname")),
            StatementKind::Trigger => {
                self.tree.get("trigname").and_then(Value::as_str).map(str::to_string).into_iter().collect()
            }
            StatementKind::Policy => {
                self.tree.get("policy_name").and_then(Value::as_str).map(str::to_string).into_iter().collect()
            }
            StatementKind::Rule => {
                self.tree.get("rulename").and_then(Value::as_str).map(str::to_string).into_iter().collect()
            }
            StatementKind::Grant => Vec::new(),
        }
    }

    /// The table a trigger or policy is on (dotted, as written).
    pub fn table(&self) -> Option<Vec<String>> {
        match self.kind {
            StatementKind::Trigger => range_var(self.tree.get("relation")),
            StatementKind::Policy => range_var(self.tree.get("table")),
            StatementKind::Rule => range_var(self.tree.get("relation")),
            StatementKind::Grant => range_var(self.tree.pointer("/objects/0/node/RangeVar")),
            _ => None,
        }
    }

    /// The routines it calls by name: a trigger's function, and function
    /// calls in a trigger's `WHEN` or a policy's expressions. (A routine's
    /// body is its language's text; what it calls is not read.)
    pub fn calls(&self) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        if self.kind == StatementKind::Trigger {
            out.push(names(self.tree.get("funcname")));
        }
        if matches!(self.kind, StatementKind::Trigger | StatementKind::Policy) {
            let mut nodes = Vec::new();
            for key in ["when_clause", "qual", "with_check"] {
                if let Some(v) = self.tree.get(key) {
                    collect(v, &mut nodes);
                }
            }
            out.extend(nodes.into_iter().filter_map(|n| match n {
                crate::Node::Function { name, .. } => Some(name),
                _ => None,
            }));
        }
        out
    }

    /// The types a routine's parameters and result name (dotted names, as
    /// written), e.g. `[["public", "film"]]` for `RETURNS SETOF public.film`
    /// (and `[["film"]]` for `film.title%TYPE`).
    ///
    /// ```
    /// let s = schemaforge_pgparse::parse_statement(
    ///     "CREATE FUNCTION f(t film.title%TYPE) RETURNS SETOF public.film LANGUAGE sql AS 'SELECT 1'").unwrap();
    /// assert_eq!(s.type_names(), [vec!["film".to_string()], vec!["public".to_string(), "film".to_string()]]);
    /// assert!(!s.has_sql_body());
    /// ```
    pub fn type_names(&self) -> Vec<Vec<String>> {
        if !matches!(self.kind, StatementKind::Function | StatementKind::Procedure) {
            return Vec::new();
        }
        let params = self.tree.get("parameters").and_then(Value::as_array).into_iter().flatten();
        // `table.column%TYPE` names the table: its name without the column.
        let of = |ty: &Value| {
            let mut n = names(ty.get("names"));
            if ty.get("pct_type").and_then(Value::as_bool).unwrap_or(false) {
                n.pop();
            }
            n
        };
        let mut out: Vec<Vec<String>> =
            params.filter_map(|p| p.pointer("/node/FunctionParameter/arg_type")).map(of).collect();
        if let Some(ty) = self.tree.get("return_type") {
            out.push(of(ty));
        }
        out
    }

    /// A SQL-standard body (`BEGIN ATOMIC ... END`, `RETURN ...`), which
    /// PostgreSQL checks when the routine is created, whatever
    /// `check_function_bodies` says.
    pub fn has_sql_body(&self) -> bool {
        self.tree.get("sql_body").is_some_and(|b| !b.is_null())
    }

    /// A routine's signature for identity: its dotted name's last part and
    /// its argument types' trees (what `DROP FUNCTION` names).
    pub fn signature(&self) -> Option<String> {
        if !matches!(self.kind, StatementKind::Function | StatementKind::Procedure) {
            return None;
        }
        let args: Vec<&Value> = self
            .tree
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|p| p.pointer("/node/FunctionParameter"))
            .filter(|p| !matches!(p.get("mode").and_then(Value::as_i64), Some(2 | 5)))
            .filter_map(|p| p.get("arg_type"))
            .collect();
        Some(format!(
            "{}({})",
            serde_json::Value::Array(names(self.tree.get("funcname")).into_iter().map(Value::String).collect()),
            serde_json::Value::Array(args.into_iter().cloned().collect())
        ))
    }

    /// What `CREATE OR REPLACE` must keep of a routine: its kind, name,
    /// parameters (names, modes, types, defaults) and result, as PostgreSQL
    /// requires. Two routines with equal keys replace each other in place.
    pub fn replace_key(&self) -> Option<String> {
        if !matches!(self.kind, StatementKind::Function | StatementKind::Procedure) {
            return None;
        }
        let part = |k: &str| self.tree.get(k).cloned().unwrap_or(Value::Null);
        let key =
            vec![Value::String(self.kind.as_str().into()), part("funcname"), part("parameters"), part("return_type")];
        Some(Value::Array(key).to_string())
    }

    /// Whether `CREATE OR REPLACE` can turn routine `self` into `other`.
    pub fn replaceable_by(&self, other: &Statement) -> bool {
        self.replace_key().is_some() && self.replace_key() == other.replace_key()
    }

    /// A location-free form with the table it is on and the routines it
    /// calls replaced by what `relation` and `routine` give (stable ids).
    pub fn canonical(
        &self,
        relation: &dyn Fn(&[String]) -> Option<String>,
        routine: &dyn Fn(&[String]) -> Option<String>,
    ) -> String {
        let mut tree = self.tree.clone();
        if let Some(Value::Array(objects)) = tree.get_mut("objects") {
            for o in objects.iter_mut() {
                if let Some(id) = range_var(o.pointer("/node/RangeVar")).and_then(|p| relation(&p)) {
                    *o = Value::String(format!("rel:{id}"));
                }
            }
        }
        for key in ["relation", "table"] {
            if let Some(r) = tree.get_mut(key) {
                if let Some(id) = range_var(Some(r)).and_then(|p| relation(&p)) {
                    *r = Value::String(format!("rel:{id}"));
                }
            }
        }
        if let Some(f) = tree.get_mut("funcname").filter(|_| self.kind == StatementKind::Trigger) {
            if let Some(id) = routine(&names(Some(f))) {
                *f = Value::String(format!("fn:{id}"));
            }
        }
        tree.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routines_print_replace_and_drop() {
        let s = parse_statement(
            "CREATE FUNCTION audit.total(a integer, OUT b text, VARIADIC c integer[]) LANGUAGE sql AS 'select ''x'''",
        )
        .unwrap();
        assert_eq!(s.kind(), StatementKind::Function);
        assert_eq!(s.drop_sql(), Some("DROP FUNCTION audit.total(int, int[])"));
        assert!(s.replace_sql().unwrap().starts_with("CREATE OR REPLACE FUNCTION audit.total("));
        assert_eq!(s.name(), ["audit", "total"]);
        let p = parse_statement("CREATE PROCEDURE tidy() LANGUAGE sql AS $$ delete from t $$").unwrap();
        assert_eq!((p.kind(), p.drop_sql()), (StatementKind::Procedure, Some("DROP PROCEDURE tidy()")));
        let body = parse_statement(
            "CREATE FUNCTION audit.total(a integer, OUT b text, VARIADIC c integer[]) LANGUAGE sql AS 'select ''y'''",
        )
        .unwrap();
        assert!(s.replaceable_by(&body));
        let renamed = parse_statement(
            "CREATE FUNCTION audit.total(x integer, OUT b text, VARIADIC c integer[]) LANGUAGE sql AS 'select 1'",
        )
        .unwrap();
        assert!(!s.replaceable_by(&renamed), "a parameter's name cannot change in place");
        assert_eq!(s.signature(), renamed.signature(), "the same signature");
    }

    #[test]
    fn triggers_and_policies_name_their_table_and_what_they_call() {
        let t = parse_statement("CREATE TRIGGER t BEFORE UPDATE ON s.orders FOR EACH ROW WHEN (check_it(NEW.total)) EXECUTE FUNCTION audit.touch()").unwrap();
        assert_eq!(t.table(), Some(vec!["s".into(), "orders".into()]));
        assert_eq!(t.calls(), [vec!["audit".to_string(), "touch".into()], vec!["check_it".into()]]);
        let p = parse_statement("CREATE POLICY own ON orders USING (owner = current_user AND allowed(owner))").unwrap();
        assert_eq!(
            (p.kind(), p.name(), p.table()),
            (StatementKind::Policy, vec!["own".to_string()], Some(vec!["orders".to_string()]))
        );
        assert_eq!(p.calls(), [vec!["allowed".to_string()]]);
        let rel = |_: &[String]| Some("t1".to_string());
        let other =
            parse_statement("CREATE POLICY own ON people USING (owner = current_user AND allowed(owner))").unwrap();
        assert_eq!(p.canonical(&rel, &|_| None), other.canonical(&rel, &|_| None), "the table by id");
    }

    #[test]
    fn rules_and_grants_name_their_table() {
        let r = parse_statement("CREATE RULE no_delete AS ON DELETE TO orders DO INSTEAD NOTHING").unwrap();
        assert_eq!(
            (r.kind(), r.name(), r.table()),
            (StatementKind::Rule, vec!["no_delete".to_string()], Some(vec!["orders".to_string()]))
        );
        let g = parse_statement("grant select, insert on table s.orders to reporting with grant option").unwrap();
        assert_eq!((g.kind(), g.table()), (StatementKind::Grant, Some(vec!["s".to_string(), "orders".into()])));
        assert_eq!(g.drop_sql(), Some("REVOKE select, insert ON s.orders FROM reporting"));
        for (text, why) in [
            ("REVOKE SELECT ON orders FROM reporting", "not a REVOKE"),
            ("GRANT SELECT ON ALL TABLES IN SCHEMA public TO reporting", "one table"),
            ("GRANT SELECT ON a, b TO reporting", "one table"),
            ("GRANT USAGE ON SCHEMA s TO reporting", "one table"),
        ] {
            let err = parse_statement(text).map(|s| s.sql().to_string()).unwrap_err().to_string();
            assert!(err.contains(why), "{text}: {err}");
        }
    }

    #[test]
    fn refuses_everything_else() {
        for (text, why) in [
            ("CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'select 1'", "not CREATE OR REPLACE"),
            ("CREATE TABLE t (a int)", "only CREATE FUNCTION"),
            ("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'select 1'; DROP TABLE t", "one statement"),
            ("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'select 1' -- x", "comments"),
            ("CREATE CONSTRAINT TRIGGER c AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()", "constraint triggers"),
        ] {
            let err = parse_statement(text).map(|s| s.sql().to_string()).unwrap_err().to_string();
            assert!(err.contains(why), "{text}: {err}");
        }
    }
}
