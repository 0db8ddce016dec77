//! What the group-buy pages share: a form read as a plain map, re-shown with its input and
//! messages when refused, and the store a page is about.

use std::collections::HashMap;

use axum::response::{IntoResponse, Response};
use patron_core::Permission;
use serde::Deserialize;

use crate::areas::groupbuy::GroupBuyError;
use crate::kernel::cache::StoreInfo;
use crate::web::error::AppError;
use crate::web::extract::Console;
use crate::web::layout::{FormErrors, Page};

pub type Form = HashMap<String, String>;

/// A refused form, re-shown with what was typed and why.
#[derive(Default)]
pub struct Reshow {
    pub form: String,
    pub values: Form,
    pub errors: FormErrors,
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
}

/// Turns a refusal into a re-shown form; anything else (no permission, not found, a failure)
/// becomes its own response.
pub fn reshow(
    e: GroupBuyError,
    page: &Page,
    form: &str,
    values: Form,
) -> Result<Reshow, Box<Response>> {
    let err = AppError::from(e);
    let status = err.status();
    if !status.is_client_error() || matches!(err.code, "forbidden" | "not_found") {
        return Err(Box::new(err.into_response()));
    }
    let detail = match (&err.detail, err.code) {
        (_, "validation") => String::new(),
        (Some(d), _) if err.code != "prepaid_rule" => {
            format!(
                "{} {d}",
                page.t(crate::web::error::message_key_of(err.code))
            )
        }
        _ => page
            .t(crate::web::error::message_key_of(err.code))
            .to_string(),
    };
    Ok(Reshow {
        form: form.to_string(),
        values,
        errors: FormErrors(err.fields),
        detail,
    })
}

pub fn field(f: &Form, name: &str) -> String {
    f.get(name).cloned().unwrap_or_default()
}

#[derive(Deserialize, Default)]
pub struct StoreQuery {
    pub store: Option<String>,
    pub ok: Option<String>,
    pub month: Option<String>,
    pub date: Option<String>,
    pub state: Option<String>,
}

/// The store a page is about: the one asked for, or the first the user may see; and the list
/// of stores the user may switch to.
pub async fn store_choice(
    c: &Console,
    want: Option<&str>,
    permission: Permission,
) -> Result<(StoreInfo, Vec<StoreInfo>), Response> {
    c.ctx
        .require(permission)
        .map_err(|e| AppError::from(e).into_response())?;
    let stores = c
        .ctx
        .app
        .cache
        .stores(c.ctx.db())
        .await
        .map_err(|e| AppError::from(e).into_response())?;
    let mut mine: Vec<StoreInfo> = crate::areas::staff::store::list_stores(c.ctx.db())
        .await
        .map_err(|e| AppError::from(e).into_response())?
        .into_iter()
        .filter_map(|s| stores.by_id(s.id).cloned())
        .filter(|s| s.active && c.ctx.can_at(permission, s.id))
        .collect();
    mine.sort_by(|a, b| a.code.cmp(&b.code));
    let chosen = want
        .and_then(|w| mine.iter().find(|s| s.code.eq_ignore_ascii_case(w)))
        .or(mine.first())
        .cloned()
        .ok_or_else(|| AppError::from(crate::kernel::ctx::Forbidden(permission)).into_response())?;
    Ok((chosen, mine))
}
