//! Safety classes checked against PostgreSQL itself.
//!
//! A [`Case`] is two documents and data sets for the old one's database. For
//! every data set (and for an empty database) the old structure is built in
//! a scratch schema, the rows are inserted, and the up migration runs in a
//! transaction that is then rolled back. Around it the harness measures:
//!
//! - **rewrite**: the `relfilenode` of every table and index (by oid; an
//!   index that PostgreSQL re-created under the same name counts as rebuilt
//!   unless it kept its file, as ALTER TYPE does when it reuses an index);
//! - **scan**: `seq_scan` of `pg_stat_xact_user_tables` for every table, with
//!   `enable_seqscan = off` so the planner takes an index wherever a large
//!   table would (a `MAX(col)` over a btree does not count as a scan);
//! - **lock**: the strongest lock on a table the migration's transaction
//!   holds at its end (`pg_locks`, this backend), and whether an
//!   explanation says "blocks writes" while that lock blocks reads too;
//! - **values**: every value of a column that survives, compared with what
//!   it was: within a family exactly in a common type (numbers
//!   as `numeric`, floats through their shortest exact text; instants as
//!   `timestamptz`; `time` and `interval` as `interval`; JSON as `jsonb`);
//!   otherwise converted back (a string parsed as the old type, anything
//!   else as the down script converts it) and compared in the old type.
//!   Values parsed out of a string type are not compared (their meaning is
//!   what PostgreSQL parsed; the spelling is not kept, which the
//!   explanation says). Values of dropped columns and tables count as lost.
//!
//! [`Outcome::problems`] then holds the migration's worst class to these
//! promises: `safe` ⇒ no failure, no rewrite, no scan, no value change;
//! `locks_table` ⇒ a rewrite or a scan, no failure, no value change;
//! `may_fail` ⇒ some data set fails, none changes silently; `data_loss` ⇒
//! some data set loses or changes a value. Nothing may fail on an empty
//! database.

// Test support: a case that does not build, or a harness query that fails,
// is a bug of the test and stops it.
#![allow(clippy::panic)]

pub mod cases;

use std::collections::BTreeMap;

use diesel::PgConnection;
use schemaforge_domain::diff::type_change;
use schemaforge_domain::{
    BaseType, ChangeKind, ChangeSet, ColumnModel, ColumnType, Model, NamedType, Safety, TableModel, ValidSchema,
};
use schemaforge_sqlgen::{Dialect, Postgres, create_script, migration};
use schemaforge_testdb::execute;

use crate::{lines, qi, ql, run_script};

/// The scratch schema every case is built in.
pub const SCHEMA: &str = "sf_conformance";

/// One change to check: two documents and data sets for the first.
pub struct Case {
    /// What changes, e.g. `integer -> bigint`.
    pub change: String,
    /// Where, e.g. `bare column` or `read by a check`.
    pub context: String,
    /// The database before.
    pub old: ValidSchema,
    /// The design after.
    pub new: ValidSchema,
    /// Statements (INSERTs) run on the old structure, one run per data set;
    /// a run on the empty structure comes first.
    pub data: Vec<Vec<String>>,
}

/// Lock modes from weakest to strongest.
pub const LOCKS: [&str; 8] = [
    "AccessShareLock",
    "RowShareLock",
    "RowExclusiveLock",
    "ShareUpdateExclusiveLock",
    "ShareLock",
    "ShareRowExclusiveLock",
    "ExclusiveLock",
    "AccessExclusiveLock",
];

/// What PostgreSQL did with a case, over all its runs.
#[derive(Debug, Clone, Default)]
pub struct Measured {
    /// The first failure, with the data set that caused it.
    pub failure: Option<String>,
    /// A failure on the empty database.
    pub empty_failure: Option<String>,
    /// The first relation rewritten or rebuilt.
    pub rewrite: Option<String>,
    /// The first table scanned.
    pub scan: Option<String>,
    /// The first value lost or changed.
    pub change: Option<String>,
    /// The strongest table lock the migration holds on the empty database
    /// (index into [`LOCKS`]).
    pub lock: Option<usize>,
    /// A change whose explanation says it blocks writes while the script
    /// holds ACCESS EXCLUSIVE, which blocks reads too.
    pub understated: Option<String>,
}

/// A case's class and what was measured.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// `change (context)`.
    pub label: String,
    /// The migration's worst class.
    pub class: Safety,
    /// What happened.
    pub measured: Measured,
}

impl Outcome {
    /// The broken promises of the class, empty when it holds.
    pub fn problems(&self) -> Vec<String> {
        let m = &self.measured;
        let mut out = Vec::new();
        let mut bad = |what: &str, detail: &Option<String>| {
            if let Some(d) = detail {
                out.push(format!("{}: classified {} but {what}: {d}", self.label, self.class));
            }
        };
        bad("fails on an empty database", &m.empty_failure);
        bad("the script holds ACCESS EXCLUSIVE, which blocks reads too, while an explanation says", &m.understated);
        match self.class {
            Safety::Safe => {
                bad("fails", &m.failure);
                bad("rewrites", &m.rewrite);
                bad("scans", &m.scan);
                bad("changes a value", &m.change);
            }
            Safety::LocksTable => {
                bad("fails", &m.failure);
                bad("changes a value", &m.change);
                if m.rewrite.is_none() && m.scan.is_none() {
                    out.push(format!("{}: classified locks_table but neither rewrites nor scans", self.label));
                }
            }
            Safety::MayFail => {
                bad("changes a value without failing", &m.change);
                if m.failure.is_none() {
                    out.push(format!("{}: classified may_fail but no data set makes it fail", self.label));
                }
            }
            Safety::DataLoss => {
                if m.change.is_none() {
                    out.push(format!("{}: classified data_loss but no data set loses or changes a value", self.label));
                }
            }
        }
        out
    }

    /// One row of the evidence table: class, rewrite, scan, fails, changes, lock.
    pub fn evidence(&self) -> String {
        let m = &self.measured;
        let yes = |o: &Option<String>| if o.is_some() { "yes" } else { "no" };
        format!(
            "| {} | {} | {} | {} | {} | {} | {} |",
            self.label,
            self.class,
            yes(&m.rewrite),
            yes(&m.scan),
            yes(&m.failure),
            yes(&m.change),
            m.lock.map_or("-", |l| LOCKS[l])
        )
    }
}

/// Session settings every case runs under: a time zone with an offset
/// (timestamp ↔ timestamptz rewrites unless the zone is UTC) and no daylight
/// saving (whose gaps would move wall-clock times).
pub fn prepare(conn: &mut PgConnection) {
    must(conn, "SET TIME ZONE 'Asia/Kolkata'");
    must(conn, "SET client_min_messages = warning");
}

fn must(conn: &mut PgConnection, sql: &str) {
    if let Err(e) = execute(conn, sql) {
        panic!("harness statement failed: {e}\n{sql}");
    }
}

fn query(conn: &mut PgConnection, sql: &str) -> Vec<String> {
    lines(conn, sql).unwrap_or_else(|e| panic!("harness query failed: {e}\n{sql}"))
}

/// Run a case: build, fill, migrate and measure once per data set.
pub fn run(conn: &mut PgConnection, case: &Case) -> Outcome {
    let m = migration(&case.old, &case.new);
    let label = format!("{} ({})", case.change, case.context);
    // A renamed enum label renames the rows' values: that is no change.
    let relabel: BTreeMap<(String, String), String> = m
        .changes
        .changes()
        .iter()
        .filter_map(|c| match &c.kind {
            ChangeKind::RenameEnumValue { enum_id, from, to } => Some(((enum_id.clone(), from.clone()), to.clone())),
            _ => None,
        })
        .collect();
    must(conn, &format!("DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}; SET search_path TO {SCHEMA}"));
    if let Err(f) = run_script(conn, &create_script(&case.old)) {
        panic!("{label}: the old structure does not build: {f}");
    }
    let mut measured = Measured::default();
    let empty = Vec::new();
    for (n, data) in std::iter::once(&empty).chain(&case.data).enumerate() {
        must(conn, "BEGIN");
        for statement in data {
            if let Err(e) = execute(conn, statement) {
                panic!("{label}: data set {n} does not fit the old structure: {e}\n{statement}");
            }
        }
        let before = Snapshot::take(conn, case.old.model());
        must(conn, "SET LOCAL enable_seqscan = off");
        match run_script(conn, &m.up) {
            Err(f) if n == 0 => measured.empty_failure = Some(f.to_string()),
            Err(f) => {
                measured.failure.get_or_insert_with(|| format!("{} on {}", f.error, data.join("; ")));
            }
            Ok(()) => {
                if measured.rewrite.is_none() {
                    measured.rewrite = before.rewritten(conn);
                }
                if measured.scan.is_none() {
                    measured.scan = before.scanned(conn);
                }
                if n == 0 {
                    measured.lock = strongest_lock(conn);
                    if measured.lock == Some(LOCKS.len() - 1) {
                        measured.understated = understated(&m.changes);
                    }
                }
                must(conn, "SET LOCAL enable_seqscan = on");
                if measured.change.is_none() {
                    measured.change = before
                        .changed(conn, case.old.model(), case.new.model(), &relabel)
                        .map(|c| format!("{c} with {data:?}"));
                }
            }
        }
        must(conn, "ROLLBACK");
        must(conn, &format!("SET search_path TO {SCHEMA}"));
    }
    must(conn, &format!("DROP SCHEMA {SCHEMA} CASCADE"));
    Outcome { label, class: m.changes.worst().unwrap_or(Safety::Safe), measured }
}

/// The state before a migration, to compare with after.
struct Snapshot {
    /// oid → (name, relfilenode) of every table and index.
    files: BTreeMap<String, (String, String)>,
    /// table oid → seq_scan.
    scans: BTreeMap<String, i64>,
    /// Values by (table id, column id).
    values: BTreeMap<(String, String), Vec<String>>,
}

fn relations(conn: &mut PgConnection) -> BTreeMap<String, (String, String)> {
    query(
        conn,
        &format!(
            "SELECT c.oid::text || ' ' || c.relfilenode::text || ' ' || c.relname AS t FROM pg_class c
              WHERE c.relnamespace = '{SCHEMA}'::regnamespace AND c.relkind IN ('r', 'i')"
        ),
    )
    .into_iter()
    .filter_map(|l| {
        let mut parts = l.splitn(3, ' ');
        let (oid, file, name) = (parts.next()?, parts.next()?, parts.next()?);
        Some((oid.to_string(), (name.to_string(), file.to_string())))
    })
    .collect()
}

fn seq_scans(conn: &mut PgConnection) -> BTreeMap<String, i64> {
    query(
        conn,
        &format!(
            "SELECT relid::text || ' ' || seq_scan::text AS t FROM pg_stat_xact_user_tables WHERE schemaname = '{SCHEMA}'"
        ),
    )
    .into_iter()
    .filter_map(|l| {
        let (oid, n) = l.split_once(' ')?;
        Some((oid.to_string(), n.parse().ok()?))
    })
    .collect()
}

fn strongest_lock(conn: &mut PgConnection) -> Option<usize> {
    query(
        conn,
        &format!(
            "SELECT l.mode AS t FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
              WHERE l.pid = pg_backend_pid() AND l.granted AND c.relkind = 'r'
                AND c.relnamespace = '{SCHEMA}'::regnamespace"
        ),
    )
    .iter()
    .filter_map(|mode| LOCKS.iter().position(|l| l == mode))
    .max()
}

/// An explanation that says a change blocks writes, and not reads.
fn understated(changes: &ChangeSet) -> Option<String> {
    changes.changes().iter().find_map(|c| {
        let why = c.explanation.as_deref()?;
        let writes = ["blocks writes", "blocking writes", "block writes"].iter().any(|w| why.contains(w));
        (c.safety != Safety::Safe && writes && !why.contains("reads")).then(|| format!("{}: {why}", c.description))
    })
}

fn is_string(ty: &ColumnType) -> bool {
    matches!(ty.base, BaseType::Char(_) | BaseType::Varchar(_) | BaseType::Text | BaseType::Named(NamedType::Citext, _))
}

fn same_type(a: &ColumnType, b: &ColumnType) -> bool {
    a.array == b.array
        && match (&a.base, &b.base) {
            (BaseType::Enum { id: x, .. }, BaseType::Enum { id: y, .. }) => x == y,
            (x, y) => x == y,
        }
}

/// The key that identifies a row across a type change: the first primary
/// key column, when it keeps its type.
fn row_key<'m>(o: &'m TableModel, n: &'m TableModel) -> Option<(&'m ColumnModel, &'m ColumnModel)> {
    let id = o.primary_key.as_ref()?.column_ids.first()?;
    let (ok, nk) = (o.column(id)?, n.column(id)?);
    same_type(&ok.ty, &nk.ty).then_some((ok, nk))
}

const SEP: &str = "\u{1f}";

/// A column's value as text to compare before and after a change: a
/// composite value by attribute id (so a renamed attribute keeps its
/// value, a new one is NULL, the order does not matter; a NULL row stays
/// apart from a row of NULLs), an array of them by attribute name.
fn value_text(col: &str, ty: &ColumnType, model: &Model) -> String {
    let BaseType::Composite { id, .. } = &ty.base else { return format!("{col}::text") };
    if ty.array {
        return format!("jsonb_strip_nulls(to_jsonb({col}))::text");
    }
    let Some(c) = model.composites.iter().find(|c| &c.id == id) else { return format!("{col}::text") };
    let pairs: Vec<String> =
        c.attributes.iter().map(|a| format!("{}, ({col}).{}", ql(&a.id), qi(a.name.as_str()))).collect();
    format!(
        "CASE WHEN ({col})::text IS NULL THEN NULL ELSE jsonb_strip_nulls(jsonb_build_object({}))::text END",
        pairs.join(", ")
    )
}

impl Snapshot {
    fn take(conn: &mut PgConnection, old: &Model) -> Self {
        let mut values = BTreeMap::new();
        for t in &old.tables {
            let key = t.primary_key.as_ref().and_then(|k| k.column_ids.first()).and_then(|id| t.column(id));
            for c in &t.columns {
                let col = qi(c.name.as_str());
                let key_text = key.map_or_else(|| "''".to_string(), |k| format!("{}::text", qi(k.name.as_str())));
                let value = value_text(&col, &c.ty, old);
                let rows = query(
                    conn,
                    &format!(
                        "SELECT {key_text} || '{SEP}' || coalesce({value}, '<null>') AS t FROM {}",
                        qi(t.name.as_str())
                    ),
                );
                values.insert((t.id.clone(), c.id.clone()), rows);
            }
        }
        Self { files: relations(conn), scans: seq_scans(conn), values }
    }

    fn rewritten(&self, conn: &mut PgConnection) -> Option<String> {
        let after = relations(conn);
        self.files.iter().find_map(|(oid, (name, file))| match after.get(oid) {
            Some((_, f)) if f != file => Some(format!("{name} rewritten")),
            Some(_) => None,
            // ALTER TYPE re-creates an index under a new oid, keeping its
            // file when the index can be reused.
            None => after.values().any(|(n, f)| n == name && f != file).then(|| format!("{name} rebuilt")),
        })
    }

    fn scanned(&self, conn: &mut PgConnection) -> Option<String> {
        let after = seq_scans(conn);
        self.scans.iter().find_map(|(oid, n)| {
            let now = *after.get(oid)?;
            (now > *n).then(|| format!("table {oid} scanned {} time(s)", now - n))
        })
    }

    /// The first value that was lost or changed.
    /// `relabel` maps (enum id, label) to the label's new name.
    fn changed(
        &self,
        conn: &mut PgConnection,
        old: &Model,
        new: &Model,
        relabel: &BTreeMap<(String, String), String>,
    ) -> Option<String> {
        for ((tid, cid), rows) in &self.values {
            let ot = old.table(tid)?;
            let oc = ot.column(cid)?;
            let surviving = new.table(tid).and_then(|nt| Some((nt, nt.column(cid)?)));
            // A generated column's values are computed from the others: a
            // drop loses nothing, a new expression computes new ones.
            if oc.generated.is_some() && surviving.is_none_or(|(_, nc)| nc.generated.is_some()) {
                continue;
            }
            let Some((nt, nc)) = surviving else {
                if rows.iter().any(|r| !r.ends_with(&format!("{SEP}<null>"))) {
                    return Some(format!("{}.{} is dropped with its values", ot.name, oc.name));
                }
                continue;
            };
            let (table, col) = (qi(nt.name.as_str()), qi(nc.name.as_str()));
            if same_type(&oc.ty, &nc.ty) {
                let key_text =
                    row_key(ot, nt).map_or_else(|| "''".to_string(), |(_, k)| format!("{}::text", qi(k.name.as_str())));
                let value = value_text(&col, &nc.ty, new);
                let mut now = query(
                    conn,
                    &format!("SELECT {key_text} || '{SEP}' || coalesce({value}, '<null>') AS t FROM {table}"),
                );
                let label = |v: &str| match &oc.ty.base {
                    BaseType::Enum { id, .. } => {
                        relabel.get(&(id.clone(), v.to_string())).cloned().unwrap_or(v.to_string())
                    }
                    _ => v.to_string(),
                };
                let mut was: Vec<String> = rows
                    .iter()
                    .map(|r| {
                        let (k, v) = r.split_once(SEP).unwrap_or(("", r));
                        // Without a stable key only the multiset can be compared.
                        let k = if key_text == "''" { "" } else { k };
                        format!("{k}{SEP}{}", label(v))
                    })
                    .collect();
                now.sort();
                was.sort();
                if now != was {
                    return Some(format!("{}.{}: {was:?} became {now:?}", nt.name, nc.name));
                }
                continue;
            }
            // Parsed out of a string: the meaning is what PostgreSQL read
            // (unless an array became a scalar, which drops elements).
            let to_scalar = oc.ty.array && !nc.ty.array;
            if is_string(&oc.ty) && !is_string(&nc.ty) && !to_scalar {
                continue;
            }
            let Some((_, nk)) = row_key(ot, nt) else { continue };
            for row in rows {
                let Some((key, value)) = row.split_once(SEP) else { continue };
                if value == "<null>" {
                    continue;
                }
                let kept = kept_sql(&col, &oc.ty, &nc.ty, value);
                let sql = format!(
                    "SELECT CASE WHEN {kept} THEN 'kept' ELSE 'changed' END AS t FROM {table} WHERE {} = {}::{}",
                    qi(nk.name.as_str()),
                    ql(key),
                    Postgres.render_type(&nk.ty)
                );
                must(conn, "SAVEPOINT compare");
                let verdict = lines(conn, &sql);
                must(conn, "ROLLBACK TO SAVEPOINT compare; RELEASE SAVEPOINT compare");
                match verdict.as_deref() {
                    Ok([v]) if v == "kept" => {}
                    Ok(v) => return Some(format!("{}.{}: {value} became {v:?}", nt.name, nc.name)),
                    Err(e) => return Some(format!("{}.{}: {value} does not convert back: {e}", nt.name, nc.name)),
                }
            }
        }
        None
    }
}

/// Where two types' values can be compared exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Domain {
    /// Numbers, as `numeric` (floats through their shortest exact text,
    /// booleans as 1 and 0).
    Number,
    /// Strings and enum labels, as `text`.
    Text,
    /// date, timestamp, timestamptz, as `timestamptz` in the session zone.
    Instant,
    /// time and interval, as `interval`.
    Duration,
    /// inet and cidr, as `inet`.
    Network,
    /// json and jsonb, as `jsonb`.
    Json,
    /// bit and varbit, as `varbit`.
    Bits,
    /// Types only comparable with themselves.
    Own,
}

fn domain(base: &BaseType) -> Domain {
    use BaseType as B;
    match base {
        B::SmallInt | B::Integer | B::BigInt | B::Numeric { .. } | B::Real | B::DoublePrecision | B::Boolean => {
            Domain::Number
        }
        B::Char(_) | B::Varchar(_) | B::Text | B::Enum { .. } => Domain::Text,
        B::Date | B::Timestamp(_) | B::Timestamptz(_) => Domain::Instant,
        B::Time(_) | B::Interval(_) => Domain::Duration,
        B::Inet | B::Cidr => Domain::Network,
        B::Json | B::Jsonb => Domain::Json,
        B::Named(NamedType::Money, _) => Domain::Number,
        B::Named(NamedType::Citext, _) => Domain::Text,
        B::Bit(_) | B::VarBit(_) => Domain::Bits,
        B::Bytea | B::Uuid | B::Macaddr | B::TimeTz(_) | B::Named(..) | B::Composite { .. } => Domain::Own,
        B::Domain { base, .. } => domain(base),
    }
}

/// `e` (of type `ty`) as a value of its domain.
fn in_domain(e: &str, ty: &ColumnType) -> String {
    use BaseType as B;
    let arr = if ty.array { "[]" } else { "" };
    match (ty.base.underlying(), domain(&ty.base)) {
        // The shortest text of a double is exact for it; a real goes
        // through double precision first, which is exact.
        (B::Real, _) => format!("({e})::float8{arr}::text::numeric{arr}"),
        (B::DoublePrecision, _) => format!("({e})::text::numeric{arr}"),
        (B::Boolean, _) => format!("({e})::integer{arr}::numeric{arr}"),
        (_, Domain::Number) => format!("({e})::numeric{arr}"),
        (_, Domain::Text) => format!("({e})::text{arr}"),
        (_, Domain::Instant) => format!("({e})::timestamptz{arr}"),
        (_, Domain::Duration) => format!("({e})::interval{arr}"),
        (_, Domain::Network) => format!("({e})::inet{arr}"),
        (_, Domain::Json) => format!("({e})::jsonb{arr}"),
        (_, Domain::Bits) => format!("({e})::varbit{arr}"),
        (_, Domain::Own) => format!("({e})"),
    }
}

/// SQL that is true when `col` (now of type `new`) still holds `before`
/// (the text of its value of type `old`). Types of one domain compare
/// there. Otherwise the value is taken back to the old type (from a string
/// type by parsing its text, else as the down script converts it) and
/// compared in the old type; a value that does not convert back counts as
/// changed.
fn kept_sql(col: &str, old: &ColumnType, new: &ColumnType, before: &str) -> String {
    let arr = if old.array { "[]" } else { "" };
    // A domain's values compare as its base type's (an array of a domain
    // has no operators of its own).
    let col = &match new.base {
        BaseType::Domain { .. } => format!("({col})::{}", Postgres.render_type(&new.underlying())),
        _ => col.to_string(),
    };
    if old.array == new.array && domain(&old.base) == domain(&new.base) && domain(&old.base) != Domain::Own {
        let old_value = match &old.base {
            // The old type may be gone (a rebuilt enum, a dropped extension):
            // its values are text.
            BaseType::Enum { .. } | BaseType::Named(NamedType::Citext, _) => format!("{}::text{arr}", ql(before)),
            // A domain may be gone too (renamed, rebuilt): its values are
            // its base type's.
            _ => format!("{}::{}", ql(before), Postgres.render_type(&old.underlying())),
        };
        if schemaforge_domain::diff::same_kind(&old.base, &new.base) {
            // One type with another length or precision: compare directly
            // (the domain's type may not hold every value, e.g. 4714 BC).
            return format!("{col} IS NOT DISTINCT FROM {old_value}");
        }
        return format!("{} IS NOT DISTINCT FROM {}", in_domain(col, new), in_domain(&old_value, old));
    }
    // Compared as: enums by label, json and types without equality by
    // their exact text.
    let compare = match &old.base {
        BaseType::Enum { .. } | BaseType::Json => format!("text{arr}"),
        BaseType::Named(n, _) if !n.info().equality => format!("text{arr}"),
        _ => Postgres.render_type(&old.underlying()),
    };
    let back = if is_string(new) && old.array == new.array {
        // A string's text (without char padding) parsed as the old type.
        format!("({col})::text{arr}::{compare}")
    } else {
        let target = match &old.base {
            BaseType::Enum { .. } => ColumnType { base: BaseType::Text, array: old.array },
            _ => old.clone(),
        };
        let back =
            Postgres.using(col, &type_change(new, &target).conversion, &target).unwrap_or_else(|| col.to_string());
        format!("({back})::{}::{compare}", Postgres.render_type(&target))
    };
    let old_value = match &old.base {
        BaseType::Enum { .. } => format!("{}::text{arr}", ql(before)),
        _ => format!("{}::{}::{compare}", ql(before), Postgres.render_type(old)),
    };
    if old.base == BaseType::Json && !is_string(new) {
        // The same text, or the same JSON value (1.0 is 1); in that order,
        // since jsonb refuses some json text ("\u0000").
        return format!(
            "CASE WHEN {back} IS NOT DISTINCT FROM {old_value} THEN true \
             ELSE ({back})::jsonb{arr} IS NOT DISTINCT FROM ({old_value})::jsonb{arr} END"
        );
    }
    format!("{back} IS NOT DISTINCT FROM {old_value}")
}
