//! Console and portal pages of member events: the list (filters, export), the plan form (re-shown
//! with its errors, 422), the event page (approval, invitations, sign-ups, analysis), the door's
//! check-in form (htmx), print views of the plan and of the sign-up/attendance sheet, CSV/xlsx of
//! the sign-ups and of the analysis, and the member's own `/portal/events`.
//!
//! `mod.rs` is the router and the helpers the screens share; one file per screen group.

mod checkin;
mod form;
mod list;
mod portal;
mod print;
mod show;

use std::collections::HashMap;

use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};

use super::{Analysis, EventRow, EventsError};
use crate::kernel::ctx::{App, Ctx};
use crate::web::error::AppError;
use crate::web::layout::Page;

pub type Form = HashMap<String, String>;

pub fn router() -> Router<App> {
    Router::new()
        .route("/events", get(list::list_page).post(form::create_submit))
        .route("/events.csv", get(list::list_csv))
        .route("/events.xlsx", get(list::list_xlsx))
        .route("/events/new", get(form::new_page))
        .route("/events/{id}", get(show::show_page))
        .route(
            "/events/{id}/edit",
            get(form::edit_page).post(form::edit_submit),
        )
        .route("/events/{id}/{step}", post(show::step_submit))
        .route(
            "/events/{id}/checkin",
            get(checkin::checkin_page).post(checkin::checkin_submit),
        )
        .route("/events/{id}/plan.print", get(print::print_plan))
        .route("/events/{id}/sheet.print", get(print::print_sheet))
        .route("/events/{id}/signups.csv", get(print::signups_csv))
        .route("/events/{id}/signups.xlsx", get(print::signups_xlsx))
        .route("/events/{id}/analysis.csv", get(print::analysis_csv))
        .route("/events/{id}/analysis.xlsx", get(print::analysis_xlsx))
        .route("/portal/events", get(portal::portal_page))
        .route("/portal/events/{id}/{step}", post(portal::portal_submit))
}

fn field(f: &Form, name: &str) -> String {
    f.get(name).cloned().unwrap_or_default()
}

/// A tier's name in the page's language.
fn tier_name(page: &Page, tiers: &[crate::areas::points::settings::Tier], code: &str) -> String {
    tiers
        .iter()
        .find(|t| t.code == code)
        .map(|t| {
            if page.is_en() {
                t.name_en.clone()
            } else {
                t.name_zh.clone()
            }
        })
        .unwrap_or_else(|| code.to_string())
}

/// A refusal in the page's language: (status, text).
// The refusal is re-shown at once by the caller; boxing it would only add noise.
#[allow(clippy::result_large_err)]
fn refusal(page: &Page, e: EventsError) -> Result<(StatusCode, String), Response> {
    if let EventsError::NotYetOpen(at) = &e {
        return Ok((
            StatusCode::CONFLICT,
            format!("{} {at}", page.t("error.signup_not_open")),
        ));
    }
    let r = crate::web::forms::refused(e, page).map_err(|res| *res)?;
    // A sign-up or check-in answers in one line: the marked fields' messages, or the refusal.
    let text = if r.errors.0.is_empty() {
        r.line
    } else {
        r.errors
            .0
            .iter()
            .map(|f| page.t(f.key))
            .collect::<Vec<_>>()
            .join(" ")
    };
    Ok((r.status, text))
}

async fn store_codes(ctx: &Ctx) -> Result<Vec<(i64, String)>, AppError> {
    let stores = crate::areas::staff::store::list_stores(ctx.db()).await?;
    Ok(stores.into_iter().map(|s| (s.id, s.code)).collect())
}

/// The label of one of an event's coded fields (`state`, `kind`, `segment`, `cost`).
fn label_of(page: &Page, ev: &EventRow, a: &Analysis, what: &str) -> &'static str {
    match what {
        "state" => page.t(&format!("ev.state.{}", ev.state)),
        "kind" => page.t(&format!("ev.kind.{}", ev.kind)),
        "segment" => page.t(&format!("ev.segment.{}", ev.segment)),
        _ if a.cost_is_actual => page.t("ev.a.cost_actual"),
        _ => page.t("ev.a.cost_budget"),
    }
}

/// (code, name in the page's language) of every tier.
async fn tier_names(ctx: &Ctx, page: &Page) -> Result<Vec<(String, String)>, AppError> {
    let loyalty = ctx
        .app
        .cache
        .get::<crate::areas::points::settings::Loyalty>(ctx.db())
        .await?;
    Ok(loyalty
        .tiers
        .iter()
        .map(|t| (t.code.clone(), tier_name(page, &loyalty.tiers, &t.code)))
        .collect())
}

fn label(names: &[(String, String)], code: &str) -> String {
    names
        .iter()
        .find(|(c, _)| c == code)
        .map(|(_, n)| n.clone())
        .unwrap_or_else(|| code.to_string())
}
