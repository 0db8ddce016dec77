//! A message on its way out, as every transport takes it, and a transport's refusal.

/// A message ready for a transport.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Outgoing {
    pub id: i64,
    pub kind: String,
    pub channel: String,
    /// The phone number or e-mail address.
    pub to: String,
    /// The same, masked, for logs and the file transport.
    pub to_masked: String,
    pub subject: String,
    pub body: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("{0}")]
    Transport(String),
}
