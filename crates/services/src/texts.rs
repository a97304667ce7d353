//! The document text of versions, kept in memory for the cheap reads.
//!
//! Versions are immutable, so a version's text never goes stale: the cache
//! holds it by (schema id, version), bounded in bytes, and remembers which
//! version of each schema it saw last. A read still asks the store, in one
//! query, whether the schema is the caller's and what its current version
//! is (so ownership, deletion and new versions written by another server
//! are always seen), but the text is only sent when the cache lacks it.

use std::sync::Arc;

use quick_cache::Weighter;
use quick_cache::sync::Cache;
use schemaforge_repository::SchemaSummary;
use uuid::Uuid;

use crate::{App, Principal, ServiceError, ServiceResult, Store};

/// Bytes of document text kept at most (a few hundred typical documents).
pub const DOCUMENT_CACHE_BYTES: u64 = 16 * 1024 * 1024;
/// Weight of an entry beyond its text: key, `Arc` and bookkeeping.
const ENTRY_OVERHEAD: u64 = 64;
/// The typical document the capacity is sized for.
const TYPICAL_DOCUMENT_BYTES: u64 = 16 * 1024;

#[derive(Clone)]
struct TextWeight;

impl Weighter<(Uuid, i32), Arc<str>> for TextWeight {
    fn weight(&self, _key: &(Uuid, i32), text: &Arc<str>) -> u64 {
        text.len() as u64 + ENTRY_OVERHEAD
    }
}

/// Document texts by (schema, version), and the newest version seen of each
/// schema.
pub(crate) struct TextCache {
    texts: Cache<(Uuid, i32), Arc<str>, TextWeight>,
    newest: Cache<Uuid, i32>,
}

impl TextCache {
    pub(crate) fn new(bytes: u64) -> Self {
        let items = (bytes / TYPICAL_DOCUMENT_BYTES).max(16) as usize;
        Self { texts: Cache::with_weighter(items, bytes, TextWeight), newest: Cache::new(items) }
    }

    fn newest(&self, id: Uuid) -> Option<i32> {
        self.newest.get(&id)
    }

    fn get(&self, id: Uuid, version: i32) -> Option<Arc<str>> {
        self.texts.get(&(id, version))
    }

    /// Keep `text` as the text of `version` (the newest seen of `id` when
    /// `current`), if it fits.
    fn insert(&self, id: Uuid, version: i32, current: bool, text: String) -> Arc<str> {
        let text: Arc<str> = Arc::from(text);
        self.texts.insert((id, version), Arc::clone(&text));
        // A text too big for the cache is not kept; telling the store it is
        // held would cost a second query on every read.
        if current && self.texts.peek(&(id, version)).is_some() {
            self.newest.insert(id, version);
        }
        text
    }
}

/// A schema with its current document as JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaText {
    /// The schema without its document.
    pub summary: SchemaSummary,
    /// The current version's document, as the stored JSON text.
    pub document: Arc<str>,
}

/// One version with its document as JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionText {
    /// 1, 2, 3, ...
    pub version: i32,
    /// When it was saved.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// The document, as the stored JSON text.
    pub document: Arc<str>,
}

fn missing_text() -> ServiceError {
    ServiceError::Internal("the store sent no document text where it was asked for".into())
}

impl<S: Store> App<S> {
    /// The caller's schema with its document as stored JSON text: the
    /// cheap read (one query; the text sent only when not held already;
    /// nothing parsed).
    pub fn get_schema_json(&self, principal: Principal, id: Uuid) -> ServiceResult<SchemaText> {
        let owner = principal.user_id;
        let held = self.texts.newest(id);
        let found = self.store.get_schema_json(owner, id, held)?.ok_or(ServiceError::SchemaNotFound)?;
        let version = found.summary.version;
        let cached = if found.document.is_none() { self.texts.get(id, version) } else { None };
        let (summary, document) = match (found.document, cached) {
            (Some(text), _) => (found.summary, self.texts.insert(id, version, true, text)),
            (None, Some(text)) => (found.summary, text),
            // Evicted since `held` was read: ask again, for the text.
            (None, None) => {
                let again = self.store.get_schema_json(owner, id, None)?.ok_or(ServiceError::SchemaNotFound)?;
                let text = again.document.ok_or_else(missing_text)?;
                let version = again.summary.version;
                (again.summary, self.texts.insert(id, version, true, text))
            }
        };
        Ok(SchemaText { summary, document })
    }

    /// One version with its document as stored JSON text; a missing schema
    /// and a missing version are told apart only when the schema exists.
    pub fn get_version_json(&self, principal: Principal, id: Uuid, version: i32) -> ServiceResult<VersionText> {
        let owner = principal.user_id;
        let held = self.texts.get(id, version);
        match self.store.get_version_json(owner, id, version, held.is_none())? {
            Some(found) => {
                let document = match (held, found.document) {
                    (Some(text), _) => text,
                    (None, Some(text)) => self.texts.insert(id, version, false, text),
                    (None, None) => return Err(missing_text()),
                };
                Ok(VersionText { version: found.version, created_at: found.created_at, document })
            }
            None => {
                self.get_schema_json(principal, id)?;
                Err(ServiceError::VersionNotFound)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::fake::{FakeAdmin, MemoryStore, app_with, user};

    fn doc(name: &str) -> schemaforge_domain::SchemaDocument {
        schemaforge_domain::parse_document(&format!(
            r#"{{"name": "{name}", "tables": [{{"id": "t", "name": "t", "columns": [
                {{"id": "c", "name": "id", "dataType": "int", "primaryKey": true}}]}}]}}"#
        ))
        .unwrap()
    }

    fn text_of(name: &str) -> String {
        serde_json::to_string(&doc(name)).unwrap()
    }

    #[test]
    fn a_version_s_text_is_sent_once_and_every_read_still_checks_owner_and_version() {
        let store = Arc::new(MemoryStore::default());
        let app = app_with(Arc::clone(&store), Arc::new(FakeAdmin::default()));
        // A second server over the same store, with its own cache.
        let other = app_with(Arc::clone(&store), Arc::new(FakeAdmin::default()));
        let ada = user(&app, "ada@example.com");
        let bob = user(&app, "bob@example.com");
        let id = app.create_schema(ada, doc("shop")).unwrap().id;

        for _ in 0..3 {
            let got = app.get_schema_json(ada, id).unwrap();
            assert_eq!((got.summary.version, &*got.document), (1, text_of("shop").as_str()));
        }
        assert_eq!(store.texts_sent(), 1, "sent once, then held");
        assert!(matches!(app.get_schema_json(bob, id), Err(ServiceError::SchemaNotFound)), "held text is not shared");

        // A new version written through the other server is seen at once.
        other.replace_schema(ada, id, Some(1), doc("shop2")).unwrap();
        let got = app.get_schema_json(ada, id).unwrap();
        assert_eq!((got.summary.version, &*got.document), (2, text_of("shop2").as_str()));
        assert_eq!(store.texts_sent(), 2);

        // Old versions by number: held after the first read.
        for _ in 0..2 {
            let v1 = app.get_version_json(ada, id, 1).unwrap();
            assert_eq!((v1.version, &*v1.document), (1, text_of("shop").as_str()), "version 1 was cached");
        }
        assert_eq!(store.texts_sent(), 2, "version 1's text was held from the first read");
        assert!(matches!(app.get_version_json(bob, id, 1), Err(ServiceError::SchemaNotFound)));
        assert!(matches!(app.get_version_json(ada, id, 3), Err(ServiceError::VersionNotFound)));

        other.delete_schema(ada, id, None).unwrap();
        assert!(matches!(app.get_schema_json(ada, id), Err(ServiceError::SchemaNotFound)));
        assert!(matches!(app.get_version_json(ada, id, 1), Err(ServiceError::SchemaNotFound)));
    }

    #[test]
    fn without_room_every_read_is_sent_its_text_in_one_query() {
        let store = Arc::new(MemoryStore::default());
        let app = app_with(Arc::clone(&store), Arc::new(FakeAdmin::default())).with_document_cache(0);
        let ada = user(&app, "ada@example.com");
        let id = app.create_schema(ada, doc("shop")).unwrap().id;
        for n in 1..=3 {
            assert_eq!(&*app.get_schema_json(ada, id).unwrap().document, text_of("shop").as_str());
            assert_eq!(store.texts_sent(), n, "no second query for a text the cache could not keep");
        }
    }
}
