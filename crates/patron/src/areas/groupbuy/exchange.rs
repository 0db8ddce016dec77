//! Exchanging an expired voucher (E12: an expired voucher with value left can be exchanged for a
//! new one): the old voucher, sold and never used, past its date, is taken back (sold →
//! exchanged) and a stamped voucher of the same face value is handed out for it (stamped → sold,
//! as a reissue), in one transaction, with the new voucher's validity checked like a sale's.

use std::sync::Arc;

use patron_core::Permission;
use patron_core::vouchers::{Movement, Serial, SerialRange};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::store::{self, Link, Move};
use super::{GroupBuyError, staff_id, store_at};
use crate::kernel::ctx::Ctx;
use crate::kernel::validation::{Invalid, required_text};

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = groupbuy::VoucherExchangeIn, examples(json!({
    "store_code": "HQ",
    "old_serial": "00009001",
    "new_serial": "00010011",
    "note": "顾客持过期券换新"
})))]
pub struct ExchangeIn {
    pub store_code: String,
    /// The expired voucher the customer brings.
    pub old_serial: String,
    /// The stamped voucher handed out for it.
    pub new_serial: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(as = groupbuy::VoucherExchangeOut)]
pub struct ExchangeOut {
    pub old_serial: String,
    pub new_serial: String,
    pub face_value_fen: i64,
}

pub async fn exchange(ctx: &Ctx, input: &ExchangeIn) -> Result<ExchangeOut, GroupBuyError> {
    let store = store_at(ctx, &input.store_code, Permission::SellVouchers).await?;
    let settings = ctx
        .app
        .cache
        .get::<crate::areas::groupbuy::settings::GroupBuySettings>(ctx.db())
        .await?;
    let mut bad = Invalid::new();
    let old = bad.check("old_serial", Serial::parse(&input.old_serial));
    let new = bad.check("new_serial", Serial::parse(&input.new_serial));
    let note = if input.note.trim().is_empty() {
        String::new()
    } else {
        bad.check("note", required_text(&input.note, 200))
            .unwrap_or_default()
    };
    bad.into_result()?;
    let (Some(old), Some(new)) = (old, new) else {
        return Err(Invalid::one("old_serial", "invalid.required").into());
    };
    let day = ctx.today_at(&store);
    let one = |s: Serial| SerialRange { first: s, last: s };
    let old_facts = store::range_facts(ctx.db(), one(old)).await?;
    let new_facts = store::range_facts(ctx.db(), one(new)).await?;
    let (Some(of), Some(nf)) = (old_facts.first(), new_facts.first()) else {
        let field = if old_facts.is_empty() {
            "old_serial"
        } else {
            "new_serial"
        };
        return Err(Invalid::one(field, "invalid.serial_unknown").into());
    };
    if of.expires_on >= day {
        return Err(Invalid::one("old_serial", "invalid.not_expired").into());
    }
    if nf.max_face != of.max_face {
        return Err(Invalid::one("new_serial", "invalid.exchange_face").into());
    }
    // The new voucher is sold as any other: an anonymous one must stay valid long enough.
    let limits = settings.limits();
    let needed = day.checked_add_months(chrono::Months::new(limits.anonymous_min_validity_months));
    if !nf.named && needed.is_none_or(|n| nf.expires_on < n) {
        return Err(GroupBuyError::Prepaid(vec![
            patron_core::vouchers::Breach {
                rule: "e12.anonymous_validity",
                field: "new_serial",
            },
        ]));
    }
    let req = Arc::new((ctx.clone(), store, note));
    ctx.db()
        .write(move |tx| {
            let req = req.clone();
            Box::pin(async move {
                let (c, store, note) = &*req;
                let now = c.now();
                store::ensure_open(tx, store.id, day).await?;
                let base = |movement, range, field, held_by| Move {
                    movement,
                    range,
                    field,
                    held_by,
                    requisition: None,
                    of_sale: None,
                    link: Link::None,
                    face_value: None,
                    store_id: Some(store.id),
                    doc_kind: "exchange",
                    doc_id: old.0,
                    staff_id: staff_id(c),
                    at: now,
                    biz_date: day,
                    note: note.as_str(),
                };
                let taken = store::move_range(
                    tx,
                    &base(Movement::Exchange, one(old), "old_serial", None),
                )
                .await?;
                let given = store::move_range(
                    tx,
                    &base(Movement::Reissue, one(new), "new_serial", Some(store.id)),
                )
                .await?;
                if taken.amount_fen != given.amount_fen {
                    return Err(GroupBuyError::Invalid(Invalid::one(
                        "new_serial",
                        "invalid.exchange_face",
                    )));
                }
                store::journal(
                    tx,
                    &store::JournalLine {
                        store_id: store.id,
                        at: now,
                        biz_date: day,
                        kind: "exchange",
                        summary: format!("过期券换新 {old} → {new} 面值 ¥{}", super::yuan(given.amount_fen)),
                        doc_no: &old.to_string(),
                        vouchers: -1,
                        debit_fen: 0,
                        credit_fen: 0,
                        staff_id: staff_id(c),
                    },
                )
                .await?;
                tx.audit(
                    c.audit("groupbuy.exchange", "voucher", old.to_string())
                        .store(store.id)
                        .after(&serde_json::json!({ "new_serial": new.to_string(), "face_value_fen": given.amount_fen })),
                );
                Ok(ExchangeOut {
                    old_serial: old.to_string(),
                    new_serial: new.to_string(),
                    face_value_fen: given.amount_fen,
                })
            })
        })
        .await
}
