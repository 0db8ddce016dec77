//! The desk issues or resets a member's portal password (B5, B10): a random temporary password
//! goes to the member by SMS through the outbox (it leaves the outbox once sent and is never
//! logged or audited), must be changed at first login, ends the member's portal sessions and
//! clears the member's login lockout. The member import may issue them for the imported members.

use chrono::{DateTime, Utc};
use patron_core::Permission;
use serde_json::json;

use super::{MembersError, store};
use crate::auth::{password, sessions, throttle};
use crate::kernel::ctx::Ctx;
use crate::kernel::db::{DbError, Tx};

/// A member's new temporary password, hashed before the write (hashing is slow).
#[derive(Clone)]
pub(crate) struct Issued {
    pub member_id: i64,
    pub card_no: String,
    pub password: String,
    pub hash: String,
}

impl Issued {
    pub(crate) async fn new(member_id: i64, card_no: &str) -> Result<Issued, MembersError> {
        let password = password::random_password();
        let hash = password::hash(&password)
            .await
            .map_err(|e| MembersError::Db(DbError::Batch(e.to_string())))?;
        Ok(Issued {
            member_id,
            card_no: card_no.to_string(),
            password,
            hash,
        })
    }
}

/// What the desk did: a first password, or a reset of one the member had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortalPassword {
    Issued,
    Reset,
}

/// Issues (or resets) the portal password of member `member_id` at the desk (audited).
pub async fn issue_portal_password(
    ctx: &Ctx,
    member_id: i64,
) -> Result<PortalPassword, MembersError> {
    ctx.require(Permission::ManageMembers)?;
    let member = store::get_member(ctx.db(), member_id)
        .await?
        .ok_or(MembersError::NotFound)?;
    ctx.require_at(Permission::ManageMembers, member.store_id)?;
    let card_no = match (&member.card_no, member.status.as_str()) {
        (Some(c), "active") => c.clone(),
        (_, status) => return Err(MembersError::CardState(status.to_string())),
    };
    let issued = Issued::new(member_id, &card_no).await?;
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, issued) = (c.clone(), issued.clone());
            Box::pin(async move {
                let reset = issue_in(tx, &issued, c.now()).await?;
                tx.audit(
                    c.audit("member.portal_password", "member", member_id)
                        .after(&json!({ "card_no": issued.card_no, "reset": reset })),
                );
                Ok::<_, MembersError>(if reset {
                    PortalPassword::Reset
                } else {
                    PortalPassword::Issued
                })
            })
        })
        .await
}

/// Inside the caller's write: stores the password (to be changed at first login), ends the
/// member's portal sessions, clears their login lockout and queues the SMS. Whether it replaced
/// a password the member had.
pub(crate) async fn issue_in(
    tx: &mut Tx,
    issued: &Issued,
    now: DateTime<Utc>,
) -> Result<bool, MembersError> {
    let id = issued.member_id;
    let reset = store::set_issued_portal_password(tx, id, &issued.hash)
        .await?
        .ok_or_else(|| MembersError::CardState("closed".into()))?;
    sessions::delete_all_for(tx, "member", id, None).await?;
    throttle::unlock(tx, "member", &throttle::account_of(id)).await?;
    crate::notify::queue(
        tx,
        &crate::notify::NewMessage {
            member_id: Some(id),
            kind: "portal_password",
            channel: "sms",
            dedupe_key: format!("portal_password:{id}:{}", now.timestamp_micros()),
            payload: json!({ "card_no": issued.card_no, "password": issued.password }),
            marketing: false,
            at: now,
        },
    )
    .await?;
    Ok(reset)
}
