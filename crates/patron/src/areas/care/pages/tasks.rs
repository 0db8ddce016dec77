//! The advisor's calls: today's and overdue (`/care`), one call with the form that records it
//! done (`/care/tasks/{id}`, re-shown with the message on bad input), and everyone's open calls
//! for a manager (`/care/team`).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use patron_core::Permission;
use patron_core::care::Outcome;
use serde::Deserialize;

use crate::areas::care::advisors::{self, Candidate};
use crate::areas::care::figures::day_start;
use crate::areas::care::store::tasks::{self as store, TaskRow};
use crate::areas::care::tasks::{self, CompleteIn};
use crate::web::error::AppError;
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Form, Reshow, field, reshow};
use crate::web::layout::Page;

#[derive(Deserialize, Default)]
pub struct OkQuery {
    pub ok: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "care/tasks.html")]
struct TasksPage {
    page: Page,
    overdue: Vec<TaskRow>,
    today: Vec<TaskRow>,
}

/// Splits open calls into those due before today and today's.
fn split(c: &Console, rows: Vec<TaskRow>) -> (Vec<TaskRow>, Vec<TaskRow>) {
    let start = day_start(c.ctx.today(), c.ctx.app.config.tz());
    rows.into_iter().partition(|t| t.due_at < start)
}

pub(super) async fn tasks_page(c: Console, Query(q): Query<OkQuery>) -> Result<Response, AppError> {
    let rows = tasks::mine(&c.ctx).await?;
    let (overdue, today) = split(&c, rows);
    Ok(TasksPage {
        page: Page::console(&c, "care.tasks_title").with_flash("success", q.ok.as_deref()),
        overdue,
        today,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "care/task.html")]
struct TaskPage {
    page: Page,
    task: TaskRow,
    can_complete: bool,
    r: Reshow,
}

impl TaskPage {
    fn outcomes(&self) -> Vec<&'static str> {
        Outcome::ALL.iter().map(|o| o.code()).collect()
    }
}

async fn render_task(c: &Console, id: i64, r: Reshow) -> Response {
    let loaded = async {
        c.ctx.require(Permission::CareForMembers)?;
        let task = store::task(c.ctx.db(), id)
            .await
            .map_err(AppError::from)?
            .ok_or_else(AppError::not_found)?;
        // The member's name, phone and purchase are for the staff of the member's store.
        c.ctx
            .require_at(Permission::CareForMembers, task.store_id)?;
        Ok::<_, AppError>(task)
    }
    .await;
    let task = match loaded {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    let me = c.staff().id;
    let can_complete = task.state == "open"
        && (task.advisor_id == Some(me) || c.ctx.can_at(Permission::ManageCare, task.store_id));
    let status = r.status();
    let mut res = TaskPage {
        page: Page::console(c, "care.task_title"),
        task,
        can_complete,
        r,
    }
    .into_response();
    *res.status_mut() = status;
    res
}

pub(super) async fn task_page(c: Console, Path(id): Path<i64>) -> Response {
    render_task(&c, id, Reshow::default()).await
}

pub(super) async fn complete_submit(Path(id): Path<i64>, v: Verified<Form>) -> Response {
    let c = v.console;
    let input = CompleteIn {
        outcome: field(&v.form, "outcome"),
        remarks: field(&v.form, "remarks"),
    };
    match tasks::complete(&c.ctx, id, &input).await {
        Ok(_) => Redirect::to("/care?ok=flash.saved").into_response(),
        Err(e) => {
            let page = Page::console(&c, "care.task_title");
            match reshow(e, &page, "complete", v.form) {
                Ok(r) => render_task(&c, id, r).await,
                Err(res) => *res,
            }
        }
    }
}

#[derive(Deserialize, Default)]
pub struct TeamQuery {
    /// A staff id, `none` (members with no advisor), or empty (everyone).
    #[serde(default)]
    pub advisor: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "care/team.html")]
struct TeamPage {
    page: Page,
    overdue: Vec<TaskRow>,
    today: Vec<TaskRow>,
    advisors: Vec<Candidate>,
    advisor: String,
}

pub(super) async fn team_page(
    c: Console,
    Query(q): Query<TeamQuery>,
) -> Result<Response, AppError> {
    c.ctx.require(Permission::ManageCare)?;
    let want = q.advisor.trim();
    let (advisor, unassigned) = match want {
        "" => (None, false),
        "none" => (None, true),
        id => (
            Some(
                id.parse::<i64>()
                    .map_err(|_| crate::web::forms::bad_parameter("care.param.advisor", id))?,
            ),
            false,
        ),
    };
    let rows = tasks::everyone(&c.ctx, advisor, unassigned).await?;
    let (overdue, today) = split(&c, rows);
    let mut people: Vec<Candidate> = Vec::new();
    let stores = c.ctx.app.cache.stores(c.ctx.db()).await?;
    for s in stores.all() {
        if c.ctx.can_at(Permission::ManageCare, s.id) {
            for p in advisors::candidates(&c.ctx, s.id).await? {
                if !people.iter().any(|x| x.id == p.id) {
                    people.push(p);
                }
            }
        }
    }
    people.sort_by(|a, b| a.display_name.cmp(&b.display_name));
    Ok(TeamPage {
        page: Page::console(&c, "care.team_title"),
        overdue,
        today,
        advisors: people,
        advisor: want.to_owned(),
    }
    .into_response())
}
