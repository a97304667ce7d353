//! The record of catalog identities: after Schemaforge builds or migrates
//! a database it reads the catalog back, with the design's ids given by
//! name, and keeps every element's oid (a column's table oid and number).
//! Drift then matches by these first: what was renamed outside keeps its id.

use std::collections::BTreeMap;

use schemaforge_domain::ValidSchema;
use schemaforge_introspect::{Catalog, CatalogKey, ImportOptions, import, name_hints};
use serde::{Deserialize, Serialize};

/// Element ids and their catalog identities, in one database.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityRecord {
    /// The database the oids belong to (`pg_database.oid`): a copy
    /// restored elsewhere has other oids, so the record does not hold there.
    pub database_oid: i64,
    /// By element id.
    pub elements: BTreeMap<String, CatalogKey>,
}

impl IdentityRecord {
    /// The record of `built`, the catalog of a database just built or
    /// migrated to `schema`: its elements named as the design names them
    /// get the design's ids.
    pub fn of(schema: &ValidSchema, built: &Catalog) -> Self {
        let options = ImportOptions { name: None, hints: name_hints(schema.model()) };
        let imported = import(built, &options);
        Self { database_oid: built.server.database_oid, elements: imported.keys }
    }
}
