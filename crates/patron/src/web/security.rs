//! The headers that tell a browser what Patron's pages may do. The console and the portal
//! show phones, ID numbers and balances, so:
//! - **Content-Security-Policy** on every HTML page: scripts, styles, images and requests only
//!   from this site (the console's own `/assets`, htmx and ECharts vendored there), no inline
//!   script or `<style>` and no `eval` (templates keep their scripts and styles in asset
//!   files; htmx's injected indicator style is turned off in `layout.html`), no plugins, no
//!   `<base>`, forms posting only here, and no framing (`frame-ancestors 'none'`, with
//!   `X-Frame-Options: DENY` for older browsers). Style *attributes* are allowed
//!   (`style-src-attr`): ECharts sets them on the chart and its tooltip at run time; they
//!   cannot run code, and `img-src` keeps a `url()` in one from reaching another site.
//! - **Referrer-Policy: same-origin**: a URL with a member's id or a search never leaves in a
//!   Referer header to another site.
//! - **Cache-Control: no-store** on every answer that sets no caching of its own: pages,
//!   exports and API answers carry personal data and must not stay in a shared or disk
//!   cache (a "reveal" shows a phone and ID in full). The assets set their own (a year for
//!   hashed names), so they keep being cached.
//!
//! Swagger UI (`/api/docs`) is a vendored page with inline scripts of its own: it gets the
//! other headers, not this policy.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// The console's and the portal's Content-Security-Policy.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; font-src 'self'; \
     connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

/// Middleware adding the headers above to every answer (see the module's documentation).
pub async fn headers(req: Request, next: Next) -> Response {
    let swagger = req.uri().path().starts_with("/api/docs");
    let mut res = next.run(req).await;
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    let h = res.headers_mut();
    h.entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("same-origin"));
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    if html && !swagger {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
    }
    res
}
