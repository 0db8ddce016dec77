//! The callback log: one customer's (with the form to log a callback) and everyone's (filters by
//! date and caller, CSV/xlsx, the printed 客户回访登记本).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Days, NaiveDate};
use patron_core::{Fen, Permission};
use serde::Deserialize;

use crate::areas::customers::callbacks::store::{self, CallbackRow, LogFilter, Person, Subject};
use crate::areas::customers::callbacks::{CallbackIn, log_callback};
use crate::areas::customers::{CustomersError, WAYS};
use crate::kernel::validation::Invalid;
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Form, Reshow, field, reshow};
use crate::web::i18n::Lang;
use crate::web::layout::Page;
use crate::web::print::Paper;

#[derive(Template, WebTemplate)]
#[template(path = "customers/callbacks/customer.html")]
struct CustomerPage {
    page: Page,
    customer: Subject,
    rows: Vec<CallbackRow>,
    can_log: bool,
    r: Reshow,
}

impl CustomerPage {
    fn ways(&self) -> &'static [&'static str] {
        &WAYS
    }
}

#[derive(Deserialize, Default)]
pub struct OkQuery {
    pub ok: Option<String>,
}

async fn render_customer(c: &Console, id: i64, flash: Option<&str>, r: Reshow) -> Response {
    let loaded = async {
        c.ctx.require(Permission::ViewCustomers)?;
        let customer = store::subject(c.ctx.db(), id)
            .await?
            .ok_or_else(AppError::not_found)?;
        let rows = store::customer_callbacks(c.ctx.db(), id, 1000).await?;
        Ok::<_, AppError>((customer, rows))
    }
    .await;
    let (customer, rows) = match loaded {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let me = c.staff().id;
    let can_log = c.ctx.can(Permission::ManageCustomers)
        && customer.owner_staff_id.is_some()
        && (customer.owner_staff_id == Some(me)
            || c.ctx.can_at(Permission::AssignCustomers, customer.store_id));
    let status = r.status();
    let mut res = CustomerPage {
        page: Page::console(c, "customers.callbacks.customer_title").with_flash("success", flash),
        customer,
        rows,
        can_log,
        r,
    }
    .into_response();
    *res.status_mut() = status;
    res
}

pub(super) async fn customer_page(
    c: Console,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Response {
    render_customer(&c, id, q.ok.as_deref(), Reshow::default()).await
}

/// The form as a callback: the amount expected is typed in yuan.
fn callback_in(f: &Form) -> Result<CallbackIn, CustomersError> {
    let yuan = field(f, "expected");
    let expected_fen = if yuan.trim().is_empty() {
        0
    } else {
        Fen::parse_yuan(yuan.trim())
            .map_err(|_| Invalid::one("expected", "invalid.amount"))?
            .0
    };
    Ok(CallbackIn {
        way: field(f, "way"),
        summary: field(f, "summary"),
        outcome: field(f, "outcome"),
        next_step: field(f, "next_step"),
        at: field(f, "at"),
        key: field(f, "key"),
        escalate: f.contains_key("escalate"),
        problem: field(f, "problem"),
        reached: f.contains_key("reached"),
        intends: f.contains_key("intends"),
        expected_fen,
    })
}

pub(super) async fn callback_submit(Path(id): Path<i64>, v: Verified<Form>) -> Response {
    let c = v.console;
    let done = match callback_in(&v.form) {
        Ok(input) => log_callback(&c.ctx, id, &input).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(_) => Redirect::to(&format!("/customers/{id}/callbacks?ok=flash.saved")).into_response(),
        Err(e) => {
            let page = Page::console(&c, "customers.callbacks.customer_title");
            match reshow(e, &page, "callback", v.form) {
                Ok(r) => render_customer(&c, id, None, r).await,
                Err(res) => *res,
            }
        }
    }
}

/// The log's filters, from the query string.
#[derive(Deserialize, Default, Clone)]
pub struct LogQuery {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub caller: String,
}

impl LogQuery {
    fn query(&self) -> String {
        format!(
            "from={}&to={}&caller={}",
            self.from.trim(),
            self.to.trim(),
            self.caller.trim().parse::<i64>().unwrap_or(0)
        )
    }
}

/// The rows the filters ask for (the last 30 days when no dates are given), and the dates used.
async fn log_rows(
    c: &Console,
    q: &LogQuery,
    limit: i64,
) -> Result<(Vec<CallbackRow>, NaiveDate, NaiveDate), AppError> {
    c.ctx.require(Permission::ViewCustomers)?;
    let today = c.ctx.today();
    let date = |s: &str, key: &'static str| -> Result<Option<NaiveDate>, AppError> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| crate::web::forms::bad_parameter(key, s))
    };
    let to = date(&q.to, "error.param.date")?.unwrap_or(today);
    let from = date(&q.from, "error.param.date")?.unwrap_or(to - Days::new(30));
    let rows = store::callbacks(
        c.ctx.db(),
        &LogFilter {
            from: Some(from),
            to: Some(to),
            caller_staff_id: q.caller.trim().parse::<i64>().ok().filter(|id| *id > 0),
            limit,
            ..LogFilter::default()
        },
    )
    .await?;
    Ok((rows, from, to))
}

#[derive(Template, WebTemplate)]
#[template(path = "customers/callbacks/log.html")]
struct LogPage {
    page: Page,
    rows: Vec<CallbackRow>,
    callers: Vec<Person>,
    from: NaiveDate,
    to: NaiveDate,
    caller: i64,
    query: String,
}

pub(super) async fn log_page(c: Console, Query(q): Query<LogQuery>) -> Result<Response, AppError> {
    let (rows, from, to) = log_rows(&c, &q, 500).await?;
    Ok(LogPage {
        page: Page::console(&c, "customers.callbacks.log_title"),
        rows,
        callers: store::callers(c.ctx.db()).await?,
        from,
        to,
        caller: q.caller.trim().parse().unwrap_or(0),
        query: q.query(),
    }
    .into_response())
}

fn log_table(page: &Page, rows: &[CallbackRow]) -> Table {
    let data = rows
        .iter()
        .map(|r| {
            vec![
                Cell::time(page, &r.at),
                Cell::from(r.customer_name.as_str()),
                Cell::from(page.label("customers.way.", &r.way)),
                Cell::from(r.summary.as_str()),
                Cell::from(r.outcome.as_str()),
                Cell::from(r.next_step.as_str()),
                Cell::from(r.caller_name.as_str()),
                Cell::from(r.due_on),
            ]
        })
        .collect();
    Table::new(
        "customer-callbacks",
        page,
        &[
            "customers.callbacks.at",
            "customers.callbacks.customer",
            "customers.callbacks.way",
            "customers.callbacks.summary",
            "customers.callbacks.outcome",
            "customers.callbacks.next_step",
            "customers.callbacks.caller",
            "customers.escalations.due_on",
        ],
        data,
    )
}

async fn log_export(c: Console, q: LogQuery, format: ExportFormat) -> Result<Response, AppError> {
    let (rows, _, _) = log_rows(&c, &q, 100_000).await?;
    let page = Page::console(&c, "customers.callbacks.log_title");
    export::respond(&log_table(&page, &rows), format)
}

pub(super) async fn log_csv(c: Console, Query(q): Query<LogQuery>) -> Result<Response, AppError> {
    log_export(c, q, ExportFormat::Csv).await
}

pub(super) async fn log_xlsx(c: Console, Query(q): Query<LogQuery>) -> Result<Response, AppError> {
    log_export(c, q, ExportFormat::Xlsx).await
}

/// The printed 客户回访登记本 (a paper form: Chinese, A4).
#[derive(Template, WebTemplate)]
#[template(path = "customers/callbacks/print_log.html")]
struct LogPrint {
    paper: Paper,
    rows: Vec<CallbackRow>,
    from: NaiveDate,
    to: NaiveDate,
}

impl LogPrint {
    fn way(&self, code: &str) -> &'static str {
        let key = format!("customers.way.{code}");
        if Lang::has(&key) {
            self.paper.t(&key)
        } else {
            ""
        }
    }
}

pub(super) async fn log_print(c: Console, Query(q): Query<LogQuery>) -> Result<Response, AppError> {
    let (rows, from, to) = log_rows(&c, &q, 5_000).await?;
    Ok(LogPrint {
        paper: Paper {
            tz: c.ctx.app.config.tz(),
            lang: Lang::ZhCn,
        },
        rows,
        from,
        to,
    }
    .into_response())
}
