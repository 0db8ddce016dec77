//! Console pages of visits, outreach, the directory review and research: one file per screen
//! group; this file is the router. Forms are read as plain maps; a refused one is re-shown with
//! its input and the messages in the user's language (422).

mod outreach;
mod research;
mod review;
mod visits;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use serde::Deserialize;

use crate::kernel::ctx::App;

pub fn router() -> Router<App> {
    Router::new()
        .route(
            "/customers/outreach",
            get(outreach::day_page).post(outreach::plan_submit),
        )
        .route("/customers/outreach.csv", get(outreach::day_csv))
        .route("/customers/outreach.xlsx", get(outreach::day_xlsx))
        .route(
            "/customers/outreach/{id}/summary",
            post(outreach::summary_submit),
        )
        .route("/customers/outreach/week", get(outreach::week_page))
        .route("/customers/outreach/week.csv", get(outreach::week_csv))
        .route("/customers/outreach/week.xlsx", get(outreach::week_xlsx))
        .route(
            "/customers/visits",
            get(visits::list_page).post(visits::request_submit),
        )
        .route("/customers/visits.csv", get(visits::list_csv))
        .route("/customers/visits.xlsx", get(visits::list_xlsx))
        .route("/customers/visits/overdue", get(visits::overdue_page))
        .route("/customers/visits/overdue.csv", get(visits::overdue_csv))
        .route("/customers/visits/overdue.xlsx", get(visits::overdue_xlsx))
        .route("/customers/visits/{id}", get(visits::visit_page))
        .route("/customers/visits/{id}/done", post(visits::done_submit))
        .route(
            "/customers/visits/{id}/minutes",
            post(visits::minutes_submit),
        )
        .route("/customers/visits/{id}/print", get(visits::visit_print))
        .route(
            "/customers/visits/{id}/minutes/print",
            get(visits::minutes_print),
        )
        .route("/customers/review", get(review::review_page))
        .route("/customers/review.csv", get(review::review_csv))
        .route("/customers/review.xlsx", get(review::review_xlsx))
        .route("/customers/review/open", post(review::open_submit))
        .route(
            "/customers/review/{id}/items/{customer}",
            post(review::settle_submit),
        )
        .route(
            "/customers/review/restore/{customer}",
            post(review::restore_submit),
        )
        .route(
            "/customers/research",
            get(research::list_page).post(research::create_submit),
        )
        .route("/customers/research.csv", get(research::list_csv))
        .route("/customers/research.xlsx", get(research::list_xlsx))
        .route("/customers/research/{id}", get(research::task_page))
        .route(
            "/customers/research/{id}/findings",
            post(research::findings_submit),
        )
        .route(
            "/customers/research/{id}/files",
            post(research::upload_submit).layer(DefaultBodyLimit::max(
                super::research::MAX_FILE_BYTES + 256 * 1024,
            )),
        )
        .route("/customers/research/files/{id}", get(research::download))
}

/// `?ok=` (a flash message key) and `?date=` of the pages.
#[derive(Deserialize, Default)]
pub struct PageQuery {
    pub ok: Option<String>,
    pub date: Option<String>,
    #[serde(default)]
    pub q: String,
}
