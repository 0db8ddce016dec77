//! Errors as clients see them. One table maps each stable `code` to its HTTP status and message
//! key (STYLE.md §5). API routes answer `application/problem+json` (RFC 9457); console routes
//! answer an error page in the user's language. Both carry the request id so staff can quote it.
//! Internal causes are logged once, here, and never sent.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use patron_core::Permission;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::AuthError;
use crate::kernel::db::DbError;
use crate::kernel::error::{self as codes, Code};
use crate::kernel::validation::{FieldError, Invalid};
use crate::web::said::Said;

/// The HTTP status of a code (500 if its number is not a status).
pub fn status_of(code: Code) -> StatusCode {
    StatusCode::from_u16(code.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// An error on its way to a client.
#[derive(Debug)]
pub struct AppError {
    pub code: Code,
    /// Human detail (English) safe to show; never an internal cause.
    pub detail: Option<String>,
    pub fields: Vec<FieldError>,
    /// The internal cause, logged once and never sent.
    pub cause: Option<Box<str>>,
    /// The permission that was missing (a console page names it in the user's language).
    pub permission: Option<Permission>,
    /// What a page says instead of the code's general message: a catalog key whose `{name}`
    /// places are filled from its values (e.g. "积分不足：现有 {available} 积分"). Boxed: most
    /// errors have none, and an error stays small.
    pub note: Option<Box<Said>>,
}

impl AppError {
    pub fn new(code: Code) -> Self {
        AppError {
            code,
            detail: None,
            fields: Vec::new(),
            cause: None,
            permission: None,
            note: None,
        }
    }

    /// What a page says about this refusal in the reader's words (see `Said`).
    pub fn note(mut self, said: Said) -> Self {
        self.note = Some(Box::new(said));
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        AppError {
            cause: Some(cause.to_string().into()),
            ..AppError::new(codes::INTERNAL)
        }
    }

    pub fn not_found() -> Self {
        AppError::new(codes::NOT_FOUND)
    }

    pub fn status(&self) -> StatusCode {
        status_of(self.code)
    }
}

impl From<Invalid> for AppError {
    fn from(e: Invalid) -> Self {
        AppError {
            fields: e.0,
            ..AppError::new(codes::VALIDATION)
        }
    }
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        AppError::internal(e)
    }
}

impl From<crate::kernel::ctx::Forbidden> for AppError {
    fn from(e: crate::kernel::ctx::Forbidden) -> Self {
        AppError {
            permission: Some(e.0),
            ..AppError::new(codes::FORBIDDEN)
                .detail(format!("permission {} is required", e.0.code()))
        }
    }
}

impl From<Permission> for AppError {
    fn from(p: Permission) -> Self {
        crate::kernel::ctx::Forbidden(p).into()
    }
}

impl From<AuthError> for AppError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::InvalidCredentials | AuthError::Disabled => {
                AppError::new(codes::UNAUTHORIZED)
            }
            AuthError::Locked { .. } => AppError::new(codes::ACCOUNT_LOCKED),
            AuthError::WrongCurrentPassword => {
                Invalid::one("current_password", "password.wrong_current").into()
            }
            AuthError::Mismatch => Invalid::one("confirm_password", "password.mismatch").into(),
            AuthError::WeakPassword(p) => Invalid::one("new_password", p.message_key()).into(),
            AuthError::Forbidden(f) => f.into(),
            AuthError::Db(e) => e.into(),
            AuthError::Hash(e) => AppError::internal(e),
        }
    }
}

/// An error answer of the JSON API: `application/problem+json` (RFC 9457) with a stable `code`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(examples(json!({
    "type": "https://patron.invalid/problems/validation",
    "title": "Please correct the marked fields",
    "status": 422,
    "code": "validation",
    "errors": [{"field": "lines[0].amount_fen", "code": "invalid.required", "message": "Required"}],
    "request_id": "0191f5d2-7c1e-7b4a-9a57-3f0c2b1d9e11"
})))]
pub struct Problem<'a> {
    /// `https://patron.invalid/problems/{code}`.
    #[serde(rename = "type")]
    kind: String,
    /// The code's message in English.
    title: &'static str,
    /// The HTTP status, repeated.
    status: u16,
    /// The stable machine word (`validation`, `forbidden`, `receipt_conflict`, …); it never
    /// changes once published.
    code: &'a str,
    /// Human detail in English, safe to show (a missing permission, the state that refused).
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a str>,
    /// Every bad field, for `validation` and the rules that name fields.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<ProblemField<'a>>,
    /// The request id (also in the `x-request-id` header), for staff to quote.
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<&'a str>,
}

/// One bad field of a problem.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemField<'a> {
    /// The field's path in the request, e.g. `lines[2].amount_fen`.
    field: &'a str,
    /// The message key, e.g. `invalid.required`.
    code: &'static str,
    /// The message in English.
    message: &'static str,
}

/// Marks a response as an error so the error middleware can finish it (request id, HTML or JSON,
/// logging).
#[derive(Debug, Clone)]
pub struct ErrorMark {
    pub code: Code,
    pub detail: Option<String>,
    pub fields: Vec<FieldError>,
    pub cause: Option<Box<str>>,
    pub permission: Option<Permission>,
    pub note: Option<Box<Said>>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut res = self.status().into_response();
        res.extensions_mut().insert(ErrorMark {
            code: self.code,
            detail: self.detail,
            fields: self.fields,
            cause: self.cause,
            permission: self.permission,
            note: self.note,
        });
        res
    }
}

/// Builds the problem+json response for an error (API routes).
pub fn problem_response(
    mark: &ErrorMark,
    status: StatusCode,
    request_id: Option<&str>,
) -> Response {
    let en = crate::web::i18n::Lang::En;
    let body = Problem {
        kind: format!("https://patron.invalid/problems/{}", mark.code.name),
        title: en.t(mark.code.key),
        status: status.as_u16(),
        code: mark.code.name,
        detail: mark.detail.as_deref(),
        errors: mark
            .fields
            .iter()
            .map(|f| ProblemField {
                field: &f.field,
                code: f.key,
                message: en.t(f.key),
            })
            .collect(),
        request_id,
    };
    let mut res = (status, Json(body)).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    res
}
