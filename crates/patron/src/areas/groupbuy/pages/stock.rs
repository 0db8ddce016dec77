//! The stock overview: counts by state, stamping, write-offs, the exchange of an expired
//! voucher, finance's series and print files, and the stock as a file.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use patron_core::Permission;

use crate::areas::groupbuy::stock::{self, SeriesRow, StateCount, WriteOffRow};
use crate::areas::groupbuy::{GroupBuyError, exchange};
use crate::kernel::cache::StoreInfo;
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::{Console, Verified};
use crate::web::forms::reshow;
use crate::web::forms::{Form, Reshow, StoreQuery, field, store_choice};
use crate::web::layout::Page;

#[derive(Template, WebTemplate)]
#[template(path = "groupbuy/index.html")]
struct OverviewPage {
    page: Page,
    store: StoreInfo,
    stores: Vec<StoreInfo>,
    counts: Vec<StateCount>,
    totals: Vec<(String, i64, i64)>,
    series: Vec<SeriesRow>,
    writeoffs: Vec<WriteOffRow>,
    can_sell: bool,
    can_finance: bool,
    r: Reshow,
}

async fn render_overview(
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
        let counts = stock::overview(&c.ctx, &store.code).await?;
        let series = stock::list_series(c.ctx.db()).await?;
        let writeoffs = stock::list_writeoffs(c.ctx.db(), store.id).await?;
        Ok::<_, GroupBuyError>((counts, series, writeoffs))
    }
    .await;
    let (counts, series, writeoffs) = match loaded {
        Ok(x) => x,
        Err(e) => return AppError::from(e).into_response(),
    };
    let totals = state_totals(&counts);
    let status = if r.form.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = Page::console(c, "gb.title").with_flash("success", flash);
    let mut res = OverviewPage {
        can_sell: c.ctx.can_at(Permission::SellVouchers, store.id),
        can_finance: c.ctx.can(Permission::ManageVoucherStock),
        page,
        store,
        stores,
        counts,
        totals,
        series,
        writeoffs,
        r,
    }
    .into_response();
    *res.status_mut() = status;
    res
}

pub(super) async fn overview(c: Console, Query(q): Query<StoreQuery>) -> Response {
    render_overview(&c, q.store.as_deref(), q.ok.as_deref(), Reshow::default()).await
}

/// Runs a form's use case: on success redirects to `ok_to`; on refusal re-shows the overview.
async fn overview_form<T, F>(v: Verified<Form>, form: &str, ok_to: String, run: F) -> Response
where
    F: AsyncFnOnce(&crate::kernel::ctx::Ctx, &Form) -> Result<T, GroupBuyError>,
{
    let c = v.console;
    let store = field(&v.form, "store_code");
    match run(&c.ctx, &v.form).await {
        Ok(_) => Redirect::to(&ok_to).into_response(),
        Err(e) => {
            let page = Page::console(&c, "gb.title");
            match reshow(e, &page, form, v.form) {
                Ok(r) => render_overview(&c, Some(&store), None, r).await,
                Err(res) => *res,
            }
        }
    }
}

pub(super) async fn stamp_submit(v: Verified<Form>) -> Response {
    let to = format!(
        "/groupbuy?store={}&ok=flash.gb_stamped",
        field(&v.form, "store_code")
    );
    overview_form(v, "stamp", to, async |ctx, f| {
        stock::stamp(
            ctx,
            &stock::StampIn {
                store_code: field(f, "store_code"),
                ranges: field(f, "ranges"),
            },
        )
        .await
    })
    .await
}

pub(super) async fn writeoff_submit(v: Verified<Form>) -> Response {
    let to = format!(
        "/groupbuy?store={}&ok=flash.submitted",
        field(&v.form, "store_code")
    );
    overview_form(v, "writeoff", to, async |ctx, f| {
        stock::request_writeoff(
            ctx,
            &stock::WriteOffIn {
                store_code: field(f, "store_code"),
                kind: field(f, "kind"),
                ranges: field(f, "ranges"),
                reason: field(f, "reason"),
            },
        )
        .await
    })
    .await
}

pub(super) async fn exchange_submit(v: Verified<Form>) -> Response {
    let to = format!(
        "/groupbuy?store={}&ok=flash.gb_exchanged",
        field(&v.form, "store_code")
    );
    overview_form(v, "exchange", to, async |ctx, f| {
        exchange::exchange(
            ctx,
            &exchange::ExchangeIn {
                store_code: field(f, "store_code"),
                old_serial: field(f, "old_serial"),
                new_serial: field(f, "new_serial"),
                note: field(f, "note"),
            },
        )
        .await
    })
    .await
}

pub(super) async fn series_submit(v: Verified<Form>) -> Response {
    let to = format!(
        "/groupbuy?store={}&ok=flash.saved",
        field(&v.form, "store_code")
    );
    overview_form(v, "series", to, async |ctx, f| {
        stock::create_series(
            ctx,
            &stock::SeriesIn {
                code: field(f, "code"),
                name: field(f, "name"),
                face_value: field(f, "face_value"),
                named: f.contains_key("named"),
                expires_on: field(f, "expires_on"),
                count: field(f, "count"),
                first_serial: field(f, "first_serial"),
            },
        )
        .await
    })
    .await
}

pub(super) async fn print_file(c: Console, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (name, bytes) = stock::print_file(&c.ctx, id).await?;
    Ok(crate::web::export::attachment(
        &name,
        "text/csv; charset=utf-8",
        bytes,
    ))
}

/// Count and amount per state, in the order the states first appear (the overview's footer).
fn state_totals(counts: &[StateCount]) -> Vec<(String, i64, i64)> {
    let mut totals: Vec<(String, i64, i64)> = Vec::new();
    for s in counts {
        match totals.iter_mut().find(|t| t.0 == s.state) {
            Some(t) => {
                t.1 += s.count;
                t.2 += s.amount_fen;
            }
            None => totals.push((s.state.clone(), s.count, s.amount_fen)),
        }
    }
    totals
}

/// The stock overview as a file: state, face value, count, amount, and the overview's totals
/// per state under the list.
async fn stock_export(c: Console, q: StoreQuery, format: ExportFormat) -> Response {
    let (store, _) = match store_choice(&c, q.store.as_deref(), Permission::ViewGroupBuy).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let counts = match stock::overview(&c.ctx, &store.code).await {
        Ok(x) => x,
        Err(e) => return AppError::from(e).into_response(),
    };
    let page = Page::console(&c, "gb.title");
    let state = |s: &str| Cell::from(page.t_or(&format!("gb.state.{s}"), "gb.state"));
    let totals = state_totals(&counts)
        .into_iter()
        .map(|(s, n, fen)| vec![state(&s), Cell::from(""), Cell::Int(n), Cell::Money(fen)])
        .collect();
    let rows = counts
        .into_iter()
        .map(|s| {
            vec![
                state(&s.state),
                Cell::Money(s.face_value_fen),
                Cell::from(s.count),
                Cell::Money(s.amount_fen),
            ]
        })
        .collect();
    export::respond(
        &Table::new(
            "voucher-stock",
            &page,
            &["gb.state", "gb.face_value", "gb.count", "gb.amount"],
            rows,
        )
        .with_totals(totals),
        format,
    )
    .unwrap_or_else(IntoResponse::into_response)
}

pub(super) async fn stock_csv(c: Console, Query(q): Query<StoreQuery>) -> Response {
    stock_export(c, q, ExportFormat::Csv).await
}

pub(super) async fn stock_xlsx(c: Console, Query(q): Query<StoreQuery>) -> Response {
    stock_export(c, q, ExportFormat::Xlsx).await
}
