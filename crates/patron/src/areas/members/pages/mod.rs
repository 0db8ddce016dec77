//! Console routes of the members area: search, the member page (profile, card, tier, ledger,
//! requests), revealing personal data, card operations, points adjustments and missed receipts,
//! statements, the import, and applications.

mod actions;
mod apply;
mod data;
mod import;
mod member;
mod search;
mod statement;

use axum::Router;
use axum::routing::{get, post};

use crate::areas::members::store::MemberRow;
use crate::kernel::ctx::App;
use crate::web::extract::Console;

pub fn router() -> Router<App> {
    Router::new()
        .merge(apply::router())
        .route("/members", get(search::search_page))
        .route(
            "/members/import",
            get(import::import_page)
                .post(import::import_submit)
                .layer(axum::extract::DefaultBodyLimit::max(256 * 1024 * 1024)),
        )
        .route("/members/import/template.csv", get(import::import_template))
        .route("/members/{id}", get(member::member_page))
        .route("/members/{id}/reveal", post(member::reveal))
        .route("/members/{id}/profile", post(member::profile_submit))
        .route("/members/{id}/details", post(member::details_submit))
        .route("/members/{id}/export.json", get(statement::export_json))
        .route("/members/{id}/data.txt", get(data::data_txt))
        .route("/members/{id}/statement.csv", get(statement::statement_csv))
        .route(
            "/members/{id}/statement.xlsx",
            get(statement::statement_xlsx),
        )
        .route("/members.csv", get(search::search_csv))
        .route("/members.xlsx", get(search::search_xlsx))
        .route("/members/{id}/card", post(actions::card_action))
        .route("/members/{id}/close", post(actions::close_request))
        .route("/members/{id}/adjust", post(actions::adjust_request))
        .route("/members/{id}/tier", post(actions::tier_request))
        .route("/members/{id}/missed", post(actions::missed_entry))
        .route(
            "/members/{id}/portal-password",
            post(actions::portal_password),
        )
}

/// The catalog key of a member's card state as the desk should read it: a closed member, a
/// replaced (lost) card, an expired one, or the state of the live card.
pub(super) fn card_state_key(m: &MemberRow, today: chrono::NaiveDate) -> &'static str {
    if m.status != "active" {
        return "member.closed";
    }
    match m.card_state.as_deref() {
        Some("replaced") => "card.state.replaced",
        Some("closed") | None => "card.state.closed",
        Some(_) if m.card_expires_on.is_some_and(|d| d < today) => "card.state.expired",
        Some("issued") => "card.state.issued",
        Some("frozen") => "card.state.frozen",
        Some(_) => "card.state.active",
    }
}

/// The codes of the stores the signed-in staff member holds grants at, sorted.
pub(super) async fn store_codes(c: &Console) -> Vec<String> {
    match c.ctx.app.cache.stores(c.ctx.db()).await {
        Ok(s) => {
            let mut v: Vec<String> = c
                .staff()
                .grants
                .iter()
                .filter_map(|g| s.by_id(g.store_id).map(|s| s.code.clone()))
                .collect();
            v.sort();
            v.dedup();
            v
        }
        Err(_) => Vec::new(),
    }
}
