//! The settings page (`/admin/groupbuy`) and the till check code per store.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use patron_core::Permission;

use crate::areas::groupbuy::settings::{self, SettingsForm};
use crate::kernel::cache::StoreInfo;
use crate::kernel::error as codes;
use crate::web::error::AppError;
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Form, StoreQuery, field};
use crate::web::layout::{FormErrors, Page};

#[derive(Template, WebTemplate)]
#[template(path = "groupbuy/settings.html")]
struct SettingsPage {
    page: Page,
    s: SettingsForm,
    stores: Vec<(StoreInfo, bool)>,
    errors: FormErrors,
}

impl SettingsPage {
    fn fields(&self) -> Vec<(&'static str, String)> {
        let s = &self.s;
        vec![
            ("cash_limit_organisation", s.cash_limit_organisation.clone()),
            ("cash_limit_person", s.cash_limit_person.clone()),
            ("real_name_from", s.real_name_from.clone()),
            ("anonymous_max_face", s.anonymous_max_face.clone()),
            (
                "anonymous_min_validity_months",
                s.anonymous_min_validity_months.clone(),
            ),
            ("cheque_clear_days", s.cheque_clear_days.clone()),
            ("report_time", s.report_time.clone()),
            ("wrong_codes_per_minute", s.wrong_codes_per_minute.clone()),
            ("rebate_unit", s.rebate_unit.clone()),
        ]
    }

    fn label(&self, field: &str) -> &'static str {
        self.page.t_or(&format!("gb.set.{field}"), "gb.settings")
    }
}

async fn render_settings(
    c: &Console,
    form: Option<SettingsForm>,
    errors: FormErrors,
    flash: Option<&str>,
) -> Response {
    if let Err(e) = c.ctx.require(Permission::ManageGroupBuySettings) {
        return AppError::from(e).into_response();
    }
    let loaded = match settings::load(c.ctx.db()).await {
        Ok(l) => l,
        Err(e) => return AppError::from(e).into_response(),
    };
    let all = match c.ctx.app.cache.stores(c.ctx.db()).await {
        Ok(s) => s,
        Err(e) => return AppError::from(e).into_response(),
    };
    let mut stores: Vec<(StoreInfo, bool)> =
        match crate::areas::staff::store::list_stores(c.ctx.db()).await {
            Ok(l) => l
                .into_iter()
                .filter_map(|s| all.by_id(s.id).cloned())
                .map(|s| {
                    let on = !loaded.check_code_off.contains(&s.id);
                    (s, on)
                })
                .collect(),
            Err(e) => return AppError::from(e).into_response(),
        };
    stores.sort_by(|a, b| a.0.code.cmp(&b.0.code));
    let bad = errors.any();
    let mut res = SettingsPage {
        page: Page::console(c, "gb.settings").with_flash("success", flash),
        s: form.unwrap_or_else(|| SettingsForm::from_settings(&loaded)),
        stores,
        errors,
    }
    .into_response();
    if bad {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    res
}

pub(super) async fn settings_page(c: Console, Query(q): Query<StoreQuery>) -> Response {
    render_settings(&c, None, FormErrors::default(), q.ok.as_deref()).await
}

pub(super) async fn settings_submit(v: Verified<SettingsForm>) -> Response {
    let c = v.console;
    match settings::save(&c.ctx, &v.form).await {
        Ok(()) => Redirect::to("/admin/groupbuy?ok=flash.saved").into_response(),
        Err(e) => {
            let err = AppError::from(e);
            if err.code == codes::VALIDATION {
                render_settings(&c, Some(v.form), FormErrors(err.fields), None).await
            } else {
                err.into_response()
            }
        }
    }
}

pub(super) async fn check_code_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let id: i64 = field(&v.form, "store_id").parse().unwrap_or(0);
    let on = field(&v.form, "on") == "1";
    match settings::set_check_code(&c.ctx, id, on).await {
        Ok(()) => Redirect::to("/admin/groupbuy?ok=flash.saved").into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}
