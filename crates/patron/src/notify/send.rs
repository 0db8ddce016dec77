//! The outbox sender (SPEC L1–L2). Each message is claimed (`pending` → `sending`) in its own
//! write before it is handed to a transport, and marked `sent` after: a message is never handed
//! over twice. A transport's refusal puts it back with a growing delay, up to `MAX_ATTEMPTS`; a
//! message left in `sending` by a crash is not retried by itself (it may have gone out) and shows
//! on the outbox page for a person to decide.

use std::io::Write;

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::Value;

pub use super::outgoing::{Outgoing, SendError};
use super::store::{self, Due, Recipient};
use super::templates::Edited;
use crate::jobs::{Progress, RunReport};
use crate::kernel::config::NotifyConfig;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::{DbError, ts};
use crate::kernel::{dates, files, pii};
use crate::web::i18n::Lang;

const MAX_ATTEMPTS: i64 = 8;
const BATCH: i64 = 100;

/// Hands one message to the configured transport for its channel. The file transport writes
/// it to the file of `day`, the business date it is sent on.
pub async fn deliver(
    config: &NotifyConfig,
    data_dir: &std::path::Path,
    day: NaiveDate,
    msg: &Outgoing,
) -> Result<(), SendError> {
    let transport = match msg.channel.as_str() {
        "email" => config.email_transport.as_str(),
        _ => config.sms_transport.as_str(),
    };
    match transport {
        "smtp" => super::smtp::send(config, msg).await,
        "http" => {
            let res = reqwest::Client::new()
                .post(&config.sms_url)
                .bearer_auth(&config.sms_token)
                .json(&serde_json::json!({ "to": msg.to, "text": msg.body, "ref": msg.id }))
                .timeout(std::time::Duration::from_secs(10))
                .send()
                .await
                .map_err(|e| SendError::Transport(format!("sms gateway: {e}")))?;
            if res.status().is_success() {
                Ok(())
            } else {
                Err(SendError::Transport(format!(
                    "sms gateway answered {}",
                    res.status()
                )))
            }
        }
        _ => {
            // The file transport, for trials: one JSON line per message, recipient masked, in
            // one file per business date; owner-only, as a text may carry a first password.
            let dir = data_dir.join("outbox");
            files::private_dir(&dir).map_err(|e| SendError::Transport(e.to_string()))?;
            let file = dir.join(format!("{}.jsonl", day.format("%Y-%m-%d")));
            let line = serde_json::json!({
                "id": msg.id, "kind": msg.kind, "channel": msg.channel, "to": msg.to_masked,
                "subject": msg.subject, "body": msg.body,
            });
            let mut f =
                files::append_private(&file).map_err(|e| SendError::Transport(e.to_string()))?;
            writeln!(f, "{line}").map_err(|e| SendError::Transport(e.to_string()))
        }
    }
}

#[derive(Deserialize)]
struct Scrubbable {
    #[serde(default)]
    password: Option<String>,
    /// A portal sign-in code (`portal_code`), also erased once sent.
    #[serde(default)]
    code: Option<String>,
}

/// Sends what is due. Returns how many were sent (`processed`) and how many failed for good.
pub async fn send_due(
    ctx: &Ctx,
    progress: Option<Progress>,
) -> Result<RunReport, crate::jobs::JobError> {
    let mut report = RunReport::default();
    loop {
        let due = store::due(ctx.db(), ts(ctx.now()), BATCH).await?;
        if due.is_empty() {
            break;
        }
        let mut progressed = false;
        for m in due {
            report.seen += 1;
            progressed |= send_one(ctx, &m, &mut report).await?;
            if let Some(p) = &progress {
                p(report.seen, report.seen);
            }
        }
        if !progressed {
            break;
        }
    }
    Ok(report)
}

/// Marks a message skipped for `why` (no recipient, closed, opted out, no address).
async fn skip(ctx: &Ctx, id: i64, why: &str) -> Result<(), DbError> {
    store::set_state(ctx, id, "pending", "skipped", Some(why.into()), None, true).await?;
    Ok(())
}

/// Why a message to `r` is not sent, if it is not.
fn skip_reason(m: &Due, r: &Recipient) -> Option<&'static str> {
    if r.status != "active" {
        Some("member closed")
    } else if m.marketing && !r.marketing_consent {
        Some("opted out")
    } else {
        None
    }
}

/// The address of `r` on the message's channel, and its masked form.
fn address(ctx: &Ctx, m: &Due, r: &Recipient) -> (String, String) {
    if m.channel == "email" {
        let e = r.email.clone().unwrap_or_default();
        let masked = pii::mask_email(&e);
        (e, masked)
    } else {
        let phone = r
            .phone_enc
            .as_deref()
            .and_then(|e| ctx.app.pii.decrypt(e).ok())
            .unwrap_or_default();
        (phone, r.phone_masked.clone().unwrap_or_default())
    }
}

/// Where a message goes: the recipient's name (the `{name}` of its text), the address and its
/// masked form; or why it is not sent.
enum Target {
    To {
        name: String,
        to: String,
        to_masked: String,
    },
    Skip(&'static str),
}

/// The recipient of a message to a member, or to a store's e-mail address.
async fn target(ctx: &Ctx, m: &Due) -> Result<Target, DbError> {
    if let Some(id) = m.member_id {
        let Some(r) = store::recipient(ctx.db(), id, &m.channel).await? else {
            return Ok(Target::Skip("no recipient"));
        };
        if let Some(why) = skip_reason(m, &r) {
            return Ok(Target::Skip(why));
        }
        let (to, to_masked) = address(ctx, m, &r);
        return Ok(Target::To {
            name: r.name,
            to,
            to_masked,
        });
    }
    if let (Some(id), "email") = (m.to_store_id, m.channel.as_str()) {
        let Some((name, email)) = store::store_address(ctx.db(), id).await? else {
            return Ok(Target::Skip("no recipient"));
        };
        let to_masked = pii::mask_email(&email);
        return Ok(Target::To {
            name,
            to: email,
            to_masked,
        });
    }
    Ok(Target::Skip("no recipient"))
}

/// Delivers a notice to the console inbox (it shows there from the moment it was queued; this
/// marks it delivered) and, for a store with an e-mail address, queues the same notice as an
/// e-mail to that address in the same write. Whether anything changed.
async fn deliver_notice(ctx: &Ctx, m: &Due, report: &mut RunReport) -> Result<bool, DbError> {
    let email = match (m.channel.as_str(), m.to_store_id, m.to_staff_id) {
        ("store", Some(id), _) => match store::store_address(ctx.db(), id).await? {
            Some((_, email)) => Some(email).filter(|e| !e.trim().is_empty()),
            None => {
                skip(ctx, m.id, "no recipient").await?;
                return Ok(true);
            }
        },
        ("staff", _, Some(id)) => {
            if store::staff_addressee(ctx.db(), id).await?.is_none() {
                skip(ctx, m.id, "no recipient").await?;
                return Ok(true);
            }
            None
        }
        _ => {
            skip(ctx, m.id, "no recipient").await?;
            return Ok(true);
        }
    };
    let now = ctx.now();
    let (id, kind, key, payload, store_id) = (
        m.id,
        m.kind.clone(),
        format!("{}:email", m.dedupe_key),
        m.payload.clone(),
        m.to_store_id,
    );
    let done = ctx
        .db()
        .write(move |tx| {
            let (kind, key, payload, email) =
                (kind.clone(), key.clone(), payload.clone(), email.clone());
            Box::pin(async move {
                if !store::mark_delivered(tx, id, now).await? {
                    return Ok::<_, DbError>(false);
                }
                if email.is_some() {
                    let child = super::NewMessage {
                        member_id: None,
                        kind: &kind,
                        channel: "email",
                        dedupe_key: key,
                        payload: serde_json::from_str(&payload).unwrap_or(Value::Null),
                        marketing: false,
                        at: now,
                    };
                    store::insert(tx, &child, (store_id, None)).await?;
                }
                Ok(true)
            })
        })
        .await?;
    if done {
        report.processed += 1;
    }
    Ok(done)
}

/// Sends one message; whether anything changed (false: another sender claimed it first).
async fn send_one(ctx: &Ctx, m: &Due, report: &mut RunReport) -> Result<bool, DbError> {
    if matches!(m.channel.as_str(), "store" | "staff") {
        return deliver_notice(ctx, m, report).await;
    }
    let (name, to, to_masked) = match target(ctx, m).await? {
        Target::To {
            name,
            to,
            to_masked,
        } => (name, to, to_masked),
        Target::Skip(why) => {
            skip(ctx, m.id, why).await?;
            return Ok(true);
        }
    };
    if to.trim().is_empty() {
        skip(ctx, m.id, "no address").await?;
        return Ok(true);
    }
    // Claim it: only one sender ever hands a message over.
    if !store::set_state(ctx, m.id, "pending", "sending", None, None, false).await? {
        return Ok(false);
    }
    let payload: Value = serde_json::from_str(&m.payload).unwrap_or(Value::Null);
    let edited = ctx.app.cache.get::<Edited>(ctx.db()).await?;
    let (subject, body) = super::templates::render(&edited, &m.kind, &name, &payload, Lang::ZhCn);
    let msg = Outgoing {
        id: m.id,
        kind: m.kind.clone(),
        channel: m.channel.clone(),
        to,
        to_masked,
        subject,
        body,
    };
    let has_secret = serde_json::from_value::<Scrubbable>(payload)
        .ok()
        .is_some_and(|s| s.password.is_some() || s.code.is_some());
    let config = &ctx.app.config.notify;
    let day = dates::business_date(ctx.now(), ctx.app.config.tz());
    match deliver(config, &ctx.app.config.data_dir, day, &msg).await {
        Ok(()) => {
            store::set_state(ctx, m.id, "sending", "sent", None, None, has_secret).await?;
            report.processed += 1;
        }
        Err(e) => {
            let attempts = m.attempts + 1;
            tracing::warn!(outbox_id = m.id, attempts, error = %e, "notification not sent");
            if attempts >= MAX_ATTEMPTS {
                let error = Some(e.to_string());
                store::set_state(ctx, m.id, "sending", "failed", error, None, has_secret).await?;
                report.failed += 1;
            } else {
                let next = Some(ctx.now() + chrono::Duration::minutes(1 << attempts.min(10)));
                let error = Some(e.to_string());
                store::set_state(ctx, m.id, "sending", "pending", error, next, false).await?;
            }
        }
    }
    Ok(true)
}
