//! Carried SQL objects in the resolved model.

/// What a carried object is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CarriedKind {
    /// A function.
    Function,
    /// A procedure.
    Procedure,
    /// A trigger on a table.
    Trigger,
    /// A row-level security policy on a table.
    Policy,
    /// A rule on a table or view.
    Rule,
    /// A grant of privileges on a table, view or sequence.
    Grant,
}

impl CarriedKind {
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

    /// A function or procedure.
    pub fn is_routine(self) -> bool {
        matches!(self, Self::Function | Self::Procedure)
    }
}

/// A parsed carried object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarriedModel {
    /// Stable id.
    pub id: String,
    /// What it is.
    pub kind: CarriedKind,
    /// Its name for messages (a routine's dotted name, a trigger's or
    /// policy's own).
    pub name: String,
    /// The `CREATE` statement as PostgreSQL's printer prints its tree.
    pub sql: String,
    /// A routine's `CREATE OR REPLACE` statement.
    pub replace_sql: Option<String>,
    /// A routine's `DROP FUNCTION name(types)` (or `PROCEDURE`); a grant's
    /// `REVOKE`.
    pub drop_sql: Option<String>,
    /// A routine's `CREATE OR REPLACE` key: equal keys replace in place.
    pub replace_key: Option<String>,
    /// The table (or, for a rule or grant, view) it is on, by id.
    pub table_id: Option<String>,
    /// The document's routines it calls, by id.
    pub calls: Vec<String>,
    /// A routine the create script can create before the tables (so that
    /// their defaults and checks may call it): its parameters and result
    /// name no table or view of the document, and its body is not a
    /// SQL-standard one (which PostgreSQL checks at once).
    pub before_tables: bool,
    /// A routine whose parameters or result name a view of the document
    /// (`RETURNS SETOF some_view`): PostgreSQL needs the view's row type
    /// when it creates the routine, so the create script creates it after
    /// the views.
    pub after_views: bool,
    /// The tree with its table and the routines it calls by id: equal
    /// forms are the same object, whatever was renamed under it.
    pub canonical: String,
}
