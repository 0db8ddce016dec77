//! Console routes of the staff area: stores (`stores`), staff accounts (`accounts`) and the
//! permission matrix (`roles`); signing in (`login`), the dashboard and bearer keys (`keys`)
//! have their own routers.

mod accounts;
pub mod dashboard;
pub mod keys;
pub mod login;
mod roles;
mod stores;

use axum::Router;
use axum::routing::{get, post};
use serde::Deserialize;

use crate::kernel::ctx::App;
use crate::web::export::ExportFormat;
use crate::web::extract::Console;
use accounts::{
    staff_create, staff_csv, staff_disable, staff_edit, staff_enable, staff_list, staff_new,
    staff_profile, staff_reset, staff_roles, staff_xlsx,
};
use roles::roles_page;
use stores::{store_create, store_edit_page, store_update, stores_export, stores_page};

pub fn router() -> Router<App> {
    Router::new()
        .route("/admin/stores", get(stores_page).post(store_create))
        .route(
            "/admin/stores.csv",
            get(|c: Console| stores_export(c, ExportFormat::Csv)),
        )
        .route(
            "/admin/stores.xlsx",
            get(|c: Console| stores_export(c, ExportFormat::Xlsx)),
        )
        .route(
            "/admin/stores/{id}",
            get(store_edit_page).post(store_update),
        )
        .route("/admin/staff", get(staff_list).post(staff_create))
        .route("/admin/staff/new", get(staff_new))
        .route("/admin/staff.csv", get(staff_csv))
        .route("/admin/staff.xlsx", get(staff_xlsx))
        .route("/admin/staff/{id}", get(staff_edit))
        .route("/admin/staff/{id}/roles", post(staff_roles))
        .route("/admin/staff/{id}/profile", post(staff_profile))
        .route("/admin/staff/{id}/disable", post(staff_disable))
        .route("/admin/staff/{id}/enable", post(staff_enable))
        .route("/admin/staff/{id}/reset-password", post(staff_reset))
        .route("/admin/roles", get(roles_page))
}

/// The flash message a redirect after a save carries (`?ok=flash.saved`).
#[derive(Deserialize, Default)]
pub struct Flash {
    ok: Option<String>,
}
