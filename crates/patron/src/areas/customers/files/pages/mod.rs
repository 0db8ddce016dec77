//! Console pages of customer files: the lists (mine, everyone's, the shared pool) with exports,
//! the new-customer form, one customer's file with its forms, the managers' balance view and the
//! settings of the pool and the callback cadence; the import of customers from a file.
//!
//! `mod.rs` is the router; one file per screen group.

mod file;
mod import;
mod list;
mod manage;

use axum::Router;
use axum::routing::{get, post};

use crate::kernel::ctx::App;

pub fn router() -> Router<App> {
    Router::new()
        .route("/customers", get(list::list_page))
        .route("/customers.csv", get(list::list_csv))
        .route("/customers.xlsx", get(list::list_xlsx))
        .route("/customers/pool", get(list::pool_page))
        .route(
            "/customers/import",
            get(import::import_page)
                .post(import::import_submit)
                .layer(axum::extract::DefaultBodyLimit::max(256 * 1024 * 1024)),
        )
        .route(
            "/customers/import/template.csv",
            get(import::import_template),
        )
        .route("/customers/new", get(file::new_page).post(file::new_submit))
        .route(
            "/customers/balance",
            get(manage::balance_page).post(manage::balance_submit),
        )
        .route("/customers/balance.csv", get(manage::balance_csv))
        .route("/customers/balance.xlsx", get(manage::balance_xlsx))
        .route("/customers/{id}", get(file::file_page))
        .route("/customers/{id}/edit", post(file::edit_submit))
        .route("/customers/{id}/contacts", post(file::contact_submit))
        .route(
            "/customers/{id}/contacts/{contact}/phone",
            post(file::phone_submit),
        )
        .route("/customers/{id}/claim", post(list::claim_submit))
        .route("/customers/{id}/reassign", post(file::reassign_submit))
        .route(
            "/admin/customers",
            get(manage::settings_page).post(manage::settings_submit),
        )
}
