//! What the reward pages share: the query, the form map, a refused form as they re-show it (the
//! message, the fields and what was typed), and the store a page is about.

use std::collections::HashMap;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use patron_core::Permission;
use serde::Deserialize;

use crate::areas::rewards::RewardsError;
use crate::kernel::cache::StoreInfo;
use crate::web::error::AppError;
use crate::web::extract::Console;
use crate::web::layout::{FormErrors, Page};

pub type Form = HashMap<String, String>;

#[derive(Deserialize, Default)]
pub struct Q {
    pub store: Option<String>,
    pub ok: Option<String>,
    pub state: Option<String>,
    pub card: Option<String>,
    pub list: Option<i64>,
}

pub(super) fn field(f: &Form, name: &str) -> String {
    f.get(name).cloned().unwrap_or_default()
}

/// The store a page is about and the stores the user may switch to.
pub async fn store_choice(
    c: &Console,
    want: Option<&str>,
    permission: Permission,
) -> Result<(StoreInfo, Vec<StoreInfo>), Response> {
    crate::areas::groupbuy::pages::store_choice(c, want, permission).await
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

/// Turns a refusal into something to re-show; anything else is its own response.
// The refusal is re-shown at once by the caller; boxing it would only add noise.
#[allow(clippy::result_large_err)]
pub(super) fn refusal(e: RewardsError, page: &Page, values: Form) -> Result<Refusal, Response> {
    let err = AppError::from(e);
    let status = err.status();
    if !status.is_client_error() || matches!(err.code, "forbidden" | "not_found") {
        return Err(err.into_response());
    }
    let base = page.t(crate::web::error::message_key_of(err.code));
    let detail = match (&err.detail, err.code) {
        (_, "validation") => base.to_string(),
        (Some(d), "conflict") => format!("{base} {d}"),
        _ => base.to_string(),
    };
    Ok(Refusal {
        status: Some(status),
        detail,
        errors: FormErrors(err.fields),
        values,
    })
}
