//! Console pages of callbacks: one customer's log with the form (`/customers/{id}/callbacks`),
//! everyone's log with filters, exports and the printed 客户回访登记本 (`/customers/callbacks`),
//! the overdue list (`/customers/callbacks/overdue`), the open escalations
//! (`/customers/escalations`) and the holiday campaigns (`/customers/campaigns`).

mod campaigns;
mod escalations;
mod log;
mod overdue;

use axum::Router;
use axum::routing::{get, post};

use crate::kernel::ctx::App;

pub fn router() -> Router<App> {
    Router::new()
        .route(
            "/customers/{id}/callbacks",
            get(log::customer_page).post(log::callback_submit),
        )
        .route("/customers/callbacks", get(log::log_page))
        .route("/customers/callbacks.csv", get(log::log_csv))
        .route("/customers/callbacks.xlsx", get(log::log_xlsx))
        .route("/customers/callbacks/print", get(log::log_print))
        .route("/customers/callbacks/overdue", get(overdue::overdue_page))
        .route(
            "/customers/callbacks/overdue.csv",
            get(overdue::overdue_csv),
        )
        .route(
            "/customers/callbacks/overdue.xlsx",
            get(overdue::overdue_xlsx),
        )
        .route("/customers/escalations", get(escalations::escalations_page))
        .route(
            "/customers/escalations.csv",
            get(escalations::escalations_csv),
        )
        .route(
            "/customers/escalations.xlsx",
            get(escalations::escalations_xlsx),
        )
        .route(
            "/customers/escalations/{id}/answer",
            post(escalations::answer_submit),
        )
        .route(
            "/customers/campaigns",
            get(campaigns::campaigns_page).post(campaigns::build_submit),
        )
        .route("/customers/campaigns/{id}", get(campaigns::campaign_page))
        .route(
            "/customers/campaigns/{id}/calls.csv",
            get(campaigns::calls_csv),
        )
        .route(
            "/customers/campaigns/{id}/calls.xlsx",
            get(campaigns::calls_xlsx),
        )
}
