//! Console pages of complaints: the board of open cases with the intake form and the fragment it
//! refreshes itself from (`board.rs`), one case with its steps (`case.rs`), the case library and
//! the monthly analysis with chart, print and xlsx (`analysis.rs`), and the manager's settings
//! and departments (`admin.rs`).

mod admin;
mod analysis;
mod board;
mod case;

use axum::Router;
use axum::routing::{get, post};

use crate::kernel::ctx::App;

pub fn router() -> Router<App> {
    Router::new()
        .route(
            "/complaints",
            get(board::board_page).post(board::take_submit),
        )
        .route("/complaints/board", get(board::board_fragment))
        .route("/complaints/member/{member}", get(board::member_fragment))
        .route("/complaints/library", get(analysis::library_page))
        .route("/complaints/analysis", get(analysis::analysis_page))
        .route("/complaints/analysis.xlsx", get(analysis::analysis_xlsx))
        .route("/complaints/analysis/print", get(analysis::analysis_print))
        .route("/complaints/{id}", get(case::case_page))
        .route("/complaints/{id}/{step}", post(case::step_submit))
        .route("/admin/complaints", get(admin::settings_page))
        .route("/admin/complaints/settings", post(admin::settings_submit))
        .route(
            "/admin/complaints/departments",
            post(admin::department_submit),
        )
}
