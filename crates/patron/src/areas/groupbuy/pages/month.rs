//! Rebates (request, notice, payment in vouchers, the register as a file) and the month-end
//! reconciliation (figures, the two signatures).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use patron_core::Permission;

use crate::areas::groupbuy::rebates::{self, RebateRow};
use crate::areas::groupbuy::reconcile::{self, MonthFigures, ReconRow};
use crate::areas::groupbuy::store;
use crate::kernel::cache::StoreInfo;
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Form, Reshow, StoreQuery, field, reshow, store_choice};
use crate::web::layout::Page;

use crate::areas::groupbuy::store::rebates::OpenBuyer;

#[derive(Template, WebTemplate)]
#[template(path = "groupbuy/rebates.html")]
struct RebatesPage {
    page: Page,
    store: StoreInfo,
    stores: Vec<StoreInfo>,
    rows: Vec<RebateRow>,
    open: Vec<OpenBuyer>,
    can_sell: bool,
    r: Reshow,
}

async fn render_rebates(
    c: &Console,
    want: Option<&str>,
    flash: Option<&str>,
    r: Reshow,
) -> Response {
    let (store, stores) = match store_choice(c, want, Permission::ViewGroupBuy).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let loaded = async {
        let rows = rebates::list(c.ctx.db(), store.id).await?;
        let open = store::rebates::open_buyers(c.ctx.db(), store.id).await?;
        Ok::<_, crate::kernel::db::DbError>((rows, open))
    }
    .await;
    let (rows, open) = match loaded {
        Ok(x) => x,
        Err(e) => return AppError::from(e).into_response(),
    };
    let status = if r.form.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut res = RebatesPage {
        page: Page::console(c, "gb.rebates").with_flash("success", flash),
        can_sell: c.ctx.can_at(Permission::SellVouchers, store.id),
        store,
        stores,
        rows,
        open,
        r,
    }
    .into_response();
    *res.status_mut() = status;
    res
}

pub(super) async fn rebates_page(c: Console, Query(q): Query<StoreQuery>) -> Response {
    render_rebates(&c, q.store.as_deref(), q.ok.as_deref(), Reshow::default()).await
}

pub(super) async fn rebate_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let store = field(&v.form, "store_code");
    let input = rebates::RebateIn {
        store_code: store.clone(),
        buyer_id: field(&v.form, "buyer_id").parse().unwrap_or(0),
    };
    match rebates::request(&c.ctx, &input).await {
        Ok(_) => Redirect::to(&format!(
            "/groupbuy/rebates?store={store}&ok=flash.submitted"
        ))
        .into_response(),
        Err(e) => {
            let page = Page::console(&c, "gb.rebates");
            match reshow(e, &page, "new", v.form) {
                Ok(r) => render_rebates(&c, Some(&store), None, r).await,
                Err(res) => *res,
            }
        }
    }
}

pub(super) async fn rebate_step(
    Path((id, step)): Path<(i64, String)>,
    v: Verified<Form>,
) -> Response {
    let c = v.console;
    let f = v.form;
    let store = field(&f, "store_code");
    let result = match step.as_str() {
        "notify" => {
            rebates::notify(
                &c.ctx,
                id,
                &rebates::NotifyIn {
                    how: field(&f, "how"),
                },
            )
            .await
        }
        "pay" => rebates::pay(
            &c.ctx,
            id,
            &rebates::PayIn {
                ranges: field(&f, "ranges"),
                signed_name: field(&f, "signed_name"),
            },
        )
        .await
        .map(|_| ()),
        _ => return AppError::not_found().into_response(),
    };
    match result {
        Ok(()) => {
            Redirect::to(&format!("/groupbuy/rebates?store={store}&ok=flash.saved")).into_response()
        }
        Err(e) => {
            let page = Page::console(&c, "gb.rebates");
            match reshow(e, &page, &format!("{step}:{id}"), f) {
                Ok(r) => render_rebates(&c, Some(&store), None, r).await,
                Err(res) => *res,
            }
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "groupbuy/reconcile.html")]
struct ReconcilePage {
    page: Page,
    store: StoreInfo,
    stores: Vec<StoreInfo>,
    month: String,
    figs: MonthFigures,
    row: Option<ReconRow>,
    closed: bool,
    list: Vec<ReconRow>,
    can_dept: bool,
    can_finance: bool,
    r: Reshow,
}

async fn render_reconcile(
    c: &Console,
    want: Option<&str>,
    month: Option<&str>,
    flash: Option<&str>,
    r: Reshow,
) -> Response {
    let (store, stores) = match store_choice(c, want, Permission::ViewGroupBuy).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let month = match crate::web::forms::month_param(
        month,
        crate::kernel::dates::previous_month(c.ctx.today_at(&store)),
    ) {
        Ok(m) => m,
        Err(e) => return e.into_response(),
    };
    let loaded = async {
        let figs = reconcile::figures(c.ctx.db(), &store, &month).await?;
        let row = reconcile::get(c.ctx.db(), store.id, &month).await?;
        let list = reconcile::list(c.ctx.db(), store.id).await?;
        Ok::<_, crate::areas::groupbuy::GroupBuyError>((figs, row, list))
    }
    .await;
    let (figs, row, list) = match loaded {
        Ok(x) => x,
        Err(e) => return AppError::from(e).into_response(),
    };
    // A closed month shows what both sides signed.
    let figs = row
        .as_ref()
        .filter(|r| r.closed)
        .and_then(ReconRow::signed_figures)
        .unwrap_or(figs);
    let status = if r.form.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::CONFLICT
    };
    let mut res = ReconcilePage {
        page: Page::console(c, "gb.reconcile").with_flash("success", flash),
        can_dept: c.ctx.can_at(Permission::SignForDepartment, store.id),
        can_finance: c.ctx.can_at(Permission::SignForFinance, store.id),
        store,
        stores,
        month,
        figs,
        closed: row.as_ref().is_some_and(|x| x.closed),
        row,
        list,
        r,
    }
    .into_response();
    *res.status_mut() = status;
    res
}

pub(super) async fn reconcile_page(c: Console, Query(q): Query<StoreQuery>) -> Response {
    render_reconcile(
        &c,
        q.store.as_deref(),
        q.month.as_deref(),
        q.ok.as_deref(),
        Reshow::default(),
    )
    .await
}

pub(super) async fn sign_submit(Path(side): Path<String>, v: Verified<Form>) -> Response {
    let c = v.console;
    let store = field(&v.form, "store_code");
    let month = field(&v.form, "month");
    let result = match side.as_str() {
        "department" => reconcile::sign_department(&c.ctx, &store, &month).await,
        "finance" => reconcile::sign_finance(&c.ctx, &store, &month).await,
        _ => return AppError::not_found().into_response(),
    };
    match result {
        Ok(_) => Redirect::to(&format!(
            "/groupbuy/reconcile?store={store}&month={month}&ok=flash.gb_signed"
        ))
        .into_response(),
        Err(e) => {
            let page = Page::console(&c, "gb.reconcile");
            match reshow(e, &page, "sign", v.form) {
                Ok(r) => render_reconcile(&c, Some(&store), Some(&month), None, r).await,
                Err(res) => *res,
            }
        }
    }
}

/// The rebate slips with what the register records (返扣领取表), as a file.
async fn rebates_export(c: Console, q: StoreQuery, format: ExportFormat) -> Response {
    let (store, _) = match store_choice(&c, q.store.as_deref(), Permission::ViewBuyerRegister).await
    {
        Ok(x) => x,
        Err(res) => return res,
    };
    let list = match rebates::list(c.ctx.db(), store.id).await {
        Ok(l) => l,
        Err(e) => return AppError::from(e).into_response(),
    };
    let page = Page::console(&c, "gb.rebates");
    let mut rows = Vec::with_capacity(list.len());
    for x in list {
        let serials = rebates::paid_ranges(c.ctx.db(), x.id)
            .await
            .unwrap_or_default()
            .join(", ");
        rows.push(vec![
            Cell::from(x.rebate_no),
            Cell::from(x.recon_no.unwrap_or_default()),
            Cell::from(if x.organisation.is_empty() {
                x.contact
            } else {
                x.organisation
            }),
            Cell::Money(x.purchase_fen),
            Cell::from(x.rate_permille),
            Cell::Money(x.rebate_fen),
            Cell::from(page.t_or(&format!("gb.doc.{}", x.state), "gb.doc_state")),
            Cell::from(x.paid_on),
            Cell::from(serials),
            Cell::from(x.expires_on),
            Cell::from(x.signed_name.unwrap_or_default()),
        ]);
    }
    export::respond(
        &Table::new(
            "rebates",
            &page,
            &[
                "gb.doc_no",
                "gb.recon_no",
                "gb.buyer",
                "gb.purchase",
                "gb.rate_permille",
                "gb.rebate",
                "gb.doc_state",
                "gb.date",
                "gb.serials",
                "gb.expires_on",
                "gb.signed_name",
            ],
            rows,
        ),
        format,
    )
    .unwrap_or_else(IntoResponse::into_response)
}

pub(super) async fn rebates_csv(c: Console, Query(q): Query<StoreQuery>) -> Response {
    rebates_export(c, q, ExportFormat::Csv).await
}

pub(super) async fn rebates_xlsx(c: Console, Query(q): Query<StoreQuery>) -> Response {
    rebates_export(c, q, ExportFormat::Xlsx).await
}
