//! The answer of a diff: changes with their safety classes, in order.

use std::fmt;

use schemars::JsonSchema;
use serde::Serialize;

use super::rules::Conversion;

/// How risky a change is for a database that already holds data, from
/// harmless to destructive (the order is that of severity).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
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
    /// An EXCLUDE constraint (renaming it renames its index).
    Exclusion,
}

/// The kind of object a [`ChangeKind::MoveObject`] moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MovedObject {
    /// A table (its indexes, constraints and owned sequences go with it).
    Table,
    /// An enum.
    Enum,
    /// A domain.
    Domain,
    /// A composite type.
    Composite,
    /// A standalone sequence.
    Sequence,
    /// An extension (its objects go with it, if it is relocatable).
    Extension,
    /// A collation.
    Collation,
    /// A text search configuration.
    TextSearchConfig,
}

impl MovedObject {
    /// The word after ALTER: `TABLE`, `TYPE`, `DOMAIN`, `SEQUENCE`, `EXTENSION`, `COLLATION`.
    pub fn keyword(self) -> &'static str {
        match self {
            Self::Table => "TABLE",
            Self::Enum | Self::Composite => "TYPE",
            Self::Domain => "DOMAIN",
            Self::Sequence => "SEQUENCE",
            Self::Extension => "EXTENSION",
            Self::Collation => "COLLATION",
            Self::TextSearchConfig => "TEXT SEARCH CONFIGURATION",
        }
    }
}

/// What a change does, by stable ids. Objects that are dropped are looked up
/// in the old model, everything else in the new one; renames carry both names
/// (one may be a temporary name when two names are swapped).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", rename_all_fields = "camelCase")]
#[allow(missing_docs)] // the fields are ids and names; the variant docs say what happens
pub enum ChangeKind {
    /// CREATE SCHEMA.
    CreateNamespace {
        namespace_id: String,
    },
    /// DROP SCHEMA `name` (RESTRICT: refused while anything the document
    /// does not describe is still in it).
    DropNamespace {
        namespace_id: String,
        name: String,
    },
    /// ALTER SCHEMA ... RENAME TO.
    RenameNamespace {
        namespace_id: String,
        from: String,
        to: String,
    },
    /// COMMENT ON SCHEMA (set or removed).
    SetNamespaceComment {
        namespace_id: String,
    },
    /// ALTER ... SET SCHEMA: the object (with its indexes, constraints and
    /// owned sequences) moves from `fromNamespaceId` to
    /// `toNamespaceId` (absent: `public`), under its current `name`. With
    /// `staging`, it first goes to that schema of its own (created here),
    /// where its renames run clear of every other name, and
    /// [`ChangeKind::FinishMove`] takes it on.
    MoveObject {
        object: MovedObject,
        object_id: String,
        name: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        from_namespace_id: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        to_namespace_id: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        staging: Option<String>,
    },
    /// The last step of a staged move: ALTER ... SET SCHEMA from `staging`
    /// to the object's namespace, then DROP SCHEMA `staging`.
    FinishMove {
        object: MovedObject,
        object_id: String,
        staging: String,
    },
    /// CREATE EXTENSION.
    CreateExtension {
        extension_id: String,
    },
    /// DROP EXTENSION `name`.
    DropExtension {
        extension_id: String,
        name: String,
    },
    /// ALTER EXTENSION ... UPDATE [TO version] (no `to`: the server's default).
    UpdateExtension {
        extension_id: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        from: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        to: Option<String>,
    },
    /// COMMENT ON EXTENSION (set or removed).
    SetExtensionComment {
        extension_id: String,
    },
    /// CREATE SEQUENCE (a standalone one).
    /// `CREATE COLLATION`.
    CreateCollation {
        collation_id: String,
    },
    /// `DROP COLLATION` (after every column, domain, attribute and index
    /// element that used it has moved on).
    DropCollation {
        collation_id: String,
        name: String,
    },
    /// `ALTER COLLATION ... RENAME TO`.
    RenameCollation {
        collation_id: String,
        from: String,
        to: String,
    },
    /// A new provider, locale or determinism: dropped and created again
    /// (PostgreSQL alters none of them in place).
    RecreateCollation {
        collation_id: String,
    },
    /// `COMMENT ON COLLATION`.
    SetCollationComment {
        collation_id: String,
    },
    /// `CREATE TEXT SEARCH CONFIGURATION` and its mappings.
    CreateTextSearchConfig {
        config_id: String,
    },
    /// `DROP TEXT SEARCH CONFIGURATION`.
    DropTextSearchConfig {
        config_id: String,
        name: String,
    },
    /// `ALTER TEXT SEARCH CONFIGURATION ... RENAME TO`.
    RenameTextSearchConfig {
        config_id: String,
        from: String,
        to: String,
    },
    /// A new parser: dropped and created again.
    RecreateTextSearchConfig {
        config_id: String,
    },
    /// `ALTER TEXT SEARCH CONFIGURATION ... ADD / ALTER / DROP MAPPING`.
    AlterTextSearchMappings {
        config_id: String,
    },
    /// `COMMENT ON TEXT SEARCH CONFIGURATION`.
    SetTextSearchConfigComment {
        config_id: String,
    },
    CreateSequence {
        sequence_id: String,
    },
    /// DROP SEQUENCE IF EXISTS `name` (an owned one may be gone with its column).
    DropSequence {
        sequence_id: String,
        name: String,
    },
    /// ALTER SEQUENCE ... RENAME TO (a standalone one).
    RenameStandaloneSequence {
        sequence_id: String,
        from: String,
        to: String,
    },
    /// ALTER SEQUENCE ... AS / options (a standalone one).
    AlterStandaloneSequence {
        sequence_id: String,
    },
    /// ALTER SEQUENCE ... OWNED BY NONE, before the table that owns it
    /// moves to another namespace without it.
    ReleaseSequence {
        sequence_id: String,
    },
    /// ALTER SEQUENCE ... OWNED BY (a column, or NONE).
    SetSequenceOwner {
        sequence_id: String,
    },
    /// COMMENT ON SEQUENCE (set or removed).
    SetSequenceComment {
        sequence_id: String,
    },
    /// CREATE TYPE ... AS ENUM.
    CreateEnum {
        enum_id: String,
    },
    /// DROP TYPE `name` (an enum that goes away, or the old type of a rebuilt one).
    DropEnum {
        enum_id: String,
        name: String,
    },
    /// ALTER TYPE ... RENAME TO.
    RenameEnum {
        enum_id: String,
        from: String,
        to: String,
    },
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
    RenameEnumValue {
        enum_id: String,
        from: String,
        to: String,
    },
    /// Rename the type to `old_name`, then create it again with the new
    /// labels; its columns are converted by `AlterColumnType` changes and the
    /// old type dropped by a `DropEnum` change.
    RebuildEnum {
        enum_id: String,
        old_name: String,
    },
    /// CREATE DOMAIN with its NOT NULL, default and checks.
    CreateDomain {
        domain_id: String,
    },
    /// DROP DOMAIN `name` (a domain that goes away, or the old type of a
    /// rebuilt one).
    DropDomain {
        domain_id: String,
        name: String,
    },
    /// ALTER DOMAIN ... RENAME TO.
    RenameDomain {
        domain_id: String,
        from: String,
        to: String,
    },
    /// Rename the domain to `old_name`, then create it again over its new
    /// base type or collation; its columns are converted by
    /// `AlterColumnType` changes and the old type dropped by a `DropDomain`.
    RebuildDomain {
        domain_id: String,
        old_name: String,
    },
    /// ALTER DOMAIN ... ADD CONSTRAINT ... CHECK.
    AddDomainCheck {
        domain_id: String,
        check_id: String,
    },
    /// ALTER DOMAIN `domain` DROP CONSTRAINT `name`.
    DropDomainCheck {
        domain_id: String,
        domain: String,
        name: String,
    },
    /// ALTER DOMAIN ... RENAME CONSTRAINT.
    RenameDomainCheck {
        domain_id: String,
        from: String,
        to: String,
    },
    /// ALTER DOMAIN ... SET NOT NULL / DROP NOT NULL.
    SetDomainNotNull {
        domain_id: String,
        not_null: bool,
    },
    /// ALTER DOMAIN ... SET DEFAULT / DROP DEFAULT.
    SetDomainDefault {
        domain_id: String,
    },
    /// COMMENT ON DOMAIN (set or removed).
    SetDomainComment {
        domain_id: String,
    },
    /// CREATE TYPE ... AS (attributes).
    CreateComposite {
        composite_id: String,
    },
    /// DROP TYPE `name` (a composite type that goes away, or the old type
    /// of a rebuilt one).
    DropComposite {
        composite_id: String,
        name: String,
    },
    /// ALTER TYPE ... RENAME TO (a composite type).
    RenameComposite {
        composite_id: String,
        from: String,
        to: String,
    },
    /// Rename the composite type to `old_name`, then create it again; its
    /// columns are converted by `AlterColumnType` changes (attribute by
    /// attribute name) and the old type dropped by a `DropComposite`.
    RebuildComposite {
        composite_id: String,
        old_name: String,
    },
    /// ALTER TYPE ... ADD ATTRIBUTE.
    AddAttribute {
        composite_id: String,
        attribute_id: String,
    },
    /// ALTER TYPE `composite` DROP ATTRIBUTE `name`.
    DropAttribute {
        composite_id: String,
        composite: String,
        name: String,
    },
    /// ALTER TYPE ... RENAME ATTRIBUTE.
    RenameAttribute {
        composite_id: String,
        from: String,
        to: String,
    },
    /// ALTER TYPE ... ALTER ATTRIBUTE ... TYPE (a type nothing holds).
    AlterAttributeType {
        composite_id: String,
        attribute_id: String,
    },
    /// COMMENT ON TYPE (a composite type; set or removed).
    SetCompositeComment {
        composite_id: String,
    },
    /// CREATE TABLE with its primary key, unique and check constraints.
    AddTable {
        table_id: String,
    },
    /// DROP TABLE.
    DropTable {
        table_id: String,
    },
    /// ALTER TABLE ... RENAME TO.
    RenameTable {
        table_id: String,
        from: String,
        to: String,
    },
    /// ALTER TABLE ... ADD COLUMN.
    AddColumn {
        table_id: String,
        column_id: String,
    },
    /// ALTER TABLE ... DROP COLUMN.
    DropColumn {
        table_id: String,
        column_id: String,
    },
    /// ALTER TABLE ... RENAME COLUMN.
    RenameColumn {
        table_id: String,
        column_id: String,
        from: String,
        to: String,
    },
    /// ALTER COLUMN ... TYPE, dropping the old default first when
    /// `drop_default` (a `SetDefault` change follows when there is a new one).
    AlterColumnType {
        table_id: String,
        column_id: String,
        from: String,
        to: String,
        #[serde(skip_serializing)]
        #[schemars(skip)]
        conversion: Conversion,
        drop_default: bool,
    },
    /// ALTER COLUMN ... DROP EXPRESSION: a generated column becomes plain,
    /// keeping its values.
    DropExpression {
        table_id: String,
        column_id: String,
    },
    /// ALTER COLUMN ... SET NOT NULL.
    SetNotNull {
        table_id: String,
        column_id: String,
    },
    /// ALTER COLUMN ... DROP NOT NULL.
    DropNotNull {
        table_id: String,
        column_id: String,
    },
    /// ALTER COLUMN ... SET DEFAULT.
    SetDefault {
        table_id: String,
        column_id: String,
    },
    /// ALTER COLUMN ... DROP DEFAULT.
    DropDefault {
        table_id: String,
        column_id: String,
    },
    /// ALTER COLUMN ... ADD GENERATED BY DEFAULT AS IDENTITY, with the
    /// sequence moved past the largest existing value.
    AddIdentity {
        table_id: String,
        column_id: String,
    },
    /// ALTER COLUMN ... DROP IDENTITY.
    DropIdentity {
        table_id: String,
        column_id: String,
    },
    /// ALTER COLUMN ... SET GENERATED ALWAYS / BY DEFAULT.
    SetIdentityGeneration {
        table_id: String,
        column_id: String,
        always: bool,
    },
    /// ALTER COLUMN ... SET INCREMENT BY / MINVALUE / ... (an identity
    /// column's sequence options, to the new document's).
    AlterSequenceOptions {
        table_id: String,
        column_id: String,
    },
    /// ALTER SEQUENCE ... RENAME TO (an identity column's sequence).
    RenameSequence {
        table_id: String,
        column_id: String,
        from: String,
        to: String,
    },
    /// ADD CONSTRAINT ... PRIMARY KEY.
    AddPrimaryKey {
        table_id: String,
    },
    /// DROP CONSTRAINT (the primary key).
    DropPrimaryKey {
        table_id: String,
    },
    /// ADD CONSTRAINT ... UNIQUE.
    AddUnique {
        table_id: String,
        column_ids: Vec<String>,
    },
    /// DROP CONSTRAINT (a unique constraint).
    DropUnique {
        table_id: String,
        column_ids: Vec<String>,
    },
    /// ADD CONSTRAINT ... CHECK.
    AddCheck {
        table_id: String,
        check_id: String,
    },
    /// DROP CONSTRAINT (a check).
    DropCheck {
        table_id: String,
        check_id: String,
    },
    /// CREATE INDEX.
    AddIndex {
        table_id: String,
        index_id: String,
    },
    /// DROP INDEX.
    DropIndex {
        table_id: String,
        index_id: String,
    },
    /// ALTER INDEX ... SET (the new storage parameters) and RESET (`reset`,
    /// the ones no longer given).
    SetIndexStorage {
        table_id: String,
        index_id: String,
        reset: Vec<String>,
    },
    /// ALTER INDEX ... RENAME TO.
    RenameIndex {
        table_id: String,
        index_id: String,
        from: String,
        to: String,
    },
    /// Rename a constraint (primary key and unique ones through their index).
    RenameConstraint {
        table_id: String,
        constraint: ConstraintKind,
        from: String,
        to: String,
    },
    /// ADD CONSTRAINT ... EXCLUDE.
    AddExclusion {
        table_id: String,
        exclusion_id: String,
    },
    /// DROP CONSTRAINT `name` (an EXCLUDE constraint).
    DropExclusion {
        table_id: String,
        exclusion_id: String,
        name: String,
    },
    /// ADD CONSTRAINT ... FOREIGN KEY.
    AddForeignKey {
        foreign_key_id: String,
    },
    /// DROP CONSTRAINT (a foreign key).
    DropForeignKey {
        foreign_key_id: String,
    },
    /// COMMENT ON TABLE (set or removed).
    SetTableComment {
        table_id: String,
    },
    /// COMMENT ON COLUMN (set or removed).
    SetColumnComment {
        table_id: String,
        column_id: String,
    },
    /// COMMENT ON TYPE (set or removed).
    SetEnumComment {
        enum_id: String,
    },
    /// COMMENT ON CONSTRAINT: a check, table-level unique constraint or
    /// foreign key (on its source table), by its id.
    SetConstraintComment {
        table_id: String,
        constraint: ConstraintKind,
        constraint_id: String,
    },
    /// COMMENT ON INDEX.
    SetIndexComment {
        table_id: String,
        index_id: String,
    },
    /// CREATE FUNCTION / PROCEDURE / TRIGGER / POLICY (a carried object
    /// that is new, or created again).
    CreateCarried {
        object_id: String,
    },
    /// DROP FUNCTION / PROCEDURE / TRIGGER / POLICY.
    DropCarried {
        object_id: String,
    },
    /// CREATE OR REPLACE FUNCTION / PROCEDURE (a new body, the same
    /// signature and result).
    ReplaceRoutine {
        object_id: String,
    },
    /// ALTER TABLE ... ENABLE / DISABLE ROW LEVEL SECURITY.
    SetRowLevelSecurity {
        table_id: String,
    },
    /// CREATE TABLE ... PARTITION OF, with the partition's own indexes and
    /// comments.
    CreatePartition {
        table_id: String,
        partition_id: String,
    },
    /// DROP TABLE (a partition that goes away, with its rows).
    DropPartition {
        table_id: String,
        partition_id: String,
    },
    /// ALTER TABLE ... RENAME TO (a partition).
    RenamePartition {
        table_id: String,
        partition_id: String,
        from: String,
        to: String,
    },
    /// ALTER TABLE ... DETACH PARTITION (before it is attached again with a
    /// new bound).
    DetachPartition {
        table_id: String,
        partition_id: String,
    },
    /// ALTER TABLE ... DETACH PARTITION, first in the script: the partition
    /// becomes a table of its own (the document's table of the same id),
    /// with its rows.
    DetachPartitionAsTable {
        table_id: String,
        partition_id: String,
    },
    /// ALTER TABLE ... ATTACH PARTITION ... FOR VALUES (its new bound, or a
    /// table that becomes the partition of the same id).
    AttachPartition {
        table_id: String,
        partition_id: String,
    },
    /// COMMENT ON TABLE (a partition; set or removed).
    SetPartitionComment {
        table_id: String,
        partition_id: String,
    },
    /// CREATE INDEX on one partition.
    AddPartitionIndex {
        table_id: String,
        partition_id: String,
        index_id: String,
    },
    /// DROP INDEX of one partition.
    DropPartitionIndex {
        table_id: String,
        partition_id: String,
        index_id: String,
    },
    /// ALTER INDEX ... RENAME TO (a partition's own index, or the index
    /// PostgreSQL made on it for the parent's key or index: `index_id` is
    /// then `pkey`, `unique:<column ids>` or `index:<the parent's index id>`).
    RenamePartitionIndex {
        table_id: String,
        partition_id: String,
        index_id: String,
        from: String,
        to: String,
    },
    /// COMMENT ON INDEX (a partition's own index).
    SetPartitionIndexComment {
        table_id: String,
        partition_id: String,
        index_id: String,
    },
    /// CREATE [MATERIALIZED] VIEW, with its indexes and comments: a new
    /// view, or one re-created (see `DropView`).
    CreateView {
        view_id: String,
    },
    /// DROP [MATERIALIZED] VIEW: one that goes away, or one re-created
    /// below (its query changes, something it reads changes type or loses
    /// a column, or a view it reads is re-created).
    DropView {
        view_id: String,
    },
    /// ALTER [MATERIALIZED] VIEW ... RENAME TO.
    RenameView {
        view_id: String,
        from: String,
        to: String,
    },
    /// ALTER [MATERIALIZED] VIEW ... RENAME COLUMN (an output column of an
    /// otherwise unchanged query).
    RenameViewColumn {
        view_id: String,
        from: String,
        to: String,
    },
    /// COMMENT ON VIEW / MATERIALIZED VIEW (set or removed).
    SetViewComment {
        view_id: String,
    },
    /// CREATE INDEX on a materialized view.
    AddViewIndex {
        view_id: String,
        index_id: String,
    },
    /// DROP INDEX of a materialized view.
    DropViewIndex {
        view_id: String,
        index_id: String,
    },
    /// ALTER INDEX ... RENAME TO (a materialized view's).
    RenameViewIndex {
        view_id: String,
        index_id: String,
        from: String,
        to: String,
    },
    /// COMMENT ON INDEX (a materialized view's).
    SetViewIndexComment {
        view_id: String,
        index_id: String,
    },
}

/// One change, with its safety class and the reasons for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
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
    pub(super) fn new(
        kind: ChangeKind,
        safety: Safety,
        target: impl Into<String>,
        description: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            safety,
            target: target.into(),
            description: description.into(),
            explanation: None,
            alternative: None,
        }
    }

    pub(super) fn why(mut self, explanation: impl Into<String>) -> Self {
        self.explanation = Some(explanation.into());
        self
    }

    pub(super) fn instead(mut self, alternative: impl Into<String>) -> Self {
        self.alternative = Some(alternative.into());
        self
    }

    /// `why` and `instead`, only when the change is not safe.
    pub(super) fn risk(self, safety: Safety, explanation: &str, alternative: &str) -> Self {
        let mut c = self;
        c.safety = safety;
        if safety == Safety::Safe { c } else { c.why(explanation).instead(alternative) }
    }
}

/// The ordered changes that turn one document's database into another's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ChangeSet {
    pub(super) changes: Vec<Change>,
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
