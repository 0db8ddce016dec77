//! `/portal/code`: first sign-in and a forgotten password by a one-time SMS code. The answer to
//! a code request is the same for every well-formed phone, member or not.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::super::codes::{self, CodeIn};
use super::super::{COOKIE, PortalError};
use crate::kernel::ctx::App;
use crate::web::error::AppError;
use crate::web::extract::{self, LANG_COOKIE};
use crate::web::i18n::Lang;
use crate::web::layout::Page;

#[derive(Template, WebTemplate)]
#[template(path = "portal/code.html")]
struct CodePage {
    page: Page,
    /// The second step: the code was asked for this phone.
    verify: bool,
    phone: String,
    message: Option<&'static str>,
    ok: bool,
    minutes: i64,
}

fn lang_of(app: &App, headers: &HeaderMap) -> Lang {
    extract::cookie(headers, LANG_COOKIE)
        .and_then(|c| Lang::parse(&c))
        .unwrap_or_else(|| extract::anonymous_lang(headers, app))
}

fn render(
    lang: Lang,
    verify: bool,
    phone: String,
    message: Option<&'static str>,
    status: StatusCode,
) -> Response {
    let mut res = CodePage {
        page: Page::anonymous(lang, "portal.code_title"),
        verify,
        phone,
        ok: status.is_success(),
        message,
        minutes: codes::CODE_MINUTES,
    }
    .into_response();
    *res.status_mut() = status;
    res
}

pub(super) async fn code_page(State(app): State<App>, headers: HeaderMap) -> Response {
    render(
        lang_of(&app, &headers),
        false,
        String::new(),
        None,
        StatusCode::OK,
    )
}

#[derive(Deserialize)]
pub(super) struct AskForm {
    #[serde(default)]
    phone: String,
}

pub(super) async fn code_ask(
    State(app): State<App>,
    addr: extract::ClientAddr,
    headers: HeaderMap,
    axum::Form(f): axum::Form<AskForm>,
) -> Response {
    let lang = lang_of(&app, &headers);
    match codes::request_code(&app, &f.phone, &addr.0).await {
        Ok(()) => render(
            lang,
            true,
            f.phone,
            Some("portal.code_sent_notice"),
            StatusCode::OK,
        ),
        Err(PortalError::BadPhone) => render(
            lang,
            false,
            f.phone,
            Some("portal.code_bad_phone"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(PortalError::TooMany) => render(
            lang,
            false,
            f.phone,
            Some("portal.code_too_many"),
            StatusCode::TOO_MANY_REQUESTS,
        ),
        Err(e) => AppError::from(e).into_response(),
    }
}

#[derive(Deserialize)]
pub(super) struct VerifyForm {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

pub(super) async fn code_verify(
    State(app): State<App>,
    addr: extract::ClientAddr,
    headers: HeaderMap,
    axum::Form(f): axum::Form<VerifyForm>,
) -> Response {
    let lang = lang_of(&app, &headers);
    let input = CodeIn {
        phone: &f.phone,
        code: &f.code,
        new: &f.new,
        confirm: &f.confirm,
    };
    let (key, status) = match codes::set_password(&app, &input, &addr.0).await {
        Ok(s) => {
            let mut res = Redirect::to("/portal").into_response();
            if let Ok(v) = extract::set_cookie(&app, COOKIE, &s.cookie, true).parse() {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
            return res;
        }
        Err(PortalError::BadCode) => ("portal.code_bad", StatusCode::UNPROCESSABLE_ENTITY),
        Err(PortalError::BadPhone) => ("portal.code_bad_phone", StatusCode::UNPROCESSABLE_ENTITY),
        Err(PortalError::Mismatch) => ("password.mismatch", StatusCode::UNPROCESSABLE_ENTITY),
        Err(PortalError::Weak(k)) => (k, StatusCode::UNPROCESSABLE_ENTITY),
        Err(PortalError::TooMany) => ("portal.code_too_many", StatusCode::TOO_MANY_REQUESTS),
        Err(e) => return AppError::from(e).into_response(),
    };
    render(lang, true, f.phone, Some(key), status)
}
