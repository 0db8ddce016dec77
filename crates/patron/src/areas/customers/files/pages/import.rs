//! The organisation-customer import page (`/customers/import`, SPEC N3, F1): a manager who may
//! assign customers (permission `assign_customers`: the file names each customer's owner)
//! uploads a CSV or xlsx and sees every bad row with its line and reason, or how many customers
//! were recorded. The use case is all or nothing.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Multipart;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use patron_core::Permission;

use crate::areas::customers::files::import::{self, CustomerImportReport};
use crate::kernel::stores::StoreInfo;
use crate::web::error::AppError;
use crate::web::extract::Console;
use crate::web::forms::store_choice;
use crate::web::layout::Page;
use crate::web::upload;

#[derive(Template, WebTemplate)]
#[template(path = "customers/files/import.html")]
pub(super) struct ImportPage {
    page: Page,
    stores: Vec<StoreInfo>,
    /// The store chosen for rows that name none.
    store: String,
    report: Option<CustomerImportReport>,
    problem: Option<&'static str>,
}

impl ImportPage {
    /// A column's name as the reader's staff write it (Chinese on a zh-CN page).
    fn column(&self, col: &str) -> String {
        // The record's own checks name the contacts as a whole.
        let col = if col == "contacts" {
            "contact_name"
        } else {
            col
        };
        match import::COLUMNS.iter().position(|c| *c == col) {
            Some(k) if !self.page.is_en() => import::COLUMNS_ZH[k].to_string(),
            _ => col.to_string(),
        }
    }

    fn columns(&self) -> Vec<String> {
        import::COLUMNS.iter().map(|c| self.column(c)).collect()
    }
}

async fn render(
    c: &Console,
    store: &str,
    report: Option<CustomerImportReport>,
    problem: Option<&'static str>,
) -> Response {
    if let Err(e) = c.ctx.require(Permission::AssignCustomers) {
        return AppError::from(e).into_response();
    }
    // The rows are recorded at stores where the user keeps customers.
    let (first, stores) = match store_choice(c, None, Permission::ManageCustomers).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let failed = problem.is_some() || report.as_ref().is_some_and(|r| !r.bad.is_empty());
    let mut res = ImportPage {
        page: Page::console(c, "customers.import.title"),
        store: if store.is_empty() {
            first.code
        } else {
            store.to_string()
        },
        stores,
        report,
        problem,
    }
    .into_response();
    if failed {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    res
}

pub(super) async fn import_page(c: Console) -> Response {
    render(&c, "", None, None).await
}

/// The template: the Chinese header row and one example row.
pub(super) async fn import_template(c: Console) -> Response {
    if let Err(e) = c.ctx.require(Permission::AssignCustomers) {
        return AppError::from(e).into_response();
    }
    crate::web::export::attachment(
        "customer-import-template.csv",
        "text/csv; charset=utf-8",
        import::template_csv().into(),
    )
}

/// The upload: a file, CSV or xlsx, and the store for rows that name none.
pub(super) async fn import_submit(c: Console, form: Multipart) -> Response {
    if let Err(e) = c.ctx.require(Permission::AssignCustomers) {
        return AppError::from(e).into_response();
    }
    let up = match upload::read(&c, form).await {
        Ok(up) => up,
        Err(e) => return e.into_response(),
    };
    let store = up.field("store").trim().to_string();
    let Some((name, bytes)) = &up.file else {
        return render(&c, &store, None, Some("import.no_file")).await;
    };
    let Ok((head, rows)) = import::read_file(name, bytes) else {
        return render(&c, &store, None, Some("import.unreadable")).await;
    };
    match import::import(&c.ctx, &store, &head, &rows).await {
        Ok(r) if r.rows == 0 && r.bad.is_empty() => {
            render(&c, &store, None, Some("import.no_rows")).await
        }
        Ok(r) => render(&c, &store, Some(r), None).await,
        Err(e) => AppError::from(e).into_response(),
    }
}
