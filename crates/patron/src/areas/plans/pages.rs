//! Console pages of this topic.

use axum::Router;

use crate::kernel::ctx::App;

pub fn router() -> Router<App> {
    Router::new()
}
