//! The member's own `/portal/events`: events for them, sign up and cancel.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::refusal;
use crate::areas::events::{self};
use crate::areas::portal::pages::MemberSession;
use crate::kernel::ctx::{Actor, Ctx};
use crate::kernel::error as codes;
use crate::web::error::AppError;
use crate::web::layout::Page;

#[derive(Template, WebTemplate)]
#[template(path = "portal/events.html")]
struct PortalPage {
    page: Page,
    events: Vec<events::PortalEvent>,
    message: String,
    ok: bool,
}

impl PortalPage {
    fn kind_label(&self, kind: &str) -> &'static str {
        self.page.t_or(&format!("ev.kind.{kind}"), "ev.kind")
    }
}

fn member_ctx(s: &MemberSession) -> Ctx {
    Ctx::new(s.app.clone(), Actor::System, None)
}

fn portal_page_of(s: &MemberSession) -> Page {
    let mut page = Page::anonymous(s.lang, "ev.portal_title");
    page.csrf = s.csrf.clone();
    page.tz = s.app.config.tz();
    page
}

async fn render_portal(
    s: &MemberSession,
    message: String,
    ok: bool,
    status: StatusCode,
) -> Response {
    let ctx = member_ctx(s);
    match events::for_member(&ctx, s.member_id).await {
        Ok(events) => {
            let mut res = PortalPage {
                page: portal_page_of(s),
                events,
                message,
                ok,
            }
            .into_response();
            *res.status_mut() = status;
            res
        }
        Err(e) => AppError::from(e).into_response(),
    }
}

#[derive(Deserialize, Default)]
pub(super) struct PortalQuery {
    ok: Option<String>,
}

pub(super) async fn portal_page(s: MemberSession, Query(q): Query<PortalQuery>) -> Response {
    let page = portal_page_of(&s);
    let message = match q.ok.as_deref() {
        Some("signup") => page.t("flash.ev_signed_up").to_string(),
        Some("cancel") => page.t("flash.ev_cancelled").to_string(),
        _ => String::new(),
    };
    render_portal(&s, message, true, StatusCode::OK).await
}

#[derive(Deserialize)]
pub(super) struct PortalForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

pub(super) async fn portal_submit(
    s: MemberSession,
    Path((id, step)): Path<(i64, String)>,
    axum::Form(f): axum::Form<PortalForm>,
) -> Response {
    if f.csrf != s.csrf {
        return AppError::new(codes::CSRF).into_response();
    }
    let ctx = member_ctx(&s);
    let result = match step.as_str() {
        "signup" => events::signup(&ctx, id, s.member_id, events::Channel::Portal)
            .await
            .map(|_| ()),
        "cancel" => events::cancel(&ctx, id, s.member_id).await,
        _ => return AppError::not_found().into_response(),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/portal/events?ok={step}")).into_response(),
        Err(e) => {
            let page = portal_page_of(&s);
            match refusal(&page, e) {
                Ok((status, text)) => render_portal(&s, text, false, status).await,
                Err(res) => res,
            }
        }
    }
}
