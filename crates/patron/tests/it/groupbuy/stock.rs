//! Vouchers on their way to the desk: a range partly elsewhere moves nothing, roles keep to
//! their side, finance prepares a requisition once, and the hand-over needs every check.

use reqwest::StatusCode;
use serde_json::json;

use super::{count_in, desk, person, requisition, sale, series};
use crate::both;
use crate::support::{ok, spawn_app};

both!(
    a_range_partly_elsewhere_moves_nothing_and_names_what_its_vouchers_are,
    |backend| async move {
        let t = spawn_app(backend).await;
        let d = desk(&t).await;
        series(&t, &d, "A26", "100", 100).await;
        requisition(&t, &d, &[("100", 50)], "1-50").await;
        // 51-100 are still at finance: stamping 40-60 stamps nothing.
        let (status, body) = t
            .post(
                "/api/v1/groupbuy/stamp",
                &d.clerk,
                json!({"store_code": "HQ", "ranges": "40-60"}),
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("voucher_state"))
        );
        let detail = body["detail"].as_str().unwrap_or("");
        assert!(
            detail.contains("11 Received, not stamped") && detail.contains("10 At finance"),
            "{detail}"
        );
        assert_eq!(count_in(&t, "stamped").await, 0);
        // Unstamped vouchers cannot be sold.
        let (status, _) = t
            .post(
                "/api/v1/groupbuy/sales",
                &d.clerk,
                sale(person("李"), "cash", &[("1-10", "", "")]),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        // Finance cannot sell; the clerk cannot print.
        let (status, _) = t
            .post(
                "/api/v1/groupbuy/stamp",
                &d.cashier,
                json!({"store_code": "HQ", "ranges": "1-10"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = t.post("/api/v1/groupbuy/series", &d.clerk, json!({"code": "Z", "name": "z", "face_value": "100", "expires_on": "2030-12-31", "count": "1"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // The hand-over needs all three checks, and names the missing one.
        let r = ok(&t, "/api/v1/groupbuy/requisitions", &d.clerk, json!({"store_code": "HQ", "purpose": "补券", "lines": [{"face_value": "100", "quantity": "50"}]})).await;
        let (id, approval) = (
            r["id"].as_i64().expect("id"),
            r["approval_id"].as_i64().expect("approval"),
        );
        ok(
            &t,
            &format!("/api/v1/groupbuy/approvals/{approval}"),
            &d.manager,
            json!({"decision": "approve"}),
        )
        .await;
        // Finance must set aside exactly what was asked.
        let (status, body) = t
            .post(
                &format!("/api/v1/groupbuy/requisitions/{id}/prepare"),
                &d.cashier,
                json!({"ranges": "51-90", "pickup_on": "2026-09-26"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        // Two finance clerks preparing at once: one wins, the other's ranges stay free.
        let path = format!("/api/v1/groupbuy/requisitions/{id}/prepare");
        let (a, b) = tokio::join!(
            t.post(
                &path,
                &d.cashier,
                json!({"ranges": "51-100", "pickup_on": "2026-09-26"})
            ),
            t.post(
                &path,
                &d.finance_manager,
                json!({"ranges": "51-100", "pickup_on": "2026-09-27"})
            ),
        );
        let wins = [a.0, b.0].iter().filter(|s| s.is_success()).count();
        assert_eq!(wins, 1, "{a:?} {b:?}");
        assert_eq!(
            t.scalar(
                "select count(*) from vouchers where requisition_id = $1",
                id
            )
            .await,
            50
        );
        ok(
            &t,
            &format!("/api/v1/groupbuy/requisitions/{id}/hand-over"),
            &d.cashier,
            json!({}),
        )
        .await;
        let (status, body) = t
            .post(
                &format!("/api/v1/groupbuy/requisitions/{id}/receive"),
                &d.clerk,
                json!({"serials_checked": true, "quantity_checked": true}),
            )
            .await;
        assert_eq!(
            (status, body["errors"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("seal_checked"))
        );
        assert_eq!(count_in(&t, "stock").await, 50);
        t.stop().await;
    }
);

both!(
    finance_downloads_the_print_shops_file_through_the_api_and_each_download_is_audited,
    |backend| async move {
        let t = spawn_app(backend).await;
        let d = desk(&t).await;
        let s = series(&t, &d, "P26", "100", 3).await;
        let id = s["series_id"].as_i64().expect("series id");
        let path = format!("/api/v1/groupbuy/series/{id}/print-file");
        let fetch = |key: String| {
            let (http, url) = (t.http.clone(), format!("{}{path}", t.base));
            async move {
                http.get(url)
                    .bearer_auth(key)
                    .send()
                    .await
                    .expect("GET print file")
            }
        };
        let res = fetch(d.cashier.clone()).await;
        assert_eq!(res.status(), StatusCode::OK);
        let headers = res.headers().clone();
        assert_eq!(
            headers.get("content-type").and_then(|v| v.to_str().ok()),
            Some("text/csv; charset=utf-8")
        );
        assert_eq!(
            headers
                .get("content-disposition")
                .and_then(|v| v.to_str().ok()),
            Some("attachment; filename=\"vouchers-P26.csv\"")
        );
        let body = res.text().await.expect("body");
        let lines: Vec<&str> = body.lines().collect();
        assert_eq!(lines.len(), 4, "{body}");
        assert_eq!(lines[0], "serial,check_code,face_value,expires_on,series");
        let first = s["first_serial"].as_str().expect("first serial");
        let key = t.app.secrets.voucher_key;
        let serial = patron_core::vouchers::Serial::parse(first).expect("serial");
        assert_eq!(
            lines[1],
            format!(
                "{serial},{},100.00,2030-12-31,P26",
                patron_core::vouchers::check_code(&key, serial)
            )
        );
        assert_eq!(
            t.scalar_text(
                "select cast(count(*) as bigint) from audit_log where action = $1",
                "groupbuy.print_file"
            )
            .await,
            1,
            "the download is in the audit log"
        );
        // The finance manager may too; the desk, the manager and a till may not.
        assert_eq!(
            fetch(d.finance_manager.clone()).await.status(),
            StatusCode::OK
        );
        for key in [&d.clerk, &d.manager, &d.till] {
            let res = fetch(key.clone()).await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN);
            assert_eq!(
                res.headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok()),
                Some("application/problem+json")
            );
        }
        assert_eq!(
            t.scalar_text(
                "select cast(count(*) as bigint) from audit_log where action = $1",
                "groupbuy.print_file"
            )
            .await,
            2,
            "refusals write no file and no entry"
        );
        let (status, body) = t
            .get_json("/api/v1/groupbuy/series/999999/print-file", &d.cashier)
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("not_found"))
        );
        let (status, _) = t.get_json(&path, "pat_nonsense").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
);
