//! Schema evolution: the typed, ordered difference between two valid
//! documents, matched by stable ids, with a safety class for every change.
//!
//! Objects are matched by the `id` the designer's document gives them, so a
//! table or column whose name changes is a *rename* (its data stays), never a
//! drop and an add. Primary keys are matched by their table, single-column
//! UNIQUE constraints by their table and columns; a changed name on the same
//! key is a rename.
//!
//! The list is in an order PostgreSQL (13 or newer) can run in one
//! transaction:
//!
//! 0. drop views that go away or must be re-created (their queries
//!    change, or something they read changes type or loses a column), and
//!    the views over them;
//! 1. drop foreign keys that go away or must be re-created;
//! 2. drop indexes, checks, unique constraints and primary keys that go away
//!    or change, and identities that go away;
//! 3. drop generated columns that are re-created, make plain the ones
//!    that stop being generated (before a column they read goes), then drop
//!    columns, then tables;
//! 4. renames (enums, domains, tables, sequences, indexes and keys; then
//!    check and foreign-key constraints, and domains' checks; then columns;
//!    then enum labels), through a temporary name where two names are
//!    swapped;
//! 5. enums and domains: create new ones, add labels, rebuild the enums
//!    that lose or reorder labels and the domains whose base type or
//!    collation changes (old type renamed away, new type created);
//! 6. create tables, 7. add columns, 8. alter columns (type, NOT NULL,
//!    identity, default);
//!    then partitions: those whose bound changes are detached, new ones
//!    created, the detached ones attached again with their new bounds;
//! 9. drop the old types of rebuilt enums and domains, and the enums and
//!    domains that go away;
//! 10. add primary keys, unique constraints, checks (domains' too, and
//!     their NOT NULL) and indexes;
//! 11. add foreign keys; 12. create (or replace) routines; 13. create
//!     views (new and re-created, each after the views it reads, with their
//!     indexes); 14. create triggers and policies; 15. comments.
//!
//! ```
//! use schemaforge_domain::{parse_document, ValidSchema, Safety, diff::{diff, ChangeKind}};
//!
//! let v1 = ValidSchema::parse(parse_document(r#"{"name": "x", "tables": [{"id": "t1", "name": "orders",
//!   "columns": [{"id": "c1", "name": "id", "dataType": "integer", "primaryKey": true},
//!               {"id": "c2", "name": "total", "dataType": "integer"}]}]}"#).unwrap()).unwrap();
//! let v2 = ValidSchema::parse(parse_document(r#"{"name": "x", "tables": [{"id": "t1", "name": "orders",
//!   "columns": [{"id": "c1", "name": "id", "dataType": "integer", "primaryKey": true},
//!               {"id": "c2", "name": "amount", "dataType": "bigint"}]}]}"#).unwrap()).unwrap();
//! let changes = diff(&v1, &v2);
//! assert_eq!(changes.changes().len(), 2);
//! assert!(matches!(changes.changes()[0].kind, ChangeKind::RenameColumn { .. }));
//! assert_eq!(changes.changes()[1].target, "orders.amount");
//! assert_eq!(changes.worst(), Some(Safety::LocksTable));
//! assert!(diff(&v1, &v1).is_empty());
//! ```

mod carried;
mod change;
mod collations;
mod comments;
mod composites;
mod constraints;
mod detach;
mod domains;
mod enums;
mod extensions;
mod generated;
mod identity;
mod locks;
mod namespaces;
mod nulls;
mod partitions;
mod renames;
mod rules;
mod sequences;
mod text_search;
mod views;

use std::collections::{BTreeSet, HashMap, HashSet};

pub use change::{Change, ChangeKind, ChangeSet, ConstraintKind, MovedObject, Safety};
use renames::{PendingRename, TempNames, resolve_renames};
pub use rules::{Cast, Conversion, Shape, TypeChange, TypeContext, same_kind, type_change, type_change_in};

use crate::document::IndexMethod;
use crate::expr::Expr;
use crate::model::{
    BaseType, ColumnModel, ColumnType, DefaultFunction, DefaultValue, EnumModel, ExclusionModel, ForeignKeyModel,
    IndexModel, KeyConstraint, Model, ModelIndex, TableModel,
};
use crate::validate::ValidSchema;

/// The changes that turn `old`'s database into `new`'s, in an order that
/// runs in one transaction. Equal documents give an empty set.
pub fn diff(old: &ValidSchema, new: &ValidSchema) -> ChangeSet {
    diff_models(old.model(), new.model())
}

pub use detach::prepare;

/// [`diff`] on resolved models.
pub fn diff_models(old: &Model, new: &Model) -> ChangeSet {
    let (old, new) = prepare(old, new);
    diff_prepared(&old, &new)
}

/// [`diff_models`] on models [`prepare`] gave (a migration script renders
/// its changes against those).
pub fn diff_prepared(old: &Model, new: &Model) -> ChangeSet {
    let mut d = Differ::new(old, new);
    d.find_replaced();
    d.namespaces();
    d.moves();
    d.released_sequences();
    d.extensions();
    d.collations();
    d.text_search();
    d.sequences();
    d.enums();
    d.domains();
    d.composites();
    d.tables();
    d.foreign_keys();
    d.views();
    d.carried();
    d.object_comments();
    d.finish()
}

// ------------------------------------------------------------------ internals

/// Execution stages; changes are emitted into a stage and concatenated.
#[derive(Clone, Copy)]
enum Stage {
    DropCarried,
    DropViews,
    DetachFromParents,
    DropForeignKeys,
    DropConstraints,
    DropGeneratedColumns,
    DropColumnsAndTables,
    RenameNamespaces,
    CreateNamespaces,
    MoveObjects,
    RenameRelations,
    RenameConstraints,
    RenameColumns,
    RenameEnumValues,
    FinishMoves,
    CreateExtensions,
    Enums,
    AddTables,
    AddColumns,
    AlterColumns,
    AddGeneratedColumns,
    DetachPartitions,
    CreatePartitions,
    AttachPartitions,
    DropComposites,
    DropEnums,
    DropExtensions,
    AddConstraints,
    AddIndexes,
    AddForeignKeys,
    CreateRoutines,
    CreateViews,
    CreateTriggers,
    Comments,
    DropNamespaces,
}

const STAGES: usize = Stage::DropNamespaces as usize + 1;

const NOT_VALID: &str = "add it with NOT VALID (instant), then VALIDATE CONSTRAINT in a later transaction, which \
does not block writes";
const UNIQUE_INDEX_FIRST: &str = "CREATE UNIQUE INDEX CONCURRENTLY outside a transaction, then ADD CONSTRAINT ... \
USING INDEX";
const CONCURRENTLY: &str = "CREATE INDEX CONCURRENTLY outside a transaction does not block writes";

/// Whether two column types are the same, matching enums and domains by
/// id (a renamed or moved one is the same type; a rebuilt one is in
/// `rebuilt`), and an extension's types wherever the extension is.
fn same_type(a: &ColumnType, b: &ColumnType) -> bool {
    a.array == b.array
        && match (&a.base, &b.base) {
            (BaseType::Enum { id: x, .. }, BaseType::Enum { id: y, .. })
            | (BaseType::Domain { id: x, .. }, BaseType::Domain { id: y, .. })
            | (BaseType::Composite { id: x, .. }, BaseType::Composite { id: y, .. }) => x == y,
            (x, y) => x.unqualified() == y.unqualified(),
        }
}

/// A column's type for messages, with its collation if it has one.
fn typed(c: &ColumnModel) -> String {
    match &c.collation {
        Some(k) => format!("{} COLLATE \"{k}\"", c.ty.describe()),
        None => c.ty.describe(),
    }
}

/// A column's collation for messages (`default` when it has none).
fn collation_name(c: &ColumnModel) -> String {
    c.collation.as_ref().map_or_else(|| "the default".to_string(), |k| format!("\"{k}\""))
}

fn enum_id(ty: &ColumnType) -> Option<&str> {
    match &ty.base {
        BaseType::Enum { id, .. } => Some(id),
        _ => None,
    }
}

/// The id of the enum or domain a column's type is, which may be rebuilt.
fn type_id(ty: &ColumnType) -> Option<&str> {
    match &ty.base {
        BaseType::Enum { id, .. } | BaseType::Domain { id, .. } | BaseType::Composite { id, .. } => Some(id),
        _ => None,
    }
}

fn index_by_id<'m>(t: &'m TableModel, id: &str) -> Option<&'m IndexModel> {
    t.indexes.iter().find(|x| x.id == id)
}

fn same_index(a: &IndexModel, b: &IndexModel) -> bool {
    a.unique == b.unique
        && a.method == b.method
        && a.columns.len() == b.columns.len()
        && a.columns.iter().zip(&b.columns).all(|(x, y)| x.same_modulo_names(y))
        && a.include == b.include
        && a.nulls_not_distinct == b.nulls_not_distinct
        && match (&a.predicate, &b.predicate) {
            (None, None) => true,
            (Some(x), Some(y)) => x.same_modulo_names(y),
            _ => false,
        }
}

/// Whether two foreign keys tie the same columns to the same key.
fn same_columns(a: &ForeignKeyModel, b: &ForeignKeyModel) -> bool {
    a.source_table_id == b.source_table_id
        && a.source_column_ids == b.source_column_ids
        && a.target_table_id == b.target_table_id
        && a.target_column_ids == b.target_column_ids
}

fn same_foreign_key(a: &ForeignKeyModel, b: &ForeignKeyModel) -> bool {
    same_columns(a, b)
        && a.on_delete == b.on_delete
        && a.on_update == b.on_update
        && a.match_full == b.match_full
        && a.deferral == b.deferral
}

/// Whether two defaults are the same: a sequence's by its id (a renamed
/// sequence is the same sequence, and PostgreSQL's default follows it).
fn same_default(a: Option<&DefaultValue>, b: Option<&DefaultValue>) -> bool {
    match (a, b) {
        (Some(DefaultValue::NextVal { sequence_id: x, .. }), Some(DefaultValue::NextVal { sequence_id: y, .. })) => {
            x == y
        }
        (a, b) => a == b,
    }
}

fn is_volatile(default: Option<&DefaultValue>) -> bool {
    match default {
        Some(DefaultValue::Function(f)) => {
            matches!(f, DefaultFunction::ClockTimestamp | DefaultFunction::GenRandomUuid)
        }
        Some(DefaultValue::Expression(e)) => e.volatile(),
        Some(DefaultValue::NextVal { .. }) => true,
        _ => false,
    }
}

fn quoted(label: &str) -> String {
    format!("'{}'", label.replace('\'', "''"))
}

fn col_target(t: &TableModel, c: &ColumnModel) -> String {
    format!("{}.{}", t.shown(), c.name)
}

struct Differ<'m> {
    /// The two models, with lookups by id (a diff of many tables stays
    /// linear).
    old_ix: ModelIndex<'m>,
    new_ix: ModelIndex<'m>,
    stages: Vec<Vec<Change>>,
    relation_renames: Vec<PendingRename>,
    constraint_renames: Vec<PendingRename>,
    temp: TempNames,
    /// Enums and domains rebuilt (by id).
    rebuilt: HashSet<String>,
    /// Surviving columns whose type changes, with whether checks, index
    /// predicates and foreign keys over them survive the change
    /// (`TypeChange::keeps_dependents`).
    retyped: HashMap<(String, String), bool>,
    /// Surviving generated columns that are dropped and added again (a new
    /// expression, a column it reads changes type, or a plain column
    /// becomes generated): every dependent is re-created around them.
    recreated: HashSet<(String, String)>,
    /// Surviving columns whose collation changes: an index element with an
    /// explicit collation over one is re-created (PostgreSQL rebuilds it
    /// from its printed definition, which omits a collation equal to the
    /// column's, and so would lose it).
    recollated: HashSet<(String, String)>,
    /// Old unique keys (table id, column set) that are dropped: foreign keys
    /// that depend on them must be dropped first.
    dropped_keys: HashSet<(String, BTreeSet<String>)>,
    /// Old namespaces that go away while a new one takes their name, by
    /// the new one's id: the schema stays and becomes the new one.
    adopted: HashMap<String, String>,
    /// Surviving tables dropped and created again (their partitioning
    /// changes): everything that depends on them is re-created too.
    replaced: HashSet<String>,
}

impl<'m> Differ<'m> {
    fn new(old: &'m Model, new: &'m Model) -> Self {
        Self {
            old_ix: ModelIndex::new(old),
            new_ix: ModelIndex::new(new),
            stages: (0..STAGES).map(|_| Vec::new()).collect(),
            relation_renames: Vec::new(),
            constraint_renames: Vec::new(),
            temp: TempNames::new([old, new]),
            rebuilt: HashSet::new(),
            retyped: HashMap::new(),
            recreated: HashSet::new(),
            recollated: HashSet::new(),
            dropped_keys: HashSet::new(),
            adopted: HashMap::new(),
            replaced: HashSet::new(),
        }
    }

    fn push(&mut self, stage: Stage, change: Change) {
        self.stages[stage as usize].push(change);
    }

    /// Push a change that is safe and needs no explanation.
    fn push_safe(&mut self, stage: Stage, kind: ChangeKind, target: impl Into<String>, description: String) {
        self.push(stage, Change::new(kind, Safety::Safe, target, description));
    }

    /// The name a type that goes away has when it is dropped: first moved
    /// to a temporary name when a type of the new model (an enum, domain,
    /// composite type or table's row type) takes its name.
    fn type_out_of_the_way(
        &mut self,
        what: &str,
        name: &crate::Ident,
        rename: impl FnOnce(String, String) -> ChangeKind,
    ) -> String {
        let new = self.new_ix.model();
        let taken = new.enums.iter().map(|e| &e.name).any(|n| n == name)
            || new.domains.iter().any(|d| &d.name == name)
            || new.composites.iter().any(|c| &c.name == name)
            || new.tables.iter().any(|t| &t.name == name);
        self.out_of_the_way(what, name, taken, "a new type takes its name", rename)
    }

    /// The name an object that goes has when it is dropped: when `taken`
    /// (a new object wants its name), first renamed to a temporary name.
    fn out_of_the_way(
        &mut self,
        what: &str,
        name: &crate::Ident,
        taken: bool,
        why: &str,
        rename: impl FnOnce(String, String) -> ChangeKind,
    ) -> String {
        let name = name.to_string();
        if !taken {
            return name;
        }
        let tmp = self.temp.fresh();
        self.push_safe(
            Stage::RenameRelations,
            rename(name.clone(), tmp.clone()),
            name.clone(),
            format!("rename {what} {name} to {tmp} until it is dropped ({why})"),
        );
        tmp
    }

    fn finish(mut self) -> ChangeSet {
        let constraint_names: HashSet<String> = self.constraint_renames.iter().map(|r| r.from.clone()).collect();
        let (relations, deferred) =
            resolve_renames(std::mem::take(&mut self.relation_renames), &mut self.temp, &constraint_names);
        let (constraints, _) =
            resolve_renames(std::mem::take(&mut self.constraint_renames), &mut self.temp, &HashSet::new());
        self.stages[Stage::RenameRelations as usize].extend(relations);
        self.stages[Stage::RenameConstraints as usize].extend(constraints);
        self.stages[Stage::RenameConstraints as usize].extend(deferred);
        let mut changes: Vec<Change> = self.stages.into_iter().flatten().collect();
        locks::note_held_locks(&mut changes, &self.old_ix, &self.new_ix);
        ChangeSet { changes }
    }

    // -------------------------------------------------------------- tables

    fn tables(&mut self) {
        let (old, new) = (self.old_ix.model(), self.new_ix.model());
        // Which columns change type, first: dependent checks, indexes and
        // foreign keys must be re-created around the change.
        for o in &old.tables {
            let Some(n) = self.new_ix.table(&o.id) else { continue };
            for oc in &o.columns {
                let Some(nc) = n.column(&oc.id) else { continue };
                let rebuilt = type_id(&oc.ty).is_some_and(|id| self.rebuilt.contains(id));
                let recollated = oc.collation != nc.collation;
                if recollated {
                    self.recollated.insert((o.id.clone(), oc.id.clone()));
                }
                // A new collation alone is a type change that keeps every
                // dependent (PostgreSQL rebuilds the indexes itself).
                let collation_only = recollated && same_type(&oc.ty, &nc.ty) && !rebuilt;
                if !same_type(&oc.ty, &nc.ty) || rebuilt || collation_only {
                    let keeps = collation_only || (!rebuilt && type_change(&oc.ty, &nc.ty).keeps_dependents);
                    self.retyped.insert((o.id.clone(), oc.id.clone()), keeps);
                }
            }
        }
        self.find_recreated();
        for o in &old.tables {
            match self.new_ix.table(&o.id) {
                None => self.push(
                    Stage::DropColumnsAndTables,
                    Change::new(
                        ChangeKind::DropTable { table_id: o.id.clone() },
                        Safety::DataLoss,
                        o.shown(),
                        format!("drop table {}", o.shown()),
                    )
                    .why("the table and every row in it are deleted")
                    .instead("rename the table and drop it in a later migration, once nothing reads it"),
                ),
                Some(n) if self.replaced.contains(&o.id) => self.replace_table(o, n),
                Some(n) => self.table(o, n),
            }
        }
        for n in &new.tables {
            if self.old_ix.table(&n.id).is_none() {
                self.added_table(n);
            }
        }
    }

    fn added_table(&mut self, n: &TableModel) {
        self.push_safe(
            Stage::AddTables,
            ChangeKind::AddTable { table_id: n.id.clone() },
            n.shown(),
            format!("create table {}", n.shown()),
        );
        for x in &n.indexes {
            self.add_index(n, x, false);
        }
        self.added_partitions(n);
        if n.comment.is_some() {
            self.table_comment(n);
        }
        for c in n.columns.iter().filter(|c| c.comment.is_some()) {
            self.column_comment(n, c);
        }
    }

    fn table_comment(&mut self, n: &TableModel) {
        let verb = if n.comment.is_some() { "set" } else { "remove" };
        self.push_safe(
            Stage::Comments,
            ChangeKind::SetTableComment { table_id: n.id.clone() },
            n.shown(),
            format!("{verb} comment on table {}", n.shown()),
        );
    }

    fn column_comment(&mut self, n: &TableModel, c: &ColumnModel) {
        let verb = if c.comment.is_some() { "set" } else { "remove" };
        self.push_safe(
            Stage::Comments,
            ChangeKind::SetColumnComment { table_id: n.id.clone(), column_id: c.id.clone() },
            col_target(n, c),
            format!("{verb} comment on column {}", col_target(n, c)),
        );
    }

    fn table(&mut self, o: &TableModel, n: &TableModel) {
        let tid = n.id.clone();
        if o.name != n.name {
            let id = tid.clone();
            self.relation_renames.push(
                PendingRename::new("table", n.shown(), o.name.to_string(), n.name.to_string(), move |from, to| {
                    ChangeKind::RenameTable { table_id: id.clone(), from, to }
                })
                .prefix(n.namespace.as_ref().map(|ns| format!("{}.", ns.name)).unwrap_or_default()),
            );
        }
        if o.comment != n.comment {
            self.table_comment(n);
        }
        // Columns.
        let mut column_renames = Vec::new();
        for oc in &o.columns {
            match n.column(&oc.id) {
                None if oc.generated.is_some() => self.drop_generated(o, oc),
                None => self.push(
                    Stage::DropColumnsAndTables,
                    Change::new(
                        ChangeKind::DropColumn { table_id: tid.clone(), column_id: oc.id.clone() },
                        Safety::DataLoss,
                        col_target(o, oc),
                        format!("drop column {}", col_target(o, oc)),
                    )
                    .why("the column's values in every row are deleted")
                    .instead("stop using the column first; drop it in a later migration once no code reads it"),
                ),
                Some(nc) => {
                    if oc.name != nc.name && !self.is_recreated(&o.id, &oc.id) {
                        let (id, cid) = (tid.clone(), nc.id.clone());
                        column_renames.push(
                            PendingRename::new(
                                "column",
                                col_target(n, nc),
                                oc.name.to_string(),
                                nc.name.to_string(),
                                move |from, to| ChangeKind::RenameColumn {
                                    table_id: id.clone(),
                                    column_id: cid.clone(),
                                    from,
                                    to,
                                },
                            )
                            .prefix(format!("{}.", n.shown())),
                        );
                    }
                    self.column(o, oc, n, nc);
                }
            }
        }
        let (renames, _) = resolve_renames(column_renames, &mut self.temp, &HashSet::new());
        self.stages[Stage::RenameColumns as usize].extend(renames);
        for nc in &n.columns {
            if o.column(&nc.id).is_none() {
                self.added_column(n, nc);
            }
        }
        self.keys(o, n);
        self.checks(o, n);
        self.indexes(o, n);
        self.exclusions(o, n);
        self.partitions(o, n);
    }

    fn added_column(&mut self, n: &TableModel, c: &ColumnModel) {
        if c.generated.is_some() {
            return self.add_generated(n, c, false);
        }
        let change = Change::new(
            ChangeKind::AddColumn { table_id: n.id.clone(), column_id: c.id.clone() },
            Safety::Safe,
            col_target(n, c),
            format!("add column {} {}", col_target(n, c), c.ty.describe()),
        );
        let change = if !c.nullable && c.default.is_none() && c.identity.is_none() {
            change.risk(
                Safety::MayFail,
                "a NOT NULL column without a default cannot be added to a table that has rows",
                "add it nullable (or with a default), backfill it, then SET NOT NULL",
            )
        } else if self.added_domain_value_passes(c) {
            change.risk(
                Safety::LocksTable,
                &format!(
                    "{} has constraints: PostgreSQL rewrites the table to check every row's value, which is NULL \
                     here and passes them",
                    c.ty.describe()
                ),
                "add the column as the domain's base type, then convert it to the domain",
            )
        } else if matches!(c.ty.base, BaseType::Domain { constrained: true, .. }) && !c.ty.array {
            change.risk(
                Safety::MayFail,
                &format!(
                    "{} has constraints: PostgreSQL rewrites the table to check every row's value (the default, or \
                     NULL) against them, and fails if they refuse it",
                    c.ty.describe()
                ),
                "add the column as the domain's base type, backfill it, then convert it to the domain",
            )
        } else if c.identity.is_some() || is_volatile(c.default.as_ref()) {
            change.risk(
                Safety::LocksTable,
                "every existing row gets its own value, so the table is rewritten under an exclusive lock",
                "add the column without a default, backfill it in batches, then set the default",
            )
        } else {
            change
        };
        self.push(Stage::AddColumns, change);
        if c.comment.is_some() {
            self.column_comment(n, c);
        }
    }

    /// Whether a column of a constrained domain, added without a default
    /// to a domain without one, has values (NULL) that pass the domain's
    /// constraints: no NOT NULL, and every check true or unknown on NULL.
    fn added_domain_value_passes(&self, c: &ColumnModel) -> bool {
        let BaseType::Domain { id, constrained: true, .. } = &c.ty.base else { return false };
        let Some(d) = self.new_ix.domain(id) else { return false };
        let null: HashSet<&str> = [crate::model::DOMAIN_VALUE_ID].into();
        !c.ty.array
            && c.default.is_none()
            && d.default.is_none()
            && !d.not_null
            && d.checks.iter().all(|k| nulls::check_on_nulls(&k.expr, &null) == Some(true))
    }

    fn column(&mut self, o: &TableModel, oc: &ColumnModel, n: &TableModel, nc: &ColumnModel) {
        if self.generation(o, oc, n, nc) {
            return;
        }
        let ids = || (n.id.clone(), nc.id.clone());
        let target = col_target(n, nc);
        let retyped = self.retyped.contains_key(&ids());
        if oc.identity.is_some() && nc.identity.is_none() {
            let (table_id, column_id) = ids();
            self.push(
                Stage::DropConstraints,
                Change::new(
                    ChangeKind::DropIdentity { table_id, column_id },
                    Safety::Safe,
                    col_target(o, oc),
                    format!("drop identity of {}", col_target(o, oc)),
                )
                .why("existing values stay; new rows must supply their own"),
            );
        }
        if let (Some(a), Some(b)) = (&oc.identity, &nc.identity) {
            self.identity_settings(a, b, &target, ids());
            if a.sequence != b.sequence {
                let (id, cid) = ids();
                self.relation_renames.push(PendingRename::new(
                    "sequence",
                    target.clone(),
                    a.sequence.to_string(),
                    b.sequence.to_string(),
                    move |from, to| ChangeKind::RenameSequence {
                        table_id: id.clone(),
                        column_id: cid.clone(),
                        from,
                        to,
                    },
                ));
            }
        }
        let default_changes = !same_default(oc.default.as_ref(), nc.default.as_ref()) || retyped;
        if oc.default.is_some() && nc.default.is_none() && !retyped {
            let (table_id, column_id) = ids();
            self.push_safe(
                Stage::AlterColumns,
                ChangeKind::DropDefault { table_id, column_id },
                target.clone(),
                format!("drop default of {target}"),
            );
        }
        if retyped {
            self.alter_type(o, oc, n, nc);
        }
        if oc.nullable && !nc.nullable {
            let (table_id, column_id) = ids();
            self.push(
                Stage::AlterColumns,
                Change::new(
                    ChangeKind::SetNotNull { table_id, column_id },
                    Safety::MayFail,
                    target.clone(),
                    format!("set {target} NOT NULL"),
                )
                .why("fails if any row holds NULL; the whole table is scanned under an exclusive lock")
                .instead(
                    "backfill the NULLs first; on a big table add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it, \
                     then SET NOT NULL (PostgreSQL 12+ skips the scan)",
                ),
            );
        } else if !oc.nullable && nc.nullable {
            let (table_id, column_id) = ids();
            self.push_safe(
                Stage::AlterColumns,
                ChangeKind::DropNotNull { table_id, column_id },
                target.clone(),
                format!("allow NULL in {target}"),
            );
        }
        if oc.identity.is_none() && nc.identity.is_some() {
            let (table_id, column_id) = ids();
            self.push(
                Stage::AlterColumns,
                Change::new(
                    ChangeKind::AddIdentity { table_id, column_id },
                    Safety::Safe,
                    target.clone(),
                    format!("make {target} an identity column"),
                )
                .why("existing values stay; the sequence starts after the largest one")
                .risk(
                    if self.leads_an_index(o, n, &oc.id) { Safety::Safe } else { Safety::LocksTable },
                    "existing values stay, but finding the largest one to start the sequence after (MAX) scans \
                     the whole table under the exclusive lock: no index leads with the column",
                    "create an index on the column first (CONCURRENTLY), or set the sequence's start yourself",
                ),
            );
        }
        if default_changes && nc.default.is_some() {
            let (table_id, column_id) = ids();
            self.push(
                Stage::AlterColumns,
                Change::new(
                    ChangeKind::SetDefault { table_id, column_id },
                    Safety::Safe,
                    target.clone(),
                    format!("set default of {target}"),
                )
                .why("only rows inserted later get the new default"),
            );
        }
        if oc.comment != nc.comment {
            self.column_comment(n, nc);
        }
    }

    /// ALTER COLUMN ... TYPE, classified in the column's context.
    fn alter_type(&mut self, o: &TableModel, oc: &ColumnModel, n: &TableModel, nc: &ColumnModel) {
        let target = col_target(n, nc);
        let context = TypeContext {
            old_labels: enum_id(&oc.ty).and_then(|id| self.old_ix.enum_type(id)).map(|e| e.values.as_slice()),
            checked: o.checks.iter().any(|k| k.expr.column_ids().contains(&oc.id.as_str()) && self.check_stays(n, k)),
            in_partial_index: o.indexes.iter().any(|x| {
                let reads = x.columns.iter().any(|c| c.column_ids().contains(&oc.id.as_str()))
                    || x.predicate.as_ref().is_some_and(|p| p.column_ids().contains(&oc.id.as_str()));
                x.predicate.is_some() && reads && self.index_stays(n, x)
            }),
            indexed: self.indexed(o, oc, n),
            kept_constraints: self.kept_constraints(&oc.ty, &nc.ty),
        };
        let rebuilt = type_id(&oc.ty).is_some_and(|id| self.rebuilt.contains(id));
        let tc = if same_type(&oc.ty, &nc.ty) && !rebuilt {
            self.collation_change(&context)
        } else if let (true, BaseType::Composite { id, .. }) = (same_type(&oc.ty, &nc.ty), &nc.ty.base) {
            self.composite_conversion(id)
        } else {
            type_change_in(&oc.ty, &nc.ty, &context)
        };
        let (table_id, column_id) = (n.id.clone(), nc.id.clone());
        let description = if same_type(&oc.ty, &nc.ty) && !rebuilt {
            format!("change collation of {target} from {} to {}", collation_name(oc), collation_name(nc))
        } else if same_type(&oc.ty, &nc.ty) {
            format!("convert {target} to the rebuilt {}", nc.ty.describe())
        } else {
            format!("change type of {target} from {} to {}", typed(oc), typed(nc))
        };
        let mut change = Change::new(
            ChangeKind::AlterColumnType {
                table_id,
                column_id,
                from: typed(oc),
                to: typed(nc),
                conversion: tc.conversion,
                drop_default: oc.default.is_some(),
            },
            tc.safety,
            target.clone(),
            description,
        )
        .why(tc.explanation);
        change.alternative = tc.alternative;
        self.push(Stage::AlterColumns, change);
    }

    /// Whether `new` is the domain `old` rebuilt with no constraint its
    /// values did not meet before (the same checks by id and expression,
    /// NOT NULL only if it was).
    fn kept_constraints(&self, old: &ColumnType, new: &ColumnType) -> bool {
        let (BaseType::Domain { id: a, .. }, BaseType::Domain { id: b, .. }) = (&old.base, &new.base) else {
            return false;
        };
        let (Some(o), Some(n)) = (self.old_ix.domain(a), self.new_ix.domain(b)) else { return false };
        a == b
            && (o.not_null || !n.not_null)
            && n.checks.iter().all(|k| o.check(&k.id).is_some_and(|ok| ok.expr.same_modulo_names(&k.expr)))
    }

    /// A change of collation alone: no rewrite, but PostgreSQL rebuilds
    /// every index and key over the column, and re-checks the checks that
    /// read it, under an exclusive lock.
    fn collation_change(&self, context: &TypeContext<'_>) -> TypeChange {
        let mut around = Vec::new();
        if context.indexed {
            around.push("rebuilds the indexes and keys over it");
        }
        if context.checked {
            around.push("re-checks every row against the checks that read it");
        }
        let (safety, explanation, alternative) = if around.is_empty() {
            (Safety::Safe, "a new collation only changes the catalog: no rewrite, no scan".to_string(), None)
        } else {
            (
                Safety::LocksTable,
                format!(
                    "a new collation does not rewrite the table, but PostgreSQL {} under an exclusive lock",
                    around.join(" and ")
                ),
                Some("on a big table, build an index with the new collation CONCURRENTLY first, then swap".to_string()),
            )
        };
        TypeChange {
            safety,
            conversion: Conversion { cast: Cast::Automatic, shape: Shape::Same },
            rewrites: false,
            keeps_dependents: true,
            explanation,
            alternative,
        }
    }

    /// Whether a key or index that stays in place reads the column.
    fn indexed(&self, o: &TableModel, oc: &ColumnModel, n: &TableModel) -> bool {
        let id = oc.id.as_str();
        let keyed = |k: &KeyConstraint| k.column_ids.iter().any(|c| c == id);
        o.primary_key.as_ref().is_some_and(keyed)
            || o.uniques.iter().any(keyed)
            || o.indexes
                .iter()
                .any(|x| x.columns.iter().any(|c| c.column_ids().contains(&id)) && index_by_id(n, &x.id).is_some())
    }

    /// Whether an old check stays in place (PostgreSQL keeps it, and
    /// re-checks it when a column it reads changes type).
    fn check_stays(&self, n: &TableModel, k: &crate::model::CheckModel) -> bool {
        n.checks.iter().any(|x| x.id == k.id && x.expr.same_modulo_names(&k.expr))
            && !self.reads_retyped(&n.id, &k.expr)
    }

    /// Whether an old index stays in place through the migration.
    fn index_stays(&self, n: &TableModel, x: &IndexModel) -> bool {
        index_by_id(n, &x.id).is_some_and(|nx| same_index(x, nx)) && !self.index_reads_retyped(&n.id, x)
    }

    /// Whether an index's predicate or expression elements read a column
    /// whose type changes: PostgreSQL would re-parse them under the new
    /// type, so the index is dropped and built again instead.
    pub(super) fn index_reads_retyped(&self, table_id: &str, x: &IndexModel) -> bool {
        x.predicate.as_ref().is_some_and(|p| self.reads_retyped(table_id, p))
            || x.columns.iter().any(|c| match &c.key {
                crate::model::IndexKey::Expression(e) => self.reads_retyped(table_id, e),
                crate::model::IndexKey::Column(id) => {
                    self.is_recreated(table_id, id)
                        || (c.collation.is_some() && self.recollated.contains(&(table_id.to_string(), id.clone())))
                }
            })
            || x.include.iter().any(|id| self.is_recreated(table_id, id))
    }

    /// Whether a btree index that stays in place has `column_id` as its
    /// first column, so that `MAX(col)` reads one entry instead of the table.
    fn leads_an_index(&self, o: &TableModel, n: &TableModel, column_id: &str) -> bool {
        let leads = |ids: &[String]| ids.first().is_some_and(|c| c == column_id);
        let same_pk = |k: &KeyConstraint| n.primary_key.as_ref().is_some_and(|x| x.column_ids == k.column_ids);
        o.primary_key.as_ref().is_some_and(|k| leads(&k.column_ids) && same_pk(k))
            || o.uniques.iter().any(|u| leads(&u.column_ids) && n.uniques.iter().any(|x| x.column_ids == u.column_ids))
            || o.indexes.iter().any(|x| {
                x.method == IndexMethod::Btree
                    && x.predicate.is_none()
                    && x.columns.first().is_some_and(|c| c.column_id() == Some(column_id))
                    && self.index_stays(n, x)
            })
    }

    /// The columns of an existing table that this migration adds and that
    /// hold only NULLs afterwards (nullable, no default, no identity).
    fn new_null_columns<'t>(&self, n: &'t TableModel) -> HashSet<&'t str> {
        let Some(o) = self.old_ix.table(&n.id) else { return HashSet::new() };
        n.columns
            .iter()
            .filter(|c| o.column(&c.id).is_none() && c.nullable && c.default.is_none() && c.identity.is_none())
            .map(|c| c.id.as_str())
            .collect()
    }

    /// Whether a column changes type in a way that its dependents must be
    /// re-created around (PostgreSQL would re-parse their stored text
    /// against the old types).
    fn opaque(&self, table_id: &str, column_id: &str) -> bool {
        let key = (table_id.to_string(), column_id.to_string());
        self.retyped.get(&key).is_some_and(|keeps| !keeps) || self.recreated.contains(&key)
    }

    /// Whether a check or index predicate reads such a column.
    fn reads_retyped(&self, table_id: &str, expr: &Expr) -> bool {
        expr.column_ids().iter().any(|c| self.opaque(table_id, c))
    }
}

#[cfg(test)]
mod tests;
