//! A member's care: the care page (advisor and its history, the schedules with their steps,
//! cancelling one), finding a member by card, the top-member file (B9) and its print view
//! (铂金会员档案本).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use patron_core::Permission;
use patron_core::care::Step;
use serde::Deserialize;

use crate::areas::care::advisors::{self, Candidate};
use crate::areas::care::file::{self, MemberFile};
use crate::areas::care::schedule;
use crate::areas::care::store;
use crate::areas::care::store::schedules::ScheduleRow;
use crate::areas::members::PROFILE_FIELDS;
use crate::web::error::AppError;
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Form, Reshow, field, reshow};
use crate::web::i18n::Lang;
use crate::web::layout::Page;
use crate::web::print::Paper;

#[derive(Deserialize, Default)]
pub struct FindQuery {
    #[serde(default)]
    pub card: String,
}

/// Finds a member's care page by card number.
pub(super) async fn find(c: Console, Query(q): Query<FindQuery>) -> Result<Response, AppError> {
    c.ctx.require(Permission::CareForMembers)?;
    let card = q.card.trim();
    match store::member_of_card(c.ctx.db(), card).await? {
        Some(id) => Ok(Redirect::to(&format!("/care/members/{id}")).into_response()),
        None => Err(crate::web::forms::bad_parameter("care.param.card", card)),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "care/member.html")]
struct MemberPage {
    page: Page,
    f: MemberFile,
    candidates: Vec<Candidate>,
    can_manage: bool,
    r: Reshow,
}

impl MemberPage {
    fn is_advisor(&self, staff_id: &i64) -> bool {
        self.f
            .advisor
            .as_ref()
            .is_some_and(|a| a.staff_id == *staff_id)
    }

    /// The steps of a schedule with their state (done, open, still to come, …) and due time.
    fn steps(&self, s: &ScheduleRow) -> Vec<(&'static str, String, String)> {
        let page = &self.page;
        Step::ALL
            .iter()
            .map(|step| {
                let due = step
                    .due_at(s.purchased_at)
                    .map(|t| page.time(&t))
                    .unwrap_or_default();
                let task = self
                    .f
                    .tasks
                    .iter()
                    .find(|t| t.schedule_id == s.id && t.step == step.code());
                let state = match task {
                    Some(t) => t.state.clone(),
                    None if s.state == "cancelled" => "cancelled".into(),
                    None if s.state == "closed" => "closed".into(),
                    None if step.is_call() && s.superseded_by.is_some() => "superseded".into(),
                    None if usize::try_from(s.next_step).unwrap_or(7) <= step.index() => {
                        "scheduled".into()
                    }
                    None => "superseded".into(),
                };
                (step.code(), due, state)
            })
            .collect()
    }
}

async fn render_member(c: &Console, id: i64, flash: Option<&str>, r: Reshow) -> Response {
    let loaded = async {
        let f = file::file(&c.ctx, id).await?;
        let candidates = if c.ctx.can_at(Permission::ManageCare, f.view.member.store_id) {
            advisors::candidates(&c.ctx, f.view.member.store_id).await?
        } else {
            Vec::new()
        };
        Ok::<_, AppError>((f, candidates))
    }
    .await;
    let (f, candidates) = match loaded {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let can_manage = c.ctx.can_at(Permission::ManageCare, f.view.member.store_id);
    let status = r.status();
    let mut res = MemberPage {
        page: Page::console(c, "care.member_title").with_flash("success", flash),
        f,
        candidates,
        can_manage,
        r,
    }
    .into_response();
    *res.status_mut() = status;
    res
}

#[derive(Deserialize, Default)]
pub struct OkQuery {
    pub ok: Option<String>,
}

pub(super) async fn member_page(
    c: Console,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Response {
    render_member(&c, id, q.ok.as_deref(), Reshow::default()).await
}

pub(super) async fn advisor_submit(Path(id): Path<i64>, v: Verified<Form>) -> Response {
    let c = v.console;
    let done = advisors::set_advisor(
        &c.ctx,
        id,
        &field(&v.form, "advisor"),
        &field(&v.form, "reason"),
    )
    .await;
    match done {
        Ok(_) => Redirect::to(&format!("/care/members/{id}?ok=flash.saved")).into_response(),
        Err(e) => {
            let page = Page::console(&c, "care.member_title");
            match reshow(e, &page, "advisor", v.form) {
                Ok(r) => render_member(&c, id, None, r).await,
                Err(res) => *res,
            }
        }
    }
}

pub(super) async fn cancel_submit(Path(id): Path<i64>, v: Verified<Form>) -> Response {
    let c = v.console;
    let member = match store::schedules::schedule(c.ctx.db(), id).await {
        Ok(Some(s)) => s.member_id,
        Ok(None) => return AppError::not_found().into_response(),
        Err(e) => return AppError::from(e).into_response(),
    };
    match schedule::cancel(&c.ctx, id, &field(&v.form, "reason")).await {
        Ok(()) => Redirect::to(&format!("/care/members/{member}?ok=flash.saved")).into_response(),
        Err(e) => {
            let page = Page::console(&c, "care.member_title");
            match reshow(e, &page, &format!("cancel-{id}"), v.form) {
                Ok(r) => render_member(&c, member, None, r).await,
                Err(res) => *res,
            }
        }
    }
}

/// The top-member file on screen.
#[derive(Template, WebTemplate)]
#[template(path = "care/file.html")]
struct FilePage {
    page: Page,
    f: MemberFile,
}

impl FilePage {
    fn fields(&self) -> &'static [&'static str] {
        &PROFILE_FIELDS
    }

    fn profile(&self, field: &str) -> String {
        profile_value(&self.f, field)
    }
}

fn profile_value(f: &MemberFile, field: &str) -> String {
    serde_json::from_str::<serde_json::Value>(&f.view.member.profile)
        .ok()
        .and_then(|v| v.get(field).and_then(|x| x.as_str()).map(str::to_owned))
        .unwrap_or_default()
}

pub(super) async fn file_page(c: Console, Path(id): Path<i64>) -> Result<Response, AppError> {
    let f = file::file(&c.ctx, id).await?;
    Ok(FilePage {
        page: Page::console(&c, "care.file_title"),
        f,
    }
    .into_response())
}

/// The printed 铂金会员档案本 (a paper form: Chinese, A4).
#[derive(Template, WebTemplate)]
#[template(path = "care/print_file.html")]
struct FilePrint {
    paper: Paper,
    f: MemberFile,
    tier_name: String,
}

impl FilePrint {
    fn fields(&self) -> &'static [&'static str] {
        &PROFILE_FIELDS
    }

    fn profile(&self, field: &str) -> String {
        profile_value(&self.f, field)
    }

    fn label(&self, prefix: &str, code: &str) -> &'static str {
        let key = format!("{prefix}{code}");
        if Lang::has(&key) {
            self.paper.t(&key)
        } else {
            ""
        }
    }
}

pub(super) async fn file_print(c: Console, Path(id): Path<i64>) -> Result<Response, AppError> {
    let f = file::file(&c.ctx, id).await?;
    let tier_name = f.view.standing.tier.name(Lang::ZhCn).to_string();
    Ok(FilePrint {
        paper: Paper {
            tz: c.ctx.app.config.tz(),
            lang: Lang::ZhCn,
        },
        f,
        tier_name,
    }
    .into_response())
}
