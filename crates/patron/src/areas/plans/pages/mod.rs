//! Console pages of plans and targets: one's own plans and summaries (`mine.rs`), the team view
//! (`team.rs`), and the targets board with its chart, form, exports and print (`targets.rs`).

mod mine;
mod targets;
mod team;

use axum::Router;
use axum::routing::{get, post};

use crate::kernel::ctx::App;

pub fn router() -> Router<App> {
    Router::new()
        .route("/plans", get(mine::mine_page))
        .route("/plans/team", get(team::team_page))
        .route("/plans/team.csv", get(team::team_csv))
        .route("/plans/team.xlsx", get(team::team_xlsx))
        .route(
            "/plans/team/{staff}/{period}/{date}",
            get(team::member_page),
        )
        .route("/plans/{period}/{date}", get(mine::period_page))
        .route("/plans/{period}/{date}/plan", post(mine::plan_submit))
        .route("/plans/{period}/{date}/summary", post(mine::summary_submit))
        .route(
            "/targets",
            get(targets::board_page).post(targets::set_submit),
        )
        .route("/targets.csv", get(targets::board_csv))
        .route("/targets.xlsx", get(targets::board_xlsx))
        .route("/targets/print", get(targets::board_print))
}
