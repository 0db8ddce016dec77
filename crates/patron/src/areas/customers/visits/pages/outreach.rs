//! The outreach day (外联计划与总结) and the manager's week roll-up, with their exports.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Days, NaiveDate};
use patron_core::Permission;

use super::PageQuery;
use crate::areas::customers::visits::outreach::{self, INTENTS, PlanIn, SummaryIn, WeekRow};
use crate::areas::customers::visits::store::{self, Choice, outreach::OutreachRow};
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Form, Reshow, date_param, field, reshow};
use crate::web::layout::Page;

#[derive(Template, WebTemplate)]
#[template(path = "customers/visits/outreach.html")]
struct DayPage {
    page: Page,
    day: NaiveDate,
    rows: Vec<OutreachRow>,
    customers: Vec<Choice>,
    intents: &'static [&'static str],
    r: Reshow,
}

async fn render_day(c: &Console, day: NaiveDate, ok: Option<&str>, r: Reshow) -> Response {
    let rows = match outreach::my_day(&c.ctx, day).await {
        Ok(rows) => rows,
        Err(e) => return AppError::from(e).into_response(),
    };
    let customers = match store::customer_choices(c.ctx.db()).await {
        Ok(x) => x,
        Err(e) => return AppError::from(e).into_response(),
    };
    let status = r.status();
    let mut res = DayPage {
        page: Page::console(c, "customers.outreach.title").with_flash("success", ok),
        day,
        rows,
        customers,
        intents: &INTENTS,
        r,
    }
    .into_response();
    *res.status_mut() = status;
    res
}

pub(super) async fn day_page(c: Console, Query(q): Query<PageQuery>) -> Response {
    match date_param(q.date.as_deref(), c.ctx.today()) {
        Ok(day) => render_day(&c, day, q.ok.as_deref(), Reshow::default()).await,
        Err(e) => e.into_response(),
    }
}

pub(super) async fn plan_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let f = v.form;
    let input = PlanIn {
        on_date: field(&f, "on_date"),
        customer_id: field(&f, "customer_id"),
        organisation: field(&f, "organisation"),
        contact: field(&f, "contact"),
        purpose: field(&f, "purpose"),
    };
    let day = date_param(Some(&input.on_date), c.ctx.today()).unwrap_or_else(|_| c.ctx.today());
    match outreach::plan(&c.ctx, &input).await {
        Ok(_) => {
            Redirect::to(&format!("/customers/outreach?date={day}&ok=flash.saved")).into_response()
        }
        Err(e) => {
            let page = Page::console(&c, "customers.outreach.title");
            match reshow(e, &page, "plan", f) {
                Ok(r) => render_day(&c, day, None, r).await,
                Err(res) => *res,
            }
        }
    }
}

pub(super) async fn summary_submit(Path(id): Path<i64>, v: Verified<Form>) -> Response {
    let c = v.console;
    let f = v.form;
    let input = SummaryIn {
        result: field(&f, "result"),
        intent: field(&f, "intent"),
        contact_made: f.contains_key("contact_made"),
        sign_by: field(&f, "sign_by"),
        why_not: field(&f, "why_not"),
    };
    let day = date_param(f.get("day").map(String::as_str), c.ctx.today())
        .unwrap_or_else(|_| c.ctx.today());
    match outreach::summarise(&c.ctx, id, &input).await {
        Ok(()) => {
            Redirect::to(&format!("/customers/outreach?date={day}&ok=flash.saved")).into_response()
        }
        Err(e) => {
            let page = Page::console(&c, "customers.outreach.title");
            match reshow(e, &page, &format!("summary-{id}"), f) {
                Ok(r) => render_day(&c, day, None, r).await,
                Err(res) => *res,
            }
        }
    }
}

const HEADERS: &[&str] = &[
    "customers.outreach.date",
    "customers.outreach.staff",
    "customers.outreach.organisation",
    "customers.outreach.contact",
    "customers.outreach.purpose",
    "customers.outreach.result",
    "customers.outreach.intent",
    "customers.outreach.contact_made",
    "customers.outreach.sign_by",
    "customers.outreach.why_not",
];

fn rows_table(page: &Page, name: &'static str, rows: &[OutreachRow]) -> Table {
    let data = rows
        .iter()
        .map(|r| {
            vec![
                Cell::from(r.on_date),
                Cell::from(r.staff_name.as_str()),
                Cell::from(r.organisation.as_str()),
                Cell::from(r.contact.as_str()),
                Cell::from(r.purpose.as_str()),
                Cell::from(r.result.as_str()),
                Cell::from(if r.summarised {
                    page.label("customers.outreach.intent.", &r.intent)
                } else {
                    String::new()
                }),
                Cell::from(page.t(if r.contact_made {
                    "customers.outreach.yes"
                } else {
                    "customers.outreach.no"
                })),
                Cell::from(r.sign_by),
                Cell::from(r.why_not.as_str()),
            ]
        })
        .collect();
    Table::new(name, page, HEADERS, data)
}

async fn day_export(c: Console, q: PageQuery, format: ExportFormat) -> Result<Response, AppError> {
    let day = date_param(q.date.as_deref(), c.ctx.today())?;
    let rows = outreach::my_day(&c.ctx, day).await?;
    let page = Page::console(&c, "customers.outreach.title");
    export::respond(&rows_table(&page, "outreach", &rows), format)
}

pub(super) async fn day_csv(c: Console, Query(q): Query<PageQuery>) -> Result<Response, AppError> {
    day_export(c, q, ExportFormat::Csv).await
}

pub(super) async fn day_xlsx(c: Console, Query(q): Query<PageQuery>) -> Result<Response, AppError> {
    day_export(c, q, ExportFormat::Xlsx).await
}

#[derive(Template, WebTemplate)]
#[template(path = "customers/visits/week.html")]
struct WeekPage {
    page: Page,
    from: NaiveDate,
    to: NaiveDate,
    previous: NaiveDate,
    next: NaiveDate,
    summary: Vec<WeekRow>,
    rows: Vec<OutreachRow>,
}

pub(super) async fn week_page(
    c: Console,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    c.ctx.require(Permission::AssignCustomers)?;
    let day = date_param(q.date.as_deref(), c.ctx.today())?;
    let (from, summary, rows) = outreach::week(&c.ctx, day).await?;
    Ok(WeekPage {
        page: Page::console(&c, "customers.outreach.week_title"),
        to: from + Days::new(6),
        previous: from - Days::new(7),
        next: from + Days::new(7),
        from,
        summary,
        rows,
    }
    .into_response())
}

async fn week_export(c: Console, q: PageQuery, format: ExportFormat) -> Result<Response, AppError> {
    let day = date_param(q.date.as_deref(), c.ctx.today())?;
    let (_, summary, _) = outreach::week(&c.ctx, day).await?;
    let page = Page::console(&c, "customers.outreach.week_title");
    let data = summary
        .iter()
        .map(|w| {
            vec![
                Cell::from(w.staff_name.as_str()),
                Cell::from(w.planned),
                Cell::from(w.summarised),
                Cell::from(w.contact_made),
                Cell::from(w.intent_high),
                Cell::from(w.intent_medium),
                Cell::from(w.intent_low),
                Cell::from(w.intent_none),
            ]
        })
        .collect();
    let table = Table::new(
        "outreach-week",
        &page,
        &[
            "customers.outreach.staff",
            "customers.outreach.planned",
            "customers.outreach.summarised",
            "customers.outreach.contact_made",
            "customers.outreach.intent.high",
            "customers.outreach.intent.medium",
            "customers.outreach.intent.low",
            "customers.outreach.intent.none",
        ],
        data,
    );
    export::respond(&table, format)
}

pub(super) async fn week_csv(c: Console, Query(q): Query<PageQuery>) -> Result<Response, AppError> {
    week_export(c, q, ExportFormat::Csv).await
}

pub(super) async fn week_xlsx(
    c: Console,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    week_export(c, q, ExportFormat::Xlsx).await
}
