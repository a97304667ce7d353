//! `inspect` and `import`: a live database, or an SQL file loaded into a
//! scratch database on a development server, as a document (or its create
//! script) on standard output and the import report on standard error.

use std::io::Write;

use schemaforge_domain::ValidSchema;
use schemaforge_introspect::{ImportOptions, ImportReport, Imported, Outcome, ReportItem, import};
use schemaforge_repository::pg::{IntrospectOptions, LoadOptions, introspect, load_sql};
use schemaforge_repository::{IntrospectError, LoadError};
use schemaforge_sqlgen::create_script;

/// What `inspect` and `import` print on standard output.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Output {
    /// The document (JSON).
    Json,
    /// The document's create script.
    Sql,
}

/// How the report is written on standard error.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ReportFormat {
    /// One line per object, with its statement.
    Human,
    /// The report as JSON.
    Json,
}

/// The options `inspect` and `import` share.
#[derive(clap::Args)]
pub(crate) struct Common {
    /// A schema (namespace) to read; repeat for more. Absent, every schema
    /// but PostgreSQL's own.
    #[arg(long = "schema", value_name = "NAME")]
    pub(crate) schemas: Vec<String>,
    /// `json` prints the document; `sql` its create script.
    #[arg(long, value_enum, default_value_t = Output::Json)]
    pub(crate) format: Output,
    /// How the import report is written on standard error.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub(crate) report: ReportFormat,
    /// Exit with 1 when anything was adjusted or omitted (the report is not empty).
    #[arg(long)]
    pub(crate) strict: bool,
    /// The document's name (default: the database's).
    #[arg(long)]
    pub(crate) name: Option<String>,
    /// Milliseconds the catalog read (one statement) and each statement of the file may run.
    #[arg(long, default_value_t = 60_000)]
    pub(crate) statement_timeout_ms: u64,
}

/// Exit codes of `inspect` and `import` (documented in docs/import.md).
pub(crate) mod exit {
    /// The document could not be made valid, a statement of the file was
    /// refused, or `--strict` found adjusted or omitted objects.
    pub(crate) const INCOMPLETE: u8 = 1;
    /// No server answered.
    pub(crate) const UNREACHABLE: u8 = 3;
    /// The server refused the role or its password.
    pub(crate) const AUTHENTICATION: u8 = 4;
    /// No such database or schema.
    pub(crate) const NOT_FOUND: u8 = 5;
    /// The role may not connect or read.
    pub(crate) const PRIVILEGES: u8 = 6;
    /// Reading took longer than the statement timeout.
    pub(crate) const TIMEOUT: u8 = 7;
    /// Any other server error.
    pub(crate) const SERVER: u8 = 8;
}

fn server_exit(e: &IntrospectError) -> u8 {
    match e {
        IntrospectError::InvalidUrl(_) => super::EXIT_USAGE,
        IntrospectError::Unreachable(_) => exit::UNREACHABLE,
        IntrospectError::Authentication(_) => exit::AUTHENTICATION,
        IntrospectError::NoDatabase(_) | IntrospectError::NoNamespace(_) => exit::NOT_FOUND,
        IntrospectError::Privileges(_) | IntrospectError::Forbidden(_) => exit::PRIVILEGES,
        IntrospectError::Timeout(_) => exit::TIMEOUT,
        IntrospectError::Other(_) => exit::SERVER,
    }
}

fn options(common: &Common) -> IntrospectOptions {
    IntrospectOptions {
        namespaces: common.schemas.clone(),
        statement_timeout_ms: common.statement_timeout_ms,
        ..IntrospectOptions::default()
    }
}

/// `schemaforge inspect URL`.
pub(crate) fn inspect(out: &mut impl Write, url: &str, common: &Common) -> anyhow::Result<u8> {
    let catalog = match introspect(url, &options(common)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("schemaforge: {e}");
            return Ok(server_exit(&e));
        }
    };
    let imported = import(&catalog, &ImportOptions { name: common.name.clone(), ..ImportOptions::default() });
    finish(out, imported, common)
}

/// `schemaforge import FILE --dev-url URL`.
pub(crate) fn import_file(out: &mut impl Write, sql: &str, dev_url: &str, common: &Common) -> anyhow::Result<u8> {
    let loaded = match load_sql(dev_url, sql, &LoadOptions { introspect: options(common), deadline: None }) {
        Ok(l) => l,
        Err(LoadError::Server(e)) => {
            eprintln!("schemaforge: {e}");
            return Ok(server_exit(&e));
        }
        Err(e) => {
            eprintln!("schemaforge: {e}");
            return Ok(exit::INCOMPLETE);
        }
    };
    let mut imported =
        import(&loaded.catalog, &ImportOptions { name: common.name.clone(), ..ImportOptions::default() });
    let skipped = loaded.skipped.iter().map(|s| ReportItem::skipped_statement(s.line, &s.text, s.reason));
    imported.report.items.splice(0..0, skipped);
    finish(out, imported, common)
}

fn finish(out: &mut impl Write, imported: Imported, common: &Common) -> anyhow::Result<u8> {
    let Imported { document, report, .. } = imported;
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    match common.report {
        ReportFormat::Json => writeln!(err, "{}", serde_json::to_string_pretty(&report)?)?,
        ReportFormat::Human => write_report(&mut err, &report)?,
    }
    if !report.remaining_errors.is_empty() {
        writeln!(out, "{}", serde_json::to_string_pretty(&document)?)?;
        return Ok(exit::INCOMPLETE);
    }
    match common.format {
        Output::Json => writeln!(out, "{}", serde_json::to_string_pretty(&document)?)?,
        Output::Sql => match ValidSchema::parse(document) {
            Ok(schema) => write!(out, "{}", create_script(&schema).to_sql())?,
            Err(_) => return Ok(exit::INCOMPLETE),
        },
    }
    Ok(if common.strict && report.is_incomplete() { exit::INCOMPLETE } else { 0 })
}

fn write_report(out: &mut impl Write, report: &ImportReport) -> anyhow::Result<()> {
    let c = &report.counts;
    writeln!(
        out,
        "imported {} (PostgreSQL {}): {} tables, {} partitions, {} views, {} indexes, {} foreign keys, {} functions, {} triggers",
        report.database,
        report.server_version,
        c.tables,
        c.partitions,
        c.views,
        c.indexes,
        c.foreign_keys,
        c.functions,
        c.triggers
    )?;
    for item in &report.items {
        let outcome = match item.outcome {
            Outcome::Adjusted => "adjusted",
            Outcome::Omitted => "omitted",
            Outcome::Skipped => "skipped",
        };
        writeln!(out, "{outcome:>8} {} {}: {}", item.kind, item.name, item.reason)?;
        if let Some(s) = &item.statement {
            for line in s.lines() {
                writeln!(out, "           | {line}")?;
            }
        }
    }
    for e in &report.remaining_errors {
        writeln!(out, "   error {e}")?;
    }
    Ok(())
}
