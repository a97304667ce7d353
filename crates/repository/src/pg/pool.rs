//! The metadata pool: r2d2 over Diesel's `PgConnection`, with a connection
//! check that costs a round trip only when a connection has been idle.
//!
//! r2d2's `test_on_check_out` sends `SELECT 1` before every checkout: one
//! more round trip per request, as much as a cheap read itself. Here a
//! connection that came back unbroken from its last use less than
//! [`FRESH_FOR`] ago is handed out unchecked; an older one is checked as
//! before, so connections left idle across a database restart are still
//! found dead at checkout and replaced, never handed to a request.
//!
//! Diesel cannot tell at check-in that a connection's socket died (its
//! `has_broken` only sees a broken transaction), so a lost connection is
//! noticed where its error is mapped: [`connection_lost`] starts a new
//! generation, and every connection last vouched for in an older one is
//! checked again before its next use. After a restart, only requests that
//! meet a dead connection (used within the last second) before the first
//! such failure is seen can fail, with `Unavailable`; every later one gets
//! a checked connection.

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use diesel::PgConnection;
use diesel::r2d2::{ConnectionManager, ManageConnection, Pool, PooledConnection};

/// How long after its last clean use a connection is trusted without a check.
pub const FRESH_FOR: Duration = Duration::from_secs(1);

/// Pool settings.
#[derive(Debug, Clone)]
pub struct PoolSettings {
    /// Most connections open at once.
    pub max_size: u32,
    /// How long to wait for a free connection.
    pub connection_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self { max_size: 10, connection_timeout: Duration::from_secs(5) }
    }
}

/// Bumped whenever any connection of this process is found lost.
static GENERATION: AtomicU64 = AtomicU64::new(0);

/// A query failed because its connection was lost (closed by the server,
/// or the server is gone): trust no connection without checking it.
pub(super) fn connection_lost() {
    GENERATION.fetch_add(1, Ordering::Relaxed);
}

fn generation() -> u64 {
    GENERATION.load(Ordering::Relaxed)
}

/// A pooled connection, when it was last known to work, and in which
/// generation.
pub struct TrackedConnection {
    conn: PgConnection,
    known_good: Instant,
    generation: u64,
}

impl TrackedConnection {
    fn vouch(&mut self, generation: u64) {
        self.known_good = Instant::now();
        self.generation = generation;
    }
}

/// Diesel's manager, with checks skipped for connections used a moment ago.
#[derive(Debug)]
pub struct Manager(ConnectionManager<PgConnection>);

impl Manager {
    pub fn new(url: &str) -> Self {
        Self(ConnectionManager::new(url))
    }
}

impl ManageConnection for Manager {
    type Connection = TrackedConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<TrackedConnection, Self::Error> {
        let generation = generation();
        Ok(TrackedConnection { conn: self.0.connect()?, known_good: Instant::now(), generation })
    }

    fn is_valid(&self, tracked: &mut TrackedConnection) -> Result<(), Self::Error> {
        let now = generation();
        if tracked.generation == now && tracked.known_good.elapsed() < FRESH_FOR {
            return Ok(());
        }
        self.0.is_valid(&mut tracked.conn)?;
        tracked.vouch(now);
        Ok(())
    }

    /// Called when a connection comes back: a broken one is dropped; one
    /// that served its checkout while no connection was lost is trusted
    /// for the next [`FRESH_FOR`]; any other is checked at its next use.
    fn has_broken(&self, tracked: &mut TrackedConnection) -> bool {
        let broken = self.0.has_broken(&mut tracked.conn);
        let now = generation();
        if !broken && tracked.generation == now {
            tracked.vouch(now);
        }
        broken
    }
}

/// The metadata pool.
pub type PgPool = Pool<Manager>;

/// A connection checked out of the pool; derefs to Diesel's connection.
pub struct Conn(pub(super) PooledConnection<Manager>);

impl Deref for Conn {
    type Target = PgConnection;
    fn deref(&self) -> &PgConnection {
        &self.0.conn
    }
}

impl DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut PgConnection {
        &mut self.0.conn
    }
}

/// A snapshot of the metadata pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// Connections open (idle or in use).
    pub connections: u32,
    /// Of which idle.
    pub idle: u32,
    /// The pool's size.
    pub max_size: u32,
}

/// Checkout waits and timeouts of the pool, as metrics.
#[derive(Debug)]
pub(super) struct PoolEvents;

impl r2d2::HandleEvent for PoolEvents {
    fn handle_checkout(&self, event: r2d2::event::CheckoutEvent) {
        metrics::histogram!("schemaforge_db_pool_checkout_seconds").record(event.duration().as_secs_f64());
    }

    fn handle_timeout(&self, _event: r2d2::event::TimeoutEvent) {
        metrics::counter!("schemaforge_db_pool_timeouts_total").increment(1);
    }
}
