//! The SMTP transport (lettre, rustls): plain SMTP for a relay on the local network, or
//! STARTTLS when `smtp_starttls` is on.

use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::outgoing::{Outgoing, SendError};
use crate::kernel::config::NotifyConfig;

pub async fn send(config: &NotifyConfig, msg: &Outgoing) -> Result<(), SendError> {
    let bad = |e: String| SendError::Transport(format!("smtp: {e}"));
    let email = Message::builder()
        .from(
            config
                .smtp_from
                .parse()
                .map_err(|e| bad(format!("from address: {e}")))?,
        )
        .to(msg
            .to
            .parse()
            .map_err(|e| bad(format!("to address: {e}")))?)
        .subject(msg.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(msg.body.clone())
        .map_err(|e| bad(e.to_string()))?;
    let mut builder = if config.smtp_starttls {
        AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.smtp_host)
            .map_err(|e| bad(e.to_string()))?
    } else {
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.smtp_host)
    }
    .port(config.smtp_port)
    .timeout(Some(std::time::Duration::from_secs(15)));
    if !config.smtp_user.is_empty() {
        builder = builder.credentials(Credentials::new(
            config.smtp_user.clone(),
            config.smtp_password.clone(),
        ));
    }
    builder
        .build()
        .send(email)
        .await
        .map(|_| ())
        .map_err(|e| bad(e.to_string()))
}
