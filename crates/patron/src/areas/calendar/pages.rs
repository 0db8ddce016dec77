//! The calendar settings page `/admin/calendar`.

use axum::Router;

use crate::kernel::ctx::App;

pub fn router() -> Router<App> {
    Router::new()
}
