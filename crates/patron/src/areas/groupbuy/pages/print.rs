//! Print views that look like the department's paper forms (E2–E10): 请示报告单, 领券登记表,
//! 支票押金凭证 (two parts), 内部进帐单, the 17:00 notice (two parts) with the cash journal,
//! 返扣单, 返扣领取表 and 对帐单. A4, black on white, opened in a new tab and printed.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use patron_core::Permission;

use crate::areas::groupbuy::rebates::{self, RebateRow};
use crate::areas::groupbuy::reconcile::{self, MonthFigures, ReconRow};
use crate::areas::groupbuy::report::{self, DailyReport};
use crate::areas::groupbuy::requisitions::{self, RequisitionRow};
use crate::areas::groupbuy::sales::{self, DepositRow, SaleLineRow, SaleRow};
use crate::areas::groupbuy::store;
use crate::kernel::db::Db;
use crate::web::error::AppError;
use crate::web::extract::Console;
use crate::web::forms::{StoreQuery, store_choice};

/// The paper of the group-buy forms: a store's.
pub use crate::web::print::StorePaper as Paper;

async fn paper_for(c: &Console, store_id: i64, permission: Permission) -> Result<Paper, Response> {
    c.ctx
        .require_at(permission, store_id)
        .map_err(|e| AppError::from(e).into_response())?;
    let stores = c
        .ctx
        .app
        .cache
        .stores(c.ctx.db())
        .await
        .map_err(|e| AppError::from(e).into_response())?;
    let store = stores
        .by_id(store_id)
        .cloned()
        .ok_or_else(|| AppError::not_found().into_response())?;
    Ok(Paper::at(store))
}

/// A staff member's display name (blank when nobody).
async fn name_of(db: &Db, id: Option<i64>) -> String {
    match id {
        Some(id) => crate::areas::staff::store::get_staff(db, id)
            .await
            .ok()
            .flatten()
            .map(|s| s.display_name)
            .unwrap_or_default(),
        None => String::new(),
    }
}

fn fail(e: impl Into<AppError>) -> Response {
    e.into().into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "groupbuy/print_requisition.html")]
struct RequisitionReport {
    p: Paper,
    q: RequisitionRow,
    lines: Vec<requisitions::Wanted>,
    requester: String,
    approver: String,
    approved_at: Option<DateTime<Utc>>,
}

pub(super) async fn requisition_report(c: Console, Path(id): Path<i64>) -> Response {
    let q = match requisitions::get(c.ctx.db(), id).await {
        Ok(Some(q)) => q,
        Ok(None) => return AppError::not_found().into_response(),
        Err(e) => return fail(e),
    };
    let p = match paper_for(&c, q.store_id, Permission::ViewGroupBuy).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let approval = match q.approval_id {
        Some(a) => crate::approvals::store::get(c.ctx.db(), a)
            .await
            .ok()
            .flatten(),
        None => None,
    };
    RequisitionReport {
        requester: name_of(c.ctx.db(), Some(q.created_by)).await,
        approver: name_of(c.ctx.db(), approval.as_ref().and_then(|a| a.decided_by)).await,
        approved_at: approval
            .filter(|a| a.status == "approved")
            .and_then(|a| a.decided_at),
        lines: q.wanted(),
        p,
        q,
    }
    .into_response()
}

pub struct PickupLine {
    pub q: RequisitionRow,
    pub finance: String,
    pub dept: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "groupbuy/print_pickup_register.html")]
struct PickupRegister {
    p: Paper,
    rows: Vec<PickupLine>,
}

pub(super) async fn pickup_register(c: Console, Query(q): Query<StoreQuery>) -> Response {
    let (store, _) = match store_choice(&c, q.store.as_deref(), Permission::ViewGroupBuy).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let list = match requisitions::list(c.ctx.db(), Some(store.id)).await {
        Ok(l) => l,
        Err(e) => return fail(e),
    };
    let mut rows = Vec::new();
    for q in list.into_iter().rev().filter(|q| q.state == "received") {
        rows.push(PickupLine {
            finance: name_of(c.ctx.db(), q.handed_by).await,
            dept: name_of(c.ctx.db(), q.received_by).await,
            q,
        });
    }
    PickupRegister {
        p: Paper::at(store),
        rows,
    }
    .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "groupbuy/print_cheque.html")]
struct ChequeReceipt {
    p: Paper,
    s: SaleRow,
    lines: Vec<SaleLineRow>,
    clerk: String,
}

pub(super) async fn cheque_receipt(c: Console, Path(id): Path<i64>) -> Response {
    let s = match sales::get(c.ctx.db(), id).await {
        Ok(Some(s)) => s,
        Ok(None) => return AppError::not_found().into_response(),
        Err(e) => return fail(e),
    };
    let p = match paper_for(&c, s.store_id, Permission::ViewGroupBuy).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let lines = match sales::lines(c.ctx.db(), id).await {
        Ok(l) => l,
        Err(e) => return fail(e),
    };
    let created_by = store::sales::created_by(c.ctx.db(), id)
        .await
        .ok()
        .flatten();
    ChequeReceipt {
        clerk: name_of(c.ctx.db(), created_by).await,
        p,
        s,
        lines,
    }
    .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "groupbuy/print_deposit.html")]
struct DepositSlip {
    p: Paper,
    d: DepositRow,
    sales: Vec<SaleRow>,
}

pub(super) async fn deposit_slip(c: Console, Path(id): Path<i64>) -> Response {
    let d = match sales::get_deposit(c.ctx.db(), id).await {
        Ok(Some(d)) => d,
        Ok(None) => return AppError::not_found().into_response(),
        Err(e) => return fail(e),
    };
    let p = match paper_for(&c, d.store_id, Permission::ViewGroupBuy).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    match sales::deposit_sales(c.ctx.db(), id).await {
        Ok(sales) => DepositSlip { p, d, sales }.into_response(),
        Err(e) => fail(e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "groupbuy/print_notice.html")]
struct Notice {
    p: Paper,
    rep: DailyReport,
}

impl Notice {
    fn pay(&self, code: &str) -> String {
        super::words::payment_label(self.p.lang, code)
    }

    fn buyer(&self, organisation: &str) -> String {
        super::words::buyer_label(self.p.lang, organisation)
    }
}

pub(super) async fn notice(c: Console, Query(q): Query<StoreQuery>) -> Response {
    let (store, _) = match store_choice(&c, q.store.as_deref(), Permission::ViewGroupBuy).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let day = match crate::web::forms::date_param(q.date.as_deref(), c.ctx.today_at(&store)) {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    match report::build(&c.ctx, &store, day).await {
        Ok(rep) => Notice {
            p: Paper::at(store),
            rep,
        }
        .into_response(),
        Err(e) => fail(e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "groupbuy/print_rebate.html")]
struct RebateSlip {
    p: Paper,
    x: RebateRow,
    approver: String,
    approved_at: Option<DateTime<Utc>>,
}

pub(super) async fn rebate_slip(c: Console, Path(id): Path<i64>) -> Response {
    let x = match rebates::get(c.ctx.db(), id).await {
        Ok(Some(x)) => x,
        Ok(None) => return AppError::not_found().into_response(),
        Err(e) => return fail(e),
    };
    let p = match paper_for(&c, x.store_id, Permission::ViewGroupBuy).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let approval = match x.approval_id {
        Some(a) => crate::approvals::store::get(c.ctx.db(), a)
            .await
            .ok()
            .flatten(),
        None => None,
    };
    RebateSlip {
        approver: name_of(c.ctx.db(), approval.as_ref().and_then(|a| a.decided_by)).await,
        approved_at: approval
            .filter(|a| a.status == "approved")
            .and_then(|a| a.decided_at),
        p,
        x,
    }
    .into_response()
}

pub struct RebateLine {
    pub x: RebateRow,
    pub serials: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "groupbuy/print_rebate_register.html")]
struct RebateRegister {
    p: Paper,
    rows: Vec<RebateLine>,
}

pub(super) async fn rebate_register(c: Console, Query(q): Query<StoreQuery>) -> Response {
    let (store, _) = match store_choice(&c, q.store.as_deref(), Permission::ViewBuyerRegister).await
    {
        Ok(x) => x,
        Err(r) => return r,
    };
    let list = match rebates::list(c.ctx.db(), store.id).await {
        Ok(l) => l,
        Err(e) => return fail(e),
    };
    let mut rows = Vec::new();
    for x in list.into_iter().rev().filter(|x| x.state == "paid") {
        let serials = rebates::paid_ranges(c.ctx.db(), x.id)
            .await
            .unwrap_or_default()
            .join(", ");
        rows.push(RebateLine { x, serials });
    }
    RebateRegister {
        p: Paper::at(store),
        rows,
    }
    .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "groupbuy/print_statement.html")]
struct Statement {
    p: Paper,
    figs: MonthFigures,
    row: Option<ReconRow>,
    dept: String,
    finance: String,
}

pub(super) async fn statement(c: Console, Query(q): Query<StoreQuery>) -> Response {
    let (store, _) = match store_choice(&c, q.store.as_deref(), Permission::ViewGroupBuy).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let month = match crate::web::forms::month_param(
        q.month.as_deref(),
        crate::kernel::dates::previous_month(c.ctx.today_at(&store)),
    ) {
        Ok(m) => m,
        Err(e) => return e.into_response(),
    };
    let row = match reconcile::get(c.ctx.db(), store.id, &month).await {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let figs = match row
        .as_ref()
        .filter(|r| r.closed)
        .and_then(ReconRow::signed_figures)
    {
        Some(f) => f,
        None => match reconcile::figures(c.ctx.db(), &store, &month).await {
            Ok(f) => f,
            Err(e) => return fail(e),
        },
    };
    Statement {
        dept: name_of(c.ctx.db(), row.as_ref().and_then(|r| r.dept_signed_by)).await,
        finance: name_of(c.ctx.db(), row.as_ref().and_then(|r| r.finance_signed_by)).await,
        p: Paper::at(store),
        figs,
        row,
    }
    .into_response()
}
