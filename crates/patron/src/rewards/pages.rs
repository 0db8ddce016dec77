//! Console and portal pages of this area.

use axum::Router;

use crate::ctx::App;

pub fn router() -> Router<App> {
    Router::new().merge(super::gift_pages::router())
}
