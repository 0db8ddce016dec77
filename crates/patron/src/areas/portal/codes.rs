//! First sign-in and a forgotten password by a one-time SMS code (B10). A member who has no
//! password yet (imported) or forgot it asks for a code with their phone; the code goes by SMS
//! through the outbox, lives `CODE_MINUTES`, works once and dies after `MAX_TRIES` wrong tries;
//! only a keyed digest of it is stored. With the code the member sets their own password (the
//! core rules) and is signed in. The desk-issued password (`members::portal_password`) stays the
//! other way in.
//!
//! Nothing tells whether a phone is a member's: a request for any well-formed phone is answered
//! alike, and the work done (the counts, one write) is the same but for the code's row and its
//! message. Requests are counted per phone (its lookup hash) and per client address before
//! anything else, in the database, so the limits hold across instances.

use chrono::{DateTime, Duration, Utc};
use patron_core::identity::Phone;
use serde_json::json;

use super::{PortalError, SignedIn, store};
use crate::auth::{password, sessions, throttle};
use crate::kernel::ctx::{Actor, App, Ctx};
use crate::kernel::db::{Tx, ts};
use crate::kernel::secret::keyed_digest;

/// How long a code works.
pub const CODE_MINUTES: i64 = 10;
/// Wrong tries a code survives.
pub const MAX_TRIES: i64 = 5;
/// The window the limits below count in.
pub const WINDOW_MINUTES: i64 = 60;
/// Codes sent to one phone in a window.
pub const PER_PHONE: i64 = 3;
/// Codes asked for from one client address in a window.
pub const PER_ADDRESS: i64 = 10;
/// Code checks from one client address (or for one phone) in a window.
pub const CHECKS_PER_WINDOW: i64 = 20;

/// How a code request or check ended. Counts are kept whatever the end, so the write commits
/// even when the answer is a refusal.
enum Outcome {
    Done(i64),
    BadCode,
    TooMany,
}

fn parse_phone(text: &str) -> Result<Phone, PortalError> {
    Phone::parse(text).map_err(|_| PortalError::BadPhone)
}

fn code_digest(app: &App, member_id: i64, code: &str) -> String {
    keyed_digest(
        &app.secrets.session_key,
        &format!("portal-code:{member_id}:{code}"),
    )
}

/// Constant-time comparison of two digests.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Counts one more under each subject; whether any is over its limit.
async fn over_limits(
    tx: &mut Tx,
    subjects: &[(String, i64)],
    now: DateTime<Utc>,
) -> Result<bool, PortalError> {
    let until = ts(now + Duration::minutes(WINDOW_MINUTES));
    let mut over = false;
    for (subject, limit) in subjects {
        over |= store::codes::count(tx, subject, now, until).await? > *limit;
    }
    Ok(over)
}

/// Sends a one-time code to the member with this phone, if there is one. Answers `Ok` alike for
/// every well-formed phone; `TooMany` when the phone or the address asked too often.
pub async fn request_code(app: &App, phone: &str, addr: &str) -> Result<(), PortalError> {
    let phone = parse_phone(phone)?;
    let hash = app.pii.lookup("phone", phone.as_str());
    let member = store::account_by_phone(&app.db, &hash).await?.map(|a| a.id);
    let code = format!("{:06}", rand::random::<u64>() % 1_000_000);
    let digest = member.map(|id| code_digest(app, id, &code));
    let now = app.clock.now();
    let subjects = vec![
        (format!("send:phone:{hash}"), PER_PHONE),
        (format!("send:addr:{addr}"), PER_ADDRESS),
    ];
    let ctx = Ctx::new(app.clone(), Actor::System, None);
    let outcome = app
        .db
        .write(move |tx| {
            let (subjects, digest, code, ctx) =
                (subjects.clone(), digest.clone(), code.clone(), ctx.clone());
            Box::pin(async move {
                if over_limits(tx, &subjects, now).await? {
                    return Ok::<_, PortalError>(Outcome::TooMany);
                }
                let (Some(id), Some(digest)) = (member, digest) else {
                    return Ok(Outcome::Done(0));
                };
                let expires = now + Duration::minutes(CODE_MINUTES);
                let code_id = store::codes::replace(tx, id, &digest, ts(now), ts(expires)).await?;
                crate::notify::queue(
                    tx,
                    &crate::notify::NewMessage {
                        member_id: Some(id),
                        kind: "portal_code",
                        channel: "sms",
                        dedupe_key: format!("portal_code:{id}:{code_id}"),
                        payload: json!({ "code": code, "minutes": CODE_MINUTES }),
                        marketing: false,
                        at: now,
                    },
                )
                .await?;
                tx.audit(
                    ctx.audit("portal.code_sent", "member", id)
                        .after(&json!({ "code_id": code_id })),
                );
                Ok(Outcome::Done(id))
            })
        })
        .await?;
    match outcome {
        Outcome::TooMany => Err(PortalError::TooMany),
        _ => Ok(()),
    }
}

/// What the member types after receiving a code.
pub struct CodeIn<'a> {
    pub phone: &'a str,
    pub code: &'a str,
    pub new: &'a str,
    pub confirm: &'a str,
}

/// Sets the member's own password with a code and signs them in. A wrong, used or expired code,
/// and a phone that is no member's, are all `BadCode`.
pub async fn set_password(
    app: &App,
    input: &CodeIn<'_>,
    addr: &str,
) -> Result<SignedIn, PortalError> {
    let phone = parse_phone(input.phone)?;
    if input.new != input.confirm {
        return Err(PortalError::Mismatch);
    }
    patron_core::password::check_new_password("", "", input.new)
        .map_err(|p| PortalError::Weak(p.message_key()))?;
    let hash = app.pii.lookup("phone", phone.as_str());
    let member = store::account_by_phone(&app.db, &hash).await?.map(|a| a.id);
    let typed: String = input.code.chars().filter(char::is_ascii_digit).collect();
    let typed_digest = member.map(|id| code_digest(app, id, &typed));
    let new_hash = password::hash(input.new)
        .await
        .map_err(|e| PortalError::Hash(e.to_string()))?;
    let now = app.clock.now();
    let subjects = vec![
        (format!("check:phone:{hash}"), CHECKS_PER_WINDOW),
        (format!("check:addr:{addr}"), CHECKS_PER_WINDOW),
    ];
    let ctx = Ctx::new(app.clone(), Actor::System, None);
    let outcome = app
        .db
        .write(move |tx| {
            let (subjects, typed_digest, new_hash, ctx) = (
                subjects.clone(),
                typed_digest.clone(),
                new_hash.clone(),
                ctx.clone(),
            );
            Box::pin(async move {
                if over_limits(tx, &subjects, now).await? {
                    return Ok::<_, PortalError>(Outcome::TooMany);
                }
                let (Some(id), Some(typed_digest)) = (member, typed_digest) else {
                    return Ok(Outcome::BadCode);
                };
                let Some(live) = store::codes::live(tx, id, ts(now), MAX_TRIES).await? else {
                    return Ok(Outcome::BadCode);
                };
                if !same(&live.code_hash, &typed_digest) {
                    store::codes::wrong_try(tx, live.id).await?;
                    return Ok(Outcome::BadCode);
                }
                if !store::codes::use_code(tx, live.id, ts(now)).await? {
                    return Ok(Outcome::BadCode);
                }
                store::set_password(tx, id, &new_hash).await?;
                sessions::delete_all_for(tx, "member", id, None).await?;
                throttle::unlock(tx, "member", &throttle::account_of(id)).await?;
                tx.audit(
                    ctx.audit("portal.password_by_code", "member", id)
                        .after(&json!({ "code_id": live.id })),
                );
                Ok(Outcome::Done(id))
            })
        })
        .await?;
    let id = match outcome {
        Outcome::Done(id) => id,
        Outcome::BadCode => return Err(PortalError::BadCode),
        Outcome::TooMany => return Err(PortalError::TooMany),
    };
    let cookie = sessions::create(app, "member", id).await?;
    Ok(SignedIn {
        member_id: id,
        must_change: false,
        cookie,
    })
}
