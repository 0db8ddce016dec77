//! The composition root: the one place that names every area. It assembles the router (console,
//! API, portal), finishes errors, adds the security layers, and serves; it also lists what the
//! toolkit reads from the areas (the message catalogs).

pub mod approvals;
pub mod catalogs;
pub mod codes;
pub mod dashboard;
pub mod jobs;
mod store;

use std::future::Future;
use std::time::Duration;

use crate::kernel::error as code;
use askama::Template;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::csrf::CsrfLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

use crate::kernel::ctx::App;
use crate::web::error::{self, AppError, ErrorMark};
use crate::web::extract;
use crate::web::{assets, i18n, layout, security};

#[derive(OpenApi)]
#[openapi(
    info(title = "Patron API", description = "Patron's JSON API for tills and scripts. \
        Errors are application/problem+json with a stable `code`."),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

mod openapi;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The JSON API under `/api/v1` and its OpenAPI document.
pub fn api() -> (Router<App>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(crate::areas::staff::api::router())
        .merge(crate::areas::pos::api::router())
        .merge(crate::areas::groupbuy::api::router())
        .merge(crate::areas::gifts::api::router())
        .merge(crate::areas::rewards::api::router())
        .merge(crate::areas::events::api::router())
        .merge(crate::areas::calendar::api::router())
        .merge(crate::areas::customers::files::api::router())
        .merge(crate::areas::customers::callbacks::api::router())
        .merge(crate::areas::customers::visits::api::router())
        .merge(crate::areas::plans::api::router())
        .merge(crate::areas::rotation::api::router())
        .merge(crate::areas::complaints::api::router())
        .merge(crate::areas::care::api::router())
        .merge(crate::areas::partners::api::router())
        .split_for_parts();
    doc.servers = Some(vec![utoipa::openapi::Server::new("/api/v1")]);
    openapi::finish_problems(&mut doc);
    (router, doc)
}

/// The whole application as one router.
pub fn router(app: App) -> Router {
    router_with(app, Router::new())
}

/// The application with `extra` routes merged in, under the same layers (tests use it to
/// mount routes that misbehave on purpose).
pub fn router_with(app: App, extra: Router<App>) -> Router {
    let (api_router, doc) = api();
    let api_router = api_router.fallback(|| async { AppError::not_found() });
    Router::new()
        .route("/healthz", get(healthz))
        .route("/assets/{file}", get(assets::serve))
        .merge(crate::areas::staff::pages::dashboard::router(dashboard::all()))
        .merge(crate::areas::staff::pages::login::router())
        .merge(crate::areas::staff::pages::keys::router())
        .merge(crate::areas::staff::pages::router())
        .merge(crate::areas::members::pages::router())
        .merge(crate::approvals::pages::router(approvals::all()))
        .merge(crate::notify::pages::router())
        .merge(crate::areas::portal::pages::router())
        .merge(crate::areas::points::pages::router())
        .merge(crate::areas::pos::pages::router())
        .merge(crate::areas::groupbuy::pages::router())
        .merge(crate::areas::gifts::pages::router())
        .merge(crate::areas::rewards::pages::router())
        .merge(crate::areas::events::pages::router())
        .merge(crate::areas::partners::pages::router())
        .merge(crate::areas::calendar::pages::router())
        .merge(crate::areas::customers::files::pages::router())
        .merge(crate::areas::customers::callbacks::pages::router())
        .merge(crate::areas::customers::visits::pages::router())
        .merge(crate::areas::plans::pages::router())
        .merge(crate::areas::rotation::pages::router())
        .merge(crate::areas::complaints::pages::router())
        .merge(crate::areas::care::pages::router())
        .merge(crate::areas::backup::pages::router())
        .merge(crate::areas::reports::pages::router())
        .nest("/api/v1", api_router)
        .merge(SwaggerUi::new("/api/docs").url("/api/v1/openapi.json", doc))
        .merge(extra)
        .fallback(|| async { AppError::not_found() })
        .layer(CsrfLayer::new())
        // Inside the finisher, so a panic becomes a proper error page / problem+json.
        .layer(CatchPanicLayer::custom(|_| {
            AppError::internal("handler panicked").into_response()
        }))
        .layer(middleware::from_fn_with_state(app.clone(), finish_errors))
        // Outside the finisher, so error pages get them too.
        .layer(middleware::from_fn(security::headers))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(CompressionLayer::new())
        // Spans name the path only: a query string may carry a phone number (till lookups).
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            tracing::debug_span!("request", method = %req.method(), path = %req.uri().path())
        }))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(app)
}

async fn healthz(State(app): State<App>) -> Response {
    if store::ping(&app.db).await {
        Json(serde_json::json!({ "status": "ok" })).into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "status": "database unavailable" })),
        )
            .into_response()
    }
}

/// Finishes every error response in one place: problem+json for the API (and any client that
/// asks for JSON), an error page in the user's language for the console; the request id on
/// both; the internal cause logged once.
async fn finish_errors(State(app): State<App>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let wants_json = path.starts_with("/api/")
        || req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("json") && !a.contains("html"));
    let request_id = extract::request_id(req.headers());
    let lang = extract::cookie(req.headers(), extract::LANG_COOKIE)
        .and_then(|c| i18n::Lang::parse(&c))
        .unwrap_or_else(|| extract::anonymous_lang(req.headers(), &app));
    // Kept to show a signed-in user's own navigation on an error page.
    let (uri, headers) = (req.uri().clone(), req.headers().clone());
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let mark = match res.extensions().get::<ErrorMark>() {
        Some(m) => m.clone(),
        None if res
            .extensions()
            .get::<tower_http::csrf::ProtectionError>()
            .is_some() =>
        {
            ErrorMark {
                code: code::CSRF,
                detail: Some("cross-origin request refused".into()),
                fields: Vec::new(),
                cause: None,
                permission: None,
                note: None,
            }
        }
        // A rendered page with an error status (a form re-shown with its errors) is final.
        None if res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("text/html")) =>
        {
            return res;
        }
        // Errors from the framework itself (unreadable JSON, wrong method, …).
        None => {
            let detail = match axum::body::to_bytes(res.into_body(), 64 * 1024).await {
                Ok(b) if !b.is_empty() => Some(String::from_utf8_lossy(&b).into_owned()),
                _ => None,
            };
            ErrorMark {
                code: match status.as_u16() {
                    400 | 422 => code::VALIDATION,
                    415 => code::UNSUPPORTED_MEDIA_TYPE,
                    404 => code::NOT_FOUND,
                    405 => code::METHOD_NOT_ALLOWED,
                    413 => code::TOO_LARGE,
                    401 => code::UNAUTHORIZED,
                    403 => code::FORBIDDEN,
                    s if s >= 500 => code::INTERNAL,
                    _ => code::BAD_REQUEST,
                },
                detail,
                fields: Vec::new(),
                cause: None,
                permission: None,
                note: None,
            }
        }
    };
    if let Some(cause) = &mark.cause {
        tracing::error!(request_id = request_id.as_deref().unwrap_or("-"), code = mark.code.name, %cause, "request failed");
    }
    let status = error::status_of(mark.code);
    // Internal details never leave: a 500 says only that it failed and its request id.
    let detail = if status.is_server_error() {
        None
    } else {
        mark.detail.clone()
    };
    let mark = ErrorMark { detail, ..mark };
    if wants_json {
        return error::problem_response(&mark, status, request_id.as_deref());
    }
    let title = mark.code.key;
    let page = match signed_in(&app, uri, headers).await {
        Some(console) => layout::Page::console(&console, title),
        None => layout::Page::anonymous(lang, title),
    };
    // On a page, say it in the user's language: the error's own note, or which permission is
    // missing; the API's English detail only on an English page.
    let detail = match (&mark.note, mark.permission) {
        (Some(note), _) => Some(note.say(page.lang)),
        (None, Some(p)) => Some(format!(
            "{}{}",
            page.t("error.needs_permission"),
            page.permission_name(&p)
        )),
        (None, None) if page.is_en() => mark.detail,
        (None, None) => None,
    };
    let page = crate::web::error_page::ErrorPage {
        page,
        message_key: mark.code.key,
        code: mark.code.name,
        detail,
        request_id,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => status.into_response(),
    }
}

/// The signed-in staff member of a request, if its session is valid (for error pages).
async fn signed_in(
    app: &App,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
) -> Option<extract::Console> {
    extract::cookie(&headers, crate::auth::sessions::COOKIE)?;
    let mut request = axum::http::Request::new(());
    *request.uri_mut() = uri;
    *request.headers_mut() = headers;
    let (mut parts, ()) = request.into_parts();
    <extract::Console as axum::extract::FromRequestParts<App>>::from_request_parts(&mut parts, app)
        .await
        .ok()
}

/// Serves until `shutdown` completes, then finishes requests in flight.
pub async fn serve(
    app: App,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(app, Router::new(), listener, shutdown).await
}

/// As `serve`, with `extra` routes (see `router_with`).
pub async fn serve_with(
    app: App,
    extra: Router<App>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let sweeper = tokio::spawn(sweep_sessions(app.clone()));
    let service =
        router_with(app, extra).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let result = axum::serve(listener, service)
        .with_graceful_shutdown(shutdown)
        .await;
    sweeper.abort();
    result
}

/// Deletes sessions idle past the timeout, and login counts that no longer matter, every ten
/// minutes.
async fn sweep_sessions(app: App) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        if let Err(e) = crate::auth::sessions::sweep_idle(&app).await {
            tracing::warn!(error = %e, "session sweep failed");
        }
        if let Err(e) = crate::auth::throttle::sweep(&app.db, app.clock.now()).await {
            tracing::warn!(error = %e, "login throttle sweep failed");
        }
    }
}
