//! The team view for reviewers: each person's plan and summary of a period, the month's missing
//! and late daily papers, exports, and reading one person's period.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Response};
use patron_core::Permission;
use serde::Deserialize;

use super::mine::period_response;
use crate::areas::plans::{self, Period, TeamView};
use crate::kernel::stores::StoreInfo;
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::Console;
use crate::web::forms::{Reshow, bad_parameter, date_param, store_choice};
use crate::web::layout::Page;

#[derive(Deserialize, Default)]
pub struct TeamQuery {
    pub store: Option<String>,
    pub period: Option<String>,
    pub date: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "plans/team.html")]
struct TeamPage {
    page: Page,
    store: StoreInfo,
    stores: Vec<StoreInfo>,
    v: TeamView,
    query: String,
}

impl TeamPage {
    fn periods(&self) -> [Period; 3] {
        Period::ALL
    }
}

async fn load(
    c: &Console,
    q: &TeamQuery,
) -> Result<(StoreInfo, Vec<StoreInfo>, TeamView), Response> {
    let (store, stores) = store_choice(c, q.store.as_deref(), Permission::ReviewPlans).await?;
    let period = match q.period.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => Period::Day,
        Some(p) => Period::parse(p)
            .ok_or_else(|| bad_parameter("error.param.period", p).into_response())?,
    };
    let date = date_param(q.date.as_deref(), c.ctx.today_at(&store))
        .map_err(IntoResponse::into_response)?;
    let v = plans::team_view(&c.ctx, &store, period, date)
        .await
        .map_err(|e| AppError::from(e).into_response())?;
    Ok((store, stores, v))
}

pub(super) async fn team_page(c: Console, Query(q): Query<TeamQuery>) -> Response {
    let (store, stores, v) = match load(&c, &q).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let query = format!(
        "store={}&period={}&date={}",
        store.code,
        v.period.code(),
        v.starts_on
    );
    TeamPage {
        page: Page::console(&c, "plans.team_title"),
        store,
        stores,
        v,
        query,
    }
    .into_response()
}

fn team_table(page: &Page, v: &TeamView) -> Table {
    let data = v
        .rows
        .iter()
        .map(|r| {
            vec![
                Cell::from(r.member.display_name.as_str()),
                Cell::from(page.t(&format!("plans.period.{}", v.period.code()))),
                Cell::from(v.starts_on),
                Cell::from(page.t(&format!("plans.standing.{}", r.plan))),
                Cell::from(page.t(&format!("plans.standing.{}", r.summary))),
                Cell::from(r.tally.plans_missing),
                Cell::from(r.tally.plans_late),
                Cell::from(r.tally.summaries_missing),
                Cell::from(r.tally.summaries_late),
            ]
        })
        .collect();
    Table::new(
        "plans-team",
        page,
        &[
            "plans.person",
            "plans.period",
            "plans.starts_on",
            "plans.plan",
            "plans.summary",
            "plans.tally.plans_missing",
            "plans.tally.plans_late",
            "plans.tally.summaries_missing",
            "plans.tally.summaries_late",
        ],
        data,
    )
}

async fn team_export(c: Console, q: TeamQuery, format: ExportFormat) -> Response {
    let (_, _, v) = match load(&c, &q).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let page = Page::console(&c, "plans.team_title");
    export::respond(&team_table(&page, &v), format).unwrap_or_else(IntoResponse::into_response)
}

pub(super) async fn team_csv(c: Console, Query(q): Query<TeamQuery>) -> Response {
    team_export(c, q, ExportFormat::Csv).await
}

pub(super) async fn team_xlsx(c: Console, Query(q): Query<TeamQuery>) -> Response {
    team_export(c, q, ExportFormat::Xlsx).await
}

/// One team member's period, read only.
pub(super) async fn member_page(
    c: Console,
    Path((staff, period, date)): Path<(i64, String, String)>,
) -> Result<Response, AppError> {
    let v = plans::period_view(&c.ctx, Some(staff), &period, &date).await?;
    let own = c.staff().id == staff;
    let page = Page::console(&c, "plans.period_title");
    Ok(period_response(page, v, own, Reshow::default()))
}
