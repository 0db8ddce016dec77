//! `/portal/complaints`: the member complains or gives feedback online (category, content, what
//! they want) and sees their complaints with state and answer, every code shown as its label.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::super::complaints::{self, OnlineComplaint};
use super::{MemberSession, member_page};
use crate::areas::complaints::{CATEGORIES, MemberComplaint};
use crate::kernel::error as codes;
use crate::web::error::AppError;
use crate::web::forms::{Form, Reshow, field, reshow};
use crate::web::layout::Page;

#[derive(Template, WebTemplate)]
#[template(path = "portal/complaints.html")]
struct ComplaintsPage {
    page: Page,
    cases: Vec<MemberComplaint>,
    key: String,
    done: bool,
    r: Reshow,
}

impl ComplaintsPage {
    fn categories(&self) -> &'static [&'static str] {
        &CATEGORIES
    }

    fn category(&self, code: &str) -> &'static str {
        self.page.t_or(
            &format!("complaints.category.{code}"),
            "complaints.category.other",
        )
    }

    fn state(&self, code: &str) -> &'static str {
        self.page.t_or(
            &format!("complaints.state.{code}"),
            "portal.complaint_state_other",
        )
    }
}

#[derive(Deserialize, Default)]
pub(super) struct DoneQuery {
    ok: Option<String>,
}

async fn render(s: &MemberSession, done: bool, r: Reshow) -> Response {
    let cases = match complaints::mine(&s.app, s.member_id).await {
        Ok(c) => c,
        Err(e) => return AppError::from(e).into_response(),
    };
    let status = r.status();
    let mut res = ComplaintsPage {
        page: member_page(s, "portal.complaints_title"),
        cases,
        key: uuid::Uuid::new_v4().simple().to_string(),
        done,
        r,
    }
    .into_response();
    *res.status_mut() = status;
    res
}

pub(super) async fn complaints_page(s: MemberSession, Query(q): Query<DoneQuery>) -> Response {
    render(&s, q.ok.is_some(), Reshow::default()).await
}

pub(super) async fn complaint_submit(
    s: MemberSession,
    axum::Form(f): axum::Form<Form>,
) -> Response {
    if field(&f, "_csrf") != s.csrf {
        return AppError::new(codes::CSRF).into_response();
    }
    let input = OnlineComplaint {
        category: field(&f, "category"),
        content: field(&f, "content"),
        wants: field(&f, "wants"),
        key: field(&f, "key"),
    };
    match complaints::file(&s.app, s.member_id, &input).await {
        Ok(_) => Redirect::to("/portal/complaints?ok=1").into_response(),
        Err(e) => {
            let page = member_page(&s, "portal.complaints_title");
            match reshow(e, &page, "complaint", f) {
                Ok(r) => render(&s, false, r).await,
                Err(res) => *res,
            }
        }
    }
}
