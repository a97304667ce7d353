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
        };
        Statement { kind, target: target(c), sql: c.sql.clone() }
    }

    /// A routine's `CREATE OR REPLACE`.
    pub(crate) fn replace_routine(&self, c: &CarriedModel) -> Option<Statement> {
        Some(Statement { kind: StatementKind::CreateRoutine, target: target(c), sql: c.replace_sql.clone()? })
    }

    /// `DROP FUNCTION name(types)`, `DROP TRIGGER name ON table`, `DROP
    /// POLICY name ON table` (`IF EXISTS` for the drop script).
    pub(crate) fn drop_carried(&self, model: &ModelIndex<'_>, c: &CarriedModel, if_exists: bool) -> Option<Statement> {
        let guard = if if_exists { "IF EXISTS " } else { "" };
        let (kind, sql) = match c.kind {
            CarriedKind::Function | CarriedKind::Procedure => {
                let drop = c.drop_sql.as_deref()?;
                let what = if c.kind == CarriedKind::Procedure { "DROP PROCEDURE " } else { "DROP FUNCTION " };
                (StatementKind::DropRoutine, format!("{what}{guard}{}", drop.strip_prefix(what)?))
            }
            CarriedKind::Trigger | CarriedKind::Policy => {
                let t = model.table(c.table_id.as_deref()?)?;
                let (kind, what) = if c.kind == CarriedKind::Trigger {
                    (StatementKind::DropTrigger, "TRIGGER")
                } else {
                    (StatementKind::DropPolicy, "POLICY")
                };
                (kind, format!("DROP {what} {guard}{} ON {}", self.qi(&c.name), self.table_name(t)))
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
