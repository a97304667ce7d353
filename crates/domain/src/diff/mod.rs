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
//! 1. drop foreign keys that go away or must be re-created;
//! 2. drop indexes, checks, unique constraints and primary keys that go away
//!    or change, and identities that go away;
//! 3. drop columns, then tables;
//! 4. renames (enums, tables, sequences, indexes and keys; then check and
//!    foreign-key constraints; then columns; then enum labels), through a
//!    temporary name where two names are swapped;
//! 5. enums: create new ones, add labels, rebuild the ones that lose or
//!    reorder labels (old type renamed away, new type created);
//! 6. create tables, 7. add columns, 8. alter columns (type, NOT NULL,
//!    identity, default);
//! 9. drop the old types of rebuilt enums and the enums that go away;
//! 10. add primary keys, unique constraints, checks and indexes;
//! 11. add foreign keys; 12. comments.
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

mod locks;
mod nulls;
mod rules;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;

use serde::Serialize;

pub use rules::{Cast, Conversion, Shape, TypeChange, TypeContext, type_change, type_change_in};

use crate::document::IndexMethod;
use crate::expr::Expr;
use crate::model::{
    BaseType, ColumnModel, ColumnType, DefaultFunction, DefaultValue, EnumModel, ForeignKeyModel, IndexModel,
    KeyConstraint, Model, TableModel,
};
use crate::validate::ValidSchema;

/// How risky a change is for a database that already holds data, from
/// harmless to destructive (the order is that of severity).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Safety {
    /// Cannot fail, loses nothing, holds locks only briefly.
    Safe,
    /// Rewrites or scans the table (or builds an index) under a lock that
    /// blocks writes, or reads, for as long as that takes.
    LocksTable,
    /// Can fail on existing rows (NULLs, duplicates, values that do not
    /// convert); the transaction then rolls back and nothing changes.
    MayFail,
    /// Destroys data that the down migration cannot bring back.
    DataLoss,
}

impl Safety {
    /// Every class, from safe to data loss.
    pub const ALL: [Safety; 4] = [Self::Safe, Self::LocksTable, Self::MayFail, Self::DataLoss];

    /// The snake_case name used in JSON, e.g. `data_loss`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Safe => "safe",
            Self::LocksTable => "locks_table",
            Self::MayFail => "may_fail",
            Self::DataLoss => "data_loss",
        }
    }
}

impl fmt::Display for Safety {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which kind of named constraint a rename touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConstraintKind {
    /// The table's primary key (renaming it renames its index).
    PrimaryKey,
    /// A UNIQUE constraint (renaming it renames its index).
    Unique,
    /// A CHECK constraint.
    Check,
    /// A FOREIGN KEY constraint (on its source table).
    ForeignKey,
}

/// What a change does, by stable ids. Objects that are dropped are looked up
/// in the old model, everything else in the new one; renames carry both names
/// (one may be a temporary name when two names are swapped).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case", rename_all_fields = "camelCase")]
#[allow(missing_docs)] // the fields are ids and names; the variant docs say what happens
pub enum ChangeKind {
    /// CREATE TYPE ... AS ENUM.
    CreateEnum { enum_id: String },
    /// DROP TYPE `name` (an enum that goes away, or the old type of a rebuilt one).
    DropEnum { enum_id: String, name: String },
    /// ALTER TYPE ... RENAME TO.
    RenameEnum { enum_id: String, from: String, to: String },
    /// ALTER TYPE ... ADD VALUE, placed before or after an existing label.
    AddEnumValue {
        enum_id: String,
        value: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        before: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        after: Option<String>,
    },
    /// ALTER TYPE ... RENAME VALUE (a label replaced at the same position).
    RenameEnumValue { enum_id: String, from: String, to: String },
    /// Rename the type to `old_name`, then create it again with the new
    /// labels; its columns are converted by `AlterColumnType` changes and the
    /// old type dropped by a `DropEnum` change.
    RebuildEnum { enum_id: String, old_name: String },
    /// CREATE TABLE with its primary key, unique and check constraints.
    AddTable { table_id: String },
    /// DROP TABLE.
    DropTable { table_id: String },
    /// ALTER TABLE ... RENAME TO.
    RenameTable { table_id: String, from: String, to: String },
    /// ALTER TABLE ... ADD COLUMN.
    AddColumn { table_id: String, column_id: String },
    /// ALTER TABLE ... DROP COLUMN.
    DropColumn { table_id: String, column_id: String },
    /// ALTER TABLE ... RENAME COLUMN.
    RenameColumn { table_id: String, column_id: String, from: String, to: String },
    /// ALTER COLUMN ... TYPE, dropping the old default first when
    /// `drop_default` (a `SetDefault` change follows when there is a new one).
    AlterColumnType {
        table_id: String,
        column_id: String,
        from: String,
        to: String,
        #[serde(skip_serializing)]
        conversion: Conversion,
        drop_default: bool,
    },
    /// ALTER COLUMN ... SET NOT NULL.
    SetNotNull { table_id: String, column_id: String },
    /// ALTER COLUMN ... DROP NOT NULL.
    DropNotNull { table_id: String, column_id: String },
    /// ALTER COLUMN ... SET DEFAULT.
    SetDefault { table_id: String, column_id: String },
    /// ALTER COLUMN ... DROP DEFAULT.
    DropDefault { table_id: String, column_id: String },
    /// ALTER COLUMN ... ADD GENERATED BY DEFAULT AS IDENTITY, with the
    /// sequence moved past the largest existing value.
    AddIdentity { table_id: String, column_id: String },
    /// ALTER COLUMN ... DROP IDENTITY.
    DropIdentity { table_id: String, column_id: String },
    /// ALTER SEQUENCE ... RENAME TO (an identity column's sequence).
    RenameSequence { table_id: String, column_id: String, from: String, to: String },
    /// ADD CONSTRAINT ... PRIMARY KEY.
    AddPrimaryKey { table_id: String },
    /// DROP CONSTRAINT (the primary key).
    DropPrimaryKey { table_id: String },
    /// ADD CONSTRAINT ... UNIQUE.
    AddUnique { table_id: String, column_ids: Vec<String> },
    /// DROP CONSTRAINT (a unique constraint).
    DropUnique { table_id: String, column_ids: Vec<String> },
    /// ADD CONSTRAINT ... CHECK.
    AddCheck { table_id: String, check_id: String },
    /// DROP CONSTRAINT (a check).
    DropCheck { table_id: String, check_id: String },
    /// CREATE INDEX.
    AddIndex { table_id: String, index_id: String },
    /// DROP INDEX.
    DropIndex { table_id: String, index_id: String },
    /// ALTER INDEX ... RENAME TO.
    RenameIndex { table_id: String, index_id: String, from: String, to: String },
    /// Rename a constraint (primary key and unique ones through their index).
    RenameConstraint { table_id: String, constraint: ConstraintKind, from: String, to: String },
    /// ADD CONSTRAINT ... FOREIGN KEY.
    AddForeignKey { foreign_key_id: String },
    /// DROP CONSTRAINT (a foreign key).
    DropForeignKey { foreign_key_id: String },
    /// COMMENT ON TABLE (set or removed).
    SetTableComment { table_id: String },
    /// COMMENT ON COLUMN (set or removed).
    SetColumnComment { table_id: String, column_id: String },
    /// COMMENT ON TYPE (set or removed).
    SetEnumComment { enum_id: String },
}

/// One change, with its safety class and the reasons for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// What happens.
    pub kind: ChangeKind,
    /// How risky it is for existing data.
    pub safety: Safety,
    /// The object, by name in the document it belongs to, e.g. `orders.total`.
    pub target: String,
    /// One line for people, e.g. `change type of orders.total from integer to bigint`.
    pub description: String,
    /// Why the change has its safety class.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// A safer way to get the same result, where one exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alternative: Option<String>,
}

impl Change {
    fn new(kind: ChangeKind, safety: Safety, target: impl Into<String>, description: impl Into<String>) -> Self {
        Self {
            kind,
            safety,
            target: target.into(),
            description: description.into(),
            explanation: None,
            alternative: None,
        }
    }

    fn why(mut self, explanation: impl Into<String>) -> Self {
        self.explanation = Some(explanation.into());
        self
    }

    fn instead(mut self, alternative: impl Into<String>) -> Self {
        self.alternative = Some(alternative.into());
        self
    }

    /// `why` and `instead`, only when the change is not safe.
    fn risk(self, safety: Safety, explanation: &str, alternative: &str) -> Self {
        let mut c = self;
        c.safety = safety;
        if safety == Safety::Safe { c } else { c.why(explanation).instead(alternative) }
    }
}

/// The ordered changes that turn one document's database into another's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ChangeSet {
    changes: Vec<Change>,
}

impl ChangeSet {
    /// The changes, in execution order.
    pub fn changes(&self) -> &[Change] {
        &self.changes
    }

    /// Whether the documents describe the same database.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The most severe class of any change (`None` when empty).
    pub fn worst(&self) -> Option<Safety> {
        self.changes.iter().map(|c| c.safety).max()
    }

    /// Whether any change has class `safety`.
    pub fn has(&self, safety: Safety) -> bool {
        self.changes.iter().any(|c| c.safety == safety)
    }

    /// How many changes have each class, from safe to data loss.
    pub fn counts(&self) -> [(Safety, usize); 4] {
        Safety::ALL.map(|s| (s, self.changes.iter().filter(|c| c.safety == s).count()))
    }
}

impl IntoIterator for ChangeSet {
    type Item = Change;
    type IntoIter = std::vec::IntoIter<Change>;
    fn into_iter(self) -> Self::IntoIter {
        self.changes.into_iter()
    }
}

/// The changes that turn `old`'s database into `new`'s, in an order that
/// runs in one transaction. Equal documents give an empty set.
pub fn diff(old: &ValidSchema, new: &ValidSchema) -> ChangeSet {
    diff_models(old.model(), new.model())
}

/// [`diff`] on resolved models.
pub fn diff_models(old: &Model, new: &Model) -> ChangeSet {
    let mut d = Differ::new(old, new);
    d.enums();
    d.tables();
    d.foreign_keys();
    d.finish()
}

// ------------------------------------------------------------------ internals

/// Execution stages; changes are emitted into a stage and concatenated.
#[derive(Clone, Copy)]
enum Stage {
    DropForeignKeys,
    DropConstraints,
    DropColumnsAndTables,
    RenameRelations,
    RenameConstraints,
    RenameColumns,
    RenameEnumValues,
    Enums,
    AddTables,
    AddColumns,
    AlterColumns,
    DropEnums,
    AddConstraints,
    AddIndexes,
    AddForeignKeys,
    Comments,
}

const STAGES: usize = Stage::Comments as usize + 1;

/// A rename waiting for swap detection.
struct PendingRename {
    from: String,
    to: String,
    what: &'static str,
    target: String,
    make: Box<dyn Fn(String, String) -> ChangeKind>,
    /// A primary key or unique constraint: its index can be renamed at any
    /// time, so when a check or foreign key of the same name is renamed
    /// later, its last step waits until after those.
    key: bool,
    /// Written before `from` in descriptions (a column's table).
    prefix: String,
}

impl PendingRename {
    fn new(
        what: &'static str,
        target: impl Into<String>,
        from: impl fmt::Display,
        to: impl fmt::Display,
        make: impl Fn(String, String) -> ChangeKind + 'static,
    ) -> Self {
        Self {
            from: from.to_string(),
            to: to.to_string(),
            what,
            target: target.into(),
            make: Box::new(make),
            key: false,
            prefix: String::new(),
        }
    }

    fn key(mut self) -> Self {
        self.key = true;
        self
    }

    fn prefix(mut self, prefix: String) -> Self {
        self.prefix = prefix;
        self
    }
}

/// Names for the middle step of swaps and rebuilds: `sf_tmp_N`, unused by
/// either document.
struct TempNames {
    taken: HashSet<String>,
    next: usize,
}

impl TempNames {
    fn new(models: [&Model; 2]) -> Self {
        let mut taken = HashSet::new();
        for m in models {
            for e in &m.enums {
                taken.insert(e.name.to_string());
            }
            for fk in &m.foreign_keys {
                taken.insert(fk.name.to_string());
            }
            for t in &m.tables {
                taken.insert(t.name.to_string());
                taken.insert(t.primary_key.name.to_string());
                taken.extend(t.uniques.iter().map(|u| u.name.to_string()));
                taken.extend(t.checks.iter().map(|k| k.name.to_string()));
                taken.extend(t.indexes.iter().map(|x| x.name.to_string()));
                for c in &t.columns {
                    taken.insert(c.name.to_string());
                    taken.extend(c.identity.iter().map(|s| s.to_string()));
                }
            }
        }
        Self { taken, next: 1 }
    }

    fn fresh(&mut self) -> String {
        loop {
            let name = format!("sf_tmp_{}", self.next);
            self.next += 1;
            if self.taken.insert(name.clone()) {
                return name;
            }
        }
    }
}

const RENAME_NOTE: &str = "queries, views and application code that use the old name must change with it";
const NOT_VALID: &str = "add it with NOT VALID (instant), then VALIDATE CONSTRAINT in a later transaction, which \
does not block writes";
const UNIQUE_INDEX_FIRST: &str = "CREATE UNIQUE INDEX CONCURRENTLY outside a transaction, then ADD CONSTRAINT ... \
USING INDEX";
const CONCURRENTLY: &str = "CREATE INDEX CONCURRENTLY outside a transaction does not block writes";

/// Whether two column types are the same, matching enums by id.
fn same_type(a: &ColumnType, b: &ColumnType) -> bool {
    a.array == b.array
        && match (&a.base, &b.base) {
            (BaseType::Enum { id: x, .. }, BaseType::Enum { id: y, .. }) => x == y,
            (x, y) => x == y,
        }
}

fn enum_id(ty: &ColumnType) -> Option<&str> {
    match &ty.base {
        BaseType::Enum { id, .. } => Some(id),
        _ => None,
    }
}

fn index_by_id<'m>(t: &'m TableModel, id: &str) -> Option<&'m IndexModel> {
    t.indexes.iter().find(|x| x.id == id)
}

fn same_index(a: &IndexModel, b: &IndexModel) -> bool {
    a.unique == b.unique
        && a.method == b.method
        && a.columns == b.columns
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
    same_columns(a, b) && a.on_delete == b.on_delete && a.on_update == b.on_update
}

fn is_volatile(default: Option<&DefaultValue>) -> bool {
    matches!(default, Some(DefaultValue::Function(DefaultFunction::ClockTimestamp | DefaultFunction::GenRandomUuid)))
}

fn quoted(label: &str) -> String {
    format!("'{}'", label.replace('\'', "''"))
}

fn col_target(t: &TableModel, c: &ColumnModel) -> String {
    format!("{}.{}", t.name, c.name)
}

struct Differ<'m> {
    old: &'m Model,
    new: &'m Model,
    stages: Vec<Vec<Change>>,
    relation_renames: Vec<PendingRename>,
    constraint_renames: Vec<PendingRename>,
    temp: TempNames,
    /// Enums rebuilt (by id).
    rebuilt: HashSet<String>,
    /// Surviving columns whose type changes, with whether checks, index
    /// predicates and foreign keys over them survive the change
    /// (`TypeChange::keeps_dependents`).
    retyped: HashMap<(String, String), bool>,
    /// Old unique keys (table id, column set) that are dropped: foreign keys
    /// that depend on them must be dropped first.
    dropped_keys: HashSet<(String, BTreeSet<String>)>,
}

impl<'m> Differ<'m> {
    fn new(old: &'m Model, new: &'m Model) -> Self {
        Self {
            old,
            new,
            stages: (0..STAGES).map(|_| Vec::new()).collect(),
            relation_renames: Vec::new(),
            constraint_renames: Vec::new(),
            temp: TempNames::new([old, new]),
            rebuilt: HashSet::new(),
            retyped: HashMap::new(),
            dropped_keys: HashSet::new(),
        }
    }

    fn push(&mut self, stage: Stage, change: Change) {
        self.stages[stage as usize].push(change);
    }

    /// Push a change that is safe and needs no explanation.
    fn push_safe(&mut self, stage: Stage, kind: ChangeKind, target: impl Into<String>, description: String) {
        self.push(stage, Change::new(kind, Safety::Safe, target, description));
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
        locks::note_held_locks(&mut changes, self.old, self.new);
        ChangeSet { changes }
    }

    // -------------------------------------------------------------- enums

    /// Labels of the new model written as literals: a label added with ADD
    /// VALUE cannot be used in the transaction that adds it.
    fn literals_used(&self, e: &EnumModel) -> HashSet<&'m str> {
        let mut used = HashSet::new();
        for t in &self.new.tables {
            for c in &t.columns {
                if enum_id(&c.ty) != Some(e.id.as_str()) {
                    continue;
                }
                match &c.default {
                    Some(DefaultValue::Literal(s)) => {
                        used.insert(s.as_str());
                    }
                    Some(DefaultValue::Array(items)) => used.extend(items.iter().flatten().map(String::as_str)),
                    _ => {}
                }
            }
            for k in &t.checks {
                used.extend(k.expr.string_literals());
            }
            for x in &t.indexes {
                used.extend(x.predicate.iter().flat_map(Expr::string_literals));
            }
        }
        used
    }

    fn enums(&mut self) {
        let (old, new) = (self.old, self.new);
        let new_type_names: HashSet<&str> =
            new.enums.iter().map(|e| e.name.as_str()).chain(new.tables.iter().map(|t| t.name.as_str())).collect();
        for o in &old.enums {
            let Some(n) = new.enum_type(&o.id) else {
                // Dropped after the columns that use it; out of the way
                // first if a new type takes its name.
                let mut name = o.name.to_string();
                if new_type_names.contains(name.as_str()) {
                    let tmp = self.temp.fresh();
                    let id = o.id.clone();
                    self.push_safe(
                        Stage::RenameRelations,
                        ChangeKind::RenameEnum { enum_id: id, from: name.clone(), to: tmp.clone() },
                        name.clone(),
                        format!("rename enum {name} to {tmp} until it is dropped (a new type takes its name)"),
                    );
                    name = tmp;
                }
                self.push_safe(
                    Stage::DropEnums,
                    ChangeKind::DropEnum { enum_id: o.id.clone(), name: name.clone() },
                    o.name.as_str(),
                    format!("drop enum {}", o.name),
                );
                continue;
            };
            if o.name != n.name {
                let id = o.id.clone();
                self.relation_renames.push(PendingRename::new(
                    "enum",
                    n.name.to_string(),
                    o.name.to_string(),
                    n.name.to_string(),
                    move |from, to| ChangeKind::RenameEnum { enum_id: id.clone(), from, to },
                ));
            }
            self.enum_values(o, n);
            // A rebuilt type is a new type: its comment is set again.
            if o.comment != n.comment || (self.rebuilt.contains(&n.id) && n.comment.is_some()) {
                self.push_safe(
                    Stage::Comments,
                    ChangeKind::SetEnumComment { enum_id: n.id.clone() },
                    n.name.as_str(),
                    format!("{} comment on enum {}", if n.comment.is_some() { "set" } else { "remove" }, n.name),
                );
            }
        }
        for n in &new.enums {
            if old.enum_type(&n.id).is_none() {
                self.push_safe(
                    Stage::Enums,
                    ChangeKind::CreateEnum { enum_id: n.id.clone() },
                    n.name.as_str(),
                    format!("create enum {}", n.name),
                );
                if n.comment.is_some() {
                    self.push_safe(
                        Stage::Comments,
                        ChangeKind::SetEnumComment { enum_id: n.id.clone() },
                        n.name.as_str(),
                        format!("set comment on enum {}", n.name),
                    );
                }
            }
        }
    }

    fn enum_values(&mut self, o: &EnumModel, n: &EnumModel) {
        if o.values == n.values {
            return;
        }
        let target = n.name.to_string();
        let in_old: HashSet<&str> = o.values.iter().map(String::as_str).collect();
        let in_new: HashSet<&str> = n.values.iter().map(String::as_str).collect();
        // A label replaced in place by one that is new: a rename, which keeps
        // the rows that hold it.
        let replaced_in_place = o.values.len() == n.values.len()
            && o.values
                .iter()
                .zip(&n.values)
                .all(|(a, b)| a == b || (!in_new.contains(a.as_str()) && !in_old.contains(b.as_str())));
        if replaced_in_place {
            for (a, b) in o.values.iter().zip(&n.values).filter(|(a, b)| a != b) {
                self.push(
                    Stage::RenameEnumValues,
                    Change::new(
                        ChangeKind::RenameEnumValue { enum_id: n.id.clone(), from: a.clone(), to: b.clone() },
                        Safety::Safe,
                        target.clone(),
                        format!("rename label {} of enum {} to {}", quoted(a), n.name, quoted(b)),
                    )
                    .why(format!(
                        "{} is replaced by {} at the same position, so rows keep their value under the new label",
                        quoted(a),
                        quoted(b)
                    ))
                    .instead("to drop one label and add another instead, make the two edits in separate migrations"),
                );
            }
            return;
        }
        let removed: Vec<&String> = o.values.iter().filter(|v| !in_new.contains(v.as_str())).collect();
        let kept_old: Vec<&String> = o.values.iter().filter(|v| in_new.contains(v.as_str())).collect();
        let kept_new: Vec<&String> = n.values.iter().filter(|v| in_old.contains(v.as_str())).collect();
        let used = self.literals_used(n);
        let added_used: Vec<&String> =
            n.values.iter().filter(|v| !in_old.contains(v.as_str()) && used.contains(v.as_str())).collect();
        if removed.is_empty() && kept_old == kept_new && added_used.is_empty() {
            for (i, v) in n.values.iter().enumerate() {
                if in_old.contains(v.as_str()) {
                    continue;
                }
                // Every earlier label exists by now; the first one goes
                // before the first kept label.
                let (before, after) = match i {
                    0 => (kept_new.first().map(|s| (*s).clone()), None),
                    _ => (None, Some(n.values[i - 1].clone())),
                };
                self.push_safe(
                    Stage::Enums,
                    ChangeKind::AddEnumValue { enum_id: n.id.clone(), value: v.clone(), before, after },
                    target.clone(),
                    format!("add label {} to enum {}", quoted(v), n.name),
                );
            }
            return;
        }
        let (safety, why) = if !removed.is_empty() {
            let labels: Vec<String> = removed.iter().map(|v| quoted(v)).collect();
            (
                Safety::MayFail,
                format!(
                    "label(s) {} go away: the type is rebuilt and its columns converted (rewriting every table that \
                     uses it), and rows that still hold them make the migration fail",
                    labels.join(", ")
                ),
            )
        } else if kept_old != kept_new {
            (Safety::LocksTable, "labels are reordered: the type is rebuilt, rewriting every table that uses it".into())
        } else {
            let labels: Vec<String> = added_used.iter().map(|v| quoted(v)).collect();
            (
                Safety::LocksTable,
                format!(
                    "new label(s) {} are used by a default, check or index in the same migration, which PostgreSQL \
                     forbids for labels added with ADD VALUE; the type is rebuilt instead, rewriting every table \
                     that uses it",
                    labels.join(", ")
                ),
            )
        };
        let alternative = if removed.is_empty() {
            "add new labels in a migration of their own (ADD VALUE, instant), and use them in a later one"
        } else {
            "UPDATE the rows that hold the removed labels first, in a migration of their own"
        };
        let old_name = self.temp.fresh();
        self.rebuilt.insert(n.id.clone());
        self.push(
            Stage::Enums,
            Change::new(
                ChangeKind::RebuildEnum { enum_id: n.id.clone(), old_name: old_name.clone() },
                safety,
                target.clone(),
                format!(
                    "rebuild enum {} with labels ({})",
                    n.name,
                    n.values.iter().map(|v| quoted(v)).collect::<Vec<_>>().join(", ")
                ),
            )
            .why(why)
            .instead(alternative),
        );
        self.push_safe(
            Stage::DropEnums,
            ChangeKind::DropEnum { enum_id: n.id.clone(), name: old_name },
            target,
            format!("drop the old type of enum {}", n.name),
        );
    }

    // -------------------------------------------------------------- tables

    fn tables(&mut self) {
        let (old, new) = (self.old, self.new);
        // Which columns change type, first: dependent checks, indexes and
        // foreign keys must be re-created around the change.
        for o in &old.tables {
            let Some(n) = new.table(&o.id) else { continue };
            for oc in &o.columns {
                let Some(nc) = n.column(&oc.id) else { continue };
                let rebuilt = enum_id(&oc.ty).is_some_and(|id| self.rebuilt.contains(id));
                if !same_type(&oc.ty, &nc.ty) || rebuilt {
                    let keeps = !rebuilt && type_change(&oc.ty, &nc.ty).keeps_dependents;
                    self.retyped.insert((o.id.clone(), oc.id.clone()), keeps);
                }
            }
        }
        for o in &old.tables {
            match new.table(&o.id) {
                None => self.push(
                    Stage::DropColumnsAndTables,
                    Change::new(
                        ChangeKind::DropTable { table_id: o.id.clone() },
                        Safety::DataLoss,
                        o.name.as_str(),
                        format!("drop table {}", o.name),
                    )
                    .why("the table and every row in it are deleted")
                    .instead("rename the table and drop it in a later migration, once nothing reads it"),
                ),
                Some(n) => self.table(o, n),
            }
        }
        for n in &new.tables {
            if old.table(&n.id).is_none() {
                self.added_table(n);
            }
        }
    }

    fn added_table(&mut self, n: &TableModel) {
        self.push_safe(
            Stage::AddTables,
            ChangeKind::AddTable { table_id: n.id.clone() },
            n.name.as_str(),
            format!("create table {}", n.name),
        );
        for x in &n.indexes {
            self.add_index(n, x, false);
        }
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
            n.name.as_str(),
            format!("{verb} comment on table {}", n.name),
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
            self.relation_renames.push(PendingRename::new(
                "table",
                n.name.to_string(),
                o.name.to_string(),
                n.name.to_string(),
                move |from, to| ChangeKind::RenameTable { table_id: id.clone(), from, to },
            ));
        }
        if o.comment != n.comment {
            self.table_comment(n);
        }
        // Columns.
        let mut column_renames = Vec::new();
        for oc in &o.columns {
            match n.column(&oc.id) {
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
                    if oc.name != nc.name {
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
                            .prefix(format!("{}.", n.name)),
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
    }

    fn added_column(&mut self, n: &TableModel, c: &ColumnModel) {
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

    fn column(&mut self, o: &TableModel, oc: &ColumnModel, n: &TableModel, nc: &ColumnModel) {
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
            if a != b {
                let (id, cid) = ids();
                self.relation_renames.push(PendingRename::new(
                    "sequence",
                    target.clone(),
                    a.to_string(),
                    b.to_string(),
                    move |from, to| ChangeKind::RenameSequence {
                        table_id: id.clone(),
                        column_id: cid.clone(),
                        from,
                        to,
                    },
                ));
            }
        }
        let default_changes = oc.default != nc.default || retyped;
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
            let context = TypeContext {
                old_labels: enum_id(&oc.ty).and_then(|id| self.old.enum_type(id)).map(|e| e.values.as_slice()),
                checked: o
                    .checks
                    .iter()
                    .any(|k| k.expr.column_ids().contains(&oc.id.as_str()) && self.check_stays(n, k)),
                in_partial_index: o.indexes.iter().any(|x| {
                    let reads = x.columns.iter().any(|c| c.column_id == oc.id)
                        || x.predicate.as_ref().is_some_and(|p| p.column_ids().contains(&oc.id.as_str()));
                    x.predicate.is_some() && reads && self.index_stays(n, x)
                }),
            };
            let tc = type_change_in(&oc.ty, &nc.ty, &context);
            let (table_id, column_id) = ids();
            let description = if same_type(&oc.ty, &nc.ty) {
                format!("convert {target} to the rebuilt enum {}", nc.ty.describe())
            } else {
                format!("change type of {target} from {} to {}", oc.ty.describe(), nc.ty.describe())
            };
            let mut change = Change::new(
                ChangeKind::AlterColumnType {
                    table_id,
                    column_id,
                    from: oc.ty.describe(),
                    to: nc.ty.describe(),
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

    /// Whether an old check stays in place (PostgreSQL keeps it, and
    /// re-checks it when a column it reads changes type).
    fn check_stays(&self, n: &TableModel, k: &crate::model::CheckModel) -> bool {
        n.checks.iter().any(|x| x.id == k.id && x.expr.same_modulo_names(&k.expr))
            && !self.reads_retyped(&n.id, &k.expr)
    }

    /// Whether an old index stays in place through the migration.
    fn index_stays(&self, n: &TableModel, x: &IndexModel) -> bool {
        index_by_id(n, &x.id).is_some_and(|nx| same_index(x, nx))
            && !x.predicate.as_ref().is_some_and(|p| self.reads_retyped(&n.id, p))
    }

    /// Whether a btree index that stays in place has `column_id` as its
    /// first column, so that `MAX(col)` reads one entry instead of the table.
    fn leads_an_index(&self, o: &TableModel, n: &TableModel, column_id: &str) -> bool {
        let leads = |ids: &[String]| ids.first().is_some_and(|c| c == column_id);
        (leads(&o.primary_key.column_ids) && o.primary_key.column_ids == n.primary_key.column_ids)
            || o.uniques.iter().any(|u| leads(&u.column_ids) && n.uniques.iter().any(|x| x.column_ids == u.column_ids))
            || o.indexes.iter().any(|x| {
                x.method == IndexMethod::Btree
                    && x.predicate.is_none()
                    && x.columns.first().is_some_and(|c| c.column_id == column_id)
                    && self.index_stays(n, x)
            })
    }

    /// The columns of an existing table that this migration adds and that
    /// hold only NULLs afterwards (nullable, no default, no identity).
    fn new_null_columns<'t>(&self, n: &'t TableModel) -> HashSet<&'t str> {
        let Some(o) = self.old.table(&n.id) else { return HashSet::new() };
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
        self.retyped.get(&(table_id.to_string(), column_id.to_string())).is_some_and(|keeps| !keeps)
    }

    /// Whether a check or index predicate reads such a column.
    fn reads_retyped(&self, table_id: &str, expr: &Expr) -> bool {
        expr.column_ids().iter().any(|c| self.opaque(table_id, c))
    }

    fn key_set(table_id: &str, ids: &[String]) -> (String, BTreeSet<String>) {
        (table_id.to_string(), ids.iter().cloned().collect())
    }

    fn keys(&mut self, o: &TableModel, n: &TableModel) {
        let tid = n.id.clone();
        let pk_drop = |k: &KeyConstraint| {
            Change::new(
                ChangeKind::DropPrimaryKey { table_id: o.id.clone() },
                Safety::Safe,
                format!("{}.{}", o.name, k.name),
                format!("drop primary key {} of {}", k.name, o.name),
            )
        };
        if o.primary_key.column_ids == n.primary_key.column_ids {
            self.rename_key(n, &o.primary_key, &n.primary_key, ConstraintKind::PrimaryKey);
        } else {
            self.dropped_keys.insert(Self::key_set(&o.id, &o.primary_key.column_ids));
            self.push(Stage::DropConstraints, pk_drop(&o.primary_key));
            self.push(
                Stage::AddConstraints,
                Change::new(
                    ChangeKind::AddPrimaryKey { table_id: tid.clone() },
                    Safety::Safe,
                    format!("{}.{}", n.name, n.primary_key.name),
                    format!("add primary key {} on {}", n.primary_key.name, n.name),
                )
                .risk(
                    Safety::MayFail,
                    "fails if existing rows hold duplicates or NULLs; builds an index under an exclusive lock that blocks \
                     reads and writes",
                    UNIQUE_INDEX_FIRST,
                ),
            );
        }
        for u in &o.uniques {
            match n.uniques.iter().find(|x| x.column_ids == u.column_ids) {
                Some(nu) => self.rename_key(n, u, nu, ConstraintKind::Unique),
                None => {
                    self.dropped_keys.insert(Self::key_set(&o.id, &u.column_ids));
                    self.push_safe(
                        Stage::DropConstraints,
                        ChangeKind::DropUnique { table_id: tid.clone(), column_ids: u.column_ids.clone() },
                        format!("{}.{}", o.name, u.name),
                        format!("drop unique constraint {} of {}", u.name, o.name),
                    );
                }
            }
        }
        let nulls = self.new_null_columns(n);
        for nu in &n.uniques {
            if !o.uniques.iter().any(|x| x.column_ids == nu.column_ids) {
                self.push(
                    Stage::AddConstraints,
                    Change::new(
                        ChangeKind::AddUnique { table_id: tid.clone(), column_ids: nu.column_ids.clone() },
                        Safety::Safe,
                        format!("{}.{}", n.name, nu.name),
                        format!("add unique constraint {} on {}", nu.name, n.name),
                    )
                    .risk(
                        if nu.column_ids.iter().any(|c| nulls.contains(c.as_str())) {
                            Safety::LocksTable
                        } else {
                            Safety::MayFail
                        },
                        if nu.column_ids.iter().any(|c| nulls.contains(c.as_str())) {
                            "cannot fail (the new column holds only NULLs, which never collide), but builds an \
                             index under an exclusive lock that blocks reads and writes"
                        } else {
                            "fails if existing rows hold duplicates; builds an index under an exclusive lock that blocks \
                             reads and writes"
                        },
                        UNIQUE_INDEX_FIRST,
                    ),
                );
            }
        }
    }

    fn rename_key(&mut self, n: &TableModel, o: &KeyConstraint, k: &KeyConstraint, kind: ConstraintKind) {
        if o.name == k.name {
            return;
        }
        let id = n.id.clone();
        self.relation_renames.push(
            PendingRename::new(
                if kind == ConstraintKind::PrimaryKey { "primary key" } else { "unique constraint" },
                format!("{}.{}", n.name, k.name),
                o.name.to_string(),
                k.name.to_string(),
                move |from, to| ChangeKind::RenameConstraint { table_id: id.clone(), constraint: kind, from, to },
            )
            .key(),
        );
    }

    fn checks(&mut self, o: &TableModel, n: &TableModel) {
        let tid = n.id.clone();
        for k in &o.checks {
            let kept = n.checks.iter().find(|x| x.id == k.id);
            let rebuild = kept.is_some() && self.reads_retyped(&n.id, &k.expr);
            let same = kept.is_some_and(|nk| nk.expr.same_modulo_names(&k.expr)) && !rebuild;
            match kept {
                Some(nk) if same => {
                    if nk.name != k.name {
                        let id = tid.clone();
                        self.constraint_renames.push(PendingRename::new(
                            "check",
                            format!("{}.{}", n.name, nk.name),
                            k.name.to_string(),
                            nk.name.to_string(),
                            move |from, to| ChangeKind::RenameConstraint {
                                table_id: id.clone(),
                                constraint: ConstraintKind::Check,
                                from,
                                to,
                            },
                        ));
                    }
                }
                _ => {
                    let why = if rebuild { " (re-created around a column type change)" } else { "" };
                    self.push_safe(
                        Stage::DropConstraints,
                        ChangeKind::DropCheck { table_id: tid.clone(), check_id: k.id.clone() },
                        format!("{}.{}", o.name, k.name),
                        format!("drop check {} of {}{why}", k.name, o.name),
                    );
                    if let Some(nk) = kept {
                        self.add_check(n, nk, rebuild);
                    }
                }
            }
        }
        for nk in &n.checks {
            if !o.checks.iter().any(|x| x.id == nk.id) {
                self.add_check(n, nk, false);
            }
        }
    }

    fn add_check(&mut self, n: &TableModel, k: &crate::model::CheckModel, rebuild: bool) {
        let change = Change::new(
            ChangeKind::AddCheck { table_id: n.id.clone(), check_id: k.id.clone() },
            Safety::Safe,
            format!("{}.{}", n.name, k.name),
            format!("add check {} on {}{}", k.name, n.name, if rebuild { " (re-created)" } else { "" }),
        );
        let on_new_nulls = || {
            let nulls = self.new_null_columns(n);
            !nulls.is_empty() && nulls::check_on_nulls(&k.expr, &nulls) == Some(true)
        };
        let change = if rebuild {
            change.risk(Safety::LocksTable, "re-checking every row scans the table under an exclusive lock", NOT_VALID)
        } else if self.old.table(&n.id).is_some() && on_new_nulls() {
            change.risk(
                Safety::LocksTable,
                "cannot fail: it reads columns this migration adds, which hold NULL in every existing row, and is \
                 not false whatever the other columns hold; checking every row still scans the table under an \
                 exclusive lock",
                NOT_VALID,
            )
        } else if self.old.table(&n.id).is_some() {
            change.risk(
                Safety::MayFail,
                "fails if an existing row violates it; every row is checked under an exclusive lock",
                NOT_VALID,
            )
        } else {
            change
        };
        self.push(Stage::AddConstraints, change);
    }

    fn indexes(&mut self, o: &TableModel, n: &TableModel) {
        let tid = n.id.clone();
        for x in &o.indexes {
            let kept = index_by_id(n, &x.id);
            let rebuild = x.predicate.as_ref().is_some_and(|p| self.reads_retyped(&n.id, p)) && kept.is_some();
            match kept {
                Some(nx) if same_index(x, nx) && !rebuild => {
                    if nx.name != x.name {
                        let (id, xid) = (tid.clone(), nx.id.clone());
                        self.relation_renames.push(PendingRename::new(
                            "index",
                            format!("{}.{}", n.name, nx.name),
                            x.name.to_string(),
                            nx.name.to_string(),
                            move |from, to| ChangeKind::RenameIndex {
                                table_id: id.clone(),
                                index_id: xid.clone(),
                                from,
                                to,
                            },
                        ));
                    }
                }
                _ => {
                    if x.unique {
                        let cols: Vec<String> = x.columns.iter().map(|c| c.column_id.clone()).collect();
                        self.dropped_keys.insert(Self::key_set(&o.id, &cols));
                    }
                    self.push_safe(
                        Stage::DropConstraints,
                        ChangeKind::DropIndex { table_id: tid.clone(), index_id: x.id.clone() },
                        format!("{}.{}", o.name, x.name),
                        format!("drop index {} of {}", x.name, o.name),
                    );
                    if let Some(nx) = kept {
                        self.add_index(n, nx, true);
                    }
                }
            }
        }
        for nx in &n.indexes {
            if index_by_id(o, &nx.id).is_none() {
                self.add_index(n, nx, true);
            }
        }
    }

    fn add_index(&mut self, n: &TableModel, x: &IndexModel, existing_table: bool) {
        let change = Change::new(
            ChangeKind::AddIndex { table_id: n.id.clone(), index_id: x.id.clone() },
            Safety::Safe,
            format!("{}.{}", n.name, x.name),
            format!("create {}index {} on {}", if x.unique { "unique " } else { "" }, x.name, n.name),
        );
        let on_new_nulls = x.columns.iter().any(|c| self.new_null_columns(n).contains(c.column_id.as_str()));
        let change = match (existing_table, x.unique) {
            (false, _) => change,
            (true, true) if on_new_nulls => change.risk(
                Safety::LocksTable,
                "cannot fail (a column this migration adds holds only NULLs, which never collide), but building it \
                 blocks writes to the table",
                CONCURRENTLY,
            ),
            (true, true) => change.risk(
                Safety::MayFail,
                "fails if existing rows hold duplicates; building it blocks writes to the table",
                CONCURRENTLY,
            ),
            (true, false) => change.risk(
                Safety::LocksTable,
                "building the index blocks writes to the table until it is done",
                CONCURRENTLY,
            ),
        };
        self.push(Stage::AddIndexes, change);
    }

    // -------------------------------------------------------------- foreign keys

    fn fk_needs_rebuild(&self, fk: &ForeignKeyModel) -> bool {
        let opaque = |table: &str, cols: &[String]| cols.iter().any(|c| self.opaque(table, c));
        opaque(&fk.source_table_id, &fk.source_column_ids)
            || opaque(&fk.target_table_id, &fk.target_column_ids)
            || self.dropped_keys.contains(&Self::key_set(&fk.target_table_id, &fk.target_column_ids))
    }

    fn fk_target(model: &Model, fk: &ForeignKeyModel) -> String {
        let table = model.table(&fk.source_table_id).map(|t| t.name.to_string()).unwrap_or_default();
        format!("{table}.{}", fk.name)
    }

    fn foreign_keys(&mut self) {
        let (old, new) = (self.old, self.new);
        for fk in &old.foreign_keys {
            let kept = new.foreign_keys.iter().find(|x| x.id == fk.id);
            let rebuild = kept.is_some_and(|n| same_foreign_key(fk, n)) && self.fk_needs_rebuild(fk);
            match kept {
                Some(n) if same_foreign_key(fk, n) && !rebuild => {
                    if n.name != fk.name {
                        let id = n.source_table_id.clone();
                        self.constraint_renames.push(PendingRename::new(
                            "foreign key",
                            Self::fk_target(new, n),
                            fk.name.to_string(),
                            n.name.to_string(),
                            move |from, to| ChangeKind::RenameConstraint {
                                table_id: id.clone(),
                                constraint: ConstraintKind::ForeignKey,
                                from,
                                to,
                            },
                        ));
                    }
                }
                _ => {
                    // Only the actions change: the rows satisfied the key
                    // before, so they satisfy it again.
                    let actions = kept.is_some_and(|n| same_columns(fk, n) && !same_foreign_key(fk, n));
                    let why = if rebuild {
                        " (re-created around a key or type change)"
                    } else if actions {
                        " (re-created with new actions)"
                    } else {
                        ""
                    };
                    self.push_safe(
                        Stage::DropForeignKeys,
                        ChangeKind::DropForeignKey { foreign_key_id: fk.id.clone() },
                        Self::fk_target(old, fk),
                        format!("drop foreign key {}{why}", Self::fk_target(old, fk)),
                    );
                    if let Some(n) = kept {
                        self.add_foreign_key(n, rebuild || actions);
                    }
                }
            }
        }
        for n in &new.foreign_keys {
            if !old.foreign_keys.iter().any(|x| x.id == n.id) {
                self.add_foreign_key(n, false);
            }
        }
    }

    fn add_foreign_key(&mut self, fk: &ForeignKeyModel, rebuild: bool) {
        let target = Self::fk_target(self.new, fk);
        let change = Change::new(
            ChangeKind::AddForeignKey { foreign_key_id: fk.id.clone() },
            Safety::Safe,
            target.clone(),
            format!("add foreign key {target}{}", if rebuild { " (re-created)" } else { "" }),
        );
        let existing = self.old.table(&fk.source_table_id).is_some();
        // MATCH SIMPLE: a row with a NULL in the key is not checked.
        let on_new_nulls = self.new.table(&fk.source_table_id).is_some_and(|t| {
            let nulls = self.new_null_columns(t);
            fk.source_column_ids.iter().any(|c| nulls.contains(c.as_str()))
        });
        let change = match (existing, rebuild) {
            (false, _) => change,
            (true, false) if on_new_nulls => change.risk(
                Safety::LocksTable,
                "cannot fail (a column this migration adds holds only NULLs, which are not checked), but \
                 validating scans the referencing table while blocking writes to both tables",
                NOT_VALID,
            ),
            (true, true) => change.risk(
                Safety::LocksTable,
                "re-validating scans the referencing table while blocking writes to both tables",
                NOT_VALID,
            ),
            (true, false) => change.risk(
                Safety::MayFail,
                "fails if an existing row references a missing key; validation blocks writes to both tables",
                NOT_VALID,
            ),
        };
        self.push(Stage::AddForeignKeys, change);
    }
}

/// Turn pending renames into changes; a rename whose new name another
/// renamed object still holds goes through a temporary name first. Returns
/// the changes, and the last steps of key renames whose new name a check or
/// foreign key (in `held_later`) holds until the constraint renames ran.
fn resolve_renames(
    renames: Vec<PendingRename>,
    temp: &mut TempNames,
    held_later: &HashSet<String>,
) -> (Vec<Change>, Vec<Change>) {
    let taken: HashSet<String> = renames.iter().map(|r| r.from.clone()).collect();
    let mut first = Vec::new();
    let mut direct = Vec::new();
    let mut last = Vec::new();
    let mut deferred = Vec::new();
    for r in renames {
        let change = |from: String, to: String, description: String| {
            Change::new((r.make)(from, to), Safety::Safe, r.target.clone(), description)
                .why(RENAME_NOTE)
                .instead("keep the old name, or create a view under it, until every client uses the new one")
        };
        let later = r.key && held_later.contains(&r.to);
        if taken.contains(&r.to) || later {
            let tmp = temp.fresh();
            first.push(change(
                r.from.clone(),
                tmp.clone(),
                format!("rename {} {}{} to {tmp} (its new name is still taken)", r.what, r.prefix, r.from),
            ));
            let step = change(tmp, r.to.clone(), format!("rename {} {}{} to {}", r.what, r.prefix, r.from, r.to));
            if later { deferred.push(step) } else { last.push(step) }
        } else {
            direct.push(change(
                r.from.clone(),
                r.to.clone(),
                format!("rename {} {}{} to {}", r.what, r.prefix, r.from, r.to),
            ));
        }
    }
    first.extend(direct);
    first.extend(last);
    (first, deferred)
}

#[cfg(test)]
mod tests;
