//! JSON routes of this topic.

use utoipa_axum::router::OpenApiRouter;

use crate::kernel::ctx::App;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
}
