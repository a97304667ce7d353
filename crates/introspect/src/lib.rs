//! # schemaforge-introspect
//!
//! Import: PostgreSQL's catalog, as the repository reads it from a live
//! database ([`Catalog`]), mapped to a [`SchemaDocument`] and an
//! [`ImportReport`]. Pure: no I/O, no driver. The mapping
//!
//! - turns PostgreSQL's printed expressions back into the document's forms
//!   (a literal default, `{"sequence": id}`, a function default, or an
//!   expression in PostgreSQL's grammar);
//! - chooses ids from names ([`ids`]), so the same database gives the same
//!   document byte for byte, and lays tables out by their foreign keys;
//! - validates what it built and takes out, one element at a time, what
//!   validation refuses, reporting each with the reason and the statement
//!   that recreates it, so the document it returns is valid and nothing is
//!   lost silently.
//!
//! ```
//! use schemaforge_introspect::{Catalog, ImportOptions, import};
//!
//! let catalog: Catalog = serde_json::from_str(r#"{
//!   "server": {"version_num": 150000, "version": "15.0", "database": "shop"},
//!   "namespaces": [{"name": "public", "comment": null, "usable": true}],
//!   "extensions": [], "types": [], "sequences": [], "constraints": [], "indexes": [],
//!   "routines": [], "triggers": [], "policies": [], "rules": [], "others": [],
//!   "relations": [{"oid": 1, "namespace": "public", "name": "notes", "kind": "r",
//!     "persistence": "p", "row_security": false, "force_row_security": false,
//!     "replica_identity": "d", "options": null, "typed": false, "comment": null,
//!     "partition_key": null, "partitioning": null, "bound": null, "is_partition": false,
//!     "query": null}],
//!   "columns": [{"rel": 1, "num": 1, "name": "body", "not_null": true, "local": true,
//!     "type": {"sql": "text", "oid": 25, "kind": "b", "namespace": "pg_catalog", "name": "text", "array": false},
//!     "default": "'x'::text", "identity": "", "generated": "", "collation": null, "comment": null,
//!     "identity_sequence": null, "statistics": null, "storage": "x", "type_storage": "x"}]
//! }"#).unwrap();
//! let imported = import(&catalog, &ImportOptions::default());
//! let table = &imported.document.tables[0];
//! assert_eq!((table.id.as_str(), table.columns[0].id.as_str()), ("t:public.notes", "c:public.notes.body"));
//! assert!(table.without_primary_key);
//! assert!(imported.report.remaining_errors.is_empty());
//! ```

mod carried;
pub mod catalog;
mod defaults;
mod hints;
mod ids;
mod layout;
mod objects;
mod printed;
mod relations;
mod repair;
mod report;
mod sql;
mod tables;
mod types;

use std::collections::{BTreeMap, BTreeSet, HashMap};

pub use catalog::Catalog;
pub use hints::name_hints;
pub use ids::{CatalogKey, IdHints, NameKey};
pub use report::{Counts, ImportReport, Outcome, ReportItem};
use schemaforge_domain::SchemaDocument;
/// PostgreSQL's scanner splitting an SQL file into statements (for loading one).
pub use schemaforge_pgparse::{ScriptStatement, split_script};

/// The schema Schemaforge keeps its bookkeeping in, in the databases it
/// provisions; never imported.
pub const BOOKKEEPING_SCHEMA: &str = "schemaforge";

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The document's `name`; absent, the database's name.
    pub name: Option<String>,
    /// Ids to give (drift and adoption); empty, ids come from names.
    pub hints: IdHints,
}

/// A document and what it could not hold.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The document: valid unless `report.remaining_errors` says otherwise.
    pub document: SchemaDocument,
    /// What the document does not hold as the database does.
    pub report: ImportReport,
    /// The catalog identity of the document's tables, columns, constraints,
    /// indexes, views, sequences and types, by id.
    pub keys: BTreeMap<String, CatalogKey>,
}

/// Map `catalog` to a document and its report.
pub fn import(catalog: &Catalog, options: &ImportOptions) -> Imported {
    let mut importer = Importer::new(catalog, options);
    importer.namespaces();
    importer.extensions();
    importer.collations();
    importer.text_search();
    importer.types();
    importer.sequences();
    importer.aggregates();
    importer.relations();
    importer.carried();
    importer.others();
    importer.sort_lists();
    let remaining_errors = match importer.repair() {
        Ok(schema) => {
            importer.check_generated_names(&schema);
            Vec::new()
        }
        Err(errors) => errors,
    };
    layout::place(&mut importer.doc);
    let counts = layout::count(&importer.doc);
    let report = ImportReport {
        server_version: catalog.server.version.clone(),
        database: catalog.server.database.clone(),
        namespaces: catalog.namespaces.iter().map(|n| n.name.clone()).collect(),
        counts,
        items: importer.report,
        remaining_errors,
    };
    Imported { document: importer.doc, report, keys: std::mem::take(&mut importer.ids.keys) }
}

/// What the document's element with an id was made from: the statement
/// that recreates it, for the report when validation takes it out.
#[derive(Debug, Clone)]
pub(crate) struct Origin {
    pub(crate) kind: &'static str,
    pub(crate) name: String,
    pub(crate) statement: Option<String>,
}

/// A name the document does not hold but generates (a primary key's, an
/// identity sequence's), as the database has it.
#[derive(Debug, Clone)]
pub(crate) enum Named {
    PrimaryKey { table: String, name: String, display: String, sql_table: String },
    Sequence { table: String, column: String, name: String, at: String, display: String },
}

/// The mapping's state.
pub(crate) struct Importer<'a> {
    pub(crate) cat: &'a Catalog,
    pub(crate) ids: ids::Ids,
    pub(crate) doc: SchemaDocument,
    pub(crate) report: Vec<ReportItem>,
    /// The namespaces read (by name), but Schemaforge's own.
    pub(crate) read: BTreeSet<String>,
    /// Namespace name to id (not `public`).
    pub(crate) namespace_ids: HashMap<String, String>,
    /// Type oid to (kind, id) for enums, domains and composite types.
    pub(crate) type_ids: HashMap<i64, (char, String)>,
    /// Relation oid to its id in the document.
    pub(crate) rels: HashMap<i64, String>,
    /// Table oid to its place in `doc.tables` (while relations are read).
    pub(crate) table_at: HashMap<i64, usize>,
    /// (relation oid, attnum) to column id.
    pub(crate) column_ids: HashMap<(i64, i64), String>,
    /// (namespace, name) of a standalone sequence to its id.
    pub(crate) sequence_ids: HashMap<(String, String), String>,
    /// (namespace, name) of a collation to its id.
    pub(crate) collation_ids: HashMap<(String, String), String>,
    /// Element id to what it was made from.
    pub(crate) origins: HashMap<String, Origin>,
    /// Column (or domain) id to its default as PostgreSQL printed it, where
    /// the document holds it in another form.
    pub(crate) printed_defaults: HashMap<String, String>,
    /// Columns of each relation, by oid, in order.
    pub(crate) columns_of: BTreeMap<i64, Vec<&'a catalog::ColumnRow>>,
    /// Constraints of each relation, in oid order.
    pub(crate) constraints_by_rel: HashMap<i64, Vec<&'a catalog::ConstraintRow>>,
    /// Indexes of each relation, in oid order.
    pub(crate) indexes_by_rel: HashMap<i64, Vec<&'a catalog::IndexRow>>,
    /// Relations by oid.
    pub(crate) rel_rows: HashMap<i64, &'a catalog::RelationRow>,
    /// Indexes by oid.
    pub(crate) index_rows: HashMap<i64, &'a catalog::IndexRow>,
    /// (namespace, name) of routines the document cannot hold (aggregates).
    pub(crate) omitted_routines: BTreeSet<(String, String)>,
    /// Names the document generates, to compare with the model's.
    pub(crate) names: Vec<Named>,
    /// (namespace, name) of views left out for them.
    pub(crate) omitted_views: BTreeSet<(String, String)>,
}

impl<'a> Importer<'a> {
    fn new(cat: &'a Catalog, options: &ImportOptions) -> Self {
        let mut columns_of: BTreeMap<i64, Vec<&catalog::ColumnRow>> = BTreeMap::new();
        for c in &cat.columns {
            columns_of.entry(c.rel).or_default().push(c);
        }
        let mut constraints_by_rel: HashMap<i64, Vec<&catalog::ConstraintRow>> = HashMap::new();
        for c in &cat.constraints {
            constraints_by_rel.entry(c.rel).or_default().push(c);
        }
        let mut indexes_by_rel: HashMap<i64, Vec<&catalog::IndexRow>> = HashMap::new();
        for i in &cat.indexes {
            indexes_by_rel.entry(i.rel).or_default().push(i);
        }
        let rel_rows = cat.relations.iter().map(|r| (r.oid, r)).collect();
        let index_rows = cat.indexes.iter().map(|i| (i.oid, i)).collect();
        let doc = SchemaDocument {
            json_schema: None,
            name: options.name.clone().unwrap_or_else(|| cat.server.database.clone()),
            description: None,
            tables: Vec::new(),
            foreign_keys: Vec::new(),
            enums: Vec::new(),
            extensions: Vec::new(),
            sequences: Vec::new(),
            domains: Vec::new(),
            composites: Vec::new(),
            collations: Vec::new(),
            text_search_configurations: Vec::new(),
            namespaces: Vec::new(),
            views: Vec::new(),
            functions: Vec::new(),
            triggers: Vec::new(),
            policies: Vec::new(),
            rules: Vec::new(),
            grants: Vec::new(),
        };
        let ids = if options.hints.by_key.is_empty() {
            ids::Ids::with_hints(options.hints.clone(), |_| false)
        } else {
            let present = hints::catalog_keys(cat);
            ids::Ids::with_hints(options.hints.clone(), |k| present.contains(k))
        };
        Importer {
            cat,
            ids,
            doc,
            report: Vec::new(),
            read: BTreeSet::new(),
            namespace_ids: HashMap::new(),
            type_ids: HashMap::new(),
            rels: HashMap::new(),
            table_at: HashMap::new(),
            column_ids: HashMap::new(),
            sequence_ids: HashMap::new(),
            collation_ids: HashMap::new(),
            origins: HashMap::new(),
            printed_defaults: HashMap::new(),
            columns_of,
            constraints_by_rel,
            indexes_by_rel,
            rel_rows,
            index_rows,
            omitted_routines: BTreeSet::new(),
            omitted_views: BTreeSet::new(),
            names: Vec::new(),
        }
    }

    /// Record an item of the report.
    pub(crate) fn note(
        &mut self,
        kind: &str,
        name: impl Into<String>,
        outcome: Outcome,
        reason: impl Into<String>,
        statement: Option<String>,
    ) {
        self.report.push(ReportItem {
            kind: kind.to_string(),
            name: name.into(),
            outcome,
            reason: reason.into(),
            statement,
        });
    }

    /// The `namespaceId` of objects in `namespace`.
    pub(crate) fn namespace_id(&self, namespace: &str) -> Option<String> {
        self.namespace_ids.get(namespace).cloned()
    }

    /// Lists whose order in a database is its creation order, which a
    /// create script does not keep (routines before and after the tables,
    /// foreign keys after all of them): by id, which is by name.
    fn sort_lists(&mut self) {
        self.doc.foreign_keys.sort_by(|a, b| a.id.cmp(&b.id));
        for list in [
            &mut self.doc.functions,
            &mut self.doc.triggers,
            &mut self.doc.policies,
            &mut self.doc.rules,
            &mut self.doc.grants,
        ] {
            list.sort_by(|a, b| a.id.cmp(&b.id));
        }
    }

    /// Primary keys and identity sequences whose generated names (the
    /// model's) are not the database's: reported with the rename.
    fn check_generated_names(&mut self, schema: &schemaforge_domain::ValidSchema) {
        let model = schema.model();
        let tables: HashMap<&str, &schemaforge_domain::TableModel> =
            model.tables.iter().map(|t| (t.id.as_str(), t)).collect();
        // Renames first: later statements of the report name the objects
        // by the database's names.
        let later = std::mem::take(&mut self.report);
        for named in std::mem::take(&mut self.names) {
            match named {
                Named::PrimaryKey { table, name, display, sql_table } => {
                    let Some(generated) = tables.get(table.as_str()).and_then(|t| t.primary_key.as_ref()) else {
                        continue;
                    };
                    if generated.name.as_str() != name {
                        let s = format!(
                            "ALTER TABLE {sql_table} RENAME CONSTRAINT {} TO {}",
                            sql::qi(generated.name.as_str()),
                            sql::qi(&name)
                        );
                        self.note(
                            "primary key",
                            display,
                            Outcome::Adjusted,
                            format!("the document generates the primary key's name ({})", generated.name.as_str()),
                            Some(s),
                        );
                    }
                }
                Named::Sequence { table, column, name, at, display } => {
                    let Some(t) = tables.get(table.as_str()) else { continue };
                    let Some(identity) = t.columns.iter().find(|c| c.id == column).and_then(|c| c.identity.as_ref())
                    else {
                        continue;
                    };
                    if identity.sequence.as_str() != name {
                        let s = format!(
                            "ALTER SEQUENCE {} RENAME TO {}",
                            sql::qn(&at, identity.sequence.as_str()),
                            sql::qi(&name)
                        );
                        self.note(
                            "identity sequence",
                            display,
                            Outcome::Adjusted,
                            format!("the document generates the sequence's name ({})", identity.sequence.as_str()),
                            Some(s),
                        );
                    }
                }
            }
        }
        self.report.extend(later);
    }

    /// Whether objects of `namespace` are imported.
    pub(crate) fn is_read(&self, namespace: &str) -> bool {
        self.read.contains(namespace)
    }
}

/// `namespace.name`, as the report names objects.
pub(crate) fn display(namespace: &str, name: &str) -> String {
    format!("{namespace}.{name}")
}
