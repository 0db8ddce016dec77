//! Visit requests (客户走访单): the list with the request form, one visit (approval, done, the
//! minutes form), the overdue minutes, the exports and the two print views.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use patron_core::Permission;

use super::PageQuery;
use crate::areas::customers::visits::requests::{self, MinutesIn, VisitIn};
use crate::areas::customers::visits::store::{self, Choice, visits::VisitRow};
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Form, Reshow, field, reshow};
use crate::web::layout::Page;
use crate::web::print::StorePaper;

#[derive(Template, WebTemplate)]
#[template(path = "customers/visits/list.html")]
struct ListPage {
    page: Page,
    rows: Vec<VisitRow>,
    customers: Vec<Choice>,
    today: NaiveDate,
    r: Reshow,
}

/// The visits a person sees in the list: a manager all, a salesperson their own.
async fn visible(c: &Console) -> Result<Vec<VisitRow>, AppError> {
    c.ctx.require(Permission::ViewCustomers)?;
    let mine = if c.ctx.can(Permission::AssignCustomers) {
        None
    } else {
        Some(c.staff().id)
    };
    Ok(store::visits::list(c.ctx.db(), mine).await?)
}

async fn render_list(c: &Console, ok: Option<&str>, r: Reshow) -> Result<Response, AppError> {
    let rows = visible(c).await?;
    let status = r.status();
    let mut res = ListPage {
        page: Page::console(c, "customers.visits.title").with_flash("success", ok),
        rows,
        customers: store::customer_choices(c.ctx.db()).await?,
        today: c.ctx.today(),
        r,
    }
    .into_response();
    *res.status_mut() = status;
    Ok(res)
}

pub(super) async fn list_page(
    c: Console,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    render_list(&c, q.ok.as_deref(), Reshow::default()).await
}

pub(super) async fn request_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let f = v.form;
    let input = VisitIn {
        customer_id: field(&f, "customer_id"),
        visit_on: field(&f, "visit_on"),
        purpose: field(&f, "purpose"),
        participants: field(&f, "participants"),
        gifts: field(&f, "gifts"),
        budget: field(&f, "budget"),
    };
    match requests::request(&c.ctx, &input).await {
        Ok(made) => {
            Redirect::to(&format!("/customers/visits/{}?ok=flash.saved", made.id)).into_response()
        }
        Err(e) => {
            let page = Page::console(&c, "customers.visits.title");
            match reshow(e, &page, "visit", f) {
                Ok(r) => render_list(&c, None, r)
                    .await
                    .unwrap_or_else(IntoResponse::into_response),
                Err(res) => *res,
            }
        }
    }
}

const HEADERS: &[&str] = &[
    "customers.visits.visit_on",
    "customers.visits.customer",
    "customers.visits.requester",
    "customers.visits.purpose",
    "customers.visits.participants",
    "customers.visits.gifts",
    "customers.visits.budget",
    "common.state",
    "customers.visits.minutes_due_on",
    "customers.visits.minutes_at",
];

fn visits_table(page: &Page, name: &'static str, rows: &[VisitRow]) -> Table {
    let data = rows
        .iter()
        .map(|v| {
            vec![
                Cell::from(v.visit_on),
                Cell::from(v.customer_name.as_str()),
                Cell::from(v.requester.as_str()),
                Cell::from(v.purpose.as_str()),
                Cell::from(v.participants.as_str()),
                Cell::from(v.gifts.as_str()),
                Cell::Money(v.budget_fen),
                Cell::from(page.label("customers.visits.state.", &v.state)),
                Cell::from(v.minutes_due_on),
                match &v.minutes_at {
                    Some(t) => Cell::time(page, t),
                    None => Cell::from(""),
                },
            ]
        })
        .collect();
    Table::new(name, page, HEADERS, data)
}

pub(super) async fn list_csv(c: Console) -> Result<Response, AppError> {
    let rows = visible(&c).await?;
    let page = Page::console(&c, "customers.visits.title");
    export::respond(
        &visits_table(&page, "customer-visits", &rows),
        ExportFormat::Csv,
    )
}

pub(super) async fn list_xlsx(c: Console) -> Result<Response, AppError> {
    let rows = visible(&c).await?;
    let page = Page::console(&c, "customers.visits.title");
    export::respond(
        &visits_table(&page, "customer-visits", &rows),
        ExportFormat::Xlsx,
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "customers/visits/overdue.html")]
struct OverduePage {
    page: Page,
    rows: Vec<VisitRow>,
    today: NaiveDate,
}

impl OverduePage {
    fn days_late(&self, v: &VisitRow) -> i64 {
        v.minutes_due_on
            .map(|d| (self.today - d).num_days())
            .unwrap_or_default()
    }
}

pub(super) async fn overdue_page(c: Console) -> Result<Response, AppError> {
    let rows = requests::overdue(&c.ctx).await?;
    Ok(OverduePage {
        page: Page::console(&c, "customers.visits.overdue_title"),
        rows,
        today: c.ctx.today(),
    }
    .into_response())
}

pub(super) async fn overdue_csv(c: Console) -> Result<Response, AppError> {
    let rows = requests::overdue(&c.ctx).await?;
    let page = Page::console(&c, "customers.visits.overdue_title");
    export::respond(
        &visits_table(&page, "minutes-overdue", &rows),
        ExportFormat::Csv,
    )
}

pub(super) async fn overdue_xlsx(c: Console) -> Result<Response, AppError> {
    let rows = requests::overdue(&c.ctx).await?;
    let page = Page::console(&c, "customers.visits.overdue_title");
    export::respond(
        &visits_table(&page, "minutes-overdue", &rows),
        ExportFormat::Xlsx,
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "customers/visits/visit.html")]
struct VisitPage {
    page: Page,
    v: VisitRow,
    today: NaiveDate,
    r: Reshow,
}

async fn render_visit(c: &Console, id: i64, ok: Option<&str>, r: Reshow) -> Response {
    let v = match requests::get(&c.ctx, id).await {
        Ok(v) => v,
        Err(e) => return AppError::from(e).into_response(),
    };
    let status = r.status();
    let mut res = VisitPage {
        page: Page::console(c, "customers.visits.visit").with_flash("success", ok),
        v,
        today: c.ctx.today(),
        r,
    }
    .into_response();
    *res.status_mut() = status;
    res
}

pub(super) async fn visit_page(
    c: Console,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Response {
    render_visit(&c, id, q.ok.as_deref(), Reshow::default()).await
}

async fn visit_form<T>(
    v: Verified<Form>,
    id: i64,
    form: &str,
    result: impl AsyncFnOnce(
        &crate::kernel::ctx::Ctx,
        &Form,
    ) -> Result<T, crate::areas::customers::CustomersError>,
) -> Response {
    let c = v.console;
    match result(&c.ctx, &v.form).await {
        Ok(_) => Redirect::to(&format!("/customers/visits/{id}?ok=flash.saved")).into_response(),
        Err(e) => {
            let page = Page::console(&c, "customers.visits.visit");
            match reshow(e, &page, form, v.form) {
                Ok(r) => render_visit(&c, id, None, r).await,
                Err(res) => *res,
            }
        }
    }
}

pub(super) async fn done_submit(Path(id): Path<i64>, v: Verified<Form>) -> Response {
    visit_form(v, id, "done", async |ctx, _| {
        requests::mark_done(ctx, id).await
    })
    .await
}

pub(super) async fn minutes_submit(Path(id): Path<i64>, v: Verified<Form>) -> Response {
    visit_form(v, id, "minutes", async |ctx, f| {
        requests::write_minutes(
            ctx,
            id,
            &MinutesIn {
                attendees: field(f, "attendees"),
                discussion: field(f, "discussion"),
                agreements: field(f, "agreements"),
                follow_ups: field(f, "follow_ups"),
            },
        )
        .await
    })
    .await
}

/// The visit, the approver's name and when, and the store's paper.
async fn for_print(
    c: &Console,
    id: i64,
) -> Result<(VisitRow, StorePaper, String, String), AppError> {
    let v = requests::get(&c.ctx, id).await?;
    let stores = c.ctx.app.cache.stores(c.ctx.db()).await?;
    let store = stores
        .by_id(v.store_id)
        .cloned()
        .ok_or_else(AppError::not_found)?;
    let paper = StorePaper::at(store);
    let (mut approver, mut approved_on) = (String::new(), String::new());
    if let Some(a) = v.approval_id
        && let Some((name, at)) = store::visits::approved_by(c.ctx.db(), a).await?
    {
        approver = name;
        approved_on = paper.paper.date_opt(&at);
    }
    Ok((v, paper, approver, approved_on))
}

#[derive(Template, WebTemplate)]
#[template(path = "customers/visits/print_visit.html")]
struct VisitPrint {
    v: VisitRow,
    p: StorePaper,
    approver: String,
    approved_on: String,
}

pub(super) async fn visit_print(c: Console, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (v, p, approver, approved_on) = for_print(&c, id).await?;
    Ok(VisitPrint {
        v,
        p,
        approver,
        approved_on,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "customers/visits/print_minutes.html")]
struct MinutesPrint {
    v: VisitRow,
    p: StorePaper,
    approver: String,
}

pub(super) async fn minutes_print(c: Console, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (v, p, approver, _) = for_print(&c, id).await?;
    Ok(MinutesPrint { v, p, approver }.into_response())
}
