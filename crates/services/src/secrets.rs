//! Encryption at rest of provisioned roles' passwords: XChaCha20-Poly1305
//! (random 192-bit nonces are safe to pick at random), the schema id as
//! associated data so a ciphertext copied to another schema's row does not
//! decrypt.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use uuid::Uuid;

const NONCE_LEN: usize = 24;

/// A 256-bit key (its `Debug` never shows it).
#[derive(Clone)]
pub struct EncryptionKey([u8; 32]);

impl std::fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EncryptionKey(<redacted>)")
    }
}

/// Why a key cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("the encryption key must be 32 bytes in standard base64 (e.g. from `openssl rand -base64 32`)")]
pub struct InvalidKey;

impl EncryptionKey {
    /// Decode a key written in standard base64.
    pub fn from_base64(text: &str) -> Result<Self, InvalidKey> {
        let bytes = STANDARD.decode(text.trim()).map_err(|_| InvalidKey)?;
        <[u8; 32]>::try_from(bytes.as_slice()).map(Self).map_err(|_| InvalidKey)
    }

    /// A key from raw bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&self.0.into())
    }

    /// `nonce || ciphertext` of `plaintext`, bound to `schema_id`.
    pub fn seal(&self, schema_id: Uuid, plaintext: &str) -> Option<Vec<u8>> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::thread_rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher()
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: plaintext.as_bytes(), aad: schema_id.as_bytes() })
            .ok()?;
        let mut out = nonce.to_vec();
        out.extend(sealed);
        Some(out)
    }

    /// The plaintext of `seal`'s output, if this key sealed it for `schema_id`.
    pub fn open(&self, schema_id: Uuid, sealed: &[u8]) -> Option<String> {
        if sealed.len() < NONCE_LEN {
            return None;
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let plain = self
            .cipher()
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ciphertext, aad: schema_id.as_bytes() })
            .ok()?;
        String::from_utf8(plain).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_passwords_open_only_with_the_key_and_schema_they_were_sealed_for() {
        let key = EncryptionKey::from_bytes([7; 32]);
        let id = Uuid::new_v4();
        let sealed = key.seal(id, "hunter2-but-longer").unwrap();
        assert!(!sealed.windows(7).any(|w| w == b"hunter2"), "no plaintext at rest");
        assert_eq!(key.open(id, &sealed).as_deref(), Some("hunter2-but-longer"));
        assert_eq!(key.open(Uuid::new_v4(), &sealed), None, "bound to the schema");
        assert_eq!(EncryptionKey::from_bytes([8; 32]).open(id, &sealed), None, "another key fails");
        let mut tampered = sealed.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert_eq!(key.open(id, &tampered), None, "tampering is detected");
        assert_eq!(key.open(id, &sealed[..10]), None);
        assert_ne!(key.seal(id, "x"), key.seal(id, "x"), "nonces are fresh");
    }

    #[test]
    fn keys_are_32_bytes_of_base64_and_never_shown() {
        let text = STANDARD.encode([1u8; 32]);
        let key = EncryptionKey::from_base64(&text).unwrap();
        assert_eq!(format!("{key:?}"), "EncryptionKey(<redacted>)");
        assert!(EncryptionKey::from_base64(&STANDARD.encode([1u8; 16])).is_err());
        assert!(EncryptionKey::from_base64("not base64!").is_err());
    }
}
