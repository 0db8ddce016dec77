//! Card life (SPEC B5–B6, B11): activation at hand-over, renewal, loss report with replacement
//! (new number; balance and history stay with the member, the old card is dead), freeze and
//! unfreeze, and closing a member with their personal data erased while the ledger totals stay.
//! Every change is a guarded state transition, audited.

use chrono::Months;
use patron_core::Permission;
use patron_core::identity::CardNo;
use serde::{Deserialize, Serialize};

use super::{MembersError, store};
use crate::areas::points::business_date;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::{DbError, ts};
use crate::kernel::validation::Invalid;
use crate::on_tx;

/// What the desk does to a member's card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardAction {
    Activate,
    Freeze,
    Unfreeze,
    Renew,
    /// 挂失补卡: the card is reported lost and a new number issued at once.
    ReplaceLost,
    /// Close the membership and erase personal data (B11).
    Close,
}

impl CardAction {
    pub fn parse(s: &str) -> Option<CardAction> {
        match s {
            "activate" => Some(CardAction::Activate),
            "freeze" => Some(CardAction::Freeze),
            "unfreeze" => Some(CardAction::Unfreeze),
            "renew" => Some(CardAction::Renew),
            "replace_lost" => Some(CardAction::ReplaceLost),
            "close" => Some(CardAction::Close),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            CardAction::Activate => "activate",
            CardAction::Freeze => "freeze",
            CardAction::Unfreeze => "unfreeze",
            CardAction::Renew => "renew",
            CardAction::ReplaceLost => "replace_lost",
            CardAction::Close => "close",
        }
    }

    /// The card states the action starts from.
    fn starts_from(self) -> &'static [&'static str] {
        match self {
            CardAction::Activate => &["issued"],
            CardAction::Freeze => &["active"],
            CardAction::Unfreeze => &["frozen"],
            CardAction::Renew => &["active", "issued"],
            CardAction::ReplaceLost => &["active", "frozen", "issued"],
            CardAction::Close => &["active", "frozen", "issued"],
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct LiveCard {
    card_no: String,
    state: String,
    store_id: i64,
    expires_on: chrono::NaiveDate,
}

/// Carries out `action` on the member's live card; returns the card number now in use.
pub async fn act(
    ctx: &Ctx,
    member_id: i64,
    action: CardAction,
    reason: &str,
) -> Result<String, MembersError> {
    ctx.require(Permission::ManageMembers)?;
    if matches!(action, CardAction::Close | CardAction::Freeze) && reason.trim().is_empty() {
        return Err(Invalid::one("reason", "invalid.required").into());
    }
    let loyalty = ctx
        .app
        .cache
        .get::<crate::areas::points::settings::Loyalty>(ctx.db())
        .await?;
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    let months = loyalty.settings.card_valid_months.max(1) as u32;
    let c = ctx.clone();
    let reason = reason.trim().to_string();
    ctx.db()
        .write(move |tx| {
            let (c, stores, reason) = (c.clone(), stores.clone(), reason.clone());
            Box::pin(async move {
                let card: LiveCard = on_tx!(tx, |conn| {
                    sqlx::query_as(
                        "select card_no, state, store_id, expires_on from cards \
                         where member_id = $1 and state in ('issued', 'active', 'frozen')",
                    )
                    .bind(member_id)
                    .fetch_optional(conn)
                    .await?
                })
                .ok_or(MembersError::NotFound)?;
                // Cards are operated by staff of the issuing store.
                c.require_at(Permission::ManageMembers, card.store_id)?;
                if !action.starts_from().contains(&card.state.as_str()) {
                    return Err(MembersError::CardState(card.state.clone()));
                }
                let now = c.now();
                let store = stores.by_id(card.store_id);
                let today = business_date(now, store.map_or(chrono_tz::Asia::Shanghai, |s| s.tz));
                let set_state = |new: &'static str| {
                    let card_no = card.card_no.clone();
                    let old = card.state.clone();
                    (new, card_no, old)
                };
                let mut in_use = card.card_no.clone();
                match action {
                    CardAction::Activate | CardAction::Freeze | CardAction::Unfreeze => {
                        let (new, card_no, old) = set_state(match action {
                            CardAction::Activate | CardAction::Unfreeze => "active",
                            _ => "frozen",
                        });
                        guarded(tx, &card_no, &old, new, now, action == CardAction::Activate)
                            .await?;
                    }
                    CardAction::Renew => {
                        let from = card.expires_on.max(today);
                        let until = from.checked_add_months(Months::new(months)).unwrap_or(from);
                        let n = on_tx!(tx, |conn| {
                            sqlx::query(
                                "update cards set expires_on = $1 where card_no = $2 and state = $3",
                            )
                            .bind(until)
                            .bind(&card.card_no)
                            .bind(&card.state)
                            .execute(conn)
                            .await
                            .map(|r| r.rows_affected())
                        })?;
                        if n != 1 {
                            return Err(MembersError::CardState(card.state.clone()));
                        }
                    }
                    CardAction::ReplaceLost => {
                        guarded(tx, &card.card_no, &card.state, "replaced", now, false).await?;
                        let code = store.map_or("HQ", |s| s.code.as_str());
                        let seq = store::next_card_seq(tx, card.store_id).await?;
                        let new_no = CardNo::issued(code, seq);
                        store::insert_card(
                            tx,
                            &store::NewCard {
                                card_no: new_no.as_str(),
                                member_id,
                                store_id: card.store_id,
                                issued_on: today,
                                expires_on: card.expires_on.max(today),
                                activated_at: Some(now),
                                opening_receipt_no: None,
                                created_at: now,
                            },
                        )
                        .await
                        .map_err(DbError::from)?;
                        on_tx!(tx, |conn| {
                            sqlx::query("update cards set replaced_by = $1 where card_no = $2")
                                .bind(new_no.as_str())
                                .bind(&card.card_no)
                                .execute(conn)
                                .await
                                .map(|r| r.rows_affected())
                        })?;
                        in_use = new_no.as_str().to_string();
                    }
                    CardAction::Close => {
                        guarded(tx, &card.card_no, &card.state, "closed", now, false).await?;
                        anonymise(tx, member_id, now).await?;
                    }
                }
                tx.audit(
                    c.audit(&format!("card.{}", action.code()), "member", member_id)
                        .before(&serde_json::json!({ "card_no": card.card_no, "state": card.state }))
                        .after(&serde_json::json!({ "card_no": in_use, "reason": reason })),
                );
                Ok(in_use)
            })
        })
        .await
}

async fn guarded(
    tx: &mut crate::kernel::db::Tx,
    card_no: &str,
    from: &str,
    to: &str,
    now: chrono::DateTime<chrono::Utc>,
    activating: bool,
) -> Result<(), MembersError> {
    let n = on_tx!(tx, |conn| {
        sqlx::query(
            "update cards set state = $1, \
             activated_at = case when $4 then $5 else activated_at end \
             where card_no = $2 and state = $3",
        )
        .bind(to)
        .bind(card_no)
        .bind(from)
        .bind(activating)
        .bind(ts(now))
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
    })?;
    if n == 1 {
        Ok(())
    } else {
        Err(MembersError::CardState(from.to_string()))
    }
}

/// Erases a closed member's personal data (B11). The ledger, its totals and the balance stay;
/// the name becomes a placeholder and the phone and ID are gone (also from their application),
/// so the number can join again; their portal sessions end and queued messages are dropped.
async fn anonymise(
    tx: &mut crate::kernel::db::Tx,
    member_id: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), MembersError> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "update member_applications set name = '—', data = '', phone_hash = null, id_hash = null \
             where member_id = $1",
        )
        .bind(member_id)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
    })?;
    on_tx!(tx, |conn| {
        sqlx::query("delete from sessions where subject_kind = 'member' and subject_id = $1")
            .bind(member_id)
            .execute(conn)
            .await
            .map(|r| r.rows_affected())
    })?;
    on_tx!(tx, |conn| {
        sqlx::query(
            "update outbox set status = 'skipped', last_error = 'member closed', payload = '{}' \
             where member_id = $1 and status = 'pending'",
        )
        .bind(member_id)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
    })?;
    on_tx!(tx, |conn| {
        sqlx::query(
            "update members set name = $1, gender = null, birthday = null, birth_md = null, \
             phone_enc = null, phone_hash = null, phone_masked = null, email = null, id_type = null, \
             id_enc = null, id_hash = null, id_masked = null, address = '', occupation = '', \
             profile = '{}', notes = '', marketing_consent = false, portal_password_hash = null, \
             status = 'closed', closed_at = $2 where id = $3",
        )
        .bind(format!("已注销会员 #{member_id}"))
        .bind(ts(now))
        .bind(member_id)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}
