//! Accounts: sign-up, login, refresh-token rotation, logout, profile, API
//! keys, and authentication of bearer credentials.
//!
//! - Passwords are hashed with Argon2id (PHC strings).
//! - Access tokens are short-lived HS256 JWTs.
//! - Refresh tokens are random secrets stored as SHA-256 hashes, rotated on
//!   every use; presenting an already-rotated token revokes its whole family
//!   (the usual sign that it was stolen).
//! - API keys are random secrets (`sfk_...`) stored as SHA-256 hashes and
//!   shown once.

use crate::audit::{Action, Recorded};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use schemaforge_repository::{ApiKey, NewApiKey, NewRefreshToken, NewUser, User, UserChanges};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{App, ServiceError, ServiceResult, Store};

/// Prefix of API key secrets; lets `authenticate` tell them from JWTs.
pub const API_KEY_PREFIX: &str = "sfk_";
const REFRESH_PREFIX: &str = "sfr_";
const MIN_PASSWORD_CHARS: usize = 10;
const MAX_PASSWORD_BYTES: usize = 1024;

/// Token settings.
#[derive(Clone)]
pub struct AuthSettings {
    /// HMAC secret for access tokens.
    pub jwt_secret: String,
    /// Lifetime of access tokens.
    pub access_ttl: Duration,
    /// Lifetime of refresh tokens.
    pub refresh_ttl: Duration,
}

impl std::fmt::Debug for AuthSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthSettings")
            .field("jwt_secret", &"<redacted>")
            .field("access_ttl", &self.access_ttl)
            .field("refresh_ttl", &self.refresh_ttl)
            .finish()
    }
}

/// A fresh pair of tokens.
#[derive(Clone, Serialize)]
pub struct Tokens {
    /// JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Secret to get the next pair; single use.
    pub refresh_token: String,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens").field("expires_in", &self.expires_in).finish_non_exhaustive()
    }
}

/// A user and their tokens (sign-up and login).
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// The user.
    pub user: User,
    /// Their tokens.
    pub tokens: Tokens,
}

/// Who is calling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Principal {
    /// The user.
    pub user_id: Uuid,
    /// The API key used, if the caller used one.
    pub api_key_id: Option<Uuid>,
    /// The id of the request being served, for the audit log.
    pub request_id: Option<RequestId>,
}

/// A request id: 1 to 64 ASCII letters, digits, `-`, `_` or `.` (a UUID
/// fits). Small and `Copy`, like the [`Principal`] that carries it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RequestId {
    bytes: [u8; RequestId::MAX],
    len: u8,
}

impl RequestId {
    /// The longest id.
    pub const MAX: usize = 64;

    /// `None` unless `text` is a valid request id.
    pub fn parse(text: &str) -> Option<Self> {
        let ok = !text.is_empty()
            && text.len() <= Self::MAX
            && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
        ok.then(|| {
            let mut bytes = [0; Self::MAX];
            bytes[..text.len()].copy_from_slice(text.as_bytes());
            // At most 64: fits.
            Self { bytes, len: text.len() as u8 }
        })
    }

    /// A new random id (a UUID).
    pub fn random() -> Self {
        let mut bytes = [0; Self::MAX];
        let text = Uuid::new_v4().hyphenated();
        let len = text.encode_lower(&mut bytes).len();
        // 36 bytes: fits.
        Self { bytes, len: len as u8 }
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        // Only ASCII is ever stored.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl std::fmt::Debug for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A new API key with its secret, which is shown only this once.
#[derive(Clone)]
pub struct NewApiKeySecret {
    /// The stored key.
    pub key: ApiKey,
    /// The secret (`sfk_...`).
    pub secret: String,
}

impl std::fmt::Debug for NewApiKeySecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewApiKeySecret").field("key", &self.key).finish_non_exhaustive()
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: Uuid,
    iat: i64,
    exp: i64,
    typ: String,
}

pub(crate) fn sha256(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

fn random_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{prefix}{}", crate::hex(&bytes))
}

fn normalize_email(email: &str) -> ServiceResult<String> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && email.matches('@').count() == 1
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
        })
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if valid {
        Ok(email)
    } else {
        Err(ServiceError::InvalidInput { field: "email", message: "is not a valid email address".into() })
    }
}

fn check_password(password: &str) -> ServiceResult<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ServiceError::InvalidInput {
            field: "password",
            message: format!("must be at least {MIN_PASSWORD_CHARS} characters long"),
        });
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(ServiceError::InvalidInput {
            field: "password",
            message: format!("must be at most {MAX_PASSWORD_BYTES} bytes long"),
        });
    }
    Ok(())
}

fn check_display_name(name: Option<&str>) -> ServiceResult<()> {
    match name {
        Some(n) if n.trim().is_empty() || n.chars().count() > 100 || n.chars().any(char::is_control) => {
            Err(ServiceError::InvalidInput {
                field: "displayName",
                message: "must be 1 to 100 characters without control characters".into(),
            })
        }
        _ => Ok(()),
    }
}

fn hash_password(password: &str) -> ServiceResult<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Internal(format!("password hashing failed: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A valid hash of a random password, verified against when the email is
/// unknown so that login takes as long whether or not the account exists.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password(&random_secret("")).unwrap_or_default())
}

impl<S: Store> App<S> {
    fn issue_tokens(&self, user_id: Uuid, family_id: Uuid) -> ServiceResult<Tokens> {
        let now = Utc::now();
        let claims = Claims {
            sub: user_id,
            iat: now.timestamp(),
            exp: (now + self.auth.access_ttl).timestamp(),
            typ: "access".into(),
        };
        let access_token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(self.auth.jwt_secret.as_bytes()),
        )
        .map_err(|e| ServiceError::Internal(format!("cannot sign token: {e}")))?;
        let refresh_token = random_secret(REFRESH_PREFIX);
        self.store.create_refresh_token(NewRefreshToken {
            id: Uuid::new_v4(),
            user_id,
            family_id,
            token_hash: sha256(&refresh_token),
            expires_at: now + self.auth.refresh_ttl,
        })?;
        Ok(Tokens { access_token, expires_in: self.auth.access_ttl.num_seconds(), refresh_token })
    }

    /// Create an account and log it in.
    #[tracing::instrument(skip_all)]
    pub fn register(&self, email: &str, password: &str, display_name: Option<String>) -> ServiceResult<Authenticated> {
        let email = normalize_email(email)?;
        check_password(password)?;
        check_display_name(display_name.as_deref())?;
        let user = self.store.create_user(NewUser {
            id: Uuid::new_v4(),
            email,
            display_name,
            password_hash: hash_password(password)?,
        })?;
        let tokens = self.issue_tokens(user.id, Uuid::new_v4())?;
        tracing::info!(user_id = %user.id, "user registered");
        Ok(Authenticated { user, tokens })
    }

    /// Exchange email and password for tokens.
    #[tracing::instrument(skip_all)]
    pub fn login(&self, email: &str, password: &str) -> ServiceResult<Authenticated> {
        const BAD: ServiceError = ServiceError::Unauthorized("wrong email or password");
        let Ok(email) = normalize_email(email) else {
            // The same work as for a wrong password: timing tells nothing.
            verify_password(password, dummy_hash());
            return Err(BAD);
        };
        let now = std::time::Instant::now();
        if let Err(wait) = self.logins.check(&email, now) {
            let retry_after_secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            return Err(ServiceError::RateLimited { retry_after_secs: retry_after_secs.max(1) });
        }
        let user = match self.store.find_user_by_email(&email)? {
            Some(user) if verify_password(password, &user.password_hash) => Some(user),
            Some(_) => None,
            None => {
                verify_password(password, dummy_hash());
                None
            }
        };
        let Some(user) = user else {
            self.logins.failed(&email, now);
            return Err(BAD);
        };
        self.logins.succeeded(&email);
        let tokens = self.issue_tokens(user.id, Uuid::new_v4())?;
        Ok(Authenticated { user, tokens })
    }

    /// Rotate a refresh token. Reusing a rotated token revokes its family.
    #[tracing::instrument(skip_all)]
    pub fn refresh(&self, refresh_token: &str) -> ServiceResult<Tokens> {
        const BAD: ServiceError = ServiceError::Unauthorized("invalid or expired refresh token");
        let Some(token) = self.store.find_refresh_token(&sha256(refresh_token))? else { return Err(BAD) };
        if token.revoked_at.is_some() || token.expires_at <= Utc::now() {
            return Err(BAD);
        }
        if token.used_at.is_some() || !self.store.mark_refresh_token_used(token.id)? {
            let revoked = self.store.revoke_refresh_family(token.family_id)?;
            tracing::warn!(user_id = %token.user_id, revoked, "refresh token reused; family revoked");
            return Err(BAD);
        }
        self.issue_tokens(token.user_id, token.family_id)
    }

    /// Revoke a refresh token (and the tokens rotated from the same login).
    #[tracing::instrument(skip_all)]
    pub fn logout(&self, refresh_token: &str) -> ServiceResult<()> {
        match self.store.find_refresh_token(&sha256(refresh_token))? {
            Some(token) => {
                self.store.revoke_refresh_family(token.family_id)?;
                Ok(())
            }
            None => Err(ServiceError::Unauthorized("invalid refresh token")),
        }
    }

    /// Who is behind a bearer credential (an access token or an API key).
    pub fn authenticate(&self, bearer: &str) -> ServiceResult<Principal> {
        if bearer.starts_with(API_KEY_PREFIX) {
            let key = self.store.use_api_key(&sha256(bearer))?.ok_or(ServiceError::Unauthorized("invalid API key"))?;
            return Ok(Principal { user_id: key.user_id, api_key_id: Some(key.id), request_id: None });
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        let data = jsonwebtoken::decode::<Claims>(
            bearer,
            &DecodingKey::from_secret(self.auth.jwt_secret.as_bytes()),
            &validation,
        )
        .map_err(|_| ServiceError::Unauthorized("invalid or expired access token"))?;
        if data.claims.typ != "access" {
            return Err(ServiceError::Unauthorized("invalid or expired access token"));
        }
        Ok(Principal { user_id: data.claims.sub, api_key_id: None, request_id: None })
    }

    /// Account management needs a login session, not an API key: a leaked
    /// key must not be able to mint more keys or change the password.
    fn require_session(principal: Principal) -> ServiceResult<()> {
        match principal.api_key_id {
            Some(_) => Err(ServiceError::Forbidden("this needs a login session (an access token), not an API key")),
            None => Ok(()),
        }
    }

    /// The caller's account.
    pub fn me(&self, principal: Principal) -> ServiceResult<User> {
        self.store.find_user(principal.user_id)?.ok_or(ServiceError::Unauthorized("the account no longer exists"))
    }

    /// Change the caller's display name and/or password (the current
    /// password is required to set a new one).
    #[tracing::instrument(skip_all, fields(user_id = %principal.user_id))]
    pub fn update_me(
        &self,
        principal: Principal,
        display_name: Option<Option<String>>,
        new_password: Option<(&str, &str)>,
    ) -> ServiceResult<User> {
        let user = self.me(principal)?;
        if let Some(name) = &display_name {
            check_display_name(name.as_deref())?;
        }
        let password_hash = match new_password {
            None => None,
            Some((current, new)) => {
                // Before the password check, so a leaked API key cannot be
                // used to test guesses of the password.
                Self::require_session(principal)?;
                if !verify_password(current, &user.password_hash) {
                    return Err(ServiceError::InvalidInput {
                        field: "currentPassword",
                        message: "does not match".into(),
                    });
                }
                check_password(new).map_err(|e| match e {
                    ServiceError::InvalidInput { message, .. } => {
                        ServiceError::InvalidInput { field: "newPassword", message }
                    }
                    other => other,
                })?;
                Some(hash_password(new)?)
            }
        };
        let changed_password = password_hash.is_some();
        let user =
            self.store.update_user(user.id, UserChanges { display_name, password_hash }).map_err(|e| match e {
                schemaforge_repository::RepoError::NotFound => {
                    ServiceError::Unauthorized("the account no longer exists")
                }
                other => other.into(),
            })?;
        if changed_password {
            // Sessions opened with the old password end.
            let revoked = self.store.revoke_user_refresh_tokens(user.id)?;
            tracing::info!(revoked, "password changed; refresh tokens revoked");
        }
        Ok(user)
    }

    /// Create an API key; its secret is returned only here.
    #[tracing::instrument(skip_all, fields(user_id = %principal.user_id))]
    pub fn create_api_key(&self, principal: Principal, name: &str) -> ServiceResult<NewApiKeySecret> {
        self.audited(
            principal,
            Action::ApiKeyCreate,
            None,
            || {
                Self::require_session(principal)?;
                let name = name.trim();
                if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
                    return Err(ServiceError::InvalidInput {
                        field: "name",
                        message: "must be 1 to 100 characters without control characters".into(),
                    });
                }
                let secret = random_secret(API_KEY_PREFIX);
                let key = self.store.create_api_key(NewApiKey {
                    id: Uuid::new_v4(),
                    user_id: principal.user_id,
                    name: name.to_string(),
                    prefix: secret.chars().take(12).collect(),
                    key_hash: sha256(&secret),
                })?;
                Ok(NewApiKeySecret { key, secret })
            },
            |k| Recorded { id: Some(k.key.id), name: Some(k.key.name.clone()), detail: None },
        )
    }

    /// The caller's API keys.
    pub fn list_api_keys(&self, principal: Principal) -> ServiceResult<Vec<ApiKey>> {
        Ok(self.store.list_api_keys(principal.user_id)?)
    }

    /// Revoke one of the caller's API keys.
    #[tracing::instrument(skip_all, fields(user_id = %principal.user_id, key_id = %id))]
    pub fn revoke_api_key(&self, principal: Principal, id: Uuid) -> ServiceResult<()> {
        self.audited(
            principal,
            Action::ApiKeyRevoke,
            Some(id),
            || {
                Self::require_session(principal)?;
                self.store.revoke_api_key(principal.user_id, id).map_err(|e| match e {
                    schemaforge_repository::RepoError::NotFound => ServiceError::ApiKeyNotFound,
                    other => other.into(),
                })
            },
            |_| Recorded::default(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::app;

    #[test]
    fn register_login_and_authenticate() {
        let app = app();
        let reg = app.register("  Ada@Example.COM ", "correct horse battery", Some("Ada".into())).unwrap();
        assert_eq!(reg.user.email, "ada@example.com");
        assert_ne!(reg.user.password_hash, "correct horse battery");
        assert!(reg.user.password_hash.starts_with("$argon2id$"));
        let p = app.authenticate(&reg.tokens.access_token).unwrap();
        assert_eq!(p.user_id, reg.user.id);
        let login = app.login("ada@example.com", "correct horse battery").unwrap();
        assert_eq!(login.user.id, reg.user.id);
        assert!(matches!(app.login("ada@example.com", "wrong password!"), Err(ServiceError::Unauthorized(_))));
        assert!(matches!(app.login("nobody@example.com", "whatever123"), Err(ServiceError::Unauthorized(_))));
        assert!(matches!(app.register("ada@example.com", "another password", None), Err(ServiceError::DuplicateEmail)));
    }

    #[test]
    fn rejects_bad_input() {
        let app = app();
        for email in ["", "no-at-sign", "a@b", "a @b.com", "@b.com", "a@b@c.com"] {
            assert!(
                matches!(
                    app.register(email, "long enough pw", None),
                    Err(ServiceError::InvalidInput { field: "email", .. })
                ),
                "{email}"
            );
        }
        assert!(matches!(
            app.register("a@b.com", "short", None),
            Err(ServiceError::InvalidInput { field: "password", .. })
        ));
        assert!(matches!(
            app.register("a@b.com", "long enough pw", Some(" ".into())),
            Err(ServiceError::InvalidInput { field: "displayName", .. })
        ));
    }

    #[test]
    fn failed_logins_back_off_the_same_for_known_and_unknown_emails() {
        let app = app().with_login_backoff(crate::LoginBackoff { free_failures: 2, ..Default::default() });
        app.register("ada@example.com", "correct horse battery", None).unwrap();
        for email in ["ada@example.com", "nobody@example.com"] {
            for _ in 0..3 {
                assert!(matches!(app.login(email, "wrong password!"), Err(ServiceError::Unauthorized(_))));
            }
            // Now refused before the password is even looked at.
            assert!(
                matches!(
                    app.login(email, "correct horse battery"),
                    Err(ServiceError::RateLimited { retry_after_secs: 1 })
                ),
                "{email}"
            );
        }
        assert!(app.login("ADA@example.com", "correct horse battery").is_err(), "the email is normalized first");
        let other = crate::fake::app();
        other.register("ada@example.com", "correct horse battery", None).unwrap();
        assert!(other.login("ada@example.com", "correct horse battery").is_ok(), "another app keeps its own counts");
    }

    #[test]
    fn tampered_or_foreign_tokens_are_rejected() {
        let app = app();
        let reg = app.register("ada@example.com", "correct horse battery", None).unwrap();
        let mut token = reg.tokens.access_token.clone();
        token.push('x');
        assert!(matches!(app.authenticate(&token), Err(ServiceError::Unauthorized(_))));
        let mut other = crate::fake::app();
        other.auth.jwt_secret = "another secret entirely".into();
        assert!(matches!(other.authenticate(&reg.tokens.access_token), Err(ServiceError::Unauthorized(_))));
        let mut expired = app.clone();
        expired.auth.access_ttl = Duration::seconds(-10);
        let t = expired.issue_tokens(reg.user.id, Uuid::new_v4()).unwrap();
        assert!(matches!(app.authenticate(&t.access_token), Err(ServiceError::Unauthorized(_))));
    }

    #[test]
    fn refresh_rotates_and_reuse_revokes_the_family() {
        let app = app();
        let reg = app.register("ada@example.com", "correct horse battery", None).unwrap();
        let second = app.refresh(&reg.tokens.refresh_token).unwrap();
        let third = app.refresh(&second.refresh_token).unwrap();
        // replaying the first token: reuse detected, the whole family dies
        assert!(matches!(app.refresh(&reg.tokens.refresh_token), Err(ServiceError::Unauthorized(_))));
        assert!(matches!(app.refresh(&third.refresh_token), Err(ServiceError::Unauthorized(_))));
        // a new login is a new family and works
        let login = app.login("ada@example.com", "correct horse battery").unwrap();
        app.logout(&login.tokens.refresh_token).unwrap();
        assert!(matches!(app.refresh(&login.tokens.refresh_token), Err(ServiceError::Unauthorized(_))));
        assert!(matches!(app.refresh("sfr_nonsense"), Err(ServiceError::Unauthorized(_))));
    }

    #[test]
    fn api_keys_authenticate_until_revoked() {
        let app = app();
        let ada = app.register("ada@example.com", "correct horse battery", None).unwrap();
        let bob = app.register("bob@example.com", "correct horse battery", None).unwrap();
        let ada_p = app.authenticate(&ada.tokens.access_token).unwrap();
        let bob_p = app.authenticate(&bob.tokens.access_token).unwrap();
        let key = app.create_api_key(ada_p, "ci").unwrap();
        assert!(key.secret.starts_with(API_KEY_PREFIX));
        assert!(key.secret.starts_with(&key.key.prefix));
        let p = app.authenticate(&key.secret).unwrap();
        assert_eq!((p.user_id, p.api_key_id), (ada.user.id, Some(key.key.id)));
        assert!(matches!(app.create_api_key(p, "minted by a key"), Err(ServiceError::Forbidden(_))));
        assert!(matches!(app.revoke_api_key(bob_p, key.key.id), Err(ServiceError::ApiKeyNotFound)));
        app.revoke_api_key(ada_p, key.key.id).unwrap();
        assert!(matches!(app.authenticate(&key.secret), Err(ServiceError::Unauthorized(_))));
        assert!(format!("{key:?}").find(&key.secret).is_none(), "secrets never reach Debug output");
    }

    #[test]
    fn profile_updates_need_the_current_password() {
        let app = app();
        let reg = app.register("ada@example.com", "correct horse battery", None).unwrap();
        let p = app.authenticate(&reg.tokens.access_token).unwrap();
        let u = app.update_me(p, Some(Some("Ada L.".into())), None).unwrap();
        assert_eq!(u.display_name.as_deref(), Some("Ada L."));
        assert!(matches!(
            app.update_me(p, None, Some(("wrong current", "new password 123"))),
            Err(ServiceError::InvalidInput { field: "currentPassword", .. })
        ));
        app.update_me(p, None, Some(("correct horse battery", "new password 123"))).unwrap();
        assert!(app.login("ada@example.com", "new password 123").is_ok());
        assert!(
            matches!(app.refresh(&reg.tokens.refresh_token), Err(ServiceError::Unauthorized(_))),
            "a password change ends the old sessions"
        );
    }
}
