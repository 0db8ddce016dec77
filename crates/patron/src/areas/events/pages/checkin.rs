//! The door's check-in form (htmx: the refusal is shown in the fragment).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use patron_core::Permission;

use super::{Form, field, refusal};
use crate::areas::events::{self, EventRow};
use crate::web::error::AppError;
use crate::web::extract::{Console, Verified};
use crate::web::layout::Page;

#[derive(Template, WebTemplate)]
#[template(path = "events/checkin.html")]
struct CheckinPage {
    page: Page,
    ev: EventRow,
    result: Option<events::CheckinOut>,
    error: String,
    attendees: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "events/checkin_result.html")]
struct CheckinFragment {
    page: Page,
    result: Option<events::CheckinOut>,
    error: String,
}

pub(super) async fn checkin_page(c: Console, Path(id): Path<i64>) -> Result<Response, AppError> {
    let ev = events::event_for(&c.ctx, id, Permission::ManageEvents).await?;
    let f = events::store::figures(c.ctx.db(), &ev).await?;
    Ok(CheckinPage {
        page: Page::console(&c, "ev.checkin"),
        ev,
        result: None,
        error: String::new(),
        attendees: f.attendees,
    }
    .into_response())
}

pub(super) async fn checkin_submit(
    Path(id): Path<i64>,
    headers: HeaderMap,
    v: Verified<Form>,
) -> Response {
    let c = v.console;
    let htmx = headers.contains_key("hx-request");
    let page = Page::console(&c, "ev.checkin");
    let (result, error, status) =
        match events::checkin(&c.ctx, id, &field(&v.form, "card_no")).await {
            Ok(r) => (Some(r), String::new(), StatusCode::OK),
            Err(e) => match refusal(&page, e) {
                Ok((status, text)) => (None, text, status),
                Err(res) => return res,
            },
        };
    if htmx {
        // htmx swaps only 2xx answers: the refusal is shown in the fragment.
        return CheckinFragment {
            page,
            result,
            error,
        }
        .into_response();
    }
    let ev = match events::event_for(&c.ctx, id, Permission::ManageEvents).await {
        Ok(e) => e,
        Err(e) => return AppError::from(e).into_response(),
    };
    let attendees = match events::store::figures(c.ctx.db(), &ev).await {
        Ok(f) => f.attendees,
        Err(e) => return AppError::from(e).into_response(),
    };
    let mut res = CheckinPage {
        page,
        ev,
        result,
        error,
        attendees,
    }
    .into_response();
    *res.status_mut() = status;
    res
}
