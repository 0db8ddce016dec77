//! Personal data at rest (SPEC B2, N1): phones and ID numbers are stored encrypted (AES-256-GCM)
//! beside a keyed hash for exact lookup. Both keys are derived from `pii_key` in secrets.toml,
//! which never enters the database.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::kernel::secret::keyed_digest;

/// Encrypts, decrypts and hashes personal fields.
#[derive(Clone)]
pub struct Pii {
    cipher: Aes256Gcm,
    lookup_key: [u8; 32],
}

#[derive(Debug, thiserror::Error)]
#[error("personal data could not be decrypted (wrong pii_key or damaged value)")]
pub struct PiiError;

fn derive(key: &[u8; 32], label: &str) -> [u8; 32] {
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return *key,
    };
    mac.update(label.as_bytes());
    mac.finalize().into_bytes().into()
}

impl Pii {
    pub fn new(pii_key: &[u8; 32]) -> Pii {
        let enc = derive(pii_key, "patron/pii/encrypt");
        Pii {
            cipher: Aes256Gcm::new(&enc.into()),
            lookup_key: derive(pii_key, "patron/pii/lookup"),
        }
    }

    /// `base64(nonce ‖ ciphertext)`.
    pub fn encrypt(&self, plain: &str) -> String {
        let nonce_bytes: [u8; 12] = rand::random();
        let nonce = Nonce::from(nonce_bytes);
        // Encryption with a valid key and nonce only fails for messages of gigabytes.
        let ct = self
            .cipher
            .encrypt(&nonce, plain.as_bytes())
            .unwrap_or_default();
        let mut out = nonce_bytes.to_vec();
        out.extend_from_slice(&ct);
        B64.encode(out)
    }

    pub fn decrypt(&self, stored: &str) -> Result<String, PiiError> {
        let bytes = B64.decode(stored).map_err(|_| PiiError)?;
        if bytes.len() < 12 {
            return Err(PiiError);
        }
        let (n, ct) = bytes.split_at(12);
        let nonce_bytes: [u8; 12] = n.try_into().map_err(|_| PiiError)?;
        let plain = self
            .cipher
            .decrypt(&Nonce::from(nonce_bytes), ct)
            .map_err(|_| PiiError)?;
        String::from_utf8(plain).map_err(|_| PiiError)
    }

    /// The lookup hash of a normalised value; `kind` keeps phones and ID numbers apart.
    pub fn lookup(&self, kind: &str, normalised: &str) -> String {
        keyed_digest(&self.lookup_key, &format!("{kind}:{normalised}"))
    }
}

/// A phone as lists show it: eleven characters or more keep their first three and last four
/// (`138****5678`, `010*****1234`), a shorter number only its last four (`****1234`); what is
/// hidden is never sent to the page.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.trim().chars().collect();
    let n = chars.len();
    if n == 0 {
        return String::new();
    }
    let keep_tail = 4.min(n.saturating_sub(3));
    let keep_head = if n >= 11 { 3 } else { 0 };
    let mut out: String = chars[..keep_head].iter().collect();
    out.push_str(&"*".repeat(n - keep_head - keep_tail));
    out.extend(&chars[n - keep_tail..]);
    out
}

/// An e-mail address as shown where it is not needed in full: its first character and its
/// domain (`w***@example.com`); nothing when it is empty.
pub fn mask_email(email: &str) -> String {
    let email = email.trim();
    match email.split_once('@') {
        Some((user, domain)) => {
            let first: String = user.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None if email.is_empty() => String::new(),
        None => "***".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_masked_phone_keeps_only_its_ends() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone(" 13900001111 "), "139****1111");
        assert_eq!(mask_phone("010-65001234"), "010*****1234");
        assert_eq!(mask_phone("65001234"), "****1234");
        assert_eq!(mask_phone("1234"), "***4");
        assert_eq!(mask_phone(""), "");
    }

    #[test]
    fn an_email_is_masked_to_its_first_letter_and_domain() {
        assert_eq!(mask_email("wang.fang@example.com"), "w***@example.com");
        assert_eq!(mask_email(""), "");
        assert_eq!(mask_email("nonsense"), "***");
    }

    #[test]
    fn a_phone_round_trips_and_is_not_stored_in_clear() {
        let pii = Pii::new(&[7; 32]);
        let stored = pii.encrypt("13800138000");
        assert!(!stored.contains("13800138000"));
        assert_ne!(
            stored,
            pii.encrypt("13800138000"),
            "a fresh nonce each time"
        );
        assert_eq!(pii.decrypt(&stored).expect("decrypt"), "13800138000");
        assert!(Pii::new(&[8; 32]).decrypt(&stored).is_err());
        assert_eq!(pii.lookup("phone", "1"), pii.lookup("phone", "1"));
        assert_ne!(pii.lookup("phone", "1"), pii.lookup("id", "1"));
    }
}
