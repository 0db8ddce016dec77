//! The reward settings (`/admin/rewards`): thresholds and slip rules.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use patron_core::Permission;

use super::shared::{Form, Q, Refusal, err, field, refusal};
use crate::areas::rewards::settings::{self, SettingsForm};
use crate::web::extract::{Console, Verified};
use crate::web::layout::Page;

#[derive(Template, WebTemplate)]
#[template(path = "rewards/settings.html")]
struct SettingsPage {
    page: Page,
    form: SettingsForm,
    gifts: Vec<(String, String, i64)>,
    r: Refusal,
}

async fn render_settings(
    c: &Console,
    form: Option<SettingsForm>,
    ok: Option<&str>,
    r: Refusal,
) -> Response {
    if let Err(e) = c.ctx.require(Permission::ManageRewardSettings) {
        return err(e);
    }
    let s = match settings::load(c.ctx.db()).await {
        Ok(s) => s,
        Err(e) => return err(e),
    };
    let gifts = match crate::areas::gifts::catalogue::active_by_value(c.ctx.db()).await {
        Ok(g) => g,
        Err(e) => return err(e),
    };
    let status = r.status;
    let mut res = SettingsPage {
        page: Page::console(c, "reward.settings").with_flash("success", ok),
        form: form.unwrap_or_else(|| SettingsForm::from_settings(&s)),
        gifts,
        r,
    }
    .into_response();
    if let Some(s) = status {
        *res.status_mut() = s;
    }
    res
}

pub(super) async fn settings_page(c: Console, Query(q): Query<Q>) -> Response {
    render_settings(&c, None, q.ok.as_deref(), Refusal::default()).await
}

pub(super) async fn settings_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let form = SettingsForm {
        thresholds: field(&v.form, "thresholds"),
        slip_valid_months: field(&v.form, "slip_valid_months"),
        follow_up_months: field(&v.form, "follow_up_months"),
        return_points_on_expiry: v.form.contains_key("return_points_on_expiry"),
    };
    match settings::save(&c.ctx, &form).await {
        Ok(()) => Redirect::to("/admin/rewards?ok=flash.saved").into_response(),
        Err(e) => match refusal(e, &Page::console(&c, "reward.settings"), v.form) {
            Ok(r) => render_settings(&c, Some(form), None, r).await,
            Err(res) => res,
        },
    }
}
