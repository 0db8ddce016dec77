//! Console routes of gift stock, the exchange desk and birthday gifts, their print views and
//! exports, and the portal's exchange page: one file per screen group, this one the router.
//! Forms are read as plain maps and re-shown with their input and messages (422) when refused.

mod birthday;
mod exchange;
mod list;
mod movements;
mod portal;
mod print;
mod shared;
mod stock;

use axum::Router;
use axum::routing::{get, post};

use crate::kernel::ctx::App;

pub fn router() -> Router<App> {
    Router::new()
        .route(
            "/rewards/gifts",
            get(list::gifts_page).post(list::gift_submit),
        )
        .route("/rewards/stock", get(stock::stock_page))
        .route("/rewards/stock.csv", get(stock::stock_csv))
        .route("/rewards/stock.xlsx", get(stock::stock_xlsx))
        .route("/rewards/stock/delivery", post(stock::delivery_submit))
        .route("/rewards/stock/transfer", post(stock::transfer_submit))
        .route("/rewards/stock/stocktake", post(stock::stocktake_submit))
        .route("/rewards/stock/movements", get(movements::movements_page))
        .route(
            "/rewards/stock/movements.csv",
            get(movements::movements_csv),
        )
        .route(
            "/rewards/stock/movements.xlsx",
            get(movements::movements_xlsx),
        )
        .route("/rewards/stock/docs/{id}/print", get(print::doc_print))
        .route("/rewards/stock/count-sheet/print", get(print::count_sheet))
        .route(
            "/rewards/exchange",
            get(exchange::exchange_page).post(exchange::exchange_submit),
        )
        .route("/rewards/exchange/{id}/print", get(print::exchange_print))
        .route("/rewards/birthday", get(birthday::birthday_page))
        .route("/rewards/birthday/claim", post(birthday::claim_submit))
        .route(
            "/rewards/birthday/settings",
            post(birthday::settings_submit),
        )
        .route(
            "/portal/exchange",
            get(portal::portal_page).post(portal::portal_submit),
        )
}
