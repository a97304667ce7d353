//! # schemaforge-sqlgen
//!
//! Pure SQL generation: a [`ValidSchema`] in, a [`Script`] of DDL statements
//! out; two of them in, a [`Migration`] (up and down scripts) out. No I/O, no database, no failure modes: every check happened when the
//! `ValidSchema` was built, and every identifier and literal is quoted here.
//!
//! ```
//! use schemaforge_domain::{parse_document, ValidSchema};
//! use schemaforge_sqlgen::{create_script, drop_script};
//!
//! let doc = parse_document(r#"{"name": "x", "tables": [{"id": "t1", "name": "users", "columns": [
//!     {"id": "c1", "name": "id", "dataType": "bigint", "primaryKey": true, "autoIncrement": true},
//!     {"id": "c2", "name": "email", "dataType": "varchar(255)", "nullable": false, "unique": true}
//! ]}]}"#).unwrap();
//! let schema = ValidSchema::parse(doc).unwrap();
//! let sql = create_script(&schema).to_sql();
//! assert!(sql.contains(r#""email" varchar(255) NOT NULL"#));
//! assert!(sql.contains(r#"CONSTRAINT "users_email_key" UNIQUE ("email")"#));
//! assert_eq!(drop_script(&schema).statements().len(), 1);
//! ```

mod carried;
mod locate;
mod migration;
mod partitions;
mod postgres;
mod script;
mod views;

pub use locate::{locate, refusal};
pub use migration::{Migration, migration};
pub use postgres::Postgres;
pub use script::{Script, Statement, StatementKind};

use schemaforge_domain::{ColumnType, Expr, ValidSchema};

/// An SQL dialect: how identifiers, literals, types and whole scripts are written.
///
/// PostgreSQL ([`Postgres`]) is the only dialect today; the trait is the seam
/// where others will plug in.
pub trait Dialect {
    /// Human name of the dialect.
    fn name(&self) -> &'static str;
    /// Quote an identifier so that any valid name is safe.
    fn quote_ident(&self, ident: &str) -> String;
    /// Quote a string literal so that any text is safe.
    fn quote_literal(&self, text: &str) -> String;
    /// The SQL spelling of a column type.
    fn render_type(&self, ty: &ColumnType) -> String;
    /// The SQL text of a check or predicate expression.
    fn render_expr(&self, expr: &Expr) -> String;
    /// Statements that create every object of the schema in an empty database.
    fn create_script(&self, schema: &ValidSchema) -> Script;
    /// Statements that drop every object of the schema, reversing `create_script`.
    fn drop_script(&self, schema: &ValidSchema) -> Script;
}

/// The PostgreSQL create script of `schema`.
pub fn create_script(schema: &ValidSchema) -> Script {
    Postgres.create_script(schema)
}

/// The PostgreSQL drop script of `schema`.
pub fn drop_script(schema: &ValidSchema) -> Script {
    Postgres.drop_script(schema)
}
