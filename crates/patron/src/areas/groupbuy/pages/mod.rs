//! Console routes of the group-buy desk, one file per screen group: the stock overview
//! (`stock`), requisitions, sales, the customer register and the daily report (`register`),
//! rebates and the month (`month`), the settings, and the paper forms (`print`). Forms are read
//! as plain maps and re-shown with their input and messages when refused (`forms`).

mod month;
pub mod print;
mod register;
mod requisitions;
mod sales;
mod settings;
mod stock;
mod words;

use axum::Router;
use axum::routing::{get, post};

use crate::kernel::ctx::App;

pub fn router() -> Router<App> {
    Router::new()
        .route("/groupbuy", get(stock::overview))
        .route("/groupbuy/stock.csv", get(stock::stock_csv))
        .route("/groupbuy/stock.xlsx", get(stock::stock_xlsx))
        .route("/groupbuy/stamp", post(stock::stamp_submit))
        .route("/groupbuy/writeoffs", post(stock::writeoff_submit))
        .route("/groupbuy/exchanges", post(stock::exchange_submit))
        .route("/groupbuy/series", post(stock::series_submit))
        .route(
            "/groupbuy/series/{id}/print-file.csv",
            get(stock::print_file),
        )
        .route(
            "/groupbuy/requisitions",
            get(requisitions::requisitions_page).post(requisitions::requisition_submit),
        )
        .route(
            "/groupbuy/requisitions/{id}/{step}",
            post(requisitions::requisition_step),
        )
        .route(
            "/admin/groupbuy",
            get(settings::settings_page).post(settings::settings_submit),
        )
        .route(
            "/admin/groupbuy/check-code",
            post(settings::check_code_submit),
        )
        .merge(sale_routes())
        .merge(month_routes())
        .merge(print_routes())
}

fn sale_routes() -> Router<App> {
    Router::new()
        .route("/groupbuy/sales/new", get(sales::new_sale))
        .route("/groupbuy/sales/check", post(sales::check_sale))
        .route(
            "/groupbuy/sales",
            get(sales::sales_page).post(sales::sale_submit),
        )
        .route("/groupbuy/sales.csv", get(sales::sales_csv))
        .route("/groupbuy/sales.xlsx", get(sales::sales_xlsx))
        .route("/groupbuy/sales/{id}", get(sales::sale_page))
        .route("/groupbuy/sales/{id}/{step}", post(sales::sale_step))
        .route("/groupbuy/deposits", post(sales::deposit_submit))
        .route("/groupbuy/register", get(register::register_page))
        .route("/groupbuy/register.csv", get(register::register_csv))
        .route("/groupbuy/register.xlsx", get(register::register_xlsx))
        .route("/groupbuy/register/print", get(register::register_print))
        .route(
            "/groupbuy/register/{id}/phone",
            post(register::reveal_submit),
        )
        .route("/groupbuy/report", get(register::report_page))
}

fn month_routes() -> Router<App> {
    Router::new()
        .route(
            "/groupbuy/rebates",
            get(month::rebates_page).post(month::rebate_submit),
        )
        .route("/groupbuy/rebates.csv", get(month::rebates_csv))
        .route("/groupbuy/rebates.xlsx", get(month::rebates_xlsx))
        .route("/groupbuy/rebates/{id}/{step}", post(month::rebate_step))
        .route("/groupbuy/reconcile", get(month::reconcile_page))
        .route("/groupbuy/reconcile/{side}", post(month::sign_submit))
}

fn print_routes() -> Router<App> {
    Router::new()
        .route(
            "/groupbuy/requisitions/{id}/report.print",
            get(print::requisition_report),
        )
        .route(
            "/groupbuy/pickup-register/print",
            get(print::pickup_register),
        )
        .route(
            "/groupbuy/sales/{id}/cheque.print",
            get(print::cheque_receipt),
        )
        .route("/groupbuy/deposits/{id}/print", get(print::deposit_slip))
        .route("/groupbuy/report.print", get(print::notice))
        .route("/groupbuy/rebates/{id}/print", get(print::rebate_slip))
        .route(
            "/groupbuy/rebate-register/print",
            get(print::rebate_register),
        )
        .route("/groupbuy/reconcile.print", get(print::statement))
}
