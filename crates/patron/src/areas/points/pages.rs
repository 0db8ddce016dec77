//! Console routes of the points area: loyalty settings (tiers, points rules, card eligibility
//! per store) and finance's view of outstanding points; the receipt import (pages/import.rs).

mod import;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use patron_core::Permission;
use serde::Deserialize;

use super::settings::{self, CardRule, Liability, SettingsForm, Tier, TierForm, card_rule};
use crate::kernel::ctx::App;
use crate::kernel::error as codes;
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::{Console, Verified};
use crate::web::layout::{FormErrors, Page};

pub fn router() -> Router<App> {
    Router::new()
        .route("/admin/loyalty", get(loyalty_page))
        .route("/admin/loyalty/settings", post(settings_submit))
        .route("/admin/loyalty/tier", post(tier_submit))
        .route("/admin/loyalty/card-rule", post(card_rule_submit))
        .route("/points/liability", get(liability_page))
        .route("/points/liability.csv", get(liability_csv))
        .route("/points/liability.xlsx", get(liability_xlsx))
        .route(
            "/points/import",
            get(import::import_page)
                .post(import::import_submit)
                .layer(axum::extract::DefaultBodyLimit::max(256 * 1024 * 1024)),
        )
        .route("/points/import/template.csv", get(import::import_template))
}

#[derive(Template, WebTemplate)]
#[template(path = "points/loyalty.html")]
struct LoyaltyPage {
    page: Page,
    s: SettingsForm,
    tiers: Vec<Tier>,
    rules: Vec<(String, CardRule)>,
    errors: FormErrors,
    /// Which form the errors belong to.
    failed: String,
}

impl LoyaltyPage {
    fn failed_tier(&self, code: &str) -> bool {
        self.failed == format!("tier:{code}")
    }
    fn fields(&self) -> Vec<(&'static str, &'static str, String)> {
        let s = &self.s;
        vec![
            (
                "card_valid_months",
                "loyalty.card_valid_months",
                s.card_valid_months.clone(),
            ),
            (
                "points_valid_months",
                "loyalty.points_valid_months",
                s.points_valid_months.clone(),
            ),
            (
                "tier_window_months",
                "loyalty.tier_window_months",
                s.tier_window_months.clone(),
            ),
            (
                "birthday_multiplier_percent",
                "loyalty.birthday_multiplier_percent",
                s.birthday_multiplier_percent.clone(),
            ),
            (
                "redeem_points",
                "loyalty.redeem_points",
                s.redeem_points.clone(),
            ),
            (
                "redeem_value",
                "loyalty.redeem_value",
                s.redeem_value.clone(),
            ),
            (
                "missed_points_approval",
                "loyalty.missed_points_approval",
                s.missed_points_approval.clone(),
            ),
            (
                "portal_max_failures",
                "loyalty.portal_max_failures",
                s.portal_max_failures.clone(),
            ),
            (
                "portal_lock_minutes",
                "loyalty.portal_lock_minutes",
                s.portal_lock_minutes.clone(),
            ),
            (
                "expiry_reminder_days",
                "loyalty.expiry_reminder_days",
                s.expiry_reminder_days.clone(),
            ),
        ]
    }
}

#[derive(Deserialize, Default)]
struct FlashQuery {
    ok: Option<String>,
}

async fn render(
    c: &Console,
    form: Option<SettingsForm>,
    errors: FormErrors,
    failed: &str,
    flash: Option<&str>,
) -> Response {
    if let Err(e) = c.ctx.require(Permission::ManageLoyalty) {
        return AppError::from(e).into_response();
    }
    let loaded = match settings::load(c.ctx.db()).await {
        Ok(l) => l,
        Err(e) => return AppError::from(e).into_response(),
    };
    let mut list = match crate::areas::staff::store::list_stores(c.ctx.db()).await {
        Ok(l) => l,
        Err(e) => return AppError::from(e).into_response(),
    };
    list.sort_by(|a, b| a.code.cmp(&b.code));
    let mut rules = Vec::new();
    for s in list {
        match card_rule(c.ctx.db(), s.id).await {
            Ok(r) => rules.push((s.code.clone(), r)),
            Err(e) => return AppError::from(e).into_response(),
        }
    }
    LoyaltyPage {
        page: Page::console(c, "loyalty.title").with_flash("success", flash),
        s: form.unwrap_or_else(|| SettingsForm::from_settings(&loaded.settings)),
        tiers: loaded.tiers,
        rules,
        errors,
        failed: failed.to_string(),
    }
    .into_response()
}

async fn loyalty_page(c: Console, Query(q): Query<FlashQuery>) -> Response {
    render(&c, None, FormErrors::default(), "", q.ok.as_deref()).await
}

fn refused(e: super::PointsError) -> Result<FormErrors, Box<Response>> {
    let err = AppError::from(e);
    if err.code == codes::VALIDATION {
        Ok(FormErrors(err.fields))
    } else {
        Err(Box::new(err.into_response()))
    }
}

async fn settings_submit(v: Verified<SettingsForm>) -> Response {
    let c = v.console;
    match settings::save_settings(&c.ctx, &v.form).await {
        Ok(()) => Redirect::to("/admin/loyalty?ok=flash.saved").into_response(),
        Err(e) => match refused(e) {
            Ok(errors) => {
                let mut res = render(&c, Some(v.form), errors, "settings", None).await;
                *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                res
            }
            Err(res) => *res,
        },
    }
}

async fn tier_submit(v: Verified<TierForm>) -> Response {
    let c = v.console;
    match settings::save_tier(&c.ctx, &v.form).await {
        Ok(()) => Redirect::to("/admin/loyalty?ok=flash.saved").into_response(),
        Err(e) => match refused(e) {
            Ok(errors) => {
                let failed = format!("tier:{}", v.form.code);
                let mut res = render(&c, None, errors, &failed, None).await;
                *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                res
            }
            Err(res) => *res,
        },
    }
}

#[derive(Deserialize)]
struct RuleForm {
    store_code: String,
    min_receipt: String,
    #[serde(default)]
    counter_min: String,
    #[serde(default)]
    counters: String,
}

async fn card_rule_submit(v: Verified<RuleForm>) -> Response {
    let c = v.console;
    let stores = match c.ctx.app.cache.stores(c.ctx.db()).await {
        Ok(s) => s,
        Err(e) => return AppError::from(e).into_response(),
    };
    let Some(store) = stores.by_code(&v.form.store_code) else {
        return AppError::not_found().into_response();
    };
    match settings::save_card_rule(
        &c.ctx,
        store.id,
        &v.form.min_receipt,
        &v.form.counter_min,
        &v.form.counters,
    )
    .await
    {
        Ok(()) => Redirect::to("/admin/loyalty?ok=flash.saved").into_response(),
        Err(e) => match refused(e) {
            Ok(errors) => {
                let failed = format!("rule:{}", v.form.store_code);
                let mut res = render(&c, None, errors, &failed, None).await;
                *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                res
            }
            Err(res) => *res,
        },
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "points/liability.html")]
struct LiabilityPage {
    page: Page,
    l: Liability,
}

async fn liability_page(c: Console) -> Response {
    match settings::liability(&c.ctx).await {
        Ok(l) => LiabilityPage {
            page: Page::console(&c, "liability.title"),
            l,
        }
        .into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

async fn liability_export(c: Console, format: ExportFormat) -> Result<Response, AppError> {
    let l = settings::liability(&c.ctx).await?;
    let page = Page::console(&c, "liability.title");
    let rows = l
        .expiring
        .iter()
        .map(|(d, p)| vec![Cell::Date(*d), Cell::from(*p)])
        .collect();
    export::respond(
        &Table::new(
            "points-expiring",
            &page,
            &["liability.expires_on", "points.points"],
            rows,
        ),
        format,
    )
}

async fn liability_csv(c: Console) -> Result<Response, AppError> {
    liability_export(c, ExportFormat::Csv).await
}

async fn liability_xlsx(c: Console) -> Result<Response, AppError> {
    liability_export(c, ExportFormat::Xlsx).await
}
