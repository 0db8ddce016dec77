//! The directory review (名录审核): the round's progress per salesperson, the reader's customers
//! to confirm or archive, the archived customers to restore, and the progress export.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use patron_core::Permission;

use super::PageQuery;
use crate::areas::customers::visits::review::{self, ReviewIn};
use crate::areas::customers::visits::store::review::{
    self as store, ItemRow, ProgressRow, RoundRow,
};
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Form, Reshow, field, reshow};
use crate::web::layout::Page;

#[derive(Template, WebTemplate)]
#[template(path = "customers/visits/review.html")]
struct ReviewPage {
    page: Page,
    round: Option<RoundRow>,
    progress: Vec<ProgressRow>,
    items: Vec<ItemRow>,
    archived: Vec<ItemRow>,
    r: Reshow,
}

async fn render(c: &Console, ok: Option<&str>, r: Reshow) -> Result<Response, AppError> {
    let (round, progress) = match review::progress(&c.ctx).await? {
        Some((round, progress)) => (Some(round), progress),
        None => (None, Vec::new()),
    };
    // A manager sees every customer of the round; a salesperson their own.
    let mine = if c.ctx.can(Permission::AssignCustomers) {
        None
    } else {
        Some(c.staff().id)
    };
    let items = match &round {
        Some(round) => store::items(c.ctx.db(), round.id, mine).await?,
        None => Vec::new(),
    };
    let archived = store::archived(c.ctx.db(), mine).await?;
    let status = r.status();
    let mut res = ReviewPage {
        page: Page::console(c, "customers.review.title").with_flash("success", ok),
        round,
        progress,
        items,
        archived,
        r,
    }
    .into_response();
    *res.status_mut() = status;
    Ok(res)
}

pub(super) async fn review_page(
    c: Console,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    render(&c, q.ok.as_deref(), Reshow::default()).await
}

async fn after<T>(
    c: &Console,
    form: &str,
    values: Form,
    result: Result<T, crate::areas::customers::CustomersError>,
) -> Response {
    match result {
        Ok(_) => Redirect::to("/customers/review?ok=flash.saved").into_response(),
        Err(e) => {
            let page = Page::console(c, "customers.review.title");
            match reshow(e, &page, form, values) {
                Ok(r) => render(c, None, r)
                    .await
                    .unwrap_or_else(IntoResponse::into_response),
                Err(res) => *res,
            }
        }
    }
}

pub(super) async fn open_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let result = review::open_round(&c.ctx, c.ctx.today()).await;
    after(&c, "open", v.form, result).await
}

pub(super) async fn settle_submit(
    Path((id, customer)): Path<(i64, i64)>,
    v: Verified<Form>,
) -> Response {
    let c = v.console;
    let input = ReviewIn {
        outcome: field(&v.form, "outcome"),
        note: field(&v.form, "note"),
    };
    let result = review::settle(&c.ctx, id, customer, &input).await;
    after(&c, &format!("item-{customer}"), v.form, result).await
}

pub(super) async fn restore_submit(Path(customer): Path<i64>, v: Verified<Form>) -> Response {
    let c = v.console;
    let result = review::restore(&c.ctx, customer, &field(&v.form, "note")).await;
    after(&c, &format!("restore-{customer}"), v.form, result).await
}

async fn export_progress(c: Console, format: ExportFormat) -> Result<Response, AppError> {
    let rows = review::progress(&c.ctx)
        .await?
        .map(|(_, p)| p)
        .unwrap_or_default();
    let page = Page::console(&c, "customers.review.title");
    let data = rows
        .iter()
        .map(|p| {
            vec![
                Cell::from(
                    p.owner_name
                        .clone()
                        .unwrap_or_else(|| page.t("customers.review.pool").to_string()),
                ),
                Cell::from(p.confirmed),
                Cell::from(p.archived),
                Cell::from(p.open),
            ]
        })
        .collect();
    let table = Table::new(
        "directory-review",
        &page,
        &[
            "customers.review.owner",
            "customers.review.confirmed",
            "customers.review.archived",
            "customers.review.left",
        ],
        data,
    );
    export::respond(&table, format)
}

pub(super) async fn review_csv(c: Console) -> Result<Response, AppError> {
    export_progress(c, ExportFormat::Csv).await
}

pub(super) async fn review_xlsx(c: Console) -> Result<Response, AppError> {
    export_progress(c, ExportFormat::Xlsx).await
}
