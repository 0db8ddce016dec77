//! The permission matrix, read-only: which role may do what.

use askama::Template;
use askama_web::WebTemplate;
use axum::response::{IntoResponse, Response};
use patron_core::access::allows;
use patron_core::{Permission, Role};

use crate::web::error::AppError;
use crate::web::extract::Console;
use crate::web::layout::Page;

#[derive(Template, WebTemplate)]
#[template(path = "staff/roles.html")]
struct RolesPage {
    page: Page,
    roles: Vec<Role>,
    rows: Vec<(Permission, Vec<bool>)>,
}

pub(super) async fn roles_page(c: Console) -> Response {
    if let Err(e) = c.ctx.require(Permission::ViewPermissions) {
        return AppError::from(e).into_response();
    }
    let roles = Role::ALL.to_vec();
    let rows = Permission::ALL
        .iter()
        .map(|p| (*p, roles.iter().map(|r| allows(*r, *p)).collect()))
        .collect();
    RolesPage {
        page: Page::console(&c, "roles.title"),
        roles,
        rows,
    }
    .into_response()
}
