//! The reports' pages: `/reports` (the reports the reader may open, with the other areas'
//! reports linked), `/reports/{name}` (filters, chart, table; CSV, xlsx and an A4 print view with
//! the header row repeated on every page), the members of an RFM segment with their background
//! export and its progress, their invitation to an event (`invite.rs`), and `/admin/reports`
//! (the RFM window and breakpoints).

mod exports;
mod invite;
mod report;
mod settings;

use axum::Router;
use axum::routing::{get, post};

use crate::kernel::ctx::App;

pub fn router() -> Router<App> {
    Router::new()
        .route("/reports", get(report::index))
        .route("/reports/exports", get(exports::list_page))
        .route("/reports/exports/{id}", get(exports::export_page))
        .route("/reports/exports/{id}/progress", get(exports::progress))
        .route("/reports/exports/{id}/file", get(exports::download))
        .route("/reports/rfm/{segment}", get(exports::segment_page))
        .route(
            "/reports/rfm/{segment}/export",
            post(exports::export_submit),
        )
        .route("/reports/rfm/{segment}/invite", post(invite::invite_submit))
        .route("/reports/{name}", get(report::report_page))
        .route("/reports/{name}/file", get(report::report_file))
        .route("/reports/{name}/print", get(report::report_print))
        .route("/admin/reports", get(settings::settings_page))
        .route("/admin/reports", post(settings::settings_submit))
        .route("/admin/reports/refresh", post(settings::refresh_submit))
}
