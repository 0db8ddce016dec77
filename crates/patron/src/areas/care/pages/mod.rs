//! Console pages of care: the advisor's calls (`/care`, `/care/tasks/{id}`), everyone's open
//! calls and the figures for managers (`/care/team`, `/care/figures`), a member's care page
//! with advisor and schedules (`/care/members/{id}`), the top-member file and its print view
//! (`/care/members/{id}/file`, `…/file/print`), the reception and service desk log
//! (`/care/receptions`), and the settings (`/admin/care`).

mod manage;
mod member;
mod receptions;
mod tasks;

use axum::Router;
use axum::routing::{get, post};

use crate::kernel::ctx::App;

pub fn router() -> Router<App> {
    Router::new()
        .route("/care", get(tasks::tasks_page))
        .route(
            "/care/tasks/{id}",
            get(tasks::task_page).post(tasks::complete_submit),
        )
        .route("/care/team", get(tasks::team_page))
        .route("/care/find", get(member::find))
        .route("/care/members/{id}", get(member::member_page))
        .route("/care/members/{id}/advisor", post(member::advisor_submit))
        .route("/care/members/{id}/file", get(member::file_page))
        .route("/care/members/{id}/file/print", get(member::file_print))
        .route("/care/schedules/{id}/cancel", post(member::cancel_submit))
        .route(
            "/care/receptions",
            get(receptions::list_page).post(receptions::record_submit),
        )
        .route("/care/receptions.csv", get(receptions::list_csv))
        .route("/care/receptions.xlsx", get(receptions::list_xlsx))
        .route("/care/receptions/print", get(receptions::list_print))
        .route("/care/figures", get(manage::figures_page))
        .route("/care/figures.csv", get(manage::figures_csv))
        .route("/care/figures.xlsx", get(manage::figures_xlsx))
        .route(
            "/admin/care",
            get(manage::settings_page).post(manage::settings_submit),
        )
}
