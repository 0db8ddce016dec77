//! Card life (SPEC B5–B6, B11): activation at hand-over, renewal, loss report with replacement
//! (new number; balance and history stay with the member, the old card is dead), freeze and
//! unfreeze. Every change is a guarded state transition, audited. Closing a member is an
//! approved step of its own (`closing`).

use chrono::Months;
use patron_core::Permission;
use patron_core::identity::CardNo;
use serde::{Deserialize, Serialize};

use super::MembersError;
use super::store::{self, LiveCard};
use crate::kernel::ctx::Ctx;
use crate::kernel::dates::business_date;
use crate::kernel::db::{DbError, Tx};
use crate::kernel::stores::StoreInfo;
use crate::kernel::validation::Invalid;

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
}

impl CardAction {
    pub fn parse(s: &str) -> Option<CardAction> {
        match s {
            "activate" => Some(CardAction::Activate),
            "freeze" => Some(CardAction::Freeze),
            "unfreeze" => Some(CardAction::Unfreeze),
            "renew" => Some(CardAction::Renew),
            "replace_lost" => Some(CardAction::ReplaceLost),
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
        }
    }

    /// Every action, in the order the desk's list offers them.
    pub const ALL: [CardAction; 5] = [
        CardAction::Activate,
        CardAction::Unfreeze,
        CardAction::Renew,
        CardAction::Freeze,
        CardAction::ReplaceLost,
    ];

    /// The actions the desk may take on a card in `state` (an expired card is renewed, replaced
    /// or closed, not frozen).
    pub fn offered(state: &str, expired: bool) -> Vec<CardAction> {
        CardAction::ALL
            .into_iter()
            .filter(|a| a.starts_from().contains(&state))
            .filter(|a| !(expired && *a == CardAction::Freeze))
            .collect()
    }

    /// The catalog key of the action's name.
    pub fn label_key(self) -> &'static str {
        match self {
            CardAction::Activate => "card.activate",
            CardAction::Freeze => "card.freeze",
            CardAction::Unfreeze => "card.unfreeze",
            CardAction::Renew => "card.renew",
            CardAction::ReplaceLost => "card.replace_lost",
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
        }
    }
}

/// Carries out `action` on the member's live card; returns the card number now in use.
pub async fn act(
    ctx: &Ctx,
    member_id: i64,
    action: CardAction,
    reason: &str,
) -> Result<String, MembersError> {
    ctx.require(Permission::ManageMembers)?;
    if action == CardAction::Freeze && reason.trim().is_empty() {
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
                let card = store::live_card(tx, member_id)
                    .await?
                    .ok_or(MembersError::NotFound)?;
                // Cards are operated by staff of the issuing store.
                c.require_at(Permission::ManageMembers, card.store_id)?;
                if !action.starts_from().contains(&card.state.as_str()) {
                    return Err(MembersError::CardState(card.state.clone()));
                }
                let now = c.now();
                let store = stores.by_id(card.store_id);
                let in_use = carry_out(tx, action, &card, member_id, store, months, now).await?;
                tx.audit(
                    c.audit(&format!("card.{}", action.code()), "member", member_id)
                        .before(
                            &serde_json::json!({ "card_no": card.card_no, "state": card.state }),
                        )
                        .after(&serde_json::json!({ "card_no": in_use, "reason": reason })),
                );
                Ok(in_use)
            })
        })
        .await
}

/// The change itself, on a card the action may start from; returns the card number now in use.
async fn carry_out(
    tx: &mut Tx,
    action: CardAction,
    card: &LiveCard,
    member_id: i64,
    store: Option<&StoreInfo>,
    months: u32,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<String, MembersError> {
    let today = business_date(now, store.map_or(chrono_tz::Asia::Shanghai, |s| s.tz));
    match action {
        CardAction::Activate | CardAction::Freeze | CardAction::Unfreeze => {
            let new = match action {
                CardAction::Activate | CardAction::Unfreeze => "active",
                _ => "frozen",
            };
            let activating = action == CardAction::Activate;
            guarded(tx, &card.card_no, &card.state, new, now, activating).await?;
        }
        CardAction::Renew => {
            let from = card.expires_on.max(today);
            let until = from.checked_add_months(Months::new(months)).unwrap_or(from);
            let n = store::extend_card(tx, &card.card_no, &card.state, until).await?;
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
            store::set_replaced_by(tx, &card.card_no, new_no.as_str()).await?;
            return Ok(new_no.as_str().to_string());
        }
    }
    Ok(card.card_no.clone())
}

async fn guarded(
    tx: &mut Tx,
    card_no: &str,
    from: &str,
    to: &str,
    now: chrono::DateTime<chrono::Utc>,
    activating: bool,
) -> Result<(), MembersError> {
    let n = store::set_card_state(tx, card_no, from, to, now, activating).await?;
    if n == 1 {
        Ok(())
    } else {
        Err(MembersError::CardState(from.to_string()))
    }
}
