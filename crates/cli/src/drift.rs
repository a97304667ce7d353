//! `drift`, `apply` and `advise`: a live database against a document, for
//! CI pipelines (no server needed). The design is built on a scratch
//! database of the development server (`--dev-url`, default the live
//! database's server) and read back, so both sides are compared as
//! PostgreSQL prints them. Exit codes: 0 in step (or applied), 2 drift
//! found, 1 any error (docs/drift-and-sync.md).

use std::io::Write;

use anyhow::{Context, bail};
use schemaforge_domain::{Safety, ValidSchema};
use schemaforge_drift::advice::{UsageStats, advise};
use schemaforge_drift::{Drift, IdentityRecord, Status, assess, managed_namespaces, read_managed};
use schemaforge_repository::pg::live::{LiveTimeouts, apply_statements, index_usage, read_identity_at};
use schemaforge_repository::pg::{IntrospectOptions, LoadOptions, introspect, load_sql};
use schemaforge_sqlgen::create_script;

/// Exit code: the database differs from the design.
pub(crate) const EXIT_DRIFT: u8 = 2;
/// Exit code: anything went wrong.
pub(crate) const EXIT_ERROR: u8 = 1;

/// An error is exit code 1 here (2 means drift found), with its message.
pub(crate) fn or_error(result: anyhow::Result<u8>) -> anyhow::Result<u8> {
    Ok(result.unwrap_or_else(|e| {
        eprintln!("schemaforge: {e:#}");
        EXIT_ERROR
    }))
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum DriftFormat {
    /// One line per element that differs, then the changes.
    Human,
    /// The whole drift as JSON.
    Json,
    /// The statements that make the database match the design.
    Sql,
}

#[derive(clap::Args)]
pub(crate) struct Target {
    /// The live database (a PostgreSQL URL).
    pub(crate) url: String,
    /// A server where the design can be built on a scratch database (the
    /// role needs CREATEDB); default: the live database's server.
    #[arg(long, value_name = "URL")]
    pub(crate) dev_url: Option<String>,
    /// Milliseconds any one statement may run.
    #[arg(long, default_value_t = 600_000)]
    pub(crate) statement_timeout_ms: u64,
    /// Milliseconds a statement may wait for a lock.
    #[arg(long, default_value_t = 10_000)]
    pub(crate) lock_timeout_ms: u64,
}

impl Target {
    fn timeouts(&self) -> LiveTimeouts {
        LiveTimeouts { connect_secs: 10, statement_ms: self.statement_timeout_ms, lock_ms: self.lock_timeout_ms }
    }
}

/// The drift of the database at `target` from `schema`.
pub(crate) fn drift_of(schema: &ValidSchema, target: &Target) -> anyhow::Result<Drift> {
    let timeouts = target.timeouts();
    let dev_url = target.dev_url.as_deref().unwrap_or(&target.url);
    // The live database first: an unreachable one is named as such.
    let options = |namespaces: Vec<String>| IntrospectOptions {
        namespaces,
        statement_timeout_ms: timeouts.statement_ms,
        connect_timeout_secs: timeouts.connect_secs,
    };
    let (catalog, others) = read_managed(&managed_namespaces(schema), |n| introspect(&target.url, &options(n)))
        .context("cannot read the live database")?;
    let record = match read_identity_at(&target.url, timeouts)
        .context("cannot read the record of catalog identities")?
    {
        Some(text) => Some(
            serde_json::from_str::<IdentityRecord>(&text).context("the record of catalog identities is not valid")?,
        ),
        None => None,
    };
    let script = create_script(schema).to_sql();
    let load = LoadOptions {
        introspect: IntrospectOptions { statement_timeout_ms: timeouts.statement_ms, ..IntrospectOptions::default() },
        deadline: None,
    };
    let built = load_sql(dev_url, &script, &load)
        .context("cannot build the design on a scratch database of the development server (see --dev-url)")?;
    Ok(assess(schema, &built.catalog, &catalog, others, record.as_ref()))
}

pub(crate) fn drift_cmd(
    out: &mut impl Write,
    schema: &ValidSchema,
    target: &Target,
    format: DriftFormat,
) -> anyhow::Result<u8> {
    let drift = drift_of(schema, target)?;
    match format {
        DriftFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&drift)?)?,
        DriftFormat::Sql => write!(out, "{}", drift.script_sql())?,
        DriftFormat::Human => write_human(out, &drift)?,
    }
    if !drift.errors.is_empty() {
        return Ok(EXIT_ERROR);
    }
    Ok(if drift.in_step { 0 } else { EXIT_DRIFT })
}

fn write_human(out: &mut impl Write, drift: &Drift) -> anyhow::Result<()> {
    let counts: Vec<String> = drift.counts.iter().map(|(s, n)| format!("{n} {}", s.as_str())).collect();
    let matching = match drift.matching {
        schemaforge_drift::Matching::Identity => "matched by recorded catalog identity, then by name",
        schemaforge_drift::Matching::Names => "matched by name (no record of catalog identities)",
    };
    writeln!(out, "{} ({matching})", if drift.in_step { "in step" } else { "drift found" })?;
    writeln!(out, "elements: {}", counts.join(", "))?;
    for e in &drift.elements {
        match (&e.status, &e.live_name) {
            (Status::Renamed, Some(live)) => {
                writeln!(out, "  {:<9} {} {}: renamed outside: {} → {live}", e.status.as_str(), e.kind, e.id, e.name)?;
            }
            _ => writeln!(out, "  {:<9} {} {} ({})", e.status.as_str(), e.kind, e.name, e.id)?,
        }
        for a in &e.attributes {
            writeln!(out, "            {}: design {} / live {}", a.attribute, a.desired, a.live)?;
        }
    }
    for u in &drift.unmanaged {
        writeln!(out, "  unmanaged {} {}: {}", u.kind, u.name, u.reason)?;
    }
    for e in &drift.errors {
        writeln!(out, "  error: {e}")?;
    }
    if !drift.changes.is_empty() {
        writeln!(out, "changes that make the database match the design:")?;
        for c in drift.changes.changes() {
            writeln!(out, "  [{}] {}", c.safety, c.description)?;
        }
    }
    Ok(())
}

/// How to apply.
pub(crate) struct ApplyOptions {
    pub(crate) dry_run: bool,
    pub(crate) allow_data_loss: bool,
}

pub(crate) fn apply_cmd(
    out: &mut impl Write,
    schema: &ValidSchema,
    target: &Target,
    options: &ApplyOptions,
) -> anyhow::Result<u8> {
    let drift = drift_of(schema, target)?;
    if !drift.errors.is_empty() {
        write_human(out, &drift)?;
        return Ok(EXIT_ERROR);
    }
    if drift.in_step {
        writeln!(out, "in step: nothing to apply")?;
        return Ok(0);
    }
    writeln!(out, "plan:")?;
    for c in drift.changes.changes() {
        writeln!(out, "  [{}] {}", c.safety, c.description)?;
    }
    if options.dry_run {
        writeln!(out, "dry run: nothing applied")?;
        return Ok(EXIT_DRIFT);
    }
    if drift.changes.has(Safety::DataLoss) && !options.allow_data_loss {
        eprintln!("schemaforge: the plan loses data; pass --allow-data-loss to apply it");
        return Ok(EXIT_ERROR);
    }
    match apply_statements(&target.url, &drift.to_design, target.timeouts()) {
        Ok(ms) => writeln!(out, "applied {} statement(s) in one transaction ({ms} ms)", drift.to_design.len())?,
        Err(e) => {
            eprintln!("schemaforge: nothing applied (rolled back): {e}");
            return Ok(EXIT_ERROR);
        }
    }
    let after = drift_of(schema, target)?;
    if !after.in_step {
        write_human(out, &after)?;
        bail!("the database still differs from the design after the migration");
    }
    writeln!(out, "in step")?;
    Ok(0)
}

pub(crate) fn advise_cmd(out: &mut impl Write, url: &str, json: bool) -> anyhow::Result<u8> {
    let timeouts = LiveTimeouts::default();
    let options = IntrospectOptions { statement_timeout_ms: timeouts.statement_ms, ..IntrospectOptions::default() };
    let catalog = introspect(url, &options).context("cannot read the database")?;
    let (scans, since) = index_usage(url, timeouts).context("cannot read index usage statistics")?;
    let usage = UsageStats { scans: scans.into_iter().collect(), since };
    let advice = advise(&catalog, Some(&usage));
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&advice)?)?;
    } else if advice.is_empty() {
        writeln!(out, "no advice")?;
    } else {
        for a in &advice {
            writeln!(out, "{}: {}\n  {};", a.table, a.detail, a.statement)?;
        }
    }
    Ok(0)
}
