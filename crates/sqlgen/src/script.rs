//! Scripts as lists of statements.

use std::fmt;

/// What a statement does; lets callers group or report statements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatementKind {
    /// CREATE SCHEMA
    CreateSchema,
    /// DROP SCHEMA
    DropSchema,
    /// ALTER ... SET SCHEMA (an object moves to another namespace)
    SetSchema,
    /// CREATE EXTENSION
    CreateExtension,
    /// CREATE SEQUENCE
    CreateSequence,
    /// DROP SEQUENCE
    DropSequence,
    /// DROP EXTENSION
    DropExtension,
    /// ALTER EXTENSION ... UPDATE TO
    AlterExtension,
    /// CREATE TYPE ... AS ENUM
    CreateEnum,
    /// `CREATE COLLATION`.
    CreateCollation,
    /// `DROP COLLATION`.
    DropCollation,
    /// `ALTER COLLATION` (rename, move).
    AlterCollation,
    /// `CREATE TEXT SEARCH CONFIGURATION`.
    CreateTextSearch,
    /// `ALTER TEXT SEARCH CONFIGURATION ... MAPPING`.
    AlterTextSearch,
    /// `DROP TEXT SEARCH CONFIGURATION`.
    DropTextSearch,
    /// CREATE DOMAIN
    CreateDomain,
    /// DROP DOMAIN
    DropDomain,
    /// ALTER DOMAIN (constraints, NOT NULL, default)
    AlterDomain,
    /// CREATE TYPE ... AS (...)
    CreateComposite,
    /// DROP TYPE (a composite type)
    DropComposite,
    /// ALTER TYPE ... ADD / DROP / ALTER ATTRIBUTE
    AlterComposite,
    /// CREATE TABLE
    CreateTable,
    /// ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY
    AddForeignKey,
    /// CREATE INDEX
    CreateIndex,
    /// COMMENT ON
    Comment,
    /// ALTER TABLE ... DROP CONSTRAINT
    DropForeignKey,
    /// DROP TABLE
    DropTable,
    /// DROP TYPE
    DropEnum,
    /// ALTER TYPE ... ADD VALUE / RENAME VALUE
    AlterEnum,
    /// Any ... RENAME TO / RENAME COLUMN / RENAME CONSTRAINT
    Rename,
    /// ALTER TABLE ... ADD COLUMN
    AddColumn,
    /// ALTER TABLE ... DROP COLUMN
    DropColumn,
    /// ALTER TABLE ... ALTER COLUMN (type, NOT NULL, default, identity)
    AlterColumn,
    /// ALTER TABLE ... ADD CONSTRAINT (primary key, unique, check)
    AddConstraint,
    /// ALTER TABLE ... DROP CONSTRAINT (primary key, unique, check)
    DropConstraint,
    /// DROP INDEX
    DropIndex,
    /// ALTER INDEX ... SET / RESET (storage parameters)
    AlterIndex,
    /// SELECT setval(...): moves a new identity's sequence past existing values
    SetSequence,
    /// CREATE [MATERIALIZED] VIEW
    CreateView,
    /// DROP [MATERIALIZED] VIEW
    DropView,
    /// CREATE [OR REPLACE] FUNCTION / PROCEDURE
    CreateRoutine,
    /// SET / RESET of a session setting around other statements
    /// (`check_function_bodies` around the routines, as pg_dump does)
    Setting,
    /// DROP FUNCTION / PROCEDURE
    DropRoutine,
    /// CREATE TRIGGER
    CreateTrigger,
    /// DROP TRIGGER
    DropTrigger,
    /// CREATE POLICY
    CreatePolicy,
    /// DROP POLICY
    DropPolicy,
    /// ALTER TABLE ... ENABLE / DISABLE ROW LEVEL SECURITY
    RowSecurity,
    /// CREATE RULE
    CreateRule,
    /// DROP RULE
    DropRule,
    /// GRANT
    Grant,
    /// REVOKE
    Revoke,
}

impl StatementKind {
    /// A stable snake_case name, e.g. `create_table`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CreateSchema => "create_schema",
            Self::DropSchema => "drop_schema",
            Self::SetSchema => "set_schema",
            Self::CreateExtension => "create_extension",
            Self::CreateSequence => "create_sequence",
            Self::DropSequence => "drop_sequence",
            Self::DropExtension => "drop_extension",
            Self::AlterExtension => "alter_extension",
            Self::CreateEnum => "create_enum",
            Self::CreateCollation => "create_collation",
            Self::DropCollation => "drop_collation",
            Self::AlterCollation => "alter_collation",
            Self::CreateTextSearch => "create_text_search",
            Self::AlterTextSearch => "alter_text_search",
            Self::DropTextSearch => "drop_text_search",
            Self::CreateDomain => "create_domain",
            Self::DropDomain => "drop_domain",
            Self::AlterDomain => "alter_domain",
            Self::CreateComposite => "create_composite",
            Self::DropComposite => "drop_composite",
            Self::AlterComposite => "alter_composite",
            Self::CreateTable => "create_table",
            Self::AddForeignKey => "add_foreign_key",
            Self::CreateIndex => "create_index",
            Self::Comment => "comment",
            Self::DropForeignKey => "drop_foreign_key",
            Self::DropTable => "drop_table",
            Self::DropEnum => "drop_enum",
            Self::AlterEnum => "alter_enum",
            Self::Rename => "rename",
            Self::AddColumn => "add_column",
            Self::DropColumn => "drop_column",
            Self::AlterColumn => "alter_column",
            Self::AddConstraint => "add_constraint",
            Self::DropConstraint => "drop_constraint",
            Self::DropIndex => "drop_index",
            Self::AlterIndex => "alter_index",
            Self::SetSequence => "set_sequence",
            Self::CreateView => "create_view",
            Self::DropView => "drop_view",
            Self::CreateRoutine => "create_routine",
            Self::Setting => "setting",
            Self::DropRoutine => "drop_routine",
            Self::CreateTrigger => "create_trigger",
            Self::DropTrigger => "drop_trigger",
            Self::CreatePolicy => "create_policy",
            Self::DropPolicy => "drop_policy",
            Self::RowSecurity => "row_security",
            Self::CreateRule => "create_rule",
            Self::DropRule => "drop_rule",
            Self::Grant => "grant",
            Self::Revoke => "revoke",
        }
    }
}

/// One SQL statement, without the terminating semicolon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// What the statement does.
    pub kind: StatementKind,
    /// The object it touches, for messages, e.g. `table "users"`.
    pub target: String,
    /// The SQL text (no trailing `;`).
    pub sql: String,
}

/// An ordered list of statements that together do one job.
///
/// ```
/// use schemaforge_sqlgen::{Script, Statement, StatementKind};
///
/// let script = Script::new("example", vec![Statement {
///     kind: StatementKind::DropTable,
///     target: "table \"t\"".into(),
///     sql: "DROP TABLE IF EXISTS \"t\"".into(),
/// }]);
/// assert_eq!(script.to_sql(), "-- example\n\nDROP TABLE IF EXISTS \"t\";\n");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    header: String,
    notes: Vec<String>,
    statements: Vec<Statement>,
}

impl Script {
    /// A script with a one-line header comment (which must not contain user
    /// text or newlines: it is written verbatim after `-- `).
    pub fn new(header: impl Into<String>, statements: Vec<Statement>) -> Self {
        let header = header.into().replace(['\n', '\r'], " ");
        Self { header, notes: Vec::new(), statements }
    }

    /// The script with comment lines after the header, for what the reader
    /// must know (one line each; line breaks become spaces). They are part
    /// of [`Script::to_sql`] only, never of [`Script::statements`].
    ///
    /// ```
    /// use schemaforge_sqlgen::Script;
    /// let script = Script::new("example", vec![]).with_notes(vec!["data loss:\ncannot undo".into()]);
    /// assert_eq!(script.to_sql(), "-- example\n-- data loss: cannot undo\n");
    /// ```
    pub fn with_notes(mut self, notes: Vec<String>) -> Self {
        self.notes = notes.into_iter().map(|n| n.replace(['\n', '\r'], " ")).collect();
        self
    }

    /// The comment lines after the header.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// The statements in execution order, so a caller can run them one at a
    /// time and say which one failed.
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    /// Whether there is nothing to run.
    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }

    /// The whole script as text: the header comment, then each statement
    /// followed by `;`, separated by blank lines.
    pub fn to_sql(&self) -> String {
        let mut out = format!("-- {}\n", self.header);
        for note in &self.notes {
            out.push_str("-- ");
            out.push_str(note);
            out.push('\n');
        }
        for s in &self.statements {
            out.push('\n');
            out.push_str(&s.sql);
            out.push_str(";\n");
        }
        out
    }
}

impl fmt::Display for Script {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_sql())
    }
}
