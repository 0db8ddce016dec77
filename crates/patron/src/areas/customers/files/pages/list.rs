//! The customer lists: mine, everyone's (managers), the shared pool with its claim buttons;
//! filters, CSV and xlsx.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use patron_core::Permission;

use crate::areas::customers::files::owners;
use crate::areas::customers::files::store::CustomerRow;
use crate::areas::customers::files::view::{self, ListIn, PAGE};
use crate::areas::customers::{GRADES, KINDS};
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Form, Reshow, refused};
use crate::web::layout::Page;

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The query string of a list's filters (without the page).
fn query(q: &ListIn) -> String {
    format!(
        "tab={}&kind={}&grade={}&owner={}&q={}",
        q.tab(),
        enc(&q.kind),
        enc(&q.grade),
        enc(&q.owner),
        enc(&q.q)
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "customers/files/list.html")]
struct ListPage {
    page: Page,
    rows: Vec<CustomerRow>,
    q: ListIn,
    tab: &'static str,
    query: String,
    page_no: i64,
    more: bool,
    r: Reshow,
}

impl ListPage {
    fn kinds(&self) -> &'static [&'static str] {
        &KINDS
    }
    fn grades(&self) -> &'static [&'static str] {
        &GRADES
    }
}

async fn render(c: &Console, q: ListIn, flash: Option<&str>, r: Reshow) -> Response {
    let rows = match view::list(&c.ctx, &q, true).await {
        Ok(rows) => rows,
        Err(e) => return AppError::from(e).into_response(),
    };
    let status = r.status();
    let mut res = ListPage {
        page: Page::console(c, "customers.files.title").with_flash("success", flash),
        more: i64::try_from(rows.len()).unwrap_or(0) >= PAGE,
        rows,
        tab: q.tab(),
        query: query(&q),
        page_no: q.page.unwrap_or(1).max(1),
        q,
        r,
    }
    .into_response();
    *res.status_mut() = status;
    res
}

/// The flash message named in the query string.
#[derive(serde::Deserialize, Default)]
pub struct OkQuery {
    pub ok: Option<String>,
}

pub(super) async fn list_page(
    c: Console,
    Query(q): Query<ListIn>,
    Query(ok): Query<OkQuery>,
) -> Response {
    render(&c, q, ok.ok.as_deref(), Reshow::default()).await
}

pub(super) async fn pool_page(
    c: Console,
    Query(q): Query<ListIn>,
    Query(ok): Query<OkQuery>,
) -> Response {
    let q = ListIn {
        tab: "pool".into(),
        ..q
    };
    render(&c, q, ok.ok.as_deref(), Reshow::default()).await
}

/// Claims a customer from the pool: to its file when it worked, back to the pool when refused.
pub(super) async fn claim_submit(Path(id): Path<i64>, v: Verified<Form>) -> Response {
    let c = v.console;
    match owners::claim(&c.ctx, id).await {
        Ok(()) => {
            Redirect::to(&format!("/customers/{id}?ok=customers.flash.claimed")).into_response()
        }
        Err(e) => {
            let page = Page::console(&c, "customers.files.title");
            match refused(e, &page) {
                Ok(r) => {
                    let reshow = Reshow {
                        form: "claim".into(),
                        detail: r.line,
                        errors: r.errors,
                        values: Form::new(),
                    };
                    let q = ListIn {
                        tab: "pool".into(),
                        ..ListIn::default()
                    };
                    let mut res = render(&c, q, None, reshow).await;
                    *res.status_mut() = r.status;
                    res
                }
                Err(res) => *res,
            }
        }
    }
}

fn table(page: &Page, rows: &[CustomerRow]) -> Table {
    let data = rows
        .iter()
        .map(|r| {
            vec![
                Cell::from(r.name.as_str()),
                Cell::from(r.credit_code.clone().unwrap_or_default()),
                Cell::from(page.label("customers.kind.", &r.kind)),
                Cell::from(page.label("customers.grade.", &r.grade)),
                Cell::from(r.owner_name.as_str()),
                Cell::time_opt(page, &r.owned_since),
                Cell::time_opt(page, &r.last_contact_at),
                Cell::from(r.contact_name.as_str()),
                Cell::from(r.contact_phone.as_str()),
                Cell::from(r.address.as_str()),
                Cell::from(r.credit_note.as_str()),
            ]
        })
        .collect();
    Table::new(
        "customers",
        page,
        &[
            "customers.files.name",
            "customers.files.credit_code",
            "customers.files.kind",
            "customers.files.grade",
            "customers.files.owner",
            "customers.files.owned_since",
            "customers.files.last_contact",
            "customers.files.contact",
            "customers.files.phone",
            "customers.files.address",
            "customers.files.credit_note",
        ],
        data,
    )
}

async fn export(c: Console, q: ListIn, format: ExportFormat) -> Result<Response, AppError> {
    c.ctx.require(Permission::ViewCustomers)?;
    let rows = view::list(&c.ctx, &q, false).await?;
    let page = Page::console(&c, "customers.files.title");
    export::respond(&table(&page, &rows), format)
}

pub(super) async fn list_csv(c: Console, Query(q): Query<ListIn>) -> Result<Response, AppError> {
    export(c, q, ExportFormat::Csv).await
}

pub(super) async fn list_xlsx(c: Console, Query(q): Query<ListIn>) -> Result<Response, AppError> {
    export(c, q, ExportFormat::Xlsx).await
}
