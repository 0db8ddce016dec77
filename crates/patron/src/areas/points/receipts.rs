//! Receipts (SPEC C1–C3, B7): a receipt is accrued once per store and receipt number whatever
//! the channel (till, missed-points entry, import). Returns are in `returns.rs`.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Utc};
use patron_core::identity::CardNo;
use patron_core::money::{Fen, Points};
use patron_core::points::{self, AccrualContext, Line};
use patron_core::tiers;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::store::{self, NewEntry, NewReceipt};
use super::{Outcome, PointsError, body_hash, on_duplicate, who};
use crate::areas::points::settings::Loyalty;
use crate::kernel::cache::StoreInfo;
use crate::kernel::ctx::Ctx;
use crate::kernel::dates::business_date;
use crate::kernel::validation::Invalid;

/// The most lines one receipt may carry.
const MAX_LINES: usize = 500;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReceiptLineIn {
    pub line_no: i64,
    #[serde(default)]
    pub sku: String,
    pub amount_fen: i64,
    #[serde(default)]
    pub promotional: bool,
}

/// `POST /api/v1/pos/receipts` (and the missed-points form, and imports).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({
    "store_code": "HQ",
    "till_id": "T01",
    "receipt_no": "R20260925-0001",
    "card_no": "HQ00000001",
    "occurred_at": "2026-09-25T16:42:00+08:00",
    "lines": [
        {
            "line_no": 1,
            "sku": "6901234567890",
            "amount_fen": 12800,
            "promotional": false
        },
        {
            "line_no": 2,
            "sku": "6909876543210",
            "amount_fen": 3500,
            "promotional": true
        }
    ]
})))]
pub struct ReceiptIn {
    pub store_code: String,
    #[serde(default)]
    pub till_id: Option<String>,
    pub receipt_no: String,
    pub card_no: String,
    /// RFC 3339 with offset.
    pub occurred_at: DateTime<FixedOffset>,
    pub lines: Vec<ReceiptLineIn>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReceiptOut {
    pub receipt_id: i64,
    pub points_awarded: i64,
    pub points_balance: i64,
    pub tier: String,
    pub tier_changed: bool,
}

/// A line as stored with the receipt (its points are what a return takes back).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct StoredLine {
    pub line_no: i64,
    pub sku: String,
    pub amount_fen: i64,
    pub promotional: bool,
    pub points: i64,
}

/// What makes two submissions of one receipt the same.
#[derive(Serialize)]
struct ReceiptKey<'a> {
    store: &'a str,
    receipt_no: &'a str,
    card_no: &'a str,
    occurred_at: DateTime<Utc>,
    lines: Vec<(i64, &'a str, i64, bool)>,
}

pub(crate) fn parse_no(field: &str, input: &str, bad: &mut Invalid) -> Option<String> {
    let s = input.trim();
    if s.is_empty() {
        bad.add(field, "invalid.required");
        None
    } else if s.len() > 64 || s.chars().any(char::is_control) {
        bad.add(field, "invalid.too_long");
        None
    } else {
        Some(s.to_string())
    }
}

/// The parsed receipt.
pub(crate) struct Receipt {
    store: StoreInfo,
    receipt_no: String,
    card_no: CardNo,
    occurred_at: DateTime<Utc>,
    lines: Vec<ReceiptLineIn>,
    hash: String,
    sender: Sender,
}

/// Where a receipt comes from: the till API, which may only send recent receipts, or a desk or
/// file entry (missed points with its approval, an import, the demo's history).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sender {
    Till,
    Desk,
}

/// The receipt's time against the till window (`[pos]` in the configuration): not more than
/// `receipt_max_future_minutes` ahead (every sender: a wrong clock would buy birthday points),
/// and from a till not more than `receipt_max_age_days` old.
fn check_time(ctx: &Ctx, at: DateTime<Utc>, sender: Sender) -> Result<(), PointsError> {
    let pos = &ctx.app.config.pos;
    let now = ctx.now();
    if at > now + chrono::Duration::minutes(i64::from(pos.receipt_max_future_minutes)) {
        return Err(Invalid::one("occurred_at", "invalid.future").into());
    }
    if sender == Sender::Till
        && at < now - chrono::Duration::days(i64::from(pos.receipt_max_age_days))
    {
        return Err(Invalid::one("occurred_at", "invalid.receipt_too_old").into());
    }
    Ok(())
}

async fn parse(ctx: &Ctx, input: &ReceiptIn, sender: Sender) -> Result<Receipt, PointsError> {
    let mut bad = Invalid::new();
    let store = super::store_or(ctx, &input.store_code, &mut bad).await?;
    let receipt_no = parse_no("receipt_no", &input.receipt_no, &mut bad);
    let card_no = bad.check("card_no", CardNo::parse(&input.card_no));
    if input.lines.is_empty() {
        bad.add("lines", "invalid.required");
    }
    if input.lines.len() > MAX_LINES {
        bad.add("lines", "invalid.too_many");
    }
    let mut seen = HashSet::new();
    for (i, l) in input.lines.iter().enumerate() {
        if !seen.insert(l.line_no) {
            bad.add(&format!("lines[{i}].line_no"), "invalid.duplicate");
        }
        if l.amount_fen < 0 || l.amount_fen > 100_000_000_000 {
            bad.add(&format!("lines[{i}].amount_fen"), "invalid.amount");
        }
        if l.sku.len() > 64 {
            bad.add(&format!("lines[{i}].sku"), "invalid.too_long");
        }
    }
    bad.into_result()?;
    let (Some(store), Some(receipt_no), Some(card_no)) = (store, receipt_no, card_no) else {
        return Err(Invalid::one("receipt", "invalid.required").into());
    };
    let occurred_at = crate::kernel::db::ts(input.occurred_at.with_timezone(&Utc));
    check_time(ctx, occurred_at, sender)?;
    let hash = body_hash(&ReceiptKey {
        store: &store.code,
        receipt_no: &receipt_no,
        card_no: card_no.as_str(),
        occurred_at,
        lines: {
            let mut v: Vec<_> = input
                .lines
                .iter()
                .map(|l| (l.line_no, l.sku.as_str(), l.amount_fen, l.promotional))
                .collect();
            v.sort_unstable();
            v
        },
    });
    Ok(Receipt {
        store,
        receipt_no,
        card_no,
        occurred_at,
        lines: input.lines.clone(),
        hash,
        sender,
    })
}

impl Receipt {
    pub(crate) fn store_id(&self) -> i64 {
        self.store.id
    }
}

/// Parses and checks a receipt entered at the desk (missed points) without recording it.
pub(crate) async fn parse_public(ctx: &Ctx, input: &ReceiptIn) -> Result<Receipt, PointsError> {
    parse(ctx, input, Sender::Desk).await
}

/// The checks a receipt entered at the desk (补积分, C3) passes before it is accrued or sent to a
/// supervisor, the same whatever its amount: not credited before, the card usable on the
/// receipt's date (frozen, closed or expired by then: refused), not from before the card.
pub(crate) async fn check_missed(ctx: &Ctx, r: &Receipt) -> Result<store::CardMember, PointsError> {
    if let Some(row) = store::find_receipt(ctx.db(), r.store.id, &r.receipt_no).await? {
        return Err(already_credited(&row, r));
    }
    let cm = store::card_member(ctx.db(), r.card_no.as_str())
        .await?
        .ok_or(PointsError::MemberNotFound)?;
    let day = business_date(r.occurred_at, r.store.tz);
    card_usable(&cm, day)?;
    if day < cm.joined_on {
        return Err(PointsError::BeforeCard {
            on: day,
            joined_on: cm.joined_on,
        });
    }
    Ok(cm)
}

/// A receipt credited before, said with when (the store's time) and how many points.
fn already_credited(row: &store::ReceiptRow, r: &Receipt) -> PointsError {
    PointsError::AlreadyCredited {
        receipt_no: r.receipt_no.clone(),
        credited_at: row
            .created_at
            .with_timezone(&r.store.tz)
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        points: row.points,
    }
}

impl Receipt {
    pub(crate) fn receipt_no(&self) -> &str {
        &self.receipt_no
    }

    /// The content hash that tells a repeat from a conflict (an import compares it).
    pub(crate) fn hash(&self) -> &str {
        &self.hash
    }

    pub(crate) fn occurred_at(&self) -> DateTime<Utc> {
        self.occurred_at
    }

    pub(crate) fn tz(&self) -> chrono_tz::Tz {
        self.store.tz
    }

    pub(crate) fn card_no(&self) -> &str {
        self.card_no.as_str()
    }
}

fn replay(row: &store::ReceiptRow, hash: &str) -> Result<(Outcome, ReceiptOut), PointsError> {
    if row.body_hash != hash {
        return Err(PointsError::ReceiptConflict);
    }
    Ok((
        Outcome::Replayed,
        ReceiptOut {
            receipt_id: row.id,
            points_awarded: row.points,
            points_balance: row.balance_after,
            tier: row.tier_code.clone(),
            tier_changed: row.tier_changed,
        },
    ))
}

/// Why a card cannot take part in a purchase now, if it cannot.
pub(crate) fn card_usable(
    cm: &store::CardMember,
    on: chrono::NaiveDate,
) -> Result<(), PointsError> {
    let named = || (cm.card_no.clone(), cm.name.clone());
    match cm.card_state.as_str() {
        "active" => {}
        "frozen" => {
            let (card_no, name) = named();
            return Err(PointsError::CardFrozen { card_no, name });
        }
        other => {
            let (card_no, name) = named();
            return Err(PointsError::CardInactive {
                card_no,
                name,
                state: other.to_string(),
            });
        }
    }
    if cm.member_status != "active" {
        let (card_no, name) = named();
        return Err(PointsError::CardInactive {
            card_no,
            name,
            state: cm.member_status.clone(),
        });
    }
    if cm.expires_on < on {
        let (card_no, name) = named();
        return Err(PointsError::CardExpired {
            card_no,
            name,
            expired_on: cm.expires_on,
        });
    }
    Ok(())
}

/// Accrues a receipt (C1–C2), upgrading the tier when the window reaches the next one (B7).
/// `source` is `till`, `missed` or `import`.
pub async fn accrue(
    ctx: &Ctx,
    input: &ReceiptIn,
    source: &'static str,
) -> Result<(Outcome, ReceiptOut), PointsError> {
    let sender = if source == "till" {
        Sender::Till
    } else {
        Sender::Desk
    };
    let r = Arc::new(parse(ctx, input, sender).await?);
    // A repeat is answered from what was recorded, without queueing a write.
    if let Some(row) = store::find_receipt(ctx.db(), r.store.id, &r.receipt_no).await? {
        return replay(&row, &r.hash);
    }
    let loyalty = ctx
        .app
        .cache
        .get::<crate::areas::points::settings::Loyalty>(ctx.db())
        .await?;
    let (till_id, staff_id) = who(ctx);
    let now = ctx.now();
    let write_ctx = (ctx.clone(), r.clone(), loyalty, till_id, staff_id);
    let result = ctx
        .db()
        .write(move |tx| {
            let (c, r, loyalty, till_id, staff_id) = write_ctx.clone();
            Box::pin(async move {
                let by = By {
                    till_id,
                    staff_id,
                    approved_by: None,
                };
                accrue_parsed(&c, tx, &r, &loyalty, by, now, source).await
            })
        })
        .await;
    match result {
        Ok(out) => Ok((Outcome::Created, out)),
        // Another request with this number committed first.
        Err(PointsError::AlreadyRecorded) => {
            let row = store::find_receipt(ctx.db(), r.store.id, &r.receipt_no)
                .await?
                .ok_or(PointsError::ReceiptConflict)?;
            replay(&row, &r.hash)
        }
        Err(e) => Err(e),
    }
}

/// Who a receipt's ledger entry names: the till or the staff member who entered it, and the
/// approver when a supervisor's approval carried it (C3, C9).
#[derive(Debug, Clone, Default)]
pub(crate) struct By {
    pub till_id: Option<String>,
    pub staff_id: Option<i64>,
    pub approved_by: Option<i64>,
}

/// The accrual itself, inside the caller's write (the till, a missed-points entry once
/// approved, an import).
pub(crate) async fn accrue_parsed(
    ctx: &Ctx,
    tx: &mut crate::kernel::db::Tx,
    r: &Receipt,
    loyalty: &Loyalty,
    by: By,
    now: DateTime<Utc>,
    source: &'static str,
) -> Result<ReceiptOut, PointsError> {
    let By {
        till_id,
        staff_id,
        approved_by,
    } = by;
    let cm = store::card_member(&mut *tx, r.card_no.as_str())
        .await?
        .ok_or(PointsError::MemberNotFound)?;
    let day = business_date(r.occurred_at, r.store.tz);
    card_usable(&cm, day)?;
    let before_card = day < cm.joined_on;
    if before_card && r.sender == Sender::Till {
        return Err(Invalid::one("occurred_at", "invalid.before_card").into());
    }
    // A missed receipt (补积分) from before the card is refused, not credited with nothing.
    if before_card && source == "missed" {
        return Err(PointsError::BeforeCard {
            on: day,
            joined_on: cm.joined_on,
        });
    }
    let s = &loyalty.settings;
    let tier = loyalty
        .tier(&cm.tier_code)
        .ok_or(PointsError::MemberNotFound)?;
    let birthday = cm.birthday.is_some_and(|b| points::is_birthday(b, day));
    let lines: Vec<Line> = r
        .lines
        .iter()
        .map(|l| Line {
            amount: Fen(l.amount_fen),
            promotional: l.promotional,
        })
        .collect();
    let (line_points, _why) = points::accrue(
        &lines,
        AccrualContext {
            points_per_yuan: tier.points_per_yuan,
            multiplier_percent: if birthday {
                s.birthday_multiplier_percent
            } else {
                100
            },
            opening_receipt: cm.opening_receipt_no.as_deref() == Some(r.receipt_no.as_str())
                && cm.card_store_id == r.store.id,
            before_card,
        },
    );
    let awarded: i64 = line_points.iter().map(|p| p.0).sum();
    let total: i64 = r.lines.iter().map(|l| l.amount_fen).sum();
    let mut balance = store::add_balance(tx, cm.member_id, awarded).await?;
    if awarded > 0 {
        store::insert_entry(
            tx,
            &NewEntry {
                member_id: cm.member_id,
                at: now,
                kind: if source == "missed" {
                    "missed"
                } else {
                    "receipt"
                },
                points: awarded,
                balance_after: balance,
                store_id: Some(r.store.id),
                source_ref: Some(&r.receipt_no),
                till_id: till_id.as_deref(),
                staff_id,
                approved_by,
                note: if birthday { "birthday" } else { "" },
            },
        )
        .await?;
        let expires = points::lot_expiry(day, s.points_valid_months as u32);
        store::add_to_lot(tx, cm.member_id, expires, awarded).await?;
    }
    // The tier window (B7): spend per month, summed over the window that ends at today's
    // business date. A purchase from before the card, or of nothing, is not a purchase.
    if !before_card && total > 0 {
        store::add_spend(
            tx,
            cm.member_id,
            &crate::kernel::dates::month_key(day),
            total,
            1,
        )
        .await?;
    }
    let counted = if !before_card && total > 0 { total } else { 0 };
    let (tier_code, tier_changed) = tier_after(
        ctx,
        tx,
        loyalty,
        &cm,
        (tier.rank, counted),
        (now, day, r.store.tz),
        staff_id,
    )
    .await?;
    let stored: Vec<StoredLine> = r
        .lines
        .iter()
        .zip(&line_points)
        .map(|(l, p)| StoredLine {
            line_no: l.line_no,
            sku: l.sku.clone(),
            amount_fen: l.amount_fen,
            promotional: l.promotional,
            points: p.0,
        })
        .collect();
    let lines_json = serde_json::to_string(&stored).unwrap_or_default();
    if balance < 0 {
        balance = 0;
    }
    let receipt_id = store::insert_receipt(
        tx,
        &NewReceipt {
            store_id: r.store.id,
            receipt_no: &r.receipt_no,
            till_id: till_id.as_deref(),
            source,
            member_id: cm.member_id,
            card_no: r.card_no.as_str(),
            occurred_at: r.occurred_at,
            total_fen: total,
            points: awarded,
            lines: &lines_json,
            body_hash: &r.hash,
            balance_after: balance,
            tier_code: &tier_code,
            tier_changed,
            staff_id,
            created_at: now,
        },
    )
    .await
    .map_err(on_duplicate)?;
    Ok(ReceiptOut {
        receipt_id,
        points_awarded: awarded,
        points_balance: balance,
        tier: tier_code,
        tier_changed,
    })
}

/// The tier window after an accrual (B7): an upgrade the window reaches is made at once (the
/// member told by SMS); a tier that needs a manager's approval is asked for. The member's tier
/// afterwards, and whether it changed. `counted` is this receipt's spend in the window: the
/// approval is asked for only by the receipt that crosses its line, so a request a manager
/// rejected is not raised again by every later purchase.
async fn tier_after(
    ctx: &Ctx,
    tx: &mut crate::kernel::db::Tx,
    loyalty: &Loyalty,
    cm: &store::CardMember,
    (rank, counted): (i64, i64),
    (now, day, tz): (DateTime<Utc>, chrono::NaiveDate, chrono_tz::Tz),
    staff_id: Option<i64>,
) -> Result<(String, bool), PointsError> {
    let mut tier_code = cm.tier_code.clone();
    let mut tier_changed = false;
    if loyalty.next_above(&cm.tier_code).is_none() {
        return Ok((tier_code, tier_changed));
    }
    let today = business_date(now, tz);
    let months = loyalty.settings.tier_window_months;
    let (spend, count) =
        super::standing::window_spend(&mut *tx, cm.member_id, today, months).await?;
    let rules = loyalty.rules();
    let up = tiers::on_accrual(&rules, rank, Fen(spend), count);
    if let Some(to) = up.to {
        let moved = store::set_tier(
            tx,
            cm.member_id,
            &cm.tier_code,
            &to,
            now,
            day,
            "accrual",
            staff_id,
        )
        .await?;
        if moved {
            tier_change_sms(tx, loyalty, cm.member_id, &cm.tier_code, &to, now).await?;
            tier_code = to;
            tier_changed = true;
        }
    }
    let before = || {
        tiers::on_accrual(
            &rules,
            rank,
            Fen(spend - counted),
            count - i64::from(counted > 0),
        )
    };
    if let Some(target) = up.approval_for
        && before().approval_for.is_none()
    {
        ask_for_tier(ctx, tx, loyalty, cm, &tier_code, &target, Fen(spend)).await?;
    }
    Ok((tier_code, tier_changed))
}

/// The window reached a tier that needs a manager's approval (B7: platinum 经公司评估): the
/// request is raised on Patron's account, once per member while it is open, for the manager of
/// the card's store to decide in the approvals inbox.
async fn ask_for_tier(
    ctx: &Ctx,
    tx: &mut crate::kernel::db::Tx,
    loyalty: &Loyalty,
    cm: &store::CardMember,
    from: &str,
    to: &str,
    spend: Fen,
) -> Result<(), PointsError> {
    let Some(target) = loyalty.tier(to) else {
        return Ok(());
    };
    let reason = format!("滚动期内消费 {spend} 已达{}门槛", target.name_zh);
    let payload = super::adjust::TierPayload {
        member_id: cm.member_id,
        from: from.to_string(),
        to: target.code.clone(),
        reason: reason.clone(),
    };
    let req = crate::approvals::NewRequest {
        kind: super::adjust::KIND_TIER.into(),
        store_id: Some(cm.card_store_id),
        subject_kind: "member".into(),
        subject_id: cm.member_id.to_string(),
        summary: format!("{} → {} ({reason})", cm.name, target.name_zh),
        payload: serde_json::to_value(&payload).unwrap_or_default(),
        previous_id: None,
    };
    crate::approvals::submit_system(ctx, tx, &req).await?;
    Ok(())
}

/// Takes `points` out of the member's lots, oldest first. The caller has already lowered the
/// balance by the same amount (which locked the member row).
pub(crate) async fn spend_lots(
    tx: &mut crate::kernel::db::Tx,
    member_id: i64,
    wanted: i64,
) -> Result<(), PointsError> {
    let lots = store::lots(&mut *tx, member_id).await?;
    let as_lots: Vec<points::Lot> = lots
        .iter()
        .enumerate()
        .map(|(i, (_, rem))| points::Lot {
            id: i as i64,
            remaining: Points(*rem),
        })
        .collect();
    let taken =
        points::consume(&as_lots, Points(wanted)).map_err(|e| PointsError::InsufficientPoints {
            available: e.available.0,
        })?;
    for (i, p) in taken {
        let (expires_on, _) = lots[i as usize];
        store::take_from_lot(tx, member_id, expires_on, p.0).await?;
    }
    Ok(())
}

/// Queues the member's tier-change SMS, naming the tiers in Chinese (the members' language).
pub(super) async fn tier_change_sms(
    tx: &mut crate::kernel::db::Tx,
    loyalty: &Loyalty,
    member_id: i64,
    from: &str,
    to: &str,
    now: DateTime<Utc>,
) -> Result<(), PointsError> {
    let name = |code: &str| {
        loyalty
            .tier(code)
            .map_or(code.to_string(), |t| t.name_zh.clone())
    };
    let (from_name, to_name) = (name(from), name(to));
    crate::notify::queue_tier_change(tx, member_id, from, to, (&from_name, &to_name), now).await?;
    Ok(())
}
