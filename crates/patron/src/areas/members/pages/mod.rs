//! Console routes of the members area: search, the member page (profile, card, tier, ledger,
//! requests), revealing personal data, card operations, points adjustments and missed receipts,
//! statements, the import, and applications.

mod actions;
mod apply;
mod import;
mod member;
mod search;
mod statement;

use axum::Router;
use axum::routing::{get, post};

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
        .route("/members/{id}", get(member::member_page))
        .route("/members/{id}/reveal", post(member::reveal))
        .route("/members/{id}/profile", post(member::profile_submit))
        .route("/members/{id}/export.json", get(statement::export_json))
        .route("/members/{id}/statement.csv", get(statement::statement_csv))
        .route(
            "/members/{id}/statement.xlsx",
            get(statement::statement_xlsx),
        )
        .route("/members.csv", get(search::search_csv))
        .route("/members.xlsx", get(search::search_xlsx))
        .route("/members/{id}/card", post(actions::card_action))
        .route("/members/{id}/adjust", post(actions::adjust_request))
        .route("/members/{id}/tier", post(actions::tier_request))
        .route("/members/{id}/missed", post(actions::missed_entry))
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
