//! Who is calling: the console's session (`Console`, `Verified<T>` for state-changing forms)
//! and the API's bearer keys (`ApiCaller`).

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::de::DeserializeOwned;

use crate::auth::store as staff_store;
use crate::auth::{keys, sessions};
use crate::kernel::ctx::{Actor, App, Ctx};
use crate::kernel::error as codes;
use crate::web::error::AppError;
use crate::web::i18n::Lang;

/// The value of cookie `name`, if sent.
/// The client's address, as the login throttle counts it: the connection's peer, or — when the
/// peer is a trusted reverse proxy (`login.trusted_proxies`) — the last address in
/// `X-Forwarded-For` that is not itself a trusted proxy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddr(pub String);

impl FromRequestParts<App> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(ClientAddr(client_addr(
            peer,
            &parts.headers,
            &app.config.login.trusted_proxies,
        )))
    }
}

/// See `ClientAddr`.
pub fn client_addr(
    peer: Option<std::net::IpAddr>,
    headers: &HeaderMap,
    trusted: &[std::net::IpAddr],
) -> String {
    let Some(peer) = peer else {
        return "unknown".into();
    };
    if !trusted.contains(&peer) {
        return peer.to_string();
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse::<std::net::IpAddr>().ok())
        .collect::<Vec<_>>();
    forwarded
        .iter()
        .rev()
        .find(|a| !trusted.contains(a))
        .unwrap_or(&peer)
        .to_string()
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == name).then(|| v.to_string())
        })
}

pub fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// The cookie that keeps the language for pages shown before login.
pub const LANG_COOKIE: &str = "patron_lang";

/// The language for a request without a signed-in user.
pub fn anonymous_lang(headers: &HeaderMap, app: &App) -> Lang {
    cookie(headers, LANG_COOKIE)
        .and_then(|c| Lang::parse(&c))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .or_else(|| Lang::parse(&app.config.default_lang))
        .unwrap_or_default()
}

/// `Set-Cookie` value for a cookie with Patron's attributes.
pub fn set_cookie(app: &App, name: &str, value: &str, http_only: bool) -> String {
    let secure = if app.config.cookies_secure() {
        "; Secure"
    } else {
        ""
    };
    let http_only = if http_only { "; HttpOnly" } else { "" };
    format!("{name}={value}; Path=/; SameSite=Lax{http_only}{secure}")
}

pub fn clear_cookie(name: &str) -> String {
    format!("{name}=; Path=/; Max-Age=0; SameSite=Lax")
}

/// A signed-in staff member on a console page.
pub struct Console {
    pub ctx: Ctx,
    pub lang: Lang,
    pub csrf_token: String,
    pub session_cookie: String,
    pub path: String,
}

impl Console {
    pub fn staff(&self) -> &crate::kernel::ctx::StaffActor {
        match &self.ctx.actor {
            Actor::Staff(s) => s,
            // A Console is only ever built for a staff actor.
            _ => unreachable_staff(),
        }
    }
}

#[allow(clippy::panic)]
fn unreachable_staff() -> ! {
    panic!("console context without a staff actor")
}

fn to_login(path: &str, expired: bool) -> Response {
    let mut target = String::from("/login");
    if expired {
        target.push_str("?expired=1");
    } else if path != "/" {
        target.push_str("?next=");
        target.push_str(&url::form_urlencoded::byte_serialize(path.as_bytes()).collect::<String>());
    }
    let mut res = Redirect::to(&target).into_response();
    if let Ok(v) = clear_cookie(sessions::COOKIE).parse() {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

impl FromRequestParts<App> for Console {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Response> {
        let path = parts.uri.path().to_string();
        let Some(cookie_value) = cookie(&parts.headers, sessions::COOKIE) else {
            return Err(to_login(&path, false));
        };
        let session = match sessions::lookup(app, "staff", &cookie_value).await {
            Ok(sessions::Lookup::Valid(s)) => s,
            Ok(sessions::Lookup::Expired) => return Err(to_login(&path, true)),
            Ok(sessions::Lookup::Missing) => return Err(to_login(&path, false)),
            Err(e) => return Err(AppError::from(e).into_response()),
        };
        let loaded = staff_store::load_actor(&app.db, session.subject_id)
            .await
            .map_err(|e| AppError::from(e).into_response())?;
        let Some((actor, row)) = loaded else {
            return Err(to_login(&path, false));
        };
        if row.disabled {
            let _ = sessions::delete(app, &cookie_value).await;
            return Err(to_login(&path, false));
        }
        if row.must_change_password && path != "/account/password" && path != "/logout" {
            // A piece a page loads by itself (the header's inbox count) answers nothing: the
            // page it sits on is the password page already.
            if parts.headers.contains_key("hx-request") {
                return Err(axum::http::StatusCode::NO_CONTENT.into_response());
            }
            return Err(Redirect::to("/account/password").into_response());
        }
        Ok(Console {
            ctx: Ctx::new(app.clone(), Actor::Staff(actor), request_id(&parts.headers)),
            lang: Lang::parse(&row.lang).unwrap_or_default(),
            csrf_token: session.csrf_token,
            session_cookie: cookie_value,
            path,
        })
    }
}

/// A state-changing console form: the signed-in staff member and the form, whose `_csrf`
/// field (or `X-CSRF-Token` header, for htmx) matched the session's token.
pub struct Verified<T> {
    pub console: Console,
    pub form: T,
}

#[derive(serde::Deserialize)]
struct CsrfField {
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

/// Constant-time comparison of two tokens.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl<T: DeserializeOwned + Send> FromRequest<App> for Verified<T> {
    type Rejection = Response;

    async fn from_request(req: Request, app: &App) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let console = Console::from_request_parts(&mut parts, app).await?;
        let header_token = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bytes = axum::body::to_bytes(body, 1024 * 1024).await.map_err(|_| {
            AppError::new(codes::VALIDATION)
                .detail("form too large")
                .into_response()
        })?;
        let field: CsrfField = serde_urlencoded::from_bytes(&bytes).unwrap_or(CsrfField {
            csrf: String::new(),
        });
        let sent = header_token.unwrap_or(field.csrf);
        if !same(&sent, &console.csrf_token) {
            return Err(AppError::new(codes::CSRF).into_response());
        }
        let form: T = serde_urlencoded::from_bytes(&bytes).map_err(|e| {
            AppError::new(codes::VALIDATION)
                .detail(format!("the form could not be read: {e}"))
                .into_response()
        })?;
        Ok(Verified { console, form })
    }
}

/// A script or till calling the JSON API with `Authorization: Bearer …`.
pub struct ApiCaller(pub Ctx);

impl FromRequestParts<App> for ApiCaller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, AppError> {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| {
                AppError::new(codes::UNAUTHORIZED)
                    .detail("an Authorization: Bearer key is required")
            })?;
        let actor = keys::authenticate(app, bearer).await?.ok_or_else(|| {
            AppError::new(codes::UNAUTHORIZED).detail("the key is unknown or revoked")
        })?;
        Ok(ApiCaller(Ctx::new(
            app.clone(),
            actor,
            request_id(&parts.headers),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> std::net::IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn a_forwarded_address_counts_only_behind_a_trusted_proxy() {
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            "10.0.0.9, 203.0.113.5".parse().expect("header"),
        );
        // No proxy trusted: the header is anyone's to write.
        assert_eq!(client_addr(Some(ip("127.0.0.1")), &h, &[]), "127.0.0.1");
        // Behind the trusted proxy: the last address it was given.
        assert_eq!(
            client_addr(Some(ip("127.0.0.1")), &h, &[ip("127.0.0.1")]),
            "203.0.113.5"
        );
        // A chain of trusted proxies is skipped.
        assert_eq!(
            client_addr(
                Some(ip("127.0.0.1")),
                &h,
                &[ip("127.0.0.1"), ip("203.0.113.5")]
            ),
            "10.0.0.9"
        );
        assert_eq!(client_addr(None, &h, &[]), "unknown");
        assert_eq!(
            client_addr(Some(ip("127.0.0.1")), &HeaderMap::new(), &[ip("127.0.0.1")]),
            "127.0.0.1"
        );
    }
}
