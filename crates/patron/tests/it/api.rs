//! The JSON API: bearer keys, problem+json errors, OpenAPI.

use reqwest::StatusCode;
use serde_json::Value;

use crate::both;
use crate::support::spawn_app;

both!(
    api_errors_are_problem_json_with_a_stable_code_and_request_id,
    |backend| async move {
        let t = spawn_app(backend).await;
        let c = reqwest::Client::new();
        let res = c
            .get(format!("{}/api/v1/whoami", t.base))
            .send()
            .await
            .expect("get");
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let rid = res.headers()["x-request-id"]
            .to_str()
            .expect("id")
            .to_string();
        let body: Value = res.json().await.expect("json");
        assert_eq!(body["code"], "unauthorized");
        assert_eq!(body["status"], 401);
        assert_eq!(body["title"], "Authentication required");
        assert_eq!(body["request_id"], rid.as_str());
        let res = c
            .get(format!("{}/api/v1/no-such-thing", t.base))
            .send()
            .await
            .expect("get");
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let body: Value = res.json().await.expect("json");
        assert_eq!(body["code"], "not_found");
        let (status, body) = t.get_json("/api/v1/whoami", "ptk_forged").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["code"], "unauthorized");
        t.stop().await;
    }
);

both!(
    a_till_key_works_until_revoked_and_a_token_acts_with_its_owners_roles,
    |backend| async move {
        let t = spawn_app(backend).await;
        let ctx = t.ctx();
        let (row, key) = patron::areas::staff::keys::issue_till_key(&ctx, t.hq, "01", "1号台")
            .await
            .expect("issue");
        // One live key per till.
        let dup = patron::areas::staff::keys::issue_till_key(&ctx, t.hq, "01", "again").await;
        assert!(matches!(
            dup,
            Err(patron::areas::staff::StaffError::Duplicate { field: "till_id" })
        ));
        let (_, who) = t.get_json("/api/v1/whoami", &key).await;
        assert_eq!(who["kind"], "till");
        assert_eq!(who["store_id"], t.hq);
        // A till has no staff permissions.
        let (status, body) = t.get_json("/api/v1/stores", &key).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(body["code"], "forbidden");
        // Its use is recorded, and the key list (page and export) shows it.
        let admin = t.login("admin").await;
        let page = admin
            .get(&format!("/admin/tills?store={}&state=active", t.hq))
            .await;
        assert!(
            page.body.contains("1号台") && page.body.contains("2026-09-25 17:00"),
            "last used shown"
        );
        assert!(
            !page.body.contains(&key),
            "the key itself is never shown again"
        );
        let csv = admin
            .client
            .get(format!("{}/admin/tills.csv?state=active", t.base))
            .send()
            .await
            .expect("csv")
            .text()
            .await
            .expect("text");
        assert!(csv.contains("HQ,01,1号台") && !csv.contains(&key), "{csv}");
        // Revoked from the console: refused at the next request.
        let page = admin
            .post(
                &format!("/admin/tills/{}/revoke", row.id),
                "/admin/tills",
                &[],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        assert_eq!(
            t.get_json("/api/v1/whoami", &key).await.0,
            StatusCode::UNAUTHORIZED
        );
        assert!(
            !admin
                .get("/admin/tills?state=active")
                .await
                .body
                .contains("1号台"),
            "filtered out once revoked"
        );
        assert!(
            admin
                .get("/admin/tills?state=revoked")
                .await
                .body
                .contains("1号台")
        );
        // A token issued in the console for a manager reads the stores.
        let (mgr, _) = t.add_staff("mgr", &[("manager", t.hq)], false).await;
        let mgr_id = mgr.to_string();
        let page = admin
            .post(
                "/admin/tokens",
                "/admin/tokens",
                &[
                    ("name", "日报脚本"),
                    ("staff_id", mgr_id.as_str()),
                    ("valid_days", "30"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::OK);
        let token = page.text_of("issued-key").expect("token shown once");
        assert!(token.starts_with("pat_"));
        assert!(
            !admin.get("/admin/tokens").await.body.contains(&token),
            "never shown again"
        );
        let (_, stores) = t.get_json("/api/v1/stores", &token).await;
        assert_eq!(stores[0]["code"], "HQ");
        let (_, who) = t.get_json("/api/v1/whoami", &token).await;
        assert_eq!(who["roles"][0]["role"], "manager");
        // The token expires after its days.
        t.clock.advance(chrono::Duration::days(31));
        assert_eq!(
            t.get_json("/api/v1/stores", &token).await.0,
            StatusCode::UNAUTHORIZED
        );
        // A bad form is shown again with the problem (a new login: the old session idled out).
        let admin = t.login("admin").await;
        let page = admin
            .post(
                "/admin/tokens",
                "/admin/tokens",
                &[
                    ("name", ""),
                    ("staff_id", mgr_id.as_str()),
                    ("valid_days", "forever"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.body.contains("有效天数为1–3650的整数"));
        t.stop().await;
    }
);

both!(
    openapi_swagger_health_and_assets_are_served,
    |backend| async move {
        let t = spawn_app(backend).await;
        let c = reqwest::Client::new();
        let doc: Value = c
            .get(format!("{}/api/v1/openapi.json", t.base))
            .send()
            .await
            .expect("get")
            .json()
            .await
            .expect("json");
        assert!(doc["paths"]["/whoami"]["get"].is_object(), "{doc}");
        assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
        let ui = c
            .get(format!("{}/api/docs/", t.base))
            .send()
            .await
            .expect("get");
        assert_eq!(ui.status(), StatusCode::OK);
        assert!(ui.text().await.unwrap_or_default().contains("swagger"));
        let health: Value = c
            .get(format!("{}/healthz", t.base))
            .send()
            .await
            .expect("get")
            .json()
            .await
            .expect("json");
        assert_eq!(health["status"], "ok");
        // The login page links hashed assets that are served with a long cache life.
        let login = c
            .get(format!("{}/login", t.base))
            .send()
            .await
            .expect("get")
            .text()
            .await
            .expect("text");
        let css = login
            .split_once("href=\"/assets/app.")
            .and_then(|(_, r)| r.split_once('"'))
            .map(|(h, _)| format!("/assets/app.{h}"))
            .expect("css link");
        let res = c.get(format!("{}{css}", t.base)).send().await.expect("get");
        assert_eq!(res.status(), StatusCode::OK);
        assert!(
            res.headers()["cache-control"]
                .to_str()
                .unwrap_or("")
                .contains("immutable")
        );
        // An unknown console page is an error page in the visitor's language with a request id.
        let res = c
            .get(format!("{}/no/such/page", t.base))
            .header("accept-language", "en")
            .send()
            .await
            .expect("get");
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let html = res.text().await.unwrap_or_default();
        assert!(
            html.contains("Not found") && html.contains("class=\"request-id\""),
            "{html}"
        );
        t.stop().await;
    }
);

both!(
    a_panicking_handler_answers_a_finished_error_and_the_server_lives_on,
    |backend| async move {
        let t = spawn_app(backend).await;
        // A second server over the same application, with a route that panics.
        let extra = axum::Router::new()
            .route(
                "/api/v1/boom",
                axum::routing::get(|| async { panic!("a bug") as &'static str }),
            )
            .route(
                "/boom",
                axum::routing::get(|| async { panic!("a bug") as &'static str }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(patron::app::serve_with(
            t.app.clone(),
            extra,
            listener,
            async {
                let _ = stopped.await;
            },
        ));
        let c = reqwest::Client::new();
        let res = c
            .get(format!("{base}/api/v1/boom"))
            .send()
            .await
            .expect("get");
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let body: Value = res.json().await.expect("json");
        assert_eq!(body["code"], "internal");
        assert!(body["request_id"].is_string());
        assert!(
            body.get("detail").is_none(),
            "no internal detail leaks: {body}"
        );
        let res = c
            .get(format!("{base}/boom"))
            .header("accept-language", "zh-CN")
            .send()
            .await
            .expect("get");
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let html = res.text().await.expect("text");
        assert!(
            html.contains("系统内部错误") && html.contains("class=\"request-id\""),
            "{html}"
        );
        assert_eq!(
            c.get(format!("{base}/healthz"))
                .send()
                .await
                .expect("get")
                .status(),
            StatusCode::OK
        );
        let _ = stop.send(());
        let _ = server.await;
        t.stop().await;
    }
);
