//! The overdue list: the caller's customers (everyone's, by salesperson, for a manager who
//! assigns customers) not called back within their grade's cadence, and those due within
//! three days, with the days left or overdue.

use askama::Template;
use askama_web::WebTemplate;
use axum::response::{IntoResponse, Response};
use patron_core::Permission;

use crate::areas::customers::callbacks::overdue::{self, Due};
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::Console;
use crate::web::layout::Page;

/// The list also shows the customers due within this many days.
const AHEAD_DAYS: i64 = 3;

#[derive(Template, WebTemplate)]
#[template(path = "customers/callbacks/overdue.html")]
struct OverduePage {
    page: Page,
    rows: Vec<Due>,
    everyone: bool,
    overdue: usize,
    /// Overdue customers per salesperson (a manager's view).
    per_person: Vec<(String, usize)>,
}

/// The list as shown: for a manager, per salesperson (most overdue first within each), with
/// each salesperson's count of overdue customers.
async fn shown(c: &Console) -> Result<(Vec<Due>, Vec<(String, usize)>), AppError> {
    let mut rows = overdue::due(&c.ctx, AHEAD_DAYS).await?;
    if !c.ctx.can(Permission::AssignCustomers) {
        return Ok((rows, Vec::new()));
    }
    rows.sort_by(|a, b| {
        (a.row.owner_name.as_str(), b.days_since, a.row.customer_id).cmp(&(
            b.row.owner_name.as_str(),
            a.days_since,
            b.row.customer_id,
        ))
    });
    let mut per: Vec<(String, usize)> = Vec::new();
    for d in rows.iter().filter(|d| d.days_left() < 0) {
        match per.last_mut() {
            Some((name, n)) if *name == d.row.owner_name => *n += 1,
            _ => per.push((d.row.owner_name.clone(), 1)),
        }
    }
    Ok((rows, per))
}

pub(super) async fn overdue_page(c: Console) -> Result<Response, AppError> {
    let (rows, per_person) = shown(&c).await?;
    Ok(OverduePage {
        page: Page::console(&c, "customers.callbacks.overdue_title"),
        everyone: c.ctx.can(Permission::AssignCustomers),
        overdue: rows.iter().filter(|d| d.days_left() < 0).count(),
        rows,
        per_person,
    }
    .into_response())
}

fn table(page: &Page, rows: &[Due]) -> Table {
    let data = rows
        .iter()
        .map(|d| {
            vec![
                Cell::from(d.row.customer_id),
                Cell::from(d.row.name.as_str()),
                Cell::from(page.label("customers.grade.", &d.row.grade)),
                Cell::from(d.row.owner_name.as_str()),
                Cell::time_opt(page, &d.row.last_contact_at),
                Cell::from(d.days_since),
                Cell::from(d.days_left()),
            ]
        })
        .collect();
    Table::new(
        "customer-callbacks-overdue",
        page,
        &[
            "customers.callbacks.customer_id",
            "customers.callbacks.customer",
            "customers.callbacks.grade",
            "customers.callbacks.owner",
            "customers.callbacks.last_contact",
            "customers.callbacks.days_since",
            "customers.callbacks.days_left",
        ],
        data,
    )
}

async fn export_as(c: Console, format: ExportFormat) -> Result<Response, AppError> {
    let (rows, _) = shown(&c).await?;
    let page = Page::console(&c, "customers.callbacks.overdue_title");
    export::respond(&table(&page, &rows), format)
}

pub(super) async fn overdue_csv(c: Console) -> Result<Response, AppError> {
    export_as(c, ExportFormat::Csv).await
}

pub(super) async fn overdue_xlsx(c: Console) -> Result<Response, AppError> {
    export_as(c, ExportFormat::Xlsx).await
}
