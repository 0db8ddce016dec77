//! The headers every console and portal page carries (`web/security.rs`): a
//! Content-Security-Policy without inline scripts or framing, `Referrer-Policy: same-origin`,
//! `X-Content-Type-Options: nosniff` and `Cache-Control: no-store` — also on a member page
//! that shows the phone in full after a reveal — while the assets stay cacheable.

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::both;
use crate::support::{PASSWORD, set_portal_password, spawn_app};

/// Asserts that `h` (the answer of `what`) carries a page's headers.
fn page_headers(what: &str, h: &HeaderMap) {
    let get = |name: &str| {
        h.get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let csp = get("content-security-policy");
    for part in [
        "default-src 'self'",
        "script-src 'self';",
        "style-src 'self';",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(part), "{what}: CSP {csp:?} lacks {part:?}");
    }
    assert!(
        !csp.contains("unsafe-eval") && !csp.contains("script-src 'self' 'unsafe-inline'"),
        "{what}: {csp}"
    );
    assert_eq!(get("referrer-policy"), "same-origin", "{what}");
    assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(get("cache-control"), "no-store", "{what}");
    assert_eq!(get("x-frame-options"), "DENY", "{what}");
}

both!(
    console_and_portal_pages_carry_the_security_headers_and_assets_stay_cached,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("agent", &[("service", t.hq)], false).await;
        let (id, card) = t.add_member("欧阳娜娜", "13812345678", "1991-05-06").await;
        let anonymous = t.browser();
        let res = anonymous
            .client
            .get(format!("{}/login", t.base))
            .send()
            .await
            .expect("login page");
        page_headers("the login page", res.headers());

        let agent = t.login("agent").await;
        let res = agent
            .client
            .get(format!("{}/", t.base))
            .send()
            .await
            .expect("dashboard");
        assert_eq!(res.status(), StatusCode::OK);
        page_headers("the dashboard", res.headers());

        // The member page after a reveal shows the phone in full: never kept in a cache.
        let csrf = agent.get(&format!("/members/{id}")).await.csrf();
        let res = agent
            .client
            .post(format!("{}/members/{id}/reveal", t.base))
            .form(&[("_csrf", csrf.as_str())])
            .send()
            .await
            .expect("reveal");
        assert_eq!(res.status(), StatusCode::OK);
        page_headers("the revealed member page", res.headers());
        assert!(res.text().await.expect("body").contains("13812345678"));

        // An error page, and an export of personal data.
        let res = agent
            .client
            .get(format!("{}/no-such-page", t.base))
            .send()
            .await
            .expect("404");
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        page_headers("an error page", res.headers());
        let res = agent
            .client
            .get(format!("{}/members.csv?q=13812345678", t.base))
            .send()
            .await
            .expect("export");
        assert_eq!(res.headers()["cache-control"], "no-store");

        // The portal.
        set_portal_password(&t, id).await;
        let member = t.portal_login(&card, PASSWORD).await;
        let res = member
            .client
            .get(format!("{}/portal", t.base))
            .send()
            .await
            .expect("portal");
        assert_eq!(res.status(), StatusCode::OK);
        page_headers("the portal", res.headers());

        // Assets keep their own caching: a year for a hashed name.
        for name in ["app.css", "app.js", "print.css", "htmx.min.js"] {
            let url = patron::web::assets::url(name);
            let res = anonymous
                .client
                .get(format!("{}{url}", t.base))
                .send()
                .await
                .expect("asset");
            assert_eq!(res.status(), StatusCode::OK, "{url}");
            assert_eq!(
                res.headers()["cache-control"],
                "public, max-age=31536000, immutable",
                "{url}"
            );
        }
        t.stop().await;
    }
);
