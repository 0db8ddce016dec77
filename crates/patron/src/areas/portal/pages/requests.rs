//! The desk's list of members' close requests from the portal (`/portal-requests`): who asked,
//! when, why; a link to the member's page, where the desk asks for the confirmed and approved
//! close; and marking a request handled with what was done.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use patron_core::Permission;
use serde::Deserialize;

use super::super::rights;
use super::super::store::rights::CloseRequest;
use crate::web::error::AppError;
use crate::web::extract::{Console, Verified};
use crate::web::layout::Page;

#[derive(Template, WebTemplate)]
#[template(path = "portal/requests.html")]
struct RequestsPage {
    page: Page,
    rows: Vec<CloseRequest>,
    state: String,
    can_manage: bool,
}

#[derive(Deserialize, Default)]
pub(super) struct RequestsQuery {
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    ok: Option<String>,
}

pub(super) async fn requests_page(
    c: Console,
    Query(q): Query<RequestsQuery>,
) -> Result<Response, AppError> {
    let state = q.state.unwrap_or_else(|| "open".into());
    let rows = rights::close_requests(&c.ctx, &state).await?;
    let page = Page::console(&c, "portal.requests_title")
        .with_flash("success", q.ok.map(|_| "flash.portal_request_handled"));
    Ok(RequestsPage {
        can_manage: c.ctx.can(Permission::ManageMembers),
        page,
        rows,
        state,
    }
    .into_response())
}

#[derive(Deserialize)]
pub(super) struct HandleForm {
    #[serde(default)]
    note: String,
}

pub(super) async fn handle_submit(Path(id): Path<i64>, v: Verified<HandleForm>) -> Response {
    match rights::handle(&v.console.ctx, id, &v.form.note).await {
        Ok(()) => Redirect::to("/portal-requests?ok=1").into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}
