//! Console pages of the reward desk (D1–D5), one file per screen group: the landing page with
//! the month-end lists, a stored list with its 核分 and notices and the information desk's list
//! of everyone at a threshold (`lists`), slips — make, show, extend, follow up, and the
//! follow-up list (`slips`), the reward desk's claim form (`claim`), the settings (`admin`)
//! and the print views (`print`). Lists export to CSV/xlsx.
//!
//! A refused form is re-shown with what was typed and why (422, or 409 for a state conflict).

mod admin;
mod claim;
mod landing;
mod lists;
mod print;
mod shared;
mod slips;

use axum::Router;
use axum::routing::{get, post};

use crate::kernel::ctx::App;

pub fn router() -> Router<App> {
    Router::new()
        .route("/rewards", get(landing::landing))
        .route("/rewards/month-end", post(landing::month_end_submit))
        .route("/rewards/lists/{id}", get(lists::list_page))
        .route("/rewards/lists/{id}/rows.csv", get(lists::list_csv))
        .route("/rewards/lists/{id}/rows.xlsx", get(lists::list_xlsx))
        .route(
            "/rewards/lists/{id}/rows/{member}/check",
            post(lists::check_submit),
        )
        .route(
            "/rewards/lists/{id}/rows/{member}/notice",
            post(lists::notice_submit),
        )
        .route("/rewards/at-threshold", get(lists::at_threshold_page))
        .route("/rewards/at-threshold.csv", get(lists::at_threshold_csv))
        .route("/rewards/at-threshold.xlsx", get(lists::at_threshold_xlsx))
        .route(
            "/rewards/slips",
            get(slips::slips_page).post(slips::slip_submit),
        )
        .route("/rewards/slips.csv", get(slips::slips_csv))
        .route("/rewards/slips.xlsx", get(slips::slips_xlsx))
        .route("/rewards/slips/new", get(slips::slip_new))
        .route("/rewards/slips/{no}", get(slips::slip_page))
        .route("/rewards/slips/{no}/extend", post(slips::extend_submit))
        .route(
            "/rewards/slips/{no}/follow-ups",
            post(slips::follow_up_submit),
        )
        .route(
            "/rewards/claim",
            get(claim::claim_page).post(claim::claim_submit),
        )
        .route("/rewards/follow-up", get(slips::follow_up_page))
        .route(
            "/admin/rewards",
            get(admin::settings_page).post(admin::settings_submit),
        )
        .merge(print::router())
}
