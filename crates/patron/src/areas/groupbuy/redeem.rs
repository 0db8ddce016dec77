//! Redemption at the tills (E8, E13; api/pos.md): a till looks a voucher up and uses it with
//! serial and check code. An unknown serial and a wrong code get the same 404, and each counts
//! against the till's key; past the limit per minute the till gets 429. A voucher is used once:
//! the guarded `UPDATE … WHERE state = 'sold'` lets exactly one of any number of concurrent
//! redeems through.
//!
//! Parallel guesses from one till key are checked one at a time (a gate per key in this
//! process), so no more than the limit of wrong codes is ever evaluated per minute and key on
//! one instance; the count itself is in the database and holds across instances.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use chrono::{DateTime, NaiveDate, Utc};
use patron_core::vouchers::{Serial, SerialRange, code_matches};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::GroupBuyError;
use super::store::redeem::VoucherRow;
use super::store::{self, MovementRow};
use crate::kernel::ctx::{Actor, Ctx};
use crate::kernel::db::{Db, DbError, ts};
use crate::kernel::validation::Invalid;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VoucherOut {
    pub serial: String,
    pub face_value_fen: i64,
    /// `sold` (usable), `redeemed`, `expired`, `void`, `damaged`, `lost`, or a stock state.
    pub state: String,
    pub expires_on: NaiveDate,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({
    "store_code": "HQ",
    "till_id": "T01",
    "receipt_no": "R20260925-0003",
    "check_code": "482913"
})))]
pub struct RedeemVoucherIn {
    pub store_code: String,
    #[serde(default)]
    pub till_id: Option<String>,
    pub receipt_no: String,
    #[serde(default)]
    pub check_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RedeemVoucherOut {
    pub serial: String,
    pub face_value_fen: i64,
    pub redeemed_at: DateTime<Utc>,
}

async fn voucher(db: &Db, serial: Serial) -> Result<Option<VoucherRow>, DbError> {
    store::redeem::voucher(db, serial).await
}

fn till_of(ctx: &Ctx) -> Result<(i64, i64, String), GroupBuyError> {
    match &ctx.actor {
        Actor::Till {
            key_id,
            store_id,
            till_id,
        } => Ok((*key_id, *store_id, till_id.clone())),
        _ => Err(GroupBuyError::Forbidden(crate::kernel::ctx::Forbidden(
            patron_core::Permission::ViewGroupBuy,
        ))),
    }
}

fn minute(ctx: &Ctx) -> String {
    ctx.now().format("%Y-%m-%dT%H:%M").to_string()
}

async fn over_limit(ctx: &Ctx, key_id: i64) -> Result<bool, GroupBuyError> {
    let limit = ctx
        .app
        .cache
        .get::<crate::areas::groupbuy::settings::GroupBuySettings>(ctx.db())
        .await?
        .row
        .wrong_codes_per_minute;
    let m = minute(ctx);
    let failures = store::redeem::failures(ctx.db(), key_id, &m).await?;
    Ok(failures.unwrap_or(0) >= limit)
}

async fn count_failure(ctx: &Ctx, key_id: i64) -> Result<(), GroupBuyError> {
    let m = minute(ctx);
    ctx.db()
        .write(move |tx| {
            let m = m.clone();
            Box::pin(async move {
                store::redeem::count_failure(tx, key_id, &m).await?;
                Ok::<_, DbError>(())
            })
        })
        .await?;
    Ok(())
}

type Gate = Arc<tokio::sync::Mutex<()>>;

static GATES: LazyLock<Mutex<HashMap<i64, Gate>>> = LazyLock::new(Mutex::default);

/// The gate that orders one till key's code checks.
fn gate(key_id: i64) -> Gate {
    match GATES.lock() {
        Ok(mut g) => g.entry(key_id).or_default().clone(),
        Err(_) => Gate::default(),
    }
}

/// Finds the voucher behind a serial and check code, counting a miss against the till.
async fn authentic(
    ctx: &Ctx,
    serial_text: &str,
    check_code: Option<&str>,
) -> Result<(Serial, VoucherRow), GroupBuyError> {
    let (key_id, store_id, _) = till_of(ctx)?;
    authentic_for(ctx, key_id, store_id, serial_text, check_code).await
}

/// The check behind `authentic`, its misses counted under `key_id`: a till key's id, or for a
/// person at the console the negated staff id (no till key has a negative id).
async fn authentic_for(
    ctx: &Ctx,
    key_id: i64,
    store_id: i64,
    serial_text: &str,
    check_code: Option<&str>,
) -> Result<(Serial, VoucherRow), GroupBuyError> {
    let gate = gate(key_id);
    let _checking = gate.lock().await;
    if over_limit(ctx, key_id).await? {
        return Err(GroupBuyError::RateLimited);
    }
    let serial = Serial::parse(serial_text)
        .map_err(|k| GroupBuyError::Invalid(Invalid::one("serial", k)))?;
    let settings = ctx
        .app
        .cache
        .get::<crate::areas::groupbuy::settings::GroupBuySettings>(ctx.db())
        .await?;
    let needs_code = !settings.check_code_off.contains(&store_id);
    let code = check_code.map(str::trim).filter(|c| !c.is_empty());
    if needs_code && code.is_none() {
        return Err(Invalid::one("check_code", "invalid.required").into());
    }
    let key = ctx.app.secrets.voucher_key;
    let code_ok = code.is_none_or(|c| code_matches(&key, serial, c));
    let found = if code_ok {
        voucher(ctx.db(), serial).await?
    } else {
        None
    };
    match found {
        Some(v) => Ok((serial, v)),
        None => {
            count_failure(ctx, key_id).await?;
            Err(GroupBuyError::VoucherNotFound)
        }
    }
}

fn shown_state(v: &VoucherRow, today: NaiveDate) -> String {
    if v.state == "sold" && v.expires_on < today {
        "expired".into()
    } else {
        v.state.clone()
    }
}

pub async fn lookup(
    ctx: &Ctx,
    serial: &str,
    check_code: Option<&str>,
) -> Result<VoucherOut, GroupBuyError> {
    let (serial, v) = authentic(ctx, serial, check_code).await?;
    let (_, store_id, _) = till_of(ctx)?;
    shown(ctx, store_id, serial, &v).await
}

/// A voucher as a check shows it, its state as of the store's business date.
async fn shown(
    ctx: &Ctx,
    store_id: i64,
    serial: Serial,
    v: &VoucherRow,
) -> Result<VoucherOut, GroupBuyError> {
    let tz = super::store_tz(ctx, store_id).await?;
    let today = crate::kernel::dates::business_date(ctx.now(), tz);
    Ok(VoucherOut {
        serial: serial.to_string(),
        face_value_fen: v.face_value_fen,
        state: shown_state(v, today),
        expires_on: v.expires_on,
    })
}

/// A voucher checked at the console while a till is down (收银台应急): the same check as the
/// till's, with the same limit of wrong codes per minute counted for the person; nothing is used.
pub async fn check_at_console(
    ctx: &Ctx,
    store_id: i64,
    serial: &str,
    check_code: Option<&str>,
) -> Result<VoucherOut, GroupBuyError> {
    ctx.require_at(patron_core::Permission::TillStandIn, store_id)?;
    let staff_id = ctx
        .actor
        .staff()
        .map(|s| s.id)
        .ok_or(GroupBuyError::Forbidden(crate::kernel::ctx::Forbidden(
            patron_core::Permission::TillStandIn,
        )))?;
    let (serial, v) = authentic_for(ctx, -staff_id, store_id, serial, check_code).await?;
    shown(ctx, store_id, serial, &v).await
}

fn refusal(v: &VoucherRow, stores: &crate::kernel::cache::Stores) -> GroupBuyError {
    match v.state.as_str() {
        "redeemed" => GroupBuyError::VoucherUsed {
            at: v.redeemed_at.unwrap_or_default(),
            store: v
                .redeemed_store_id
                .and_then(|id| stores.by_id(id))
                .map(|s| s.code.clone())
                .unwrap_or_default(),
            till: v.redeemed_till.clone().unwrap_or_default(),
        },
        "void" | "damaged" | "lost" | "exchanged" => GroupBuyError::VoucherVoid(v.state.clone()),
        other => GroupBuyError::VoucherNotSold(other.to_string()),
    }
}

/// Uses a voucher for a receipt. The same request again (same store and receipt number) gets
/// the first answer.
pub async fn redeem(
    ctx: &Ctx,
    serial_text: &str,
    input: &RedeemVoucherIn,
) -> Result<RedeemVoucherOut, GroupBuyError> {
    let mut bad = Invalid::new();
    let store = crate::areas::points::store_or(ctx, &input.store_code, &mut bad).await?;
    let receipt_no =
        crate::areas::points::receipts::parse_no("receipt_no", &input.receipt_no, &mut bad);
    bad.into_result()?;
    let (Some(store), Some(receipt_no)) = (store, receipt_no) else {
        return Err(Invalid::one("receipt_no", "invalid.required").into());
    };
    let (serial, v) = authentic(ctx, serial_text, input.check_code.as_deref()).await?;
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    let replay = |v: &VoucherRow| -> Option<RedeemVoucherOut> {
        (v.state == "redeemed"
            && v.redeemed_store_id == Some(store.id)
            && v.redeemed_receipt.as_deref() == Some(receipt_no.as_str()))
        .then(|| RedeemVoucherOut {
            serial: serial.to_string(),
            face_value_fen: v.face_value_fen,
            redeemed_at: v.redeemed_at.unwrap_or_default(),
        })
    };
    if let Some(out) = replay(&v) {
        return Ok(out);
    }
    let today = crate::kernel::dates::business_date(ctx.now(), store.tz);
    if v.state == "sold" && v.expires_on < today {
        return Err(GroupBuyError::VoucherExpired(v.expires_on));
    }
    if v.state != "sold" {
        return Err(refusal(&v, &stores));
    }
    let (_, _, key_till) = till_of(ctx)?;
    let till = input
        .till_id
        .clone()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or(key_till);
    let now = ts(ctx.now());
    let req = Arc::new((store.clone(), receipt_no.clone(), till));
    let written = ctx
        .db()
        .write(move |tx| {
            let req = req.clone();
            Box::pin(async move {
                let (store, receipt_no, till) = &*req;
                let used = store::redeem::UsedAt {
                    at: now,
                    store_id: store.id,
                    till,
                    receipt_no,
                };
                let face = store::redeem::redeem(tx, serial, &used).await?;
                let Some(face) = face else {
                    // Someone else got there first: the caller reads what they left.
                    return Ok(None);
                };
                store::insert_movement(
                    tx,
                    &MovementRow {
                        at: now,
                        biz_date: today,
                        store_id: Some(store.id),
                        kind: "redeem",
                        range: SerialRange {
                            first: serial,
                            last: serial,
                        },
                        count: 1,
                        amount_fen: face,
                        from_state: "sold",
                        to_state: "redeemed",
                        doc_kind: "receipt",
                        doc_id: 0,
                        staff_id: None,
                        till_id: Some(till),
                        note: receipt_no,
                    },
                )
                .await?;
                Ok::<_, GroupBuyError>(Some(face))
            })
        })
        .await?;
    match written {
        Some(face) => Ok(RedeemVoucherOut {
            serial: serial.to_string(),
            face_value_fen: face,
            redeemed_at: now,
        }),
        None => {
            let now_row = voucher(ctx.db(), serial)
                .await?
                .ok_or(GroupBuyError::VoucherNotFound)?;
            match replay(&now_row) {
                Some(out) => Ok(out),
                None => Err(refusal(&now_row, &stores)),
            }
        }
    }
}
