//! One's own plans and summaries: the overview of the current periods and one period's page with
//! the plan form and the summary form that opens from it.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use crate::areas::plans::{
    self, Item, Period, PeriodView, PlanIn, PlansError, SummaryIn, SummaryItemIn,
};
use crate::web::error::AppError;
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Form, Reshow, field, reshow};
use crate::web::layout::Page;

#[derive(Deserialize, Default)]
pub struct OkQuery {
    pub ok: Option<String>,
}

/// One line of the overview: a period with its two papers' standing.
pub struct Line {
    pub view: PeriodView,
    /// `previous`, `current` or `next`.
    pub when: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "plans/mine.html")]
struct MinePage {
    page: Page,
    lines: Vec<Line>,
}

pub(super) async fn mine_page(c: Console, Query(q): Query<OkQuery>) -> Result<Response, AppError> {
    let today = c.ctx.today();
    let mut lines = Vec::new();
    for period in Period::ALL {
        let current = period.start(today);
        for (when, start) in [
            ("previous", period.previous(current)),
            ("current", current),
            ("next", period.next(current)),
        ] {
            let view = plans::period_view(&c.ctx, None, period.code(), &start.to_string()).await?;
            lines.push(Line { view, when });
        }
    }
    Ok(MinePage {
        page: Page::console(&c, "plans.title").with_flash("success", q.ok.as_deref()),
        lines,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "plans/period.html")]
pub(super) struct PeriodPage {
    pub page: Page,
    pub v: PeriodView,
    /// The reader's own period (forms shown) or a team member's (read only).
    pub own: bool,
    /// The items the summary form marks.
    pub items: Vec<Item>,
    pub prev: NaiveDate,
    pub next: NaiveDate,
    pub r: Reshow,
}

impl PeriodPage {
    /// The summary's "next" box: what was named beyond the undone items.
    pub fn next_extra(&self) -> String {
        match &self.v.summary {
            Some(s) => s
                .next
                .iter()
                .filter(|n| !s.items.iter().any(|i| i.carry && &i.text == *n))
                .cloned()
                .collect::<Vec<_>>()
                .join("\n"),
            None => String::new(),
        }
    }
}

pub(super) fn period_response(page: Page, v: PeriodView, own: bool, r: Reshow) -> Response {
    let status = r.status();
    let mut res = PeriodPage {
        prev: v.period.previous(v.starts_on),
        next: v.period.next(v.starts_on),
        items: v.summary_items(),
        page,
        v,
        own,
        r,
    }
    .into_response();
    *res.status_mut() = status;
    res
}

pub(super) async fn period_page(
    c: Console,
    Path((period, date)): Path<(String, String)>,
    Query(q): Query<OkQuery>,
) -> Result<Response, AppError> {
    let v = plans::period_view(&c.ctx, None, &period, &date).await?;
    let page = Page::console(&c, "plans.period_title").with_flash("success", q.ok.as_deref());
    Ok(period_response(page, v, true, Reshow::default()))
}

fn split_lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_string).collect()
}

async fn after(
    c: &Console,
    period: &str,
    date: &str,
    form_name: &str,
    form: Form,
    done: Result<PeriodView, PlansError>,
) -> Response {
    match done {
        Ok(v) => Redirect::to(&format!(
            "/plans/{}/{}?ok=flash.saved",
            v.period.code(),
            v.starts_on
        ))
        .into_response(),
        Err(e) => {
            let page = Page::console(c, "plans.period_title");
            match reshow(e, &page, form_name, form) {
                Ok(r) => match plans::period_view(&c.ctx, None, period, date).await {
                    Ok(v) => period_response(page, v, true, r),
                    Err(e) => AppError::from(e).into_response(),
                },
                Err(res) => *res,
            }
        }
    }
}

pub(super) async fn plan_submit(
    Path((period, date)): Path<(String, String)>,
    v: Verified<Form>,
) -> Response {
    let c = v.console;
    let input = PlanIn {
        items: split_lines(&field(&v.form, "items")),
        notes: field(&v.form, "notes"),
    };
    let done = plans::write_plan(&c.ctx, &period, &date, &input).await;
    after(&c, &period, &date, "plan", v.form, done).await
}

pub(super) async fn summary_submit(
    Path((period, date)): Path<(String, String)>,
    v: Verified<Form>,
) -> Response {
    let c = v.console;
    let f = &v.form;
    let items = (0..50)
        .map_while(|i| {
            f.get(&format!("text_{i}")).map(|text| SummaryItemIn {
                text: text.clone(),
                done: f.contains_key(&format!("done_{i}")),
                dropped: f.contains_key(&format!("dropped_{i}")),
                note: field(f, &format!("note_{i}")),
            })
        })
        .collect();
    let input = SummaryIn {
        items,
        next: split_lines(&field(f, "next")),
        notes: field(f, "notes"),
    };
    let done = plans::write_summary(&c.ctx, &period, &date, &input).await;
    after(&c, &period, &date, "summary", v.form, done).await
}
