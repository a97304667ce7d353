//! Back-off of failed logins, per account: after a few wrong passwords an
//! email is refused for a while, doubling with each further failure, before
//! any password is hashed. Emails without an account are counted the same
//! way, so the refusals tell nothing about which accounts exist.
//!
//! The counts live in this process's memory: several server processes each
//! keep their own (docs/operations.md says so).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How failed logins back off.
#[derive(Debug, Clone, Copy)]
pub struct LoginBackoff {
    /// Failures allowed before the first wait.
    pub free_failures: u32,
    /// The first wait; each further failure doubles it.
    pub first_wait: Duration,
    /// The longest wait.
    pub max_wait: Duration,
    /// A failure older than this is forgotten.
    pub forget_after: Duration,
}

impl Default for LoginBackoff {
    fn default() -> Self {
        Self {
            free_failures: 5,
            first_wait: Duration::from_secs(1),
            max_wait: Duration::from_secs(15 * 60),
            forget_after: Duration::from_secs(15 * 60),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
    locked_until: Option<Instant>,
}

/// Entries kept before stale ones are swept (an attacker trying many
/// emails cannot grow the map without bound).
const SWEEP_ABOVE: usize = 10_000;

/// The failure counts, by normalized email.
#[derive(Debug, Default)]
pub(crate) struct LoginThrottle {
    settings: LoginBackoff,
    failures: Mutex<HashMap<String, Failures>>,
}

impl LoginThrottle {
    pub(crate) fn new(settings: LoginBackoff) -> Self {
        Self { settings, failures: Mutex::new(HashMap::new()) }
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Failures>> {
        // A panic while holding the lock cannot leave a count half-written.
        self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// `Err(wait)` while `email` must wait before trying again.
    pub(crate) fn check(&self, email: &str, now: Instant) -> Result<(), Duration> {
        match self.map().get(email).and_then(|f| f.locked_until) {
            Some(until) if until > now => Err(until - now),
            _ => Ok(()),
        }
    }

    /// Count a wrong password (or unknown email).
    pub(crate) fn failed(&self, email: &str, now: Instant) {
        let s = self.settings;
        let mut map = self.map();
        if map.len() > SWEEP_ABOVE {
            map.retain(|_, f| now.duration_since(f.last) < s.forget_after || f.locked_until.is_some_and(|u| u > now));
        }
        let entry = map.entry(email.to_string()).or_insert(Failures { count: 0, last: now, locked_until: None });
        if now.duration_since(entry.last) >= s.forget_after {
            entry.count = 0;
        }
        entry.count = entry.count.saturating_add(1);
        entry.last = now;
        if entry.count > s.free_failures {
            let doublings = (entry.count - s.free_failures - 1).min(30);
            let wait = s.first_wait.saturating_mul(1 << doublings).min(s.max_wait);
            entry.locked_until = Some(now + wait);
        }
    }

    /// A successful login clears the count.
    pub(crate) fn succeeded(&self, email: &str) {
        self.map().remove(email);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_start_after_the_free_failures_and_double() {
        let t = LoginThrottle::new(LoginBackoff::default());
        let now = Instant::now();
        for _ in 0..5 {
            assert!(t.check("a@x", now).is_ok());
            t.failed("a@x", now);
        }
        assert!(t.check("a@x", now).is_ok(), "five failures are free");
        t.failed("a@x", now);
        assert_eq!(t.check("a@x", now), Err(Duration::from_secs(1)));
        t.failed("a@x", now);
        assert_eq!(t.check("a@x", now), Err(Duration::from_secs(2)));
        assert!(t.check("a@x", now + Duration::from_secs(2)).is_ok());
        assert!(t.check("b@x", now).is_ok(), "other emails are not affected");
        t.succeeded("a@x");
        assert!(t.check("a@x", now).is_ok());
    }

    #[test]
    fn the_wait_is_capped_and_old_failures_are_forgotten() {
        let s = LoginBackoff::default();
        let t = LoginThrottle::new(s);
        let now = Instant::now();
        for _ in 0..100 {
            t.failed("a@x", now);
        }
        assert_eq!(t.check("a@x", now), Err(s.max_wait));
        let later = now + s.max_wait + s.forget_after;
        t.failed("a@x", later);
        assert!(t.check("a@x", later).is_ok(), "the count started again");
    }
}
