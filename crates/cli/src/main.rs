//! `schemaforge`: validate schema documents and generate PostgreSQL DDL
//! offline (and, with `validate --dev-url`, try the create script on a
//! development server without keeping anything).
//!
//! Exit codes: 0 success; 1 a document is invalid (malformed JSON,
//! validation errors, or the development server's refusal), or `diff
//! --deny-data-loss` found a change that loses data; 2 usage or I/O errors
//! (an unreachable development server among them). `inspect` and `import`
//! tell the server's errors apart (3 to 8, see docs/import.md).

mod drift;
mod import;

use std::io::{Read, Write};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use schemaforge_domain::{ChangeSet, Problem, Safety, SchemaDocument, ValidSchema, ValidationReport, parse_document};
use schemaforge_repository::pg::TryError;
use schemaforge_sqlgen::{Script, create_script, drop_script, migration, refusal};
use serde::Serialize;

#[derive(Parser)]
#[command(name = "schemaforge", version, about = "Validate Schemaforge schema documents and generate PostgreSQL DDL")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a schema document and list every problem.
    Validate {
        /// The document (JSON); `-` reads standard input.
        file: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Also run the create script on this PostgreSQL database (a
        /// development server), in a transaction that is always rolled back
        /// and in a schema of its own; a refusal is reported at the element
        /// that failed (REJECTED_BY_POSTGRESQL).
        #[arg(long, value_name = "URL")]
        dev_url: Option<String>,
    },
    /// Print the SQL script that creates (or with --drop, drops) the schema.
    Sql {
        /// The document (JSON); `-` reads standard input.
        file: String,
        /// Print the drop script instead of the create script.
        #[arg(long)]
        drop: bool,
        /// `human` prints the SQL script; `json` prints its statements as a list.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Compare two documents by id: list the changes with their safety
    /// classes, or print the migration script.
    Diff {
        /// The current document (JSON); `-` reads standard input.
        old: String,
        /// The edited document (JSON); `-` reads standard input.
        new: String,
        /// Print the migration script instead of the summary: `up` (old to
        /// new) or `down` (back).
        #[arg(long, value_enum)]
        sql: Option<Direction>,
        /// `human` prints a summary (or the script); `json` prints the changes
        /// and both scripts' statements.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Exit with 1 when a change loses data (drops a table or column,
        /// narrows a type, removes an enum label).
        #[arg(long)]
        deny_data_loss: bool,
    },
    /// Read a live database into a document: printed on standard output
    /// (or its create script, with --format sql), with the import report
    /// on standard error. Exit codes: see docs/import.md.
    Inspect {
        /// The database (`postgres://user:password@host:port/database`);
        /// its password appears in no output.
        url: String,
        #[command(flatten)]
        common: import::Common,
    },
    /// Import an SQL schema file (hand-written DDL, pg_dump --schema-only,
    /// structure.sql): loaded into a scratch database on the development
    /// server (created, loaded in one transaction, read, dropped), then
    /// read as `inspect` reads a database.
    Import {
        /// The SQL file; `-` reads standard input.
        file: String,
        /// A PostgreSQL server where the scratch database can be created
        /// (the URL of any database on it; the role needs CREATEDB).
        #[arg(long, value_name = "URL")]
        dev_url: String,
        #[command(flatten)]
        common: import::Common,
    },
    /// Print the JSON Schema of the document format.
    JsonSchema,
    /// Compare a live database with a document, element by element (exit
    /// 0 in step, 2 drift found, 1 error; docs/drift-and-sync.md).
    Drift {
        /// The document (JSON); `-` reads standard input.
        file: String,
        #[command(flatten)]
        target: drift::Target,
        /// Output format.
        #[arg(long, value_enum, default_value_t = drift::DriftFormat::Human)]
        format: drift::DriftFormat,
    },
    /// Make a live database match a document: the drift's migration,
    /// printed first with its safety classes, applied in one transaction
    /// (exit 0 applied or in step, 2 drift left by --dry-run, 1 error).
    Apply {
        /// The document (JSON); `-` reads standard input.
        file: String,
        #[command(flatten)]
        target: drift::Target,
        /// Print the plan, apply nothing.
        #[arg(long)]
        dry_run: bool,
        /// Apply a plan that loses data (a dropped column or table, a
        /// narrowing).
        #[arg(long)]
        allow_data_loss: bool,
    },
    /// Index advice on a live database: foreign keys without an index,
    /// duplicate, prefix, invalid and unused indexes, each with its fix.
    Advise {
        /// The database (a PostgreSQL URL).
        url: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Direction {
    Up,
    Down,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Human,
    Json,
}

const EXIT_INVALID: u8 = 1;
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("schemaforge: {err:#}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn read_input(file: &str) -> anyhow::Result<String> {
    let mut text = String::new();
    if file == "-" {
        std::io::stdin().read_to_string(&mut text).context("cannot read standard input")?;
    } else {
        text = std::fs::read_to_string(file).with_context(|| format!("cannot read {file}"))?;
    }
    Ok(text)
}

/// The outcome of reading and validating a document.
enum Loaded {
    Valid(Box<ValidSchema>),
    Invalid(ValidationReport),
}

fn load(text: &str) -> Loaded {
    let doc: SchemaDocument = match parse_document(text) {
        Ok(doc) => doc,
        Err(err) => {
            return Loaded::Invalid(ValidationReport {
                valid: false,
                problems: vec![err.to_problem()],
                summary: Default::default(),
            });
        }
    };
    match ValidSchema::parse(doc) {
        Ok(schema) => Loaded::Valid(Box::new(schema)),
        Err(invalid) => Loaded::Invalid(*invalid.report),
    }
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cli.command {
        Command::JsonSchema => {
            writeln!(out, "{}", serde_json::to_string_pretty(&schemaforge_domain::json_schema())?)?;
            Ok(0)
        }
        Command::Inspect { url, common } => import::inspect(&mut out, &url, &common),
        // These three exit 1 on any error: 2 means drift found.
        Command::Drift { file, target, format } => drift::or_error((|| {
            let Some(schema) = load_valid(&mut out, &file, Format::Human)? else { return Ok(EXIT_INVALID) };
            drift::drift_cmd(&mut out, &schema, &target, format)
        })()),
        Command::Apply { file, target, dry_run, allow_data_loss } => drift::or_error((|| {
            let Some(schema) = load_valid(&mut out, &file, Format::Human)? else { return Ok(EXIT_INVALID) };
            drift::apply_cmd(&mut out, &schema, &target, &drift::ApplyOptions { dry_run, allow_data_loss })
        })()),
        Command::Advise { url, json } => drift::or_error(drift::advise_cmd(&mut out, &url, json)),
        Command::Import { file, dev_url, common } => {
            let sql = read_input(&file)?;
            import::import_file(&mut out, &sql, &dev_url, &common)
        }
        Command::Validate { file, format, dev_url } => {
            let text = read_input(&file)?;
            let report = match load(&text) {
                Loaded::Valid(schema) => match dev_url {
                    Some(url) => try_on_server(&schema, &url)?,
                    None => schema.report(),
                },
                Loaded::Invalid(report) => report,
            };
            match format {
                Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?,
                Format::Human => write_human_report(&mut out, &file, &report)?,
            }
            Ok(if report.valid { 0 } else { EXIT_INVALID })
        }
        Command::Sql { file, drop, format } => {
            let Some(schema) = load_valid(&mut out, &file, format)? else { return Ok(EXIT_INVALID) };
            let script = if drop { drop_script(&schema) } else { create_script(&schema) };
            match format {
                Format::Human => write!(out, "{}", script.to_sql())?,
                Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&StatementsJson::from(&script))?)?,
            }
            Ok(0)
        }
        Command::Diff { old, new, sql, format, deny_data_loss } => {
            if old == "-" && new == "-" {
                anyhow::bail!("only one of the two documents can come from standard input");
            }
            let Some(old_schema) = load_valid(&mut out, &old, format)? else { return Ok(EXIT_INVALID) };
            let Some(new_schema) = load_valid(&mut out, &new, format)? else { return Ok(EXIT_INVALID) };
            let m = migration(&old_schema, &new_schema);
            match (format, sql) {
                (Format::Json, _) => writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&DiffJson {
                        worst: m.changes.worst(),
                        changes: &m.changes,
                        up: StatementsJson::from(&m.up).statements,
                        down: StatementsJson::from(&m.down).statements,
                    })?
                )?,
                (Format::Human, Some(Direction::Up)) => write!(out, "{}", m.up.to_sql())?,
                (Format::Human, Some(Direction::Down)) => write!(out, "{}", m.down.to_sql())?,
                (Format::Human, None) => write_human_changes(&mut out, &m.changes)?,
            }
            if deny_data_loss && m.changes.has(Safety::DataLoss) {
                eprintln!("schemaforge: the migration loses data (--deny-data-loss)");
                return Ok(EXIT_INVALID);
            }
            Ok(0)
        }
    }
}

/// The report of a valid schema, with the development server's refusal of
/// its create script (if any) as an error at the failing element.
fn try_on_server(schema: &ValidSchema, url: &str) -> anyhow::Result<ValidationReport> {
    let script = create_script(schema);
    let statements: Vec<&str> = script.statements().iter().map(|s| s.sql.as_str()).collect();
    let mut report = schema.report();
    match schemaforge_repository::pg::try_script(url, &statements, 10) {
        Ok(()) => {}
        Err(TryError::Unavailable(message)) => anyhow::bail!("cannot use the development server: {message}"),
        Err(TryError::Statement { index, message, position }) => {
            report.valid = false;
            report.problems.push(refusal(schema, index, position, &message));
        }
    }
    Ok(report)
}

/// Read and validate a document; an invalid one is reported (as JSON on
/// stdout when JSON was asked for, else on stderr) and gives `None`.
fn load_valid(out: &mut impl Write, file: &str, format: Format) -> anyhow::Result<Option<Box<ValidSchema>>> {
    let text = read_input(file)?;
    match load(&text) {
        Loaded::Valid(schema) => {
            for w in schema.warnings() {
                eprintln!("{w}");
            }
            Ok(Some(schema))
        }
        Loaded::Invalid(report) => {
            if format == Format::Json {
                writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
            } else {
                let stderr = std::io::stderr();
                write_human_report(&mut stderr.lock(), file, &report)?;
            }
            Ok(None)
        }
    }
}

fn write_human_changes(out: &mut impl Write, changes: &ChangeSet) -> anyhow::Result<()> {
    if changes.is_empty() {
        writeln!(out, "no changes")?;
        return Ok(());
    }
    let counts: Vec<String> =
        changes.counts().iter().filter(|(_, n)| *n > 0).map(|(s, n)| format!("{n} {s}")).collect();
    writeln!(out, "{} change(s): {}", changes.changes().len(), counts.join(", "))?;
    for c in changes.changes() {
        writeln!(out, "  [{}] {}", c.safety, c.description)?;
        if c.safety != Safety::Safe {
            if let Some(why) = &c.explanation {
                writeln!(out, "      why: {why}")?;
            }
            if let Some(instead) = &c.alternative {
                writeln!(out, "      safer: {instead}")?;
            }
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct DiffJson<'a> {
    worst: Option<Safety>,
    changes: &'a ChangeSet,
    up: Vec<StatementJson<'a>>,
    down: Vec<StatementJson<'a>>,
}

fn write_human_report(out: &mut impl Write, file: &str, report: &ValidationReport) -> anyhow::Result<()> {
    let name = if file == "-" { "<stdin>" } else { file };
    let errors = report.errors().count();
    let warnings = report.warnings().count();
    let verdict = if report.valid { "valid" } else { "invalid" };
    writeln!(out, "{name}: {verdict} ({errors} error(s), {warnings} warning(s))")?;
    for p in &report.problems {
        writeln!(out, "  {p}")?;
    }
    if report.problems.iter().all(|p: &Problem| p.code != schemaforge_domain::Code::InvalidJson) {
        let s = &report.summary;
        writeln!(
            out,
            "summary: {} tables, {} columns, {} relations, {} indexes, {} checks, {} enums, {} cycle group(s), {} self-reference(s)",
            s.tables, s.columns, s.relations, s.indexes, s.checks, s.enums, s.cycles, s.self_references
        )?;
        // Only what the document has: older documents print as before.
        let more: Vec<String> = [
            (s.domains, "domain(s)"),
            (s.composites, "composite type(s)"),
            (s.sequences, "sequence(s)"),
            (s.extensions, "extension(s)"),
            (s.namespaces, "namespace(s)"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        if !more.is_empty() {
            writeln!(out, "         {}", more.join(", "))?;
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct StatementsJson<'a> {
    statements: Vec<StatementJson<'a>>,
}

#[derive(Serialize)]
struct StatementJson<'a> {
    kind: &'static str,
    target: &'a str,
    sql: &'a str,
}

impl<'a> From<&'a Script> for StatementsJson<'a> {
    fn from(script: &'a Script) -> Self {
        Self {
            statements: script
                .statements()
                .iter()
                .map(|s| StatementJson { kind: s.kind.as_str(), target: &s.target, sql: &s.sql })
                .collect(),
        }
    }
}
