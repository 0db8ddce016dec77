//! The till API routes, exactly as `api/pos.md` (base path `/api/v1/pos`). The voucher
//! endpoints call the group-buy area.

use axum::Json;
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{LookupOut, QuoteIn, QuoteOut};
use crate::areas::groupbuy::redeem::{
    self as vouchers, RedeemVoucherIn, RedeemVoucherOut, VoucherOut,
};
use crate::areas::points::Outcome;
use crate::areas::points::receipts::{self, ReceiptIn, ReceiptOut};
use crate::areas::points::returns::{self, ReturnIn, ReturnOut};
use crate::areas::points::spend::{self, RedeemIn, RedeemOut};
use crate::kernel::ctx::{Actor, App, Ctx};
use crate::kernel::error as codes;
use crate::web::error::AppError;
use crate::web::extract::ApiCaller;
use crate::web::json::ApiJson;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(lookup))
        .routes(routes!(quote))
        .routes(routes!(receipt))
        .routes(routes!(return_goods))
        .routes(routes!(redeem_points))
        .routes(routes!(voucher_lookup))
        .routes(routes!(voucher_redeem))
}

/// A till, authenticated by its key. Other keys are refused: the till API is for tills.
pub struct Till(pub Ctx);

impl FromRequestParts<App> for Till {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, AppError> {
        let ApiCaller(ctx) = ApiCaller::from_request_parts(parts, app).await?;
        match ctx.actor {
            Actor::Till { .. } => Ok(Till(ctx)),
            _ => Err(AppError::new(codes::FORBIDDEN).detail("the till API takes till keys only")),
        }
    }
}

fn created_or_replayed<T: serde::Serialize>(outcome: Outcome, body: T) -> Response {
    let status = match outcome {
        Outcome::Created => StatusCode::CREATED,
        Outcome::Replayed => StatusCode::OK,
    };
    (status, Json(body)).into_response()
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct LookupQuery {
    /// The card number.
    pub card_no: Option<String>,
    /// Or the member's mobile phone.
    pub phone: Option<String>,
}

/// Look a member up by card number or phone.
#[utoipa::path(get, path = "/pos/members/lookup", tag = "pos", params(LookupQuery),
    responses(
        (status = 200, body = LookupOut, description = "The member"),
        (status = 403, description = "`forbidden`: not a till key"),
        (status = 404, description = "`member_not_found`"),
        (status = 409, description = "`card_frozen` / `card_expired` / `card_inactive`, the member still named"),
        (status = 422, description = "`validation`: neither `card_no` nor `phone`, or a malformed one"),
    ),
    security(("bearer" = [])))]
async fn lookup(
    Till(ctx): Till,
    Query(q): Query<LookupQuery>,
) -> Result<Json<LookupOut>, AppError> {
    Ok(Json(
        super::lookup(&ctx, q.card_no.as_deref(), q.phone.as_deref()).await?,
    ))
}

/// The discount and points a basket would get. Writes nothing.
#[utoipa::path(post, path = "/pos/quote", tag = "pos", request_body = QuoteIn,
    responses(
        (status = 200, body = QuoteOut, description = "The discount and points (nothing written)"),
        (status = 403, description = "`forbidden`: not a till key, or a till key of another store than `store_code`"),
        (status = 404, description = "`member_not_found`"),
        (status = 409, description = "`card_frozen` / `card_expired` / `card_inactive`"),
        (status = 422),
    ),
    security(("bearer" = [])))]
async fn quote(
    Till(ctx): Till,
    ApiJson(body): ApiJson<QuoteIn>,
) -> Result<Json<QuoteOut>, AppError> {
    Ok(Json(super::quote(&ctx, &body).await?))
}

/// Accrue a receipt (SPEC C1–C2, B7). A repeat answers the first answer with 200.
#[utoipa::path(post, path = "/pos/receipts", tag = "pos", request_body = ReceiptIn,
    responses(
        (status = 201, body = ReceiptOut, description = "Accrued"),
        (status = 200, body = ReceiptOut, description = "a repeat: the first answer"),
        (status = 403, description = "`forbidden`: not a till key, or a till key of another store than `store_code`"),
        (status = 404, description = "`member_not_found`"),
        (status = 409, description = "`receipt_conflict` (the same number with other content) or the card's state"),
        (status = 422, description = "`validation`, naming each bad field; `occurred_at` outside the till window \
            (before the card was issued, more than `[pos] receipt_max_age_days` (7) days old, or more than \
            `receipt_max_future_minutes` (5) ahead): an older purchase is entered at the desk as missed points"),
    ),
    security(("bearer" = [])))]
async fn receipt(Till(ctx): Till, ApiJson(body): ApiJson<ReceiptIn>) -> Result<Response, AppError> {
    let (outcome, out) = receipts::accrue(&ctx, &body, "till").await?;
    Ok(created_or_replayed(outcome, out))
}

/// Take back the points of returned lines (SPEC C4).
#[utoipa::path(post, path = "/pos/returns", tag = "pos", request_body = ReturnIn,
    responses(
        (status = 201, body = ReturnOut, description = "The points taken back"),
        (status = 200, body = ReturnOut, description = "a repeat: the first answer"),
        (status = 403, description = "`forbidden`: not a till key, or a till key of another store than `store_code`"),
        (status = 404, description = "`receipt_not_found`"),
        (status = 409, description = "`receipt_conflict`: the same return number with other content"),
        (status = 422, description = "`validation`: more returned than bought, or a line twice"),
    ),
    security(("bearer" = [])))]
async fn return_goods(
    Till(ctx): Till,
    ApiJson(body): ApiJson<ReturnIn>,
) -> Result<Response, AppError> {
    let (outcome, out) = returns::take_return(&ctx, &body).await?;
    Ok(created_or_replayed(outcome, out))
}

/// Pay with points at the configured ratio, oldest points first (SPEC C6–C7).
#[utoipa::path(post, path = "/pos/points/redeem", tag = "pos", request_body = RedeemIn,
    responses(
        (status = 201, body = RedeemOut, description = "Points spent"),
        (status = 200, body = RedeemOut, description = "a repeat: the first answer"),
        (status = 403, description = "`forbidden`: not a till key, or a till key of another store than `store_code`"),
        (status = 404, description = "`member_not_found`"),
        (status = 409, description = "`receipt_conflict` or the card's state"),
        (status = 422, description = "`insufficient_points` or `validation`"),
    ),
    security(("bearer" = [])))]
async fn redeem_points(
    Till(ctx): Till,
    ApiJson(body): ApiJson<RedeemIn>,
) -> Result<Response, AppError> {
    let (outcome, out) = spend::redeem(&ctx, &body).await?;
    Ok(created_or_replayed(outcome, out))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct VoucherQuery {
    /// The check code printed beside the serial (required unless turned off for the store).
    pub check_code: Option<String>,
}

/// Check a group-buy voucher. An unknown serial and a wrong check code get the same 404; repeated
/// wrong codes from one till are rate-limited (429).
#[utoipa::path(get, path = "/pos/vouchers/{serial}", tag = "pos", params(("serial" = String, Path), VoucherQuery),
    responses(
        (status = 200, body = VoucherOut, description = "The voucher"),
        (status = 403, description = "`forbidden`: not a till key"),
        (status = 404, description = "`voucher_not_found`"),
        (status = 429, description = "`rate_limited`"),
    ),
    security(("bearer" = [])))]
async fn voucher_lookup(
    Till(ctx): Till,
    Path(serial): Path<String>,
    Query(q): Query<VoucherQuery>,
) -> Result<Json<VoucherOut>, AppError> {
    Ok(Json(
        vouchers::lookup(&ctx, &serial, q.check_code.as_deref()).await?,
    ))
}

/// Use a voucher, once (SPEC E8). The same request again answers the first answer.
#[utoipa::path(post, path = "/pos/vouchers/{serial}/redeem", tag = "pos", params(("serial" = String, Path)),
    request_body = RedeemVoucherIn,
    responses(
        (status = 200, body = RedeemVoucherOut, description = "Used (or the first answer to the same request)"),
        (status = 403, description = "`forbidden`: not a till key, or a till key of another store than `store_code`"),
        (status = 404, description = "`voucher_not_found`"),
        (status = 409, description = "`voucher_used`, with when and where"),
        (status = 410, description = "`voucher_expired`"),
        (status = 422, description = "`voucher_not_sold`, `voucher_void` or `validation`"),
        (status = 429, description = "`rate_limited`"),
    ),
    security(("bearer" = [])))]
async fn voucher_redeem(
    Till(ctx): Till,
    Path(serial): Path<String>,
    ApiJson(body): ApiJson<RedeemVoucherIn>,
) -> Result<Json<RedeemVoucherOut>, AppError> {
    Ok(Json(vouchers::redeem(&ctx, &serial, &body).await?))
}
