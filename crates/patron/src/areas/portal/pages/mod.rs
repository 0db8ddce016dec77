//! The portal's pages: login, the member's own overview, password change, logout; `code.rs` the
//! sign-in by SMS code, `mine.rs` the member's slips, consent, data and close request,
//! `requests.rs` the desk's list of close requests, `complaints.rs` online complaints and feedback.

mod code;
mod complaints;
mod mine;
mod requests;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde::Deserialize;

use super::{COOKIE, PortalError};
use crate::areas::members::store::{self as mstore, EntryRow, MemberRow};
use crate::auth::sessions;
use crate::kernel::ctx::App;
use crate::kernel::dates::business_date;
use crate::kernel::error as codes;
use crate::web::error::AppError;
use crate::web::extract::{self, LANG_COOKIE};
use crate::web::i18n::Lang;
use crate::web::layout::Page;

pub fn router() -> Router<App> {
    Router::new()
        .route("/portal", get(home))
        .route("/portal/login", get(login_page).post(login_submit))
        .route("/portal/password", get(password_page).post(password_submit))
        .route("/portal/logout", post(logout))
        .route("/portal/code", get(code::code_page).post(code::code_ask))
        .route("/portal/code/verify", post(code::code_verify))
        .route("/portal/slips", get(mine::slips_page))
        .route("/portal/privacy", get(mine::privacy_page))
        .route("/portal/consent", post(mine::consent_submit))
        .route("/portal/close", post(mine::close_submit))
        .route("/portal/my-data.txt", get(mine::my_data))
        .route(
            "/portal/complaints",
            get(complaints::complaints_page).post(complaints::complaint_submit),
        )
        .route("/portal-requests", get(requests::requests_page))
        .route(
            "/portal-requests/{id}/handled",
            post(requests::handle_submit),
        )
}

/// A member signed in to the portal.
pub struct MemberSession {
    pub app: App,
    pub member_id: i64,
    pub csrf: String,
    pub cookie: String,
    pub lang: Lang,
}

impl FromRequestParts<App> for MemberSession {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Response> {
        let lang = extract::cookie(&parts.headers, LANG_COOKIE)
            .and_then(|c| Lang::parse(&c))
            .unwrap_or_else(|| extract::anonymous_lang(&parts.headers, app));
        let Some(cookie) = extract::cookie(&parts.headers, COOKIE) else {
            return Err(Redirect::to("/portal/login").into_response());
        };
        match sessions::lookup(app, "member", &cookie).await {
            Ok(sessions::Lookup::Valid(s)) => {
                // A closed member is signed out; a first password must be changed before anything
                // else.
                let state = super::store::session_state(&app.db, s.subject_id)
                    .await
                    .map_err(|e| AppError::from(e).into_response())?;
                match state {
                    Some((status, _)) if status != "active" => {
                        let _ = sessions::delete(app, &cookie).await;
                        return Err(Redirect::to("/portal/login").into_response());
                    }
                    None => return Err(Redirect::to("/portal/login").into_response()),
                    Some((_, true))
                        if parts.uri.path() != "/portal/password"
                            && parts.uri.path() != "/portal/logout" =>
                    {
                        return Err(Redirect::to("/portal/password").into_response());
                    }
                    _ => {}
                }
                Ok(MemberSession {
                    app: app.clone(),
                    member_id: s.subject_id,
                    csrf: s.csrf_token,
                    cookie,
                    lang,
                })
            }
            Ok(_) => Err(Redirect::to("/portal/login").into_response()),
            Err(e) => Err(AppError::from(e).into_response()),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/login.html")]
struct LoginPage {
    page: Page,
    login: String,
    message: Option<&'static str>,
}

#[derive(Deserialize, Default)]
struct LangQuery {
    lang: Option<String>,
    out: Option<String>,
}

async fn login_page(
    State(app): State<App>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let chosen = q.lang.as_deref().and_then(Lang::parse);
    let lang = chosen.unwrap_or_else(|| extract::anonymous_lang(&headers, &app));
    let mut res = LoginPage {
        page: Page::anonymous(lang, "portal.title"),
        login: String::new(),
        message: q.out.map(|_| "login.signed_out"),
    }
    .into_response();
    if let Some(l) = chosen
        && let Ok(v) = extract::set_cookie(&app, LANG_COOKIE, l.code(), false).parse()
    {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

#[derive(Deserialize)]
struct LoginForm {
    login: String,
    password: String,
}

async fn login_submit(
    State(app): State<App>,
    addr: extract::ClientAddr,
    headers: HeaderMap,
    axum::Form(form): axum::Form<LoginForm>,
) -> Response {
    let lang = extract::cookie(&headers, LANG_COOKIE)
        .and_then(|c| Lang::parse(&c))
        .unwrap_or_else(|| extract::anonymous_lang(&headers, &app));
    match super::login(&app, &form.login, &form.password, &addr.0).await {
        Ok(s) => {
            let target = if s.must_change {
                "/portal/password"
            } else {
                "/portal"
            };
            let mut res = Redirect::to(target).into_response();
            if let Ok(v) = extract::set_cookie(&app, COOKIE, &s.cookie, true).parse() {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
            res
        }
        Err(e) => {
            let (key, status) = match e {
                PortalError::InvalidCredentials => ("portal.invalid", StatusCode::UNAUTHORIZED),
                PortalError::Locked { .. } => ("login.locked", StatusCode::LOCKED),
                other => return AppError::internal(other).into_response(),
            };
            let mut res = LoginPage {
                page: Page::anonymous(lang, "portal.title"),
                login: form.login,
                message: Some(key),
            }
            .into_response();
            *res.status_mut() = status;
            res
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/home.html")]
struct HomePage {
    page: Page,
    m: MemberRow,
    tier_name: String,
    next: Option<(String, i64, Option<i64>)>,
    keep: Option<i64>,
    lots: Vec<(NaiveDate, i64)>,
    expiring_soon: i64,
    entries: Vec<EntryRow>,
}

pub(super) fn member_page(s: &MemberSession, title: &'static str) -> Page {
    let mut page = Page::anonymous(s.lang, title);
    page.csrf = s.csrf.clone();
    page.tz = s.app.config.tz();
    page
}

async fn home(s: MemberSession) -> Response {
    let app = &s.app;
    let result: Result<Response, AppError> = async {
        let m = mstore::get_member(&app.db, s.member_id)
            .await?
            .ok_or_else(AppError::not_found)?;
        let loyalty = app
            .cache
            .get::<crate::areas::points::settings::Loyalty>(&app.db)
            .await?;
        let today = business_date(app.clock.now(), app.config.tz());
        let st =
            crate::areas::points::standing::standing(&app.db, &loyalty, m.id, &m.tier_code, today)
                .await?
                .ok_or_else(AppError::not_found)?;
        let next = st
            .next
            .as_ref()
            .map(|(t, n)| (t.name(s.lang).to_string(), n.spend.0, n.count));
        Ok(HomePage {
            page: member_page(&s, "portal.title"),
            tier_name: st.tier.name(s.lang).to_string(),
            entries: mstore::entries(&app.db, m.id, 100, 0).await?,
            m,
            next,
            keep: st.keep.map(|k| k.spend.0),
            lots: st.lots,
            expiring_soon: st.expiring_soon,
        }
        .into_response())
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/password.html")]
struct PasswordPage {
    page: Page,
    message: Option<&'static str>,
}

async fn password_page(s: MemberSession) -> Response {
    PasswordPage {
        page: member_page(&s, "portal.password_title"),
        message: None,
    }
    .into_response()
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    current: String,
    new: String,
    confirm: String,
}

async fn password_submit(s: MemberSession, axum::Form(f): axum::Form<PasswordForm>) -> Response {
    if f.csrf != s.csrf {
        return AppError::new(codes::CSRF).into_response();
    }
    match super::change_password(
        &s.app,
        s.member_id,
        &f.current,
        &f.new,
        &f.confirm,
        &s.cookie,
    )
    .await
    {
        Ok(()) => Redirect::to("/portal").into_response(),
        Err(e) => {
            let key = match e {
                PortalError::WrongCurrent => "password.wrong_current",
                PortalError::Mismatch => "password.mismatch",
                PortalError::Weak(k) => k,
                other => return AppError::internal(other).into_response(),
            };
            let mut res = PasswordPage {
                page: member_page(&s, "portal.password_title"),
                message: Some(key),
            }
            .into_response();
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            res
        }
    }
}

#[derive(Deserialize)]
struct LogoutForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

async fn logout(s: MemberSession, axum::Form(f): axum::Form<LogoutForm>) -> Response {
    if f.csrf != s.csrf {
        return AppError::new(codes::CSRF).into_response();
    }
    if let Err(e) = sessions::delete(&s.app, &s.cookie).await {
        return AppError::from(e).into_response();
    }
    let mut res = Redirect::to("/portal/login?out=1").into_response();
    if let Ok(h) = extract::clear_cookie(COOKIE).parse() {
        res.headers_mut().insert(header::SET_COOKIE, h);
    }
    res
}
