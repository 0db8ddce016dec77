//! Console forms: what was typed, a refusal shown again beside it, and the store a page is
//! about. Every area's pages use these, so a refused form looks and answers the same everywhere:
//! HTTP 422, the fields marked with their messages, one line saying what was wrong.

use std::collections::HashMap;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use patron_core::Permission;
use serde::Deserialize;

use super::error::AppError;
use super::extract::Console;
use super::layout::{FormErrors, Page};
use crate::kernel::error::{FORBIDDEN, NOT_FOUND, VALIDATION};
use crate::kernel::stores::StoreInfo;

/// A submitted form, field by field, as typed.
pub type Form = HashMap<String, String>;

/// What was typed into `name` (empty when the field was not sent).
pub fn field(f: &Form, name: &str) -> String {
    f.get(name).cloned().unwrap_or_default()
}

/// A refused form, re-shown with what was typed and why. `form` names which form of the page
/// was refused (a page may hold several); the default is "nothing refused".
#[derive(Default)]
pub struct Reshow {
    pub form: String,
    pub values: Form,
    pub errors: FormErrors,
    /// The line above the form: the refusal in the reader's language (empty when only fields
    /// are marked).
    pub detail: String,
}

impl Reshow {
    pub fn is(&self, form: &str) -> bool {
        self.form == form
    }

    /// What was typed into `field` of `form` (empty for another form).
    pub fn val(&self, form: &str, field: &str) -> &str {
        if self.is(form) {
            self.values.get(field).map(String::as_str).unwrap_or("")
        } else {
            ""
        }
    }

    pub fn bad(&self, form: &str, field: &str) -> bool {
        self.is(form) && self.errors.has(field)
    }

    pub fn msg(&self, page: &Page, form: &str, field: &str) -> &'static str {
        if self.is(form) {
            self.errors.msg(page, field)
        } else {
            ""
        }
    }

    /// Whether `field` of `form` was `value` (to re-select an option).
    pub fn has_val(&self, form: &str, field: &str, value: &str) -> bool {
        self.val(form, field) == value
    }

    pub fn checked(&self, form: &str, field: &str) -> bool {
        self.is(form) && self.values.contains_key(field)
    }

    /// 422 when a form is being re-shown, 200 otherwise.
    pub fn status(&self) -> StatusCode {
        if self.form.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        }
    }
}

/// Turns a refusal into a re-shown form of `form`; anything else (no permission, not found, a
/// failure) becomes its own response.
pub fn reshow(
    e: impl Into<AppError>,
    page: &Page,
    form: &str,
    values: Form,
) -> Result<Reshow, Box<Response>> {
    let r = refused(e, page)?;
    Ok(Reshow {
        form: form.to_string(),
        values,
        errors: r.errors,
        detail: r.line,
    })
}

/// A refusal a page can show: its status, the line above the form and the marked fields.
pub struct Refused {
    pub status: StatusCode,
    pub line: String,
    pub errors: FormErrors,
}

/// Sorts an error into a refusal to show beside the form (a client error other than "no
/// permission" or "not found") or a response of its own (everything else).
pub fn refused(e: impl Into<AppError>, page: &Page) -> Result<Refused, Box<Response>> {
    let err = e.into();
    let status = err.status();
    if !status.is_client_error() || err.code == FORBIDDEN || err.code == NOT_FOUND {
        return Err(Box::new(err.into_response()));
    }
    Ok(Refused {
        status,
        line: refusal_line(&err, page),
        errors: FormErrors(err.fields),
    })
}

/// The line a refused form shows above itself: nothing for a validation refusal (the fields say
/// it), otherwise the code's message, followed on an English page by the error's own detail.
pub fn refusal_line(err: &AppError, page: &Page) -> String {
    if err.code == VALIDATION {
        return String::new();
    }
    if let Some(note) = &err.note {
        return note.say(page.lang);
    }
    let message = page.t(err.code.key);
    // The detail is English (it is the API's words): a Chinese page shows the message alone.
    match &err.detail {
        Some(d) if err.code.detail_shown && page.is_en() => format!("{message} {d}"),
        _ => message.to_string(),
    }
}

/// The query string of a page about one store.
#[derive(Deserialize, Default)]
pub struct StoreQuery {
    pub store: Option<String>,
    pub ok: Option<String>,
    pub month: Option<String>,
    pub date: Option<String>,
    pub state: Option<String>,
}

/// The store a page is about: the one asked for, or the first the user may see with
/// `permission`; and the list of stores the user may switch to.
pub async fn store_choice(
    c: &Console,
    want: Option<&str>,
    permission: Permission,
) -> Result<(StoreInfo, Vec<StoreInfo>), Response> {
    let fail = |e: AppError| e.into_response();
    c.ctx.require(permission).map_err(|e| fail(e.into()))?;
    let stores = c
        .ctx
        .app
        .cache
        .stores(c.ctx.db())
        .await
        .map_err(|e| fail(e.into()))?;
    let mut mine: Vec<StoreInfo> = stores
        .all()
        .into_iter()
        .filter(|s| s.active && c.ctx.can_at(permission, s.id))
        .collect();
    mine.sort_by(|a, b| a.code.cmp(&b.code));
    let want = want.map(str::trim).filter(|w| !w.is_empty());
    let chosen = match want {
        // A store named in the address that is not one of the user's: say so.
        Some(w) => mine
            .iter()
            .find(|s| s.code.eq_ignore_ascii_case(w))
            .ok_or_else(|| fail(bad_parameter("error.param.store", w)))?,
        None => mine
            .first()
            .ok_or_else(|| fail(crate::kernel::ctx::Forbidden(permission).into()))?,
    }
    .clone();
    Ok((chosen, mine))
}

/// A page address value that names nothing, said in the reader's words (`key` takes the value
/// as `{value}`).
pub fn bad_parameter(key: &'static str, value: &str) -> AppError {
    let shown: String = value.chars().take(40).collect();
    AppError::new(crate::kernel::error::BAD_PARAMETER)
        .detail(format!("{key}: {shown:?}"))
        .note(crate::web::said::Said::new(key).text("value", shown))
}

/// A date from the page address (`?date=2026-02-28`): `default` when absent, and a refusal
/// naming the value when it is not a real date (2026-02-30).
pub fn date_param(text: Option<&str>, default: NaiveDate) -> Result<NaiveDate, AppError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(default),
        Some(t) => NaiveDate::parse_from_str(&patron_core::typed::fold_width(t), "%Y-%m-%d")
            .map_err(|_| bad_parameter("error.param.date", t)),
    }
}

/// A month from the page address (`?month=2026-11`): `default` when absent, and a refusal
/// naming the value when it is not a real month (2026-13).
pub fn month_param(text: Option<&str>, default: String) -> Result<String, AppError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(default),
        Some(t) if crate::kernel::dates::month_bounds(t).is_some() => Ok(t.to_string()),
        Some(t) => Err(bad_parameter("error.param.month", t)),
    }
}
