//! Bearer secrets (till keys, API tokens, session ids): random, shown once, stored as hashes.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// A new random secret with a readable prefix, e.g. `ptk_3kQ…`.
pub fn new_secret(prefix: &str) -> String {
    let bytes: [u8; 32] = rand::random();
    format!("{prefix}_{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// The stored form of a high-entropy secret.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// The stored form of a secret keyed with one of Patron's keys (a leaked table alone is useless).
pub fn keyed_digest(key: &[u8; 32], secret: &str) -> String {
    // HMAC accepts keys of any length; 32 bytes cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return digest(secret),
    };
    mac.update(secret.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The first characters of a secret, kept to help people tell keys apart.
pub fn display_prefix(secret: &str) -> String {
    secret.chars().take(10).collect()
}
