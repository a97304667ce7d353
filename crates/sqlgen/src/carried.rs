//! Carried SQL objects (functions, procedures, triggers, policies) and
//! row-level security.

use schemaforge_domain::{CarriedKind, CarriedModel, ModelIndex, TableModel};

use crate::postgres::Postgres;
use crate::script::{Statement, StatementKind};

fn target(c: &CarriedModel) -> String {
    format!("{} \"{}\"", c.kind.as_str(), c.name)
}

impl Postgres {
    /// The `CREATE` statement as PostgreSQL's printer prints it.
    pub(crate) fn create_carried(&self, c: &CarriedModel) -> Statement {
        let kind = match c.kind {
            CarriedKind::Function | CarriedKind::Procedure => StatementKind::CreateRoutine,
            CarriedKind::Trigger => StatementKind::CreateTrigger,
            CarriedKind::Policy => StatementKind::CreatePolicy,
            CarriedKind::Rule => StatementKind::CreateRule,
            CarriedKind::Grant => StatementKind::Grant,
        };
        Statement { kind, target: target(c), sql: c.sql.clone() }
    }

    /// A session setting (no user text: the callers' constants).
    pub(crate) fn setting(&self, sql: &'static str) -> Statement {
        Statement { kind: StatementKind::Setting, target: "check_function_bodies".into(), sql: sql.into() }
    }

    /// A routine's `CREATE OR REPLACE`.
    pub(crate) fn replace_routine(&self, c: &CarriedModel) -> Option<Statement> {
        Some(Statement { kind: StatementKind::CreateRoutine, target: target(c), sql: c.replace_sql.clone()? })
    }

    /// `DROP FUNCTION name(types)`, `DROP TRIGGER name ON table`, `DROP
    /// POLICY name ON table`, `DROP RULE name ON relation`, a grant's
    /// `REVOKE` (`IF EXISTS` for the drop script, where there is one).
    pub(crate) fn drop_carried(&self, model: &ModelIndex<'_>, c: &CarriedModel, if_exists: bool) -> Option<Statement> {
        let guard = if if_exists { "IF EXISTS " } else { "" };
        let (kind, sql) = match c.kind {
            CarriedKind::Function | CarriedKind::Procedure => {
                let drop = c.drop_sql.as_deref()?;
                let what = if c.kind == CarriedKind::Procedure { "DROP PROCEDURE " } else { "DROP FUNCTION " };
                (StatementKind::DropRoutine, format!("{what}{guard}{}", drop.strip_prefix(what)?))
            }
            CarriedKind::Grant => (StatementKind::Revoke, c.drop_sql.clone()?),
            CarriedKind::Trigger | CarriedKind::Policy | CarriedKind::Rule => {
                let on = c.table_id.as_deref()?;
                let relation = match (model.table(on), model.view(on)) {
                    (Some(t), _) => self.table_name(t),
                    (None, Some(v)) => self.view_name(v),
                    (None, None) => return None,
                };
                let (kind, what) = match c.kind {
                    CarriedKind::Trigger => (StatementKind::DropTrigger, "TRIGGER"),
                    CarriedKind::Policy => (StatementKind::DropPolicy, "POLICY"),
                    _ => (StatementKind::DropRule, "RULE"),
                };
                (kind, format!("DROP {what} {guard}{} ON {relation}", self.qi(&c.name)))
            }
        };
        Some(Statement { kind, target: target(c), sql })
    }

    /// `ALTER TABLE ... ENABLE` (or `DISABLE`) `ROW LEVEL SECURITY`.
    pub(crate) fn row_security(&self, t: &TableModel) -> Statement {
        let verb = if t.row_level_security { "ENABLE" } else { "DISABLE" };
        Statement {
            kind: StatementKind::RowSecurity,
            target: format!("table \"{}\"", t.name),
            sql: format!("ALTER TABLE {} {verb} ROW LEVEL SECURITY", self.table_name(t)),
        }
    }
}
