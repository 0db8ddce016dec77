//! JSON routes of customer files (`api/care.md`: `POST /customers`).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::record::{self, CustomerIn, Recorded};
use crate::kernel::ctx::App;
use crate::web::error::AppError;
use crate::web::extract::ApiCaller;
use crate::web::json::ApiJson;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new().routes(routes!(create))
}

/// Record a customer, owned by the caller (the first to record an organisation owns it).
#[utoipa::path(post, path = "/customers", tag = "customers", request_body = CustomerIn,
    operation_id = "customers_create",
    responses(
        (status = 201, body = Recorded, description = "Recorded, owned by the caller"),
        (status = 403),
        (status = 409, description = "`customer_exists`: the same name or credit code is on file; `detail` names the owner"),
        (status = 422, description = "`validation`, naming each bad field"),
    ), security(("bearer" = [])))]
async fn create(
    ApiCaller(ctx): ApiCaller,
    ApiJson(body): ApiJson<CustomerIn>,
) -> Result<Response, AppError> {
    let out = record::record(&ctx, &body).await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}
