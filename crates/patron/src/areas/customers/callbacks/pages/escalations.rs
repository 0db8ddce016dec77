//! The escalated problems (F8) for a manager who assigns customers: open ones by due date (the
//! late ones marked), answering one, and the latest answered.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;

use crate::areas::customers::callbacks::escalations;
use crate::areas::customers::callbacks::store::EscalationRow;
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Form, Reshow, field, reshow};
use crate::web::layout::Page;

#[derive(Template, WebTemplate)]
#[template(path = "customers/callbacks/escalations.html")]
struct EscalationsPage {
    page: Page,
    open: Vec<EscalationRow>,
    answered: Vec<EscalationRow>,
    today: NaiveDate,
    r: Reshow,
}

async fn render(c: &Console, flash: Option<&str>, r: Reshow) -> Response {
    let (open, answered) = match escalations::list(&c.ctx).await {
        Ok(x) => x,
        Err(e) => return AppError::from(e).into_response(),
    };
    let status = r.status();
    let mut res = EscalationsPage {
        page: Page::console(c, "customers.escalations.title").with_flash("success", flash),
        open,
        answered,
        today: c.ctx.today(),
        r,
    }
    .into_response();
    *res.status_mut() = status;
    res
}

pub(super) async fn escalations_page(
    c: Console,
    axum::extract::Query(q): axum::extract::Query<super::log::OkQuery>,
) -> Response {
    render(&c, q.ok.as_deref(), Reshow::default()).await
}

pub(super) async fn answer_submit(Path(id): Path<i64>, v: Verified<Form>) -> Response {
    let c = v.console;
    match escalations::answer(&c.ctx, id, &field(&v.form, "answer")).await {
        Ok(()) => Redirect::to("/customers/escalations?ok=flash.saved").into_response(),
        Err(e) => {
            let page = Page::console(&c, "customers.escalations.title");
            match reshow(e, &page, &format!("answer-{id}"), v.form) {
                Ok(r) => render(&c, None, r).await,
                Err(res) => *res,
            }
        }
    }
}

fn table(page: &Page, rows: &[EscalationRow]) -> Table {
    let data = rows
        .iter()
        .map(|e| {
            vec![
                Cell::from(e.customer_name.as_str()),
                Cell::from(e.problem.as_str()),
                Cell::from(e.raised_by.as_str()),
                Cell::time(page, &e.raised_at),
                Cell::from(e.due_on),
                Cell::from(e.answer.as_str()),
                Cell::from(e.answered_by.clone().unwrap_or_default()),
                Cell::time_opt(page, &e.answered_at),
            ]
        })
        .collect();
    Table::new(
        "customer-escalations",
        page,
        &[
            "customers.callbacks.customer",
            "customers.callbacks.problem",
            "customers.escalations.raised_by",
            "customers.callbacks.at",
            "customers.escalations.due_on",
            "customers.escalations.answer",
            "customers.escalations.answered_by",
            "customers.escalations.answered",
        ],
        data,
    )
}

/// The open escalations and the latest answered ones, as a file.
async fn export_as(c: Console, format: ExportFormat) -> Result<Response, AppError> {
    let (mut rows, answered) = escalations::list(&c.ctx).await?;
    rows.extend(answered);
    let page = Page::console(&c, "customers.escalations.title");
    export::respond(&table(&page, &rows), format)
}

pub(super) async fn escalations_csv(c: Console) -> Result<Response, AppError> {
    export_as(c, ExportFormat::Csv).await
}

pub(super) async fn escalations_xlsx(c: Console) -> Result<Response, AppError> {
    export_as(c, ExportFormat::Xlsx).await
}
