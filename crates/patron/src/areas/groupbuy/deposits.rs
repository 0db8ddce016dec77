//! Money after sales: the internal deposit slip (内部进帐单, E5–E6) that pays the takings in to
//! finance.

use patron_core::Permission;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::store;
use super::{GroupBuyError, staff_id, store_at};
use crate::kernel::ctx::Ctx;
use crate::kernel::validation::Invalid;

pub use super::store::deposits::{DepositRow, deposit_sales, deposits, get_deposit};

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({"store_code": "HQ", "kind": "cash"})))]
pub struct DepositIn {
    pub store_code: String,
    /// `cash` or `cheque`.
    pub kind: String,
}

/// The internal deposit slip (内部进帐单): every sale of this payment kind not yet paid in,
/// paid in to finance now. Cheques are paid in on the day of sale, before they clear.
pub async fn deposit(ctx: &Ctx, input: &DepositIn) -> Result<DepositRow, GroupBuyError> {
    let store = store_at(ctx, &input.store_code, Permission::SellVouchers).await?;
    let kinds: &'static [&'static str] = match input.kind.trim() {
        "cash" => &["cash"],
        "cheque" => &["cheque", "transfer"],
        _ => return Err(Invalid::one("kind", "invalid.choice").into()),
    };
    let kind = if kinds[0] == "cash" { "cash" } else { "cheque" };
    let c = ctx.clone();
    let id = ctx
        .db()
        .write(move |tx| {
            let (c, store) = (c.clone(), store.clone());
            Box::pin(async move {
                let now = c.now();
                let day = c.today_at(&store);
                let (n, amount) = store::deposits::undeposited(tx, store.id, kinds).await?;
                if n == 0 {
                    return Err(Invalid::one("kind", "invalid.nothing_to_deposit").into());
                }
                let no = crate::kernel::docno::doc_no(tx, "JZ", &store.code, day).await?;
                let id = store::deposits::insert(
                    tx,
                    &store::deposits::NewDeposit {
                        deposit_no: &no,
                        store_id: store.id,
                        biz_date: day,
                        kind,
                        amount_fen: amount,
                        sales: n,
                        created_by: staff_id(&c).unwrap_or(0),
                        created_at: now,
                    },
                )
                .await?;
                let moved = store::deposits::claim_sales(tx, id, store.id, kinds).await?;
                if i64::try_from(moved).unwrap_or(0) != n {
                    return Err(GroupBuyError::Conflict("sales changed while depositing".into()));
                }
                store::journal(
                    tx,
                    &store::JournalLine {
                        store_id: store.id,
                        at: now,
                        biz_date: day,
                        kind: "deposit",
                        summary: if kind == "cash" {
                            format!("内部进帐单 现金 交财务 {n} 笔")
                        } else {
                            format!("内部进帐单 支票 交财务 {n} 笔 ¥{}（不计入现金）", super::yuan(amount))
                        },
                        doc_no: &no,
                        vouchers: 0,
                        debit_fen: 0,
                        // Cheques never entered the cash balance, so paying them in takes
                        // nothing out of it.
                        credit_fen: if kind == "cash" { amount } else { 0 },
                        staff_id: staff_id(&c),
                    },
                )
                .await?;
                tx.audit(
                    c.audit("groupbuy.deposit", "gb_deposit", id)
                        .store(store.id)
                        .after(&serde_json::json!({ "deposit_no": no, "amount_fen": amount, "sales": n })),
                );
                Ok::<_, GroupBuyError>(id)
            })
        })
        .await?;
    get_deposit(ctx.db(), id)
        .await?
        .ok_or(GroupBuyError::NotFound)
}
