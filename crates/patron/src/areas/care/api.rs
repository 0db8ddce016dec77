//! JSON routes of care. The fixed one (`api/care.md`): `GET /members/{card_no}/care-tasks`.
//! Besides: the caller's open calls, completing a call, setting a member's advisor, and
//! recording a reception or desk service.

use axum::Json;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::receptions::{self, ReceptionIn};
use super::store::receptions::ReceptionRow;
use super::tasks::{self, CareTaskOut, CompleteIn, TaskOut};
use super::{CareError, advisors, store};
use crate::kernel::ctx::App;
use crate::web::error::AppError;
use crate::web::extract::ApiCaller;
use crate::web::json::ApiJson;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(care_tasks))
        .routes(routes!(my_tasks))
        .routes(routes!(complete_task))
        .routes(routes!(set_advisor))
        .routes(routes!(record_reception))
}

/// A member's care steps (SPEC J2): every step of each of the member's care schedules — the
/// tasks the due ones became and the ones still to come — in the order they fall due.
#[utoipa::path(get, path = "/members/{card_no}/care-tasks", tag = "care",
    operation_id = "care_member_tasks",
    params(("card_no" = String, Path, description = "The member's card number")),
    responses(
        (status = 200, body = Vec<CareTaskOut>, description = "The member's care steps"),
        (status = 403),
        (status = 404, description = "`member_not_found`: no active member has this card"),
    ), security(("bearer" = [])))]
async fn care_tasks(
    ApiCaller(ctx): ApiCaller,
    Path(card_no): Path<String>,
) -> Result<Json<Vec<CareTaskOut>>, AppError> {
    Ok(Json(tasks::of_card(&ctx, &card_no).await?))
}

/// An open call as listed for its advisor.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = care::OpenTask)]
pub struct OpenTaskOut {
    pub id: i64,
    pub step: String,
    pub due_at: chrono::DateTime<chrono::Utc>,
    pub card_no: Option<String>,
    pub member_name: String,
}

/// The caller's open calls: those of the members whose advisor they are now, the oldest due
/// first (today's and overdue: a call exists only once it is due).
#[utoipa::path(get, path = "/care/tasks", tag = "care", operation_id = "care_my_tasks",
    responses(
        (status = 200, body = Vec<OpenTaskOut>, description = "The caller's open calls"),
        (status = 403),
    ), security(("bearer" = [])))]
async fn my_tasks(ApiCaller(ctx): ApiCaller) -> Result<Json<Vec<OpenTaskOut>>, AppError> {
    let rows = tasks::mine(&ctx).await?;
    Ok(Json(
        rows.into_iter()
            .map(|t| OpenTaskOut {
                id: t.id,
                step: t.step,
                due_at: t.due_at,
                card_no: t.card_no,
                member_name: t.member_name,
            })
            .collect(),
    ))
}

/// Record a call done with its outcome (`reached` / `not_reached`, remarks): the member's
/// current advisor, or a manager of care at the member's store.
#[utoipa::path(post, path = "/care/tasks/{id}/complete", tag = "care", request_body = CompleteIn,
    operation_id = "care_complete_task",
    params(("id" = i64, Path, description = "The task's id")),
    responses(
        (status = 200, body = TaskOut, description = "The call, done"),
        (status = 403, description = "`forbidden`, or `not_member_advisor`: the caller is not the member's advisor"),
        (status = 404, description = "`not_found`"),
        (status = 409, description = "`care_task_closed`: done or closed already; nothing changed"),
        (status = 422, description = "`validation`, naming each bad field"),
    ), security(("bearer" = [])))]
async fn complete_task(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CompleteIn>,
) -> Result<Json<TaskOut>, AppError> {
    Ok(Json(tasks::complete(&ctx, id, &body).await?))
}

/// Who becomes a member's advisor.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = care::AdvisorIn, examples(json!({"advisor": "wang.li", "reason": "原顾问调岗"})))]
pub struct AdvisorIn {
    /// The staff member's user name; empty: no advisor.
    #[serde(default)]
    pub advisor: String,
    #[serde(default)]
    pub reason: String,
}

/// A member's advisor as set.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = care::Advisor)]
pub struct AdvisorOut {
    pub card_no: String,
    /// The advisor's user name (null: none).
    pub advisor: Option<String>,
}

/// Set, change or remove a member's advisor (a manager of care; audited, the change kept).
#[utoipa::path(put, path = "/members/{card_no}/advisor", tag = "care", request_body = AdvisorIn,
    operation_id = "care_set_advisor",
    params(("card_no" = String, Path, description = "The member's card number")),
    responses(
        (status = 200, body = AdvisorOut, description = "The member's advisor now"),
        (status = 403),
        (status = 404, description = "`member_not_found`"),
        (status = 422, description = "`not_an_advisor`: that staff member cannot care for this member"),
    ), security(("bearer" = [])))]
async fn set_advisor(
    ApiCaller(ctx): ApiCaller,
    Path(card_no): Path<String>,
    ApiJson(body): ApiJson<AdvisorIn>,
) -> Result<Json<AdvisorOut>, AppError> {
    let member_id = store::member_of_card(ctx.db(), card_no.trim())
        .await
        .map_err(CareError::from)?
        .ok_or(CareError::MemberNotFound)?;
    advisors::set_advisor(&ctx, member_id, &body.advisor, &body.reason).await?;
    let now = store::advisor(ctx.db(), member_id)
        .await
        .map_err(CareError::from)?;
    Ok(Json(AdvisorOut {
        card_no,
        advisor: now.map(|a| a.username),
    }))
}

/// Record a VIP reception or a service desk entry (needs registration, ticket booking, group-buy
/// enquiry, invoice). A repeat with the same `key` (or `Idempotency-Key` header) records nothing
/// more and answers the first entry.
#[utoipa::path(post, path = "/care/receptions", tag = "care", request_body = ReceptionIn,
    operation_id = "care_record_reception",
    responses(
        (status = 201, body = ReceptionRow, description = "Recorded"),
        (status = 403),
        (status = 422, description = "`validation`, naming each bad field"),
    ), security(("bearer" = [])))]
async fn record_reception(
    ApiCaller(ctx): ApiCaller,
    headers: HeaderMap,
    ApiJson(mut body): ApiJson<ReceptionIn>,
) -> Result<Response, AppError> {
    if body.key.trim().is_empty()
        && let Some(k) = headers.get("idempotency-key").and_then(|v| v.to_str().ok())
    {
        body.key = k.to_owned();
    }
    let row = receptions::record(&ctx, &body).await?;
    Ok((StatusCode::CREATED, Json(row)).into_response())
}
