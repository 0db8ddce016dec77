//! Logging in and out, first-login password change, lockout, CSRF, session timeouts, language.

use chrono::Duration;
use reqwest::StatusCode;

use crate::both;
use crate::support::{PASSWORD, spawn_app};

both!(
    first_login_must_change_the_password_before_anything_else,
    |backend| async move {
        let t = spawn_app(backend).await;
        let (_, one_time) = t.add_staff("wang.li", &[("clerk", t.hq)], true).await;
        let b = t.browser();
        let res = b.login("wang.li", &one_time).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(res.headers()["location"], "/account/password");
        // Any other page sends them back to the password form.
        let page = b.get("/").await;
        assert_eq!(page.location.as_deref(), Some("/account/password"));
        // A weak password is refused with the message under its field, in Chinese.
        let page = b
            .post(
                "/account/password",
                "/account/password",
                &[
                    ("current_password", &one_time),
                    ("new_password", "short"),
                    ("confirm_password", "short"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.body.contains("密码至少10个字符"), "{}", page.body);
        // A wrong current password is named as such.
        let page = b
            .post(
                "/account/password",
                "/account/password",
                &[
                    ("current_password", "not-it-at-all"),
                    ("new_password", "Mid-Autumn-Festival"),
                    ("confirm_password", "Mid-Autumn-Festival"),
                ],
            )
            .await;
        assert!(page.body.contains("当前密码不正确"), "{}", page.body);
        let page = b
            .post(
                "/account/password",
                "/account/password",
                &[
                    ("current_password", &one_time),
                    ("new_password", "Mid-Autumn-Festival"),
                    ("confirm_password", "Mid-Autumn-Festival"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        let page = b.get("/").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("id=\"dashboard\""));
        // The one-time password no longer works; the new one does.
        let again = t.browser();
        assert_eq!(
            again.login("wang.li", &one_time).await.status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            again.login("wang.li", "Mid-Autumn-Festival").await.status(),
            StatusCode::SEE_OTHER
        );
        t.stop().await;
    }
);

both!(
    repeated_failures_lock_the_account_until_the_lock_expires,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("zhao", &[("service", t.hq)], false).await;
        let b = t.browser();
        for attempt in 1..=4 {
            let res = b.login("zhao", "wrong-password").await;
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "attempt {attempt}");
            assert!(
                res.text()
                    .await
                    .unwrap_or_default()
                    .contains("用户名或密码错误")
            );
        }
        let res = b.login("zhao", "wrong-password").await;
        assert_eq!(res.status(), StatusCode::LOCKED, "the fifth failure locks");
        // Locked: even the right password is refused.
        let res = b.login("zhao", PASSWORD).await;
        assert_eq!(res.status(), StatusCode::LOCKED);
        assert!(
            res.text()
                .await
                .unwrap_or_default()
                .contains("账号已暂时锁定")
        );
        // The lock and the failures are in the audit log.
        let (rows, _) = patron::kernel::audit::list(
            &t.app.db,
            &patron::kernel::audit::AuditFilter {
                entity_kind: Some("staff".into()),
                ..Default::default()
            },
            0,
            100,
        )
        .await
        .expect("audit");
        assert!(rows.iter().any(|r| r.action == "staff.locked"));
        assert_eq!(
            rows.iter()
                .filter(|r| r.action == "staff.login_failed")
                .count(),
            5
        );
        t.clock.advance(Duration::minutes(16));
        assert_eq!(
            b.login("zhao", PASSWORD).await.status(),
            StatusCode::SEE_OTHER
        );
        // An unknown user name gets the same answer as a wrong password.
        let res = t.browser().login("nobody", PASSWORD).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        t.stop().await;
    }
);

both!(
    state_changing_forms_without_the_session_token_are_refused,
    |backend| async move {
        let t = spawn_app(backend).await;
        let b = t.login("admin").await;
        // No token.
        let res = b
            .client
            .post(format!("{}/account/lang", t.base))
            .form(&[("lang", "en")])
            .send()
            .await
            .expect("post");
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert!(
            res.text()
                .await
                .unwrap_or_default()
                .contains("请求来源无法验证")
        );
        // A wrong token.
        let res = b
            .client
            .post(format!("{}/account/lang", t.base))
            .form(&[("_csrf", "c_forged"), ("lang", "en")])
            .send()
            .await
            .expect("post");
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        // The right token, but from another site (the browser says so).
        let token = b.get("/").await.csrf();
        let res = b
            .client
            .post(format!("{}/account/lang", t.base))
            .header("sec-fetch-site", "cross-site")
            .header("origin", "https://evil.example")
            .form(&[("_csrf", token.as_str()), ("lang", "en")])
            .send()
            .await
            .expect("post");
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        // Still Chinese: none of the refused requests changed anything.
        assert!(b.get("/").await.body.contains("<html lang=\"zh-CN\">"));
        // The right token from the same site works.
        let res = b
            .client
            .post(format!("{}/account/lang", t.base))
            .header("sec-fetch-site", "same-origin")
            .form(&[("_csrf", token.as_str()), ("lang", "en")])
            .send()
            .await
            .expect("post");
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert!(b.get("/").await.body.contains("<html lang=\"en\">"));
        // A cross-site login attempt is refused too.
        let res = t
            .browser()
            .client
            .post(format!("{}/login", t.base))
            .header("sec-fetch-site", "cross-site")
            .form(&[("username", "admin"), ("password", PASSWORD)])
            .send()
            .await
            .expect("post");
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        t.stop().await;
    }
);

both!(
    sessions_end_after_the_idle_and_the_absolute_timeout,
    |backend| async move {
        let t = spawn_app(backend).await;
        let b = t.login("admin").await;
        assert_eq!(b.get("/").await.status, StatusCode::OK);
        // 29 minutes idle: still signed in (and the visit counts as activity).
        t.clock.advance(Duration::minutes(29));
        assert_eq!(b.get("/").await.status, StatusCode::OK);
        // 31 minutes idle: gone, and the login page says why.
        t.clock.advance(Duration::minutes(31));
        let page = b.get("/admin/staff").await;
        assert_eq!(page.location.as_deref(), Some("/login?expired=1"));
        assert!(b.get("/login?expired=1").await.body.contains("登录已超时"));
        // Absolute timeout: active every 20 minutes, still signed out after 12 hours.
        let b = t.login("admin").await;
        let mut minutes = 0;
        while minutes < 11 * 60 + 40 {
            t.clock.advance(Duration::minutes(20));
            minutes += 20;
            assert_eq!(
                b.get("/").await.status,
                StatusCode::OK,
                "at {minutes} minutes"
            );
        }
        t.clock.advance(Duration::minutes(25));
        assert_eq!(
            b.get("/").await.location.as_deref(),
            Some("/login?expired=1")
        );
        t.stop().await;
    }
);

both!(
    logout_ends_the_session_and_the_language_is_remembered_per_user,
    |backend| async move {
        let t = spawn_app(backend).await;
        let b = t.login("admin").await;
        let page = b.post("/account/lang", "/", &[("lang", "en")]).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        let page = b.get("/").await;
        assert!(page.body.contains("<h1>Dashboard</h1>"), "{}", page.body);
        let page = b.post("/logout", "/", &[]).await;
        assert_eq!(page.location.as_deref(), Some("/login?out=1"));
        assert_eq!(b.get("/").await.location.as_deref(), Some("/login"));
        // A fresh browser, a new login: still English, because the choice belongs to the user.
        let b2 = t.login("admin").await;
        assert!(b2.get("/").await.body.contains("<html lang=\"en\">"));
        t.stop().await;
    }
);

both!(
    a_disabled_account_is_signed_out_at_once,
    |backend| async move {
        let t = spawn_app(backend).await;
        let (id, _) = t.add_staff("sun", &[("cashier", t.hq)], false).await;
        let b = t.login("sun").await;
        assert_eq!(b.get("/").await.status, StatusCode::OK);
        let admin = t.login("admin").await;
        let page = admin
            .post(
                &format!("/admin/staff/{id}/disable"),
                &format!("/admin/staff/{id}"),
                &[],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        assert_eq!(b.get("/").await.location.as_deref(), Some("/login"));
        let res = t.browser().login("sun", PASSWORD).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert!(
            res.text()
                .await
                .unwrap_or_default()
                .contains("该账号已停用")
        );
        t.stop().await;
    }
);

both!(
    after_login_only_a_path_on_this_site_is_followed,
    |backend| async move {
        let t = spawn_app(backend).await;
        for (next, expected) in [
            ("/admin/audit?actor=admin", "/admin/audit?actor=admin"),
            ("/\t/evil.example/x", "/"),
            ("//evil.example", "/"),
            ("https://evil.example", "/"),
        ] {
            let res = t
                .browser()
                .client
                .post(format!("{}/login", t.base))
                .form(&[
                    ("username", "admin"),
                    ("password", PASSWORD),
                    ("next", next),
                ])
                .send()
                .await
                .expect("login");
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
            assert_eq!(res.headers()["location"], expected, "next = {next:?}");
        }
        t.stop().await;
    }
);
