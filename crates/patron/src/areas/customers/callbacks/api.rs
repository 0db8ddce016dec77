//! JSON routes of callbacks. The fixed ones (`api/care.md`): `POST /customers/{id}/callbacks`,
//! `GET /customers/callbacks/overdue`, `GET /customers/holiday-calls`. Besides: the open
//! escalations and answering one, and building a holiday campaign at once.

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::campaigns::{self, HolidayCalls};
use super::escalations;
use super::log::{self, CallbackIn, Logged};
use super::overdue::{self, OverdueOut};
use crate::kernel::ctx::App;
use crate::web::error::AppError;
use crate::web::extract::ApiCaller;
use crate::web::json::ApiJson;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(log_callback))
        .routes(routes!(overdue_list))
        .routes(routes!(holiday_calls))
        .routes(routes!(build_campaign))
        .routes(routes!(open_escalations))
        .routes(routes!(answer_escalation))
}

/// Log a callback of a customer (客户回访登记本): its owner, or a manager who assigns customers.
/// A repeat with the same `key` (or `Idempotency-Key` header) logs nothing more and answers the
/// first callback.
#[utoipa::path(post, path = "/customers/{id}/callbacks", tag = "customers", request_body = CallbackIn,
    operation_id = "customers_log_callback",
    params(("id" = i64, Path, description = "The customer's id")),
    responses(
        (status = 201, body = Logged, description = "Logged; the customer's last contact moved, an escalation raised when asked"),
        (status = 403, description = "`forbidden`, or `not_customer_owner`: someone else owns the customer"),
        (status = 404, description = "`not_found`: no such active customer"),
        (status = 409, description = "`customer_in_pool`: claim the customer first; `conflict`: the key was used for another customer"),
        (status = 422, description = "`validation`, naming each bad field"),
    ), security(("bearer" = [])))]
async fn log_callback(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
    headers: HeaderMap,
    ApiJson(mut body): ApiJson<CallbackIn>,
) -> Result<Response, AppError> {
    if body.key.trim().is_empty()
        && let Some(k) = headers.get("idempotency-key").and_then(|v| v.to_str().ok())
    {
        body.key = k.to_owned();
    }
    let out = log::log_callback(&ctx, id, &body).await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// Every active owned customer not called back within its grade's cadence (default 14 days),
/// longest-waiting first: the caller's own, or everyone's for a manager who assigns customers.
#[utoipa::path(get, path = "/customers/callbacks/overdue", tag = "customers",
    operation_id = "customers_overdue",
    responses(
        (status = 200, body = Vec<OverdueOut>, description = "The overdue customers"),
        (status = 403),
    ), security(("bearer" = [])))]
async fn overdue_list(ApiCaller(ctx): ApiCaller) -> Result<Json<Vec<OverdueOut>>, AppError> {
    Ok(Json(overdue::overdue(&ctx).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct HolidayQuery {
    /// `new_year`, `womens_day`, `mid_autumn`, `national_day` or `spring_festival`.
    #[serde(default)]
    pub festival: String,
    /// The festival's Gregorian year.
    #[serde(default)]
    pub year: String,
}

/// The holiday call list of a festival (built by the daily job 22 days before it, or by a
/// manager): who calls whom on which day, over the week that starts 15 days before the
/// festival. Builds nothing.
#[utoipa::path(get, path = "/customers/holiday-calls", tag = "customers", params(HolidayQuery),
    operation_id = "customers_holiday_calls",
    responses(
        (status = 200, body = HolidayCalls, description = "The festival's date and the calls"),
        (status = 403),
        (status = 404, description = "`campaign_not_built`: no campaign for that festival and year yet"),
        (status = 422, description = "`validation`: `festival` is not a campaign festival, or `year` is not a year"),
    ), security(("bearer" = [])))]
async fn holiday_calls(
    ApiCaller(ctx): ApiCaller,
    Query(q): Query<HolidayQuery>,
) -> Result<Json<HolidayCalls>, AppError> {
    Ok(Json(
        campaigns::holiday_calls(&ctx, &q.festival, &q.year).await?,
    ))
}

/// Which campaign to build.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = customers::CampaignIn, examples(json!({"festival": "mid_autumn", "year": 2027})))]
pub struct CampaignIn {
    #[serde(default)]
    pub festival: String,
    pub year: i32,
}

/// A campaign as built.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = customers::CampaignBuilt)]
pub struct CampaignOut {
    pub id: i64,
    /// False: it had been built before; nothing changed.
    pub new: bool,
    pub festival_date: NaiveDate,
    pub calls: usize,
}

/// Build a festival's holiday campaign now (a manager; idempotent: once per festival and year).
#[utoipa::path(post, path = "/customers/campaigns", tag = "customers", request_body = CampaignIn,
    operation_id = "customers_build_campaign",
    responses(
        (status = 201, body = CampaignOut, description = "Built (or as built before)"),
        (status = 403),
        (status = 422, description = "`validation`: `festival` or `year`"),
    ), security(("bearer" = [])))]
async fn build_campaign(
    ApiCaller(ctx): ApiCaller,
    ApiJson(body): ApiJson<CampaignIn>,
) -> Result<Response, AppError> {
    let code = campaigns::festival_code(&body.festival)
        .map_err(crate::areas::customers::CustomersError::from)?;
    let built = campaigns::build(&ctx, code, body.year).await?;
    let view = campaigns::view(&ctx, built.campaign_id).await?;
    Ok((
        StatusCode::CREATED,
        Json(CampaignOut {
            id: built.campaign_id,
            new: built.new,
            festival_date: view.campaign.festival_date,
            calls: view.calls.len(),
        }),
    )
        .into_response())
}

/// An escalated problem.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = customers::Escalation)]
pub struct EscalationOut {
    pub id: i64,
    pub customer_id: i64,
    pub customer: String,
    pub problem: String,
    pub raised_by: String,
    pub due_on: NaiveDate,
}

/// The open escalations, by due date (a manager who assigns customers).
#[utoipa::path(get, path = "/customers/escalations", tag = "customers",
    operation_id = "customers_escalations",
    responses(
        (status = 200, body = Vec<EscalationOut>, description = "Open escalations"),
        (status = 403),
    ), security(("bearer" = [])))]
async fn open_escalations(ApiCaller(ctx): ApiCaller) -> Result<Json<Vec<EscalationOut>>, AppError> {
    let (open, _) = escalations::list(&ctx).await?;
    Ok(Json(
        open.into_iter()
            .map(|e| EscalationOut {
                id: e.id,
                customer_id: e.customer_id,
                customer: e.customer_name,
                problem: e.problem,
                raised_by: e.raised_by,
                due_on: e.due_on,
            })
            .collect(),
    ))
}

/// A manager's answer.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = customers::AnswerIn, examples(json!({"answer": "同意按九五折报价，周五前回复客户"})))]
pub struct AnswerIn {
    #[serde(default)]
    pub answer: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = customers::Answered)]
pub struct Answered {
    pub ok: bool,
}

/// Answer an escalated problem (once; audited).
#[utoipa::path(post, path = "/customers/escalations/{id}/answer", tag = "customers", request_body = AnswerIn,
    operation_id = "customers_answer_escalation",
    params(("id" = i64, Path, description = "The escalation's id")),
    responses(
        (status = 200, body = Answered, description = "Answered"),
        (status = 403),
        (status = 404),
        (status = 409, description = "`conflict`: answered already"),
        (status = 422, description = "`validation`: `answer` is required"),
    ), security(("bearer" = [])))]
async fn answer_escalation(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<AnswerIn>,
) -> Result<Json<Answered>, AppError> {
    escalations::answer(&ctx, id, &body.answer).await?;
    Ok(Json(Answered { ok: true }))
}
