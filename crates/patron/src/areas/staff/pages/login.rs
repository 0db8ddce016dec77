//! Console routes for signing in and out, the password change and the language switch.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::auth::{AuthError, PasswordChange, sessions};
use crate::kernel::ctx::App;
use crate::kernel::error as codes;
use crate::web::error::AppError;
use crate::web::extract::{self, Console, LANG_COOKIE, Verified};
use crate::web::i18n::Lang;
use crate::web::layout::{FormErrors, Page};

pub fn router() -> Router<App> {
    Router::new()
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route(
            "/account/password",
            get(password_page).post(password_submit),
        )
        .route("/account/lang", post(set_lang))
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/login.html")]
struct LoginPage {
    page: Page,
    username: String,
    next: String,
    message: Option<&'static str>,
    message_kind: &'static str,
}

#[derive(Deserialize, Default)]
struct LoginQuery {
    next: Option<String>,
    expired: Option<String>,
    lang: Option<String>,
    out: Option<String>,
}

/// Only same-site paths may be a `next` target (no open redirects).
fn safe_next(next: &str) -> String {
    // A path on this site only: no scheme or host, and no whitespace or control characters,
    // which browsers strip (so "/\t/evil.example" would become "//evil.example").
    let bytes = next.as_bytes();
    let ok = bytes.first() == Some(&b'/')
        && !matches!(bytes.get(1), Some(b'/') | Some(b'\\'))
        && !next.contains('\\')
        && bytes.iter().all(|b| b.is_ascii_graphic());
    if ok {
        next.to_string()
    } else {
        "/".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_paths_on_this_site_are_followed_after_login() {
        assert_eq!(
            safe_next("/admin/staff?role=clerk"),
            "/admin/staff?role=clerk"
        );
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/ /evil.example",
            "https://evil.example",
            "evil",
            "/\n/evil.example",
            "",
            "/%0a",
        ] {
            let followed = safe_next(bad);
            assert!(
                followed == "/" || followed == bad && bad == "/%0a",
                "{bad:?} -> {followed:?}"
            );
        }
    }
}

async fn login_page(
    State(app): State<App>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    let chosen = q.lang.as_deref().and_then(Lang::parse);
    let lang = chosen.unwrap_or_else(|| extract::anonymous_lang(&headers, &app));
    let (message, message_kind) = if q.expired.is_some() {
        (Some("login.expired"), "info")
    } else if q.out.is_some() {
        (Some("login.signed_out"), "info")
    } else {
        (None, "info")
    };
    let page = LoginPage {
        page: Page::anonymous(lang, "login.title"),
        username: String::new(),
        next: safe_next(q.next.as_deref().unwrap_or("/")),
        message,
        message_kind,
    };
    let mut res = page.into_response();
    if let Some(l) = chosen
        && let Ok(v) = extract::set_cookie(&app, LANG_COOKIE, l.code(), false).parse()
    {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: String,
}

async fn login_submit(
    State(app): State<App>,
    addr: extract::ClientAddr,
    headers: HeaderMap,
    axum::Form(form): axum::Form<LoginForm>,
) -> Response {
    let lang = extract::anonymous_lang(&headers, &app);
    let rid = extract::request_id(&headers);
    match crate::auth::login(&app, &form.username, &form.password, &addr.0, rid).await {
        Ok(signed_in) => {
            let target = if signed_in.must_change_password {
                "/account/password".to_string()
            } else {
                safe_next(&form.next)
            };
            let mut res = Redirect::to(&target).into_response();
            let staff_lang = crate::areas::staff::store::get_staff(&app.db, signed_in.staff_id)
                .await
                .ok()
                .flatten()
                .map(|s| s.lang)
                .unwrap_or_else(|| lang.code().to_string());
            for c in [
                extract::set_cookie(&app, sessions::COOKIE, &signed_in.session_cookie, true),
                extract::set_cookie(&app, LANG_COOKIE, &staff_lang, false),
            ] {
                if let Ok(v) = c.parse() {
                    res.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            res
        }
        Err(e) => {
            let (key, status) = match &e {
                AuthError::InvalidCredentials => ("login.invalid", 401),
                AuthError::Locked { .. } => ("login.locked", 423),
                AuthError::Disabled => ("login.disabled", 403),
                _ => return AppError::from(e).into_response(),
            };
            let page = LoginPage {
                page: Page::anonymous(lang, "login.title"),
                username: form.username,
                next: safe_next(&form.next),
                message: Some(key),
                message_kind: "error",
            };
            let mut res = page.into_response();
            *res.status_mut() = axum::http::StatusCode::from_u16(status)
                .unwrap_or(axum::http::StatusCode::UNAUTHORIZED);
            res
        }
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn logout(v: Verified<Empty>) -> Response {
    let c = v.console;
    if let Err(e) = crate::auth::logout(&c.ctx, &c.session_cookie).await {
        return AppError::from(e).into_response();
    }
    let mut res = Redirect::to("/login?out=1").into_response();
    if let Ok(h) = extract::clear_cookie(sessions::COOKIE).parse() {
        res.headers_mut().insert(header::SET_COOKIE, h);
    }
    res
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/password.html")]
struct PasswordPage {
    page: Page,
    must_change: bool,
    errors: FormErrors,
}

async fn must_change(c: &Console) -> bool {
    crate::areas::staff::store::get_staff(c.ctx.db(), c.staff().id)
        .await
        .ok()
        .flatten()
        .is_some_and(|s| s.must_change_password)
}

async fn password_page(c: Console) -> PasswordPage {
    PasswordPage {
        must_change: must_change(&c).await,
        page: Page::console(&c, "account.password_title"),
        errors: FormErrors::default(),
    }
}

#[derive(Deserialize)]
struct PasswordForm {
    current_password: String,
    new_password: String,
    confirm_password: String,
}

async fn password_submit(v: Verified<PasswordForm>) -> Response {
    let c = v.console;
    let change = PasswordChange {
        current: v.form.current_password,
        new: v.form.new_password,
        confirm: v.form.confirm_password,
    };
    match crate::auth::change_password(&c.ctx, &change, Some(&c.session_cookie)).await {
        Ok(()) => Redirect::to("/?ok=flash.password_changed").into_response(),
        Err(e) => {
            let err = AppError::from(e);
            if err.code != codes::VALIDATION {
                return err.into_response();
            }
            let mut res = PasswordPage {
                must_change: must_change(&c).await,
                page: Page::console(&c, "account.password_title"),
                errors: FormErrors(err.fields),
            }
            .into_response();
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            res
        }
    }
}

#[derive(Deserialize)]
struct LangForm {
    lang: String,
}

async fn set_lang(headers: HeaderMap, v: Verified<LangForm>) -> Response {
    let Some(lang) = Lang::parse(&v.form.lang) else {
        return AppError::from(crate::kernel::validation::Invalid::one(
            "lang",
            "invalid.lang",
        ))
        .into_response();
    };
    if let Err(e) = crate::auth::set_language(&v.console.ctx, lang).await {
        return AppError::from(e).into_response();
    }
    // Back to the page the switch was pressed on.
    let back = headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| url::Url::parse(r).ok())
        .map(|u| {
            safe_next(&format!(
                "{}{}",
                u.path(),
                u.query().map(|q| format!("?{q}")).unwrap_or_default()
            ))
        })
        .unwrap_or_else(|| "/".into());
    let mut res = Redirect::to(&back).into_response();
    if let Ok(h) = extract::set_cookie(&v.console.ctx.app, LANG_COOKIE, lang.code(), false).parse()
    {
        res.headers_mut().insert(header::SET_COOKIE, h);
    }
    res
}
