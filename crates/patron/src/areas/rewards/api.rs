//! JSON routes of the reward desk (API tokens): the month-end list, 核分 and notices, slips,
//! claims, extensions and follow-ups. The same use cases as the console pages.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::lists::{self, Check, ListRow, ListSummary, NoticeIn};
use super::slips::{self, ClaimIn, ClaimOut, ExtendIn, FollowUpIn, SlipIn, SlipOut};
use crate::kernel::ctx::App;
use crate::web::error::AppError;
use crate::web::extract::ApiCaller;
use crate::web::json::{ApiJson, NoBody};

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(month_end))
        .routes(routes!(list_rows))
        .routes(routes!(check))
        .routes(routes!(notice))
        .routes(routes!(issue))
        .routes(routes!(claim))
        .routes(routes!(extend))
        .routes(routes!(follow_up))
}

#[derive(Serialize, ToSchema)]
#[schema(as = rewards::Done)]
pub struct Done {
    pub ok: bool,
}

#[derive(Deserialize, ToSchema)]
#[schema(examples(json!({"date": "2026-09-30"})))]
pub struct MonthEndIn {
    /// A business date (YYYY-MM-DD): the list is of cards expiring in the month after it.
    pub date: String,
}

/// Build (once) the month-end list of cards expiring next month at a threshold (D2).
#[utoipa::path(post, path = "/rewards/month-end", tag = "rewards", request_body = MonthEndIn,
    responses(
        (status = 200, body = ListSummary, description = "The list (built once: a repeat answers the same list)"),
        (status = 403),
        (status = 422),
    ), security(("bearer" = [])))]
async fn month_end(
    ApiCaller(ctx): ApiCaller,
    ApiJson(body): ApiJson<MonthEndIn>,
) -> Result<Json<ListSummary>, AppError> {
    let date = NaiveDate::parse_from_str(body.date.trim(), "%Y-%m-%d")
        .map_err(|_| crate::kernel::validation::Invalid::one("date", "reward.invalid.date"))?;
    Ok(Json(lists::build_month_end(&ctx, date).await?))
}

/// The rows of a stored list with their 核分 and notice.
#[utoipa::path(get, path = "/rewards/lists/{id}/rows", tag = "rewards",
    responses(
        (status = 200, body = Vec<ListRow>, description = "The rows"),
        (status = 403),
        (status = 422, description = "`validation`: `id` is not a number"),
    ), security(("bearer" = [])))]
async fn list_rows(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
) -> Result<Json<Vec<ListRow>>, AppError> {
    ctx.require(patron_core::Permission::ViewRewards)?;
    Ok(Json(lists::rows(ctx.db(), id, None).await?))
}

/// 核分: verify a listed member's points against the ledger; the outcome is recorded.
#[utoipa::path(post, path = "/rewards/lists/{id}/rows/{member_id}/check", tag = "rewards",
    responses(
        (status = 200, body = Check, description = "The outcome, recorded"),
        (status = 403),
        (status = 404),
        (status = 422, description = "`validation`: an id is not a number"),
    ), security(("bearer" = [])))]
async fn check(
    ApiCaller(ctx): ApiCaller,
    Path((id, member_id)): Path<(i64, i64)>,
    _: NoBody,
) -> Result<Json<Check>, AppError> {
    Ok(Json(lists::verify(&ctx, id, member_id).await?))
}

/// Record the notice to a listed member (after a 核分 that agreed).
#[utoipa::path(post, path = "/rewards/lists/{id}/rows/{member_id}/notice", tag = "rewards",
    request_body = NoticeIn, responses(
        (status = 200, body = Done, description = "Recorded"),
        (status = 403),
        (status = 404),
        (status = 409, description = "`conflict`: the points were not verified (核分) first"),
        (status = 422),
    ), security(("bearer" = [])))]
async fn notice(
    ApiCaller(ctx): ApiCaller,
    Path((id, member_id)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<NoticeIn>,
) -> Result<Json<Done>, AppError> {
    lists::record_notice(&ctx, id, member_id, &body).await?;
    Ok(Json(Done { ok: true }))
}

/// Make a reward slip: ID checked, points taken in the same transaction.
#[utoipa::path(post, path = "/rewards/slips", tag = "rewards", request_body = SlipIn,
    responses(
        (status = 201, body = SlipOut, description = "The slip; the points are taken"),
        (status = 403),
        (status = 422, description = "`validation` or `insufficient_points`"),
    ), security(("bearer" = [])))]
async fn issue(
    ApiCaller(ctx): ApiCaller,
    ApiJson(body): ApiJson<SlipIn>,
) -> Result<Response, AppError> {
    let out = slips::issue(&ctx, &body).await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// Claim the gift against a slip at the reward desk (once).
#[utoipa::path(post, path = "/rewards/claims", tag = "rewards", request_body = ClaimIn,
    responses(
        (status = 200, body = ClaimOut, description = "Claimed"),
        (status = 403),
        (status = 409, description = "`conflict` (claimed already, or expired) or `out_of_stock`"),
        (status = 422),
    ), security(("bearer" = [])))]
async fn claim(
    ApiCaller(ctx): ApiCaller,
    ApiJson(body): ApiJson<ClaimIn>,
) -> Result<Json<ClaimOut>, AppError> {
    Ok(Json(slips::claim(&ctx, &body).await?))
}

/// Extend an unclaimed slip (manager).
#[utoipa::path(post, path = "/rewards/slips/{slip_no}/extend", tag = "rewards", request_body = ExtendIn,
    responses(
        (status = 200, body = Done, description = "Extended"),
        (status = 403),
        (status = 404),
        (status = 409, description = "`conflict`: the slip is not unclaimed, or changed meanwhile"),
        (status = 422),
    ), security(("bearer" = [])))]
async fn extend(
    ApiCaller(ctx): ApiCaller,
    Path(slip_no): Path<String>,
    ApiJson(body): ApiJson<ExtendIn>,
) -> Result<Json<Done>, AppError> {
    slips::extend(&ctx, &slip_no, &body).await?;
    Ok(Json(Done { ok: true }))
}

/// Record a follow-up of an unclaimed slip.
#[utoipa::path(post, path = "/rewards/slips/{slip_no}/follow-ups", tag = "rewards", request_body = FollowUpIn,
    responses(
        (status = 200, body = Done, description = "Recorded"),
        (status = 403),
        (status = 404),
        (status = 409, description = "`conflict`: the slip is not unclaimed"),
        (status = 422),
    ), security(("bearer" = [])))]
async fn follow_up(
    ApiCaller(ctx): ApiCaller,
    Path(slip_no): Path<String>,
    ApiJson(body): ApiJson<FollowUpIn>,
) -> Result<Json<Done>, AppError> {
    slips::follow_up(&ctx, &slip_no, &body).await?;
    Ok(Json(Done { ok: true }))
}
