//! The member import page: upload a CSV or xlsx file, see every bad row or the count imported.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use patron_core::Permission;

use super::store_codes;
use crate::areas::members::import;
use crate::web::error::AppError;
use crate::web::extract::Console;
use crate::web::layout::Page;

#[derive(Template, WebTemplate)]
#[template(path = "members/import.html")]
pub(super) struct ImportPage {
    page: Page,
    columns: &'static [&'static str],
    stores: Vec<String>,
    report: Option<import::ImportReport>,
    problem: Option<String>,
}

impl ImportPage {
    /// A column's name as the reader's staff write it (Chinese on a zh-CN page).
    fn column(&self, col: &str) -> String {
        match import::COLUMNS.iter().position(|c| *c == col) {
            Some(k) if !self.page.is_en() => import::COLUMNS_ZH[k].to_string(),
            _ => col.to_string(),
        }
    }
}

/// The import template: the Chinese header row and an example row.
pub(super) async fn import_template(c: Console) -> Response {
    if let Err(e) = c.ctx.require(Permission::ManageMembers) {
        return AppError::from(e).into_response();
    }
    crate::web::export::attachment(
        "member-import-template.csv",
        "text/csv; charset=utf-8",
        import::template_csv().into(),
    )
}

pub(super) async fn import_page(c: Console) -> Response {
    if let Err(e) = c.ctx.require(Permission::ManageMembers) {
        return AppError::from(e).into_response();
    }
    ImportPage {
        page: Page::console(&c, "import.title"),
        columns: &import::COLUMNS,
        stores: store_codes(&c).await,
        report: None,
        problem: None,
    }
    .into_response()
}

/// The import form: a file, CSV or xlsx (multipart; the CSRF token is one of its fields).
pub(super) async fn import_submit(c: Console, form: axum::extract::Multipart) -> Response {
    if let Err(e) = c.ctx.require(Permission::ManageMembers) {
        return AppError::from(e).into_response();
    }
    let up = match crate::web::upload::read(&c, form).await {
        Ok(up) => up,
        Err(e) => return e.into_response(),
    };
    let store = up.field("store").to_string();
    let options = import::ImportOptions {
        portal_passwords: up.field("portal_passwords") == "yes",
    };
    let file = up.file;
    let render = |report, problem| async {
        ImportPage {
            page: Page::console(&c, "import.title"),
            columns: &import::COLUMNS,
            stores: store_codes(&c).await,
            report,
            problem,
        }
    };
    let Some((name, bytes)) = file else {
        let mut res = render(None, Some(c.lang.t("invalid.required").to_string()))
            .await
            .into_response();
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return res;
    };
    let (header, rows) = match import::read_file(&name, &bytes) {
        Ok(x) => x,
        Err(_) => {
            let problem = c.lang.t("import.unreadable").to_string();
            let mut res = render(None, Some(problem)).await.into_response();
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return res;
        }
    };
    match import::import_with(&c.ctx, &store, &header, &rows, None, options).await {
        Ok(report) => {
            let failed = !report.bad.is_empty();
            let mut res = render(Some(report), None).await.into_response();
            if failed {
                *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            }
            res
        }
        Err(e) => AppError::from(e).into_response(),
    }
}
