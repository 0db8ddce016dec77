//! Password hashing (argon2id). Hashing is slow on purpose: it runs on the blocking pool, never
//! inside a write closure.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use tokio::sync::Semaphore;

/// At most this many password checks run at once: each takes ~19 MiB and a core for a while,
/// so a flood of logins queues here instead of exhausting memory.
static HASHING: Semaphore = Semaphore::const_new(4);

/// Hashes a password into a PHC string.
pub async fn hash(password: &str) -> Result<String, HashError> {
    let _permit = HASHING
        .acquire()
        .await
        .map_err(|e| HashError(e.to_string()))?;
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| HashError(e.to_string()))
    })
    .await
    .map_err(|e| HashError(e.to_string()))?
}

/// Whether `password` matches the stored PHC string. A malformed stored hash never matches.
pub async fn verify(password: &str, phc: &str) -> bool {
    let Ok(_permit) = HASHING.acquire().await else {
        return false;
    };
    let password = password.to_owned();
    let phc = phc.to_owned();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .verify_password(password.as_bytes(), phc.as_str())
            .is_ok()
    })
    .await
    .unwrap_or(false)
}

/// A hash of a password nobody has: verifying against it costs what a real check costs, so an
/// unknown user name takes as long to refuse as a wrong password.
pub async fn dummy_hash() -> String {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY
        .get_or_init(|| async { hash(&random_password()).await.unwrap_or_default() })
        .await
        .clone()
}

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(pub String);

/// A random password people can read aloud and type: no 0/O, 1/l/I.
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut out = String::with_capacity(14);
    for i in 0..12 {
        if i == 4 || i == 8 {
            out.push('-');
        }
        let idx = rand::random_range(0..ALPHABET.len());
        out.push(char::from(ALPHABET[idx]));
    }
    out
}
