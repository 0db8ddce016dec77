//! Console and portal pages of this area: the partner list (filters, exports, print), one
//! partner's file (history, contract, documents, callbacks, print), the callbacks due and the
//! callback log, and the portal's list of active partners with their member benefits.
//!
//! Forms are read as plain maps; a refused one is re-shown with its input and the messages in
//! the user's language, status 422.
//!
//! `mod.rs` is the router and the form re-show the screens share; one file per screen group.

mod callbacks;
mod list;
mod partner;
mod portal;

use std::collections::HashMap;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::PartnersError;
use crate::kernel::ctx::App;
use crate::web::error::AppError;
use crate::web::layout::{FormErrors, Page};

pub type Form = HashMap<String, String>;

pub fn router() -> Router<App> {
    Router::new()
        .route("/partners", get(list::list_page).post(list::create_submit))
        .route("/partners.csv", get(list::list_csv))
        .route("/partners.xlsx", get(list::list_xlsx))
        .route("/partners/print", get(list::list_print))
        .route("/partners/callbacks", get(callbacks::callbacks_page))
        .route("/partners/callbacks.csv", get(callbacks::callbacks_csv))
        .route("/partners/callbacks.xlsx", get(callbacks::callbacks_xlsx))
        .route("/partners/{id}", get(partner::partner_page))
        .route("/partners/{id}/print", get(partner::partner_print))
        .route("/partners/{id}/stage", post(partner::stage_submit))
        .route("/partners/{id}/contracts", post(partner::contract_submit))
        .route("/partners/{id}/documents", post(partner::document_submit))
        .route("/partners/{id}/callbacks", post(partner::callback_submit))
        .route("/partners/{id}/phone", post(partner::phone_submit))
        .route("/portal/partners", get(portal::portal_page))
}

/// A refused form, re-shown with what was typed and why.
#[derive(Default)]
pub struct Reshow {
    pub form: String,
    pub values: Form,
    pub errors: FormErrors,
    pub detail: String,
}

impl Reshow {
    pub fn val(&self, form: &str, field: &str) -> &str {
        if self.form == form {
            self.values.get(field).map(String::as_str).unwrap_or("")
        } else {
            ""
        }
    }

    pub fn bad(&self, form: &str, field: &str) -> bool {
        self.form == form && self.errors.has(field)
    }

    pub fn msg(&self, page: &Page, form: &str, field: &str) -> &'static str {
        if self.form == form {
            self.errors.msg(page, field)
        } else {
            ""
        }
    }

    pub fn has_val(&self, form: &str, field: &str, value: &str) -> bool {
        self.val(form, field) == value
    }
}

/// A refusal becomes a re-shown form; anything else its own response.
fn reshow(
    e: PartnersError,
    page: &Page,
    form: &str,
    values: Form,
) -> Result<Reshow, Box<Response>> {
    let err = AppError::from(e);
    if !err.status().is_client_error() || matches!(err.code, "forbidden" | "not_found") {
        return Err(Box::new(err.into_response()));
    }
    let detail = if err.code == "validation" {
        String::new()
    } else {
        page.t(crate::web::error::message_key_of(err.code))
            .to_string()
    };
    Ok(Reshow {
        form: form.to_string(),
        values,
        errors: FormErrors(err.fields),
        detail,
    })
}

fn field(f: &Form, name: &str) -> String {
    f.get(name).cloned().unwrap_or_default()
}

fn status_of(r: &Reshow) -> StatusCode {
    if r.form.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}
