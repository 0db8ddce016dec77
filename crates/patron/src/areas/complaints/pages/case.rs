//! One case (投诉处理单): what was received, the clocks (running and past, breaches in red), the
//! callbacks, and the forms of the steps the reader may take in its state. Each form posts to
//! `/complaints/{id}/{step}`; a refused form is shown again with the message.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use patron_core::Permission;
use serde::Deserialize;

use super::board::{ClockView, clock_view, span};
use crate::areas::complaints::admin::{self, Department};
use crate::areas::complaints::steps::{self, AnswerIn, CallbackIn, ResolveIn, RouteIn, TypicalIn};
use crate::areas::complaints::view::{self, Complaint};
use crate::areas::complaints::{ComplaintError, store};
use crate::web::error::AppError;
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Form, Reshow, field, reshow};
use crate::web::layout::Page;

#[derive(Deserialize, Default)]
pub struct CaseQuery {
    pub ok: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "complaints/case.html")]
struct CasePage {
    page: Page,
    c: Complaint,
    running: Vec<ClockView>,
    departments: Vec<Department>,
    may_take: bool,
    may_handle: bool,
    may_manage: bool,
    r: Reshow,
}

impl CasePage {
    fn span(&self, m: &i64) -> String {
        span(&self.page, *m)
    }
    fn dept(&self, code: &Option<String>) -> String {
        let Some(code) = code else {
            return String::new();
        };
        self.departments
            .iter()
            .find(|d| &d.code == code)
            .map_or_else(|| code.clone(), |d| d.name.clone())
    }
}

async fn render(c: &Console, id: i64, r: Reshow, ok: Option<&str>) -> Response {
    let case = match view::get(&c.ctx, id).await {
        Ok(x) => x,
        Err(e) => return AppError::from(e).into_response(),
    };
    let departments = match admin::active_departments(&c.ctx).await {
        Ok(d) => d,
        Err(e) => return AppError::from(e).into_response(),
    };
    let store_id = case.row.as_ref().map_or(0, |r| r.store_id);
    let now = c.ctx.now();
    let running = match store::clocks(c.ctx.db(), id).await {
        Ok(k) => k
            .iter()
            .filter(|k| k.met_at.is_none() && k.stopped_at.is_none() && case.state != "closed")
            .map(|k| clock_view(k, now))
            .collect(),
        Err(e) => return AppError::from(e).into_response(),
    };
    let status = r.status();
    let mut res = CasePage {
        page: Page::console(c, "complaints.case_title").with_flash("success", ok),
        may_take: !case.archived && c.ctx.can_at(Permission::TakeComplaints, store_id),
        may_handle: !case.archived && c.ctx.can_at(Permission::HandleComplaints, store_id),
        may_manage: c.ctx.can_at(Permission::ManageComplaints, store_id),
        c: case,
        running,
        departments,
        r,
    }
    .into_response();
    *res.status_mut() = status;
    res
}

pub(super) async fn case_page(
    c: Console,
    Path(id): Path<i64>,
    Query(q): Query<CaseQuery>,
) -> Response {
    render(&c, id, Reshow::default(), q.ok.as_deref()).await
}

async fn run(c: &Console, id: i64, step: &str, f: &Form) -> Result<Complaint, ComplaintError> {
    let ctx = &c.ctx;
    match step {
        "acknowledge" => steps::acknowledge(ctx, id).await,
        "route" => {
            steps::route(
                ctx,
                id,
                &RouteIn {
                    department: field(f, "department"),
                },
            )
            .await
        }
        "answer" => {
            steps::answer(
                ctx,
                id,
                &AnswerIn {
                    plan: field(f, "plan"),
                },
            )
            .await
        }
        "resolve" => {
            steps::resolve(
                ctx,
                id,
                &ResolveIn {
                    result: field(f, "result"),
                },
            )
            .await
        }
        "callback" => {
            let satisfied = match field(f, "satisfied").as_str() {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            };
            steps::callback(
                ctx,
                id,
                &CallbackIn {
                    satisfied,
                    remarks: field(f, "remarks"),
                },
            )
            .await
        }
        "report" => steps::report(ctx, id).await,
        "typical" => {
            let input = TypicalIn {
                typical: f.contains_key("typical"),
                note: field(f, "note"),
            };
            steps::mark_typical(ctx, id, &input).await
        }
        _ => Err(ComplaintError::NotFound),
    }
}

pub(super) async fn step_submit(
    Path((id, step)): Path<(i64, String)>,
    v: Verified<Form>,
) -> Response {
    let c = v.console;
    match run(&c, id, &step, &v.form).await {
        Ok(_) => Redirect::to(&format!("/complaints/{id}?ok=flash.saved")).into_response(),
        Err(e) => {
            let page = Page::console(&c, "complaints.case_title");
            match reshow(e, &page, &step, v.form) {
                Ok(r) => render(&c, id, r, None).await,
                Err(res) => *res,
            }
        }
    }
}
