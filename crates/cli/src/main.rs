//! `schemaforge`: validate schema documents and generate PostgreSQL DDL offline.
//!
//! Exit codes: 0 success; 1 the document is invalid (malformed JSON or
//! validation errors); 2 usage or I/O errors.

use std::io::{Read, Write};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use schemaforge_domain::{Problem, SchemaDocument, ValidSchema, ValidationReport, parse_document};
use schemaforge_sqlgen::{Script, create_script, drop_script};
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
    /// Print the JSON Schema of the document format.
    JsonSchema,
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
        Command::Validate { file, format } => {
            let text = read_input(&file)?;
            let report = match load(&text) {
                Loaded::Valid(schema) => schema.report(),
                Loaded::Invalid(report) => report,
            };
            match format {
                Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?,
                Format::Human => write_human_report(&mut out, &file, &report)?,
            }
            Ok(if report.valid { 0 } else { EXIT_INVALID })
        }
        Command::Sql { file, drop, format } => {
            let text = read_input(&file)?;
            let schema = match load(&text) {
                Loaded::Valid(schema) => schema,
                Loaded::Invalid(report) => {
                    // Machines asked for JSON get the report as JSON on stdout.
                    if format == Format::Json {
                        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
                    } else {
                        let stderr = std::io::stderr();
                        write_human_report(&mut stderr.lock(), &file, &report)?;
                    }
                    return Ok(EXIT_INVALID);
                }
            };
            for w in schema.warnings() {
                eprintln!("{w}");
            }
            let script = if drop { drop_script(&schema) } else { create_script(&schema) };
            match format {
                Format::Human => write!(out, "{}", script.to_sql())?,
                Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&StatementsJson::from(&script))?)?,
            }
            Ok(0)
        }
    }
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
