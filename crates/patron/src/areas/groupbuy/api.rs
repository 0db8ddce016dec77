//! JSON routes of the group-buy area: the desk's and finance's operations for scripts and other
//! systems (API tokens), and the two till endpoints of `api/pos.md` (mounted by `pos::api`).

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::rebates::{self, NotifyIn, PayIn, RebateIn, RebateRow};
use super::reconcile::{self, MonthFigures};
use super::report::{self, DailyReport};
use super::requisitions::{self, PrepareIn, ReceiveIn, RequisitionIn, RequisitionRow};
use super::sales::{self, BounceIn, DepositIn, DepositRow, ReleaseIn, SaleCheck, SaleIn, SaleOut};
use super::stock::{self, SeriesIn, SeriesOut, StampIn, StateCount, WriteOffIn};
use crate::kernel::ctx::App;
use crate::web::error::AppError;
use crate::web::extract::ApiCaller;
use crate::web::json::{ApiJson, NoBody};

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(create_series))
        .routes(routes!(print_file))
        .routes(routes!(request_requisition))
        .routes(routes!(prepare_requisition))
        .routes(routes!(hand_over))
        .routes(routes!(receive))
        .routes(routes!(stamp))
        .routes(routes!(sell))
        .routes(routes!(check_sale))
        .routes(routes!(release))
        .routes(routes!(bounce))
        .routes(routes!(deposit))
        .routes(routes!(exchange))
        .routes(routes!(request_rebate))
        .routes(routes!(notify_rebate))
        .routes(routes!(pay_rebate))
        .routes(routes!(request_writeoff))
        .routes(routes!(decide))
        .routes(routes!(stock_counts))
        .routes(routes!(month))
        .routes(routes!(sign_department))
        .routes(routes!(sign_finance))
        .routes(routes!(daily))
}

fn created<T: Serialize>(body: T) -> Response {
    (StatusCode::CREATED, Json(body)).into_response()
}

#[derive(Serialize, ToSchema)]
#[schema(as = groupbuy::Done)]
pub struct Done {
    pub ok: bool,
}

const DONE: Done = Done { ok: true };

/// Print a voucher series (finance): its vouchers are at finance.
#[utoipa::path(post, path = "/groupbuy/series", tag = "groupbuy", request_body = SeriesIn,
    responses(
        (status = 201, body = SeriesOut, description = "The series, printed: its vouchers are at finance"),
        (status = 403),
        (status = 422, description = "`validation` (a `code` already used included)"),
    ), security(("bearer" = [])))]
async fn create_series(
    ApiCaller(ctx): ApiCaller,
    ApiJson(body): ApiJson<SeriesIn>,
) -> Result<Response, AppError> {
    Ok(created(stock::create_series(&ctx, &body).await?))
}

/// The print shop's file of a series (finance only, each download audited): one voucher a
/// line, `serial,check_code,face_value,expires_on,series`, UTF-8 CSV.
#[utoipa::path(get, path = "/groupbuy/series/{id}/print-file", tag = "groupbuy",
    params(("id" = i64, Path, description = "The series' id (as `create_series` answered)")),
    responses(
        (status = 200, content_type = "text/csv", body = String,
            description = "The file, as an attachment named `vouchers-<series code>.csv`"),
        (status = 403, description = "`forbidden`: only finance (`manage_voucher_stock`) makes the print shop's file"),
        (status = 404, description = "`not_found`: no such series"),
        (status = 422, description = "`validation`: `id` is not a number"),
    ), security(("bearer" = [])))]
async fn print_file(ApiCaller(ctx): ApiCaller, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (name, bytes) = stock::print_file(&ctx, id).await?;
    Ok(crate::web::export::attachment(
        &name,
        "text/csv; charset=utf-8",
        bytes,
    ))
}

/// File a requisition (请示报告单); it waits for approval.
#[utoipa::path(post, path = "/groupbuy/requisitions", tag = "groupbuy", request_body = RequisitionIn,
    responses(
        (status = 201, body = RequisitionRow, description = "The requisition, waiting for approval"),
        (status = 403),
        (status = 422),
    ), security(("bearer" = [])))]
async fn request_requisition(
    ApiCaller(ctx): ApiCaller,
    ApiJson(body): ApiJson<RequisitionIn>,
) -> Result<Response, AppError> {
    Ok(created(requisitions::request(&ctx, &body).await?))
}

/// Finance sets aside the ranges and the pick-up date.
#[utoipa::path(post, path = "/groupbuy/requisitions/{id}/prepare", tag = "groupbuy", request_body = PrepareIn,
    responses(
        (status = 200, body = Done, description = "Prepared"),
        (status = 403),
        (status = 404),
        (status = 409, description = "`conflict`: the requisition is not approved"),
        (status = 422, description = "`validation` or `voucher_state` (a range not at finance)"),
    ), security(("bearer" = [])))]
async fn prepare_requisition(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<PrepareIn>,
) -> Result<Json<Done>, AppError> {
    requisitions::prepare(&ctx, id, &body).await?;
    Ok(Json(DONE))
}

/// Finance records the hand-over.
#[utoipa::path(post, path = "/groupbuy/requisitions/{id}/hand-over", tag = "groupbuy",
    responses(
        (status = 200, body = Done, description = "Handed over"),
        (status = 403),
        (status = 404),
        (status = 409, description = "`conflict`: the requisition is not prepared"),
        (status = 422, description = "`validation`: `id` is not a number"),
    ), security(("bearer" = [])))]
async fn hand_over(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
    _: NoBody,
) -> Result<Json<Done>, AppError> {
    requisitions::hand_over(&ctx, id).await?;
    Ok(Json(DONE))
}

/// The department checks and signs for the vouchers.
#[utoipa::path(post, path = "/groupbuy/requisitions/{id}/receive", tag = "groupbuy", request_body = ReceiveIn,
    operation_id = "groupbuy_receive",
    responses(
        (status = 200, body = Done, description = "Received and signed for"),
        (status = 403),
        (status = 404),
        (status = 409, description = "`conflict` (not handed over) or `month_closed`: the month's reconciliation is signed"),
        (status = 422),
    ), security(("bearer" = [])))]
async fn receive(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ReceiveIn>,
) -> Result<Json<Done>, AppError> {
    requisitions::receive(&ctx, id, &body).await?;
    Ok(Json(DONE))
}

#[derive(Serialize, ToSchema)]
pub struct Counted {
    pub count: i64,
    pub amount_fen: i64,
}

/// Stamp received vouchers with the activity seal.
#[utoipa::path(post, path = "/groupbuy/stamp", tag = "groupbuy", request_body = StampIn,
    responses(
        (status = 200, body = Counted, description = "The vouchers stamped"),
        (status = 403),
        (status = 409, description = "`month_closed`: the month's reconciliation is signed"),
        (status = 422, description = "`validation` or `voucher_state`"),
    ), security(("bearer" = [])))]
async fn stamp(
    ApiCaller(ctx): ApiCaller,
    ApiJson(body): ApiJson<StampIn>,
) -> Result<Json<Counted>, AppError> {
    let m = stock::stamp(&ctx, &body).await?;
    Ok(Json(Counted {
        count: m.count,
        amount_fen: m.amount_fen,
    }))
}

/// Sell vouchers (cash: sold at once; cheque or transfer: reserved).
#[utoipa::path(post, path = "/groupbuy/sales", tag = "groupbuy", request_body = SaleIn,
    responses(
        (status = 201, body = SaleOut, description = "The sale: `sold` (cash) or `reserved`; a repeated `request_key` answers the first sale"),
        (status = 403),
        (status = 409, description = "`month_closed`: the month's reconciliation is signed, or `conflict`: the `request_key` belongs to another sale"),
        (status = 422, description = "`validation`, `prepaid_rule` or `voucher_state`"),
    ),
    security(("bearer" = [])))]
async fn sell(
    ApiCaller(ctx): ApiCaller,
    ApiJson(body): ApiJson<SaleIn>,
) -> Result<Response, AppError> {
    Ok(created(sales::sell(&ctx, &body).await?))
}

/// What a sale would come to and which rules it breaks; writes nothing.
#[utoipa::path(post, path = "/groupbuy/sales/check", tag = "groupbuy", request_body = SaleIn,
    responses(
        (status = 200, body = SaleCheck, description = "The totals and every rule broken so far (nothing written)"),
        (status = 403),
        (status = 422),
    ), security(("bearer" = [])))]
async fn check_sale(
    ApiCaller(ctx): ApiCaller,
    ApiJson(body): ApiJson<SaleIn>,
) -> Result<Json<SaleCheck>, AppError> {
    Ok(Json(sales::check(&ctx, &body).await?))
}

/// Hand over a cheque sale's vouchers (cleared, or counter-deposited with the bank slip).
#[utoipa::path(post, path = "/groupbuy/sales/{id}/release", tag = "groupbuy", request_body = ReleaseIn,
    responses(
        (status = 200, body = Done, description = "Released"),
        (status = 403),
        (status = 404),
        (status = 409, description = "`conflict` (not a reserved sale, or the cheque is not due) or `month_closed`: the month's reconciliation is signed"),
        (status = 422),
    ), security(("bearer" = [])))]
async fn release(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ReleaseIn>,
) -> Result<Json<Done>, AppError> {
    sales::release(&ctx, id, &body).await?;
    Ok(Json(DONE))
}

/// A cheque bounced: the reserved vouchers go back to stock.
#[utoipa::path(post, path = "/groupbuy/sales/{id}/bounce", tag = "groupbuy", request_body = BounceIn,
    responses(
        (status = 200, body = Done, description = "The vouchers are back in stock"),
        (status = 403),
        (status = 404),
        (status = 409, description = "`conflict` (not a reserved sale) or `month_closed`: the month's reconciliation is signed"),
        (status = 422),
    ), security(("bearer" = [])))]
async fn bounce(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<BounceIn>,
) -> Result<Json<Done>, AppError> {
    sales::bounce(&ctx, id, &body).await?;
    Ok(Json(DONE))
}

/// Pay in to finance what has not been paid in (内部进帐单).
#[utoipa::path(post, path = "/groupbuy/deposits", tag = "groupbuy", request_body = DepositIn,
    responses(
        (status = 201, body = DepositRow, description = "The pay-in slip"),
        (status = 403),
        (status = 409, description = "`conflict`: the sales changed while paying in"),
        (status = 422),
    ), security(("bearer" = [])))]
async fn deposit(
    ApiCaller(ctx): ApiCaller,
    ApiJson(body): ApiJson<DepositIn>,
) -> Result<Response, AppError> {
    Ok(created(sales::deposit(&ctx, &body).await?))
}

/// Exchange an expired, unused voucher for a new one of the same face value (E12).
#[utoipa::path(post, path = "/groupbuy/exchanges", tag = "groupbuy", request_body = super::exchange::ExchangeIn,
    operation_id = "groupbuy_exchange",
    responses(
        (status = 201, body = super::exchange::ExchangeOut, description = "Exchanged"),
        (status = 403),
        (status = 409, description = "`month_closed`: the month's reconciliation is signed"),
        (status = 422, description = "`validation`, `voucher_state` or `prepaid_rule`"),
    ), security(("bearer" = [])))]
async fn exchange(
    ApiCaller(ctx): ApiCaller,
    ApiJson(body): ApiJson<super::exchange::ExchangeIn>,
) -> Result<Response, AppError> {
    Ok(created(super::exchange::exchange(&ctx, &body).await?))
}

/// Request a rebate for a buyer's open purchases.
#[utoipa::path(post, path = "/groupbuy/rebates", tag = "groupbuy", request_body = RebateIn,
    responses(
        (status = 201, body = RebateRow, description = "The rebate, waiting for approval"),
        (status = 403),
        (status = 404),
        (status = 409, description = "`conflict`: the buyer's purchases changed"),
        (status = 422),
    ), security(("bearer" = [])))]
async fn request_rebate(
    ApiCaller(ctx): ApiCaller,
    ApiJson(body): ApiJson<RebateIn>,
) -> Result<Response, AppError> {
    Ok(created(rebates::request(&ctx, &body).await?))
}

/// Record that the customer was told to collect.
#[utoipa::path(post, path = "/groupbuy/rebates/{id}/notify", tag = "groupbuy", request_body = NotifyIn,
    responses(
        (status = 200, body = Done, description = "Recorded"),
        (status = 403),
        (status = 404),
        (status = 409, description = "`conflict`: the rebate is not approved, or paid"),
        (status = 422),
    ), security(("bearer" = [])))]
async fn notify_rebate(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NotifyIn>,
) -> Result<Json<Done>, AppError> {
    rebates::notify(&ctx, id, &body).await?;
    Ok(Json(DONE))
}

/// Pay a rebate in vouchers (返扣领取表).
#[utoipa::path(post, path = "/groupbuy/rebates/{id}/pay", tag = "groupbuy", request_body = PayIn,
    responses(
        (status = 200, body = RebateRow, description = "Paid"),
        (status = 403),
        (status = 404),
        (status = 409, description = "`conflict` (not approved, or paid already) or `month_closed`: the month's reconciliation is signed"),
        (status = 422, description = "`validation` or `voucher_state`"),
    ), security(("bearer" = [])))]
async fn pay_rebate(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<PayIn>,
) -> Result<Json<RebateRow>, AppError> {
    Ok(Json(rebates::pay(&ctx, id, &body).await?))
}

#[derive(Serialize, ToSchema)]
#[schema(as = groupbuy::Created)]
pub struct Created {
    pub id: i64,
}

/// Request a write-off of void, damaged or lost vouchers.
#[utoipa::path(post, path = "/groupbuy/writeoffs", tag = "groupbuy", request_body = WriteOffIn,
    responses(
        (status = 201, body = Created, description = "The write-off request, waiting for approval"),
        (status = 403),
        (status = 422, description = "`validation` or `voucher_state`"),
    ), security(("bearer" = [])))]
async fn request_writeoff(
    ApiCaller(ctx): ApiCaller,
    ApiJson(body): ApiJson<WriteOffIn>,
) -> Result<Response, AppError> {
    Ok(created(Created {
        id: stock::request_writeoff(&ctx, &body).await?,
    }))
}

#[derive(Deserialize, ToSchema)]
#[schema(as = groupbuy::DecideIn, examples(json!({"decision": "approve", "reason": ""})))]
pub struct DecideIn {
    /// `approve` or `reject`.
    pub decision: String,
    #[serde(default)]
    pub reason: String,
}

/// Decide a group-buy approval (requisition, rebate or write-off).
#[utoipa::path(post, path = "/groupbuy/approvals/{id}", tag = "groupbuy", request_body = DecideIn,
    operation_id = "groupbuy_decide",
    responses(
        (status = 200, body = Done, description = "Decided"),
        (status = 403, description = "`forbidden`: the permission is missing, or the caller filed the request"),
        (status = 404),
        (status = 409, description = "`conflict`: decided already"),
        (status = 422, description = "`validation`: `decision` is not `approve` or `reject`, or a rejection has no `reason`"),
    ), security(("bearer" = [])))]
async fn decide(
    ApiCaller(ctx): ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<DecideIn>,
) -> Result<Json<Done>, AppError> {
    use patron_core::approvals::Decision;
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
    super::decide(&ctx, id, decision).await?;
    Ok(Json(DONE))
}

#[derive(Deserialize, IntoParams)]
pub struct StoreQuery {
    pub store_code: String,
}

/// A department's vouchers by state and face value.
#[utoipa::path(get, path = "/groupbuy/stock", tag = "groupbuy", params(StoreQuery),
    responses(
        (status = 200, body = Vec<StateCount>, description = "Counts by state and face value"),
        (status = 403),
        (status = 422, description = "`validation`: `store_code` missing or unknown"),
    ), security(("bearer" = [])))]
async fn stock_counts(
    ApiCaller(ctx): ApiCaller,
    Query(q): Query<StoreQuery>,
) -> Result<Json<Vec<StateCount>>, AppError> {
    Ok(Json(stock::overview(&ctx, &q.store_code).await?))
}

/// A month's reconciliation figures, computed now.
#[utoipa::path(get, path = "/groupbuy/reconciliations/{store_code}/{month}", tag = "groupbuy",
    responses(
        (status = 200, body = MonthFigures, description = "The figures"),
        (status = 403),
        (status = 422, description = "`validation`: an unknown store or a month not `YYYY-MM`"),
    ), security(("bearer" = [])))]
async fn month(
    ApiCaller(ctx): ApiCaller,
    Path((store_code, month)): Path<(String, String)>,
) -> Result<Json<MonthFigures>, AppError> {
    let store = super::store_at(&ctx, &store_code, patron_core::Permission::ViewGroupBuy).await?;
    Ok(Json(reconcile::figures(ctx.db(), &store, &month).await?))
}

/// The department signs the month.
#[utoipa::path(post, path = "/groupbuy/reconciliations/{store_code}/{month}/department", tag = "groupbuy",
    responses(
        (status = 200, body = MonthFigures, description = "Signed"),
        (status = 403),
        (status = 409, description = "`conflict` (the month has not ended, or is signed) or `month_closed`: the month's reconciliation is signed"),
        (status = 422),
    ), security(("bearer" = [])))]
async fn sign_department(
    ApiCaller(ctx): ApiCaller,
    Path((store_code, month)): Path<(String, String)>,
    _: NoBody,
) -> Result<Json<MonthFigures>, AppError> {
    Ok(Json(
        reconcile::sign_department(&ctx, &store_code, &month).await?,
    ))
}

/// Finance signs the month; it is closed.
#[utoipa::path(post, path = "/groupbuy/reconciliations/{store_code}/{month}/finance", tag = "groupbuy",
    responses(
        (status = 200, body = MonthFigures, description = "Signed; the month is closed"),
        (status = 403),
        (status = 409, description = "`conflict` (the month has not ended, or the department has not signed) or `month_closed`: the month's reconciliation is signed"),
        (status = 422),
    ), security(("bearer" = [])))]
async fn sign_finance(
    ApiCaller(ctx): ApiCaller,
    Path((store_code, month)): Path<(String, String)>,
    _: NoBody,
) -> Result<Json<MonthFigures>, AppError> {
    Ok(Json(
        reconcile::sign_finance(&ctx, &store_code, &month).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct DailyQuery {
    pub store_code: String,
    /// `YYYY-MM-DD`; today by default.
    pub date: Option<NaiveDate>,
}

/// The 17:00 report of a day, computed now.
#[utoipa::path(get, path = "/groupbuy/reports/daily", tag = "groupbuy", params(DailyQuery),
    responses(
        (status = 200, body = DailyReport, description = "The report"),
        (status = 403),
        (status = 422, description = "`validation`: `store_code` missing or unknown, or a bad `date`"),
    ), security(("bearer" = [])))]
async fn daily(
    ApiCaller(ctx): ApiCaller,
    Query(q): Query<DailyQuery>,
) -> Result<Json<DailyReport>, AppError> {
    let store = super::store_at(&ctx, &q.store_code, patron_core::Permission::ViewGroupBuy).await?;
    let day = q.date.unwrap_or_else(|| ctx.today_at(&store));
    Ok(Json(report::build(&ctx, &store, day).await?))
}
