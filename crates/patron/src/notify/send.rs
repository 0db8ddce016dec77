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
use crate::jobs::{Progress, RunReport};
use crate::kernel::config::NotifyConfig;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::{DbError, ts};
use crate::kernel::{dates, files};

const MAX_ATTEMPTS: i64 = 8;
const BATCH: i64 = 100;

/// The text of each kind of message (zh-CN: the members' language).
pub fn render(kind: &str, name: &str, payload: &Value) -> (String, String) {
    let s = |k: &str| {
        payload
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let n = |k: &str| payload.get(k).and_then(Value::as_i64).unwrap_or(0);
    // A tier's name as queued; a message queued before names were sent falls back to the
    // default Chinese names of the standard tiers.
    let named = |k: &str| {
        let name = s(&format!("{k}_name"));
        if !name.is_empty() {
            return name;
        }
        match s(k).as_str() {
            "normal" => "普通会员".into(),
            "silver" => "银卡".into(),
            "gold" => "金卡".into(),
            "platinum" => "白金卡".into(),
            other => other.to_string(),
        }
    };
    match kind {
        "welcome" => (
            "欢迎加入会员".into(),
            format!(
                "{name}您好，欢迎成为我们的会员！卡号{}。会员网站登录初始密码：{}（首次登录须修改）。",
                s("card_no"),
                s("password")
            ),
        ),
        "portal_password" => (
            "会员网站密码".into(),
            format!(
                "{name}您好，服务台已为您的会员卡{}设置会员网站登录临时密码：{}（首次登录须修改）。如非本人申请，请联系服务台。",
                s("card_no"),
                s("password")
            ),
        ),
        "expiry_reminder" => (
            "积分即将到期".into(),
            format!(
                "{name}您好，您有{}积分将于{}到期，请及时使用。",
                n("points"),
                s("expires_on")
            ),
        ),
        "tier_change" => (
            "会员等级变更".into(),
            format!(
                "{name}您好，您的会员等级已由{}调整为{}。",
                named("from"),
                named("to")
            ),
        ),
        "birthday" => (
            "生日快乐".into(),
            format!("{name}您好，祝您生日快乐！本月可到服务台领取生日礼。"),
        ),
        "event_invite" => (
            format!("会员活动邀请：{}", s("theme")),
            format!(
                "{name}您好，诚邀您参加会员活动「{}」，时间{}，地点{}。您可于{}起在会员网站或服务台报名，名额有限。",
                s("theme"),
                s("starts_at"),
                s("place"),
                s("opens_at")
            ),
        ),
        other => (other.to_string(), format!("{name}您好。")),
    }
}

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
        let masked = e
            .split('@')
            .next()
            .map(|u| {
                format!(
                    "{}***@{}",
                    &u.chars().take(1).collect::<String>(),
                    e.split('@').nth(1).unwrap_or("")
                )
            })
            .unwrap_or_default();
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

/// Sends one message; whether anything changed (false: another sender claimed it first).
async fn send_one(ctx: &Ctx, m: &Due, report: &mut RunReport) -> Result<bool, DbError> {
    let recipient = match m.member_id {
        Some(id) => store::recipient(ctx.db(), id).await?,
        None => None,
    };
    let Some(r) = recipient else {
        skip(ctx, m.id, "no recipient").await?;
        return Ok(true);
    };
    if let Some(why) = skip_reason(m, &r) {
        skip(ctx, m.id, why).await?;
        return Ok(true);
    }
    let (to, to_masked) = address(ctx, m, &r);
    if to.is_empty() {
        skip(ctx, m.id, "no address").await?;
        return Ok(true);
    }
    // Claim it: only one sender ever hands a message over.
    if !store::set_state(ctx, m.id, "pending", "sending", None, None, false).await? {
        return Ok(false);
    }
    let payload: Value = serde_json::from_str(&m.payload).unwrap_or(Value::Null);
    let (subject, body) = render(&m.kind, &r.name, &payload);
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
        .and_then(|s| s.password)
        .is_some();
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
