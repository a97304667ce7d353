//! Health figures of provisioned databases, kept for a few seconds: a
//! status request does not open a connection to the database each time.
//! Every operation on a schema's database forgets its entry; answers say
//! when the figures were read (`checked_at`).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use schemaforge_repository::DatabaseHealth;
use uuid::Uuid;

/// How long figures are reused.
pub const HEALTH_TTL: Duration = Duration::from_secs(5);

/// Entries kept before expired ones are swept.
const SWEEP_ABOVE: usize = 1024;

#[derive(Debug, Clone)]
pub(crate) struct Checked {
    pub health: DatabaseHealth,
    pub at: DateTime<Utc>,
    read: Instant,
}

/// Figures by schema id and database name.
#[derive(Debug, Default)]
pub(crate) struct HealthCache {
    entries: Mutex<HashMap<(Uuid, String), Checked>>,
}

impl HealthCache {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<(Uuid, String), Checked>> {
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Fresh figures of `database`, or `read` them now (and keep them when
    /// they could be read).
    pub(crate) fn get_or_read<E>(
        &self,
        schema: Uuid,
        database: &str,
        read: impl FnOnce() -> Result<DatabaseHealth, E>,
    ) -> Result<Checked, E> {
        let key = (schema, database.to_string());
        let now = Instant::now();
        if let Some(hit) = self.map().get(&key).filter(|c| now.duration_since(c.read) < HEALTH_TTL) {
            return Ok(hit.clone());
        }
        // Read outside the lock: other schemas' requests do not wait.
        let checked = Checked { health: read()?, at: Utc::now(), read: now };
        let mut map = self.map();
        if map.len() >= SWEEP_ABOVE {
            map.retain(|_, c| now.duration_since(c.read) < HEALTH_TTL);
        }
        map.insert(key, checked.clone());
        Ok(checked)
    }

    /// Forget what is known of `schema`'s database (it is being changed).
    pub(crate) fn forget(&self, schema: Uuid) {
        self.map().retain(|(id, _), _| *id != schema);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn health(size: i64) -> DatabaseHealth {
        DatabaseHealth { size_bytes: size, table_count: 1, open_connections: 0, history: vec![] }
    }

    #[test]
    fn figures_are_reused_until_forgotten() {
        let cache = HealthCache::default();
        let id = Uuid::new_v4();
        let first = cache.get_or_read::<()>(id, "db", || Ok(health(1))).unwrap();
        let again = cache.get_or_read::<()>(id, "db", || Ok(health(2))).unwrap();
        assert_eq!((first.health.size_bytes, again.health.size_bytes), (1, 1));
        assert_eq!(first.at, again.at);
        let renamed = cache.get_or_read::<()>(id, "other", || Ok(health(3))).unwrap();
        assert_eq!(renamed.health.size_bytes, 3, "another database name is another entry");
        cache.forget(id);
        assert_eq!(cache.get_or_read::<()>(id, "db", || Ok(health(4))).unwrap().health.size_bytes, 4);
        assert!(cache.get_or_read(Uuid::new_v4(), "db", || Err("down")).is_err(), "failures are not kept");
    }
}
