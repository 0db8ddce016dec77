//! JSON routes of partner merchants (SPEC G): `GET /partners`, `GET /partners/{id}` (with its
//! contracts), `GET /partners/{id}/contracts`, `POST /partners` (screen a new partner) and
//! `POST /partners/{id}/contracts`. Reads need `view_partners`, writes `manage_partners`; both
//! writes take an `Idempotency-Key` header, and a repeat with the same key records nothing more
//! and answers the first record. The contact's phone is only ever answered masked.

use axum::Json;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use patron_core::Permission;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::store::{self, ContractRow, PartnerRow};
use super::{ContractIn, PartnerIn};
use crate::kernel::ctx::{App, Ctx};
use crate::web::error::AppError;
use crate::web::extract::ApiCaller;
use crate::web::json::ApiJson;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show))
        .routes(routes!(contracts, add_contract))
}

/// A partner merchant.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = partners::Partner)]
pub struct PartnerOut {
    pub id: i64,
    pub name: String,
    /// `catering`, `hotel`, `travel`, `auto`, `health`, `beauty`, `education`, `leisure` or
    /// `other`.
    pub category: String,
    pub address: String,
    pub contact_person: String,
    /// The contact's phone, masked (`138****8000`).
    pub contact_phone: String,
    /// `screened`, `contacted`, `negotiating`, `agreed`, `signed`, `active`, `expired` or
    /// `ended`.
    pub stage: String,
    /// When it reached its stage.
    pub stage_on: NaiveDate,
    /// The responsible staff member's name.
    pub owner: String,
    pub department: String,
    pub callback_every_days: i64,
    pub next_callback_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

impl From<PartnerRow> for PartnerOut {
    fn from(p: PartnerRow) -> Self {
        PartnerOut {
            id: p.id,
            name: p.name,
            category: p.category,
            address: p.address,
            contact_person: p.contact_person,
            contact_phone: p.contact_phone_masked,
            stage: p.stage,
            stage_on: p.stage_on,
            owner: p.owner_name,
            department: p.department,
            callback_every_days: p.callback_every_days,
            next_callback_on: p.next_callback_on,
            created_at: p.created_at,
        }
    }
}

/// A partner's contract (G2).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = partners::Contract)]
pub struct ContractOut {
    pub id: i64,
    pub partner_id: i64,
    pub contract_no: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub benefit_zh: String,
    pub benefit_en: String,
    /// The member price in permille (900 = 10% off); null: a benefit in words only.
    pub discount_permille: Option<i64>,
    pub settlement_terms: String,
    /// The store codes it applies to; empty: every store.
    pub stores: Vec<String>,
    pub remind_days: i64,
    /// `in_force`, `expired` or `ended`.
    pub state: String,
    pub reminded_on: Option<NaiveDate>,
}

impl From<ContractRow> for ContractOut {
    fn from(k: ContractRow) -> Self {
        ContractOut {
            id: k.id,
            partner_id: k.partner_id,
            contract_no: k.contract_no,
            starts_on: k.starts_on,
            ends_on: k.ends_on,
            benefit_zh: k.benefit_zh,
            benefit_en: k.benefit_en,
            discount_permille: k.discount_permille,
            settlement_terms: k.settlement_terms,
            stores: k
                .stores
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            remind_days: k.remind_days,
            state: k.state,
            reminded_on: k.reminded_on,
        }
    }
}

/// A partner with its contracts.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = partners::PartnerFile)]
pub struct PartnerFile {
    pub partner: PartnerOut,
    pub contracts: Vec<ContractOut>,
}

fn idempotency_key(headers: &HeaderMap) -> Option<&str> {
    headers.get("idempotency-key").and_then(|v| v.to_str().ok())
}

async fn partner(ctx: &Ctx, id: i64) -> Result<PartnerOut, AppError> {
    Ok(store::get(ctx.db(), id)
        .await?
        .ok_or_else(AppError::not_found)?
        .into())
}

/// Every partner, by name.
#[utoipa::path(get, path = "/partners", tag = "partners", operation_id = "partners_list",
    responses((status = 200, body = Vec<PartnerOut>, description = "The partners"), (status = 403)),
    security(("bearer" = [])))]
async fn list(ApiCaller(ctx): ApiCaller) -> Result<Json<Vec<PartnerOut>>, AppError> {
    ctx.require(Permission::ViewPartners)?;
    let rows = store::all(ctx.db()).await?;
    Ok(Json(rows.into_iter().map(PartnerOut::from).collect()))
}

/// Screen a new partner (筛选): its file and the first row of its history. With an
/// `Idempotency-Key` header, a repeat records nothing more and answers the first partner.
#[utoipa::path(post, path = "/partners", tag = "partners", request_body = PartnerIn,
    operation_id = "partners_create",
    params(("Idempotency-Key" = Option<String>, Header, description = "A repeat with the same key answers the first partner")),
    responses(
        (status = 201, body = PartnerOut, description = "Recorded (or the first one, for a repeated key)"),
        (status = 403),
        (status = 409, description = "`duplicate` naming `name`: a partner of that name exists"),
        (status = 422, description = "`validation`, naming each bad field (`name`, `category`, `contact_phone`, …)"),
    ), security(("bearer" = [])))]
async fn create(
    ApiCaller(ctx): ApiCaller,
    headers: HeaderMap,
    ApiJson(body): ApiJson<PartnerIn>,
) -> Result<Response, AppError> {
    let id = super::create_partner_once(&ctx, &body, idempotency_key(&headers)).await?;
    let out = partner(&ctx, id).await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// One partner with its contracts.
#[utoipa::path(get, path = "/partners/{id}", tag = "partners", operation_id = "partners_show",
    params(("id" = i64, Path, description = "The partner's id")),
    responses((status = 200, body = PartnerFile, description = "The partner and its contracts"), (status = 403), (status = 404)),
    security(("bearer" = [])))]
async fn show(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
) -> Result<Json<PartnerFile>, AppError> {
    ctx.require(Permission::ViewPartners)?;
    let partner = partner(&ctx, id).await?;
    let contracts = store::contracts(ctx.db(), id).await?;
    Ok(Json(PartnerFile {
        partner,
        contracts: contracts.into_iter().map(ContractOut::from).collect(),
    }))
}

/// A partner's contracts.
#[utoipa::path(get, path = "/partners/{id}/contracts", tag = "partners",
    operation_id = "partners_contracts",
    params(("id" = i64, Path, description = "The partner's id")),
    responses((status = 200, body = Vec<ContractOut>, description = "The contracts"), (status = 403), (status = 404)),
    security(("bearer" = [])))]
async fn contracts(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
) -> Result<Json<Vec<ContractOut>>, AppError> {
    ctx.require(Permission::ViewPartners)?;
    partner(&ctx, id).await?;
    let rows = store::contracts(ctx.db(), id).await?;
    Ok(Json(rows.into_iter().map(ContractOut::from).collect()))
}

/// Record a contract (G2); the partner must have agreed first. With an `Idempotency-Key`
/// header, a repeat records nothing more and answers the first contract.
#[utoipa::path(post, path = "/partners/{id}/contracts", tag = "partners", request_body = ContractIn,
    operation_id = "partners_add_contract",
    params(("id" = i64, Path, description = "The partner's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "A repeat with the same key answers the first contract")),
    responses(
        (status = 201, body = ContractOut, description = "Recorded (or the first one, for a repeated key)"),
        (status = 403),
        (status = 404),
        (status = 409, description = "`duplicate` naming `contract_no`: the number is taken"),
        (status = 422, description = "`validation`, naming each bad field (`contract_no` when the partner has not agreed yet, `ends_on`, `stores`, …)"),
    ), security(("bearer" = [])))]
async fn add_contract(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ContractIn>,
) -> Result<Response, AppError> {
    let contract_id = super::add_contract_once(&ctx, id, &body, idempotency_key(&headers)).await?;
    let out = store::contracts(ctx.db(), id)
        .await?
        .into_iter()
        .find(|k| k.id == contract_id)
        .map(ContractOut::from)
        .ok_or_else(AppError::not_found)?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}
