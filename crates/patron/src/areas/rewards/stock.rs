//! Gift stock documents (奖品库存, SPEC D6): gifts received against a supplier's delivery note,
//! transfers between stores (out at one, in at the other, in one transaction), and the monthly
//! stock-take, whose differences each need an explanation and an approval; the adjustment
//! movements are written only when approved, in the decision's transaction.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use patron_core::Permission;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::RewardsError;
use super::catalogue::{GiftRow, gift_in, list_gifts};
use super::gifts::{Movement, on_hand_in, put_in, take_in};
use crate::approvals;
use crate::kernel::cache::StoreInfo;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::{Db, DbError, Tx, ts};
use crate::kernel::validation::Invalid;
use crate::{on_db, on_tx};

pub const KIND_STOCKTAKE: &str = "gift_stocktake";

/// The store a request names, for staff holding `permission` there.
pub(crate) async fn store_at(
    ctx: &Ctx,
    store_code: &str,
    permission: Permission,
) -> Result<StoreInfo, RewardsError> {
    let store = crate::areas::points::store_for(ctx, store_code).await?;
    ctx.require_at(permission, store.id)?;
    Ok(store)
}

fn staff_id(ctx: &Ctx) -> Option<i64> {
    ctx.actor.staff().map(|s| s.id)
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = rewards::GiftLineIn)]
pub struct LineIn {
    pub gift_code: String,
    pub qty: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({
    "store_code": "HQ",
    "note_no": "SD-7788",
    "supplier": "上海礼品有限公司",
    "lines": [
        {
            "gift_code": "REWARD-200",
            "qty": "20"
        }
    ],
    "note": ""
})))]
pub struct DeliveryIn {
    pub store_code: String,
    /// The supplier's delivery note number.
    pub note_no: String,
    pub supplier: String,
    pub lines: Vec<LineIn>,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({
    "store_code": "HQ",
    "to_store_code": "NJ",
    "lines": [
        {
            "gift_code": "REWARD-200",
            "qty": "5"
        }
    ],
    "note": "补充南京店库存"
})))]
pub struct TransferIn {
    pub store_code: String,
    pub to_store_code: String,
    pub lines: Vec<LineIn>,
    #[serde(default)]
    pub note: String,
}

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

/// A document line as stored.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct DocLine {
    pub gift_id: i64,
    #[serde(default)]
    pub qty: i64,
    #[serde(default)]
    pub expected: i64,
    #[serde(default)]
    pub counted: i64,
    #[serde(default)]
    pub explanation: String,
}

impl DocLine {
    pub fn difference(&self) -> i64 {
        self.counted - self.expected
    }
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, ToSchema)]
pub struct DocRow {
    pub id: i64,
    pub kind: String,
    pub store_id: i64,
    pub to_store_id: Option<i64>,
    pub note_no: String,
    pub supplier: String,
    pub month: String,
    pub lines: String,
    pub note: String,
    pub state: String,
    pub approval_id: Option<i64>,
    pub business_date: NaiveDate,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}

/// A document's number: SH (收货) delivery, DB (调拨) transfer, PD (盘点) stock-take.
pub fn doc_no(kind: &str, id: i64) -> String {
    let prefix = match kind {
        "delivery" => "SH",
        "transfer" => "DB",
        _ => "PD",
    };
    format!("{prefix}{id:06}")
}

impl DocRow {
    pub fn no(&self) -> String {
        doc_no(&self.kind, self.id)
    }

    pub fn doc_lines(&self) -> Vec<DocLine> {
        serde_json::from_str(&self.lines).unwrap_or_default()
    }
}

const DOC: &str = "select id, kind, store_id, to_store_id, note_no, supplier, month, lines, note, \
     state, approval_id, business_date, created_by, created_at from gift_documents";

pub async fn get_doc(db: &Db, id: i64) -> Result<Option<DocRow>, DbError> {
    let sql = format!("{DOC} where id = $1");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(p)
            .await?
    }))
}

/// The documents touching a store (as sender or receiver), newest first.
pub async fn list_docs(db: &Db, store_id: i64) -> Result<Vec<DocRow>, DbError> {
    let sql = format!("{DOC} where store_id = $1 or to_store_id = $1 order by id desc limit 200");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(store_id)
            .fetch_all(p)
            .await?
    }))
}

/// Reads `lines` into (gift, qty); every bad one is named (`lines[i].gift_code`, `lines[i].qty`).
fn parse_lines(
    lines: &[LineIn],
    gifts: &HashMap<String, GiftRow>,
    bad: &mut Invalid,
) -> Vec<(i64, i64)> {
    let mut out: Vec<(i64, i64)> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if l.gift_code.trim().is_empty() && l.qty.trim().is_empty() {
            continue;
        }
        let gift = gifts.get(&l.gift_code.trim().to_ascii_uppercase());
        let Some(gift) = gift else {
            bad.add(&format!("lines[{i}].gift_code"), "gift.unknown");
            continue;
        };
        if out.iter().any(|(g, _)| *g == gift.id) {
            bad.add(&format!("lines[{i}].gift_code"), "gift.duplicate_line");
            continue;
        }
        match l.qty.trim().parse::<i64>() {
            Ok(n) if (1..=1_000_000).contains(&n) => out.push((gift.id, n)),
            _ => bad.add(&format!("lines[{i}].qty"), "invalid.number"),
        }
    }
    if out.is_empty() && bad.is_empty() {
        bad.add("lines[0].gift_code", "invalid.required");
    }
    out
}

async fn gift_map(db: &Db) -> Result<HashMap<String, GiftRow>, DbError> {
    Ok(list_gifts(db)
        .await?
        .into_iter()
        .map(|g| (g.code.clone(), g))
        .collect())
}

struct NewDoc<'a> {
    kind: &'a str,
    store_id: i64,
    to_store_id: Option<i64>,
    note_no: &'a str,
    supplier: &'a str,
    month: &'a str,
    lines: &'a [DocLine],
    note: &'a str,
    state: &'a str,
    day: NaiveDate,
}

async fn insert_doc(tx: &mut Tx, ctx: &Ctx, d: &NewDoc<'_>) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "insert into gift_documents (kind, store_id, to_store_id, note_no, supplier, month, lines, \
             note, state, business_date, created_by, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning id",
        )
        .bind(d.kind)
        .bind(d.store_id)
        .bind(d.to_store_id)
        .bind(d.note_no)
        .bind(d.supplier)
        .bind(d.month)
        .bind(serde_json::to_string(d.lines).unwrap_or_default())
        .bind(d.note)
        .bind(d.state)
        .bind(d.day)
        .bind(staff_id(ctx))
        .bind(ts(ctx.now()))
        .fetch_one(c)
        .await?
    }))
}

fn text(input: &str, field: &str, max: usize, required: bool, bad: &mut Invalid) -> String {
    let t = input.trim().to_string();
    if required && t.is_empty() {
        bad.add(field, "invalid.required");
    } else if t.chars().count() > max {
        bad.add(field, "invalid.too_long");
    }
    t
}

/// Receives gifts at a store against a supplier's delivery note (one document).
pub async fn receive(ctx: &Ctx, input: &DeliveryIn) -> Result<DocRow, RewardsError> {
    let store = store_at(ctx, &input.store_code, Permission::ManageGiftStock).await?;
    let gifts = gift_map(ctx.db()).await?;
    let mut bad = Invalid::new();
    let note_no = text(&input.note_no, "note_no", 64, true, &mut bad);
    let supplier = text(&input.supplier, "supplier", 100, true, &mut bad);
    let note = text(&input.note, "note", 500, false, &mut bad);
    let lines = parse_lines(&input.lines, &gifts, &mut bad);
    bad.into_result()?;
    let lines: Vec<DocLine> = lines
        .into_iter()
        .map(|(gift_id, qty)| DocLine {
            gift_id,
            qty,
            ..Default::default()
        })
        .collect();
    let req = Arc::new((ctx.clone(), store, note_no, supplier, note, lines));
    let id = ctx
        .db()
        .write(move |tx| {
            let req = req.clone();
            Box::pin(async move {
                let (c, store, note_no, supplier, note, lines) = &*req;
                let day = crate::areas::points::business_date(c.now(), store.tz);
                let id = insert_doc(
                    tx,
                    c,
                    &NewDoc {
                        kind: "delivery",
                        store_id: store.id,
                        to_store_id: None,
                        note_no,
                        supplier,
                        month: "",
                        lines,
                        note,
                        state: "done",
                        day,
                    },
                )
                .await?;
                let no = doc_no("delivery", id);
                for l in lines {
                    put_in(
                        tx,
                        &Movement {
                            store_id: store.id,
                            gift_id: l.gift_id,
                            kind: "receive",
                            qty: l.qty,
                            doc_kind: "delivery",
                            doc_no: &no,
                            note: note_no,
                            staff_id: staff_id(c),
                            business_date: day,
                            at: c.now(),
                        },
                    )
                    .await?;
                }
                tx.audit(
                    c.audit("gift.receive", "gift_document", id)
                        .store(store.id)
                        .after(&serde_json::json!({"doc_no": no, "note_no": note_no, "supplier": supplier, "lines": lines})),
                );
                Ok::<_, RewardsError>(id)
            })
        })
        .await?;
    get_doc(ctx.db(), id).await?.ok_or(RewardsError::NotFound)
}

/// Moves gifts from one store to another: out at the sender and in at the receiver, one
/// document, both movements in one transaction. Short stock at the sender refuses the whole
/// transfer.
pub async fn transfer(ctx: &Ctx, input: &TransferIn) -> Result<DocRow, RewardsError> {
    let from = store_at(ctx, &input.store_code, Permission::ManageGiftStock).await?;
    let gifts = gift_map(ctx.db()).await?;
    let mut bad = Invalid::new();
    let to = crate::areas::points::store_or(ctx, &input.to_store_code, &mut bad).await?;
    let to = match to {
        Some(t) if t.id == from.id => {
            bad.add("to_store_code", "gift.same_store");
            None
        }
        other => other,
    };
    let note = text(&input.note, "note", 500, false, &mut bad);
    let lines = parse_lines(&input.lines, &gifts, &mut bad);
    bad.into_result()?;
    let Some(to) = to else {
        return Err(Invalid::one("to_store_code", "invalid.store_code").into());
    };
    let lines: Vec<DocLine> = lines
        .into_iter()
        .map(|(gift_id, qty)| DocLine {
            gift_id,
            qty,
            ..Default::default()
        })
        .collect();
    let req = Arc::new((ctx.clone(), from, to, note, lines));
    let id = ctx
        .db()
        .write(move |tx| {
            let req = req.clone();
            Box::pin(async move {
                let (c, from, to, note, lines) = &*req;
                let day = crate::areas::points::business_date(c.now(), from.tz);
                let id = insert_doc(
                    tx,
                    c,
                    &NewDoc {
                        kind: "transfer",
                        store_id: from.id,
                        to_store_id: Some(to.id),
                        note_no: "",
                        supplier: "",
                        month: "",
                        lines,
                        note,
                        state: "done",
                        day,
                    },
                )
                .await?;
                let no = doc_no("transfer", id);
                for (i, l) in lines.iter().enumerate() {
                    let out = Movement {
                        store_id: from.id,
                        gift_id: l.gift_id,
                        kind: "transfer_out",
                        qty: l.qty,
                        doc_kind: "transfer",
                        doc_no: &no,
                        note: &to.code,
                        staff_id: staff_id(c),
                        business_date: day,
                        at: c.now(),
                    };
                    if take_in(tx, &out).await?.is_none() {
                        return Err(
                            Invalid::one(&format!("lines[{i}].qty"), "gift.short_stock").into()
                        );
                    }
                    put_in(
                        tx,
                        &Movement {
                            store_id: to.id,
                            kind: "transfer_in",
                            note: &from.code,
                            ..out
                        },
                    )
                    .await?;
                }
                tx.audit(
                    c.audit("gift.transfer", "gift_document", id)
                        .store(from.id)
                        .after(&serde_json::json!({"doc_no": no, "to": to.code, "lines": lines})),
                );
                Ok::<_, RewardsError>(id)
            })
        })
        .await?;
    get_doc(ctx.db(), id).await?.ok_or(RewardsError::NotFound)
}

/// Records a stock-take: the counted quantity per gift against the stock now. Without
/// differences it is done; with differences each needs an explanation and the sheet goes to
/// approval; the adjustments are written when approved.
pub async fn stocktake(ctx: &Ctx, input: &StocktakeIn) -> Result<DocRow, RewardsError> {
    let store = store_at(ctx, &input.store_code, Permission::ManageGiftStock).await?;
    let gifts = gift_map(ctx.db()).await?;
    let mut bad = Invalid::new();
    let month = match input.month.trim() {
        "" => crate::areas::groupbuy::month_of(crate::areas::points::business_date(
            ctx.now(),
            store.tz,
        )),
        m => {
            if NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").is_err() {
                bad.add("month", "invalid.date");
            }
            m.to_string()
        }
    };
    // (index, gift, counted, explanation)
    let mut counts: Vec<(usize, i64, i64, String)> = Vec::new();
    for (i, l) in input.lines.iter().enumerate() {
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
            &mut bad,
        );
        match l.counted.trim().parse::<i64>() {
            Ok(n) if (0..=10_000_000).contains(&n) => counts.push((i, gift.id, n, explanation)),
            _ => bad.add(&format!("lines[{i}].counted"), "invalid.number"),
        }
    }
    if counts.is_empty() && bad.is_empty() {
        bad.add("lines[0].counted", "invalid.required");
    }
    bad.into_result()?;
    let req = Arc::new((ctx.clone(), store, month, counts));
    let id = ctx
        .db()
        .write(move |tx| {
            let req = req.clone();
            Box::pin(async move {
                let (c, store, month, counts) = &*req;
                let day = crate::areas::points::business_date(c.now(), store.tz);
                let mut bad = Invalid::new();
                let mut lines = Vec::new();
                for (i, gift_id, counted, explanation) in counts {
                    let expected = on_hand_in(tx, store.id, *gift_id).await?;
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
                let differences = lines.iter().filter(|l| l.difference() != 0).count();
                let state = if differences == 0 { "done" } else { "pending" };
                let id = insert_doc(
                    tx,
                    c,
                    &NewDoc {
                        kind: "stocktake",
                        store_id: store.id,
                        to_store_id: None,
                        note_no: "",
                        supplier: "",
                        month,
                        lines: &lines,
                        note: "",
                        state,
                        day,
                    },
                )
                .await?;
                let no = doc_no("stocktake", id);
                if differences > 0 {
                    let approval = approvals::submit(
                        c,
                        tx,
                        &approvals::NewRequest {
                            kind: KIND_STOCKTAKE.into(),
                            store_id: Some(store.id),
                            subject_kind: "gift_document".into(),
                            subject_id: id.to_string(),
                            summary: format!(
                                "奖品盘点 {no} {} {month}: {differences} 项差异",
                                store.code
                            ),
                            payload: serde_json::json!({ "lines": lines }),
                            previous_id: None,
                        },
                    )
                    .await?;
                    on_tx!(tx, |x| {
                        sqlx::query("update gift_documents set approval_id = $1 where id = $2")
                            .bind(approval.id)
                            .bind(id)
                            .execute(x)
                            .await
                            .map(|r| r.rows_affected())
                    })?;
                }
                tx.audit(
                    c.audit("gift.stocktake", "gift_document", id)
                        .store(store.id)
                        .after(&serde_json::json!({"doc_no": no, "month": month, "lines": lines})),
                );
                Ok::<_, RewardsError>(id)
            })
        })
        .await?;
    get_doc(ctx.db(), id).await?.ok_or(RewardsError::NotFound)
}

/// The stock-take approval's decision, inside its transaction: approved writes one `stocktake`
/// movement per difference (refused whole if the stock has since fallen below a shortage).
pub(super) async fn on_decided(
    ctx: &Ctx,
    tx: &mut Tx,
    approval: &approvals::ApprovalRow,
) -> Result<(), RewardsError> {
    let id: i64 = approval
        .subject_id
        .parse()
        .map_err(|_| RewardsError::NotFound)?;
    let state = match approval.status.as_str() {
        "approved" => "approved",
        "rejected" => "rejected",
        _ => "withdrawn",
    };
    let row: Option<(i64, String)> = on_tx!(tx, |c| {
        sqlx::query_as(
            "update gift_documents set state = $1 where id = $2 and state = 'pending' \
             returning store_id, lines",
        )
        .bind(state)
        .bind(id)
        .fetch_optional(c)
        .await?
    });
    let Some((store_id, lines)) = row else {
        return Err(RewardsError::Conflict(format!(
            "stock-take {} was decided already",
            doc_no("stocktake", id)
        )));
    };
    if state != "approved" {
        return Ok(());
    }
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    let (tz, code) = stores
        .by_id(store_id)
        .map(|s| (s.tz, s.code.clone()))
        .unwrap_or((ctx.app.config.tz(), String::new()));
    let now = ctx.now();
    let day = crate::areas::points::business_date(now, tz);
    let no = doc_no("stocktake", id);
    let lines: Vec<DocLine> = serde_json::from_str(&lines).unwrap_or_default();
    for l in &lines {
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
            doc_no: &no,
            note: &l.explanation,
            staff_id: staff_id(ctx),
            business_date: day,
            at: now,
        };
        if diff > 0 {
            put_in(tx, &m).await?;
        } else if take_in(tx, &m).await?.is_none() {
            let gift = gift_in(tx, l.gift_id)
                .await?
                .map(|g| g.name_zh)
                .unwrap_or_default();
            return Err(RewardsError::Conflict(format!(
                "{gift} at {code} now has less than the shortage of {}; count again",
                -diff
            )));
        }
    }
    tx.audit(
        ctx.audit("gift.stocktake_applied", "gift_document", id)
            .store(store_id)
            .after(&serde_json::json!({"doc_no": no})),
    );
    Ok(())
}

/// Stock per store and gift: (store_id, gift_id, on_hand).
pub async fn stock_all(db: &Db) -> Result<Vec<(i64, i64, i64)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select store_id, gift_id, on_hand from gift_stock order by store_id, gift_id",
        )
        .fetch_all(p)
        .await?
    }))
}

/// One row of the movement ledger.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, ToSchema)]
pub struct MovementRow {
    pub id: i64,
    pub store_id: i64,
    pub gift_id: i64,
    pub gift_code: String,
    pub kind: String,
    pub qty: i64,
    pub on_hand_after: i64,
    pub doc_kind: String,
    pub doc_no: String,
    pub note: String,
    pub staff_id: Option<i64>,
    pub business_date: NaiveDate,
    pub at: DateTime<Utc>,
}

/// The movements at a store, of one gift (0: every gift), newest first.
pub async fn movements(
    db: &Db,
    store_id: i64,
    gift_id: i64,
    limit: i64,
) -> Result<Vec<MovementRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select m.id, m.store_id, m.gift_id, g.code as gift_code, m.kind, m.qty, m.on_hand_after, \
             m.doc_kind, m.doc_no, m.note, m.staff_id, m.business_date, m.at \
             from gift_movements m join gifts g on g.id = m.gift_id \
             where m.store_id = $1 and ($2 = 0 or m.gift_id = $2) order by m.id desc limit $3",
        )
        .bind(store_id)
        .bind(gift_id)
        .bind(limit)
        .fetch_all(p)
        .await?
    }))
}
