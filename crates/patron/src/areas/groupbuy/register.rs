//! The confidential customer register (客户资料登记表, E4): date, organisation, contact, phone,
//! amount, payment, serials, expiry. It needs its own permission; phones are shown masked, and a
//! full phone is shown only to a role that may see personal data, one at a time or in an
//! export, each time written to the audit log (N1).

use chrono::NaiveDate;
use patron_core::Permission;
use serde::Serialize;
use utoipa::ToSchema;

use super::store::sales::{SaleRow, get, lines, list};
use super::{GroupBuyError, store_at};
use crate::kernel::cache::StoreInfo;
use crate::kernel::ctx::Ctx;
use crate::kernel::pii::mask_phone;

/// One line of the customer register.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegisterLine {
    pub sale_id: i64,
    pub date: NaiveDate,
    pub sale_no: String,
    pub organisation: String,
    pub contact: String,
    /// Masked (`138****5678`) unless the phones were asked for in full.
    pub phone: String,
    pub amount_fen: i64,
    /// The payment's code (`cash`, `cheque`, `transfer`); pages show its label.
    pub payment: String,
    pub state: String,
    pub serials: String,
    pub expires_on: NaiveDate,
}

/// The customer register of a store between two dates, phones masked.
pub async fn register(
    ctx: &Ctx,
    store_code: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<RegisterLine>, GroupBuyError> {
    let store = store_at(ctx, store_code, Permission::ViewBuyerRegister).await?;
    lines_of(ctx, &store, from, to, false).await
}

/// The register with full phones, for an export by a role that may see personal data; the
/// export is audited (what, which dates, how many lines) before anything is handed out.
pub async fn register_with_phones(
    ctx: &Ctx,
    store_code: &str,
    from: NaiveDate,
    to: NaiveDate,
    format: &str,
) -> Result<Vec<RegisterLine>, GroupBuyError> {
    let store = store_at(ctx, store_code, Permission::ViewBuyerRegister).await?;
    ctx.require_at(Permission::ViewPersonalData, store.id)?;
    let rows = lines_of(ctx, &store, from, to, true).await?;
    let entry = ctx
        .audit("groupbuy.register_export", "gb_register", store.id)
        .store(store.id)
        .after(&serde_json::json!({
            "fields": ["phone"], "from": from, "to": to, "lines": rows.len(), "format": format,
        }));
    ctx.db()
        .write(move |tx| {
            let entry = entry.clone();
            Box::pin(async move {
                tx.audit(entry);
                Ok::<_, GroupBuyError>(())
            })
        })
        .await?;
    Ok(rows)
}

/// The full phone of one sale's buyer, for a role that may see personal data (audited).
pub async fn reveal_phone(ctx: &Ctx, sale_id: i64) -> Result<String, GroupBuyError> {
    let sale = get(ctx.db(), sale_id)
        .await?
        .ok_or(GroupBuyError::NotFound)?;
    ctx.require_at(Permission::ViewBuyerRegister, sale.store_id)?;
    ctx.require_at(Permission::ViewPersonalData, sale.store_id)?;
    let phone = full_phone(ctx, &sale);
    let entry = ctx
        .audit("groupbuy.reveal_phone", "gb_buyer", sale.buyer_id)
        .store(sale.store_id)
        .after(&serde_json::json!({ "fields": ["phone"], "sale_no": sale.sale_no }));
    ctx.db()
        .write(move |tx| {
            let entry = entry.clone();
            Box::pin(async move {
                tx.audit(entry);
                Ok::<_, GroupBuyError>(())
            })
        })
        .await?;
    Ok(phone)
}

fn full_phone(ctx: &Ctx, sale: &SaleRow) -> String {
    sale.phone_enc
        .as_deref()
        .and_then(|p| ctx.app.pii.decrypt(p).ok())
        .unwrap_or_default()
}

async fn lines_of(
    ctx: &Ctx,
    store: &StoreInfo,
    from: NaiveDate,
    to: NaiveDate,
    full: bool,
) -> Result<Vec<RegisterLine>, GroupBuyError> {
    let rows = list(ctx.db(), store.id, None, from, to).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows.into_iter().rev() {
        let serials = lines(ctx.db(), r.id)
            .await?
            .iter()
            .map(|l| l.range().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let phone = full_phone(ctx, &r);
        out.push(RegisterLine {
            sale_id: r.id,
            date: r.biz_date,
            sale_no: r.sale_no,
            organisation: r.organisation,
            contact: r.contact,
            phone: if full { phone } else { mask_phone(&phone) },
            amount_fen: r.amount_fen,
            payment: r.payment,
            state: r.state,
            serials,
            expires_on: r.expires_on,
        });
    }
    Ok(out)
}
