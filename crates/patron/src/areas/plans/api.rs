//! JSON routes of plans and targets, for scripts with an API token (acting as their owner): one's
//! own plan and summary of a period, and a store's month of targets against actuals.

use axum::Json;
use axum::extract::{Path, Query};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Board, Paper, PeriodView, PlanIn, SummaryIn, TargetsIn};
use crate::kernel::ctx::App;
use crate::web::error::AppError;
use crate::web::extract::ApiCaller;
use crate::web::json::ApiJson;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(show_period))
        .routes(routes!(put_plan))
        .routes(routes!(put_summary))
        .routes(routes!(show_targets, put_targets))
}

/// One's own period: its plan and summary, when each is due and how each stands.
#[derive(Serialize, ToSchema)]
#[schema(as = plans::PeriodOut)]
pub struct PeriodOut {
    /// `day`, `week` or `month`.
    pub period: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub plan_due: DateTime<Utc>,
    pub summary_due: DateTime<Utc>,
    /// `on_time`, `late`, `missing`, `open` (not yet due) or `rest` (no working day).
    pub plan_standing: String,
    pub summary_standing: String,
    pub plan: Option<Paper>,
    pub summary: Option<Paper>,
    /// What the last summary carried into this plan.
    pub carried: Vec<String>,
}

impl From<PeriodView> for PeriodOut {
    fn from(v: PeriodView) -> Self {
        PeriodOut {
            period: v.period.code().into(),
            starts_on: v.starts_on,
            ends_on: v.ends_on,
            plan_due: v.dues.plan_due,
            summary_due: v.dues.summary_due,
            plan_standing: v.plan_standing.into(),
            summary_standing: v.summary_standing.into(),
            plan: v.plan,
            summary: v.summary,
            carried: v.carried,
        }
    }
}

/// One's own plan and summary of the `period` (`day`, `week`, `month`) containing `date`.
#[utoipa::path(get, path = "/plans/{period}/{date}", tag = "plans",
    responses(
        (status = 200, body = PeriodOut, description = "The period"),
        (status = 403),
        (status = 422, description = "`validation`: `period` or `date` not understood"),
    ), security(("bearer" = [])))]
async fn show_period(
    ApiCaller(ctx): ApiCaller,
    Path((period, date)): Path<(String, String)>,
) -> Result<Json<PeriodOut>, AppError> {
    Ok(Json(
        super::period_view(&ctx, None, &period, &date).await?.into(),
    ))
}

/// Writes (or rewrites) one's plan of a period; lateness is fixed by the first write.
#[utoipa::path(put, path = "/plans/{period}/{date}/plan", tag = "plans", request_body = PlanIn,
    responses(
        (status = 200, body = PeriodOut, description = "The period with its plan"),
        (status = 403),
        (status = 422, description = "`validation`: `items` empty or too long"),
    ), security(("bearer" = [])))]
async fn put_plan(
    ApiCaller(ctx): ApiCaller,
    Path((period, date)): Path<(String, String)>,
    ApiJson(body): ApiJson<PlanIn>,
) -> Result<Json<PeriodOut>, AppError> {
    Ok(Json(
        super::write_plan(&ctx, &period, &date, &body).await?.into(),
    ))
}

/// Writes (or rewrites) one's summary of a period that has begun, marking the plan's items.
#[utoipa::path(put, path = "/plans/{period}/{date}/summary", tag = "plans", request_body = SummaryIn,
    responses(
        (status = 200, body = PeriodOut, description = "The period with its summary"),
        (status = 403),
        (status = 422, description = "`validation`: the period has not begun (`date`), or nothing written (`notes`)"),
    ), security(("bearer" = [])))]
async fn put_summary(
    ApiCaller(ctx): ApiCaller,
    Path((period, date)): Path<(String, String)>,
    ApiJson(body): ApiJson<SummaryIn>,
) -> Result<Json<PeriodOut>, AppError> {
    Ok(Json(
        super::write_summary(&ctx, &period, &date, &body)
            .await?
            .into(),
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct TargetsQuery {
    /// `YYYY-MM` (default: this month).
    pub month: Option<String>,
    /// A store code (default: the caller's first).
    pub store: Option<String>,
}

/// A store's month: targets against actuals (live, or as frozen at the month's end).
#[utoipa::path(get, path = "/targets", tag = "plans", params(TargetsQuery),
    responses(
        (status = 200, body = Board, description = "Targets and actuals"),
        (status = 403),
        (status = 422, description = "`validation`: `month` or `store` not understood"),
    ), security(("bearer" = [])))]
async fn show_targets(
    ApiCaller(ctx): ApiCaller,
    Query(q): Query<TargetsQuery>,
) -> Result<Json<Board>, AppError> {
    Ok(Json(
        super::targets::board_at(&ctx, q.store.as_deref(), q.month.as_deref()).await?,
    ))
}

/// Sets a month's targets of a department (`staff` empty) or of a person (their user name).
#[utoipa::path(put, path = "/targets", tag = "plans", request_body = TargetsIn,
    responses(
        (status = 200, body = Board, description = "The month with the targets set"),
        (status = 403),
        (status = 409, description = "`targets_frozen`: the month is frozen"),
        (status = 422, description = "`validation`: a bad month, store, person or value"),
    ), security(("bearer" = [])))]
async fn put_targets(
    ApiCaller(ctx): ApiCaller,
    ApiJson(body): ApiJson<TargetsIn>,
) -> Result<Json<Board>, AppError> {
    super::set_targets(&ctx, &body).await?;
    Ok(Json(
        super::targets::board_at(&ctx, Some(&body.store_code), Some(&body.month)).await?,
    ))
}
