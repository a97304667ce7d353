//! Request rate limits (GCRA, from `governor`): per client address on
//! `/auth/*` (the middleware [`limit_by_address`]), per account on every
//! authenticated request (checked by the `Auth` extractor). Over the limit
//! the answer is `429 RATE_LIMITED` with `Retry-After`, before any work.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::ApiError;

/// Rate limit settings; a rate of 0 turns that limit off.
#[derive(Debug, Clone, Copy)]
pub struct RateLimits {
    /// Requests per minute to `/auth/*` from one client address.
    pub auth_per_minute: u32,
    /// How many of those may come at once.
    pub auth_burst: u32,
    /// Authenticated requests per minute of one account.
    pub account_per_minute: u32,
    /// How many of those may come at once.
    pub account_burst: u32,
    /// Take the client address from `Forwarded`/`X-Forwarded-For` (only
    /// behind a proxy that sets them; anyone can send them otherwise).
    pub trust_forwarded_for: bool,
}

impl RateLimits {
    /// No limits at all.
    pub const OFF: RateLimits = RateLimits {
        auth_per_minute: 0,
        auth_burst: 0,
        account_per_minute: 0,
        account_burst: 0,
        trust_forwarded_for: false,
    };
}

/// Keys seen before stale ones are swept.
const SWEEP_EVERY: u64 = 4096;

struct Limiter<K: std::hash::Hash + Eq + Clone> {
    limiter: DefaultKeyedRateLimiter<K>,
    checks: AtomicU64,
}

impl<K: std::hash::Hash + Eq + Clone> Limiter<K> {
    fn new(per_minute: u32, burst: u32) -> Option<Self> {
        let rate = NonZeroU32::new(per_minute)?;
        let burst = NonZeroU32::new(burst).unwrap_or(rate);
        Some(Self {
            limiter: RateLimiter::keyed(Quota::per_minute(rate).allow_burst(burst)),
            checks: AtomicU64::new(0),
        })
    }

    fn check(&self, key: &K, what: &str) -> Result<(), ApiError> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            // Forget keys whose bucket is full again: memory stays bounded
            // by the clients of the last minute or so.
            self.limiter.retain_recent();
        }
        self.limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            ApiError::rate_limited(wait, format!("too many requests {what}; slow down"))
        })
    }
}

/// The limiters of one server (shared by its workers).
pub struct Limiters {
    by_address: Option<Limiter<IpAddr>>,
    by_account: Option<Limiter<uuid::Uuid>>,
    trust_forwarded_for: bool,
}

impl Limiters {
    /// Limiters for `limits`.
    pub fn new(limits: RateLimits) -> Self {
        Self {
            by_address: Limiter::new(limits.auth_per_minute, limits.auth_burst),
            by_account: Limiter::new(limits.account_per_minute, limits.account_burst),
            trust_forwarded_for: limits.trust_forwarded_for,
        }
    }

    /// One more authenticated request of `account`.
    pub(crate) fn account(&self, account: uuid::Uuid) -> Result<(), ApiError> {
        self.by_account.as_ref().map_or(Ok(()), |l| l.check(&account, "from this account"))
    }

    fn client_address(&self, req: &ServiceRequest) -> Option<IpAddr> {
        if self.trust_forwarded_for {
            let info = req.connection_info();
            if let Some(ip) = info.realip_remote_addr().and_then(|a| a.parse::<IpAddr>().ok()) {
                return Some(ip);
            }
        }
        req.peer_addr().map(|a| a.ip())
    }
}

/// Middleware: the per-address limit of `/auth/*`.
/// A refusal is an answer (not an error), so the outer middleware still
/// add the request id and the security headers.
pub async fn limit_by_address(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if req.path().strip_prefix(crate::openapi::PREFIX).is_some_and(|rest| rest.starts_with("/auth/")) {
        if let Some(limiters) = req.app_data::<web::Data<Limiters>>() {
            if let (Some(limiter), Some(ip)) = (&limiters.by_address, limiters.client_address(&req)) {
                if let Err(refused) = limiter.check(&ip, "from this address") {
                    let res = actix_web::ResponseError::error_response(&refused);
                    return Ok(req.into_response(res).map_into_right_body());
                }
            }
        }
    }
    next.call(req).await.map(ServiceResponse::map_into_left_body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_then_the_limit_answers_with_a_wait() {
        let l = Limiter::new(60, 3).unwrap();
        let key = "1.2.3.4".parse::<IpAddr>().unwrap();
        for _ in 0..3 {
            l.check(&key, "x").unwrap();
        }
        let err = l.check(&key, "x").unwrap_err();
        assert_eq!(err.status.as_u16(), 429);
        assert_eq!(err.code, "RATE_LIMITED");
        assert_eq!(err.retry_after, Some(1), "one request a second comes back");
        let other = "5.6.7.8".parse::<IpAddr>().unwrap();
        l.check(&other, "x").unwrap();
    }

    #[test]
    fn a_rate_of_zero_is_no_limit() {
        assert!(Limiter::<IpAddr>::new(0, 10).is_none());
        let limiters = Limiters::new(RateLimits::OFF);
        for _ in 0..1000 {
            limiters.account(uuid::Uuid::nil()).unwrap();
        }
    }
}
