//! What the reward pages share: the query, the form map, a refused form as they re-show it (the
//! message, the fields and what was typed), and the store a page is about.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::areas::rewards::RewardsError;
use crate::kernel::error as codes;
use crate::web::error::AppError;
use crate::web::forms;
use crate::web::layout::{FormErrors, Page};

pub use crate::web::forms::{Form, field, store_choice};

#[derive(Deserialize, Default)]
pub struct Q {
    pub store: Option<String>,
    pub ok: Option<String>,
    pub state: Option<String>,
    pub card: Option<String>,
    pub list: Option<i64>,
}

pub(super) fn err(e: impl Into<AppError>) -> Response {
    e.into().into_response()
}

/// A refusal as a page shows it: the message, the fields and what was typed.
#[derive(Default)]
pub struct Refusal {
    pub status: Option<StatusCode>,
    pub detail: String,
    pub errors: FormErrors,
    pub values: Form,
}

impl Refusal {
    pub fn val(&self, field: &str) -> &str {
        self.values.get(field).map(String::as_str).unwrap_or("")
    }
    pub fn bad(&self, field: &str) -> bool {
        self.errors.has(field)
    }
    pub fn msg(&self, page: &Page, field: &str) -> &'static str {
        self.errors.msg(page, field)
    }
}

/// Turns a refusal into something to re-show; anything else is its own response. A
/// validation refusal also says so above the form.
// The refusal is re-shown at once by the caller; boxing it would only add noise.
#[allow(clippy::result_large_err)]
pub(super) fn refusal(e: RewardsError, page: &Page, values: Form) -> Result<Refusal, Response> {
    let r = forms::refused(e, page).map_err(|res| *res)?;
    let detail = if r.line.is_empty() {
        page.t(codes::VALIDATION.key).to_string()
    } else {
        r.line
    };
    Ok(Refusal {
        status: Some(r.status),
        detail,
        errors: r.errors,
        values,
    })
}
