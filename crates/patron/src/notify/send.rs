//! The outbox sender (SPEC L1–L2). Each message is claimed (`pending` → `sending`) in its own
//! write before it is handed to a transport, and marked `sent` after: a message is never handed
//! over twice. A transport's refusal puts it back with a growing delay, up to `MAX_ATTEMPTS`; a
//! message left in `sending` by a crash is not retried by itself (it may have gone out) and shows
//! on the outbox page for a person to decide.

use std::io::Write;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use crate::jobs::{Progress, RunReport};
use crate::kernel::config::NotifyConfig;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::{DbError, ts};
use crate::{on_db, on_tx};

const MAX_ATTEMPTS: i64 = 8;
const BATCH: i64 = 100;

#[derive(Debug, Clone, sqlx::FromRow)]
struct Due {
    id: i64,
    member_id: Option<i64>,
    kind: String,
    channel: String,
    payload: String,
    marketing: bool,
    attempts: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct Recipient {
    name: String,
    phone_enc: Option<String>,
    phone_masked: Option<String>,
    email: Option<String>,
    marketing_consent: bool,
    status: String,
}

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
    match kind {
        "welcome" => (
            "欢迎加入会员".into(),
            format!(
                "{name}您好，欢迎成为我们的会员！卡号{}。会员网站登录初始密码：{}（首次登录须修改）。",
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
                s("from"),
                s("to")
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

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("{0}")]
    Transport(String),
}

/// Hands one message to the configured transport for its channel.
pub async fn deliver(
    config: &NotifyConfig,
    data_dir: &std::path::Path,
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
            // The file transport, for trials: one JSON line per message, recipient masked.
            let dir = data_dir.join("outbox");
            std::fs::create_dir_all(&dir).map_err(|e| SendError::Transport(e.to_string()))?;
            let file = dir.join(format!("{}.jsonl", Utc::now().format("%Y-%m-%d")));
            let line = serde_json::json!({
                "id": msg.id, "kind": msg.kind, "channel": msg.channel, "to": msg.to_masked,
                "subject": msg.subject, "body": msg.body,
            });
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(file)
                .map_err(|e| SendError::Transport(e.to_string()))?;
            writeln!(f, "{line}").map_err(|e| SendError::Transport(e.to_string()))
        }
    }
}

async fn set_state(
    ctx: &Ctx,
    id: i64,
    from: &'static str,
    to: &'static str,
    error: Option<String>,
    next: Option<DateTime<Utc>>,
    scrub: bool,
) -> Result<bool, DbError> {
    let now = ts(ctx.now());
    ctx.db()
        .write(move |tx| {
            let error = error.clone();
            Box::pin(async move {
                let n = on_tx!(tx, |c| {
                    sqlx::query(
                        "update outbox set status = $1, last_error = $2, \
                         next_attempt_at = coalesce($3, next_attempt_at), \
                         attempts = attempts + case when $1 = 'sending' then 1 else 0 end, \
                         claimed_until = case when $1 = 'sending' then $4 else claimed_until end, \
                         sent_at = case when $1 = 'sent' then $4 else sent_at end, \
                         payload = case when $6 then '{}' else payload end \
                         where id = $5 and status = $7",
                    )
                    .bind(to)
                    .bind(&error)
                    .bind(next.map(ts))
                    .bind(now)
                    .bind(id)
                    .bind(scrub)
                    .bind(from)
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected())
                })?;
                Ok::<_, DbError>(n == 1)
            })
        })
        .await
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
    let config = ctx.app.config.notify.clone();
    let data_dir = ctx.app.config.data_dir.clone();
    loop {
        let now = ts(ctx.now());
        let due: Vec<Due> = on_db!(ctx.db(), |p| {
            sqlx::query_as(
                "select id, member_id, kind, channel, payload, marketing, attempts from outbox \
                 where status = 'pending' and next_attempt_at <= $1 order by id limit $2",
            )
            .bind(now)
            .bind(BATCH)
            .fetch_all(p)
            .await?
        });
        if due.is_empty() {
            break;
        }
        let mut progressed = false;
        for m in due {
            report.seen += 1;
            let recipient: Option<Recipient> = match m.member_id {
                Some(id) => on_db!(ctx.db(), |p| {
                    sqlx::query_as(
                        "select name, phone_enc, phone_masked, email, marketing_consent, status \
                         from members where id = $1",
                    )
                    .bind(id)
                    .fetch_optional(p)
                    .await?
                }),
                None => None,
            };
            let Some(r) = recipient else {
                set_state(
                    ctx,
                    m.id,
                    "pending",
                    "skipped",
                    Some("no recipient".into()),
                    None,
                    true,
                )
                .await?;
                progressed = true;
                continue;
            };
            if r.status != "active" || (m.marketing && !r.marketing_consent) {
                let why = if r.status != "active" {
                    "member closed"
                } else {
                    "opted out"
                };
                set_state(
                    ctx,
                    m.id,
                    "pending",
                    "skipped",
                    Some(why.into()),
                    None,
                    true,
                )
                .await?;
                progressed = true;
                continue;
            }
            let (to, to_masked) = if m.channel == "email" {
                let e = r.email.clone().unwrap_or_default();
                (
                    e.clone(),
                    e.split('@')
                        .next()
                        .map(|u| {
                            format!(
                                "{}***@{}",
                                &u.chars().take(1).collect::<String>(),
                                e.split('@').nth(1).unwrap_or("")
                            )
                        })
                        .unwrap_or_default(),
                )
            } else {
                let phone = r
                    .phone_enc
                    .as_deref()
                    .and_then(|e| ctx.app.pii.decrypt(e).ok())
                    .unwrap_or_default();
                (phone, r.phone_masked.clone().unwrap_or_default())
            };
            if to.is_empty() {
                set_state(
                    ctx,
                    m.id,
                    "pending",
                    "skipped",
                    Some("no address".into()),
                    None,
                    true,
                )
                .await?;
                progressed = true;
                continue;
            }
            // Claim it: only one sender ever hands a message over.
            if !set_state(ctx, m.id, "pending", "sending", None, None, false).await? {
                continue;
            }
            progressed = true;
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
            match deliver(&config, &data_dir, &msg).await {
                Ok(()) => {
                    set_state(ctx, m.id, "sending", "sent", None, None, has_secret).await?;
                    report.processed += 1;
                }
                Err(e) => {
                    let attempts = m.attempts + 1;
                    tracing::warn!(outbox_id = m.id, attempts, error = %e, "notification not sent");
                    if attempts >= MAX_ATTEMPTS {
                        set_state(
                            ctx,
                            m.id,
                            "sending",
                            "failed",
                            Some(e.to_string()),
                            None,
                            has_secret,
                        )
                        .await?;
                        report.failed += 1;
                    } else {
                        let delay = chrono::Duration::minutes(1 << attempts.min(10));
                        set_state(
                            ctx,
                            m.id,
                            "sending",
                            "pending",
                            Some(e.to_string()),
                            Some(ctx.now() + delay),
                            false,
                        )
                        .await?;
                    }
                }
            }
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
