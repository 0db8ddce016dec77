//! The monthly gift stock-take (盘点, SPEC D6): the counted quantity per gift against the stock
//! now. Each difference needs an explanation and the sheet an approval (`gift_stocktake`); the
//! adjustment movements are written only when approved, in the decision's transaction.

use std::sync::Arc;

use chrono::NaiveDate;
use patron_core::Permission;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::stock::{doc, get_doc, gift_map, insert_doc, text};
use super::store::documents::{self as store, DocLine, DocRow, NewDoc};
use super::store::gifts;
use super::{GiftsError, Movement, on_hand, put_in, staff_id, store_at, take_in};
use crate::approvals;
use crate::kernel::cache::StoreInfo;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::Tx;
use crate::kernel::validation::Invalid;

pub const KIND_STOCKTAKE: &str = "gift_stocktake";

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct CountIn {
    pub gift_code: String,
    /// Blank: not counted.
    pub counted: String,
    /// Why the count differs from the stock (required when it does).
    #[serde(default)]
    pub explanation: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({
    "store_code": "HQ",
    "month": "2026-09",
    "lines": [
        {
            "gift_code": "REWARD-200",
            "counted": "18",
            "explanation": "两件外包装破损已报损"
        }
    ]
})))]
pub struct StocktakeIn {
    pub store_code: String,
    /// `2026-11`; the current month when blank.
    #[serde(default)]
    pub month: String,
    pub lines: Vec<CountIn>,
}

/// One count as typed and read: (line index, gift, counted, explanation).
type Count = (usize, i64, i64, String);

/// The month counted: as typed (`2026-11`), or the store's current month.
fn month_of(input: &str, ctx: &Ctx, store: &StoreInfo, bad: &mut Invalid) -> String {
    match input.trim() {
        "" => crate::kernel::dates::month_key(crate::kernel::dates::business_date(
            ctx.now(),
            store.tz,
        )),
        m => {
            if NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").is_err() {
                bad.add("month", "invalid.date");
            }
            m.to_string()
        }
    }
}

/// Reads the counted lines; every bad one is named.
fn parse_counts(
    lines: &[CountIn],
    gifts: &std::collections::HashMap<String, super::catalogue::GiftRow>,
    bad: &mut Invalid,
) -> Vec<Count> {
    let mut counts: Vec<Count> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if l.counted.trim().is_empty() {
            continue;
        }
        let Some(gift) = gifts.get(&l.gift_code.trim().to_ascii_uppercase()) else {
            bad.add(&format!("lines[{i}].gift_code"), "gift.unknown");
            continue;
        };
        if counts.iter().any(|c| c.1 == gift.id) {
            bad.add(&format!("lines[{i}].gift_code"), "gift.duplicate_line");
            continue;
        }
        let explanation = text(
            &l.explanation,
            &format!("lines[{i}].explanation"),
            300,
            false,
            bad,
        );
        match patron_core::typed::parse_int(&l.counted).ok_or(()) {
            Ok(n) if (0..=10_000_000).contains(&n) => counts.push((i, gift.id, n, explanation)),
            _ => bad.add(&format!("lines[{i}].counted"), "invalid.number"),
        }
    }
    if counts.is_empty() && bad.is_empty() {
        bad.add("lines[0].counted", "invalid.required");
    }
    counts
}

/// Records a stock-take: the counted quantity per gift against the stock now. Without
/// differences it is done; with differences each needs an explanation and the sheet goes to
/// approval; the adjustments are written when approved.
pub async fn stocktake(ctx: &Ctx, input: &StocktakeIn) -> Result<DocRow, GiftsError> {
    let store = store_at(ctx, &input.store_code, Permission::ManageGiftStock).await?;
    let gifts = gift_map(ctx.db()).await?;
    let mut bad = Invalid::new();
    let month = month_of(&input.month, ctx, &store, &mut bad);
    let counts = parse_counts(&input.lines, &gifts, &mut bad);
    bad.into_result()?;
    let req = Arc::new((ctx.clone(), store, month, counts));
    let id = ctx
        .db()
        .write(move |tx| {
            let req = req.clone();
            Box::pin(async move {
                let (c, store, month, counts) = &*req;
                write_stocktake(tx, c, store, month, counts).await
            })
        })
        .await?;
    get_doc(ctx.db(), id).await?.ok_or(GiftsError::NotFound)
}

/// The sheet's lines against the stock as the transaction sees it; a difference without an
/// explanation is refused.
async fn count_lines(
    tx: &mut Tx,
    store_id: i64,
    counts: &[Count],
) -> Result<Vec<DocLine>, GiftsError> {
    let mut bad = Invalid::new();
    let mut lines = Vec::new();
    for (i, gift_id, counted, explanation) in counts {
        let expected = on_hand(&mut *tx, store_id, *gift_id).await?;
        if expected != *counted && explanation.is_empty() {
            bad.add(
                &format!("lines[{i}].explanation"),
                "gift.explain_difference",
            );
        }
        lines.push(DocLine {
            gift_id: *gift_id,
            qty: 0,
            expected,
            counted: *counted,
            explanation: explanation.clone(),
        });
    }
    bad.into_result()?;
    Ok(lines)
}

/// Inside the write: the sheet, and its approval request when it has differences.
async fn write_stocktake(
    tx: &mut Tx,
    c: &Ctx,
    store: &StoreInfo,
    month: &str,
    counts: &[Count],
) -> Result<i64, GiftsError> {
    let day = crate::kernel::dates::business_date(c.now(), store.tz);
    let lines = count_lines(tx, store.id, counts).await?;
    let differences = lines.iter().filter(|l| l.difference() != 0).count();
    let state = if differences == 0 { "done" } else { "pending" };
    let (id, no) = insert_doc(
        tx,
        c,
        store,
        day,
        NewDoc {
            month,
            state,
            ..doc("stocktake", &lines, "")
        },
    )
    .await?;
    if differences > 0 {
        let approval = approvals::submit(
            c,
            tx,
            &approvals::NewRequest {
                kind: KIND_STOCKTAKE.into(),
                store_id: Some(store.id),
                subject_kind: "gift_document".into(),
                subject_id: id.to_string(),
                summary: format!("奖品盘点 {no} {} {month}: {differences} 项差异", store.code),
                payload: serde_json::json!({ "lines": lines }),
                previous_id: None,
            },
        )
        .await?;
        store::set_approval(tx, id, approval.id).await?;
    }
    tx.audit(
        c.audit("gift.stocktake", "gift_document", id)
            .store(store.id)
            .after(&serde_json::json!({"doc_no": no, "month": month, "lines": lines})),
    );
    Ok(id)
}

/// The stock-take approval's decision, inside its transaction: approved writes one `stocktake`
/// movement per difference (refused whole if the stock has since fallen below a shortage).
pub(super) async fn on_decided(
    ctx: &Ctx,
    tx: &mut Tx,
    approval: &approvals::ApprovalRow,
) -> Result<(), GiftsError> {
    let id: i64 = approval
        .subject_id
        .parse()
        .map_err(|_| GiftsError::NotFound)?;
    let state = match approval.status.as_str() {
        "approved" => "approved",
        "rejected" => "rejected",
        _ => "withdrawn",
    };
    let Some(decided) = store::decide(tx, id, state).await? else {
        let no = store::number(tx, id).await?.unwrap_or_default();
        return Err(GiftsError::Conflict(format!(
            "stock-take {no} was decided already"
        )));
    };
    if state != "approved" {
        return Ok(());
    }
    let lines: Vec<DocLine> = serde_json::from_str(&decided.lines).unwrap_or_default();
    apply(ctx, tx, &decided.doc_no, decided.store_id, &lines).await?;
    tx.audit(
        ctx.audit("gift.stocktake_applied", "gift_document", id)
            .store(decided.store_id)
            .after(&serde_json::json!({"doc_no": decided.doc_no})),
    );
    Ok(())
}

/// Writes the approved differences of stock-take `no` as movements.
async fn apply(
    ctx: &Ctx,
    tx: &mut Tx,
    no: &str,
    store_id: i64,
    lines: &[DocLine],
) -> Result<(), GiftsError> {
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    let (tz, code) = stores
        .by_id(store_id)
        .map(|s| (s.tz, s.code.clone()))
        .unwrap_or((ctx.app.config.tz(), String::new()));
    let now = ctx.now();
    let day = crate::kernel::dates::business_date(now, tz);
    for l in lines {
        let diff = l.difference();
        if diff == 0 {
            continue;
        }
        let m = Movement {
            store_id,
            gift_id: l.gift_id,
            kind: "stocktake",
            qty: diff.abs(),
            doc_kind: "stocktake",
            doc_no: no,
            note: &l.explanation,
            staff_id: staff_id(ctx),
            business_date: day,
            at: now,
        };
        if diff > 0 {
            put_in(tx, &m).await?;
        } else if take_in(tx, &m).await?.is_none() {
            let gift = gifts::by_id(&mut *tx, l.gift_id)
                .await?
                .map(|g| g.name_zh)
                .unwrap_or_default();
            return Err(GiftsError::Conflict(format!(
                "{gift} at {code} now has less than the shortage of {}; count again",
                -diff
            )));
        }
    }
    Ok(())
}
