//! The backups page `/admin/backups` (permission `manage_backups`, the administrator): the
//! schedule (on or off, the hour, how many to keep), a button that makes a backup now, and the
//! backups made with their size, duration and whether the copy was verified.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use patron_core::Permission;
use serde::Deserialize;

use super::store::{RunRow, SettingsRow};
use crate::kernel::ctx::App;
use crate::web::error::AppError;
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Form, Reshow, field, reshow};
use crate::web::layout::Page;

pub fn router() -> Router<App> {
    Router::new()
        .route("/admin/backups", get(backups_page))
        .route("/admin/backups/settings", post(settings_submit))
        .route("/admin/backups/run", post(run_submit))
}

#[derive(Deserialize, Default)]
pub struct Q {
    pub ok: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "backup/admin.html")]
struct BackupsPage {
    page: Page,
    settings: SettingsRow,
    runs: Vec<RunRow>,
    folder: String,
    r: Reshow,
}

impl BackupsPage {
    fn size(&self, bytes: &i64) -> String {
        let mb = *bytes as f64 / 1_048_576.0;
        if mb >= 10.0 {
            format!("{mb:.0}")
        } else {
            format!("{mb:.2}")
        }
    }
    fn seconds(&self, ms: &i64) -> String {
        format!("{:.1}", *ms as f64 / 1000.0)
    }
    fn value(&self, name: &str, stored: &i64) -> String {
        if self.r.is("settings") {
            self.r.val("settings", name).to_owned()
        } else {
            stored.to_string()
        }
    }
}

async fn render(c: &Console, q: &Q, r: Reshow) -> Result<Response, AppError> {
    c.ctx.require(Permission::ManageBackups)?;
    let settings = super::settings(&c.ctx).await?;
    let runs = super::list(&c.ctx, 50).await?;
    let status = r.status();
    let mut res = BackupsPage {
        page: Page::console(c, "backup.title").with_flash("success", q.ok.as_deref()),
        settings,
        runs,
        folder: super::default_dir(&c.ctx.app).display().to_string(),
        r,
    }
    .into_response();
    *res.status_mut() = status;
    Ok(res)
}

async fn backups_page(c: Console, Query(q): Query<Q>) -> Response {
    render(&c, &q, Reshow::default())
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn settings_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let enabled = field(&v.form, "enabled") == "on";
    let saved = super::save_settings(
        &c.ctx,
        enabled,
        &field(&v.form, "at_hour"),
        &field(&v.form, "keep"),
    )
    .await;
    match saved {
        Ok(()) => Redirect::to("/admin/backups?ok=flash.saved").into_response(),
        Err(e) => {
            let page = Page::console(&c, "backup.title");
            match reshow(e, &page, "settings", v.form) {
                Ok(r) => render(&c, &Q::default(), r)
                    .await
                    .unwrap_or_else(IntoResponse::into_response),
                Err(res) => *res,
            }
        }
    }
}

/// Starts a backup now; it runs on after the answer (the list shows it as running until done).
async fn run_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    if let Err(e) = c.ctx.require(Permission::ManageBackups) {
        return AppError::from(e).into_response();
    }
    let ctx = c.ctx.clone();
    tokio::spawn(async move {
        if let Err(e) = super::back_up(&ctx, super::Origin::Console, None).await {
            tracing::error!(error = %e, "backup from the console failed");
        }
    });
    Redirect::to("/admin/backups?ok=flash.backup_started").into_response()
}
