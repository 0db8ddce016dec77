//! The manager's complaint settings (`/admin/complaints`): the clocks' lengths, the escalation
//! and retention periods, and the departments cases are routed to.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::areas::complaints::admin::{self, DepartmentIn, SETTING_FIELDS};
use crate::areas::complaints::clocks::Settings;
use crate::areas::complaints::store::{self, DepartmentRow};
use crate::web::error::AppError;
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Form, Reshow, field, reshow};
use crate::web::layout::Page;

#[derive(Deserialize, Default)]
pub struct SettingsQuery {
    pub ok: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "complaints/settings.html")]
struct SettingsPage {
    page: Page,
    settings: Settings,
    departments: Vec<DepartmentRow>,
    r: Reshow,
}

impl SettingsPage {
    fn fields(&self) -> &'static [&'static str] {
        &SETTING_FIELDS
    }
    /// What the field shows: as typed when re-shown, else the stored value.
    fn shown(&self, f: &str) -> String {
        if self.r.is("settings") {
            self.r.val("settings", f).to_string()
        } else {
            self.settings.value(f).to_string()
        }
    }
}

async fn render(c: &Console, r: Reshow, ok: Option<&str>) -> Response {
    let settings = match admin::settings(&c.ctx).await {
        Ok(s) => s,
        Err(e) => return AppError::from(e).into_response(),
    };
    let departments = match store::departments(c.ctx.db()).await {
        Ok(d) => d,
        Err(e) => return AppError::from(e).into_response(),
    };
    let status = r.status();
    let mut res = SettingsPage {
        page: Page::console(c, "complaints.settings_title").with_flash("success", ok),
        settings,
        departments,
        r,
    }
    .into_response();
    *res.status_mut() = status;
    res
}

pub(super) async fn settings_page(c: Console, Query(q): Query<SettingsQuery>) -> Response {
    render(&c, Reshow::default(), q.ok.as_deref()).await
}

pub(super) async fn settings_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    match admin::save_settings(&c.ctx, &v.form).await {
        Ok(_) => Redirect::to("/admin/complaints?ok=flash.saved").into_response(),
        Err(e) => {
            let page = Page::console(&c, "complaints.settings_title");
            match reshow(e, &page, "settings", v.form) {
                Ok(r) => render(&c, r, None).await,
                Err(res) => *res,
            }
        }
    }
}

pub(super) async fn department_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let f = &v.form;
    let input = DepartmentIn {
        code: field(f, "code"),
        name: field(f, "name"),
        active: f.contains_key("active"),
    };
    match admin::save_department(&c.ctx, &input).await {
        Ok(()) => Redirect::to("/admin/complaints?ok=flash.saved").into_response(),
        Err(e) => {
            let page = Page::console(&c, "complaints.settings_title");
            match reshow(e, &page, "department", v.form) {
                Ok(r) => render(&c, r, None).await,
                Err(res) => *res,
            }
        }
    }
}
