//! JSON routes of complaints. The fixed ones (`api/care.md`): `GET /complaints/departments`,
//! `POST /complaints`, `POST /complaints/{id}/acknowledge|route|answer|resolve|callback`,
//! `GET /complaints/{id}`. Besides: reporting a major case to the head and marking a typical
//! case. Every step answers the complaint and is safe to repeat.

use axum::Json;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::admin::{self, Department};
use super::intake::{self, Intake};
use super::steps::{self, AnswerIn, CallbackIn, ResolveIn, RouteIn, TypicalIn};
use super::view::{self, Complaint};
use crate::kernel::ctx::App;
use crate::web::error::AppError;
use crate::web::extract::ApiCaller;
use crate::web::json::{ApiJson, NoBody};

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(departments))
        .routes(routes!(take))
        .routes(routes!(show))
        .routes(routes!(acknowledge))
        .routes(routes!(route))
        .routes(routes!(answer))
        .routes(routes!(resolve))
        .routes(routes!(callback))
        .routes(routes!(report))
        .routes(routes!(typical))
}

/// The departments a complaint can be routed to (editable by a manager in the console).
#[utoipa::path(get, path = "/complaints/departments", tag = "complaints",
    operation_id = "complaints_departments",
    responses((status = 200, body = Vec<Department>, description = "The active departments"), (status = 403)),
    security(("bearer" = [])))]
async fn departments(ApiCaller(ctx): ApiCaller) -> Result<Json<Vec<Department>>, AppError> {
    Ok(Json(admin::departments(&ctx).await?))
}

/// Take a complaint (hotline, online, e-mail, in store). A repeat with the same `key` (or
/// `Idempotency-Key` header) takes nothing more and answers the first case.
#[utoipa::path(post, path = "/complaints", tag = "complaints", request_body = Intake,
    operation_id = "complaints_take",
    responses(
        (status = 201, body = Complaint, description = "Taken: its severity, received time and deadlines"),
        (status = 403),
        (status = 422, description = "`validation`, naming each bad field (`channel`, `category`, `card_no`, …)"),
    ), security(("bearer" = [])))]
async fn take(
    ApiCaller(ctx): ApiCaller,
    headers: HeaderMap,
    ApiJson(mut body): ApiJson<Intake>,
) -> Result<Response, AppError> {
    if body.key.trim().is_empty()
        && let Some(k) = headers.get("idempotency-key").and_then(|v| v.to_str().ok())
    {
        body.key = k.to_owned();
    }
    let out = intake::take(&ctx, &body).await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// One complaint with its clocks, its breaches (permanent) and its callbacks.
#[utoipa::path(get, path = "/complaints/{id}", tag = "complaints",
    operation_id = "complaints_show",
    params(("id" = i64, Path, description = "The complaint's id")),
    responses((status = 200, body = Complaint, description = "The complaint with its deadlines and breaches"), (status = 403), (status = 404)),
    security(("bearer" = [])))]
async fn show(ApiCaller(ctx): ApiCaller, Path(id): Path<i64>) -> Result<Json<Complaint>, AppError> {
    Ok(Json(view::get(&ctx, id).await?))
}

/// Acknowledge receipt (within 5 minutes).
#[utoipa::path(post, path = "/complaints/{id}/acknowledge", tag = "complaints",
    operation_id = "complaints_acknowledge",
    params(("id" = i64, Path, description = "The complaint's id")),
    responses((status = 200, body = Complaint, description = "The complaint as it now stands"), (status = 403), (status = 404),
        (status = 409, description = "`complaint_archived`")),
    security(("bearer" = [])))]
async fn acknowledge(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
    _body: NoBody,
) -> Result<Json<Complaint>, AppError> {
    Ok(Json(steps::acknowledge(&ctx, id).await?))
}

/// Route to a department (within 30 minutes), or re-route; the department's answer clock starts.
#[utoipa::path(post, path = "/complaints/{id}/route", tag = "complaints", request_body = RouteIn,
    operation_id = "complaints_route",
    params(("id" = i64, Path, description = "The complaint's id")),
    responses((status = 200, body = Complaint, description = "The complaint as it now stands"), (status = 403), (status = 404),
        (status = 409, description = "`complaint_wrong_state`: not acknowledged yet, or resolved"),
        (status = 422, description = "`unknown_department` naming `department`")),
    security(("bearer" = [])))]
async fn route(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<RouteIn>,
) -> Result<Json<Complaint>, AppError> {
    Ok(Json(steps::route(&ctx, id, &body).await?))
}

/// The department's plan (or result, for product quality).
#[utoipa::path(post, path = "/complaints/{id}/answer", tag = "complaints", request_body = AnswerIn,
    operation_id = "complaints_answer",
    params(("id" = i64, Path, description = "The complaint's id")),
    responses((status = 200, body = Complaint, description = "The complaint as it now stands"), (status = 403), (status = 404),
        (status = 409, description = "`complaint_wrong_state`: not routed yet"),
        (status = 422, description = "`validation` naming `plan`")),
    security(("bearer" = [])))]
async fn answer(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<AnswerIn>,
) -> Result<Json<Complaint>, AppError> {
    Ok(Json(steps::answer(&ctx, id, &body).await?))
}

/// Resolve with the result told to the customer; the callback clock starts.
#[utoipa::path(post, path = "/complaints/{id}/resolve", tag = "complaints", request_body = ResolveIn,
    operation_id = "complaints_resolve",
    params(("id" = i64, Path, description = "The complaint's id")),
    responses((status = 200, body = Complaint, description = "The complaint as it now stands"), (status = 403), (status = 404),
        (status = 409, description = "`complaint_wrong_state`: not routed yet"),
        (status = 422, description = "`validation` naming `result`")),
    security(("bearer" = [])))]
async fn resolve(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ResolveIn>,
) -> Result<Json<Complaint>, AppError> {
    Ok(Json(steps::resolve(&ctx, id, &body).await?))
}

/// The callback after resolution: satisfied closes the case, not satisfied reopens it.
#[utoipa::path(post, path = "/complaints/{id}/callback", tag = "complaints", request_body = CallbackIn,
    operation_id = "complaints_callback",
    params(("id" = i64, Path, description = "The complaint's id")),
    responses((status = 200, body = Complaint, description = "The complaint as it now stands"), (status = 403), (status = 404),
        (status = 409, description = "`complaint_wrong_state`: not resolved"),
        (status = 422, description = "`validation` naming `satisfied` or `remarks`")),
    security(("bearer" = [])))]
async fn callback(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CallbackIn>,
) -> Result<Json<Complaint>, AppError> {
    Ok(Json(steps::callback(&ctx, id, &body).await?))
}

/// A major case was reported to the head (within 10 minutes of becoming major).
#[utoipa::path(post, path = "/complaints/{id}/report", tag = "complaints",
    operation_id = "complaints_report",
    params(("id" = i64, Path, description = "The complaint's id")),
    responses((status = 200, body = Complaint, description = "The complaint as it now stands"), (status = 403), (status = 404),
        (status = 409, description = "`complaint_wrong_state`: the case is minor")),
    security(("bearer" = [])))]
async fn report(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
    _body: NoBody,
) -> Result<Json<Complaint>, AppError> {
    Ok(Json(steps::report(&ctx, id).await?))
}

/// Mark (or unmark) a typical case for the case library (a manager).
#[utoipa::path(post, path = "/complaints/{id}/typical", tag = "complaints", request_body = TypicalIn,
    operation_id = "complaints_typical",
    params(("id" = i64, Path, description = "The complaint's id")),
    responses((status = 200, body = Complaint, description = "The complaint as it now stands"), (status = 403), (status = 404)),
    security(("bearer" = [])))]
async fn typical(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<TypicalIn>,
) -> Result<Json<Complaint>, AppError> {
    Ok(Json(steps::mark_typical(&ctx, id, &body).await?))
}
