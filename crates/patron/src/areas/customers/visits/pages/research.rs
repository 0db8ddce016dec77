//! Market research: the searchable list with the new-task form, one task (findings, attachments
//! uploaded as `multipart/form-data`), downloads, and the list's exports.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;

use super::PageQuery;
use crate::areas::customers::visits::research::{self, FindingsIn, ResearchIn};
use crate::areas::customers::visits::store::research::{FileRow, ResearchRow};
use crate::areas::customers::visits::store::{self, Choice};
use crate::kernel::validation::Invalid;
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Form, Reshow, field, reshow};
use crate::web::layout::Page;

#[derive(Template, WebTemplate)]
#[template(path = "customers/visits/research.html")]
struct ListPage {
    page: Page,
    q: String,
    rows: Vec<ResearchRow>,
    customers: Vec<Choice>,
    partners: Vec<Choice>,
    staff: Vec<(i64, String, String)>,
    today: NaiveDate,
    r: Reshow,
}

async fn render_list(
    c: &Console,
    q: &str,
    ok: Option<&str>,
    r: Reshow,
) -> Result<Response, AppError> {
    let rows = research::search(&c.ctx, q).await?;
    let db = c.ctx.db();
    let status = r.status();
    let mut res = ListPage {
        page: Page::console(c, "customers.research.title").with_flash("success", ok),
        q: q.to_string(),
        rows,
        customers: store::customer_choices(db).await?,
        partners: store::partner_choices(db).await?,
        staff: store::staff_choices(db).await?,
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
    render_list(&c, &q.q, q.ok.as_deref(), Reshow::default()).await
}

pub(super) async fn create_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let f = v.form;
    let input = ResearchIn {
        title: field(&f, "title"),
        scope: field(&f, "scope"),
        due_on: field(&f, "due_on"),
        assignee: field(&f, "assignee"),
        customer_id: field(&f, "customer_id"),
        partner_id: field(&f, "partner_id"),
    };
    match research::create(&c.ctx, &input).await {
        Ok(id) => Redirect::to(&format!("/customers/research/{id}?ok=flash.saved")).into_response(),
        Err(e) => {
            let page = Page::console(&c, "customers.research.title");
            match reshow(e, &page, "research", f) {
                Ok(r) => render_list(&c, "", None, r)
                    .await
                    .unwrap_or_else(IntoResponse::into_response),
                Err(res) => *res,
            }
        }
    }
}

async fn list_export(c: Console, q: PageQuery, format: ExportFormat) -> Result<Response, AppError> {
    let rows = research::search(&c.ctx, &q.q).await?;
    let page = Page::console(&c, "customers.research.title");
    let data = rows
        .iter()
        .map(|r| {
            vec![
                Cell::from(r.title.as_str()),
                Cell::from(r.scope.as_str()),
                Cell::from(r.due_on),
                Cell::from(r.assignee_name.clone().unwrap_or_default()),
                Cell::from(r.customer_name.clone().unwrap_or_default()),
                Cell::from(r.partner_name.clone().unwrap_or_default()),
                Cell::from(page.label("customers.research.state.", &r.state)),
                Cell::from(r.findings.as_str()),
            ]
        })
        .collect();
    let table = Table::new(
        "research",
        &page,
        &[
            "customers.research.task_title",
            "customers.research.scope",
            "customers.research.due_on",
            "customers.research.assignee",
            "customers.research.customer",
            "customers.research.partner",
            "common.state",
            "customers.research.findings",
        ],
        data,
    );
    export::respond(&table, format)
}

pub(super) async fn list_csv(c: Console, Query(q): Query<PageQuery>) -> Result<Response, AppError> {
    list_export(c, q, ExportFormat::Csv).await
}

pub(super) async fn list_xlsx(
    c: Console,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    list_export(c, q, ExportFormat::Xlsx).await
}

#[derive(Template, WebTemplate)]
#[template(path = "customers/visits/research_task.html")]
struct TaskPage {
    page: Page,
    t: ResearchRow,
    files: Vec<FileRow>,
    r: Reshow,
}

impl TaskPage {
    fn size(&self, bytes: &i64) -> String {
        format!("{} KB", patron_core::money::grouped((bytes + 1023) / 1024))
    }
}

async fn render_task(c: &Console, id: i64, ok: Option<&str>, r: Reshow) -> Response {
    let (t, files) = match research::get(&c.ctx, id).await {
        Ok(x) => x,
        Err(e) => return AppError::from(e).into_response(),
    };
    let status = r.status();
    let mut res = TaskPage {
        page: Page::console(c, "customers.research.task").with_flash("success", ok),
        t,
        files,
        r,
    }
    .into_response();
    *res.status_mut() = status;
    res
}

pub(super) async fn task_page(
    c: Console,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Response {
    render_task(&c, id, q.ok.as_deref(), Reshow::default()).await
}

pub(super) async fn findings_submit(Path(id): Path<i64>, v: Verified<Form>) -> Response {
    let c = v.console;
    let input = FindingsIn {
        findings: field(&v.form, "findings"),
        filed: v.form.contains_key("filed"),
    };
    match research::set_findings(&c.ctx, id, &input).await {
        Ok(()) => Redirect::to(&format!("/customers/research/{id}?ok=flash.saved")).into_response(),
        Err(e) => {
            let page = Page::console(&c, "customers.research.task");
            match reshow(e, &page, "findings", v.form) {
                Ok(r) => render_task(&c, id, None, r).await,
                Err(res) => *res,
            }
        }
    }
}

/// Constant-time comparison of the form's token with the session's.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Reads the upload form: its token, the file's name and bytes. A body over the limit is a
/// file too big.
async fn read_upload(mut m: Multipart) -> Result<(String, String, Vec<u8>), Invalid> {
    let too_big = || Invalid::one("file", "customers.visits.invalid.file_too_big");
    let (mut token, mut name, mut data) = (String::new(), String::new(), Vec::new());
    while let Some(part) = m.next_field().await.map_err(|_| too_big())? {
        match part.name().unwrap_or_default() {
            "_csrf" => token = part.text().await.map_err(|_| too_big())?,
            "file" => {
                name = part.file_name().unwrap_or_default().to_string();
                data = part.bytes().await.map_err(|_| too_big())?.to_vec();
            }
            _ => {}
        }
    }
    Ok((token, name, data))
}

/// Uploads an attachment from the task page (`multipart/form-data`, `_csrf` checked like every
/// console form).
pub(super) async fn upload_submit(c: Console, Path(id): Path<i64>, m: Multipart) -> Response {
    let outcome = match read_upload(m).await {
        Ok((token, name, data)) => {
            if !same(&token, &c.csrf_token) {
                return AppError::new(crate::kernel::error::CSRF).into_response();
            }
            research::attach(&c.ctx, id, &name, data).await
        }
        Err(bad) => Err(bad.into()),
    };
    match outcome {
        Ok(_) => Redirect::to(&format!("/customers/research/{id}?ok=flash.saved")).into_response(),
        Err(e) => {
            let page = Page::console(&c, "customers.research.task");
            match reshow(e, &page, "upload", Form::new()) {
                Ok(r) => render_task(&c, id, None, r).await,
                Err(res) => *res,
            }
        }
    }
}

pub(super) async fn download(c: Console, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (row, data) = research::download(&c.ctx, id).await?;
    Ok(crate::areas::customers::visits::api::file_response(
        &row, data,
    ))
}
