//! Reads that answer with the stored document text: one statement each (no
//! transaction, no second query), and the start-up backfill of the text of
//! versions written before it was stored.

use diesel::prelude::*;
use diesel::sql_types::{Bool, Integer, Nullable, Text};
use uuid::Uuid;

use super::schema::{schema_versions, schemas};
use super::{PgRepository, SchemaRow, map_err};
use crate::{RepoResult, SchemaJson, SchemaSummary, VersionJson};

/// The stored text, or (not yet backfilled) the JSONB's own rendering.
const TEXT: &str = "COALESCE(schema_versions.document_text, schema_versions.document::text)";

impl PgRepository {
    pub(super) fn schema_json(&self, owner: Uuid, id: Uuid, held: Option<i32>) -> RepoResult<Option<SchemaJson>> {
        let mut conn = self.conn()?;
        // The text only when the caller does not hold it already. Versions
        // start at 1; a NULL `held` never equals one.
        let text = diesel::dsl::sql::<Nullable<Text>>("CASE WHEN schemas.current_version = ")
            .bind::<Nullable<Integer>, _>(held)
            .sql(" THEN NULL ELSE ")
            .sql(TEXT)
            .sql(" END");
        let row: Option<(SchemaRow, Option<String>)> = schemas::table
            .inner_join(schema_versions::table.on(
                schema_versions::schema_id.eq(schemas::id).and(schema_versions::version.eq(schemas::current_version)),
            ))
            .filter(schemas::id.eq(id))
            .filter(schemas::owner_id.eq(owner))
            .filter(schemas::deleted_at.is_null())
            .select((SchemaRow::as_select(), text))
            .first(&mut *conn)
            .optional()
            .map_err(map_err)?;
        Ok(row.map(|(row, document)| SchemaJson { summary: SchemaSummary::from(row), document }))
    }

    pub(super) fn version_json(
        &self,
        owner: Uuid,
        id: Uuid,
        version: i32,
        with_text: bool,
    ) -> RepoResult<Option<VersionJson>> {
        let mut conn = self.conn()?;
        let text = diesel::dsl::sql::<Nullable<Text>>("CASE WHEN ")
            .bind::<Bool, _>(with_text)
            .sql(" THEN ")
            .sql(TEXT)
            .sql(" END");
        let row: Option<(i32, chrono::DateTime<chrono::Utc>, Option<String>)> = schema_versions::table
            .inner_join(schemas::table.on(schemas::id.eq(schema_versions::schema_id)))
            .filter(schema_versions::schema_id.eq(id))
            .filter(schema_versions::version.eq(version))
            .filter(schemas::owner_id.eq(owner))
            .filter(schemas::deleted_at.is_null())
            .select((schema_versions::version, schema_versions::created_at, text))
            .first(&mut *conn)
            .optional()
            .map_err(map_err)?;
        Ok(row.map(|(version, created_at, document)| VersionJson { version, created_at, document }))
    }

    /// Store the document text of every version that lacks it (written
    /// before the text was stored), a batch at a time; returns how many.
    /// The text is the document parsed and serialized as the service does.
    /// Run at start, after the migrations.
    pub fn backfill_document_text(&self) -> RepoResult<usize> {
        const BATCH: i64 = 500;
        let mut conn = self.conn()?;
        let mut filled = 0;
        loop {
            let rows: Vec<(Uuid, i32, serde_json::Value)> = schema_versions::table
                .filter(schema_versions::document_text.is_null())
                .select((schema_versions::schema_id, schema_versions::version, schema_versions::document))
                .limit(BATCH)
                .load(&mut *conn)
                .map_err(map_err)?;
            if rows.is_empty() {
                return Ok(filled);
            }
            for (schema_id, version, document) in rows {
                // A row that no longer parses keeps the JSONB's rendering (what
                // reads fall back to anyway); reading it as a record still
                // reports it as corrupt.
                let text = match serde_json::from_value::<schemaforge_domain::SchemaDocument>(document.clone()) {
                    Ok(parsed) => super::document_text(&parsed)?,
                    Err(_) => document.to_string(),
                };
                diesel::update(schema_versions::table.find((schema_id, version)))
                    .set(schema_versions::document_text.eq(text))
                    .execute(&mut *conn)
                    .map_err(map_err)?;
                filled += 1;
            }
        }
    }
}
