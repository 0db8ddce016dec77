//! Group-buy vouchers (团购券, SPEC E): the department's whole paper process — requisition from
//! finance, stamping, sales by cash and cheque under the prepaid-card rules, the 17:00 report,
//! redemption at the tills, rebates, write-offs and the month-end reconciliation.
//!
//! There is one `vouchers` row per paper voucher. Its state changes only through `move_range`,
//! which updates a whole range with a guarded `UPDATE … WHERE state IN (…)` and writes one
//! `voucher_movements` row (append-only) in the same transaction; a range that is not wholly in
//! the expected state fails the whole request and writes nothing. `patron check` recomputes
//! every state's count from the movements.

pub mod api;
pub mod check;
pub mod cheques;
pub mod deposits;
pub mod error;
pub mod exchange;
pub mod jobs;
pub mod messages;
pub mod onhand;
pub mod pages;
pub mod rebates;
pub mod reconcile;
pub mod redeem;
pub mod register;
pub mod report;
pub mod requisitions;
pub mod sales;
pub mod settings;
pub mod stock;
pub mod store;
pub mod tiles;
pub mod words;

pub use error::GroupBuyError;

use patron_core::vouchers::SerialRange;

use crate::kernel::cache::StoreInfo;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::DbError;
use crate::kernel::validation::Invalid;

/// Maps a unique violation on an idempotency key to `AlreadyRecorded`.
pub(crate) fn on_duplicate(e: DbError) -> GroupBuyError {
    if e.is_unique_violation() {
        GroupBuyError::AlreadyRecorded
    } else {
        GroupBuyError::Db(e)
    }
}

/// The store a request names, for staff holding `permission` there.
pub(crate) async fn store_at(
    ctx: &Ctx,
    store_code: &str,
    permission: patron_core::Permission,
) -> Result<StoreInfo, GroupBuyError> {
    let store = crate::areas::points::store_for(ctx, store_code).await?;
    ctx.require_at(permission, store.id)?;
    Ok(store)
}

/// Parses `lines[i].range`-style input: each text is a list of ranges; every bad one is named.
pub(crate) fn parse_ranges(field: &str, text: &str, bad: &mut Invalid) -> Option<Vec<SerialRange>> {
    bad.check(field, SerialRange::parse_list(text))
}

/// The highest face value a voucher may have (¥1,000,000): keeps every count × face in range.
pub const MAX_FACE_FEN: i64 = 100_000_000;

/// A store's time zone, for business dates of operations that name the store by id.
pub(crate) async fn store_tz(ctx: &Ctx, store_id: i64) -> Result<chrono_tz::Tz, GroupBuyError> {
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    Ok(stores
        .by_id(store_id)
        .map(|s| s.tz)
        .unwrap_or_else(|| ctx.app.config.tz()))
}

/// The staff member acting, for the columns that record who did what.
pub(crate) fn staff_id(ctx: &Ctx) -> Option<i64> {
    ctx.actor.staff().map(|s| s.id)
}

/// Renders fen as `12,345.00` for document summaries (no currency sign).
pub(crate) fn yuan(fen: i64) -> String {
    patron_core::Fen(fen).plain()
}

/// A payment as the paper forms name it.
pub fn payment_zh(p: patron_core::vouchers::Payment) -> &'static str {
    use patron_core::vouchers::Payment;
    match p {
        Payment::Cash => "现金",
        Payment::Cheque => "转账支票",
        Payment::Transfer => "银行转账",
        Payment::CreditCard => "信用卡",
    }
}

/// Whether an approval kind belongs to this area.
/// The group-buy desk's approval kinds (SPEC A2, E3, E9, E11): a requisition is decided by the
/// department manager; a rebate request by the manager or finance's manager; a write-off of
/// damaged or lost vouchers by the manager, the desk's supervisor or finance's manager.
pub const APPROVALS: &[crate::approvals::ApprovalKind] = &[
    crate::approvals::ApprovalKind {
        kind: requisitions::KIND_REQUISITION,
        label: "approval.kind.groupbuy_requisition",
        deciders: &[patron_core::Role::Manager],
        decide: decide_boxed,
        record: |id| format!("/groupbuy/requisitions/{id}/report.print"),
        record_permission: patron_core::Permission::ViewGroupBuy,
    },
    crate::approvals::ApprovalKind {
        kind: rebates::KIND_REBATE,
        label: "approval.kind.groupbuy_rebate",
        deciders: &[
            patron_core::Role::Manager,
            patron_core::Role::FinanceManager,
        ],
        decide: decide_boxed,
        record: |id| format!("/groupbuy/rebates/{id}/print"),
        record_permission: patron_core::Permission::ViewGroupBuy,
    },
    crate::approvals::ApprovalKind {
        kind: stock::KIND_WRITEOFF,
        label: "approval.kind.groupbuy_writeoff",
        deciders: &[
            patron_core::Role::Manager,
            patron_core::Role::Supervisor,
            patron_core::Role::FinanceManager,
        ],
        decide: decide_boxed,
        record: |_| "/groupbuy".to_string(),
        record_permission: patron_core::Permission::ViewGroupBuy,
    },
];

fn decide_boxed(
    ctx: &Ctx,
    id: i64,
    decision: patron_core::approvals::Decision,
) -> crate::approvals::DecideFuture<'_> {
    Box::pin(async move { Ok(decide(ctx, id, decision).await?) })
}

/// Decides a group-buy approval and carries out its consequence in the same transaction.
pub async fn decide(
    ctx: &Ctx,
    id: i64,
    decision: patron_core::approvals::Decision,
) -> Result<crate::approvals::ApprovalRow, GroupBuyError> {
    let store_id = crate::approvals::store::get(ctx.db(), id)
        .await?
        .and_then(|a| a.store_id);
    let tz = match store_id {
        Some(s) => store_tz(ctx, s).await?,
        None => ctx.app.config.tz(),
    };
    let c = ctx.clone();
    let decision = std::sync::Arc::new(decision);
    ctx.db()
        .write(move |tx| {
            let (c, decision) = (c.clone(), decision.clone());
            Box::pin(async move {
                let row = crate::approvals::decide(&c, tx, id, &decision, APPROVALS).await?;
                match row.kind.as_str() {
                    requisitions::KIND_REQUISITION => requisitions::on_decided(tx, &row).await?,
                    rebates::KIND_REBATE => rebates::on_decided(tx, &row).await?,
                    stock::KIND_WRITEOFF => stock::on_decided(&c, tx, &row, tz).await?,
                    _ => return Err(GroupBuyError::NotFound),
                }
                Ok(row)
            })
        })
        .await
}
