//! Console and portal pages of this area: the partner list (filters, exports, print), one
//! partner's file (history, contract, documents, scanned contract files, callbacks, print), the
//! callbacks due and the callback log, and the portal's list of active partners with their
//! member benefits.
//!
//! Forms are read as plain maps; a refused one is re-shown with its input and the messages in
//! the user's language, status 422.
//!
//! `mod.rs` is the router and the form re-show the screens share; one file per screen group.

mod callbacks;
mod list;
mod partner;
mod portal;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::kernel::ctx::App;

pub fn router() -> Router<App> {
    Router::new()
        .route("/partners", get(list::list_page).post(list::create_submit))
        .route("/partners.csv", get(list::list_csv))
        .route("/partners.xlsx", get(list::list_xlsx))
        .route("/partners/print", get(list::list_print))
        .route("/partners/callbacks", get(callbacks::callbacks_page))
        .route("/partners/callbacks.csv", get(callbacks::callbacks_csv))
        .route("/partners/callbacks.xlsx", get(callbacks::callbacks_xlsx))
        .route("/partners/{id}", get(partner::partner_page))
        .route("/partners/{id}/print", get(partner::partner_print))
        .route("/partners/{id}/stage", post(partner::stage_submit))
        .route("/partners/{id}/contracts", post(partner::contract_submit))
        .route("/partners/{id}/documents", post(partner::document_submit))
        .route("/partners/{id}/callbacks", post(partner::callback_submit))
        .route(
            "/partners/{id}/files",
            post(partner::file_submit).layer(DefaultBodyLimit::max(
                crate::areas::partners::files::MAX_FILE_BYTES + 256 * 1024,
            )),
        )
        .route("/partners/files/{file}", get(partner::file_download))
        .route("/partners/{id}/phone", post(partner::phone_submit))
        .route("/portal/partners", get(portal::portal_page))
}
