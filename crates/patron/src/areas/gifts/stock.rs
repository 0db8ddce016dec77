//! Gift stock documents (奖品库存, SPEC D6): gifts received against a supplier's delivery note
//! and transfers between stores (out at one, in at the other, in one transaction). The monthly
//! stock-take is in `stocktake`.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate};
use patron_core::Permission;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::catalogue::GiftRow;
use super::store::documents::{self as store, NewDoc};
use super::{GiftsError, Movement, put_in, staff_id, store_at, take_in};
use crate::kernel::cache::StoreInfo;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::{Db, DbError, Tx};
use crate::kernel::validation::Invalid;

pub use super::store::documents::{DocLine, DocRow};
pub use super::store::movements::{MovementRow, movements, stock_all};

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

pub async fn get_doc(db: &Db, id: i64) -> Result<Option<DocRow>, DbError> {
    store::get(db, id).await
}

/// The documents touching a store (as sender or receiver), newest first.
pub async fn list_docs(db: &Db, store_id: i64) -> Result<Vec<DocRow>, DbError> {
    store::for_store(db, store_id).await
}

/// Reads `lines` into document lines of (gift, qty); every bad one is named
/// (`lines[i].gift_code`, `lines[i].qty`).
fn parse_lines(
    lines: &[LineIn],
    gifts: &HashMap<String, GiftRow>,
    bad: &mut Invalid,
) -> Vec<DocLine> {
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
        match patron_core::typed::parse_int(&l.qty).ok_or(()) {
            Ok(n) if (1..=1_000_000).contains(&n) => out.push((gift.id, n)),
            _ => bad.add(&format!("lines[{i}].qty"), "invalid.number"),
        }
    }
    if out.is_empty() && bad.is_empty() {
        bad.add("lines[0].gift_code", "invalid.required");
    }
    out.into_iter()
        .map(|(gift_id, qty)| DocLine {
            gift_id,
            qty,
            ..Default::default()
        })
        .collect()
}

/// The gift list by code.
pub(super) async fn gift_map(db: &Db) -> Result<HashMap<String, GiftRow>, DbError> {
    Ok(super::catalogue::list_gifts(db)
        .await?
        .into_iter()
        .map(|g| (g.code.clone(), g))
        .collect())
}

/// A typed text, trimmed; `field` is named when it is missing (and `required`) or too long.
pub(super) fn text(
    input: &str,
    field: &str,
    max: usize,
    required: bool,
    bad: &mut Invalid,
) -> String {
    let t = input.trim().to_string();
    if required && t.is_empty() {
        bad.add(field, "invalid.required");
    } else if t.chars().count() > max {
        bad.add(field, "invalid.too_long");
    }
    t
}

/// Records a document made by `c` at `store` on business date `day`; returns its id.
pub(super) async fn insert_doc(
    tx: &mut Tx,
    c: &Ctx,
    store: &StoreInfo,
    day: NaiveDate,
    doc: NewDoc<'_>,
) -> Result<(i64, String), DbError> {
    let no =
        crate::kernel::docno::doc_no(tx, store::doc_prefix(doc.kind), &store.code, day).await?;
    let id = store::insert(
        tx,
        &NewDoc {
            doc_no: &no,
            store_id: store.id,
            day,
            created_by: staff_id(c),
            at: c.now(),
            ..doc
        },
    )
    .await?;
    Ok((id, no))
}

/// A document of `kind` in state `done`, without parties (the caller fills in the rest).
pub(super) fn doc<'a>(kind: &'a str, lines: &'a [DocLine], note: &'a str) -> NewDoc<'a> {
    NewDoc {
        doc_no: "",
        kind,
        store_id: 0,
        to_store_id: None,
        note_no: "",
        supplier: "",
        month: "",
        lines,
        note,
        state: "done",
        day: NaiveDate::default(),
        created_by: None,
        at: DateTime::default(),
    }
}

/// Receives gifts at a store against a supplier's delivery note (one document).
pub async fn receive(ctx: &Ctx, input: &DeliveryIn) -> Result<DocRow, GiftsError> {
    let store = store_at(ctx, &input.store_code, Permission::ManageGiftStock).await?;
    let gifts = gift_map(ctx.db()).await?;
    let mut bad = Invalid::new();
    let note_no = text(&input.note_no, "note_no", 64, true, &mut bad);
    let supplier = text(&input.supplier, "supplier", 100, true, &mut bad);
    let note = text(&input.note, "note", 500, false, &mut bad);
    let lines = parse_lines(&input.lines, &gifts, &mut bad);
    bad.into_result()?;
    let req = Arc::new((ctx.clone(), store, note_no, supplier, note, lines));
    let id = ctx
        .db()
        .write(move |tx| {
            let req = req.clone();
            Box::pin(async move {
                let (c, store, note_no, supplier, note, lines) = &*req;
                let day = crate::kernel::dates::business_date(c.now(), store.tz);
                let (id, no) = insert_doc(
                    tx,
                    c,
                    store,
                    day,
                    NewDoc {
                        note_no,
                        supplier,
                        ..doc("delivery", lines, note)
                    },
                )
                .await?;
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
                Ok::<_, GiftsError>(id)
            })
        })
        .await?;
    get_doc(ctx.db(), id).await?.ok_or(GiftsError::NotFound)
}

/// The receiving store of a transfer: known, and not the sender.
async fn transfer_target(
    ctx: &Ctx,
    from: &StoreInfo,
    code: &str,
    bad: &mut Invalid,
) -> Result<Option<StoreInfo>, GiftsError> {
    let to = crate::areas::points::store_or(ctx, code, bad).await?;
    Ok(match to {
        Some(t) if t.id == from.id => {
            bad.add("to_store_code", "gift.same_store");
            None
        }
        other => other,
    })
}

/// Moves gifts from one store to another: out at the sender and in at the receiver, one
/// document, both movements in one transaction. Short stock at the sender refuses the whole
/// transfer.
pub async fn transfer(ctx: &Ctx, input: &TransferIn) -> Result<DocRow, GiftsError> {
    let from = store_at(ctx, &input.store_code, Permission::ManageGiftStock).await?;
    let gifts = gift_map(ctx.db()).await?;
    let mut bad = Invalid::new();
    let to = transfer_target(ctx, &from, &input.to_store_code, &mut bad).await?;
    let note = text(&input.note, "note", 500, false, &mut bad);
    let lines = parse_lines(&input.lines, &gifts, &mut bad);
    bad.into_result()?;
    let Some(to) = to else {
        return Err(Invalid::one("to_store_code", "invalid.store_code").into());
    };
    let req = Arc::new((ctx.clone(), from, to, note, lines));
    let id = ctx
        .db()
        .write(move |tx| {
            let req = req.clone();
            Box::pin(async move {
                let (c, from, to, note, lines) = &*req;
                write_transfer(tx, c, from, to, note, lines).await
            })
        })
        .await?;
    get_doc(ctx.db(), id).await?.ok_or(GiftsError::NotFound)
}

/// Inside the write: the transfer document and, per line, the movement out and the one in.
async fn write_transfer(
    tx: &mut Tx,
    c: &Ctx,
    from: &StoreInfo,
    to: &StoreInfo,
    note: &str,
    lines: &[DocLine],
) -> Result<i64, GiftsError> {
    let day = crate::kernel::dates::business_date(c.now(), from.tz);
    let (id, no) = insert_doc(
        tx,
        c,
        from,
        day,
        NewDoc {
            to_store_id: Some(to.id),
            ..doc("transfer", lines, note)
        },
    )
    .await?;
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
            return Err(Invalid::one(&format!("lines[{i}].qty"), "gift.short_stock").into());
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
    Ok(id)
}
