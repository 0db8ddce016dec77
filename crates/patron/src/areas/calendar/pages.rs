//! The calendar settings page `/admin/calendar` (permission `manage_calendar`): each working
//! calendar's weekly hours, its holidays and make-up workdays of a year, and the festivals of the
//! year with their computed dates and any correction.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{Datelike, NaiveDate};
use patron_core::Permission;
use serde::Deserialize;

use super::edit::{self, DayIn};
use super::store::{self, CalendarRow, DayRow};
use super::{FestivalDay, OFFICE, WEEKDAY_FIELDS};
use crate::kernel::ctx::App;
use crate::web::error::AppError;
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Form, Reshow, bad_parameter, field, reshow};
use crate::web::layout::Page;

pub fn router() -> Router<App> {
    Router::new()
        .route("/admin/calendar", get(calendar_page))
        .route("/admin/calendar/{code}/week", post(week_submit))
        .route("/admin/calendar/{code}/days", post(day_submit))
        .route(
            "/admin/calendar/{code}/days/{date}/clear",
            post(clear_submit),
        )
        .route("/admin/calendar/festivals", post(festival_submit))
}

#[derive(Deserialize, Default)]
pub struct Q {
    pub cal: Option<String>,
    pub year: Option<String>,
    pub ok: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "calendar/admin.html")]
struct CalendarPage {
    page: Page,
    calendars: Vec<CalendarRow>,
    cal: CalendarRow,
    year: i32,
    days: Vec<DayRow>,
    festivals: Vec<FestivalDay>,
    r: Reshow,
}

impl CalendarPage {
    fn weekdays(&self) -> Vec<(&'static str, &str)> {
        WEEKDAY_FIELDS.into_iter().zip(self.cal.week()).collect()
    }
    fn name_of<'a>(&self, c: &'a CalendarRow) -> &'a str {
        if self.page.is_en() {
            &c.name_en
        } else {
            &c.name_zh
        }
    }
    fn festival_name(&self, f: &FestivalDay) -> &'static str {
        if self.page.is_en() {
            f.code.name_en()
        } else {
            f.code.name_zh()
        }
    }
    /// What the week form shows for a day: what was typed when re-shown, else the stored hours.
    fn week_value(&self, field: &str, stored: &str) -> String {
        if self.r.is("week") {
            self.r.val("week", field).to_owned()
        } else {
            stored.to_owned()
        }
    }
    fn weekday_of(&self, d: &NaiveDate) -> String {
        self.page.label(
            "calendar.weekday.",
            WEEKDAY_FIELDS[d.weekday().num_days_from_monday() as usize],
        )
    }
    fn prev_year(&self) -> i32 {
        self.year - 1
    }
    fn next_year(&self) -> i32 {
        self.year + 1
    }
}

async fn render(c: &Console, q: &Q, r: Reshow) -> Result<Response, AppError> {
    c.ctx.require(Permission::ManageCalendar)?;
    let calendars = store::calendars(c.ctx.db()).await?;
    let want = q.cal.as_deref().unwrap_or(OFFICE);
    let cal = calendars
        .iter()
        .find(|k| k.code == want)
        .cloned()
        .ok_or_else(|| bad_parameter("error.param.calendar", want))?;
    let year = match q.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
        None => c.ctx.today().year(),
        Some(y) => y
            .parse::<i32>()
            .ok()
            .filter(|y| patron_core::calendar::FESTIVAL_YEARS.contains(y))
            .ok_or_else(|| bad_parameter("error.param.year", y))?,
    };
    let days = store::days(c.ctx.db(), &cal.code)
        .await?
        .into_iter()
        .filter(|d| d.on_date.year() == year)
        .collect();
    let festivals = super::festivals(c.ctx.db(), year).await?;
    let status = r.status();
    let mut res = CalendarPage {
        page: Page::console(c, "calendar.title").with_flash("success", q.ok.as_deref()),
        calendars,
        cal,
        year,
        days,
        festivals,
        r,
    }
    .into_response();
    *res.status_mut() = status;
    Ok(res)
}

async fn calendar_page(c: Console, Query(q): Query<Q>) -> Response {
    render(&c, &q, Reshow::default())
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

/// After a refused form: the page again, with the input and the messages.
async fn refused_page(
    c: &Console,
    q: Q,
    e: impl Into<AppError>,
    form: &str,
    values: Form,
) -> Response {
    let page = Page::console(c, "calendar.title");
    match reshow(e, &page, form, values) {
        Ok(r) => render(c, &q, r)
            .await
            .unwrap_or_else(IntoResponse::into_response),
        Err(res) => *res,
    }
}

fn back(code: &str, year: &str) -> Redirect {
    Redirect::to(&format!(
        "/admin/calendar?cal={code}&year={}&ok=flash.saved",
        year.trim()
    ))
}

fn query(code: &str, year: String) -> Q {
    Q {
        cal: Some(code.to_owned()),
        year: Some(year),
        ok: None,
    }
}

async fn week_submit(Path(code): Path<String>, v: Verified<Form>) -> Response {
    let c = v.console;
    let week: [String; 7] = WEEKDAY_FIELDS.map(|f| field(&v.form, f));
    let year = field(&v.form, "year");
    match edit::save_week(&c.ctx, &code, &week).await {
        Ok(()) => back(&code, &year).into_response(),
        Err(e) => refused_page(&c, query(&code, year), e, "week", v.form).await,
    }
}

async fn day_submit(Path(code): Path<String>, v: Verified<Form>) -> Response {
    let c = v.console;
    let input = DayIn {
        date: field(&v.form, "date"),
        kind: field(&v.form, "kind"),
        hours: field(&v.form, "hours"),
        note: field(&v.form, "note"),
    };
    let year = field(&v.form, "year");
    match edit::set_day(&c.ctx, &code, &input).await {
        Ok(d) => back(&code, &d.year().to_string()).into_response(),
        Err(e) => refused_page(&c, query(&code, year), e, "day", v.form).await,
    }
}

async fn clear_submit(Path((code, date)): Path<(String, String)>, v: Verified<Form>) -> Response {
    let c = v.console;
    let year = field(&v.form, "year");
    match edit::clear_day(&c.ctx, &code, &date).await {
        Ok(()) => back(&code, &year).into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

async fn festival_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let year_text = field(&v.form, "year");
    let code = field(&v.form, "cal");
    let code = if code.is_empty() {
        OFFICE.to_owned()
    } else {
        code
    };
    let Ok(year) = year_text.trim().parse::<i32>() else {
        return bad_parameter("error.param.year", &year_text).into_response();
    };
    let festival = field(&v.form, "festival");
    let form = format!("festival-{festival}");
    match edit::set_festival(&c.ctx, year, &festival, &field(&v.form, "date")).await {
        Ok(()) => back(&code, &year_text).into_response(),
        Err(e) => refused_page(&c, query(&code, year_text.clone()), e, &form, v.form).await,
    }
}
