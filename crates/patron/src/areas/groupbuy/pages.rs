//! Console routes of the group-buy desk: the stock overview (stamping, write-offs, finance's
//! series and print files), requisitions, and the settings page. Sales are in `sale_pages`,
//! rebates and the month in `month_pages`, paper forms in `print`.
//!
//! Forms are read as plain maps and re-shown with their input and messages when refused.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use patron_core::Permission;
use serde::Deserialize;

use super::requisitions::{self, RequisitionRow};
use super::settings::{self, SettingsForm};
use super::stock::{self, SeriesRow, StateCount, WriteOffRow};
use super::{GroupBuyError, month_pages, print, sale_pages};
use crate::kernel::cache::StoreInfo;
use crate::kernel::ctx::App;
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::{Console, Verified};
use crate::web::layout::{FormErrors, Page};

pub type Form = HashMap<String, String>;

pub fn router() -> Router<App> {
    Router::new()
        .route("/groupbuy", get(overview))
        .route("/groupbuy/stock.csv", get(stock_csv))
        .route("/groupbuy/stock.xlsx", get(stock_xlsx))
        .route("/groupbuy/stamp", post(stamp_submit))
        .route("/groupbuy/writeoffs", post(writeoff_submit))
        .route("/groupbuy/exchanges", post(exchange_submit))
        .route("/groupbuy/series", post(series_submit))
        .route("/groupbuy/series/{id}/print-file.csv", get(print_file))
        .route(
            "/groupbuy/requisitions",
            get(requisitions_page).post(requisition_submit),
        )
        .route("/groupbuy/requisitions/{id}/{step}", post(requisition_step))
        .route("/admin/groupbuy", get(settings_page).post(settings_submit))
        .route("/admin/groupbuy/check-code", post(check_code_submit))
        .merge(sale_pages::router())
        .merge(month_pages::router())
        .merge(print::router())
}

/// A refused form, re-shown with what was typed and why.
#[derive(Default)]
pub struct Reshow {
    pub form: String,
    pub values: Form,
    pub errors: FormErrors,
    pub detail: String,
}

impl Reshow {
    pub fn is(&self, form: &str) -> bool {
        self.form == form
    }

    /// What was typed into `field` of `form` (empty for another form).
    pub fn val(&self, form: &str, field: &str) -> &str {
        if self.is(form) {
            self.values.get(field).map(String::as_str).unwrap_or("")
        } else {
            ""
        }
    }

    pub fn bad(&self, form: &str, field: &str) -> bool {
        self.is(form) && self.errors.has(field)
    }

    pub fn msg(&self, page: &Page, form: &str, field: &str) -> &'static str {
        if self.is(form) {
            self.errors.msg(page, field)
        } else {
            ""
        }
    }

    /// Whether `field` of `form` was `value` (to re-select an option).
    pub fn has_val(&self, form: &str, field: &str, value: &str) -> bool {
        self.val(form, field) == value
    }

    pub fn checked(&self, form: &str, field: &str) -> bool {
        self.is(form) && self.values.contains_key(field)
    }
}

/// Turns a refusal into a re-shown form; anything else (no permission, not found, a failure)
/// becomes its own response.
pub fn reshow(
    e: GroupBuyError,
    page: &Page,
    form: &str,
    values: Form,
) -> Result<Reshow, Box<Response>> {
    let err = AppError::from(e);
    let status = err.status();
    if !status.is_client_error() || matches!(err.code, "forbidden" | "not_found") {
        return Err(Box::new(err.into_response()));
    }
    let detail = match (&err.detail, err.code) {
        (_, "validation") => String::new(),
        (Some(d), _) if err.code != "prepaid_rule" => {
            format!(
                "{} {d}",
                page.t(crate::web::error::message_key_of(err.code))
            )
        }
        _ => page
            .t(crate::web::error::message_key_of(err.code))
            .to_string(),
    };
    Ok(Reshow {
        form: form.to_string(),
        values,
        errors: FormErrors(err.fields),
        detail,
    })
}

pub fn field(f: &Form, name: &str) -> String {
    f.get(name).cloned().unwrap_or_default()
}

#[derive(Deserialize, Default)]
pub struct StoreQuery {
    pub store: Option<String>,
    pub ok: Option<String>,
    pub month: Option<String>,
    pub date: Option<String>,
    pub state: Option<String>,
}

/// The store a page is about: the one asked for, or the first the user may see; and the list
/// of stores the user may switch to.
pub async fn store_choice(
    c: &Console,
    want: Option<&str>,
    permission: Permission,
) -> Result<(StoreInfo, Vec<StoreInfo>), Response> {
    c.ctx
        .require(permission)
        .map_err(|e| AppError::from(e).into_response())?;
    let stores = c
        .ctx
        .app
        .cache
        .stores(c.ctx.db())
        .await
        .map_err(|e| AppError::from(e).into_response())?;
    let mut mine: Vec<StoreInfo> = crate::areas::staff::store::list_stores(c.ctx.db())
        .await
        .map_err(|e| AppError::from(e).into_response())?
        .into_iter()
        .filter_map(|s| stores.by_id(s.id).cloned())
        .filter(|s| s.active && c.ctx.can_at(permission, s.id))
        .collect();
    mine.sort_by(|a, b| a.code.cmp(&b.code));
    let chosen = want
        .and_then(|w| mine.iter().find(|s| s.code.eq_ignore_ascii_case(w)))
        .or(mine.first())
        .cloned()
        .ok_or_else(|| AppError::from(crate::kernel::ctx::Forbidden(permission)).into_response())?;
    Ok((chosen, mine))
}

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
    let mut totals: Vec<(String, i64, i64)> = Vec::new();
    for s in &counts {
        match totals.iter_mut().find(|t| t.0 == s.state) {
            Some(t) => {
                t.1 += s.count;
                t.2 += s.amount_fen;
            }
            None => totals.push((s.state.clone(), s.count, s.amount_fen)),
        }
    }
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

async fn overview(c: Console, Query(q): Query<StoreQuery>) -> Response {
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

async fn stamp_submit(v: Verified<Form>) -> Response {
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

async fn writeoff_submit(v: Verified<Form>) -> Response {
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

async fn exchange_submit(v: Verified<Form>) -> Response {
    let to = format!(
        "/groupbuy?store={}&ok=flash.gb_exchanged",
        field(&v.form, "store_code")
    );
    overview_form(v, "exchange", to, async |ctx, f| {
        super::exchange::exchange(
            ctx,
            &super::exchange::ExchangeIn {
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

async fn series_submit(v: Verified<Form>) -> Response {
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

async fn print_file(c: Console, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (name, bytes) = stock::print_file(&c.ctx, id).await?;
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

#[derive(Template, WebTemplate)]
#[template(path = "groupbuy/requisitions.html")]
struct RequisitionsPage {
    page: Page,
    store: StoreInfo,
    stores: Vec<StoreInfo>,
    rows: Vec<RequisitionRow>,
    can_sell: bool,
    can_finance: bool,
    r: Reshow,
}

impl RequisitionsPage {
    fn wanted(&self, row: &RequisitionRow) -> String {
        row.wanted()
            .iter()
            .map(|w| {
                format!(
                    "¥{} × {}",
                    patron_core::Fen(w.face_value_fen).plain(),
                    w.quantity
                )
            })
            .collect::<Vec<_>>()
            .join("，")
    }
}

async fn render_requisitions(
    c: &Console,
    want: Option<&str>,
    flash: Option<&str>,
    r: Reshow,
) -> Response {
    let (store, stores) = match store_choice(c, want, Permission::ViewGroupBuy).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let rows = match requisitions::list(c.ctx.db(), Some(store.id)).await {
        Ok(r) => r,
        Err(e) => return AppError::from(e).into_response(),
    };
    let status = if r.form.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut res = RequisitionsPage {
        page: Page::console(c, "gb.requisitions").with_flash("success", flash),
        can_sell: c.ctx.can_at(Permission::SellVouchers, store.id),
        can_finance: c.ctx.can(Permission::ManageVoucherStock),
        store,
        stores,
        rows,
        r,
    }
    .into_response();
    *res.status_mut() = status;
    res
}

async fn requisitions_page(c: Console, Query(q): Query<StoreQuery>) -> Response {
    render_requisitions(&c, q.store.as_deref(), q.ok.as_deref(), Reshow::default()).await
}

async fn requisition_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let f = v.form;
    let store = field(&f, "store_code");
    let input = requisitions::RequisitionIn {
        store_code: store.clone(),
        purpose: field(&f, "purpose"),
        lines: (0..4)
            .map(|i| requisitions::RequisitionLine {
                face_value: field(&f, &format!("lines[{i}].face_value")),
                quantity: field(&f, &format!("lines[{i}].quantity")),
            })
            .collect(),
    };
    match requisitions::request(&c.ctx, &input).await {
        Ok(_) => Redirect::to(&format!(
            "/groupbuy/requisitions?store={store}&ok=flash.submitted"
        ))
        .into_response(),
        Err(e) => {
            let page = Page::console(&c, "gb.requisitions");
            match reshow(e, &page, "new", f) {
                Ok(r) => render_requisitions(&c, Some(&store), None, r).await,
                Err(res) => *res,
            }
        }
    }
}

async fn requisition_step(Path((id, step)): Path<(i64, String)>, v: Verified<Form>) -> Response {
    let c = v.console;
    let f = v.form;
    let store = field(&f, "store_code");
    let result = match step.as_str() {
        "prepare" => {
            requisitions::prepare(
                &c.ctx,
                id,
                &requisitions::PrepareIn {
                    ranges: field(&f, "ranges"),
                    pickup_on: field(&f, "pickup_on"),
                },
            )
            .await
        }
        "hand-over" => requisitions::hand_over(&c.ctx, id).await,
        "receive" => {
            requisitions::receive(
                &c.ctx,
                id,
                &requisitions::ReceiveIn {
                    serials_checked: f.contains_key("serials_checked"),
                    seal_checked: f.contains_key("seal_checked"),
                    quantity_checked: f.contains_key("quantity_checked"),
                },
            )
            .await
        }
        _ => return AppError::not_found().into_response(),
    };
    match result {
        Ok(()) => Redirect::to(&format!(
            "/groupbuy/requisitions?store={store}&ok=flash.saved"
        ))
        .into_response(),
        Err(e) => {
            let page = Page::console(&c, "gb.requisitions");
            match reshow(e, &page, &format!("{step}:{id}"), f) {
                Ok(r) => render_requisitions(&c, Some(&store), None, r).await,
                Err(res) => *res,
            }
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "groupbuy/settings.html")]
struct SettingsPage {
    page: Page,
    s: SettingsForm,
    stores: Vec<(StoreInfo, bool)>,
    errors: FormErrors,
}

impl SettingsPage {
    fn fields(&self) -> Vec<(&'static str, String)> {
        let s = &self.s;
        vec![
            ("cash_limit_organisation", s.cash_limit_organisation.clone()),
            ("cash_limit_person", s.cash_limit_person.clone()),
            ("real_name_from", s.real_name_from.clone()),
            ("anonymous_max_face", s.anonymous_max_face.clone()),
            (
                "anonymous_min_validity_months",
                s.anonymous_min_validity_months.clone(),
            ),
            ("cheque_clear_days", s.cheque_clear_days.clone()),
            ("report_time", s.report_time.clone()),
            ("wrong_codes_per_minute", s.wrong_codes_per_minute.clone()),
            ("rebate_unit", s.rebate_unit.clone()),
        ]
    }

    fn label(&self, field: &str) -> &'static str {
        self.page.t_or(&format!("gb.set.{field}"), "gb.settings")
    }
}

async fn render_settings(
    c: &Console,
    form: Option<SettingsForm>,
    errors: FormErrors,
    flash: Option<&str>,
) -> Response {
    if let Err(e) = c.ctx.require(Permission::ManageGroupBuySettings) {
        return AppError::from(e).into_response();
    }
    let loaded = match settings::load(c.ctx.db()).await {
        Ok(l) => l,
        Err(e) => return AppError::from(e).into_response(),
    };
    let all = match c.ctx.app.cache.stores(c.ctx.db()).await {
        Ok(s) => s,
        Err(e) => return AppError::from(e).into_response(),
    };
    let mut stores: Vec<(StoreInfo, bool)> =
        match crate::areas::staff::store::list_stores(c.ctx.db()).await {
            Ok(l) => l
                .into_iter()
                .filter_map(|s| all.by_id(s.id).cloned())
                .map(|s| {
                    let on = !loaded.check_code_off.contains(&s.id);
                    (s, on)
                })
                .collect(),
            Err(e) => return AppError::from(e).into_response(),
        };
    stores.sort_by(|a, b| a.0.code.cmp(&b.0.code));
    let bad = errors.any();
    let mut res = SettingsPage {
        page: Page::console(c, "gb.settings").with_flash("success", flash),
        s: form.unwrap_or_else(|| SettingsForm::from_settings(&loaded)),
        stores,
        errors,
    }
    .into_response();
    if bad {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    res
}

async fn settings_page(c: Console, Query(q): Query<StoreQuery>) -> Response {
    render_settings(&c, None, FormErrors::default(), q.ok.as_deref()).await
}

async fn settings_submit(v: Verified<SettingsForm>) -> Response {
    let c = v.console;
    match settings::save(&c.ctx, &v.form).await {
        Ok(()) => Redirect::to("/admin/groupbuy?ok=flash.saved").into_response(),
        Err(e) => {
            let err = AppError::from(e);
            if err.code == "validation" {
                render_settings(&c, Some(v.form), FormErrors(err.fields), None).await
            } else {
                err.into_response()
            }
        }
    }
}

async fn check_code_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let id: i64 = field(&v.form, "store_id").parse().unwrap_or(0);
    let on = field(&v.form, "on") == "1";
    match settings::set_check_code(&c.ctx, id, on).await {
        Ok(()) => Redirect::to("/admin/groupbuy?ok=flash.saved").into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

/// The stock overview as a file: state, face value, count, amount.
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
    let rows = counts
        .into_iter()
        .map(|s| {
            vec![
                Cell::from(page.t_or(&format!("gb.state.{}", s.state), "gb.state")),
                Cell::from(patron_core::Fen(s.face_value_fen).plain()),
                Cell::from(s.count),
                Cell::from(patron_core::Fen(s.amount_fen).plain()),
            ]
        })
        .collect();
    export::respond(
        &Table::new(
            "voucher-stock",
            &page,
            &["gb.state", "gb.face_value", "gb.count", "gb.amount"],
            rows,
        ),
        format,
    )
    .unwrap_or_else(IntoResponse::into_response)
}

async fn stock_csv(c: Console, Query(q): Query<StoreQuery>) -> Response {
    stock_export(c, q, ExportFormat::Csv).await
}

async fn stock_xlsx(c: Console, Query(q): Query<StoreQuery>) -> Response {
    stock_export(c, q, ExportFormat::Xlsx).await
}
