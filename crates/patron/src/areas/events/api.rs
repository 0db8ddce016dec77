//! JSON routes of member events, for scripts and the door's devices (API tokens).

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use patron_core::Permission;
use patron_core::approvals::Decision;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Analysis, CheckinOut, EventIn, SignupOut};
use crate::kernel::ctx::App;
use crate::web::error::AppError;
use crate::web::extract::ApiCaller;
use crate::web::json::{ApiJson, NoBody};

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(create))
        .routes(routes!(show))
        .routes(routes!(submit))
        .routes(routes!(decide))
        .routes(routes!(invite))
        .routes(routes!(signup))
        .routes(routes!(cancel))
        .routes(routes!(checkin))
        .routes(routes!(close))
}

#[derive(Serialize, ToSchema)]
#[schema(as = events::Created)]
pub struct Created {
    pub id: i64,
}

#[derive(Serialize, ToSchema)]
pub struct Submitted {
    pub approval_id: i64,
}

#[derive(Serialize, ToSchema)]
pub struct Invited {
    pub queued: u64,
    pub invited: i64,
}

#[derive(Serialize, ToSchema)]
pub struct EventOut {
    pub id: i64,
    pub theme: String,
    pub kind: String,
    pub state: String,
    pub capacity: i64,
    pub signed_up: i64,
    pub points: i64,
    pub invited: i64,
    pub approval_id: Option<i64>,
    pub analysis: Analysis,
}

#[derive(Deserialize, ToSchema)]
#[schema(examples(json!({"card_no": "HQ00000001"})))]
pub struct CardIn {
    #[serde(default)]
    pub card_no: String,
}

#[derive(Deserialize, ToSchema)]
#[schema(as = events::DecideIn, examples(json!({"decision": "approve", "reason": ""})))]
pub struct DecideIn {
    pub decision: String,
    #[serde(default)]
    pub reason: String,
}

#[derive(Deserialize, ToSchema)]
#[schema(examples(json!({"actual_cost": "4680.00"})))]
pub struct CloseIn {
    /// Yuan; empty: the budget stands for the cost.
    #[serde(default)]
    pub actual_cost: String,
}

/// Plan a member event (draft).
#[utoipa::path(post, path = "/events", tag = "events", request_body = EventIn,
    responses(
        (status = 201, body = Created, description = "The event, a draft"),
        (status = 403),
        (status = 422),
    ), security(("bearer" = [])))]
async fn create(
    ApiCaller(ctx): ApiCaller,
    ApiJson(body): ApiJson<EventIn>,
) -> Result<Response, AppError> {
    let id = super::create(&ctx, &body).await?;
    Ok((StatusCode::CREATED, Json(Created { id })).into_response())
}

/// An event with its analysis (archived when closed, live before).
#[utoipa::path(get, path = "/events/{id}", tag = "events",
    responses(
        (status = 200, body = EventOut, description = "The event"),
        (status = 403),
        (status = 404),
        (status = 422, description = "`validation`: `id` is not a number"),
    ), security(("bearer" = [])))]
async fn show(ApiCaller(ctx): ApiCaller, Path(id): Path<i64>) -> Result<Json<EventOut>, AppError> {
    let ev = super::event_for(&ctx, id, Permission::ViewEvents).await?;
    let analysis = super::analysis(&ctx, &ev).await?;
    Ok(Json(EventOut {
        id: ev.id,
        theme: ev.theme,
        kind: ev.kind,
        state: ev.state,
        capacity: ev.capacity,
        signed_up: ev.signed_up,
        points: ev.points,
        invited: ev.invited_count,
        approval_id: ev.approval_id,
        analysis,
    }))
}

/// Submit the plan for approval (上报公司审批).
#[utoipa::path(post, path = "/events/{id}/submit", tag = "events",
    responses(
        (status = 200, body = Submitted, description = "The approval request"),
        (status = 403),
        (status = 404),
        (status = 409, description = "`conflict`: only a draft or rejected plan can be submitted"),
        (status = 422, description = "`validation`: `id` is not a number"),
    ), security(("bearer" = [])))]
async fn submit(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
    _: NoBody,
) -> Result<Json<Submitted>, AppError> {
    Ok(Json(Submitted {
        approval_id: super::submit(&ctx, id).await?,
    }))
}

/// Approve or reject an event plan's approval request.
#[utoipa::path(post, path = "/events/approvals/{id}", tag = "events", request_body = DecideIn,
    operation_id = "events_decide",
    responses(
        (status = 200, body = Submitted, description = "Decided"),
        (status = 403, description = "`forbidden`: the permission is missing, or the caller filed the request"),
        (status = 404),
        (status = 409, description = "`conflict`: decided already"),
        (status = 422, description = "`validation`: `decision` is not `approve` or `reject`, or a rejection has no `reason`"),
    ), security(("bearer" = [])))]
async fn decide(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<DecideIn>,
) -> Result<Json<Submitted>, AppError> {
    let decision = match body.decision.as_str() {
        "approve" => Decision::Approve,
        "reject" => Decision::Reject {
            reason: body.reason,
        },
        _ => {
            return Err(
                crate::kernel::validation::Invalid::one("decision", "invalid.choice").into(),
            );
        }
    };
    let row = super::decide(&ctx, id, decision).await?;
    Ok(Json(Submitted {
        approval_id: row.id,
    }))
}

/// Queue the invitation to every target member (once per member).
#[utoipa::path(post, path = "/events/{id}/invite", tag = "events",
    responses(
        (status = 200, body = Invited, description = "Invitations queued"),
        (status = 403),
        (status = 404),
        (status = 409, description = "`event_not_open`: the event is not approved"),
        (status = 422, description = "`validation`: `id` is not a number"),
    ), security(("bearer" = [])))]
async fn invite(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
    _: NoBody,
) -> Result<Json<Invited>, AppError> {
    let queued = super::invite(&ctx, id).await?;
    let ev = super::event_for(&ctx, id, Permission::ViewEvents).await?;
    Ok(Json(Invited {
        queued,
        invited: ev.invited_count,
    }))
}

/// Sign a member up by card number (desk).
#[utoipa::path(post, path = "/events/{id}/signups", tag = "events", request_body = CardIn,
    responses(
        (status = 201, body = SignupOut, description = "Signed up"),
        (status = 403, description = "`forbidden` (permission) or `not_in_target` (the event is not for this member)"),
        (status = 404, description = "`not_found` (event) or `member_not_found` (card)"),
        (status = 409, description = "`event_not_open`, `event_full`, `signup_not_open`, `signup_closed` or `already_signed_up`"),
        (status = 422),
    ), security(("bearer" = [])))]
async fn signup(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CardIn>,
) -> Result<Response, AppError> {
    let out = super::signup_card(&ctx, id, &body.card_no).await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// Cancel a member's sign-up by card number.
#[utoipa::path(post, path = "/events/{id}/cancel", tag = "events", request_body = CardIn,
    responses(
        (status = 200, body = Created, description = "Cancelled; the event's id"),
        (status = 403),
        (status = 404, description = "`not_found` (event) or `member_not_found` (card)"),
        (status = 409, description = "`not_signed_up`, or the event is not open"),
        (status = 422),
    ), security(("bearer" = [])))]
async fn cancel(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CardIn>,
) -> Result<Json<Created>, AppError> {
    super::cancel_card(&ctx, id, &body.card_no).await?;
    Ok(Json(Created { id }))
}

/// Check a member in at the door by card number; awards the event points once.
#[utoipa::path(post, path = "/events/{id}/checkin", tag = "events", request_body = CardIn,
    responses(
        (status = 200, body = CheckinOut, description = "Checked in; the points awarded"),
        (status = 403),
        (status = 404, description = "`not_found` (event) or `member_not_found` (card)"),
        (status = 409, description = "`event_not_open`, `not_signed_up` or `already_checked_in`"),
        (status = 422),
    ), security(("bearer" = [])))]
async fn checkin(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CardIn>,
) -> Result<Json<CheckinOut>, AppError> {
    Ok(Json(super::checkin(&ctx, id, &body.card_no).await?))
}

/// Close the event after it ended and archive its analysis with the plan.
#[utoipa::path(post, path = "/events/{id}/close", tag = "events", request_body = CloseIn,
    responses(
        (status = 200, body = Analysis, description = "Closed; the archived analysis"),
        (status = 403),
        (status = 404),
        (status = 409, description = "`conflict`: the event is not approved, or has not ended"),
        (status = 422),
    ), security(("bearer" = [])))]
async fn close(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CloseIn>,
) -> Result<Json<Analysis>, AppError> {
    Ok(Json(super::close(&ctx, id, &body.actual_cost).await?))
}
