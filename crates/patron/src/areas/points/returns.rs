//! Returns (SPEC C4, B7): a return takes back exactly the points of the returned lines and,
//! when the member has spent them, names the cash to collect. Once per store and return number.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use patron_core::money::{Fen, Points};
use patron_core::points;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::receipts::{StoredLine, parse_no, spend_lots};
use super::settings::Loyalty;
use super::store::{self, NewEntry, ReceiptRow, ReturnRow};
use super::{Outcome, PointsError, body_hash, on_duplicate, who};
use crate::kernel::cache::StoreInfo;
use crate::kernel::ctx::Ctx;
use crate::kernel::dates::business_date;
use crate::kernel::db::Tx;
use crate::kernel::validation::Invalid;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReturnLineIn {
    pub line_no: i64,
    pub amount_fen: i64,
}

/// `POST /api/v1/pos/returns`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({
    "store_code": "HQ",
    "till_id": "T01",
    "return_no": "RT20260925-0001",
    "original_receipt_no": "R20260925-0001",
    "lines": [
        {
            "line_no": 1,
            "amount_fen": 12800
        }
    ]
})))]
pub struct ReturnIn {
    pub store_code: String,
    #[serde(default)]
    pub till_id: Option<String>,
    pub return_no: String,
    pub original_receipt_no: String,
    pub lines: Vec<ReturnLineIn>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReturnOut {
    pub points_reversed: i64,
    pub cash_to_collect_fen: i64,
    pub points_balance: i64,
}

fn return_replay(row: &ReturnRow, hash: &str) -> Result<(Outcome, ReturnOut), PointsError> {
    if row.body_hash != hash {
        return Err(PointsError::ReceiptConflict);
    }
    Ok((
        Outcome::Replayed,
        ReturnOut {
            points_reversed: row.points_reversed,
            cash_to_collect_fen: row.cash_to_collect_fen,
            points_balance: row.balance_after,
        },
    ))
}

/// A return that passed its checks, with the hash that tells a repeat from a conflict.
struct Request {
    store: StoreInfo,
    return_no: String,
    original: String,
    lines: Vec<ReturnLineIn>,
    hash: String,
}

/// Takes back the points of returned lines (C4). A line returned beyond what was bought, or
/// twice in one request, is refused; nothing is written then.
pub async fn take_return(ctx: &Ctx, input: &ReturnIn) -> Result<(Outcome, ReturnOut), PointsError> {
    let req = parse(ctx, input).await?;
    if let Some(row) = store::find_return(ctx.db(), req.store.id, &req.return_no).await? {
        return return_replay(&row, &req.hash);
    }
    let loyalty = ctx.app.cache.get::<Loyalty>(ctx.db()).await?;
    let (till_id, _staff_id) = who(ctx);
    let now = ctx.now();
    let req = Arc::new(req);
    let shared = req.clone();
    let result = ctx
        .db()
        .write(move |tx| {
            let (req, loyalty, till_id) = (shared.clone(), loyalty.clone(), till_id.clone());
            Box::pin(async move { take_in(tx, &req, &loyalty, till_id.as_deref(), now).await })
        })
        .await;
    match result {
        Ok(out) => Ok((Outcome::Created, out)),
        Err(PointsError::AlreadyRecorded) => {
            let row = store::find_return(ctx.db(), req.store.id, &req.return_no)
                .await?
                .ok_or(PointsError::ReceiptConflict)?;
            return_replay(&row, &req.hash)
        }
        Err(e) => Err(e),
    }
}

async fn parse(ctx: &Ctx, input: &ReturnIn) -> Result<Request, PointsError> {
    let mut bad = Invalid::new();
    let store = super::store_or(ctx, &input.store_code, &mut bad).await?;
    let return_no = parse_no("return_no", &input.return_no, &mut bad);
    let original = parse_no("original_receipt_no", &input.original_receipt_no, &mut bad);
    if input.lines.is_empty() {
        bad.add("lines", "invalid.required");
    }
    let mut seen = HashSet::new();
    for (i, l) in input.lines.iter().enumerate() {
        if !seen.insert(l.line_no) {
            bad.add(&format!("lines[{i}].line_no"), "invalid.duplicate");
        }
        if l.amount_fen <= 0 || l.amount_fen > 100_000_000_000 {
            bad.add(&format!("lines[{i}].amount_fen"), "invalid.amount");
        }
    }
    bad.into_result()?;
    let (Some(store), Some(return_no), Some(original)) = (store, return_no, original) else {
        return Err(Invalid::one("return_no", "invalid.required").into());
    };
    let mut lines: Vec<(i64, i64)> = input
        .lines
        .iter()
        .map(|l| (l.line_no, l.amount_fen))
        .collect();
    lines.sort_unstable();
    let hash = body_hash(&(&store.code, &return_no, &original, &lines));
    Ok(Request {
        store,
        return_no,
        original,
        lines: input.lines.clone(),
        hash,
    })
}

/// The return inside the write: the receipt locked, the lines checked against what was bought
/// and returned before, the points taken back (as far as the balance reaches), the spend
/// window lowered, and the return recorded.
async fn take_in(
    tx: &mut Tx,
    req: &Request,
    loyalty: &Loyalty,
    till_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<ReturnOut, PointsError> {
    let store = &req.store;
    let receipt = store::lock_receipt_in(tx, store.id, &req.original)
        .await?
        .ok_or(PointsError::ReceiptNotFound)?;
    // A twin of this return that committed while we waited for the lock.
    if store::recorded_in(tx, store::Recorded::Return, store.id, &req.return_no).await? {
        return Err(PointsError::AlreadyRecorded);
    }
    let back = taken_back(&receipt, &req.lines)?;
    let (new_balance, shortfall) =
        take_points(tx, req, &receipt, back.reversed, till_id, now).await?;
    let day = business_date(receipt.occurred_at, store.tz);
    store::add_spend(
        tx,
        receipt.member_id,
        &crate::kernel::dates::month_key(day),
        -back.amount_back,
        0,
    )
    .await?;
    let returned_json = serde_json::to_string(&back.returned).unwrap_or_default();
    store::set_returned(tx, receipt.id, &returned_json).await?;
    let row = ReturnRow {
        body_hash: req.hash.clone(),
        points_reversed: back.reversed,
        cash_to_collect_fen: loyalty.settings.ratio().cash_for(Points(shortfall)).0,
        balance_after: new_balance,
    };
    let lines_json = serde_json::to_string(&req.lines).unwrap_or_default();
    store::insert_return(
        tx,
        store.id,
        &req.return_no,
        receipt.id,
        till_id,
        &lines_json,
        &req.hash,
        &row,
        now,
    )
    .await
    .map_err(on_duplicate)?;
    Ok(ReturnOut {
        points_reversed: row.points_reversed,
        cash_to_collect_fen: row.cash_to_collect_fen,
        points_balance: row.balance_after,
    })
}

/// What returning the lines takes back.
struct TakenBack {
    /// The points the returned amounts earned.
    reversed: i64,
    /// The amount returned now.
    amount_back: i64,
    /// Per line, the amount returned so far (this return included).
    returned: BTreeMap<i64, i64>,
}

/// Checks each returned line against the receipt (bought, and not returned beyond it) and
/// works out the points it takes back.
fn taken_back(receipt: &ReceiptRow, lines: &[ReturnLineIn]) -> Result<TakenBack, PointsError> {
    let bought: Vec<StoredLine> = serde_json::from_str(&receipt.lines).unwrap_or_default();
    let mut returned: BTreeMap<i64, i64> =
        serde_json::from_str(&receipt.returned).unwrap_or_default();
    let mut bad = Invalid::new();
    let mut reversed = 0i64;
    let mut amount_back = 0i64;
    for (i, l) in lines.iter().enumerate() {
        let Some(line) = bought.iter().find(|b| b.line_no == l.line_no) else {
            bad.add(&format!("lines[{i}].line_no"), "invalid.no_such_line");
            continue;
        };
        let before = returned.get(&l.line_no).copied().unwrap_or(0);
        let after = before.checked_add(l.amount_fen).unwrap_or(i64::MAX);
        if l.amount_fen > line.amount_fen || after > line.amount_fen {
            bad.add(&format!("lines[{i}].amount_fen"), "invalid.return_exceeds");
            continue;
        }
        let amount = Fen(line.amount_fen);
        let earned = Points(line.points);
        reversed += points::taken_back(earned, amount, Fen(after)).0
            - points::taken_back(earned, amount, Fen(before)).0;
        amount_back += l.amount_fen;
        returned.insert(l.line_no, after);
    }
    bad.into_result()?;
    Ok(TakenBack {
        reversed,
        amount_back,
        returned,
    })
}

/// Takes back `reversed` points as far as the balance (after expiring lots past their date)
/// reaches, oldest lots first, and writes the `return` entry. Returns the balance after and the
/// points the member had already spent (the shortfall, paid in cash).
async fn take_points(
    tx: &mut Tx,
    req: &Request,
    receipt: &ReceiptRow,
    reversed: i64,
    till_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(i64, i64), PointsError> {
    let member_id = receipt.member_id;
    store::lock_balance(tx, member_id).await?;
    super::expiry::expire_member_in(tx, member_id, business_date(now, req.store.tz), now).await?;
    let balance = store::lock_balance(tx, member_id).await?;
    let taken = reversed.min(balance);
    let shortfall = reversed - taken;
    let mut new_balance = balance;
    if taken > 0 {
        new_balance = store::add_balance(tx, member_id, -taken).await?;
        spend_lots(tx, member_id, taken).await?;
    }
    if reversed > 0 {
        store::insert_entry(
            tx,
            &NewEntry {
                member_id,
                at: now,
                kind: "return",
                points: -taken,
                balance_after: new_balance,
                store_id: Some(req.store.id),
                source_ref: Some(&req.return_no),
                till_id,
                staff_id: None,
                approved_by: None,
                note: &format!("receipt {}; {reversed} points reversed", req.original),
            },
        )
        .await?;
    }
    Ok((new_balance, shortfall))
}
