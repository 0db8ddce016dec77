//! Callbacks: logged on the partner, and the due list shows who to call.

use reqwest::StatusCode;

use super::{active_partner, count, manager};
use crate::both;
use crate::support::spawn_app;

both!(
    callbacks_are_logged_and_the_due_list_shows_who_to_call,
    |backend| async move {
        let t = spawn_app(backend).await;
        let b = manager(&t, "partner_mgr").await;
        let due = active_partner(
            &b,
            "鸿运大酒店",
            "TY-1",
            "2026-09-06",
            "2027-09-05",
            "凭卡住宿八五折",
        )
        .await;
        let fine = active_partner(
            &b,
            "康辉旅行社",
            "TY-2",
            "2026-09-06",
            "2027-09-05",
            "线路立减200元",
        )
        .await;
        let log = |id: i64, on: &'static str, next: &'static str, content: &'static str| {
            let b = &b;
            async move {
                b.post(
                    &format!("/partners/{id}/callbacks"),
                    &format!("/partners/{id}"),
                    &[
                        ("on_date", on),
                        ("way", "phone"),
                        ("content", content),
                        ("issues", "会员反映周末不能用"),
                        ("follow_up", "与商户协商周末适用"),
                        ("next_due_on", next),
                    ],
                )
                .await
            }
        };
        let r = log(due, "2026-09-20", "2026-09-24", "了解会员使用情况").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = log(fine, "2026-09-21", "2026-12-01", "回访合作情况").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // A next date before the callback is refused.
        let bad = log(fine, "2026-09-22", "2026-09-01", "回访").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let page = b.get("/partners/callbacks").await;
        assert_eq!(page.status, StatusCode::OK);
        let (due_part, log_part) = page.body.split_once("id=\"log\"").expect("two tables");
        assert!(due_part.contains("鸿运大酒店"), "due since 2026-09-24");
        assert!(!due_part.contains("康辉旅行社"), "due on 2026-12-01 only");
        assert!(log_part.contains("了解会员使用情况") && log_part.contains("会员反映周末不能用"));
        assert_eq!(
            count(
                &t,
                "select cast(count(*) as bigint) from partner_callbacks where partner_id = $1",
                fine
            )
            .await,
            1
        );
        // Exports of the callbacks and the list; the list's print view.
        let csv = b
            .client
            .get(format!("{}/partners/callbacks.csv", b.base))
            .send()
            .await
            .expect("csv");
        assert_eq!(csv.status(), StatusCode::OK);
        let text = csv.text().await.expect("text");
        assert!(text.contains("了解会员使用情况") && text.contains("回访日期"));
        let xlsx = b
            .client
            .get(format!("{}/partners.xlsx?stage=active", b.base))
            .send()
            .await
            .expect("xlsx");
        assert_eq!(xlsx.status(), StatusCode::OK);
        assert!(xlsx.bytes().await.expect("bytes").starts_with(b"PK"));
        let csv = b
            .client
            .get(format!("{}/partners.csv?stage=active", b.base))
            .send()
            .await
            .expect("csv");
        let text = csv.text().await.expect("text");
        assert!(
            text.contains("鸿运大酒店")
                && text.contains("138****8000")
                && !text.contains("13800138000")
        );
        let print = b.get("/partners/print?stage=active").await;
        assert_eq!(print.status, StatusCode::OK);
        assert!(print.body.contains("康辉旅行社"));
        t.stop().await;
    }
);
