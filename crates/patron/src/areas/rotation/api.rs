//! JSON routes of the sales-floor rotation. The fixed ones (`api/care.md`, "Sales-floor
//! rotation"): `PUT /rotation/{team}`, `POST /rotation/{team}/walk-ins`,
//! `POST /rotation/{team}/representatives/{username}/state`, `GET /rotation/{team}`. Besides:
//! the board as a server-sent event stream, marking a visit's credit and its sale, the day's
//! figures.

use std::convert::Infallible;

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Assigned, BoardView, CreditIn, Figures, Party, TeamIn, WalkInIn, live};
use crate::kernel::ctx::App;
use crate::web::error::AppError;
use crate::web::extract::ApiCaller;
use crate::web::forms::date_param;
use crate::web::json::ApiJson;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(show_board, put_team))
        .routes(routes!(post_walk_in))
        .routes(routes!(post_state))
        .routes(routes!(stream))
        .routes(routes!(post_credit))
        .routes(routes!(post_sale))
        .routes(routes!(day_figures))
}

/// A team's representatives in order.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = rotation::TeamIn, examples(json!({"representatives": ["rep.chen", "rep.lin"]})))]
pub struct TeamBody {
    #[serde(default)]
    pub representatives: Vec<String>,
    /// The store of a new team (its code); default the first store where the caller manages
    /// rotation. An existing team keeps its store.
    #[serde(default)]
    pub store: String,
    /// Why the order changed (kept in the log and the audit).
    #[serde(default)]
    pub reason: String,
}

/// Set a team and its order (a supervisor's step; audited). Creates the team when new.
#[utoipa::path(put, path = "/rotation/{team}", tag = "rotation", request_body = TeamBody,
    operation_id = "rotation_put_team",
    params(("team" = String, Path, description = "The team's code")),
    responses(
        (status = 200, body = BoardView, description = "The team's board"),
        (status = 403),
        (status = 422, description = "`validation`: `team`, `representatives` (empty, duplicate, not at the store), `store`"),
    ), security(("bearer" = [])))]
async fn put_team(
    ApiCaller(ctx): ApiCaller,
    Path(team): Path<String>,
    ApiJson(body): ApiJson<TeamBody>,
) -> Result<Json<BoardView>, AppError> {
    let input = TeamIn {
        representatives: body.representatives,
        store: body.store,
        reason: body.reason,
    };
    Ok(Json(super::set_team(&ctx, &team, &input).await?))
}

/// A customer walking in.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(as = rotation::WalkIn, examples(json!({"customer_phone": "13800138000"})))]
pub struct WalkInBody {
    /// A returning customer's phone: their own representative receives them.
    #[serde(default)]
    pub customer_phone: Option<String>,
    /// `relatives` or `friends`: arrived with the customer of visit `with_visit` today (credit
    /// split evenly, or the first receiver's).
    #[serde(default)]
    pub relation: Option<String>,
    #[serde(default)]
    pub with_visit: Option<i64>,
}

/// Who receives a walk-in, and why (K1–K3). With an `Idempotency-Key` header a repeat answers the
/// first assignment and assigns nobody else.
#[utoipa::path(post, path = "/rotation/{team}/walk-ins", tag = "rotation", request_body = WalkInBody,
    operation_id = "rotation_walk_in",
    params(("team" = String, Path, description = "The team's code"),
        ("Idempotency-Key" = Option<String>, Header, description = "A repeat with the same key answers the first assignment")),
    responses(
        (status = 200, body = Assigned, description = "The representative and the reason"),
        (status = 403),
        (status = 404, description = "`not_found`: no such team"),
        (status = 409, description = "`rotation_nobody_free`: everyone is busy or away"),
        (status = 422, description = "`validation`: `customer_phone`, `relation`, `with_visit`"),
    ), security(("bearer" = [])))]
async fn post_walk_in(
    ApiCaller(ctx): ApiCaller,
    Path(team): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<WalkInBody>,
) -> Result<Json<Assigned>, AppError> {
    let party = party(body.relation.as_deref(), body.with_visit)?;
    let input = WalkInIn {
        customer_phone: body.customer_phone.unwrap_or_default(),
        party,
        key: headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    };
    Ok(Json(super::walk_in(&ctx, &team, &input).await?))
}

/// The party a walk-in arrived with, from the relation and the visit number.
pub fn party(relation: Option<&str>, with: Option<i64>) -> Result<Option<Party>, AppError> {
    use crate::kernel::validation::Invalid;
    match (relation.map(str::trim).filter(|r| !r.is_empty()), with) {
        (None, _) => Ok(None),
        (Some(_), None) => Err(Invalid::one("with_visit", "invalid.required").into()),
        (Some("relatives"), Some(n)) => Ok(Some(Party::Relatives(n))),
        (Some("friends"), Some(n)) => Ok(Some(Party::Friends(n))),
        (Some(_), Some(_)) => Err(Invalid::one("relation", "invalid.choice").into()),
    }
}

/// A representative's new state.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = rotation::StateIn, examples(json!({"state": "busy"})))]
pub struct StateBody {
    /// `available`, `busy`, `away_private`, `away_company`.
    #[serde(default)]
    pub state: String,
}

/// A representative is busy, free, away on private or company business, or back.
#[utoipa::path(post, path = "/rotation/{team}/representatives/{username}/state", tag = "rotation",
    request_body = StateBody, operation_id = "rotation_set_state",
    params(("team" = String, Path, description = "The team's code"),
        ("username" = String, Path, description = "The representative")),
    responses(
        (status = 200, body = BoardView, description = "The team's board"),
        (status = 403),
        (status = 404, description = "`not_found`: no such team"),
        (status = 422, description = "`validation`: `state`, or `username` not on the team"),
    ), security(("bearer" = [])))]
async fn post_state(
    ApiCaller(ctx): ApiCaller,
    Path((team, username)): Path<(String, String)>,
    ApiJson(body): ApiJson<StateBody>,
) -> Result<Json<BoardView>, AppError> {
    Ok(Json(
        super::set_state(&ctx, &team, &username, &body.state).await?,
    ))
}

/// The team's board: the queue (usernames in line order), each representative's state and
/// today's counts, today's visits.
#[utoipa::path(get, path = "/rotation/{team}", tag = "rotation", operation_id = "rotation_board",
    params(("team" = String, Path, description = "The team's code")),
    responses(
        (status = 200, body = BoardView, description = "The board"),
        (status = 403),
        (status = 404, description = "`not_found`: no such team"),
    ), security(("bearer" = [])))]
async fn show_board(
    ApiCaller(ctx): ApiCaller,
    Path(team): Path<String>,
) -> Result<Json<BoardView>, AppError> {
    Ok(Json(super::board(&ctx, &team).await?))
}

/// The board as server-sent events: one `board` event (the board as JSON) at once, then one each
/// time it changes, whichever server changed it.
#[utoipa::path(get, path = "/rotation/{team}/stream", tag = "rotation", operation_id = "rotation_stream",
    params(("team" = String, Path, description = "The team's code")),
    responses(
        (status = 200, content_type = "text/event-stream", body = String, description = "`board` events, each the board as JSON"),
        (status = 403),
        (status = 404, description = "`not_found`: no such team"),
    ), security(("bearer" = [])))]
async fn stream(ApiCaller(ctx): ApiCaller, Path(team): Path<String>) -> Result<Response, AppError> {
    let row = super::team(&ctx, &team, patron_core::Permission::UseRotation).await?;
    let first = super::board_view(&ctx, &row).await?;
    let first_event = SseEvent::default()
        .event("board")
        .data(serde_json::to_string(&first).unwrap_or_default());
    let c = ctx.clone();
    let later = live::versions(ctx.db().clone(), row.id, first.version).then(move |_| {
        let c = c.clone();
        let code = row.code.clone();
        async move {
            let data = match super::board(&c, &code).await {
                Ok(b) => serde_json::to_string(&b).unwrap_or_default(),
                Err(_) => String::new(),
            };
            Ok::<_, Infallible>(SseEvent::default().event("board").data(data))
        }
    });
    let s = futures::stream::once(async move { Ok::<_, Infallible>(first_event) }).chain(later);
    Ok(Sse::new(s).keep_alive(KeepAlive::default()).into_response())
}

/// A change of a visit's credit (K4).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = rotation::CreditIn, examples(json!({"rule": "helped", "other": "rep.lin", "note": "林帮忙讲解"})))]
pub struct CreditBody {
    /// `receiver`, `helped`, `closer`, `queue_jump`, `relatives`, `referral`, `browsing`.
    #[serde(default)]
    pub rule: String,
    /// The other representative the rule names (the helper, the closer, the rightful one, the
    /// relatives' or the first receiver).
    #[serde(default)]
    pub other: String,
    /// Why (required: it is the record to dispute).
    #[serde(default)]
    pub note: String,
}

/// Change a visit's credit: "just browsing" by the floor (the turn is given back), every other
/// rule by a supervisor; each change is kept with who, when and why.
#[utoipa::path(post, path = "/rotation/{team}/visits/{id}/credit", tag = "rotation", request_body = CreditBody,
    operation_id = "rotation_credit",
    params(("team" = String, Path, description = "The team's code"), ("id" = i64, Path, description = "The visit's id")),
    responses(
        (status = 200, body = super::VisitView, description = "The visit"),
        (status = 403),
        (status = 404, description = "`not_found`: no such visit"),
        (status = 422, description = "`validation`: `rule`, `other`, `note`"),
    ), security(("bearer" = [])))]
async fn post_credit(
    ApiCaller(ctx): ApiCaller,
    Path((team, id)): Path<(String, i64)>,
    ApiJson(body): ApiJson<CreditBody>,
) -> Result<Json<super::VisitView>, AppError> {
    let v = super::set_credit(
        &ctx,
        &team,
        id,
        &CreditIn {
            rule: body.rule,
            other: body.other,
            note: body.note,
        },
    )
    .await?;
    let names = super::store::names(ctx.db())
        .await
        .map_err(AppError::from)?;
    Ok(Json(super::visit_view(&names, &v)))
}

/// The till receipt of a visit's sale.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = rotation::SaleIn, examples(json!({"receipt_no": "R0001"})))]
pub struct SaleBody {
    #[serde(default)]
    pub receipt_no: String,
}

/// Mark a visit's sale with its till receipt (which must exist at the team's store). The same
/// receipt again changes nothing.
#[utoipa::path(post, path = "/rotation/{team}/visits/{id}/sale", tag = "rotation", request_body = SaleBody,
    operation_id = "rotation_sale",
    params(("team" = String, Path, description = "The team's code"), ("id" = i64, Path, description = "The visit's id")),
    responses(
        (status = 200, body = super::VisitView, description = "The visit"),
        (status = 403),
        (status = 404, description = "`not_found`: no such visit"),
        (status = 409, description = "`rotation_sale_marked`: marked with another receipt"),
        (status = 422, description = "`validation`: `receipt_no` missing, unknown at the store, or used"),
    ), security(("bearer" = [])))]
async fn post_sale(
    ApiCaller(ctx): ApiCaller,
    Path((team, id)): Path<(String, i64)>,
    ApiJson(body): ApiJson<SaleBody>,
) -> Result<Json<super::VisitView>, AppError> {
    let v = super::mark_sale(&ctx, &team, id, &body.receipt_no).await?;
    let names = super::store::names(ctx.db())
        .await
        .map_err(AppError::from)?;
    Ok(Json(super::visit_view(&names, &v)))
}

#[derive(Deserialize, IntoParams)]
pub struct DayQuery {
    /// The business date (default today).
    pub date: Option<String>,
}

/// A day's figures per representative (K5): turns, own customers, sales, conversion, credit.
#[utoipa::path(get, path = "/rotation/{team}/figures", tag = "rotation", operation_id = "rotation_figures",
    params(("team" = String, Path, description = "The team's code"), DayQuery),
    responses(
        (status = 200, body = Vec<Figures>, description = "One row per representative"),
        (status = 403),
        (status = 404, description = "`not_found`: no such team"),
    ), security(("bearer" = [])))]
async fn day_figures(
    ApiCaller(ctx): ApiCaller,
    Path(team): Path<String>,
    Query(q): Query<DayQuery>,
) -> Result<Json<Vec<Figures>>, AppError> {
    let day = date_param(q.date.as_deref(), ctx.today())?;
    Ok(Json(super::day_log(&ctx, &team, day).await?.figures))
}
