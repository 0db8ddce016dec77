//! The member import page: upload a CSV or xlsx file, see every bad row or the count imported.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use patron_core::Permission;

use super::store_codes;
use crate::areas::members::import;
use crate::kernel::error as codes;
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
    (
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"member-import-template.csv\"",
            ),
        ],
        import::template_csv(),
    )
        .into_response()
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
pub(super) async fn import_submit(c: Console, mut form: axum::extract::Multipart) -> Response {
    if let Err(e) = c.ctx.require(Permission::ManageMembers) {
        return AppError::from(e).into_response();
    }
    let (mut csrf, mut store, mut file) = (String::new(), String::new(), None);
    let mut options = import::ImportOptions::default();
    loop {
        match form.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_string();
                let file_name = field.file_name().map(str::to_string);
                match field.bytes().await {
                    Ok(bytes) => match name.as_str() {
                        "_csrf" => csrf = String::from_utf8_lossy(&bytes).into_owned(),
                        "store" => store = String::from_utf8_lossy(&bytes).into_owned(),
                        "portal_passwords" => options.portal_passwords = &bytes[..] == b"yes",
                        "file" => file = Some((file_name.unwrap_or_default(), bytes.to_vec())),
                        _ => {}
                    },
                    Err(_) => return AppError::new(codes::TOO_LARGE).into_response(),
                }
            }
            Ok(None) => break,
            Err(_) => return AppError::new(codes::BAD_REQUEST).into_response(),
        }
    }
    if csrf != c.csrf_token {
        return AppError::new(codes::CSRF).into_response();
    }
    let render = |report, problem| async {
        ImportPage {
            page: Page::console(&c, "import.title"),
            columns: &import::COLUMNS,
            stores: store_codes(&c).await,
            report,
            problem,
        }
    };
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        let mut res = render(None, Some(c.lang.t("invalid.required").to_string()))
            .await
            .into_response();
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return res;
    };
    let (header, rows) = match import::read_file(&name, &bytes) {
        Ok(x) => x,
        Err(problem) => {
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
