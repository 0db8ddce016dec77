//! JSON routes of the staff area, for scripts with an API token.

use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::kernel::ctx::{Actor, App};
use crate::web::error::AppError;
use crate::web::extract::ApiCaller;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(whoami))
        .routes(routes!(stores))
}

/// Who a bearer key stands for.
#[derive(Serialize, ToSchema)]
pub struct WhoAmI {
    /// `token` (a script) or `till`.
    pub kind: &'static str,
    pub name: String,
    /// Role codes held, with the store id they are held at (scripts only).
    pub roles: Vec<RoleAt>,
    /// The till's store (tills only).
    pub store_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct RoleAt {
    pub role: &'static str,
    pub store_id: i64,
}

/// Who am I: the identity behind the bearer key.
#[utoipa::path(get, path = "/whoami", tag = "auth",
    responses(
        (status = 200, body = WhoAmI, description = "The identity behind the key"),
        (status = 401, description = "`unauthorized`: missing, unknown or revoked key"),
    ),
    security(("bearer" = [])))]
async fn whoami(ApiCaller(ctx): ApiCaller) -> Json<WhoAmI> {
    let roles = ctx
        .actor
        .staff()
        .map(|s| {
            s.grants
                .iter()
                .map(|g| RoleAt {
                    role: g.role.code(),
                    store_id: g.store_id,
                })
                .collect()
        })
        .unwrap_or_default();
    let store_id = match &ctx.actor {
        Actor::Till { store_id, .. } => Some(*store_id),
        _ => None,
    };
    Json(WhoAmI {
        kind: ctx.actor.kind(),
        name: ctx.actor.audit_name(),
        roles,
        store_id,
    })
}

#[derive(Serialize, ToSchema)]
pub struct Store {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub time_zone: String,
    pub active: bool,
}

/// The stores.
#[utoipa::path(get, path = "/stores", tag = "stores",
    responses(
        (status = 200, body = Vec<Store>, description = "Every store"),
        (status = 403, description = "`forbidden`: a till key (the list is for staff tokens)"),
    ),
    security(("bearer" = [])))]
async fn stores(ApiCaller(ctx): ApiCaller) -> Result<Json<Vec<Store>>, AppError> {
    let rows = super::list_stores(&ctx).await?;
    Ok(Json(
        rows.into_iter()
            .map(|s| Store {
                id: s.id,
                code: s.code,
                name: s.name,
                time_zone: s.time_zone,
                active: s.active,
            })
            .collect(),
    ))
}
