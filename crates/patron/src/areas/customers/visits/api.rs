//! JSON routes of visits, outreach, the directory review and research (the project's own
//! design; `api/care.md` fixes none of them). Errors are problem+json naming the bad field.

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use patron_core::approvals::Decision;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::outreach::{self, PlanIn, SummaryIn, WeekRow};
use super::requests::{self, MinutesIn, VisitIn, VisitMade};
use super::research::{self, FindingsIn, ResearchIn};
use super::review::{self, Opened, ReviewIn};
use super::store::outreach::OutreachRow;
use super::store::research::{FileRow, ResearchRow};
use super::store::review::ProgressRow;
use super::store::visits::VisitRow;
use crate::kernel::ctx::App;
use crate::kernel::validation::Invalid;
use crate::web::error::AppError;
use crate::web::extract::ApiCaller;
use crate::web::forms::date_param;
use crate::web::json::{ApiJson, NoBody};

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(plan, my_day))
        .routes(routes!(summarise))
        .routes(routes!(week))
        .routes(routes!(request_visit))
        .routes(routes!(show_visit))
        .routes(routes!(decide_visit))
        .routes(routes!(visit_done))
        .routes(routes!(visit_minutes))
        .routes(routes!(minutes_overdue))
        .routes(routes!(open_review))
        .routes(routes!(current_review))
        .routes(routes!(settle_review))
        .routes(routes!(restore))
        .routes(routes!(create_research, search_research))
        .routes(routes!(show_research))
        .routes(routes!(research_findings))
        .routes(routes!(attach))
        .routes(routes!(download))
}

#[derive(Serialize, ToSchema)]
#[schema(as = visits::Created)]
pub struct Created {
    pub id: i64,
}

fn created(id: i64) -> Response {
    (StatusCode::CREATED, Json(Created { id })).into_response()
}

#[derive(Deserialize, IntoParams)]
pub struct DateQuery {
    /// A day (YYYY-MM-DD); empty: today.
    #[serde(default)]
    pub date: Option<String>,
}

/// Add a planned visit to the caller's outreach plan (外联计划).
#[utoipa::path(post, path = "/customers/outreach", tag = "customers", request_body = PlanIn,
    responses((status = 201, body = Created, description = "The record made or changed (its id)"), (status = 403), (status = 422)),
    security(("bearer" = [])))]
async fn plan(
    ApiCaller(ctx): ApiCaller,
    ApiJson(body): ApiJson<PlanIn>,
) -> Result<Response, AppError> {
    Ok(created(outreach::plan(&ctx, &body).await?))
}

/// The caller's outreach plan and summary of one day.
#[utoipa::path(get, path = "/customers/outreach", tag = "customers", params(DateQuery),
    responses((status = 200, body = Vec<OutreachRow>, description = "The day's planned visits with their summaries"), (status = 403),
        (status = 422, description = "`bad_parameter`: `date` is not a date")),
    security(("bearer" = [])))]
async fn my_day(
    ApiCaller(ctx): ApiCaller,
    Query(q): Query<DateQuery>,
) -> Result<Json<Vec<OutreachRow>>, AppError> {
    let day = date_param(q.date.as_deref(), ctx.today())?;
    Ok(Json(outreach::my_day(&ctx, day).await?))
}

/// Write the day's summary (外联总结) of one planned visit.
#[utoipa::path(post, path = "/customers/outreach/{id}/summary", tag = "customers", request_body = SummaryIn,
    responses((status = 200, body = Created, description = "The record made or changed (its id)"), (status = 403),
        (status = 404, description = "`not_found`: no such row of the caller's"), (status = 422)),
    security(("bearer" = [])))]
async fn summarise(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<SummaryIn>,
) -> Result<Json<Created>, AppError> {
    outreach::summarise(&ctx, id, &body).await?;
    Ok(Json(Created { id }))
}

#[derive(Serialize, ToSchema)]
#[schema(as = visits::Week)]
pub struct WeekOut {
    /// The Monday of the week.
    pub week_start: NaiveDate,
    pub rows: Vec<WeekRow>,
}

/// The week's outreach roll-up per salesperson (for the manager).
#[utoipa::path(get, path = "/customers/outreach/week", tag = "customers", params(DateQuery),
    responses((status = 200, body = WeekOut, description = "The week per salesperson"), (status = 403), (status = 422)),
    security(("bearer" = [])))]
async fn week(
    ApiCaller(ctx): ApiCaller,
    Query(q): Query<DateQuery>,
) -> Result<Json<WeekOut>, AppError> {
    let day = date_param(q.date.as_deref(), ctx.today())?;
    let (week_start, rows, _) = outreach::week(&ctx, day).await?;
    Ok(Json(WeekOut { week_start, rows }))
}

/// Request a visit (客户走访单); it waits for a manager's approval.
#[utoipa::path(post, path = "/customers/visits", tag = "customers", request_body = VisitIn,
    responses((status = 201, body = VisitMade, description = "The visit request, waiting for approval"), (status = 403), (status = 422)),
    security(("bearer" = [])))]
async fn request_visit(
    ApiCaller(ctx): ApiCaller,
    ApiJson(body): ApiJson<VisitIn>,
) -> Result<Response, AppError> {
    let made = requests::request(&ctx, &body).await?;
    Ok((StatusCode::CREATED, Json(made)).into_response())
}

/// A visit with its minutes.
#[utoipa::path(get, path = "/customers/visits/{id}", tag = "customers",
    responses((status = 200, body = VisitRow, description = "The visit"), (status = 403), (status = 404)),
    security(("bearer" = [])))]
async fn show_visit(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
) -> Result<Json<VisitRow>, AppError> {
    Ok(Json(requests::get(&ctx, id).await?))
}

#[derive(Deserialize, ToSchema)]
#[schema(as = visits::DecideIn, examples(json!({"decision": "approve", "reason": ""})))]
pub struct DecideIn {
    pub decision: String,
    #[serde(default)]
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
#[schema(as = visits::Decided)]
pub struct Decided {
    pub approval_id: i64,
    pub status: String,
}

/// Approve or reject a visit request (never one's own).
#[utoipa::path(post, path = "/customers/visits/approvals/{id}", tag = "customers", request_body = DecideIn,
    operation_id = "customer_visits_decide",
    responses((status = 200, body = Decided, description = "The decision"),
        (status = 403, description = "`forbidden`, `approval_role`, or `approval_own_request`: the requester cannot decide it"),
        (status = 404), (status = 409, description = "`approval_decided`"), (status = 422)),
    security(("bearer" = [])))]
async fn decide_visit(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<DecideIn>,
) -> Result<Json<Decided>, AppError> {
    let decision = match body.decision.as_str() {
        "approve" => Decision::Approve,
        "reject" => Decision::Reject {
            reason: body.reason,
        },
        _ => return Err(Invalid::one("decision", "invalid.choice").into()),
    };
    let row = requests::decide(&ctx, id, decision).await?;
    Ok(Json(Decided {
        approval_id: row.id,
        status: row.status,
    }))
}

/// Mark an approved visit done (back from the visit).
#[utoipa::path(post, path = "/customers/visits/{id}/done", tag = "customers",
    responses((status = 200, body = VisitRow, description = "The visit"), (status = 403), (status = 404),
        (status = 409, description = "`visit_not_approved`: the visit is not approved")),
    security(("bearer" = [])))]
async fn visit_done(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
    _: NoBody,
) -> Result<Json<VisitRow>, AppError> {
    Ok(Json(requests::mark_done(&ctx, id).await?))
}

/// Write the visit's minutes (会谈纪要).
#[utoipa::path(post, path = "/customers/visits/{id}/minutes", tag = "customers", request_body = MinutesIn,
    responses((status = 200, body = VisitRow, description = "The visit"), (status = 403), (status = 404),
        (status = 409, description = "`visit_not_approved`"), (status = 422)),
    security(("bearer" = [])))]
async fn visit_minutes(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<MinutesIn>,
) -> Result<Json<VisitRow>, AppError> {
    Ok(Json(requests::write_minutes(&ctx, id, &body).await?))
}

#[derive(Serialize, ToSchema)]
#[schema(as = visits::Overdue)]
pub struct OverdueOut {
    pub visit_id: i64,
    pub customer_id: i64,
    pub customer: String,
    /// The requester's user name.
    pub requested_by: String,
    pub visit_on: NaiveDate,
    pub minutes_due_on: Option<NaiveDate>,
    pub days_overdue: i64,
}

/// Visits whose minutes are past due (two working days after the visit).
#[utoipa::path(get, path = "/customers/visits/minutes/overdue", tag = "customers",
    responses((status = 200, body = Vec<OverdueOut>, description = "Visits whose minutes are past due"), (status = 403)),
    security(("bearer" = [])))]
async fn minutes_overdue(ApiCaller(ctx): ApiCaller) -> Result<Json<Vec<OverdueOut>>, AppError> {
    let today = ctx.today();
    let rows = requests::overdue(&ctx).await?;
    Ok(Json(
        rows.into_iter()
            .map(|v| OverdueOut {
                visit_id: v.id,
                customer_id: v.customer_id,
                customer: v.customer_name,
                requested_by: v.requester_username,
                visit_on: v.visit_on,
                days_overdue: v
                    .minutes_due_on
                    .map(|d| (today - d).num_days())
                    .unwrap_or_default(),
                minutes_due_on: v.minutes_due_on,
            })
            .collect(),
    ))
}

/// Open the directory review round of the current half-year (once; a manager's step).
#[utoipa::path(post, path = "/customers/reviews", tag = "customers",
    responses((status = 200, body = Opened, description = "The round (opened now, or open already)"), (status = 403)),
    security(("bearer" = [])))]
async fn open_review(ApiCaller(ctx): ApiCaller, _: NoBody) -> Result<Json<Opened>, AppError> {
    Ok(Json(review::open_round(&ctx, ctx.today()).await?))
}

#[derive(Serialize, ToSchema)]
#[schema(as = visits::Review)]
pub struct ReviewOut {
    pub id: i64,
    pub period: String,
    pub progress: Vec<ProgressRow>,
}

/// The latest review round and each salesperson's progress.
#[utoipa::path(get, path = "/customers/reviews/current", tag = "customers",
    responses((status = 200, body = ReviewOut, description = "The round and its progress"), (status = 403),
        (status = 404, description = "`not_found`: no round opened yet")),
    security(("bearer" = [])))]
async fn current_review(ApiCaller(ctx): ApiCaller) -> Result<Json<ReviewOut>, AppError> {
    let (round, progress) = review::progress(&ctx)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(Json(ReviewOut {
        id: round.id,
        period: round.period,
        progress,
    }))
}

#[derive(Serialize, ToSchema)]
#[schema(as = visits::Settled)]
pub struct Settled {
    /// `confirmed` or `archived`.
    pub outcome: String,
}

/// Confirm or archive one customer in a review round.
#[utoipa::path(post, path = "/customers/reviews/{id}/items/{customer_id}", tag = "customers", request_body = ReviewIn,
    responses((status = 200, body = Settled, description = "What was recorded"), (status = 403), (status = 404),
        (status = 409, description = "`conflict`: settled already"), (status = 422)),
    security(("bearer" = [])))]
async fn settle_review(
    ApiCaller(ctx): ApiCaller,
    Path((id, customer_id)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<ReviewIn>,
) -> Result<Json<Settled>, AppError> {
    Ok(Json(Settled {
        outcome: review::settle(&ctx, id, customer_id, &body).await?,
    }))
}

#[derive(Deserialize, ToSchema)]
#[schema(as = visits::RestoreIn, examples(json!({"note": "恢复合作"})))]
pub struct RestoreIn {
    #[serde(default)]
    pub note: String,
}

/// Restore an archived customer (the relationship resumed).
#[utoipa::path(post, path = "/customers/{id}/restore", tag = "customers", request_body = RestoreIn,
    responses((status = 200, body = Settled, description = "What was recorded"), (status = 403), (status = 404),
        (status = 409, description = "`conflict`: not archived"), (status = 422)),
    security(("bearer" = [])))]
async fn restore(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<RestoreIn>,
) -> Result<Json<Settled>, AppError> {
    review::restore(&ctx, id, &body.note).await?;
    Ok(Json(Settled {
        outcome: "restored".into(),
    }))
}

/// Record a market research task (市场调研).
#[utoipa::path(post, path = "/customers/research", tag = "customers", request_body = ResearchIn,
    responses((status = 201, body = Created, description = "The record made or changed (its id)"), (status = 403), (status = 422)),
    security(("bearer" = [])))]
async fn create_research(
    ApiCaller(ctx): ApiCaller,
    ApiJson(body): ApiJson<ResearchIn>,
) -> Result<Response, AppError> {
    Ok(created(research::create(&ctx, &body).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct SearchQuery {
    /// Words that must all appear in the title, scope or findings.
    #[serde(default)]
    pub q: String,
}

/// Research tasks, searched by words.
#[utoipa::path(get, path = "/customers/research", tag = "customers", params(SearchQuery),
    responses((status = 200, body = Vec<ResearchRow>, description = "The tasks found"), (status = 403)),
    security(("bearer" = [])))]
async fn search_research(
    ApiCaller(ctx): ApiCaller,
    Query(q): Query<SearchQuery>,
) -> Result<Json<Vec<ResearchRow>>, AppError> {
    Ok(Json(research::search(&ctx, &q.q).await?))
}

#[derive(Serialize, ToSchema)]
#[schema(as = visits::Research)]
pub struct ResearchOut {
    pub task: ResearchRow,
    pub files: Vec<FileRow>,
}

/// A research task with its attachments.
#[utoipa::path(get, path = "/customers/research/{id}", tag = "customers",
    responses((status = 200, body = ResearchOut, description = "The task and its attachments"), (status = 403), (status = 404)),
    security(("bearer" = [])))]
async fn show_research(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
) -> Result<Json<ResearchOut>, AppError> {
    let (task, files) = research::get(&ctx, id).await?;
    Ok(Json(ResearchOut { task, files }))
}

/// Write a task's findings (and file it).
#[utoipa::path(post, path = "/customers/research/{id}/findings", tag = "customers", request_body = FindingsIn,
    responses((status = 200, body = Created, description = "The record made or changed (its id)"), (status = 403), (status = 404), (status = 422)),
    security(("bearer" = [])))]
async fn research_findings(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<FindingsIn>,
) -> Result<Json<Created>, AppError> {
    research::set_findings(&ctx, id, &body).await?;
    Ok(Json(Created { id }))
}

#[derive(Deserialize, IntoParams)]
pub struct NameQuery {
    /// The file's name, with its extension (`报告.pdf`).
    #[serde(default)]
    pub name: String,
}

/// Attach a file to a research task: the body is the file's bytes (`application/octet-stream`) (at most 5 MB; pdf, jpg,
/// png, xlsx or docx, judged by its first bytes).
#[utoipa::path(post, path = "/customers/research/{id}/attachments", tag = "customers", params(NameQuery),
    responses((status = 201, body = Created, description = "The record made or changed (its id)"), (status = 403), (status = 404),
        (status = 415, description = "`unsupported_media_type`: the body is not sent as a file"),
        (status = 422, description = "`validation` on `file`: too big, or not an allowed type")),
    security(("bearer" = [])))]
async fn attach(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
    Query(q): Query<NameQuery>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<Response, AppError> {
    // The file's bytes as they are: octet-stream or the file's own type; no type is read as
    // octet-stream. JSON or text is not a file.
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        });
    match kind.as_deref() {
        None
        | Some("application/octet-stream" | "application/pdf" | "image/jpeg" | "image/png") => {}
        Some(k) if k.starts_with("application/vnd.openxmlformats-officedocument.") => {}
        Some("application/json") => {
            return Err(Invalid::one("body", "customers.visits.invalid.file_type").into());
        }
        Some(_) => {
            return Err(AppError::new(crate::kernel::error::UNSUPPORTED_MEDIA_TYPE)
                .detail("send the file's bytes as application/octet-stream"));
        }
    }
    let data = axum::body::to_bytes(body, research::MAX_FILE_BYTES + 1)
        .await
        .map_err(|_| Invalid::one("file", "customers.visits.invalid.file_too_big"))?;
    Ok(created(
        research::attach(&ctx, id, &q.name, data.to_vec()).await?,
    ))
}

/// Download an attachment.
#[utoipa::path(get, path = "/customers/research/files/{id}", tag = "customers",
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>, description = "The file, as an attachment"),
        (status = 403), (status = 404)),
    security(("bearer" = [])))]
async fn download(ApiCaller(ctx): ApiCaller, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (row, data) = research::download(&ctx, id).await?;
    Ok(file_response(&row, data))
}

/// An attachment as a download (the name in UTF-8, RFC 5987).
pub fn file_response(row: &FileRow, data: Vec<u8>) -> Response {
    crate::web::export::stored_file(
        &format!("file-{}", row.id),
        &row.file_name,
        &row.content_type,
        data,
    )
}
