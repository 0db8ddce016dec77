//! Sales: the sale screen with live prepaid-card warnings, the sales list (cheques pending,
//! deposits) with its exports, and one sale with release and bounce.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Days, NaiveDate};
use patron_core::Permission;

use super::words::field_label;
use crate::areas::groupbuy::onhand::{self, OnHandRun};
use crate::areas::groupbuy::report;
use crate::areas::groupbuy::sales::{self, DepositRow, SaleCheck, SaleIn, SaleLineRow, SaleRow};
use crate::areas::groupbuy::store::{self, sales::BuyerChoice};
use crate::kernel::cache::StoreInfo;
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Form, Reshow, StoreQuery, field, reshow, store_choice};
use crate::web::layout::Page;

/// A date from the page address, `default` when absent; a date that does not exist is said
/// (`web::forms::date_param`), not replaced.
pub(super) fn date_or(text: Option<&str>, default: NaiveDate) -> Result<NaiveDate, AppError> {
    crate::web::forms::date_param(text, default)
}

async fn buyers(c: &Console) -> Result<Vec<BuyerChoice>, AppError> {
    Ok(store::sales::buyers(c.ctx.db()).await?)
}

#[derive(Template, WebTemplate)]
#[template(path = "groupbuy/sale_new.html")]
struct NewSalePage {
    page: Page,
    store: StoreInfo,
    stores: Vec<StoreInfo>,
    buyers: Vec<BuyerChoice>,
    /// The stamped vouchers on hand, as runs by face value: shown, and offered in the range
    /// fields.
    runs: Vec<OnHandRun>,
    /// A refused sale's live check, said again under the lines (empty on a fresh form).
    check_html: String,
    key: String,
    r: Reshow,
}

impl NewSalePage {
    fn v(&self, f: &str) -> &str {
        self.r.val("sale", f)
    }
}

async fn render_new(c: &Console, want: Option<&str>, r: Reshow) -> Response {
    render_new_with(c, want, r, String::new()).await
}

async fn render_new_with(
    c: &Console,
    want: Option<&str>,
    r: Reshow,
    check_html: String,
) -> Response {
    let (store, stores) = match store_choice(c, want, Permission::SellVouchers).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let buyers = match buyers(c).await {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
    let runs = match onhand::runs(c.ctx.db(), store.id).await {
        Ok(r) => r,
        Err(e) => return AppError::from(e).into_response(),
    };
    let status = if r.form.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let key = r
        .values
        .get("request_key")
        .cloned()
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let mut res = NewSalePage {
        page: Page::console(c, "gb.new_sale"),
        store,
        stores,
        buyers,
        runs,
        check_html,
        key,
        r,
    }
    .into_response();
    *res.status_mut() = status;
    res
}

pub(super) async fn new_sale(c: Console, Query(q): Query<StoreQuery>) -> Response {
    render_new(&c, q.store.as_deref(), Reshow::default()).await
}

fn sale_input(f: &Form) -> SaleIn {
    let buyer_id = field(f, "buyer_id")
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0);
    SaleIn {
        store_code: field(f, "store_code"),
        buyer_id,
        buyer: buyer_id.is_none().then(|| sales::BuyerIn {
            kind: field(f, "buyer.kind"),
            organisation: field(f, "buyer.organisation"),
            contact: field(f, "buyer.contact"),
            phone: field(f, "buyer.phone"),
        }),
        payment: field(f, "payment"),
        lines: (0..4)
            .map(|i| sales::LineIn {
                range: field(f, &format!("lines[{i}].range")),
                face_value: field(f, &format!("lines[{i}].face_value")),
                change_reason: field(f, &format!("lines[{i}].change_reason")),
            })
            .collect(),
        cheque_no: field(f, "cheque_no"),
        bank: field(f, "bank"),
        account_name: field(f, "account_name"),
        account_no: field(f, "account_no"),
        real_name: field(f, "real_name"),
        id_number: field(f, "id_number"),
        counted: field(f, "counted"),
        seals: sales::SealsIn {
            name: f.contains_key("seals.name"),
            activity: f.contains_key("seals.activity"),
            date: f.contains_key("seals.date"),
        },
        request_key: field(f, "request_key"),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "groupbuy/sale_check.html")]
struct CheckPartial {
    page: Page,
    check: SaleCheck,
    /// Each bad field as its label and message key (the runs not on hand are said below).
    fields: Vec<(String, String, String)>,
    /// Each run of the typed serials that is not on hand, said in the reader's language.
    off: Vec<String>,
}

impl CheckPartial {
    fn of(page: Page, check: SaleCheck) -> CheckPartial {
        let fields = check
            .field_errors
            .iter()
            .map(|(f, key)| (f.clone(), field_label(page.lang, f), key.clone()))
            .collect();
        let off = check
            .not_on_hand
            .iter()
            .map(|o| o.said().say(page.lang))
            .collect();
        CheckPartial {
            page,
            check,
            fields,
            off,
        }
    }
}

/// The sale screen's live check (htmx): the total so far, every rule the sale would break and
/// every typed serial that is not on hand.
pub(super) async fn check_sale(v: Verified<Form>) -> Response {
    let c = v.console;
    match sales::check(&c.ctx, &sale_input(&v.form)).await {
        Ok(check) => CheckPartial::of(Page::console(&c, "gb.new_sale"), check).into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

pub(super) async fn sale_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let store = field(&v.form, "store_code");
    let input = sale_input(&v.form);
    match sales::sell(&c.ctx, &input).await {
        Ok(out) => Redirect::to(&format!("/groupbuy/sales/{}?ok=flash.gb_sold", out.sale_id))
            .into_response(),
        Err(e) => {
            let page = Page::console(&c, "gb.new_sale");
            // What was wrong is said as the live check says it: each run not on hand and why.
            let check_html = match sales::check(&c.ctx, &input).await {
                Ok(check) => CheckPartial::of(Page::console(&c, "gb.new_sale"), check)
                    .render()
                    .unwrap_or_default(),
                Err(_) => String::new(),
            };
            match reshow(e, &page, "sale", v.form) {
                Ok(r) => render_new_with(&c, Some(&store), r, check_html).await,
                Err(res) => *res,
            }
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "groupbuy/sales.html")]
struct SalesPage {
    page: Page,
    store: StoreInfo,
    stores: Vec<StoreInfo>,
    rows: Vec<SaleRow>,
    deposits: Vec<DepositRow>,
    state: String,
    from: NaiveDate,
    to: NaiveDate,
    can_sell: bool,
    /// Cash of earlier days not paid in by day close, said for the desk (E5).
    unpaid: Vec<(String, bool)>,
    r: Reshow,
}

pub(super) struct SalesFilter {
    pub store: StoreInfo,
    pub stores: Vec<StoreInfo>,
    pub state: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

async fn filter(
    c: &Console,
    q: &StoreQuery,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<SalesFilter, Response> {
    let (store, stores) = store_choice(c, q.store.as_deref(), Permission::ViewGroupBuy).await?;
    let today = c.ctx.today_at(&store);
    let state = q.state.clone().unwrap_or_default();
    // Cheques pending are listed whatever their date.
    let default_from = if state == "reserved" {
        NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(today)
    } else {
        today.checked_sub_days(Days::new(30)).unwrap_or(today)
    };
    Ok(SalesFilter {
        from: date_or(from, default_from).map_err(IntoResponse::into_response)?,
        to: date_or(to, today).map_err(IntoResponse::into_response)?,
        store,
        stores,
        state,
    })
}

#[derive(serde::Deserialize, Default)]
pub(super) struct RangeQuery {
    pub store: Option<String>,
    pub state: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub ok: Option<String>,
}

impl RangeQuery {
    fn store_query(&self) -> StoreQuery {
        StoreQuery {
            store: self.store.clone(),
            state: self.state.clone(),
            ..Default::default()
        }
    }
}

async fn render_sales(c: &Console, q: &RangeQuery, r: Reshow) -> Response {
    let f = match filter(c, &q.store_query(), q.from.as_deref(), q.to.as_deref()).await {
        Ok(f) => f,
        Err(res) => return res,
    };
    let state = (!f.state.is_empty()).then_some(f.state.as_str());
    let loaded = async {
        let rows = sales::list(c.ctx.db(), f.store.id, state, f.from, f.to).await?;
        let deposits = sales::deposits(c.ctx.db(), f.store.id).await?;
        let today = c.ctx.today_at(&f.store);
        let unpaid = report::unpaid_cash(c.ctx.db(), f.store.id, today).await?;
        Ok::<_, crate::kernel::db::DbError>((rows, deposits, unpaid))
    }
    .await;
    let (rows, deposits, unpaid) = match loaded {
        Ok(x) => x,
        Err(e) => return AppError::from(e).into_response(),
    };
    let status = if r.form.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let title = if f.state == "reserved" {
        "gb.cheques_pending"
    } else {
        "gb.sales"
    };
    let page = Page::console(c, title).with_flash("success", q.ok.as_deref());
    let mut res = SalesPage {
        unpaid: super::words::unpaid_lines(page.lang, &unpaid),
        page,
        can_sell: c.ctx.can_at(Permission::SellVouchers, f.store.id),
        store: f.store,
        stores: f.stores,
        rows,
        deposits,
        state: f.state,
        from: f.from,
        to: f.to,
        r,
    }
    .into_response();
    *res.status_mut() = status;
    res
}

pub(super) async fn sales_page(c: Console, Query(q): Query<RangeQuery>) -> Response {
    render_sales(&c, &q, Reshow::default()).await
}

async fn sales_export(
    c: Console,
    q: RangeQuery,
    format: ExportFormat,
) -> Result<Response, Response> {
    let f = filter(&c, &q.store_query(), q.from.as_deref(), q.to.as_deref()).await?;
    let state = (!f.state.is_empty()).then_some(f.state.as_str());
    let rows = sales::list(c.ctx.db(), f.store.id, state, f.from, f.to)
        .await
        .map_err(|e| AppError::from(e).into_response())?;
    let page = Page::console(&c, "gb.sales");
    let rows = rows
        .into_iter()
        .map(|s| {
            vec![
                Cell::from(s.sale_no),
                Cell::from(s.biz_date),
                Cell::from(if s.organisation.is_empty() {
                    s.contact
                } else {
                    s.organisation
                }),
                Cell::from(page.t_or(&format!("gb.pay.{}", s.payment), "gb.payment")),
                Cell::from(page.t_or(&format!("gb.sale.{}", s.state), "gb.doc_state")),
                Cell::from(s.count),
                Cell::Money(s.amount_fen),
                Cell::from(s.expires_on),
            ]
        })
        .collect();
    export::respond(
        &Table::new(
            "group-buy-sales",
            &page,
            &[
                "gb.doc_no",
                "gb.date",
                "gb.buyer",
                "gb.payment",
                "gb.doc_state",
                "gb.count",
                "gb.amount",
                "gb.expires_on",
            ],
            rows,
        ),
        format,
    )
    .map_err(IntoResponse::into_response)
}

pub(super) async fn sales_csv(c: Console, Query(q): Query<RangeQuery>) -> Response {
    sales_export(c, q, ExportFormat::Csv)
        .await
        .unwrap_or_else(|r| r)
}

pub(super) async fn sales_xlsx(c: Console, Query(q): Query<RangeQuery>) -> Response {
    sales_export(c, q, ExportFormat::Xlsx)
        .await
        .unwrap_or_else(|r| r)
}

pub(super) async fn deposit_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let store = field(&v.form, "store_code");
    let input = sales::DepositIn {
        store_code: store.clone(),
        kind: field(&v.form, "kind"),
    };
    match sales::deposit(&c.ctx, &input).await {
        Ok(d) => Redirect::to(&format!("/groupbuy/deposits/{}/print", d.id)).into_response(),
        Err(e) => {
            let page = Page::console(&c, "gb.sales");
            match reshow(e, &page, "deposit", v.form) {
                Ok(r) => {
                    let q = RangeQuery {
                        store: Some(store),
                        ..Default::default()
                    };
                    render_sales(&c, &q, r).await
                }
                Err(res) => *res,
            }
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "groupbuy/sale.html")]
struct SalePage {
    page: Page,
    s: SaleRow,
    lines: Vec<SaleLineRow>,
    store_code: String,
    can_sell: bool,
    can_register: bool,
    r: Reshow,
}

async fn render_sale(c: &Console, id: i64, flash: Option<&str>, r: Reshow) -> Response {
    let s = match sales::get(c.ctx.db(), id).await {
        Ok(Some(s)) => s,
        Ok(None) => return AppError::not_found().into_response(),
        Err(e) => return AppError::from(e).into_response(),
    };
    if let Err(e) = c.ctx.require_at(Permission::ViewGroupBuy, s.store_id) {
        return AppError::from(e).into_response();
    }
    let lines = match sales::lines(c.ctx.db(), id).await {
        Ok(l) => l,
        Err(e) => return AppError::from(e).into_response(),
    };
    let store_code = match c.ctx.app.cache.stores(c.ctx.db()).await {
        Ok(st) => st
            .by_id(s.store_id)
            .map(|x| x.code.clone())
            .unwrap_or_default(),
        Err(e) => return AppError::from(e).into_response(),
    };
    let status = if r.form.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut res = SalePage {
        page: Page::console(c, "gb.sale").with_flash("success", flash),
        can_sell: c.ctx.can_at(Permission::SellVouchers, s.store_id),
        can_register: c.ctx.can_at(Permission::ViewBuyerRegister, s.store_id),
        s,
        lines,
        store_code,
        r,
    }
    .into_response();
    *res.status_mut() = status;
    res
}

pub(super) async fn sale_page(
    c: Console,
    Path(id): Path<i64>,
    Query(q): Query<StoreQuery>,
) -> Response {
    render_sale(&c, id, q.ok.as_deref(), Reshow::default()).await
}

pub(super) async fn sale_step(
    Path((id, step)): Path<(i64, String)>,
    v: Verified<Form>,
) -> Response {
    let c = v.console;
    let f = v.form;
    let result = match step.as_str() {
        "release" => {
            sales::release(
                &c.ctx,
                id,
                &sales::ReleaseIn {
                    reason: field(&f, "reason"),
                    counter_slip_no: field(&f, "counter_slip_no"),
                },
            )
            .await
        }
        "bounce" => {
            sales::bounce(
                &c.ctx,
                id,
                &sales::BounceIn {
                    reason: field(&f, "reason"),
                },
            )
            .await
        }
        _ => return AppError::not_found().into_response(),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/groupbuy/sales/{id}?ok=flash.saved")).into_response(),
        Err(e) => {
            let page = Page::console(&c, "gb.sale");
            match reshow(e, &page, &step, f) {
                Ok(r) => render_sale(&c, id, None, r).await,
                Err(res) => *res,
            }
        }
    }
}
