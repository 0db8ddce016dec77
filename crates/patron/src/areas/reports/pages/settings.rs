//! `/admin/reports`: the RFM window and breakpoints (managers of the loyalty scheme), and a
//! button that makes the members' figures afresh now.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use patron_core::Permission;
use serde::Deserialize;

use crate::areas::reports::rfm::{self, SettingsIn};
use crate::areas::reports::store::{self, SettingsRow};
use crate::web::error::AppError;
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Form, Reshow, field, reshow};
use crate::web::layout::Page;

#[derive(Deserialize, Default)]
pub struct Q {
    pub ok: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/admin.html")]
struct SettingsPage {
    page: Page,
    s: SettingsRow,
    made_at: Option<chrono::DateTime<chrono::Utc>>,
    r: Reshow,
}

impl SettingsPage {
    fn value(&self, name: &str) -> String {
        if self.r.is("settings") {
            return self.r.val("settings", name).to_owned();
        }
        match name {
            "window_months" => self.s.window_months.to_string(),
            "recent_days" => self.s.recent_days.to_string(),
            "frequent_purchases" => self.s.frequent_purchases.to_string(),
            _ => self.page.plain_yuan(&self.s.high_spend_fen),
        }
    }
}

async fn render(c: &Console, q: &Q, r: Reshow) -> Result<Response, AppError> {
    c.ctx.require(Permission::ManageLoyalty)?;
    let s = store::settings(c.ctx.db()).await?;
    let made_at = store::rfm_made_at(c.ctx.db()).await?;
    let status = r.status();
    let mut res = SettingsPage {
        page: Page::console(c, "reports.admin_title").with_flash("success", q.ok.as_deref()),
        s,
        made_at,
        r,
    }
    .into_response();
    *res.status_mut() = status;
    Ok(res)
}

pub(super) async fn settings_page(c: Console, Query(q): Query<Q>) -> Response {
    render(&c, &q, Reshow::default())
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

pub(super) async fn settings_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let input = SettingsIn {
        window_months: field(&v.form, "window_months"),
        recent_days: field(&v.form, "recent_days"),
        frequent_purchases: field(&v.form, "frequent_purchases"),
        high_spend_yuan: field(&v.form, "high_spend_yuan"),
    };
    match rfm::save_settings(&c.ctx, &input).await {
        Ok(()) => Redirect::to("/admin/reports?ok=flash.saved").into_response(),
        Err(e) => {
            let page = Page::console(&c, "reports.admin_title");
            match reshow(e, &page, "settings", v.form) {
                Ok(r) => render(&c, &Q::default(), r)
                    .await
                    .unwrap_or_else(IntoResponse::into_response),
                Err(res) => *res,
            }
        }
    }
}

/// Makes the RFM figures afresh in the background (the page shows when they were last made).
pub(super) async fn refresh_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    if let Err(e) = c.ctx.require(Permission::ManageLoyalty) {
        return AppError::from(e).into_response();
    }
    let ctx = c.ctx.clone();
    tokio::spawn(async move {
        let today = ctx.today();
        if let Err(e) = rfm::refresh(&ctx, today, None).await {
            tracing::error!(error = %e, "making the RFM figures failed");
        }
    });
    Redirect::to("/admin/reports?ok=reports.flash.refreshing").into_response()
}
