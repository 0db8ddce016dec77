//! JSON routes of gift stock and the exchange catalogue, for scripts and other systems (API
//! tokens acting with their owner's roles).

use axum::Json;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::birthday::{self, ClaimIn, EntitlementRow};
use super::catalogue::{self, CatalogueItem};
use super::exchange::{self, ExchangeIn, ExchangeOut};
use super::stock::{self, DeliveryIn, DocRow, TransferIn};
use super::stocktake::{self, StocktakeIn};
use super::store_at;
use crate::kernel::ctx::App;
use crate::web::error::AppError;
use crate::web::extract::ApiCaller;
use crate::web::json::ApiJson;
use patron_core::Permission;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(exchange))
        .routes(routes!(list_catalogue))
        .routes(routes!(receive))
        .routes(routes!(transfer))
        .routes(routes!(stocktake))
        .routes(routes!(claim_birthday))
}

fn created<T: Serialize>(body: T) -> Response {
    (StatusCode::CREATED, Json(body)).into_response()
}

/// Exchange a member's points for a gift at a store (积分兑换): points and stock in one write.
/// A repeat with the same `key` answers the first exchange (200, `replayed`).
#[utoipa::path(post, path = "/rewards/exchanges", tag = "rewards", request_body = ExchangeIn,
    operation_id = "rewards_exchange",
    responses(
        (status = 201, body = ExchangeOut, description = "Exchanged"),
        (status = 200, body = ExchangeOut, description = "a repeat of `key`: the first exchange (`replayed`)"),
        (status = 403),
        (status = 404, description = "`member_not_found`"),
        (status = 409, description = "`out_of_stock` or `card_frozen` / `card_expired` / `card_inactive`"),
        (status = 422, description = "`insufficient_points` or `validation`"),
    ),
    security(("bearer" = [])))]
async fn exchange(
    ApiCaller(ctx): ApiCaller,
    ApiJson(body): ApiJson<ExchangeIn>,
) -> Result<Response, AppError> {
    let out = exchange::exchange(&ctx, &body).await?;
    if out.replayed {
        Ok(Json(out).into_response())
    } else {
        Ok(created(out))
    }
}

#[derive(Deserialize, IntoParams, ToSchema)]
pub struct StoreQuery {
    pub store_code: String,
}

/// The exchange catalogue at a store: gifts with a points price and the stock there.
#[utoipa::path(get, path = "/rewards/catalogue", tag = "rewards", params(StoreQuery),
    responses(
        (status = 200, body = Vec<CatalogueItem>, description = "The catalogue"),
        (status = 403),
        (status = 422, description = "`validation`: `store_code` missing or unknown"),
    ), security(("bearer" = [])))]
async fn list_catalogue(
    ApiCaller(ctx): ApiCaller,
    Query(q): Query<StoreQuery>,
) -> Result<Json<Vec<CatalogueItem>>, AppError> {
    let store = store_at(&ctx, &q.store_code, Permission::ViewRewards).await?;
    Ok(Json(catalogue::catalogue(ctx.db(), store.id).await?))
}

/// Receive gifts against a supplier's delivery note.
#[utoipa::path(post, path = "/rewards/stock/deliveries", tag = "rewards", request_body = DeliveryIn,
    operation_id = "rewards_receive",
    responses(
        (status = 201, body = DocRow, description = "The delivery, recorded"),
        (status = 403),
        (status = 422),
    ), security(("bearer" = [])))]
async fn receive(
    ApiCaller(ctx): ApiCaller,
    ApiJson(body): ApiJson<DeliveryIn>,
) -> Result<Response, AppError> {
    Ok(created(stock::receive(&ctx, &body).await?))
}

/// Transfer gifts to another store (out and in, one document).
#[utoipa::path(post, path = "/rewards/stock/transfers", tag = "rewards", request_body = TransferIn,
    responses(
        (status = 201, body = DocRow, description = "The transfer, recorded"),
        (status = 403),
        (status = 422),
    ), security(("bearer" = [])))]
async fn transfer(
    ApiCaller(ctx): ApiCaller,
    ApiJson(body): ApiJson<TransferIn>,
) -> Result<Response, AppError> {
    Ok(created(stock::transfer(&ctx, &body).await?))
}

/// Record a stock-take; differences go to approval.
#[utoipa::path(post, path = "/rewards/stock/stocktakes", tag = "rewards", request_body = StocktakeIn,
    responses(
        (status = 201, body = DocRow, description = "The stock-take; differences wait for approval"),
        (status = 403),
        (status = 422),
    ), security(("bearer" = [])))]
async fn stocktake(
    ApiCaller(ctx): ApiCaller,
    ApiJson(body): ApiJson<StocktakeIn>,
) -> Result<Response, AppError> {
    Ok(created(stocktake::stocktake(&ctx, &body).await?))
}

/// Hand over a member's birthday gift (birthday month, once).
#[utoipa::path(post, path = "/rewards/birthday/claims", tag = "rewards", request_body = ClaimIn,
    responses(
        (status = 201, body = EntitlementRow, description = "Handed over"),
        (status = 403),
        (status = 409, description = "`out_of_stock` or `card_frozen` / `card_expired` / `card_inactive`"),
        (status = 422, description = "`validation` (no entitlement, claimed already, not the birthday month included)"),
    ), security(("bearer" = [])))]
async fn claim_birthday(
    ApiCaller(ctx): ApiCaller,
    ApiJson(body): ApiJson<ClaimIn>,
) -> Result<Response, AppError> {
    Ok(created(birthday::claim(&ctx, &body).await?))
}
