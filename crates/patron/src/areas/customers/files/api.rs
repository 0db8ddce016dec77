//! JSON routes of customer files: `POST /customers` (fixed by `api/care.md`), and this project's
//! own: the lists, one file, claiming from the pool, a manager's reassigning.

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::owners::{self, ReassignIn};
use super::record::{self, CustomerIn, Recorded};
use super::store::CustomerRow;
use super::view::{self, CustomerFile, ListIn};
use crate::kernel::ctx::App;
use crate::web::error::AppError;
use crate::web::extract::ApiCaller;
use crate::web::json::{ApiJson, NoBody};

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(record_customer, list_customers))
        .routes(routes!(customer_file))
        .routes(routes!(claim_customer))
        .routes(routes!(reassign_customer))
}

/// Record a customer, owned by the caller (the first to record an organisation owns it).
#[utoipa::path(post, path = "/customers", tag = "customers", request_body = CustomerIn,
    responses(
        (status = 201, body = Recorded, description = "Recorded, owned by the caller"),
        (status = 403),
        (status = 409, description = "`customer_exists`: the same name or credit code is on file; `detail` names the owner"),
        (status = 422, description = "`validation`, naming each bad field"),
    ), security(("bearer" = [])))]
async fn record_customer(
    ApiCaller(ctx): ApiCaller,
    ApiJson(body): ApiJson<CustomerIn>,
) -> Result<Response, AppError> {
    let out = record::record(&ctx, &body).await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// A customer in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = customers::CustomerLine)]
pub struct CustomerLine {
    pub id: i64,
    pub name: String,
    pub credit_code: Option<String>,
    /// `enterprise`, `government`, `collective` or `individual`.
    pub kind: String,
    /// `A`, `B` or `C`.
    pub grade: String,
    /// The owner's user name; empty when the customer is in the shared pool.
    pub owner: String,
    pub owner_name: String,
    pub owned_since: Option<chrono::DateTime<chrono::Utc>>,
    pub last_contact_at: Option<chrono::DateTime<chrono::Utc>>,
    pub contact_name: String,
    /// Masked.
    pub contact_phone: String,
}

impl From<CustomerRow> for CustomerLine {
    fn from(c: CustomerRow) -> Self {
        CustomerLine {
            id: c.id,
            name: c.name,
            credit_code: c.credit_code,
            kind: c.kind,
            grade: c.grade,
            owner: c.owner,
            owner_name: c.owner_name,
            owned_since: c.owned_since,
            last_contact_at: c.last_contact_at,
            contact_name: c.contact_name,
            contact_phone: c.contact_phone,
        }
    }
}

/// Customers: the caller's (`tab=mine`), everyone's (`tab=all`, managers) or the shared pool
/// (`tab=pool`), filtered by kind, grade, owner and part of the name; 100 a page.
#[utoipa::path(get, path = "/customers", tag = "customers", params(ListIn),
    responses(
        (status = 200, body = Vec<CustomerLine>, description = "The customers"),
        (status = 403),
        (status = 422, description = "`validation`: an unknown `owner`"),
    ), security(("bearer" = [])))]
async fn list_customers(
    ApiCaller(ctx): ApiCaller,
    Query(q): Query<ListIn>,
) -> Result<Json<Vec<CustomerLine>>, AppError> {
    let rows = view::list(&ctx, &q, true).await?;
    Ok(Json(rows.into_iter().map(CustomerLine::from).collect()))
}

/// One customer's file: details, contacts (phones masked), owner history, purchase history from
/// group-buy sales (each credited to its seller) and the latest callbacks.
#[utoipa::path(get, path = "/customers/{id}", tag = "customers",
    responses(
        (status = 200, body = CustomerFile, description = "The file"),
        (status = 403), (status = 404),
    ), security(("bearer" = [])))]
async fn customer_file(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
) -> Result<Json<CustomerFile>, AppError> {
    Ok(Json(view::file(&ctx, id).await?))
}

/// Claim a customer from the shared pool (within the per-person cap; of two claims at once one
/// wins).
#[utoipa::path(post, path = "/customers/{id}/claim", tag = "customers",
    responses(
        (status = 200, body = CustomerLine, description = "Claimed: now owned by the caller"),
        (status = 403), (status = 404),
        (status = 409, description = "`conflict`: not in the pool (someone claimed it first); `claim_cap_reached`: the caller holds as many customers as the cap allows"),
        (status = 415, description = "`unsupported_media_type`: a body that is not JSON"),
        (status = 422, description = "`validation`: a malformed body"),
    ), security(("bearer" = [])))]
async fn claim_customer(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
    _: NoBody,
) -> Result<Json<CustomerLine>, AppError> {
    owners::claim(&ctx, id).await?;
    Ok(Json(view::file(&ctx, id).await?.customer.into()))
}

/// A manager reassigns a customer to another salesperson (`to` empty: back to the pool), with a
/// note; the change is kept in the owner history.
#[utoipa::path(post, path = "/customers/{id}/reassign", tag = "customers", request_body = ReassignIn,
    responses(
        (status = 200, body = CustomerLine, description = "Reassigned"),
        (status = 403), (status = 404),
        (status = 409, description = "`conflict`: the owner changed meanwhile"),
        (status = 422, description = "`validation`: `to` is nobody who may own customers, or the current owner"),
    ), security(("bearer" = [])))]
async fn reassign_customer(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ReassignIn>,
) -> Result<Json<CustomerLine>, AppError> {
    owners::reassign(&ctx, id, &body).await?;
    Ok(Json(view::file(&ctx, id).await?.customer.into()))
}
